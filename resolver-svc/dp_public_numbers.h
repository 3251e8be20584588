/*  =========================================================================
    dp_public_numbers - the public endpoint's totals over a span of time

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Query.newlyCreatedBoxNumbers, newlyRegisteredBeneficiaryNumbers and
    reachedBeneficiariesNumbers(start, end, duration) of the public schema.
    The span is boxtribute's get_time_span: start and end; start and
    duration days; end and duration; duration alone, ending now; start
    alone, ending now. Another combination, a negative duration, a start
    after the end or a span past the year 9999 is BAD_USER_INPUT with
    boxtribute's message. Each field is then one SCALAR QUERY of db-svc
    (dp_sql_public_numbers.c): a read, run on the replica when one is up.
@end
*/
#ifndef DP_PUBLIC_NUMBERS_H_INCLUDED
#define DP_PUBLIC_NUMBERS_H_INCLUDED

#include "dp_binding.h"

void dp_public_numbers_collect (dp_exec_t *exec, plan_field_t *pf);
int dp_public_numbers_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#define DP_PUBLIC_NUMBERS_BIND { .kind = BIND_ROOT, .collect = dp_public_numbers_collect, \
                                 .write = dp_public_numbers_write }

#endif
