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
    into another one (coalescing); "ROUNDTRIPS" replies "8": texts sent
    to pool connections (a batch of statements counts once); "CONTROLS"
    replies "i": control connections set up (idle); "TARGETS" replies "iiii88": primary
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
#include "dp_db_config.h"
#include <stdbool.h>

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
