/*  =========================================================================
    dp_gateway - the HTTP front: civetweb, JWT, request checks, the broker

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The actor thread only starts and stops things: the broker, then
    civetweb. All request work happens on civetweb's worker threads, each
    with its own s_worker_t (DEALER, arena, encode buffer, body buffer).
    What the workers share (the JWT verifier, limits, the id counter, the
    metrics, the persisted-query store, the readiness cache) is either
    read-only after start-up, atomic, or behind its own mutex.
@discuss
    Responses are written as one status line + headers + body with
    mg_write rather than civetweb's mg_response_header_* calls, which send
    each header line as its own write. We decide keep-alive the way
    civetweb does (the client's Connection header, else HTTP/1.1) and tell
    civetweb to close when we say close. We also say close when every
    worker thread holds a connection (s_crowded), so that connections
    waiting for a thread get one.
    While a worker waits for its request's answer it watches the client's
    socket (dp_client_watch): a client that went away gets no answer, and
    the broker gets a CANCEL so that the request's SQL stops too.
    A request body we do not read (401, 413, 415, ...) is read past when it
    is within max_body, so the connection can stay open. A larger one (its
    Content-Length over max_body, or a chunked body passing it) is never
    waited for: the answer goes out first with Connection: close, then a
    lingering close (dp_lingering_close) drains what the client still
    sends for a bounded time, so that it reads our answer, not a reset.
    Kept-alive answers carry Keep-Alive: timeout=N, N a whole second or
    more below the idle time after which we close (keep_alive_ms), so
    that clients which honour it (Node's fetch retires a socket 2 s before
    N, Node's http 1 s before) never send a request on a connection we
    are closing.
    Graceful stop: $TERM first sets draining. From then on GraphQL
    requests are refused with 503 and Connection: close (never admitted),
    /readyz says 503, and the actor waits until every admitted request has
    written its answer (at most drain_ms) before mg_stop, which would cut
    a request's reads and writes short. A request counts itself admitted
    before it looks at the flag, and the actor sets the flag before it
    counts (both sequentially consistent), so none slips between the two.
@end
*/
#include "dp_gateway.h"
#include "dp_broker.h"
#include "dp_jwt.h"
#include "dp_http_request.h"
#include "dp_schema.h"
#include "dp_validate.h"
#include "dp_msg_variables.h"
#include "dp_metrics.h"
#include "dp_persisted.h"
#include "dp_graphiql.h"
#include "dp_client_watch.h"
#include "dp_lingering_close.h"
#include "dp_msg.h"
#include "dp_log.h"
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <civetweb.h>

#define S_BODY_KEEP   (64 * 1024)   //  body buffer kept by a worker between requests
#define S_SMALL_REPLY 8192          //  replies up to this size go out in one write
#define S_READY_TTL   1000          //  ms a readiness answer is reused
#define S_READY_WAIT  2000          //  ms a readiness probe may take
#define S_MAX_ORIGINS 32
#define S_WATCH_AFTER 20            //  ms a request waits before its client is watched
#define S_WATCH_EVERY 200           //  ms between checks of a client that sent more bytes
#define S_LINGER_MS   2000          //  ms a closing connection's unread body is drained after
                                    //  the answer, at most
#define S_LINGER_BYTES (64u << 20)  //  bytes of it drained, at most

//  The readiness probe: a real request through a resolver to db-svc and
//  MariaDB. Its identity may read boxes of one base that does not exist,
//  so the one statement it runs (the count) finds nothing, at once.
#define S_PROBE_BASE  "2147483647"
#define S_PROBE_QUERY "query DepotReadiness { boxes(baseId: \"" S_PROBE_BASE "\", " \
                      "paginationInput: {first: 1}) { totalCount } }"

typedef struct {
    zsock_t *pipe;                  //  actor pipe
    zactor_t *broker;               //  the broker actor
    struct mg_context *civet;       //  civetweb, NULL until started
    int port;                       //  the port listened on
    bool terminated;
    //  Read-only for the worker threads once civetweb runs:
    dp_jwt_t *jwt;
    char *frontend_endpoint;        //  the broker's inproc endpoint
    size_t max_body;
    size_t max_url;                 //  longest request target (path and query), bytes
    int deadline_ms;
    int drain_ms;                   //  how long $TERM waits for admitted requests
    int keep_alive_ms;              //  civetweb closes a kept-alive connection idle this long
    int keep_alive_hint_s;          //  Keep-Alive: timeout= we advertise, below keep_alive_ms
    int threads;                    //  civetweb's worker threads
    dp_parse_limits_t limits;
    dp_schema_t *schema;            //  Depot's schema, for validation
    dp_validate_limits_t validate_limits;
    dp_validation_cache_t *valid;   //  documents validated before (shared, locked inside)
    uint32_t execute_flags;         //  DP_EXECUTE_*
    uint32_t trace_prefix;          //  random, so trace ids differ across restarts
    bool access_log;                //  one info line per request
    bool graphiql;                  //  serve the explorer
    char *cors_text;                //  the origins list, owned (cors_origins point into it)
    const char *cors_origins [S_MAX_ORIGINS];
    size_t n_cors_origins;
    bool cors_any;                  //  "*": every origin
    dp_metrics_t *metrics;
    dp_persisted_t *persisted;      //  NULL: persisted queries off
    dp_broker_stats_t broker_stats; //  the broker writes, /metrics and /readyz read
    dp_fleet_t *fleet;              //  the broker writes resolvers' reports, /metrics reads
    //  Shared and changing:
    atomic_uint_fast64_t next_id;   //  request ids
    atomic_int admitted;            //  GraphQL requests being served
    atomic_int connections;         //  connections held by worker threads (one each)
    atomic_bool draining;           //  $TERM received: admit nothing more
    pthread_mutex_t ready_mutex;    //  guards the four fields below
    int64_t ready_at;               //  zclock_mono of the last probe's end; 0: none
    bool ready_ok;
    bool ready_probing;             //  a worker is probing now
    char ready_reason [160];
} self_t;

//  One per civetweb worker thread.
typedef struct {
    zsock_t *dealer;                //  to the broker's frontend
    dp_arena_t *arena;              //  the current request's memory
    msgpack_sbuffer sbuf;           //  EXECUTE encoding
    char *body;                     //  request body buffer
    size_t body_cap;
    int client_fd;                  //  the socket dp_client_watch found last, or -1
} s_worker_t;

//  One HTTP request being handled.
typedef struct {
    self_t *self;
    s_worker_t *worker;
    struct mg_connection *conn;
    const struct mg_request_info *info;
    dp_arena_t *arena;
    uint64_t id;                    //  also the EXECUTE's correlation id
    const char *trace_id;           //  X-Request-Id
    dp_route_t route;               //  for metrics
    dp_http_media_t media;          //  type of our JSON answers (application/json until negotiated)
    bool close;                     //  close the connection after the answer
    bool body_too_large;            //  the body passed max_body: none of the rest is read
    uint32_t statements;            //  from the RESULT, for the access log
    int64_t budget_ms;              //  the request's deadline from its EXECUTE: the
                                    //  gateway's, or the shorter one the client asked for
    char headers [1024];            //  X-Request-Id and CORS lines, each ending in CRLF
} s_ctx_t;


//  --------------------------------------------------------------------------
//  Worker threads: their state lives from init_thread to exit_thread.

static void *
s_init_thread (const struct mg_context *ctx, int thread_type)
{
    if (thread_type != 1)
        return NULL;                //  only request workers talk to the broker
    self_t *self = (self_t *) mg_get_user_data (ctx);
    s_worker_t *worker = (s_worker_t *) zmalloc (sizeof (s_worker_t));
    assert (worker);
    worker->dealer = zsock_new (ZMQ_DEALER);
    if (!worker->dealer
    ||  zsock_connect (worker->dealer, "%s", self->frontend_endpoint) == -1)
        dp_error ("gateway: worker cannot connect to the broker at %s", self->frontend_endpoint);
    else {
        zsock_set_linger (worker->dealer, 0);
        zsock_set_sndtimeo (worker->dealer, 0);
    }
    worker->arena = dp_arena_new (0);
    msgpack_sbuffer_init (&worker->sbuf);
    worker->client_fd = -1;
    return worker;
}

static void
s_exit_thread (const struct mg_context *ctx, int thread_type, void *thread_pointer)
{
    s_worker_t *worker = (s_worker_t *) thread_pointer;
    if (!worker)
        return;
    zsock_destroy (&worker->dealer);
    dp_arena_destroy (&worker->arena);
    msgpack_sbuffer_destroy (&worker->sbuf);
    free (worker->body);
    free (worker);
}

//  A worker thread takes a connection, for as long as it stays open.
static int
s_init_connection (const struct mg_connection *conn, void **conn_data)
{
    self_t *self = (self_t *) mg_get_user_data (mg_get_context (conn));
    atomic_fetch_add (&self->connections, 1);
    *conn_data = self;              //  counted: the close callback may uncount it
    return 0;
}

static void
s_connection_close (const struct mg_connection *conn)
{
    self_t *self = (self_t *) mg_get_user_connection_data (conn);
    if (self)
        atomic_fetch_sub (&self->connections, 1);
}

//  Is every worker thread held by a connection? Then more connections may
//  wait for a thread, which only a closing connection frees: civetweb
//  serves a kept-alive connection on its thread until it closes or idles
//  for keep_alive_timeout_ms, and reads nothing from a waiting one, so it
//  cannot even be answered 503. At capacity every answer therefore closes
//  its connection: the threads rotate among all the clients, each gets an
//  answer (data, or 503 from admission) after a wait of a few requests,
//  and clients reconnect, which on a LAN costs far less than waiting.
static bool
s_crowded (self_t *self)
{
    return atomic_load (&self->connections) >= self->threads;
}

static int
s_log_message (const struct mg_connection *conn, const char *message)
{
    dp_warn ("civetweb: %s", message);
    return 1;
}


//  --------------------------------------------------------------------------
//  Writing responses

//  Does the header value hold the comma-separated token (any case)?
static bool
s_has_token (const char *value, const char *token)
{
    size_t len = strlen (token);
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end [-1] == ' ' || end [-1] == '\t'))
            end--;
        if ((size_t) (end - start) == len && strncasecmp (start, token, len) == 0)
            return true;
    }
    return false;
}

//  Keep the connection open after this response? As civetweb decides it.
static bool
s_keep_alive (struct mg_connection *conn)
{
    const char *connection = mg_get_header (conn, "Connection");
    if (connection)
        return s_has_token (connection, "keep-alive");
    const struct mg_request_info *info = mg_get_request_info (conn);
    return info && info->http_version && strcmp (info->http_version, "1.1") == 0;
}

static const char *
s_media_type (dp_http_media_t media)
{
    return media == DP_MEDIA_GRAPHQL_RESPONSE ? "application/graphql-response+json; charset=utf-8"
                                              : "application/json; charset=utf-8";
}

//  Write a complete response. content_type NULL means the request's JSON
//  media type; a 204 has neither type nor length. extra holds more header
//  lines, each ending in CRLF, or NULL. Returns status.
static int
s_respond_as (s_ctx_t *ctx, int status, const char *extra, const char *content_type,
              const char *body, size_t len, bool close)
{
    struct mg_connection *conn = ctx->conn;
    bool keep = !close && !ctx->close && !atomic_load (&ctx->self->draining)
             && !s_crowded (ctx->self) && s_keep_alive (conn);
    if (!keep)
        mg_disable_keep_alive (conn);
    char keep_alive_line [48] = "";
    if (keep)
        snprintf (keep_alive_line, sizeof keep_alive_line, "Keep-Alive: timeout=%d\r\n",
                  ctx->self->keep_alive_hint_s);
    char type_line [160] = "";
    if (status != 204)
        snprintf (type_line, sizeof type_line, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                  content_type ? content_type : s_media_type (ctx->media), len);
    char buffer [S_SMALL_REPLY];
    int head = snprintf (buffer, sizeof buffer,
                         "HTTP/1.1 %d %s\r\n"
                         "%s"
                         "Connection: %s\r\n"
                         "%s%s%s\r\n",
                         status, mg_get_response_code_text (conn, status), type_line,
                         keep ? "keep-alive" : "close", keep_alive_line, ctx->headers,
                         extra ? extra : "");
    assert (head > 0 && head < (int) sizeof buffer);
    if (status == 204
    ||  (ctx->info && ctx->info->request_method && strcmp (ctx->info->request_method, "HEAD") == 0))
        len = 0;                    //  the headers describe the body; it is not sent
    if ((size_t) head + len <= sizeof buffer) {
        memcpy (buffer + head, body, len);
        mg_write (conn, buffer, (size_t) head + len);
    }
    else {
        mg_write (conn, buffer, (size_t) head);
        mg_write (conn, body, len);
    }
    return status;
}

static int
s_respond (s_ctx_t *ctx, int status, const char *extra, const char *body, size_t len, bool close)
{
    return s_respond_as (ctx, status, extra, NULL, body, len, close);
}

