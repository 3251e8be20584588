/*  =========================================================================
    dp_db_purge - when db-svc deletes Idempotency-Key rows older than 24 hours

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The schedule only; dp_db_actor.c runs the statement. See the header.
@end
*/
#include "dp_db_purge.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_PURGE_BATCH       1000    //  rows per DELETE at most
#define S_PURGE_AGAIN_MS    100     //  after a full batch: the rest soon

void
dp_db_purge_init (dp_db_purge_t *self, int64_t interval_ms, int64_t now)
{
    memset (self, 0, sizeof *self);
    self->interval_ms = interval_ms > 0 ? interval_ms : 0;
    self->due_at = now + self->interval_ms;
}

bool
dp_db_purge_due (const dp_db_purge_t *self, int64_t now)
{
    return self->interval_ms > 0 && !self->running && now >= self->due_at;
}

const char *
dp_db_purge_sql (void)
{
    //  UTC, as the resolver writes created (dp_mutation_now).
#define S_STR(x) S_STR2 (x)
#define S_STR2(x) #x
    return "DELETE FROM depot_idempotency WHERE created < UTC_TIMESTAMP() - INTERVAL 1 DAY "
           "LIMIT " S_STR (S_PURGE_BATCH);
}

void
dp_db_purge_started (dp_db_purge_t *self)
{
    self->running = true;
}

void
dp_db_purge_done (dp_db_purge_t *self, int64_t now, bool ok, uint64_t deleted, const char *error)
{
    self->running = false;
    if (!ok) {
        if (!self->failing)
            dp_warn ("db: purging Idempotency-Key rows older than 24 hours failed: %s "
                     "(is db/idempotency.sql loaded?)", error ? error : "unknown error");
        self->failing = true;
        self->due_at = now + self->interval_ms;
        return;
    }
    self->failing = false;
    self->purged += deleted;
    if (deleted)
        dp_info ("db: purged %llu Idempotency-Key rows older than 24 hours",
                 (unsigned long long) deleted);
    self->due_at = now + (deleted >= S_PURGE_BATCH ? S_PURGE_AGAIN_MS : self->interval_ms);
}

int64_t
dp_db_purge_timeout (const dp_db_purge_t *self, int64_t now, int64_t cap)
{
    if (self->interval_ms == 0 || self->running)
        return cap;
    int64_t left = self->due_at - now;
    return left < 0 ? 0 : left < cap ? left : cap;
}

void
dp_db_purge_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_db_purge: ");
    dp_db_purge_t purge;
    dp_db_purge_init (&purge, 60000, 1000);
    assert (!dp_db_purge_due (&purge, 1000) && dp_db_purge_due (&purge, 61000));
    assert (dp_db_purge_timeout (&purge, 1000, 1000) == 1000);
    assert (dp_db_purge_timeout (&purge, 60500, 1000) == 500);
    assert (strstr (dp_db_purge_sql (), "LIMIT 1000"));
    dp_db_purge_started (&purge);
    assert (!dp_db_purge_due (&purge, 70000));
    //  A full batch: the next one soon; a partial one: an interval later.
    dp_db_purge_done (&purge, 70000, true, S_PURGE_BATCH, NULL);
    assert (!dp_db_purge_due (&purge, 70000) && dp_db_purge_due (&purge, 70000 + S_PURGE_AGAIN_MS));
    dp_db_purge_started (&purge);
    dp_db_purge_done (&purge, 80000, true, 3, NULL);
    assert (purge.purged == S_PURGE_BATCH + 3);
    assert (!dp_db_purge_due (&purge, 139999) && dp_db_purge_due (&purge, 140000));
    dp_db_purge_started (&purge);
    dp_db_purge_done (&purge, 140000, false, 0, "Table 'depot_idempotency' doesn't exist");
    assert (purge.failing && dp_db_purge_due (&purge, 200000));
    //  0: never.
    dp_db_purge_init (&purge, 0, 0);
    assert (!dp_db_purge_due (&purge, INT64_MAX / 2));
    assert (dp_db_purge_timeout (&purge, 0, 1000) == 1000);
    printf ("OK\n");
}
