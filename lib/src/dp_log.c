/*  =========================================================================
    dp_log - one-line structured logs on stderr

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

//  Set once at start-up, before any thread starts; read-only afterwards.
static const char *s_service = "depot";
static dp_log_level_t s_min_level = DP_LOG_INFO;

void
dp_log_init (const char *service, dp_log_level_t min_level)
{
    s_service = service;
    s_min_level = min_level;
}

//  The request this thread works for ("" when none).
static _Thread_local char s_request [65];

//  Escape text for a JSON string into out (cap bytes, NUL-terminated).
static void
s_escape (const char *text, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; *p && n < cap - 8; p++) {
        unsigned char c = (unsigned char) *p;
        if (c == '"' || c == '\\') {
            out [n++] = '\\';
            out [n++] = (char) c;
        }
        else
        if (c < 0x20)
            n += (size_t) snprintf (out + n, 7, "\\u%04x", c);
        else
            out [n++] = (char) c;
    }
    out [n] = 0;
}

void
dp_log_set_request (const char *request_id)
{
    if (!request_id)
        s_request [0] = 0;
    else {
        strncpy (s_request, request_id, sizeof s_request - 1);
        s_request [sizeof s_request - 1] = 0;
    }
}

static void s_vlog_with (dp_log_level_t level, const char *fields, const char *fmt, va_list args);

static void
s_vlog (dp_log_level_t level, const char *fmt, va_list args)
{
    s_vlog_with (level, NULL, fmt, args);
}

static void
s_vlog_with (dp_log_level_t level, const char *fields, const char *fmt, va_list args)
{
    static const char *names [] = { "debug", "info", "warn", "error" };
    char text [1024];
    vsnprintf (text, sizeof text, fmt, args);
    char escaped [2100];
    s_escape (text, escaped, sizeof escaped);
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    char request [140] = "";
    if (s_request [0]) {
        char id [130];
        s_escape (s_request, id, sizeof id);
        snprintf (request, sizeof request, ",\"req\":\"%s\"", id);
    }
    fprintf (stderr, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"svc\":\"%s\",\"msg\":\"%s\"%s%s%s}\n",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             now.tv_nsec / 1000000, names [level], s_service, escaped, request,
             fields && *fields ? "," : "", fields ? fields : "");
}

void
dp_log_with (dp_log_level_t level, const char *fields, const char *fmt, ...)
{
    if (level < s_min_level)
        return;
    va_list args;
    va_start (args, fmt);
    s_vlog_with (level, fields, fmt, args);
    va_end (args);
}

void
dp_log (dp_log_level_t level, const char *fmt, ...)
{
    if (level < s_min_level)
        return;
    va_list args;
    va_start (args, fmt);
    s_vlog (level, fmt, args);
    va_end (args);
}

void
dp_fatal (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    s_vlog (DP_LOG_ERROR, fmt, args);
    va_end (args);
    abort ();
}
