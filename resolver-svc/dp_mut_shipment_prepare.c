/*  =========================================================================
    dp_mut_shipment_prepare - Mutation.updateShipmentWhenPreparing(updateInput)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's updateShipmentWhenPreparing (box_transfer/shipment/
    mutations.py, crud.py update_shipment_when_preparing): shipment:edit in
    the shipment's source base and shipment_detail:write; the shipment must
    be Preparing; a new target base must be part of the shipment's
    agreement. Prepared boxes that are InStock in the source base become
    MarkedForShipment with a new detail holding their product, location,
    size and items; removed boxes that are MarkedForShipment in this
    shipment go back InStock and their details are removed; any other
    label is left out silently, as boxtribute does.

    Stricter than boxtribute, under locks: a deleted box and a box that
    already has an open detail in any shipment are left out, and a new
    target base of a shipment without agreement must be another base of
    the source's organisation (boxtribute stores any id).

    Rounds: (0) lock the shipment, lock the named boxes by label; (1)
    check the shipment, lock the boxes' open details, load the candidates'
    locations (and the agreement or the bases for a new target); (2) check
    the target, write: box states and history, new details, removed
    details, the target; (3) answer the shipment. The front-end sends N
    aliased copies in one document: each is its own root field and
    transaction (dp_exec_mutation.c).
@end
*/
#include "dp_shipment_rules.h"
#include "dp_mut_bulk.h"
#include "dp_mut_box.h"
#include <stdlib.h>
#include <string.h>

typedef enum { PREPARE_LOCK, PREPARE_INSPECT, PREPARE_WRITE, PREPARE_ANSWER } prepare_phase_t;

typedef struct {
    prepare_phase_t phase;
    int64_t shipment_id;
    dp_shipment_t shipment;
    dp_bulk_labels_t prepared, removed;
    bool has_target;
    int64_t target_base_id;
    dp_mutation_reply_t *shipment_reply, *boxes_reply, *details_reply, *locations;
    dp_mutation_reply_t *agreement, *agreement_bases, *camps;
    dp_shipment_box_t *boxes;
    size_t n_boxes;
} prepare_state_t;

//  True when the label is among the labels looked up (sorted values).
static int
s_compare_value (const void *key, const void *value)
{
    return strcmp ((const char *) key, ((const dp_val_t *) value)->u.s.ptr);
}

static bool
s_named (const dp_bulk_labels_t *labels, const char *label)
{
    return labels->n_lookup
           && bsearch (label, labels->values, labels->n_lookup, sizeof (dp_val_t), s_compare_value);
}

//  A box prepare may take before its base is known: named, live, InStock.
static bool
s_prepare_candidate (const prepare_state_t *state, const dp_shipment_box_t *box)
{
    return s_named (&state->prepared, box->label) && box->live && box->state == DP_BOX_IN_STOCK;
}

//  Round 0: the shipment, then every named box, locked in that order.
static void
s_lock (dp_mutation_t *m, prepare_state_t *state)
{
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    if (!input || input->kind != IN_OBJECT) {
        //  updateInput is nullable in boxtribute's schema; its resolver then fails reading it
        dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "updateInput is required.");
        return;
    }
    if (!dp_input_id (input_field (input, "id"), &state->shipment_id)) {
        dp_mutation_not_found (m);
        return;
    }
    const input_t *target = dp_box_given (input, "targetBaseId");
    state->has_target = target != NULL;
    state->target_base_id = target ? target->i : 0;
    dp_bulk_labels (m, input_field (input, "preparedBoxLabelIdentifiers"), &state->prepared);
    dp_bulk_labels (m, input_field (input, "removedBoxLabelIdentifiers"), &state->removed);

    state->shipment_reply = dp_shipment_lock (m, state->shipment_id);
    size_t n = state->prepared.n_lookup + state->removed.n_lookup;
    dp_val_t *labels = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *labels);
    memcpy (labels, state->prepared.values, state->prepared.n_lookup * sizeof *labels);
    memcpy (labels + state->prepared.n_lookup, state->removed.values, state->removed.n_lookup * sizeof *labels);
    state->boxes_reply = dp_shipment_lock_boxes_by_label (m, labels, n);
    state->phase = PREPARE_INSPECT;
}

