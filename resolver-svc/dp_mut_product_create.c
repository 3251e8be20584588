/*  =========================================================================
    dp_mut_product_create - Mutation.createCustomProduct

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's create_custom_product: product:write for the input's base
    (InsufficientPermissionError or UnauthorizedForBaseError), then
    size_range:read and product_category:read anywhere; a price below 0 is
    InvalidPriceError, an empty name EmptyNameError, an unknown category or
    size range ResourceDoesNotExistError. The product is inserted with
    created/created_by (price 0, comment "", inShop false when not given)
    and one history row "Record created", in one transaction.
@discuss
    Rounds: 0 checks what needs no database and reads the base, category
    and size range; 1 checks they exist and inserts the product; 2 inserts
    the history row with its id; 3 answers the product. A base that does
    not exist (only a god user gets that far) is ResourceDoesNotExistError
    { name: "Base" }, where boxtribute's insert fails.
@end
*/
#include "dp_mut_products.h"
#include "dp_mut_denied.h"
#include "dp_mut_values.h"
#include "dp_mut_box.h"
#include "dp_product_rules.h"
#include "dp_product_history.h"
#include "dp_enums.h"

typedef struct {
    dp_mut_denied_t denied;
    int64_t base_id;
    dp_mutation_reply_t *base;
    dp_product_refs_t refs;
    dp_mutation_reply_t *product;   //  the INSERT
} create_state_t;

//  A given Int or Boolean, or fallback for one left out or null.
static int64_t
s_int_or (const input_t *input, const char *name, int64_t fallback)
{
    const input_t *value = dp_box_given (input, name);
    return value ? value->i : fallback;
}

static void
s_insert_product (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    const input_t *name = input_field (input, "name");
    const input_t *comment = input_field (input, "comment");
    dp_val_t comment_value = !comment ? dp_mut_text ("")
                           : comment->kind == IN_NULL ? dp_mut_nil ()      //  boxtribute stores None
                           : (dp_val_t) { .type = DP_VAL_STR, .u.s = { comment->s, (uint32_t) comment->len } };
    //  In the products columns' order (dp_tables.h).
    dp_val_t row [] = {
        { .type = DP_VAL_STR, .u.s = { name->s, (uint32_t) name->len } },
        dp_mut_int (input_field (input, "categoryId")->i),
        dp_mut_int (dp_enums_gender_id (input_field (input, "gender")->s)),
        dp_mut_int (input_field (input, "sizeRangeId")->i),
        dp_mut_int (state->base_id),
        dp_mut_int (s_int_or (input, "price", 0)),
        dp_mut_text (dp_mutation_now (m)),
        dp_mut_int (dp_mutation_identity (m)->user_id),
        dp_mut_int (s_int_or (input, "inShop", 0) ? 1 : 0),
        comment_value,
    };
    uint64_t columns = DP_TBIT (products, name) | DP_TBIT (products, category_id)
                     | DP_TBIT (products, gender_id) | DP_TBIT (products, sizegroup_id)
                     | DP_TBIT (products, camp_id) | DP_TBIT (products, value)
                     | DP_TBIT (products, created) | DP_TBIT (products, created_by)
                     | DP_TBIT (products, stockincontainer) | DP_TBIT (products, comments);
    state->product = dp_mutation_insert (m, DP_TABLE_products, columns, row, 1);
}

//  Round 0: permissions, price and name; then read the base, category
//  and size range.
static void
s_check_input (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    dp_authz_t *authz = dp_mutation_authz (m);
    state->base_id = input_field (input, "baseId")->i;
    char denied [80];
    if (!dp_authz_base (authz, "product:write", state->base_id, denied, sizeof denied)) {
        dp_mut_denied_start (m, &state->denied, "product:write", denied, state->base_id);
        return;
    }
    const char *needed [] = { "size_range:read", "product_category:read" };
    for (size_t i = 0; i < 2; i++)
        if (!dp_authz_any_base (authz, needed [i])) {
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, needed [i]), false);
            return;
        }
    int64_t price = s_int_or (input, "price", 0);
    if (price < 0) {
        dp_product_invalid_price (m, price);
        return;
    }
    if (input_field (input, "name")->len == 0) {
        dp_product_empty_name (m);
        return;
    }
    state->base = dp_mutation_load (m, DP_LOADER_camps_by_id, 1ull << DP_COL_camps_name,
                                    &state->base_id, 1);
    dp_product_refs_load (m, &state->refs, input_field (input, "categoryId")->i,
                          input_field (input, "sizeRangeId")->i);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    switch (dp_mutation_round (m)) {
        case 0:
            if (!input || input->kind != IN_OBJECT)
                //  nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
            else
                s_check_input (m, state, input);
            return;
        case 1:
            if (state->base->n_rows == 0)
                dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->base_id, "Base"), false);
            else
            if (dp_product_refs_check (m, &state->refs))
                s_insert_product (m, state, input);
            return;
        case 2:
            dp_product_history_created (m, &state->product->last_insert_id, 1);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_products_by_id, state->product->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_custom_product = {
    .name = "createCustomProduct", .state_size = sizeof (create_state_t), .step = s_create_step
};
