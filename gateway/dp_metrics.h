/*  =========================================================================
    dp_metrics - the gateway's counters, written as Prometheus text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Lock-free counters that every civetweb worker updates (atomics, no
    mutex on the request path) and GET /metrics renders in the Prometheus
    text exposition format 0.0.4: requests by route, status and outcome, a
    latency histogram of GraphQL requests, requests in flight, the SQL
    statements resolvers report in RESULT, persisted-query outcomes,
    readiness, the broker's gauges and counters (dp_broker_stats_t), and
    the per-instance series of every resolver and db-svc the gateway hears
    of (dp_fleet: pool use, queue depths, statements, requests in flight),
    labelled service_instance="<name>" (not "instance", which Prometheus
    sets to the scraped target and would rename ours to exported_instance).
@discuss
    Series are fixed at compile time (routes, a list of status codes, the
    histogram buckets), so the memory is constant and a scrape never
    allocates per series. A status outside the list counts as code
    "other". Series whose counter is still zero are left out, except the
    histogram and the gauges, which are always written.
@end
*/
#ifndef DP_METRICS_H_INCLUDED
#define DP_METRICS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_broker.h"
#include "dp_fleet.h"
#include "dp_persisted.h"

typedef struct _dp_metrics_t dp_metrics_t;

//  What a request was for (the route label).
typedef enum {
    DP_ROUTE_GRAPHQL,               //  GraphQL over POST or GET /graphql
    DP_ROUTE_GRAPHIQL,              //  the explorer page and its assets
    DP_ROUTE_HEALTHZ,
    DP_ROUTE_READYZ,
    DP_ROUTE_METRICS,
    DP_ROUTE_OTHER,                 //  404s, CORS preflights, civetweb's own errors
    DP_ROUTE_PUBLIC,                //  GraphQL over POST or GET /public (no token)
    DP_ROUTE_COUNT
} dp_route_t;

//  Create the counters, all zero. Caller owns the result and must destroy
//  it with dp_metrics_destroy, after every thread using it has stopped.
dp_metrics_t *dp_metrics_new (void);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_metrics_destroy (dp_metrics_t **self_p);

//  A request started: in-flight gauge up.
void dp_metrics_begin (dp_metrics_t *self);

//  A request ended with status after usecs microseconds: in-flight down,
//  the route's status counter up, and for DP_ROUTE_GRAPHQL and DP_ROUTE_PUBLIC
//  that route's latency histogram.
void dp_metrics_end (dp_metrics_t *self, dp_route_t route, int status, int64_t usecs);

//  Requests in flight now.
int dp_metrics_inflight (dp_metrics_t *self);

//  Add the SQL statements one RESULT reported.
void dp_metrics_statements (dp_metrics_t *self, uint32_t statements);

//  Count one persisted-query outcome under its result label: hit, miss,
//  registered, or refused (not in the list, or a hash that does not
//  match); requests that use no persisted query are not counted.
void dp_metrics_persisted (dp_metrics_t *self, dp_persisted_outcome_t outcome);

//  Record the last readiness answer (1 ready, 0 not).
void dp_metrics_ready (dp_metrics_t *self, bool ready);

//  The change feed's last FEED_STATUS (dp_feed_watch): mode (1 binlog, 2
//  fallback), lag in ms, transactions behind the binlog's end, its last
//  sequence number. Rendered while it is at most 3 s old.
void dp_metrics_feed (dp_metrics_t *self, int mode, uint64_t lag_ms, uint64_t behind,
                      uint64_t seq);

//  The outcome label of an HTTP status ("ok", "unauthorized", ...).
const char *dp_metrics_outcome (int status);

//  Render every series as Prometheus text, the broker's from broker when
//  not NULL, and one series per instance and figure for the n_entries
//  reports in entries (a dp_fleet_snapshot; NULL when n_entries is 0).
//  Caller owns the result (NUL-terminated) and must free() it; *len_p gets
//  its length when not NULL.
char *dp_metrics_render (dp_metrics_t *self, const dp_broker_stats_t *broker,
                         const dp_fleet_entry_t *entries, size_t n_entries, size_t *len_p);

void dp_metrics_test (bool verbose);

#endif
