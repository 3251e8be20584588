/*  =========================================================================
    live-svc - live updates (GraphQL subscriptions) as their own process

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Runs one dp_live_actor on DEPOT_LIVE_PORT until SIGINT or SIGTERM. It
    subscribes to the change feed (DEPOT_LIVE_FEED_CONNECT, feed-svc's
    DEPOT_FEED_BIND) and sends each event's resolution to the gateway's
    broker (DEPOT_EXECUTE_CONNECT, the gateway's DEPOT_EXECUTE_BIND), so it
    holds no database connection and no resolver of its own. Tokens are
    checked with the gateway's settings (AUTH0_DOMAIN, AUTH0_AUDIENCE, the
    public key, DEPOT_JWT_LEEWAY), the documents against Depot's schema
    (DEPOT_SCHEMA). Scale it by running more: subscribers are independent.
@end
*/
#include "dp_live_actor.h"
#include "dp_live_config.h"
#include "dp_gateway_config.h"
#include "dp_resolver_actor.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_OPTIONS 64

//  Keep the settings of table whose environment variable is among names.
static size_t
s_options_named (const dp_option_t *table, size_t n_table, const char *const *names,
                 dp_option_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_table; i++)
        for (const char *const *name = names; *name; name++)
            if (table [i].env && strcmp (table [i].env, *name) == 0)
                out [n++] = table [i];
    return n;
}

int
main (int argc, char *argv [])
{
    dp_live_config_t config;
    dp_live_config_defaults (&config);
    dp_gateway_config_t gateway;
    dp_gateway_config_defaults (&gateway);
    const char *public_key_file = NULL;
    dp_resolver_options_t resolvers;
    dp_resolver_options_init (&resolvers);
    bool verbose = false;

    //  The gateway's token settings and the resolvers' schema: the same names, the same values.
    const char *const token_names [] = { "AUTH0_DOMAIN", "AUTH0_AUDIENCE", "AUTH0_PUBLIC_KEY",
                                         "DEPOT_PUBLIC_KEY_FILE", "DEPOT_JWT_LEEWAY", NULL };
    const char *const schema_names [] = { "DEPOT_SCHEMA", NULL };
    dp_option_t table [S_MAX_OPTIONS], options [S_MAX_OPTIONS];
    size_t n = dp_live_options (&config, options, S_MAX_OPTIONS);
    size_t n_table = dp_gateway_options (&gateway, &public_key_file, table, S_MAX_OPTIONS);
    n += s_options_named (table, n_table, token_names, options + n);
    n_table = dp_resolver_options (&resolvers, table, S_MAX_OPTIONS);
    n += s_options_named (table, n_table, schema_names, options + n);
    options [n++] = (dp_option_t) { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logs" };
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: live-svc [options]\n"
        "Depot's live updates: GraphQL subscriptions over WebSocket (graphql-transport-ws),\n"
        "each event resolved through the gateway's broker (README, \"Live updates\").",
        err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "live-svc: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    char *key_text = NULL;
    if (dp_gateway_config_load_key (&gateway, public_key_file, &key_text, err, sizeof err)) {
        fprintf (stderr, "live-svc: %s\n", err);
        return 1;
    }
    if (dp_gateway_config_check (&gateway, err, sizeof err)
    ||  dp_live_config_check (&config, err, sizeof err)) {
        fprintf (stderr, "live-svc: %s\n", err);
        free (key_text);
        return 2;
    }
    dp_log_init ("live-svc", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    if (dp_malloc_policy_apply ())
        dp_debug ("malloc policy not applied: not glibc's allocator");
    int rc = 1;
    zactor_t *actor = NULL;
    config.schema = dp_resolver_schema_load (resolvers.schema, err, sizeof err);
    config.jwt = config.schema ? dp_live_jwt_new (&gateway, err, sizeof err) : NULL;
    if (!config.jwt) {
        fprintf (stderr, "live-svc: %s\n", err);
        goto done;
    }
    zsys_init ();
    if (!(actor = dp_live_actor_new (&config)))
        goto done;
    while (!zsys_interrupted)
        zclock_sleep (100);
    dp_info ("live-svc: stopping");
    rc = 0;
done:
    zactor_destroy (&actor);
    dp_jwt_destroy (&config.jwt);
    dp_schema_destroy (&config.schema);
    free (key_text);
    return rc;
}
