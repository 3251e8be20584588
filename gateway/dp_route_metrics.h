/*  =========================================================================
    dp_route_metrics - GET /metrics: Prometheus text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway's counters (dp_metrics), the broker's figures and the
    per-instance reports of resolvers and db-svc (dp_fleet), rendered at
    each scrape; no token needed, never cached.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_ROUTE_METRICS_H_INCLUDED
#define DP_ROUTE_METRICS_H_INCLUDED

#include "dp_http_reply.h"

//  Answer GET /metrics. Returns the status written.
int dp_route_metrics (dp_http_ctx_t *ctx);

#endif
