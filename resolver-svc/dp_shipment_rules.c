/*  =========================================================================
    dp_shipment_rules - what every shipment mutation checks and writes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_shipment_rules.h. A STMT SELECT's cells are the masked columns
    in column order, so the cell positions below follow the masks.
@end
*/
#include "dp_shipment_rules.h"
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include "dp_values.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char *const s_state_names [] = {
    "Preparing", "Sent", "Receiving", "Completed", "Canceled", "Lost"
};

const char *
dp_shipment_state_name (dp_shipment_state_t state)
{
    return state < DP_SHIPMENT_UNKNOWN ? s_state_names [state] : "?";
}

dp_shipment_state_t
dp_shipment_state_of (const char *name)
{
    for (int state = 0; state < DP_SHIPMENT_UNKNOWN; state++)
        if (name && strcmp (name, s_state_names [state]) == 0)
            return (dp_shipment_state_t) state;
    return DP_SHIPMENT_UNKNOWN;
}

//  -------------------------------------------------------------------------
//  The shipment

enum { SHIP_ID, SHIP_SOURCE, SHIP_TARGET, SHIP_AGREEMENT, SHIP_STATE };

dp_mutation_reply_t *
dp_shipment_lock (dp_mutation_t *m, int64_t shipment_id)
{
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_shipment_id, &shipment_id, 1);
    return dp_mutation_select (m, DP_TABLE_shipment, DP_SHIPMENT_COLUMNS, &where, 1, true);
}

bool
dp_shipment_parse (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_shipment_t *shipment)
{
    if (!reply || reply->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    const dp_val_t *agreement = dp_mutation_cell (reply, 0, SHIP_AGREEMENT);
    const dp_val_t *state = dp_mutation_cell (reply, 0, SHIP_STATE);
    *shipment = (dp_shipment_t) {
        .id = dp_mutation_cell (reply, 0, SHIP_ID)->u.i,
        .source_base_id = dp_mutation_cell (reply, 0, SHIP_SOURCE)->u.i,
        .target_base_id = dp_mutation_cell (reply, 0, SHIP_TARGET)->u.i,
        .has_agreement = agreement->type == DP_VAL_INT,
        .transfer_agreement_id = agreement->type == DP_VAL_INT ? agreement->u.i : 0,
        .state = dp_shipment_state_of (state->type == DP_VAL_STR ? state->u.s.ptr : NULL)
    };
    return true;
}

bool
dp_shipment_authorize (dp_mutation_t *m, const dp_shipment_t *shipment, const char *permission,
                       dp_shipment_side_t side)
{
    dp_authz_t *authz = dp_mutation_authz (m);
    char denied [80];
    int64_t first = side == DP_SHIPMENT_TARGET ? shipment->target_base_id : shipment->source_base_id;
    if (dp_authz_base (authz, permission, first, denied, sizeof denied))
        return true;
    if (side == DP_SHIPMENT_EITHER) {
        if (dp_authz_base (authz, permission, shipment->target_base_id, denied, sizeof denied))
            return true;
        //  boxtribute names the base list when the permission is held somewhere
        if (strcmp (denied, permission) != 0)
            snprintf (denied, sizeof denied, "bases=[%lld, %lld]", (long long) shipment->source_base_id,
                      (long long) shipment->target_base_id);
    }
    dp_mutation_forbidden (m, denied);
    return false;
}

bool
dp_shipment_authorize_details (dp_mutation_t *m)
{
    if (dp_authz_any_base (dp_mutation_authz (m), "shipment_detail:write"))
        return true;
    dp_mutation_forbidden (m, "shipment_detail:write");
    return false;
}

bool
dp_shipment_expect_state (dp_mutation_t *m, const dp_shipment_t *shipment, dp_shipment_state_t expected)
{
    if (shipment->state == expected)
        return true;
    dp_mutation_fail (m, "BAD_USER_INPUT", "The state of the shipment (%s) does not allow the requested "
                      "action. Expecting state: %s", dp_shipment_state_name (shipment->state),
                      dp_shipment_state_name (expected));
    return false;
}

//  -------------------------------------------------------------------------
//  Details

enum { DETAIL_ID, DETAIL_SHIPMENT, DETAIL_BOX, DETAIL_LOST, DETAIL_RECEIVED, DETAIL_REMOVED };

dp_mutation_reply_t *
dp_shipment_select_details (dp_mutation_t *m, int64_t shipment_id, bool lock)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), 2, sizeof *values);
    values [0] = dp_bulk_int (shipment_id);
    values [1] = dp_bulk_nil ();
    dp_mutation_where_t where [] = {
        { DP_TCOL_shipment_detail_shipment_id, values, 1 },
        { DP_TCOL_shipment_detail_removed_on, values + 1, 1 },
    };
    return dp_mutation_select (m, DP_TABLE_shipment_detail, DP_SHIPMENT_DETAIL_COLUMNS, where, 2, lock);
}

