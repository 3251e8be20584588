/*  =========================================================================
    dp_live_sse - GraphQL subscriptions over Server-Sent Events (graphql-sse)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-sse's "distinct connections" mode, for clients that cannot
    open a WebSocket, on the live actor's port: POST with Accept:
    text/event-stream, the token as Authorization: Bearer, the body
    {query, variables, operationName}. Refused before the stream: 401, 405,
    406, 413, or 400 for a body that is not {query, variables}, and (with
    the GraphQL errors as JSON, as graphql-sse's handler) for a document
    that does not parse or validate, is not a subscription, or whose
    variables do not fit it. Then one `next` event per result, and
    `complete` at the end (an error, the token's expiry).
@end
*/
#ifndef DP_LIVE_SSE_H_INCLUDED
#define DP_LIVE_SSE_H_INCLUDED

#include "dp_live_hub.h"

//  Handle an HTTP callback of lws for conn, the session's storage.
//  Returns what the lws callback returns (-1: close).
int dp_live_sse_callback (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi,
                          enum lws_callback_reasons reason, void *in, size_t len);

#endif
