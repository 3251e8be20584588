/*  =========================================================================
    dp_mut_product_edit - Mutation.editCustomProduct and editStandardProductInstantiation

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's edit_custom_product: the product must exist
    (ResourceDoesNotExistError), the user needs product:write in its base,
    size_range:read and product_category:read; a standard product's
    instantiation is ProductTypeMismatchError { expectedType: Custom }; an
    empty name EmptyNameError, then a price below 0 InvalidPriceError, then
    an unknown category or size range ResourceDoesNotExistError. Fields
    left out or null keep their values. Each field whose value changes
    gets boxtribute's history row (dp_product_history.h) and, when any
    did, modified/modified_by are set; only changed columns are written.
    editStandardProductInstantiation is the same edit of the other type
    (boxtribute's edit_standard_product_instantiation): it needs product:write
    and size_range:read, refuses a custom product (ProductTypeMismatchError
    { expectedType: StandardInstantiation }), and its input has only
    sizeRangeId, price, comment and inShop.
@discuss
    Rounds: 0 locks the product row; 1 checks, and reads the category and
    size range when given (then checks them in the next round); then the
    changes and their history rows are written, and the product answered.
@end
*/
#include "dp_mut_products.h"
#include "dp_mut_denied.h"
#include "dp_mut_values.h"
#include "dp_mut_box.h"
#include "dp_product_rules.h"
#include "dp_product_history.h"
#include "dp_enums.h"

//  What differs between the two edits.
typedef struct {
    bool standard;              //  edits standard product instantiations
    const char *permissions [2];    //  needed besides product:write in the base
} edit_kind_t;

static const edit_kind_t s_custom = { false, { "size_range:read", "product_category:read" } };
static const edit_kind_t s_standard = { true, { "size_range:read", NULL } };

typedef struct {
    const edit_kind_t *kind;
    dp_mut_denied_t denied;
    int64_t id;
    dp_mutation_reply_t *product;
    dp_product_refs_t refs;
    bool checked;
    bool written;
} edit_state_t;

//  The value a given input field stores, or false when it is not given.
static bool
s_new_value (const input_t *input, dp_product_field_t field, dp_val_t *value)
{
    static const char *const names [DP_PRODUCT_FIELDS] = {
        [DP_PRODUCT_CATEGORY] = "categoryId", [DP_PRODUCT_SIZE_RANGE] = "sizeRangeId",
        [DP_PRODUCT_GENDER] = "gender", [DP_PRODUCT_NAME] = "name", [DP_PRODUCT_PRICE] = "price",
        [DP_PRODUCT_COMMENT] = "comment", [DP_PRODUCT_IN_SHOP] = "inShop"
    };
    const input_t *given = dp_box_given (input, names [field]);
    if (!given)
        return false;
    switch (field) {
        case DP_PRODUCT_GENDER:
            *value = dp_mut_int (dp_enums_gender_id (given->s));
            break;
        case DP_PRODUCT_NAME:
        case DP_PRODUCT_COMMENT:
            *value = (dp_val_t) { .type = DP_VAL_STR, .u.s = { given->s, (uint32_t) given->len } };
            break;
        case DP_PRODUCT_IN_SHOP:
            *value = dp_mut_int (given->i ? 1 : 0);
            break;
        default:
            *value = dp_mut_int (given->i);
            break;
    }
    return true;
}

//  Round 1: authorisation and the checks boxtribute makes before saving,
//  then the reads of the category and size range given. False when the
//  field is finished.
static bool
s_check (dp_mutation_t *m, edit_state_t *state, const input_t *input)
{
    if (state->product->n_rows == 0) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->id, "Product"), false);
        return false;
    }
    dp_authz_t *authz = dp_mutation_authz (m);
    int64_t base_id = dp_product_cell (state->product, 0, DP_TCOL_products_camp_id)->u.i;
    char denied [80];
    if (!dp_authz_base (authz, "product:write", base_id, denied, sizeof denied)) {
        dp_mut_denied_start (m, &state->denied, "product:write", denied, base_id);
        return false;
    }
    const char *const *needed = state->kind->permissions;
    for (size_t i = 0; i < 2 && needed [i]; i++)
        if (!dp_authz_any_base (authz, needed [i])) {
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, needed [i]), false);
            return false;
        }
    bool standard = dp_product_cell (state->product, 0, DP_TCOL_products_standard_product_id)->type != DP_VAL_NIL;
    if (standard != state->kind->standard) {
        dp_product_type_mismatch (m, state->kind->standard ? "StandardInstantiation" : "Custom");
        return false;
    }
    const input_t *name = dp_box_given (input, "name");
    if (name && name->len == 0) {
        dp_product_empty_name (m);
        return false;
    }
    const input_t *price = dp_box_given (input, "price");
    if (price && price->i < 0) {
        dp_product_invalid_price (m, price->i);
        return false;
    }
    const input_t *category = dp_box_given (input, "categoryId");
    const input_t *size_range = dp_box_given (input, "sizeRangeId");
    dp_product_refs_load (m, &state->refs, category ? category->i : 0, size_range ? size_range->i : 0);
    return true;
}

