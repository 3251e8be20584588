/*  =========================================================================
    dp_metrics - Query.metrics(organisationId) and its Metrics fields

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's resolve_metrics: an organisation's numbers, its own by
    default; a user other than god may ask only for its own organisation.
    Each Metrics field selected (numberOfFamiliesServed, numberOfSales,
    each with its own period) is one QUERY of one INT, sent by the root
    in the first wave.
@end
*/
#ifndef DP_METRICS_H_INCLUDED
#define DP_METRICS_H_INCLUDED

#include "dp_binding.h"

void dp_metrics_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_metrics_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children);
int dp_metrics_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
//  A Metrics field: the number its QUERY answered.
int dp_metrics_number_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#define DP_METRICS_BIND        { .kind = BIND_ROOT, .collect = dp_metrics_collect, \
                                 .children = dp_metrics_children, .write = dp_metrics_write }
#define DP_METRICS_NUMBER_BIND { .kind = BIND_SYNTHETIC, .write = dp_metrics_number_write }

#endif
