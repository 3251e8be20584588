/*  =========================================================================
    dp_mut_tag_create - Mutation.createTag

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MUT_TAG_CREATE_H_INCLUDED
#define DP_MUT_TAG_CREATE_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_tag;

#endif