//  {"errors":[{"message":...}]} with status.
static int
s_respond_error (s_ctx_t *ctx, int status, const char *extra, const char *message, bool close)
{
    size_t len;
    const char *body = dp_http_error_body (ctx->arena, message, &len);
    return s_respond (ctx, status, extra, body, len, close);
}

//  The socket of the request's connection (to watch it while the request
//  waits, or to close it lingering); -1 when it cannot be found.
static int
s_client_fd (s_worker_t *worker, struct mg_connection *conn)
{
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (!info || info->is_ssl)
        return -1;
    worker->client_fd = dp_client_watch_find (info->remote_addr, info->remote_port,
                                              info->server_port, worker->client_fd);
    return worker->client_fd;
}

//  Read and discard the rest of a request body we do not need, when it is
//  within max_body: then the connection can stay open. A body declared or
//  found larger is not waited for. Returns true when the body is consumed
//  to its end.
static bool
s_discard_body (s_ctx_t *ctx)
{
    size_t limit = ctx->self->max_body;
    if (ctx->body_too_large || ctx->info->content_length > (long long) limit)
        return false;
    char scratch [8192];
    size_t total = 0;
    while (total <= limit) {
        int n = mg_read (ctx->conn, scratch, sizeof scratch);
        if (n <= 0)
            return n == 0;
        total += (size_t) n;
    }
    return false;
}

//  Answer without having read (all of) the body: a small rest is read past
//  first and the connection stays; otherwise the answer goes first, with
//  Connection: close, and the client's socket gets a lingering close so
//  that it reads the answer rather than a reset.
static int
s_respond_unread_as (s_ctx_t *ctx, int status, const char *extra, const char *content_type,
                     const char *body, size_t len)
{
    bool consumed = s_discard_body (ctx);
    s_respond_as (ctx, status, extra, content_type, body, len, !consumed);
    if (!consumed && ctx->worker) {
        int fd = s_client_fd (ctx->worker, ctx->conn);
        if (fd >= 0)
            dp_lingering_close (fd, S_LINGER_BYTES, S_LINGER_MS);
    }
    return status;
}

static int
s_respond_unread (s_ctx_t *ctx, int status, const char *extra, const char *body, size_t len)
{
    return s_respond_unread_as (ctx, status, extra, NULL, body, len);
}

static int
s_respond_unread_error (s_ctx_t *ctx, int status, const char *extra, const char *message)
{
    size_t len;
    const char *body = dp_http_error_body (ctx->arena, message, &len);
    return s_respond_unread (ctx, status, extra, body, len);
}


//  --------------------------------------------------------------------------
//  CORS

//  Is origin allowed? (The list is exact origins, or "*".)
static bool
s_cors_allowed (self_t *self, const char *origin)
{
    if (self->cors_any)
        return true;
    for (size_t i = 0; i < self->n_cors_origins; i++)
        if (strcmp (self->cors_origins [i], origin) == 0)
            return true;
    return false;
}

//  Add the CORS lines to every answer to an allowed Origin.
static void
s_cors_headers (s_ctx_t *ctx)
{
    const char *origin = mg_get_header (ctx->conn, "Origin");
    if (!origin || !*origin || strlen (origin) > 300 || !s_cors_allowed (ctx->self, origin))
        return;
    size_t used = strlen (ctx->headers);
    snprintf (ctx->headers + used, sizeof ctx->headers - used,
              "Access-Control-Allow-Origin: %s\r\n"
              "Vary: Origin\r\n"
              "Access-Control-Expose-Headers: X-Request-Id\r\n",
              ctx->self->cors_any ? "*" : origin);
}

//  OPTIONS: a CORS preflight, or a plain question about methods.
static int
s_handle_options (s_ctx_t *ctx)
{
    const char *origin = mg_get_header (ctx->conn, "Origin");
    const char *method = mg_get_header (ctx->conn, "Access-Control-Request-Method");
    if (!origin || !method)
        return s_respond_as (ctx, 204, "Allow: GET, POST, OPTIONS\r\n", NULL, "", 0, false);
    if (!s_cors_allowed (ctx->self, origin))
        return s_respond_unread_error (ctx, 403, NULL, "Origin not allowed.");
    if (strcmp (method, "GET") != 0 && strcmp (method, "POST") != 0)
        return s_respond_unread_error (ctx, 405, "Allow: GET, POST, OPTIONS\r\n",
                                       "Method not allowed: use GET or POST.");
    return s_respond_as (ctx, 204,
                         "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                         "Access-Control-Allow-Headers: Authorization, Content-Type, Accept, "
                         "X-Request-Id, X-Request-Timeout-Ms, apollographql-client-name, "
                         "apollographql-client-version\r\n"
                         "Access-Control-Max-Age: 600\r\n", NULL, "", 0, false);
}


//  --------------------------------------------------------------------------
//  Talking to the broker

//  Send msg (an EXECUTE) and wait until deadline (zclock_time ms) for the
//  answer with its id. While it waits longer than S_WATCH_AFTER, the
//  client of conn (NULL: none) is watched. Returns 0 with *reply (the
//  caller closes it) and *answer decoded into arena, -1 when the broker
//  cannot be reached, -2 at the deadline, -3 when the answer is
//  malformed, -4 when the client went away.
static int
s_exchange (self_t *self, s_worker_t *worker, struct mg_connection *conn, dp_msg_t *msg,
            int64_t deadline, dp_arena_t *arena, zmq_msg_t *reply, dp_msg_t *answer)
{
    msgpack_sbuffer_clear (&worker->sbuf);
    if (dp_msg_encode (msg, &worker->sbuf)) {
        dp_error ("gateway: cannot encode EXECUTE %s", msg->trace_id);
        return -3;
    }
    void *dealer = zsock_resolve (worker->dealer);
    if (zmq_send (dealer, worker->sbuf.data, worker->sbuf.size, ZMQ_DONTWAIT) == -1) {
        dp_warn ("gateway: broker not reachable: %s", zmq_strerror (zmq_errno ()));
        return -1;
    }
    //  Most answers come at once; the client's socket is looked for only
    //  when one does not. Until the client sends more bytes (a pipelined
    //  request) its socket's readability wakes us; after that it is
    //  checked every S_WATCH_EVERY ms.
    zmq_pollitem_t items [2] = { { dealer, 0, ZMQ_POLLIN, 0 }, { NULL, -1, ZMQ_POLLIN, 0 } };
    int n_items = 1;
    int64_t watch_at = conn ? zclock_mono () + S_WATCH_AFTER : INT64_MAX;
    int client = -1;
    while (true) {
        int64_t left = deadline - zclock_time ();
        if (left <= 0)
            return -2;
        int64_t now = zclock_mono ();
        if (now >= watch_at) {
            if (client < 0) {
                client = s_client_fd (worker, conn);
                if (client < 0)
                    watch_at = INT64_MAX;
                else {
                    items [1].fd = client;
                    n_items = 2;
                }
            }
            if (client >= 0) {
                dp_client_state_t state = dp_client_watch_check (client);
                if (state == DP_CLIENT_GONE)
                    return -4;
                if (state == DP_CLIENT_SENDING) {
                    n_items = 1;
                    watch_at = now + S_WATCH_EVERY;
                }
                else
                    watch_at = n_items == 2 ? INT64_MAX : now + S_WATCH_EVERY;
            }
        }
        long wait = watch_at - now < left ? (long) (watch_at - now) : (long) left;
        int rc = zmq_poll (items, n_items, wait < 0 ? 0 : wait);
        if (rc <= 0)
            continue;               //  timeout or EINTR: the loop rechecks the time
        if (n_items == 2 && items [1].revents)
            watch_at = now;         //  the client's socket stirred: check it first
        if (!(items [0].revents & ZMQ_POLLIN))
            continue;
        zmq_msg_init (reply);
        if (zmq_msg_recv (reply, dealer, ZMQ_DONTWAIT) == -1) {
            zmq_msg_close (reply);
            continue;
        }
        char err [128];
        const void *data = zmq_msg_data (reply);
        size_t size = zmq_msg_size (reply);
        if (dp_msg_peek (data, size, answer, err, sizeof err) || answer->id != msg->id) {
            //  A late answer to a request this thread gave up on.
            zmq_msg_close (reply);
            continue;
        }
        if (dp_msg_decode (data, size, arena, answer, err, sizeof err)) {
            dp_error ("gateway: malformed reply for %s: %s", msg->trace_id, err);
            zmq_msg_close (reply);
            return -3;
        }
        return 0;
    }
}

//  The client is gone: tell the broker, which cancels the request at its
//  resolver (and so its SQL). The answer still comes and is dropped.
static void
s_cancel (s_worker_t *worker, uint64_t id, const char *trace_id)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = id,
                     .trace_id = trace_id };
    msgpack_sbuffer_clear (&worker->sbuf);
    if (dp_msg_encode (&msg, &worker->sbuf) == 0
    &&  zmq_send (zsock_resolve (worker->dealer), worker->sbuf.data, worker->sbuf.size,
                  ZMQ_DONTWAIT) == -1)
        dp_warn ("gateway: cannot send CANCEL %s: %s", trace_id, zmq_strerror (zmq_errno ()));
}

//  Send the EXECUTE and wait for its answer; write the HTTP response.
static int
s_execute (s_ctx_t *ctx, const dp_identity_t *identity, const dp_http_request_t *request)
{
    self_t *self = ctx->self;
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_EXECUTE;
    msg.id = ctx->id;
    int64_t deadline = zclock_time () + ctx->budget_ms;
    msg.deadline_ms = (uint64_t) deadline;
    msg.trace_id = ctx->trace_id;
    msg.u.execute.identity = *identity;
    msg.u.execute.query = request->query;
    msg.u.execute.query_len = (uint32_t) request->query_len;
    msg.u.execute.operation_name = request->operation_name;
    msg.u.execute.flags = self->execute_flags;
    if (request->variables) {
        //  Prepared (proto/README.md, EXECUTE): the operation and typed variables.
        msg.u.execute.prepared = true;
        msg.u.execute.operation = request->operation_index;
        if (dp_msg_variables_encode (request->variables, &request->document->defs [request->operation_index],
                                     ctx->arena, &msg.u.execute.variables, &msg.u.execute.n_variables))
            dp_fatal ("gateway: variables of request %s do not match their operation", ctx->trace_id);
    }
    else {
        //  Without a schema (the selftest's fake resolver) the JSON travels as it came.
        msg.u.execute.variables_json = request->variables_json;
        msg.u.execute.variables_len = (uint32_t) request->variables_len;
    }
    const char *retry = "Retry-After: 1\r\n";

    zmq_msg_t reply;
    dp_msg_t answer;
    int rc = s_exchange (self, ctx->worker, ctx->conn, &msg, deadline, ctx->arena, &reply, &answer);
    if (rc == -4) {
        dp_info ("gateway: request %s: the client went away; cancelling it", msg.trace_id);
        s_cancel (ctx->worker, msg.id, msg.trace_id);
        mg_disable_keep_alive (ctx->conn);
        return -1;
    }
    if (rc == -1)
        return s_respond_error (ctx, 503, retry, "Service overloaded, retry later.", false);
    if (rc == -2) {
        dp_warn ("gateway: request %s timed out after %" PRId64 " ms", msg.trace_id, ctx->budget_ms);
        return s_respond_error (ctx, 504, NULL, "The request did not finish before its deadline.",
                                false);
    }
    if (rc == -3)
        return s_respond_error (ctx, 502, NULL, "Bad gateway: malformed reply.", false);
    int status;
    if (answer.type == DP_MSG_RESULT
    &&  answer.u.result.http_status >= 200 && answer.u.result.http_status <= 599) {
        status = (int) answer.u.result.http_status;
        //  A GraphQL request error is 400 for application/graphql-response+json
        //  and 200 for application/json (GraphQL over HTTP, 6.4.1).
        if (status == 400 && ctx->media == DP_MEDIA_JSON)
            status = 200;
        ctx->statements = answer.u.result.statements;
        dp_metrics_statements (self->metrics, answer.u.result.statements);
        status = s_respond (ctx, status, NULL, answer.u.result.json, answer.u.result.json_len, false);
    }
    else
    if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_UNAVAILABLE)
        status = s_respond_error (ctx, 503, retry, "Service overloaded, retry later.", false);
    else
    if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_TIMEOUT)
        status = s_respond_error (ctx, 504, NULL, "The request did not finish before its deadline.",
                                  false);
    else {
        dp_warn ("gateway: request %s failed: %s %u %s", msg.trace_id,
                 dp_msg_type_name (answer.type),
                 answer.type == DP_MSG_ERROR ? answer.u.error.status : answer.u.result.http_status,
                 answer.type == DP_MSG_ERROR ? answer.u.error.message : "");
        status = s_respond_error (ctx, 502, NULL, "Bad gateway.", false);
    }
    zmq_msg_close (&reply);
    return status;
}


