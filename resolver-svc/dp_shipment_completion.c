/*  =========================================================================
    dp_shipment_completion - when a received shipment is Completed or Lost

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's _complete_shipment_if_applicable, decided over the
    details as the field's own writes leave them, so the completion is
    written in the field's transaction (boxtribute commits it in a second
    one: a failure between the two left a shipment with every box
    reconciled still Receiving).
@end
*/
#include "dp_mut_shipment_receive.h"
#include <assert.h>
#include <stdio.h>

dp_shipment_state_t
dp_shipment_completion (const bool *lost, const bool *received, size_t n)
{
    bool all_lost = n > 0, all_closed = true;
    for (size_t i = 0; i < n; i++) {
        all_lost = all_lost && lost [i];
        all_closed = all_closed && (lost [i] || received [i]);
    }
    if (all_lost)
        return DP_SHIPMENT_LOST;
    return all_closed ? DP_SHIPMENT_COMPLETED : DP_SHIPMENT_UNKNOWN;
}

bool
dp_shipment_complete_if_applicable (dp_mutation_t *m, int64_t shipment_id, const bool *lost,
                                    const bool *received, size_t n)
{
    dp_shipment_state_t state = dp_shipment_completion (lost, received, n);
    if (state == DP_SHIPMENT_UNKNOWN)
        return false;
    dp_shipment_set_state (m, shipment_id, state, DP_TCOL_shipment_completed_on,
                           DP_TCOL_shipment_completed_by_id);
    return true;
}

void
dp_shipment_completion_test (bool verbose)
{
    printf (" * dp_shipment_completion: ");
    bool yes [] = { true, true }, no [] = { false, false }, mixed [] = { true, false };
    assert (dp_shipment_completion (yes, no, 2) == DP_SHIPMENT_LOST);
    assert (dp_shipment_completion (mixed, no, 2) == DP_SHIPMENT_UNKNOWN);
    assert (dp_shipment_completion (mixed, (bool []) { false, true }, 2) == DP_SHIPMENT_COMPLETED);
    assert (dp_shipment_completion (no, yes, 2) == DP_SHIPMENT_COMPLETED);
    //  No detail left: Completed, never Lost (all([]) in boxtribute).
    assert (dp_shipment_completion (NULL, NULL, 0) == DP_SHIPMENT_COMPLETED);
    (void) verbose;
    printf ("OK\n");
}
