/*  =========================================================================
    dp_live_ws - GraphQL subscriptions over WebSocket (graphql-transport-ws)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The graphql-transport-ws protocol (graphql-ws' PROTOCOL.md), for the
    live actor's libwebsockets callbacks of WebSocket sessions.
    connection_init carries the token ({"Authorization": "Bearer ..."} or
    {"token": "..."}); a refused one closes with 4403, a subscribe before
    the ack with 4401, a second connection_init with 4429, a reused id
    with 4409, an unreadable message with 4400, no connection_init within
    3 s with 4408 (dp_live_hub_tick); the token's expiry closes with 4403.
    A client that asks for no subprotocol, or for the legacy "graphql-ws"
    (subscriptions-transport-ws; accepted so that it can be told), is
    closed with 4406, as graphql-ws' own server does.
@end
*/
#ifndef DP_LIVE_WS_H_INCLUDED
#define DP_LIVE_WS_H_INCLUDED

#include "dp_live_hub.h"

#define DP_LIVE_WS_PROTOCOL "graphql-transport-ws"
#define DP_LIVE_WS_LEGACY   "graphql-ws"        //  only to be closed with 4406

//  Handle a WebSocket callback of lws for conn, the session's storage.
//  Returns what the lws callback returns (-1: close).
int dp_live_ws_callback (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi,
                         enum lws_callback_reasons reason, void *in, size_t len);

#endif
