/*  =========================================================================
    dp_live_ws - GraphQL subscriptions over WebSocket (graphql-transport-ws)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_ws.h"
#include "dp_json_writer.h"

//  {"id":id,"type":type,"payload":payload} (payload raw JSON, or none).
static void
s_message_out (dp_live_conn_t *conn, const char *id, const char *type, const char *payload,
               size_t len)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 64 + len);
    dp_json_writer_raw (&out, "{\"id\":", 6);
    dp_json_writer_cstr (&out, id);
    dp_json_writer_raw (&out, ",\"type\":", 8);
    dp_json_writer_cstr (&out, type);
    if (payload) {
        dp_json_writer_raw (&out, ",\"payload\":", 11);
        dp_json_writer_raw (&out, payload, len);
    }
    dp_json_writer_char (&out, '}');
    dp_live_conn_send (conn, out.data, out.len);
    dp_json_writer_release (&out);
}

static const dp_live_protocol_t s_protocol = { s_message_out, NULL };

static const char *
s_bearer (const char *header)
{
    return header && strncmp (header, "Bearer ", 7) == 0 ? header + 7 : NULL;
}

//  connection_init's payload: {"token": t} or {"Authorization": "Bearer t"}.
static int
s_authenticate (dp_live_conn_t *conn, json_t *payload)
{
    const char *token = json_string_value (json_object_get (payload, "token"));
    const char *header = json_string_value (json_object_get (payload, "Authorization"));
    if (!header)
        header = json_string_value (json_object_get (payload, "authorization"));
    return dp_live_hub_verify (conn, token ? token : s_bearer (header));
}

static void
s_connection_init (dp_live_conn_t *conn, json_t *payload)
{
    if (conn->init_seen) {
        dp_live_conn_close (conn, 4429, "Too many initialisation requests");
        return;
    }
    conn->init_seen = true;
    if (s_authenticate (conn, payload))
        dp_live_conn_close (conn, 4403, "Forbidden");
    else {
        conn->acked = true;
        const char ack [] = "{\"type\":\"connection_ack\"}";
        dp_live_conn_send (conn, ack, sizeof ack - 1);
    }
}

static void
s_subscribe (dp_live_conn_t *conn, const char *id, json_t *payload)
{
    json_t *variables = json_object_get (payload, "variables");
    if (!conn->acked)
        dp_live_conn_close (conn, 4401, "Unauthorized");
    else
    if (!id || !json_is_object (payload) || !json_is_string (json_object_get (payload, "query"))
    ||  (variables && !json_is_object (variables) && !json_is_null (variables)))
        dp_live_conn_close (conn, 4400, "Invalid message received");
    else
    if (zhashx_lookup (conn->subs, id)) {
        char reason [96];
        snprintf (reason, sizeof reason, "Subscriber for %.60s already exists", id);
        dp_live_conn_close (conn, 4409, reason);
    }
    else {
        char *errors = NULL;
        if (dp_live_hub_subscribe (conn, id, payload, &errors))
            s_message_out (conn, id, "error", errors, strlen (errors));
        free (errors);
    }
}

static void
s_message_in (dp_live_conn_t *conn, const char *text, size_t len)
{
    json_t *message = json_loadb (text, len, 0, NULL);
    const char *type = json_string_value (json_object_get (message, "type"));
    const char *id = json_string_value (json_object_get (message, "id"));
    json_t *payload = json_object_get (message, "payload");
    if (!type)
        dp_live_conn_close (conn, 4400, "Invalid message received");
    else
    if (streq (type, "connection_init"))
        s_connection_init (conn, payload);
    else
    if (streq (type, "ping")) {
        const char pong [] = "{\"type\":\"pong\"}";
        dp_live_conn_send (conn, pong, sizeof pong - 1);
    }
    else
    if (streq (type, "pong"))
        ;
    else
    if (streq (type, "subscribe"))
        s_subscribe (conn, id, payload);
    else
    if (streq (type, "complete") && id)
        dp_live_hub_unsubscribe (conn, id);
    else
        dp_live_conn_close (conn, 4400, "Invalid message received");
    json_decref (message);
}

int
dp_live_ws_callback (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi,
                     enum lws_callback_reasons reason, void *in, size_t len)
{
    switch (reason) {
        case LWS_CALLBACK_ESTABLISHED:
            dp_live_hub_conn_open (hub, conn, wsi, &s_protocol);
            //  As graphql-ws' server: a client that did not ask for
            //  graphql-transport-ws speaks something else.
            if (lws_hdr_total_length (wsi, WSI_TOKEN_PROTOCOL) <= 0
            ||  strcmp (lws_get_protocol (wsi)->name, DP_LIVE_WS_PROTOCOL) != 0)
                dp_live_conn_close (conn, 4406, "Subprotocol not acceptable");
            break;
        case LWS_CALLBACK_RECEIVE:
            if (conn->close_code)
                break;
            if (dp_live_conn_receive (conn, in, len)) {
                dp_live_conn_close (conn, 4400, "Message too large");
                break;
            }
            if (lws_is_final_fragment (wsi) && lws_remaining_packet_payload (wsi) == 0) {
                s_message_in (conn, conn->rx, conn->rx_len);
                conn->rx_len = 0;
                dp_live_hub_drain (hub);    //  a send may have taken the broker's signal
            }
            break;
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return dp_live_conn_writable (conn, LWS_WRITE_TEXT);
        case LWS_CALLBACK_CLOSED:
            dp_live_hub_conn_gone (conn);
            break;
        default:
            break;
    }
    return 0;
}
