/*  =========================================================================
    dp_sql_cubes - the SQL of the statistics cubes (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each cube is a root QUERY of one statement whose rows are its facts,
    [0, every column of its set] (proto/dp_catalog.h), aggregated in SQL.
    A cube's entry in dp_sql_catalog.c's query table points here for the
    reading of its arguments and its statement. The base id is rendered
    as a number; nothing from the wire is pasted into SQL.
@end
*/
#ifndef DP_SQL_CUBES_H_INCLUDED
#define DP_SQL_CUBES_H_INCLUDED

#include "dp_sql_catalog.h"

//  QUERY arguments [base_id:int] of a cube of one base. The mask must name
//  every column of the query's set: the statement answers them all.
int dp_sql_cube_parse_base (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                            dp_sql_query_args_t *args, char *err, size_t err_len);

//  boxtribute's createdBoxes: the boxes whose first location was in the
//  base, by creation day, first product and current tags.
void dp_sql_cube_created_boxes (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  boxtribute's topProductsCheckedOut: items of the base's products
//  checked out (transactions) per day, ranked.
void dp_sql_cube_top_products_checked_out (dp_sql_t *sql, const dp_sql_query_args_t *args);

//  boxtribute's topProductsDonated: items of boxes of the base's products
//  moved from InStock to Donated, per day, ranked.
void dp_sql_cube_top_products_donated (dp_sql_t *sql, const dp_sql_query_args_t *args);

#endif
