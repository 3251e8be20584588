/*  =========================================================================
    dp_live_conn - one subscriber's connection: its frames out, its close

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A subscriber's connection, whatever its protocol: libwebsockets
    allocates it per session (the protocol's per-session size), the hub
    fills it (dp_live_hub_conn_open) and empties it (dp_live_hub_conn_gone).
    Frames are queued and written one per writable callback; a close
    waits until the queue is written. How an event or error is framed, and
    what is written last before a close, is the protocol's (graphql-ws:
    dp_live_ws, graphql-sse: dp_live_sse), through dp_live_protocol_t.
@end
*/
#ifndef DP_LIVE_CONN_H_INCLUDED
#define DP_LIVE_CONN_H_INCLUDED

#include <czmq.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_msg.h"

typedef struct _dp_live_hub_t dp_live_hub_t;
typedef struct _dp_live_conn_t dp_live_conn_t;

//  What a protocol does with the hub's messages to one of its subscribers.
typedef struct {
    //  A result for subscription id: type "next" (payload a result) or
    //  "error" (payload a JSON array of GraphQL errors).
    void (*message) (dp_live_conn_t *conn, const char *id, const char *type,
                     const char *payload, size_t len);
    //  Written before a close, or NULL.
    void (*closing) (dp_live_conn_t *conn);
} dp_live_protocol_t;

struct _dp_live_conn_t {
    dp_live_hub_t *hub;                 //  NULL once gone
    const dp_live_protocol_t *protocol;
    struct lws *wsi;
    int64_t opened_ms;
    bool init_seen, acked;              //  graphql-ws' connection_init, and its ack
    int64_t refused_after;              //  the token's expiry (seconds since the epoch)
    dp_arena_t *arena;                  //  the identity
    dp_identity_t identity;
    char *scope;                        //  the identity as a group key
    zhashx_t *subs;                     //  subscription id -> the hub's group (borrowed)
    zlistx_t *out;                      //  frames to write, each LWS_PRE + text, NUL at its end
    int close_code;                     //  set: close once out is written
    char close_reason [96];
    char *rx;                           //  a message or body being received
    size_t rx_len;
    int http_status;                    //  SSE: the status to answer; 0 once headers are written
    const char *content_type;           //  SSE: the answer's content type
};

//  Queue text to write to the connection.
void dp_live_conn_send (dp_live_conn_t *self, const char *text, size_t len);

//  A result or error for subscription id, framed by the connection's protocol.
void dp_live_conn_message (dp_live_conn_t *self, const char *id, const char *type,
                           const char *payload, size_t len);

//  Close with code and reason once what is queued is written (WebSocket
//  close codes; a stream ends with the protocol's last words). The first
//  close wins.
void dp_live_conn_close (dp_live_conn_t *self, int code, const char *reason);

//  Append a received piece of a message or body; returns -1 past the
//  largest message (1 MB).
int dp_live_conn_receive (dp_live_conn_t *self, const void *in, size_t len);

//  Write the next queued frame as protocol (LWS_WRITE_TEXT: WebSocket,
//  with the close code once the queue is empty). Returns -1 to close the
//  connection, as lws callbacks do.
int dp_live_conn_writable (dp_live_conn_t *self, enum lws_write_protocol protocol);

#endif
