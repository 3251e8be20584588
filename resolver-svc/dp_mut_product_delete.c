/*  =========================================================================
    dp_mut_product_delete - Mutation.deleteProduct and disableStandardProduct

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's delete_product: the product must exist
    (ResourceDoesNotExistError) and the user needs product:write in its
    base; a product deleted already is answered as it is, nothing written;
    a standard product's instantiation is ProductTypeMismatchError
    { expectedType: Custom }; a product that live boxes still use (not
    deleted, InStock, MarkedForShipment, InTransit or Receiving) is
    BoxesStillAssignedToProductError with their labels. Else products.deleted
    is set and one history row "Record deleted" written.
    disableStandardProduct(instantiationId) is the same delete of the other
    type (boxtribute's disable_standard_product): a custom product is
    ProductTypeMismatchError { expectedType: StandardInstantiation }.
@discuss
    The race boxtribute has (its check reads without a lock, so a box can
    be created with the product between the check and the delete): the
    product row is locked first, and box writers lock the product rows
    they reference the same way (dp_product_rules.h), so a box write
    either finished before (its box is found here, read with a lock that
    sees it) or waits and then finds the product deleted.

    Rounds: 0 locks the product; 1 checks it and locks its boxes in those
    states; 2 deletes it; 3 answers it.
@end
*/
#include "dp_mut_products.h"
#include "dp_mut_denied.h"
#include "dp_mut_values.h"
#include "dp_product_rules.h"
#include "dp_product_history.h"
#include "dp_tables.h"

#define S_BOX_COLUMNS (DP_TBIT (stock, id) | DP_TBIT (stock, box_id) | DP_TBIT (stock, deleted))
enum { S_BOX_ID, S_BOX_LABEL, S_BOX_DELETED };

typedef struct {
    bool standard;              //  disables a standard product's instantiation
    dp_mut_denied_t denied;
    int64_t id;
    dp_mutation_reply_t *product;
    dp_mutation_reply_t *boxes;
    bool written;
} delete_state_t;

//  Lock the product's boxes in the states boxtribute counts as using it
//  (STATES_OF_ACTIVELY_USED_BOXES: InStock 1, MarkedForShipment 3,
//  Receiving 4, InTransit 7).
static dp_mutation_reply_t *
s_lock_boxes (dp_mutation_t *m, int64_t product_id)
{
    dp_val_t product = dp_mut_int (product_id);
    dp_val_t states [] = { dp_mut_int (1), dp_mut_int (3), dp_mut_int (4), dp_mut_int (7) };
    dp_mutation_where_t where [] = {
        { DP_TCOL_stock_product_id, &product, 1 },
        { DP_TCOL_stock_box_state_id, states, 4 },
    };
    return dp_mutation_select (m, DP_TABLE_stock, S_BOX_COLUMNS, where, 2, true);
}

//  Round 1: existence, permission, state; then the boxes using it.
static void
s_check (dp_mutation_t *m, delete_state_t *state)
{
    if (state->product->n_rows == 0) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->id, "Product"), false);
        return;
    }
    int64_t base_id = dp_product_cell (state->product, 0, DP_TCOL_products_camp_id)->u.i;
    char denied [80];
    if (!dp_authz_base (dp_mutation_authz (m), "product:write", base_id, denied, sizeof denied))
        dp_mut_denied_start (m, &state->denied, "product:write", denied, base_id);
    else
    if (dp_product_deleted (state->product, 0))
        //  deleted already: answered as it is (boxtribute's resolve_deleted_product)
        dp_mutation_return_object (m, DP_LOADER_products_by_id, state->id);
    else
    if ((dp_product_cell (state->product, 0, DP_TCOL_products_standard_product_id)->type != DP_VAL_NIL)
        != state->standard)
        dp_product_type_mismatch (m, state->standard ? "StandardInstantiation" : "Custom");
    else
        state->boxes = s_lock_boxes (m, state->id);
}

//  Round 2: refused while live boxes use it, else deleted.
static void
s_delete (dp_mutation_t *m, delete_state_t *state)
{
    uint32_t n_boxes = state->boxes->n_rows;
    const char **labels = dp_arena_calloc (dp_mutation_arena (m), n_boxes ? n_boxes : 1, sizeof *labels);
    size_t n_live = 0;
    for (uint32_t row = 0; row < n_boxes; row++)
        //  "not deleted": NULL or the zero date, both read as nil
        if (dp_mutation_cell (state->boxes, row, S_BOX_DELETED)->type == DP_VAL_NIL)
            labels [n_live++] = dp_mutation_cell (state->boxes, row, S_BOX_LABEL)->u.s.ptr;
    if (n_live) {
        dp_record_t *error = dp_record_new (m, "BoxesStillAssignedToProductError");
        dp_record_set_strings (error, "labelIdentifiers", labels, n_live);
        dp_mutation_return_record (m, error, false);
        return;
    }
    dp_val_t now = dp_mut_text (dp_mutation_now (m));
    dp_val_t id = dp_mut_int (state->id);
    dp_mutation_where_t by_id = { DP_TCOL_products_id, &id, 1 };
    dp_mutation_update (m, DP_TABLE_products, DP_TBIT (products, deleted), &now, &by_id, 1);
    dp_product_history_deleted (m, &state->id, 1);
    state->written = true;
}

static void
s_delete_step (dp_mutation_t *m, delete_state_t *state)
{
    if (dp_mut_denied_step (m, &state->denied))
        return;
    if (dp_mutation_round (m) == 0) {
        const char *argument = state->standard ? "instantiationId" : "id";
        if (!dp_input_id (input_field (dp_mutation_args (m), argument), &state->id))
            dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, "Product"), false);
        else
            state->product = dp_product_lock (m, &state->id, 1);
    }
    else
    if (state->written)
        dp_mutation_return_object (m, DP_LOADER_products_by_id, state->id);
    else
    if (!state->boxes)
        s_check (m, state);
    else
        s_delete (m, state);
}

static void
s_delete_custom_step (dp_mutation_t *m, void *state_)
{
    s_delete_step (m, state_);
}

static void
s_disable_standard_step (dp_mutation_t *m, void *state_)
{
    delete_state_t *state = state_;
    state->standard = true;
    s_delete_step (m, state);
}

const dp_mutation_def_t dp_mut_delete_product = {
    .name = "deleteProduct", .state_size = sizeof (delete_state_t), .step = s_delete_custom_step
};

const dp_mutation_def_t dp_mut_disable_standard_product = {
    .name = "disableStandardProduct", .state_size = sizeof (delete_state_t), .step = s_disable_standard_step
};
