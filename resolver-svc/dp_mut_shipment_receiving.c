/*  =========================================================================
    dp_mut_shipment_receiving - Mutation.updateShipmentWhenReceiving

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's update_shipment_when_receiving: shipment:edit in the
    target base, shipment_detail:write; the shipment must be Receiving.
    Each receivedShipmentDetailUpdateInputs entry naming a detail of the
    shipment reconciles its box: the target location and product must be
    of the target base and the box Receiving (else BAD_USER_INPUT, nothing
    written); the box takes the target product, location, size and number
    of items and is InStock, with history rows for product_id,
    location_id, size_id, items and box_state_id against the detail's
    source values (as boxtribute writes them; equal values write none);
    the detail gets its target_* and received_on/_by; the box's tags are
    removed (tags_relations deleted_on/_by). Each lostBoxLabelIdentifiers
    box of the shipment still InTransit or Receiving becomes NotDelivered,
    its detail lost. Then the shipment completes (Lost or Completed) when
    no box is left to reconcile: in this same transaction.

    Rounds: (0) lock the shipment; (1) check it, read its details and
    their source values, load the target locations and products; (2) lock
    the boxes, then the details; (3) check the inputs and write; (4)
    answer the shipment.
    Depot only reconciles details not removed from the shipment
    (boxtribute also takes a removed detail whose box is Receiving in
    another shipment).
@end
*/
#include "dp_mut_shipment_receive.h"
#include "dp_mut_box.h"
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include <string.h>

typedef enum { RCV_LOCK, RCV_CHECK, RCV_BOXES, RCV_WRITE, RCV_DONE } receive_phase_t;

//  One receivedShipmentDetailUpdateInputs entry.
typedef struct {
    int64_t detail_id;
    int64_t product_id, location_id, size_id, quantity;
} received_input_t;

//  The detail's source values (SOURCE_COLUMNS, in column order).
enum { SRC_ID, SRC_PRODUCT, SRC_QUANTITY, SRC_SIZE, SRC_LOCATION };
#define SOURCE_COLUMNS (DP_TBIT (shipment_detail, id) | DP_TBIT (shipment_detail, source_product_id) \
    | DP_TBIT (shipment_detail, source_quantity) | DP_TBIT (shipment_detail, source_size_id) \
    | DP_TBIT (shipment_detail, source_location_id))

typedef struct {
    receive_phase_t phase;
    dp_shipment_t shipment;
    received_input_t *inputs;
    size_t n_inputs;
    dp_mutation_reply_t *shipment_reply;
    dp_mutation_reply_t *plain_details;
    dp_mutation_reply_t *details_reply;
    dp_mutation_reply_t *sources;
    dp_mutation_reply_t *locations;
    dp_mutation_reply_t *products;
    dp_mutation_reply_t *boxes_reply;
    dp_shipment_detail_t *details;
    size_t n_details;
} receive_state_t;

//  The inputs, the last one per detail id winning (boxtribute's dict).
//  An id that is no number names no detail.
static void
s_read_inputs (dp_mutation_t *m, receive_state_t *state, const input_t *list)
{
    size_t n = list && list->kind == IN_LIST ? list->n_items : 0;
    state->inputs = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (received_input_t));
    for (size_t i = 0; i < n; i++) {
        const input_t *item = list->items [i];
        received_input_t input = {
            .product_id = input_field (item, "targetProductId")->i,
            .location_id = input_field (item, "targetLocationId")->i,
            .size_id = input_field (item, "targetSizeId")->i,
            .quantity = input_field (item, "targetQuantity")->i
        };
        if (!dp_input_id (input_field (item, "id"), &input.detail_id))
            continue;
        size_t at = 0;
        while (at < state->n_inputs && state->inputs [at].detail_id != input.detail_id)
            at++;
        state->inputs [at] = input;
        if (at == state->n_inputs)
            state->n_inputs++;
    }
}

//  Target locations and products, each once (LOAD of their bases).
static dp_mutation_reply_t *
s_load_targets (dp_mutation_t *m, receive_state_t *state, dp_loader_id_t loader, uint64_t base_column,
                bool location)
{
    if (state->n_inputs == 0)
        return NULL;
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), state->n_inputs, sizeof (int64_t));
    for (size_t i = 0; i < state->n_inputs; i++)
        ids [i] = location ? state->inputs [i].location_id : state->inputs [i].product_id;
    int64_t *unique;
    size_t n = dp_bulk_unique_ids (m, ids, state->n_inputs, &unique);
    return dp_mutation_load (m, loader, 1ull << base_column, unique, n);
}

