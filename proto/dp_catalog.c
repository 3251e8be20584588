/*  =========================================================================
    dp_catalog - the loaders and root queries db-svc serves: the wire contract

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Static tables generated from the X-macro lists in dp_catalog.h: one
    column array per column set, one entry per loader and per root query.
    Lookups by id are bounds-checked because ids arrive from the wire.
@discuss
    Nothing here allocates or changes at run time; every pointer returned
    is to static const data, valid for the life of the process.
@end
*/
#include "dp_catalog.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

//  One static column array per column set: s_cols_<set>.
#define S_COLUMN(loader, col, type) { #col, DP_COLTYPE_##type },
#define S_COLUMN_SET(set) \
    static const dp_catalog_column_t s_cols_##set [] = { DP_COLUMNS_##set (S_COLUMN) };

S_COLUMN_SET (stock)
S_COLUMN_SET (products)
S_COLUMN_SET (product_categories)
S_COLUMN_SET (sizes)
S_COLUMN_SET (units)
S_COLUMN_SET (locations)
S_COLUMN_SET (camps)
S_COLUMN_SET (organisations)
S_COLUMN_SET (qr)
S_COLUMN_SET (cms_users)
S_COLUMN_SET (shipment)
S_COLUMN_SET (shipment_detail)
S_COLUMN_SET (tags)
S_COLUMN_SET (tag_last_used)
S_COLUMN_SET (box_access)
S_COLUMN_SET (history_entry)
S_COLUMN_SET (product_counts)
S_COLUMN_SET (base_counts)
S_COLUMN_SET (sizegroup)
S_COLUMN_SET (tag_link)
S_COLUMN_SET (transfer_agreement)
S_COLUMN_SET (agreement_base)
S_COLUMN_SET (distro_events)
S_COLUMN_SET (people)
S_COLUMN_SET (people_languages)
S_COLUMN_SET (people_tokens)
S_COLUMN_SET (transactions)
S_COLUMN_SET (standard_product)
S_COLUMN_SET (base_names)
S_COLUMN_SET (shareable_link)
S_COLUMN_SET (standard_product_info)
S_COLUMN_SET (created_boxes)
S_COLUMN_SET (top_checked_out)
S_COLUMN_SET (top_donated)
S_COLUMN_SET (dimension_info)
S_COLUMN_SET (beneficiary_demographics)
S_COLUMN_SET (beneficiary_reach)
S_COLUMN_SET (dimension_beneficiary)
S_COLUMN_SET (beneficiary_figures)
S_COLUMN_SET (metric)
S_COLUMN_SET (moved_boxes)
S_COLUMN_SET (stock_overview)
S_COLUMN_SET (public_number)

#define S_COUNT(array) (sizeof (array) / sizeof ((array) [0]))

