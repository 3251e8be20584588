/*  =========================================================================
    dp_db_actor_txn - the DB actor's transactions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Transactions (proto/README.md section 5): one pinned primary connection
    each, its requests in arrival order, ended by db-svc with a ROLLBACK on
    any error, its deadline, a CANCEL of it, or its requester gone.
@end
*/
#include "dp_db_actor_state.h"
#include "dp_db_own_writes.h"
#include "dp_db_rows.h"
#include "dp_sql_tables.h"
#include "dp_log.h"
#include <mysqld_error.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

//  The status of an error inside a transaction: a conflict the requester
//  may retry as a whole (deadlock, lock wait timeout, duplicate key).
static uint32_t
s_txn_status (dp_db_conn_t *conn)
{
    unsigned int err = dp_db_conn_errno (conn);
    if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT || err == ER_DUP_ENTRY)
        return DP_STATUS_CONFLICT;
    return dp_db_conn_interrupted (conn)? DP_STATUS_TIMEOUT: DP_STATUS_DB_ERROR;
}

//  A job of the transaction that answers nobody: db-svc's own ROLLBACK.
static dp_db_stmt_t *
s_txn_rollback_stmt (dp_db_actor_state_t *self, dp_db_txn_t *txn)
{
    dp_arena_t *arena = dp_arena_new (1024);
    zframe_t *routing = zframe_dup (txn->routing);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_TXN, .trace_id = "",
                     .u.txn = { txn->txn, DP_TXN_ROLLBACK } };
    dp_db_job_t *job = dp_db_job_new (&self->jobs, &routing, &arena, &msg);
    job->answered = true;
    job->txn = txn;
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    dp_sql_append (&stmt->sql, "ROLLBACK");
    return stmt;
}

//  db-svc ends the transaction: every request of it still waiting is
//  answered status, a running statement is cancelled, then ROLLBACK runs
//  (dp_db_actor_txn_dispatch). The request that failed, if any, is answered after
//  the ROLLBACK (txn->failed).
static void
s_txn_end (dp_db_actor_state_t *self, dp_db_txn_t *txn, uint32_t status, const char *why)
{
    if (txn->ending)
        return;
    txn->ending = true;
    self->stat_txn_ended++;
    dp_info ("db: transaction %llu rolled back: %s", (unsigned long long) txn->txn, why);
    dp_db_stmt_t *stmt;
    while ((stmt = dp_db_txn_pop (txn))) {
        dp_db_job_fail (stmt->job, &self->out, status, "transaction rolled back: %s", why);
        dp_db_stmt_finish (stmt);
    }
    dp_db_slot_t *slot = &self->slots [txn->slot];
    if (slot->stmt && slot->stmt == txn->closer)
        return;                 //  its COMMIT or ROLLBACK runs: that ends it
    txn->closer = s_txn_rollback_stmt (self, txn);
    dp_db_txn_push (txn, txn->closer, true);
    if (slot->stmt && !slot->stmt->expired) {
        slot->stmt->expired = true;
        dp_db_job_fail (slot->stmt->job, &self->out, status, "transaction rolled back: %s", why);
        if (dp_db_conn_state (self->control [slot->target]->conn) != DP_DB_CONN_DOWN
        &&  slot->kill == DP_DB_KILL_NONE)
            slot->kill = DP_DB_KILL_WANTED;
    }
}

//  The transaction is over: its connection goes back to the pool.
static void
s_txn_release (dp_db_actor_state_t *self, dp_db_txn_t *txn)
{
    dp_db_stmt_t *stmt;
    while ((stmt = dp_db_txn_pop (txn))) {
        dp_db_job_fail (stmt->job, &self->out, DP_STATUS_GONE, "the transaction has ended");
        dp_db_stmt_finish (stmt);
    }
    if (txn->failed) {
        dp_db_job_fail (txn->failed, &self->out, txn->failed_status, "%s", txn->failed_message);
        dp_db_job_release (&txn->failed);
    }
    for (dp_db_job_t *job = self->jobs; job; job = job->next)
        if (job->txn == txn)
            job->txn = NULL;
    self->slots [txn->slot].txn = NULL;
    self->n_pinned--;
    dp_db_txn_destroy (&self->txns, &txn);
}

