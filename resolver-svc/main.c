/*  =========================================================================
    resolver-svc - the resolver service as its own process

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Parses flags and environment, loads the schema, starts N resolver
    actors that connect to the gateway and to every db-svc, waits for
    SIGINT/SIGTERM and stops them. Scale by running more processes.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_log.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
s_env (const char *name, const char *fallback)
{
    const char *value = getenv (name);
    return value && *value ? value : fallback;
}

static void
s_usage (void)
{
    printf ("Usage: resolver-svc [options]\n"
            "  --gateway ENDPOINT   gateway backend to connect to (DEPOT_BACKEND_CONNECT, tcp://127.0.0.1:5556)\n"
            "  --db ENDPOINTS       comma-separated db-svc endpoints (DEPOT_DB_CONNECT, tcp://127.0.0.1:5557)\n"
            "  --actors N           resolver actors in this process (DEPOT_RESOLVERS, 1)\n"
            "  --credit N           requests in flight per actor (DEPOT_CREDIT, 64)\n"
            "  --max-page N         largest boxes page (DEPOT_MAX_PAGE, 100000)\n"
            "  --schema FILE        SDL file instead of the built-in schema (DEPOT_SCHEMA)\n"
            "  --verbose            debug logs (DEPOT_VERBOSE=1)\n"
            "  --help               this text\n");
}

int
main (int argc, char *argv [])
{
    const char *gateway = s_env ("DEPOT_BACKEND_CONNECT", "tcp://127.0.0.1:5556");
    const char *dbs = s_env ("DEPOT_DB_CONNECT", "tcp://127.0.0.1:5557");
    int actors = atoi (s_env ("DEPOT_RESOLVERS", "1"));
    int credit = atoi (s_env ("DEPOT_CREDIT", "64"));
    long long max_page = atoll (s_env ("DEPOT_MAX_PAGE", "100000"));
    const char *schema_path = getenv ("DEPOT_SCHEMA");
    bool verbose = streq (s_env ("DEPOT_VERBOSE", "0"), "1");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (arg, "--help")) { s_usage (); return 0; }
        else if (streq (arg, "--verbose")) verbose = true;
        else if (value && streq (arg, "--gateway")) { gateway = value; i++; }
        else if (value && streq (arg, "--db")) { dbs = value; i++; }
        else if (value && streq (arg, "--actors")) { actors = atoi (value); i++; }
        else if (value && streq (arg, "--credit")) { credit = atoi (value); i++; }
        else if (value && streq (arg, "--max-page")) { max_page = atoll (value); i++; }
        else if (value && streq (arg, "--schema")) { schema_path = value; i++; }
        else { fprintf (stderr, "resolver-svc: unknown or incomplete option %s (see --help)\n", arg); return 2; }
    }
    if (actors < 1 || credit < 1 || max_page < 1) {
        fprintf (stderr, "resolver-svc: --actors, --credit and --max-page must be positive\n");
        return 2;
    }
    dp_log_init ("resolver-svc", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    char err [400];
    dp_schema_t *schema = dp_resolver_schema_load (schema_path, err, sizeof err);
    if (!schema) {
        fprintf (stderr, "resolver-svc: schema: %s\n", err);
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
        .schema = schema, .credit = (uint32_t) credit, .max_page_size = max_page
    };
    zsys_init ();
    zactor_t *running [64];
    int started = 0;
    for (int i = 0; i < actors && i < 64; i++) {
        running [i] = zactor_new (dp_resolver_actor, &config);
        if (!running [i]) {
            fprintf (stderr, "resolver-svc: actor %d failed to start\n", i);
            break;
        }
        started++;
    }
    int rc = started == actors ? 0 : 1;
    if (rc == 0) {
        dp_info ("resolver-svc: %d actor(s) connected to %s and %zu db-svc", started, gateway, n_endpoints);
        while (!zsys_interrupted)
            zclock_sleep (100);
    }
    for (int i = started - 1; i >= 0; i--)
        zactor_destroy (&running [i]);
    dp_schema_destroy (&schema);
    free (list);
    return rc;
}