//  --------------------------------------------------------------------------
//  One GraphQL request, POST or GET /graphql

//  The 401 body: {code, description[, message]}, keys sorted.
static int
s_respond_auth (s_ctx_t *ctx, const dp_jwt_error_t *error)
{
    json_t *json = json_pack ("{s:s,s:s}", "code", error->code, "description", error->description);
    if (json && error->message [0])
        json_object_set_new (json, "message", json_string (error->message));
    char *text = json ? json_dumps (json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text)
        dp_fatal ("gateway: out of memory");
    json_decref (json);
    size_t len = strlen (text);
    const char *body = dp_arena_strndup (ctx->arena, text, len);
    free (text);
    ctx->media = DP_MEDIA_JSON;
    return s_respond_unread (ctx, error->status, NULL, body, len);
}

//  Is the Content-Type application/json (with an optional UTF-8 charset)?
static bool
s_content_type_ok (const char *value)
{
    if (!value)
        return false;
    while (*value == ' ')
        value++;
    const char *media = "application/json";
    size_t len = strlen (media);
    if (strncasecmp (value, media, len) != 0)
        return false;
    const char *p = value + len;
    while (*p == ' ')
        p++;
    if (*p == 0)
        return true;
    if (*p != ';')
        return false;
    //  Parameters: only charset matters, and it must be UTF-8.
    while (*p == ';') {
        p++;
        while (*p == ' ')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        if (*p != '=')
            continue;
        size_t name_len = (size_t) (p - name);
        p++;
        if (*p == '"')
            p++;
        const char *val = p;
        while (*p && *p != ';' && *p != '"' && *p != ' ')
            p++;
        size_t val_len = (size_t) (p - val);
        if (name_len == 7 && strncasecmp (name, "charset", 7) == 0
        &&  !((val_len == 5 && strncasecmp (val, "utf-8", 5) == 0)
           || (val_len == 4 && strncasecmp (val, "utf8", 4) == 0)))
            return false;
        while (*p && *p != ';')
            p++;
    }
    return true;
}

//  Read the whole body into the worker's buffer. Returns 0 with *len_p
//  set, 1 when it is larger than max_body, -1 when the client went away.
static int
s_read_body (self_t *self, s_worker_t *worker, struct mg_connection *conn, size_t *len_p)
{
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (info->content_length > (long long) self->max_body)
        return 1;
    size_t want = info->content_length >= 0 ? (size_t) info->content_length + 1 : 16384;
    if (want > self->max_body + 1)
        want = self->max_body + 1;
    if (worker->body_cap < want) {
        free (worker->body);
        worker->body = (char *) malloc (want);
        if (!worker->body)
            dp_fatal ("gateway: out of memory");
        worker->body_cap = want;
    }
    size_t len = 0;
    while (true) {
        if (len == worker->body_cap) {
            //  Grow up to max_body + 1: one byte more than allowed tells
            //  us the body is too large.
            size_t cap = worker->body_cap * 2;
            if (cap > self->max_body + 1)
                cap = self->max_body + 1;
            if (cap <= len)
                return 1;
            char *grown = (char *) realloc (worker->body, cap);
            if (!grown)
                dp_fatal ("gateway: out of memory");
            worker->body = grown;
            worker->body_cap = cap;
        }
        int n = mg_read (conn, worker->body + len, worker->body_cap - len);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > self->max_body)
            return 1;
    }
    *len_p = len;
    return 0;
}

//  A trace id from X-Request-Id when it is short and plain, else our own.
static const char *
s_trace_id (self_t *self, struct mg_connection *conn, dp_arena_t *arena, uint64_t id)
{
    const char *given = mg_get_header (conn, "X-Request-Id");
    if (given) {
        size_t len = strlen (given);
        bool plain = len > 0 && len <= 64;
        for (size_t i = 0; plain && i < len; i++)
            plain = isalnum ((unsigned char) given [i]) || strchr ("-_.:", given [i]);
        if (plain)
            return dp_arena_strndup (arena, given, len);
    }
    return dp_arena_printf (arena, "%08" PRIx32 "-%" PRIu64, self->trace_prefix, id);
}

//  Answer a request error: a malformed request is 400; a GraphQL request
//  error is 200 for application/json and 400 for graphql-response+json.
static int
s_respond_request_error (s_ctx_t *ctx, const dp_http_error_t *error)
{
    int status = error->status;
    if (error->graphql && ctx->media == DP_MEDIA_JSON)
        status = 200;
    return s_respond (ctx, status, NULL, error->body, error->body_len, false);
}

//  Validation of the parsed document against Depot's schema: the
//  specification's rules and Depot's limits against hostile queries. A
//  document validated before is known by its text (the front-end sends
//  the same few all day). A failure answers {"errors":[...]} (at most 100
//  and graphql-js's "too many" error) as any GraphQL request error.
//  Returns 0 to go on, or the status of the answer written.
static int
s_validate (s_ctx_t *ctx, const dp_http_request_t *request)
{
    self_t *self = ctx->self;
    if (!self->schema || dp_validation_cache_has (self->valid, request->query, request->query_len))
        return 0;
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    int status = 0;
    if (dp_validate (self->schema, request->document, &self->validate_limits, errors) == 0)
        dp_validation_cache_add (self->valid, request->query, request->query_len);
    else {
        dp_json_writer_t writer;
        dp_json_writer_init (&writer, 256);
        dp_json_writer_raw (&writer, "{\"errors\":", 10);
        dp_validation_errors_write (errors, &writer);
        dp_json_writer_char (&writer, '}');
        dp_http_error_t error = { .status = 400, .graphql = true };
        error.body = dp_arena_strndup (ctx->arena, writer.data, writer.len);
        error.body_len = writer.len;
        dp_json_writer_release (&writer);
        status = s_respond_request_error (ctx, &error);
    }
    dp_validation_errors_destroy (&errors);
    return status;
}

//  Persisted queries: turn a hash into the query text (or refuse), and
//  refuse unlisted operations in allow-list mode. Returns 0 to go on, or
//  the status of the answer written.
static int
s_resolve_persisted (s_ctx_t *ctx, dp_http_request_t *request)
{
    self_t *self = ctx->self;
    dp_http_error_t error = { .status = 400, .graphql = true };
    dp_persisted_t *store = self->persisted;
    if (!store) {
        if (!request->persisted_hash)
            return 0;
        //  Apollo's link then falls back to sending the query every time.
        error.body = dp_http_error_body_code (ctx->arena, "PersistedQueryNotSupported",
                                              "PERSISTED_QUERY_NOT_SUPPORTED", &error.body_len);
        return s_respond_request_error (ctx, &error);
    }
    char hash [65];
    if (request->query) {
        dp_http_sha256_hex (request->query, request->query_len, hash);
        if (request->persisted_hash && strcmp (hash, request->persisted_hash) != 0) {
            dp_metrics_persisted (self->metrics, DP_PERSISTED_REFUSED);
            error.graphql = false;
            error.body = dp_http_error_body (ctx->arena, "provided sha does not match query",
                                             &error.body_len);
            return s_respond_request_error (ctx, &error);
        }
        if (dp_persisted_allow_list (store)) {
            size_t len;
            if (!dp_persisted_lookup (store, hash, ctx->arena, &len)) {
                dp_metrics_persisted (self->metrics, DP_PERSISTED_REFUSED);
                error.body = dp_http_error_body_code (ctx->arena,
                    "Only registered operations may run on this server.",
                    "PERSISTED_QUERY_NOT_IN_LIST", &error.body_len);
                return s_respond_request_error (ctx, &error);
            }
            dp_metrics_persisted (self->metrics, DP_PERSISTED_HIT);
        }
        else
        if (request->persisted_hash) {
            dp_persisted_store (store, hash, request->query, request->query_len);
            dp_metrics_persisted (self->metrics, DP_PERSISTED_REGISTERED);
        }
        return 0;
    }
    //  The hash alone.
    size_t len = 0;
    const char *query = dp_persisted_lookup (store, request->persisted_hash, ctx->arena, &len);
    if (!query) {
        dp_metrics_persisted (self->metrics, DP_PERSISTED_MISS);
        error.body = dp_http_error_body_code (ctx->arena, "PersistedQueryNotFound",
                                              "PERSISTED_QUERY_NOT_FOUND", &error.body_len);
        return s_respond_request_error (ctx, &error);
    }
    dp_metrics_persisted (self->metrics, DP_PERSISTED_HIT);
    request->query = query;
    request->query_len = len;
    return 0;
}

static int
s_handle_graphql (s_ctx_t *ctx, bool get)
{
    self_t *self = ctx->self;
    dp_arena_t *arena = ctx->arena;

    //  1. The token, before anything of the body is read.
    dp_identity_t identity;
    dp_jwt_error_t auth_error;
    if (dp_jwt_verify_header (self->jwt, mg_get_header (ctx->conn, "Authorization"),
                              (int64_t) time (NULL), arena, &identity, &auth_error))
        return s_respond_auth (ctx, &auth_error);

    //  2. What the client accepts.
    dp_http_accept_t accept;
    dp_http_accept (mg_get_header (ctx->conn, "Accept"), &accept);
    if (accept.media == DP_MEDIA_NONE)
        return s_respond_unread_error (ctx, 406, NULL, "Not acceptable: GraphQL responses are "
                                       "application/graphql-response+json or application/json.");
    ctx->media = accept.media;

    //  The deadline: the gateway's, or a shorter one the client asks for
    //  (a longer one is capped: the gateway's bounds every request).
    int64_t asked = dp_http_request_timeout (mg_get_header (ctx->conn, "X-Request-Timeout-Ms"));
    if (asked < 0)
        return s_respond_unread_error (ctx, 400, NULL, "X-Request-Timeout-Ms must be a whole "
                                       "number of milliseconds, at least 1.");
    ctx->budget_ms = asked > 0 && asked < self->deadline_ms ? asked : self->deadline_ms;

    //  3. The parameters: the query string, or the body (capped).
    dp_http_request_t request;
    dp_http_error_t error;
    if (get) {
        if (dp_http_request_read_get (ctx->info->query_string, arena, &request, &error))
            return s_respond_unread (ctx, error.status, NULL, error.body, error.body_len);
    }
    else {
        if (!s_content_type_ok (mg_get_header (ctx->conn, "Content-Type")))
            return s_respond_unread_error (ctx, 415, NULL, "Content-Type must be application/json.");
        size_t len = 0;
        int rc = s_read_body (self, ctx->worker, ctx->conn, &len);
        if (rc == -1)
            return -1;
        if (rc == 1) {
            ctx->body_too_large = true;
            return s_respond_unread_error (ctx, 413, NULL, "Request body too large.");
        }
        if (dp_http_request_read_json (ctx->worker->body, len, arena, &request, &error))
            return s_respond_request_error (ctx, &error);
    }

    //  4. Persisted queries.
    int status = s_resolve_persisted (ctx, &request);
    if (status)
        return status;

    //  5. Syntax, validation of the whole document, then the operation (as
    //  graphql-js: a document's own errors come before the choice of one).
    if (dp_http_request_prepare (&request, &self->limits, arena, &error))
        return s_respond_request_error (ctx, &error);
    status = s_validate (ctx, &request);
    if (status)
        return status;
    if (dp_http_request_select (&request, arena, &error))
        return s_respond_request_error (ctx, &error);
    //  The variables, coerced once here: the resolver receives them typed.
    if (self->schema && dp_http_request_coerce (&request, self->schema, arena, &error))
        return s_respond_request_error (ctx, &error);

    //  6. No mutation over GET: a GET must be safe.
    if (get && request.operation != DP_OP_QUERY)
        return s_respond_error (ctx, 405, "Allow: POST\r\n",
                                "Only queries may be sent with GET; use POST.", false);

    //  7. To a resolver, and back.
    return s_execute (ctx, &identity, &request);
}


//  --------------------------------------------------------------------------
//  Operations: /healthz, /readyz, /metrics

