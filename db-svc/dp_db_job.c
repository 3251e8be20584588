/*  =========================================================================
    dp_db_job - one LOAD or QUERY under way in the DB actor, and its
    statements

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_job.h.
@end
*/
#include "dp_db_job.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

dp_db_job_t *
dp_db_job_new (dp_db_job_t **jobs, zframe_t **routing_p, dp_arena_t **arena_p,
               const dp_msg_t *msg)
{
    assert (jobs && routing_p && arena_p && *arena_p && msg);
    dp_db_job_t *self = dp_arena_calloc (*arena_p, 1, sizeof (dp_db_job_t));
    self->arena = *arena_p;
    *arena_p = NULL;
    self->routing = *routing_p;
    *routing_p = NULL;
    self->msg = *msg;
    self->access = dp_db_target_access (msg->type, false);     //  no transactions yet
    self->list = jobs;
    self->next = *jobs;
    if (*jobs)
        (*jobs)->prev = self;
    *jobs = self;
    return self;
}

void
dp_db_job_destroy (dp_db_job_t **self_p)
{
    assert (self_p);
    dp_db_job_t *self = *self_p;
    if (!self)
        return;
    assert (self->pending == 0);
    if (self->prev)
        self->prev->next = self->next;
    else
        *self->list = self->next;
    if (self->next)
        self->next->prev = self->prev;
    zframe_destroy (&self->routing);
    dp_arena_t *arena = self->arena;
    dp_arena_destroy (&arena);          //  the job itself lives in the arena
    *self_p = NULL;
}

void
dp_db_job_release (dp_db_job_t **self_p)
{
    assert (self_p && *self_p);
    if ((*self_p)->answered && (*self_p)->pending == 0)
        dp_db_job_destroy (self_p);
}

dp_db_job_t *
dp_db_job_find (dp_db_job_t *jobs, zframe_t *routing, uint64_t id)
{
    dp_db_job_t *job = jobs;
    while (job && !(job->msg.id == id && zframe_eq (job->routing, routing)))
        job = job->next;
    return job;
}

bool
dp_db_job_late (const dp_db_job_t *self, uint64_t now)
{
    return self->msg.deadline_ms && now >= self->msg.deadline_ms;
}

void
dp_db_job_fail (dp_db_job_t *self, dp_db_reply_t *out, uint32_t status, const char *fmt, ...)
{
    if (self->answered)
        return;
    char message [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    dp_db_reply_error (out, self->routing, self->msg.id, self->msg.trace_id, status, "%s",
                       message);
    self->answered = true;
}

void
dp_db_job_fail_late (dp_db_job_t *self, dp_db_reply_t *out)
{
    dp_db_job_fail (self, out, DP_STATUS_TIMEOUT, self->started
                    ? "deadline passed while the request waited for a connection"
                    : "deadline passed before the request started");
}

dp_db_stmt_t *
dp_db_stmt_new (dp_db_job_t *job, uint32_t part)
{
    dp_db_stmt_t *self = dp_arena_calloc (job->arena, 1, sizeof (dp_db_stmt_t));
    self->job = job;
    self->part = part;
    self->created_us = zclock_usecs ();
    dp_sql_init (&self->sql);
    job->pending++;
    return self;
}

void
dp_db_stmt_finish (dp_db_stmt_t *self)
{
    dp_db_job_t *job = self->job;
    dp_sql_destroy (&self->sql);
    assert (job->pending > 0);
    job->pending--;
    dp_db_job_release (&job);
}

bool
dp_db_stmt_keyed (const dp_db_stmt_t *self)
{
    //  (Merged lookups, stmt->lookups, are a QUERY's: no LOAD has one.)
    const dp_db_job_t *job = self->job;
    return job->msg.type == DP_MSG_LOAD && !self->position && !job->msg.u.load.by_lookup;
}

void
dp_db_stmt_limit (dp_db_stmt_t *self, int64_t left_ms)
{
    dp_sql_t text;
    dp_sql_init (&text);
    dp_sql_printf (&text, "SET STATEMENT max_statement_time=%lld.%03lld%s FOR ",
                   (long long) (left_ms / 1000), (long long) (left_ms % 1000),
                   dp_db_stmt_keyed (self)? ", eq_range_index_dive_limit=1": "");
    dp_sql_append (&text, self->sql.data);
    dp_sql_destroy (&self->sql);
    self->sql = text;
}


//  ==========================================================================
//  Selftest: a job's life over a real ROUTER/DEALER pair, no database.

static dp_db_job_t *
s_test_job (dp_db_job_t **jobs, const char *peer, uint64_t id, uint64_t deadline)
{
    dp_arena_t *arena = dp_arena_new (0);
    zframe_t *routing = zframe_new (peer, strlen (peer));
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .id = id,
                     .trace_id = "t", .deadline_ms = deadline };
    dp_db_job_t *job = dp_db_job_new (jobs, &routing, &arena, &msg);
    assert (!routing && !arena);
    return job;
}

