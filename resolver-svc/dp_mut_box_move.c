/*  =========================================================================
    dp_mut_box_move - Mutation.moveBoxesToLocation(updateInput)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's moveBoxesToLocation (warehouse/box/mutations.py, crud.py
    move_boxes_to_location): the location must exist
    (ResourceDoesNotExistError), be in a base where the user has
    stock:write (InsufficientPermissionError, UnauthorizedForBaseError)
    and not be deleted (DeletedLocationError). The boxes of that base that
    are not there already, not deleted and in a warehouse state move: one
    UPDATE sets location_id, modified, modified_by and the location's box
    state; history gets a location_id row per box, then a box_state_id
    row per box whose state changed (boxtribute's order). Other labels are
    answered as invalid.

    Rounds: (0) SELECT the boxes FOR UPDATE, then LOAD the location; (1) check
    the location, LOAD the boxes' locations; (2) UPDATE and INSERT
    history; (3) BoxesResult. A base the user may not write costs two
    LOADs for its names (UnauthorizedForBaseError) instead.
@end
*/
#include "dp_mut_bulk.h"
#include "dp_history.h"

typedef enum { MOVE_READ, MOVE_CHECK, MOVE_WRITE, MOVE_DONE, MOVE_NAMES, MOVE_REFUSED } move_phase_t;

//  The target location's cells in its LOAD reply: key, then the mask's columns.
enum { LOC_KEY, LOC_LABEL, LOC_BASE, LOC_DELETED, LOC_STATE };
#define LOCATION_COLUMNS ((1ull << DP_COL_locations_label) | (1ull << DP_COL_locations_camp_id) \
    | (1ull << DP_COL_locations_deleted) | (1ull << DP_COL_locations_box_state_id))

typedef struct {
    move_phase_t phase;
    int64_t location_id;
    int64_t base_id;                //  the location's base
    bool sets_state;                //  the location has a box state
    int64_t state;                  //  ... which is this
    dp_bulk_labels_t labels;
    dp_mutation_reply_t *location;
    dp_mutation_reply_t *boxes_reply;
    dp_mutation_reply_t *box_locations;
    dp_bulk_box_t *boxes;
    size_t n_boxes;
    dp_bulk_base_names_t names;
} move_state_t;

//  The location decides; returns false when the field finished (refused).
static bool
s_move_check_location (dp_mutation_t *m, move_state_t *state)
{
    const dp_val_t *location = dp_bulk_loaded (state->location, state->location_id);
    if (!location) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->location_id, "Location"),
                                   false);
        return false;
    }
    state->base_id = location [LOC_BASE].u.i;
    switch (dp_bulk_authorize (m, "stock:write", state->base_id)) {
        case DP_BULK_NO_PERMISSION:
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, "stock:write"), false);
            return false;
        case DP_BULK_NOT_FOR_BASE:
            dp_bulk_base_names_load (m, &state->names, &state->base_id, 1);
            state->phase = MOVE_NAMES;
            return false;
        case DP_BULK_ALLOWED:
            break;
    }
    if (dp_bulk_deleted (&location [LOC_DELETED])) {
        dp_record_t *error = dp_record_new (m, "DeletedLocationError");
        dp_record_set_string (error, "name", location [LOC_LABEL].u.s.ptr);
        dp_mutation_return_record (m, error, false);
        return false;
    }
    state->sets_state = location [LOC_STATE].type == DP_VAL_INT;
    state->state = state->sets_state ? location [LOC_STATE].u.i : 0;
    return true;
}

//  Boxes elsewhere, live, in a warehouse state: their bases are loaded next.
static bool *
s_move_candidates (dp_mutation_t *m, move_state_t *state)
{
    state->n_boxes = state->boxes_reply ? dp_bulk_boxes (m, state->boxes_reply, &state->boxes) : 0;
    bool *candidate = dp_arena_calloc (dp_mutation_arena (m), state->n_boxes + 1, sizeof (bool));
    for (size_t i = 0; i < state->n_boxes; i++)
        candidate [i] = dp_bulk_in_warehouse (&state->boxes [i])
                        && state->boxes [i].location_id != state->location_id;
    return candidate;
}

