/*  =========================================================================
    dp_route_graphiql - the GraphiQL explorer's page and assets

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    GET /graphql from a browser (Accept prefers text/html) gets the page,
    GET /graphiql/... its scripts and styles, each with a Content-Security-
    Policy; 404 when DEPOT_GRAPHIQL is off, or when the assets were not
    built in (then saying so).
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_ROUTE_GRAPHIQL_H_INCLUDED
#define DP_ROUTE_GRAPHIQL_H_INCLUDED

#include "dp_http_reply.h"

//  Answer the explorer's page (path "/graphql") or the asset at path.
//  Returns the status written.
int dp_route_graphiql (dp_http_ctx_t *ctx, const char *path);

#endif
