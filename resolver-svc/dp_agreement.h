/*  =========================================================================
    dp_agreement - Query.transferAgreement(id)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute: an unknown id is BAD_USER_INPUT ("The requested resource
    does not exist in the database."); a caller needs transfer_agreement:read
    in one of the agreement's bases (the source and target bases of its
    details), else FORBIDDEN 'bases=[...]' (the bases ascending, each
    once), or 'transfer_agreement:read' without the permission anywhere.
    The agreement and its bases load in the same wave, both keyed by the id.
@end
*/
#ifndef DP_AGREEMENT_H_INCLUDED
#define DP_AGREEMENT_H_INCLUDED

#include "dp_binding.h"

void dp_agreement_root_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_agreement_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children);
int dp_agreement_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
