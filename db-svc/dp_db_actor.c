/*  =========================================================================
    dp_db_actor - the DB actor: LOAD and QUERY over ZeroMQ, answered from a
    pool of non-blocking MariaDB connections

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One thread, one zmq_poll loop. Poll items: the pipe, the ROUTER, and
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
    never run again: db-svc does not retry. (There are no transactions
    yet; when writes come, a transaction broken by a lost connection will
    fail the same way, never be replayed on a new connection.)

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
    have had alone. A root QUERY's statement takes along the queued
    statements with the same SQL text (the same page, count or lookup of
    several callers, each of whom the resolver authorised before asking):
    one statement, the same rows for each. Nothing waits to be merged:
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
@end
*/
#include "dp_db_actor.h"
#include "dp_db_conn.h"
#include "dp_db_target.h"
#include "dp_sql_catalog.h"
#include "dp_db_testdb.h"
#include "dp_catalog.h"
#include "dp_msg.h"
#include "dp_arena.h"
#include "dp_log.h"
#include "dp_instance.h"
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
#define S_LARGE_ROWS        512         //  more keys or rows: a large statement

//  ==========================================================================
//  Configuration

void
dp_db_config_init (dp_db_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->user = "root";
    config->database = "dropapp_dev";
    config->endpoint = "tcp://*:5557";
    config->pool_size = 8;
    config->chunk_size = 10000;
    config->max_queue = 2048;
    config->statement_timeout = true;
    config->coalesce = true;
}

//  ==========================================================================
//  Structures

typedef enum {
    S_JOB_LOAD,
    S_JOB_PAGE,                 //  part 0: base locations; part 1: the page
    S_JOB_COUNT,
    S_JOB_HAS_PREVIOUS,
    S_JOB_LOOKUP                //  one statement by a string key (box_by_label, qr_by_code)
} s_job_kind_t;

typedef struct _s_job_t s_job_t;
typedef struct _s_stmt_t s_stmt_t;

struct _s_stmt_t {
    s_stmt_t *next;             //  queue link
    s_job_t *job;               //  the request it serves
    uint32_t part;              //  chunk index (LOAD) or step (PAGE)
    dp_sql_t sql;               //  the text (malloc'd)
    bool expired;               //  every request it serves was answered while it ran
                                //  (deadline or CANCEL): it is being cancelled
    uint64_t deadline;          //  running: the latest deadline it serves (0 = none)
    s_stmt_t *merged;           //  running: statements merged into this one
    s_stmt_t *merged_next;      //  link in that list
    uint64_t columns;           //  running merged: the columns it selects
    bool large;                 //  in the large class (S_LARGE_ROWS)
};

typedef struct {
    dp_val_t *cells;            //  converted cells, in the job's arena
    uint64_t n_rows;
    bool done;
} s_part_t;

struct _s_job_t {
    s_job_t *prev, *next;       //  list of live jobs
    zframe_t *routing;          //  the requester's routing id
    dp_arena_t *arena;          //  the decoded request, statements, rows
    dp_msg_t msg;               //  the decoded LOAD or QUERY
    s_job_kind_t kind;
    dp_db_access_t access;      //  where its statements may run (dp_db_target_access)
    uint64_t columns;           //  requested column mask
    dp_coltype_t types [65];    //  wire type of each result column
    uint32_t n_cols;
    dp_sql_boxes_args_t boxes;  //  QUERY arguments
    size_t n_keys;              //  LOAD: distinct keys (msg.u.load.keys, sorted)
    uint32_t n_parts;           //  LOAD chunks
    s_part_t *parts;
    uint32_t statements;        //  statements run so far
    uint32_t pending;           //  statements queued or running
    bool started;               //  a statement went to a connection
    bool answered;              //  the one reply was sent
};

typedef enum {
    S_KILL_NONE,
    S_KILL_WANTED,              //  its statement should be cancelled
    S_KILL_SENT                 //  the control connection is running the KILL QUERY
} s_kill_t;

typedef struct {
    dp_db_conn_t *conn;
    dp_db_target_t target;      //  the server it connects to
    bool control;               //  its target's control connection: KILL QUERY only
    s_stmt_t *stmt;             //  statement running, or NULL
    int64_t retry_at;           //  zclock_mono ms: reconnect a DOWN conn then
    int64_t backoff;            //  ms before the next attempt after a failure
    s_kill_t kill;              //  pool slot: cancelling its statement (no new one until NONE)
    unsigned long thread_id;    //  pool slot: server thread of the running statement
    int killing;                //  control slot: pool slot its KILL is for, or -1
    char kill_sql [64];         //  control slot: the KILL statement (lives while it runs)
} s_slot_t;

typedef struct {
    zsock_t *pipe;              //  actor command pipe
    zsock_t *router;            //  requests in, replies out
    void *router_handle;        //  its libzmq socket
    int port;                   //  TCP port bound, 0 for other transports
    dp_db_config_t config;      //  copy; strings below are owned
    char *strings [9];
    int chunk_size;
    s_slot_t *slots;            //  the primary's pool, the replica's, then their controls
    int pool_size [DP_DB_TARGETS];  //  connections per server (replica: 0 = none)
    int n_pool;                 //  statement connections of both pools: slots [0, n_pool)
    int n_slots;                //  n_pool + one control connection per server
    s_slot_t *control [DP_DB_TARGETS];  //  sends KILL QUERY, never statements; NULL: no server
    bool statement_timeout;     //  prefix statements with their max_statement_time
    bool coalesce;              //  merge queued LOADs of one loader, and identical QUERYs
    size_t n_queued;            //  statements in the queue
    size_t max_queue;
    zmq_pollitem_t *items;      //  2 + n_slots poll items
    int *item_slot;             //  slot of each poll item
    s_stmt_t *primary_head;     //  statements that need the primary, waiting for one of its
    s_stmt_t *primary_tail;     //  connections (taken before reads; no large class)
    s_stmt_t *queue_head;       //  small statements waiting for a connection
    s_stmt_t *queue_tail;
    s_stmt_t *large_head;       //  large statements waiting for a connection
    s_stmt_t *large_tail;
    int running_large;          //  large statements on connections now
    uint64_t next_expiry;       //  epoch ms of the nearest queued deadline, 0 none
    bool purge;                 //  the queue holds statements of cancelled requests
    s_job_t *jobs;              //  every live job
    bool down [DP_DB_TARGETS];  //  a server with no connection up whose last attempt failed
    bool verbose;
    bool terminated;
    uint64_t stat_statements;
    uint64_t stat_answered;
    uint64_t stat_errors;
    uint64_t stat_killed;       //  KILL QUERY sent
    uint64_t stat_rejected;     //  requests refused: queue full
    uint64_t stat_merged;       //  statements merged into another one
    char instance [DP_INSTANCE_MAX + 1];    //  our name in heartbeat reports
    uint64_t stat_target [DP_DB_TARGETS];   //  statements run on each server
    uint64_t stat_cancelled;    //  requests cancelled by their requester
} s_self_t;


//  ==========================================================================
//  Replies

static void
s_free_buffer (void *data, void *hint)
{
    free (data);
}