//  Round 1: the shipment's checks in boxtribute's order, then the boxes'
//  open details, the candidates' locations and what a new target needs.
static void
s_inspect (dp_mutation_t *m, prepare_state_t *state)
{
    dp_shipment_t *shipment = &state->shipment;
    if (!dp_shipment_parse (m, state->shipment_reply, shipment)
        || !dp_shipment_authorize (m, shipment, "shipment:edit", DP_SHIPMENT_SOURCE)
        || !dp_shipment_authorize_details (m)
        || !dp_shipment_expect_state (m, shipment, DP_SHIPMENT_PREPARING))
        return;
    dp_arena_t *arena = dp_mutation_arena (m);
    state->n_boxes = dp_shipment_boxes (m, state->boxes_reply, &state->boxes);
    int64_t *ids = dp_arena_calloc (arena, state->n_boxes + 1, sizeof *ids);
    int64_t *locations = dp_arena_calloc (arena, state->n_boxes + 1, sizeof *locations);
    size_t n_locations = 0;
    for (size_t i = 0; i < state->n_boxes; i++) {
        ids [i] = state->boxes [i].id;
        if (s_prepare_candidate (state, &state->boxes [i]))
            locations [n_locations++] = state->boxes [i].location_id;
    }
    state->details_reply = dp_shipment_lock_open_details (m, ids, state->n_boxes);
    if (n_locations) {
        int64_t *unique;
        n_locations = dp_bulk_unique_ids (m, locations, n_locations, &unique);
        state->locations = dp_mutation_load (m, DP_LOADER_locations_by_id, 1ull << DP_COL_locations_camp_id,
                                             unique, n_locations);
    }
    if (state->has_target && shipment->has_agreement) {
        dp_mutation_where_t by_id = dp_bulk_where_ids (m, DP_TCOL_transfer_agreement_id,
                                                       &shipment->transfer_agreement_id, 1);
        state->agreement = dp_mutation_select (m, DP_TABLE_transfer_agreement,
                                               DP_TBIT (transfer_agreement, type), &by_id, 1, false);
        dp_mutation_where_t of_agreement = dp_bulk_where_ids (m, DP_TCOL_transfer_agreement_detail_transfer_agreement_id,
                                                              &shipment->transfer_agreement_id, 1);
        state->agreement_bases = dp_mutation_select (m, DP_TABLE_transfer_agreement_detail,
                                                     DP_TBIT (transfer_agreement_detail, source_base_id)
                                                     | DP_TBIT (transfer_agreement_detail, target_base_id),
                                                     &of_agreement, 1, false);
    }
    else
    if (state->has_target) {
        int64_t bases [2] = { shipment->source_base_id, state->target_base_id };
        state->camps = dp_mutation_load (m, DP_LOADER_camps_by_id, 1ull << DP_COL_camps_organisation_id,
                                         bases, 2);
    }
    state->phase = PREPARE_WRITE;
}

//  boxtribute's _validate_bases_as_part_of_transfer_agreement for the new
//  target; for a shipment without agreement, createShipment's rules.
static bool
s_check_target (dp_mutation_t *m, prepare_state_t *state)
{
    if (!state->has_target)
        return true;
    if (state->agreement) {
        const dp_val_t *type = state->agreement->n_rows ? dp_mutation_cell (state->agreement, 0, 0) : NULL;
        bool both_ways = type && type->type == DP_VAL_STR && strcmp (type->u.s.ptr, "Bidirectional") == 0;
        for (uint32_t row = 0; row < state->agreement_bases->n_rows; row++)
            for (uint32_t col = both_ways ? 0 : 1; col < 2; col++) {
                const dp_val_t *base = dp_mutation_cell (state->agreement_bases, row, col);
                if (base->type == DP_VAL_INT && base->u.i == state->target_base_id)
                    return true;
            }
        //  boxtribute joins its dict of source and target ids: the keys are printed
        dp_mutation_fail (m, "BAD_USER_INPUT", "The specified base (ID: %lld) is not part of the current "
                          "transfer agreement (included base IDs: source, target).",
                          (long long) state->target_base_id);
        return false;
    }
    const dp_val_t *source = dp_bulk_loaded (state->camps, state->shipment.source_base_id);
    const dp_val_t *target = dp_bulk_loaded (state->camps, state->target_base_id);
    if (!target) {
        dp_mutation_not_found (m);
        return false;
    }
    if (state->target_base_id == state->shipment.source_base_id)
        return dp_box_bad_input (m, "Source and target base must not be identical");
    if (!source || source [1].type != DP_VAL_INT || target [1].type != DP_VAL_INT
        || source [1].u.i != target [1].u.i)
        return dp_box_bad_input (m, "Source and target base must be of same organisation");
    return true;
}

//  The open detail of box_id, or NULL.
static const dp_shipment_detail_t *
s_open_detail (const dp_shipment_detail_t *details, size_t n, int64_t box_id)
{
    for (size_t i = 0; i < n; i++)
        if (details [i].box_id == box_id)
            return &details [i];
    return NULL;
}

//  The new details' columns; removed_on/by are set for a box that is also
//  removed in the same call (boxtribute prepares, then removes).
#define DETAIL_INSERT_COLUMNS (DP_TBIT (shipment_detail, shipment_id) | DP_TBIT (shipment_detail, box_id) \
    | DP_TBIT (shipment_detail, source_product_id) | DP_TBIT (shipment_detail, source_quantity) \
    | DP_TBIT (shipment_detail, source_size_id) | DP_TBIT (shipment_detail, source_location_id) \
    | DP_TBIT (shipment_detail, created_on) | DP_TBIT (shipment_detail, created_by_id) \
    | DP_TBIT (shipment_detail, removed_on) | DP_TBIT (shipment_detail, removed_by_id))
