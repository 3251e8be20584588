/*  =========================================================================
    dp_db_actor - the DB actor: LOAD and QUERY over ZeroMQ, answered from a
    pool of non-blocking MariaDB connections

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One thread, one poll loop (dp_poll). Poll items: the pipe, the ROUTER, and
    the fd of every connection with the events it waits for (an idle
    connection is polled for input, which means the server closed it). The
    poll timeout is the nearest of: a connector timeout, a reconnect time,
    the deadline of a request still waiting in the queue.
@discuss
    A request becomes a job (its arena holds the decoded message, the
    statements and any copied rows) and one or more statements in a FIFO
    queue; idle connections take statements from the queue's head. A LOAD
    is split into chunks of at most chunk_size distinct keys, which run in
    parallel on as many connections as are idle; a single-statement answer
    is streamed from the stored result straight into the ROWS encoder, a
    multi-chunk answer is converted into the arena chunk by chunk and
    encoded when the last chunk arrives, in chunk order. boxes_page is two
    statements in sequence (the base's locations, then the page; see
    dp_sql_catalog.c for why); its second statement goes to the queue's
    head so a started request finishes before new ones start.

    Two classes of statements wait in two FIFO queues: large ones (a LOAD
    chunk of more than 512 keys, a boxes page of more than 512 rows, like
    the ManageBoxes preload) and the others. Large statements run on at
    most half the connections, and small ones go first except when no
    large one is running; so a burst of large requests cannot make the
    small ones (BoxView, a page of 50) wait behind it, and large ones
    always progress.

    Every LOAD and QUERY gets exactly one reply: a job is marked answered
    when its reply (ROWS or ERROR) is sent, and results arriving after that
    (other chunks of a failed job) are dropped. A job is freed when it is
    answered and has no statement queued or running.

    Availability: while none of a server's connections is up and the last
    attempt failed, that server counts as down, and requests no server
    could run get 503 at once (queued ones when the last connection goes).
    A lost connection reconnects at once, then with a backoff from 100 ms
    doubling to 1 s, so service resumes within about a second of MariaDB
    coming back; the first connection to a server that succeeds wakes the
    others to that server at once. A statement
    that was running on a lost connection fails its request (503) and is
    never run again: db-svc does not retry. A transaction broken by a lost
    connection fails the same way and is never replayed.

    Transactions (dp_db_txn.h; proto/README.md section 5): a BEGIN waits in
    the primary's queue while half the primary's pool is pinned already,
    then pins the connection that ran its START TRANSACTION; the
    transaction's statements wait in its own FIFO and run there one at a
    time. Any error, the BEGIN's deadline, a CANCEL of the txn, the
    requester's DISCONNECT or 3 s of silence end it: its waiting requests
    are answered, a running statement is cancelled, ROLLBACK runs, and only
    then is the failed request answered and the connection unpinned.

    Pool size: each server's pool keeps between pool_min and pool_size
    connections. dp_db_pool_limit decides how many from the wait and run
    time of every finished statement: statements go to that many slots
    only, a parked slot among them connects, and a connection beyond them
    closes once it has been idle for DP_DB_POOL_LIMIT_IDLE_MS.

    Deadlines: a request whose deadline has passed before its statement
    gets a connection is answered 408 without SQL. A statement is sent as
    SET STATEMENT max_statement_time=<seconds left> FOR <statement> (unless
    statement_timeout is off, for servers without that syntax), so MariaDB
    stops it at the deadline by itself; and when the deadline passes while
    it still runs, the request is answered 408 at once and the statement
    is cancelled with KILL QUERY <thread id>, sent from a control
    connection (one more non-blocking connection, driven by the same poll
    loop). The connection of a killed statement takes no new statement
    until the KILL has completed, so a late KILL can never hit the next
    statement. An interrupted statement (ER_STATEMENT_TIMEOUT,
    ER_QUERY_INTERRUPTED) is answered 408, not 502.

    Cancellation: a CANCEL names a LOAD or QUERY its requester no longer
    wants (the HTTP client went away). The request is answered 499 at
    once, its queued statements are dropped, and its running statements
    are cancelled with KILL QUERY as at a deadline, except one that also
    serves requests still waiting (coalesced LOADs), which runs on for
    them.

    Back-pressure: at most max_queue statements wait for a connection; a
    LOAD or QUERY arriving when the queue is full is answered 503 ("db-svc
    overloaded") at once, so memory stays bounded whatever the load.

    Coalescing (coalesce on): when a connection takes a single-statement
    LOAD from the queue, the other single-statement LOADs of the same
    loader waiting in the queue (among its first 256 statements, up to
    chunk_size keys in all) ride along: one statement selects the union of
    their keys and columns, and each request gets the rows of its own keys
    with its own columns, in the order the statement returned them. A
    loader's rows depend only on the keys asked (access rules are the
    resolver's business), so the answers are the ones each request would
    have had alone. A lookup by a string key (a box by its label, a QR
    code) takes along the queued lookups of the same query whatever their
    keys: one statement joins the keys to the key column, MariaDB matching
    each under the column's collation with its index, and each request
    gets the row of its own key (only on a utf8mb4 or utf8mb3 column, once
    every key is one the column can hold: dp_db_charset.h). Another root
    QUERY's statement takes along the queued statements with the same SQL
    text (the same page or count of several callers, each of whom the
    resolver authorised before asking): one statement, the same rows for
    each. Nothing waits to be merged:
    statements merge only when they were queued anyway, behind busy
    connections.

    Read replica (dp_db_target has the rule): with a replica configured,
    the slots are the primary's pool, the replica's pool, then one control
    connection per server. Reads (every LOAD and QUERY of phase 1) wait in
    the queues above and go to the replica's connections while one of
    them is up, else to the primary's; statements that need the primary (a
    write, anything in a transaction) wait in a queue of their own that
    only the primary's connections take, ahead of reads. Each server has
    its own availability: requests get 503 at once only when no server
    that could run them is left. A KILL QUERY goes out on the control
    connection of the server its statement runs on. Reads lost with a
    replica connection fail like any lost statement (503), never re-run.

    Read your own writes: a read whose request carries a GTID position
    (min_gtid) that the replica is not known to have reached runs, on the
    replica connection that took it, SELECT MASTER_GTID_WAIT first (bounded
    by DEPOT_REPLICA_WAIT_MS and the deadline); 0 puts it back at the head
    of the reads' queue, known reached; anything else moves it (and the
    rest of its request) to the primary's queue. Such a read is not merged
    with others while it waits. A COMMIT answers the @@last_gtid its OK
    packet reported (dp_db_conn_last_gtid).
@end
*/
#include "dp_db_actor_state.h"
#include "dp_poll.h"
#include "dp_db_conn.h"
#include "dp_db_target.h"
#include "dp_db_pool_limit.h"
#include "dp_db_job.h"
#include "dp_db_queue.h"
#include "dp_db_reply.h"
#include "dp_db_rows.h"
#include "dp_sql_catalog.h"
#include "dp_sql_tables.h"
#include "dp_db_txn.h"
#include "dp_gtid.h"
#include "dp_db_own_writes.h"
#include "dp_db_counts.h"
#include "dp_db_purge.h"
#include "dp_catalog.h"
#include "dp_msg.h"
#include "dp_arena.h"
#include "dp_log.h"
#include "dp_instance.h"
#include "dp_thread_name.h"
#include <mysqld_error.h>
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BACKOFF_FIRST_MS  100
#define S_BACKOFF_MAX_MS    1000
#define S_MAX_POLL_MS       1000        //  wake up at least this often
#define S_RECV_BURST        256         //  messages read per poll round

_Static_assert (DP_LOADER_COUNT + 2 * DP_QUERY_COUNT <= DP_DB_POOL_LIMIT_KINDS,
                "every loader and query step has a kind of its own in dp_db_pool_limit");


//  ==========================================================================
//  Forward declarations (the structures: dp_db_actor_state.h)

static void s_gtid_waited (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_conn_event_t event);
static void s_batch_next (dp_db_actor_state_t *self, dp_db_slot_t *slot);
static void s_batch_resend (dp_db_actor_state_t *self, dp_db_slot_t *slot);
static void s_batch_fail (dp_db_actor_state_t *self, dp_db_slot_t *slot, uint32_t status, const char *message);
static void s_batch_text (dp_db_slot_t *slot);

//  ==========================================================================
//  Servers

//  No server that could run statements of this access is left: the
//  primary is down and, for a read, there is no replica or it is down too.
bool
dp_db_actor_unavailable (dp_db_actor_state_t *self, dp_db_access_t access)
{
    if (!self->down [DP_DB_PRIMARY])
        return false;
    return access == DP_DB_ACCESS_PRIMARY || !self->control [DP_DB_REPLICA]
        || self->down [DP_DB_REPLICA];
}

//  Are all of target's statement connections down?
static bool
s_all_down (dp_db_actor_state_t *self, dp_db_target_t target)
{
    for (int i = 0; i < self->n_pool; i++)
        if (self->slots [i].target == target
        &&  dp_db_conn_state (self->slots [i].conn) != DP_DB_CONN_DOWN)
            return false;
    return true;
}

//  Connections of target's pool that are up (idle or running a statement).
static int
s_count_up (dp_db_actor_state_t *self, dp_db_target_t target)
{
    int up = 0;
    for (int i = 0; i < self->n_pool; i++) {
        dp_db_conn_state_t state = dp_db_conn_state (self->slots [i].conn);
        if (self->slots [i].target == target
        && (state == DP_DB_CONN_IDLE || state == DP_DB_CONN_BUSY))
            up++;
    }
    return up;
}


//  ==========================================================================
//  Kept counts (dp_db_counts): the change feed vouches for them

//  Subscribe to the feed when one is configured. Not with a replica: a
//  replica's rows lag the binary log position the feed vouches for.
static void
s_counts_start (dp_db_actor_state_t *self)
{
    if (!self->config.feed_connect || !*self->config.feed_connect)
        return;
    if (self->pool_size [DP_DB_REPLICA] > 0) {
        dp_info ("db: counts are not kept between requests with a replica (every count runs)");
        return;
    }
    self->feed_sub = zsock_new_sub (self->config.feed_connect, "");
    if (!self->feed_sub) {
        dp_warn ("db: cannot subscribe to the change feed at %s: every count runs",
                 self->config.feed_connect);
        return;
    }
    zsock_set_rcvhwm (self->feed_sub, 0);   //  never drop a change (a gap would recount)
    self->counts = dp_db_counts_new ();
    if (self->config.keep_rows) {
        self->kept = dp_db_kept_rows_new (self->counts);
        self->kept_positions = zhashx_new ();
        if (!self->kept_positions)
            dp_fatal ("out of memory");
        zhashx_set_destructor (self->kept_positions, (zhashx_destructor_fn *) zstr_free);
    }
}

//  Apply what the feed published since the last poll.
static void
s_counts_feed (dp_db_actor_state_t *self)
{
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (zmq_msg_recv (&frame, zsock_resolve (self->feed_sub), ZMQ_DONTWAIT) >= 0)
        dp_db_counts_feed (self->counts, zmq_msg_data (&frame), zmq_msg_size (&frame), zclock_mono ());
    zmq_msg_close (&frame);
}