//  One probe through a resolver to the database. Returns true when it
//  answered 200; reason says why not.
static bool
s_probe (s_ctx_t *ctx, char *reason, size_t reason_len)
{
    self_t *self = ctx->self;
    if (atomic_load (&self->broker_stats.resolvers) == 0) {
        snprintf (reason, reason_len, "no resolver is connected");
        return false;
    }
    int64_t probe_base = atoll (S_PROBE_BASE);
    dp_permission_t permission = { "stock:read", &probe_base, 1 };
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_EXECUTE;
    msg.id = ctx->id;
    int64_t deadline = zclock_time () + S_READY_WAIT;
    msg.deadline_ms = (uint64_t) deadline;
    msg.trace_id = ctx->trace_id;
    msg.u.execute.identity.beta_user = -1;
    msg.u.execute.identity.base_ids = &probe_base;
    msg.u.execute.identity.n_base_ids = 1;
    msg.u.execute.identity.permissions = &permission;
    msg.u.execute.identity.n_permissions = 1;
    msg.u.execute.query = S_PROBE_QUERY;
    msg.u.execute.query_len = (uint32_t) strlen (S_PROBE_QUERY);
    msg.u.execute.prepared = true;          //  its only operation, no variables
    zmq_msg_t reply;
    dp_msg_t answer;
    int rc = s_exchange (self, ctx->worker, NULL, &msg, deadline, ctx->arena, &reply, &answer);
    if (rc)
        snprintf (reason, reason_len, "%s", rc == -1 ? "the broker is not reachable"
                                          : rc == -2 ? "the probe took longer than 2 s"
                                                     : "malformed answer");
    else {
        if (answer.type == DP_MSG_RESULT && answer.u.result.http_status == 200)
            rc = 0;
        else
        if (answer.type == DP_MSG_RESULT) {
            //  The resolver's own words: the database is not available, ...
            json_t *json = json_loadb (answer.u.result.json, answer.u.result.json_len, 0, NULL);
            const char *message = json_string_value (json_object_get (
                json_array_get (json_object_get (json, "errors"), 0), "message"));
            snprintf (reason, reason_len, "%u: %s", answer.u.result.http_status,
                      message ? message : "the probe failed");
            json_decref (json);
            rc = -1;
        }
        else {
            snprintf (reason, reason_len, "%u: %s", answer.u.error.status, answer.u.error.message);
            rc = -1;
        }
        zmq_msg_close (&reply);
    }
    return rc == 0;
}

