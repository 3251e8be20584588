/*  =========================================================================
    resolver-svc - the resolver service as its own process

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Parses flags and environment through dp_resolver_options' table (flags
    win), loads the schema, starts N resolver actors that connect to the
    gateway and to every db-svc, waits for SIGINT/SIGTERM and stops them.
    Scale by running more processes.

    Covered by tests/integration/test_gateway_http.py (three resolver-svc
    processes) and test_schema_startup.py.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_instance.h"
#include "dp_msg.h"
#include "dp_introspection_hooks.h"
#include "dp_options.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_OPTIONS 32

int
main (int argc, char *argv [])
{
    dp_resolver_options_t opts;
    dp_resolver_options_init (&opts);
    const char *gateway = "tcp://127.0.0.1:5556";
    const char *dbs = "tcp://127.0.0.1:5557";
    bool verbose = false;
    dp_option_t options [S_MAX_OPTIONS];
    size_t n = 0;
    options [n++] = (dp_option_t) { "--gateway", "DEPOT_BACKEND_CONNECT", DP_OPT_STRING, &gateway,
                                    "gateway backend to connect to" };
    options [n++] = (dp_option_t) { "--db", "DEPOT_DB_CONNECT", DP_OPT_STRING, &dbs,
                                    "comma-separated db-svc endpoints" };
    n += dp_resolver_options (&opts, options + n, S_MAX_OPTIONS - n);
    options [n++] = (dp_option_t) { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logs" };
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: resolver-svc [options]\n"
        "Depot's resolvers: execute GraphQL requests from the gateway against db-svc.",
        err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "resolver-svc: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    if (dp_resolver_options_check (&opts, err, sizeof err)) {
        fprintf (stderr, "resolver-svc: %s\n", err);
        return 2;
    }
    dp_log_init ("resolver-svc", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    if (dp_malloc_policy_apply ())
        dp_debug ("malloc policy not applied: not glibc's allocator");
    dp_schema_t *schema = dp_resolver_schema_load (opts.schema, err, sizeof err);
    if (!schema) {
        fprintf (stderr, "resolver-svc: schema: %s\n", err);
        return 1;
    }
    dp_introspection_hooks_enable (schema, opts.introspection);
    dp_schema_t *public_schema = dp_resolver_public_schema_load (err, sizeof err);
    if (!public_schema) {
        fprintf (stderr, "resolver-svc: %s\n", err);
        dp_schema_destroy (&schema);
        return 1;
    }
    //  Split the db endpoint list.
    char *list = strdup (dbs);
    const char *endpoints [32];
    size_t n_endpoints = 0;
    for (char *token = strtok (list, ","); token && n_endpoints < 32; token = strtok (NULL, ","))
        endpoints [n_endpoints++] = token;
    dp_resolver_config_t config = {
        .gateway_endpoint = gateway, .db_endpoints = endpoints, .n_db_endpoints = n_endpoints,
        .schema = schema, .public_schema = public_schema, .credit = (uint32_t) opts.credit, .max_page_size = opts.max_page,
        .large_answer_rows = (size_t) opts.large_answer_rows,
        .db_wait_ms = opts.db_wait_ms ? opts.db_wait_ms : -1
    };
    zsys_init ();
    zactor_t *running [DP_RESOLVERS_MAX];
    int started = 0;
    char instance [DP_INSTANCE_MAX + 1];
    config.instance = instance;             //  each actor copies its name before it signals
    for (int i = 0; i < opts.resolvers; i++) {
        dp_instance_name (instance, sizeof instance, i);
        running [i] = zactor_new (dp_resolver_actor, &config);
        if (!running [i]) {
            fprintf (stderr, "resolver-svc: actor %d failed to start\n", i);
            break;
        }
        started++;
    }
    int rc = started == opts.resolvers ? 0 : 1;
    if (rc == 0) {
        dp_info ("resolver-svc: %d actor(s) connected to %s and %zu db-svc", started, gateway, n_endpoints);
        while (!zsys_interrupted)
            zclock_sleep (100);
    }
    for (int i = started - 1; i >= 0; i--)
        zactor_destroy (&running [i]);
    dp_schema_destroy (&schema);
    dp_schema_destroy (&public_schema);
    free (list);
    return rc;
}