//  Send [routing, buffer]; takes the buffer's memory.
static void
s_send (s_self_t *self, zframe_t *routing, msgpack_sbuffer *buffer)
{
    size_t size = buffer->size;
    char *data = msgpack_sbuffer_release (buffer);
    if (zmq_send (self->router_handle, zframe_data (routing), zframe_size (routing),
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1) {
        dp_warn ("db: reply dropped: %s", zmq_strerror (errno));
        free (data);
        return;
    }
    zmq_msg_t msg;
    if (zmq_msg_init_data (&msg, data, size, s_free_buffer, NULL) == -1)
        dp_fatal ("db: zmq_msg_init_data failed");
    if (zmq_msg_send (&msg, self->router_handle, ZMQ_DONTWAIT) == -1) {
        dp_warn ("db: reply dropped: %s", zmq_strerror (errno));
        zmq_msg_close (&msg);
    }
}

//  Encode and send a message built from request's id and trace id.
static void
s_send_msg (s_self_t *self, zframe_t *routing, dp_msg_t *reply)
{
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    if (dp_msg_encode (reply, &buffer))
        dp_fatal ("db: cannot encode a %s reply", dp_msg_type_name (reply->type));
    s_send (self, routing, &buffer);
}

static void
s_reply_error (s_self_t *self, zframe_t *routing, uint64_t id, const char *trace_id,
               uint32_t status, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

static void
s_reply_error (s_self_t *self, zframe_t *routing, uint64_t id, const char *trace_id,
               uint32_t status, const char *fmt, ...)
{
    char message [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    dp_msg_t reply;
    memset (&reply, 0, sizeof reply);
    reply.version = DP_PROTO_VERSION;
    reply.type = DP_MSG_ERROR;
    reply.id = id;
    reply.trace_id = trace_id? trace_id: "";
    reply.u.error.status = status;
    reply.u.error.message = message;
    //  Faults of the service or of MariaDB are logged; the request's own
    //  faults and "database unavailable" (logged once when it goes down)
    //  only in verbose mode.
    if (status == DP_STATUS_INTERNAL || status == DP_STATUS_DB_ERROR)
        dp_warn ("db: request %llu [%s]: %u %s", (unsigned long long) id, reply.trace_id,
                 status, message);
    else
    if (self->verbose)
        dp_info ("db: request %llu [%s]: %u %s", (unsigned long long) id, reply.trace_id,
                 status, message);
    s_send_msg (self, routing, &reply);
    self->stat_answered++;
    self->stat_errors++;
}

//  A ROWS header for job.
static void
s_rows_header (s_job_t *job, dp_msg_t *header, uint32_t n_cols, uint32_t n_rows)
{
    memset (header, 0, sizeof *header);
    header->version = DP_PROTO_VERSION;
    header->type = DP_MSG_ROWS;
    header->id = job->msg.id;
    header->trace_id = job->msg.trace_id;
    header->u.rows.n_cols = n_cols;
    header->u.rows.n_rows = n_rows;
    header->u.rows.statements = job->statements;
}


//  ==========================================================================
//  Cells: MariaDB's text protocol to wire types

//  Convert one text cell (NUL-terminated, len bytes, NULL for SQL NULL) to
//  its wire value. A DATETIME is rewritten into scratch (26 bytes). Returns
//  -1 when the text does not fit the type (the value is then nil).
static int
s_convert (dp_coltype_t type, const char *text, unsigned long len, dp_val_t *value,
           char *scratch)
{
    value->type = DP_VAL_NIL;
    if (!text)
        return 0;
    switch (type) {
        case DP_COLTYPE_INT: {
            char *end;
            errno = 0;
            long long number = strtoll (text, &end, 10);
            if (errno || end != text + len || len == 0)
                return -1;
            value->type = DP_VAL_INT;
            value->u.i = number;
            return 0;
        }
        case DP_COLTYPE_FLOAT: {
            char *end;
            double number = strtod (text, &end);
            if (end != text + len || len == 0)
                return -1;
            value->type = DP_VAL_DOUBLE;
            value->u.d = number;
            return 0;
        }
        case DP_COLTYPE_STR:
            value->type = DP_VAL_STR;
            value->u.s.ptr = text;
            value->u.s.len = (uint32_t) len;
            return 0;
        case DP_COLTYPE_DATETIME:
        case DP_COLTYPE_DATE:
            //  "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.ffffff]"; zero date = nil
            if (len < 10 || text [4] != '-' || text [7] != '-')
                return -1;
            if (memcmp (text, "0000-00-00", 10) == 0)
                return 0;
            if (type == DP_COLTYPE_DATE) {
                value->type = DP_VAL_STR;
                value->u.s.ptr = text;
                value->u.s.len = 10;
                return 0;
            }
            if (len == 10)
                snprintf (scratch, 26, "%.10sT00:00:00+00:00", text);
            else
            if (len >= 19 && text [10] == ' ' && text [13] == ':' && text [16] == ':')
                snprintf (scratch, 26, "%.10sT%.8s+00:00", text, text + 11);
            else
                return -1;
            value->type = DP_VAL_STR;
            value->u.s.ptr = scratch;
            value->u.s.len = 25;
            return 0;
    }
    return -1;
}

static void
s_write_value (dp_rows_writer_t *writer, const dp_val_t *value)
{
    switch (value->type) {
        case DP_VAL_INT:
            dp_rows_writer_int (writer, value->u.i);
            break;
        case DP_VAL_DOUBLE:
            dp_rows_writer_double (writer, value->u.d);
            break;
        case DP_VAL_STR:
            dp_rows_writer_str (writer, value->u.s.ptr, value->u.s.len);
            break;
        default:
            dp_rows_writer_nil (writer);
            break;
    }
}


//  ==========================================================================
//  Jobs

static s_job_t *
s_job_new (s_self_t *self, zframe_t **routing_p, dp_arena_t **arena_p, const dp_msg_t *msg)
{
    s_job_t *job = dp_arena_calloc (*arena_p, 1, sizeof (s_job_t));
    job->arena = *arena_p;
    *arena_p = NULL;
    job->routing = *routing_p;
    *routing_p = NULL;
    job->msg = *msg;
    job->access = dp_db_target_access (msg->type, false);     //  no transactions yet
    job->next = self->jobs;
    if (self->jobs)
        self->jobs->prev = job;
    self->jobs = job;
    return job;
}

static void
s_job_destroy (s_self_t *self, s_job_t *job)
{
    assert (job->pending == 0);
    if (job->prev)
        job->prev->next = job->next;
    else
        self->jobs = job->next;
    if (job->next)
        job->next->prev = job->prev;
    zframe_destroy (&job->routing);
    dp_arena_t *arena = job->arena;
    dp_arena_destroy (&arena);          //  job itself lives in the arena
}

//  Answer job with an error (once); later results are dropped.
static void
s_job_fail (s_self_t *self, s_job_t *job, uint32_t status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_job_fail (s_self_t *self, s_job_t *job, uint32_t status, const char *fmt, ...)
{
    if (job->answered)
        return;
    char message [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    s_reply_error (self, job->routing, job->msg.id, job->msg.trace_id, status, "%s", message);
    job->answered = true;
}

//  A new statement for job (pending counted); the caller enqueues it.
static s_stmt_t *
s_stmt_new (s_job_t *job, uint32_t part)
{
    s_stmt_t *stmt = dp_arena_calloc (job->arena, 1, sizeof (s_stmt_t));
    stmt->job = job;
    stmt->part = part;
    dp_sql_init (&stmt->sql);
    job->pending++;
    return stmt;
}

//  A statement is over (done, failed or dropped): free its text, and the
//  job when it is answered and has nothing left under way.
static void
s_stmt_finish (s_self_t *self, s_stmt_t *stmt)
{
    s_job_t *job = stmt->job;
    dp_sql_destroy (&stmt->sql);
    assert (job->pending > 0);
    job->pending--;
    if (job->pending == 0 && job->answered)
        s_job_destroy (self, job);
}

static void
s_enqueue (s_self_t *self, s_stmt_t *stmt, bool at_head)
{
    self->n_queued++;
    stmt->next = NULL;
    s_stmt_t **head, **tail;
    if (stmt->job->access == DP_DB_ACCESS_PRIMARY) {
        head = &self->primary_head;
        tail = &self->primary_tail;
    }
    else {
        head = stmt->large? &self->large_head: &self->queue_head;
        tail = stmt->large? &self->large_tail: &self->queue_tail;
    }
    if (!*head)
        *head = *tail = stmt;
    else
    if (at_head) {
        stmt->next = *head;
        *head = stmt;
    }
    else {
        (*tail)->next = stmt;
        *tail = stmt;
    }
    uint64_t deadline = stmt->job->msg.deadline_ms;
    if (deadline && (self->next_expiry == 0 || deadline < self->next_expiry))
        self->next_expiry = deadline;
}

//  Empty the queues; returns their statements as one list (primary-only,
//  then small, then large).
static s_stmt_t *
s_take_queued (s_self_t *self)
{
    s_stmt_t *list = NULL;
    s_stmt_t **link = &list;
    s_stmt_t *heads [] = { self->primary_head, self->queue_head, self->large_head };
    for (size_t i = 0; i < sizeof heads / sizeof heads [0]; i++) {
        *link = heads [i];
        while (*link)
            link = &(*link)->next;
    }
    self->primary_head = self->primary_tail = NULL;
    self->queue_head = self->queue_tail = NULL;
    self->large_head = self->large_tail = NULL;
    return list;
}

//  No server that could run statements of this access is left: the
//  primary is down and, for a read, there is no replica or it is down too.
static bool
s_unavailable (s_self_t *self, dp_db_access_t access)
{
    if (!self->down [DP_DB_PRIMARY])
        return false;
    return access == DP_DB_ACCESS_PRIMARY || !self->control [DP_DB_REPLICA]
        || self->down [DP_DB_REPLICA];
}

//  Answer status to every queued statement's job that no server can run
//  now (s_unavailable); the others stay queued, in order.
static void
s_fail_stranded (s_self_t *self, uint32_t status, const char *message)
{
    s_stmt_t *stmt = s_take_queued (self);
    self->next_expiry = 0;
    self->n_queued = 0;
    while (stmt) {
        s_stmt_t *next = stmt->next;
        if (s_unavailable (self, stmt->job->access)) {
            s_job_fail (self, stmt->job, status, "%s", message);
            s_stmt_finish (self, stmt);
        }
        else
            s_enqueue (self, stmt, false);
        stmt = next;
    }
}

//  Drop queued statements of answered jobs, and answer 408 to jobs whose
//  deadline passed while a statement of theirs waited.
static void
s_expire_queue (s_self_t *self)
{
    if (!self->purge && (!self->next_expiry || (uint64_t) zclock_time () < self->next_expiry))
        return;
    self->purge = false;
    uint64_t now = (uint64_t) zclock_time ();
    s_stmt_t *stmt = s_take_queued (self);
    self->next_expiry = 0;
    self->n_queued = 0;
    while (stmt) {
        s_stmt_t *next = stmt->next;
        s_job_t *job = stmt->job;
        if (!job->answered && job->msg.deadline_ms && now >= job->msg.deadline_ms)
            s_job_fail (self, job, DP_STATUS_TIMEOUT, job->started
                        ? "deadline passed while the request waited for a connection"
                        : "deadline passed before the request started");
        if (job->answered)
            s_stmt_finish (self, stmt);
        else
            s_enqueue (self, stmt, false);
        stmt = next;
    }
}

//  Are all of target's statement connections down?
static bool
s_all_down (s_self_t *self, dp_db_target_t target)
{
    for (int i = 0; i < self->n_pool; i++)
        if (self->slots [i].target == target
        &&  dp_db_conn_state (self->slots [i].conn) != DP_DB_CONN_DOWN)
            return false;
    return true;
}

//  Connections of target's pool that are up (idle or running a statement).
static int
s_count_up (s_self_t *self, dp_db_target_t target)
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
//  Results

//  Stream the connection's stored result to the requester as ROWS.
static void
s_reply_stream (s_self_t *self, s_job_t *job, dp_db_conn_t *conn)
{
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    if (dp_db_conn_num_fields (conn) != job->n_cols || n_rows > UINT32_MAX) {
        s_job_fail (self, job, DP_STATUS_INTERNAL, "result has %u columns and %llu rows,"
                    " expected %u columns", dp_db_conn_num_fields (conn),
                    (unsigned long long) n_rows, job->n_cols);
        return;
    }
    dp_msg_t header;
    s_rows_header (job, &header, job->n_cols, (uint32_t) n_rows);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buffer, &header);
    char **row;
    unsigned long *lengths;
    unsigned int bad = 0;
    while ((row = dp_db_conn_fetch_row (conn, &lengths))) {
        for (uint32_t c = 0; c < job->n_cols; c++) {
            char scratch [26];
            dp_val_t value;
            if (s_convert (job->types [c], row [c], row [c]? lengths [c]: 0, &value, scratch))
                bad++;
            s_write_value (&writer, &value);
        }
    }
    if (bad)
        dp_warn ("db: request %llu: %u cells did not fit their column type, sent as nil",
                 (unsigned long long) job->msg.id, bad);
    if (dp_rows_writer_end (&writer)) {
        msgpack_sbuffer_destroy (&buffer);
        s_job_fail (self, job, DP_STATUS_INTERNAL, "ROWS encoding failed (%llu rows)",
                    (unsigned long long) n_rows);
        return;
    }
    s_send (self, job->routing, &buffer);
    job->answered = true;
    self->stat_answered++;
}

//  Copy one chunk's result into the job's arena as wire values.
static int
s_copy_part (s_self_t *self, s_job_t *job, s_part_t *part, dp_db_conn_t *conn)
{
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    if (dp_db_conn_num_fields (conn) != job->n_cols) {
        s_job_fail (self, job, DP_STATUS_INTERNAL, "result has %u columns, expected %u",
                    dp_db_conn_num_fields (conn), job->n_cols);
        return -1;
    }
    part->cells = dp_arena_alloc (job->arena, (size_t) (n_rows * job->n_cols + 1) * sizeof (dp_val_t));
    part->n_rows = n_rows;
    dp_val_t *cell = part->cells;
    char **row;
    unsigned long *lengths;
    while ((row = dp_db_conn_fetch_row (conn, &lengths))) {
        for (uint32_t c = 0; c < job->n_cols; c++, cell++) {
            char scratch [26];
            if (s_convert (job->types [c], row [c], row [c]? lengths [c]: 0, cell, scratch))
                dp_warn ("db: request %llu: a cell did not fit its column type, sent as nil",
                         (unsigned long long) job->msg.id);
            if (cell->type == DP_VAL_STR)
                cell->u.s.ptr = dp_arena_strndup (job->arena, cell->u.s.ptr, cell->u.s.len);
        }
    }
    part->done = true;
    return 0;
}

//  Every chunk is in: send them in chunk order.
static void
s_reply_parts (s_self_t *self, s_job_t *job)
{
    uint64_t n_rows = 0;
    for (uint32_t p = 0; p < job->n_parts; p++)
        n_rows += job->parts [p].n_rows;
    if (n_rows > UINT32_MAX) {
        s_job_fail (self, job, DP_STATUS_INTERNAL, "too many rows: %llu",
                    (unsigned long long) n_rows);
        return;
    }
    dp_msg_t header;
    s_rows_header (job, &header, job->n_cols, (uint32_t) n_rows);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buffer, &header);
    for (uint32_t p = 0; p < job->n_parts; p++) {
        uint64_t count = job->parts [p].n_rows * job->n_cols;
        for (uint64_t i = 0; i < count; i++)
            s_write_value (&writer, &job->parts [p].cells [i]);
    }
    if (dp_rows_writer_end (&writer)) {
        msgpack_sbuffer_destroy (&buffer);
        s_job_fail (self, job, DP_STATUS_INTERNAL, "ROWS encoding failed (%llu rows)",
                    (unsigned long long) n_rows);
        return;
    }
    s_send (self, job->routing, &buffer);
    job->answered = true;
    self->stat_answered++;
}

//  Answer ROWS without SQL: n_rows rows of one INT each (value), or no
//  rows of n_cols columns.
static void
s_reply_fixed (s_self_t *self, s_job_t *job, uint32_t n_cols, uint32_t n_rows, int64_t value)
{
    dp_msg_t header;
    s_rows_header (job, &header, n_cols, n_rows);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buffer, &header);
    for (uint32_t i = 0; i < n_rows * n_cols; i++)
        dp_rows_writer_int (&writer, value);
    int rc = dp_rows_writer_end (&writer);
    assert (rc == 0);
    s_send (self, job->routing, &buffer);
    job->answered = true;
    self->stat_answered++;
}

//  The base's locations are in: queue the page itself.
static void
s_page_step (s_self_t *self, s_job_t *job, dp_db_conn_t *conn)
{
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    if (dp_db_conn_num_fields (conn) != 1) {
        s_job_fail (self, job, DP_STATUS_INTERNAL, "locations result has %u columns",
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
    count = dp_sql_filter_locations (&job->boxes, ids, count);
    if (count == 0) {
        s_reply_fixed (self, job, job->n_cols, 0, 0);
        return;
    }
    s_stmt_t *stmt = s_stmt_new (job, 1);
    stmt->large = job->boxes.limit > S_LARGE_ROWS;
    dp_sql_build_boxes_page (&stmt->sql, &job->boxes, job->columns, ids, count);
    s_enqueue (self, stmt, true);
}

//  Is a row's key (text) among the sorted keys?
static bool
s_has_key (const int64_t *keys, size_t n_keys, const char *text)
{
    if (!text)
        return false;
    int64_t key = strtoll (text, NULL, 10);
    size_t low = 0, high = n_keys;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (keys [middle] < key)
            low = middle + 1;
        else
            high = middle;
    }
    return low < n_keys && keys [low] == key;
}

//  Answer a LOAD that rode along a merged statement: the rows of its own
//  keys, with its own columns, from the stored result of the statement
//  (which selected the columns of mask).
static void
s_reply_projected (s_self_t *self, s_job_t *job, dp_db_conn_t *conn, uint64_t mask)
{
    uint32_t index [65];
    uint32_t n = 0;
    index [n++] = 0;
    for (uint32_t bit = 0; bit < 64; bit++)
        if (job->columns & ((uint64_t) 1 << bit))
            index [n++] = 1 + (uint32_t) __builtin_popcountll (mask & (((uint64_t) 1 << bit) - 1));
    if (n != job->n_cols || (job->columns & ~mask)
    ||  dp_db_conn_num_fields (conn) != 1 + (uint32_t) __builtin_popcountll (mask)) {
        s_job_fail (self, job, DP_STATUS_INTERNAL, "merged result has %u columns for mask 0x%llx",
                    dp_db_conn_num_fields (conn), (unsigned long long) mask);
        return;
    }
    const int64_t *keys = job->msg.u.load.keys;
    char **row;
    unsigned long *lengths;
    uint64_t n_rows = 0;
    dp_db_conn_rewind (conn);
    while ((row = dp_db_conn_fetch_row (conn, &lengths)))
        n_rows += s_has_key (keys, job->n_keys, row [0]);
    dp_msg_t header;
    s_rows_header (job, &header, job->n_cols, (uint32_t) n_rows);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buffer, &header);
    dp_db_conn_rewind (conn);
    while ((row = dp_db_conn_fetch_row (conn, &lengths))) {
        if (!s_has_key (keys, job->n_keys, row [0]))
            continue;
        for (uint32_t c = 0; c < job->n_cols; c++) {
            char scratch [26];
            dp_val_t value;
            const char *cell = row [index [c]];
            if (s_convert (job->types [c], cell, cell? lengths [index [c]]: 0, &value, scratch))
                dp_warn ("db: request %llu: a cell did not fit its column type, sent as nil",
                         (unsigned long long) job->msg.id);
            s_write_value (&writer, &value);
        }
    }
    if (dp_rows_writer_end (&writer)) {
        msgpack_sbuffer_destroy (&buffer);
        s_job_fail (self, job, DP_STATUS_INTERNAL, "ROWS encoding failed");
        return;
    }
    s_send (self, job->routing, &buffer);
    job->answered = true;
    self->stat_answered++;
}

//  A merged statement finished: every LOAD it ran for gets its rows.
static void
s_group_done (s_self_t *self, s_stmt_t *lead, dp_db_conn_t *conn)
{
    if (!lead->job->answered)
        s_reply_projected (self, lead->job, conn, lead->columns);
    s_stmt_t *member = lead->merged;
    while (member) {
        s_stmt_t *next = member->merged_next;
        if (!member->job->answered)
            s_reply_projected (self, member->job, conn, lead->columns);
        s_stmt_finish (self, member);
        member = next;
    }
    dp_db_conn_free_result (conn);
    s_stmt_finish (self, lead);
}

//  A statement failed: every request it ran for gets the error.
static void
s_stmt_fail (s_self_t *self, s_stmt_t *stmt, uint32_t status, const char *message)
{
    s_stmt_t *member = stmt->merged;
    while (member) {
        s_stmt_t *next = member->merged_next;
        s_job_fail (self, member->job, status, "%s", message);
        s_stmt_finish (self, member);
        member = next;
    }
    s_job_fail (self, stmt->job, status, "%s", message);
    s_stmt_finish (self, stmt);
}

//  Answer the request of one statement from the stored result.
static void
s_answer (s_self_t *self, s_stmt_t *stmt, dp_db_conn_t *conn)
{
    s_job_t *job = stmt->job;
    if (job->answered)
        return;
    switch (job->kind) {
        case S_JOB_LOAD:
            if (job->n_parts == 1)
                s_reply_stream (self, job, conn);
            else
            if (s_copy_part (self, job, &job->parts [stmt->part], conn) == 0) {
                bool all = true;
                for (uint32_t p = 0; p < job->n_parts; p++)
                    all = all && job->parts [p].done;
                if (all)
                    s_reply_parts (self, job);
            }
            break;
        case S_JOB_PAGE:
            if (stmt->part == 0)
                s_page_step (self, job, conn);
            else
                s_reply_stream (self, job, conn);
            break;
        case S_JOB_COUNT:
        case S_JOB_HAS_PREVIOUS:
        case S_JOB_LOOKUP:
            s_reply_stream (self, job, conn);
            break;
    }
}

//  A statement finished on slot's connection with its result stored.
static void
s_stmt_done (s_self_t *self, s_stmt_t *stmt, dp_db_conn_t *conn)
{
    if (stmt->merged && stmt->job->kind == S_JOB_LOAD) {
        s_group_done (self, stmt, conn);
        return;
    }
    s_answer (self, stmt, conn);
    //  Identical QUERYs merged into it: the same rows for each.
    s_stmt_t *member = stmt->merged;
    while (member) {
        s_stmt_t *next = member->merged_next;
        dp_db_conn_rewind (conn);
        s_answer (self, member, conn);
        s_stmt_finish (self, member);
        member = next;
    }
    dp_db_conn_free_result (conn);
    s_stmt_finish (self, stmt);
}


//  ==========================================================================
//  Connections

//  The next reconnect attempt of a slot whose connect failed.
static void
s_backoff (s_slot_t *slot)
{
    slot->backoff = slot->backoff? slot->backoff * 2: S_BACKOFF_FIRST_MS;
    if (slot->backoff > S_BACKOFF_MAX_MS)
        slot->backoff = S_BACKOFF_MAX_MS;
    slot->retry_at = zclock_mono () + slot->backoff;
}

//  A control connection cannot send KILLs now: forget the wanted ones on
//  its server (MariaDB's max_statement_time still stops those statements).
static void
s_kills_drop (s_self_t *self, dp_db_target_t target)
{
    for (int i = 0; i < self->n_pool; i++)
        if (self->slots [i].target == target && self->slots [i].kill == S_KILL_WANTED)
            self->slots [i].kill = S_KILL_NONE;
}

//  An event of a control connection.
static void
s_control_event (s_self_t *self, s_slot_t *control, dp_db_conn_event_t event)
{
    if (event == DP_DB_CONN_WAITING)
        return;
    if (event == DP_DB_CONN_READY) {
        control->backoff = 0;
        return;
    }
    //  A KILL finished (done, refused: the thread had gone) or cannot
    //  finish: its slot may take statements again.
    if (control->killing >= 0) {
        if (event == DP_DB_CONN_FAILED)
            dp_info ("db: KILL QUERY on %s connection %d: %s", dp_db_target_name (control->target),
                     control->killing, dp_db_conn_error (control->conn));
        self->slots [control->killing].kill = S_KILL_NONE;
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

static void
s_handle_conn_event (s_self_t *self, s_slot_t *slot, dp_db_conn_event_t event)
{
    if (slot->control) {
        s_control_event (self, slot, event);
        return;
    }
    const char *server = dp_db_target_name (slot->target);
    s_stmt_t *stmt = slot->stmt;
    if (stmt && stmt->large
    && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED || event == DP_DB_CONN_LOST))
        self->running_large--;
    //  The statement is over: nothing left to cancel (a KILL already sent
    //  is waited for, so it cannot reach the next statement).
    if (slot->kill == S_KILL_WANTED
    && (event == DP_DB_CONN_DONE || event == DP_DB_CONN_FAILED || event == DP_DB_CONN_LOST))
        slot->kill = S_KILL_NONE;
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
                    if (self->slots [i].target == slot->target
                    &&  dp_db_conn_state (self->slots [i].conn) == DP_DB_CONN_DOWN
                    &&  self->slots [i].retry_at > now)
                        self->slots [i].retry_at = now;
            }
            slot->backoff = 0;
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
                s_fail_stranded (self, DP_STATUS_UNAVAILABLE, message);
            }
            break;
        case DP_DB_CONN_DONE:
            slot->stmt = NULL;
            assert (stmt);
            s_stmt_done (self, stmt, slot->conn);
            break;
        case DP_DB_CONN_FAILED:
            slot->stmt = NULL;
            assert (stmt);
            //  Interrupted by its max_statement_time, or by our KILL QUERY:
            //  the deadline passed (an operator's KILL stays a 502).
            char message [600];
            if (dp_db_conn_interrupted (slot->conn)
            && (dp_db_conn_errno (slot->conn) != ER_QUERY_INTERRUPTED || slot->kill == S_KILL_SENT)) {
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
            }
            break;
    }
}

//  Reconnect DOWN connections whose time has come.
static void
s_reconnect_due (s_self_t *self)
{
    int64_t now = zclock_mono ();
    for (int i = 0; i < self->n_slots; i++) {
        s_slot_t *slot = &self->slots [i];
        if (dp_db_conn_state (slot->conn) == DP_DB_CONN_DOWN && now >= slot->retry_at)
            s_handle_conn_event (self, slot, dp_db_conn_connect (slot->conn));
    }
}

//  Can this queued statement be merged with others of its loader? Reads
//  only: a statement that needs the primary keeps its own.
static bool
s_mergeable (s_stmt_t *stmt)
{
    return stmt->job->kind == S_JOB_LOAD && stmt->job->n_parts == 1 && !stmt->job->answered
        && stmt->job->access == DP_DB_ACCESS_READ;
}

#define S_MERGE_SCAN 256        //  queued statements looked at for a merge

//  Move the queued stmt (after prev, NULL: at the head) out of its queue to
//  the end of lead's merged list (*tail); lead runs until the last
//  deadline of those riding along.
static void
s_ride_along (s_self_t *self, s_stmt_t *lead, s_stmt_t *stmt, s_stmt_t *prev,
              s_stmt_t **queue_head, s_stmt_t **queue_tail, s_stmt_t ***tail)
{
    if (prev)
        prev->next = stmt->next;
    else
        *queue_head = stmt->next;
    if (*queue_tail == stmt)
        *queue_tail = prev;
    self->n_queued--;
    stmt->next = NULL;
    stmt->merged_next = NULL;
    **tail = stmt;
    *tail = &stmt->merged_next;
    uint64_t deadline = stmt->job->msg.deadline_ms;
    if (!deadline || !lead->deadline)
        lead->deadline = 0;
    else
    if (deadline > lead->deadline)
        lead->deadline = deadline;
}

//  The statement lead is about to run: take the queued LOADs of the same
//  loader along (up to chunk_size keys in all) and rebuild its SQL for the
//  union of their keys and columns.
static void
s_merge (s_self_t *self, s_stmt_t *lead)
{
    uint32_t loader = lead->job->msg.u.load.loader;
    size_t total = lead->job->n_keys;
    uint64_t mask = lead->job->columns;
    uint64_t now = (uint64_t) zclock_time ();
    int n_merged = 0;
    //  A small statement stays small.
    size_t limit = lead->large || total > S_LARGE_ROWS? (size_t) self->chunk_size: S_LARGE_ROWS;
    s_stmt_t **tail = &lead->merged;        //  in queue order
    s_stmt_t **queue_head = lead->large? &self->large_head: &self->queue_head;
    s_stmt_t **queue_tail = lead->large? &self->large_tail: &self->queue_tail;
    s_stmt_t *prev = NULL;
    s_stmt_t *stmt = *queue_head;
    for (int scanned = 0; stmt && scanned < S_MERGE_SCAN; scanned++) {
        s_stmt_t *next = stmt->next;
        s_job_t *job = stmt->job;
        if (s_mergeable (stmt) && job->msg.u.load.loader == loader
        &&  total + job->n_keys <= limit
        &&  !(job->msg.deadline_ms && now >= job->msg.deadline_ms)) {
            s_ride_along (self, lead, stmt, prev, queue_head, queue_tail, &tail);
            total += job->n_keys;
            mask |= job->columns;
            n_merged++;
        }
        else
            prev = stmt;
        stmt = next;
    }
    if (n_merged == 0)
        return;
    int64_t *keys = dp_arena_alloc (lead->job->arena, total * sizeof (int64_t));
    memcpy (keys, lead->job->msg.u.load.keys, lead->job->n_keys * sizeof (int64_t));
    size_t count = lead->job->n_keys;
    for (stmt = lead->merged; stmt; stmt = stmt->merged_next) {
        memcpy (keys + count, stmt->job->msg.u.load.keys, stmt->job->n_keys * sizeof (int64_t));
        count += stmt->job->n_keys;
    }
    count = dp_sql_unique_keys (keys, count);
    dp_sql_destroy (&lead->sql);
    dp_sql_init (&lead->sql);
    int rc = dp_sql_build_load (&lead->sql, dp_sql_loader (loader), mask, keys, count);
    assert (rc == 0);           //  each mask was checked, so is their union
    lead->columns = mask;
    self->stat_merged += (uint64_t) n_merged;
    if (self->verbose)
        dp_info ("db: request %llu: %d LOAD(s) of the same loader merged into its statement",
                 (unsigned long long) lead->job->msg.id, n_merged);
}

//  Is stmt, queued, the same read as lead: a root QUERY's statement with
//  the same SQL text and columns (identical requests of several callers:
//  the same page of the same base with the same filter)? Access was
//  checked by each caller's resolver before it asked, so the rows are
//  everyone's.
static bool
s_same_query (const s_stmt_t *lead, const s_stmt_t *stmt)
{
    const s_job_t *a = lead->job, *b = stmt->job;
    return b->kind == a->kind && b->kind != S_JOB_LOAD && !b->answered
        && b->access == DP_DB_ACCESS_READ && stmt->part == lead->part
        && b->columns == a->columns && stmt->large == lead->large
        && stmt->sql.len == lead->sql.len && memcmp (stmt->sql.data, lead->sql.data, lead->sql.len) == 0;
}

//  The QUERY statement lead is about to run: take the queued statements of
//  the same read along; each gets the rows of the one statement.
static void
s_merge_queries (s_self_t *self, s_stmt_t *lead)
{
    uint64_t now = (uint64_t) zclock_time ();
    int n_merged = 0;
    s_stmt_t **tail = &lead->merged;
    s_stmt_t **queue_head = lead->large? &self->large_head: &self->queue_head;
    s_stmt_t **queue_tail = lead->large? &self->large_tail: &self->queue_tail;
    s_stmt_t *prev = NULL;
    s_stmt_t *stmt = *queue_head;
    for (int scanned = 0; stmt && scanned < S_MERGE_SCAN; scanned++) {
        s_stmt_t *next = stmt->next;
        s_job_t *job = stmt->job;
        if (s_same_query (lead, stmt) && !(job->msg.deadline_ms && now >= job->msg.deadline_ms)) {
            s_ride_along (self, lead, stmt, prev, queue_head, queue_tail, &tail);
            n_merged++;
        }
        else
            prev = stmt;
        stmt = next;
    }
    self->stat_merged += (uint64_t) n_merged;
    if (n_merged && self->verbose)
        dp_info ("db: request %llu: %d identical QUERY statement(s) merged into its statement",
                 (unsigned long long) lead->job->msg.id, n_merged);
}

