/*  =========================================================================
    dp_gateway - the HTTP front: civetweb, JWT, request checks, the broker

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The actor thread only starts and stops things: the shared state
    (dp_gateway_server), the broker, then civetweb. All request work
    happens on civetweb's worker threads, each with its own dp_worker_t,
    from dp_router_handle on; this file only makes and ends the workers'
    state and counts the connections they hold.
@discuss
    Graceful stop: $TERM first sets draining. From then on GraphQL
    requests are refused with 503 and Connection: close (never admitted),
    /readyz says 503, and the actor waits until every admitted request has
    written its answer (at most drain_ms) before mg_stop, which would cut
    a request's reads and writes short. A request counts itself admitted
    before it looks at the flag, and the actor sets the flag before it
    counts (both sequentially consistent), so none slips between the two.
@end
*/
#include "dp_gateway.h"
#include "dp_gateway_server.h"
#include "dp_broker.h"
#include "dp_router.h"
#include "dp_worker.h"
#include "dp_feed_watch.h"
#include "dp_log.h"
#include "dp_thread_name.h"
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <civetweb.h>

typedef struct {
    zsock_t *pipe;                  //  actor pipe
    zactor_t *broker;               //  the broker actor
    zactor_t *feed_watch;           //  the change feed's statuses for /metrics, or NULL
    dp_feed_watch_config_t feed_watch_config;
    dp_broker_config_t broker_config;   //  what the broker read as it started: kept for
                                    //  its lifetime, not on a stack frame that later
                                    //  calls reuse (a reuse ThreadSanitizer cannot see
                                    //  is ordered by the start-up handshake in libzmq)
    struct mg_context *civet;       //  civetweb, NULL until started
    int port;                       //  the port listened on
    int drain_ms;                   //  how long $TERM waits for admitted requests
    int keep_alive_ms;              //  civetweb closes a kept-alive connection idle this long
    bool terminated;
    dp_gateway_server_t *server;    //  what the worker threads share
} self_t;


//  --------------------------------------------------------------------------
//  Worker threads: their state lives from init_thread to exit_thread.

static void *
s_init_thread (const struct mg_context *ctx, int thread_type)
{
    if (thread_type != 1)
        return NULL;                //  only request workers talk to the broker
    dp_gateway_server_t *server = (dp_gateway_server_t *) mg_get_user_data (ctx);
    return dp_worker_new (server->frontend_endpoint);
}

static void
s_exit_thread (const struct mg_context *ctx, int thread_type, void *thread_pointer)
{
    dp_worker_t *worker = (dp_worker_t *) thread_pointer;
    dp_worker_destroy (&worker);
}

//  A worker thread takes a connection, for as long as it stays open
//  (dp_gateway_server_crowded counts them).
static int
s_init_connection (const struct mg_connection *conn, void **conn_data)
{
    dp_gateway_server_t *server = (dp_gateway_server_t *) mg_get_user_data (mg_get_context (conn));
    atomic_fetch_add (&server->connections, 1);
    *conn_data = server;            //  counted: the close callback may uncount it
    return 0;
}

static void
s_connection_close (const struct mg_connection *conn)
{
    dp_gateway_server_t *server = (dp_gateway_server_t *) mg_get_user_connection_data (conn);
    if (server)
        atomic_fetch_sub (&server->connections, 1);
}

//  Every request: the router answers it (a status above 0 tells civetweb so).
static int
s_begin_request (struct mg_connection *conn)
{
    return dp_router_handle (conn, mg_get_user_data (mg_get_context (conn)));
}

static int
s_log_message (const struct mg_connection *conn, const char *message)
{
    dp_warn ("civetweb: %s", message);
    return 1;
}


//  --------------------------------------------------------------------------
//  Construction and destruction

static void
s_self_destroy (self_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        self_t *self = *self_p;
        if (self->civet)
            mg_stop (self->civet);      //  waits for the workers: exit_thread ran
        zactor_destroy (&self->broker);
        zactor_destroy (&self->feed_watch);
        dp_gateway_server_destroy (&self->server);
        mg_exit_library ();
        free (self);
        *self_p = NULL;
    }
}

