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
    One port serves both protocols: WebSocket sessions go to dp_live_ws
    (graphql-transport-ws), plain HTTP requests to dp_live_sse (graphql-sse);
    both hand their subscribers to dp_live_hub, which groups them, resolves
    each change once per group and fans the events out.
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
