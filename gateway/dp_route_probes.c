/*  =========================================================================
    dp_route_probes - GET /healthz and GET /readyz

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_route_probes.h. The readiness probe is a real request through a
    resolver to db-svc and MariaDB. Its identity may read boxes of one
    base that does not exist, so the one statement it runs (the count)
    finds nothing, at once.
@end
*/
#include "dp_route_probes.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#define S_READY_TTL   1000          //  ms a readiness answer is reused
#define S_READY_WAIT  2000          //  ms a readiness probe may take
#define S_PROBE_BASE  "2147483647"
#define S_PROBE_QUERY "query DepotReadiness { boxes(baseId: \"" S_PROBE_BASE "\", " \
                      "paginationInput: {first: 1}) { totalCount } }"

int
dp_route_healthz (dp_http_ctx_t *ctx)
{
    //  Liveness: the process answers HTTP. No token needed.
    const char body [] = "{\"status\":\"ok\"}";
    return dp_http_reply_unread (ctx, 200, NULL, body, strlen (body));
}

//  One probe through a resolver to the database. Returns true when it
//  answered 200; reason says why not.
static bool
s_probe (dp_http_ctx_t *ctx, char *reason, size_t reason_len)
{
    dp_gateway_server_t *server = ctx->server;
    if (atomic_load (&server->broker_stats.resolvers) == 0) {
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
    zmq_msg_t reply;
    dp_msg_t answer;
    dp_exchange_t outcome = dp_worker_exchange (ctx->worker, NULL, &msg, deadline, ctx->arena,
                                                &reply, &answer);
    if (outcome != DP_EXCHANGE_OK) {
        snprintf (reason, reason_len, "%s",
                  outcome == DP_EXCHANGE_UNREACHABLE ? "the broker is not reachable"
                : outcome == DP_EXCHANGE_TIMEOUT ? "the probe took longer than 2 s"
                                                 : "malformed answer");
        return false;
    }
    bool ready = false;
    if (answer.type == DP_MSG_RESULT && answer.u.result.http_status == 200)
        ready = true;
    else
    if (answer.type == DP_MSG_RESULT) {
        //  The resolver's own words: the database is not available, ...
        json_t *json = json_loadb (answer.u.result.json, answer.u.result.json_len, 0, NULL);
        const char *message = json_string_value (json_object_get (
            json_array_get (json_object_get (json, "errors"), 0), "message"));
        snprintf (reason, reason_len, "%u: %s", answer.u.result.http_status,
                  message ? message : "the probe failed");
        json_decref (json);
    }
    else
        snprintf (reason, reason_len, "%u: %s", answer.u.error.status, answer.u.error.message);
    zmq_msg_close (&reply);
    return ready;
}

int
dp_route_readyz (dp_http_ctx_t *ctx)
{
    dp_gateway_server_t *server = ctx->server;
    char reason [160] = "";
    bool ready;
    if (atomic_load (&server->draining)) {
        ready = false;
        snprintf (reason, sizeof reason, "draining: the gateway is stopping");
    }
    else {
        //  One probe at a time, and its answer reused for S_READY_TTL ms.
        pthread_mutex_lock (&server->ready_mutex);
        bool fresh = server->ready_at && zclock_mono () - server->ready_at < S_READY_TTL;
        bool probe = !fresh && !server->ready_probing;
        if (probe)
            server->ready_probing = true;
        ready = server->ready_ok;
        snprintf (reason, sizeof reason, "%s", server->ready_reason);
        pthread_mutex_unlock (&server->ready_mutex);
        if (probe || (!fresh && !server->ready_at)) {
            ready = s_probe (ctx, reason, sizeof reason);
            pthread_mutex_lock (&server->ready_mutex);
            server->ready_ok = ready;
            snprintf (server->ready_reason, sizeof server->ready_reason, "%s", reason);
            server->ready_at = zclock_mono ();
            if (probe)
                server->ready_probing = false;
            pthread_mutex_unlock (&server->ready_mutex);
        }
    }
    dp_metrics_ready (server->metrics, ready);
    json_t *json = ready
        ? json_pack ("{s:s,s:i}", "status", "ready",
                     "resolvers", atomic_load (&server->broker_stats.resolvers))
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
    return dp_http_reply_unread (ctx, ready ? 200 : 503, ready ? NULL : "Retry-After: 1\r\n",
                                 body, len);
}