//  Is job a boxes count the feed may vouch for? Not in a transaction (its
//  own uncommitted writes count), nor one reading its own writes, nor
//  while the feed is silent or in fallback mode (then it just runs).
static bool
s_count_kept (dp_db_actor_state_t *self, const dp_db_job_t *job)
{
    return self->counts && !job->txn && !job->min_gtid
        && job->msg.u.query.query == DP_QUERY_boxes_count
        && dp_db_counts_live (self->counts, zclock_mono ());
}


//  ==========================================================================
//  Results

//  The base's locations are in: queue the page itself.
static void
s_page_step (dp_db_actor_state_t *self, dp_db_job_t *job, dp_db_conn_t *conn)
{
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    if (dp_db_conn_num_fields (conn) != 1) {
        dp_db_job_fail (job, &self->out, DP_STATUS_INTERNAL, "locations result has %u columns",
                    dp_db_conn_num_fields (conn));
        return;
    }
    int64_t *ids = dp_arena_alloc (job->arena, (size_t) (n_rows + 1) * sizeof (int64_t));
    size_t count = 0;
    char **row;
    unsigned long *lengths;
    while ((row = dp_db_conn_fetch_row (conn, &lengths)))
        if (row [0])
            ids [count++] = strtoll (row [0], NULL, 10);
    count = dp_sql_filter_locations (&job->args.boxes, ids, count);
    if (count == 0) {
        dp_db_rows_none (&self->out, job);
        return;
    }
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 1);
    stmt->large = job->args.boxes.limit > DP_DB_LARGE_ROWS;
    dp_sql_build_boxes_page (&stmt->sql, &job->args.boxes, job->columns, ids, count);
    dp_db_actor_push (self, stmt, true);
}

//  Where the binary log is, read for a boxes count: answer the count the
//  feed vouches for there, or run it (its statement next, at the queue's
//  head, as a page's second step).
static void
s_count_step (dp_db_actor_state_t *self, dp_db_job_t *job, dp_db_conn_t *conn)
{
    unsigned long *lengths;
    char **row = dp_db_conn_num_fields (conn) == 1? dp_db_conn_fetch_row (conn, &lengths): NULL;
    char position [DP_GTID_MAX + 1] = "";
    if (row && row [0] && lengths [0] <= DP_GTID_MAX)
        memcpy (position, row [0], lengths [0] + 1);
    int64_t count;
    if (row && dp_db_counts_get (self->counts, job->count_key, position, zclock_mono (), &count)) {
        dp_db_rows_scalar (&self->out, job, count);
        return;
    }
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 1);
    job->count_generation = dp_db_counts_generation (self->counts);
    dp_sql_append (&stmt->sql, job->count_key);
    dp_db_actor_push (self, stmt, true);
}

//  A boxes count ran: keep it for the next request of the same base and
//  filter (dropped if the feed reported a change of its tables meanwhile).
static void
s_count_keep (dp_db_actor_state_t *self, dp_db_job_t *job, dp_db_conn_t *conn)
{
    unsigned long *lengths;
    char **row = dp_db_conn_fetch_row (conn, &lengths);
    if (row && row [0])
        dp_db_counts_put (self->counts, job->count_key, job->count_generation,
                          strtoll (row [0], NULL, 10));
    dp_db_conn_rewind (conn);
}

//  Answer one request of lead's merged statement (a LOAD of the union of
//  keys, or a lookup of several keys) from its share of the result.
static void
s_share_answer (dp_db_actor_state_t *self, dp_db_stmt_t *lead, dp_db_stmt_t *stmt, dp_db_conn_t *conn)
{
    if (stmt->job->answered)
        return;
    if (lead->lookups)
        dp_db_rows_from_lookup (&self->out, stmt->job, conn, lead->columns, stmt->tag);
    else
        dp_db_rows_from_merged (&self->out, stmt->job, conn, lead->columns);
}

//  A merged statement finished: every LOAD or lookup it ran for gets its
//  rows.
static void
s_group_done (dp_db_actor_state_t *self, dp_db_stmt_t *lead, dp_db_conn_t *conn)
{
    s_share_answer (self, lead, lead, conn);
    dp_db_stmt_t *member = lead->merged;
    while (member) {
        dp_db_stmt_t *next = member->merged_next;
        s_share_answer (self, lead, member, conn);
        dp_db_stmt_finish (member);
        member = next;
    }
    dp_db_conn_free_result (conn);
    dp_db_stmt_finish (lead);
}

//  A statement failed: every request it ran for gets the error.
static void
s_stmt_fail (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, uint32_t status, const char *message)
{
    if (stmt->position) {
        //  Its LOADs run their statements instead; its owner does not fail.
        dp_db_actor_kept_unpositioned (self, stmt);
        dp_db_stmt_finish (stmt);
        return;
    }
    dp_db_stmt_t *member = stmt->merged;
    while (member) {
        dp_db_stmt_t *next = member->merged_next;
        dp_db_job_fail (member->job, &self->out, status, "%s", message);
        dp_db_stmt_finish (member);
        member = next;
    }
    dp_db_job_fail (stmt->job, &self->out, status, "%s", message);
    dp_db_stmt_finish (stmt);
}

//  Answer the request of one statement from the stored result.
void
dp_db_actor_answer (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn)
{
    dp_db_job_t *job = stmt->job;
    if (stmt->position) {
        dp_db_actor_kept_positioned (self, stmt, conn);
        return;
    }
    if (job->answered)
        return;
    if (job->kept)
        dp_db_actor_kept_answer (self, stmt, conn);
    else
    if (!job->query && job->n_parts > 1) {
        if (dp_db_rows_copy_part (&self->out, job, &job->parts [stmt->part], conn) == 0) {
            bool all = true;
            for (uint32_t p = 0; p < job->n_parts; p++)
                all = all && job->parts [p].done;
            if (all)
                dp_db_rows_from_parts (&self->out, job);
        }
    }
    else
    if (job->query && job->query->kind == DP_SQL_QUERY_PAGE && stmt->part == 0)
        s_page_step (self, job, conn);
    else
    if (job->count_key && stmt->part == 0)
        s_count_step (self, job, conn);
    else {
        if (job->count_key)
            s_count_keep (self, job, conn);
        dp_db_rows_from_result (&self->out, job, conn);
    }
}

//  A statement finished on slot's connection with its result stored.
static void
s_stmt_done (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn)
{
    if (stmt->merged && (!stmt->job->query || stmt->lookups)) {
        s_group_done (self, stmt, conn);
        return;
    }
    dp_db_actor_answer (self, stmt, conn);
    //  Identical QUERYs merged into it: the same rows for each.
    dp_db_stmt_t *member = stmt->merged;
    while (member) {
        dp_db_stmt_t *next = member->merged_next;
        dp_db_conn_rewind (conn);
        dp_db_actor_answer (self, member, conn);
        dp_db_stmt_finish (member);
        member = next;
    }
    dp_db_conn_free_result (conn);
    dp_db_stmt_finish (stmt);
}

//  ==========================================================================
//  Connections

//  The next reconnect attempt of a slot whose connect failed.
static void
s_backoff (dp_db_slot_t *slot)
{
    slot->backoff = slot->backoff? slot->backoff * 2: S_BACKOFF_FIRST_MS;
    if (slot->backoff > S_BACKOFF_MAX_MS)
        slot->backoff = S_BACKOFF_MAX_MS;
    slot->retry_at = zclock_mono () + slot->backoff;
}

//  A control connection cannot send KILLs now: forget the wanted ones on
//  its server (MariaDB's max_statement_time still stops those statements).
static void
s_kills_drop (dp_db_actor_state_t *self, dp_db_target_t target)
{
    for (int i = 0; i < self->n_pool; i++)
        if (self->slots [i].target == target && self->slots [i].kill == DP_DB_KILL_WANTED)
            self->slots [i].kill = DP_DB_KILL_NONE;
}

//  An event of a control connection.
static void
s_control_event (dp_db_actor_state_t *self, dp_db_slot_t *control, dp_db_conn_event_t event)
{
    if (event == DP_DB_CONN_WAITING)
        return;
    if (event == DP_DB_CONN_READY) {
        control->backoff = 0;
        return;
    }
    if (control->purging) {
        control->purging = false;
        dp_db_purge_done (&self->purge, zclock_mono (), event == DP_DB_CONN_DONE,
                          event == DP_DB_CONN_DONE ? dp_db_conn_affected_rows (control->conn) : 0,
                          dp_db_conn_error (control->conn));
    }
    //  A KILL finished (done, refused: the thread had gone) or cannot
    //  finish: its slot may take statements again.
    if (control->killing >= 0) {
        if (event == DP_DB_CONN_FAILED)
            dp_info ("db: KILL QUERY on %s connection %d: %s", dp_db_target_name (control->target),
                     control->killing, dp_db_conn_error (control->conn));
        self->slots [control->killing].kill = DP_DB_KILL_NONE;
        control->killing = -1;
    }
    dp_db_conn_free_result (control->conn);
    if (event == DP_DB_CONN_CONNECT_FAILED) {
        s_backoff (control);
        s_kills_drop (self, control->target);
    }
    else
    if (event == DP_DB_CONN_LOST) {
        control->retry_at = zclock_mono ();
        s_kills_drop (self, control->target);
    }
}

//  A statement's kind for the pool's limit: its loader, or its query and
//  step (a boxes page's locations, then the page itself).
static unsigned
s_stmt_kind (dp_db_stmt_t *stmt)
{
    const dp_msg_t *msg = &stmt->job->msg;
    if (!stmt->job->query)
        return msg->u.load.loader;
    return DP_LOADER_COUNT + 2 * msg->u.query.query + (stmt->part > 0);
}

