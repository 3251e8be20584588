/*  =========================================================================
    dp_db_purge - when db-svc deletes Idempotency-Key rows older than 24 hours

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot_idempotency (db/idempotency.sql) keeps a key's claim and stored
    answers for 24 hours. Each db-svc deletes older rows on its control
    connection to the primary (idle but for the odd KILL QUERY), every
    interval, at most S_PURGE_BATCH rows per statement over the created
    index: bounded work, never a long lock. A full batch runs the next one
    soon after, so a backlog drains; several db-svc purging the same rows
    is harmless. A failure (the table not created yet) is logged once
    until a purge succeeds again.
@end
*/
#ifndef DP_DB_PURGE_H_INCLUDED
#define DP_DB_PURGE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t interval_ms;        //  between purges; 0: never
    int64_t due_at;             //  zclock_mono ms of the next purge
    bool running;               //  the DELETE is out on the control connection
    bool failing;               //  the last one failed (logged)
    uint64_t purged;            //  rows deleted since start
} dp_db_purge_t;

//  Set up: the first purge one interval after now (zclock_mono ms).
void dp_db_purge_init (dp_db_purge_t *self, int64_t interval_ms, int64_t now);

//  True when a purge should start now; the caller then runs
//  dp_db_purge_sql () and marks it with dp_db_purge_started.
bool dp_db_purge_due (const dp_db_purge_t *self, int64_t now);
const char *dp_db_purge_sql (void);
void dp_db_purge_started (dp_db_purge_t *self);

//  The DELETE finished: ok with the rows it deleted, or failed with error.
void dp_db_purge_done (dp_db_purge_t *self, int64_t now, bool ok, uint64_t deleted,
                       const char *error);

//  Milliseconds until the next purge is due (capped at cap), for the poll.
int64_t dp_db_purge_timeout (const dp_db_purge_t *self, int64_t now, int64_t cap);

void dp_db_purge_test (bool verbose);

#endif