static int
s_handle_readyz (s_ctx_t *ctx)
{
    self_t *self = ctx->self;
    char reason [160] = "";
    bool ready;
    if (atomic_load (&self->draining)) {
        ready = false;
        snprintf (reason, sizeof reason, "draining: the gateway is stopping");
    }
    else {
        //  One probe at a time, and its answer reused for S_READY_TTL ms.
        pthread_mutex_lock (&self->ready_mutex);
        bool fresh = self->ready_at && zclock_mono () - self->ready_at < S_READY_TTL;
        bool probe = !fresh && !self->ready_probing;
        if (probe)
            self->ready_probing = true;
        ready = self->ready_ok;
        snprintf (reason, sizeof reason, "%s", self->ready_reason);
        pthread_mutex_unlock (&self->ready_mutex);
        if (probe || (!fresh && !self->ready_at)) {
            ready = s_probe (ctx, reason, sizeof reason);
            pthread_mutex_lock (&self->ready_mutex);
            self->ready_ok = ready;
            snprintf (self->ready_reason, sizeof self->ready_reason, "%s", reason);
            self->ready_at = zclock_mono ();
            if (probe)
                self->ready_probing = false;
            pthread_mutex_unlock (&self->ready_mutex);
        }
    }
    dp_metrics_ready (self->metrics, ready);
    json_t *json = ready
        ? json_pack ("{s:s,s:i}", "status", "ready",
                     "resolvers", atomic_load (&self->broker_stats.resolvers))
        : json_pack ("{s:s,s:s}", "status", "unavailable", "reason", reason);
    char *text = json ? json_dumps (json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref (json);
    if (!text)
        dp_fatal ("gateway: out of memory");
    size_t len = strlen (text);
    const char *body = dp_arena_strndup (ctx->arena, text, len);
    free (text);
    if (!ready)
        dp_info ("gateway: not ready: %s", reason);
    return s_respond_unread (ctx, ready ? 200 : 503, ready ? NULL : "Retry-After: 1\r\n", body, len);
}

static int
s_handle_metrics (s_ctx_t *ctx)
{
    size_t len;
    dp_fleet_entry_t *entries;
    size_t n_entries = dp_fleet_snapshot (ctx->self->fleet, zclock_mono (), &entries);
    char *text = dp_metrics_render (ctx->self->metrics, &ctx->self->broker_stats,
                                    entries, n_entries, &len);
    free (entries);
    int status = s_respond_unread_as (ctx, 200, "Cache-Control: no-store\r\n",
                                      "text/plain; version=0.0.4; charset=utf-8", text, len);
    free (text);
    return status;
}

//  The explorer's page or one of its assets.
static int
s_handle_graphiql (s_ctx_t *ctx, const char *path)
{
    const dp_graphiql_asset_t *asset = ctx->self->graphiql ? dp_graphiql_asset (path) : NULL;
    if (!asset)
        return s_respond_unread_error (ctx, 404, NULL, ctx->self->graphiql && !dp_graphiql_available ()
            ? "GraphiQL is not built into this gateway: its npm assets were not installed at build time."
            : "Not found.");
    char extra [600];
    snprintf (extra, sizeof extra, "Content-Security-Policy: %s\r\n"
              "X-Content-Type-Options: nosniff\r\n"
              "Cache-Control: %s\r\n", dp_graphiql_csp (),
              strcmp (path, "/graphql") == 0 ? "no-cache" : "public, max-age=3600");
    return s_respond_unread_as (ctx, 200, extra, asset->content_type, asset->data, asset->size);
}


//  --------------------------------------------------------------------------
//  Every request comes here.

//  Route the request; returns the status written, or -1 when the client
//  went away.
static int
s_route (s_ctx_t *ctx)
{
    self_t *self = ctx->self;
    const char *method = ctx->info->request_method;
    const char *path = ctx->info->local_uri ? ctx->info->local_uri : "";
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;

    if (strcmp (path, "/graphql") == 0)
        ctx->route = DP_ROUTE_GRAPHQL;
    //  The request target's length, before anything else.
    size_t target = strlen (ctx->info->request_uri ? ctx->info->request_uri : path)
                  + (ctx->info->query_string ? strlen (ctx->info->query_string) + 1 : 0);
    if (target > self->max_url)
        return s_respond_unread_error (ctx, 414, NULL, "URI too long.");

    if (strcmp (path, "/graphql") == 0) {
        ctx->route = DP_ROUTE_GRAPHQL;
        if (strcmp (method, "OPTIONS") == 0) {
            ctx->route = DP_ROUTE_OTHER;
            return s_handle_options (ctx);
        }
        if (get) {
            dp_http_accept_t accept;
            dp_http_accept (mg_get_header (ctx->conn, "Accept"), &accept);
            if (accept.html && self->graphiql) {
                ctx->route = DP_ROUTE_GRAPHIQL;
                return s_handle_graphiql (ctx, path);
            }
        }
        else
        if (strcmp (method, "POST") != 0)
            return s_respond_unread_error (ctx, 405, "Allow: GET, POST, OPTIONS\r\n",
                                           "Method not allowed: use POST or GET.");
        //  Admission for the graceful stop (see @discuss): count first,
        //  then look at the flag.
        atomic_fetch_add (&self->admitted, 1);
        int status;
        if (atomic_load (&self->draining))
            status = s_respond_unread_error (ctx, 503, "Retry-After: 1\r\n",
                                             "The server is shutting down; retry.");
        else
            status = s_handle_graphql (ctx, get);
        atomic_fetch_sub (&self->admitted, 1);
        return status;
    }
    if (strncmp (path, "/graphiql/", 10) == 0) {
        ctx->route = DP_ROUTE_GRAPHIQL;
        if (!get)
            return s_respond_unread_error (ctx, 405, "Allow: GET\r\n", "Method not allowed: use GET.");
        return s_handle_graphiql (ctx, path);
    }
    if (strcmp (path, "/healthz") == 0 || strcmp (path, "/readyz") == 0
    ||  strcmp (path, "/metrics") == 0) {
        ctx->route = path [1] == 'h' ? DP_ROUTE_HEALTHZ
                   : path [1] == 'r' ? DP_ROUTE_READYZ : DP_ROUTE_METRICS;
        if (!get)
            return s_respond_unread_error (ctx, 405, "Allow: GET\r\n", "Method not allowed: use GET.");
        if (ctx->route == DP_ROUTE_HEALTHZ) {
            //  Liveness: the process answers HTTP. No token needed.
            const char body [] = "{\"status\":\"ok\"}";
            return s_respond_unread (ctx, 200, NULL, body, strlen (body));
        }
        return ctx->route == DP_ROUTE_READYZ ? s_handle_readyz (ctx) : s_handle_metrics (ctx);
    }
    return s_respond_unread_error (ctx, 404, NULL, "Not found.");
}

//  The access log line: one JSON object with the request's facts.
static void
s_access_log (s_ctx_t *ctx, int status, int64_t usecs)
{
    json_t *fields = json_pack ("{s:s,s:s,s:i,s:I,s:s?}",
                                "method", ctx->info->request_method,
                                "path", ctx->info->local_uri ? ctx->info->local_uri : "",
                                "status", status, "us", (json_int_t) usecs,
                                "remote", ctx->info->remote_addr);
    if (fields && ctx->route == DP_ROUTE_GRAPHQL)
        json_object_set_new (fields, "statements", json_integer (ctx->statements));
    char *text = fields ? json_dumps (fields, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref (fields);
    if (!text)
        return;
    //  Strip the braces: dp_log_with takes members.
    size_t len = strlen (text);
    text [len - 1] = 0;
    dp_log_with (DP_LOG_INFO, text + 1, "http");
    free (text);
}

static int
s_handle_request (struct mg_connection *conn, void *cbdata)
{
    self_t *self = (self_t *) cbdata;
    s_worker_t *worker = (s_worker_t *) mg_get_thread_pointer (conn);
    const struct mg_request_info *info = mg_get_request_info (conn);
    int64_t started = zclock_usecs ();
    dp_metrics_begin (self->metrics);
    s_ctx_t ctx = { .self = self, .worker = worker, .conn = conn, .info = info,
                    .route = DP_ROUTE_OTHER, .media = DP_MEDIA_JSON };
    int status;
    if (!worker || !worker->dealer) {
        dp_error ("gateway: worker thread without broker connection");
        char body [] = "{\"errors\":[{\"message\":\"Internal server error.\"}]}";
        ctx.arena = NULL;
        status = s_respond (&ctx, 500, NULL, body, strlen (body), true);
        dp_metrics_end (self->metrics, ctx.route, status, zclock_usecs () - started);
        return status;
    }
    dp_arena_reset (worker->arena);
    ctx.arena = worker->arena;
    ctx.id = atomic_fetch_add (&self->next_id, 1);
    ctx.trace_id = s_trace_id (self, conn, ctx.arena, ctx.id);
    dp_log_set_request (ctx.trace_id);
    snprintf (ctx.headers, sizeof ctx.headers, "X-Request-Id: %s\r\n", ctx.trace_id);
    s_cors_headers (&ctx);

    status = s_route (&ctx);

    if (worker->body_cap > S_BODY_KEEP) {
        free (worker->body);
        worker->body = NULL;
        worker->body_cap = 0;
    }
    int64_t usecs = zclock_usecs () - started;
    dp_metrics_end (self->metrics, ctx.route, status > 0 ? status : 499, usecs);
    if (self->access_log)
        s_access_log (&ctx, status > 0 ? status : 499, usecs);
    dp_log_set_request (NULL);
    return status > 0 ? status : 500;
}

//  civetweb's own errors (malformed requests and the like) as JSON too.
static int
s_http_error (struct mg_connection *conn, int status, const char *message)
{
    self_t *self = (self_t *) mg_get_user_data (mg_get_context (conn));
    json_t *json = json_pack ("{s:[{s:s}]}", "errors", "message",
                              message && *message ? message : mg_get_response_code_text (conn, status));
    char *text = json ? json_dumps (json, JSON_COMPACT) : NULL;
    json_decref (json);
    if (!text || !self)
        return 1;                   //  let civetweb answer
    s_ctx_t ctx = { .self = self, .conn = conn, .info = mg_get_request_info (conn),
                    .route = DP_ROUTE_OTHER, .media = DP_MEDIA_JSON };
    dp_metrics_begin (self->metrics);
    s_respond (&ctx, status, NULL, text, strlen (text), true);
    dp_metrics_end (self->metrics, DP_ROUTE_OTHER, status, 0);
    free (text);
    return 0;
}


//  --------------------------------------------------------------------------
//  Construction and destruction

static void
s_self_destroy (self_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        self_t *self = *self_p;
        if (self->civet)
            mg_stop (self->civet);      //  waits for the workers: exit_thread ran
        zactor_destroy (&self->broker);
        dp_jwt_destroy (&self->jwt);
        zstr_free (&self->frontend_endpoint);
        dp_persisted_destroy (&self->persisted);
        dp_metrics_destroy (&self->metrics);
        dp_fleet_destroy (&self->fleet);
        dp_schema_destroy (&self->schema);
        dp_validation_cache_destroy (&self->valid);
        free (self->cors_text);
        pthread_mutex_destroy (&self->ready_mutex);
        mg_exit_library ();
        free (self);
        *self_p = NULL;
    }
}

static self_t *
s_self_new (zsock_t *pipe, const dp_gateway_config_t *config)
{
    self_t *self = (self_t *) zmalloc (sizeof (self_t));
    assert (self);
    self->pipe = pipe;
    mg_init_library (0);
    self->max_body = config->max_body ? config->max_body : 1024 * 1024;
    self->max_url = config->max_url ? config->max_url : 8192;
    self->deadline_ms = config->deadline_ms > 0 ? config->deadline_ms : 30000;
    self->drain_ms = config->drain_ms >= 0 ? config->drain_ms : self->deadline_ms + 1000;
    self->keep_alive_ms = config->keep_alive_ms >= 1000 ? config->keep_alive_ms : 5000;
    self->keep_alive_hint_s = self->keep_alive_ms / 1000 - 1;
    self->access_log = config->access_log;
    self->graphiql = config->graphiql;
    self->metrics = dp_metrics_new ();
    //  A report not renewed within the liveness window is a peer gone.
    self->fleet = dp_fleet_new (config->liveness_ms > 0 ? config->liveness_ms : 3000);
    pthread_mutex_init (&self->ready_mutex, NULL);
    atomic_init (&self->admitted, 0);
    atomic_init (&self->connections, 0);
    atomic_init (&self->draining, false);
    self->limits.max_tokens = config->max_tokens;
    self->limits.max_depth = config->max_depth;
    self->execute_flags = config->debug_extension ? DP_EXECUTE_DEBUG : 0;
    self->trace_prefix = (uint32_t) randof (0x7fffffff) ^ (uint32_t) zclock_time ();
    atomic_init (&self->next_id, 1);

    //  CORS: a comma-separated list of origins, or "*".
    if (config->cors_origins && *config->cors_origins) {
        self->cors_text = strdup (config->cors_origins);
        char *saved = NULL;
        for (char *origin = strtok_r (self->cors_text, ", ", &saved); origin;
             origin = strtok_r (NULL, ", ", &saved)) {
            if (strcmp (origin, "*") == 0)
                self->cors_any = true;
            else
            if (self->n_cors_origins < S_MAX_ORIGINS)
                self->cors_origins [self->n_cors_origins++] = origin;
            else
                dp_warn ("gateway: more than %d CORS origins; %s ignored", S_MAX_ORIGINS, origin);
        }
    }

    //  Depot's schema, once, for validating every request.
    char err [256];
    if (!config->no_validation) {
        self->schema = dp_schema_depot (NULL, err, sizeof err);
        if (!self->schema) {
            dp_error ("gateway: schema: %s", err);
            s_self_destroy (&self);
            return NULL;
        }
        self->validate_limits = config->validate_limits;
        self->valid = dp_validation_cache_new (256, 64 * 1024);
    }

    //  Persisted queries: an allow-list from a manifest, or Apollo's APQ.
    if (config->persisted_queries && *config->persisted_queries) {
        self->persisted = dp_persisted_new (1);
        int loaded = dp_persisted_load_manifest (self->persisted, config->persisted_queries,
                                                 err, sizeof err);
        if (loaded < 0) {
            dp_error ("gateway: %s", err);
            s_self_destroy (&self);
            return NULL;
        }
        dp_info ("gateway: allow-list mode: %d registered operations from %s", loaded,
                 config->persisted_queries);
    }
    else
    if (config->apq_cache > 0)
        self->persisted = dp_persisted_new ((size_t) config->apq_cache);

    //  The verifier.
    if (!config->auth0_domain || !*config->auth0_domain) {
        dp_error ("gateway: AUTH0_DOMAIN is not set");
        s_self_destroy (&self);
        return NULL;
    }
    char *issuer = zsys_sprintf ("https://%s/", config->auth0_domain);
    self->jwt = dp_jwt_new (config->public_key_pem, issuer, config->auth0_audience,
                            config->jwt_leeway_s, err, sizeof err);
    zstr_free (&issuer);
    if (!self->jwt) {
        dp_error ("gateway: %s", err);
        s_self_destroy (&self);
        return NULL;
    }

    //  The broker.
    self->frontend_endpoint = zsys_sprintf ("inproc://dp-gateway-frontend-%p-%08" PRIx32,
                                            (void *) self, self->trace_prefix);
    dp_broker_config_t broker_config;
    dp_broker_config_defaults (&broker_config);
    broker_config.backend_endpoint = config->backend_endpoint;
    broker_config.frontend_endpoint = self->frontend_endpoint;
    broker_config.max_inflight = config->max_inflight;
    broker_config.heartbeat_ms = config->heartbeat_ms;
    broker_config.liveness_ms = config->liveness_ms;
    broker_config.grace_ms = self->deadline_ms / 4 + 1000;
    broker_config.stats = &self->broker_stats;
    broker_config.fleet = self->fleet;
    self->broker = dp_broker_actor_new (&broker_config);
    if (!self->broker) {
        s_self_destroy (&self);
        return NULL;
    }

    //  civetweb.
    int threads = config->threads > 0 ? config->threads : 64;
    self->threads = threads;
    if (config->max_inflight >= threads)
        dp_warn ("gateway: DEPOT_MAX_INFLIGHT (%d) >= DEPOT_THREADS (%d): a saturated "
                 "gateway cannot answer 503", config->max_inflight, threads);
    char ports [300], threads_text [16];
    if (config->listen_host && *config->listen_host)
        snprintf (ports, sizeof ports, "%s:%d", config->listen_host, config->port);
    else
        snprintf (ports, sizeof ports, "%d", config->port);
    snprintf (threads_text, sizeof threads_text, "%d", threads);
    char request_size [32], keep_alive [16];
    snprintf (keep_alive, sizeof keep_alive, "%d", self->keep_alive_ms);
    snprintf (request_size, sizeof request_size, "%zu", self->max_url + 16384);
    const char *options [] = {
        "listening_ports", ports,
        "num_threads", threads_text,
        "max_request_size", request_size,
        "access_control_allow_origin", "",      //  CORS is ours (DEPOT_CORS_ORIGINS)
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", keep_alive,
        "tcp_nodelay", "1",
        "request_timeout_ms", "30000",
        NULL
    };
    struct mg_callbacks callbacks;
    memset (&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = s_init_thread;
    callbacks.exit_thread = s_exit_thread;
    callbacks.init_connection = s_init_connection;
    callbacks.connection_close = s_connection_close;
    callbacks.log_message = s_log_message;
    callbacks.http_error = s_http_error;
    struct mg_init_data init = { &callbacks, self, options };
    unsigned error_code = 0;
    char error_text [256] = "";
    struct mg_error_data error = { &error_code, error_text, sizeof error_text };
    self->civet = mg_start2 (&init, &error);
    if (!self->civet) {
        dp_error ("gateway: cannot listen on %s: %s", ports, error_text);
        s_self_destroy (&self);
        return NULL;
    }
    mg_set_request_handler (self->civet, "**", s_handle_request, self);
    struct mg_server_port listening [4];
    int n = mg_get_server_ports (self->civet, 4, listening);
    self->port = n > 0 ? listening [0].port : config->port;
    dp_info ("gateway: listening on port %d, %d threads, backend %s", self->port, threads,
             config->backend_endpoint);
    return self;
}


//  --------------------------------------------------------------------------
//  The actor

//  The graceful stop's first half (see @discuss): admit nothing more and
//  wait, at most drain_ms, for the admitted requests to be answered.
static void
s_drain_requests (self_t *self)
{
    atomic_store (&self->draining, true);
    int64_t until = zclock_mono () + self->drain_ms;
    int admitted = atomic_load (&self->admitted);
    if (admitted > 0)
        dp_info ("gateway: draining, %d requests in flight", admitted);
    while ((admitted = atomic_load (&self->admitted)) > 0 && zclock_mono () < until)
        zclock_sleep (5);
    if (admitted > 0)
        dp_warn ("gateway: %d requests still in flight after %d ms; stopping anyway",
                 admitted, self->drain_ms);
}

void
dp_gateway_config_defaults (dp_gateway_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->port = 5005;
    config->backend_endpoint = "tcp://*:5556";
    config->max_body = 1024 * 1024;
    config->max_url = 8192;
    config->drain_ms = -1;
    config->keep_alive_ms = 5000;
    config->apq_cache = 10000;
    config->access_log = true;
    config->graphiql = true;
    config->threads = 64;
    config->max_inflight = 48;
    config->deadline_ms = 30000;
    config->max_tokens = 15000;
    config->max_depth = 64;
    dp_validate_limits_default (&config->validate_limits);
    config->jwt_leeway_s = 5;
    config->heartbeat_ms = 1000;
    config->liveness_ms = 3000;
}

zactor_t *
dp_gateway_actor_new (dp_gateway_config_t *config, int *port)
{
    assert (config);
    zactor_t *actor = zactor_new (dp_gateway_actor, config);
    //  The outcome comes as a message, not through config: the actor's thread
    //  writes nothing the caller's thread reads.
    int status = -1, bound_port = -1;
    if (actor && (zsock_recv (actor, "ii", &status, &bound_port) != 0 || status != 0))
        zactor_destroy (&actor);
    if (actor && port)
        *port = bound_port;
    return actor;
}

void
dp_gateway_actor (zsock_t *pipe, void *args)
{
    dp_gateway_config_t *config = (dp_gateway_config_t *) args;
    assert (config);
    self_t *self = s_self_new (pipe, config);
    if (!self) {
        OPENSSL_thread_stop ();
        zsock_signal (pipe, 0);
        zsock_send (pipe, "ii", -1, -1);
        return;
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "ii", 0, self->port);

    while (!self->terminated) {
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        char *command = zmsg_popstr (msg);
        assert (command);
        if (streq (command, "$TERM"))
            self->terminated = true;
        else
        if (streq (command, "PORT"))
            zsock_send (pipe, "i", self->port);
        else
        if (streq (command, "STATUS")) {
            int resolvers = 0, credit = 0, inflight = 0, queued = 0;
            zstr_send (self->broker, "STATUS");
            zsock_recv (self->broker, "iiii", &resolvers, &credit, &inflight, &queued);
            zsock_send (pipe, "iiii", resolvers, credit, inflight, queued);
        }
        else
        if (streq (command, "VERBOSE"))
            zstr_send (self->broker, "VERBOSE");
        else {
            dp_error ("gateway: invalid pipe command '%s'", command);
            assert (false);
        }
        zstr_free (&command);
        zmsg_destroy (&msg);
    }
    s_drain_requests (self);
    s_self_destroy (&self);
    //  CZMQ's actor threads are detached: free this thread's OpenSSL state
    //  (dp_jwt_new used it) now, not at some point after zactor_destroy
    //  has returned.
    OPENSSL_thread_stop ();
}


//  --------------------------------------------------------------------------
//  Selftest: the actor on a free port, a real resolver peer on the backend,
//  and real HTTP/1.1 over TCP from a small client.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define S_TEST_DOMAIN    "depot-test.eu.auth0.com"
#define S_TEST_AUDIENCE  "boxtribute-dev-api"
#define S_TEST_BACKEND   "inproc://dp-gateway-test-backend"

//  The test resolver: a DEALER on the backend that says READY{credit},
//  heartbeats, and answers each EXECUTE with a RESULT echoing what it was
//  given. A query containing "sleep(ms: N)" is answered N ms later; one
//  containing "die" makes the peer drop its socket without a word. A
//  CANCEL is answered at once with ERROR 499, as a resolver does.
typedef struct {
    zsock_t *pipe;
    zsock_t *dealer;
    int executes;                   //  EXECUTEs received
    int cancels;                    //  CANCELs received for requests it held
    zlistx_t *pending;              //  s_pending_t, answers due later
    bool dead;
} s_peer_t;

typedef struct {
    int64_t due;                    //  zclock_mono
    uint64_t id;
    char *json;
} s_pending_t;

static void
s_peer_send (s_peer_t *peer, dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_msg_encode (msg, &buf);
    assert (rc == 0);
    //  Never block: once the gateway under test is gone the DEALER has no peer,
    //  and a blocking send would keep the peer from ever reading its $TERM.
    zmq_send (zsock_resolve (peer->dealer), buf.data, buf.size, ZMQ_DONTWAIT);
    msgpack_sbuffer_destroy (&buf);
}

static void
s_peer_simple (s_peer_t *peer, dp_msg_type_t type, uint32_t credit)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = type, .trace_id = "" };
    msg.u.ready.credit = credit;
    s_peer_send (peer, &msg);
}