//  True when a LOAD reply holds key with the target base (its one column).
static bool
s_in_target_base (const dp_mutation_reply_t *reply, int64_t key, int64_t base_id)
{
    const dp_val_t *row = dp_bulk_loaded (reply, key);
    return row && row [1].type == DP_VAL_INT && row [1].u.i == base_id;
}

//  The input of a detail, or NULL.
static const received_input_t *
s_input_of (const receive_state_t *state, int64_t detail_id)
{
    for (size_t i = 0; i < state->n_inputs; i++)
        if (state->inputs [i].detail_id == detail_id)
            return &state->inputs [i];
    return NULL;
}

//  The row of a detail's source values.
static const dp_val_t *
s_source_of (const receive_state_t *state, int64_t detail_id)
{
    return dp_bulk_loaded (state->sources, detail_id);
}

//  boxtribute's checks of each named detail, in detail order; false when
//  the field has failed.
static bool
s_check_inputs (dp_mutation_t *m, receive_state_t *state, const dp_shipment_box_t *boxes, size_t n_boxes)
{
    for (size_t i = 0; i < state->n_details; i++) {
        const dp_shipment_detail_t *detail = &state->details [i];
        const received_input_t *input = s_input_of (state, detail->id);
        if (!input)
            continue;
        const char *invalid = NULL;
        const dp_shipment_box_t *box = dp_shipment_box_by_id (boxes, n_boxes, detail->box_id);
        if (!s_in_target_base (state->locations, input->location_id, state->shipment.target_base_id))
            invalid = "Location";
        else
        if (!s_in_target_base (state->products, input->product_id, state->shipment.target_base_id))
            invalid = "Product";
        else
        if (!box || box->state != DP_BOX_RECEIVING)
            invalid = "BoxState";
        if (invalid) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Input %s is not valid for base of shipment detail %lld",
                              invalid, (long long) detail->id);
            return false;
        }
    }
    return true;
}