static void
s_handle_conn_event (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_conn_event_t event)
{
    if (slot->control) {
        s_control_event (self, slot, event);
        return;
    }
    if (slot->gtid_waiting && event != DP_DB_CONN_WAITING) {
        s_gtid_waited (self, slot, event);
        return;
    }
    if (slot->target == DP_DB_REPLICA
    && (event == DP_DB_CONN_LOST || event == DP_DB_CONN_CONNECT_FAILED))
        self->replica_reached [0] = 0;
    const char *server = dp_db_target_name (slot->target);
    dp_db_stmt_t *stmt = slot->stmt;
    if (stmt
    && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED || event == DP_DB_CONN_LOST))
        dp_db_queue_ended (self->queue, stmt);
    //  What the pool's limit learns from: a statement's wait and its time
    //  on the connection (not a lost one's: that is no latency).
    bool in_txn = slot->txn || slot->beginning;
    if (stmt && !in_txn && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED)) {
        dp_db_pool_limit_sample (self->limit [slot->target], s_stmt_kind (stmt),
                                 stmt->started_us - stmt->created_us,
                                 zclock_usecs () - stmt->started_us);
        slot->idle_since = zclock_mono ();
    }
    //  The statement is over: nothing left to cancel (a KILL already sent
    //  is waited for, so it cannot reach the next statement).
    if (slot->kill == DP_DB_KILL_WANTED
    && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED || event == DP_DB_CONN_LOST))
        slot->kill = DP_DB_KILL_NONE;
    //  A transaction's statement, or its connection lost: dp_db_txn's rules.
    if (in_txn && (event == DP_DB_CONN_LOST || (stmt
    && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED)))) {
        if (event == DP_DB_CONN_LOST) {
            dp_warn ("db: %s connection lost: %s", server, dp_db_conn_error (slot->conn));
            slot->retry_at = zclock_mono ();
        }
        if (stmt)
            dp_db_actor_txn_event (self, slot, stmt, event);
        else
            dp_db_actor_txn_lost (self, slot);
        return;
    }
    switch (event) {
        case DP_DB_CONN_WAITING:
            break;
        case DP_DB_CONN_READY:
            if (self->down [slot->target] || slot->backoff) {
                dp_info ("db: connected to MariaDB (%s)", server);
                //  It is back: the other connections to that server need
                //  not wait for their backoff to end.
                int64_t now = zclock_mono ();
                for (int i = 0; i < self->n_slots; i++)
                    if (self->slots [i].target == slot->target && !self->slots [i].parked
                    &&  dp_db_conn_state (self->slots [i].conn) == DP_DB_CONN_DOWN
                    &&  self->slots [i].retry_at > now)
                        self->slots [i].retry_at = now;
            }
            slot->backoff = 0;
            slot->idle_since = zclock_mono ();
            self->down [slot->target] = false;
            break;
        case DP_DB_CONN_CONNECT_FAILED:
            if (slot->backoff == 0)
                dp_warn ("db: cannot connect to MariaDB (%s): %s", server,
                         dp_db_conn_error (slot->conn));
            s_backoff (slot);
            if (s_all_down (self, slot->target)) {
                if (!self->down [slot->target] && slot->target == DP_DB_REPLICA)
                    dp_warn ("db: the replica is down: reads go to the primary");
                self->down [slot->target] = true;
                char message [600];
                snprintf (message, sizeof message, "database unavailable: %s",
                          dp_db_conn_error (slot->conn));
                bool stranded [2] = { dp_db_actor_unavailable (self, DP_DB_ACCESS_READ),
                                      dp_db_actor_unavailable (self, DP_DB_ACCESS_PRIMARY) };
                dp_db_queue_fail_stranded (self->queue, &self->out, stranded,
                                           DP_STATUS_UNAVAILABLE, message);
            }
            break;
        case DP_DB_CONN_DONE:
            slot->stmt = NULL;
            assert (stmt);
            s_stmt_done (self, stmt, slot->conn);
            s_batch_next (self, slot);
            break;
        case DP_DB_CONN_FAILED:
            slot->stmt = NULL;
            assert (stmt);
            //  Our KILL QUERY meant for the statement before it in its
            //  batch reached it instead: it runs again with the rest.
            if (dp_db_conn_interrupted (slot->conn) && slot->kill == DP_DB_KILL_SENT
            &&  !stmt->expired && slot->batch_sql.len) {
                dp_db_conn_free_result (slot->conn);
                stmt->batch_next = slot->batch;
                slot->batch = stmt;
                s_batch_resend (self, slot);
                break;
            }
            //  Interrupted by its max_statement_time, or by our KILL QUERY:
            //  the deadline passed (an operator's KILL stays a 502).
            char message [600];
            if (dp_db_conn_interrupted (slot->conn)
            && (dp_db_conn_errno (slot->conn) != ER_QUERY_INTERRUPTED || slot->kill == DP_DB_KILL_SENT)) {
                snprintf (message, sizeof message, "deadline passed while the statement ran: %s",
                          dp_db_conn_error (slot->conn));
                dp_db_conn_free_result (slot->conn);
                s_stmt_fail (self, stmt, DP_STATUS_TIMEOUT, message);
            }
            else {
                snprintf (message, sizeof message, "database error: %s",
                          dp_db_conn_error (slot->conn));
                dp_db_conn_free_result (slot->conn);
                s_stmt_fail (self, stmt, DP_STATUS_DB_ERROR, message);
            }
            //  The server ran none of the statements after it.
            s_batch_resend (self, slot);
            break;
        case DP_DB_CONN_LOST:
            slot->stmt = NULL;
            dp_warn ("db: %s connection lost: %s", server, dp_db_conn_error (slot->conn));
            slot->retry_at = zclock_mono ();        //  reconnect at once
            if (stmt) {
                char lost [600];
                snprintf (lost, sizeof lost, "database connection lost: %s",
                          dp_db_conn_error (slot->conn));
                s_stmt_fail (self, stmt, DP_STATUS_UNAVAILABLE, lost);
                s_batch_fail (self, slot, DP_STATUS_UNAVAILABLE, lost);
            }
            break;
    }
}

//  Reconnect DOWN connections whose time has come.
static void
s_reconnect_due (dp_db_actor_state_t *self)
{
    int64_t now = zclock_mono ();
    for (int i = 0; i < self->n_slots; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        if (!slot->parked && dp_db_conn_state (slot->conn) == DP_DB_CONN_DOWN
        &&  now >= slot->retry_at)
            s_handle_conn_event (self, slot, dp_db_conn_connect (slot->conn));
    }
}

//  Running statements whose request's deadline passed: the request is
//  answered 408 now and the statement cancelled (when the control
//  connection can send the KILL).
static void
s_expire_running (dp_db_actor_state_t *self)
{
    uint64_t now = (uint64_t) zclock_time ();
    for (int i = 0; i < self->n_pool; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        dp_db_stmt_t *stmt = slot->stmt;
        if (!stmt || stmt->expired)
            continue;
        //  Requests riding along a merged statement each keep their own
        //  deadline; the statement runs until the last of them.
        for (dp_db_stmt_t *member = stmt->merged; member; member = member->merged_next)
            if (!member->job->answered && member->job->msg.deadline_ms
            &&  now >= member->job->msg.deadline_ms)
                dp_db_job_fail (member->job, &self->out, DP_STATUS_TIMEOUT,
                            "deadline passed while the statement ran");
        //  Statements waiting behind it in its batch: answered at their
        //  deadline, their results dropped when they come.
        for (dp_db_stmt_t *more = slot->batch; more; more = more->batch_next)
            if (!more->job->answered && more->job->msg.deadline_ms
            &&  now >= more->job->msg.deadline_ms)
                dp_db_job_fail (more->job, &self->out, DP_STATUS_TIMEOUT,
                                "deadline passed while the statement waited in its batch");
        if (!stmt->deadline || now < stmt->deadline)
            continue;
        stmt->expired = true;
        dp_db_job_fail (stmt->job, &self->out, DP_STATUS_TIMEOUT,
                    "deadline passed while the statement ran; it is cancelled");
        //  The KILL must go to the server the statement runs on.
        bool control_up = dp_db_conn_state (self->control [slot->target]->conn)
                       != DP_DB_CONN_DOWN;
        if (control_up && slot->kill == DP_DB_KILL_NONE)
            slot->kill = DP_DB_KILL_WANTED;
    }
}

//  The requester abandoned its request id (CANCEL: the client went away).
//  The request gets its one reply now (499; the requester no longer reads
//  it), its queued statements are dropped, and a running statement of it
//  is cancelled with KILL QUERY like one past its deadline, unless it
//  also serves requests that still wait (LOADs merged into it).
static void
s_cancel (dp_db_actor_state_t *self, zframe_t *routing, uint64_t id)
{
    dp_db_job_t *job = dp_db_job_find (self->jobs, routing, id);
    if (!job || job->answered)
        return;                 //  answered already
    dp_db_job_fail (job, &self->out, DP_STATUS_CANCELLED, "cancelled by the requester");
    self->stat_cancelled++;
    dp_db_queue_purge (self->queue);
    for (int i = 0; i < self->n_pool; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        dp_db_stmt_t *stmt = slot->stmt;
        if (!stmt || stmt->expired)
            continue;
        bool serves = stmt->job == job, abandoned = stmt->job->answered;
        for (dp_db_stmt_t *member = stmt->merged; member; member = member->merged_next) {
            serves = serves || member->job == job;
            abandoned = abandoned && member->job->answered;
        }
        if (!serves || !abandoned)
            continue;
        stmt->expired = true;
        //  The KILL must go to the server the statement runs on.
        bool control_up = dp_db_conn_state (self->control [slot->target]->conn)
                       != DP_DB_CONN_DOWN;
        if (control_up && slot->kill == DP_DB_KILL_NONE)
            slot->kill = DP_DB_KILL_WANTED;
    }
}

//  Send the wanted KILLs of control's server, one at a time.
static void
s_kill_dispatch_on (dp_db_actor_state_t *self, dp_db_slot_t *control)
{
    while (control->killing < 0 && dp_db_conn_state (control->conn) == DP_DB_CONN_IDLE) {
        int i;
        for (i = 0; i < self->n_pool; i++)
            if (self->slots [i].target == control->target && self->slots [i].kill == DP_DB_KILL_WANTED)
                break;
        if (i == self->n_pool)
            return;
        dp_db_slot_t *slot = &self->slots [i];
        if (!slot->stmt || !slot->thread_id) {
            slot->kill = DP_DB_KILL_NONE;
            continue;
        }
        snprintf (control->kill_sql, sizeof control->kill_sql, "KILL QUERY %lu", slot->thread_id);
        slot->kill = DP_DB_KILL_SENT;
        control->killing = i;
        self->stat_killed++;
        dp_info ("db: request %llu [%s]: abandoned (deadline passed or cancelled), cancelling"
                 " its statement on %s connection %d (%s)", (unsigned long long) slot->stmt->job->msg.id,
                 slot->stmt->job->msg.trace_id, dp_db_target_name (slot->target), i,
                 control->kill_sql);
        s_handle_conn_event (self, control, dp_db_conn_query (control->conn, control->kill_sql,
                                                              strlen (control->kill_sql)));
    }
}

//  Send the wanted KILLs, each on the control connection of the server
//  its statement runs on.
static void
s_kill_dispatch (dp_db_actor_state_t *self)
{
    for (int target = 0; target < DP_DB_TARGETS; target++)
        if (self->control [target])
            s_kill_dispatch_on (self, self->control [target]);
}

//  The Idempotency-Key purge, when due, on the primary's control
//  connection once its KILLs are sent (dp_db_purge.h).
//  The primary's control connection when it could run the purge now (up,
//  idle, no KILL under way), else NULL.
static dp_db_slot_t *
s_purge_control (dp_db_actor_state_t *self)
{
    dp_db_slot_t *control = self->control [DP_DB_PRIMARY];
    return control && control->killing < 0 && dp_db_conn_state (control->conn) == DP_DB_CONN_IDLE
         ? control: NULL;
}

static void
s_purge_dispatch (dp_db_actor_state_t *self)
{
    dp_db_slot_t *control = s_purge_control (self);
    if (!control || !dp_db_purge_due (&self->purge, zclock_mono ()))
        return;
    control->purging = true;
    dp_db_purge_started (&self->purge);
    const char *sql = dp_db_purge_sql ();
    s_handle_conn_event (self, control, dp_db_conn_query (control->conn, sql, strlen (sql)));
}