//  The changed columns, modified/modified_by, and their history rows.
static void
s_write (dp_mutation_t *m, edit_state_t *state, const input_t *input)
{
    dp_product_change_t changes [DP_PRODUCT_FIELDS];
    size_t n_changes = 0;
    dp_val_t values [DP_PRODUCT_FIELDS + 2];
    uint64_t columns = 0;
    //  Columns in dp_tables.h's order: collected by column index first.
    dp_val_t by_column [64];
    for (int field = 0; field < DP_PRODUCT_FIELDS; field++) {
        dp_product_change_t change = { .field = field };
        if (!s_new_value (input, field, &change.to))
            continue;
        int column = dp_product_field_column (field);
        change.from = *dp_product_cell (state->product, 0, column);
        if (!dp_product_change_differs (&change))
            continue;
        changes [n_changes++] = change;
        columns |= 1ull << column;
        by_column [column] = change.to;
    }
    if (n_changes == 0) {
        dp_mutation_return_object (m, DP_LOADER_products_by_id, state->id);
        return;
    }
    by_column [DP_TCOL_products_modified] = dp_mut_text (dp_mutation_now (m));
    by_column [DP_TCOL_products_modified_by] = dp_mut_int (dp_mutation_identity (m)->user_id);
    columns |= DP_TBIT (products, modified) | DP_TBIT (products, modified_by);
    size_t n_values = 0;
    for (int column = 0; column < 64; column++)
        if (columns & (1ull << column))
            values [n_values++] = by_column [column];
    dp_val_t id = dp_mut_int (state->id);
    dp_mutation_where_t by_id = { DP_TCOL_products_id, &id, 1 };
    dp_mutation_update (m, DP_TABLE_products, columns, values, &by_id, 1);
    dp_product_history_changes (m, state->id, changes, n_changes);
    state->written = true;
}

static void
s_edit_step (dp_mutation_t *m, edit_state_t *state)
{
    if (dp_mut_denied_step (m, &state->denied))
        return;
    const input_t *input = input_field (dp_mutation_args (m), "editInput");
    switch (dp_mutation_round (m)) {
        case 0:
            if (!input || input->kind != IN_OBJECT)
                //  nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "editInput is required.");
            else
            if (!dp_input_id (input_field (input, "id"), &state->id))
                dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, "Product"), false);
            else
                state->product = dp_product_lock (m, &state->id, 1);
            return;
        default:
            break;
    }
    if (state->written) {
        dp_mutation_return_object (m, DP_LOADER_products_by_id, state->id);
        return;
    }
    if (!state->checked) {
        state->checked = true;
        if (!s_check (m, state, input))
            return;
        if (state->refs.category || state->refs.size_range)
            return;             //  checked when they answered, next round
    }
    if (dp_product_refs_check (m, &state->refs))
        s_write (m, state, input);
}

static void
s_edit_custom_step (dp_mutation_t *m, void *state_)
{
    edit_state_t *state = state_;
    state->kind = &s_custom;
    s_edit_step (m, state);
}

static void
s_edit_standard_step (dp_mutation_t *m, void *state_)
{
    edit_state_t *state = state_;
    state->kind = &s_standard;
    s_edit_step (m, state);
}

const dp_mutation_def_t dp_mut_edit_custom_product = {
    .name = "editCustomProduct", .state_size = sizeof (edit_state_t), .step = s_edit_custom_step
};

const dp_mutation_def_t dp_mut_edit_standard_product_instantiation = {
    .name = "editStandardProductInstantiation", .state_size = sizeof (edit_state_t),
    .step = s_edit_standard_step
};
