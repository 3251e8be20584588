/*  =========================================================================
    dp_filters - which rows a list field shows (keep_fn_t hooks)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    DATETIME cells arrive as nil for NULL and for MySQL's zero date, so
    "not deleted" (deleted IS NULL OR deleted = 0, API.md section 4) is a
    nil deleted cell.
@end
*/
#include "dp_filters.h"
#include <string.h>
#include <stdlib.h>

//  filterInput.includeDeleted, false when absent.
static bool
s_include_deleted (const plan_field_t *pf)
{
    const input_t *flag = input_field (input_field (pf->args, "filterInput"), "includeDeleted");
    return flag && flag->kind == IN_BOOL && flag->i;
}

static bool
s_str_is (const row_t *row, int column, const char *value)
{
    const dp_val_t *cell = &row->cells [column];
    return cell->type == DP_VAL_STR && strcmp (cell->u.s.ptr, value) == 0;
}

//  bases / Organisation.bases: not deleted, unless filterInput.includeDeleted.
bool
dp_keep_base (const plan_field_t *pf, const row_t *row)
{
    return s_include_deleted (pf) || row_is_nil (row, DP_COL_camps_deleted);
}

//  Query.locations: the classic (warehouse) locations, deleted ones included
//  as boxtribute lists them.
bool
dp_keep_classic_location (const plan_field_t *pf, const row_t *row)
{
    return s_str_is (row, DP_COL_locations_type, "Warehouse");
}

//  Base.locations: classic locations that are not deleted.
bool
dp_keep_live_classic_location (const plan_field_t *pf, const row_t *row)
{
    return dp_keep_classic_location (pf, row) && row_is_nil (row, DP_COL_locations_deleted);
}

//  Query.tags(tagType) and Base.tags(resourceType): tags that are not
//  deleted; a Box (Beneficiary) filter keeps Box (Beneficiary) and All tags.
bool
dp_keep_tag (const plan_field_t *pf, const row_t *row)
{
    if (!row_is_nil (row, DP_COL_tags_deleted))
        return false;
    const input_t *kind = input_field (pf->args, "resourceType");
    if (!kind)
        kind = input_field (pf->args, "tagType");
    if (!kind || kind->kind != IN_ENUM || strcmp (kind->s, "All") == 0)
        return true;
    const char *db = strcmp (kind->s, "Box") == 0 ? "Stock" : "People";
    return s_str_is (row, DP_COL_tags_type, db) || s_str_is (row, DP_COL_tags_type, "All");
}

//  Base.products(filterInput): not deleted unless includeDeleted; type
//  Custom or StandardInstantiation when asked (All: both).
bool
dp_keep_product (const plan_field_t *pf, const row_t *row)
{
    if (!s_include_deleted (pf) && !row_is_nil (row, DP_COL_products_deleted))
        return false;
    const input_t *type = input_field (input_field (pf->args, "filterInput"), "type");
    if (!type || type->kind != IN_ENUM || strcmp (type->s, "All") == 0)
        return true;
    bool standard = !row_is_nil (row, DP_COL_products_standard_product_id);
    return strcmp (type->s, "StandardInstantiation") == 0 ? standard : !standard;
}

//  Query.shipments(states): the shipments in one of the states (all when the
//  list is absent or empty).
//  A row whose `state` column (`column`) is one of the `states` argument's.
static bool
s_state_in (const plan_field_t *pf, const row_t *row, int column)
{
    const input_t *states = input_field (pf->args, "states");
    if (!states || states->kind != IN_LIST || states->n_items == 0)
        return true;
    for (size_t i = 0; i < states->n_items; i++)
        if (s_str_is (row, column, states->items [i]->s))
            return true;
    return false;
}

bool
dp_keep_shipment (const plan_field_t *pf, const row_t *row)
{
    return s_state_in (pf, row, DP_COL_shipment_state);
}

//  Box.tags: the box's tags that are not deleted.
bool
dp_keep_live_tag (const plan_field_t *pf, const row_t *row)
{
    return row_is_nil (row, DP_COL_tags_deleted);
}

//  Query.transferAgreements(states): the agreements in one of the states.
bool
dp_keep_agreement (const plan_field_t *pf, const row_t *row)
{
    return s_state_in (pf, row, DP_COL_transfer_agreement_state);
}

//  Single objects found among a list of permitted ones: the row whose id is
//  the `id` argument (Query.transferAgreement).
bool
dp_keep_id_argument (const plan_field_t *pf, const row_t *row)
{
    const input_t *id = input_field (pf->args, "id");
    return id && id->kind == IN_STRING && atoll (id->s) == row_int (row, 0);
}
