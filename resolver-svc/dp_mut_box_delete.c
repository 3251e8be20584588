/*  =========================================================================
    dp_mut_box_delete - Mutation.deleteBoxes(labelIdentifiers)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's deleteBoxes (warehouse/box/mutations.py, crud.py
    delete_boxes): the boxes that exist, are in a base where the user has
    stock:write, are not deleted and are in a warehouse state get
    stock.deleted = now (modified is left alone, as boxtribute does) and
    one "Record deleted" history row each; the others are answered as
    invalid. A user without stock:write anywhere gets
    InsufficientPermissionError.

    Rounds: (0) SELECT the boxes FOR UPDATE; (1) LOAD their locations'
    bases; (2) one UPDATE of all the ids and one INSERT of all the
    history rows; (3) BoxesResult.
@end
*/
#include "dp_mut_bulk.h"
#include "dp_history.h"

typedef struct {
    dp_bulk_labels_t labels;
    dp_mutation_reply_t *boxes_reply;
    dp_mutation_reply_t *locations;
    dp_bulk_box_t *boxes;
    size_t n_boxes;
} delete_state_t;

//  Step 2: keep the boxes in a base the user may write, then write.
static bool
s_delete_write (dp_mutation_t *m, delete_state_t *state)
{
    dp_bulk_set_bases (state->boxes, state->n_boxes, state->locations);
    for (size_t i = 0; i < state->n_boxes; i++) {
        dp_bulk_box_t *box = &state->boxes [i];
        box->valid = dp_bulk_in_warehouse (box)
                     && dp_bulk_authorize (m, "stock:write", box->base_id) == DP_BULK_ALLOWED;
    }
    int64_t *ids;
    size_t n_ids = dp_bulk_valid_ids (m, state->boxes, state->n_boxes, &ids);
    if (n_ids == 0)
        return false;

    const char *now = dp_mutation_now (m);
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_stock_id, ids, n_ids);
    dp_val_t deleted = dp_bulk_str (m, now);
    dp_mutation_update (m, DP_TABLE_stock, DP_TBIT (stock, deleted), &deleted, &where, 1);

    dp_history_t *history = dp_history_new ("stock", dp_mutation_identity (m)->user_id, now);
    for (size_t i = 0; i < n_ids; i++)
        dp_history_deleted (history, ids [i]);
    dp_bulk_insert_history (m, history);
    dp_history_destroy (&history);
    return true;
}

static void
s_delete_step (dp_mutation_t *m, void *state_)
{
    delete_state_t *state = state_;
    switch (dp_mutation_round (m)) {
        case 0:
            //  authorized_bases_filter: no stock:write anywhere is a refusal.
            if (!dp_mutation_identity (m)->god
            &&  !dp_authz_any_base (dp_mutation_authz (m), "stock:write")) {
                dp_mutation_return_record (m, dp_record_insufficient_permission (m, "stock:write"), false);
                return;
            }
            dp_bulk_labels (m, input_field (dp_mutation_args (m), "labelIdentifiers"), &state->labels);
            if (state->labels.n_lookup == 0)
                break;
            state->boxes_reply = dp_bulk_lock_boxes (m, &state->labels);
            return;
        case 1: {
            state->n_boxes = dp_bulk_boxes (m, state->boxes_reply, &state->boxes);
            bool *wanted = dp_arena_calloc (dp_mutation_arena (m), state->n_boxes + 1, sizeof (bool));
            for (size_t i = 0; i < state->n_boxes; i++)
                wanted [i] = dp_bulk_in_warehouse (&state->boxes [i]);
            state->locations = dp_bulk_load_locations (m, state->boxes, state->n_boxes, wanted);
            if (!state->locations)
                break;
            return;
        }
        case 2:
            if (s_delete_write (m, state))
                return;
            break;
        default:
            break;
    }
    dp_mutation_return_record (m, dp_bulk_result (m, "BoxesResult", &state->labels,
                                                  state->boxes, state->n_boxes), true);
}

const dp_mutation_def_t dp_mut_delete_boxes = {
    .name = "deleteBoxes", .state_size = sizeof (delete_state_t), .step = s_delete_step
};
