/*  =========================================================================
    dp_route_graphql - POST and GET /graphql: one GraphQL request

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_route_graphql.h for the order of the checks. The answers of the
    GraphQL request errors follow GraphQL over HTTP (6.4.1): 200 for
    application/json, 400 for application/graphql-response+json; a
    malformed request is 400 for both.
@end
*/
#include "dp_route_graphql.h"
#include "dp_jwt_cache.h"
#include "dp_beta_level.h"
#include "dp_idempotency_key.h"
#include "dp_persisted.h"
#include "dp_msg_variables.h"
#include "dp_gtid.h"
#include "dp_json_writer.h"
#include "dp_log.h"
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

//  Every 503 of a GraphQL request (admission limit, no resolver, resolver
//  lost) comes with Retry-After: 1 and this message.
#define S_BUSY "The server is busy: retry later."
#include <time.h>
#include <jansson.h>
#include <civetweb.h>

//  The 401 body: {code, description[, message]}, keys sorted.
static int
s_respond_auth (dp_http_ctx_t *ctx, const dp_jwt_error_t *error)
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
    return dp_http_reply_unread (ctx, error->status, NULL, body, len);
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


//  Answer a request error: a malformed request is 400; a GraphQL request
//  error is 200 for application/json and 400 for graphql-response+json.
static int
s_respond_request_error (dp_http_ctx_t *ctx, const dp_http_error_t *error)
{
    int status = error->status;
    if (error->graphql && ctx->media == DP_MEDIA_JSON)
        status = 200;
    return dp_http_reply (ctx, status, NULL, error->body, error->body_len, false);
}

//  The validation errors as the answer's body, {"errors":[...]}, in arena;
//  *len_p gets its length (each error written by lib's dp_error).
static const char *
s_validation_errors_json (dp_validation_errors_t *errors, dp_arena_t *arena, size_t *len_p)
{
    size_t n = dp_validation_errors_size (errors);
    dp_error_t *list = dp_arena_calloc (arena, n + 1, sizeof *list);
    for (size_t i = 0; i < n; i++) {
        const dp_validation_error_t *item = dp_validation_errors_at (errors, i);
        list [i] = (dp_error_t) { .message = item->message, .locations = item->locations,
                                  .n_locations = item->n_locations };
    }
    dp_json_writer_t writer;
    dp_json_writer_init (&writer, 256);
    dp_errors_response (list, n, DP_ERROR_KEYS_GRAPHQL_JS, &writer);
    const char *body = dp_arena_strndup (arena, writer.data, writer.len);
    *len_p = writer.len;
    dp_json_writer_release (&writer);
    return body;
}

//  Validation of the parsed document against Depot's schema: the
//  specification's rules and Depot's limits against hostile queries. A
//  document validated before is known by its text (the front-end sends
//  the same few all day). A failure answers {"errors":[...]} (at most 100
//  and graphql-js's "too many" error) as any GraphQL request error.
//  Returns 0 to go on, or the status of the answer written.
static int
s_validate (dp_http_ctx_t *ctx, const dp_http_request_t *request, bool public)
{
    dp_gateway_server_t *server = ctx->server;
    dp_schema_t *schema = public ? server->public_schema : server->schema;
    dp_validation_cache_t *valid = public ? server->public_valid : server->valid;
    if (!schema
    ||  dp_validation_cache_has (valid, request->query, request->query_len))
        return 0;
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    int status = 0;
    if (dp_validate (schema, request->document, &server->validate_limits, errors) == 0)
        dp_validation_cache_add (valid, request->query, request->query_len);
    else {
        dp_http_error_t error = { .status = 400, .graphql = true };
        error.body = s_validation_errors_json (errors, ctx->arena, &error.body_len);
        status = s_respond_request_error (ctx, &error);
    }
    dp_validation_errors_destroy (&errors);
    return status;
}

