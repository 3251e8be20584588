/*  =========================================================================
    dp_db_own_writes - Depot's own committed writes, for the change feed's fallback

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Where MariaDB keeps no usable binary log the change feed cannot see
    every change; it publishes Depot's own instead (README "Change feed").
    db-svc knows them: each write STMT of a transaction becomes CHANGEs
    (dp_change, sequence 0 and no GTID: the feed numbers them), kept with
    the transaction and pushed to the feed (DEPOT_FEED_WRITES) once its
    COMMIT succeeded; a rolled-back transaction's are dropped.
    Keys: an INSERT's rows by their id (given, or the first id MariaDB
    generated plus the row's index), an UPDATE's or DELETE's by the ids its
    where names; a statement that selects rows by another column is one
    CHANGE without a key (the table changed). Columns: those an INSERT or
    UPDATE writes, every column of the table for a DELETE. No base.
@end
*/
#ifndef DP_DB_OWN_WRITES_H_INCLUDED
#define DP_DB_OWN_WRITES_H_INCLUDED

#include "dp_msg.h"
#include <czmq.h>

//  Append the CHANGEs of one finished INSERT, UPDATE or DELETE to *changes
//  (made on the first one); insert_id is MariaDB's first generated id.
void dp_db_own_writes_add (zmsg_t **changes, const dp_stmt_t *stmt, uint64_t insert_id);

//  Push a committed transaction's changes to the feed as one message
//  (first frame the commit's GTID, "" when the server reports none, then
//  one CHANGE per frame), never waiting: with no feed connected, or one
//  too slow, they are dropped (the fallback is Depot's writes as far as
//  it can tell them, not a log). Destroys *changes.
void dp_db_own_writes_send (void *push, zmsg_t **changes, const char *gtid);

//  Selftest (needs no database).
void dp_db_own_writes_test (bool verbose);

#endif
