/*  =========================================================================
    dp_db_actor_kept - the DB actor's LOADs of kept rows: one position read
    for all of them, then the rows from the store or one statement each

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A LOAD of a loader whose rows are kept (dp_db_kept_rows) needs a
    position of the binary log read after it arrived before the store may
    answer it. That read (SELECT @@global.gtid_binlog_pos) serves every
    such LOAD that arrived before it was sent, and goes first in the text
    of the next read sent to the primary's pool (the rest of the request's
    wave, or another request's statement): it costs MariaDB a variable's
    read and no round trip of its own. Only when nothing else goes does it
    take an idle connection alone. A request's first read carries one too
    (while the feed vouches), and the requests of the reads in that text
    remember it: their later waves' LOADs of kept rows are answered as
    they arrive, with no read at all. A LOAD the store cannot answer (a key
    not kept, its tables changed, a position the feed has not vouched for
    yet) then runs its statement with every column of the loader and keeps
    its rows.
@discuss
    While it waits, a job holds one pending count (as a queued statement
    does), so an answer by CANCEL or deadline does not free it under the
    list. A position read that fails lets its LOADs run their statements.
    A remembered position is forgotten when its request writes (a TXN or
    STMT of the same trace id here); a mutation's own reads run in its
    transactions, never from kept rows. Only when the feed is live at
    arrival (dp_db_counts_live), outside transactions and read-your-writes, and with no replica (kept counts
    and rows are off then: the replica's rows lag the position the feed
    vouches for).
@end
*/
#include "dp_db_actor_state.h"
#include "dp_db_rows.h"
#include "dp_sql_catalog.h"
#include "dp_log.h"
#include <assert.h>
#include <string.h>

static const char s_position_sql [] = "SELECT @@global.gtid_binlog_pos";
#define S_POSITIONS_MAX 4096        //  requests whose position is remembered

//  The store could not answer job: its statement, every column, keeps the rows.
static void
s_load (dp_db_actor_state_t *self, dp_db_job_t *job)
{
    uint32_t loader = job->msg.u.load.loader;
    uint64_t all = dp_db_kept_rows_all_columns (loader);
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    stmt->columns = all;
    job->kept_stamp = dp_db_kept_rows_stamp (self->kept, loader);
    int rc = dp_sql_build_load (&stmt->sql, dp_sql_loader (loader), all, job->msg.u.load.keys,
                                job->n_keys);
    assert (rc == 0);           //  every column of a loader is a valid mask
    dp_db_actor_push (self, stmt, false);
}

//  Answer job from the kept rows at position (read after its request
//  arrived; NULL: none could be read), else run its statement.
static void
s_answer (dp_db_actor_state_t *self, dp_db_job_t *job, const char *position)
{
    if (position && dp_db_kept_rows_get (self->kept, job, position, zclock_mono ()))
        dp_db_rows_from_parts (&self->out, job);
    else
    if (dp_db_actor_unavailable (self, job->access))
        dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, "database unavailable");
    else
        s_load (self, job);
}

bool
dp_db_actor_kept_wait (dp_db_actor_state_t *self, dp_db_job_t *job)
{
    if (!self->kept || job->query || job->txn || job->min_gtid || job->n_parts != 1
    ||  job->msg.u.load.by_lookup
    ||  job->access != DP_DB_ACCESS_READ || !dp_db_kept_rows_keeps (job->msg.u.load.loader)
    ||  !dp_db_counts_live (self->counts, zclock_mono ()))
        return false;
    job->kept = true;
    //  An earlier wave of the same request read a position: it was read
    //  after the request arrived, so it serves this LOAD too.
    const char *position = *job->msg.trace_id
                         ? zhashx_lookup (self->kept_positions, job->msg.trace_id): NULL;
    if (position) {
        s_answer (self, job, position);
        return true;
    }
    job->pending++;                 //  held while it waits (see @discuss)
    job->kept_next = self->kept_waiting;
    self->kept_waiting = job;
    return true;                    //  the actor's dispatch sends the read
}

//  Let go of a job the list held; it is freed if it was answered meanwhile.
static void
s_unhold (dp_db_job_t *job)
{
    assert (job->pending > 0);
    job->pending--;
    dp_db_job_release (&job);
}

//  A position read, a statement of owner's job, for the LOADs waiting now.
static dp_db_stmt_t *
s_position_new (dp_db_actor_state_t *self, dp_db_job_t *owner)
{
    dp_db_stmt_t *stmt = dp_db_stmt_new (owner, 0);
    stmt->position = true;
    stmt->kept_jobs = self->kept_waiting;
    self->kept_waiting = NULL;
    dp_sql_append (&stmt->sql, s_position_sql);
    return stmt;
}

dp_db_stmt_t *
dp_db_actor_kept_position (dp_db_actor_state_t *self)
{
    return self->kept_waiting? s_position_new (self, self->kept_waiting): NULL;
}

