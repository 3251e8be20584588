/*  =========================================================================
    dp_sql_stock_overview - the SQL of the stockOverview cube (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's stockOverview: the base's boxes that are not deleted, in
    locations that are not deleted, counted with their items by size,
    location, state, product category, name and gender, measure and tags.
    Its facts are the rows of one statement (proto/dp_catalog.h,
    stock_overview).

    QUERY arguments [base_id:int, tag_ids:[int]|nil, excluded_tag_ids:[int]|nil]
    (boxtribute's compute_stock_overview, which the public StockOverview
    links use): with tag_ids, only boxes with at least one of those tags;
    with excluded_tag_ids, no box with any of them. nil or an empty list is
    no filter, as in boxtribute.
@discuss
    A tag that is deleted is not one of the box's tags. boxtribute drops
    the rows of such tags after its join, so a box whose only tags are
    deleted ones disappears from its overview; here it is counted, without
    tags (README, "Deliberate choices").
@end
*/
#ifndef DP_SQL_STOCK_OVERVIEW_H_INCLUDED
#define DP_SQL_STOCK_OVERVIEW_H_INCLUDED

#include "dp_sql_catalog.h"

//  Read the QUERY arguments into args->stock; the lists are copied into
//  arena. Returns 0, or -1 with err filled (the caller answers 400).
int dp_sql_stock_overview_parse (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                                 dp_sql_query_args_t *args, char *err, size_t err_len);

//  Append the statement: rows [0, every column of stock_overview].
void dp_sql_stock_overview_build (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  Selftest: arguments and the statement's filters (no database needed).
void dp_sql_stock_overview_test (bool verbose);

#endif
