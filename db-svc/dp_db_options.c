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
#include "dp_db_config.h"
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
          "most connections to MariaDB" },
        { "--db-pool-min", "DEPOT_DB_POOL_MIN", DP_OPT_INT, &config->pool_min,
          "fewest connections to MariaDB (the pool grows and shrinks in between)" },
        { "--db-replica-pool", "DEPOT_DB_REPLICA_POOL", DP_OPT_INT, &config->replica_pool_size,
          "most connections to the read replica (0: as many as DEPOT_DB_POOL)" },
        { "--replica-wait-ms", "DEPOT_REPLICA_WAIT_MS", DP_OPT_INT, &config->replica_wait_ms,
          "how long a read that must see a client's write (X-Depot-Min-Gtid) waits for the"
          " replica to reach it before it runs on the primary (0: at once)" },
        { "--db-chunk", "DEPOT_DB_CHUNK", DP_OPT_INT, &config->chunk_size,
          "most keys per statement" },
        { "--db-max-queue", "DEPOT_DB_MAX_QUEUE", DP_OPT_INT, &config->max_queue,
          "most statements waiting for a connection (above it: 503)" },
        { "--db-statement-timeout", "DEPOT_DB_STATEMENT_TIMEOUT", DP_OPT_BOOL,
          &config->statement_timeout,
          "limit each statement's max_statement_time to its request's deadline (MariaDB)" },
        { "--db-coalesce", "DEPOT_DB_COALESCE", DP_OPT_BOOL, &config->coalesce,
          "merge queued LOADs of one loader into one statement" },
        { "--db-batch", "DEPOT_DB_BATCH", DP_OPT_INT, &config->batch,
          "most queued reads a connection takes at once, sent in one round trip (1: one at a time)" },
        { "--db-wave", "DEPOT_DB_WAVE", DP_OPT_BOOL, &config->wave,
          "a request's reads queued together go to a connection in one text, spread over the idle"
          " connections first (off: one statement per round trip unless DEPOT_DB_BATCH)" },
        { "--db-keep-rows", "DEPOT_DB_KEEP_ROWS", DP_OPT_BOOL, &config->keep_rows,
          "keep the rows of products, categories, sizes, units, locations, bases, organisations,"
          " users and distribution events between requests while the change feed vouches for"
          " them (needs DEPOT_FEED_CONNECT)" },
        { "--feed-writes", "DEPOT_FEED_WRITES", DP_OPT_STRING, &config->feed_writes,
          "the change feed's endpoint for Depot's own committed writes, which it publishes"
          " when MariaDB's binary log is not usable (none: not sent)" },
        { "--idempotency-purge-ms", "DEPOT_IDEMPOTENCY_PURGE_MS", DP_OPT_INT,
          &config->idempotency_purge_ms,
          "delete Idempotency-Key rows older than 24 hours this often, at most 1000 a time (0: never)" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}