//  Has stmt's request no position read yet (its first read, when the feed
//  vouches)? Reading one now, in the same text, lets its later waves'
//  LOADs of kept rows be answered as they arrive.
static bool
s_first_read (dp_db_actor_state_t *self, const dp_db_stmt_t *stmt)
{
    const char *trace_id = stmt->job->msg.trace_id;
    return *trace_id && !zhashx_lookup (self->kept_positions, trace_id)
        && dp_db_counts_live (self->counts, zclock_mono ());
}

dp_db_stmt_t *
dp_db_actor_kept_ahead (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt)
{
    if (!self->kept || stmt->job->txn || stmt->job->access != DP_DB_ACCESS_READ
    || (!self->kept_waiting && !s_first_read (self, stmt)))
        return stmt;
    dp_db_stmt_t *position = s_position_new (self, stmt->job);
    position->ahead_of = stmt;
    stmt->batch_next = slot->batch;
    slot->batch = stmt;
    return position;
}

//  Remember the position read for trace_id's LOADs. The map is bounded:
//  full, it starts again empty (a request then reads once more).
static void
s_remember (dp_db_actor_state_t *self, const char *trace_id, const char *position)
{
    if (zhashx_size (self->kept_positions) >= S_POSITIONS_MAX)
        zhashx_purge (self->kept_positions);
    char *copy = strdup (position);
    if (!copy)
        dp_fatal ("out of memory");
    zhashx_update (self->kept_positions, trace_id, copy);
}

void
dp_db_actor_kept_forget (dp_db_actor_state_t *self, const char *trace_id)
{
    if (self->kept_positions && trace_id && *trace_id)
        zhashx_delete (self->kept_positions, trace_id);
}

//  The position read of stmt ended (known: position was read): the
//  requests of the reads sent after it in its text remember it, and each
//  of its LOADs is answered from the kept rows or runs its statement.
static void
s_positioned (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, const char *position, bool known)
{
    //  They arrived before it was sent, and have not ended: their results
    //  come after its own.
    for (dp_db_stmt_t *after = known? stmt->ahead_of: NULL; after; after = after->batch_next) {
        for (dp_db_stmt_t *member = after; member;
             member = member == after? after->merged: member->merged_next)
            if (*member->job->msg.trace_id)
                s_remember (self, member->job->msg.trace_id, position);
    }
    stmt->ahead_of = NULL;
    dp_db_job_t *job = stmt->kept_jobs;
    stmt->kept_jobs = NULL;
    while (job) {
        dp_db_job_t *next = job->kept_next;
        job->kept_next = NULL;
        if (known && *job->msg.trace_id)
            s_remember (self, job->msg.trace_id, position);
        if (!job->answered)
            s_answer (self, job, known? position: NULL);
        s_unhold (job);
        job = next;
    }
}

void
dp_db_actor_kept_positioned (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn)
{
    char position [DP_GTID_MAX + 1] = "";
    bool known = false;
    unsigned long *lengths;
    char **row = dp_db_conn_num_fields (conn) == 1? dp_db_conn_fetch_row (conn, &lengths): NULL;
    if (row && row [0] && lengths [0] <= DP_GTID_MAX) {
        memcpy (position, row [0], lengths [0] + 1);
        known = true;
    }
    s_positioned (self, stmt, position, known);
}

void
dp_db_actor_kept_unpositioned (dp_db_actor_state_t *self, dp_db_stmt_t *stmt)
{
    s_positioned (self, stmt, "", false);
}

void
dp_db_actor_kept_answer (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn)
{
    dp_db_job_t *job = stmt->job;
    assert (job->kept && stmt->columns);
    dp_db_kept_rows_put (self->kept, job->msg.u.load.loader, job->kept_stamp,
                         job->msg.u.load.keys, job->n_keys, conn);
    dp_db_rows_from_merged (&self->out, job, conn, stmt->columns);
}

//  The late ones stay in the list, held, until their position read is sent.
void
dp_db_actor_kept_expire (dp_db_actor_state_t *self)
{
    uint64_t now = (uint64_t) zclock_time ();
    for (dp_db_job_t *job = self->kept_waiting; job; job = job->kept_next)
        if (!job->answered && dp_db_job_late (job, now))
            dp_db_job_fail (job, &self->out, DP_STATUS_TIMEOUT,
                            "deadline passed while the request waited for the binary log's position");
}

void
dp_db_actor_kept_drop (dp_db_actor_state_t *self)
{
    dp_db_job_t *job = self->kept_waiting;
    self->kept_waiting = NULL;
    while (job) {
        dp_db_job_t *next = job->kept_next;
        job->answered = true;           //  the requester was told we are going away
        s_unhold (job);
        job = next;
    }
}
