/*  =========================================================================
    dp_tables - the tables a transaction's STMT may write: the wire contract

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Static descriptions generated from the X-macro lists in dp_tables.h.
    Lookups by id are bounds-checked because ids arrive from the wire.
@end
*/
#include "dp_tables.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_COLUMN(table, col, type) { #col, DP_COLTYPE_##type },
#define S_COLUMNS(table) \
    static const dp_catalog_column_t s_cols_##table [] = { DP_TABLE_COLUMNS_##table (S_COLUMN) };
DP_TABLE_LIST (S_COLUMNS)

#define S_COUNT(array) (sizeof (array) / sizeof ((array) [0]))
#define S_TABLE(table) { #table, s_cols_##table, S_COUNT (s_cols_##table) },
static const dp_table_t s_tables [] = { DP_TABLE_LIST (S_TABLE) };

const dp_table_t *
dp_table (uint32_t id)
{
    return id < DP_TABLE_COUNT ? &s_tables [id] : NULL;
}

bool
dp_table_mask_valid (const dp_table_t *table, uint64_t columns)
{
    assert (table);
    //  Masks are 64 bits: a table never has more columns (checked below).
    return table->n_columns >= 64 || (columns >> table->n_columns) == 0;
}

void
dp_tables_test (bool verbose)
{
    printf (" * dp_tables: ");
    assert (S_COUNT (s_tables) == DP_TABLE_COUNT);
    for (uint32_t id = 0; id < DP_TABLE_COUNT; id++) {
        const dp_table_t *table = dp_table (id);
        assert (table && table->n_columns > 0 && table->n_columns <= 64);
        //  Every table's first column is its key (its id, but for
        //  x_people_languages' people_id): SELECT orders by it.
        assert (table->columns [0].type == DP_COLTYPE_INT);
        assert (strcmp (table->columns [0].name, "id") == 0
                || id == DP_TABLE_x_people_languages);
        for (size_t i = 0; i < table->n_columns; i++)
            for (size_t j = i + 1; j < table->n_columns; j++)
                assert (strcmp (table->columns [i].name, table->columns [j].name) != 0);
        if (verbose)
            printf ("\n  %s: %zu columns", table->name, table->n_columns);
    }
    assert (dp_table (DP_TABLE_COUNT) == NULL);
    assert (dp_table (UINT32_MAX) == NULL);
    const dp_table_t *stock = dp_table (DP_TABLE_stock);
    assert (strcmp (stock->name, "stock") == 0);
    assert (strcmp (stock->columns [DP_TCOL_stock_items].name, "items") == 0);
    assert (strcmp (dp_table (DP_TABLE_tags_relations)->columns
                    [DP_TCOL_tags_relations_deleted_on].name, "deleted_on") == 0);
    assert (dp_table_mask_valid (stock, DP_TBIT (stock, source_box_id)));
    assert (!dp_table_mask_valid (stock, DP_TBIT (stock, source_box_id) << 1));
    assert (dp_table_mask_valid (dp_table (DP_TABLE_qr), 0xf));
    assert (!dp_table_mask_valid (dp_table (DP_TABLE_qr), 0x10));
    assert (!dp_table_mask_valid (dp_table (DP_TABLE_qr), 1ull << 63));
    if (verbose)
        printf ("\n");
    printf ("OK\n");
}