//  Persisted queries (dp_persisted_resolve): a hash becomes its query
//  text, a hash and query are registered, an allow-list refuses what it
//  does not list. Returns 0 to go on, or the status of the answer written.
static int
s_resolve_persisted (dp_http_ctx_t *ctx, dp_http_request_t *request)
{
    dp_gateway_server_t *server = ctx->server;
    dp_persisted_outcome_t outcome = dp_persisted_resolve (server->persisted,
                                                           request->persisted_hash,
                                                           &request->query, &request->query_len,
                                                           ctx->arena);
    dp_metrics_persisted (server->metrics, outcome);
    dp_http_error_t error = { .status = 400, .graphql = true };
    switch (outcome) {
        case DP_PERSISTED_UNUSED:
        case DP_PERSISTED_HIT:
        case DP_PERSISTED_REGISTERED:
            return 0;
        case DP_PERSISTED_OFF:
            //  Apollo's link then falls back to sending the query every time.
            error.body = dp_http_error_body_code (ctx->arena, "PersistedQueryNotSupported",
                                                  "PERSISTED_QUERY_NOT_SUPPORTED", &error.body_len);
            break;
        case DP_PERSISTED_MISMATCH:
            error.graphql = false;
            error.body = dp_http_error_body (ctx->arena, "provided sha does not match query",
                                             &error.body_len);
            break;
        case DP_PERSISTED_NOT_IN_LIST:
            error.body = dp_http_error_body_code (ctx->arena,
                "Only registered operations may run on this server.",
                "PERSISTED_QUERY_NOT_IN_LIST", &error.body_len);
            break;
        case DP_PERSISTED_MISS:
            error.body = dp_http_error_body_code (ctx->arena, "PersistedQueryNotFound",
                                                  "PERSISTED_QUERY_NOT_FOUND", &error.body_len);
            break;
        default:
            assert (false);
    }
    return s_respond_request_error (ctx, &error);
}

#define S_MUTATION_GRACE_MS 1000

static const char s_beta_body [] = "{\"errors\":[{\"message\":\"" DP_BETA_LEVEL_REFUSED "\"}]}";
static const dp_http_error_t s_beta_refused = {
    .status = 400, .graphql = true, .body = s_beta_body, .body_len = sizeof s_beta_body - 1
};

