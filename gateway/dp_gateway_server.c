/*  =========================================================================
    dp_gateway_server - what the gateway's worker threads share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_gateway_server.h. Missing numbers in the config (0) take the
    defaults of dp_gateway_config_defaults, so a config filled by hand
    still works.
@end
*/
#include "dp_gateway_server.h"
#include "dp_log.h"
#include "dp_msg.h"
#include "dp_instance.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <czmq.h>

dp_gateway_server_t *
dp_gateway_server_new (const dp_gateway_config_t *config)
{
    assert (config);
    dp_gateway_server_t *self = (dp_gateway_server_t *) zmalloc (sizeof (dp_gateway_server_t));
    assert (self);
    self->max_body = config->max_body ? config->max_body : 1024 * 1024;
    self->max_url = config->max_url ? config->max_url : 8192;
    self->deadline_ms = config->deadline_ms > 0 ? config->deadline_ms : 30000;
    int keep_alive_ms = config->keep_alive_ms >= 1000 ? config->keep_alive_ms : 5000;
    self->keep_alive_hint_s = keep_alive_ms / 1000 - 1;
    self->threads = config->threads > 0 ? config->threads : 64;
    self->access_log = config->access_log;
    self->graphiql = config->graphiql;
    self->live_url = config->live_url && *config->live_url ? strdup (config->live_url) : NULL;
    self->metrics = dp_metrics_new ();
    //  A report not renewed within the liveness window is a peer gone.
    self->fleet = dp_fleet_new (config->liveness_ms > 0 ? config->liveness_ms : 3000);
    pthread_mutex_init (&self->ready_mutex, NULL);
    atomic_init (&self->admitted, 0);
    atomic_init (&self->connections, 0);
    atomic_init (&self->draining, false);
    self->limits.max_tokens = config->max_tokens;
    self->limits.max_depth = config->max_depth;
    self->execute_flags = config->debug_extension ? DP_EXECUTE_DEBUG : 0;
    self->trace_prefix = (uint32_t) randof (0x7fffffff) ^ (uint32_t) zclock_time ();
    //  Request ids start at a random point (below 2^52), not at 1: a
    //  restarted gateway must not reuse the ids of its previous instance,
    //  whose late answers may still be on their way from a resolver.
    atomic_init (&self->next_id, 1 + (dp_instance_id () >> 12));
    self->frontend_endpoint = zsys_sprintf ("inproc://dp-gateway-frontend-%p-%08" PRIx32,
                                            (void *) self, self->trace_prefix);
    self->cors = dp_cors_new (config->cors_origins);
    self->public_cors = dp_cors_new (config->public_cors_origins);

    //  Depot's schema, once, for validating every request.
    char err [256];
    if (!config->no_validation) {
        self->schema = dp_schema_depot (NULL, err, sizeof err);
        if (!self->schema) {
            dp_error ("gateway: schema: %s", err);
            dp_gateway_server_destroy (&self);
            return NULL;
        }
        self->validate_limits = config->validate_limits;
        self->valid = dp_validation_cache_new (256, 64 * 1024);
        //  The public schema: a document valid there may not be here, so
        //  it has its own cache of documents validated before.
        self->public_schema = dp_schema_public (err, sizeof err);
        if (!self->public_schema) {
            dp_error ("gateway: public schema: %s", err);
            dp_gateway_server_destroy (&self);
            return NULL;
        }
        self->public_valid = dp_validation_cache_new (64, 16 * 1024);
    }

    //  Persisted queries: an allow-list from a manifest, or Apollo's APQ.
    if (config->persisted_queries && *config->persisted_queries) {
        self->persisted = dp_persisted_new (1);
        int loaded = dp_persisted_load_manifest (self->persisted, config->persisted_queries,
                                                 err, sizeof err);
        if (loaded < 0) {
            dp_error ("gateway: %s", err);
            dp_gateway_server_destroy (&self);
            return NULL;
        }
        dp_info ("gateway: allow-list mode: %d registered operations from %s", loaded,
                 config->persisted_queries);
    }
    else
    if (config->apq_cache > 0)
        self->persisted = dp_persisted_new ((size_t) config->apq_cache);

    //  The verifier.
    if (!config->auth0_domain || !*config->auth0_domain) {
        dp_error ("gateway: AUTH0_DOMAIN is not set");
        dp_gateway_server_destroy (&self);
        return NULL;
    }
    char *issuer = zsys_sprintf ("https://%s/", config->auth0_domain);
    self->jwt = dp_jwt_new (config->public_key_pem, issuer, config->auth0_audience,
                            config->jwt_leeway_s, err, sizeof err);
    zstr_free (&issuer);
    if (!self->jwt) {
        dp_error ("gateway: %s", err);
        dp_gateway_server_destroy (&self);
        return NULL;
    }
    return self;
}

void
dp_gateway_server_destroy (dp_gateway_server_t **self_p)
{
    assert (self_p);
    dp_gateway_server_t *self = *self_p;
    if (self) {
        dp_jwt_destroy (&self->jwt);
        zstr_free (&self->frontend_endpoint);
        zstr_free (&self->live_url);
        dp_persisted_destroy (&self->persisted);
        dp_metrics_destroy (&self->metrics);
        dp_fleet_destroy (&self->fleet);
        dp_schema_destroy (&self->schema);
        dp_validation_cache_destroy (&self->valid);
        dp_cors_destroy (&self->cors);
        dp_schema_destroy (&self->public_schema);
        dp_validation_cache_destroy (&self->public_valid);
        dp_cors_destroy (&self->public_cors);
        pthread_mutex_destroy (&self->ready_mutex);
        free (self);
        *self_p = NULL;
    }
}

//  Every worker thread held by a connection means more connections may
//  wait for a thread, which only a closing connection frees: civetweb
//  serves a kept-alive connection on its thread until it closes or idles
//  for keep_alive_timeout_ms, and reads nothing from a waiting one, so it
//  cannot even be answered 503. At capacity every answer therefore closes
//  its connection: the threads rotate among all the clients, each gets an
//  answer (data, or 503 from admission) after a wait of a few requests,
//  and clients reconnect, which on a LAN costs far less than waiting.
bool
dp_gateway_server_crowded (dp_gateway_server_t *self)
{
    assert (self);
    return atomic_load (&self->connections) >= self->threads;
}
