/*  =========================================================================
    dp_route_probes - GET /healthz and GET /readyz

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The probes an orchestrator asks, neither needing a token:
      GET /healthz   200 {"status":"ok"}: the process answers
      GET /readyz    200 {"status":"ready","resolvers":n} when a probe
                     request went through a resolver, db-svc and MariaDB
                     within 2 s (answers reused for 1 s, one probe at a
                     time), else 503 {"status":"unavailable","reason":...}
                     with Retry-After: 1; 503 too while the gateway drains
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_ROUTE_PROBES_H_INCLUDED
#define DP_ROUTE_PROBES_H_INCLUDED

#include "dp_http_reply.h"

//  Answer GET /healthz. Returns the status written.
int dp_route_healthz (dp_http_ctx_t *ctx);

//  Answer GET /readyz, probing when the last answer is older than 1 s.
//  Returns the status written.
int dp_route_readyz (dp_http_ctx_t *ctx);

#endif