static void
s_peer_execute (s_peer_t *peer, dp_msg_t *execute)
{
    peer->executes++;
    const char *query = execute->u.execute.query;
    if (strstr (query, "die")) {
        zsock_destroy (&peer->dealer);
        peer->dead = true;
        return;
    }
    const dp_identity_t *identity = &execute->u.execute.identity;
    json_t *echo = json_pack ("{s:{s:I,s:I,s:b,s:i,s:i,s:s,s:s?,s:s?}}", "data",
                              "user", (json_int_t) identity->user_id,
                              "organisation", (json_int_t) identity->organisation_id,
                              "god", identity->god,
                              "permissions", (int) identity->n_permissions,
                              "queryLength", (int) execute->u.execute.query_len,
                              "trace", execute->trace_id,
                              "operation", execute->u.execute.operation_name,
                              "variables", execute->u.execute.variables_json);
    assert (echo);
    s_pending_t *pending = (s_pending_t *) zmalloc (sizeof (s_pending_t));
    pending->id = execute->id;
    pending->json = json_dumps (echo, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref (echo);
    const char *sleep = strstr (query, "sleep(ms: ");
    pending->due = zclock_mono () + (sleep ? atoi (sleep + 10) : 0);
    zlistx_add_end (peer->pending, pending);
}

static void
s_peer_cancel (s_peer_t *peer, uint64_t id)
{
    for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer->pending); pending;
         pending = (s_pending_t *) zlistx_next (peer->pending))
        if (pending->id == id) {
            dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = id,
                             .trace_id = "" };
            msg.u.error.status = DP_STATUS_CANCELLED;
            msg.u.error.message = "cancelled";
            s_peer_send (peer, &msg);
            zlistx_delete (peer->pending, zlistx_cursor (peer->pending));
            free (pending->json);
            free (pending);
            peer->cancels++;
            return;
        }
}

static void
s_peer_flush (s_peer_t *peer)
{
    int64_t now = zclock_mono ();
    bool again = true;
    while (again) {
        again = false;
        for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer->pending); pending;
             pending = (s_pending_t *) zlistx_next (peer->pending)) {
            if (pending->due > now)
                continue;
            if (!peer->dead) {
                dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_RESULT,
                                 .id = pending->id, .trace_id = "" };
                msg.u.result.http_status = 200;
                msg.u.result.json = pending->json;
                msg.u.result.json_len = (uint32_t) strlen (pending->json);
                s_peer_send (peer, &msg);
            }
            zlistx_delete (peer->pending, zlistx_cursor (peer->pending));
            free (pending->json);
            free (pending);
            again = true;
            break;
        }
    }
}

static void
s_peer_actor (zsock_t *pipe, void *args)
{
    s_peer_t peer = { .pipe = pipe };
    peer.dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (peer.dealer, 0);
    int rc = zsock_connect (peer.dealer, "%s", (const char *) args);
    assert (rc == 0);
    peer.pending = zlistx_new ();
    s_peer_simple (&peer, DP_MSG_READY, 2);
    zsock_signal (pipe, 0);

    dp_arena_t *arena = dp_arena_new (0);
    int64_t heartbeat_at = zclock_mono () + 100;
    bool terminated = false;
    while (!terminated) {
        zmq_pollitem_t items [2] = {
            { zsock_resolve (pipe), 0, ZMQ_POLLIN, 0 },
            { peer.dead ? NULL : zsock_resolve (peer.dealer), 0, ZMQ_POLLIN, 0 }
        };
        zmq_poll (items, peer.dead ? 1 : 2, 10);
        if (items [0].revents & ZMQ_POLLIN) {
            char *command = zstr_recv (pipe);
            if (command && streq (command, "$TERM"))
                terminated = true;
            else
            if (command && streq (command, "COUNT"))
                zsock_send (pipe, "i", peer.executes);
            else
            if (command && streq (command, "CANCELS"))
                zsock_send (pipe, "i", peer.cancels);
            zstr_free (&command);
        }
        if (!peer.dead && (items [1].revents & ZMQ_POLLIN)) {
            zframe_t *frame = zframe_recv (peer.dealer);
            dp_msg_t msg;
            char err [128];
            dp_arena_reset (arena);
            if (frame && dp_msg_decode (zframe_data (frame), zframe_size (frame), arena,
                                        &msg, err, sizeof err) == 0
            &&  msg.type == DP_MSG_EXECUTE)
                s_peer_execute (&peer, &msg);
            else
            if (frame && msg.type == DP_MSG_CANCEL)
                s_peer_cancel (&peer, msg.id);
            zframe_destroy (&frame);
        }
        if (!peer.dead && zclock_mono () >= heartbeat_at) {
            s_peer_simple (&peer, DP_MSG_HEARTBEAT, 0);
            heartbeat_at = zclock_mono () + 100;
        }
        s_peer_flush (&peer);
    }
    for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer.pending); pending;
         pending = (s_pending_t *) zlistx_next (peer.pending)) {
        free (pending->json);
        free (pending);
    }
    zlistx_destroy (&peer.pending);
    dp_arena_destroy (&arena);
    zsock_destroy (&peer.dealer);
}

static int
s_peer_count (zactor_t *peer)
{
    int count = -1;
    zstr_send (peer, "COUNT");
    zsock_recv (peer, "i", &count);
    return count;
}

static int
s_peer_cancels (zactor_t *peer)
{
    int count = -1;
    zstr_send (peer, "CANCELS");
    zsock_recv (peer, "i", &count);
    return count;
}

//  A tiny HTTP/1.1 client.
typedef struct {
    int status;
    char head [4096];               //  status line and headers
    char *body;                     //  NUL-terminated
    size_t body_len;
} s_response_t;

//  strstr ignoring ASCII case.
static const char *
s_find_case (const char *haystack, const char *needle)
{
    size_t len = strlen (needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp (p, needle, len) == 0)
            return p;
    return NULL;
}

static int
s_connect (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert (fd >= 0);
    struct timeval timeout = { 10, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int rc = connect (fd, (struct sockaddr *) &address, sizeof address);
    assert (rc == 0);
    return fd;
}

static void
s_write_all (int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;                 //  the server closed; the response says why
        data += n;
        len -= (size_t) n;
    }
}

//  Read one response. Returns 0, or -1 when the connection ended first.
static int
s_read_response (int fd, s_response_t *response)
{
    memset (response, 0, sizeof *response);
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have == sizeof response->head - 1)
            return -1;
        ssize_t n = recv (fd, response->head + have, 1, 0);
        if (n <= 0)
            return -1;
        have++;
        response->head [have] = 0;
        end = strstr (response->head, "\r\n\r\n");
    }
    response->status = atoi (response->head + 9);
    const char *length = s_find_case (response->head, "\r\nContent-Length:");
    assert (length || response->status == 204);
    response->body_len = length ? (size_t) atol (length + 17) : 0;
    response->body = (char *) calloc (1, response->body_len + 1);
    size_t got = 0;
    while (got < response->body_len) {
        ssize_t n = recv (fd, response->body + got, response->body_len - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t) n;
    }
    return 0;
}

//  Send one request on fd; headers are extra lines each ending in CRLF.
static void
s_send_request (int fd, const char *method, const char *path, const char *headers,
                const char *body, bool close)
{
    char *head = zsys_sprintf ("%s %s HTTP/1.1\r\nHost: localhost\r\n%s%s"
                               "Content-Length: %zu\r\n\r\n", method, path,
                               close ? "Connection: close\r\n" : "", headers ? headers : "",
                               body ? strlen (body) : 0);
    s_write_all (fd, head, strlen (head));
    zstr_free (&head);
    if (body)
        s_write_all (fd, body, strlen (body));
}

static void
s_request (int port, const char *method, const char *path, const char *headers,
           const char *body, s_response_t *response)
{
    int fd = s_connect (port);
    s_send_request (fd, method, path, headers, body, true);
    int rc = s_read_response (fd, response);
    assert (rc == 0);
    close (fd);
}

static void
s_response_free (s_response_t *response)
{
    free (response->body);
    response->body = NULL;
}

static const char *
s_header (s_response_t *response, const char *name)
{
    char key [128];
    snprintf (key, sizeof key, "\r\n%s:", name);
    const char *at = s_find_case (response->head, key);
    return at ? at + strlen (key) + 1 : NULL;
}

//  Assert the status and that the body holds fragment.
static void
s_expect (s_response_t *response, int status, const char *fragment)
{
    if (response->status != status || (fragment && !strstr (response->body, fragment))) {
        fprintf (stderr, "expected %d with %s, got:\n%s%s\n", status, fragment ? fragment : "-",
                 response->head, response->body);
        assert (false);
    }
    const char *type = s_header (response, "Content-Type");
    assert (type && (strncmp (type, "application/json", 16) == 0
                  || strncmp (type, "application/graphql-response+json", 33) == 0));
    //  Every body is JSON.
    json_t *json = json_loads (response->body, 0, NULL);
    assert (json_is_object (json));
    json_decref (json);
}

static char *
s_mint (const char *private_pem, const char *alg, int64_t exp_offset, const char *audience)
{
    int64_t now = (int64_t) time (NULL);
    char *payload = zsys_sprintf (
        "{\"sub\":\"auth0|8\",\"iss\":\"https://" S_TEST_DOMAIN "/\",\"aud\":\"%s\","
        "\"exp\":%" PRId64 ",\"iat\":%" PRId64 ","
        "\"" DP_JWT_CLAIM_PREFIX "organisation_id\":1,"
        "\"" DP_JWT_CLAIM_PREFIX "base_ids\":[1],"
        "\"" DP_JWT_CLAIM_PREFIX "roles\":[\"base_1_coordinator\"],"
        "\"" DP_JWT_CLAIM_PREFIX "permissions\":[\"base_1/stock:write\",\"base_1/location:read\"],"
        "\"" DP_JWT_CLAIM_PREFIX "beta_user\":99}", audience, now + exp_offset, now);
    char err [256];
    char *token = dp_jwt_sign (alg, private_pem, strlen (private_pem), payload, err, sizeof err);
    assert (token);
    zstr_free (&payload);
    return token;
}

static void
s_wait_resolvers (zactor_t *gateway, int n)
{
    for (int i = 0; i < 400; i++) {
        int resolvers = -1, credit, inflight, queued;
        zstr_send (gateway, "STATUS");
        zsock_recv (gateway, "iiii", &resolvers, &credit, &inflight, &queued);
        if (resolvers == n)
            return;
        zclock_sleep (5);
    }
    assert (false);
}

