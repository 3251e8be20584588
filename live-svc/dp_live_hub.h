/*  =========================================================================
    dp_live_hub - live updates' core: subscribers, groups, fan-out

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The part of live updates that no protocol owns: subscribers' identities,
    their groups, the change feed in and the resolutions out through the
    gateway's broker, and each event fanned out to a group's members.
    Runs on the live actor's thread, inside libwebsockets' loop.
@discuss
    Subscribers with the same document, variables and identity share a
    group: each event is one resolution per group (the resolver's EXECUTE,
    as the subscribers' user), whatever the number of its subscribers.
    Changes are coalesced: the first CHANGE that concerns a group arms a
    timer of coalesce_ms, and every change until it fires is resolved once.
    boxesChanged keeps its view (the ids the filter keeps) and compares it
    after each change: boxes that entered it or changed in it are read with
    the subscribers' selection, boxes that left it are reported by id.
    box and shipment answer their state at once, then again whenever a
    change makes it differ.
@end
*/
#ifndef DP_LIVE_HUB_H_INCLUDED
#define DP_LIVE_HUB_H_INCLUDED

#include <jansson.h>
#include "dp_live_actor.h"
#include "dp_live_conn.h"

//  Connect to the change feed and the broker of config, which must outlive
//  the hub. Returns NULL when an endpoint is unusable. Caller owns return
//  value and must destroy it with dp_live_hub_destroy.
dp_live_hub_t *dp_live_hub_new (dp_live_config_t *config);

//  Destroy the hub; its connections must be gone (lws_context_destroy).
void dp_live_hub_destroy (dp_live_hub_t **self_p);

//  The loop whose timers coalesce changes; set before anything else runs.
void dp_live_hub_set_loop (dp_live_hub_t *self, struct lws_context *lws);

//  The feed's and the broker's ZeroMQ file descriptors, for the loop to
//  watch: each says something arrived since the last dp_live_hub_drain.
void dp_live_hub_fds (dp_live_hub_t *self, int *feed_fd, int *broker_fd);

//  Handle everything the feed and the broker have.
void dp_live_hub_drain (dp_live_hub_t *self);

//  Close connections whose token expired (4403) or that did not initialise
//  within 3 s (4408); every 100 ms.
void dp_live_hub_tick (dp_live_hub_t *self);

//  Fill conn, which lws allocated, as a connection of protocol.
void dp_live_hub_conn_open (dp_live_hub_t *self, dp_live_conn_t *conn, struct lws *wsi,
                            const dp_live_protocol_t *protocol);

//  The connection closed: its subscriptions end, its memory is freed.
//  Does nothing for a connection never opened or already gone.
void dp_live_hub_conn_gone (dp_live_conn_t *conn);

//  Verify a token (NULL: none) as the connection's identity. Returns 0, or
//  -1 (logged) when it is refused.
int dp_live_hub_verify (dp_live_conn_t *conn, const char *token);

//  Subscribe id (unused on conn) to payload {query, variables,
//  operationName}: checks the document and variables, then joins or makes
//  its group. Returns 0, or -1 with *errors_json set to a JSON array of
//  GraphQL errors. Caller owns *errors_json and must free it.
int dp_live_hub_subscribe (dp_live_conn_t *conn, const char *id, json_t *payload,
                           char **errors_json);

//  End subscription id of conn, if it has it.
void dp_live_hub_unsubscribe (dp_live_conn_t *conn, const char *id);

#endif
