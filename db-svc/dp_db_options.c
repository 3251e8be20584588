/*  =========================================================================
    dp_db_options - the DB actor's settings as one dp_options table

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The MariaDB and pool settings, written once and used by both binaries
    that run a DB actor: db-svc (which adds its own --bind) and depot
    (which fixes the endpoint to inproc://). Boxtribute's MYSQL_* names;
    MYSQL_REPLICA_SOCKET is boxtribute's, MYSQL_REPLICA_HOST and
    MYSQL_REPLICA_PORT complete it for a replica reached over TCP.
@end
*/
#include "dp_db_actor.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

size_t
dp_db_options (dp_db_config_t *config, dp_option_t *out, size_t max)
{
    assert (config);
    assert (out);
    const dp_option_t options [] = {
        { "--mysql-host", "MYSQL_HOST", DP_OPT_STRING, &config->host,
          "MariaDB host (none: the unix socket)" },
        { "--mysql-port", "MYSQL_PORT", DP_OPT_INT, &config->port,
          "MariaDB TCP port (0: 3306)" },
        { "--mysql-socket", "MYSQL_SOCKET", DP_OPT_STRING, &config->socket,
          "MariaDB unix socket" },
        { "--mysql-user", "MYSQL_USER", DP_OPT_STRING, &config->user,
          "MariaDB user" },
        { "--mysql-password", "MYSQL_PASSWORD", DP_OPT_STRING, &config->password,
          "MariaDB password", true },
        { "--mysql-db", "MYSQL_DB", DP_OPT_STRING, &config->database,
          "database name" },
        { "--mysql-replica-host", "MYSQL_REPLICA_HOST", DP_OPT_STRING, &config->replica_host,
          "read replica's host (none and no replica socket: no replica)" },
        { "--mysql-replica-port", "MYSQL_REPLICA_PORT", DP_OPT_INT, &config->replica_port,
          "read replica's TCP port (0: 3306)" },
        { "--mysql-replica-socket", "MYSQL_REPLICA_SOCKET", DP_OPT_STRING, &config->replica_socket,
          "read replica's unix socket" },
        { "--db-pool", "DEPOT_DB_POOL", DP_OPT_INT, &config->pool_size,
          "connections to MariaDB" },
        { "--db-replica-pool", "DEPOT_DB_REPLICA_POOL", DP_OPT_INT, &config->replica_pool_size,
          "connections to the read replica (0: as many as DEPOT_DB_POOL)" },
        { "--db-chunk", "DEPOT_DB_CHUNK", DP_OPT_INT, &config->chunk_size,
          "most keys per statement" },
        { "--db-max-queue", "DEPOT_DB_MAX_QUEUE", DP_OPT_INT, &config->max_queue,
          "most statements waiting for a connection (above it: 503)" },
        { "--db-statement-timeout", "DEPOT_DB_STATEMENT_TIMEOUT", DP_OPT_BOOL,
          &config->statement_timeout,
          "limit each statement's max_statement_time to its request's deadline (MariaDB)" },
        { "--db-coalesce", "DEPOT_DB_COALESCE", DP_OPT_BOOL, &config->coalesce,
          "merge queued LOADs of one loader into one statement" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}

int
dp_db_config_check (const dp_db_config_t *config, char *err, size_t err_len)
{
    assert (config);
    if (config->port < 0 || config->port > 65535) {
        snprintf (err, err_len, "MYSQL_PORT (--mysql-port) must be in [0, 65535], not %d", config->port);
        return -1;
    }
    if (config->replica_port < 0 || config->replica_port > 65535) {
        snprintf (err, err_len, "MYSQL_REPLICA_PORT (--mysql-replica-port) must be in [0, 65535],"
                  " not %d", config->replica_port);
        return -1;
    }
    if (config->replica_pool_size < 0) {
        snprintf (err, err_len, "DEPOT_DB_REPLICA_POOL (--db-replica-pool) must not be negative,"
                  " not %d", config->replica_pool_size);
        return -1;
    }
    if (config->pool_size < 1) {
        snprintf (err, err_len, "DEPOT_DB_POOL (--db-pool) must be positive, not %d", config->pool_size);
        return -1;
    }
    if (config->chunk_size < 1) {
        snprintf (err, err_len, "DEPOT_DB_CHUNK (--db-chunk) must be positive, not %d", config->chunk_size);
        return -1;
    }
    if (config->max_queue < 1) {
        snprintf (err, err_len, "DEPOT_DB_MAX_QUEUE (--db-max-queue) must be positive, not %d",
                  config->max_queue);
        return -1;
    }
    return 0;
}
