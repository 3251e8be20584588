/*  =========================================================================
    dp_mut_shipment_arrival - Mutation.startReceivingShipment(id),
    markShipmentAsLost(id)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What becomes of a Sent shipment: boxtribute's start_receiving_shipment
    and mark_shipment_as_lost (box_transfer/shipment/crud.py), each a
    whole-shipment transition of dp_shipment_rules (the shipment locked
    and checked, then its boxes, then its details, in one transaction; the
    same statements for any number of boxes). boxtribute reads the state
    and the boxes without a lock, so a concurrent cancel, send or loss
    could slip in between; here one of two such calls gets
    InvalidShipmentState.
    startReceivingShipment: shipment:edit in the target base; the InTransit
    boxes of its details become Receiving; state Receiving,
    receiving_started_on/by.
    markShipmentAsLost: shipment:edit in either base and
    shipment_detail:write; the InTransit boxes become NotDelivered and
    their details lost (lost_on/by); state Lost, completed_on/by.
@end
*/
#include "dp_mut_shipment_receive.h"
#include "dp_mut_box.h"

static const dp_shipment_transition_t s_start_receiving = {
    .expected = DP_SHIPMENT_SENT, .side = DP_SHIPMENT_TARGET, .details_permission = false,
    .box_from = DP_BOX_IN_TRANSIT, .box_to = DP_BOX_RECEIVING,
    .detail_on = -1, .detail_by = -1,
    .state = DP_SHIPMENT_RECEIVING, .state_on = DP_TCOL_shipment_receiving_started_on,
    .state_by = DP_TCOL_shipment_receiving_started_by_id
};

static const dp_shipment_transition_t s_lost = {
    .expected = DP_SHIPMENT_SENT, .side = DP_SHIPMENT_EITHER, .details_permission = true,
    .box_from = DP_BOX_IN_TRANSIT, .box_to = DP_BOX_NOT_DELIVERED,
    .detail_on = DP_TCOL_shipment_detail_lost_on, .detail_by = DP_TCOL_shipment_detail_lost_by_id,
    .state = DP_SHIPMENT_LOST, .state_on = DP_TCOL_shipment_completed_on,
    .state_by = DP_TCOL_shipment_completed_by_id
};

static void
s_start_receiving_step (dp_mutation_t *m, void *state)
{
    dp_shipment_transition_step (m, state, &s_start_receiving);
}

static void
s_lost_step (dp_mutation_t *m, void *state)
{
    dp_shipment_transition_step (m, state, &s_lost);
}

const dp_mutation_def_t dp_mut_start_receiving_shipment = {
    .name = "startReceivingShipment", .state_size = sizeof (dp_shipment_transition_state_t),
    .step = s_start_receiving_step
};

const dp_mutation_def_t dp_mut_mark_shipment_as_lost = {
    .name = "markShipmentAsLost", .state_size = sizeof (dp_shipment_transition_state_t),
    .step = s_lost_step
};
