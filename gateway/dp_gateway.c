/*  =========================================================================
    dp_gateway - the HTTP front: civetweb, JWT, request checks, the broker

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The actor thread only starts and stops things: the broker, then
    civetweb. All request work happens on civetweb's worker threads, each
    with its own s_worker_t (DEALER, arena, encode buffer, body buffer).
    What the workers share (the JWT verifier, limits, the id counter) is
    read-only after start-up, except the atomic id counter.
@discuss
    Responses are written as one status line + headers + body with
    mg_write rather than civetweb's mg_response_header_* calls, which send
    each header line as its own write. We decide keep-alive the way
    civetweb does (the client's Connection header, else HTTP/1.1) and tell
    civetweb to close when we say close.
    A request body we do not read (401, 413, 415) is drained up to a bound
    so that the client sees our answer instead of a reset; past the bound
    the connection is closed.
@end
*/
#include "dp_gateway.h"
#include "dp_broker.h"
#include "dp_jwt.h"
#include "dp_http_request.h"
#include "dp_msg.h"
#include "dp_log.h"
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
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
    int deadline_ms;
    dp_parse_limits_t limits;
    uint32_t execute_flags;         //  DP_EXECUTE_*
    uint32_t trace_prefix;          //  random, so trace ids differ across restarts
    atomic_uint_fast64_t next_id;   //  request ids
} self_t;

//  One per civetweb worker thread.
typedef struct {
    zsock_t *dealer;                //  to the broker's frontend
    dp_arena_t *arena;              //  the current request's memory
    msgpack_sbuffer sbuf;           //  EXECUTE encoding
    char *body;                     //  request body buffer
    size_t body_cap;
} s_worker_t;


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

