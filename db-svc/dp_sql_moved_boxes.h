/*  =========================================================================
    dp_sql_moved_boxes - the SQL of the movedBoxes cube (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's movedBoxes counts, per day, the boxes of a base that left
    its stock: moved between InStock and Donated (counted back when they
    return), created Donated, deleted (undeleted ones counted back), sent
    to or received from another base, marked Lost or Scrap. Its facts are
    the rows of one statement (proto/dp_catalog.h, moved_boxes), answers
    equal to boxtribute's SQL (tests/integration/test_stats_moved.py runs
    both on boxtribute's dump).
@discuss
    boxtribute rebuilds each box's version at every change with ten
    correlated subqueries per history row (the next change of each field,
    else the previous one). Here the box's history is read once, in id
    order, and each of those neighbours comes from a window over it: the
    nearest change of a field after (or before) a row is the smallest (or
    largest) of that field's changes packed as one number (id, then value),
    so the one ordering of the box's rows answers all ten.
@end
*/
#ifndef DP_SQL_MOVED_BOXES_H_INCLUDED
#define DP_SQL_MOVED_BOXES_H_INCLUDED

#include "dp_sql_catalog.h"

//  Append the movedBoxes statement of the base of args (QUERY arguments
//  [base_id:int], read by dp_sql_cube_parse_base): rows [0, every column
//  of moved_boxes].
void dp_sql_moved_boxes_build (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  Selftest: the statement's shape (no database needed).
void dp_sql_moved_boxes_test (bool verbose);

#endif
