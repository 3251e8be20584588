/*  =========================================================================
    dp_cube_access - who may read a statistics cube of a base

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_cube_access.h. Covered end to end by
    tests/integration/test_stats_cubes.py (agreements written by the test)
    and test_stats_dump.py (boxtribute's dump's own agreements).
@end
*/
#include "dp_cube_access.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static bool
s_holds_in (const dp_permission_t *permission, int64_t base_id)
{
    for (uint32_t i = 0; permission && i < permission->n_base_ids; i++)
        if (permission->base_ids [i] == base_id)
            return true;
    return false;
}

//  The cube's base permissions in base_id; false with the first refusal in denied.
static bool
s_in_base (dp_authz_t *authz, const dp_cube_t *cube, int64_t base_id, char *denied, size_t denied_len)
{
    for (size_t p = 0; p < DP_CUBE_MAX_PERMISSIONS && cube->in_base [p]; p++)
        if (!dp_authz_base (authz, cube->in_base [p], base_id, denied, denied_len))
            return false;
    return true;
}

dp_cube_access_t
dp_cube_access_first (dp_authz_t *authz, const dp_cube_t *cube, int64_t base_id,
                      char *denied, size_t denied_len)
{
    for (size_t p = 0; p < DP_CUBE_MAX_PERMISSIONS && cube->anywhere [p]; p++)
        if (!dp_authz_any_base (authz, cube->anywhere [p])) {
            snprintf (denied, denied_len, "%s", cube->anywhere [p]);
            return DP_CUBE_ACCESS_DENIED;
        }
    if (s_in_base (authz, cube, base_id, denied, denied_len))
        return DP_CUBE_ACCESS_GRANTED;
    return cube->cross_organisation ? DP_CUBE_ACCESS_NEEDS_BASE : DP_CUBE_ACCESS_DENIED;
}

//  "bases=[1, 2]", as Python prints boxtribute's list of the user's bases.
static void
s_deny_bases (const dp_permission_t *bases, char *denied, size_t denied_len)
{
    size_t at = (size_t) snprintf (denied, denied_len, "bases=[");
    for (uint32_t i = 0; i < bases->n_base_ids && at < denied_len; i++)
        at += (size_t) snprintf (denied + at, denied_len - at, "%s%lld", i ? ", " : "",
                                 (long long) bases->base_ids [i]);
    if (at < denied_len)
        snprintf (denied + at, denied_len - at, "]");
}

dp_cube_access_t
dp_cube_access_by_agreement (dp_authz_t *authz, const dp_cube_t *cube, int64_t base_id,
                             int64_t base_organisation_id, const dp_cube_link_t *links,
                             size_t n_links, char *denied, size_t denied_len)
{
    snprintf (denied, denied_len, "base=%lld", (long long) base_id);
    if (base_organisation_id == 0)
        return DP_CUBE_ACCESS_DENIED;
    if (base_organisation_id == authz->identity->organisation_id)
        return s_in_base (authz, cube, base_id, denied, denied_len)
               ? DP_CUBE_ACCESS_GRANTED : DP_CUBE_ACCESS_DENIED;
    //  The user's bases: those of the cube's first base permission.
    const dp_permission_t *user_bases = dp_authz_permission (authz, cube->in_base [0]);
    bool linked = false;
    for (size_t l = 0; user_bases && l < n_links && !linked; l++)
        linked = (links [l].target_base_id == base_id && s_holds_in (user_bases, links [l].source_base_id))
              || (links [l].source_base_id == base_id && s_holds_in (user_bases, links [l].target_base_id));
    if (!linked)
        return DP_CUBE_ACCESS_DENIED;
    //  Across organisations the user still needs every base permission in
    //  one of their own bases.
    for (size_t p = 0; p < DP_CUBE_MAX_PERMISSIONS && cube->in_base [p]; p++) {
        const dp_permission_t *permission = dp_authz_permission (authz, cube->in_base [p]);
        if (!permission) {
            snprintf (denied, denied_len, "%s", cube->in_base [p]);
            return DP_CUBE_ACCESS_DENIED;
        }
        bool held = false;
        for (uint32_t b = 0; b < user_bases->n_base_ids && !held; b++)
            held = s_holds_in (permission, user_bases->base_ids [b]);
        if (!held) {
            s_deny_bases (user_bases, denied, denied_len);
            return DP_CUBE_ACCESS_DENIED;
        }
    }
    return DP_CUBE_ACCESS_GRANTED;
}

//  -------------------------------------------------------------------------
//  Selftest: a coordinator of base 3 (organisation 2) and base 1 of organisation 1.

void
dp_cube_access_test (bool verbose)
{
    printf (" * dp_cube_access: ");
    int64_t bases [] = { 3 }, none [] = { 4 };
    dp_permission_t permissions [] = {
        { "stock:read", bases, 1 }, { "product:read", none, 1 }, { "product_category:read", bases, 1 },
    };
    dp_identity_t user = { .user_id = 8, .organisation_id = 2, .permissions = permissions,
                           .n_permissions = 3 };
    dp_authz_t authz;
    dp_authz_init (&authz, &user);
    dp_cube_t cube = { .root_field = "cube", .in_base = { "stock:read", "product:read" },
                       .anywhere = { "product_category:read" }, .cross_organisation = true };
    char denied [80];
    //  Not in the base itself: the base decides.
    assert (dp_cube_access_first (&authz, &cube, 1, denied, sizeof denied) == DP_CUBE_ACCESS_NEEDS_BASE);
    cube.cross_organisation = false;
    assert (dp_cube_access_first (&authz, &cube, 1, denied, sizeof denied) == DP_CUBE_ACCESS_DENIED);
    assert (strcmp (denied, "base=1") == 0);
    cube.cross_organisation = true;
    dp_cube_link_t links [] = { { 1, 3 } }, elsewhere [] = { { 1, 5 } };
    //  No such base; no agreement with the user's bases.
    assert (dp_cube_access_by_agreement (&authz, &cube, 1, 0, links, 1, denied, sizeof denied)
            == DP_CUBE_ACCESS_DENIED);
    assert (strcmp (denied, "base=1") == 0);
    assert (dp_cube_access_by_agreement (&authz, &cube, 1, 1, elsewhere, 1, denied, sizeof denied)
            == DP_CUBE_ACCESS_DENIED);
    assert (strcmp (denied, "base=1") == 0);
    //  An agreement, but product:read is not held in base 3.
    assert (dp_cube_access_by_agreement (&authz, &cube, 1, 1, links, 1, denied, sizeof denied)
            == DP_CUBE_ACCESS_DENIED);
    assert (strcmp (denied, "bases=[3]") == 0);
    none [0] = 3;
    assert (dp_cube_access_by_agreement (&authz, &cube, 1, 1, links, 1, denied, sizeof denied)
            == DP_CUBE_ACCESS_GRANTED);
    //  A base of the user's own organisation: its own permissions decide.
    assert (dp_cube_access_by_agreement (&authz, &cube, 6, 2, links, 1, denied, sizeof denied)
            == DP_CUBE_ACCESS_DENIED);
    assert (strcmp (denied, "base=6") == 0);
    if (verbose)
        printf ("(agreements) ");
    printf ("OK\n");
}