//  Answer a STMT from its finished statement.
static void
s_stmt_answer (dp_db_actor_state_t *self, dp_db_job_t *job, dp_db_conn_t *conn)
{
    if (job->msg.u.stmt.op == DP_STMT_SELECT) {
        dp_db_rows_from_result (&self->out, job, conn);
        return;
    }
    dp_val_t *cells = dp_arena_alloc (job->arena, 2 * sizeof (dp_val_t));
    cells [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = (int64_t) dp_db_conn_affected_rows (conn) };
    cells [1] = (dp_val_t) { .type = DP_VAL_INT, .u.i = job->msg.u.stmt.op == DP_STMT_INSERT
                             ? (int64_t) dp_db_conn_insert_id (conn): 0 };
    job->parts = dp_arena_calloc (job->arena, 1, sizeof (dp_db_part_t));
    job->parts [0] = (dp_db_part_t) { .cells = cells, .n_rows = 1, .done = true };
    job->n_parts = 1;
    dp_db_rows_from_parts (&self->out, job);
}

//  Answer the requester's COMMIT (or ROLLBACK): a COMMIT's ROWS carries
//  the primary's GTID position after it (1 x 1, a str) when the server
//  reported one (it keeps a binary log and the transaction wrote), so the
//  client can ask its next reads to see it; otherwise no rows.
static void
s_txn_closed_answer (dp_db_actor_state_t *self, dp_db_job_t *job, dp_db_conn_t *conn)
{
    char gtid [DP_GTID_MAX + 1];
    if (job->msg.u.txn.op != DP_TXN_COMMIT || !dp_db_conn_last_gtid (conn, gtid, sizeof gtid)
    ||  !dp_gtid_valid (gtid, strlen (gtid))) {
        dp_db_rows_none (&self->out, job);
        return;
    }
    dp_val_t *cell = dp_arena_alloc (job->arena, sizeof (dp_val_t));
    const char *copy = dp_arena_strdup (job->arena, gtid);
    *cell = (dp_val_t) { .type = DP_VAL_STR, .u.s = { copy, (uint32_t) strlen (copy) } };
    job->n_cols = 1;
    job->types [0] = DP_COLTYPE_STR;
    job->parts = dp_arena_calloc (job->arena, 1, sizeof (dp_db_part_t));
    job->parts [0] = (dp_db_part_t) { .cells = cell, .n_rows = 1, .done = true };
    job->n_parts = 1;
    dp_db_rows_from_parts (&self->out, job);
}

//  A BEGIN's START TRANSACTION finished on slot: the transaction is open
//  and pinned there, or the slot goes back.
static void
s_txn_begun (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt, dp_db_conn_event_t event)
{
    dp_db_job_t *job = stmt->job;
    slot->beginning = false;
    if (event == DP_DB_CONN_DONE) {
        dp_db_conn_free_result (slot->conn);
        dp_db_txn_t *txn = dp_db_txn_new (&self->txns, job->routing, job->msg.u.txn.txn,
                                          job->msg.deadline_ms, (int) (slot - self->slots));
        slot->txn = txn;
        if (job->answered)      //  its deadline passed or it was cancelled meanwhile
            s_txn_end (self, txn, DP_STATUS_GONE, "abandoned while it began");
        else
            dp_db_rows_none (&self->out, job);
    }
    else {
        self->n_pinned--;
        dp_db_job_fail (job, &self->out, event == DP_DB_CONN_LOST? DP_STATUS_UNAVAILABLE
                        : DP_STATUS_DB_ERROR, "cannot begin a transaction: %s",
                        dp_db_conn_error (slot->conn));
        dp_db_conn_free_result (slot->conn);
    }
    dp_db_stmt_finish (stmt);
}

