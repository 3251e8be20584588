/*  =========================================================================
    dp_gateway_server - what the gateway's worker threads share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Everything a civetweb worker thread reads while it serves a request,
    apart from its own dp_worker_t: the settings, the JWT verifier, Depot's
    schema and the cache of documents validated before, the persisted-query
    store, the CORS origins, the metrics, the broker's figures, the
    readiness cache, and the counters of admission and the graceful stop.
    Built from the config before civetweb starts and destroyed after it
    stopped; while civetweb runs, the first group of fields is read-only,
    and what changes is atomic or behind its own mutex.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_GATEWAY_SERVER_H_INCLUDED
#define DP_GATEWAY_SERVER_H_INCLUDED

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "dp_gateway_config.h"
#include "dp_broker.h"
#include "dp_cors.h"
#include "dp_fleet.h"
#include "dp_jwt.h"
#include "dp_metrics.h"
#include "dp_parser.h"
#include "dp_persisted.h"
#include "dp_schema.h"
#include "dp_validate.h"

typedef struct {
    //  Read-only for the worker threads once civetweb runs:
    dp_jwt_t *jwt;
    char *frontend_endpoint;        //  the broker's inproc endpoint, for the workers' DEALERs
    size_t max_body;
    size_t max_url;                 //  longest request target (path and query), bytes
    int deadline_ms;
    int keep_alive_hint_s;          //  Keep-Alive: timeout= we advertise, below keep_alive_ms
    int threads;                    //  civetweb's worker threads
    dp_parse_limits_t limits;
    dp_schema_t *schema;            //  Depot's schema, for validation; NULL: no validation
    dp_validate_limits_t validate_limits;
    dp_validation_cache_t *valid;   //  documents validated before (shared, locked inside)
    uint32_t execute_flags;         //  DP_EXECUTE_*
    uint32_t trace_prefix;          //  random, so trace ids differ across restarts
    bool access_log;                //  one info line per request
    bool graphiql;                  //  serve the explorer
    char *live_url;                 //  GraphiQL's subscriptions' URL, or NULL
    dp_cors_t *cors;                //  the origins CORS allows
    //  The public endpoint (/public): its own schema, documents and origins.
    dp_schema_t *public_schema;     //  NULL: no validation (as schema)
    dp_validation_cache_t *public_valid;
    dp_cors_t *public_cors;
    dp_metrics_t *metrics;
    dp_persisted_t *persisted;      //  NULL: persisted queries off
    dp_broker_stats_t broker_stats; //  the broker writes, /metrics and /readyz read
    dp_fleet_t *fleet;              //  the broker writes resolvers' reports, /metrics reads
    //  Shared and changing:
    atomic_uint_fast64_t next_id;   //  request ids
    atomic_int admitted;            //  GraphQL requests being served
    atomic_int connections;         //  connections held by worker threads (one each)
    atomic_bool draining;           //  $TERM received: admit nothing more
    pthread_mutex_t ready_mutex;    //  guards the four fields below
    int64_t ready_at;               //  zclock_mono of the last probe's end; 0: none
    bool ready_ok;
    bool ready_probing;             //  a worker is probing now
    char ready_reason [160];
} dp_gateway_server_t;

//  Build the shared state from config: Depot's schema (unless
//  config->no_validation), the persisted-query store (loading the
//  manifest in allow-list mode), the JWT verifier, the metrics and the
//  rest. Returns NULL, with a log line, when the schema, the manifest or
//  the key is unusable. Caller owns the result and must destroy it with
//  dp_gateway_server_destroy once no worker thread runs.
dp_gateway_server_t *dp_gateway_server_new (const dp_gateway_config_t *config);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_gateway_server_destroy (dp_gateway_server_t **self_p);

//  Is every worker thread held by a connection? See dp_gateway_server.c.
bool dp_gateway_server_crowded (dp_gateway_server_t *self);

#endif
