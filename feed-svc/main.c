/*  =========================================================================
    feed-svc - Depot's change feed: the binary log as ZeroMQ messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Runs one dp_feed_actor, publishing on DEPOT_FEED_BIND, until SIGINT or
    SIGTERM. One per deployment: every instance would publish every change.
    Its MariaDB settings are db-svc's MYSQL_* (the primary's; a replica's
    binary log would do as well only with log_slave_updates).
@end
*/
#include "dp_feed_actor.h"
#include "dp_db_config.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <stdio.h>
#include <string.h>

#define S_MAX_OPTIONS 48

int
main (int argc, char *argv [])
{
    dp_db_config_t db;
    dp_db_config_init (&db);
    dp_feed_config_t config;
    dp_feed_config_init (&config, &db);
    config.bind = "tcp://*:5558";
    config.writes = "tcp://*:5559";
    bool verbose = false;

    //  The primary's MYSQL_* settings only: the pool's and the replica's are db-svc's.
    dp_option_t db_options [S_MAX_OPTIONS], options [S_MAX_OPTIONS];
    size_t n_db = dp_db_options (&db, db_options, S_MAX_OPTIONS), n = 0;
    for (size_t i = 0; i < n_db; i++)
        if (strncmp (db_options [i].env, "MYSQL_", 6) == 0
        &&  strncmp (db_options [i].env, "MYSQL_REPLICA_", 14) != 0)
            options [n++] = db_options [i];
    n += dp_feed_options (&config, options + n, S_MAX_OPTIONS - n);
    options [n++] = (dp_option_t) { "--writes-bind", "DEPOT_FEED_WRITES_BIND", DP_OPT_STRING,
        &config.writes, "ZeroMQ endpoint db-svc pushes Depot's own writes to (the fallback's"
        " source; db-svc's DEPOT_FEED_WRITES connects to it)" };
    options [n++] = (dp_option_t) { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logs" };
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: feed-svc [options]\n"
        "Depot's change feed: every committed row change in MariaDB's binary log, published\n"
        "over ZeroMQ PUB (README, \"Change feed\").", err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "feed-svc: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    if (dp_db_config_check (&db, err, sizeof err) || dp_feed_config_check (&config, err, sizeof err)) {
        fprintf (stderr, "feed-svc: %s\n", err);
        return 2;
    }
    if (!dp_feed_config_enabled (&config)) {
        fprintf (stderr, "feed-svc: DEPOT_FEED_BIND is empty: nowhere to publish\n");
        return 2;
    }
    dp_log_init ("feed-svc", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    if (dp_malloc_policy_apply ())
        dp_debug ("malloc policy not applied: not glibc's allocator");
    zsys_init ();
    zactor_t *actor = dp_feed_actor_new (&config);
    if (!actor)
        return 1;
    while (!zsys_interrupted)
        zclock_sleep (100);
    dp_info ("feed-svc: stopping");
    zactor_destroy (&actor);
    return 0;
}
