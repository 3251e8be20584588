/*  =========================================================================
    dp_sql_beneficiaries - the SQL of the beneficiary statistics (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    beneficiaryDemographics and beneficiaryReach are cubes (their rows are
    their facts, [0, every column of the set]; arguments [base_id:int] as
    every cube's, dp_sql_cube_parse_base); beneficiaryFigures is one row of
    counts the resolver turns into boxtribute's figures; the two metrics
    of an organisation are one INT each. Numbers and validated dates are
    the only things rendered into the SQL.
@end
*/
#ifndef DP_SQL_BENEFICIARIES_H_INCLUDED
#define DP_SQL_BENEFICIARIES_H_INCLUDED

#include "dp_sql_catalog.h"

//  boxtribute's beneficiaryDemographics: the base's beneficiaries (deleted
//  ones too) grouped by gender, age, creation and deletion day and tags.
void dp_sql_beneficiary_demographics (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  boxtribute's beneficiaryReach: history, checkouts (of the family head,
//  counted for each member too), services and tags applied, per day,
//  beneficiary and kind, over the last 104 weeks.
void dp_sql_beneficiary_reach (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  The counts behind boxtribute's beneficiaryFigures, one row.
void dp_sql_beneficiary_figures (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  QUERY arguments [organisation_id:int, after:str|nil, before:str|nil] of
//  a metric; dates "YYYY-MM-DD" (a datetime is accepted too).
int dp_sql_metric_parse (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                         dp_sql_query_args_t *args, char *err, size_t err_len);

//  boxtribute's Metrics.numberOfFamiliesServed: the organisation's
//  beneficiaries with a checkout (count > 0) in the period.
void dp_sql_metric_families_served (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  boxtribute's Metrics.numberOfSales: the items of the organisation's
//  transactions in the period (drops >= 0: returns of tokens are no sale).
void dp_sql_metric_number_of_sales (dp_sql_t *sql, const dp_sql_query_args_t *args);

#endif