//  A statement of a transaction finished on its pinned slot.
void
dp_db_actor_txn_event (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt, dp_db_conn_event_t event)
{
    slot->stmt = NULL;
    if (!slot->txn) {
        s_txn_begun (self, slot, stmt, event);
        return;
    }
    dp_db_txn_t *txn = slot->txn;
    dp_db_job_t *job = stmt->job;
    if (event == DP_DB_CONN_LOST) {
        //  The server rolled it back when the connection went.
        dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, job->msg.type == DP_MSG_TXN
                        && job->msg.u.txn.op == DP_TXN_COMMIT
                        ? "database connection lost during COMMIT: outcome unknown"
                        : "database connection lost: the transaction was rolled back");
        dp_db_stmt_finish (stmt);
        s_txn_release (self, txn);
        return;
    }
    if (stmt == txn->closer) {
        if (event == DP_DB_CONN_DONE) {
            if (self->feed_push && job->msg.u.txn.op == DP_TXN_COMMIT) {
                char gtid [DP_GTID_MAX + 1] = "";
                if (!dp_db_conn_last_gtid (slot->conn, gtid, sizeof gtid))
                    gtid [0] = 0;
                dp_db_own_writes_send (zsock_resolve (self->feed_push), &txn->own_changes, gtid);
            }
            if (!job->answered)
                s_txn_closed_answer (self, job, slot->conn);
            dp_db_conn_free_result (slot->conn);
            dp_db_stmt_finish (stmt);
            s_txn_release (self, txn);
            return;
        }
        if (txn->ending) {
            //  A ROLLBACK failed: closing the connection rolls back too.
            dp_db_job_fail (job, &self->out, DP_STATUS_DB_ERROR, "database error: %s",
                            dp_db_conn_error (slot->conn));
            dp_db_conn_free_result (slot->conn);
            dp_db_conn_close (slot->conn);
            slot->retry_at = zclock_mono ();
            dp_db_stmt_finish (stmt);
            s_txn_release (self, txn);
            return;
        }
        //  COMMIT (or the requester's ROLLBACK) failed: roll back, then say so.
        txn->closer = NULL;
    }
    if (event == DP_DB_CONN_FAILED && !job->answered && !txn->failed) {
        txn->failed = job;
        txn->failed_status = s_txn_status (slot->conn);
        snprintf (txn->failed_message, sizeof txn->failed_message,
                  "database error: %s; the transaction was rolled back", dp_db_conn_error (slot->conn));
        dp_db_conn_free_result (slot->conn);
        dp_db_stmt_finish (stmt);
        s_txn_end (self, txn, DP_STATUS_GONE, "a statement failed");
        return;
    }
    if (event == DP_DB_CONN_DONE && !job->answered) {
        if (job->msg.type == DP_MSG_STMT) {
            if (self->feed_push)
                dp_db_own_writes_add (&txn->own_changes, &job->msg.u.stmt,
                                      dp_db_conn_insert_id (slot->conn));
            s_stmt_answer (self, job, slot->conn);
        }
        else
            dp_db_actor_answer (self, stmt, slot->conn);
    }
    dp_db_conn_free_result (slot->conn);
    bool abandoned = stmt->expired;
    dp_db_stmt_finish (stmt);
    //  A request of it abandoned (deadline, CANCEL) or failed: it ends.
    if (abandoned || event == DP_DB_CONN_FAILED)
        s_txn_end (self, txn, DP_STATUS_GONE, "a request of it was abandoned");
}

//  The pinned connection of an idle transaction was lost.
void
dp_db_actor_txn_lost (dp_db_actor_state_t *self, dp_db_slot_t *slot)
{
    if (slot->txn)
        s_txn_release (self, slot->txn);
}

