/*  =========================================================================
    dp_gateway_config - the gateway's settings: type, defaults, options, checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What a gateway actor is started with (dp_gateway_actor_new), the
    defaults, the flags and environment variables that set it (one
    dp_options table shared by the gateway and depot binaries), the PEM
    key file, and the range checks of the parsed values. Its own file so
    that the option table needs only the settings, not the actor.
@end
*/
#ifndef DP_GATEWAY_CONFIG_H_INCLUDED
#define DP_GATEWAY_CONFIG_H_INCLUDED

#include "dp_options.h"
#include "dp_validate.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *listen_host;        //  NULL: every interface
    int port;                       //  DEPOT_PORT, 5005; 0 picks a free port
    const char *backend_endpoint;   //  DEPOT_BACKEND_BIND, "tcp://*:5556"
    const char *execute_endpoint;   //  DEPOT_EXECUTE_BIND: live-svc's EXECUTEs; NULL: none
    const char *feed_endpoint;      //  DEPOT_FEED_CONNECT: the change feed, for /metrics; NULL: none
    const char *auth0_domain;       //  AUTH0_DOMAIN; issuer is https://<domain>/
    const char *auth0_audience;     //  AUTH0_AUDIENCE
    const char *public_key_pem;     //  PEM text (AUTH0_PUBLIC_KEY or the file's content)
    size_t max_body;                //  DEPOT_MAX_BODY, bytes, 1 MiB
    size_t max_url;                 //  DEPOT_MAX_URL, request target bytes, 8192
    int threads;                    //  DEPOT_THREADS, civetweb num_threads, 128
    int max_inflight;               //  DEPOT_MAX_INFLIGHT, the admission limit's maximum, 96
    int admission_min;              //  DEPOT_ADMISSION_MIN, the admission limit's minimum, 32
    int admission_wait_ms;          //  DEPOT_ADMISSION_WAIT_MS, a request over the limit
                                    //  waits this long for a slot before 503, 100
    int resolver_wait_ms;           //  DEPOT_RESOLVER_WAIT_MS, with no resolver registered
                                    //  requests wait this long for one before 503, 3000
    int deadline_ms;                //  DEPOT_DEADLINE_MS, 30000
    int drain_ms;                   //  DEPOT_DRAIN_MS: $TERM waits this long for admitted
                                    //  requests; -1: deadline_ms + 1000
    int keep_alive_ms;              //  DEPOT_KEEP_ALIVE_MS: an idle kept-alive connection is
                                    //  closed after this long, 5000; answers advertise
                                    //  Keep-Alive: timeout= a whole second less (at least)
    const char *cors_origins;       //  DEPOT_CORS_ORIGINS: "https://a.org,https://b.org" or "*"
    const char *public_cors_origins;    //  DEPOT_PUBLIC_CORS_ORIGINS: the same for /public
    const char *persisted_queries;  //  DEPOT_PERSISTED_QUERIES: manifest file: allow-list mode
    int apq_cache;                  //  DEPOT_APQ_CACHE: automatic persisted queries kept,
                                    //  10000; 0 turns them off
    bool access_log;                //  DEPOT_ACCESS_LOG: one info line per request, on
    bool graphiql;                  //  DEPOT_GRAPHIQL: serve the explorer, on
    const char *live_url;           //  DEPOT_LIVE_URL: live updates' ws:// or wss:// URL as
                                    //  browsers reach it, for GraphiQL's subscriptions; none
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
//  table is dp_gateway_config.c's, shared by the gateway and depot
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

void dp_gateway_config_test (bool verbose);

#endif