//  A slot pinned to a transaction (or running its START TRANSACTION) is
//  held by it, whatever the pool's limit; max_pinned bounds those.
static bool
s_pinned (const dp_db_slot_t *slot)
{
    return slot->txn || slot->beginning;
}

//  A pool slot's place among its server's slots that are not pinned:
//  statements go to the first `target` of them only (s_in_limit). The
//  limit counts the connections statements can run on; counting pinned
//  ones too, a transaction idle between its requests, or abandoned by a
//  killed resolver until db-svc rolls it back (3 s), would take one of
//  them: at the minimum limit of 2, two such transactions stopped every
//  other read and write, and their idle connections kept the limit from
//  growing.
static int
s_rank (dp_db_actor_state_t *self, int index)
{
    int first = self->slots [index].target == DP_DB_REPLICA? self->pool_size [DP_DB_PRIMARY]: 0;
    int rank = 0;
    for (int i = first; i < index; i++)
        rank += !s_pinned (&self->slots [i]);
    return rank;
}

//  May this pool slot take statements under its pool's limit now?
static bool
s_in_limit (dp_db_actor_state_t *self, int index)
{
    dp_db_slot_t *slot = &self->slots [index];
    return s_pinned (slot)
        || s_rank (self, index) < dp_db_pool_limit_target (self->limit [slot->target]);
}

//  Each pool follows its limit (dp_db_pool_limit): statements go to the
//  first `target` slots (s_dispatch), a parked one among them connects,
//  and a connection beyond them closes once it stayed idle for the idle
//  time, so a limit that falls for a moment costs no reconnect. A busy
//  connection, one being set up or cancelling, and the control connection
//  are never closed.
static void
s_pool_adapt (dp_db_actor_state_t *self)
{
    int64_t now = zclock_mono ();
    for (dp_db_target_t target = 0; target < DP_DB_TARGETS; target++) {
        if (!self->limit [target])
            continue;
        dp_db_pool_state_t state = { 0, 0, dp_db_queue_size (self->queue) };
        for (int i = 0; i < self->n_pool; i++) {
            dp_db_slot_t *slot = &self->slots [i];
            if (slot->target != target || s_pinned (slot) || !s_in_limit (self, i))
                continue;
            dp_db_conn_state_t conn_state = dp_db_conn_state (slot->conn);
            state.up += conn_state == DP_DB_CONN_IDLE || conn_state == DP_DB_CONN_BUSY;
            state.busy += conn_state == DP_DB_CONN_BUSY;
        }
        dp_db_pool_limit_update (self->limit [target], &state, now);
        for (int i = 0; i < self->n_pool; i++) {
            dp_db_slot_t *slot = &self->slots [i];
            if (slot->target != target)
                continue;
            dp_db_conn_state_t conn_state = dp_db_conn_state (slot->conn);
            if (s_in_limit (self, i)) {
                if (slot->parked) {
                    slot->parked = false;
                    slot->backoff = 0;
                    slot->retry_at = now;       //  s_reconnect_due connects it
                }
            }
            else
            if (!slot->parked && !slot->stmt && !slot->txn && slot->kill == DP_DB_KILL_NONE
            && (conn_state == DP_DB_CONN_DOWN
            || (conn_state == DP_DB_CONN_IDLE && now - slot->idle_since >= DP_DB_POOL_LIMIT_IDLE_MS))) {
                dp_db_conn_close (slot->conn);
                slot->parked = true;
            }
        }
    }
}

//  A statement goes to pool slot i's connection: its requests have
//  started, and each counts the statement.
static void
s_count_started (dp_db_actor_state_t *self, dp_db_slot_t *slot, int i, dp_db_stmt_t *stmt)
{
    dp_db_job_t *job = stmt->job;
    for (dp_db_stmt_t *member = stmt->merged; member; member = member->merged_next) {
        member->job->started = true;
        member->job->statements++;
    }
    job->started = true;
    job->statements++;
    self->stat_statements++;
    self->stat_target [slot->target]++;
    if (self->out.verbose)
        dp_info ("db: request %llu [%s] on %s connection %d: %s",
                 (unsigned long long) job->msg.id, job->msg.trace_id,
                 dp_db_target_name (slot->target), i, stmt->sql.data);
}

//  Send stmt, and the statements of slot->batch after it, to pool slot i's
//  idle connection.
void
dp_db_actor_run_on (dp_db_actor_state_t *self, int i, dp_db_stmt_t *stmt)
{
    dp_db_slot_t *slot = &self->slots [i];
    slot->thread_id = dp_db_conn_thread_id (slot->conn);
    s_count_started (self, slot, i, stmt);
    slot->stmt = stmt;
    stmt->started_us = zclock_usecs ();
    dp_db_queue_started (self->queue, stmt);
    self->stat_round_trips++;
    if (slot->batch) {
        //  The statements of its batch (s_batch_take) go in the same text.
        for (dp_db_stmt_t *more = slot->batch; more; more = more->batch_next) {
            s_count_started (self, slot, i, more);
            more->started_us = stmt->started_us;
            dp_db_queue_started (self->queue, more);
        }
        s_batch_text (slot);
        s_handle_conn_event (self, slot, dp_db_conn_query (slot->conn, slot->batch_sql.data,
                                                           slot->batch_sql.len));
    }
    else
        s_handle_conn_event (self, slot, dp_db_conn_query (slot->conn, stmt->sql.data,
                                                           stmt->sql.len));
    //  The connector can finish a statement before returning (its answer
    //  was there already): no poll event will come for that connection,
    //  so whatever waits for it (a transaction's next request) must be
    //  dispatched now, not when something else wakes the loop.
    if (!slot->stmt)
        self->dispatch_again = true;
}

//  Checks before a statement runs: a request past its deadline is
//  answered 408, and a lookup key its column cannot hold matches no row.
//  Returns false when the statement was finished instead.
bool
dp_db_actor_may_run (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt)
{
    dp_db_job_t *job = stmt->job;
    if (!job->answered && dp_db_job_late (job, (uint64_t) zclock_time ()))
        dp_db_job_fail_late (job, &self->out);
    if (job->answered) {
        dp_db_stmt_finish (stmt);
        return false;
    }
    //  A lookup's key, or that of the lookup a LOAD is keyed by, that its
    //  column cannot hold matches no row (MariaDB would refuse to compare).
    uint32_t lookup = 0;
    const char *key = NULL;
    uint32_t key_len = 0;
    if (job->query && job->query->kind == DP_SQL_QUERY_LOOKUP) {
        lookup = job->msg.u.query.query;
        key = job->msg.u.query.args [0].u.s.ptr;
        key_len = job->msg.u.query.args [0].u.s.len;
    }
    else
    if (!job->query && job->msg.type == DP_MSG_LOAD && job->msg.u.load.by_lookup) {
        lookup = job->msg.u.load.key_query;
        key = job->msg.u.load.key_arg;
        key_len = job->msg.u.load.key_arg_len;
    }
    if (key && !dp_db_charsets_may_match (dp_db_conn_charsets (slot->conn), lookup, key, key_len)) {
        dp_db_rows_none (&self->out, job);
        dp_db_stmt_finish (stmt);
        return false;
    }
    return true;
}

//  A read about to run on slot: queued requests of the same loader, key
//  lookup or identical QUERY join it (coalescing), and its text gets the
//  max_statement_time of its deadline.
static void
s_prepare (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt)
{
    dp_db_job_t *job = stmt->job;
    if (self->coalesce) {
        int n_merged = dp_db_queue_merge (self->queue, stmt, dp_db_conn_charsets (slot->conn));
        self->stat_merged += (uint64_t) n_merged;
        if (n_merged && self->out.verbose)
            dp_info ("db: request %llu: %d %s merged into its statement",
                     (unsigned long long) job->msg.id, n_merged,
                     stmt->lookups? "lookup(s) of other keys"
                     : job->query? "identical QUERY statement(s)": "LOAD(s) of the same loader");
    }
    if (self->statement_timeout && stmt->deadline)
        dp_db_stmt_limit (stmt, (int64_t) stmt->deadline - zclock_time ());
}

//  ==========================================================================
//  Batches (DEPOT_DB_BATCH): when the pool is at its most, a connection
//  that takes a read takes up to batch - 1 more queued reads with it and
//  sends them all as one text (CLIENT_MULTI_STATEMENTS). MariaDB runs them one after another and
//  sends each result as it is done: one round trip carries several
//  statements, so a pool far from its database (P4) is no longer limited
//  to one statement per connection per round trip. Large statements,
//  transactions' and reads waiting for a GTID position go alone.

//  A read taken from the queue joins slot's batch at *tail (which moves
//  on), prepared as its lead was; false when it was finished instead
//  (dp_db_actor_may_run).
static bool
s_batch_add (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *more, dp_db_stmt_t ***tail)
{
    if (!dp_db_actor_may_run (self, slot, more))
        return false;
    more->deadline = more->job->msg.deadline_ms;
    s_prepare (self, slot, more);
    **tail = more;
    *tail = &more->batch_next;
    return true;
}

//  The reads queued from stmt's request (the rest of its wave) go in its
//  text when no other request's read waits: shared out over the idle
//  connections first, so a request far from MariaDB waits a round trip
//  per wave, not one per statement beyond the connections that are idle.
//  While other requests' reads wait, the wave waits with them: queued
//  reads of one loader share a statement (coalescing), which costs MariaDB
//  less than the round trips saved. At pool slot i, with idle more pool
//  slots that may take a statement, after *taken statements; returns the
//  batch's tail link.
static dp_db_stmt_t **
s_wave_take (dp_db_actor_state_t *self, int i, size_t idle, dp_db_stmt_t *stmt, int *taken)
{
    dp_db_slot_t *slot = &self->slots [i];
    dp_db_stmt_t **tail = &slot->batch;
    if (!self->wave)
        return tail;
    size_t siblings = dp_db_queue_siblings (self->queue, stmt);
    if (siblings == 0)
        return tail;
    size_t most = (siblings + 1 + idle) / (idle + 1);   //  this text's share
    while ((size_t) *taken < most) {
        dp_db_stmt_t *more = dp_db_queue_take_sibling (self->queue, stmt);
        if (!more)
            break;
        if (s_batch_add (self, slot, more, &tail))
            (*taken)++;
    }
    return tail;
}

//  Fill slot i's batch, from its tail on, with the queued reads that go
//  with stmt, share statements in all at most (taken so far: *taken).
static void
s_batch_take (dp_db_actor_state_t *self, int i, dp_db_stmt_t *stmt, dp_db_target_t reads, int max_large,
              int share, dp_db_stmt_t **tail, int taken)
{
    dp_db_slot_t *slot = &self->slots [i];
    //  Only a pool at its most: below it, another connection is the
    //  better remedy, and a read left in the queue a little longer
    //  shares the statements of others (coalescing).
    if (stmt->large || stmt->job->min_gtid
    ||  dp_db_pool_limit_target (self->limit [slot->target]) < self->pool_size [slot->target])
        return;
    int most = share < self->batch? share: self->batch;
    while (taken < most && dp_db_queue_size (self->queue) > 0) {
        dp_db_stmt_t *more = dp_db_queue_next (self->queue, slot->target, reads, max_large, false);
        if (!more)
            break;
        if (more->large || more->job->min_gtid || more->job->txn) {
            dp_db_queue_push (self->queue, more, true);     //  where it was
            break;
        }
        if (s_batch_add (self, slot, more, &tail))
            taken++;
    }
}