//  Run the statement under MariaDB's max_statement_time of the ms left.
static void
s_stmt_limit (s_stmt_t *stmt, int64_t left_ms)
{
    dp_sql_t text;
    dp_sql_init (&text);
    dp_sql_printf (&text, "SET STATEMENT max_statement_time=%lld.%03lld FOR ",
                   (long long) (left_ms / 1000), (long long) (left_ms % 1000));
    dp_sql_append (&text, stmt->sql.data);
    dp_sql_destroy (&stmt->sql);
    stmt->sql = text;
}

//  Running statements whose request's deadline passed: the request is
//  answered 408 now and the statement cancelled (when the control
//  connection can send the KILL).
static void
s_expire_running (s_self_t *self)
{
    uint64_t now = (uint64_t) zclock_time ();
    for (int i = 0; i < self->n_pool; i++) {
        s_slot_t *slot = &self->slots [i];
        s_stmt_t *stmt = slot->stmt;
        if (!stmt || stmt->expired)
            continue;
        //  Requests riding along a merged statement each keep their own
        //  deadline; the statement runs until the last of them.
        for (s_stmt_t *member = stmt->merged; member; member = member->merged_next)
            if (!member->job->answered && member->job->msg.deadline_ms
            &&  now >= member->job->msg.deadline_ms)
                s_job_fail (self, member->job, DP_STATUS_TIMEOUT,
                            "deadline passed while the statement ran");
        if (!stmt->deadline || now < stmt->deadline)
            continue;
        stmt->expired = true;
        s_job_fail (self, stmt->job, DP_STATUS_TIMEOUT,
                    "deadline passed while the statement ran; it is cancelled");
        //  The KILL must go to the server the statement runs on.
        bool control_up = dp_db_conn_state (self->control [slot->target]->conn)
                       != DP_DB_CONN_DOWN;
        if (control_up && slot->kill == S_KILL_NONE)
            slot->kill = S_KILL_WANTED;
    }
}

//  The requester abandoned its request id (CANCEL: the client went away).
//  The request gets its one reply now (499; the requester no longer reads
//  it), its queued statements are dropped, and a running statement of it
//  is cancelled with KILL QUERY like one past its deadline, unless it
//  also serves requests that still wait (LOADs merged into it).
static void
s_cancel (s_self_t *self, zframe_t *routing, uint64_t id)
{
    s_job_t *job = self->jobs;
    while (job && !(job->msg.id == id && zframe_eq (job->routing, routing)))
        job = job->next;
    if (!job || job->answered)
        return;                 //  answered already
    s_job_fail (self, job, DP_STATUS_CANCELLED, "cancelled by the requester");
    self->stat_cancelled++;
    self->purge = true;
    for (int i = 0; i < self->n_pool; i++) {
        s_slot_t *slot = &self->slots [i];
        s_stmt_t *stmt = slot->stmt;
        if (!stmt || stmt->expired)
            continue;
        bool serves = stmt->job == job, abandoned = stmt->job->answered;
        for (s_stmt_t *member = stmt->merged; member; member = member->merged_next) {
            serves = serves || member->job == job;
            abandoned = abandoned && member->job->answered;
        }
        if (!serves || !abandoned)
            continue;
        stmt->expired = true;
        //  The KILL must go to the server the statement runs on.
        bool control_up = dp_db_conn_state (self->control [slot->target]->conn)
                       != DP_DB_CONN_DOWN;
        if (control_up && slot->kill == S_KILL_NONE)
            slot->kill = S_KILL_WANTED;
    }
}

//  Send the wanted KILLs of control's server, one at a time.
static void
s_kill_dispatch_on (s_self_t *self, s_slot_t *control)
{
    while (control->killing < 0 && dp_db_conn_state (control->conn) == DP_DB_CONN_IDLE) {
        int i;
        for (i = 0; i < self->n_pool; i++)
            if (self->slots [i].target == control->target && self->slots [i].kill == S_KILL_WANTED)
                break;
        if (i == self->n_pool)
            return;
        s_slot_t *slot = &self->slots [i];
        if (!slot->stmt || !slot->thread_id) {
            slot->kill = S_KILL_NONE;
            continue;
        }
        snprintf (control->kill_sql, sizeof control->kill_sql, "KILL QUERY %lu", slot->thread_id);
        slot->kill = S_KILL_SENT;
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
s_kill_dispatch (s_self_t *self)
{
    for (int target = 0; target < DP_DB_TARGETS; target++)
        if (self->control [target])
            s_kill_dispatch_on (self, self->control [target]);
}

//  Take the statement an idle connection of target runs next, or NULL.
//  reads is the server reads go to now (dp_db_target_route). The primary
//  takes statements that need it first; the server of reads takes small
//  reads first, but a large one whenever none runs, and large ones on half
//  its connections at most.
static s_stmt_t *
s_next_stmt (s_self_t *self, dp_db_target_t target, dp_db_target_t reads)
{
    s_stmt_t **head = NULL, **tail = NULL;
    if (target == DP_DB_PRIMARY && self->primary_head) {
        head = &self->primary_head;
        tail = &self->primary_tail;
    }
    else
    if (target == reads) {
        int max_large = self->pool_size [reads] / 2 > 0? self->pool_size [reads] / 2: 1;
        bool large = self->large_head
                  && (self->running_large == 0
                  || (!self->queue_head && self->running_large < max_large));
        if (large) {
            head = &self->large_head;
            tail = &self->large_tail;
        }
        else
        if (self->queue_head) {
            head = &self->queue_head;
            tail = &self->queue_tail;
        }
    }
    if (!head)
        return NULL;
    s_stmt_t *stmt = *head;
    *head = stmt->next;
    if (!*head)
        *tail = NULL;
    assert (self->n_queued > 0);
    self->n_queued--;
    return stmt;
}

//  Give queued statements to idle connections.
static void
s_dispatch (s_self_t *self)
{
    dp_db_target_t reads = dp_db_target_route (DP_DB_ACCESS_READ,
                                               s_count_up (self, DP_DB_REPLICA) > 0);
    for (int i = 0; i < self->n_pool && self->n_queued > 0; i++) {
        s_slot_t *slot = &self->slots [i];
        while (!slot->stmt && slot->kill == S_KILL_NONE
           &&  dp_db_conn_state (slot->conn) == DP_DB_CONN_IDLE) {
            s_stmt_t *stmt = s_next_stmt (self, slot->target, reads);
            if (!stmt)
                break;
            s_job_t *job = stmt->job;
            int64_t left = job->msg.deadline_ms? (int64_t) job->msg.deadline_ms - zclock_time (): 0;
            if (!job->answered && job->msg.deadline_ms && left <= 0)
                s_job_fail (self, job, DP_STATUS_TIMEOUT, job->started
                            ? "deadline passed while the request waited for a connection"
                            : "deadline passed before the request started");
            if (job->answered) {
                s_stmt_finish (self, stmt);
                continue;
            }
            if (job->kind == S_JOB_LOOKUP) {
                //  A key with a character its column cannot hold matches
                //  no row; MariaDB would refuse to compare them.
                const dp_val_t *key = &job->msg.u.query.args [0];
                if (!dp_db_charsets_may_match (dp_db_conn_charsets (slot->conn),
                                               job->msg.u.query.query, key->u.s.ptr, key->u.s.len)) {
                    s_reply_fixed (self, job, job->n_cols, 0, 0);
                    s_stmt_finish (self, stmt);
                    continue;
                }
            }
            stmt->deadline = job->msg.deadline_ms;
            if (self->coalesce && s_mergeable (stmt))
                s_merge (self, stmt);
            else
            if (self->coalesce && job->kind != S_JOB_LOAD && job->access == DP_DB_ACCESS_READ)
                s_merge_queries (self, stmt);
            if (self->statement_timeout && stmt->deadline)
                s_stmt_limit (stmt, (int64_t) stmt->deadline - zclock_time ());
            slot->thread_id = dp_db_conn_thread_id (slot->conn);
            for (s_stmt_t *member = stmt->merged; member; member = member->merged_next) {
                member->job->started = true;
                member->job->statements++;
            }
            job->started = true;
            job->statements++;
            self->stat_statements++;
            self->stat_target [slot->target]++;
            if (self->verbose)
                dp_info ("db: request %llu [%s] on %s connection %d: %s",
                         (unsigned long long) job->msg.id, job->msg.trace_id,
                         dp_db_target_name (slot->target), i, stmt->sql.data);
            slot->stmt = stmt;
            if (stmt->large)
                self->running_large++;
            s_handle_conn_event (self, slot,
                                 dp_db_conn_query (slot->conn, stmt->sql.data, stmt->sql.len));
        }
    }
}


//  ==========================================================================
//  Requests

//  Start a LOAD: validate, then one statement per chunk of distinct keys.
static void
s_start_load (s_self_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    const dp_sql_loader_t *loader = dp_sql_loader (msg->u.load.loader);
    const dp_catalog_entry_t *entry = dp_catalog_loader (msg->u.load.loader);
    if (!loader || !entry) {
        s_reply_error (self, *routing_p, msg->id, msg->trace_id, DP_STATUS_BAD_REQUEST,
                       "unknown loader %u", msg->u.load.loader);
        return;
    }
    s_job_t *job = s_job_new (self, routing_p, arena_p, msg);
    job->kind = S_JOB_LOAD;
    job->columns = msg->u.load.columns;
    job->n_cols = (uint32_t) dp_sql_result_types (entry, job->columns, job->types);
    if (job->n_cols == 0)
        s_job_fail (self, job, DP_STATUS_BAD_REQUEST, "loader %s has no column in mask 0x%llx",
                    loader->name, (unsigned long long) job->columns);
    else
    if (loader->sql_template && job->columns != ((uint64_t) 1 << loader->n_columns) - 1)
        s_job_fail (self, job, DP_STATUS_BAD_REQUEST, "loader %s answers every column only",
                    loader->name);
    else
    if (job->msg.deadline_ms && (uint64_t) zclock_time () >= job->msg.deadline_ms)
        s_job_fail (self, job, DP_STATUS_TIMEOUT, "deadline passed before the request started");
    else {
        size_t n_keys = dp_sql_unique_keys (job->msg.u.load.keys, job->msg.u.load.n_keys);
        job->n_keys = n_keys;
        if (n_keys == 0)
            s_reply_fixed (self, job, job->n_cols, 0, 0);
        else
        if (s_unavailable (self, job->access))
            s_job_fail (self, job, DP_STATUS_UNAVAILABLE, "database unavailable");
        else {
            size_t chunk = (size_t) self->chunk_size;
            job->n_parts = (uint32_t) ((n_keys + chunk - 1) / chunk);
            job->parts = dp_arena_calloc (job->arena, job->n_parts, sizeof (s_part_t));
            for (uint32_t p = 0; p < job->n_parts; p++) {
                size_t first = p * chunk;
                size_t count = n_keys - first < chunk? n_keys - first: chunk;
                s_stmt_t *stmt = s_stmt_new (job, p);
                stmt->large = count > S_LARGE_ROWS;
                int rc = dp_sql_build_load (&stmt->sql, loader, job->columns,
                                            job->msg.u.load.keys + first, count);
                assert (rc == 0);       //  mask checked above
                s_enqueue (self, stmt, false);
            }
        }
    }
    if (job->answered && job->pending == 0)
        s_job_destroy (self, job);
}

//  Start a QUERY: validate and parse its arguments, answer what needs no
//  SQL, queue the first statement.
static void
s_start_query (s_self_t *self, zframe_t **routing_p, dp_arena_t **arena_p, dp_msg_t *msg)
{
    const dp_catalog_entry_t *entry = dp_catalog_query (msg->u.query.query);
    if (!entry) {
        s_reply_error (self, *routing_p, msg->id, msg->trace_id, DP_STATUS_BAD_REQUEST,
                       "unknown query %u", msg->u.query.query);
        return;
    }
    s_job_t *job = s_job_new (self, routing_p, arena_p, msg);
    job->columns = msg->u.query.columns;
    char err [256];
    uint32_t query = job->msg.u.query.query;
    if (query == DP_QUERY_box_by_label || query == DP_QUERY_qr_by_code) {
        //  Lookups by a string key: one statement, streamed back.
        job->kind = S_JOB_LOOKUP;
        job->n_cols = (uint32_t) dp_sql_result_types (entry, job->columns, job->types);
        dp_sql_t sql;
        dp_sql_init (&sql);
        if (job->n_cols == 0
        ||  dp_sql_build_lookup (&sql, query, job->columns, job->msg.u.query.args,
                                 job->msg.u.query.n_args, err, sizeof err))
            s_job_fail (self, job, DP_STATUS_BAD_REQUEST, "%s: %s", entry->name,
                        job->n_cols ? err : "no column in mask");
        else
        if (job->msg.deadline_ms && (uint64_t) zclock_time () >= job->msg.deadline_ms)
            s_job_fail (self, job, DP_STATUS_TIMEOUT, "deadline passed before the request started");
        else
        if (s_unavailable (self, job->access))
            s_job_fail (self, job, DP_STATUS_UNAVAILABLE, "database unavailable");
        else {
            s_stmt_t *stmt = s_stmt_new (job, 0);
            stmt->sql = sql;            //  the statement owns the text now
            dp_sql_init (&sql);
            s_enqueue (self, stmt, false);
        }
        dp_sql_destroy (&sql);
        if (job->answered && job->pending == 0)
            s_job_destroy (self, job);
        return;
    }
    if (query == DP_QUERY_boxes_page) {
        job->kind = S_JOB_PAGE;
        job->n_cols = (uint32_t) dp_sql_result_types (entry, job->columns, job->types);
    }
    else {
        job->kind = query == DP_QUERY_boxes_count? S_JOB_COUNT: S_JOB_HAS_PREVIOUS;
        job->n_cols = 1;
        job->types [0] = DP_COLTYPE_INT;
    }
    if (job->n_cols == 0)
        s_job_fail (self, job, DP_STATUS_BAD_REQUEST, "query %s has no column in mask 0x%llx",
                    entry->name, (unsigned long long) job->columns);
    else
    if (dp_sql_boxes_parse (query, job->msg.u.query.args, job->msg.u.query.n_args,
                            job->arena, &job->boxes, err, sizeof err))
        s_job_fail (self, job, DP_STATUS_BAD_REQUEST, "%s: %s", entry->name, err);
    else
    if (job->msg.deadline_ms && (uint64_t) zclock_time () >= job->msg.deadline_ms)
        s_job_fail (self, job, DP_STATUS_TIMEOUT, "deadline passed before the request started");
    else
    if (dp_sql_boxes_match_nothing (&job->boxes)
    ||  (job->kind == S_JOB_PAGE && job->boxes.limit == 0)
    ||  (job->kind == S_JOB_HAS_PREVIOUS && !job->boxes.has_cursor)) {
        //  Known without SQL: no rows, a zero count, no previous row.
        if (job->kind == S_JOB_PAGE)
            s_reply_fixed (self, job, job->n_cols, 0, 0);
        else
            s_reply_fixed (self, job, 1, 1, 0);
    }
    else
    if (s_unavailable (self, job->access))
        s_job_fail (self, job, DP_STATUS_UNAVAILABLE, "database unavailable");
    else {
        s_stmt_t *stmt = s_stmt_new (job, 0);
        if (job->kind == S_JOB_PAGE)
            dp_sql_build_base_locations (&stmt->sql, &job->boxes);
        else
        if (job->kind == S_JOB_COUNT)
            dp_sql_build_boxes_count (&stmt->sql, &job->boxes);
        else
            dp_sql_build_boxes_has_previous (&stmt->sql, &job->boxes);
        s_enqueue (self, stmt, false);
    }
    if (job->answered && job->pending == 0)
        s_job_destroy (self, job);
}

//  This db-svc's report for HEARTBEAT replies (values: DP_STAT_DB_COUNT
//  of them, the caller's): the pool by connection state (the control
//  connections, which only send KILL QUERY, are not counted; a replica's
//  pool counts with the primary's), the queue,
//  and the counters since start.
static void
s_report (s_self_t *self, dp_report_t *report, uint64_t *values)
{
    memset (values, 0, DP_STAT_DB_COUNT * sizeof (uint64_t));
    for (int i = 0; i < self->n_pool; i++)
        switch (dp_db_conn_state (self->slots [i].conn)) {
            case DP_DB_CONN_BUSY:       values [DP_STAT_DB_BUSY]++; break;
            case DP_DB_CONN_IDLE:       values [DP_STAT_DB_IDLE]++; break;
            case DP_DB_CONN_CONNECTING: values [DP_STAT_DB_CONNECTING]++; break;
            case DP_DB_CONN_DOWN:       values [DP_STAT_DB_DOWN]++; break;
        }
    values [DP_STAT_DB_POOL_SIZE] = (uint64_t) self->n_pool;     //  the replica's too
    values [DP_STAT_DB_STATEMENTS] = self->stat_statements;
    values [DP_STAT_DB_QUEUED] = self->n_queued;
    values [DP_STAT_DB_QUEUE_LIMIT] = self->max_queue;
    values [DP_STAT_DB_REFUSED] = self->stat_rejected;
    values [DP_STAT_DB_COALESCED] = self->stat_merged;
    values [DP_STAT_DB_ANSWERED] = self->stat_answered;
    values [DP_STAT_DB_ERRORS] = self->stat_errors;
    values [DP_STAT_DB_CANCELLED] = self->stat_killed;
    report->service = DP_SERVICE_DB;
    report->instance = self->instance;
    report->taken_ms = (uint64_t) zclock_time ();
    report->values = values;
    report->n_values = DP_STAT_DB_COUNT;
}

//  One request: frames [routing id, msgpack] (n frames received).
static void
s_handle_request (s_self_t *self, zmq_msg_t *frames, int n, bool too_many)
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
            s_reply_error (self, routing, msg.id, "", DP_STATUS_BAD_REQUEST,
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
            s_reply_error (self, routing, envelope.id, "", DP_STATUS_BAD_REQUEST,
                           "malformed request: %s", err);
        else
            dp_warn ("db: dropping a malformed message: %s", err);
    }
    else
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
            s_send_msg (self, routing, &reply);
            break;
        }
        case DP_MSG_DISCONNECT:
            break;
        case DP_MSG_CANCEL:
            s_cancel (self, routing, msg.id);
            break;
        case DP_MSG_LOAD:
        case DP_MSG_QUERY:
            //  Back-pressure: a full queue refuses new work at once.
            if (self->n_queued >= self->max_queue) {
                self->stat_rejected++;
                s_reply_error (self, routing, msg.id, msg.trace_id, DP_STATUS_UNAVAILABLE,
                               "db-svc overloaded: %zu statements queued", self->n_queued);
            }
            else
            if (msg.type == DP_MSG_LOAD)
                s_start_load (self, &routing, &arena, &msg);
            else
                s_start_query (self, &routing, &arena, &msg);
            break;
        default:
            s_reply_error (self, routing, msg.id, msg.trace_id, DP_STATUS_BAD_REQUEST,
                           "db-svc does not take %s messages", dp_msg_type_name (msg.type));
            break;
    }
    dp_arena_destroy (&arena);
    zframe_destroy (&routing);
}

