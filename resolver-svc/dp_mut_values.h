/*  =========================================================================
    dp_mut_values - typed values for a mutation's statements

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    STMT values and conditions are dp_val_t; these build them in place.
    Strings are borrowed: dp_mutation_* copies what it is given.
@end
*/
#ifndef DP_MUT_VALUES_H_INCLUDED
#define DP_MUT_VALUES_H_INCLUDED

#include <stdint.h>
#include <string.h>
#include "dp_msg.h"

static inline dp_val_t
dp_mut_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

//  A STR value over text; NIL for NULL.
static inline dp_val_t
dp_mut_text (const char *text)
{
    if (!text)
        return (dp_val_t) { .type = DP_VAL_NIL };
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) strlen (text) } };
}

//  NIL: in a condition's values, "IS NULL" (a live relation: deleted_on).
static inline dp_val_t
dp_mut_nil (void)
{
    return (dp_val_t) { .type = DP_VAL_NIL };
}

#endif
