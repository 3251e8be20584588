/*  =========================================================================
    db-svc - Depot's database service: the DB actor behind a ROUTER socket

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Parses flags and environment, starts one dp_db_actor, waits for SIGINT
    or SIGTERM, stops the actor and exits 0. Flags override the
    environment, which overrides the defaults.
@end
*/
#include "dp_db_actor.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: db-svc [options]\n"
        "  --host HOST        MariaDB host (env MYSQL_HOST; default: the local socket)\n"
        "  --port PORT        MariaDB TCP port (env MYSQL_PORT; default 3306)\n"
        "  --socket PATH      MariaDB unix socket (env MYSQL_SOCKET)\n"
        "  --user USER        MariaDB user (env MYSQL_USER; default root)\n"
        "  --password PW      MariaDB password (env MYSQL_PASSWORD; default none)\n"
        "  --database DB      database (env MYSQL_DB; default dropapp_dev)\n"
        "  --bind ENDPOINT    ZeroMQ endpoint to bind (env DEPOT_DB_BIND; default tcp://*:5557)\n"
        "  --pool N           connections to MariaDB (env DEPOT_DB_POOL; default 8)\n"
        "  --chunk-size N     max keys per statement (env DEPOT_DB_CHUNK_SIZE; default 10000)\n"
        "  --verbose          log every statement (env DEPOT_DB_VERBOSE=1)\n"
        "  --help             this text\n");
}

//  Parse a positive int; returns -1 when text is not one.
static int
s_positive (const char *text)
{
    char *end;
    long value = strtol (text, &end, 10);
    if (*text == 0 || *end || value <= 0 || value > INT_MAX)
        return -1;
    return (int) value;
}

static const char *
s_env (const char *name)
{
    const char *value = getenv (name);
    return value && *value? value: NULL;
}

int
main (int argc, char *argv [])
{
    dp_db_config_t config;
    dp_db_config_init (&config);
    const char *port = s_env ("MYSQL_PORT");
    const char *pool = s_env ("DEPOT_DB_POOL");
    const char *chunk = s_env ("DEPOT_DB_CHUNK_SIZE");
    const char *verbose = s_env ("DEPOT_DB_VERBOSE");
    if (s_env ("MYSQL_HOST"))
        config.host = s_env ("MYSQL_HOST");
    if (s_env ("MYSQL_SOCKET"))
        config.socket = s_env ("MYSQL_SOCKET");
    if (s_env ("MYSQL_USER"))
        config.user = s_env ("MYSQL_USER");
    if (s_env ("MYSQL_PASSWORD"))
        config.password = s_env ("MYSQL_PASSWORD");
    if (s_env ("MYSQL_DB"))
        config.database = s_env ("MYSQL_DB");
    if (s_env ("DEPOT_DB_BIND"))
        config.endpoint = s_env ("DEPOT_DB_BIND");
    config.verbose = verbose && strcmp (verbose, "0") != 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
        if (strcmp (arg, "--verbose") == 0) {
            config.verbose = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf (stderr, "db-svc: %s needs a value (or is unknown)\n", arg);
            s_usage (stderr);
            return 2;
        }
        const char *value = argv [++i];
        if (strcmp (arg, "--host") == 0)
            config.host = value;
        else
        if (strcmp (arg, "--port") == 0)
            port = value;
        else
        if (strcmp (arg, "--socket") == 0)
            config.socket = value;
        else
        if (strcmp (arg, "--user") == 0)
            config.user = value;
        else
        if (strcmp (arg, "--password") == 0)
            config.password = value;
        else
        if (strcmp (arg, "--database") == 0)
            config.database = value;
        else
        if (strcmp (arg, "--bind") == 0)
            config.endpoint = value;
        else
        if (strcmp (arg, "--pool") == 0)
            pool = value;
        else
        if (strcmp (arg, "--chunk-size") == 0)
            chunk = value;
        else {
            fprintf (stderr, "db-svc: unknown option %s\n", arg);
            s_usage (stderr);
            return 2;
        }
    }
    if (port && (config.port = s_positive (port)) < 0) {
        fprintf (stderr, "db-svc: bad port '%s'\n", port);
        return 2;
    }
    if (pool && (config.pool_size = s_positive (pool)) < 0) {
        fprintf (stderr, "db-svc: bad pool size '%s'\n", pool);
        return 2;
    }
    if (chunk && (config.chunk_size = s_positive (chunk)) < 0) {
        fprintf (stderr, "db-svc: bad chunk size '%s'\n", chunk);
        return 2;
    }

    dp_log_init ("db-svc", DP_LOG_INFO);
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
