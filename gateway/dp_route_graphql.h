/*  =========================================================================
    dp_route_graphql - POST and GET /graphql: one GraphQL request

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Handles one GraphQL request on its worker thread, in this order: the
    JWT (before the body is read), the Accept header, the client's
    deadline (X-Request-Timeout-Ms), the Content-Type, the body (capped)
    or the query string, the persisted query (dp_persisted_resolve), the
    GraphQL syntax and operation selection, validation against Depot's
    schema (documents validated before are known by their text), no
    mutation over GET, then EXECUTE to the broker and a wait for the
    RESULT until the deadline (dp_worker_exchange). The RESULT's bytes are
    written to the socket as they came.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_ROUTE_GRAPHQL_H_INCLUDED
#define DP_ROUTE_GRAPHQL_H_INCLUDED

#include <stdbool.h>
#include "dp_http_reply.h"

//  Handle the request in ctx, a GET (or HEAD) when get, else a POST.
//  Returns the status written, or -1 when the client went away (nothing
//  written).
int dp_route_graphql (dp_http_ctx_t *ctx, bool get);

//  The same for /public: no token (the request carries no identity, so
//  the resolver serves it only what the public schema declares), no beta
//  level, validation against the public schema, and EXECUTE flagged
//  DP_EXECUTE_PUBLIC. Everything else (limits, deadline, persisted
//  queries, no mutation over GET) as for /graphql.
int dp_route_public (dp_http_ctx_t *ctx, bool get);

#endif