//  Write a complete JSON response. extra holds more header lines, each
//  ending in CRLF, or NULL. Returns status (civetweb logs it).
static int
s_respond (struct mg_connection *conn, int status, const char *extra,
           const char *body, size_t len, bool close)
{
    bool keep = !close && s_keep_alive (conn);
    if (!keep)
        mg_disable_keep_alive (conn);
    char buffer [S_SMALL_REPLY];
    int head = snprintf (buffer, sizeof buffer,
                         "HTTP/1.1 %d %s\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: %zu\r\n"
                         "Connection: %s\r\n"
                         "%s\r\n",
                         status, mg_get_response_code_text (conn, status), len,
                         keep ? "keep-alive" : "close", extra ? extra : "");
    assert (head > 0 && head < (int) sizeof buffer);
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (info && info->request_method && strcmp (info->request_method, "HEAD") == 0)
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

//  {"errors":[{"message":...}]} with status.
static int
s_respond_error (struct mg_connection *conn, dp_arena_t *arena, int status,
                 const char *extra, const char *message, bool close)
{
    size_t len;
    const char *body = dp_http_error_body (arena, message, &len);
    return s_respond (conn, status, extra, body, len, close);
}

//  Read and discard the rest of the request body, at most limit bytes.
//  Returns true when the body was consumed to its end.
static bool
s_drain (struct mg_connection *conn, size_t limit)
{
    char scratch [8192];
    size_t total = 0;
    while (total <= limit) {
        int n = mg_read (conn, scratch, sizeof scratch);
        if (n <= 0)
            return n == 0;
        total += (size_t) n;
    }
    return false;
}

//  Answer without having read the body: drain what is left (bounded) so
//  the client reads our answer, and close if the body was too big.
static int
s_respond_unread (self_t *self, struct mg_connection *conn, int status, const char *extra,
                  const char *body, size_t len)
{
    bool drained = s_drain (conn, 4 * self->max_body);
    return s_respond (conn, status, extra, body, len, !drained);
}


//  --------------------------------------------------------------------------
//  One POST /graphql

//  The 401 body: {code, description[, message]}, keys sorted.
static int
s_respond_auth (self_t *self, struct mg_connection *conn, dp_arena_t *arena,
                const dp_jwt_error_t *error)
{
    json_t *json = json_pack ("{s:s,s:s}", "code", error->code, "description", error->description);
    if (json && error->message [0])
        json_object_set_new (json, "message", json_string (error->message));
    char *text = json ? json_dumps (json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text)
        dp_fatal ("gateway: out of memory");
    json_decref (json);
    size_t len = strlen (text);
    const char *body = dp_arena_strndup (arena, text, len);
    free (text);
    return s_respond_unread (self, conn, error->status, NULL, body, len);
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

//  Send the EXECUTE and wait for its answer; write the HTTP response.
static int
s_execute (self_t *self, s_worker_t *worker, struct mg_connection *conn,
           const dp_identity_t *identity, const dp_http_request_t *request)
{
    dp_arena_t *arena = worker->arena;
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_EXECUTE;
    msg.id = atomic_fetch_add (&self->next_id, 1);
    int64_t deadline = zclock_time () + self->deadline_ms;
    msg.deadline_ms = (uint64_t) deadline;
    msg.trace_id = s_trace_id (self, conn, arena, msg.id);
    msg.u.execute.identity = *identity;
    msg.u.execute.query = request->query;
    msg.u.execute.query_len = (uint32_t) request->query_len;
    msg.u.execute.operation_name = request->operation_name;
    msg.u.execute.variables_json = request->variables_json;
    msg.u.execute.variables_len = (uint32_t) request->variables_len;
    msg.u.execute.flags = self->execute_flags;
    char extra [128], retry [160];
    snprintf (extra, sizeof extra, "X-Request-Id: %s\r\n", msg.trace_id);
    snprintf (retry, sizeof retry, "Retry-After: 1\r\n%s", extra);

    msgpack_sbuffer_clear (&worker->sbuf);
    if (dp_msg_encode (&msg, &worker->sbuf)) {
        dp_error ("gateway: cannot encode EXECUTE %s", msg.trace_id);
        return s_respond_error (conn, arena, 500, extra, "Internal server error.", false);
    }
    void *dealer = zsock_resolve (worker->dealer);
    if (zmq_send (dealer, worker->sbuf.data, worker->sbuf.size, ZMQ_DONTWAIT) == -1) {
        dp_warn ("gateway: broker not reachable: %s", zmq_strerror (zmq_errno ()));
        return s_respond_error (conn, arena, 503, retry,
                                "Service overloaded, retry later.", false);
    }

    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    while (true) {
        int64_t left = deadline - zclock_time ();
        if (left <= 0)
            break;
        int rc = zmq_poll (&item, 1, (long) left);
        if (rc <= 0)
            continue;               //  timeout or EINTR: the loop rechecks the time
        zmq_msg_t reply;
        zmq_msg_init (&reply);
        if (zmq_msg_recv (&reply, dealer, ZMQ_DONTWAIT) == -1) {
            zmq_msg_close (&reply);
            continue;
        }
        dp_msg_t answer;
        char err [128];
        const void *data = zmq_msg_data (&reply);
        size_t size = zmq_msg_size (&reply);
        if (dp_msg_peek (data, size, &answer, err, sizeof err) || answer.id != msg.id) {
            //  A late answer to a request this thread gave up on.
            zmq_msg_close (&reply);
            continue;
        }
        int status;
        if (dp_msg_decode (data, size, arena, &answer, err, sizeof err)) {
            dp_error ("gateway: malformed reply for %s: %s", msg.trace_id, err);
            status = s_respond_error (conn, arena, 502, extra, "Bad gateway: malformed reply.", false);
        }
        else
        if (answer.type == DP_MSG_RESULT
        &&  answer.u.result.http_status >= 200 && answer.u.result.http_status <= 599)
            status = s_respond (conn, (int) answer.u.result.http_status, extra,
                                answer.u.result.json, answer.u.result.json_len, false);
        else
        if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_UNAVAILABLE)
            status = s_respond_error (conn, arena, 503, retry,
                                      "Service overloaded, retry later.", false);
        else
        if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_TIMEOUT)
            status = s_respond_error (conn, arena, 504, extra,
                                      "The request did not finish before its deadline.", false);
        else {
            dp_warn ("gateway: request %s failed: %s %u %s", msg.trace_id,
                     dp_msg_type_name (answer.type),
                     answer.type == DP_MSG_ERROR ? answer.u.error.status : answer.u.result.http_status,
                     answer.type == DP_MSG_ERROR ? answer.u.error.message : "");
            status = s_respond_error (conn, arena, 502, extra, "Bad gateway.", false);
        }
        zmq_msg_close (&reply);
        return status;
    }
    dp_warn ("gateway: request %s timed out after %d ms", msg.trace_id, self->deadline_ms);
    return s_respond_error (conn, arena, 504, extra,
                            "The request did not finish before its deadline.", false);
}

