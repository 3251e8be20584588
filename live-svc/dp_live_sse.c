/*  =========================================================================
    dp_live_sse - GraphQL subscriptions over Server-Sent Events (graphql-sse)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_sse.h"
#include "dp_json_writer.h"

//  An event per result; an error is a result that ends the stream.
static void
s_message_out (dp_live_conn_t *conn, const char *id, const char *type, const char *payload,
               size_t len)
{
    bool error = streq (type, "error");
    dp_json_writer_t out;
    dp_json_writer_init (&out, 64 + len);
    dp_json_writer_raw (&out, "event: next\ndata: ", 18);
    if (error)
        dp_json_writer_raw (&out, "{\"errors\":", 10);
    dp_json_writer_raw (&out, payload, len);
    if (error)
        dp_json_writer_char (&out, '}');
    dp_json_writer_raw (&out, "\n\n", 2);
    dp_live_conn_send (conn, out.data, out.len);
    dp_json_writer_release (&out);
    if (error)
        dp_live_conn_close (conn, 1000, "complete");
}

//  A stream ends with its complete event; a request refused before its
//  stream began (400) has none.
static void
s_closing (dp_live_conn_t *conn)
{
    const char complete [] = "event: complete\ndata:\n\n";
    if (conn->acked)
        dp_live_conn_send (conn, complete, sizeof complete - 1);
}

static const dp_live_protocol_t s_protocol = { s_message_out, s_closing };

//  A request refused before its stream: the status and why, then close.
static int
s_refuse (struct lws *wsi, unsigned int status, const char *why)
{
    lws_return_http_status (wsi, status, why);
    return -1;
}

static const char *
s_bearer (const char *header)
{
    return strncmp (header, "Bearer ", 7) == 0 ? header + 7 : NULL;
}

//  The request's head: POST, Accept: text/event-stream, a valid token.
static int
s_request (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi)
{
    dp_live_hub_conn_open (hub, conn, wsi, &s_protocol);
    conn->init_seen = true;
    char header [4096];
    if (lws_hdr_total_length (wsi, WSI_TOKEN_POST_URI) <= 0)
        return s_refuse (wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
                         "Subscriptions over Server-Sent Events are POSTed.");
    if (lws_hdr_copy (wsi, header, sizeof header, WSI_TOKEN_HTTP_ACCEPT) <= 0
    ||  !strstr (header, "text/event-stream"))
        return s_refuse (wsi, HTTP_STATUS_NOT_ACCEPTABLE,
                         "Send Accept: text/event-stream (graphql-sse, distinct connections).");
    if (lws_hdr_copy (wsi, header, sizeof header, WSI_TOKEN_HTTP_AUTHORIZATION) <= 0
    ||  dp_live_hub_verify (conn, s_bearer (header)))
        return s_refuse (wsi, HTTP_STATUS_UNAUTHORIZED,
                         "A valid token is required: Authorization: Bearer <token>.");
    return 0;
}

//  The body is in: answer 200 and subscribe, or 400.
static int
s_body_complete (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi)
{
    json_t *payload = json_loadb (conn->rx ? conn->rx : "", conn->rx_len, 0, NULL);
    bool valid = json_is_object (payload) && json_is_string (json_object_get (payload, "query"));
    json_t *variables = json_object_get (payload, "variables");
    valid = valid && (!variables || json_is_object (variables) || json_is_null (variables));
    if (!valid) {
        json_decref (payload);
        return s_refuse (wsi, HTTP_STATUS_BAD_REQUEST,
                         "The body must be JSON: {\"query\": ..., \"variables\": {...}}.");
    }
    char *errors = NULL;
    if (dp_live_hub_subscribe (conn, "sse", payload, &errors)) {
        //  As graphql-sse: a document that does not parse or validate, or
        //  variables that do not fit it, are 400 with the errors, no stream.
        char *body = zsys_sprintf ("{\"errors\":%s}", errors);
        conn->http_status = HTTP_STATUS_BAD_REQUEST;
        conn->content_type = "application/json; charset=utf-8";
        dp_live_conn_send (conn, body, strlen (body));
        dp_live_conn_close (conn, 1000, "refused");
        zstr_free (&body);
    }
    else {
        conn->http_status = HTTP_STATUS_OK;
        conn->content_type = "text/event-stream";
        conn->acked = true;             //  the stream begins: its token's expiry ends it
        lws_callback_on_writable (wsi);
    }
    free (errors);
    json_decref (payload);
    dp_live_hub_drain (hub);
    return 0;
}

static int
s_headers (dp_live_conn_t *conn, struct lws *wsi)
{
    unsigned char buffer [LWS_PRE + 512];
    unsigned char *start = buffer + LWS_PRE, *p = start, *end = buffer + sizeof buffer - 1;
    const char no_cache [] = "no-cache";
    //  A stream has no length; a refusal's is its one frame's.
    const char *frame = (const char *) zlistx_first (conn->out);
    lws_filepos_t length = conn->acked || !frame ? LWS_ILLEGAL_HTTP_CONTENT_LEN
                                                 : strlen (frame + LWS_PRE);
    if (lws_add_http_common_headers (wsi, (unsigned int) conn->http_status, conn->content_type,
                                     length, &p, end)
    ||  lws_add_http_header_by_token (wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                      (const unsigned char *) no_cache, sizeof no_cache - 1, &p, end)
    ||  lws_finalize_write_http_header (wsi, start, &p, end))
        return -1;
    conn->http_status = 0;
    lws_callback_on_writable (wsi);
    return 0;
}

int
dp_live_sse_callback (dp_live_hub_t *hub, dp_live_conn_t *conn, struct lws *wsi,
                      enum lws_callback_reasons reason, void *in, size_t len)
{
    switch (reason) {
        case LWS_CALLBACK_HTTP:
            return s_request (hub, conn, wsi);
        case LWS_CALLBACK_HTTP_BODY:
            if (dp_live_conn_receive (conn, in, len))
                return s_refuse (wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "The body is too large.");
            break;
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return s_body_complete (hub, conn, wsi);
        case LWS_CALLBACK_HTTP_WRITEABLE:
            if (conn->http_status)
                return s_headers (conn, wsi);
            return dp_live_conn_writable (conn, LWS_WRITE_HTTP);
        case LWS_CALLBACK_CLOSED_HTTP:
            dp_live_hub_conn_gone (conn);
            break;
        default:
            break;
    }
    return 0;
}