//  The text of slot's statement and its batch.
static void
s_batch_text (dp_db_slot_t *slot)
{
    dp_sql_destroy (&slot->batch_sql);
    dp_sql_append (&slot->batch_sql, slot->stmt->sql.data);
    for (dp_db_stmt_t *more = slot->batch; more; more = more->batch_next) {
        dp_sql_append (&slot->batch_sql, ";");
        dp_sql_append (&slot->batch_sql, more->sql.data);
    }
}

//  Slot's statement finished and its result was read: the next statement
//  of its batch becomes the slot's, its result read as it comes.
static void
s_batch_next (dp_db_actor_state_t *self, dp_db_slot_t *slot)
{
    dp_db_stmt_t *next = slot->batch;
    if (!next) {
        dp_sql_destroy (&slot->batch_sql);
        return;
    }
    slot->batch = next->batch_next;
    next->batch_next = NULL;
    slot->stmt = next;
    s_handle_conn_event (self, slot, dp_db_conn_next_result (slot->conn));
}

//  Slot's statement failed: MariaDB ran none of the batch after it, so
//  they are sent again, as one text, on the same connection (counted
//  once: each runs once).
static void
s_batch_resend (dp_db_actor_state_t *self, dp_db_slot_t *slot)
{
    dp_db_stmt_t *first = slot->batch;
    if (!first) {
        dp_sql_destroy (&slot->batch_sql);
        return;
    }
    slot->batch = first->batch_next;
    first->batch_next = NULL;
    slot->stmt = first;
    s_batch_text (slot);
    self->stat_round_trips++;
    s_handle_conn_event (self, slot, dp_db_conn_query (slot->conn, slot->batch_sql.data,
                                                       slot->batch_sql.len));
}

//  Slot's connection is gone: the rest of its batch fails as its statement did.
static void
s_batch_fail (dp_db_actor_state_t *self, dp_db_slot_t *slot, uint32_t status, const char *message)
{
    while (slot->batch) {
        dp_db_stmt_t *stmt = slot->batch;
        slot->batch = stmt->batch_next;
        stmt->batch_next = NULL;
        dp_db_queue_ended (self->queue, stmt);
        s_stmt_fail (self, stmt, status, message);
    }
    dp_sql_destroy (&slot->batch_sql);
}

//  ==========================================================================
//  Read your own writes (README): a read whose request carries a GTID
//  position (min_gtid) runs on the replica only once MASTER_GTID_WAIT said
//  the replica has applied it, within DEPOT_REPLICA_WAIT_MS; else on the
//  primary, which has every write it acknowledged.

//  The read goes to the primary's queue (or fails 503 with the primary down).
static void
s_gtid_to_primary (dp_db_actor_state_t *self, dp_db_stmt_t *stmt)
{
    dp_db_job_t *job = stmt->job;
    job->access = DP_DB_ACCESS_PRIMARY;
    job->min_gtid = NULL;
    self->stat_gtid_primary++;
    if (self->out.verbose)
        dp_info ("db: request %llu [%s]: the replica has not reached its GTID position: on the primary",
                 (unsigned long long) job->msg.id, job->msg.trace_id);
    if (dp_db_actor_unavailable (self, DP_DB_ACCESS_PRIMARY)) {
        s_stmt_fail (self, stmt, DP_STATUS_UNAVAILABLE,
                     "database unavailable: the replica lags and the primary is down");
        return;
    }
    dp_db_queue_push (self->queue, stmt, true);
    self->dispatch_again = true;
}

//  Before stmt runs on pool slot i: true when it was taken instead (its
//  replica's MASTER_GTID_WAIT started on that slot, or it went to the
//  primary's queue); false when it may run there now.
static bool
s_gtid_gate (dp_db_actor_state_t *self, int i, dp_db_stmt_t *stmt)
{
    dp_db_slot_t *slot = &self->slots [i];
    dp_db_job_t *job = stmt->job;
    if (!job->min_gtid)
        return false;
    if (job->access == DP_DB_ACCESS_PRIMARY && slot->target == DP_DB_REPLICA) {
        //  Another statement of the job found the replica behind: follow it.
        s_gtid_to_primary (self, stmt);
        return true;
    }
    if (slot->target == DP_DB_PRIMARY || dp_gtid_covers (self->replica_reached, job->min_gtid)) {
        job->min_gtid = NULL;
        return false;
    }
    int64_t wait_ms = self->replica_wait_ms;
    if (job->msg.deadline_ms && (int64_t) job->msg.deadline_ms - zclock_time () < wait_ms)
        wait_ms = (int64_t) job->msg.deadline_ms - zclock_time ();
    if (wait_ms <= 0) {
        s_gtid_to_primary (self, stmt);
        return true;
    }
    snprintf (slot->wait_sql, sizeof slot->wait_sql, "SELECT MASTER_GTID_WAIT('%s', %lld.%03lld)",
              job->min_gtid, (long long) (wait_ms / 1000), (long long) (wait_ms % 1000));
    slot->gtid_waiting = true;
    slot->stmt = stmt;
    slot->thread_id = dp_db_conn_thread_id (slot->conn);
    job->started = true;
    job->statements++;
    self->stat_statements++;
    self->stat_target [slot->target]++;
    self->stat_gtid_waits++;
    if (self->out.verbose)
        dp_info ("db: request %llu [%s] on %s connection %d: %s", (unsigned long long) job->msg.id,
                 job->msg.trace_id, dp_db_target_name (slot->target), i, slot->wait_sql);
    s_handle_conn_event (self, slot, dp_db_conn_query (slot->conn, slot->wait_sql,
                                                       strlen (slot->wait_sql)));
    return true;
}

//  A MASTER_GTID_WAIT finished: 0 means the replica has applied the
//  position, and the read goes back to the head of the reads' queue (any
//  replica connection sees it now); a timeout (-1), an error or a lost
//  connection send it to the primary. The read itself has not run.
static void
s_gtid_waited (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_conn_event_t event)
{
    dp_db_stmt_t *stmt = slot->stmt;
    dp_db_job_t *job = stmt->job;
    slot->gtid_waiting = false;
    slot->stmt = NULL;
    if (slot->kill == DP_DB_KILL_WANTED)
        slot->kill = DP_DB_KILL_NONE;
    bool reached = false;
    if (event == DP_DB_CONN_DONE) {
        unsigned long *lengths;
        char **row = dp_db_conn_fetch_row (slot->conn, &lengths);
        reached = row && row [0] && strcmp (row [0], "0") == 0;
        slot->idle_since = zclock_mono ();
    }
    else
    if (event == DP_DB_CONN_FAILED)
        dp_info ("db: MASTER_GTID_WAIT on the replica failed: %s", dp_db_conn_error (slot->conn));
    else
    if (event == DP_DB_CONN_LOST) {
        dp_warn ("db: replica connection lost: %s", dp_db_conn_error (slot->conn));
        slot->retry_at = zclock_mono ();
        self->replica_reached [0] = 0;
    }
    if (event != DP_DB_CONN_LOST)
        dp_db_conn_free_result (slot->conn);
    if (job->answered) {                    //  its deadline passed, or it was cancelled
        dp_db_stmt_finish (stmt);
        return;
    }
    if (!reached) {
        s_gtid_to_primary (self, stmt);
        return;
    }
    char merged [DP_GTID_MAX + 1];
    if (dp_gtid_merge (self->replica_reached, job->min_gtid, merged, sizeof merged) == 0)
        memcpy (self->replica_reached, merged, sizeof merged);
    job->min_gtid = NULL;
    dp_db_queue_push (self->queue, stmt, true);
}

//  Give queued statements to idle connections: each pinned connection
//  its transaction's next one, the others the queue's (again when a read
//  moved to the primary's queue on the way, or a statement finished as it
//  started).
static void
s_dispatch_once (dp_db_actor_state_t *self);

static void
s_dispatch (dp_db_actor_state_t *self)
{
    do {
        self->dispatch_again = false;
        s_dispatch_once (self);
    } while (self->dispatch_again);
}

//  May pool slot i take a queued statement now?
static bool
s_takes_statement (dp_db_actor_state_t *self, int i)
{
    dp_db_slot_t *slot = &self->slots [i];
    return !slot->stmt && !slot->txn && slot->kill == DP_DB_KILL_NONE && s_in_limit (self, i)
        && dp_db_conn_state (slot->conn) == DP_DB_CONN_IDLE;
}

//  How many pool slots after slot i may take a statement now. Counted
//  when a statement is shared out, not once per dispatch: a BEGIN that pins
//  a connection moves the unpinned slots after it up in rank (s_rank), so
//  a slot that was beyond the limit becomes a taker mid-dispatch (a count
//  taken once fell to -1 and the share divided by zero: db-svc aborted
//  under test_transfer_faults' stream of transactions).
static int
s_takers_after (dp_db_actor_state_t *self, int i)
{
    int takers = 0;
    for (int j = i + 1; j < self->n_pool; j++)
        takers += s_takes_statement (self, j);
    return takers;
}

static void
s_dispatch_once (dp_db_actor_state_t *self)
{
    dp_db_target_t reads = dp_db_target_route (DP_DB_ACCESS_READ,
                                               s_count_up (self, DP_DB_REPLICA) > 0);
    //  Large statements take at most half the connections that server
    //  has now.
    int now_open = dp_db_pool_limit_target (self->limit [reads]);
    int max_large = now_open / 2 > 0? now_open / 2: 1;
    for (dp_db_txn_t *txn = self->txns.head, *next; txn; txn = next) {
        next = txn->next;
        dp_db_actor_txn_dispatch (self, txn);
    }
    for (int i = 0; i < self->n_pool && dp_db_queue_size (self->queue) > 0; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        while (s_takes_statement (self, i)) {
            dp_db_stmt_t *stmt = dp_db_queue_next (self->queue, slot->target, reads, max_large,
                                                   self->n_pinned < self->max_pinned);
            if (!stmt)
                break;
            if (!dp_db_actor_may_run (self, slot, stmt))
                continue;
            dp_db_job_t *job = stmt->job;
            stmt->deadline = job->msg.deadline_ms;
            if (s_gtid_gate (self, i, stmt))
                continue;
            if (job->msg.type == DP_MSG_TXN) {
                //  A BEGIN: this connection is reserved for it from now on.
                slot->beginning = true;
                self->n_pinned++;
                stmt->deadline = 0;     //  START TRANSACTION is not cancelled
                dp_db_actor_run_on (self, i, stmt);
                continue;
            }
            s_prepare (self, slot, stmt);
            assert (!slot->batch);
            //  The queue is shared out over the idle connections first:
            //  a wave's or a batch's text only carries what would
            //  otherwise wait.
            size_t idle = (size_t) s_takers_after (self, i);
            int taken = 1;
            dp_db_stmt_t **tail = s_wave_take (self, i, idle, stmt, &taken);
            int share = (int) ((dp_db_queue_size (self->queue) + idle + 1) / (idle + 1));
            s_batch_take (self, i, stmt, reads, max_large, share, tail, taken);
            //  LOADs of kept rows waiting: the position read they need
            //  goes first in this text, at no round trip of its own.
            if (slot->target == DP_DB_PRIMARY)
                stmt = dp_db_actor_kept_ahead (self, slot, stmt);
            dp_db_actor_run_on (self, i, stmt);
        }
    }
    //  Nothing else went: the position read alone, on an idle connection.
    for (int i = 0; i < self->n_pool && self->kept_waiting; i++)
        if (self->slots [i].target == DP_DB_PRIMARY && s_takes_statement (self, i))
            dp_db_actor_run_on (self, i, dp_db_actor_kept_position (self));
}


