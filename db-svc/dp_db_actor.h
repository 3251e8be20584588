/*  =========================================================================
    dp_db_actor - the DB actor: LOAD and QUERY over ZeroMQ, answered from a
    pool of non-blocking MariaDB connections

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The actor binds a ROUTER socket. Each request is two frames, [routing
    id, msgpack dp_msg] with LOAD, QUERY or HEARTBEAT; each LOAD and QUERY
    gets exactly one reply, ROWS or ERROR, with the request's id. SQL comes
    from dp_sql_catalog, never from the wire. One thread drives every
    connection through mariadb-connector-c's non-blocking API from its own
    zmq_poll loop, so no thread ever blocks on SQL.
@discuss
    A HEARTBEAT is answered with a HEARTBEAT (id and trace id echoed)
    carrying this db-svc's report (proto/README.md): pool size and its
    connections by state, statements run and queued, the queue's limit,
    requests refused, statements coalesced; the resolvers forward it to
    the gateway's /metrics.
    Pipe commands: "$TERM"; "STATS" replies a picture "888": statements
    run, requests answered (ROWS or ERROR to a LOAD or QUERY), error
    replies; "PRESSURE" replies "8888": statements cancelled with KILL
    QUERY, requests refused because the queue was full, statements queued
    now, the queue's limit; "MERGED" replies "8": LOAD statements merged
    into another one (coalescing); "TARGETS" replies "iiii88": primary
    connections up, the primary's pool size, replica connections up, the
    replica's pool size (0: no replica), statements run on the primary, on
    the replica (dp_db_target says which runs where); "PORT" replies "i",
    the TCP port bound (0 for other transports); "VERBOSE" logs every
    statement.
    Error statuses: 400 malformed request, unknown loader, query, column or
    argument; 408 the deadline passed (before the request started, or
    while its statement ran: the statement is then cancelled); 502 MariaDB
    answered with an error; 503 no connection to a server that could run
    it (the primary down, and for a read the replica too or none; or the
    connection lost while the request ran) or the statement queue is full ("db-svc
    overloaded"); 500 a result that does not fit its types.
@end
*/
#ifndef DP_DB_ACTOR_H_INCLUDED
#define DP_DB_ACTOR_H_INCLUDED

#include <czmq.h>
#include "dp_options.h"
#include <stdbool.h>

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
    int pool_size;              //  connections to MariaDB (>= 1)
    int replica_pool_size;      //  connections to the replica; 0 = pool_size
    int chunk_size;             //  max keys per statement (>= 1)
    int max_queue;              //  statements waiting for a connection; beyond: 503 (>= 1)
    bool statement_timeout;     //  run each statement under SET STATEMENT max_statement_time
                                //  = the request's remaining budget (MariaDB only; KILL QUERY
                                //  cancels at the deadline either way)
    bool coalesce;              //  merge queued LOADs of one loader into one statement
    bool verbose;               //  log every statement
    const char *instance;       //  name in heartbeat reports; NULL: "<hostname>:<pid>"
} dp_db_config_t;

//  Fill config with the defaults: host NULL, port 0, socket NULL, user
//  "root", password NULL, database "dropapp_dev", no replica (host,
//  socket NULL, port 0, replica_pool_size 0), endpoint "tcp://*:5557",
//  pool_size 8, chunk_size 10000, max_queue 2048, statement_timeout true,
//  coalesce true, verbose false.
void dp_db_config_init (dp_db_config_t *config);

//  Write the DB settings (flag, environment variable, target in config,
//  help) into out, at most max entries, and return how many; the table is
//  dp_db_options.c's, shared by the db-svc and depot binaries. The endpoint
//  and verbose are not in it: each binary adds or fixes its own. Asserts
//  when max is too small.
size_t dp_db_options (dp_db_config_t *config, dp_option_t *out, size_t max);

//  Check the parsed settings: ports in [0, 65535], pool, chunk and queue
//  sizes positive, the replica's pool size not negative. Returns 0, or -1 with err filled, naming the setting.
int dp_db_config_check (const dp_db_config_t *config, char *err, size_t err_len);

//  The actor, for zactor_new (dp_db_actor, config). config must stay valid
//  until zactor_new returns; the actor copies what it keeps. After its
//  start-up signal it sends one message "i" on the pipe: 0 when bound, -1
//  when the bind failed (after which the actor has exited). dp_db_actor_new
//  reads it.
void dp_db_actor (zsock_t *pipe, void *args);

//  Start the actor and check its bind. Returns NULL, logging why, when the
//  endpoint could not be bound. Caller owns return value and must destroy it
//  with zactor_destroy.
zactor_t *dp_db_actor_new (dp_db_config_t *config);

//  The actor's tests need the test MariaDB and live in db-svc/tests/
//  (dp_db_test.h: one concern per ctest, dp_db_load ... dp_db_replica).

#endif