static self_t *
s_self_new (zsock_t *pipe, const dp_gateway_config_t *config)
{
    self_t *self = (self_t *) zmalloc (sizeof (self_t));
    assert (self);
    self->pipe = pipe;
    mg_init_library (0);
    self->server = dp_gateway_server_new (config);
    if (!self->server) {
        s_self_destroy (&self);
        return NULL;
    }
    self->drain_ms = config->drain_ms >= 0 ? config->drain_ms : self->server->deadline_ms + 1000;
    self->keep_alive_ms = config->keep_alive_ms >= 1000 ? config->keep_alive_ms : 5000;

    //  The broker.
    dp_broker_config_t *broker_config = &self->broker_config;
    dp_broker_config_defaults (broker_config);
    broker_config->backend_endpoint = config->backend_endpoint;
    broker_config->execute_endpoint = config->execute_endpoint;
    broker_config->frontend_endpoint = self->server->frontend_endpoint;
    broker_config->max_inflight = config->max_inflight;
    broker_config->admission_min = config->admission_min;
    broker_config->admission_wait_ms = config->admission_wait_ms;
    broker_config->resolver_wait_ms = config->resolver_wait_ms;
    broker_config->heartbeat_ms = config->heartbeat_ms;
    broker_config->liveness_ms = config->liveness_ms;
    broker_config->grace_ms = self->server->deadline_ms / 4 + 1000;
    broker_config->stats = &self->server->broker_stats;
    broker_config->fleet = self->server->fleet;
    self->broker = dp_broker_actor_new (broker_config);
    if (!self->broker) {
        s_self_destroy (&self);
        return NULL;
    }

    if (config->feed_endpoint && *config->feed_endpoint) {
        self->feed_watch_config = (dp_feed_watch_config_t) {
            .endpoint = config->feed_endpoint, .metrics = self->server->metrics };
        if (!(self->feed_watch = dp_feed_watch_new (&self->feed_watch_config))) {
            s_self_destroy (&self);
            return NULL;
        }
    }

    //  civetweb.
    int threads = self->server->threads;
    if (config->max_inflight >= threads)
        dp_warn ("gateway: DEPOT_MAX_INFLIGHT (%d) >= DEPOT_THREADS (%d): a saturated "
                 "gateway cannot answer 503", config->max_inflight, threads);
    char ports [300], threads_text [16];
    if (config->listen_host && *config->listen_host)
        snprintf (ports, sizeof ports, "%s:%d", config->listen_host, config->port);
    else
        snprintf (ports, sizeof ports, "%d", config->port);
    snprintf (threads_text, sizeof threads_text, "%d", threads);
    char request_size [32], keep_alive [16];
    snprintf (keep_alive, sizeof keep_alive, "%d", self->keep_alive_ms);
    snprintf (request_size, sizeof request_size, "%zu", self->server->max_url + 16384);
    const char *options [] = {
        "listening_ports", ports,
        "num_threads", threads_text,
        "max_request_size", request_size,
        "access_control_allow_origin", "",      //  CORS is ours (DEPOT_CORS_ORIGINS)
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", keep_alive,
        "tcp_nodelay", "1",
        "request_timeout_ms", "30000",
        NULL
    };
    struct mg_callbacks callbacks;
    memset (&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = s_init_thread;
    callbacks.exit_thread = s_exit_thread;
    callbacks.init_connection = s_init_connection;
    callbacks.connection_close = s_connection_close;
    callbacks.log_message = s_log_message;
    callbacks.http_error = dp_router_http_error;
    //  Every request goes to the router from the first accepted connection:
    //  a handler set after mg_start2 leaves a window in which a restarted
    //  gateway answers civetweb's own 404.
    callbacks.begin_request = s_begin_request;
    struct mg_init_data init = { &callbacks, self->server, options };
    unsigned error_code = 0;
    char error_text [256] = "";
    struct mg_error_data error = { &error_code, error_text, sizeof error_text };
    self->civet = mg_start2 (&init, &error);
    if (!self->civet) {
        dp_error ("gateway: cannot listen on %s: %s", ports, error_text);
        s_self_destroy (&self);
        return NULL;
    }
    struct mg_server_port listening [4];
    int n = mg_get_server_ports (self->civet, 4, listening);
    self->port = n > 0 ? listening [0].port : config->port;
    dp_info ("gateway: listening on port %d, %d threads, backend %s", self->port, threads,
             config->backend_endpoint);
    return self;
}


//  --------------------------------------------------------------------------
//  The actor

//  The graceful stop's first half (see @discuss): admit nothing more and
//  wait, at most drain_ms, for the admitted requests to be answered.
static void
s_drain_requests (self_t *self)
{
    atomic_store (&self->server->draining, true);
    int64_t until = zclock_mono () + self->drain_ms;
    int admitted = atomic_load (&self->server->admitted);
    if (admitted > 0)
        dp_info ("gateway: draining, %d requests in flight", admitted);
    while ((admitted = atomic_load (&self->server->admitted)) > 0 && zclock_mono () < until)
        zclock_sleep (5);
    if (admitted > 0)
        dp_warn ("gateway: %d requests still in flight after %d ms; stopping anyway",
                 admitted, self->drain_ms);
}

zactor_t *
dp_gateway_actor_new (dp_gateway_config_t *config, int *port)
{
    assert (config);
    zactor_t *actor = zactor_new (dp_gateway_actor, config);
    //  The outcome comes as a message, not through config: the actor's thread
    //  writes nothing the caller's thread reads.
    int status = -1, bound_port = -1;
    if (actor && (zsock_recv (actor, "ii", &status, &bound_port) != 0 || status != 0))
        zactor_destroy (&actor);
    if (actor && port)
        *port = bound_port;
    return actor;
}

void
dp_gateway_actor (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-gateway");
    dp_gateway_config_t *config = (dp_gateway_config_t *) args;
    assert (config);
    self_t *self = s_self_new (pipe, config);
    if (!self) {
        OPENSSL_thread_stop ();
        zsock_signal (pipe, 0);
        zsock_send (pipe, "ii", -1, -1);
        return;
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "ii", 0, self->port);

    while (!self->terminated) {
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg) {
            if (zmq_errno () == EINTR)
                continue;
            break;
        }
        char *command = zmsg_popstr (msg);
        assert (command);
        if (streq (command, "$TERM"))
            self->terminated = true;
        else
        if (streq (command, "PORT"))
            zsock_send (pipe, "i", self->port);
        else
        if (streq (command, "STATUS")) {
            int resolvers = 0, credit = 0, inflight = 0, queued = 0;
            zstr_send (self->broker, "STATUS");
            zsock_recv (self->broker, "iiii", &resolvers, &credit, &inflight, &queued);
            zsock_send (pipe, "iiii", resolvers, credit, inflight, queued);
        }
        else
        if (streq (command, "VERBOSE"))
            zstr_send (self->broker, "VERBOSE");
        else {
            dp_error ("gateway: invalid pipe command '%s'", command);
            assert (false);
        }
        zstr_free (&command);
        zmsg_destroy (&msg);
    }
    s_drain_requests (self);
    s_self_destroy (&self);
    //  CZMQ's actor threads are detached: free this thread's OpenSSL state
    //  (dp_jwt_new used it) now, not at some point after zactor_destroy
    //  has returned.
    OPENSSL_thread_stop ();
}

