/*  =========================================================================
    dp_authz - boxtribute's permission checks over the verified identity

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway verified the token and resolved every permission to the
    base ids it applies to (write/create/edit/delete already imply read).
    These checks only read that identity. The god role passes them all.
@end
*/
#ifndef DP_AUTHZ_H_INCLUDED
#define DP_AUTHZ_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_msg.h"

//  True when the user holds `permission` in at least one base (the check
//  for boxtribute's base-agnostic resources).
bool dp_authz_any_base (const dp_identity_t *identity, const char *permission);

//  True when the user holds `permission` for base_id. When false, denied
//  says what was missing as boxtribute words it: the permission itself
//  when the user has it nowhere, else "base=<id>".
bool dp_authz_base (const dp_identity_t *identity, const char *permission, int64_t base_id,
                    char *denied, size_t denied_len);

#endif