//  Read what the ROUTER has, up to a burst.
static void
s_handle_router (s_self_t *self)
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
s_handle_pipe (s_self_t *self)
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
        zsock_send (self->pipe, "888", self->stat_statements, self->stat_answered,
                    self->stat_errors);
    else
    if (streq (command, "MERGED"))
        zsock_send (self->pipe, "8", self->stat_merged);
    else
    if (streq (command, "CANCELLED"))
        zsock_send (self->pipe, "8", self->stat_cancelled);
    else
    if (streq (command, "PRESSURE"))
        zsock_send (self->pipe, "8888", self->stat_killed, self->stat_rejected,
                    (uint64_t) self->n_queued, (uint64_t) self->max_queue);
    else
    if (streq (command, "TARGETS"))
        zsock_send (self->pipe, "iiii88", s_count_up (self, DP_DB_PRIMARY),
                    self->pool_size [DP_DB_PRIMARY], s_count_up (self, DP_DB_REPLICA),
                    self->pool_size [DP_DB_REPLICA], self->stat_target [DP_DB_PRIMARY],
                    self->stat_target [DP_DB_REPLICA]);
    else
    if (streq (command, "PORT"))
        zsock_send (self->pipe, "i", self->port);
    else
    if (streq (command, "VERBOSE"))
        self->verbose = true;
    else {
        dp_error ("db: invalid pipe command '%s'", command);
        assert (false);
    }
    free (command);
    zmsg_destroy (&request);
}


//  ==========================================================================
//  The actor

static s_self_t *
s_self_new (zsock_t *pipe, const dp_db_config_t *config)
{
    s_self_t *self = calloc (1, sizeof (s_self_t));
    if (!self)
        dp_fatal ("out of memory");
    self->pipe = pipe;
    self->config = *config;
    const char **fields [] = { &self->config.host, &self->config.socket, &self->config.user,
                               &self->config.password, &self->config.database,
                               &self->config.endpoint, &self->config.replica_host,
                               &self->config.replica_socket };
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
    self->verbose = config->verbose;
    self->chunk_size = config->chunk_size > 0? config->chunk_size: 10000;
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
    self->slots = calloc ((size_t) self->n_slots, sizeof (s_slot_t));
    self->items = calloc ((size_t) self->n_slots + 2, sizeof (zmq_pollitem_t));
    self->item_slot = calloc ((size_t) self->n_slots + 2, sizeof (int));
    if (!self->slots || !self->items || !self->item_slot)
        dp_fatal ("out of memory");
    int next = 0;
    int next_control = self->n_pool;
    for (int target = 0; target < DP_DB_TARGETS; target++) {
        if (self->pool_size [target] == 0)
            continue;
        dp_db_config_t server;
        dp_db_target_config (&self->config, target, &server);
        for (int i = 0; i < self->pool_size [target]; i++, next++) {
            self->slots [next].conn = dp_db_conn_new (&server);
            self->slots [next].target = target;
            self->slots [next].killing = -1;
        }
        s_slot_t *control = &self->slots [next_control++];
        control->conn = dp_db_conn_new (&server);
        control->target = target;
        control->control = true;
        control->killing = -1;
        self->control [target] = control;
    }
    assert (next == self->n_pool && next_control == self->n_slots);
    return self;
}