static int
s_handle_graphql (self_t *self, s_worker_t *worker, struct mg_connection *conn)
{
    dp_arena_t *arena = worker->arena;

    //  1. The token, before anything of the body is read.
    dp_identity_t identity;
    dp_jwt_error_t auth_error;
    if (dp_jwt_verify_header (self->jwt, mg_get_header (conn, "Authorization"),
                              (int64_t) time (NULL), arena, &identity, &auth_error))
        return s_respond_auth (self, conn, arena, &auth_error);

    if (!s_content_type_ok (mg_get_header (conn, "Content-Type"))) {
        size_t len;
        const char *body = dp_http_error_body (arena, "Content-Type must be application/json.", &len);
        return s_respond_unread (self, conn, 415, NULL, body, len);
    }

    //  2. The body, capped.
    size_t len = 0;
    int rc = s_read_body (self, worker, conn, &len);
    if (rc == -1)
        return -1;
    if (rc == 1) {
        size_t body_len;
        const char *body = dp_http_error_body (arena, "Request body too large.", &body_len);
        return s_respond_unread (self, conn, 413, NULL, body, body_len);
    }

    //  3, 4. JSON, syntax, operation.
    dp_http_request_t request;
    dp_http_error_t error;
    if (dp_http_request_parse (worker->body, len, &self->limits, arena, &request, &error))
        return s_respond (conn, error.status, NULL, error.body, error.body_len, false);

    //  5. To a resolver, and back.
    return s_execute (self, worker, conn, &identity, &request);
}

//  Every request comes here: POST /graphql is served, the rest refused.
static int
s_handle_request (struct mg_connection *conn, void *cbdata)
{
    self_t *self = (self_t *) cbdata;
    s_worker_t *worker = (s_worker_t *) mg_get_thread_pointer (conn);
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (!worker || !worker->dealer) {
        dp_error ("gateway: worker thread without broker connection");
        char body [] = "{\"errors\":[{\"message\":\"Internal server error.\"}]}";
        return s_respond (conn, 500, NULL, body, strlen (body), true);
    }
    dp_arena_reset (worker->arena);
    int64_t started = zclock_usecs ();
    int status;
    if (info->local_uri && strcmp (info->local_uri, "/healthz") == 0
    &&  (strcmp (info->request_method, "GET") == 0 || strcmp (info->request_method, "HEAD") == 0)) {
        //  Liveness: the process answers HTTP. No token needed.
        const char body [] = "{\"status\":\"ok\"}";
        status = s_respond_unread (self, conn, 200, NULL, body, strlen (body));
    }
    else
    if (!info->local_uri || strcmp (info->local_uri, "/graphql") != 0) {
        size_t len;
        const char *body = dp_http_error_body (worker->arena, "Not found.", &len);
        status = s_respond_unread (self, conn, 404, NULL, body, len);
    }
    else
    if (strcmp (info->request_method, "POST") != 0) {
        size_t len;
        const char *body = dp_http_error_body (worker->arena, "Method not allowed: use POST.", &len);
        status = s_respond_unread (self, conn, 405, "Allow: POST\r\n", body, len);
    }
    else
        status = s_handle_graphql (self, worker, conn);

    if (worker->body_cap > S_BODY_KEEP) {
        free (worker->body);
        worker->body = NULL;
        worker->body_cap = 0;
    }
    dp_debug ("gateway: %s %s -> %d in %" PRId64 " us", info->request_method,
              info->local_uri ? info->local_uri : "?", status, zclock_usecs () - started);
    return status > 0 ? status : 500;
}

