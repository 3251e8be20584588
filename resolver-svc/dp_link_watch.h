/*  =========================================================================
    dp_link_watch - a libzmq socket monitor on one DEALER: connected, gone

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A DEALER that reconnects on its own hides from its owner that the peer
    behind it went away and came back. A watch attaches libzmq's socket
    monitor (ZMQ_EVENT_CONNECTED and ZMQ_EVENT_DISCONNECTED) to the socket
    before it connects, so no event is missed, and hands the events to the
    owner's poll loop: the resolver re-sends reads when a db-svc drops, asks
    a db-svc that came back who it is, and says READY to a gateway that came
    back. Over inproc:// there are no such events; the owners fall back on
    instance ids and silence.
@end
*/
#ifndef DP_LINK_WATCH_H_INCLUDED
#define DP_LINK_WATCH_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

typedef struct _dp_link_watch_t dp_link_watch_t;

typedef enum {
    DP_LINK_NONE,               //  nothing to read, or an event of no interest
    DP_LINK_CONNECTED,          //  a connection to the peer is up
    DP_LINK_DISCONNECTED        //  the connection to the peer dropped
} dp_link_event_t;

//  Watch sock (not connected yet; borrowed, must outlive the watch).
//  Returns NULL when libzmq gives no monitor (the caller carries on
//  without).
dp_link_watch_t *dp_link_watch_new (zsock_t *sock);

//  Whether a connection to endpoint can drop and come back: not over
//  inproc:// (a peer in the same process), where a watch would only cost
//  a socket to poll on every turn.
bool dp_link_watch_useful (const char *endpoint);

//  Stop watching and free. NULL-safe.
void dp_link_watch_destroy (dp_link_watch_t **self_p);

//  The PAIR socket that becomes readable with events, for zmq_poll.
zsock_t *dp_link_watch_sock (dp_link_watch_t *self);

//  Is an event waiting? (NULL-safe: false.)
bool dp_link_watch_pending (dp_link_watch_t *self);

//  Read one event; DP_LINK_NONE when there is none. NULL-safe.
dp_link_event_t dp_link_watch_next (dp_link_watch_t *self);

void dp_link_watch_test (bool verbose);

#endif
