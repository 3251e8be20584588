/*  =========================================================================
    dp_box_access - who may see one box (boxtribute's authorize_for_accessing_box)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by tests/integration/test_read_api.py and
    test_read_exact_more.py (box, qrCode.box).
@end
*/
#include "dp_box_access.h"
#include "dp_exec_hooks.h"
#include "dp_authz.h"
#include "dp_enums.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define BIT(col) ((uint64_t) 1 << DP_COL_box_access_##col)

uint64_t
dp_box_access_columns (void)
{
    return 1 | BIT (base_id) | BIT (base_name) | BIT (organisation_name) | BIT (box_state_id)
             | BIT (shipment_source_base_id) | BIT (shipment_target_base_id);
}

static bool
s_travelling (int64_t state)
{
    return state == dp_enums_box_state_id ("InTransit")
        || state == dp_enums_box_state_id ("Receiving")
        || state == dp_enums_box_state_id ("NotDelivered");
}

box_access_t
dp_box_access_check (dp_authz_t *authz, const char *permission, const dp_box_facts_t *facts,
                     char *denied, size_t len)
{
    if (s_travelling (facts->box_state_id)) {
        if (!facts->in_shipment)
            return BOX_ACCESS_NOT_FOUND;
        char unused [80];
        if (dp_authz_base (authz, permission, facts->source_base_id, unused, sizeof unused)
        ||  dp_authz_base (authz, permission, facts->target_base_id, unused, sizeof unused))
            return BOX_ACCESS_GRANTED;
        if (!dp_authz_any_base (authz, permission)) {
            snprintf (denied, len, "%s", permission);
            return BOX_ACCESS_NO_PERMISSION;
        }
        snprintf (denied, len, "bases=[%lld, %lld]", (long long) facts->source_base_id,
                  (long long) facts->target_base_id);
        return BOX_ACCESS_BASES_DENIED;
    }
    if (dp_authz_base (authz, permission, facts->base_id, denied, len))
        return BOX_ACCESS_GRANTED;
    return dp_authz_any_base (authz, permission) ? BOX_ACCESS_BASE_DENIED : BOX_ACCESS_NO_PERMISSION;
}

box_access_t
dp_box_access (dp_exec_t *exec, const row_t *access, char *denied, size_t len)
{
    dp_box_facts_t facts = {
        .base_id = row_int (access, DP_COL_box_access_base_id),
        .box_state_id = row_int (access, DP_COL_box_access_box_state_id),
        .in_shipment = !row_is_nil (access, DP_COL_box_access_shipment_source_base_id),
        .source_base_id = row_int (access, DP_COL_box_access_shipment_source_base_id),
        .target_base_id = row_int (access, DP_COL_box_access_shipment_target_base_id),
    };
    return dp_box_access_check (dp_exec_authz (exec), "stock:read", &facts, denied, len);
}

//  -------------------------------------------------------------------------
//  Selftest: a user with stock:read in bases 1 and 2 and stock:write in 1.

void
dp_box_access_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_box_access: ");
    int64_t read_bases [] = { 1, 2 }, write_bases [] = { 1 };
    dp_permission_t permissions [] = {
        { "stock:read", read_bases, 2 }, { "stock:write", write_bases, 1 },
    };
    dp_identity_t user = { .user_id = 8, .organisation_id = 1, .permissions = permissions,
                           .n_permissions = 2 };
    dp_authz_t authz;
    dp_authz_init (&authz, &user);
    char denied [80] = "";
    int64_t in_stock = dp_enums_box_state_id ("InStock"), in_transit = dp_enums_box_state_id ("InTransit");
    dp_box_facts_t base2 = { .base_id = 2, .box_state_id = in_stock };
    assert (dp_box_access_check (&authz, "stock:read", &base2, denied, sizeof denied) == BOX_ACCESS_GRANTED);
    assert (dp_box_access_check (&authz, "stock:write", &base2, denied, sizeof denied)
            == BOX_ACCESS_BASE_DENIED);
    assert (strcmp (denied, "base=2") == 0);
    dp_box_facts_t base1 = { .base_id = 1, .box_state_id = in_stock };
    assert (dp_box_access_check (&authz, "stock:write", &base1, denied, sizeof denied) == BOX_ACCESS_GRANTED);
    assert (dp_box_access_check (&authz, "stock:delete", &base1, denied, sizeof denied)
            == BOX_ACCESS_NO_PERMISSION);
    assert (strcmp (denied, "stock:delete") == 0);
    //  A travelling box: either base of its shipment; without one it does
    //  not exist; the location's base does not count.
    dp_box_facts_t travelling = { .base_id = 1, .box_state_id = in_transit, .in_shipment = true,
                                  .source_base_id = 2, .target_base_id = 3 };
    assert (dp_box_access_check (&authz, "stock:read", &travelling, denied, sizeof denied)
            == BOX_ACCESS_GRANTED);
    assert (dp_box_access_check (&authz, "stock:write", &travelling, denied, sizeof denied)
            == BOX_ACCESS_BASES_DENIED);
    assert (strcmp (denied, "bases=[2, 3]") == 0);
    travelling.target_base_id = 1;
    assert (dp_box_access_check (&authz, "stock:write", &travelling, denied, sizeof denied)
            == BOX_ACCESS_GRANTED);
    travelling.in_shipment = false;
    assert (dp_box_access_check (&authz, "stock:write", &travelling, denied, sizeof denied)
            == BOX_ACCESS_NOT_FOUND);
    printf ("OK\n");
}
