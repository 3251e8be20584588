/*  =========================================================================
    dp_feed_actor - the change feed: MariaDB's binary log as ZeroMQ messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    An actor (its own thread: the connector's binlog reads block) that
    follows the primary's binary log as a replica would, from the GTID
    position it stored (dp_feed_position), and publishes every committed
    row change of Depot's database (Depot's own depot_* tables aside) as a
    CHANGE (dp_change) on a PUB socket, a transaction's changes when its
    COMMIT (XID) event arrives, then stores the position. Once a second it
    publishes FEED_STATUS (mode, lag, transactions behind the binlog's end).
    When the binary log is not usable (log_bin off, not ROW with full
    images, no REPLICATION SLAVE grant) it says so in the log and in
    FEED_STATUS's mode, and publishes Depot's own committed writes, which
    db-svc pushes to its PULL socket (dp_db_own_writes; README "Change
    feed"); in binlog mode it drops those pushes.
    It reconnects after MariaDB goes away and resumes at its position.
    feed-svc runs it as a process of its own; depot runs it in-process.
@end
*/
#ifndef DP_FEED_ACTOR_H_INCLUDED
#define DP_FEED_ACTOR_H_INCLUDED

#include "dp_feed_config.h"
#include <czmq.h>

//  Start the feed with config (which, with its strings and its db config,
//  must outlive the actor). NULL when an endpoint could not be bound.
zactor_t *dp_feed_actor_new (const dp_feed_config_t *config);

//  The actor's body (for zactor_new).
void dp_feed_actor (zsock_t *pipe, void *args);

#endif