static void
s_self_destroy (s_self_t **self_p)
{
    s_self_t *self = *self_p;
    if (!self)
        return;
    //  Requests still under way get their one reply before we go.
    for (s_job_t *job = self->jobs; job; job = job->next)
        s_job_fail (self, job, DP_STATUS_UNAVAILABLE, "db-svc is shutting down");
    for (int i = 0; i < self->n_slots; i++) {
        s_slot_t *slot = &self->slots [i];
        dp_db_conn_destroy (&slot->conn);
        if (slot->stmt)
            s_stmt_fail (self, slot->stmt, DP_STATUS_UNAVAILABLE, "db-svc is shutting down");
    }
    s_stmt_t *stmt = s_take_queued (self);
    while (stmt) {
        s_stmt_t *next = stmt->next;
        s_stmt_finish (self, stmt);
        stmt = next;
    }
    assert (self->jobs == NULL);
    zsock_destroy (&self->router);
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
s_poll_timeout (s_self_t *self)
{
    int64_t now = zclock_mono ();
    int64_t timeout = S_MAX_POLL_MS;
    //  Running statements reach their deadline.
    for (int i = 0; i < self->n_pool; i++) {
        s_stmt_t *stmt = self->slots [i].stmt;
        if (!stmt || stmt->expired)
            continue;
        uint64_t nearest = stmt->deadline;
        for (s_stmt_t *member = stmt->merged; member; member = member->merged_next)
            if (!member->job->answered && member->job->msg.deadline_ms
            && (!nearest || member->job->msg.deadline_ms < nearest))
                nearest = member->job->msg.deadline_ms;
        if (nearest) {
            int64_t left = (int64_t) nearest - zclock_time ();
            if (left < timeout)
                timeout = left;
        }
    }
    for (int i = 0; i < self->n_slots; i++) {
        s_slot_t *slot = &self->slots [i];
        int64_t at = dp_db_conn_state (slot->conn) == DP_DB_CONN_DOWN
                   ? slot->retry_at: dp_db_conn_wakeup (slot->conn);
        if (at >= 0 && at - now < timeout)
            timeout = at - now;
    }
    if (self->next_expiry) {
        int64_t left = (int64_t) self->next_expiry - zclock_time ();
        if (left < timeout)
            timeout = left;
    }
    return timeout < 0? 0: (long) timeout;
}

void
dp_db_actor (zsock_t *pipe, void *args)
{
    dp_db_config_t *config = (dp_db_config_t *) args;
    assert (config);
    assert (config->endpoint);
    s_self_t *self = s_self_new (pipe, config);
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
    dp_db_conn_thread_init ();
    char primary [300], replica [300] = "none";
    dp_db_target_describe (&self->config, DP_DB_PRIMARY, primary, sizeof primary);
    if (self->control [DP_DB_REPLICA]) {
        char server [280];
        snprintf (replica, sizeof replica, "%s with %d connection(s), for reads",
                  dp_db_target_describe (&self->config, DP_DB_REPLICA, server, sizeof server),
                  self->pool_size [DP_DB_REPLICA]);
    }
    dp_info ("db: listening on %s, primary %s with %d connection(s), replica %s, chunks of %d"
             " keys, at most %zu statements queued, max_statement_time %s, coalescing %s",
             self->config.endpoint, primary, self->pool_size [DP_DB_PRIMARY], replica,
             self->chunk_size, self->max_queue,
             self->statement_timeout? "from deadlines": "off", self->coalesce? "on": "off");
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", 0);

    //  Connect the pool (non-blocking: this only starts the handshakes).
    s_reconnect_due (self);

    while (!self->terminated) {
        self->items [0] = (zmq_pollitem_t) { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 };
        self->items [1] = (zmq_pollitem_t) { self->router_handle, 0, ZMQ_POLLIN, 0 };
        int n_items = 2;
        for (int i = 0; i < self->n_slots; i++) {
            dp_db_conn_t *conn = self->slots [i].conn;
            int fd = dp_db_conn_fd (conn);
            short events = dp_db_conn_events (conn);
            if (fd >= 0 && events) {
                self->items [n_items] = (zmq_pollitem_t) { NULL, fd, events, 0 };
                self->item_slot [n_items++] = i;
            }
        }
        if (zmq_poll (self->items, n_items, s_poll_timeout (self)) == -1) {
            if (errno == EINTR)
                continue;
            dp_error ("db: zmq_poll failed: %s", zmq_strerror (errno));
            break;
        }
        if (self->items [0].revents & ZMQ_POLLIN)
            s_handle_pipe (self);
        if (self->terminated)
            break;
        if (self->items [1].revents & ZMQ_POLLIN)
            s_handle_router (self);

        //  Connections: events seen, or the connector's timeout passed.
        int64_t now = zclock_mono ();
        int item = 2;
        for (int i = 0; i < self->n_slots; i++) {
            s_slot_t *slot = &self->slots [i];
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
        s_expire_queue (self);
        s_expire_running (self);
        s_kill_dispatch (self);
        s_dispatch (self);
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


//  ==========================================================================
//  Selftest: the actor against the test MariaDB, through a DEALER, checked
//  against what the test reads itself through the blocking API.

typedef struct {
    dp_db_testdb_t db;
    MYSQL *admin;               //  blocking connection for expected values
    zactor_t *actor;
    zsock_t *dealer;
    dp_arena_t *arena;          //  replies and expected rows
    uint64_t next_id;
    bool verbose;
    int max_queue;              //  for the next s_test_start: 0 = the default
    bool no_statement_timeout;  //  for the next s_test_start
    bool no_coalesce;           //  for the next s_test_start
} s_test_t;

typedef struct {
    uint32_t n_rows;
    uint32_t n_cols;
    dp_val_t *cells;
} s_rows_t;

static void
s_test_start (s_test_t *t, const char *endpoint, int pool, int chunk, const char *socket,
              const char *database, const char *user, const char *password)
{
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = socket;
    config.database = database;
    config.user = user;
    config.password = password;
    config.endpoint = endpoint;
    config.pool_size = pool;
    config.chunk_size = chunk;
    config.verbose = getenv ("DP_DB_TEST_LOG_SQL") != NULL;    //  log every statement
    if (t->max_queue)
        config.max_queue = t->max_queue;
    config.statement_timeout = !t->no_statement_timeout;
    config.coalesce = !t->no_coalesce;
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (endpoint);
    assert (t->dealer);
}

static void
s_test_stop (s_test_t *t)
{
    zsock_destroy (&t->dealer);
    zactor_destroy (&t->actor);
}

static void
s_test_stats (s_test_t *t, uint64_t *statements, uint64_t *answered, uint64_t *errors)
{
    zstr_send (t->actor, "STATS");
    int rc = zsock_recv (t->actor, "888", statements, answered, errors);
    assert (rc == 0);
}

static void
s_test_send (s_test_t *t, dp_msg_t *msg)
{
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    int rc = dp_msg_encode (msg, &buffer);
    assert (rc == 0);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    msgpack_sbuffer_destroy (&buffer);
    rc = zframe_send (&frame, t->dealer, 0);
    assert (rc == 0);
}

static uint64_t
s_test_send_load (s_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys,
                  uint32_t n_keys, uint64_t deadline)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_LOAD;
    msg.id = ++t->next_id;
    msg.deadline_ms = deadline;
    msg.trace_id = "selftest";
    msg.u.load.loader = loader;
    msg.u.load.columns = columns;
    msg.u.load.keys = (int64_t *) keys;
    msg.u.load.n_keys = n_keys;
    s_test_send (t, &msg);
    return msg.id;
}

static uint64_t
s_test_send_query (s_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args,
                   uint32_t n_args, uint64_t deadline)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_QUERY;
    msg.id = ++t->next_id;
    msg.deadline_ms = deadline;
    msg.trace_id = "selftest";
    msg.u.query.query = query;
    msg.u.query.columns = columns;
    msg.u.query.args = args;
    msg.u.query.n_args = n_args;
    s_test_send (t, &msg);
    return msg.id;
}

//  One reply within timeout ms, decoded into the test arena.
static bool
s_test_recv (s_test_t *t, dp_msg_t *reply, int timeout)
{
    zsock_set_rcvtimeo (t->dealer, timeout);
    zframe_t *frame = zframe_recv (t->dealer);
    if (!frame)
        return false;
    char err [256];
    int rc = dp_msg_decode (zframe_data (frame), zframe_size (frame), t->arena, reply,
                            err, sizeof err);
    if (rc)
        fprintf (stderr, "reply does not decode: %s\n", err);
    assert (rc == 0);
    zframe_destroy (&frame);
    return true;
}

//  The reply to request id, which must be ROWS.
static dp_msg_t
s_test_rows_reply (s_test_t *t, uint64_t id)
{
    dp_msg_t reply;
    bool got = s_test_recv (t, &reply, 10000);
    assert (got);
    assert (reply.id == id);
    if (reply.type == DP_MSG_ERROR)
        fprintf (stderr, "request %llu: ERROR %u %s\n", (unsigned long long) id,
                 reply.u.error.status, reply.u.error.message);
    assert (reply.type == DP_MSG_ROWS);
    return reply;
}

//  The reply to request id, which must be ERROR with status.
static dp_msg_t
s_test_error_reply (s_test_t *t, uint64_t id, uint32_t status)
{
    dp_msg_t reply;
    bool got = s_test_recv (t, &reply, 10000);
    assert (got);
    assert (reply.id == id);
    if (reply.type != DP_MSG_ERROR || reply.u.error.status != status)
        fprintf (stderr, "request %llu: expected ERROR %u, got %s %u\n",
                 (unsigned long long) id, status, dp_msg_type_name (reply.type),
                 reply.type == DP_MSG_ERROR? reply.u.error.status: 0);
    assert (reply.type == DP_MSG_ERROR);
    assert (reply.u.error.status == status);
    return reply;
}

static dp_msg_t
s_test_load (s_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys, uint32_t n)
{
    return s_test_rows_reply (t, s_test_send_load (t, loader, columns, keys, n, 0));
}

static dp_msg_t
s_test_query (s_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args)
{
    return s_test_rows_reply (t, s_test_send_query (t, query, columns, args, 5, 0));
}

static s_rows_t
s_test_rows (const dp_msg_t *reply)
{
    assert (reply->type == DP_MSG_ROWS);
    s_rows_t rows = { reply->u.rows.n_rows, reply->u.rows.n_cols, reply->u.rows.cells };
    return rows;
}

//  The test's own reading of a text cell, written apart from s_convert.
static void
s_test_expect_cell (dp_arena_t *arena, dp_coltype_t type, const char *text,
                    unsigned long len, dp_val_t *value)
{
    memset (value, 0, sizeof *value);
    value->type = DP_VAL_NIL;
    if (!text)
        return;
    bool zero = len >= 10 && strncmp (text, "0000-00-00", 10) == 0;
    const char *str = NULL;
    switch (type) {
        case DP_COLTYPE_INT:
            value->type = DP_VAL_INT;
            value->u.i = atoll (text);
            return;
        case DP_COLTYPE_FLOAT:
            value->type = DP_VAL_DOUBLE;
            value->u.d = atof (text);
            return;
        case DP_COLTYPE_STR:
            str = dp_arena_strndup (arena, text, len);
            value->u.s.len = (uint32_t) len;
            break;
        case DP_COLTYPE_DATETIME:
            if (!zero)
                str = dp_arena_printf (arena, "%.10sT%.8s+00:00", text, text + 11);
            break;
        case DP_COLTYPE_DATE:
            if (!zero)
                str = dp_arena_printf (arena, "%.10s", text);
            break;
    }
    if (str) {
        value->type = DP_VAL_STR;
        value->u.s.ptr = str;
        if (type != DP_COLTYPE_STR)
            value->u.s.len = (uint32_t) strlen (str);
    }
}

//  Rows of a statement run by the test, converted with s_test_expect_cell.
static s_rows_t
s_test_expected (s_test_t *t, const char *sql, const dp_coltype_t *types, uint32_t n_cols)
{
    if (mysql_query (t->admin, sql)) {
        fprintf (stderr, "expected rows: %s\n  in: %s\n", mysql_error (t->admin), sql);
        assert (false);
    }
    MYSQL_RES *result = mysql_store_result (t->admin);
    assert (result);
    assert (mysql_num_fields (result) == n_cols);
    s_rows_t rows = { (uint32_t) mysql_num_rows (result), n_cols, NULL };
    rows.cells = dp_arena_calloc (t->arena, (size_t) rows.n_rows * n_cols + 1, sizeof (dp_val_t));
    MYSQL_ROW row;
    uint32_t r = 0;
    while ((row = mysql_fetch_row (result))) {
        unsigned long *lengths = mysql_fetch_lengths (result);
        for (uint32_t c = 0; c < n_cols; c++)
            s_test_expect_cell (t->arena, types [c], row [c], lengths [c],
                                &rows.cells [(size_t) r * n_cols + c]);
        r++;
    }
    mysql_free_result (result);
    return rows;
}

static bool
s_test_equal (const dp_val_t *a, const dp_val_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
        case DP_VAL_NIL:
            return true;
        case DP_VAL_INT:
        case DP_VAL_BOOL:
            return a->u.i == b->u.i;
        case DP_VAL_DOUBLE:
            return fabs (a->u.d - b->u.d) <= 1e-9 * fmax (1.0, fabs (a->u.d));
        case DP_VAL_STR:
            return a->u.s.len == b->u.s.len && memcmp (a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
        default:
            return false;
    }
}

static void
s_test_print (const char *label, const dp_val_t *value)
{
    fprintf (stderr, "    %s: ", label);
    switch (value->type) {
        case DP_VAL_NIL: fprintf (stderr, "nil\n"); break;
        case DP_VAL_INT: fprintf (stderr, "int %lld\n", (long long) value->u.i); break;
        case DP_VAL_DOUBLE: fprintf (stderr, "double %.17g\n", value->u.d); break;
        case DP_VAL_STR: fprintf (stderr, "str \"%.*s\"\n", (int) value->u.s.len, value->u.s.ptr); break;
        default: fprintf (stderr, "type %d\n", value->type); break;
    }
}

//  Order rows by their first two cells (ints; nil first).
static int64_t
s_test_sort_key (const dp_val_t *value)
{
    return value->type == DP_VAL_INT? value->u.i: INT64_MIN;
}

static void
s_test_sort (s_rows_t *rows, dp_arena_t *arena)
{
    uint32_t n_cols = rows->n_cols;
    dp_val_t *tmp = dp_arena_alloc (arena, n_cols * sizeof (dp_val_t));
    for (uint32_t i = 1; i < rows->n_rows; i++) {
        memcpy (tmp, rows->cells + (size_t) i * n_cols, n_cols * sizeof (dp_val_t));
        uint32_t j = i;
        while (j > 0) {
            dp_val_t *prev = rows->cells + (size_t) (j - 1) * n_cols;
            int64_t a0 = s_test_sort_key (&prev [0]), b0 = s_test_sort_key (&tmp [0]);
            int64_t a1 = n_cols > 1? s_test_sort_key (&prev [1]): 0;
            int64_t b1 = n_cols > 1? s_test_sort_key (&tmp [1]): 0;
            if (a0 < b0 || (a0 == b0 && a1 <= b1))
                break;
            memcpy (prev + n_cols, prev, n_cols * sizeof (dp_val_t));
            j--;
        }
        memcpy (rows->cells + (size_t) j * n_cols, tmp, n_cols * sizeof (dp_val_t));
    }
}

static void
s_test_same (s_test_t *t, const char *what, s_rows_t expected, s_rows_t got, bool sort)
{
    if (sort) {
        s_test_sort (&expected, t->arena);
        s_test_sort (&got, t->arena);
    }
    if (expected.n_rows != got.n_rows || expected.n_cols != got.n_cols) {
        fprintf (stderr, "%s: expected %u rows x %u columns, got %u x %u\n", what,
                 expected.n_rows, expected.n_cols, got.n_rows, got.n_cols);
        assert (false);
    }
    for (uint32_t r = 0; r < got.n_rows; r++)
        for (uint32_t c = 0; c < got.n_cols; c++) {
            const dp_val_t *a = &expected.cells [(size_t) r * got.n_cols + c];
            const dp_val_t *b = &got.cells [(size_t) r * got.n_cols + c];
            if (!s_test_equal (a, b)) {
                fprintf (stderr, "%s: row %u column %u differs\n", what, r, c);
                s_test_print ("expected", a);
                s_test_print ("got", b);
                assert (false);
            }
        }
    if (t->verbose)
        printf ("    %s: %u rows x %u columns match\n", what, got.n_rows, got.n_cols);
}

//  The nth row (0-based) whose key is key, or NULL.
static const dp_val_t *
s_test_row (s_rows_t rows, int64_t key, uint32_t nth)
{
    for (uint32_t r = 0; r < rows.n_rows; r++) {
        const dp_val_t *row = rows.cells + (size_t) r * rows.n_cols;
        if (row [0].type == DP_VAL_INT && row [0].u.i == key && nth-- == 0)
            return row;
    }
    return NULL;
}

static void
s_test_check (bool ok, const dp_val_t *value, const char *expected, int line)
{
    if (!ok) {
        fprintf (stderr, "dp_db_actor.c:%d: expected %s\n", line, expected);
        s_test_print ("got", value);
        assert (false);
    }
}

#define S_IS_NIL(v) \
    s_test_check ((v)->type == DP_VAL_NIL, (v), "nil", __LINE__)
#define S_IS_INT(v, x) \
    s_test_check ((v)->type == DP_VAL_INT && (v)->u.i == (x), (v), #x, __LINE__)
#define S_IS_DOUBLE(v, x) \
    s_test_check ((v)->type == DP_VAL_DOUBLE && fabs ((v)->u.d - (x)) < 1e-12, (v), #x, __LINE__)
#define S_IS_STR(v, x) \
    s_test_check ((v)->type == DP_VAL_STR && (v)->u.s.len == strlen (x) \
                  && memcmp ((v)->u.s.ptr, (x), strlen (x)) == 0, (v), #x, __LINE__)

static uint64_t
s_test_all_columns (const dp_catalog_entry_t *entry)
{
    return entry->n_columns >= 64? UINT64_MAX: ((uint64_t) 1 << entry->n_columns) - 1;
}

//  The computed columns of column sets, as the test writes them (%s: the
//  table's alias in the query).
static const struct {
    const char *table;
    int column;
    const char *sql;
} s_test_computed [] = {
    { "stock", DP_COL_stock_base_id,
      "(SELECT l2.camp_id FROM locations l2 WHERE l2.id = %s.location_id)" },
    { "stock", DP_COL_stock_product_gender_id,
      "(SELECT p2.gender_id FROM products p2 WHERE p2.id = %s.product_id)" },
    { "stock", DP_COL_stock_product_category_id,
      "(SELECT p2.category_id FROM products p2 WHERE p2.id = %s.product_id)" },
    { "stock", DP_COL_stock_tag_ids,
      "(SELECT GROUP_CONCAT(r2.tag_id ORDER BY r2.tag_id) FROM tags_relations r2"
      " WHERE r2.object_type = 'Stock' AND r2.object_id = %s.id AND r2.deleted_on IS NULL)" },
    { "shipment_detail", DP_COL_shipment_detail_source_base_id,
      "(SELECT s2.source_base_id FROM shipment s2 WHERE s2.id = %s.shipment_id)" },
    { "shipment_detail", DP_COL_shipment_detail_target_base_id,
      "(SELECT s2.target_base_id FROM shipment s2 WHERE s2.id = %s.shipment_id)" },
};

//  "prefix.col1, prefix.col2, ..." for every column of entry; computed
//  columns as s_test_computed writes them.
static char *
s_test_column_list (dp_arena_t *arena, const dp_catalog_entry_t *entry, const char *prefix)
{
    dp_sql_t sql;
    dp_sql_init (&sql);
    for (size_t c = 0; c < entry->n_columns; c++) {
        dp_sql_append (&sql, c? ", ": "");
        const char *computed = NULL;
        for (size_t i = 0; i < sizeof s_test_computed / sizeof s_test_computed [0]; i++)
            if (strcmp (entry->table, s_test_computed [i].table) == 0 && (int) c == s_test_computed [i].column)
                computed = s_test_computed [i].sql;
        if (computed)
            dp_sql_printf (&sql, computed, prefix);
        else
            dp_sql_printf (&sql, "%s.%s", prefix, entry->columns [c].name);
    }
    char *list = dp_arena_strdup (arena, sql.data);
    dp_sql_destroy (&sql);
    return list;
}

static char *
s_test_key_list (dp_arena_t *arena, const int64_t *keys, size_t n)
{
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_sql_append_ints (&sql, keys, n);
    char *list = dp_arena_strdup (arena, sql.data);
    dp_sql_destroy (&sql);
    return list;
}

static long long
s_test_com_select (MYSQL *mysql)
{
    int rc = mysql_query (mysql, "SHOW GLOBAL STATUS LIKE 'Com_select'");
    assert (rc == 0);
    MYSQL_RES *result = mysql_store_result (mysql);
    MYSQL_ROW row = mysql_fetch_row (result);
    assert (row && row [1]);
    long long value = atoll (row [1]);
    mysql_free_result (result);
    return value;
}

//  Arguments of the boxes queries; after_modified NULL and after_id < 0 are nil.
static dp_val_t *
s_test_boxes_args (dp_arena_t *arena, int64_t base, dp_val_t *filter, int64_t limit,
                   const dp_val_t *after_modified, int64_t after_id)
{
    dp_val_t *args = dp_arena_calloc (arena, 5, sizeof (dp_val_t));
    args [0].type = DP_VAL_INT;
    args [0].u.i = base;
    if (filter) {
        args [1].type = DP_VAL_ARRAY;
        args [1].u.a.items = filter;
        args [1].u.a.count = 9;
    }
    if (limit >= 0) {
        args [2].type = DP_VAL_INT;
        args [2].u.i = limit;
    }
    if (after_modified)
        args [3] = *after_modified;
    if (after_id >= 0) {
        args [4].type = DP_VAL_INT;
        args [4].u.i = after_id;
    }
    return args;
}

//  A list value of n ints.
static dp_val_t
s_test_ints (dp_arena_t *arena, uint32_t n, ...)
{
    dp_val_t list;
    memset (&list, 0, sizeof list);
    list.type = DP_VAL_ARRAY;
    list.u.a.items = dp_arena_calloc (arena, n + 1, sizeof (dp_val_t));
    list.u.a.count = n;
    va_list args;
    va_start (args, n);
    for (uint32_t i = 0; i < n; i++) {
        list.u.a.items [i].type = DP_VAL_INT;
        list.u.a.items [i].u.i = va_arg (args, long long);
    }
    va_end (args);
    return list;
}

static dp_val_t
s_test_str (const char *text)
{
    dp_val_t value;
    memset (&value, 0, sizeof value);
    value.type = DP_VAL_STR;
    value.u.s.ptr = text;
    value.u.s.len = (uint32_t) strlen (text);
    return value;
}

static dp_val_t
s_test_int (int64_t number)
{
    dp_val_t value;
    memset (&value, 0, sizeof value);
    value.type = DP_VAL_INT;
    value.u.i = number;
    return value;
}

//  A new filter: 9 nil fields.
static dp_val_t *
s_test_filter (dp_arena_t *arena)
{
    return dp_arena_calloc (arena, 9, sizeof (dp_val_t));
}


//  --------------------------------------------------------------------------
//  load: every loader's rows equal what the test reads itself; seed values
//  (zero dates, decimals, unicode, soft-deleted tags and relations) come out
//  as the wire contract says; statements are counted as MariaDB counts them.

static void
s_test_concern_load (s_test_t *t)
{
    s_test_start (t, "inproc://dp-db-test-load", 4, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    static const int64_t seed [] = { 900001, 900002, 900003, 900004, 900005, 900007, 900010 };
    uint32_t tested = 0;            //  loaders the loop below ran (one statement each)
    for (uint32_t id = 0; id < DP_LOADER_COUNT; id++) {
        //  Loaders by primary key and the three below are checked here; the
        //  others (by parent, "all", by QR code, history) are checked against
        //  SQL end to end in tests/integration/test_read_api.py.
        const dp_sql_loader_t *sql_loader = dp_sql_loader (id);
        size_t key_len = strlen (sql_loader->key), name_len = strlen (sql_loader->name);
        bool by_id = key_len > 3 && strcmp (sql_loader->key + key_len - 3, ".id") == 0
                  && name_len > 6 && strcmp (sql_loader->name + name_len - 6, "_by_id") == 0;
        if ((!by_id && id != DP_LOADER_tags_by_box && id != DP_LOADER_active_shipment_detail_by_box
             && id != DP_LOADER_tag_last_used_by_tag)
        ||  id == DP_LOADER_shipment_by_id || id == DP_LOADER_tags_by_id
        ||  id == DP_LOADER_tags_by_box || id == DP_LOADER_people_by_id    //  computed columns
        ||  id == DP_LOADER_distro_events_by_id)    //  no seed rows here: tested end to end
            continue;
        dp_arena_reset (t->arena);
        const dp_catalog_entry_t *entry = dp_catalog_loader (id);
        uint64_t mask = s_test_all_columns (entry);
        dp_coltype_t types [65];
        uint32_t n_cols = (uint32_t) dp_sql_result_types (entry, mask, types);
        assert (n_cols == entry->n_columns + 1);

        //  Keys: the seed ids, a missing id, duplicates, and a sample of
        //  boxtribute's rows when its dump is loaded.
        int64_t keys [128];
        uint32_t n_keys = 0;
        for (size_t i = 0; i < sizeof seed / sizeof seed [0]; i++)
            keys [n_keys++] = seed [i];
        keys [n_keys++] = 999999999;
        keys [n_keys++] = 900001;
        keys [n_keys++] = 900003;
        const char *sample = NULL;
        char sample_sql [256];
        if (id == DP_LOADER_tags_by_box)
            sample = "SELECT DISTINCT object_id FROM tags_relations WHERE object_type = 'Stock'"
                     " AND object_id NOT BETWEEN 900000 AND 900999 ORDER BY object_id LIMIT 60";
        else
        if (id == DP_LOADER_active_shipment_detail_by_box)
            sample = "SELECT DISTINCT box_id FROM shipment_detail WHERE box_id NOT BETWEEN 900000 AND 900999"
                     " ORDER BY box_id LIMIT 60";
        else
        if (id == DP_LOADER_tag_last_used_by_tag)
            sample = "SELECT id FROM tags WHERE id < 900000 ORDER BY id LIMIT 60";
        else {
            snprintf (sample_sql, sizeof sample_sql,
                      "SELECT id FROM %s WHERE id < 900000 OR id > 900999 ORDER BY id LIMIT 60",
                      entry->table);
            sample = sample_sql;
        }
        if (t->db.boxtribute) {
            int rc = mysql_query (t->admin, sample);
            assert (rc == 0);
            MYSQL_RES *result = mysql_store_result (t->admin);
            MYSQL_ROW row;
            while ((row = mysql_fetch_row (result)) && n_keys < 128)
                keys [n_keys++] = atoll (row [0]);
            mysql_free_result (result);
        }
        char *key_list = s_test_key_list (t->arena, keys, n_keys);

        //  The test's own statement for the same rows.
        char *sql;
        if (id == DP_LOADER_tags_by_box)
            sql = dp_arena_printf (t->arena,
                "SELECT r.object_id, %s FROM tags t, tags_relations r WHERE r.tag_id = t.id"
                " AND r.object_type = 'Stock' AND r.deleted_on IS NULL"
                " AND (t.deleted IS NULL OR t.deleted = '0000-00-00 00:00:00')"
                " AND r.object_id IN (%s) ORDER BY r.object_id, t.id",
                s_test_column_list (t->arena, entry, "t"), key_list);
        else
        if (id == DP_LOADER_active_shipment_detail_by_box)
            sql = dp_arena_printf (t->arena,
                "SELECT d.box_id, %s FROM shipment_detail d WHERE d.box_id IN (%s)"
                " AND d.removed_on IS NULL AND d.lost_on IS NULL AND d.received_on IS NULL",
                s_test_column_list (t->arena, entry, "d"), key_list);
        else
        if (id == DP_LOADER_tag_last_used_by_tag)
            sql = dp_arena_printf (t->arena,
                "SELECT tag_id, tag_id, MAX(created_on) FROM tags_relations"
                " WHERE tag_id IN (%s) GROUP BY tag_id", key_list);
        else
            sql = dp_arena_printf (t->arena, "SELECT x.id, %s FROM %s x WHERE x.id IN (%s)",
                                   s_test_column_list (t->arena, entry, "x"), entry->table,
                                   key_list);
        s_rows_t expected = s_test_expected (t, sql, types, n_cols);
        dp_msg_t reply = s_test_load (t, id, mask, keys, n_keys);
        tested++;
        assert (reply.u.rows.statements == 1);
        assert (strcmp (reply.trace_id, "selftest") == 0);
        //  tags_by_box promises its order; the others are compared sorted.
        s_test_same (t, entry->name, expected, s_test_rows (&reply), id != DP_LOADER_tags_by_box);
        assert (expected.n_rows > 0);
    }

    //  Seed values, one by one.
    dp_arena_reset (t->arena);
    int64_t users [] = { 900001, 900002 };
    const dp_catalog_entry_t *entry = dp_catalog_loader (DP_LOADER_cms_users_by_id);
    dp_msg_t reply = s_test_load (t, DP_LOADER_cms_users_by_id, s_test_all_columns (entry), users, 2);
    s_rows_t rows = s_test_rows (&reply);
    const dp_val_t *row = s_test_row (rows, 900001, 0);
    assert (row);
    S_IS_NIL (&row [1 + DP_COL_cms_users_lastlogin]);          //  zero datetime
    S_IS_STR (&row [1 + DP_COL_cms_users_lastaction], "2024-03-04T05:06:07+00:00");
    S_IS_NIL (&row [1 + DP_COL_cms_users_deleted]);
    S_IS_NIL (&row [1 + DP_COL_cms_users_valid_firstday]);     //  zero date
    S_IS_STR (&row [1 + DP_COL_cms_users_valid_lastday], "2024-05-06");
    S_IS_STR (&row [1 + DP_COL_cms_users_email], "zero@seed.test");
    row = s_test_row (rows, 900002, 0);
    S_IS_STR (&row [1 + DP_COL_cms_users_naam],
              "Seed \xc3\x9c" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93");
    S_IS_NIL (&row [1 + DP_COL_cms_users_valid_firstday]);     //  NULL

    int64_t boxes [] = { 900001, 900002, 900003, 900004, 900005, 900007 };
    entry = dp_catalog_loader (DP_LOADER_stock_by_id);
    reply = s_test_load (t, DP_LOADER_stock_by_id, s_test_all_columns (entry), boxes, 6);
    rows = s_test_rows (&reply);
    assert (rows.n_rows == 6 && rows.n_cols == 26);
    row = s_test_row (rows, 900001, 0);
    S_IS_INT (&row [1 + DP_COL_stock_id], 900001);
    //  Computed: the base of its location, and its live tag relations (the
    //  deleted tag 900003 too: a relation, not the tag, is what counts).
    S_IS_INT (&row [1 + DP_COL_stock_base_id], 900001);
    S_IS_STR (&row [1 + DP_COL_stock_tag_ids], "900001,900002,900003,900004");
    S_IS_STR (&row [1 + DP_COL_stock_box_id], "S900001");
    S_IS_INT (&row [1 + DP_COL_stock_qr_id], 900001);
    S_IS_INT (&row [1 + DP_COL_stock_size_id], 900001);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_weight], 2.5);
    S_IS_NIL (&row [1 + DP_COL_stock_deleted]);                //  zero date: not deleted
    S_IS_NIL (&row [1 + DP_COL_stock_comments]);
    S_IS_STR (&row [1 + DP_COL_stock_created], "2023-01-01T00:00:00+00:00");
    S_IS_STR (&row [1 + DP_COL_stock_modified], "2024-01-28T12:00:00+00:00");
    row = s_test_row (rows, 900002, 0);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_monetary_value], 12.75);
    S_IS_NIL (&row [1 + DP_COL_stock_tag_ids]);                //  its one relation was removed
    S_IS_DOUBLE (&row [1 + DP_COL_stock_weight], 0.125);
    row = s_test_row (rows, 900003, 0);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_measure_value], 1500.5);
    S_IS_INT (&row [1 + DP_COL_stock_display_unit_id], 900001);
    S_IS_INT (&row [1 + DP_COL_stock_box_state_id], 1);
    row = s_test_row (rows, 900004, 0);
    S_IS_NIL (&row [1 + DP_COL_stock_size_id]);
    row = s_test_row (rows, 900005, 0);
    S_IS_STR (&row [1 + DP_COL_stock_deleted], "2023-03-03T03:03:03+00:00");
    S_IS_NIL (&row [1 + DP_COL_stock_weight]);
    row = s_test_row (rows, 900007, 0);
    S_IS_STR (&row [1 + DP_COL_stock_comments], "it's \xe2\x9c\x93 ok");

    //  Tags of boxes: live tags only (deleted = zero date is live), live
    //  'Stock' relations only, by box then tag, keys in any order.
    int64_t tagged [] = { 900010, 900003, 900002, 900001 };
    uint64_t tag_mask = (1u << DP_COL_tags_id) | (1u << DP_COL_tags_label);
    reply = s_test_load (t, DP_LOADER_tags_by_box, tag_mask, tagged, 4);
    rows = s_test_rows (&reply);
    assert (rows.n_rows == 5 && rows.n_cols == 3);
    int64_t expect_tags [5][2] = { { 900001, 900001 }, { 900001, 900002 }, { 900001, 900004 },
                                   { 900003, 900001 }, { 900010, 900002 } };
    for (int r = 0; r < 5; r++) {
        S_IS_INT (&rows.cells [r * 3], expect_tags [r][0]);
        S_IS_INT (&rows.cells [r * 3 + 1], expect_tags [r][1]);
    }
    S_IS_STR (&rows.cells [2], "Seed red");

    //  Active shipment detail: removed, received and lost ones are left out.
    int64_t shipped [] = { 900001, 900002, 900003, 900004 };
    reply = s_test_load (t, DP_LOADER_active_shipment_detail_by_box,
                         1u << DP_COL_shipment_detail_id, shipped, 4);
    rows = s_test_rows (&reply);
    assert (rows.n_rows == 2);
    S_IS_INT (&s_test_row (rows, 900001, 0) [1], 900002);
    S_IS_INT (&s_test_row (rows, 900004, 0) [1], 900005);

    //  Last use of tags: the newest relation, deleted ones included.
    int64_t tag_ids [] = { 900001, 900002, 900003, 900005 };
    reply = s_test_load (t, DP_LOADER_tag_last_used_by_tag, 3, tag_ids, 4);
    rows = s_test_rows (&reply);
    assert (rows.n_rows == 3);
    S_IS_STR (&s_test_row (rows, 900001, 0) [2], "2024-01-12T00:00:00+00:00");
    S_IS_STR (&s_test_row (rows, 900002, 0) [2], "2024-01-11T00:00:00+00:00");
    S_IS_INT (&s_test_row (rows, 900003, 0) [1], 900003);
    assert (s_test_row (rows, 900005, 0) == NULL);

    //  Decimals and a zero-date soft delete elsewhere.
    int64_t unit [] = { 900001 };
    reply = s_test_load (t, DP_LOADER_units_by_id, 1u << DP_COL_units_conversion_factor, unit, 1);
    S_IS_DOUBLE (&reply.u.rows.cells [1], 0.001);
    int64_t camp [] = { 900002 };
    reply = s_test_load (t, DP_LOADER_camps_by_id, 1u << DP_COL_camps_deleted, camp, 1);
    S_IS_NIL (&reply.u.rows.cells [1]);

    //  A column subset: key first, then the requested columns in catalog
    //  order, whatever order the bits were thought of in.
    uint64_t subset = (1u << DP_COL_stock_modified) | (1u << DP_COL_stock_box_id);
    reply = s_test_load (t, DP_LOADER_stock_by_id, subset, boxes, 1);
    assert (reply.u.rows.n_cols == 3 && reply.u.rows.n_rows == 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    S_IS_STR (&reply.u.rows.cells [1], "S900001");
    S_IS_STR (&reply.u.rows.cells [2], "2024-01-28T12:00:00+00:00");

    //  No keys: no rows and no SQL.
    reply = s_test_load (t, DP_LOADER_stock_by_id, subset, boxes, 0);
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.n_cols == 3);
    assert (reply.u.rows.statements == 0);

    //  Depot's statement count is MariaDB's: Com_select moves by exactly
    //  the statements the replies report.
    long long before = s_test_com_select (t->admin);
    uint64_t reported = 0;
    reported += s_test_load (t, DP_LOADER_stock_by_id, 1, boxes, 6).u.rows.statements;
    reported += s_test_load (t, DP_LOADER_tags_by_box, 1, tagged, 4).u.rows.statements;
    reported += s_test_load (t, DP_LOADER_sizes_by_id, 1, boxes, 0).u.rows.statements;
    reported += s_test_query (t, DP_QUERY_boxes_page, 1,
                              s_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1))
                .u.rows.statements;
    long long after = s_test_com_select (t->admin);
    if (t->verbose)
        printf ("    Com_select delta %lld, reported statements %llu\n", after - before,
                (unsigned long long) reported);
    assert (reported == 4);
    assert (after - before == (long long) reported);

    //  STATS agree with what was seen.
    uint64_t statements, answered, errors;
    s_test_stats (t, &statements, &answered, &errors);
    assert (answered == t->next_id);
    assert (errors == 0);
    assert (statements == tested + 8 + reported);
    s_test_stop (t);
}


