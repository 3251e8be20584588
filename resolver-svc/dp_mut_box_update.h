/*  =========================================================================
    dp_mut_box_update - Mutation.updateBox

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_BOX_UPDATE_H_INCLUDED
#define DP_MUT_BOX_UPDATE_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_update_box;

#endif
