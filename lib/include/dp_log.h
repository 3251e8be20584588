/*  =========================================================================
    dp_log - one-line structured logs on stderr

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each log line is one JSON object: {"ts":..., "level":..., "svc":...,
    "msg":...[, "req":...][, more fields]}. The service name is set once at start-up. dp_fatal logs
    and aborts: for out-of-memory and broken invariants in services only.
@end
*/
#ifndef DP_LOG_H_INCLUDED
#define DP_LOG_H_INCLUDED

#include <stdbool.h>

typedef enum { DP_LOG_DEBUG, DP_LOG_INFO, DP_LOG_WARN, DP_LOG_ERROR } dp_log_level_t;

//  Set the service name written in every line and the minimum level.
void dp_log_init (const char *service, dp_log_level_t min_level);

void dp_log (dp_log_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#define dp_debug(...) dp_log (DP_LOG_DEBUG, __VA_ARGS__)
#define dp_info(...)  dp_log (DP_LOG_INFO, __VA_ARGS__)
#define dp_warn(...)  dp_log (DP_LOG_WARN, __VA_ARGS__)
#define dp_error(...) dp_log (DP_LOG_ERROR, __VA_ARGS__)

//  Set the request id this thread works for now, or NULL for none: every
//  line this thread logs then carries it as "req" (copied, at most 64
//  bytes), so one request's lines can be found across all three services.
void dp_log_set_request (const char *request_id);

//  Log one line with extra members: fields is the text of JSON object
//  members without braces (e.g. "\"status\":200"), which the caller has
//  written as valid JSON; NULL or "" for none.
void dp_log_with (dp_log_level_t level, const char *fields, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Log at error level and abort. Never returns.
void dp_fatal (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));

#endif
