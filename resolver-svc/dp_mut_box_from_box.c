/*  =========================================================================
    dp_mut_box_from_box - Mutation.createBoxFromBox

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's createBoxFromBox (warehouse/box/mutations.py
    resolve_create_box_from_box, crud.py create_box_from_box): a new box
    with the source box's product, size and measure, numberOfItems taken
    from the source, in the given location. Its union results in
    boxtribute's order; its history as boxtribute writes it for its
    statistics: the new box created in the source's location with 0 items
    ("Record created"), the source's items, then the new box's items,
    location and state as if it had been moved.
@discuss
    boxtribute runs three transactions and checks the source's items
    before any of them; Depot reads the source FOR UPDATE and does it all
    in one, so concurrent calls cannot take more items than the box holds
    and a target location in another base changes nothing (boxtribute
    has created the box and taken the items when it finds out). The
    measure is copied as stored: boxtribute divides it by the display
    unit's factor a second time.
    Phases, one round each: select the source FOR UPDATE, then load the
    target location (after the lock: see dp_mutation_select); load the source's location and its access facts
    (dp_box_access); check (for UnauthorizedForBaseError, load
    the base and then its organisation); find a free label; insert the
    new box; update the source and insert the history rows; answer.
@end
*/
#include "dp_mut_box_from_box.h"
#include "dp_mut_box.h"
#include "dp_box_access.h"
#include <stdio.h>
#include <string.h>

typedef enum {
    S_LOAD, S_LOAD_SOURCE, S_CHECK, S_UNAUTHORIZED_BASE, S_UNAUTHORIZED_ORGANISATION,
    S_LABEL, S_WRITE, S_ANSWER
} from_box_phase_t;

#define S_CAMP_COLUMNS ((1ull << DP_COL_camps_name) | (1ull << DP_COL_camps_organisation_id))

typedef struct {
    from_box_phase_t phase;     //  zeroed state: S_LOAD
    int64_t location_id;
    const char *label;          //  the source's
    dp_mutation_reply_t *location, *source_reply, *source_location, *access;
    dp_box_t source;
    int64_t target_base, source_base;
    int64_t denied_base;        //  for UnauthorizedForBaseError
    dp_mutation_reply_t *camp, *organisation;
    char new_label [9];
    int label_attempts;
    dp_mutation_reply_t *label_box, *insert;
    dp_box_t created, moved;    //  the new box as created, then as moved
} from_box_state_t;

static const dp_val_t *
s_location (const dp_mutation_reply_t *reply, int col)
{
    return dp_load_cell (reply, 0, DP_BOX_LOCATION_COLUMNS, col);
}

//  handle_unauthorized: InsufficientPermissionError when the caller holds
//  stock:write nowhere, else UnauthorizedForBaseError for the base (whose
//  name and organisation are loaded first). True when the caller may.
static bool
s_may_write (dp_mutation_t *m, from_box_state_t *state, int64_t base_id)
{
    char denied [80];
    if (dp_authz_base (dp_mutation_authz (m), "stock:write", base_id, denied, sizeof denied))
        return true;
    if (!dp_authz_permission (dp_mutation_authz (m), "stock:write"))
        dp_mutation_return_record (m, dp_record_insufficient_permission (m, "stock:write"), false);
    else {
        state->denied_base = base_id;
        state->camp = dp_mutation_load (m, DP_LOADER_camps_by_id, S_CAMP_COLUMNS, &state->denied_base, 1);
        state->phase = S_UNAUTHORIZED_BASE;
    }
    return false;
}

static void
s_unauthorized (dp_mutation_t *m, from_box_state_t *state)
{
    const char *name = "", *organisation = "";
    if (state->camp->n_rows)
        name = dp_cell_text (dp_load_cell (state->camp, 0, S_CAMP_COLUMNS, DP_COL_camps_name));
    if (state->organisation && state->organisation->n_rows)
        organisation = dp_cell_text (dp_mutation_cell (state->organisation, 0, 1));
    dp_mutation_return_record (m, dp_record_unauthorized_for_base (m, state->denied_base, name, organisation),
                               false);
}