dp_mutation_reply_t *
dp_shipment_lock_open_details (dp_mutation_t *m, const int64_t *box_ids, size_t n)
{
    if (n == 0)
        return NULL;
    dp_val_t *null = dp_arena_calloc (dp_mutation_arena (m), 1, sizeof *null);
    *null = dp_bulk_nil ();
    dp_mutation_where_t where [] = {
        dp_bulk_where_ids (m, DP_TCOL_shipment_detail_box_id, box_ids, n),
        { DP_TCOL_shipment_detail_removed_on, null, 1 },
        { DP_TCOL_shipment_detail_lost_on, null, 1 },
        { DP_TCOL_shipment_detail_received_on, null, 1 },
    };
    return dp_mutation_select (m, DP_TABLE_shipment_detail, DP_SHIPMENT_DETAIL_COLUMNS, where, 4, true);
}

size_t
dp_shipment_details (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_shipment_detail_t **details)
{
    size_t n = reply ? reply->n_rows : 0;
    *details = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (dp_shipment_detail_t));
    for (uint32_t row = 0; row < n; row++)
        (*details) [row] = (dp_shipment_detail_t) {
            .id = dp_mutation_cell (reply, row, DETAIL_ID)->u.i,
            .shipment_id = dp_mutation_cell (reply, row, DETAIL_SHIPMENT)->u.i,
            .box_id = dp_mutation_cell (reply, row, DETAIL_BOX)->u.i,
            .lost = dp_bulk_deleted (dp_mutation_cell (reply, row, DETAIL_LOST)),
            .received = dp_bulk_deleted (dp_mutation_cell (reply, row, DETAIL_RECEIVED)),
            .removed = dp_bulk_deleted (dp_mutation_cell (reply, row, DETAIL_REMOVED))
        };
    return n;
}

bool
dp_shipment_close_details (dp_mutation_t *m, const int64_t *detail_ids, size_t n, int on_column, int by_column)
{
    if (n == 0)
        return false;
    //  the SET values in column order
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_val_t user = dp_bulk_int (dp_mutation_identity (m)->user_id);
    dp_val_t values [2] = { on_column < by_column ? now : user, on_column < by_column ? user : now };
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_shipment_detail_id, detail_ids, n);
    dp_mutation_update (m, DP_TABLE_shipment_detail, (1ull << on_column) | (1ull << by_column), values,
                        &where, 1);
    return true;
}

//  -------------------------------------------------------------------------
//  Boxes

enum { BOX_ID, BOX_LABEL, BOX_PRODUCT, BOX_SIZE, BOX_ITEMS, BOX_LOCATION, BOX_DELETED, BOX_STATE };

dp_mutation_reply_t *
dp_shipment_lock_boxes_by_label (dp_mutation_t *m, const dp_val_t *labels, size_t n)
{
    if (n == 0)
        return NULL;
    dp_mutation_where_t where = { DP_TCOL_stock_box_id, labels, (uint32_t) n };
    return dp_mutation_select (m, DP_TABLE_stock, DP_SHIPMENT_BOX_COLUMNS, &where, 1, true);
}