//  GET, Accept, 406, 414, CORS, persisted queries, /readyz, /metrics and
//  GraphiQL against the running gateway (and its echoing peer).
static void
s_more_http_test (zactor_t *gateway, int port, const char *auth, zactor_t *peer)
{
    s_response_t response;
    char headers [4400];
    int executes = s_peer_count (peer);

    //  GET: the query string reaches the resolver; a mutation is refused.
    s_request (port, "GET", "/graphql?query=%7B%20base(id%3A%201)%20%7B%20name%20%7D%20%7D"
               "&variables=%7B%22x%22%3A1%7D", auth, NULL, &response);
    s_expect (&response, 200, "\"queryLength\":24");
    assert (strstr (response.body, "\"variables\":\"{\\\"x\\\":1}\""));
    s_response_free (&response);
    s_request (port, "GET", "/graphql?query=mutation%20%7B%20a%20%7D", auth, NULL, &response);
    s_expect (&response, 405, "Only queries");
    assert (strncmp (s_header (&response, "Allow"), "POST", 4) == 0);
    s_response_free (&response);
    s_request (port, "GET", "/graphql", NULL, NULL, &response);
    s_expect (&response, 401, "authorization_header_missing");
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 1);

    //  Accept: the answer has the type asked for; 406 when no JSON type is.
    snprintf (headers, sizeof headers, "%sAccept: application/graphql-response+json\r\n", auth);
    s_request (port, "POST", "/graphql", headers, "{\"query\":\"{ a }\"}", &response);
    s_expect (&response, 200, "\"data\"");
    assert (strncmp (s_header (&response, "Content-Type"),
                     "application/graphql-response+json; charset=utf-8", 48) == 0);
    s_response_free (&response);
    snprintf (headers, sizeof headers, "%sAccept: text/plain\r\n", auth);
    s_request (port, "POST", "/graphql", headers, "{\"query\":\"{ a }\"}", &response);
    s_expect (&response, 406, "Not acceptable");
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 2);

    //  414: the request target over max_url (8192 by default), any route.
    char *long_url = (char *) malloc (10050);
    strcpy (long_url, "/graphql?query=");
    memset (long_url + 15, 'a', 10000);
    long_url [10015] = 0;
    s_request (port, "GET", long_url, auth, NULL, &response);
    s_expect (&response, 414, "URI too long.");
    s_response_free (&response);
    free (long_url);

    //  CORS: no origins configured, no CORS headers; a plain OPTIONS says
    //  what is allowed.
    s_request (port, "POST", "/graphql", "Origin: https://app.example\r\n", "{}", &response);
    assert (!s_header (&response, "Access-Control-Allow-Origin"));
    s_response_free (&response);
    s_request (port, "OPTIONS", "/graphql", NULL, NULL, &response);
    assert (response.status == 204 && strncmp (s_header (&response, "Allow"), "GET, POST", 9) == 0);
    s_response_free (&response);

    //  Automatic persisted queries: the hash alone is unknown at first
    //  (PersistedQueryNotFound), then registered with its query, then
    //  enough; a hash that does not match its query is refused.
    char hash [65];
    const char *text = "{ persisted }";
    dp_http_sha256_hex (text, strlen (text), hash);
    char body [600];
    snprintf (body, sizeof body, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
              "\"sha256Hash\":\"%s\"}}}", hash);
    s_request (port, "POST", "/graphql", auth, body, &response);
    s_expect (&response, 200, "\"PERSISTED_QUERY_NOT_FOUND\"");
    assert (strstr (response.body, "PersistedQueryNotFound"));
    s_response_free (&response);
    snprintf (body, sizeof body, "{\"query\":\"%s\",\"extensions\":{\"persistedQuery\":"
              "{\"version\":1,\"sha256Hash\":\"%s\"}}}", text, hash);
    s_request (port, "POST", "/graphql", auth, body, &response);
    s_expect (&response, 200, "\"queryLength\":13");
    s_response_free (&response);
    char get [400];
    snprintf (get, sizeof get, "/graphql?extensions=%%7B%%22persistedQuery%%22%%3A%%7B%%22version"
              "%%22%%3A1%%2C%%22sha256Hash%%22%%3A%%22%s%%22%%7D%%7D", hash);
    s_request (port, "GET", get, auth, NULL, &response);
    s_expect (&response, 200, "\"queryLength\":13");
    s_response_free (&response);
    snprintf (body, sizeof body, "{\"query\":\"{ other }\",\"extensions\":{\"persistedQuery\":"
              "{\"version\":1,\"sha256Hash\":\"%s\"}}}", hash);
    s_request (port, "POST", "/graphql", auth, body, &response);
    s_expect (&response, 400, "provided sha does not match query");
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 4);

    //  /readyz: the probe went through the resolver (the echo answers 200).
    s_request (port, "GET", "/readyz", NULL, NULL, &response);
    s_expect (&response, 200, "\"status\":\"ready\"");
    assert (strstr (response.body, "\"resolvers\":1"));
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 5);
    //  Within a second the answer is reused: no second probe.
    s_request (port, "GET", "/readyz", NULL, NULL, &response);
    s_expect (&response, 200, "\"status\":\"ready\"");
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 5);

    //  /metrics: Prometheus text that counted what happened above.
    s_request (port, "GET", "/metrics", NULL, NULL, &response);
    assert (response.status == 200);
    assert (strncmp (s_header (&response, "Content-Type"), "text/plain; version=0.0.4", 25) == 0);
    assert (strstr (response.body, "depot_gateway_http_requests_total{route=\"graphql\",code=\"414\","
                                   "outcome=\"uri_too_long\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_http_requests_total{route=\"graphql\",code=\"406\","
                                   "outcome=\"not_acceptable\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"miss\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"registered\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"hit\"} 1\n"));
    assert (strstr (response.body, "depot_gateway_persisted_queries_total{result=\"refused\"} 1\n"));
    assert (strstr (response.body, "depot_broker_resolvers 1\n"));
    assert (strstr (response.body, "depot_gateway_ready 1\n"));
    assert (strstr (response.body, "depot_gateway_http_requests_in_flight 1\n"));    //  this one
    s_response_free (&response);

    //  GraphiQL: a browser's GET gets the page; its assets are served.
    s_request (port, "GET", "/graphql", "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n",
               NULL, &response);
    if (dp_graphiql_available ()) {
        assert (response.status == 200);
        assert (strncmp (s_header (&response, "Content-Type"), "text/html", 9) == 0);
        assert (strstr (response.body, "/graphiql/graphiql.min.js"));
        assert (strstr (s_header (&response, "Content-Security-Policy"), "default-src 'self'"));
        s_response_free (&response);
        s_request (port, "GET", "/graphiql/depot.js", NULL, NULL, &response);
        assert (response.status == 200 && strstr (response.body, "createFetcher"));
    }
    else
        s_expect (&response, 404, "not built into this gateway");
    s_response_free (&response);
    s_request (port, "GET", "/graphiql/nothing.js", NULL, NULL, &response);
    s_expect (&response, 404, NULL);
    s_response_free (&response);
    assert (s_peer_count (peer) == executes + 5);
}

//  A second gateway: CORS for one origin, an allow-list, and a graceful
//  stop that waits for the request in flight.
static void
s_cors_allow_list_test (dp_gateway_config_t *base, const char *auth)
{
    char manifest_path [] = "/tmp/dp_gateway_test-XXXXXX";
    int fd = mkstemp (manifest_path);
    assert (fd >= 0);
    char hash [65], slow [65], manifest [400];
    dp_http_sha256_hex ("{ listed }", 10, hash);
    dp_http_sha256_hex ("{ sleep(ms: 400) }", 18, slow);
    int len = snprintf (manifest, sizeof manifest, "{\"%s\":\"{ listed }\",\"%s\":"
                        "\"{ sleep(ms: 400) }\"}", hash, slow);
    assert (write (fd, manifest, (size_t) len) == len);
    close (fd);
    dp_gateway_config_t config = *base;
    config.backend_endpoint = "inproc://dp-gateway-test-backend-3";
    config.cors_origins = "https://app.example, https://other.example";
    config.persisted_queries = manifest_path;
    int port = 0;
    zactor_t *gateway = dp_gateway_actor_new (&config, &port);
    assert (gateway);
    zactor_t *peer = zactor_new (s_peer_actor, (void *) "inproc://dp-gateway-test-backend-3");
    s_wait_resolvers (gateway, 1);
    s_response_t response;
    char headers [4400];

    //  CORS: the allowed origin is echoed; another gets nothing; the
    //  preflight answers without a token.
    snprintf (headers, sizeof headers, "%sOrigin: https://app.example\r\n", auth);
    s_request (port, "POST", "/graphql", headers, "{\"query\":\"{ listed }\"}", &response);
    s_expect (&response, 200, "\"queryLength\":10");
    assert (strncmp (s_header (&response, "Access-Control-Allow-Origin"), "https://app.example\r", 20) == 0);
    assert (strncmp (s_header (&response, "Vary"), "Origin", 6) == 0);
    s_response_free (&response);
    snprintf (headers, sizeof headers, "%sOrigin: https://evil.example\r\n", auth);
    s_request (port, "POST", "/graphql", headers, "{\"query\":\"{ listed }\"}", &response);
    assert (response.status == 200 && !s_header (&response, "Access-Control-Allow-Origin"));
    s_response_free (&response);
    s_request (port, "OPTIONS", "/graphql", "Origin: https://other.example\r\n"
               "Access-Control-Request-Method: POST\r\n"
               "Access-Control-Request-Headers: authorization, content-type\r\n", NULL, &response);
    if (response.status != 204)
        fprintf (stderr, "%s%s\n", response.head, response.body);
    assert (response.status == 204);
    assert (strncmp (s_header (&response, "Access-Control-Allow-Origin"), "https://other.example", 21) == 0);
    assert (strstr (s_header (&response, "Access-Control-Allow-Headers"), "Authorization"));
    assert (strstr (s_header (&response, "Access-Control-Allow-Methods"), "POST"));
    s_response_free (&response);
    s_request (port, "OPTIONS", "/graphql", "Origin: https://evil.example\r\n"
               "Access-Control-Request-Method: POST\r\n", NULL, &response);
    s_expect (&response, 403, "Origin not allowed.");
    s_response_free (&response);

    //  Allow-list: the listed operation runs by text or by hash; any other
    //  text is refused, and nothing is registered.
    s_request (port, "POST", "/graphql", auth, "{\"query\":\"{ unlisted }\"}", &response);
    s_expect (&response, 200, "\"PERSISTED_QUERY_NOT_IN_LIST\"");
    s_response_free (&response);
    char body [400];
    snprintf (body, sizeof body, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
              "\"sha256Hash\":\"%s\"}}}", hash);
    s_request (port, "POST", "/graphql", auth, body, &response);
    s_expect (&response, 200, "\"queryLength\":10");
    s_response_free (&response);
    assert (s_peer_count (peer) == 3);

    //  Graceful stop: a request in flight when $TERM comes is answered in
    //  full before the gateway stops.
    fd = s_connect (port);
    s_send_request (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 400) }\"}", false);
    zclock_sleep (100);
    int64_t started = zclock_mono ();
    zactor_destroy (&gateway);
    assert (zclock_mono () - started >= 200);           //  it waited for the request
    assert (s_read_response (fd, &response) == 0);
    s_expect (&response, 200, "\"queryLength\":18");
    assert (strstr (s_header (&response, "Connection"), "close"));
    s_response_free (&response);
    close (fd);
    zactor_destroy (&peer);
    remove (manifest_path);
}