//  Send the EXECUTE and wait for its answer; write the HTTP response.
//  min_gtid: the client's X-Depot-Min-Gtid (checked), or NULL.
static int
s_execute (dp_http_ctx_t *ctx, const dp_identity_t *identity, const dp_http_request_t *request,
           const char *min_gtid, const char *idempotency_key, bool public)
{
    dp_gateway_server_t *server = ctx->server;
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
    msg.u.execute.flags = server->execute_flags;
    msg.u.execute.min_gtid = min_gtid;
    msg.u.execute.idempotency_key = idempotency_key;
    //  A query only reads: the broker may send it again to another resolver
    //  when the one running it dies (proto/README.md, section 5).
    if (request->operation == DP_OP_QUERY)
        msg.u.execute.flags |= DP_EXECUTE_READ_ONLY;
    if (public)
        msg.u.execute.flags |= DP_EXECUTE_PUBLIC;
    if (request->variables) {
        //  Prepared (proto/README.md, EXECUTE): the operation and typed variables.
        msg.u.execute.prepared = true;
        msg.u.execute.operation = request->operation_index;
        if (dp_msg_variables_encode (request->variables, &request->document->defs [request->operation_index],
                                     ctx->arena, &msg.u.execute.variables, &msg.u.execute.n_variables))
            dp_fatal ("gateway: variables of request %s do not match their operation", ctx->trace_id);
    }
    else {
        //  Without a schema (the selftest's test peer) the JSON travels as it came.
        msg.u.execute.variables_json = request->variables_json;
        msg.u.execute.variables_len = (uint32_t) request->variables_len;
    }
    const char *retry = "Retry-After: 1\r\n";

    zmq_msg_t reply;
    dp_msg_t answer;
    //  A mutation's answer is awaited a moment past its deadline: the
    //  resolver answers then with each field's outcome (which committed,
    //  which did not), which a bare 504 here would hide.
    int64_t wait_until = deadline + (request->operation == DP_OP_MUTATION ? S_MUTATION_GRACE_MS : 0);
    dp_exchange_t outcome = dp_worker_exchange (ctx->worker, ctx->conn, &msg, wait_until, ctx->arena,
                                                &reply, &answer);
    switch (outcome) {
        case DP_EXCHANGE_OK:
            break;
        case DP_EXCHANGE_CLIENT_GONE:
            dp_info ("gateway: request %s: the client went away; cancelling it", msg.trace_id);
            dp_worker_cancel (ctx->worker, msg.id, msg.trace_id);
            mg_disable_keep_alive (ctx->conn);
            return -1;
        case DP_EXCHANGE_UNREACHABLE:
            return dp_http_reply_error (ctx, 503, retry, S_BUSY, false);
        case DP_EXCHANGE_TIMEOUT:
            dp_warn ("gateway: request %s timed out after %" PRId64 " ms", msg.trace_id,
                     ctx->budget_ms);
            return dp_http_reply_error (ctx, 504, NULL,
                                        "The request did not finish before its deadline.", false);
        case DP_EXCHANGE_MALFORMED:
            return dp_http_reply_error (ctx, 502, NULL, "Bad gateway: malformed reply.", false);
    }
    int status;
    if (answer.type == DP_MSG_RESULT
    &&  answer.u.result.http_status >= 200 && answer.u.result.http_status <= 599) {
        status = (int) answer.u.result.http_status;
        //  A GraphQL request error is 400 for application/graphql-response+json
        //  and 200 for application/json (GraphQL over HTTP, 6.4.1).
        if (status == 400 && ctx->media == DP_MEDIA_JSON)
            status = 200;
        ctx->statements = answer.u.result.statements;
        dp_metrics_statements (server->metrics, answer.u.result.statements);
        //  Read your own writes: the primary's position after the request's
        //  COMMITs, for the client to send back as X-Depot-Min-Gtid.
        char gtid_line [DP_GTID_MAX + 32] = "";
        if (answer.u.result.gtid)
            snprintf (gtid_line, sizeof gtid_line, "X-Depot-Gtid: %s\r\n", answer.u.result.gtid);
        status = dp_http_reply (ctx, status, *gtid_line ? gtid_line : NULL, answer.u.result.json,
                                answer.u.result.json_len, false);
    }
    else
    if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_UNAVAILABLE)
        status = dp_http_reply_error (ctx, 503, retry, S_BUSY, false);
    else
    if (answer.type == DP_MSG_ERROR && answer.u.error.status == DP_STATUS_TIMEOUT)
        status = dp_http_reply_error (ctx, 504, NULL,
                                      "The request did not finish before its deadline.", false);
    else {
        dp_warn ("gateway: request %s failed: %s %u %s", msg.trace_id,
                 dp_msg_type_name (answer.type),
                 answer.type == DP_MSG_ERROR ? answer.u.error.status : answer.u.result.http_status,
                 answer.type == DP_MSG_ERROR ? answer.u.error.message : "");
        status = dp_http_reply_error (ctx, 502, NULL, "Bad gateway.", false);
    }
    zmq_msg_close (&reply);
    return status;
}


