/*  =========================================================================
    dp_db_config - the DB actor's settings: MariaDB servers, pool, queue

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_db_config_t is what the DB actor, its connections (dp_db_conn) and
    its servers (dp_db_target) are configured with. A plain struct the
    caller embeds (_init fills the defaults); the strings are borrowed
    from the caller, and the actor copies what it keeps. The flags and
    environment variables that fill it are dp_db_options.c's table.
@end
*/
#ifndef DP_DB_CONFIG_H_INCLUDED
#define DP_DB_CONFIG_H_INCLUDED

#include "dp_options.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *host;           //  MariaDB host; NULL or "localhost" = the unix socket
    int port;                   //  TCP port; 0 = 3306
    const char *socket;         //  unix socket path, or NULL
    const char *user;           //  NULL = the current user
    const char *password;       //  NULL = none
    const char *database;       //  schema to USE, or NULL
    const char *replica_host;   //  read replica's host (dp_db_target), or NULL
    int replica_port;           //  its TCP port; 0 = 3306
    const char *replica_socket; //  its unix socket, or NULL; no host and no socket: no replica
    const char *endpoint;       //  ROUTER bind endpoint, e.g. "inproc://db", "tcp://*:5557"
    int pool_size;              //  most connections to MariaDB (>= 1)
    int pool_min;               //  fewest (>= 1; above pool_size: pool_size); in between,
                                //  the pool follows latency and queueing (dp_db_pool_limit)
    int replica_pool_size;      //  connections to the replica; 0 = pool_size
    int replica_wait_ms;        //  read-your-writes: how long a read with a GTID position
                                //  waits for the replica to reach it before it runs on
                                //  the primary (MASTER_GTID_WAIT); 0: at once (>= 0)
    int chunk_size;             //  max keys per statement (>= 1)
    int max_queue;              //  statements waiting for a connection; beyond: 503 (>= 1)
    bool statement_timeout;     //  run each statement under SET STATEMENT max_statement_time
                                //  = the request's remaining budget (MariaDB only; KILL QUERY
                                //  cancels at the deadline either way)
    bool coalesce;              //  merge queued LOADs of one loader into one statement
    int batch;                  //  most queued reads sent to a connection together, in one
                                //  round trip (>= 1; 1: one statement at a time)
    bool wave;                  //  a request's reads queued together (a wave) share a text,
                                //  spread over the idle connections first
    bool keep_rows;             //  keep the rows of small, rarely written tables between
                                //  requests while the feed vouches for them (dp_db_kept_rows)
    int idempotency_purge_ms;   //  delete Idempotency-Key rows older than 24 h this often
                                //  (dp_db_purge); 0: never
    bool verbose;               //  log every statement
    const char *instance;       //  name in heartbeat reports; NULL: "<hostname>:<pid>"
    const char *feed_writes;    //  the change feed's endpoint for Depot's own committed
                                //  writes (its fallback, dp_db_own_writes); NULL: none
    const char *feed_connect;   //  the change feed to subscribe to, which vouches for
                                //  kept counts (dp_db_counts); NULL: every count runs
} dp_db_config_t;

//  Fill config with the defaults: host NULL, port 0, socket NULL, user
//  "root", password NULL, database "dropapp_dev", no replica (host,
//  socket NULL, port 0, replica_pool_size 0), endpoint "tcp://*:5557",
//  pool_size 32, pool_min 2, chunk_size 10000, max_queue 2048, statement_timeout true,
//  coalesce true, batch 1, wave true, keep_rows true, idempotency_purge_ms 60000, verbose false.
void dp_db_config_init (dp_db_config_t *config);

//  Write the DB settings (flag, environment variable, target in config,
//  help) into out, at most max entries, and return how many; the table is
//  dp_db_options.c's, shared by the db-svc and depot binaries. The endpoint
//  and verbose are not in it: each binary adds or fixes its own. Asserts
//  when max is too small.
size_t dp_db_options (dp_db_config_t *config, dp_option_t *out, size_t max);

//  Check the parsed settings: ports in [0, 65535], pool, pool minimum,
//  chunk, batch and queue sizes positive, the replica's pool size not negative. Returns 0, or -1 with err filled, naming the setting.
int dp_db_config_check (const dp_db_config_t *config, char *err, size_t err_len);

//  Selftest (needs no database).
void dp_db_config_test (bool verbose);

#endif