//  --------------------------------------------------------------------------
//  chunks: key lists longer than chunk_size run as several statements whose
//  rows come back merged, in order, as from one statement.

static void
s_test_concern_chunks (s_test_t *t)
{
    //  Two actors on the same database: chunks of 3 keys and of 10000.
    s_test_t big = *t;
    s_test_start (t, "inproc://dp-db-test-chunks3", 3, 3, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    s_test_start (&big, "inproc://dp-db-test-chunks10k", 2, 10000, t->db.socket,
                  DP_DB_TESTDB_NAME, "root", NULL);
    const dp_catalog_entry_t *entry = dp_catalog_loader (DP_LOADER_stock_by_id);
    uint64_t mask = s_test_all_columns (entry);
    //  10 distinct keys, given 15 times: 4 chunks of at most 3 keys.
    int64_t keys [] = { 900010, 900001, 900002, 900001, 900003, 900004, 900005, 900005,
                        900006, 900007, 900008, 900009, 900001, 900010, 900002 };
    dp_msg_t chunked = s_test_load (t, DP_LOADER_stock_by_id, mask, keys, 15);
    dp_msg_t whole = s_test_load (&big, DP_LOADER_stock_by_id, mask, keys, 15);
    assert (chunked.u.rows.statements == 4);
    assert (whole.u.rows.statements == 1);
    assert (chunked.u.rows.n_rows == 10);
    s_test_same (t, "stock_by_id in chunks of 3", s_test_rows (&whole), s_test_rows (&chunked), true);

    //  Ordered loaders stay ordered across chunks (keys sorted, chunks
    //  merged in key order whichever connection finished first).
    int64_t tagged [] = { 900010, 900003, 900002, 900001, 900004, 900005, 900006 };
    uint64_t tag_mask = s_test_all_columns (dp_catalog_loader (DP_LOADER_tags_by_box));
    chunked = s_test_load (t, DP_LOADER_tags_by_box, tag_mask, tagged, 7);
    whole = s_test_load (&big, DP_LOADER_tags_by_box, tag_mask, tagged, 7);
    assert (chunked.u.rows.statements == 3);
    assert (chunked.u.rows.n_rows == 5);
    s_test_same (t, "tags_by_box in chunks of 3", s_test_rows (&whole), s_test_rows (&chunked), false);

    //  The default chunk size: 25,000 keys are three statements.
    int64_t *many = dp_arena_alloc (t->arena, 25000 * sizeof (int64_t));
    for (int i = 0; i < 25000; i++)
        many [i] = i < 45? 900001 + i: 800000000 + i;
    dp_msg_t reply = s_test_load (&big, DP_LOADER_stock_by_id, 1, many, 25000);
    assert (reply.u.rows.statements == 3);
    assert (reply.u.rows.n_rows == 45);
    uint64_t statements, answered, errors;
    s_test_stats (t, &statements, &answered, &errors);
    assert (statements == 7 && answered == 2 && errors == 0);
    s_test_stop (&big);
    s_test_stop (t);
}


//  --------------------------------------------------------------------------
//  query: boxes_page walked with its keyset cursor gives every box of the
//  base exactly once, in order, across ties, zero dates and NULLs;
//  boxes_count and boxes_has_previous agree; each filter selects what the
//  test's own SQL selects.

//  Walk a base page by page; ids receives every id. Checks has_previous for
//  each page's cursor along the way.
static size_t
s_test_walk (s_test_t *t, int64_t base, dp_val_t *filter, int64_t page, int64_t *ids, size_t max)
{
    uint64_t mask = (uint64_t) 1 << DP_COL_stock_modified;
    dp_val_t cursor_modified;
    memset (&cursor_modified, 0, sizeof cursor_modified);
    int64_t cursor_id = -1;
    size_t count = 0;
    for (int pages = 0; ; pages++) {
        dp_val_t *args = s_test_boxes_args (t->arena, base, filter, page,
                                            cursor_id >= 0? &cursor_modified: NULL, cursor_id);
        dp_msg_t reply = s_test_query (t, DP_QUERY_boxes_page, mask, args);
        assert (reply.u.rows.n_cols == 2);
        assert (reply.u.rows.statements == 2);
        //  has_previous: is a row strictly before the cursor (the last row
        //  seen)? Without a cursor it is 0 without SQL.
        dp_msg_t previous = s_test_query (t, DP_QUERY_boxes_has_previous, 0, args);
        assert (previous.u.rows.n_rows == 1 && previous.u.rows.n_cols == 1);
        S_IS_INT (&previous.u.rows.cells [0], count >= 2? 1: 0);
        assert (previous.u.rows.statements == (pages > 0? 1u: 0u));
        for (uint32_t r = 0; r < reply.u.rows.n_rows; r++) {
            assert (count < max);
            ids [count++] = reply.u.rows.cells [r * 2].u.i;
        }
        if (reply.u.rows.n_rows < page)
            break;
        cursor_id = reply.u.rows.cells [(reply.u.rows.n_rows - 1) * 2].u.i;
        cursor_modified = reply.u.rows.cells [(reply.u.rows.n_rows - 1) * 2 + 1];
    }
    return count;
}

//  The test's own selection of a base's boxes with an extra WHERE.
static s_rows_t
s_test_expected_ids (s_test_t *t, int64_t base, const char *where)
{
    static const dp_coltype_t types [] = { DP_COLTYPE_INT };
    char *sql = dp_arena_printf (t->arena,
        "SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id"
        " JOIN products p ON p.id = s.product_id"
        " WHERE l.camp_id = %lld AND (s.deleted IS NULL OR s.deleted = 0) %s"
        " ORDER BY s.modified DESC, s.id DESC", (long long) base, where);
    return s_test_expected (t, sql, types, 1);
}

static void
s_test_filter_case (s_test_t *t, const char *label, dp_val_t *filter, const char *where)
{
    s_rows_t expected = s_test_expected_ids (t, 900001, where);
    dp_val_t *args = s_test_boxes_args (t->arena, 900001, filter, 100000, NULL, -1);
    dp_msg_t page = s_test_query (t, DP_QUERY_boxes_page, 0, args);
    s_test_same (t, label, expected, s_test_rows (&page), false);
    dp_msg_t count = s_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (count.u.rows.n_rows == 1);
    S_IS_INT (&count.u.rows.cells [0], (int64_t) expected.n_rows);
}

static void
s_test_concern_query (s_test_t *t)
{
    s_test_start (t, "inproc://dp-db-test-query", 3, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    //  The whole base in pages of 4.
    s_rows_t expected = s_test_expected_ids (t, 900001, "");
    assert (expected.n_rows == 39);         //  40 boxes, 900005 deleted
    S_IS_INT (&expected.cells [0], 900003);
    S_IS_INT (&expected.cells [36], 900037);    //  zero date, then NULLs by id
    S_IS_INT (&expected.cells [37], 900039);
    S_IS_INT (&expected.cells [38], 900038);
    int64_t ids [64];
    size_t count = s_test_walk (t, 900001, NULL, 4, ids, 64);
    assert (count == expected.n_rows);
    for (size_t i = 0; i < count; i++)
        S_IS_INT (&expected.cells [i], ids [i]);
    //  Pages of 1 cross every tie and the NULL tail one row at a time.
    count = s_test_walk (t, 900001, NULL, 1, ids, 64);
    assert (count == expected.n_rows);
    for (size_t i = 0; i < count; i++)
        S_IS_INT (&expected.cells [i], ids [i]);

    //  Cursors inside a tie and in the nil tail.
    dp_val_t day28 = s_test_str ("2024-01-28T12:00:00+00:00");
    dp_val_t nil;
    memset (&nil, 0, sizeof nil);
    dp_msg_t reply = s_test_query (t, DP_QUERY_boxes_page, 0,
                                   s_test_boxes_args (t->arena, 900001, NULL, 3, &day28, 900002));
    assert (reply.u.rows.n_rows == 3);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    S_IS_INT (&reply.u.rows.cells [1], 900006);
    S_IS_INT (&reply.u.rows.cells [2], 900004);
    reply = s_test_query (t, DP_QUERY_boxes_page, 0,
                          s_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900037));
    assert (reply.u.rows.n_rows == 2);      //  after the zero date: the NULLs
    S_IS_INT (&reply.u.rows.cells [0], 900039);
    S_IS_INT (&reply.u.rows.cells [1], 900038);
    reply = s_test_query (t, DP_QUERY_boxes_page, 0,
                          s_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900039));
    assert (reply.u.rows.n_rows == 1);
    S_IS_INT (&reply.u.rows.cells [0], 900038);
    reply = s_test_query (t, DP_QUERY_boxes_page, 0,
                          s_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900038));
    assert (reply.u.rows.n_rows == 0);
    //  Nothing comes before the first box; everything else has a previous.
    dp_val_t *args = s_test_boxes_args (t->arena, 900001, NULL, 10, &day28, 900003);
    S_IS_INT (&s_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 0);
    args = s_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900037);
    S_IS_INT (&s_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 1);
    args = s_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900038);
    S_IS_INT (&s_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 1);

    //  Count and full rows.
    args = s_test_boxes_args (t->arena, 900001, NULL, 100000, NULL, -1);
    reply = s_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (reply.u.rows.statements == 1);
    S_IS_INT (&reply.u.rows.cells [0], 39);
    const dp_catalog_entry_t *stock = dp_catalog_query (DP_QUERY_boxes_page);
    uint64_t all = s_test_all_columns (stock);
    dp_coltype_t types [65];
    uint32_t n_cols = (uint32_t) dp_sql_result_types (stock, all, types);
    char *sql = dp_arena_printf (t->arena,
        "SELECT s.id, %s FROM stock s JOIN locations l ON l.id = s.location_id"
        " WHERE l.camp_id = 900001 AND (s.deleted IS NULL OR s.deleted = 0)"
        " ORDER BY s.modified DESC, s.id DESC LIMIT 7", s_test_column_list (t->arena, stock, "s"));
    reply = s_test_query (t, DP_QUERY_boxes_page, all,
                          s_test_boxes_args (t->arena, 900001, NULL, 7, NULL, -1));
    s_test_same (t, "boxes_page base 900001", s_test_expected (t, sql, types, n_cols),
                 s_test_rows (&reply), false);

    //  Filters, one at a time and together.
    dp_val_t *filter = s_test_filter (t->arena);
    filter [0] = s_test_ints (t->arena, 1, 1LL);
    s_test_filter_case (t, "states", filter, "AND s.box_state_id IN (1)");
    filter = s_test_filter (t->arena);
    filter [1] = s_test_ints (t->arena, 2, 900002LL, 900004LL);
    s_test_filter_case (t, "location_ids", filter, "AND s.location_id IN (900002, 900004)");
    filter = s_test_filter (t->arena);
    filter [2] = s_test_str ("2024-01-20");
    filter [3] = s_test_str ("2024-01-25");
    s_test_filter_case (t, "last_modified_from/until", filter,
                        "AND s.modified >= '2024-01-20' AND s.modified <= '2024-01-25'");
    //  The zero date (box 900037) reads as null: it passes no bound.
    filter = s_test_filter (t->arena);
    filter [3] = s_test_str ("2024-01-25");
    s_test_filter_case (t, "last_modified_until, zero date", filter,
                        "AND s.modified <= '2024-01-25' AND s.modified <> '0000-00-00 00:00:00'");
    filter = s_test_filter (t->arena);
    filter [4] = s_test_ints (t->arena, 1, 2LL);
    s_test_filter_case (t, "product_gender_ids", filter, "AND p.gender_id IN (2)");
    filter = s_test_filter (t->arena);
    filter [5] = s_test_ints (t->arena, 1, 900001LL);
    s_test_filter_case (t, "product_category_ids", filter, "AND p.category_id IN (900001)");
    filter = s_test_filter (t->arena);
    filter [6] = s_test_ints (t->arena, 1, 900002LL);
    s_test_filter_case (t, "product_ids", filter, "AND s.product_id IN (900002)");
    filter = s_test_filter (t->arena);
    filter [7] = s_test_int (900001);
    s_test_filter_case (t, "size_id", filter, "AND s.size_id = 900001");
    filter = s_test_filter (t->arena);
    filter [8] = s_test_ints (t->arena, 1, 900001LL);
    s_test_filter_case (t, "tag_ids", filter,
        "AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001))");
    s_rows_t tagged = s_test_expected_ids (t, 900001,
        "AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001))");
    assert (tagged.n_rows == 2);            //  900003 and 900001; 900002's relation is deleted
    filter = s_test_filter (t->arena);
    filter [0] = s_test_ints (t->arena, 2, 2LL, 3LL);
    filter [4] = s_test_ints (t->arena, 2, 1LL, 2LL);
    filter [8] = s_test_ints (t->arena, 2, 900001LL, 900002LL);
    filter [3] = s_test_str ("2024-01-28 00:00:00");
    s_test_filter_case (t, "combined", filter,
        "AND s.box_state_id IN (2, 3) AND p.gender_id IN (1, 2)"
        " AND s.modified <= '2024-01-28 00:00:00' AND s.modified <> '0000-00-00 00:00:00'"
        " AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001, 900002))");
    //  Empty lists are no filter, except tag_ids = [] which matches nothing
    //  (and is answered without SQL).
    filter = s_test_filter (t->arena);
    filter [0] = s_test_ints (t->arena, 0);
    filter [1] = s_test_ints (t->arena, 0);
    s_test_filter_case (t, "empty lists", filter, "");
    filter = s_test_filter (t->arena);
    filter [8] = s_test_ints (t->arena, 0);
    args = s_test_boxes_args (t->arena, 900001, filter, 50, NULL, -1);
    reply = s_test_query (t, DP_QUERY_boxes_page, 0, args);
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 0);
    reply = s_test_query (t, DP_QUERY_boxes_count, 0, args);
    S_IS_INT (&reply.u.rows.cells [0], 0);
    assert (reply.u.rows.statements == 0);
    //  A filter on another base's location leaves nothing (one statement).
    filter = s_test_filter (t->arena);
    filter [1] = s_test_ints (t->arena, 1, 900004LL);
    reply = s_test_query (t, DP_QUERY_boxes_page, 0,
                          s_test_boxes_args (t->arena, 900001, filter, 50, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 1);
    //  A base without locations: no rows, no second statement.
    reply = s_test_query (t, DP_QUERY_boxes_page, 1,
                          s_test_boxes_args (t->arena, 999999, NULL, 50, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.n_cols == 2 && reply.u.rows.statements == 1);
    //  limit 0 needs no SQL.
    reply = s_test_query (t, DP_QUERY_boxes_page, 1,
                          s_test_boxes_args (t->arena, 900001, NULL, 0, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 0);

    //  boxtribute's own base 1, when its dump is loaded: the first page with
    //  every column, a walk through every box, and the count.
    if (t->db.boxtribute) {
        dp_arena_reset (t->arena);
        sql = dp_arena_printf (t->arena,
            "SELECT s.id, %s FROM stock s JOIN locations l ON l.id = s.location_id"
            " WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)"
            " ORDER BY s.modified DESC, s.id DESC LIMIT 51",
            s_test_column_list (t->arena, stock, "s"));
        reply = s_test_query (t, DP_QUERY_boxes_page, all,
                              s_test_boxes_args (t->arena, 1, NULL, 51, NULL, -1));
        s_test_same (t, "boxes_page base 1", s_test_expected (t, sql, types, n_cols),
                     s_test_rows (&reply), false);
        s_rows_t base1 = s_test_expected_ids (t, 1, "");
        int64_t *walked = dp_arena_alloc (t->arena, (base1.n_rows + 1) * sizeof (int64_t));
        count = s_test_walk (t, 1, NULL, 100, walked, base1.n_rows + 1);
        assert (count == base1.n_rows);
        for (size_t i = 0; i < count; i++)
            S_IS_INT (&base1.cells [i], walked [i]);
        reply = s_test_query (t, DP_QUERY_boxes_count, 0,
                              s_test_boxes_args (t->arena, 1, NULL, 0, NULL, -1));
        S_IS_INT (&reply.u.rows.cells [0], (int64_t) base1.n_rows);
        if (t->verbose)
            printf ("    boxtribute base 1: %u boxes walked in pages of 100\n", base1.n_rows);
    }
    else
        printf ("    (boxtribute-init.sql not loaded: base 1 checks skipped)\n");
    s_test_stop (t);
}


//  --------------------------------------------------------------------------
//  errors: bad requests get 400 with their id, late ones 408, MariaDB's
//  errors 502; garbage without an id is dropped; HEARTBEAT is echoed.

static void
s_test_concern_errors (s_test_t *t)
{
    s_test_start (t, "inproc://dp-db-test-errors", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    int64_t keys [] = { 900001 };
    uint64_t errors_sent = 0, answered = 0;

    //  Unknown loader, unknown column, unknown query, bad arguments.
    dp_msg_t reply = s_test_error_reply (t, s_test_send_load (t, DP_LOADER_COUNT, 1, keys, 1, 0),
                                         DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "unknown loader"));
    reply = s_test_error_reply (t, s_test_send_load (t, DP_LOADER_sizes_by_id, 1u << 2, keys, 1, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "sizes_by_id"));
    dp_val_t *args = s_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    s_test_error_reply (t, s_test_send_query (t, 77, 0, args, 5, 0), DP_STATUS_BAD_REQUEST);
    reply = s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_page, 0, args, 1, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "limit"));
    dp_val_t *bad = s_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    bad [3] = s_test_str ("yesterday'; DROP TABLE stock; --");
    bad [4] = s_test_int (5);
    reply = s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_page, 0, bad, 5, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "after_modified"));
    s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_page, (uint64_t) 1 << 40, args, 5, 0),
                        DP_STATUS_BAD_REQUEST);
    errors_sent += 6;

    //  Garbage with no readable envelope is dropped: the next reply is the
    //  HEARTBEAT sent after it, echoed with its id.
    zstr_send (t->dealer, "hello");
    dp_msg_t beat;
    memset (&beat, 0, sizeof beat);
    beat.version = DP_PROTO_VERSION;
    beat.type = DP_MSG_HEARTBEAT;
    beat.id = 4242;
    beat.trace_id = "";
    s_test_send (t, &beat);
    bool got = s_test_recv (t, &reply, 5000);
    assert (got && reply.type == DP_MSG_HEARTBEAT && reply.id == 4242);
    //  It carries our report: the pool of 2 by state, the default queue
    //  limit, and the counters STATS gives.
    assert (reply.u.heartbeat.n_reports == 1);
    const dp_report_t *report = &reply.u.heartbeat.reports [0];
    char instance [DP_INSTANCE_MAX + 1];
    assert (report->service == DP_SERVICE_DB);
    assert (strcmp (report->instance, dp_instance_name (instance, sizeof instance, -1)) == 0);
    assert (report->n_values == DP_STAT_DB_COUNT);
    assert (report->taken_ms + 5000 > (uint64_t) zclock_time ());
    const uint64_t *values = report->values;
    assert (values [DP_STAT_DB_POOL_SIZE] == 2);
    assert (values [DP_STAT_DB_BUSY] + values [DP_STAT_DB_IDLE] + values [DP_STAT_DB_CONNECTING]
            + values [DP_STAT_DB_DOWN] == 2);
    assert (values [DP_STAT_DB_QUEUE_LIMIT] == 2048 && values [DP_STAT_DB_QUEUED] == 0);
    uint64_t stat_statements, stat_answered_now, stat_errors_now;
    s_test_stats (t, &stat_statements, &stat_answered_now, &stat_errors_now);
    assert (values [DP_STAT_DB_STATEMENTS] == stat_statements);
    assert (values [DP_STAT_DB_ANSWERED] == stat_answered_now);
    assert (values [DP_STAT_DB_ERRORS] == stat_errors_now && stat_errors_now >= 6);

    //  A readable envelope around a bad payload: 400 with the envelope's id.
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buffer, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_uint8 (&pk, DP_PROTO_VERSION);
    msgpack_pack_uint8 (&pk, DP_MSG_LOAD);
    msgpack_pack_uint64 (&pk, 7777);
    msgpack_pack_uint64 (&pk, 0);
    msgpack_pack_str (&pk, 0);
    msgpack_pack_str_body (&pk, "", 0);
    msgpack_pack_str (&pk, 3);
    msgpack_pack_str_body (&pk, "bad", 3);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    zframe_send (&frame, t->dealer, 0);
    s_test_error_reply (t, 7777, DP_STATUS_BAD_REQUEST);
    //  Three frames ([routing, "", message], as from a REQ socket): 400.
    zmsg_t *three = zmsg_new ();
    zmsg_addstr (three, "");
    zmsg_addmem (three, buffer.data, buffer.size);
    zmsg_send (&three, t->dealer);
    reply = s_test_error_reply (t, 7777, DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "frames"));
    msgpack_sbuffer_destroy (&buffer);
    //  A message db-svc does not take.
    dp_msg_t rows;
    memset (&rows, 0, sizeof rows);
    rows.version = DP_PROTO_VERSION;
    rows.type = DP_MSG_ROWS;
    rows.id = 7778;
    rows.trace_id = "";
    s_test_send (t, &rows);
    s_test_error_reply (t, 7778, DP_STATUS_BAD_REQUEST);
    errors_sent += 3;

    //  Deadlines: passed gives 408, future is served.
    uint64_t past = (uint64_t) zclock_time () - 1000;
    s_test_error_reply (t, s_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, past),
                        DP_STATUS_TIMEOUT);
    s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, past),
                        DP_STATUS_TIMEOUT);
    uint64_t future = (uint64_t) zclock_time () + 10000;
    s_test_rows_reply (t, s_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, future));
    errors_sent += 2;
    answered += 1;

    uint64_t statements, stat_answered, stat_errors;
    s_test_stats (t, &statements, &stat_answered, &stat_errors);
    assert (stat_errors == errors_sent);
    assert (stat_answered == errors_sent + answered);
    assert (statements == 1);
    s_test_stop (t);

    //  MariaDB's own errors: a database without the tables gives 502 with
    //  MariaDB's message, and the connection serves the next request.
    dp_db_testdb_exec (t->admin, "CREATE DATABASE IF NOT EXISTS dp_test_empty");
    s_test_start (t, "inproc://dp-db-test-errors-502", 1, 10000, t->db.socket, "dp_test_empty",
                  "root", NULL);
    reply = s_test_error_reply (t, s_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, 0),
                                DP_STATUS_DB_ERROR);
    assert (strstr (reply.u.error.message, "database error: "));
    assert (strstr (reply.u.error.message, "stock"));
    reply = s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, 0),
                                DP_STATUS_DB_ERROR);
    s_test_stats (t, &statements, &stat_answered, &stat_errors);
    assert (statements == 2 && stat_answered == 2 && stat_errors == 2);
    s_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP DATABASE dp_test_empty");

    //  An endpoint that cannot be bound: the actor does not start.
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.endpoint = "nonsense://here";
    config.socket = t->db.socket;
    assert (dp_db_actor_new (&config) == NULL);
}