//  ==========================================================================
//  Requests

//  Queue a statement: a transaction's go to its own FIFO.
void
dp_db_actor_push (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, bool at_head)
{
    if (stmt->job->txn)
        dp_db_txn_push (stmt->job->txn, stmt, at_head);
    else
        dp_db_queue_push (self->queue, stmt, at_head);
}

//  A read of a transaction runs on its connection: the primary's.
static void
s_job_join (dp_db_job_t *job, dp_db_txn_t *txn)
{
    job->txn = txn;
    if (txn)
        job->access = dp_db_target_access (job->msg.type, true);
}

//  A LOAD keyed by a lookup's row (a single box's reads sent with its
//  lookup by label): one statement, the keys a subquery; never kept nor
//  merged, as its keys are not known before it runs.
static void
s_start_load_by_lookup (dp_db_actor_state_t *self, dp_db_job_t *job, const dp_sql_loader_t *loader)
{
    const dp_msg_t *msg = &job->msg;
    char err [200];
    dp_sql_t sql;
    dp_sql_init (&sql);
    if (dp_sql_build_load_by_lookup (&sql, loader, job->columns, msg->u.load.key_query,
                                     msg->u.load.key_arg, msg->u.load.key_arg_len,
                                     msg->u.load.key_column, err, sizeof err)) {
        dp_sql_destroy (&sql);
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST, "%s", err);
        return;
    }
    if (dp_db_actor_unavailable (self, job->access)) {
        dp_sql_destroy (&sql);
        dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, "database unavailable");
        return;
    }
    job->n_parts = 1;
    job->parts = dp_arena_calloc (job->arena, 1, sizeof (dp_db_part_t));
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    dp_sql_destroy (&stmt->sql);
    stmt->sql = sql;                //  moved
    dp_db_actor_push (self, stmt, false);
}

//  Start a LOAD: validate, then one statement per chunk of distinct keys.
static void
s_start_load (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    const dp_sql_loader_t *loader = dp_sql_loader (msg->u.load.loader);
    const dp_catalog_entry_t *entry = dp_catalog_loader (msg->u.load.loader);
    if (!loader || !entry) {
        dp_db_reply_error (&self->out, *routing_p, msg->id, msg->trace_id, DP_STATUS_BAD_REQUEST,
                       "unknown loader %u", msg->u.load.loader);
        return;
    }
    dp_db_txn_t *txn = NULL;
    if (msg->u.load.txn && !(txn = dp_db_actor_txn_for (self, *routing_p, msg, msg->u.load.txn)))
        return;
    dp_db_job_t *job = dp_db_job_new (&self->jobs, routing_p, arena_p, msg);
    s_job_join (job, txn);
    job->min_gtid = txn ? NULL : job->msg.u.load.min_gtid;
    job->columns = msg->u.load.columns;
    job->n_cols = (uint32_t) dp_sql_result_types (entry, job->columns, job->types);
    if (job->n_cols == 0)
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST, "loader %s has no column in mask 0x%llx",
                    loader->name, (unsigned long long) job->columns);
    else
    if (loader->sql_template && job->columns != ((uint64_t) 1 << loader->n_columns) - 1)
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST, "loader %s answers every column only",
                    loader->name);
    else
    if (dp_db_job_late (job, (uint64_t) zclock_time ()))
        dp_db_job_fail (job, &self->out, DP_STATUS_TIMEOUT,
                        "deadline passed before the request started");
    else
    if (job->msg.u.load.by_lookup)
        s_start_load_by_lookup (self, job, loader);
    else {
        size_t n_keys = dp_sql_unique_keys (job->msg.u.load.keys, job->msg.u.load.n_keys);
        job->n_keys = n_keys;
        if (n_keys == 0)
            dp_db_rows_none (&self->out, job);
        else
        if (dp_db_actor_unavailable (self, job->access))
            dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, "database unavailable");
        else {
            size_t chunk = (size_t) self->chunk_size;
            job->n_parts = (uint32_t) ((n_keys + chunk - 1) / chunk);
            job->parts = dp_arena_calloc (job->arena, job->n_parts, sizeof (dp_db_part_t));
            //  Rows kept between requests: the job waits for a position
            //  read instead (dp_db_actor_kept.c).
            uint32_t n_parts = dp_db_actor_kept_wait (self, job)? 0: job->n_parts;
            for (uint32_t p = 0; p < n_parts; p++) {
                size_t first = p * chunk;
                size_t count = n_keys - first < chunk? n_keys - first: chunk;
                dp_db_stmt_t *stmt = dp_db_stmt_new (job, p);
                stmt->large = count > DP_DB_LARGE_ROWS;
                int rc = dp_sql_build_load (&stmt->sql, loader, job->columns,
                                            job->msg.u.load.keys + first, count);
                assert (rc == 0);       //  mask checked above
                dp_db_actor_push (self, stmt, false);
            }
        }
    }
    dp_db_job_release (&job);
}

//  Start a QUERY: validate and parse its arguments through its entry of
//  the SQL catalog's query table, answer what needs no SQL, queue the
//  first statement.
static void
s_start_query (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    const dp_catalog_entry_t *entry = dp_catalog_query (msg->u.query.query);
    const dp_sql_query_t *query = dp_sql_query (msg->u.query.query);
    if (!entry || !query) {
        dp_db_reply_error (&self->out, *routing_p, msg->id, msg->trace_id, DP_STATUS_BAD_REQUEST,
                           "unknown query %u", msg->u.query.query);
        return;
    }
    dp_db_txn_t *txn = NULL;
    if (msg->u.query.txn && !(txn = dp_db_actor_txn_for (self, *routing_p, msg, msg->u.query.txn)))
        return;
    dp_db_job_t *job = dp_db_job_new (&self->jobs, routing_p, arena_p, msg);
    s_job_join (job, txn);
    job->min_gtid = txn ? NULL : job->msg.u.query.min_gtid;
    job->query = query;
    job->columns = msg->u.query.columns;
    if (query->kind == DP_SQL_QUERY_SCALAR) {
        job->n_cols = 1;
        job->types [0] = DP_COLTYPE_INT;
    }
    else
        job->n_cols = (uint32_t) dp_sql_result_types (entry, job->columns, job->types);
    char err [256];
    if (job->n_cols == 0)
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST,
                        "query %s has no column in mask 0x%llx", entry->name,
                        (unsigned long long) job->columns);
    else
    if (dp_sql_query_parse (query, job->msg.u.query.query, job->columns, job->msg.u.query.args,
                            job->msg.u.query.n_args, job->arena, &job->args, err, sizeof err))
        dp_db_job_fail (job, &self->out, DP_STATUS_BAD_REQUEST, "%s: %s", entry->name, err);
    else
    if (dp_db_job_late (job, (uint64_t) zclock_time ()))
        dp_db_job_fail (job, &self->out, DP_STATUS_TIMEOUT,
                        "deadline passed before the request started");
    else
    if (dp_sql_query_nothing (query, &job->args)) {
        //  Known without SQL: no rows, a zero count, no previous row.
        if (query->kind == DP_SQL_QUERY_SCALAR)
            dp_db_rows_zero (&self->out, job);
        else
            dp_db_rows_none (&self->out, job);
    }
    else
    if (dp_db_actor_unavailable (self, job->access))
        dp_db_job_fail (job, &self->out, DP_STATUS_UNAVAILABLE, "database unavailable");
    else {
        dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
        if (s_count_kept (self, job)) {
            //  First where the binary log is; the count only if the feed
            //  cannot vouch for a kept one there (s_count_step).
            dp_sql_t count;
            dp_sql_init (&count);
            dp_sql_query_build (query, &count, &job->args);
            job->count_key = dp_arena_strdup (job->arena, count.data);
            dp_sql_destroy (&count);
            dp_sql_append (&stmt->sql, "SELECT @@global.gtid_binlog_pos");
        }
        else
            dp_sql_query_build (query, &stmt->sql, &job->args);
        dp_db_actor_push (self, stmt, false);
    }
    dp_db_job_release (&job);
}

//  This db-svc's report for HEARTBEAT replies (values: DP_STAT_DB_COUNT
//  of them, the caller's): the pool by connection state (the control
//  connections, which only send KILL QUERY, and the slots closed by the
//  pool's limit are not counted; a replica's pool counts with the
//  primary's), its most and its target, the queue,
//  and the counters since start.
static void
s_report (dp_db_actor_state_t *self, dp_report_t *report, uint64_t *values)
{
    memset (values, 0, DP_STAT_DB_COUNT * sizeof (uint64_t));
    for (int i = 0; i < self->n_pool; i++)
        if (!self->slots [i].parked)
        switch (dp_db_conn_state (self->slots [i].conn)) {
            case DP_DB_CONN_BUSY:       values [DP_STAT_DB_BUSY]++; break;
            case DP_DB_CONN_IDLE:       values [DP_STAT_DB_IDLE]++; break;
            case DP_DB_CONN_CONNECTING: values [DP_STAT_DB_CONNECTING]++; break;
            case DP_DB_CONN_DOWN:       values [DP_STAT_DB_DOWN]++; break;
        }
    values [DP_STAT_DB_POOL_SIZE] = (uint64_t) self->n_pool;     //  the replica's too
    values [DP_STAT_DB_STATEMENTS] = self->stat_statements;
    values [DP_STAT_DB_QUEUED] = dp_db_queue_size (self->queue);
    values [DP_STAT_DB_QUEUE_LIMIT] = self->max_queue;
    values [DP_STAT_DB_REFUSED] = self->stat_rejected;
    values [DP_STAT_DB_COALESCED] = self->stat_merged;
    values [DP_STAT_DB_ROUND_TRIPS] = self->stat_round_trips;
    values [DP_STAT_DB_ANSWERED] = self->out.answered;
    values [DP_STAT_DB_ERRORS] = self->out.errors;
    values [DP_STAT_DB_CANCELLED] = self->stat_killed;
    for (int target = 0; target < DP_DB_TARGETS; target++)
        if (self->limit [target])
            values [DP_STAT_DB_POOL_TARGET] += (uint64_t) dp_db_pool_limit_target (self->limit [target]);
    report->service = DP_SERVICE_DB;
    report->instance = self->instance;
    report->taken_ms = (uint64_t) zclock_time ();
    report->values = values;
    report->n_values = DP_STAT_DB_COUNT;
}

