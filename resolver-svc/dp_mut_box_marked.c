/*  =========================================================================
    dp_mut_box_marked - Mutation.updateMarkedForShipmentBox(updateInput)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's updateMarkedForShipmentBox (warehouse/box/mutations.py,
    crud.py update_marked_for_shipment_box under save_update_to_history):
    stock:write in the base of the box's location; the box must not be
    deleted (BoxDeleted) and must be MarkedForShipment (InvalidBoxState,
    boxtribute's message); only weight and monetaryValue change, neither
    negative; one history row per changed field, modified/modified_by only
    when something changed. In one transaction with the box read FOR
    UPDATE, so a concurrent send cannot slip between the state check and
    the write.

    Rounds: (0) the box by label FOR UPDATE; (1) its location and weight
    unit; (2) check, history and UPDATE; (3) the box.
@end
*/
#include "dp_shipment_rules.h"
#include "dp_mut_box.h"
#include "dp_values.h"

typedef enum { MARKED_SELECT, MARKED_LOAD, MARKED_WRITE, MARKED_ANSWER } marked_phase_t;

typedef struct {
    marked_phase_t phase;
    dp_mutation_reply_t *box_reply, *location, *units;
    dp_box_t box;
} marked_state_t;

//  Round 2: boxtribute's checks in its order, then the changed columns.
//  Returns true when a statement was issued; false after failing the
//  field or when nothing changed (the caller tells them apart by *failed).
static bool
s_write (dp_mutation_t *m, marked_state_t *state, const input_t *input, bool *failed)
{
    *failed = true;
    dp_box_t *box = &state->box;
    int64_t base = state->location->n_rows
                   ? dp_cell_int (dp_load_cell (state->location, 0, 1ull << DP_COL_locations_camp_id,
                                                DP_COL_locations_camp_id), -1)
                   : -1;
    if (!dp_box_require (m, "stock:write", base))
        return false;
    if (box->deleted) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Box with label identifier '%s' is deleted and cannot be updated",
                          box->label);
        return false;
    }
    if (box->state != DP_BOX_MARKED_FOR_SHIPMENT) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Box with label identifier '%s' is in state '%s' and cannot be "
                          "updated. Only boxes in states InStock, Donated, Scrap, or Lost can be updated",
                          box->label, dp_box_state_name (box->state));
        return false;
    }
    dp_box_t after = *box;
    dp_box_shown_t shown = { dp_val_nil (), dp_val_nil (), dp_val_nil () };
    const input_t *weight = dp_box_given (input, "weight");
    if (weight) {
        if (weight->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'weight'");
        after.weight = shown.weight = dp_val_double (weight->f);
    }
    const input_t *money = dp_box_given (input, "monetaryValue");
    if (money) {
        if (money->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'monetaryValue'");
        after.monetary_value = shown.money = dp_val_double (money->f);
    }
    *failed = false;
    const dp_identity_t *identity = dp_mutation_identity (m);
    dp_history_t *history = dp_history_new ("stock", identity->user_id, dp_mutation_now (m));
    dp_box_set_t set = { .columns = 0 };
    size_t changed = dp_box_changes (box, &after, &shown, state->units, history, &set);
    if (changed) {
        dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS, dp_history_cells (history),
                            dp_history_size (history));
        dp_box_set (&set, DP_TCOL_stock_modified, dp_val_str (dp_mutation_now (m)));
        dp_box_set (&set, DP_TCOL_stock_modified_by, dp_val_int (identity->user_id));
        dp_val_t id = dp_val_int (box->id);
        dp_mutation_where_t where = { DP_TCOL_stock_id, &id, 1 };
        dp_mutation_update (m, DP_TABLE_stock, set.columns, dp_box_set_values (m, &set), &where, 1);
    }
    dp_history_destroy (&history);
    return changed > 0;
}

static void
s_marked_step (dp_mutation_t *m, void *state_)
{
    marked_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    switch (state->phase) {
        case MARKED_SELECT: {
            if (!input || input->kind != IN_OBJECT) {
                //  updateInput is nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "updateInput is required.");
                return;
            }
            const input_t *label = input_field (input, "labelIdentifier");
            if (!dp_box_label_usable (label->s, label->len)) {
                dp_mutation_not_found (m);
                return;
            }
            state->box_reply = dp_box_select (m, DP_TCOL_stock_box_id,
                                              (dp_val_t) { .type = DP_VAL_STR,
                                                           .u.s = { label->s, (uint32_t) label->len } });
            state->phase = MARKED_LOAD;
            return;
        }
        case MARKED_LOAD:
            if (!dp_box_parse (state->box_reply, &state->box)) {
                dp_mutation_not_found (m);
                return;
            }
            state->location = dp_mutation_load (m, DP_LOADER_locations_by_id, 1ull << DP_COL_locations_camp_id,
                                                &state->box.location_id, 1);
            state->units = dp_mutation_load (m, DP_LOADER_units_by_id, DP_BOX_UNIT_COLUMNS,
                                             &state->box.weight_display_unit_id, 1);
            state->phase = MARKED_WRITE;
            return;
        case MARKED_WRITE: {
            bool failed;
            state->phase = MARKED_ANSWER;
            if (s_write (m, state, input, &failed) || failed)
                return;
            break;
        }
        case MARKED_ANSWER:
            break;
    }
    dp_mutation_return_object (m, DP_LOADER_stock_by_id, state->box.id);
}

const dp_mutation_def_t dp_mut_update_marked_for_shipment_box = {
    .name = "updateMarkedForShipmentBox", .state_size = sizeof (marked_state_t), .step = s_marked_step
};
