/*  =========================================================================
    dp_sql_public_numbers - the SQL of the public endpoint's totals (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's business_logic/metrics/crud.py gives the semantics of
    newlyCreatedBoxNumbers, newlyRegisteredBeneficiaryNumbers and
    reachedBeneficiariesNumbers: each counts, over every organisation but
    the test organisation (id 1), what happened in a span of date-times,
    both ends included. Each is one SCALAR statement: the resolver works
    the span out of start/end/duration (dp_public_numbers.c), db-svc only
    counts. The span's ends are rendered from checked digits; nothing
    else from the wire reaches SQL.
@end
*/
#ifndef DP_SQL_PUBLIC_NUMBERS_H_INCLUDED
#define DP_SQL_PUBLIC_NUMBERS_H_INCLUDED

#include "dp_sql_catalog.h"

//  QUERY arguments [start:str, end:str], each "YYYY-MM-DD HH:MM:SS" (UTC).
int dp_sql_public_parse_span (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                              dp_sql_query_args_t *args, char *err, size_t err_len);

//  Boxes created in the span whose location's base belongs to an
//  organisation (number_of_boxes_created_between).
void dp_sql_public_boxes_created (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  Beneficiaries created in the span: by history's "Record created" rows
//  (hard-deleted ones too) or by people.created
//  (number_of_beneficiaries_registered_between).
void dp_sql_public_beneficiaries_registered (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  Beneficiaries reached in the span: the UNION of those created or edited,
//  checked out (family heads and their members), registered for a service
//  or tagged (number_of_beneficiaries_reached_between).
void dp_sql_public_beneficiaries_reached (dp_sql_t *sql, const dp_sql_query_args_t *args);

#endif
