/*  =========================================================================
    dp_db_config - the DB actor's settings: MariaDB servers, pool, queue

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Defaults and the check of parsed settings (see dp_db_config.h).
@end
*/
#include "dp_db_config.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

void
dp_db_config_init (dp_db_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->user = "root";
    config->database = "dropapp_dev";
    config->endpoint = "tcp://*:5557";
    config->pool_size = 32;
    config->pool_min = 2;
    config->chunk_size = 10000;
    config->max_queue = 2048;
    config->statement_timeout = true;
    config->coalesce = true;
    config->keep_rows = true;
    config->batch = 1;
    config->wave = true;
    config->replica_wait_ms = 100;
    config->idempotency_purge_ms = 60000;
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
    if (config->replica_wait_ms < 0) {
        snprintf (err, err_len, "DEPOT_REPLICA_WAIT_MS (--replica-wait-ms) must not be negative, not %d",
                  config->replica_wait_ms);
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
    if (config->pool_min < 1) {
        snprintf (err, err_len, "DEPOT_DB_POOL_MIN (--db-pool-min) must be positive, not %d",
                  config->pool_min);
        return -1;
    }
    if (config->chunk_size < 1) {
        snprintf (err, err_len, "DEPOT_DB_CHUNK (--db-chunk) must be positive, not %d", config->chunk_size);
        return -1;
    }
    if (config->batch < 1) {
        snprintf (err, err_len, "DEPOT_DB_BATCH (--db-batch) must be positive, not %d", config->batch);
        return -1;
    }
    if (config->max_queue < 1) {
        snprintf (err, err_len, "DEPOT_DB_MAX_QUEUE (--db-max-queue) must be positive, not %d",
                  config->max_queue);
        return -1;
    }
    return 0;
}


//  ==========================================================================
//  Selftest

void
dp_db_config_test (bool verbose)
{
    printf (" * dp_db_config: ");
    dp_db_config_t config;
    dp_db_config_init (&config);
    assert (strcmp (config.user, "root") == 0);
    assert (strcmp (config.database, "dropapp_dev") == 0);
    assert (strcmp (config.endpoint, "tcp://*:5557") == 0);
    assert (config.pool_size == 32 && config.pool_min == 2 && config.chunk_size == 10000 && config.max_queue == 2048);
    assert (config.statement_timeout && config.coalesce && !config.verbose);
    assert (!config.host && !config.socket && !config.replica_host && !config.replica_socket);
    char err [256];
    assert (dp_db_config_check (&config, err, sizeof err) == 0);

    //  Each bad setting is refused with its own name in the message.
    config.port = 65536;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "MYSQL_PORT"));
    dp_db_config_init (&config);
    config.replica_port = -1;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "MYSQL_REPLICA_PORT"));
    dp_db_config_init (&config);
    config.replica_pool_size = -1;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_DB_REPLICA_POOL"));
    dp_db_config_init (&config);
    config.pool_size = 0;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_DB_POOL"));
    dp_db_config_init (&config);
    config.pool_min = 0;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_DB_POOL_MIN"));
    dp_db_config_init (&config);
    config.chunk_size = 0;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_DB_CHUNK"));
    dp_db_config_init (&config);
    config.max_queue = 0;
    assert (dp_db_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_DB_MAX_QUEUE"));
    if (verbose)
        printf ("(last: %s) ", err);
    printf ("OK\n");
}