//  One request: frames [routing id, msgpack] (n frames received).
static void
s_handle_request (dp_db_actor_state_t *self, zmq_msg_t *frames, int n, bool too_many)
{
    if (n < 2) {
        dp_warn ("db: dropping a message of %d frame(s)", n);
        return;
    }
    const void *data = zmq_msg_data (&frames [n - 1]);
    size_t size = zmq_msg_size (&frames [n - 1]);
    zframe_t *routing = zframe_new (zmq_msg_data (&frames [0]), zmq_msg_size (&frames [0]));
    char err [256];
    dp_msg_t msg;
    if (n != 2 || too_many) {
        if (dp_msg_peek (data, size, &msg, err, sizeof err) == 0)
            dp_db_reply_error (&self->out, routing, msg.id, "", DP_STATUS_BAD_REQUEST,
                           "malformed request: expected [routing id, message], got %s%d frames",
                           too_many? "more than ": "", n);
        else
            dp_warn ("db: dropping a malformed message of %d frames: %s", n, err);
        zframe_destroy (&routing);
        return;
    }
    dp_arena_t *arena = dp_arena_new (8192);
    if (dp_msg_decode (data, size, arena, &msg, err, sizeof err)) {
        dp_msg_t envelope;
        char peek_err [256];
        if (dp_msg_peek (data, size, &envelope, peek_err, sizeof peek_err) == 0)
            dp_db_reply_error (&self->out, routing, envelope.id, "", DP_STATUS_BAD_REQUEST,
                           "malformed request: %s", err);
        else
            dp_warn ("db: dropping a malformed message: %s", err);
    }
    else {
    //  Any message is a sign of life of its requester's transactions.
    dp_db_txn_heard (&self->txns, routing, zclock_mono ());
    switch (msg.type) {
        case DP_MSG_HEARTBEAT: {
            //  The answer says we are alive and carries our figures.
            uint64_t values [DP_STAT_DB_COUNT];
            dp_report_t report;
            s_report (self, &report, values);
            dp_msg_t reply;
            memset (&reply, 0, sizeof reply);
            reply.version = DP_PROTO_VERSION;
            reply.type = DP_MSG_HEARTBEAT;
            reply.id = msg.id;
            reply.trace_id = msg.trace_id;
            reply.u.heartbeat.reports = &report;
            reply.u.heartbeat.n_reports = 1;
            reply.u.heartbeat.instance_id = self->instance_id;
            dp_db_reply_msg (&self->out, routing, &reply);
            break;
        }
        case DP_MSG_DISCONNECT:
            dp_db_actor_txn_abandon (self, routing, 0, DP_STATUS_GONE, "its requester disconnected");
            break;
        case DP_MSG_CANCEL:
            //  A request id, or a transaction's: the requester numbers both alike.
            dp_db_actor_txn_abandon (self, routing, msg.id, DP_STATUS_CANCELLED, "cancelled by the requester");
            s_cancel (self, routing, msg.id);
            break;
        case DP_MSG_TXN:
            dp_db_actor_kept_forget (self, msg.trace_id);
            dp_db_actor_start_txn (self, &routing, &arena, &msg);
            break;
        case DP_MSG_STMT:
            dp_db_actor_kept_forget (self, msg.trace_id);
            dp_db_actor_start_stmt (self, &routing, &arena, &msg);
            break;
        case DP_MSG_LOAD:
        case DP_MSG_QUERY:
            //  Back-pressure: a full queue refuses new work at once (a
            //  transaction's reads wait on its own connection).
            if (dp_db_queue_size (self->queue) >= self->max_queue
            && !(msg.type == DP_MSG_LOAD? msg.u.load.txn: msg.u.query.txn)) {
                self->stat_rejected++;
                dp_db_reply_error (&self->out, routing, msg.id, msg.trace_id, DP_STATUS_UNAVAILABLE,
                               "db-svc overloaded: %zu statements queued", dp_db_queue_size (self->queue));
            }
            else
            if (msg.type == DP_MSG_LOAD)
                s_start_load (self, &routing, &arena, &msg);
            else
                s_start_query (self, &routing, &arena, &msg);
            break;
        default:
            dp_db_reply_error (&self->out, routing, msg.id, msg.trace_id, DP_STATUS_BAD_REQUEST,
                           "db-svc does not take %s messages", dp_msg_type_name (msg.type));
            break;
    }
    }
    dp_arena_destroy (&arena);
    zframe_destroy (&routing);
}

//  Read what the ROUTER has, up to a burst.
static void
s_handle_router (dp_db_actor_state_t *self)
{
    for (int burst = 0; burst < S_RECV_BURST; burst++) {
        zmq_msg_t frames [3];
        int n = 0;
        bool more = true, too_many = false;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init (&part);
            if (zmq_msg_recv (&part, self->router_handle, ZMQ_DONTWAIT) == -1) {
                zmq_msg_close (&part);
                break;
            }
            more = zmq_msg_more (&part);
            if (n < 3)
                frames [n++] = part;
            else {
                too_many = true;
                zmq_msg_close (&part);
            }
        }
        if (n == 0)
            return;                 //  nothing more to read
        s_handle_request (self, frames, n, too_many);
        for (int i = 0; i < n; i++)
            zmq_msg_close (&frames [i]);
    }
}

static void
s_handle_pipe (dp_db_actor_state_t *self)
{
    zmsg_t *request = zmsg_recv (self->pipe);
    if (!request) {
        self->terminated = true;    //  interrupted
        return;
    }
    char *command = zmsg_popstr (request);
    assert (command);
    if (streq (command, "$TERM"))
        self->terminated = true;
    else
    if (streq (command, "STATS"))
        zsock_send (self->pipe, "888", self->stat_statements, self->out.answered,
                    self->out.errors);
    else
    if (streq (command, "MERGED"))
        zsock_send (self->pipe, "8", self->stat_merged);
    else
    if (streq (command, "ROUNDTRIPS"))
        zsock_send (self->pipe, "8", self->stat_round_trips);
    else
    if (streq (command, "CONTROLS")) {
        //  Control connections set up: their set-up's statements are over.
        int up = 0;
        for (int target = 0; target < DP_DB_TARGETS; target++)
            up += self->control [target]
               && dp_db_conn_state (self->control [target]->conn) == DP_DB_CONN_IDLE;
        zsock_send (self->pipe, "i", up);
    }
    else
    if (streq (command, "CANCELLED"))
        zsock_send (self->pipe, "8", self->stat_cancelled);
    else
    if (streq (command, "PRESSURE"))
        zsock_send (self->pipe, "8888", self->stat_killed, self->stat_rejected,
                    (uint64_t) dp_db_queue_size (self->queue), (uint64_t) self->max_queue);
    else
    if (streq (command, "TARGETS"))
        zsock_send (self->pipe, "iiii88", s_count_up (self, DP_DB_PRIMARY),
                    self->pool_size [DP_DB_PRIMARY], s_count_up (self, DP_DB_REPLICA),
                    self->pool_size [DP_DB_REPLICA], self->stat_target [DP_DB_PRIMARY],
                    self->stat_target [DP_DB_REPLICA]);
    else
    if (streq (command, "TXNS"))
        zsock_send (self->pipe, "888", (uint64_t) self->txns.count, (uint64_t) self->n_pinned,
                    self->stat_txn_ended);
    else
    if (streq (command, "PORT"))
        zsock_send (self->pipe, "i", self->port);
    else
    if (streq (command, "VERBOSE"))
        self->out.verbose = true;
    else {
        dp_error ("db: invalid pipe command '%s'", command);
        assert (false);
    }
    free (command);
    zmsg_destroy (&request);
}


//  ==========================================================================
//  The actor

static dp_db_actor_state_t *
s_self_new (zsock_t *pipe, const dp_db_config_t *config)
{
    dp_db_actor_state_t *self = calloc (1, sizeof (dp_db_actor_state_t));
    if (!self)
        dp_fatal ("out of memory");
    self->pipe = pipe;
    self->config = *config;
    const char **fields [] = { &self->config.host, &self->config.socket, &self->config.user,
                               &self->config.password, &self->config.database,
                               &self->config.endpoint, &self->config.replica_host,
                               &self->config.replica_socket, &self->config.feed_writes,
                               &self->config.feed_connect };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (*fields [i]) {
            self->strings [i] = strdup (*fields [i]);
            if (!self->strings [i])
                dp_fatal ("out of memory");
            *fields [i] = self->strings [i];
        }
    if (config->instance)
        snprintf (self->instance, sizeof self->instance, "%s", config->instance);
    else
        dp_instance_name (self->instance, sizeof self->instance, -1);
    self->config.instance = self->instance;
    self->instance_id = dp_instance_id ();
    self->chunk_size = config->chunk_size > 0? config->chunk_size: 10000;
    self->queue = dp_db_queue_new (self->chunk_size);
    dp_db_reply_init (&self->out, NULL, config->verbose);   //  the ROUTER comes with the bind
    //  Slots: the primary's pool, the replica's pool, then one control
    //  connection per server.
    int n_targets = 0;
    for (int target = 0; target < DP_DB_TARGETS; target++) {
        self->pool_size [target] = dp_db_target_pool_size (&self->config, target);
        self->n_pool += self->pool_size [target];
        n_targets += self->pool_size [target] > 0;
    }
    self->n_slots = self->n_pool + n_targets;
    self->max_queue = config->max_queue > 0? (size_t) config->max_queue: 2048;
    self->statement_timeout = config->statement_timeout;
    self->coalesce = config->coalesce;
    self->wave = config->wave;
    self->batch = config->batch;
    self->replica_wait_ms = config->replica_wait_ms;
    //  Transactions pin at most half the primary's pool: reads keep the rest.
    self->max_pinned = self->pool_size [DP_DB_PRIMARY] / 2 > 0? self->pool_size [DP_DB_PRIMARY] / 2: 1;
    self->slots = calloc ((size_t) self->n_slots, sizeof (dp_db_slot_t));
    self->items = calloc ((size_t) self->n_slots + 3, sizeof (zmq_pollitem_t));
    self->item_slot = calloc ((size_t) self->n_slots + 3, sizeof (int));
    if (!self->slots || !self->items || !self->item_slot)
        dp_fatal ("out of memory");
    int next = 0;
    int next_control = self->n_pool;
    for (int target = 0; target < DP_DB_TARGETS; target++) {
        if (self->pool_size [target] == 0)
            continue;
        dp_db_config_t server;
        dp_db_target_config (&self->config, target, &server);
        int min = config->pool_min < self->pool_size [target]
                ? (config->pool_min > 0? config->pool_min: 1): self->pool_size [target];
        self->limit [target] = dp_db_pool_limit_new (min, self->pool_size [target]);
        for (int i = 0; i < self->pool_size [target]; i++, next++) {
            self->slots [next].conn = dp_db_conn_new (&server);
            self->slots [next].target = target;
            self->slots [next].killing = -1;
            self->slots [next].parked = i >= min;
        }
        dp_db_slot_t *control = &self->slots [next_control++];
        control->conn = dp_db_conn_new (&server);
        control->target = target;
        control->control = true;
        control->killing = -1;
        self->control [target] = control;
    }
    assert (next == self->n_pool && next_control == self->n_slots);
    dp_db_purge_init (&self->purge, config->idempotency_purge_ms, zclock_mono ());
    return self;
}

