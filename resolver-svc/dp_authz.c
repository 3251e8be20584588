/*  =========================================================================
    dp_authz - boxtribute's permission checks over the verified identity

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_authz.h"
#include <stdio.h>
#include <string.h>

void
dp_authz_init (dp_authz_t *self, const dp_identity_t *identity)
{
    memset (self, 0, sizeof *self);
    self->identity = identity;
}

static const dp_permission_t *
s_find (dp_authz_t *self, const char *permission)
{
    for (size_t i = 0; i < self->n_memo; i++)
        if (self->memo [i].name == permission)
            return self->memo [i].found;
    const dp_permission_t *found = NULL;
    for (uint32_t i = 0; i < self->identity->n_permissions; i++)
        if (strcmp (self->identity->permissions [i].name, permission) == 0) {
            found = &self->identity->permissions [i];
            break;
        }
    if (self->n_memo < DP_AUTHZ_MEMO) {
        self->memo [self->n_memo].name = permission;
        self->memo [self->n_memo].found = found;
        self->n_memo++;
    }
    return found;
}

const dp_permission_t *
dp_authz_permission (dp_authz_t *self, const char *permission)
{
    return s_find (self, permission);
}

bool
dp_authz_any_base (dp_authz_t *self, const char *permission)
{
    if (self->identity->god)
        return true;
    const dp_permission_t *found = s_find (self, permission);
    return found && found->n_base_ids > 0;
}

bool
dp_authz_base (dp_authz_t *self, const char *permission, int64_t base_id,
               char *denied, size_t denied_len)
{
    if (self->identity->god)
        return true;
    const dp_permission_t *found = s_find (self, permission);
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