//  The boxes reconciled: one keyed UPDATE of stock, one of the details,
//  one of their tags, one INSERT of history. received[i] marks detail i.
//  Returns true when statements were issued.
static bool
s_write_received (dp_mutation_t *m, receive_state_t *state, bool *received)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    enum { BOX_VALUES = 6, DETAIL_VALUES = 7 };
    dp_val_t *box_rows = dp_arena_calloc (arena, state->n_details * BOX_VALUES + 1, sizeof (dp_val_t));
    dp_val_t *detail_rows = dp_arena_calloc (arena, state->n_details * DETAIL_VALUES + 1, sizeof (dp_val_t));
    int64_t *box_ids = dp_arena_calloc (arena, state->n_details + 1, sizeof (int64_t));
    int64_t *detail_ids = dp_arena_calloc (arena, state->n_details + 1, sizeof (int64_t));
    size_t n = 0;
    dp_history_t *history = dp_history_new ("stock", user, now);
    for (size_t i = 0; i < state->n_details; i++) {
        const received_input_t *input = s_input_of (state, state->details [i].id);
        if (!input)
            continue;
        received [i] = true;
        int64_t box_id = state->details [i].box_id;
        //  Columns in table order: stock id, product_id, size_id, items, location_id, box_state_id.
        dp_val_t *box = box_rows + n * BOX_VALUES;
        box [0] = dp_bulk_int (box_id);
        box [1] = dp_bulk_int (input->product_id);
        box [2] = dp_bulk_int (input->size_id);
        box [3] = dp_bulk_int (input->quantity);
        box [4] = dp_bulk_int (input->location_id);
        box [5] = dp_bulk_int (DP_BOX_IN_STOCK);
        //  shipment_detail id, target_product_id, target_quantity, target_size_id,
        //  target_location_id, received_on, received_by_id.
        dp_val_t *detail = detail_rows + n * DETAIL_VALUES;
        detail [0] = dp_bulk_int (state->details [i].id);
        detail [1] = dp_bulk_int (input->product_id);
        detail [2] = dp_bulk_int (input->quantity);
        detail [3] = dp_bulk_int (input->size_id);
        detail [4] = dp_bulk_int (input->location_id);
        detail [5] = dp_bulk_str (m, now);
        detail [6] = dp_bulk_int (user);
        box_ids [n] = box_id;
        detail_ids [n++] = state->details [i].id;

        //  boxtribute's create_history_entries against the detail's source
        //  values (a box object it makes up, state Receiving), field order
        //  product, location, size, number_of_items, state.
        const dp_val_t *source = s_source_of (state, state->details [i].id);
        struct { const char *column; dp_val_t from, to; } fields [] = {
            { "product_id", source [SRC_PRODUCT], box [1] },
            { "location_id", source [SRC_LOCATION], box [4] },
            { "size_id", source [SRC_SIZE], box [2] },
            { "items", source [SRC_QUANTITY], box [3] },
            { "box_state_id", dp_bulk_int (DP_BOX_RECEIVING), box [5] },
        };
        for (size_t f = 0; f < sizeof fields / sizeof fields [0]; f++) {
            dp_history_change_t change = { .column = fields [f].column, .kind = DP_HISTORY_INT,
                                           .from = fields [f].from, .to = fields [f].to,
                                           .shown = dp_bulk_nil () };
            dp_history_change (history, box_id, &change);
        }
    }
    if (n == 0) {
        dp_history_destroy (&history);
        return false;
    }
    dp_mutation_where_t boxes_where = dp_bulk_where_ids (m, DP_TCOL_stock_id, box_ids, n);
    dp_mutation_update_rows (m, DP_TABLE_stock,
                             DP_TBIT (stock, id) | DP_TBIT (stock, product_id) | DP_TBIT (stock, size_id)
                             | DP_TBIT (stock, items) | DP_TBIT (stock, location_id)
                             | DP_TBIT (stock, box_state_id),
                             box_rows, n, &boxes_where, 1);
    dp_mutation_where_t details_where = dp_bulk_where_ids (m, DP_TCOL_shipment_detail_id, detail_ids, n);
    dp_mutation_update_rows (m, DP_TABLE_shipment_detail,
                             DP_TBIT (shipment_detail, id) | DP_TBIT (shipment_detail, target_product_id)
                             | DP_TBIT (shipment_detail, target_quantity)
                             | DP_TBIT (shipment_detail, target_size_id)
                             | DP_TBIT (shipment_detail, target_location_id)
                             | DP_TBIT (shipment_detail, received_on)
                             | DP_TBIT (shipment_detail, received_by_id),
                             detail_rows, n, &details_where, 1);
    //  boxtribute removes every tag of a received box.
    dp_val_t removed [] = { dp_bulk_str (m, now), dp_bulk_int (user) };
    dp_val_t *stock_type = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    *stock_type = dp_bulk_str (m, "Stock");
    dp_val_t *live = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    *live = dp_bulk_nil ();
    dp_mutation_where_t tags_where [] = {
        { DP_TCOL_tags_relations_object_type, stock_type, 1 },
        dp_bulk_where_ids (m, DP_TCOL_tags_relations_object_id, box_ids, n),
        { DP_TCOL_tags_relations_deleted_on, live, 1 },
    };
    dp_mutation_update (m, DP_TABLE_tags_relations,
                        DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                        removed, tags_where, 3);
    dp_bulk_insert_history (m, history);
    dp_history_destroy (&history);
    return true;
}

//  The labels' boxes still InTransit or Receiving, not just received,
//  become NotDelivered; lost[i] marks detail i. Returns true when
//  statements were issued.
static bool
s_write_lost (dp_mutation_t *m, receive_state_t *state, dp_shipment_box_t *boxes, size_t n_boxes,
              const bool *received, bool *lost)
{
    dp_bulk_labels_t labels;
    dp_bulk_labels (m, input_field (input_field (dp_mutation_args (m), "updateInput"),
                                    "lostBoxLabelIdentifiers"), &labels);
    dp_arena_t *arena = dp_mutation_arena (m);
    bool *chosen = dp_arena_calloc (arena, n_boxes + 1, sizeof (bool));
    int64_t *detail_ids = dp_arena_calloc (arena, state->n_details + 1, sizeof (int64_t));
    size_t n_lost = 0;
    for (size_t i = 0; i < state->n_details; i++) {
        const dp_shipment_box_t *box = dp_shipment_box_by_id (boxes, n_boxes, state->details [i].box_id);
        if (!box || received [i]
        ||  (box->state != DP_BOX_IN_TRANSIT && box->state != DP_BOX_RECEIVING))
            continue;
        bool named = false;
        for (size_t l = 0; l < labels.n && !named; l++)
            named = labels.len [l] == strlen (box->label) && strcmp (labels.text [l], box->label) == 0;
        if (!named)
            continue;
        chosen [box - boxes] = true;
        lost [i] = true;
        detail_ids [n_lost++] = state->details [i].id;
    }
    bool closed = dp_shipment_close_details (m, detail_ids, n_lost, DP_TCOL_shipment_detail_lost_on,
                                             DP_TCOL_shipment_detail_lost_by_id);
    return dp_shipment_set_box_states (m, boxes, chosen, n_boxes, DP_BOX_NOT_DELIVERED) || closed;
}

