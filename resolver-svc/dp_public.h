/*  =========================================================================
    dp_public - the root fields of the public schema (POST /public)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    resolveLink(code): a shared link by its code, the only key a request
    without an identity holds. The link's row (shareable_link_by_code, its
    base's and organisation's names joined in SQL) decides the union
    member: UnknownLinkError {code} for no row, ExpiredLinkError
    {validUntil} past its validity, else the ResolvedLink.
@end
*/
#ifndef DP_PUBLIC_H_INCLUDED
#define DP_PUBLIC_H_INCLUDED

#include "dp_binding.h"

void dp_public_resolve_link_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_public_resolve_link_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                      obj_t **children, size_t *n_children);

#endif