//  Run the transaction's next statement when its connection is free.
void
dp_db_actor_txn_dispatch (dp_db_actor_state_t *self, dp_db_txn_t *txn)
{
    int i = txn->slot;
    dp_db_slot_t *slot = &self->slots [i];
    while (!slot->stmt && slot->kill == DP_DB_KILL_NONE
       &&  dp_db_conn_state (slot->conn) == DP_DB_CONN_IDLE) {
        dp_db_stmt_t *stmt = dp_db_txn_pop (txn);
        if (!stmt)
            return;
        if (stmt == txn->closer && stmt->job->msg.u.txn.op == DP_TXN_ROLLBACK && txn->ending) {
            stmt->deadline = 0;         //  db-svc's ROLLBACK runs whatever the time
            dp_db_actor_run_on (self, i, stmt);
            return;
        }
        if (!dp_db_actor_may_run (self, slot, stmt)) {
            //  Abandoned while it waited (CANCEL, its deadline): the
            //  transaction cannot go on without it.
            s_txn_end (self, txn, DP_STATUS_GONE, "a request of it was abandoned");
            continue;
        }
        dp_db_job_t *job = stmt->job;
        stmt->deadline = job->msg.deadline_ms;
        if (txn->deadline_ms && (!stmt->deadline || txn->deadline_ms < stmt->deadline))
            stmt->deadline = txn->deadline_ms;
        if (stmt == txn->closer)
            stmt->deadline = 0;         //  a COMMIT is never cancelled half-way
        else
        if (self->statement_timeout && stmt->deadline)
            dp_db_stmt_limit (stmt, (int64_t) stmt->deadline - zclock_time ());
        dp_db_actor_run_on (self, i, stmt);
        return;
    }
}

//  Transactions whose deadline passed or whose requester went silent.
void
dp_db_actor_txn_check (dp_db_actor_state_t *self)
{
    uint64_t now = (uint64_t) zclock_time ();
    int64_t mono = zclock_mono ();
    for (dp_db_txn_t *txn = self->txns.head; txn; txn = txn->next) {
        const char *why = txn->ending? NULL: dp_db_txn_due (txn, now, mono);
        if (why)
            s_txn_end (self, txn, txn->deadline_ms && now >= txn->deadline_ms
                       ? DP_STATUS_TIMEOUT: DP_STATUS_GONE, why);
    }
}

//  The requester's open transaction txn, or NULL after answering id 410.
dp_db_txn_t *
dp_db_actor_txn_for (dp_db_actor_state_t *self, zframe_t *routing, const dp_msg_t *msg, uint64_t txn_id)
{
    dp_db_txn_t *txn = dp_db_txn_find (&self->txns, routing, txn_id);
    if (txn && !txn->ending && !txn->closing)
        return txn;
    dp_db_reply_error (&self->out, routing, msg->id, msg->trace_id, DP_STATUS_GONE,
                       "transaction %llu is not open", (unsigned long long) txn_id);
    return NULL;
}

//  A BEGIN of txn is under way (queued or starting) for routing.
static bool
s_txn_beginning (dp_db_actor_state_t *self, zframe_t *routing, uint64_t txn_id)
{
    for (dp_db_job_t *job = self->jobs; job; job = job->next)
        if (job->msg.type == DP_MSG_TXN && job->msg.u.txn.op == DP_TXN_BEGIN && !job->txn
        &&  job->msg.u.txn.txn == txn_id && zframe_eq (job->routing, routing))
            return true;
    return false;
}

