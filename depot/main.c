/*  =========================================================================
    depot - the whole of Depot in one process (the embedded default)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Starts the same actors as the three services, wired over inproc://:
    the DB actor, N resolver actors, the gateway (civetweb + broker), and
    the change feed's actor when DEPOT_FEED_BIND names where it publishes.
    Settings are the union of the three services' option tables
    (dp_db_options, dp_gateway_options, dp_resolver_options), so the flags
    and environment variables are the same; only the endpoints between the
    actors are fixed. Stops on SIGINT/SIGTERM: the gateway first (no new
    requests; in-flight ones finish), then the resolvers, then the DB actor
    and the feed.
@end
*/
#include "dp_gateway.h"
#include "dp_resolver_actor.h"
#include "dp_instance.h"
#include "dp_msg.h"
#include "dp_introspection_hooks.h"
#include "dp_db_actor.h"
#include "dp_feed_actor.h"
#include "dp_live_config.h"
#include "dp_jwt.h"
#include "dp_options.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#define DB_ENDPOINT      "inproc://depot-db"
#define BACKEND_ENDPOINT "inproc://depot-backend"
#define FEED_ENDPOINT    "inproc://depot-feed"
#define FEED_WRITES      "inproc://depot-feed-writes"
#define EXECUTE_ENDPOINT "inproc://depot-execute"
#define S_MAX_OPTIONS    80