dp_mutation_reply_t *
dp_shipment_lock_boxes (dp_mutation_t *m, const int64_t *box_ids, size_t n)
{
    if (n == 0)
        return NULL;
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_stock_id, box_ids, n);
    return dp_mutation_select (m, DP_TABLE_stock, DP_SHIPMENT_BOX_COLUMNS, &where, 1, true);
}

size_t
dp_shipment_boxes (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_shipment_box_t **boxes)
{
    size_t n = reply ? reply->n_rows : 0;
    *boxes = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (dp_shipment_box_t));
    for (uint32_t row = 0; row < n; row++)
        (*boxes) [row] = (dp_shipment_box_t) {
            .id = dp_mutation_cell (reply, row, BOX_ID)->u.i,
            .label = dp_mutation_cell (reply, row, BOX_LABEL)->u.s.ptr,
            .product_id = dp_mutation_cell (reply, row, BOX_PRODUCT)->u.i,
            .size_id = *dp_mutation_cell (reply, row, BOX_SIZE),
            .items = *dp_mutation_cell (reply, row, BOX_ITEMS),
            .location_id = dp_mutation_cell (reply, row, BOX_LOCATION)->u.i,
            .live = !dp_bulk_deleted (dp_mutation_cell (reply, row, BOX_DELETED)),
            .state = dp_mutation_cell (reply, row, BOX_STATE)->u.i
        };
    return n;
}

const dp_shipment_box_t *
dp_shipment_box_by_id (const dp_shipment_box_t *boxes, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (boxes [i].id == id)
            return &boxes [i];
    return NULL;
}

bool
dp_shipment_set_box_states (dp_mutation_t *m, const dp_shipment_box_t *boxes, const bool *chosen, size_t n,
                            int64_t state)
{
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *ids);
    size_t n_ids = 0;
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    dp_history_t *history = dp_history_new ("stock", user, now);
    for (size_t i = 0; i < n; i++) {
        if (chosen && !chosen [i])
            continue;
        ids [n_ids++] = boxes [i].id;
        dp_history_change_t change = {
            .column = "box_state_id", .kind = DP_HISTORY_INT,
            .from = dp_bulk_int (boxes [i].state), .to = dp_bulk_int (state), .shown = dp_bulk_nil ()
        };
        dp_history_change (history, boxes [i].id, &change);
    }
    if (n_ids > 0) {
        //  SET values in column order: modified, modified_by, box_state_id
        dp_val_t values [] = { dp_bulk_str (m, now), dp_bulk_int (user), dp_bulk_int (state) };
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_stock_id, ids, n_ids);
        dp_mutation_update (m, DP_TABLE_stock,
                            DP_TBIT (stock, modified) | DP_TBIT (stock, modified_by) | DP_TBIT (stock, box_state_id),
                            values, &where, 1);
        dp_bulk_insert_history (m, history);
    }
    dp_history_destroy (&history);
    return n_ids > 0;
}

//  -------------------------------------------------------------------------
//  The shipment's own columns

void
dp_shipment_set_state (dp_mutation_t *m, int64_t shipment_id, dp_shipment_state_t state, int on_column,
                       int by_column)
{
    //  state comes before every *_on/*_by column of shipment
    assert (DP_TCOL_shipment_state < on_column && DP_TCOL_shipment_state < by_column);
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_val_t user = dp_bulk_int (dp_mutation_identity (m)->user_id);
    dp_val_t values [3] = {
        dp_bulk_str (m, dp_shipment_state_name (state)),
        on_column < by_column ? now : user, on_column < by_column ? user : now
    };
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_shipment_id, &shipment_id, 1);
    dp_mutation_update (m, DP_TABLE_shipment,
                        DP_TBIT (shipment, state) | (1ull << on_column) | (1ull << by_column),
                        values, &where, 1);
}

void
dp_shipment_return (dp_mutation_t *m, int64_t shipment_id)
{
    dp_mutation_return_object (m, DP_LOADER_shipment_by_id, shipment_id);
}

//  -------------------------------------------------------------------------
//  A whole-shipment transition

enum { TRANSITION_LOCK, TRANSITION_READ, TRANSITION_LOCK_BOXES, TRANSITION_WRITE, TRANSITION_ANSWER };