static void
s_error (dp_mutation_t *m, const char *type, const char *field, const char *value, int64_t number)
{
    dp_record_t *record = dp_record_new (m, type);
    if (value)
        dp_record_set_string (record, field, value);
    else
        dp_record_set_int (record, field, number);
    dp_mutation_return_record (m, record, false);
}

//  The resolver's checks, then create_box_from_box's, then the new box's
//  move (update_box: the bases of its old and new location). False after
//  finishing the field (or starting UnauthorizedForBaseError's loads).
static bool
s_check (dp_mutation_t *m, from_box_state_t *state, int64_t number)
{
    if (!s_may_write (m, state, state->target_base))
        return false;
    dp_box_t *source = &state->source;
    if (!state->source_reply || state->source_reply->n_rows == 0) {
        dp_record_t *record = dp_record_new (m, "ResourceDoesNotExistError");
        dp_record_set_string (record, "id", state->label);
        dp_record_set_string (record, "name", "Box");
        dp_mutation_return_record (m, record, false);
        return false;
    }
    //  authorize_for_accessing_box (action="write"): a travelling box by either base of its shipment
    uint64_t columns = dp_box_access_columns ();
    #define S_ACCESS(col) dp_load_cell (state->access, 0, columns, DP_COL_box_access_##col)
    dp_box_facts_t facts = {
        .base_id = dp_cell_int (S_ACCESS (base_id), -1),
        .box_state_id = dp_cell_int (S_ACCESS (box_state_id), -1),
        .in_shipment = S_ACCESS (shipment_source_base_id)->type == DP_VAL_INT,
        .source_base_id = dp_cell_int (S_ACCESS (shipment_source_base_id), -1),
        .target_base_id = dp_cell_int (S_ACCESS (shipment_target_base_id), -1),
    };
    char denied [80];
    switch (dp_box_access_check (dp_mutation_authz (m), "stock:write", &facts, denied, sizeof denied)) {
        case BOX_ACCESS_GRANTED:
            break;
        case BOX_ACCESS_NO_PERMISSION:
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, "stock:write"), false);
            return false;
        case BOX_ACCESS_BASE_DENIED:
            dp_mutation_return_record (m, dp_record_unauthorized_for_base (
                m, facts.base_id, dp_cell_text (S_ACCESS (base_name)),
                dp_cell_text (S_ACCESS (organisation_name))), false);
            return false;
        case BOX_ACCESS_BASES_DENIED:
            //  handle_unauthorized passes Forbidden for "bases" on as an error
            dp_mutation_forbidden (m, denied);
            return false;
        case BOX_ACCESS_NOT_FOUND:
            dp_mutation_not_found (m);
            return false;
    }
    #undef S_ACCESS

    int64_t items = dp_cell_int (&source->items, 0);
    if (number < 0 || number > items) {
        s_error (m, "InvalidNumberOfItemsError", "numberOfItems", NULL, number);
        return false;
    }
    if (source->deleted) {
        s_error (m, "DeletedBoxError", "labelIdentifier", source->label, 0);
        return false;
    }
    if (s_location (state->location, DP_COL_locations_deleted)->type != DP_VAL_NIL) {
        s_error (m, "DeletedLocationError", "name",
                 dp_cell_text (s_location (state->location, DP_COL_locations_label)), 0);
        return false;
    }
    if (!dp_box_state_in_warehouse (source->state)) {
        dp_record_t *record = dp_record_new (m, "InvalidBoxStateError");
        dp_record_set_enum (record, "state", dp_box_state_name (source->state));
        dp_mutation_return_record (m, record, false);
        return false;
    }
    if (source->size_id.type == DP_VAL_NIL
        && (source->display_unit_id.type == DP_VAL_NIL || source->measure_value.type == DP_VAL_NIL)) {
        dp_mutation_fail (m, "BAD_USER_INPUT",
                          "Invalid input: either 'sizeId' or 'displayUnitId'+'measureValue' required");
        return false;
    }
    if (state->target_base != state->source_base) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: bases of old and new location not matching");
        return false;
    }
    return true;
}

