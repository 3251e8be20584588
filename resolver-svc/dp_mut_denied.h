/*  =========================================================================
    dp_mut_denied - a refused permission as a mutation's union error

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's handle_unauthorized: a permission the user holds nowhere is
    InsufficientPermissionError { name: permission }; one held, but not for
    the base asked, is UnauthorizedForBaseError { id, name, organisationName }
    with the base's and its organisation's names (empty strings when the
    base does not exist), which takes two LOAD rounds. The field rolls back.

    Use: embed a dp_mut_denied_t in the step's state; when dp_authz_base
    refuses, call dp_mut_denied_start and return; begin the step with
        if (dp_mut_denied_step (m, &state->denied)) return;
@end
*/
#ifndef DP_MUT_DENIED_H_INCLUDED
#define DP_MUT_DENIED_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include "dp_mutation.h"

typedef struct {
    int stage;                          //  0: not refused; 1: base asked; 2: organisation asked
    int64_t base_id;
    const char *base_name;
    dp_mutation_reply_t *reply;
} dp_mut_denied_t;

//  Finishes the field with the union error for `denied` (what
//  dp_authz_base wrote) at once, or starts loading base_id's names.
void dp_mut_denied_start (dp_mutation_t *m, dp_mut_denied_t *self, const char *permission,
                          const char *denied, int64_t base_id);

//  True when this round belonged to a refusal started before (the step
//  returns at once); false when no refusal is under way.
bool dp_mut_denied_step (dp_mutation_t *m, dp_mut_denied_t *self);

#endif