#define S_LOADER_ENTRY(name, cols, key) \
    { #name, #cols, s_cols_##cols, S_COUNT (s_cols_##cols) },
static const dp_catalog_entry_t s_loaders [] = { DP_LOADER_LIST (S_LOADER_ENTRY) };

#define S_QUERY_ENTRY(name, cols) \
    { #name, #cols, s_cols_##cols, S_COUNT (s_cols_##cols) },
static const dp_catalog_entry_t s_queries [] = { DP_QUERY_LIST (S_QUERY_ENTRY) };

//  A request selects columns with a 64-bit mask: no set may be wider.
#define S_FITS_MASK(set) \
    _Static_assert (S_COUNT (s_cols_##set) <= 64, #set " has more than 64 columns");
S_FITS_MASK (stock)
S_FITS_MASK (products)
S_FITS_MASK (product_categories)
S_FITS_MASK (sizes)
S_FITS_MASK (units)
S_FITS_MASK (locations)
S_FITS_MASK (camps)
S_FITS_MASK (organisations)
S_FITS_MASK (qr)
S_FITS_MASK (cms_users)
S_FITS_MASK (shipment)
S_FITS_MASK (shipment_detail)
S_FITS_MASK (tags)
S_FITS_MASK (tag_last_used)
S_FITS_MASK (box_access)
S_FITS_MASK (history_entry)
S_FITS_MASK (product_counts)
S_FITS_MASK (base_counts)
S_FITS_MASK (sizegroup)
S_FITS_MASK (tag_link)
S_FITS_MASK (transfer_agreement)
S_FITS_MASK (agreement_base)
S_FITS_MASK (distro_events)
S_FITS_MASK (people)
S_FITS_MASK (people_languages)
S_FITS_MASK (people_tokens)
S_FITS_MASK (transactions)
S_FITS_MASK (standard_product)
S_FITS_MASK (base_names)
S_FITS_MASK (shareable_link)
S_FITS_MASK (standard_product_info)
S_FITS_MASK (created_boxes)
S_FITS_MASK (top_checked_out)
S_FITS_MASK (top_donated)
S_FITS_MASK (dimension_info)
S_FITS_MASK (beneficiary_demographics)
S_FITS_MASK (beneficiary_reach)
S_FITS_MASK (dimension_beneficiary)
S_FITS_MASK (beneficiary_figures)
S_FITS_MASK (metric)
S_FITS_MASK (moved_boxes)
S_FITS_MASK (stock_overview)
S_FITS_MASK (public_number)

_Static_assert (S_COUNT (s_loaders) == DP_LOADER_COUNT, "loader table out of step");
_Static_assert (S_COUNT (s_queries) == DP_QUERY_COUNT, "query table out of step");


//  --------------------------------------------------------------------------
//  Return the static description of loader id, or NULL when out of range.

const dp_catalog_entry_t *
dp_catalog_loader (uint32_t id)
{
    return id < DP_LOADER_COUNT ? &s_loaders [id] : NULL;
}


//  --------------------------------------------------------------------------
//  Return the static description of root query id, or NULL when out of range.

const dp_catalog_entry_t *
dp_catalog_query (uint32_t id)
{
    return id < DP_QUERY_COUNT ? &s_queries [id] : NULL;
}


//  --------------------------------------------------------------------------
//  Selftest helpers

static void
s_check_entry (const dp_catalog_entry_t *entry, bool verbose)
{
    assert (entry);
    assert (entry->name && *entry->name);
    assert (entry->table && *entry->table);
    assert (entry->columns);
    assert (entry->n_columns >= 1);
    //  The mask has one bit per column: 64 at most.
    assert (entry->n_columns <= 64);
    for (size_t i = 0; i < entry->n_columns; i++) {
        const dp_catalog_column_t *col = &entry->columns [i];
        assert (col->name && *col->name);
        assert (col->type >= DP_COLTYPE_INT && col->type <= DP_COLTYPE_DATE);
        //  Names are unique within a column set.
        for (size_t j = i + 1; j < entry->n_columns; j++)
            assert (strcmp (col->name, entry->columns [j].name) != 0);
    }
    if (verbose)
        printf ("  %s (%s): %zu columns\n", entry->name, entry->table, entry->n_columns);
}

void
dp_catalog_test (bool verbose)
{
    printf (" * dp_catalog: ");
    if (verbose)
        printf ("\n");

    //  Every loader and query is well-formed and its name is unique.
    for (uint32_t id = 0; id < DP_LOADER_COUNT; id++) {
        const dp_catalog_entry_t *entry = dp_catalog_loader (id);
        s_check_entry (entry, verbose);
        for (uint32_t other = id + 1; other < DP_LOADER_COUNT; other++)
            assert (strcmp (entry->name, dp_catalog_loader (other)->name) != 0);
    }
    for (uint32_t id = 0; id < DP_QUERY_COUNT; id++) {
        const dp_catalog_entry_t *entry = dp_catalog_query (id);
        s_check_entry (entry, verbose);
        for (uint32_t other = id + 1; other < DP_QUERY_COUNT; other++)
            assert (strcmp (entry->name, dp_catalog_query (other)->name) != 0);
    }

    //  Ids out of range (hostile wire input) give NULL.
    assert (dp_catalog_loader (DP_LOADER_COUNT) == NULL);
    assert (dp_catalog_loader (UINT32_MAX) == NULL);
    assert (dp_catalog_query (DP_QUERY_COUNT) == NULL);
    assert (dp_catalog_query (UINT32_MAX) == NULL);

    //  The stock set: 25 columns in wire order, enum index = array index.
    const dp_catalog_entry_t *stock = dp_catalog_loader (DP_LOADER_stock_by_id);
    assert (stock);
    assert (strcmp (stock->name, "stock_by_id") == 0);
    assert (strcmp (stock->table, "stock") == 0);
    assert (stock->n_columns == 25);
    assert (DP_COL_stock_source_box_id == 20);
    assert (DP_COL_stock_tag_ids == 24);
    assert (stock->columns [DP_COL_stock_tag_ids].type == DP_COLTYPE_STR);
    assert (strcmp (stock->columns [DP_COL_stock_id].name, "id") == 0);
    assert (strcmp (stock->columns [DP_COL_stock_box_id].name, "box_id") == 0);
    assert (stock->columns [DP_COL_stock_box_id].type == DP_COLTYPE_STR);
    assert (strcmp (stock->columns [DP_COL_stock_modified].name, "modified") == 0);
    assert (stock->columns [DP_COL_stock_modified].type == DP_COLTYPE_DATETIME);
    assert (stock->columns [DP_COL_stock_weight].type == DP_COLTYPE_FLOAT);
    assert (stock->columns [DP_COL_stock_items].type == DP_COLTYPE_INT);

    //  Other sets keep their enum order and types.
    const dp_catalog_entry_t *users = dp_catalog_loader (DP_LOADER_cms_users_by_id);
    assert (strcmp (users->table, "cms_users") == 0);
    assert (users->n_columns == 8);
    assert (users->columns [DP_COL_cms_users_valid_firstday].type == DP_COLTYPE_DATE);
    assert (strcmp (users->columns [DP_COL_cms_users_naam].name, "naam") == 0);

    const dp_catalog_entry_t *detail =
        dp_catalog_loader (DP_LOADER_active_shipment_detail_by_box);
    assert (strcmp (detail->table, "shipment_detail") == 0);
    assert (detail->n_columns == 21);
    assert (strcmp (detail->columns [DP_COL_shipment_detail_removed_by_id].name,
                    "removed_by_id") == 0);

    const dp_catalog_entry_t *last_used = dp_catalog_loader (DP_LOADER_tag_last_used_by_tag);
    assert (strcmp (last_used->name, "tag_last_used_by_tag") == 0);
    assert (last_used->n_columns == 2);
    assert (last_used->columns [DP_COL_tag_last_used_last_used_on].type == DP_COLTYPE_DATETIME);

    //  Beneficiaries: computed columns last; dates of birth and signature are dates.
    const dp_catalog_entry_t *people = dp_catalog_loader (DP_LOADER_people_by_base);
    assert (strcmp (people->table, "people") == 0);
    assert (people->n_columns == 21);
    assert (DP_COL_people_registered == 20);
    assert (people->columns [DP_COL_people_date_of_birth].type == DP_COLTYPE_DATE);
    assert (people->columns [DP_COL_people_date_of_signature].type == DP_COLTYPE_DATE);
    assert (strcmp (dp_catalog_loader (DP_LOADER_transactions_by_people)->columns
                    [DP_COL_transactions_drops].name, "drops") == 0);

    //  Root queries answer stock rows (qr_by_code: qr rows); their columns are
    //  that set's. The statistics cubes after them answer sets of their own.
    const dp_catalog_entry_t *qr = dp_catalog_loader (DP_LOADER_qr_by_id);
    for (uint32_t id = 0; id <= DP_QUERY_qr_by_code; id++) {
        const dp_catalog_entry_t *query = dp_catalog_query (id);
        const dp_catalog_entry_t *set = id == DP_QUERY_qr_by_code ? qr
                                      : id == DP_QUERY_shareable_link_by_code
                                      ? dp_catalog_loader (DP_LOADER_shareable_link_by_id) : stock;
        assert (strcmp (query->table, set->table) == 0);
        assert (query->columns == set->columns);
        assert (query->n_columns == set->n_columns);
    }
    assert (strcmp (dp_catalog_query (DP_QUERY_created_boxes)->table, "created_boxes") == 0);
    assert (dp_catalog_query (DP_QUERY_created_boxes)->columns [DP_COL_created_boxes_created_on].type
            == DP_COLTYPE_DATE);
    assert (strcmp (dp_catalog_query (DP_QUERY_boxes_page)->name, "boxes_page") == 0);
    assert (strcmp (dp_catalog_query (DP_QUERY_moved_boxes)->table, "moved_boxes") == 0);
    assert (strcmp (dp_catalog_query (DP_QUERY_stock_overview)->table, "stock_overview") == 0);
    assert (strcmp (dp_catalog_query (DP_QUERY_boxes_has_previous)->name,
                    "boxes_has_previous") == 0);

    printf ("OK\n");
}