//  The new box: as create_box makes it in the source's location with 0
//  items, then as update_box moves it with its items.
static void
s_insert (dp_mutation_t *m, from_box_state_t *state, int64_t number)
{
    const dp_box_t *source = &state->source;
    dp_box_t *created = &state->created, *moved = &state->moved;
    *created = (dp_box_t) {
        .label = dp_arena_strdup (dp_mutation_arena (m), state->new_label),
        .product_id = source->product_id, .size_id = source->size_id,
        .weight_display_unit_id = 1, .weight = dp_val_nil (), .monetary_value = dp_val_nil (),
        .display_unit_id = source->display_unit_id, .measure_value = source->measure_value,
        .items = dp_val_int (0), .location_id = source->location_id, .qr_id = dp_val_nil (),
        .comments = dp_val_str (""),
        .state = dp_cell_int (s_location (state->source_location, DP_COL_locations_box_state_id), DP_BOX_IN_STOCK),
    };
    *moved = *created;
    moved->items = dp_val_int (number);
    moved->location_id = state->location_id;
    moved->state = dp_cell_int (s_location (state->location, DP_COL_locations_box_state_id), created->state);

    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    dp_box_set_t set = { .columns = 0 };
    dp_box_set (&set, DP_TCOL_stock_box_id, dp_val_str (moved->label));
    dp_box_set (&set, DP_TCOL_stock_product_id, dp_val_int (moved->product_id));
    dp_box_set (&set, DP_TCOL_stock_size_id, moved->size_id);
    dp_box_set (&set, DP_TCOL_stock_display_unit_id, moved->display_unit_id);
    dp_box_set (&set, DP_TCOL_stock_measure_value, moved->measure_value);
    dp_box_set (&set, DP_TCOL_stock_items, moved->items);
    dp_box_set (&set, DP_TCOL_stock_location_id, dp_val_int (moved->location_id));
    dp_box_set (&set, DP_TCOL_stock_comments, moved->comments);
    dp_box_set (&set, DP_TCOL_stock_created, dp_val_str (now));
    dp_box_set (&set, DP_TCOL_stock_created_by, dp_val_int (user));
    dp_box_set (&set, DP_TCOL_stock_modified, dp_val_str (now));
    dp_box_set (&set, DP_TCOL_stock_modified_by, dp_val_int (user));
    dp_box_set (&set, DP_TCOL_stock_box_state_id, dp_val_int (moved->state));
    dp_box_set (&set, DP_TCOL_stock_source_box_id, dp_val_int (source->id));
    state->insert = dp_mutation_insert (m, DP_TABLE_stock, set.columns, dp_box_set_values (m, &set), 1);
}

//  The history in boxtribute's order and the source's new items.
static void
s_write (dp_mutation_t *m, from_box_state_t *state, int64_t number)
{
    int64_t user = dp_mutation_identity (m)->user_id;
    const char *now = dp_mutation_now (m);
    state->created.id = state->moved.id = state->insert->last_insert_id;
    dp_history_t *history = dp_history_new ("stock", user, now);
    dp_history_created (history, state->created.id);

    dp_box_t taken = state->source;
    taken.items = dp_val_int (dp_cell_int (&state->source.items, 0) - number);
    dp_box_shown_t shown = { dp_val_nil (), dp_val_nil (), dp_val_nil () };
    dp_box_set_t set = { .columns = 0 };
    if (dp_box_changes (&state->source, &taken, &shown, NULL, history, &set)) {
        dp_box_set (&set, DP_TCOL_stock_modified, dp_val_str (now));
        dp_box_set (&set, DP_TCOL_stock_modified_by, dp_val_int (user));
        dp_val_t *id = dp_arena_alloc (dp_mutation_arena (m), sizeof *id);
        *id = dp_val_int (state->source.id);
        dp_mutation_where_t where = { DP_TCOL_stock_id, id, 1 };
        dp_mutation_update (m, DP_TABLE_stock, set.columns, dp_box_set_values (m, &set), &where, 1);
    }
    //  the new box's row was inserted as moved already: only its history here
    dp_box_set_t unused = { .columns = 0 };
    dp_box_changes (&state->created, &state->moved, &shown, NULL, history, &unused);
    dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS, dp_history_cells (history),
                        dp_history_size (history));
    dp_history_destroy (&history);
}