#define DETAIL_INSERT_VALUES 10

static void
s_detail_row (dp_mutation_t *m, dp_val_t *row, int64_t shipment_id, const dp_shipment_box_t *box,
              bool removed)
{
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_val_t user = dp_bulk_int (dp_mutation_identity (m)->user_id);
    //  column order: shipment_id, box_id, source_product_id, source_quantity,
    //  source_size_id, source_location_id, created_on, created_by_id, removed_on, removed_by_id
    row [0] = dp_bulk_int (shipment_id);
    row [1] = dp_bulk_int (box->id);
    row [2] = dp_bulk_int (box->product_id);
    row [3] = box->items;
    row [4] = box->size_id;
    row [5] = dp_bulk_int (box->location_id);
    row [6] = now;
    row [7] = user;
    row [8] = removed ? now : dp_bulk_nil ();
    row [9] = removed ? user : dp_bulk_nil ();
}

//  Round 2: decide under the locks and write set-based. Returns true when
//  a statement was issued.
static bool
s_write (dp_mutation_t *m, prepare_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_shipment_detail_t *details;
    size_t n_details = dp_shipment_details (m, state->details_reply, &details);
    size_t n = state->n_boxes;
    bool *prepared = dp_arena_calloc (arena, n + 1, sizeof (bool));
    bool *removed = dp_arena_calloc (arena, n + 1, sizeof (bool));
    //  a removed box's state as the removal finds it (MarkedForShipment when prepared just now)
    dp_shipment_box_t *removed_boxes = dp_arena_calloc (arena, n + 1, sizeof *removed_boxes);
    int64_t *removed_details = dp_arena_calloc (arena, n + 1, sizeof (int64_t));
    dp_val_t *rows = dp_arena_calloc (arena, (n + 1) * DETAIL_INSERT_VALUES, sizeof (dp_val_t));
    size_t n_prepared = 0, n_removed_details = 0;
    for (size_t i = 0; i < n; i++) {
        const dp_shipment_box_t *box = &state->boxes [i];
        const dp_shipment_detail_t *open = s_open_detail (details, n_details, box->id);
        const dp_val_t *location = dp_bulk_loaded (state->locations, box->location_id);
        prepared [i] = s_prepare_candidate (state, box) && !open && location
                       && location [1].type == DP_VAL_INT && location [1].u.i == state->shipment.source_base_id;
        removed_boxes [i] = *box;
        if (prepared [i])
            removed_boxes [i].state = DP_BOX_MARKED_FOR_SHIPMENT;
        bool named = s_named (&state->removed, box->label);
        if (named && prepared [i])
            removed [i] = true;
        else
        if (named && open && open->shipment_id == state->shipment.id && box->state == DP_BOX_MARKED_FOR_SHIPMENT) {
            removed [i] = true;
            removed_details [n_removed_details++] = open->id;
        }
        if (prepared [i])
            s_detail_row (m, rows + n_prepared++ * DETAIL_INSERT_VALUES, state->shipment.id, box, removed [i]);
    }
    bool wrote = dp_shipment_set_box_states (m, state->boxes, prepared, n, DP_BOX_MARKED_FOR_SHIPMENT);
    if (n_prepared) {
        dp_mutation_insert (m, DP_TABLE_shipment_detail, DETAIL_INSERT_COLUMNS, rows, n_prepared);
        wrote = true;
    }
    wrote |= dp_shipment_set_box_states (m, removed_boxes, removed, n, DP_BOX_IN_STOCK);
    wrote |= dp_shipment_close_details (m, removed_details, n_removed_details,
                                        DP_TCOL_shipment_detail_removed_on, DP_TCOL_shipment_detail_removed_by_id);
    if (state->has_target) {
        dp_val_t target = dp_bulk_int (state->target_base_id);
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_shipment_id, &state->shipment.id, 1);
        dp_mutation_update (m, DP_TABLE_shipment, DP_TBIT (shipment, target_base_id), &target, &where, 1);
        wrote = true;
    }
    return wrote;
}

static void
s_prepare_step (dp_mutation_t *m, void *state_)
{
    prepare_state_t *state = state_;
    switch (state->phase) {
        case PREPARE_LOCK:
            s_lock (m, state);
            return;
        case PREPARE_INSPECT:
            s_inspect (m, state);
            return;
        case PREPARE_WRITE:
            if (!s_check_target (m, state))
                return;
            state->phase = PREPARE_ANSWER;
            if (s_write (m, state))
                return;
            break;
        case PREPARE_ANSWER:
            break;
    }
    dp_shipment_return (m, state->shipment.id);
}

const dp_mutation_def_t dp_mut_update_shipment_when_preparing = {
    .name = "updateShipmentWhenPreparing", .state_size = sizeof (prepare_state_t), .step = s_prepare_step
};
