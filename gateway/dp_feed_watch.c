/*  =========================================================================
    dp_feed_watch - the gateway's view of the change feed, for /metrics

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_feed_watch.h"
#include "dp_change.h"
#include "dp_log.h"
#include "dp_thread_name.h"

static void
s_watch (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-feed-watch");
    const dp_feed_watch_config_t *config = args;
    zsock_t *sub = zsock_new (ZMQ_SUB);
    zsock_set_subscribe (sub, "");
    int rc = zsock_connect (sub, "%s", config->endpoint);
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", rc);
    zpoller_t *poller = rc == 0 ? zpoller_new (pipe, sub, NULL) : NULL;
    while (poller) {
        void *which = zpoller_wait (poller, -1);
        if (which == pipe || zpoller_terminated (poller))
            break;                      //  $TERM (the only command)
        if (which != sub)
            continue;
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, zsock_resolve (sub), ZMQ_DONTWAIT) >= 0) {
            msgpack_unpacked unpacked;
            msgpack_unpacked_init (&unpacked);
            dp_change_t status;
            char err [200];
            if (dp_change_decode (zmq_msg_data (&frame), zmq_msg_size (&frame), &unpacked,
                                  &status, err, sizeof err) == 0
            &&  status.type == DP_CHANGE_FEED_STATUS)
                dp_metrics_feed (config->metrics, status.mode, status.lag_ms, status.behind,
                                 status.seq);
            msgpack_unpacked_destroy (&unpacked);
        }
        zmq_msg_close (&frame);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
}

zactor_t *
dp_feed_watch_new (const dp_feed_watch_config_t *config)
{
    zactor_t *actor = zactor_new (s_watch, (void *) config);
    int rc = -1;
    if (actor && (zsock_recv (actor, "i", &rc) != 0 || rc != 0)) {
        dp_error ("gateway: cannot connect to the change feed at %s", config->endpoint);
        zactor_destroy (&actor);
    }
    return actor;
}
