/*  =========================================================================
    dp_datetime_input - a Datetime argument as a UTC DATETIME

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_datetime_input.h.
@end
*/
#include "dp_datetime_input.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

//  n digits at *p as a number, advancing p; -1 when they are not digits.
static int
s_digits (const char **p, const char *end, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= end || **p < '0' || **p > '9')
            return -1;
        value = value * 10 + (**p - '0');
    }
    return value;
}

static bool
s_take (const char **p, const char *end, char c)
{
    if (*p < end && **p == c) {
        (*p)++;
        return true;
    }
    return false;
}

bool
dp_datetime_input_utc (const char *text, size_t len, char utc [20])
{
    const char *p = text, *end = text + len;
    int year = s_digits (&p, end, 4);
    bool ok = year >= 1 && s_take (&p, end, '-');
    int month = ok ? s_digits (&p, end, 2) : -1;
    ok = ok && month >= 1 && month <= 12 && s_take (&p, end, '-');
    int day = ok ? s_digits (&p, end, 2) : -1;
    if (!ok || day < 1 || day > 31)
        return false;
    int hour = 0, minute = 0, second = 0, offset_minutes = 0;
    if (p < end && (*p == 'T' || *p == ' ')) {
        p++;
        hour = s_digits (&p, end, 2);
        minute = s_take (&p, end, ':') ? s_digits (&p, end, 2) : -1;
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59)
            return false;
        if (s_take (&p, end, ':')) {
            second = s_digits (&p, end, 2);
            if (second < 0 || second > 59)
                return false;
            if (s_take (&p, end, '.')) {
                int n = 0;
                for (; p < end && *p >= '0' && *p <= '9' && n < 6; p++)
                    n++;
                if (n == 0)
                    return false;
            }
        }
        if (s_take (&p, end, 'Z'))
            ;
        else
        if (p < end && (*p == '+' || *p == '-')) {
            int sign = *p++ == '-' ? -1 : 1;
            int oh = s_digits (&p, end, 2);
            bool colon = s_take (&p, end, ':');
            int om = colon || p < end ? s_digits (&p, end, 2) : 0;
            if (oh < 0 || oh > 23 || om < 0 || om > 59)
                return false;
            offset_minutes = sign * (oh * 60 + om);
        }
    }
    if (p != end)
        return false;
    //  Day of month beyond the month's end (2024-02-30): timegm would roll
    //  it over; refuse it as fromisoformat does.
    struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
                     .tm_hour = hour, .tm_min = minute, .tm_sec = second };
    time_t seconds = timegm (&tm);
    if (tm.tm_mday != day)
        return false;
    seconds -= (time_t) offset_minutes * 60;
    struct tm out;
    if (!gmtime_r (&seconds, &out) || out.tm_year + 1900 > 9999 || out.tm_year + 1900 < 1)
        return false;
    strftime (utc, 20, "%Y-%m-%d %H:%M:%S", &out);
    return true;
}

void
dp_datetime_input_test (bool verbose)
{
    printf (" * dp_datetime_input: ");
    struct { const char *in; const char *out; } cases [] = {
        { "2030-01-02", "2030-01-02 00:00:00" },
        { "2030-01-02T03:04", "2030-01-02 03:04:00" },
        { "2030-01-02 03:04:05", "2030-01-02 03:04:05" },
        { "2030-01-02T03:04:05.123456", "2030-01-02 03:04:05" },
        { "2030-01-02T03:04:05Z", "2030-01-02 03:04:05" },
        { "2030-01-02T03:04:05+00:00", "2030-01-02 03:04:05" },
        { "2030-01-02T01:04:05+02:00", "2030-01-01 23:04:05" },
        { "2030-12-31T22:30:00-01:30", "2031-01-01 00:00:00" },
        { "2030-01-02T03:04:05+0530", "2030-01-01 21:34:05" },
        { "2024-02-29T12:00:00", "2024-02-29 12:00:00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char utc [20];
        bool ok = dp_datetime_input_utc (cases [i].in, strlen (cases [i].in), utc);
        if (verbose)
            printf ("\n   %s -> %s", cases [i].in, ok ? utc : "(refused)");
        assert (ok && strcmp (utc, cases [i].out) == 0);
    }
    const char *bad [] = { "", "2030", "2030-13-01", "2030-02-30", "2023-02-29T00:00", "2030-01-02T",
                           "2030-01-02T25:00", "2030-01-02T03:04:05.", "2030-01-02T03:04:05+", "2030-01-02T03:04:05+05:",
                           "2030-01-02T03:04:05 junk", "tomorrow" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        char utc [20];
        assert (!dp_datetime_input_utc (bad [i], strlen (bad [i]), utc));
    }
    //  A NUL inside is not a date-time.
    char utc [20];
    assert (!dp_datetime_input_utc ("2030-01-02\0x", 12, utc));
    printf ("OK\n");
}
