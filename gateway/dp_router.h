/*  =========================================================================
    dp_router - every HTTP request comes here: ids, routing, admission, logs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    civetweb calls dp_router_handle for every request, on the worker
    thread that holds the connection. It gives the request its id and
    trace id (X-Request-Id: the client's when plain, else ours) and its
    CORS lines, checks the request target's length (414), routes by path
    and method, admits GraphQL requests unless the gateway drains, counts
    the answer in the metrics and writes the access log line. Routes, none
    but GraphQL needing a token:
      POST/GET /graphql      GraphQL (dp_route_graphql); GET from a browser
                             (Accept prefers text/html) gets the GraphiQL
                             page (dp_route_graphiql)
      OPTIONS /graphql       CORS preflight (DEPOT_CORS_ORIGINS)
      GET /graphiql/...      the explorer's scripts and styles
      GET /healthz, /readyz  the probes (dp_route_probes)
      GET /metrics           Prometheus text (dp_route_metrics)
    Other paths are 404, other methods 405 with Allow.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_ROUTER_H_INCLUDED
#define DP_ROUTER_H_INCLUDED

struct mg_connection;

//  civetweb's request handler; cbdata is the dp_gateway_server_t. Returns
//  the HTTP status written (500 when the client went away first).
int dp_router_handle (struct mg_connection *conn, void *cbdata);

//  civetweb's http_error callback: its own errors (malformed requests and
//  the like) answered as {"errors":[{"message":...}]} too, and counted.
//  The context's user data must be the dp_gateway_server_t. Returns 0 when
//  answered, 1 to let civetweb answer.
int dp_router_http_error (struct mg_connection *conn, int status, const char *message);

#endif
