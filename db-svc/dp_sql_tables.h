/*  =========================================================================
    dp_sql_tables - the SQL of a transaction's STMT, built from dp_tables.h

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A STMT names a table and columns by id (proto/dp_tables.h) and one of
    four operations; this builds its one SQL statement. Identifiers come
    from the table list only; values are rendered as typed literals
    (integers and floats as numbers, strings quoted by the connector's
    escaper, datetimes checked digit by digit): nothing from the wire is
    pasted into SQL as text. A condition's string value its column cannot
    hold (dp_db_charset: the connection's character sets) is left out: no
    row could match it, and MariaDB would refuse the comparison.
@end
*/
#ifndef DP_SQL_TABLES_H_INCLUDED
#define DP_SQL_TABLES_H_INCLUDED

#include "dp_sql_catalog.h"
#include "dp_tables.h"
#include "dp_msg.h"
#include "dp_db_charset.h"

//  Check stmt against its table and build its SQL into sql, for a
//  connection whose character sets are charsets (NULL: unknown). For a
//  SELECT, types gets the wire type of each result column and *n_cols
//  their count. Returns 0, or -1 with err filled when the request is
//  refused (400).
int dp_sql_build_stmt (dp_sql_t *sql, const dp_stmt_t *stmt, const dp_db_charsets_t *charsets,
                       dp_coltype_t types [64], uint32_t *n_cols, char *err, size_t err_len);

void dp_sql_tables_test (bool verbose);

#endif