int
main (int argc, char *argv [])
{
    dp_db_config_t db;
    dp_db_config_init (&db);
    db.endpoint = DB_ENDPOINT;
    dp_gateway_config_t gateway;
    dp_gateway_config_defaults (&gateway);
    gateway.backend_endpoint = BACKEND_ENDPOINT;
    const char *public_key_file = NULL;
    dp_resolver_options_t resolvers;
    dp_resolver_options_init (&resolvers);
    dp_feed_config_t feed;
    dp_feed_config_init (&feed, &db);
    dp_live_config_t live;
    dp_live_config_defaults (&live);
    live.port = 0;                          //  live updates only when DEPOT_LIVE_PORT is set
    bool verbose = false;

    dp_option_t options [S_MAX_OPTIONS];
    size_t n = dp_db_options (&db, options, S_MAX_OPTIONS);
    n += dp_gateway_options (&gateway, &public_key_file, options + n, S_MAX_OPTIONS - n);
    n += dp_resolver_options (&resolvers, options + n, S_MAX_OPTIONS - n);
    n += dp_feed_options (&feed, options + n, S_MAX_OPTIONS - n);
    n += dp_live_options (&live, options + n, S_MAX_OPTIONS - n);
    options [n++] = (dp_option_t) { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logs" };
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: depot [options]\n"
        "Depot's gateway, resolvers and DB actor in one process.",
        err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "depot: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    char *key_text = NULL;
    if (dp_gateway_config_load_key (&gateway, public_key_file, &key_text, err, sizeof err)) {
        fprintf (stderr, "depot: %s\n", err);
        return 1;
    }
    if (dp_db_config_check (&db, err, sizeof err)
    ||  dp_gateway_config_check (&gateway, err, sizeof err)
    ||  dp_resolver_options_check (&resolvers, err, sizeof err)
    ||  dp_feed_config_check (&feed, err, sizeof err)) {
        fprintf (stderr, "depot: %s\n", err);
        free (key_text);
        return 2;
    }
    dp_log_init ("depot", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    if (dp_malloc_policy_apply ())
        dp_debug ("malloc policy not applied: not glibc's allocator");
    dp_schema_t *schema = dp_resolver_schema_load (resolvers.schema, err, sizeof err);
    if (!schema) {
        fprintf (stderr, "depot: schema: %s\n", err);
        free (key_text);
        return 1;
    }
    dp_introspection_hooks_enable (schema, resolvers.introspection);
    dp_schema_t *public_schema = dp_resolver_public_schema_load (err, sizeof err);
    if (!public_schema) {
        fprintf (stderr, "depot: %s\n", err);
        dp_schema_destroy (&schema);
        free (key_text);
        return 1;
    }
    zsys_init ();
    zsys_set_max_sockets (0);
    int rc = 1;
    if (dp_feed_config_enabled (&feed)) {
        feed.inproc = FEED_ENDPOINT;        //  the gateway's /metrics reads its status there
        gateway.feed_endpoint = FEED_ENDPOINT;
        feed.writes = FEED_WRITES;          //  Depot's own writes, for the fallback
        db.feed_writes = FEED_WRITES;
        db.feed_connect = FEED_ENDPOINT;    //  it vouches for the counts db-svc keeps
    }
    zactor_t *db_actor = dp_db_actor_new (&db);
    zactor_t *resolver_actors [DP_RESOLVERS_MAX] = { 0 };
    zactor_t *gateway_actor = NULL;
    zactor_t *feed_actor = NULL;
    zactor_t *live_actor = NULL;
    dp_jwt_t *live_jwt = NULL;
    if (live.port) {                        //  the gateway's broker takes its EXECUTEs
        gateway.execute_endpoint = EXECUTE_ENDPOINT;
        live.execute_endpoint = EXECUTE_ENDPOINT;
        live.feed_endpoint = FEED_ENDPOINT;
    }
    int port = 0;                           //  the port the gateway listens on
    const char *db_endpoints [] = { DB_ENDPOINT };
    dp_resolver_config_t resolver = {
        .gateway_endpoint = BACKEND_ENDPOINT, .db_endpoints = db_endpoints, .n_db_endpoints = 1,
        .schema = schema, .public_schema = public_schema, .credit = (uint32_t) resolvers.credit, .max_page_size = resolvers.max_page,
        .large_answer_rows = (size_t) resolvers.large_answer_rows,
        .db_wait_ms = resolvers.db_wait_ms ? resolvers.db_wait_ms : -1
    };
    if (!db_actor)
        goto stop;
    if (feed.inproc && !(feed_actor = dp_feed_actor_new (&feed)))
        goto stop;
    char instance [DP_INSTANCE_MAX + 1];
    resolver.instance = instance;           //  each actor copies its name before it signals
    for (int i = 0; i < resolvers.resolvers; i++) {
        dp_instance_name (instance, sizeof instance, i);
        if (!(resolver_actors [i] = zactor_new (dp_resolver_actor, &resolver)))
            goto stop;
    }
    gateway_actor = dp_gateway_actor_new (&gateway, &port);
    if (!gateway_actor) {
        fprintf (stderr, "depot: the gateway did not start (see the log above)\n");
        goto stop;
    }
    if (live.port) {
        if (!feed.inproc) {
            fprintf (stderr, "depot: live updates (DEPOT_LIVE_PORT) need the change feed (DEPOT_FEED_BIND)\n");
            goto stop;
        }
        live_jwt = dp_live_jwt_new (&gateway, err, sizeof err);
        if (!live_jwt) {
            fprintf (stderr, "depot: live updates: %s\n", err);
            goto stop;
        }
        live.jwt = live_jwt;
        live.schema = schema;
        if (!(live_actor = dp_live_actor_new (&live)))
            goto stop;
    }
    dp_info ("depot: serving http://localhost:%d/graphql with %d resolver(s) and %d to %d DB"
             " connection(s)", port, resolvers.resolvers,
             db.pool_min < db.pool_size? db.pool_min: db.pool_size, db.pool_size);
    while (!zsys_interrupted)
        zclock_sleep (100);
    rc = 0;
stop:
    zactor_destroy (&live_actor);
    dp_jwt_destroy (&live_jwt);
    zactor_destroy (&gateway_actor);
    for (int i = resolvers.resolvers - 1; i >= 0; i--)
        zactor_destroy (&resolver_actors [i]);
    zactor_destroy (&db_actor);
    zactor_destroy (&feed_actor);
    dp_schema_destroy (&schema);
    dp_schema_destroy (&public_schema);
    free (key_text);
    dp_info ("depot: stopped");
    return rc;
}
