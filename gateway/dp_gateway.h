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
    socket as they came.
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
#include "dp_options.h"
#include "dp_validate.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *listen_host;        //  NULL: every interface
    int port;                       //  DEPOT_PORT, 5005; 0 picks a free port
    const char *backend_endpoint;   //  DEPOT_BACKEND_BIND, "tcp://*:5556"
    const char *auth0_domain;       //  AUTH0_DOMAIN; issuer is https://<domain>/
    const char *auth0_audience;     //  AUTH0_AUDIENCE
    const char *public_key_pem;     //  PEM text (AUTH0_PUBLIC_KEY or the file's content)
    size_t max_body;                //  DEPOT_MAX_BODY, bytes, 1 MiB
    size_t max_url;                 //  DEPOT_MAX_URL, request target bytes, 8192
    int threads;                    //  DEPOT_THREADS, civetweb num_threads, 64
    int max_inflight;               //  DEPOT_MAX_INFLIGHT, admission limit, 48
    int deadline_ms;                //  DEPOT_DEADLINE_MS, 30000
    int drain_ms;                   //  DEPOT_DRAIN_MS: $TERM waits this long for admitted
                                    //  requests; -1: deadline_ms + 1000
    int keep_alive_ms;              //  DEPOT_KEEP_ALIVE_MS: an idle kept-alive connection is
                                    //  closed after this long, 5000; answers advertise
                                    //  Keep-Alive: timeout= a whole second less (at least)
    const char *cors_origins;       //  DEPOT_CORS_ORIGINS: "https://a.org,https://b.org" or "*"
    const char *persisted_queries;  //  DEPOT_PERSISTED_QUERIES: manifest file: allow-list mode
    int apq_cache;                  //  DEPOT_APQ_CACHE: automatic persisted queries kept,
                                    //  10000; 0 turns them off
    bool access_log;                //  DEPOT_ACCESS_LOG: one info line per request, on
    bool graphiql;                  //  DEPOT_GRAPHIQL: serve the explorer, on
    size_t max_tokens;              //  DEPOT_MAX_TOKENS, parser limit, 15000
    size_t max_depth;               //  DEPOT_MAX_DEPTH, parser limit, 64
    dp_validate_limits_t validate_limits;   //  DEPOT_MAX_QUERY_DEPTH, _ALIASES, _FIELDS, _COST,
                                    //  _VARIABLES: Depot's limits against hostile queries
                                    //  (dp_validate_limits_default; 0: no limit)
    bool no_validation;             //  forward documents unvalidated: tests with a fake
                                    //  resolver only (no option sets it)
    bool debug_extension;           //  DEPOT_DEBUG_EXTENSION: ask for extensions.debug
    int jwt_leeway_s;               //  DEPOT_JWT_LEEWAY, clock skew for exp/nbf, 5
    int heartbeat_ms;               //  broker heartbeat interval, 1000
    int liveness_ms;                //  broker: a resolver silent this long is dead, 3000
} dp_gateway_config_t;

//  Fill config with the defaults above (strings NULL except
//  backend_endpoint).
void dp_gateway_config_defaults (dp_gateway_config_t *config);

//  Write the gateway's settings (flag, environment variable, target in
//  config, help) into out, at most max entries, and return how many; the
//  table is dp_gateway_options.c's, shared by the gateway and depot
//  binaries. The backend endpoint is not in it: each binary adds or fixes
//  its own. --public-key-file points at *public_key_file; after parsing,
//  pass it to dp_gateway_config_load_key. Asserts when max is too small.
size_t dp_gateway_options (dp_gateway_config_t *config, const char **public_key_file,
                           dp_option_t *out, size_t max);

//  When file is neither NULL nor empty, read it and point
//  config->public_key_pem at its text (the file wins over AUTH0_PUBLIC_KEY);
//  otherwise leave config alone. Returns 0, or -1 with err filled when the
//  file cannot be read. On success with a file, *owned_text is the text:
//  caller owns it and must free it once the gateway actor has started (the
//  actor keeps its own copy); otherwise *owned_text is NULL.
int dp_gateway_config_load_key (dp_gateway_config_t *config, const char *file, char **owned_text,
                                char *err, size_t err_len);

//  Check the parsed settings: every number in its range, and AUTH0_DOMAIN,
//  AUTH0_AUDIENCE and the public key present. Returns 0, or -1 with err
//  filled, naming the setting.
int dp_gateway_config_check (const dp_gateway_config_t *config, char *err, size_t err_len);

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

void dp_gateway_test (bool verbose);
void dp_gateway_options_test (bool verbose);

#endif
