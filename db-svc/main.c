/*  =========================================================================
    db-svc - Depot's database service: the DB actor behind a ROUTER socket

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Parses flags and environment through dp_db_options' table (flags
    override the environment, which overrides the defaults), starts one
    dp_db_actor, waits for SIGINT or SIGTERM, stops the actor and exits 0.
@end
*/
#include "dp_db_actor.h"
#include "dp_options.h"
#include "dp_log.h"
#include "dp_malloc_policy.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#define S_MAX_OPTIONS 32

int
main (int argc, char *argv [])
{
    dp_db_config_t config;
    dp_db_config_init (&config);
    dp_option_t options [S_MAX_OPTIONS];
    size_t n = dp_db_options (&config, options, S_MAX_OPTIONS);
    const dp_option_t own [] = {
        { "--bind", "DEPOT_DB_BIND", DP_OPT_STRING, &config.endpoint, "ZeroMQ endpoint to bind" },
        { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &config.verbose, "log every statement" },
        { "--feed-connect", "DEPOT_FEED_CONNECT", DP_OPT_STRING, &config.feed_connect,
          "the change feed to subscribe to: counts the feed vouches for are kept between"
          " requests (none: every count runs)" },
    };
    assert (n + sizeof own / sizeof own [0] <= S_MAX_OPTIONS);
    for (size_t i = 0; i < sizeof own / sizeof own [0]; i++)
        options [n++] = own [i];
    char err [400];
    int parsed = dp_options_parse (options, n, argc, argv,
        "usage: db-svc [options]\n"
        "Depot's database service: LOAD and QUERY over ZeroMQ, answered from MariaDB.",
        err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "db-svc: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    if (dp_db_config_check (&config, err, sizeof err)) {
        fprintf (stderr, "db-svc: %s\n", err);
        return 2;
    }

    dp_log_init ("db-svc", DP_LOG_INFO);

    if (dp_malloc_policy_apply ())

        dp_debug ("malloc policy not applied: not glibc's allocator");
    //  CZMQ's default handler catches SIGINT and SIGTERM and sets
    //  zsys_interrupted; the actor itself ignores EINTR and runs until $TERM.
    zsys_init ();
    zactor_t *actor = dp_db_actor_new (&config);
    if (!actor) {
        dp_error ("db-svc: could not start (bind %s)", config.endpoint);
        return 1;
    }
    while (!zsys_interrupted)
        zclock_sleep (100);
    dp_info ("db-svc: stopping");
    zactor_destroy (&actor);
    return 0;
}
