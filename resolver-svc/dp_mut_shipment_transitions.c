/*  =========================================================================
    dp_mut_shipment_transitions - Mutation.sendShipment(id), cancelShipment(id)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's send_shipment and cancel_shipment (box_transfer/shipment/
    crud.py), each a whole-shipment transition of dp_shipment_rules: the
    shipment is locked and must be Preparing, so of a send and a cancel
    running at once one wins and the other gets InvalidShipmentState.
    sendShipment: shipment:edit in the source base; the MarkedForShipment
    boxes of its details go InTransit; state Sent, sent_on/by.
    cancelShipment: shipment:edit in either base and shipment_detail:write;
    every box of its details goes InStock and the details are removed
    (removed_on/by); state Canceled, canceled_on/by.
@end
*/
#include "dp_shipment_rules.h"
#include "dp_mut_box.h"

static const dp_shipment_transition_t s_send = {
    .expected = DP_SHIPMENT_PREPARING, .side = DP_SHIPMENT_SOURCE, .details_permission = false,
    .box_from = DP_BOX_MARKED_FOR_SHIPMENT, .box_to = DP_BOX_IN_TRANSIT,
    .detail_on = -1, .detail_by = -1,
    .state = DP_SHIPMENT_SENT, .state_on = DP_TCOL_shipment_sent_on, .state_by = DP_TCOL_shipment_sent_by_id
};

static const dp_shipment_transition_t s_cancel = {
    .expected = DP_SHIPMENT_PREPARING, .side = DP_SHIPMENT_EITHER, .details_permission = true,
    .box_from = 0, .box_to = DP_BOX_IN_STOCK,
    .detail_on = DP_TCOL_shipment_detail_removed_on, .detail_by = DP_TCOL_shipment_detail_removed_by_id,
    .state = DP_SHIPMENT_CANCELED, .state_on = DP_TCOL_shipment_canceled_on,
    .state_by = DP_TCOL_shipment_canceled_by_id
};

static void
s_send_step (dp_mutation_t *m, void *state)
{
    dp_shipment_transition_step (m, state, &s_send);
}

static void
s_cancel_step (dp_mutation_t *m, void *state)
{
    dp_shipment_transition_step (m, state, &s_cancel);
}

const dp_mutation_def_t dp_mut_send_shipment = {
    .name = "sendShipment", .state_size = sizeof (dp_shipment_transition_state_t), .step = s_send_step
};

const dp_mutation_def_t dp_mut_cancel_shipment = {
    .name = "cancelShipment", .state_size = sizeof (dp_shipment_transition_state_t), .step = s_cancel_step
};
