/*  =========================================================================
    dp_db_kept_rows - rows of small, rarely written tables kept between
    requests while the change feed vouches that nothing they read changed

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A BoxView asks for the box's product, size, unit, location and base,
    the product's category, the base's organisation, locations and
    distribution events and the names of the history's users: a dozen
    statements, each a round trip, for rows that hardly ever change; and
    every ManageBoxes page reads its boxes' tag links and active shipment
    details, which change far less often than pages are read. The loaders
    of such tables (dp_db_kept_rows_keeps) keep their rows per key,
    every column of the loader, under a stamp of the tables they read
    (dp_db_counts_stamp), and answer a LOAD from them when both hold, as
    the kept counts do:
      - no CHANGE of those tables, gap, RESYNC or status out of step came
        since the rows were asked (the stamp is the same);
      - the feed vouches for every transaction committed up to a position
        of the binary log read after the request arrived
        (dp_db_counts_vouches).
    So rows answered equal what the statement would read at that
    position, whoever wrote them (plain SQL too).
@discuss
    Every column is kept (the loaders' columns are those of the table), so
    a later LOAD of any columns of the same keys is answered; a key with
    no row is kept too (an answer of no rows). At most
    DP_DB_KEPT_ROWS_MAX keys per loader: a full loader starts again empty.
@end
*/
#ifndef DP_DB_KEPT_ROWS_H_INCLUDED
#define DP_DB_KEPT_ROWS_H_INCLUDED

#include "dp_db_conn.h"
#include "dp_db_counts.h"
#include "dp_db_job.h"
#include <stdbool.h>
#include <stdint.h>

#define DP_DB_KEPT_ROWS_MAX 65536       //  keys kept per loader

typedef struct _dp_db_kept_rows_t dp_db_kept_rows_t;

//  An empty store vouched for by feed (borrowed: it must outlive the
//  store). Caller owns it, destroys it with dp_db_kept_rows_destroy.
dp_db_kept_rows_t *dp_db_kept_rows_new (dp_db_counts_t *feed);

//  Destroy the store and null *self_p; NULL is fine.
void dp_db_kept_rows_destroy (dp_db_kept_rows_t **self_p);

//  True when loader's rows may be kept: it reads only tables Depot's
//  requests seldom write, and its columns depend on nothing else (no
//  clock).
bool dp_db_kept_rows_keeps (uint32_t loader);

//  Every column of loader (its mask): what a LOAD whose rows are kept asks.
uint64_t dp_db_kept_rows_all_columns (uint32_t loader);

//  The stamp to keep loader's rows under: read it before the statement
//  is sent (dp_db_kept_rows_put).
uint64_t dp_db_kept_rows_stamp (dp_db_kept_rows_t *self, uint32_t loader);

//  True when every key of job (a LOAD of a kept loader) has rows kept
//  under the current stamp and the feed vouches for binlog_pos at now_ms:
//  job's part 0 then holds those rows with job's columns, in key order
//  (cells borrowed from the store: encode them before the store changes).
bool dp_db_kept_rows_get (dp_db_kept_rows_t *self, dp_db_job_t *job, const char *binlog_pos,
                          int64_t now_ms);

//  Keep the rows of conn's stored result, of every column of loader, for
//  each of keys [0..n_keys) (sorted), asked under stamp: dropped when the
//  stamp changed since. Leaves the result rewound.
void dp_db_kept_rows_put (dp_db_kept_rows_t *self, uint32_t loader, uint64_t stamp,
                          const int64_t *keys, size_t n_keys, dp_db_conn_t *conn);

void dp_db_kept_rows_test (bool verbose);

#endif