void
dp_gateway_test (bool verbose)
{
    dp_gateway_options_test (verbose);
    printf (" * dp_gateway: ");
    //  Keys made here: one right, one wrong.
    char *pems [2], *public_pem = NULL;
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *key = EVP_RSA_gen (2048);
        assert (key);
        BIO *bio = BIO_new (BIO_s_mem ());
        PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL);
        char *data;
        long n = BIO_get_mem_data (bio, &data);
        pems [i] = strndup (data, (size_t) n);
        BIO_free (bio);
        if (i == 0) {
            bio = BIO_new (BIO_s_mem ());
            PEM_write_bio_PUBKEY (bio, key);
            n = BIO_get_mem_data (bio, &data);
            public_pem = strndup (data, (size_t) n);
            BIO_free (bio);
        }
        EVP_PKEY_free (key);
    }

    dp_gateway_config_t config;
    dp_gateway_config_defaults (&config);
    config.listen_host = "127.0.0.1";
    config.port = 0;
    config.backend_endpoint = S_TEST_BACKEND;
    config.auth0_domain = S_TEST_DOMAIN;
    config.auth0_audience = S_TEST_AUDIENCE;
    config.public_key_pem = public_pem;
    config.max_body = 2000;
    config.threads = 8;
    config.max_inflight = 3;
    config.deadline_ms = 1500;
    config.heartbeat_ms = 100;
    config.liveness_ms = 400;
    config.no_validation = true;    //  the fake resolver answers made-up queries ({ sleep(ms: 400) })

    //  Start-up failures are reported, not fatal: a bad key...
    dp_gateway_config_t bad = config;
    bad.public_key_pem = "nonsense";
    assert (dp_gateway_actor_new (&bad, NULL) == NULL);

    int port = 0;
    zactor_t *gateway = dp_gateway_actor_new (&config, &port);
    assert (gateway);
    assert (port > 0);
    zstr_send (gateway, "PORT");
    int asked = 0;
    zsock_recv (gateway, "i", &asked);
    assert (asked == port);
    if (verbose)
        zstr_send (gateway, "VERBOSE");

    //  ...and a port already in use.
    bad = config;
    bad.port = port;
    bad.backend_endpoint = "inproc://dp-gateway-test-backend-2";
    assert (dp_gateway_actor_new (&bad, NULL) == NULL);

    char *token = s_mint (pems [0], "RS256", 600, S_TEST_AUDIENCE);
    char auth [4096];
    snprintf (auth, sizeof auth, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n", token);
    const char *query = "{\"query\":\"{ base(id: 1) { name } }\"}";
    s_response_t response;

    //  No resolver connected: 503 with Retry-After.
    s_request (port, "POST", "/graphql", auth, query, &response);
    s_expect (&response, 503, "Service overloaded, retry later.");
    assert (s_header (&response, "Retry-After") && atoi (s_header (&response, "Retry-After")) == 1);
    s_response_free (&response);

    zactor_t *peer = zactor_new (s_peer_actor, (void *) S_TEST_BACKEND);
    s_wait_resolvers (gateway, 1);

    //  The 200 path: the resolver saw the verified identity and the query.
    s_request (port, "POST", "/graphql", auth, query, &response);
    s_expect (&response, 200, "\"user\":8");
    assert (strstr (response.body, "\"queryLength\":24"));
    assert (strstr (response.body, "\"organisation\":1"));
    assert (strstr (response.body, "\"permissions\":3"));     //  stock:write, stock:read, location:read
    assert (strstr (response.body, "\"god\":false"));
    assert (s_header (&response, "X-Request-Id"));
    s_response_free (&response);
    assert (s_peer_count (peer) == 1);

    //  Operation name and variables travel; variables are compact JSON.
    s_request (port, "POST", "/graphql", auth,
               "{\"query\":\"query A($x: Int) { a(x: $x) } query B { b }\",\"operationName\":\"A\","
               "\"variables\": { \"x\" : 5 }}", &response);
    s_expect (&response, 200, "\"operation\":\"A\"");
    assert (strstr (response.body, "\"variables\":\"{\\\"x\\\":5}\""));
    s_response_free (&response);

    //  Keep-alive: two requests on one connection; the trace id is ours to give.
    int fd = s_connect (port);
    char traced [4200];
    snprintf (traced, sizeof traced, "%sX-Request-Id: trace-42\r\n", auth);
    for (int i = 0; i < 2; i++) {
        s_send_request (fd, "POST", "/graphql", traced, query, false);
        assert (s_read_response (fd, &response) == 0);
        s_expect (&response, 200, "\"trace\":\"trace-42\"");
        assert (strstr (s_header (&response, "Connection"), "keep-alive"));
        s_response_free (&response);
    }
    close (fd);
    assert (s_peer_count (peer) == 4);

    //  401s, and none of them reaches the resolver.
    s_request (port, "POST", "/graphql", "Content-Type: application/json\r\n", query, &response);
    s_expect (&response, 401, "\"code\":\"authorization_header_missing\"");
    assert (strstr (response.body, "\"description\":\"Authorization header is expected\""));
    s_response_free (&response);
    s_request (port, "POST", "/graphql", "Authorization: Bearer abc.def.ghi\r\n", query, &response);
    s_expect (&response, 401, "\"code\":\"invalid_header\"");
    s_response_free (&response);
    s_request (port, "POST", "/graphql", "Authorization: Token x\r\n", query, &response);
    s_expect (&response, 401, "Authorization header must start with Bearer");
    s_response_free (&response);
    const char *bad_tokens [4][3] = {
        { pems [1], "RS256", "invalid_header" },        //  wrong key
        { pems [0], "RS512", "invalid_header" },        //  wrong alg
        { pems [0], "none", "invalid_header" },
        { pems [0], "RS256", "token_expired" },
    };
    for (int i = 0; i < 4; i++) {
        char *bad_token = s_mint (bad_tokens [i][0], bad_tokens [i][1], i == 3 ? -60 : 600,
                                  S_TEST_AUDIENCE);
        char header [4096];
        snprintf (header, sizeof header, "Authorization: Bearer %s\r\n", bad_token);
        s_request (port, "POST", "/graphql", header, query, &response);
        char code [64];
        snprintf (code, sizeof code, "\"code\":\"%s\"", bad_tokens [i][2]);
        s_expect (&response, 401, code);
        s_response_free (&response);
        zstr_free (&bad_token);
    }
    char *other_audience = s_mint (pems [0], "RS256", 600, "someone-else");
    char header [4096];
    snprintf (header, sizeof header, "Authorization: Bearer %s\r\n", other_audience);
    s_request (port, "POST", "/graphql", header, query, &response);
    s_expect (&response, 401, "\"code\":\"invalid_claims\"");
    s_response_free (&response);
    zstr_free (&other_audience);
    //  Refused before the body is read: a 401 for an oversize body, too.
    //  (5000 bytes: over max_body, within what the gateway drains, so the
    //  connection ends cleanly and the client surely reads the answer.)
    char *big = (char *) malloc (5001);
    memset (big, 'x', 5000);
    big [5000] = 0;
    s_request (port, "POST", "/graphql", "Content-Type: application/json\r\n", big, &response);
    s_expect (&response, 401, "authorization_header_missing");
    s_response_free (&response);
    assert (s_peer_count (peer) == 4);

    //  413: announced too large, or growing too large in chunks.
    s_request (port, "POST", "/graphql", auth, big, &response);
    s_expect (&response, 413, "Request body too large.");
    s_response_free (&response);
    fd = s_connect (port);
    char head [4500];
    snprintf (head, sizeof head, "POST /graphql HTTP/1.1\r\nHost: localhost\r\n%s"
              "Transfer-Encoding: chunked\r\n\r\n", auth);
    s_write_all (fd, head, strlen (head));
    for (int i = 0; i < 5; i++)
        s_write_all (fd, "3e8\r\n", 5), s_write_all (fd, big, 1000), s_write_all (fd, "\r\n", 2);
    s_write_all (fd, "0\r\n\r\n", 5);
    assert (s_read_response (fd, &response) == 0);
    s_expect (&response, 413, "Request body too large.");
    s_response_free (&response);
    close (fd);
    //  A chunked body within the limit is fine.
    fd = s_connect (port);
    s_write_all (fd, head, strlen (head));
    snprintf (head, sizeof head, "%zx\r\n%s\r\n0\r\n\r\n", strlen (query), query);
    s_write_all (fd, head, strlen (head));
    assert (s_read_response (fd, &response) == 0);
    s_expect (&response, 200, "\"queryLength\":24");
    s_response_free (&response);
    close (fd);
    free (big);

    //  400s: JSON, syntax (with line and column), operation selection.
    s_request (port, "POST", "/graphql", auth, "{\"query\": ", &response);
    s_expect (&response, 400, "JSON");
    s_response_free (&response);
    char graphql_auth [4200];
    snprintf (graphql_auth, sizeof graphql_auth, "%sAccept: application/graphql-response+json\r\n", auth);
    s_request (port, "POST", "/graphql", graphql_auth, "{\"query\":\"{\\n  base(id: 1) {\"}", &response);
    s_expect (&response, 400, "Syntax Error: Expected Name, found <EOF>.");
    assert (strncmp (s_header (&response, "Content-Type"), "application/graphql-response+json", 33) == 0);
    assert (!strstr (response.body, "\"data\""));
    assert (strstr (response.body, "\"locations\":[{\"column\":16,\"line\":2}]"));
    s_response_free (&response);
    s_request (port, "POST", "/graphql", graphql_auth, "{\"query\":\"query A { a } query B { b }\"}", &response);
    s_expect (&response, 400, "Must provide operation name");
    s_response_free (&response);
    //  With application/json (and without Accept) a GraphQL request error
    //  is 200; a malformed request stays 400 (GraphQL over HTTP, 6.4.1).
    s_request (port, "POST", "/graphql", auth, "{\"query\":\"{\"}", &response);
    s_expect (&response, 200, "Syntax Error");
    assert (strncmp (s_header (&response, "Content-Type"), "application/json", 16) == 0);
    s_response_free (&response);
    s_request (port, "POST", "/graphql", graphql_auth, "{ \"not a JSON", &response);
    s_expect (&response, 400, "invalid JSON");
    s_response_free (&response);
    s_request (port, "POST", "/graphql", auth, "{}", &response);
    s_expect (&response, 400, "Must provide query string.");
    s_response_free (&response);
    //  415: not JSON.
    snprintf (header, sizeof header, "Authorization: Bearer %s\r\nContent-Type: text/plain\r\n", token);
    s_request (port, "POST", "/graphql", header, query, &response);
    s_expect (&response, 415, "Content-Type");
    s_response_free (&response);
    assert (s_peer_count (peer) == 5);

    //  Liveness needs no token.
    s_request (port, "GET", "/healthz", NULL, NULL, &response);
    s_expect (&response, 200, "\"status\":\"ok\"");
    s_response_free (&response);

    //  404 and 405.
    s_request (port, "GET", "/nothing", NULL, NULL, &response);
    s_expect (&response, 404, "Not found.");
    s_response_free (&response);
    s_request (port, "POST", "/graphql/x", auth, query, &response);
    s_expect (&response, 404, NULL);
    s_response_free (&response);
    s_request (port, "DELETE", "/graphql", auth, NULL, &response);
    s_expect (&response, 405, NULL);
    assert (s_header (&response, "Allow")
            && strncmp (s_header (&response, "Allow"), "GET, POST, OPTIONS", 18) == 0);
    s_response_free (&response);
    s_request (port, "POST", "/healthz", NULL, "{}", &response);
    s_expect (&response, 405, NULL);
    s_response_free (&response);

    s_more_http_test (gateway, port, auth, peer);

    //  A resolver slower than the deadline: 504. Its late answer reaches
    //  the same worker thread (same keep-alive connection) and is dropped:
    //  the next request gets its own answer.
    fd = s_connect (port);
    s_send_request (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 1800) }\"}", false);
    assert (s_read_response (fd, &response) == 0);
    s_expect (&response, 504, NULL);
    s_response_free (&response);
    zclock_sleep (500);             //  the late RESULT arrives meanwhile
    s_send_request (fd, "POST", "/graphql", auth, query, false);
    assert (s_read_response (fd, &response) == 0);
    s_expect (&response, 200, "\"queryLength\":24");
    s_response_free (&response);
    close (fd);

    //  A client's shorter deadline (X-Request-Timeout-Ms) on a request the
    //  resolver answers after 1000 ms: 504 after about 300 ms, not at the
    //  gateway's 1500. A longer one is capped, so it changes nothing; a
    //  malformed one is 400 before anything reaches a resolver.
    char timeout_headers [4400];
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 300\r\n", auth);
    int64_t asked_at = zclock_mono ();
    s_request (port, "POST", "/graphql", timeout_headers, "{\"query\":\"{ sleep(ms: 1000) }\"}",
               &response);
    int64_t asked_ms = zclock_mono () - asked_at;
    s_expect (&response, 504, "deadline");
    s_response_free (&response);
    assert (asked_ms >= 290 && asked_ms < 900);
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 99999999\r\n", auth);
    s_request (port, "POST", "/graphql", timeout_headers, query, &response);
    s_expect (&response, 200, "\"queryLength\":24");
    s_response_free (&response);
    int before = s_peer_count (peer);
    snprintf (timeout_headers, sizeof timeout_headers, "%sX-Request-Timeout-Ms: 0.5\r\n", auth);
    s_request (port, "POST", "/graphql", timeout_headers, query, &response);
    s_expect (&response, 400, "X-Request-Timeout-Ms");
    s_response_free (&response);
    assert (s_peer_count (peer) == before);
    zclock_sleep (800);             //  the late RESULT of the 504 arrives and is dropped

    //  The client goes away while its request runs: the gateway notices and
    //  the resolver gets a CANCEL for it, long before the answer was due;
    //  the gateway serves on. Also when the client sent more bytes first
    //  (a pipelined request the gateway never read).
    for (int pipelined = 0; pipelined < 2; pipelined++) {
        int cancels = s_peer_cancels (peer);
        fd = s_connect (port);
        s_send_request (fd, "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 1400) }\"}", false);
        if (pipelined)
            s_send_request (fd, "POST", "/graphql", auth, query, false);
        zclock_sleep (200);
        int64_t closed_at = zclock_mono ();
        close (fd);
        while (s_peer_cancels (peer) == cancels && zclock_mono () - closed_at < 1000)
            zclock_sleep (5);
        int64_t noticed_ms = zclock_mono () - closed_at;
        assert (s_peer_cancels (peer) == cancels + 1);
        assert (noticed_ms < (pipelined ? 600 : 300));
        if (verbose)
            printf ("    client gone%s: CANCEL at the resolver %lld ms later\n",
                    pipelined ? " (after a pipelined request)" : "", (long long) noticed_ms);
        s_request (port, "POST", "/graphql", auth, query, &response);
        s_expect (&response, 200, "\"queryLength\":24");
        s_response_free (&response);
    }

    //  Kept-alive connections on every one of the 8 threads: the answer
    //  that fills the last thread closes its connection, so that a ninth
    //  client, which would otherwise wait for a kept-alive one to end, is
    //  served at once.
    int held [8];
    for (int i = 0; i < 8; i++) {
        held [i] = s_connect (port);
        s_send_request (held [i], "POST", "/graphql", auth, query, false);
        assert (s_read_response (held [i], &response) == 0);
        s_expect (&response, 200, NULL);
        const char *connection = s_header (&response, "Connection");
        assert (connection && strncmp (connection, i < 7 ? "keep-alive" : "close",
                                       i < 7 ? 10 : 5) == 0);
        s_response_free (&response);
    }
    int64_t ninth_at = zclock_mono ();
    s_request (port, "POST", "/graphql", auth, query, &response);
    s_expect (&response, 200, "\"queryLength\":24");
    s_response_free (&response);
    assert (zclock_mono () - ninth_at < 1000);
    for (int i = 0; i < 8; i++)
        close (held [i]);
    zclock_sleep (100);

    //  Admission: credit 2 and max_inflight 3; of four concurrent slow
    //  requests three are answered and one is refused with 503 at once.
    int fds [4];
    for (int i = 0; i < 4; i++) {
        fds [i] = s_connect (port);
        s_send_request (fds [i], "POST", "/graphql", auth, "{\"query\":\"{ sleep(ms: 300) }\"}", true);
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < 4; i++) {
        assert (s_read_response (fds [i], &response) == 0);
        if (response.status == 200)
            ok++;
        else {
            s_expect (&response, 503, "Service overloaded");
            refused++;
        }
        s_response_free (&response);
        close (fds [i]);
    }
    assert (ok == 3 && refused == 1);

    //  The resolver dies with a request in flight: 503 well before the
    //  deadline, and with no resolver left, 503 again.
    int64_t started = zclock_mono ();
    s_request (port, "POST", "/graphql", auth, "{\"query\":\"{ die }\"}", &response);
    s_expect (&response, 503, "Service overloaded");
    s_response_free (&response);
    assert (zclock_mono () - started < 1400);
    s_wait_resolvers (gateway, 0);
    s_request (port, "POST", "/graphql", auth, query, &response);
    s_expect (&response, 503, NULL);
    s_response_free (&response);

    s_cors_allow_list_test (&config, auth);

    zactor_destroy (&peer);
    zactor_destroy (&gateway);
    zstr_free (&token);
    free (pems [0]);
    free (pems [1]);
    free (public_pem);
    printf ("OK\n");
}
