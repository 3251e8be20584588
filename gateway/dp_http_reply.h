/*  =========================================================================
    dp_http_reply - writing the gateway's HTTP answers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_http_ctx_t is one HTTP request being handled, what every route and
    every answer needs. The dp_http_reply functions write one complete
    answer to it: status line, Connection (and Keep-Alive), Content-Type
    and Content-Length, the request's own lines (X-Request-Id, CORS), the
    caller's extra lines, and the body. Each returns the status written,
    so a civetweb handler can return it. The _unread forms are for answers
    given before (all of) the request body was read.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c).
@end
*/
#ifndef DP_HTTP_REPLY_H_INCLUDED
#define DP_HTTP_REPLY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_gateway_server.h"
#include "dp_http_request.h"
#include "dp_metrics.h"
#include "dp_worker.h"

struct mg_connection;
struct mg_request_info;

//  One HTTP request being handled.
typedef struct {
    dp_gateway_server_t *server;
    dp_worker_t *worker;            //  NULL only for civetweb's own error answers
    struct mg_connection *conn;
    const struct mg_request_info *info;
    dp_arena_t *arena;
    uint64_t id;                    //  also the EXECUTE's correlation id
    const char *trace_id;           //  X-Request-Id
    dp_route_t route;               //  for metrics
    dp_http_media_t media;          //  type of our JSON answers (application/json until negotiated)
    bool close;                     //  close the connection after the answer
    bool body_too_large;            //  the body passed max_body: none of the rest is read
    uint32_t statements;            //  from the RESULT, for the access log
    int64_t budget_ms;              //  the request's deadline from its EXECUTE: the
                                    //  gateway's, or the shorter one the client asked for
    char headers [1024];            //  X-Request-Id and CORS lines, each ending in CRLF
} dp_http_ctx_t;

//  Write a complete answer of len bytes of body. content_type NULL means
//  the request's JSON media type; a 204 has neither type nor length, and
//  HEAD gets the headers only. extra holds more header lines, each ending
//  in CRLF, or NULL. close asks for Connection: close. Returns status.
int dp_http_reply_as (dp_http_ctx_t *ctx, int status, const char *extra,
                      const char *content_type, const char *body, size_t len, bool close);

//  The same with the request's JSON media type.
int dp_http_reply (dp_http_ctx_t *ctx, int status, const char *extra, const char *body,
                   size_t len, bool close);

//  {"errors":[{"message":message}]} with status.
int dp_http_reply_error (dp_http_ctx_t *ctx, int status, const char *extra, const char *message,
                         bool close);

//  Answer without having read (all of) the body: a rest within max_body is
//  read past first and the connection stays; otherwise the answer goes
//  first, with Connection: close, and the client's socket gets a
//  lingering close so that it reads the answer rather than a reset.
//  Returns status.
int dp_http_reply_unread_as (dp_http_ctx_t *ctx, int status, const char *extra,
                             const char *content_type, const char *body, size_t len);

//  The same with the request's JSON media type.
int dp_http_reply_unread (dp_http_ctx_t *ctx, int status, const char *extra, const char *body,
                          size_t len);

//  {"errors":[{"message":message}]} with status, the body unread.
int dp_http_reply_unread_error (dp_http_ctx_t *ctx, int status, const char *extra,
                                const char *message);

#endif