//  One GraphQL request of /graphql, or of /public when public.
static int
s_serve (dp_http_ctx_t *ctx, bool get, bool public)
{
    dp_gateway_server_t *server = ctx->server;
    dp_arena_t *arena = ctx->arena;

    //  1. The token, before anything of the body is read. /public has
    //  none: its requests carry the empty identity, which holds no
    //  permission, whatever Authorization header they come with.
    dp_identity_t identity;
    memset (&identity, 0, sizeof identity);
    dp_jwt_error_t auth_error;
    if (!public
    &&  dp_jwt_cache_verify_header (server->jwt, mg_get_header (ctx->conn, "Authorization"),
                              (int64_t) time (NULL), arena, &identity, &auth_error))
        return s_respond_auth (ctx, &auth_error);

    //  2. What the client accepts.
    dp_http_accept_t accept;
    dp_http_accept (mg_get_header (ctx->conn, "Accept"), &accept);
    if (accept.media == DP_MEDIA_NONE)
        return dp_http_reply_unread_error (ctx, 406, NULL, "Not acceptable: GraphQL responses are "
                                           "application/graphql-response+json or application/json.");
    ctx->media = accept.media;

    //  The deadline: the gateway's, or a shorter one the client asks for
    //  (a longer one is capped: the gateway's bounds every request).
    int64_t asked = dp_http_request_timeout (mg_get_header (ctx->conn, "X-Request-Timeout-Ms"));
    if (asked < 0)
        return dp_http_reply_unread_error (ctx, 400, NULL, "X-Request-Timeout-Ms must be a whole "
                                           "number of milliseconds, at least 1.");
    ctx->budget_ms = asked > 0 && asked < server->deadline_ms ? asked : server->deadline_ms;

    //  Read your own writes: a GTID position the reads must see (a header
    //  for the reason X-Request-Timeout-Ms is one; README). It ends up in
    //  SQL at db-svc, so only a well-formed position passes; empty is none.
    const char *min_gtid = mg_get_header (ctx->conn, "X-Depot-Min-Gtid");
    if (min_gtid && !*min_gtid)
        min_gtid = NULL;
    if (min_gtid && !dp_gtid_valid (min_gtid, strlen (min_gtid)))
        return dp_http_reply_unread_error (ctx, 400, NULL, "X-Depot-Min-Gtid must be a GTID "
                                           "position as X-Depot-Gtid gave it: domain-server-sequence, "
                                           "comma-separated.");

    //  3. The parameters: the query string, or the body (capped).
    dp_http_request_t request;
    dp_http_error_t error;
    if (get) {
        if (dp_http_request_read_get (ctx->info->query_string, arena, &request, &error))
            return dp_http_reply_unread (ctx, error.status, NULL, error.body, error.body_len);
    }
    else {
        if (!s_content_type_ok (mg_get_header (ctx->conn, "Content-Type")))
            return dp_http_reply_unread_error (ctx, 415, NULL,
                                               "Content-Type must be application/json.");
        size_t len = 0;
        int rc = dp_worker_read_body (ctx->worker, ctx->conn, server->max_body, &len);
        if (rc == -1)
            return -1;
        if (rc == 1) {
            ctx->body_too_large = true;
            return dp_http_reply_unread_error (ctx, 413, NULL, "Request body too large.");
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
    if (dp_http_request_prepare (&request, &server->limits, arena, &error))
        return s_respond_request_error (ctx, &error);
    //  boxtribute refuses mutations above the caller's beta level as it
    //  parses, before validation: the whole document, whatever it selects
    //  (a GET runs no mutation at all: refused 405 below).
    if (!get && !public && !dp_beta_level_allows (&identity, request.document))
        return s_respond_request_error (ctx, &s_beta_refused);
    status = s_validate (ctx, &request, public);
    if (status)
        return status;
    if (dp_http_request_select (&request, arena, &error))
        return s_respond_request_error (ctx, &error);
    //  The variables, coerced once here: the resolver receives them typed.
    dp_schema_t *schema = public ? server->public_schema : server->schema;
    if (schema && dp_http_request_coerce (&request, schema, arena, &error))
        return s_respond_request_error (ctx, &error);

    //  6. No mutation over GET: a GET must be safe.
    if (get && request.operation != DP_OP_QUERY)
        return dp_http_reply_error (ctx, 405, "Allow: POST\r\n",
                                    "Only queries may be sent with GET; use POST.", false);

    //  7. A mutation's Idempotency-Key (a query only reads: its key is
    //  ignored, whatever it holds).
    const char *idempotency_key = NULL;
    if (request.operation == DP_OP_MUTATION
    &&  dp_idempotency_key_parse (mg_get_header (ctx->conn, "Idempotency-Key"), arena,
                                  &idempotency_key))
        return dp_http_reply_error (ctx, 400, NULL, DP_IDEMPOTENCY_KEY_MALFORMED, false);

    //  8. To a resolver, and back.
    return s_execute (ctx, &identity, &request, min_gtid, idempotency_key, public);
}

int
dp_route_graphql (dp_http_ctx_t *ctx, bool get)
{
    return s_serve (ctx, get, false);
}

int
dp_route_public (dp_http_ctx_t *ctx, bool get)
{
    return s_serve (ctx, get, true);
}