//  --------------------------------------------------------------------------
//  pool: many requests in flight over two connections all get their one
//  answer; a statement stuck on a lock does not delay one on the other
//  connection (the production catalog has no slow query, so the test holds
//  a table lock from its own connection).

static void
s_test_concern_pool (s_test_t *t)
{
    s_test_start (t, "inproc://dp-db-test-pool", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    enum { N = 300 };
    int64_t keys [N];
    int kinds [N + 1];
    bool seen [N + 1];
    uint64_t first = t->next_id + 1;
    dp_val_t *args = s_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    int64_t tagged [] = { 900001 };
    for (int i = 0; i < N; i++) {
        keys [i] = 900001 + i % 45;
        uint64_t id;
        if (i % 3 == 0)
            id = s_test_send_load (t, DP_LOADER_stock_by_id, 1, &keys [i], 1, 0);
        else
        if (i % 3 == 1)
            id = s_test_send_load (t, DP_LOADER_tags_by_box, 1, tagged, 1, 0);
        else
            id = s_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, 0);
        kinds [id - first] = i % 3;
        seen [id - first] = false;
    }
    int64_t started = zclock_mono ();
    for (int i = 0; i < N; i++) {
        dp_msg_t reply;
        bool got = s_test_recv (t, &reply, 10000);
        assert (got);
        assert (reply.type == DP_MSG_ROWS);
        assert (reply.id >= first && reply.id < first + N);
        uint64_t index = reply.id - first;
        assert (!seen [index]);
        seen [index] = true;
        if (kinds [index] == 0) {
            assert (reply.u.rows.n_rows == 1);
            S_IS_INT (&reply.u.rows.cells [0], keys [index]);
        }
        else
        if (kinds [index] == 1)
            assert (reply.u.rows.n_rows == 3);
        else
            S_IS_INT (&reply.u.rows.cells [0], 39);
    }
    dp_msg_t extra;
    assert (!s_test_recv (t, &extra, 50));    //  nothing twice
    if (t->verbose)
        printf ("    %d requests over 2 connections in %lld ms\n", N,
                (long long) (zclock_mono () - started));

    //  Hold sizes locked: a LOAD of sizes waits on one connection while a
    //  LOAD of products is served on the other.
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    int64_t one [] = { 900001 };
    uint64_t slow = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    zclock_sleep (100);                     //  let it reach MariaDB and block
    started = zclock_mono ();
    uint64_t fast = s_test_send_load (t, DP_LOADER_products_by_id, 1, one, 1, 0);
    dp_msg_t reply = s_test_rows_reply (t, fast);
    int64_t fast_ms = zclock_mono () - started;
    assert (fast_ms < 300);
    assert (!s_test_recv (t, &extra, 400));   //  the slow one is still waiting
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    reply = s_test_rows_reply (t, slow);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    if (t->verbose)
        printf ("    fast LOAD answered in %lld ms while another waited on a lock\n",
                (long long) fast_ms);
    mysql_close (locker);
    s_test_stop (t);
}


//  --------------------------------------------------------------------------
//  unavailable: with no MariaDB behind the configuration, requests get 503
//  at once instead of hanging; requests that need no SQL are still served.

static void
s_test_concern_unavailable (s_test_t *t)
{
    const char *endpoints [] = { "inproc://dp-db-test-down-socket", "inproc://dp-db-test-down-tcp" };
    for (int variant = 0; variant < 2; variant++) {
        dp_db_config_t config;
        dp_db_config_init (&config);
        config.endpoint = endpoints [variant];
        config.pool_size = 2;
        if (variant == 0)
            config.socket = "/nonexistent/dp-db-test/mysqld.sock";
        else {
            config.host = "127.0.0.1";
            config.port = 1;                //  nothing listens there
        }
        t->actor = dp_db_actor_new (&config);
        assert (t->actor);
        t->dealer = zsock_new_dealer (endpoints [variant]);
        int64_t keys [] = { 900001 };
        int64_t started = zclock_mono ();
        for (int i = 0; i < 20; i++) {
            dp_msg_t reply = s_test_error_reply (
                t, s_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, 0),
                DP_STATUS_UNAVAILABLE);
            assert (strstr (reply.u.error.message, "unavailable"));
        }
        dp_val_t *args = s_test_boxes_args (t->arena, 1, NULL, 10, NULL, -1);
        s_test_error_reply (t, s_test_send_query (t, DP_QUERY_boxes_page, 0, args, 5, 0),
                            DP_STATUS_UNAVAILABLE);
        int64_t elapsed = zclock_mono () - started;
        assert (elapsed < 1000);
        //  No keys: answered without the database.
        dp_msg_t reply = s_test_load (t, DP_LOADER_stock_by_id, 1, keys, 0);
        assert (reply.u.rows.n_rows == 0);
        uint64_t statements, answered, errors;
        s_test_stats (t, &statements, &answered, &errors);
        assert (statements == 0 && answered == 22 && errors == 21);
        if (t->verbose)
            printf ("    %s: 21 requests answered 503 in %lld ms\n",
                    variant == 0? "no socket": "closed TCP port", (long long) elapsed);
        s_test_stop (t);
    }
}


//  --------------------------------------------------------------------------
//  reconnect: a connection the server kills while idle is noticed and
//  replaced; one killed under a statement answers that request 503 and is
//  replaced; the service carries on either way.

static void
s_test_kill_actor_connections (s_test_t *t)
{
    int rc = mysql_query (t->admin, "SELECT ID FROM information_schema.PROCESSLIST"
                                    " WHERE USER = 'dp_actor_test'");
    assert (rc == 0);
    MYSQL_RES *result = mysql_store_result (t->admin);
    MYSQL_ROW row;
    int killed = 0;
    while ((row = mysql_fetch_row (result))) {
        char sql [64];
        snprintf (sql, sizeof sql, "KILL %s", row [0]);
        if (mysql_query (t->admin, sql) == 0)
            killed++;
    }
    mysql_free_result (result);
    assert (killed >= 1);
}

static void
s_test_concern_reconnect (s_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS 'dp_actor_test'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO 'dp_actor_test'@'localhost'");
    s_test_start (t, "inproc://dp-db-test-reconnect", 1, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "dp_actor_test", "dp-test-pw");
    int64_t keys [] = { 900001 };
    s_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);

    //  Killed while idle: the actor sees it and reconnects before the next
    //  request needs it.
    s_test_kill_actor_connections (t);
    zclock_sleep (300);
    dp_msg_t reply = s_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);

    //  Killed under a statement (held by a lock): that request gets 503,
    //  the next one is served on a new connection.
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t stuck = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    zclock_sleep (200);
    s_test_kill_actor_connections (t);
    reply = s_test_error_reply (t, stuck, DP_STATUS_UNAVAILABLE);
    assert (strstr (reply.u.error.message, "lost"));
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    int64_t started = zclock_mono ();
    reply = s_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (zclock_mono () - started < 2000);

    uint64_t statements, answered, errors;
    s_test_stats (t, &statements, &answered, &errors);
    assert (answered == 4 && errors == 1 && statements == 4);
    s_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP USER 'dp_actor_test'@'localhost'");
}


//  --------------------------------------------------------------------------
//  deadline: a statement still running at its request's deadline is
//  answered 408 at once and cancelled on the server, by its
//  max_statement_time or (with that off, as for a server without SET
//  STATEMENT) by KILL QUERY from the control connection; the connection
//  then serves the next request. A statement waiting in the queue past its
//  deadline is answered 408 without running.

#define S_DEADLINE_USER "dp_deadline_test"

//  Statements of the actor's user running on the server now.
static long long
s_test_running (s_test_t *t)
{
    return dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                       " WHERE USER = '" S_DEADLINE_USER "' AND COMMAND = 'Query'");
}

static long long
s_test_status (s_test_t *t, const char *name)
{
    char sql [128];
    snprintf (sql, sizeof sql, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                               " WHERE VARIABLE_NAME = '%s'", name);
    return dp_db_testdb_int (t->admin, sql);
}

static void
s_test_pressure (s_test_t *t, uint64_t *killed, uint64_t *rejected, uint64_t *queued,
                 uint64_t *limit)
{
    zstr_send (t->actor, "PRESSURE");
    int rc = zsock_recv (t->actor, "8888", killed, rejected, queued, limit);
    assert (rc == 0);
}

static void
s_test_concern_deadline (s_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_DEADLINE_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_DEADLINE_USER "'@'localhost'");
    int64_t keys [] = { 900001 };
    for (int variant = 0; variant < 2; variant++) {
        bool limited = variant == 0;      //  max_statement_time on, then off
        t->no_statement_timeout = !limited;
        s_test_start (t, limited? "inproc://dp-db-test-deadline-limit": "inproc://dp-db-test-deadline-kill",
                      1, 10000, t->db.socket, DP_DB_TESTDB_NAME, S_DEADLINE_USER, "dp-test-pw");
        s_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
        long long kills_before = s_test_status (t, "Com_kill");

        //  The only connection blocks on a table lock past the deadline.
        MYSQL *locker = dp_db_testdb_connect (&t->db);
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        int64_t started = zclock_mono ();
        uint64_t late = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1,
                                          (uint64_t) zclock_time () + 400);
        zclock_sleep (150);
        assert (s_test_running (t) == 1);
        //  The statement carries its budget only when asked to.
        long long prefixed = dp_db_testdb_int (t->admin,
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '"
            S_DEADLINE_USER "' AND INFO LIKE 'SET STATEMENT max_statement_time=0.%'");
        assert (prefixed == (limited? 1: 0));
        dp_msg_t reply = s_test_error_reply (t, late, DP_STATUS_TIMEOUT);
        int64_t answered_ms = zclock_mono () - started;
        assert (answered_ms >= 390 && answered_ms < 1400);
        assert (strstr (reply.u.error.message, "deadline"));

        //  Cancelled on the server while the lock is still held.
        int waited = 0;
        while (s_test_running (t) > 0 && waited < 2000) {
            zclock_sleep (20);
            waited += 20;
        }
        assert (s_test_running (t) == 0);
        uint64_t killed, rejected, queued, limit;
        s_test_pressure (t, &killed, &rejected, &queued, &limit);
        if (!limited) {
            //  Nothing but our KILL QUERY could have stopped it.
            assert (killed == 1);
            assert (s_test_status (t, "Com_kill") >= kills_before + 1);
        }
        if (t->verbose)
            printf ("    %s: answered 408 after %lld ms, statement gone from the server"
                    " %d ms later, %llu KILL QUERY sent\n",
                    limited? "max_statement_time": "KILL QUERY only", (long long) answered_ms,
                    waited, (unsigned long long) killed);

        //  The connection is free again: a LOAD of another table is
        //  served on it while sizes stays locked.
        started = zclock_mono ();
        reply = s_test_load (t, DP_LOADER_products_by_id, 1, keys, 1);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
        assert (zclock_mono () - started < 1000);

        //  A statement that waits in the queue past its deadline: the
        //  connection is held by a LOAD without a deadline; the queued
        //  one is answered 408 at its deadline without ever running.
        uint64_t blocking = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
        zclock_sleep (100);
        uint64_t statements_before, answered, errors;
        s_test_stats (t, &statements_before, &answered, &errors);
        started = zclock_mono ();
        uint64_t queued_late = s_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1,
                                                 (uint64_t) zclock_time () + 200);
        reply = s_test_error_reply (t, queued_late, DP_STATUS_TIMEOUT);
        assert (zclock_mono () - started >= 190 && zclock_mono () - started < 1000);
        uint64_t statements_after;
        s_test_stats (t, &statements_after, &answered, &errors);
        assert (statements_after == statements_before);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = s_test_rows_reply (t, blocking);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
        mysql_close (locker);
        s_test_stop (t);
    }
    t->no_statement_timeout = false;
    dp_db_testdb_exec (t->admin, "DROP USER '" S_DEADLINE_USER "'@'localhost'");
}


//  --------------------------------------------------------------------------
//  cancel: a CANCEL answers its request 499 at once; a queued statement
//  of it never runs, a running one is stopped by KILL QUERY long before
//  its max_statement_time (the lock that holds it is still there), and
//  the connection then serves the next request. A CANCEL from another
//  requester, or for a request already answered, changes nothing. A
//  statement that serves two coalesced LOADs runs on while one of them
//  still wants it.

static uint64_t
s_test_cancelled (s_test_t *t)
{
    uint64_t cancelled = 0;
    zstr_send (t->actor, "CANCELLED");
    int rc = zsock_recv (t->actor, "8", &cancelled);
    assert (rc == 0);
    return cancelled;
}

static void
s_test_send_cancel (zsock_t *dealer, uint64_t id)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_CANCEL;
    msg.id = id;
    msg.trace_id = "selftest";
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    int rc = dp_msg_encode (&msg, &buffer);
    assert (rc == 0);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    msgpack_sbuffer_destroy (&buffer);
    rc = zframe_send (&frame, dealer, 0);
    assert (rc == 0);
}

