/*  =========================================================================
    dp_authz - boxtribute's permission checks over the verified identity

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_authz.h"
#include <stdio.h>
#include <string.h>
#include <assert.h>

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

//  -------------------------------------------------------------------------
//  Selftest: a coordinator of bases 1 and 2, a user without a grant, a god.

void
dp_authz_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_authz: ");
    int64_t stock_bases [] = { 1, 2 };
    dp_permission_t permissions [] = {
        { "stock:read", stock_bases, 2 },
        { "tag:read", NULL, 0 },            //  named, in no base
    };
    dp_identity_t coordinator = { .user_id = 8, .organisation_id = 1, .permissions = permissions,
                                  .n_permissions = 2 };
    dp_authz_t authz;
    dp_authz_init (&authz, &coordinator);
    char denied [80];
    const char *stock = "stock:read", *tag = "tag:read", *product = "product:read";
    assert (dp_authz_any_base (&authz, stock));
    assert (!dp_authz_any_base (&authz, tag));
    assert (!dp_authz_any_base (&authz, product));
    assert (dp_authz_permission (&authz, stock) == &permissions [0]);
    assert (dp_authz_permission (&authz, product) == NULL);
    assert (dp_authz_base (&authz, stock, 2, denied, sizeof denied));
    //  Denied in another base: boxtribute names the base; held nowhere:
    //  the permission.
    assert (!dp_authz_base (&authz, stock, 3, denied, sizeof denied));
    assert (strcmp (denied, "base=3") == 0);
    assert (!dp_authz_base (&authz, tag, 1, denied, sizeof denied));
    assert (strcmp (denied, "tag:read") == 0);
    assert (!dp_authz_base (&authz, product, 1, denied, sizeof denied));
    assert (strcmp (denied, "product:read") == 0);
    //  The memo answers the same for the same name, and keeps answering
    //  past its size.
    assert (authz.n_memo == 3);
    char names [DP_AUTHZ_MEMO + 4][16];
    for (size_t i = 0; i < DP_AUTHZ_MEMO + 4; i++) {
        snprintf (names [i], sizeof names [i], "x%zu:read", i);
        assert (!dp_authz_any_base (&authz, names [i]));
    }
    assert (authz.n_memo == DP_AUTHZ_MEMO);
    assert (dp_authz_base (&authz, stock, 1, denied, sizeof denied));

    //  God passes every check, with or without a grant.
    dp_identity_t god = { .user_id = 1, .god = true };
    dp_authz_init (&authz, &god);
    assert (dp_authz_any_base (&authz, product));
    assert (dp_authz_base (&authz, product, 99, denied, sizeof denied));
    printf ("OK\n");
}
