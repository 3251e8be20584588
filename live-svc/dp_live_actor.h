/*  =========================================================================
    dp_live_actor - live updates: GraphQL subscriptions over WebSocket

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One thread runs libwebsockets' event loop: every subscriber is a socket
    in that loop, never a thread (civetweb keeps a worker thread per open
    connection, which subscribers would take from queries). The loop also
    watches the actor's pipe, a SUB socket on the change feed and a DEALER
    to the gateway's broker (DEPOT_EXECUTE_BIND), through their ZeroMQ file
    descriptors adopted as raw files, and a 100 ms tick.
    Protocol: graphql-transport-ws. connection_init carries the token
    ({"Authorization": "Bearer ..."} or {"token": "..."}), verified with the
    gateway's dp_jwt; a refused one closes with 4403, a subscribe before
    the ack with 4401, a second connection_init with 4429, a reused id with
    4409, an unreadable message with 4400, no connection_init within 3 s
    with 4408; the token's expiry closes the connection with 4403.
    The same port serves GraphQL over Server-Sent Events (graphql-sse,
    distinct connections mode): POST with Accept: text/event-stream, the
    token as Authorization: Bearer, the body {query, variables,
    operationName}; 401, 405, 406, 400 or 413 before the stream, then one
    `next` event per result and `complete` at the end (errors, expiry).
@discuss
    Subscribers with the same document, variables and identity share a
    group: each event is one resolution per group (the resolver's EXECUTE,
    as the subscribers' user), whatever the number of its subscribers.
    Changes are coalesced: the first CHANGE that concerns a group arms a
    timer of coalesce_ms, and every change until it fires is resolved once.
    boxesChanged keeps its view (the ids the filter keeps) and compares it
    after each change: boxes that entered it or changed in it are read with
    the subscribers' selection, boxes that left it are reported by id.
    box and shipment answer their state at once, then again whenever a
    change makes it differ.
@end
*/
#ifndef DP_LIVE_ACTOR_H_INCLUDED
#define DP_LIVE_ACTOR_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include "dp_jwt.h"
#include "dp_schema.h"
#include "dp_validate.h"

typedef struct {
    int port;                       //  WebSocket port
    const char *listen_host;        //  interface, or NULL for all
    const char *feed_endpoint;      //  the change feed's PUB endpoint
    const char *execute_endpoint;   //  the gateway broker's DEPOT_EXECUTE_BIND
    int coalesce_ms;                //  window in which changes make one event
    int deadline_ms;                //  each resolution's deadline
    dp_jwt_t *jwt;                  //  borrowed: the gateway's verifier
    dp_schema_t *schema;            //  borrowed: Depot's schema
    dp_validate_limits_t limits;
} dp_live_config_t;

//  Start the actor; config and what it borrows must outlive it. Returns
//  NULL (with a log line) when the port cannot be bound. Caller owns return
//  value and must destroy it with zactor_destroy.
zactor_t *dp_live_actor_new (dp_live_config_t *config);

#endif
