/*  =========================================================================
    dp_mut_shareable_link - Mutation.createShareableLink

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_SHAREABLE_LINK_H_INCLUDED
#define DP_MUT_SHAREABLE_LINK_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_shareable_link;

#endif