static void
s_test_concern_cancel (s_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_DEADLINE_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_DEADLINE_USER "'@'localhost'");
    const char *endpoint = "inproc://dp-db-test-cancel";
    s_test_start (t, endpoint, 1, 10000, t->db.socket, DP_DB_TESTDB_NAME, S_DEADLINE_USER,
                  "dp-test-pw");
    int64_t keys [] = { 900001 };
    s_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    long long kills_before = s_test_status (t, "Com_kill");

    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t far = (uint64_t) zclock_time () + 60000;
    uint64_t running = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, far);
    zclock_sleep (150);
    assert (s_test_running (t) == 1);
    uint64_t queued = s_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1, far);
    zclock_sleep (50);
    uint64_t statements_before, answered, errors;
    s_test_stats (t, &statements_before, &answered, &errors);

    //  Another requester cannot cancel them (the ids are ours).
    zsock_t *stranger = zsock_new_dealer (endpoint);
    assert (stranger);
    s_test_send_cancel (stranger, running);
    s_test_send_cancel (stranger, queued);
    zclock_sleep (100);
    assert (s_test_running (t) == 1 && s_test_cancelled (t) == 0);
    zsock_destroy (&stranger);

    int64_t started = zclock_mono ();
    s_test_send_cancel (t->dealer, queued);
    s_test_send_cancel (t->dealer, running);
    dp_msg_t reply = s_test_error_reply (t, queued, DP_STATUS_CANCELLED);
    reply = s_test_error_reply (t, running, DP_STATUS_CANCELLED);
    assert (strstr (reply.u.error.message, "cancelled"));
    assert (zclock_mono () - started < 500);
    int waited = 0;
    while (s_test_running (t) > 0 && waited < 2000) {
        zclock_sleep (20);
        waited += 20;
    }
    assert (s_test_running (t) == 0);
    assert (s_test_status (t, "Com_kill") >= kills_before + 1);
    uint64_t killed, rejected, queue, limit;
    s_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 1 && queue == 0);
    assert (s_test_cancelled (t) == 2);

    //  A CANCEL for an answered request: nothing, no second reply.
    s_test_send_cancel (t->dealer, running);
    dp_msg_t extra;
    assert (!s_test_recv (t, &extra, 200));

    //  The connection serves the next request; the queued statement never ran.
    started = zclock_mono ();
    reply = s_test_load (t, DP_LOADER_products_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (zclock_mono () - started < 1000);
    uint64_t statements_after;
    s_test_stats (t, &statements_after, &answered, &errors);
    assert (statements_after == statements_before + 1);
    if (t->verbose)
        printf ("    cancelled: answered 499 at once, statement gone from the server %d ms later"
                " (KILL QUERY), the queued one never ran\n", waited);

    //  Two LOADs of one loader merged into one statement: cancelling one
    //  leaves the statement running for the other; cancelling both KILLs
    //  it. (products is locked too, so that they queue, and merge, behind
    //  a LOAD of products on the only connection.)
    MYSQL *products_locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (products_locker, "LOCK TABLES products WRITE");
    uint64_t blocker = s_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1, far);
    zclock_sleep (100);
    int64_t other [] = { 900002 };
    uint64_t first = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, far);
    uint64_t second = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, other, 1, far);
    zclock_sleep (50);
    dp_db_testdb_exec (products_locker, "UNLOCK TABLES");
    reply = s_test_rows_reply (t, blocker);
    zclock_sleep (150);
    assert (s_test_running (t) == 1);       //  one statement for both, on the lock
    s_test_send_cancel (t->dealer, first);
    reply = s_test_error_reply (t, first, DP_STATUS_CANCELLED);
    zclock_sleep (150);
    assert (s_test_running (t) == 1);
    s_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 1);
    s_test_send_cancel (t->dealer, second);
    reply = s_test_error_reply (t, second, DP_STATUS_CANCELLED);
    waited = 0;
    while (s_test_running (t) > 0 && waited < 2000) {
        zclock_sleep (20);
        waited += 20;
    }
    assert (s_test_running (t) == 0);
    s_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 2);
    uint64_t merged = 0;
    zstr_send (t->actor, "MERGED");
    zsock_recv (t->actor, "8", &merged);
    assert (merged == 1);
    mysql_close (products_locker);

    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    s_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP USER '" S_DEADLINE_USER "'@'localhost'");
}


//  --------------------------------------------------------------------------
//  overload: with the statement queue full, new requests are refused with
//  503 at once (never queued without bound), and every request admitted is
//  answered with its rows once the connection frees up.

static void
s_test_concern_overload (s_test_t *t)
{
    t->max_queue = 3;
    s_test_start (t, "inproc://dp-db-test-overload", 1, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    int64_t keys [] = { 900001 };
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    enum { N = 10 };
    uint64_t ids [N];
    ids [0] = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    zclock_sleep (100);                     //  running, blocked on the lock
    for (int i = 1; i < N; i++)
        ids [i] = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    //  Three wait in the queue; the six after them are refused at once.
    int64_t started = zclock_mono ();
    for (int i = 4; i < N; i++) {
        dp_msg_t reply = s_test_error_reply (t, ids [i], DP_STATUS_UNAVAILABLE);
        assert (strstr (reply.u.error.message, "overloaded"));
    }
    assert (zclock_mono () - started < 1000);
    uint64_t killed, rejected, queued, limit;
    s_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (rejected == N - 4 && queued == 3 && limit == 3 && killed == 0);
    dp_msg_t extra;
    assert (!s_test_recv (t, &extra, 200));   //  the admitted ones still wait
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    for (int i = 0; i < 4; i++) {
        dp_msg_t reply = s_test_rows_reply (t, ids [i]);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
    }
    s_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (queued == 0);
    //  With room again, requests are admitted.
    s_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    if (t->verbose)
        printf ("    queue of 3: %d requests refused with 503, 4 admitted and answered\n", N - 4);
    mysql_close (locker);
    s_test_stop (t);
    t->max_queue = 0;
}


//  --------------------------------------------------------------------------
//  coalesce: LOADs of one loader that wait in the queue together run as one
//  statement, and each gets exactly the rows and columns it would have had
//  alone (checked against the same LOADs run one at a time afterwards);
//  other loaders, empty LOADs and expired ones are not merged. With
//  coalescing off, each runs its own statement.

static void
s_test_concern_coalesce (s_test_t *t)
{
    const dp_catalog_entry_t *products = dp_catalog_loader (DP_LOADER_products_by_id);
    uint64_t all = s_test_all_columns (products);
    static const int64_t keys_a [] = { 900001, 900002 };
    static const int64_t keys_b [] = { 900003, 900002, 999999999, 900002 };
    static const int64_t keys_c [] = { 900001 };
    static const int64_t keys_d [] = { 900001, 900002 };
    struct {
        uint32_t loader;
        uint64_t columns;
        const int64_t *keys;
        uint32_t n_keys;
    } loads [] = {
        { DP_LOADER_products_by_id, 1, keys_a, 2 },
        { DP_LOADER_products_by_id, (1u << 2) | 1u, keys_b, 4 },
        { DP_LOADER_cms_users_by_id, 1, keys_d, 2 },
        { DP_LOADER_products_by_id, all, keys_c, 1 },
    };
    enum { N = sizeof loads / sizeof loads [0] };
    for (int variant = 0; variant < 2; variant++) {
        t->no_coalesce = variant == 1;
        s_test_start (t, variant == 0? "inproc://dp-db-test-coalesce": "inproc://dp-db-test-no-coalesce",
                      1, 10000, t->db.socket, DP_DB_TESTDB_NAME, "root", NULL);
        int64_t one [] = { 900001 };
        MYSQL *locker = dp_db_testdb_connect (&t->db);
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        uint64_t blocking = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
        zclock_sleep (100);
        long long selects = s_test_com_select (t->admin);
        uint64_t ids [N];
        for (int i = 0; i < N; i++)
            ids [i] = s_test_send_load (t, loads [i].loader, loads [i].columns, loads [i].keys,
                                        loads [i].n_keys, 0);
        //  One that expires in the queue, and an empty one: neither is merged.
        uint64_t expiring = s_test_send_load (t, DP_LOADER_products_by_id, 1, keys_a, 2,
                                              (uint64_t) zclock_time () + 100);
        uint64_t empty = s_test_send_load (t, DP_LOADER_products_by_id, 1, keys_a, 0, 0);
        dp_msg_t reply = s_test_rows_reply (t, empty);
        assert (reply.u.rows.n_rows == 0);
        s_test_error_reply (t, expiring, DP_STATUS_TIMEOUT);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = s_test_rows_reply (t, blocking);
        dp_msg_t merged [N];
        for (int i = 0; i < N; i++) {
            bool got = s_test_recv (t, &reply, 10000);
            assert (got && reply.type == DP_MSG_ROWS);
            assert (reply.id >= ids [0] && reply.id <= ids [N - 1]);
            merged [reply.id - ids [0]] = reply;
        }
        long long statements = s_test_com_select (t->admin) - selects;
        zstr_send (t->actor, "MERGED");
        uint64_t n_merged;
        zsock_recv (t->actor, "8", &n_merged);
        //  Merged: products (three LOADs) and cms_users; alone: four.
        assert (statements == (variant == 0? 2: 4));
        assert (n_merged == (variant == 0? 2u: 0u));

        //  The oracle: the same LOADs one at a time, nothing to merge with.
        for (int i = 0; i < N; i++) {
            dp_msg_t alone = s_test_load (t, loads [i].loader, loads [i].columns, loads [i].keys,
                                          loads [i].n_keys);
            assert (alone.u.rows.n_rows > 0);
            s_test_same (t, "merged LOAD", s_test_rows (&alone), s_test_rows (&merged [i]), true);
        }
        if (t->verbose)
            printf ("    coalescing %s: 4 LOADs queued together took %lld statements\n",
                    variant == 0? "on": "off", statements);

        //  Identical QUERYs (the same page of the same base, three callers)
        //  run once; a different one runs on its own. The page takes two
        //  statements (locations, then the page), each merged.
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        blocking = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
        zclock_sleep (100);
        selects = s_test_com_select (t->admin);
        uint64_t columns = (1u << DP_COL_stock_box_id) | (1u << DP_COL_stock_modified);
        uint32_t queries [] = { DP_QUERY_boxes_count, DP_QUERY_boxes_count, DP_QUERY_boxes_count,
                                DP_QUERY_boxes_page, DP_QUERY_boxes_page, DP_QUERY_boxes_count };
        int64_t bases [] = { 900001, 900001, 900001, 900001, 900001, 900002 };
        enum { Q = sizeof queries / sizeof queries [0] };
        uint64_t query_ids [Q];
        for (int i = 0; i < Q; i++)
            query_ids [i] = s_test_send_query (t, queries [i], queries [i] == DP_QUERY_boxes_page? columns: 0,
                                               s_test_boxes_args (t->arena, bases [i], NULL, 5, NULL, -1), 5, 0);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = s_test_rows_reply (t, blocking);
        dp_msg_t answers [Q];
        for (int i = 0; i < Q; i++) {
            bool got = s_test_recv (t, &reply, 10000);
            assert (got && reply.type == DP_MSG_ROWS);
            assert (reply.id >= query_ids [0] && reply.id <= query_ids [Q - 1]);
            answers [reply.id - query_ids [0]] = reply;
        }
        statements = s_test_com_select (t->admin) - selects;
        //  Merged: one count of base 900001, one page (two statements), one
        //  count of 900002; alone: three counts, two pages, one count.
        assert (statements == (variant == 0? 4: 8));
        for (int i = 0; i < Q; i++) {
            dp_msg_t alone = s_test_rows_reply (t, s_test_send_query (
                t, queries [i], queries [i] == DP_QUERY_boxes_page? columns: 0,
                s_test_boxes_args (t->arena, bases [i], NULL, 5, NULL, -1), 5, 0));
            assert (alone.u.rows.n_rows > 0);
            s_test_same (t, "merged QUERY", s_test_rows (&alone), s_test_rows (&answers [i]), false);
        }
        if (t->verbose)
            printf ("    coalescing %s: 6 QUERYs queued together took %lld statements\n",
                    variant == 0? "on": "off", statements);
        mysql_close (locker);
        s_test_stop (t);
    }
    t->no_coalesce = false;
}


//  --------------------------------------------------------------------------
//  classes: large statements (here LOADs of 600 keys, held by a table lock)
//  take at most half the connections, so a small LOAD arriving after them
//  is served at once on the other half; and the large ones all finish.

static void
s_test_concern_classes (s_test_t *t)
{
    s_test_start (t, "inproc://dp-db-test-classes", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    enum { KEYS = 600 };
    int64_t *many = dp_arena_alloc (t->arena, KEYS * sizeof (int64_t));
    for (int i = 0; i < KEYS; i++)
        many [i] = 900001 + i;          //  a few exist, most do not
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t large [3];
    for (int i = 0; i < 3; i++)
        large [i] = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, many, KEYS, 0);
    zclock_sleep (100);
    //  One large statement runs (blocked), the others wait for their
    //  half of the pool; the small one takes the other connection.
    int64_t one [] = { 900001 };
    int64_t started = zclock_mono ();
    dp_msg_t reply = s_test_load (t, DP_LOADER_products_by_id, 1, one, 1);
    int64_t small_ms = zclock_mono () - started;
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (small_ms < 500);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    uint32_t rows = 0;
    for (int i = 0; i < 3; i++) {
        dp_msg_t answer;
        bool got = s_test_recv (t, &answer, 10000);
        assert (got && answer.type == DP_MSG_ROWS);
        assert (answer.id >= large [0] && answer.id <= large [2]);
        if (rows)
            assert (answer.u.rows.n_rows == rows);
        rows = answer.u.rows.n_rows;
    }
    assert (rows > 0);
    if (t->verbose)
        printf ("    a small LOAD answered in %lld ms while large ones waited on a lock\n",
                (long long) small_ms);
    mysql_close (locker);
    s_test_stop (t);
}


//  --------------------------------------------------------------------------
//  replica: with a replica configured, reads run on the replica's
//  connections while one is up, on the primary's while none is, and on the
//  replica's again within a second of it coming back; with the primary
//  down, the replica serves reads alone, and a statement of it past its
//  deadline is cancelled by the replica's own control connection. The
//  test's one server plays both parts; the replica is reached through a
//  symlink to the server's socket, which the test removes and restores.
//  (tests/integration/test_resilience_replica.py runs two real servers
//  with replication.)

#define S_REPLICA_USER "dp_actor_test"

static void
s_test_targets (s_test_t *t, int *primary_up, int *replica_up, uint64_t *on_primary,
                uint64_t *on_replica)
{
    int primary_size, replica_size;
    zstr_send (t->actor, "TARGETS");
    int rc = zsock_recv (t->actor, "iiii88", primary_up, &primary_size, replica_up,
                         &replica_size, on_primary, on_replica);
    assert (rc == 0);
}

//  Wait until exactly primary and replica connections are up; returns
//  the ms it took. Asserts after 3 s.
static int64_t
s_test_wait_targets (s_test_t *t, int primary, int replica)
{
    int64_t started = zclock_mono ();
    while (true) {
        int primary_up, replica_up;
        uint64_t on_primary, on_replica;
        s_test_targets (t, &primary_up, &replica_up, &on_primary, &on_replica);
        if (primary_up == primary && replica_up == replica)
            return zclock_mono () - started;
        if (zclock_mono () - started > 3000) {
            printf ("    waited for %d primary and %d replica connections, have %d and %d\n",
                    primary, replica, primary_up, replica_up);
            assert (false);
        }
        zclock_sleep (20);
    }
}

//  n reads (LOADs and a QUERY), each answered with the rows the test
//  expects; then the statements run on each server must be as given.
static void
s_test_reads (s_test_t *t, int n, uint64_t on_primary, uint64_t on_replica)
{
    int64_t keys [] = { 900001 };
    for (int i = 0; i < n - 1; i++) {
        dp_msg_t reply = s_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
    }
    dp_val_t *args = s_test_boxes_args (t->arena, 1, NULL, 10, NULL, -1);
    dp_msg_t reply = s_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (reply.u.rows.n_rows == 1);
    int primary_up, replica_up;
    uint64_t primary, replica;
    s_test_targets (t, &primary_up, &replica_up, &primary, &replica);
    if (primary != on_primary || replica != on_replica) {
        printf ("    statements: %llu on the primary, %llu on the replica; expected %llu, %llu\n",
                (unsigned long long) primary, (unsigned long long) replica,
                (unsigned long long) on_primary, (unsigned long long) on_replica);
        assert (false);
    }
}

static void
s_test_concern_replica (s_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_REPLICA_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_REPLICA_USER "'@'localhost'");
    char link [600];
    snprintf (link, sizeof link, "%s.replica", t->db.socket);
    unlink (link);
    int rc = symlink (t->db.socket, link);
    assert (rc == 0);

    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = t->db.socket;
    config.replica_socket = link;
    config.database = DP_DB_TESTDB_NAME;
    config.user = S_REPLICA_USER;
    config.password = "dp-test-pw";
    config.endpoint = "inproc://dp-db-test-replica";
    config.pool_size = 2;
    config.replica_pool_size = 3;
    config.verbose = getenv ("DP_DB_TEST_LOG_SQL") != NULL;
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (config.endpoint);
    assert (t->dealer);
    s_test_wait_targets (t, 2, 3);

    //  Reads go to the replica.
    s_test_reads (t, 6, 0, 6);

    //  The replica goes away (its connections killed, its socket gone):
    //  reads fall back to the primary, which reconnects at once.
    unlink (link);
    s_test_kill_actor_connections (t);
    int64_t fallback_ms = s_test_wait_targets (t, 2, 0);
    s_test_reads (t, 6, 6, 6);

    //  It is back: its connections reconnect within their backoff (at most
    //  a second) and take the reads again.
    rc = symlink (t->db.socket, link);
    assert (rc == 0);
    int64_t back_ms = s_test_wait_targets (t, 2, 3);
    assert (back_ms < 1500);
    s_test_reads (t, 6, 6, 12);
    uint64_t statements, answered, errors;
    s_test_stats (t, &statements, &answered, &errors);
    assert (statements == 18 && answered == 18 && errors == 0);
    s_test_stop (t);
    if (t->verbose)
        printf ("    reads on the replica; on the primary %lld ms after the replica went,"
                " on the replica %lld ms after it came back\n",
                (long long) fallback_ms, (long long) back_ms);

    //  The primary down, the replica up: reads are served by the replica,
    //  and a statement past its deadline is cancelled there, by the
    //  replica's control connection (the primary's cannot connect).
    config.socket = "/nonexistent/dp-db-test/mysqld.sock";
    config.statement_timeout = false;         //  only a KILL QUERY can stop it
    config.endpoint = "inproc://dp-db-test-replica-only";
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (config.endpoint);
    s_test_wait_targets (t, 0, 3);
    s_test_reads (t, 3, 0, 3);
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    int64_t keys [] = { 900001 };
    uint64_t late = s_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1,
                                      (uint64_t) zclock_time () + 300);
    s_test_error_reply (t, late, DP_STATUS_TIMEOUT);
    long long running = 1;
    for (int waited = 0; running > 0 && waited < 2000; waited += 20) {
        running = dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                              " WHERE USER = '" S_REPLICA_USER "'"
                                              " AND COMMAND = 'Query'");
        if (running > 0)
            zclock_sleep (20);
    }
    assert (running == 0);
    uint64_t killed, rejected, queued, limit;
    s_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (killed == 1);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    s_test_reads (t, 3, 0, 7);
    s_test_stop (t);

    unlink (link);
    dp_db_testdb_exec (t->admin, "DROP USER '" S_REPLICA_USER "'@'localhost'");
}


//  --------------------------------------------------------------------------

int
dp_db_actor_selftest (const char *concern, bool verbose)
{
    static const struct {
        const char *name;
        void (*run) (s_test_t *t);
    } concerns [] = {
        { "load", s_test_concern_load },
        { "chunks", s_test_concern_chunks },
        { "query", s_test_concern_query },
        { "errors", s_test_concern_errors },
        { "pool", s_test_concern_pool },
        { "unavailable", s_test_concern_unavailable },
        { "reconnect", s_test_concern_reconnect },
        { "deadline", s_test_concern_deadline },
        { "cancel", s_test_concern_cancel },
        { "overload", s_test_concern_overload },
        { "coalesce", s_test_concern_coalesce },
        { "classes", s_test_concern_classes },
        { "replica", s_test_concern_replica },
    };
    s_test_t t;
    memset (&t, 0, sizeof t);
    t.verbose = verbose;
    char reason [512];
    if (dp_db_testdb_open (&t.db, reason, sizeof reason)) {
        printf (" * dp_db_actor %s: SKIPPED (%s)\n", concern? concern: "", reason);
        return 77;
    }
    t.admin = dp_db_testdb_connect (&t.db);
    t.arena = dp_arena_new (0);
    int ran = 0;
    for (size_t i = 0; i < sizeof concerns / sizeof concerns [0]; i++) {
        if (concern && strcmp (concern, concerns [i].name) != 0)
            continue;
        printf (" * dp_db_actor %s: ", concerns [i].name);
        if (verbose)
            printf ("\n");
        fflush (stdout);
        int64_t started = zclock_mono ();
        concerns [i].run (&t);
        dp_arena_reset (t.arena);
        printf ("OK (%lld ms)\n", (long long) (zclock_mono () - started));
        ran++;
    }
    dp_arena_destroy (&t.arena);
    mysql_close (t.admin);
    assert (ran > 0);
    return 0;
}

void
dp_db_actor_test (bool verbose)
{
    dp_db_actor_selftest (NULL, verbose);
}
