/*  =========================================================================
    dp_http_reply - writing the gateway's HTTP answers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Responses are written as one status line + headers + body with
    mg_write rather than civetweb's mg_response_header_* calls, which send
    each header line as its own write. We decide keep-alive the way
    civetweb does (the client's Connection header, else HTTP/1.1) and tell
    civetweb to close when we say close. We also say close when every
    worker thread holds a connection (dp_gateway_server_crowded), so that
    connections waiting for a thread get one.
    A request body we do not read (401, 413, 415, ...) is read past when it
    is within max_body, so the connection can stay open. A larger one (its
    Content-Length over max_body, or a chunked body passing it) is never
    waited for: the answer goes out first with Connection: close, then a
    lingering close (dp_lingering_close) drains what the client still
    sends for a bounded time, so that it reads our answer, not a reset.
    Kept-alive answers carry Keep-Alive: timeout=N, N a whole second or
    more below the idle time after which we close (keep_alive_ms), so
    that clients which honour it (Node's fetch retires a socket 2 s before
    N, Node's http 1 s before) never send a request on a connection we
    are closing.
@end
*/
#include "dp_http_reply.h"
#include "dp_lingering_close.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <civetweb.h>

#define S_SMALL_REPLY 8192          //  replies up to this size go out in one write
#define S_LINGER_MS   2000          //  ms a closing connection's unread body is drained after
                                    //  the answer, at most
#define S_LINGER_BYTES (64u << 20)  //  bytes of it drained, at most

//  Does the header value hold the comma-separated token (any case)?
static bool
s_has_token (const char *value, const char *token)
{
    size_t len = strlen (token);
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end [-1] == ' ' || end [-1] == '\t'))
            end--;
        if ((size_t) (end - start) == len && strncasecmp (start, token, len) == 0)
            return true;
    }
    return false;
}

//  Keep the connection open after this response? As civetweb decides it.
static bool
s_keep_alive (struct mg_connection *conn)
{
    const char *connection = mg_get_header (conn, "Connection");
    if (connection)
        return s_has_token (connection, "keep-alive");
    const struct mg_request_info *info = mg_get_request_info (conn);
    return info && info->http_version && strcmp (info->http_version, "1.1") == 0;
}

static const char *
s_media_type (dp_http_media_t media)
{
    return media == DP_MEDIA_GRAPHQL_RESPONSE ? "application/graphql-response+json; charset=utf-8"
                                              : "application/json; charset=utf-8";
}

//  Write a complete response. content_type NULL means the request's JSON
//  media type; a 204 has neither type nor length. extra holds more header
//  lines, each ending in CRLF, or NULL. Returns status.
int
dp_http_reply_as (dp_http_ctx_t *ctx, int status, const char *extra, const char *content_type,
                  const char *body, size_t len, bool close)
{
    struct mg_connection *conn = ctx->conn;
    bool keep = !close && !ctx->close && !atomic_load (&ctx->server->draining)
             && !dp_gateway_server_crowded (ctx->server) && s_keep_alive (conn);
    if (!keep)
        mg_disable_keep_alive (conn);
    char keep_alive_line [48] = "";
    if (keep)
        snprintf (keep_alive_line, sizeof keep_alive_line, "Keep-Alive: timeout=%d\r\n",
                  ctx->server->keep_alive_hint_s);
    char type_line [160] = "";
    if (status != 204)
        snprintf (type_line, sizeof type_line, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                  content_type ? content_type : s_media_type (ctx->media), len);
    char buffer [S_SMALL_REPLY];
    int head = snprintf (buffer, sizeof buffer,
                         "HTTP/1.1 %d %s\r\n"
                         "%s"
                         "Connection: %s\r\n"
                         "%s%s%s\r\n",
                         status, mg_get_response_code_text (conn, status), type_line,
                         keep ? "keep-alive" : "close", keep_alive_line, ctx->headers,
                         extra ? extra : "");
    assert (head > 0 && head < (int) sizeof buffer);
    if (status == 204
    ||  (ctx->info && ctx->info->request_method && strcmp (ctx->info->request_method, "HEAD") == 0))
        len = 0;                    //  the headers describe the body; it is not sent
    if ((size_t) head + len <= sizeof buffer) {
        memcpy (buffer + head, body, len);
        mg_write (conn, buffer, (size_t) head + len);
    }
    else {
        mg_write (conn, buffer, (size_t) head);
        mg_write (conn, body, len);
    }
    return status;
}

int
dp_http_reply (dp_http_ctx_t *ctx, int status, const char *extra, const char *body, size_t len,
               bool close)
{
    return dp_http_reply_as (ctx, status, extra, NULL, body, len, close);
}

//  {"errors":[{"message":...}]} with status.
int
dp_http_reply_error (dp_http_ctx_t *ctx, int status, const char *extra, const char *message,
                     bool close)
{
    size_t len;
    const char *body = dp_http_error_body (ctx->arena, message, &len);
    return dp_http_reply (ctx, status, extra, body, len, close);
}

//  Read and discard the rest of a request body we do not need, when it is
//  within max_body: then the connection can stay open. A body declared or
//  found larger is not waited for. Returns true when the body is consumed
//  to its end.
static bool
s_discard_body (dp_http_ctx_t *ctx)
{
    size_t limit = ctx->server->max_body;
    if (ctx->body_too_large || ctx->info->content_length > (long long) limit)
        return false;
    char scratch [8192];
    size_t total = 0;
    while (total <= limit) {
        int n = mg_read (ctx->conn, scratch, sizeof scratch);
        if (n <= 0)
            return n == 0;
        total += (size_t) n;
    }
    return false;
}

//  Answer without having read (all of) the body: a small rest is read past
//  first and the connection stays; otherwise the answer goes first, with
//  Connection: close, and the client's socket gets a lingering close so
//  that it reads the answer rather than a reset.
int
dp_http_reply_unread_as (dp_http_ctx_t *ctx, int status, const char *extra,
                         const char *content_type, const char *body, size_t len)
{
    bool consumed = s_discard_body (ctx);
    dp_http_reply_as (ctx, status, extra, content_type, body, len, !consumed);
    if (!consumed && ctx->worker) {
        int fd = dp_worker_client_fd (ctx->worker, ctx->conn);
        if (fd >= 0)
            dp_lingering_close (fd, S_LINGER_BYTES, S_LINGER_MS);
    }
    return status;
}

int
dp_http_reply_unread (dp_http_ctx_t *ctx, int status, const char *extra, const char *body,
                      size_t len)
{
    return dp_http_reply_unread_as (ctx, status, extra, NULL, body, len);
}

int
dp_http_reply_unread_error (dp_http_ctx_t *ctx, int status, const char *extra,
                            const char *message)
{
    size_t len;
    const char *body = dp_http_error_body (ctx->arena, message, &len);
    return dp_http_reply_unread (ctx, status, extra, body, len);
}
