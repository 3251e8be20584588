/*  =========================================================================
    dp_mut_qr_create - Mutation.createQrCode

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_QR_CREATE_H_INCLUDED
#define DP_MUT_QR_CREATE_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_qr_code;

#endif
