/*  =========================================================================
    dp_cube_access - who may read a statistics cube of a base

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's checks for a cube (business_logic/statistics/queries.py):
    its base-agnostic permissions in some base, then its base permissions
    in the base; for a cube it reads with authorize_cross_organisation_access
    (authz.py), a user of another organisation reads the base when an
    Accepted transfer agreement links it to one of the bases they hold the
    cube's first base permission in, and they hold every base permission
    in one of those bases.
@discuss
    The identity alone decides for god users and for callers who hold the
    permissions in the base (the token's bases are their organisation's).
    Otherwise the decision needs the base's organisation and the bases its
    Accepted agreements link it to: dp_cube_access_first says so, and
    dp_cube_access_by_agreement decides once they are loaded.
    Refusals name what is missing as boxtribute words them ("stock:read",
    "base=<id>", "bases=[1, 2]").
@end
*/
#ifndef DP_CUBE_ACCESS_H_INCLUDED
#define DP_CUBE_ACCESS_H_INCLUDED

#include "dp_cube.h"
#include "dp_authz.h"

typedef enum {
    DP_CUBE_ACCESS_GRANTED,
    DP_CUBE_ACCESS_DENIED,          //  `denied` says why
    DP_CUBE_ACCESS_NEEDS_BASE       //  ask dp_cube_access_by_agreement with the base loaded
} dp_cube_access_t;

//  An Accepted agreement's pair of bases (a transfer_agreement_detail row).
typedef struct {
    int64_t source_base_id;
    int64_t target_base_id;
} dp_cube_link_t;

//  What the identity alone decides for cube's base base_id.
dp_cube_access_t dp_cube_access_first (dp_authz_t *authz, const dp_cube_t *cube, int64_t base_id,
                                       char *denied, size_t denied_len);

//  The decision dp_cube_access_first left open: base_organisation_id is the
//  base's organisation (0: no such base), links the details of the Accepted
//  agreements naming the base. GRANTED or DENIED.
dp_cube_access_t dp_cube_access_by_agreement (dp_authz_t *authz, const dp_cube_t *cube,
                                              int64_t base_id, int64_t base_organisation_id,
                                              const dp_cube_link_t *links, size_t n_links,
                                              char *denied, size_t denied_len);

//  Selftest: own base, another organisation's with and without agreement.
void dp_cube_access_test (bool verbose);

#endif
