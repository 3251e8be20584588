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
