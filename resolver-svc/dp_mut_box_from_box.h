/*  =========================================================================
    dp_mut_box_from_box - Mutation.createBoxFromBox

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_BOX_FROM_BOX_H_INCLUDED
#define DP_MUT_BOX_FROM_BOX_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_box_from_box;

#endif
