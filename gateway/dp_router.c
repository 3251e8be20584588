/*  =========================================================================
    dp_router - every HTTP request comes here: ids, routing, admission, logs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_router.h.
@end
*/
#include "dp_router.h"
#include "dp_http_reply.h"
#include "dp_route_graphql.h"
#include "dp_route_graphiql.h"
#include "dp_route_probes.h"
#include "dp_route_metrics.h"
#include "dp_log.h"
#include "dp_error.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <civetweb.h>

//  A trace id from X-Request-Id when it is short and plain, else our own.
static const char *
s_trace_id (dp_gateway_server_t *server, struct mg_connection *conn, dp_arena_t *arena,
            uint64_t id)
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
    return dp_arena_printf (arena, "%08" PRIx32 "-%" PRIu64, server->trace_prefix, id);
}

//  OPTIONS: a CORS preflight, or a plain question about methods.
static int
s_preflight (dp_http_ctx_t *ctx, dp_cors_t *cors)
{
    const char *origin = mg_get_header (ctx->conn, "Origin");
    const char *method = mg_get_header (ctx->conn, "Access-Control-Request-Method");
    if (!origin || !method)
        return dp_http_reply_as (ctx, 204, "Allow: GET, POST, OPTIONS\r\n", NULL, "", 0, false);
    if (!dp_cors_allowed (cors, origin))
        return dp_http_reply_unread_error (ctx, 403, NULL, "Origin not allowed.");
    if (strcmp (method, "GET") != 0 && strcmp (method, "POST") != 0)
        return dp_http_reply_unread_error (ctx, 405, "Allow: GET, POST, OPTIONS\r\n",
                                           "Method not allowed: use GET or POST.");
    return dp_http_reply_as (ctx, 204,
                             "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                             "Access-Control-Allow-Headers: Authorization, Content-Type, Accept, "
                             "X-Request-Id, X-Request-Timeout-Ms, X-Depot-Min-Gtid, apollographql-client-name, "
                             "apollographql-client-version\r\n"
                             "Access-Control-Max-Age: 600\r\n", NULL, "", 0, false);
}

//  Route the request; returns the status written, or -1 when the client
//  went away.
static int
s_route (dp_http_ctx_t *ctx)
{
    dp_gateway_server_t *server = ctx->server;
    const char *method = ctx->info->request_method;
    const char *path = ctx->info->local_uri ? ctx->info->local_uri : "";
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;

    bool public = strcmp (path, "/public") == 0;
    if (strcmp (path, "/graphql") == 0 || public)
        ctx->route = public ? DP_ROUTE_PUBLIC : DP_ROUTE_GRAPHQL;
    //  The request target's length, before anything else.
    size_t target = strlen (ctx->info->request_uri ? ctx->info->request_uri : path)
                  + (ctx->info->query_string ? strlen (ctx->info->query_string) + 1 : 0);
    if (target > server->max_url)
        return dp_http_reply_unread_error (ctx, 414, NULL, "URI too long.");

    if (strcmp (path, "/graphql") == 0 || public) {
        ctx->route = public ? DP_ROUTE_PUBLIC : DP_ROUTE_GRAPHQL;
        if (strcmp (method, "OPTIONS") == 0) {
            ctx->route = DP_ROUTE_OTHER;
            return s_preflight (ctx, public ? server->public_cors : server->cors);
        }
        if (get) {
            dp_http_accept_t accept;
            dp_http_accept (mg_get_header (ctx->conn, "Accept"), &accept);
            if (accept.html && server->graphiql) {
                //  The same page: its fetcher posts to the path it was loaded from.
                ctx->route = DP_ROUTE_GRAPHIQL;
                return dp_route_graphiql (ctx, "/graphql");
            }
        }
        else
        if (strcmp (method, "POST") != 0)
            return dp_http_reply_unread_error (ctx, 405, "Allow: GET, POST, OPTIONS\r\n",
                                               "Method not allowed: use POST or GET.");
        //  Admission for the graceful stop (see dp_gateway.c): count
        //  first, then look at the flag.
        atomic_fetch_add (&server->admitted, 1);
        int status;
        if (atomic_load (&server->draining))
            status = dp_http_reply_unread_error (ctx, 503, "Retry-After: 1\r\n",
                                                 "The server is shutting down; retry.");
        else
            status = public ? dp_route_public (ctx, get) : dp_route_graphql (ctx, get);
        atomic_fetch_sub (&server->admitted, 1);
        return status;
    }
    if (strncmp (path, "/graphiql/", 10) == 0) {
        ctx->route = DP_ROUTE_GRAPHIQL;
        if (!get)
            return dp_http_reply_unread_error (ctx, 405, "Allow: GET\r\n",
                                               "Method not allowed: use GET.");
        return dp_route_graphiql (ctx, path);
    }
    if (strcmp (path, "/healthz") == 0 || strcmp (path, "/readyz") == 0
    ||  strcmp (path, "/metrics") == 0) {
        ctx->route = path [1] == 'h' ? DP_ROUTE_HEALTHZ
                   : path [1] == 'r' ? DP_ROUTE_READYZ : DP_ROUTE_METRICS;
        if (!get)
            return dp_http_reply_unread_error (ctx, 405, "Allow: GET\r\n",
                                               "Method not allowed: use GET.");
        return ctx->route == DP_ROUTE_HEALTHZ ? dp_route_healthz (ctx)
             : ctx->route == DP_ROUTE_READYZ ? dp_route_readyz (ctx) : dp_route_metrics (ctx);
    }
    return dp_http_reply_unread_error (ctx, 404, NULL, "Not found.");
}