static void
s_self_destroy (dp_db_actor_state_t **self_p)
{
    dp_db_actor_state_t *self = *self_p;
    if (!self)
        return;
    //  Requests still under way: each requester is told once that we are
    //  going away (DISCONNECT, proto/README.md section 5), which answers all
    //  it sent us: it sends those reads again to another db-svc, or to the
    //  one that takes our place, rather than failing them.
    for (dp_db_job_t *job = self->jobs; job; job = job->next) {
        if (job->answered)
            continue;
        dp_msg_t bye = { .version = DP_PROTO_VERSION, .type = DP_MSG_DISCONNECT, .trace_id = "" };
        dp_db_reply_msg (&self->out, job->routing, &bye);
        for (dp_db_job_t *other = job; other; other = other->next)
            if (zframe_eq (other->routing, job->routing))
                other->answered = true;
    }
    for (int i = 0; i < self->n_slots; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        dp_db_conn_destroy (&slot->conn);
        if (slot->stmt)
            s_stmt_fail (self, slot->stmt, DP_STATUS_UNAVAILABLE, "db-svc is shutting down");
        s_batch_fail (self, slot, DP_STATUS_UNAVAILABLE, "db-svc is shutting down");
    }
    //  Open transactions: their connections are closed above, which rolls
    //  them back in MariaDB.
    while (self->txns.head) {
        dp_db_txn_t *txn = self->txns.head;
        dp_db_stmt_t *stmt;
        while ((stmt = dp_db_txn_pop (txn)))
            dp_db_stmt_finish (stmt);
        if (txn->failed) {
            txn->failed->answered = true;
            dp_db_job_release (&txn->failed);
        }
        dp_db_txn_destroy (&self->txns, &txn);
    }
    dp_db_actor_kept_drop (self);
    dp_db_queue_destroy (&self->queue);
    for (int target = 0; target < DP_DB_TARGETS; target++)
        dp_db_pool_limit_destroy (&self->limit [target]);
    assert (self->jobs == NULL);
    dp_db_reply_destroy (&self->out);       //  what it holds goes out first
    zsock_destroy (&self->router);
    zsock_destroy (&self->feed_push);
    zsock_destroy (&self->feed_sub);
    dp_db_kept_rows_destroy (&self->kept);
    zhashx_destroy (&self->kept_positions);
    dp_db_counts_destroy (&self->counts);
    for (size_t i = 0; i < sizeof self->strings / sizeof self->strings [0]; i++) {
        if (self->strings [i] && self->config.password == self->strings [i])
            memset (self->strings [i], 0, strlen (self->strings [i]));
        free (self->strings [i]);
    }
    free (self->slots);
    free (self->items);
    free (self->item_slot);
    free (self);
    *self_p = NULL;
}

//  Poll timeout in ms: the nearest connector timeout, reconnect time or
//  queued deadline, at most S_MAX_POLL_MS.
static long
s_poll_timeout (dp_db_actor_state_t *self)
{
    int64_t now = zclock_mono ();
    int64_t timeout = S_MAX_POLL_MS;
    //  Running statements reach their deadline.
    for (int i = 0; i < self->n_pool; i++) {
        dp_db_stmt_t *stmt = self->slots [i].stmt;
        if (!stmt || stmt->expired)
            continue;
        uint64_t nearest = stmt->deadline;
        for (dp_db_stmt_t *member = stmt->merged; member; member = member->merged_next)
            if (!member->job->answered && member->job->msg.deadline_ms
            && (!nearest || member->job->msg.deadline_ms < nearest))
                nearest = member->job->msg.deadline_ms;
        for (dp_db_stmt_t *more = self->slots [i].batch; more; more = more->batch_next)
            if (!more->job->answered && more->job->msg.deadline_ms
            && (!nearest || more->job->msg.deadline_ms < nearest))
                nearest = more->job->msg.deadline_ms;
        if (nearest) {
            int64_t left = (int64_t) nearest - zclock_time ();
            if (left < timeout)
                timeout = left;
        }
    }
    for (int i = 0; i < self->n_slots; i++) {
        dp_db_slot_t *slot = &self->slots [i];
        if (slot->parked)
            continue;
        int64_t at = dp_db_conn_state (slot->conn) == DP_DB_CONN_DOWN
                   ? slot->retry_at: dp_db_conn_wakeup (slot->conn);
        if (at >= 0 && at - now < timeout)
            timeout = at - now;
    }
    timeout = dp_db_txn_next_due (&self->txns, (uint64_t) zclock_time (), now, timeout);
    //  A purge that is due waits for the control connection: only an idle
    //  one can run it, and it wakes the loop when it becomes idle (while it
    //  is down or busy, a timeout of 0 spun the loop at full CPU).
    if (s_purge_control (self))
        timeout = dp_db_purge_timeout (&self->purge, now, timeout);
    uint64_t next_expiry = dp_db_queue_next_expiry (self->queue);
    if (next_expiry) {
        int64_t left = (int64_t) next_expiry - zclock_time ();
        if (left < timeout)
            timeout = left;
    }
    return timeout < 0? 0: (long) timeout;
}

void
dp_db_actor (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-db");
    dp_db_config_t *config = (dp_db_config_t *) args;
    assert (config);
    assert (config->endpoint);
    dp_db_actor_state_t *self = s_self_new (pipe, config);
    self->router = zsock_new (ZMQ_ROUTER);
    assert (self->router);
    zsock_set_sndhwm (self->router, 0);     //  never drop a reply
    self->port = zsock_bind (self->router, "%s", self->config.endpoint);
    if (self->port == -1) {
        dp_error ("db: cannot bind %s: %s", self->config.endpoint, zmq_strerror (errno));
        zsock_signal (pipe, 0);
        zsock_send (pipe, "i", -1);
        s_self_destroy (&self);
        return;
    }
    self->router_handle = zsock_resolve (self->router);
    self->out.router = self->router_handle;
    dp_db_reply_cork (&self->out);    //  a turn's replies go together
    if (self->config.feed_writes && *self->config.feed_writes) {
        self->feed_push = zsock_new (ZMQ_PUSH);
        if (zsock_attach (self->feed_push, self->config.feed_writes, false))
            dp_warn ("db: cannot connect to the change feed at %s: its fallback will not"
                     " see Depot's writes", self->config.feed_writes);
    }
    s_counts_start (self);
    dp_db_conn_thread_init ();
    char primary [300], replica [300] = "none";
    dp_db_target_describe (&self->config, DP_DB_PRIMARY, primary, sizeof primary);
    if (self->control [DP_DB_REPLICA]) {
        char server [280];
        snprintf (replica, sizeof replica, "%s with %d to %d connection(s), for reads",
                  dp_db_target_describe (&self->config, DP_DB_REPLICA, server, sizeof server),
                  dp_db_pool_limit_target (self->limit [DP_DB_REPLICA]),
                  self->pool_size [DP_DB_REPLICA]);
    }
    dp_info ("db: listening on %s, primary %s with %d to %d connection(s) (following latency"
             " and queueing), replica %s, chunks of %d keys, at most %zu statements queued,"
             " max_statement_time %s, coalescing %s", self->config.endpoint, primary,
             dp_db_pool_limit_target (self->limit [DP_DB_PRIMARY]), self->pool_size [DP_DB_PRIMARY], replica,
             self->chunk_size, self->max_queue,
             self->statement_timeout? "from deadlines": "off", self->coalesce? "on": "off");
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", 0);

    //  Connect the pool (non-blocking: this only starts the handshakes).
    s_reconnect_due (self);

    //  The pipe and the feed's SUB are only read when they poll ready: while
    //  idle, their descriptors tell (dp_poll_idle).
    uint64_t idle = 0;
    while (!self->terminated) {
        self->items [0] = (zmq_pollitem_t) { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 };
        self->items [1] = (zmq_pollitem_t) { self->router_handle, 0, ZMQ_POLLIN, 0 };
        int n_items = 2;
        if (self->feed_sub)
            self->items [n_items++] = (zmq_pollitem_t) { zsock_resolve (self->feed_sub), 0, ZMQ_POLLIN, 0 };
        int first_slot_item = n_items;
        for (int i = 0; i < self->n_slots; i++) {
            dp_db_conn_t *conn = self->slots [i].conn;
            int fd = dp_db_conn_fd (conn);
            short events = dp_db_conn_events (conn);
            if (fd >= 0 && events) {
                self->items [n_items] = (zmq_pollitem_t) { NULL, fd, events, 0 };
                self->item_slot [n_items++] = i;
            }
        }
        idle &= 1ULL | (self->feed_sub ? 1ULL << 2 : 0);    //  items 0 and 2 only
        dp_db_reply_flush (&self->out);     //  the turn's replies, before sleeping
        if (dp_poll_idle (self->items, n_items, s_poll_timeout (self), &idle) == -1) {
            if (errno == EINTR)
                continue;
            dp_error ("db: zmq_poll failed: %s", zmq_strerror (errno));
            break;
        }
        if (self->items [0].revents & ZMQ_POLLIN)
            s_handle_pipe (self);
        if (self->terminated)
            break;
        //  The feed before new requests: what it says applies to them.
        if (self->feed_sub && self->items [2].revents & ZMQ_POLLIN)
            s_counts_feed (self);
        if (self->items [1].revents & ZMQ_POLLIN)
            s_handle_router (self);

        //  Connections: events seen, or the connector's timeout passed.
        int64_t now = zclock_mono ();
        int item = first_slot_item;
        for (int i = 0; i < self->n_slots; i++) {
            dp_db_slot_t *slot = &self->slots [i];
            short revents = 0;
            if (item < n_items && self->item_slot [item] == i)
                revents = self->items [item++].revents;
            int64_t wakeup = dp_db_conn_wakeup (slot->conn);
            bool timed_out = wakeup >= 0 && now >= wakeup;
            if (revents || timed_out)
                s_handle_conn_event (self, slot,
                                     dp_db_conn_continue (slot->conn, revents, timed_out));
        }
        s_reconnect_due (self);
        dp_db_queue_expire (self->queue, &self->out);
        s_expire_running (self);
        dp_db_actor_kept_expire (self);
        dp_db_actor_txn_check (self);
        s_kill_dispatch (self);
        s_purge_dispatch (self);
        s_dispatch (self);
        s_pool_adapt (self);
    }
    s_self_destroy (&self);
    dp_db_conn_thread_end ();
}

zactor_t *
dp_db_actor_new (dp_db_config_t *config)
{
    assert (config);
    zactor_t *actor = zactor_new (dp_db_actor, config);
    //  The outcome comes as a message, not through config: the actor's thread
    //  writes nothing the caller's thread reads.
    int bound = -1;
    if (actor && (zsock_recv (actor, "i", &bound) != 0 || bound != 0))
        zactor_destroy (&actor);
    return actor;
}
