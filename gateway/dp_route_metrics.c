/*  =========================================================================
    dp_route_metrics - GET /metrics: Prometheus text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_route_metrics.h.
@end
*/
#include "dp_route_metrics.h"
#include <stdlib.h>
#include <czmq.h>

int
dp_route_metrics (dp_http_ctx_t *ctx)
{
    size_t len;
    dp_fleet_entry_t *entries;
    size_t n_entries = dp_fleet_snapshot (ctx->server->fleet, zclock_mono (), &entries);
    char *text = dp_metrics_render (ctx->server->metrics, &ctx->server->broker_stats,
                                    entries, n_entries, &len);
    free (entries);
    int status = dp_http_reply_unread_as (ctx, 200, "Cache-Control: no-store\r\n",
                                          "text/plain; version=0.0.4; charset=utf-8", text, len);
    free (text);
    return status;
}
