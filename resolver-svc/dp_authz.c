/*  =========================================================================
    dp_authz - boxtribute's permission checks over the verified identity

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_authz.h"
#include <stdio.h>
#include <string.h>

static const dp_permission_t *
s_find (const dp_identity_t *identity, const char *permission)
{
    for (uint32_t i = 0; i < identity->n_permissions; i++)
        if (strcmp (identity->permissions [i].name, permission) == 0)
            return &identity->permissions [i];
    return NULL;
}

bool
dp_authz_any_base (const dp_identity_t *identity, const char *permission)
{
    if (identity->god)
        return true;
    const dp_permission_t *found = s_find (identity, permission);
    return found && found->n_base_ids > 0;
}

bool
dp_authz_base (const dp_identity_t *identity, const char *permission, int64_t base_id,
               char *denied, size_t denied_len)
{
    if (identity->god)
        return true;
    const dp_permission_t *found = s_find (identity, permission);
    if (!found || found->n_base_ids == 0) {
        snprintf (denied, denied_len, "%s", permission);
        return false;
    }
    for (uint32_t i = 0; i < found->n_base_ids; i++)
        if (found->base_ids [i] == base_id)
            return true;
    snprintf (denied, denied_len, "base=%lld", (long long) base_id);
    return false;
}
