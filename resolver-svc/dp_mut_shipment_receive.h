/*  =========================================================================
    dp_mut_shipment_receive - the receiving side of a shipment: start
    receiving, reconcile or mark lost, lose the whole shipment, take back
    boxes marked NotDelivered; and when a shipment is complete

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's startReceivingShipment, updateShipmentWhenReceiving,
    markShipmentAsLost and moveNotDeliveredBoxesInStock
    (business_logic/box_transfer/shipment/{mutations,crud}.py), each in
    its one transaction on dp_shipment_rules' locks (shipment, then
    boxes, then details), set-based: the statements of a call depend on
    what it does, never on how many boxes it names. The shipment's
    completion (_complete_shipment_if_applicable), which boxtribute
    commits in a second transaction, is decided and written in the same
    one.
@end
*/
#ifndef DP_MUT_SHIPMENT_RECEIVE_H_INCLUDED
#define DP_MUT_SHIPMENT_RECEIVE_H_INCLUDED

#include "dp_shipment_rules.h"

//  dp_mut_shipment_arrival.c (the first two), dp_mut_shipment_receiving.c,
//  dp_mut_shipment_not_delivered.c; bound in dp_mapping.c.
extern const dp_mutation_def_t dp_mut_start_receiving_shipment;
extern const dp_mutation_def_t dp_mut_mark_shipment_as_lost;
extern const dp_mutation_def_t dp_mut_update_shipment_when_receiving;
extern const dp_mutation_def_t dp_mut_move_not_delivered_boxes_in_stock;

//  boxtribute's _complete_shipment_if_applicable over the shipment's
//  details not removed, as they are after the field's writes (lost[i],
//  received[i]): Lost when there is at least one and all are lost,
//  Completed when each is lost or received (none at all included), else
//  DP_SHIPMENT_UNKNOWN (the shipment stays as it is).
dp_shipment_state_t dp_shipment_completion (const bool *lost, const bool *received, size_t n);

//  Write that completion, when there is one: state, completed_on = now,
//  completed_by_id = the user. Returns true when a statement was issued.
bool dp_shipment_complete_if_applicable (dp_mutation_t *m, int64_t shipment_id, const bool *lost,
                                         const bool *received, size_t n);

void dp_shipment_completion_test (bool verbose);

#endif
