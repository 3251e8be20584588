/*  =========================================================================
    dp_mut_shipment_not_delivered - Mutation.moveNotDeliveredBoxesInStock(boxIds)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's move_not_delivered_boxes_in_stock: boxes (by stock id)
    NotDelivered with a lost detail belong to one shipment (the first
    detail's); shipment:edit in its source or target base (FORBIDDEN
    "bases=[s, t]"). A user of the source base takes them back InStock
    (the details removed, no longer lost); else a user of the target base
    takes them back to reconcile (Receiving, the details no longer lost,
    the shipment Receiving again, completed_on/_by cleared). Each box
    gets its box_state_id history row. Then, unless the shipment is
    Completed, the completion rule runs: in the same transaction
    (boxtribute commits it in a second one).

    Depot differs where boxtribute fails or guesses: no box to move is
    BAD_USER_INPUT (boxtribute: a 500 from details[0]); boxes of other
    shipments than the first are left alone (boxtribute moves them but
    saves only the first shipment); a god user, who has no grant in
    either base, takes the source base's side (boxtribute: a 500).

    Rounds: (0) read the boxes and their details without a lock, to find
    the shipment; (1) lock it; (2) check, lock the boxes, then the
    shipment's details; (3) decide again under the locks and write; (4)
    answer.
@end
*/
#include "dp_mut_shipment_receive.h"
#include "dp_mut_box.h"
#include "dp_mut_bulk.h"

typedef enum { ND_FIND, ND_LOCK, ND_CHECK, ND_WRITE, ND_DONE } not_delivered_phase_t;

#define NOTHING_TO_MOVE "None of the boxes is NotDelivered in a shipment: nothing was moved."

typedef struct {
    not_delivered_phase_t phase;
    int64_t *box_ids;               //  the numeric boxIds, unique, sorted
    size_t n_box_ids;
    dp_shipment_t shipment;
    dp_mutation_reply_t *found_details;
    dp_mutation_reply_t *found_boxes;
    dp_mutation_reply_t *shipment_reply;
    dp_mutation_reply_t *details_reply;
    dp_mutation_reply_t *boxes_reply;
    dp_shipment_detail_t *details;
    size_t n_details;
} not_delivered_state_t;

static bool
s_named (const not_delivered_state_t *state, int64_t box_id)
{
    return bsearch (&box_id, state->box_ids, state->n_box_ids, sizeof (int64_t), dp_bulk_compare_id) != NULL;
}

//  The boxIds that are numbers (boxtribute compares them to stock.id).
static void
s_read_box_ids (dp_mutation_t *m, not_delivered_state_t *state)
{
    const input_t *list = input_field (dp_mutation_args (m), "boxIds");
    size_t n = list && list->kind == IN_LIST ? list->n_items : 0;
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (int64_t));
    size_t n_ids = 0;
    for (size_t i = 0; i < n; i++)
        if (dp_input_id (list->items [i], &ids [n_ids]))
            n_ids++;
    state->n_box_ids = dp_bulk_unique_ids (m, ids, n_ids, &state->box_ids);
}

//  The shipment of the first lost detail (by id) whose box is NotDelivered; 0 when none.
static int64_t
s_find_shipment (dp_mutation_t *m, not_delivered_state_t *state)
{
    dp_shipment_detail_t *details;
    size_t n = dp_shipment_details (m, state->found_details, &details);
    dp_shipment_box_t *boxes;
    size_t n_boxes = dp_shipment_boxes (m, state->found_boxes, &boxes);
    for (size_t i = 0; i < n; i++) {
        const dp_shipment_box_t *box = dp_shipment_box_by_id (boxes, n_boxes, details [i].box_id);
        if (details [i].lost && box && box->state == DP_BOX_NOT_DELIVERED)
            return details [i].shipment_id;
    }
    return 0;
}

