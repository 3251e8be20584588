/*  =========================================================================
    gateway - Depot's HTTP front as its own process

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Reads the configuration from the environment and the command line
    (flags win) through dp_gateway_options' table, starts the gateway
    actor, waits for SIGINT or SIGTERM and stops it. Resolvers connect to
    DEPOT_BACKEND_BIND. On SIGTERM the actor drains (see dp_gateway.h)
    before this returns 0.
@end
*/
#include "dp_gateway.h"
#include "dp_options.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <stdio.h>
#include <stdlib.h>

#define S_MAX_OPTIONS 48

int
main (int argc, char *argv [])
{
    dp_gateway_config_t config;
    dp_gateway_config_defaults (&config);
    const char *public_key_file = NULL;
    bool verbose = false;
    dp_option_t options [S_MAX_OPTIONS];
    size_t n = dp_gateway_options (&config, &public_key_file, options, S_MAX_OPTIONS);
    options [n++] = (dp_option_t) { "--backend-bind", "DEPOT_BACKEND_BIND", DP_OPT_STRING,
                                    &config.backend_endpoint, "ZeroMQ endpoint resolvers connect to" };
    options [n++] = (dp_option_t) { "--execute-bind", "DEPOT_EXECUTE_BIND", DP_OPT_STRING,
                                    &config.execute_endpoint,
                                    "ZeroMQ endpoint live-svc sends subscriptions' EXECUTEs to (none: off)" };
    options [n++] = (dp_option_t) { "--feed-connect", "DEPOT_FEED_CONNECT", DP_OPT_STRING,
                                    &config.feed_endpoint,
                                    "the change feed's PUB endpoint, for its figures in /metrics" };
    options [n++] = (dp_option_t) { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logging" };
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: gateway [options]\n"
        "Depot's HTTP front: GraphQL over HTTP (POST and GET /graphql), JWT checks,\n"
        "requests to resolvers, GraphiQL, /healthz, /readyz and /metrics. SIGTERM stops\n"
        "it gracefully: no new requests, the admitted ones answered, exit 0.",
        err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "gateway: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    char *key_text = NULL;
    if (dp_gateway_config_load_key (&config, public_key_file, &key_text, err, sizeof err)) {
        fprintf (stderr, "gateway: %s\n", err);
        return 1;
    }
    if (dp_gateway_config_check (&config, err, sizeof err)) {
        fprintf (stderr, "gateway: %s\n", err);
        free (key_text);
        return 2;
    }
    dp_log_init ("gateway", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    if (dp_malloc_policy_apply ())
        dp_debug ("malloc policy not applied: not glibc's allocator");

    zactor_t *gateway = dp_gateway_actor_new (&config, NULL);
    free (key_text);                //  the actor has its own copy now
    if (!gateway)
        return 1;
    //  Wait for SIGINT/SIGTERM (CZMQ's handler sets zsys_interrupted), or
    //  for the actor to end on its own.
    zpoller_t *poller = zpoller_new (gateway, NULL);
    int rc = 0;
    while (!zsys_interrupted) {
        if (zpoller_wait (poller, 200)) {
            dp_error ("gateway: the gateway actor ended unexpectedly");
            rc = 1;
            break;
        }
    }
    zpoller_destroy (&poller);
    dp_info ("gateway: stopping");
    zactor_destroy (&gateway);
    return rc;
}
