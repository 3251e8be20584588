/*  =========================================================================
    dp_feed_watch - the gateway's view of the change feed, for /metrics

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    An actor that subscribes to the change feed (DEPOT_FEED_CONNECT; in
    depot the feed's inproc endpoint) and hands each FEED_STATUS to the
    gateway's metrics (dp_metrics_feed): the feed's mode, its lag and how
    many transactions it is behind the binary log's end. It reads the
    status the feed publishes once a second rather than a heartbeat of its
    own, so /metrics shows what subscribers see.
@end
*/
#ifndef DP_FEED_WATCH_H_INCLUDED
#define DP_FEED_WATCH_H_INCLUDED

#include "dp_metrics.h"
#include <czmq.h>

typedef struct {
    const char *endpoint;           //  the feed's PUB endpoint to connect to
    dp_metrics_t *metrics;          //  where its statuses go (outlives the actor)
} dp_feed_watch_config_t;

//  Start watching; NULL when the endpoint cannot be connected to. config
//  must outlive the actor.
zactor_t *dp_feed_watch_new (const dp_feed_watch_config_t *config);

#endif
