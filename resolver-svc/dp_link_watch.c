/*  =========================================================================
    dp_link_watch - a libzmq socket monitor on one DEALER: connected, gone

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_link_watch.h.
@end
*/
#include "dp_link_watch.h"
#include "dp_poll.h"
#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct _dp_link_watch_t {
    zsock_t *watched;           //  borrowed
    zsock_t *events;            //  PAIR on the monitor's inproc endpoint
};

dp_link_watch_t *
dp_link_watch_new (zsock_t *sock)
{
    assert (sock);
    static atomic_uint made;
    char endpoint [96];
    snprintf (endpoint, sizeof endpoint, "inproc://dp-link-watch-%p-%u", (void *) sock,
              atomic_fetch_add (&made, 1));
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint,
                            ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
        return NULL;
    dp_link_watch_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->watched = sock;
    self->events = zsock_new (ZMQ_PAIR);
    if (!self->events || zsock_connect (self->events, "%s", endpoint)) {
        dp_link_watch_destroy (&self);
        return NULL;
    }
    return self;
}

bool
dp_link_watch_useful (const char *endpoint)
{
    return endpoint && strncmp (endpoint, "inproc://", 9) != 0;
}

void
dp_link_watch_destroy (dp_link_watch_t **self_p)
{
    assert (self_p);
    dp_link_watch_t *self = *self_p;
    if (!self)
        return;
    zmq_socket_monitor (zsock_resolve (self->watched), NULL, 0);
    zsock_destroy (&self->events);
    free (self);
    *self_p = NULL;
}

zsock_t *
dp_link_watch_sock (dp_link_watch_t *self)
{
    assert (self);
    return self->events;
}

bool
dp_link_watch_pending (dp_link_watch_t *self)
{
    return self && dp_poll_readable (self->events);
}

dp_link_event_t
dp_link_watch_next (dp_link_watch_t *self)
{
    if (!dp_link_watch_pending (self))
        return DP_LINK_NONE;
    zmsg_t *event = zmsg_recv (self->events);
    if (!event)
        return DP_LINK_NONE;
    //  Frame 1: 16-bit event id and 32-bit value; frame 2: the address.
    zframe_t *head = zmsg_first (event);
    uint16_t type = 0;
    if (head && zframe_size (head) >= sizeof type)
        memcpy (&type, zframe_data (head), sizeof type);
    zmsg_destroy (&event);
    return type == ZMQ_EVENT_CONNECTED ? DP_LINK_CONNECTED
         : type == ZMQ_EVENT_DISCONNECTED ? DP_LINK_DISCONNECTED : DP_LINK_NONE;
}

//  Selftest: a DEALER watched while a tcp ROUTER comes, goes and comes back.
static dp_link_event_t
s_test_wait (dp_link_watch_t *watch)
{
    zpoller_t *poller = zpoller_new (dp_link_watch_sock (watch), NULL);
    zpoller_wait (poller, 2000);
    zpoller_destroy (&poller);
    return dp_link_watch_next (watch);
}

void
dp_link_watch_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_link_watch: ");
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    assert (port > 0);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_reconnect_ivl (dealer, 20);
    dp_link_watch_t *watch = dp_link_watch_new (dealer);
    assert (watch);
    assert (!dp_link_watch_pending (watch) && dp_link_watch_next (watch) == DP_LINK_NONE);
    assert (zsock_connect (dealer, "%s", endpoint) == 0);
    assert (s_test_wait (watch) == DP_LINK_CONNECTED);
    //  The peer goes: DISCONNECTED; it comes back on the same port: CONNECTED.
    zsock_destroy (&router);
    assert (s_test_wait (watch) == DP_LINK_DISCONNECTED);
    router = zsock_new (ZMQ_ROUTER);
    assert (zsock_bind (router, "%s", endpoint) == port);
    assert (s_test_wait (watch) == DP_LINK_CONNECTED);
    dp_link_watch_destroy (&watch);
    dp_link_watch_destroy (&watch);         //  NULL is fine
    assert (dp_link_watch_next (NULL) == DP_LINK_NONE);
    zsock_destroy (&dealer);
    zsock_destroy (&router);
    printf ("OK\n");
}