static void
s_from_box_step (dp_mutation_t *m, void *state_)
{
    from_box_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    int64_t number = input_field (input, "numberOfItems")->i;
    switch (state->phase) {
        case S_LOAD: {
            //  the lock first: the location's read begins the snapshot the answer is read in
            const input_t *label = input_field (input, "sourceBoxLabelIdentifier");
            state->label = label->s;
            if (dp_box_label_usable (label->s, label->len))
                state->source_reply = dp_box_select (m, DP_TCOL_stock_box_id,
                                                     (dp_val_t) { .type = DP_VAL_STR,
                                                                  .u.s = { label->s, (uint32_t) label->len } });
            state->location_id = input_field (input, "locationId")->i;
            state->location = dp_mutation_load (m, DP_LOADER_locations_by_id, DP_BOX_LOCATION_COLUMNS,
                                                &state->location_id, 1);
            state->phase = S_LOAD_SOURCE;
            return;
        }
        case S_LOAD_SOURCE:
            if (state->location->n_rows == 0) {
                dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->location_id, "Location"),
                                           false);
                return;
            }
            state->target_base = dp_cell_int (s_location (state->location, DP_COL_locations_camp_id), -1);
            if (state->source_reply && dp_box_parse (state->source_reply, &state->source)) {
                state->source_location = dp_mutation_load (m, DP_LOADER_locations_by_id, DP_BOX_LOCATION_COLUMNS,
                                                           &state->source.location_id, 1);
                state->access = dp_mutation_load (m, DP_LOADER_box_access_by_box, dp_box_access_columns (),
                                                  &state->source.id, 1);
            }
            state->phase = S_CHECK;
            if (!state->source_location)
                s_check (m, state, number);     //  answers; nothing to load for a box that is not there
            return;
        case S_CHECK:
            state->source_base = dp_cell_int (s_location (state->source_location, DP_COL_locations_camp_id), -1);
            if (!s_check (m, state, number))
                return;
            state->label_box = dp_box_try_label (m, state->new_label);
            state->label_attempts++;
            state->phase = S_LABEL;
            return;
        case S_UNAUTHORIZED_BASE:
            if (state->camp->n_rows) {
                int64_t *organisation = dp_arena_alloc (dp_mutation_arena (m), sizeof *organisation);
                *organisation = dp_cell_int (dp_load_cell (state->camp, 0, S_CAMP_COLUMNS,
                                                           DP_COL_camps_organisation_id), -1);
                state->organisation = dp_mutation_load (m, DP_LOADER_organisations_by_id,
                                                        1ull << DP_COL_organisations_label, organisation, 1);
                state->phase = S_UNAUTHORIZED_ORGANISATION;
                return;
            }
            s_unauthorized (m, state);
            return;
        case S_UNAUTHORIZED_ORGANISATION:
            s_unauthorized (m, state);
            return;
        case S_LABEL:
            if (state->label_box->n_rows > 0) {
                if (state->label_attempts == DP_BOX_LABEL_ATTEMPTS) {
                    dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", DP_BOX_CREATION_FAILED);
                    return;
                }
                state->label_box = dp_box_try_label (m, state->new_label);
                state->label_attempts++;
                return;
            }
            s_insert (m, state, number);
            state->phase = S_WRITE;
            return;
        case S_WRITE:
            s_write (m, state, number);
            state->phase = S_ANSWER;
            return;
        case S_ANSWER:
            dp_mutation_return_object (m, DP_LOADER_stock_by_id, state->insert->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_box_from_box = {
    .name = "createBoxFromBox", .state_size = sizeof (from_box_state_t), .step = s_from_box_step
};