//  Under the locks: the boxes move; false when none is left to move.
static bool
s_write (dp_mutation_t *m, not_delivered_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_shipment_box_t *boxes;
    size_t n_boxes = dp_shipment_boxes (m, state->boxes_reply, &boxes);
    bool *chosen = dp_arena_calloc (arena, n_boxes + 1, sizeof (bool));
    bool *lost = dp_arena_calloc (arena, state->n_details + 1, sizeof (bool));
    bool *closed = dp_arena_calloc (arena, state->n_details + 1, sizeof (bool));
    int64_t *detail_ids = dp_arena_calloc (arena, state->n_details + 1, sizeof (int64_t));
    size_t n_moved = 0;
    for (size_t i = 0; i < state->n_details; i++) {
        const dp_shipment_detail_t *detail = &state->details [i];
        const dp_shipment_box_t *box = dp_shipment_box_by_id (boxes, n_boxes, detail->box_id);
        bool moves = detail->lost && s_named (state, detail->box_id)
                     && box && box->state == DP_BOX_NOT_DELIVERED;
        if (moves) {
            chosen [box - boxes] = true;
            detail_ids [n_moved++] = detail->id;
        }
        lost [i] = detail->lost && !moves;
        closed [i] = detail->received;
    }
    if (n_moved == 0)
        return false;

    char denied [64];
    //  A god user passes the source base's check.
    bool source_side = dp_authz_base (dp_mutation_authz (m), "shipment:edit",
                                      state->shipment.source_base_id, denied, sizeof denied);
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_shipment_detail_id, detail_ids, n_moved);
    dp_val_t cleared [] = { dp_bulk_nil (), dp_bulk_nil () };
    dp_mutation_update (m, DP_TABLE_shipment_detail,
                        DP_TBIT (shipment_detail, lost_on) | DP_TBIT (shipment_detail, lost_by_id),
                        cleared, &where, 1);
    dp_shipment_state_t state_now = state->shipment.state;
    if (source_side) {
        //  Back in the source base's stock: the details count as removed.
        dp_shipment_close_details (m, detail_ids, n_moved, DP_TCOL_shipment_detail_removed_on,
                                   DP_TCOL_shipment_detail_removed_by_id);
        dp_shipment_set_box_states (m, boxes, chosen, n_boxes, DP_BOX_IN_STOCK);
    }
    else {
        //  Back to be reconciled: the shipment is Receiving again.
        dp_shipment_set_box_states (m, boxes, chosen, n_boxes, DP_BOX_RECEIVING);
        dp_val_t *shipment_id = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
        *shipment_id = dp_bulk_int (state->shipment.id);
        dp_mutation_where_t by_id = { DP_TCOL_shipment_id, shipment_id, 1 };
        dp_val_t receiving [] = { dp_bulk_str (m, dp_shipment_state_name (DP_SHIPMENT_RECEIVING)),
                                  dp_bulk_nil (), dp_bulk_nil () };
        dp_mutation_update (m, DP_TABLE_shipment,
                            DP_TBIT (shipment, state) | DP_TBIT (shipment, completed_on)
                            | DP_TBIT (shipment, completed_by_id),
                            receiving, &by_id, 1);
        state_now = DP_SHIPMENT_RECEIVING;
    }
    //  The details the completion rule sees: not removed (the source
    //  side's moved ones are now removed).
    size_t n_left = 0;
    for (size_t i = 0; i < state->n_details; i++) {
        bool moved = !lost [i] && state->details [i].lost;
        if (source_side && moved)
            continue;
        lost [n_left] = lost [i];
        closed [n_left++] = closed [i];
    }
    if (state_now != DP_SHIPMENT_COMPLETED)
        dp_shipment_complete_if_applicable (m, state->shipment.id, lost, closed, n_left);
    return true;
}

static void
s_not_delivered_step (dp_mutation_t *m, void *state_)
{
    not_delivered_state_t *state = state_;
    switch (state->phase++) {
        case ND_FIND: {
            s_read_box_ids (m, state);
            dp_mutation_where_t by_box = dp_bulk_where_ids (m, DP_TCOL_shipment_detail_box_id,
                                                            state->box_ids, state->n_box_ids);
            state->found_details = dp_mutation_select (m, DP_TABLE_shipment_detail,
                                                       DP_SHIPMENT_DETAIL_COLUMNS, &by_box, 1, false);
            dp_mutation_where_t by_id = dp_bulk_where_ids (m, DP_TCOL_stock_id, state->box_ids,
                                                           state->n_box_ids);
            state->found_boxes = dp_mutation_select (m, DP_TABLE_stock, DP_SHIPMENT_BOX_COLUMNS,
                                                     &by_id, 1, false);
            return;
        }
        case ND_LOCK: {
            int64_t shipment_id = s_find_shipment (m, state);
            if (shipment_id == 0) {
                dp_mutation_fail (m, "BAD_USER_INPUT", NOTHING_TO_MOVE);
                return;
            }
            state->shipment_reply = dp_shipment_lock (m, shipment_id);
            return;
        }
        case ND_CHECK: {
            if (!dp_shipment_parse (m, state->shipment_reply, &state->shipment)
            ||  !dp_shipment_authorize (m, &state->shipment, "shipment:edit", DP_SHIPMENT_EITHER))
                return;
            //  The named boxes with a lost detail in this shipment, then
            //  the shipment's details, locked in dp_shipment_rules' order.
            dp_shipment_detail_t *found;
            size_t n_found = dp_shipment_details (m, state->found_details, &found);
            int64_t *box_ids = dp_arena_calloc (dp_mutation_arena (m), n_found + 1, sizeof (int64_t));
            size_t n = 0;
            for (size_t i = 0; i < n_found; i++)
                if (found [i].lost && found [i].shipment_id == state->shipment.id)
                    box_ids [n++] = found [i].box_id;
            int64_t *unique;
            n = dp_bulk_unique_ids (m, box_ids, n, &unique);
            state->boxes_reply = dp_shipment_lock_boxes (m, unique, n);
            state->details_reply = dp_shipment_select_details (m, state->shipment.id, true);
            return;
        }
        case ND_WRITE:
            state->n_details = dp_shipment_details (m, state->details_reply, &state->details);
            if (!s_write (m, state))
                dp_mutation_fail (m, "BAD_USER_INPUT", NOTHING_TO_MOVE);
            return;
        case ND_DONE:
            dp_shipment_return (m, state->shipment.id);
            return;
    }
}

const dp_mutation_def_t dp_mut_move_not_delivered_boxes_in_stock = {
    .name = "moveNotDeliveredBoxesInStock", .state_size = sizeof (not_delivered_state_t),
    .step = s_not_delivered_step
};
