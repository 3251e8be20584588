/*  =========================================================================
    dp_product_history - the history rows boxtribute writes about products

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_product_history.h"
#include "dp_history.h"
#include "dp_tables.h"
#include <assert.h>

typedef struct {
    const char *column;
    int table_column;
    dp_history_kind_t kind;
} s_field_t;

//  Indexed by dp_product_field_t: peewee's column_name of each field.
static const s_field_t s_fields [DP_PRODUCT_FIELDS] = {
    [DP_PRODUCT_CATEGORY]   = { "category_id", DP_TCOL_products_category_id, DP_HISTORY_INT },
    [DP_PRODUCT_SIZE_RANGE] = { "sizegroup_id", DP_TCOL_products_sizegroup_id, DP_HISTORY_INT },
    [DP_PRODUCT_GENDER]     = { "gender_id", DP_TCOL_products_gender_id, DP_HISTORY_INT },
    [DP_PRODUCT_NAME]       = { "name", DP_TCOL_products_name, DP_HISTORY_TEXT },
    [DP_PRODUCT_PRICE]      = { "value", DP_TCOL_products_value, DP_HISTORY_INT },
    [DP_PRODUCT_COMMENT]    = { "comments", DP_TCOL_products_comments, DP_HISTORY_TEXT },
    [DP_PRODUCT_IN_SHOP]    = { "stockincontainer", DP_TCOL_products_stockincontainer, DP_HISTORY_INT },
};

int
dp_product_field_column (dp_product_field_t field)
{
    assert (field < DP_PRODUCT_FIELDS);
    return s_fields [field].table_column;
}

static dp_history_change_t
s_history_change (const dp_product_change_t *change)
{
    assert (change->field < DP_PRODUCT_FIELDS);
    const s_field_t *field = &s_fields [change->field];
    return (dp_history_change_t) {
        .column = field->column, .kind = field->kind,
        .from = change->from, .to = change->to, .shown = { .type = DP_VAL_NIL }
    };
}

bool
dp_product_change_differs (const dp_product_change_t *change)
{
    assert (change);
    dp_history_change_t history_change = s_history_change (change);
    return dp_history_changed (&history_change);
}

static dp_history_t *
s_history_new (dp_mutation_t *m)
{
    return dp_history_new ("products", dp_mutation_identity (m)->user_id, dp_mutation_now (m));
}

//  Issue the history's rows as one INSERT and destroy it; NULL for none.
static dp_mutation_reply_t *
s_insert (dp_mutation_t *m, dp_history_t **history_p)
{
    dp_mutation_reply_t *reply = NULL;
    size_t n = dp_history_size (*history_p);
    if (n)
        reply = dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS,
                                    dp_history_cells (*history_p), n);
    dp_history_destroy (history_p);
    return reply;
}

dp_mutation_reply_t *
dp_product_history_created (dp_mutation_t *m, const int64_t *ids, size_t n)
{
    assert (n > 0);
    dp_history_t *history = s_history_new (m);
    for (size_t i = 0; i < n; i++)
        dp_history_created (history, ids [i]);
    return s_insert (m, &history);
}

dp_mutation_reply_t *
dp_product_history_deleted (dp_mutation_t *m, const int64_t *ids, size_t n)
{
    assert (n > 0);
    dp_history_t *history = s_history_new (m);
    for (size_t i = 0; i < n; i++)
        dp_history_deleted (history, ids [i]);
    return s_insert (m, &history);
}

dp_mutation_reply_t *
dp_product_history_changes (dp_mutation_t *m, int64_t product_id,
                            const dp_product_change_t *changes, size_t n)
{
    dp_history_t *history = s_history_new (m);
    for (size_t i = 0; i < n; i++) {
        dp_history_change_t history_change = s_history_change (&changes [i]);
        dp_history_change (history, product_id, &history_change);
    }
    return s_insert (m, &history);
}
