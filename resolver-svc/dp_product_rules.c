/*  =========================================================================
    dp_product_rules - the checks the product mutations share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_product_rules.h"
#include "dp_mut_values.h"
#include "dp_mut_box.h"

dp_mutation_reply_t *
dp_product_lock (dp_mutation_t *m, const int64_t *ids, size_t n)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *values);
    for (size_t i = 0; i < n; i++)
        values [i] = dp_mut_int (ids [i]);
    dp_mutation_where_t by_id = { DP_TCOL_products_id, values, (uint32_t) n };
    return dp_mutation_select (m, DP_TABLE_products, DP_PRODUCT_LOCK_COLUMNS, &by_id, 1, true);
}

const dp_val_t *
dp_product_cell (const dp_mutation_reply_t *reply, int row, int col)
{
    return dp_select_cell (reply, (uint32_t) row, DP_PRODUCT_LOCK_COLUMNS, col);
}

int
dp_product_row (const dp_mutation_reply_t *reply, int64_t id)
{
    for (uint32_t row = 0; row < reply->n_rows; row++)
        if (dp_product_cell (reply, (int) row, DP_TCOL_products_id)->u.i == id)
            return (int) row;
    return -1;
}

bool
dp_product_deleted (const dp_mutation_reply_t *reply, int row)
{
    //  db-svc reads the zero date as nil
    return dp_product_cell (reply, row, DP_TCOL_products_deleted)->type != DP_VAL_NIL;
}

void
dp_product_refs_load (dp_mutation_t *m, dp_product_refs_t *self, int64_t category_id,
                      int64_t size_range_id)
{
    *self = (dp_product_refs_t) { 0 };
    if (category_id)
        self->category = dp_mutation_load (m, DP_LOADER_product_categories_by_id,
                                           1ull << DP_COL_product_categories_label, &category_id, 1);
    if (size_range_id)
        self->size_range = dp_mutation_load (m, DP_LOADER_sizegroup_by_id,
                                             1ull << DP_COL_sizegroup_label, &size_range_id, 1);
}

bool
dp_product_refs_check (dp_mutation_t *m, const dp_product_refs_t *self)
{
    const char *missing = NULL;
    if (self->category && self->category->n_rows == 0)
        missing = "ProductCategory";
    else
    if (self->size_range && self->size_range->n_rows == 0)
        missing = "SizeRange";
    if (missing)
        dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, missing), false);
    return missing == NULL;
}

void
dp_product_invalid_price (dp_mutation_t *m, int64_t price)
{
    dp_record_t *error = dp_record_new (m, "InvalidPriceError");
    dp_record_set_int (error, "value", price);
    dp_mutation_return_record (m, error, false);
}

void
dp_product_empty_name (dp_mutation_t *m)
{
    dp_mutation_return_record (m, dp_record_new (m, "EmptyNameError"), false);
}

void
dp_product_type_mismatch (dp_mutation_t *m, const char *expected_type)
{
    dp_record_t *error = dp_record_new (m, "ProductTypeMismatchError");
    dp_record_set_enum (error, "expectedType", expected_type);
    dp_mutation_return_record (m, error, false);
}