//  TXN: BEGIN waits in the primary's queue for a connection to pin;
//  COMMIT and ROLLBACK run after the transaction's earlier requests.
void
dp_db_actor_start_txn (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    uint64_t txn_id = msg->u.txn.txn;
    dp_db_txn_t *txn = NULL;
    if (msg->u.txn.op == DP_TXN_BEGIN) {
        if (dp_db_txn_find (&self->txns, *routing_p, txn_id)
        ||  s_txn_beginning (self, *routing_p, txn_id)) {
            dp_db_reply_error (&self->out, *routing_p, msg->id, msg->trace_id,
                               DP_STATUS_BAD_REQUEST, "transaction %llu is open already",
                               (unsigned long long) txn_id);
            return;
        }
    }
    else
    if (!(txn = dp_db_actor_txn_for (self, *routing_p, msg, txn_id)))
        return;
    dp_db_job_t *job = dp_db_job_new (&self->jobs, routing_p, arena_p, msg);
    job->txn = txn;
    job->access = DP_DB_ACCESS_PRIMARY;
    if (dp_db_job_late (job, (uint64_t) zclock_time ()))
        dp_db_job_fail (job, &self->out, DP_STATUS_TIMEOUT,
                        "deadline passed before the request started");
    else
    if (!txn && dp_db_actor_unavailable (self, DP_DB_ACCESS_PRIMARY))
        dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, "database unavailable");
    else {
        dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
        dp_sql_append (&stmt->sql, msg->u.txn.op == DP_TXN_BEGIN? "START TRANSACTION"
                       : msg->u.txn.op == DP_TXN_COMMIT? "COMMIT": "ROLLBACK");
        if (txn) {
            txn->closing = true;
            txn->closer = stmt;
        }
        dp_db_actor_push (self, stmt, false);
    }
    dp_db_job_release (&job);
}

//  STMT: one statement of an open transaction. A refused one ends it too.
void
dp_db_actor_start_stmt (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    dp_db_txn_t *txn = dp_db_actor_txn_for (self, *routing_p, msg, msg->u.stmt.txn);
    if (!txn)
        return;
    dp_db_job_t *job = dp_db_job_new (&self->jobs, routing_p, arena_p, msg);
    job->txn = txn;
    job->access = DP_DB_ACCESS_PRIMARY;
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    char err [256];
    //  Its conditions' strings are judged by its connection's character sets.
    const dp_db_charsets_t *charsets = dp_db_conn_charsets (self->slots [txn->slot].conn);
    if (dp_sql_build_stmt (&stmt->sql, &job->msg.u.stmt, charsets, job->types, &job->n_cols,
                           err, sizeof err)) {
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST, "STMT refused: %s", err);
        dp_db_stmt_finish (stmt);
        s_txn_end (self, txn, DP_STATUS_GONE, "a statement was refused");
        return;
    }
    if (job->msg.u.stmt.op != DP_STMT_SELECT) {
        job->n_cols = 2;
        job->types [0] = job->types [1] = DP_COLTYPE_INT;
    }
    dp_db_actor_push (self, stmt, false);
    dp_db_job_release (&job);
}

//  The requester gave up transaction txn_id (CANCEL), or all of its
//  transactions (txn_id 0: DISCONNECT): they end, BEGINs still under way
//  included.
void
dp_db_actor_txn_abandon (dp_db_actor_state_t *self, zframe_t *routing, uint64_t txn_id, uint32_t status,
               const char *why)
{
    for (dp_db_txn_t *txn = self->txns.head; txn; txn = txn->next)
        if (zframe_eq (txn->routing, routing) && (!txn_id || txn->txn == txn_id))
            s_txn_end (self, txn, status, why);
    bool purge = false;
    for (dp_db_job_t *job = self->jobs; job; job = job->next)
        if (job->msg.type == DP_MSG_TXN && job->msg.u.txn.op == DP_TXN_BEGIN && !job->answered
        &&  (!txn_id || job->msg.u.txn.txn == txn_id) && zframe_eq (job->routing, routing)) {
            dp_db_job_fail (job, &self->out, status, "transaction abandoned: %s", why);
            purge = true;
        }
    if (purge)
        dp_db_queue_purge (self->queue);
}