//  One UPDATE of every moved box and one INSERT of their history rows.
//  Returns false when no box moves.
static bool
s_move_write (dp_mutation_t *m, move_state_t *state)
{
    dp_bulk_set_bases (state->boxes, state->n_boxes, state->box_locations);
    for (size_t i = 0; i < state->n_boxes; i++) {
        dp_bulk_box_t *box = &state->boxes [i];
        box->valid = dp_bulk_in_warehouse (box) && box->location_id != state->location_id
                     && box->base_id == state->base_id;
    }
    int64_t *ids;
    size_t n_ids = dp_bulk_valid_ids (m, state->boxes, state->n_boxes, &ids);
    if (n_ids == 0)
        return false;

    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    uint64_t columns = DP_TBIT (stock, location_id) | DP_TBIT (stock, modified) | DP_TBIT (stock, modified_by);
    dp_val_t values [4] = { dp_bulk_int (state->location_id), dp_bulk_str (m, now), dp_bulk_int (user) };
    if (state->sets_state) {
        columns |= DP_TBIT (stock, box_state_id);
        values [3] = dp_bulk_int (state->state);
    }
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_stock_id, ids, n_ids);
    dp_mutation_update (m, DP_TABLE_stock, columns, values, &where, 1);

    //  boxtribute's order: every location row, then every state row (by box id).
    dp_history_t *history = dp_history_new ("stock", user, now);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < state->n_boxes; i++) {
            const dp_bulk_box_t *box = &state->boxes [i];
            if (!box->valid || (pass == 1 && !state->sets_state))
                continue;
            dp_history_change_t change = {
                .column = pass == 0 ? "location_id" : "box_state_id", .kind = DP_HISTORY_INT,
                .from = dp_bulk_int (pass == 0 ? box->location_id : box->state),
                .to = dp_bulk_int (pass == 0 ? state->location_id : state->state),
                .shown = dp_bulk_nil ()
            };
            dp_history_change (history, box->id, &change);
        }
    dp_bulk_insert_history (m, history);
    dp_history_destroy (&history);
    return true;
}

static void
s_move_step (dp_mutation_t *m, void *state_)
{
    move_state_t *state = state_;
    switch (state->phase) {
        case MOVE_READ: {
            const input_t *input = input_field (dp_mutation_args (m), "updateInput");
            state->location_id = input_field (input, "locationId")->i;
            dp_bulk_labels (m, input_field (input, "labelIdentifiers"), &state->labels);
            //  the locks first: the location's read begins the snapshot the answer is read in
            if (state->labels.n_lookup > 0)
                state->boxes_reply = dp_bulk_lock_boxes (m, &state->labels);
            state->location = dp_mutation_load (m, DP_LOADER_locations_by_id, LOCATION_COLUMNS,
                                                &state->location_id, 1);
            state->phase = MOVE_CHECK;
            return;
        }
        case MOVE_CHECK: {
            if (!s_move_check_location (m, state))
                return;
            bool *candidate = s_move_candidates (m, state);
            state->box_locations = dp_bulk_load_locations (m, state->boxes, state->n_boxes, candidate);
            state->phase = MOVE_WRITE;
            if (state->box_locations)
                return;
            break;
        }
        case MOVE_WRITE:
            state->phase = MOVE_DONE;
            if (s_move_write (m, state))
                return;
            break;
        case MOVE_NAMES:
            dp_bulk_base_names_load_organisations (m, &state->names);
            state->phase = MOVE_REFUSED;
            return;
        case MOVE_REFUSED:
            dp_mutation_return_record (m, dp_bulk_unauthorized (m, &state->names, state->base_id), false);
            return;
        case MOVE_DONE:
            break;
    }
    dp_mutation_return_record (m, dp_bulk_result (m, "BoxesResult", &state->labels,
                                                  state->boxes, state->n_boxes), true);
}

const dp_mutation_def_t dp_mut_move_boxes = {
    .name = "moveBoxesToLocation", .state_size = sizeof (move_state_t), .step = s_move_step
};