//  Returns true when statements were issued (the answer comes next round).
static bool
s_receive_write (dp_mutation_t *m, receive_state_t *state)
{
    dp_shipment_box_t *boxes;
    size_t n_boxes = dp_shipment_boxes (m, state->boxes_reply, &boxes);
    if (!s_check_inputs (m, state, boxes, n_boxes))
        return true;
    dp_arena_t *arena = dp_mutation_arena (m);
    bool *received = dp_arena_calloc (arena, state->n_details + 1, sizeof (bool));
    bool *lost = dp_arena_calloc (arena, state->n_details + 1, sizeof (bool));
    bool wrote = s_write_received (m, state, received);
    wrote = s_write_lost (m, state, boxes, n_boxes, received, lost) || wrote;
    for (size_t i = 0; i < state->n_details; i++) {
        received [i] = received [i] || state->details [i].received;
        lost [i] = lost [i] || state->details [i].lost;
    }
    return dp_shipment_complete_if_applicable (m, state->shipment.id, lost, received, state->n_details)
           || wrote;
}

static void
s_receive_step (dp_mutation_t *m, void *state_)
{
    receive_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    switch (state->phase++) {
        case RCV_LOCK: {
            int64_t id;
            if (!input || input->kind != IN_OBJECT || !dp_input_id (input_field (input, "id"), &id)) {
                dp_mutation_not_found (m);
                return;
            }
            s_read_inputs (m, state, input_field (input, "receivedShipmentDetailUpdateInputs"));
            state->shipment_reply = dp_shipment_lock (m, id);
            return;
        }
        case RCV_CHECK: {
            if (!dp_shipment_parse (m, state->shipment_reply, &state->shipment)
            ||  !dp_shipment_authorize (m, &state->shipment, "shipment:edit", DP_SHIPMENT_TARGET)
            ||  !dp_shipment_authorize_details (m)
            ||  !dp_shipment_expect_state (m, &state->shipment, DP_SHIPMENT_RECEIVING))
                return;
            //  Plain reads under the shipment's lock: its boxes, to lock
            //  them next, and its details' source values (stable while
            //  the shipment is locked).
            state->plain_details = dp_shipment_select_details (m, state->shipment.id, false);
            dp_val_t *shipment_id = dp_arena_calloc (dp_mutation_arena (m), 2, sizeof (dp_val_t));
            shipment_id [0] = dp_bulk_int (state->shipment.id);
            shipment_id [1] = dp_bulk_nil ();
            dp_mutation_where_t where [] = {
                { DP_TCOL_shipment_detail_shipment_id, &shipment_id [0], 1 },
                { DP_TCOL_shipment_detail_removed_on, &shipment_id [1], 1 },
            };
            state->sources = dp_mutation_select (m, DP_TABLE_shipment_detail, SOURCE_COLUMNS, where, 2, false);
            state->locations = s_load_targets (m, state, DP_LOADER_locations_by_id, DP_COL_locations_camp_id, true);
            state->products = s_load_targets (m, state, DP_LOADER_products_by_id, DP_COL_products_camp_id, false);
            return;
        }
        case RCV_BOXES: {
            dp_shipment_detail_t *details;
            size_t n = dp_shipment_details (m, state->plain_details, &details);
            int64_t *box_ids = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (int64_t));
            for (size_t i = 0; i < n; i++)
                box_ids [i] = details [i].box_id;
            int64_t *unique;
            n = dp_bulk_unique_ids (m, box_ids, n, &unique);
            state->boxes_reply = dp_shipment_lock_boxes (m, unique, n);
            state->details_reply = dp_shipment_select_details (m, state->shipment.id, true);
            return;
        }
        case RCV_WRITE:
            state->n_details = dp_shipment_details (m, state->details_reply, &state->details);
            if (s_receive_write (m, state))
                return;
            __attribute__ ((fallthrough));     //  nothing to write
        case RCV_DONE:
            dp_shipment_return (m, state->shipment.id);
            return;
    }
}

const dp_mutation_def_t dp_mut_update_shipment_when_receiving = {
    .name = "updateShipmentWhenReceiving", .state_size = sizeof (receive_state_t),
    .step = s_receive_step
};
