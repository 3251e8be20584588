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

static void
s_vlog (dp_log_level_t level, const char *fmt, va_list args)
{
    static const char *names [] = { "debug", "info", "warn", "error" };
    char text [1024];
    vsnprintf (text, sizeof text, fmt, args);
    //  Escape the message for JSON.
    char escaped [2100];
    size_t out = 0;
    for (const char *p = text; *p && out < sizeof escaped - 8; p++) {
        unsigned char c = (unsigned char) *p;
        if (c == '"' || c == '\\') {
            escaped [out++] = '\\';
            escaped [out++] = (char) c;
        }
        else
        if (c < 0x20)
            out += (size_t) snprintf (escaped + out, 7, "\\u%04x", c);
        else
            escaped [out++] = (char) c;
    }
    escaped [out] = 0;
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    fprintf (stderr, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"svc\":\"%s\",\"msg\":\"%s\"}\n",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             now.tv_nsec / 1000000, names [level], s_service, escaped);
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
