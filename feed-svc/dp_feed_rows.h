/*  =========================================================================
    dp_feed_rows - one row event of the binary log as CHANGE messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A WRITE, UPDATE or DELETE rows event holds one or more rows of one
    table; each becomes one CHANGE: the table, the primary key's values
    (from the row after an insert or update, before a delete), the changed
    columns, the base when the row names it, and the transaction's GTID.
    Changed columns: every column for an insert or a delete; for an update,
    the columns whose value differs between the before and after images
    (binlog_row_image=FULL writes both whole), so an UPDATE that sets a
    column to the value it had does not name it, and one that changes
    nothing publishes nothing.
@end
*/
#ifndef DP_FEED_ROWS_H_INCLUDED
#define DP_FEED_ROWS_H_INCLUDED

#include "dp_feed_tables.h"
#include <czmq.h>
#include <mysql.h>
#include <mariadb_rpl.h>

//  Append the CHANGEs of rows_event (its table mapped by table_map, its
//  columns described by table) to out, one frame each, numbered from
//  *seq + 1 (*seq is left at the last number used). Returns the number of
//  messages appended, or -1 with err filled when the rows could not be read.
int dp_feed_rows_changes (MARIADB_RPL *rpl, MARIADB_RPL_EVENT *table_map,
                          MARIADB_RPL_EVENT *rows_event, const dp_feed_table_t *table,
                          const char *gtid, uint64_t *seq, zmsg_t *out,
                          char *err, size_t err_len);

#endif