void
dp_db_job_test (bool verbose)
{
    printf (" * dp_db_job: ");
    zsock_t *router = zsock_new_router ("inproc://dp_db_job_test");
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert (router && dealer);
    zsock_set_identity (dealer, "peer");
    assert (zsock_connect (dealer, "inproc://dp_db_job_test") == 0);
    dp_db_reply_t out;
    dp_db_reply_init (&out, zsock_resolve (router), verbose);

    //  Two live jobs, found by requester and id; a LOAD reads the replica.
    dp_db_job_t *jobs = NULL;
    dp_db_job_t *a = s_test_job (&jobs, "peer", 1, 0);
    dp_db_job_t *b = s_test_job (&jobs, "peer", 2, 1000);
    assert (a->access == DP_DB_ACCESS_READ);
    zframe_t *peer = zframe_new ("peer", 4), *other = zframe_new ("other", 5);
    assert (dp_db_job_find (jobs, peer, 1) == a && dp_db_job_find (jobs, peer, 2) == b);
    assert (dp_db_job_find (jobs, other, 1) == NULL && dp_db_job_find (jobs, peer, 3) == NULL);
    assert (!dp_db_job_late (a, 5000) && !dp_db_job_late (b, 999) && dp_db_job_late (b, 1000));

    //  A job with a statement under way stays after its one reply; a second
    //  failure sends nothing; the last statement's end frees it.
    dp_db_stmt_t *stmt = dp_db_stmt_new (b, 0);
    dp_sql_append (&stmt->sql, "SELECT 1");
    dp_db_stmt_limit (stmt, 1250);          //  a LOAD's: looks rows up by keys
    assert (strcmp (stmt->sql.data, "SET STATEMENT max_statement_time=1.250,"
                    " eq_range_index_dive_limit=1 FOR SELECT 1") == 0);
    dp_db_stmt_t *position = dp_db_stmt_new (b, 0);
    position->position = true;
    dp_sql_append (&position->sql, "SELECT 2");
    dp_db_stmt_limit (position, 20);
    assert (strcmp (position->sql.data, "SET STATEMENT max_statement_time=0.020 FOR SELECT 2") == 0);
    dp_db_stmt_finish (position);
    a->msg.type = DP_MSG_QUERY;                         //  lookups by label are a QUERY's
    dp_db_stmt_t *lookups = dp_db_stmt_new (a, 0);      //  keyed by labels: no limit
    lookups->lookups = true;
    dp_sql_append (&lookups->sql, "SELECT 3");
    dp_db_stmt_limit (lookups, 20);
    assert (strcmp (lookups->sql.data, "SET STATEMENT max_statement_time=0.020 FOR SELECT 3") == 0);
    dp_db_stmt_finish (lookups);
    dp_db_job_fail_late (b, &out);
    dp_db_job_fail (b, &out, DP_STATUS_INTERNAL, "not sent");
    assert (b->answered && out.answered == 1 && out.errors == 1);
    dp_db_job_release (&b);
    assert (b && dp_db_job_find (jobs, peer, 2));
    dp_db_stmt_finish (stmt);
    assert (dp_db_job_find (jobs, peer, 2) == NULL);

    //  The requester got exactly one ERROR: 408, before the request started.
    zmsg_t *reply = zmsg_recv (dealer);
    assert (reply && zmsg_size (reply) == 1);
    zframe_t *frame = zmsg_first (reply);
    dp_arena_t *arena = dp_arena_new (0);
    dp_msg_t msg;
    char err [256];
    assert (dp_msg_decode (zframe_data (frame), zframe_size (frame), arena, &msg, err,
                           sizeof err) == 0);
    assert (msg.type == DP_MSG_ERROR && msg.id == 2 && msg.u.error.status == DP_STATUS_TIMEOUT);
    assert (strstr (msg.u.error.message, "before the request started"));
    zmsg_destroy (&reply);
    zsock_set_rcvtimeo (dealer, 0);
    assert (zmsg_recv (dealer) == NULL);

    //  Destroying the last job empties the list.
    dp_db_job_destroy (&a);
    assert (a == NULL && jobs == NULL);
    dp_arena_destroy (&arena);
    zframe_destroy (&peer);
    zframe_destroy (&other);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
    printf ("OK\n");
}
