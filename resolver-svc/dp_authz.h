/*  =========================================================================
    dp_authz - boxtribute's permission checks over the verified identity

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway verified the token and resolved every permission to the
    base ids it applies to (write/create/edit/delete already imply read).
    These checks only read that identity. The god role passes them all.
@discuss
    Checks run per row (a product's base, a tag's base), so a request's
    dp_authz_t remembers which permission each name resolved to: the
    names come from the mapping table's string constants, so after the
    first lookup a check is a pointer comparison and a scan of a few ids.
@end
*/
#ifndef DP_AUTHZ_H_INCLUDED
#define DP_AUTHZ_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_msg.h"

#define DP_AUTHZ_MEMO 24

typedef struct {
    const dp_identity_t *identity;
    struct {
        const char *name;               //  the caller's pointer
        const dp_permission_t *found;   //  NULL when the user lacks it
    } memo [DP_AUTHZ_MEMO];
    size_t n_memo;
} dp_authz_t;

//  Embedded-struct init: checks against identity (borrowed, must outlive self).
void dp_authz_init (dp_authz_t *self, const dp_identity_t *identity);

//  True when the user holds `permission` in at least one base (the check
//  for boxtribute's base-agnostic resources).
bool dp_authz_any_base (dp_authz_t *self, const char *permission);

//  The user's grant of `permission` (its base ids), or NULL when none.
//  Borrowed from the identity.
const dp_permission_t *dp_authz_permission (dp_authz_t *self, const char *permission);

//  True when the user holds `permission` for base_id. When false, denied
//  says what was missing as boxtribute words it: the permission itself
//  when the user has it nowhere, else "base=<id>".
bool dp_authz_base (dp_authz_t *self, const char *permission, int64_t base_id,
                    char *denied, size_t denied_len);

//  Selftest.
void dp_authz_test (bool verbose);

#endif