//  civetweb's own errors (malformed requests and the like) as JSON too.
static int
s_http_error (struct mg_connection *conn, int status, const char *message)
{
    json_t *json = json_pack ("{s:[{s:s}]}", "errors", "message",
                              message && *message ? message : mg_get_response_code_text (conn, status));
    char *text = json ? json_dumps (json, JSON_COMPACT) : NULL;
    json_decref (json);
    if (!text)
        return 1;                   //  let civetweb answer
    s_respond (conn, status, NULL, text, strlen (text), true);
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
    self->deadline_ms = config->deadline_ms > 0 ? config->deadline_ms : 30000;
    self->limits.max_tokens = config->max_tokens;
    self->limits.max_depth = config->max_depth;
    self->execute_flags = config->debug_extension ? DP_EXECUTE_DEBUG : 0;
    self->trace_prefix = (uint32_t) randof (0x7fffffff) ^ (uint32_t) zclock_time ();
    atomic_init (&self->next_id, 1);

    //  The verifier.
    char err [256];
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
    self->broker = zactor_new (dp_broker_actor, &broker_config);
    if (!self->broker || broker_config.status != 0) {
        s_self_destroy (&self);
        return NULL;
    }

    //  civetweb.
    int threads = config->threads > 0 ? config->threads : 64;
    if (config->max_inflight >= threads)
        dp_warn ("gateway: DEPOT_MAX_INFLIGHT (%d) >= DEPOT_THREADS (%d): a saturated "
                 "gateway cannot answer 503", config->max_inflight, threads);
    char ports [300], threads_text [16];
    if (config->listen_host && *config->listen_host)
        snprintf (ports, sizeof ports, "%s:%d", config->listen_host, config->port);
    else
        snprintf (ports, sizeof ports, "%d", config->port);
    snprintf (threads_text, sizeof threads_text, "%d", threads);
    const char *options [] = {
        "listening_ports", ports,
        "num_threads", threads_text,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "3000",
        "tcp_nodelay", "1",
        "request_timeout_ms", "30000",
        NULL
    };
    struct mg_callbacks callbacks;
    memset (&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = s_init_thread;
    callbacks.exit_thread = s_exit_thread;
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

void
dp_gateway_config_defaults (dp_gateway_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->port = 5005;
    config->backend_endpoint = "tcp://*:5556";
    config->max_body = 1024 * 1024;
    config->threads = 64;
    config->max_inflight = 48;
    config->deadline_ms = 30000;
    config->max_tokens = 15000;
    config->max_depth = 64;
    config->jwt_leeway_s = 5;
    config->heartbeat_ms = 1000;
    config->liveness_ms = 3000;
}

void
dp_gateway_actor (zsock_t *pipe, void *args)
{
    dp_gateway_config_t *config = (dp_gateway_config_t *) args;
    assert (config);
    self_t *self = s_self_new (pipe, config);
    if (!self) {
        config->status = -1;
        config->bound_port = -1;
        OPENSSL_thread_stop ();
        zsock_signal (pipe, (byte) -1);
        return;
    }
    config->status = 0;
    config->bound_port = self->port;
    zsock_signal (pipe, 0);

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
//  containing "die" makes the peer drop its socket without a word.
typedef struct {
    zsock_t *pipe;
    zsock_t *dealer;
    int executes;                   //  EXECUTEs received
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
    zmq_send (zsock_resolve (peer->dealer), buf.data, buf.size, 0);
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
    assert (length);
    response->body_len = (size_t) atol (length + 17);
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
    char head [8192];
    snprintf (head, sizeof head, "%s %s HTTP/1.1\r\nHost: localhost\r\n%s%s"
              "Content-Length: %zu\r\n\r\n", method, path, close ? "Connection: close\r\n" : "",
              headers ? headers : "", body ? strlen (body) : 0);
    s_write_all (fd, head, strlen (head));
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
    assert (type && strncmp (type, "application/json", 16) == 0);
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

    //  Start-up failures are reported, not fatal: a bad key...
    dp_gateway_config_t bad = config;
    bad.public_key_pem = "nonsense";
    zactor_t *gateway = zactor_new (dp_gateway_actor, &bad);
    assert (gateway && bad.status == -1);
    zactor_destroy (&gateway);

    gateway = zactor_new (dp_gateway_actor, &config);
    assert (gateway);
    assert (config.status == 0);
    int port = config.bound_port;
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
    zactor_t *second = zactor_new (dp_gateway_actor, &bad);
    assert (second && bad.status == -1);
    zactor_destroy (&second);

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
    s_request (port, "POST", "/graphql", auth, "{\"query\":\"{\\n  base(id: 1) {\"}", &response);
    s_expect (&response, 400, "Syntax Error: Expected Name, found <EOF>.");
    assert (strstr (response.body, "\"locations\":[{\"column\":16,\"line\":2}]"));
    s_response_free (&response);
    s_request (port, "POST", "/graphql", auth, "{\"query\":\"query A { a } query B { b }\"}", &response);
    s_expect (&response, 400, "Must provide operation name");
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
    s_request (port, "GET", "/graphql", NULL, NULL, &response);
    s_expect (&response, 405, NULL);
    assert (s_header (&response, "Allow") && strncmp (s_header (&response, "Allow"), "POST", 4) == 0);
    s_response_free (&response);
    s_request (port, "DELETE", "/graphql", auth, NULL, &response);
    s_expect (&response, 405, NULL);
    s_response_free (&response);

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

    zactor_destroy (&peer);
    zactor_destroy (&gateway);
    zstr_free (&token);
    free (pems [0]);
    free (pems [1]);
    free (public_pem);
    printf ("OK\n");
}