//  The access log line: one JSON object with the request's facts.
static void
s_access_log (dp_http_ctx_t *ctx, int status, int64_t usecs)
{
    json_t *fields = json_pack ("{s:s,s:s,s:i,s:I,s:s?}",
                                "method", ctx->info->request_method,
                                "path", ctx->info->local_uri ? ctx->info->local_uri : "",
                                "status", status, "us", (json_int_t) usecs,
                                "remote", ctx->info->remote_addr);
    if (fields && (ctx->route == DP_ROUTE_GRAPHQL || ctx->route == DP_ROUTE_PUBLIC))
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

int
dp_router_handle (struct mg_connection *conn, void *cbdata)
{
    dp_gateway_server_t *server = (dp_gateway_server_t *) cbdata;
    dp_worker_t *worker = (dp_worker_t *) mg_get_thread_pointer (conn);
    const struct mg_request_info *info = mg_get_request_info (conn);
    int64_t started = zclock_usecs ();
    dp_metrics_begin (server->metrics);
    dp_http_ctx_t ctx = { .server = server, .worker = worker, .conn = conn, .info = info,
                          .route = DP_ROUTE_OTHER, .media = DP_MEDIA_JSON };
    int status;
    if (!worker || !worker->dealer) {
        dp_error ("gateway: worker thread without broker connection");
        char body [] = "{\"errors\":[{\"message\":\"Internal server error.\"}]}";
        ctx.arena = NULL;
        status = dp_http_reply (&ctx, 500, NULL, body, strlen (body), true);
        dp_metrics_end (server->metrics, ctx.route, status, zclock_usecs () - started);
        return status;
    }
    dp_arena_reset (worker->arena);
    ctx.arena = worker->arena;
    ctx.id = atomic_fetch_add (&server->next_id, 1);
    ctx.trace_id = s_trace_id (server, conn, ctx.arena, ctx.id);
    dp_log_set_request (ctx.trace_id);
    snprintf (ctx.headers, sizeof ctx.headers, "X-Request-Id: %s\r\n", ctx.trace_id);
    //  /public answers the origins of its own setting (shared links' pages).
    bool public = info->local_uri && strcmp (info->local_uri, "/public") == 0;
    dp_cors_headers (public ? server->public_cors : server->cors, mg_get_header (conn, "Origin"),
                     ctx.headers, sizeof ctx.headers);

    status = s_route (&ctx);

    dp_worker_trim (worker);
    int64_t usecs = zclock_usecs () - started;
    dp_metrics_end (server->metrics, ctx.route, status > 0 ? status : 499, usecs);
    if (server->access_log)
        s_access_log (&ctx, status > 0 ? status : 499, usecs);
    dp_log_set_request (NULL);
    return status > 0 ? status : 500;
}

int
dp_router_http_error (struct mg_connection *conn, int status, const char *message)
{
    dp_gateway_server_t *server =
        (dp_gateway_server_t *) mg_get_user_data (mg_get_context (conn));
    if (!server)
        return 1;                   //  let civetweb answer
    dp_error_t error = { .message = message && *message ? message
                                                        : mg_get_response_code_text (conn, status) };
    dp_json_writer_t text;
    dp_json_writer_init (&text, 128);
    dp_errors_response (&error, 1, DP_ERROR_KEYS_SORTED, &text);
    dp_http_ctx_t ctx = { .server = server, .conn = conn, .info = mg_get_request_info (conn),
                          .route = DP_ROUTE_OTHER, .media = DP_MEDIA_JSON };
    dp_metrics_begin (server->metrics);
    dp_http_reply (&ctx, status, NULL, text.data, text.len, true);
    dp_metrics_end (server->metrics, DP_ROUTE_OTHER, status, 0);
    dp_json_writer_release (&text);
    return 0;
}