//  Round 3: the chosen boxes, their details, the shipment.
static void
s_transition_write (dp_mutation_t *m, dp_shipment_transition_state_t *state,
                    const dp_shipment_transition_t *transition)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_shipment_box_t *boxes;
    size_t n_boxes = dp_shipment_boxes (m, state->boxes_reply, &boxes);
    dp_shipment_detail_t *details;
    size_t n_details = dp_shipment_details (m, state->details_reply, &details);
    bool *chosen = dp_arena_calloc (arena, n_boxes + 1, sizeof (bool));
    int64_t *closed = dp_arena_calloc (arena, n_details + 1, sizeof (int64_t));
    size_t n_closed = 0;
    for (size_t i = 0; i < n_details; i++) {
        const dp_shipment_box_t *box = dp_shipment_box_by_id (boxes, n_boxes, details [i].box_id);
        if (!box || (transition->box_from && box->state != transition->box_from))
            continue;
        chosen [box - boxes] = true;
        closed [n_closed++] = details [i].id;
    }
    dp_shipment_set_box_states (m, boxes, chosen, n_boxes, transition->box_to);
    if (transition->detail_on >= 0)
        dp_shipment_close_details (m, closed, n_closed, transition->detail_on, transition->detail_by);
    dp_shipment_set_state (m, state->shipment.id, transition->state, transition->state_on, transition->state_by);
}

void
dp_shipment_transition_step (dp_mutation_t *m, dp_shipment_transition_state_t *state,
                             const dp_shipment_transition_t *transition)
{
    switch (state->phase) {
        case TRANSITION_LOCK: {
            int64_t id;
            if (!dp_input_id (input_field (dp_mutation_args (m), "id"), &id)) {
                dp_mutation_not_found (m);
                return;
            }
            state->shipment_reply = dp_shipment_lock (m, id);
            state->phase = TRANSITION_READ;
            return;
        }
        case TRANSITION_READ:
            if (!dp_shipment_parse (m, state->shipment_reply, &state->shipment)
                || !dp_shipment_authorize (m, &state->shipment, "shipment:edit", transition->side)
                || (transition->details_permission && !dp_shipment_authorize_details (m))
                || !dp_shipment_expect_state (m, &state->shipment, transition->expected))
                return;
            //  the boxes to lock, from a plain read under the shipment's lock
            state->plain_details = dp_shipment_select_details (m, state->shipment.id, false);
            state->phase = TRANSITION_LOCK_BOXES;
            return;
        case TRANSITION_LOCK_BOXES: {
            dp_shipment_detail_t *details;
            size_t n = dp_shipment_details (m, state->plain_details, &details);
            int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof *ids);
            for (size_t i = 0; i < n; i++)
                ids [i] = details [i].box_id;
            int64_t *unique;
            n = dp_bulk_unique_ids (m, ids, n, &unique);
            state->boxes_reply = dp_shipment_lock_boxes (m, unique, n);
            state->details_reply = dp_shipment_select_details (m, state->shipment.id, true);
            state->phase = TRANSITION_WRITE;
            return;
        }
        case TRANSITION_WRITE:
            s_transition_write (m, state, transition);
            state->phase = TRANSITION_ANSWER;
            return;
        default:
            dp_shipment_return (m, state->shipment.id);
            return;
    }
}

void
dp_shipment_rules_test (bool verbose)
{
    if (verbose)
        printf (" * dp_shipment_rules: ");
    for (int state = 0; state < DP_SHIPMENT_UNKNOWN; state++)
        assert ((int) dp_shipment_state_of (dp_shipment_state_name ((dp_shipment_state_t) state)) == state);
    assert (dp_shipment_state_of ("preparing") == DP_SHIPMENT_UNKNOWN);
    assert (dp_shipment_state_of (NULL) == DP_SHIPMENT_UNKNOWN);
    assert (strcmp (dp_shipment_state_name (DP_SHIPMENT_UNKNOWN), "?") == 0);
    if (verbose)
        printf ("OK\n");
}
