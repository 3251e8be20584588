/*  =========================================================================
    dp_mut_shipment_create - Mutation.createShipment

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_SHIPMENT_CREATE_H_INCLUDED
#define DP_MUT_SHIPMENT_CREATE_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_shipment;

#endif
