/*  =========================================================================
    dp_live_actor - live updates: GraphQL subscriptions over WebSocket and SSE

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_actor.h"
#include "dp_live_hub.h"
#include "dp_live_sse.h"
#include "dp_live_ws.h"
#include "dp_log.h"
#include "dp_thread_name.h"
#include "dp_poll.h"
#include <unistd.h>

#define S_TICK_US       (100 * LWS_US_PER_MS)

typedef struct {
    zsock_t *pipe;
    dp_live_config_t *config;
    dp_live_hub_t *hub;
    struct lws_context *lws;
    struct lws_vhost *vhost;
    lws_sorted_usec_list_t tick;
    bool stopping;
} self_t;

//  Everything that arrived: the feed's and broker's messages, the pipe's $TERM.
static void
s_drain (self_t *self)
{
    dp_live_hub_drain (self->hub);
    while (dp_poll_readable (self->pipe)) {
        char *command = zstr_recv (self->pipe);
        if (!command || streq (command, "$TERM"))
            self->stopping = true;
        zstr_free (&command);
        if (self->stopping)
            break;
    }
    if (self->stopping)
        lws_cancel_service (self->lws);
}

//  Both protocols share the port: lws gives plain HTTP requests (SSE) and
//  WebSocket sessions to its first protocol's callback.
static int
s_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    self_t *self = (self_t *) lws_context_user (lws_get_context (wsi));
    dp_live_conn_t *conn = (dp_live_conn_t *) user;
    switch (reason) {
        case LWS_CALLBACK_HTTP:
        case LWS_CALLBACK_HTTP_BODY:
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        case LWS_CALLBACK_HTTP_WRITEABLE:
        case LWS_CALLBACK_CLOSED_HTTP:
            return dp_live_sse_callback (self->hub, conn, wsi, reason, in, len);
        default:
            return dp_live_ws_callback (self->hub, conn, wsi, reason, in, len);
    }
}

//  The ZeroMQ sockets' descriptors (duplicates: lws closes what it adopts).
static int
s_zmq_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_RAW_RX_FILE)
        s_drain ((self_t *) lws_context_user (lws_get_context (wsi)));
    return 0;
}

static void
s_tick (lws_sorted_usec_list_t *sul)
{
    self_t *self = lws_container_of (sul, self_t, tick);
    dp_live_hub_tick (self->hub);
    s_drain (self);
    lws_sul_schedule (self->lws, 0, &self->tick, s_tick, S_TICK_US);
}

static const struct lws_protocols s_protocols [] = {
    { DP_LIVE_WS_PROTOCOL, s_callback, sizeof (dp_live_conn_t), 4096, 0, NULL, 0 },
    { DP_LIVE_WS_LEGACY, s_callback, sizeof (dp_live_conn_t), 4096, 0, NULL, 0 },
    { "dp-zmq", s_zmq_callback, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int
s_adopt (self_t *self, int fd)
{
    lws_sock_file_fd_type desc = { .filefd = dup (fd) };
    return lws_adopt_descriptor_vhost (self->vhost, LWS_ADOPT_RAW_FILE_DESC, desc, "dp-zmq", NULL)
           ? 0 : -1;
}

static void
s_actor (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-live");
    self_t self_ = { .pipe = pipe, .config = (dp_live_config_t *) args };
    self_t *self = &self_;
    self->hub = dp_live_hub_new (self->config);

    lws_set_log_level (LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof info);
    info.port = self->config->port;
    info.iface = self->config->listen_host;
    info.protocols = s_protocols;
    info.user = self;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    self->lws = self->hub ? lws_create_context (&info) : NULL;
    self->vhost = self->lws ? lws_get_vhost_by_name (self->lws, "default") : NULL;
    int feed_fd = -1, broker_fd = -1;
    if (self->hub)
        dp_live_hub_fds (self->hub, &feed_fd, &broker_fd);
    if (!self->vhost
    ||  s_adopt (self, feed_fd) || s_adopt (self, broker_fd) || s_adopt (self, zsock_fd (pipe))) {
        dp_error ("live: cannot listen on port %d or reach %s and %s", self->config->port,
                  self->config->feed_endpoint, self->config->execute_endpoint);
        zsock_signal (pipe, 0);         //  zactor_new's
        zsock_signal (pipe, 1);         //  dp_live_actor_new's: failed
        goto done;
    }
    dp_live_hub_set_loop (self->hub, self->lws);
    zsock_signal (pipe, 0);
    zsock_signal (pipe, 0);
    dp_info ("live: serving ws://localhost:%d/ (graphql-transport-ws, graphql-sse)",
             self->config->port);
    lws_sul_schedule (self->lws, 0, &self->tick, s_tick, S_TICK_US);
    s_drain (self);
    while (!self->stopping && lws_service (self->lws, 0) >= 0)
        ;
done:
    if (self->lws)
        lws_context_destroy (self->lws);    //  closes every connection (dp_live_hub_conn_gone)
    dp_live_hub_destroy (&self->hub);
}

zactor_t *
dp_live_actor_new (dp_live_config_t *config)
{
    assert (config && config->jwt && config->schema);
    zactor_t *actor = zactor_new (s_actor, config);
    //  zactor_new waits for the signal; a 1 means the start failed.
    if (actor && zsock_wait (actor) != 0)
        zactor_destroy (&actor);
    return actor;
}
