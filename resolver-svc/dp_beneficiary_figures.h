/*  =========================================================================
    dp_beneficiary_figures - Query.beneficiaryFigures(baseId)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's beneficiary_figures (business_logic/metrics/crud.py):
    figures about a base's families and checkouts, from one row of counts
    (db-svc's beneficiary_figures QUERY) made into a BeneficiaryFigures
    record. Needs base:read and beneficiary:read in the base.
@end
*/
#ifndef DP_BENEFICIARY_FIGURES_H_INCLUDED
#define DP_BENEFICIARY_FIGURES_H_INCLUDED

#include "dp_binding.h"

void dp_beneficiary_figures_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_beneficiary_figures_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                      obj_t **children, size_t *n_children);
int dp_beneficiary_figures_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#define DP_BENEFICIARY_FIGURES_BIND { .kind = BIND_ROOT, .collect = dp_beneficiary_figures_collect, \
                                      .children = dp_beneficiary_figures_children, \
                                      .write = dp_beneficiary_figures_write }

#endif
