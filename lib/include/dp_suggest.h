/*  =========================================================================
    dp_suggest - graphql-js's "Did you mean ...?" hints

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The hint graphql-js appends to unknown names (suggestionList, then
    didYouMean), for messages outside validation (variable coercion).
@end
*/
#ifndef DP_SUGGEST_H_INCLUDED
#define DP_SUGGEST_H_INCLUDED

#include <stddef.h>
#include "dp_arena.h"

//  " Did you mean [sub ]"a", "b", or "c"?" for the options close to input
//  (input_len bytes, which may hold NULs), or "" when none is. In arena.
const char *dp_suggest (dp_arena_t *arena, const char *sub, const char *input, size_t input_len,
                        const char **options, size_t n_options);

#endif
