/*  =========================================================================
    depot - the whole of Depot in one process (the embedded default)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Starts the same actors as the three services, wired over inproc://:
    the DB actor, N resolver actors, and the gateway (civetweb + broker).
    Settings are the union of the three services' settings, with the same
    flags and environment variables. Stops on SIGINT/SIGTERM: the gateway
    first (no new requests; in-flight ones finish), then the resolvers,
    then the DB actor.
@end
*/
#include "dp_gateway.h"
#include "dp_resolver_actor.h"
#include "dp_db_actor.h"
#include "dp_options.h"
#include "dp_log.h"
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#define DB_ENDPOINT      "inproc://depot-db"
#define BACKEND_ENDPOINT "inproc://depot-backend"

//  Read a whole (small) file into a malloc'd string; NULL on failure.
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    char *text = calloc (1, 65536);
    size_t got = text ? fread (text, 1, 65535, file) : 0;
    fclose (file);
    if (got == 0) {
        free (text);
        return NULL;
    }
    return text;
}

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
    const char *schema_path = NULL;
    int resolvers = 1, credit = 64, max_page = 100000;
    bool verbose = false;
    dp_option_t options [] = {
        { "--mysql-host", "MYSQL_HOST", DP_OPT_STRING, &db.host, "MariaDB host (empty: the socket)" },
        { "--mysql-port", "MYSQL_PORT", DP_OPT_INT, &db.port, "MariaDB TCP port" },
        { "--mysql-socket", "MYSQL_SOCKET", DP_OPT_STRING, &db.socket, "MariaDB unix socket" },
        { "--mysql-user", "MYSQL_USER", DP_OPT_STRING, &db.user, "MariaDB user" },
        { "--mysql-password", "MYSQL_PASSWORD", DP_OPT_STRING, &db.password, "MariaDB password" },
        { "--mysql-db", "MYSQL_DB", DP_OPT_STRING, &db.database, "database name" },
        { "--db-pool", "DEPOT_DB_POOL", DP_OPT_INT, &db.pool_size, "MariaDB connections" },
        { "--db-chunk", "DEPOT_DB_CHUNK", DP_OPT_INT, &db.chunk_size, "most keys per statement" },
        { "--port", "DEPOT_PORT", DP_OPT_INT, &gateway.port, "HTTP port" },
        { "--auth0-domain", "AUTH0_DOMAIN", DP_OPT_STRING, &gateway.auth0_domain, "token issuer is https://<domain>/" },
        { "--auth0-audience", "AUTH0_AUDIENCE", DP_OPT_STRING, &gateway.auth0_audience, "token audience" },
        { "--public-key", "AUTH0_PUBLIC_KEY", DP_OPT_STRING, &gateway.public_key_pem, "RS256 public key (PEM text)" },
        { "--public-key-file", "DEPOT_PUBLIC_KEY_FILE", DP_OPT_STRING, &public_key_file, "RS256 public key (PEM file)" },
        { "--max-body", "DEPOT_MAX_BODY", DP_OPT_SIZE, &gateway.max_body, "largest request body, bytes" },
        { "--threads", "DEPOT_THREADS", DP_OPT_INT, &gateway.threads, "HTTP worker threads" },
        { "--max-inflight", "DEPOT_MAX_INFLIGHT", DP_OPT_INT, &gateway.max_inflight, "admitted requests at once" },
        { "--deadline-ms", "DEPOT_DEADLINE_MS", DP_OPT_INT, &gateway.deadline_ms, "request deadline" },
        { "--max-tokens", "DEPOT_MAX_TOKENS", DP_OPT_SIZE, &gateway.max_tokens, "GraphQL token limit" },
        { "--max-depth", "DEPOT_MAX_DEPTH", DP_OPT_SIZE, &gateway.max_depth, "GraphQL nesting limit" },
        { "--debug-extension", "DEPOT_DEBUG_EXTENSION", DP_OPT_BOOL, &gateway.debug_extension, "extensions.debug in responses" },
        { "--resolvers", "DEPOT_RESOLVERS", DP_OPT_INT, &resolvers, "resolver actors" },
        { "--credit", "DEPOT_CREDIT", DP_OPT_INT, &credit, "requests in flight per resolver" },
        { "--max-page", "DEPOT_MAX_PAGE", DP_OPT_INT, &max_page, "largest boxes page" },
        { "--schema", "DEPOT_SCHEMA", DP_OPT_STRING, &schema_path, "SDL file instead of the built-in schema" },
        { "--verbose", "DEPOT_VERBOSE", DP_OPT_BOOL, &verbose, "debug logs" },
    };
    char err [400];
    int parsed = dp_options_parse (options, sizeof options / sizeof options [0], argc, argv,
                                   "Usage: depot [options]\nDepot's gateway, resolvers and DB actor in one process.",
                                   err, sizeof err);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf (stderr, "depot: %s\n", err);
        return parsed < 0 ? 2 : 0;
    }
    if (resolvers < 1 || resolvers > 64 || credit < 1 || max_page < 1) {
        fprintf (stderr, "depot: --resolvers (1-64), --credit and --max-page must be positive\n");
        return 2;
    }
    dp_log_init ("depot", verbose ? DP_LOG_DEBUG : DP_LOG_INFO);
    char *key_text = NULL;
    if (!gateway.public_key_pem && public_key_file) {
        key_text = s_read_file (public_key_file);
        if (!key_text) {
            fprintf (stderr, "depot: cannot read public key file %s\n", public_key_file);
            return 1;
        }
        gateway.public_key_pem = key_text;
    }
    dp_schema_t *schema = dp_resolver_schema_load (schema_path, err, sizeof err);
    if (!schema) {
        fprintf (stderr, "depot: schema: %s\n", err);
        free (key_text);
        return 1;
    }
    zsys_init ();
    zsys_set_max_sockets (0);
    int rc = 1;
    zactor_t *db_actor = dp_db_actor_new (&db);
    zactor_t *resolver_actors [64] = { 0 };
    zactor_t *gateway_actor = NULL;
    const char *db_endpoints [] = { DB_ENDPOINT };
    dp_resolver_config_t resolver = {
        .gateway_endpoint = BACKEND_ENDPOINT, .db_endpoints = db_endpoints, .n_db_endpoints = 1,
        .schema = schema, .credit = (uint32_t) credit, .max_page_size = max_page
    };
    if (!db_actor)
        goto stop;
    for (int i = 0; i < resolvers; i++)
        if (!(resolver_actors [i] = zactor_new (dp_resolver_actor, &resolver)))
            goto stop;
    gateway_actor = zactor_new (dp_gateway_actor, &gateway);
    if (!gateway_actor || gateway.status != 0) {
        fprintf (stderr, "depot: the gateway did not start (see the log above)\n");
        goto stop;
    }
    dp_info ("depot: serving http://localhost:%d/graphql with %d resolver(s) and %d DB connection(s)",
             gateway.bound_port, resolvers, db.pool_size);
    while (!zsys_interrupted)
        zclock_sleep (100);
    rc = 0;
stop:
    zactor_destroy (&gateway_actor);
    for (int i = resolvers - 1; i >= 0; i--)
        zactor_destroy (&resolver_actors [i]);
    zactor_destroy (&db_actor);
    dp_schema_destroy (&schema);
    free (key_text);
    dp_info ("depot: stopped");
    return rc;
}
