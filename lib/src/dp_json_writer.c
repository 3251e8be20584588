/*  =========================================================================
    dp_json_writer - a growable byte buffer that writes JSON fast

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_json_writer.h"
#include "dp_log.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <math.h>
#include <assert.h>

void
dp_json_writer_init (dp_json_writer_t *self, size_t initial_cap)
{
    self->cap = initial_cap ? initial_cap : 4096;
    self->len = 0;
    self->data = malloc (self->cap);
    if (!self->data)
        dp_fatal ("out of memory");
}

void
dp_json_writer_release (dp_json_writer_t *self)
{
    free (self->data);
    self->data = NULL;
    self->len = self->cap = 0;
}

void
dp_json_writer_reserve (dp_json_writer_t *self, size_t n)
{
    if (self->cap - self->len >= n)
        return;
    size_t cap = self->cap ? self->cap : 4096;
    while (cap - self->len < n)
        cap *= 2;
    char *data = realloc (self->data, cap);
    if (!data)
        dp_fatal ("out of memory growing JSON buffer to %zu bytes", cap);
    self->data = data;
    self->cap = cap;
}

void
dp_json_writer_raw (dp_json_writer_t *self, const char *bytes, size_t len)
{
    dp_json_writer_reserve (self, len);
    memcpy (self->data + self->len, bytes, len);
    self->len += len;
}

//  Length of a valid UTF-8 sequence starting at s (max bytes left), or 0.
static size_t
s_utf8_valid_length (const unsigned char *s, size_t left)
{
    unsigned char c = s [0];
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (left < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s [i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s [i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
    ||  (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

void
dp_json_writer_string (dp_json_writer_t *self, const char *s, size_t len)
{
    static const char hex [] = "0123456789abcdef";
    //  Worst case: every byte becomes \u00XX (6 bytes), plus quotes.
    dp_json_writer_reserve (self, len * 6 + 2);
    char *out = self->data + self->len;
    *out++ = '"';
    const unsigned char *p = (const unsigned char *) s;
    const unsigned char *end = p + len;
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *out++ = (char) c;
            p++;
        }
        else
        if (c < 0x80) {
            *out++ = '\\';
            switch (c) {
                case '"': *out++ = '"'; break;
                case '\\': *out++ = '\\'; break;
                case '\n': *out++ = 'n'; break;
                case '\r': *out++ = 'r'; break;
                case '\t': *out++ = 't'; break;
                case '\b': *out++ = 'b'; break;
                case '\f': *out++ = 'f'; break;
                default:
                    *out++ = 'u'; *out++ = '0'; *out++ = '0';
                    *out++ = hex [c >> 4]; *out++ = hex [c & 15];
            }
            p++;
        }
        else {
            size_t n = s_utf8_valid_length (p, (size_t) (end - p));
            if (n) {
                memcpy (out, p, n);
                out += n;
                p += n;
            }
            else {
                //  U+FFFD REPLACEMENT CHARACTER for each invalid byte
                *out++ = (char) 0xEF; *out++ = (char) 0xBF; *out++ = (char) 0xBD;
                p++;
            }
        }
    }
    *out++ = '"';
    self->len = (size_t) (out - self->data);
}

void
dp_json_writer_cstr (dp_json_writer_t *self, const char *s)
{
    dp_json_writer_string (self, s, strlen (s));
}

void
dp_json_writer_int (dp_json_writer_t *self, int64_t value)
{
    char digits [24];
    char *end = digits + sizeof digits;
    char *p = end;
    uint64_t v = value < 0 ? (uint64_t) 0 - (uint64_t) value : (uint64_t) value;
    do {
        *--p = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    if (value < 0)
        *--p = '-';
    dp_json_writer_raw (self, p, (size_t) (end - p));
}

void
dp_json_writer_double (dp_json_writer_t *self, double value)
{
    if (!isfinite (value)) {
        dp_json_writer_null (self);
        return;
    }
    //  Integral values print like Python's repr of a float: 2.0
    char text [40];
    int n = 0;
    for (int precision = 15; precision <= 17; precision++) {
        n = snprintf (text, sizeof text, "%.*g", precision, value);
        if (strtod (text, NULL) == value)
            break;
    }
    dp_json_writer_raw (self, text, (size_t) n);
    if (!strpbrk (text, ".eEn"))
        dp_json_writer_raw (self, ".0", 2);
}

void
dp_json_writer_bool (dp_json_writer_t *self, bool value)
{
    if (value)
        dp_json_writer_raw (self, "true", 4);
    else
        dp_json_writer_raw (self, "false", 5);
}

void
dp_json_writer_null (dp_json_writer_t *self)
{
    dp_json_writer_raw (self, "null", 4);
}

void
dp_json_writer_truncate (dp_json_writer_t *self, size_t len)
{
    assert (len <= self->len);
    self->len = len;
}

char *
dp_json_writer_steal (dp_json_writer_t *self, size_t *len_p)
{
    char *data = self->data;
    if (len_p)
        *len_p = self->len;
    self->data = NULL;
    self->len = self->cap = 0;
    return data;
}

static void
s_expect (dp_json_writer_t *w, const char *expected)
{
    if (w->len != strlen (expected) || memcmp (w->data, expected, w->len) != 0) {
        fprintf (stderr, "expected [%s] got [%.*s]\n", expected, (int) w->len, w->data);
        assert (false);
    }
    dp_json_writer_truncate (w, 0);
}

void
dp_json_writer_test (bool verbose)
{
    dp_json_writer_t w;
    dp_json_writer_init (&w, 1);
    dp_json_writer_cstr (&w, "plain");
    s_expect (&w, "\"plain\"");
    dp_json_writer_cstr (&w, "q\"b\\n\n\t\x01");
    s_expect (&w, "\"q\\\"b\\\\n\\n\\t\\u0001\"");
    dp_json_writer_cstr (&w, "caf\xc3\xa9 \xf0\x9f\x93\xa6");
    s_expect (&w, "\"caf\xc3\xa9 \xf0\x9f\x93\xa6\"");
    //  Invalid UTF-8: a lone continuation byte and a truncated sequence.
    dp_json_writer_string (&w, "a\x80" "b\xe2\x82", 5);
    s_expect (&w, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\"");
    //  Embedded NUL is escaped, not a terminator.
    dp_json_writer_string (&w, "a\0b", 3);
    s_expect (&w, "\"a\\u0000b\"");
    dp_json_writer_int (&w, 0);
    s_expect (&w, "0");
    dp_json_writer_int (&w, -9223372036854775807LL - 1);
    s_expect (&w, "-9223372036854775808");
    dp_json_writer_int (&w, 8201);
    s_expect (&w, "8201");
    dp_json_writer_double (&w, 2.0);
    s_expect (&w, "2.0");
    dp_json_writer_double (&w, 12.5);
    s_expect (&w, "12.5");
    dp_json_writer_double (&w, 0.1);
    s_expect (&w, "0.1");
    dp_json_writer_double (&w, 1e300);
    s_expect (&w, "1e+300");
    dp_json_writer_double (&w, NAN);
    s_expect (&w, "null");
    dp_json_writer_bool (&w, true);
    dp_json_writer_char (&w, ',');
    dp_json_writer_bool (&w, false);
    s_expect (&w, "true,false");
    //  Growth over many writes keeps every byte.
    for (int i = 0; i < 10000; i++)
        dp_json_writer_cstr (&w, "x");
    assert (w.len == 30000);
    size_t len;
    char *stolen = dp_json_writer_steal (&w, &len);
    assert (len == 30000 && stolen [0] == '"');
    free (stolen);
    dp_json_writer_release (&w);
    if (verbose)
        printf (" * dp_json_writer: OK\n");
}
