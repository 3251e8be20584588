/*  =========================================================================
    dp_gateway - the HTTP front: civetweb, JWT, request checks, the broker

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway actor starts the broker actor (dp_broker), then civetweb.
    Each civetweb worker thread owns one DEALER to the broker's frontend,
    created in init_thread and destroyed in exit_thread. GraphQL over HTTP
    (POST or GET /graphql, as the GraphQL-over-HTTP spec and graphql-http's
    audit ask) is handled on its worker thread, in this order: the URL's
    length, the method, the JWT (before the body is read), the Accept
    header, the Content-Type, the body (capped) or the query string, the
    persisted query, the GraphQL syntax and operation selection (no
    mutation over GET), then EXECUTE to the broker and a wait for the
    RESULT until the deadline. The RESULT's bytes are written to the
    socket as they came. Where each part lives: dp_router (routing,
    admission, ids, logs), dp_route_* (one file per route), dp_http_reply
    (writing answers), dp_worker (a worker thread's state and its exchange
    with the broker), dp_gateway_server (what the workers share),
    dp_persisted (the persisted-query policy).
@discuss
    Routes, none but GraphQL needing a token:
      POST/GET /graphql      GraphQL; GET from a browser (Accept prefers
                             text/html) gets the GraphiQL page
      OPTIONS /graphql       CORS preflight (DEPOT_CORS_ORIGINS)
      GET /graphiql/...      the explorer's scripts and styles (dp_graphiql)
      GET /healthz           200 {"status":"ok"}: the process answers
      GET /readyz            200 {"status":"ready"} when a probe request
                             went through a resolver, db-svc and MariaDB
                             within 2 s (answers reused for 1 s), else 503
                             {"status":"unavailable","reason":...}
      GET /metrics           Prometheus text (dp_metrics)
    GraphQL answers have the negotiated type, application/json or
    application/graphql-response+json; a GraphQL request error (syntax,
    validation, variables) is 200 for the first and 400 for the second,
    a malformed request 400 for both. The gateway's own answers:
      401 {code, description[, message]}    token missing or refused
      404 / 405 + Allow                     other paths / methods; a mutation over GET
      406                                   Accept names no JSON type
      413                                   body over max_body
      414                                   request target over max_url
      415                                   Content-Type not application/json
      503 + Retry-After: 1                  no resolver, overloaded, resolver lost,
                                            stopping
      504                                   deadline passed
      502                                   any other failure reply
    Every answer carries X-Request-Id (the client's when plain, else
    ours); it travels in EXECUTE as the trace id and is the "req" of every
    log line about the request in all three services. Request ids come
    from one atomic counter; a reply that arrives after its worker gave
    up is recognised by id and dropped.
@end
*/
#ifndef DP_GATEWAY_H_INCLUDED
#define DP_GATEWAY_H_INCLUDED

#include <czmq.h>
#include "dp_gateway_config.h"
#include <stdbool.h>
#include <stddef.h>

//  The gateway actor; start it with dp_gateway_actor_new. After its start-up
//  signal it sends one message "ii" on the pipe: 0 and the TCP port when
//  listening, or -1 and -1 (with a log line) when the key, the port, the
//  backend endpoint or the persisted-query manifest is unusable, and then
//  it ends. Pipe commands:
//    $TERM     graceful stop: admit no more GraphQL requests (503), wait up
//              to drain_ms for the admitted ones to be answered, stop
//              civetweb, then the broker
//    PORT      reply "i": the TCP port listened on
//    STATUS    reply "iiii" as dp_broker's STATUS
//    VERBOSE   the broker logs every message at debug level
void dp_gateway_actor (zsock_t *pipe, void *args);

//  Start the gateway actor with config, whose strings must stay valid until
//  this returns (the actor copies what it needs). Returns NULL when it
//  could not start; else the actor, with *port (when port is not NULL) the
//  TCP port it listens on. Caller owns return value and must destroy it
//  with zactor_destroy.
zactor_t *dp_gateway_actor_new (dp_gateway_config_t *config, int *port);

//  Selftest: gateway/tests/dp_gateway_test.c, built into the selftest only.
void dp_gateway_test (bool verbose);

#endif
