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
dp_json_writer_init_headroom (dp_json_writer_t *self, size_t initial_cap, size_t headroom)
{
    self->data = NULL;
    self->len = self->cap = 0;
    self->headroom = headroom;
    dp_json_writer_reserve (self, initial_cap ? initial_cap : 4096);
}

void
dp_json_writer_init (dp_json_writer_t *self, size_t initial_cap)
{
    dp_json_writer_init_headroom (self, initial_cap, 0);
}

void
dp_json_writer_release (dp_json_writer_t *self)
{
    if (self->data)
        free (self->data - self->headroom);
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
    char *block = realloc (self->data ? self->data - self->headroom : NULL, self->headroom + cap);
    if (!block)
        dp_fatal ("out of memory growing JSON buffer to %zu bytes", cap);
    self->data = block + self->headroom;
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

//  Does any of the 8 bytes in v need escaping or checking: a control
//  byte, '"', '\\' or a byte of a multi-byte UTF-8 sequence? (Each term
//  is the classic "has a byte below n" / "has a zero byte" test.)
static inline bool
s_word_needs_care (uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
    uint64_t quote = v ^ (ones * '"');
    uint64_t backslash = v ^ (ones * '\\');
    uint64_t found = ((v - ones * 0x20) & ~v)           //  a byte below 0x20
                   | ((quote - ones) & ~quote)          //  a '"'
                   | ((backslash - ones) & ~backslash)  //  a '\\'
                   | v;                                 //  a byte from 0x80 up
    return (found & highs) != 0;
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
        //  Plain text goes 8 bytes at a time.
        while (end - p >= 8) {
            uint64_t word;
            memcpy (&word, p, 8);
            if (s_word_needs_care (word))
                break;
            memcpy (out, &word, 8);
            out += 8;
            p += 8;
        }
        if (p == end)
            break;
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


//  Unsigned decimal digits of v into the end of buf; returns the first.
static char *
s_digits (uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

void
dp_json_writer_int (dp_json_writer_t *self, int64_t value)
{
    char text [24];
    char *end = text + sizeof text;
    char *p = s_digits (value < 0 ? (uint64_t) 0 - (uint64_t) value : (uint64_t) value, end);
    if (value < 0)
        *--p = '-';
    dp_json_writer_raw (self, p, (size_t) (end - p));
}

//  A value of at most 6 decimals and under 10^9 (a weight, a price),
//  without printf: the fewest decimals that read back as the value. That
//  is the text the general case below gives too: such a value has at most
//  15 significant digits, and the double nearest to it rounds back to them
//  at 15 digits. Returns false, writing nothing, for any other value.
static bool
s_double_decimal (dp_json_writer_t *self, double value)
{
    static const double scale [] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
    static const uint64_t scale_int [] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
    double magnitude = fabs (value);
    if (!(magnitude >= 1e-4 && magnitude < 1e9))
        return false;
    for (size_t k = 0; k < sizeof scale / sizeof scale [0]; k++) {
        //  Both exact (under 2^53), so the division is the double nearest
        //  to the decimal mantissa / 10^k.
        double mantissa = nearbyint (magnitude * scale [k]);
        if (mantissa / scale [k] != magnitude)
            continue;
        uint64_t digits = (uint64_t) mantissa;
        char text [32];
        char *end = text + sizeof text;
        char *p = end;
        if (k == 0) {
            *--p = '0';
            *--p = '.';         //  integral: 2.0, as Python's repr of a float
            p = s_digits (digits, p);
        }
        else {
            char *fraction = s_digits (digits % scale_int [k], p);
            while ((size_t) (p - fraction) < k)
                *--fraction = '0';
            *--fraction = '.';
            p = s_digits (digits / scale_int [k], fraction);
        }
        if (value < 0)
            *--p = '-';
        dp_json_writer_raw (self, p, (size_t) (end - p));
        return true;
    }
    return false;
}

void
dp_json_writer_double (dp_json_writer_t *self, double value)
{
    if (!isfinite (value)) {
        dp_json_writer_null (self);
        return;
    }
    if (s_double_decimal (self, value))
        return;
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

void *
dp_json_writer_steal_block (dp_json_writer_t *self)
{
    void *block = self->data ? self->data - self->headroom : NULL;
    self->data = NULL;
    self->len = self->cap = 0;
    return block;
}

char *
dp_json_writer_steal (dp_json_writer_t *self, size_t *len_p)
{
    assert (self->headroom == 0);
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

//  The JSON text of one byte alone, as the writer must escape it: the
//  test's own table, independent of the writer's word-at-a-time path.
static size_t
s_expected_byte (unsigned char c, char *out)
{
    static const char hex [] = "0123456789abcdef";
    const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b"
                      : c == '\f' ? "\\f" : NULL;
    if (named) {
        memcpy (out, named, 2);
        return 2;
    }
    if (c < 0x20) {
        memcpy (out, "\\u00", 4);
        out [4] = hex [c >> 4];
        out [5] = hex [c & 15];
        return 6;
    }
    if (c >= 0x80) {            //  alone, never valid UTF-8: U+FFFD
        memcpy (out, "\xef\xbf\xbd", 3);
        return 3;
    }
    out [0] = (char) c;
    return 1;
}

//  The writer's text of a double as the general case writes it: the
//  fewest of 15, 16 or 17 significant digits that read back, ".0" added
//  when it has neither point nor exponent.
static void
s_expected_double (double value, char *text, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf (text, size, "%.*g", precision, value);
        if (strtod (text, NULL) == value)
            break;
    }
    if (!strpbrk (text, ".eEn"))
        strcat (text, ".0");
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
    //  Every byte value at every place of a word and around words (the
    //  word-at-a-time path must never pass over a byte that needs care).
    for (unsigned c = 0; c < 256; c++)
        for (size_t at = 0; at < 19; at++) {
            char input [19];
            memset (input, 'a', sizeof input);
            input [at] = (char) c;
            char expected [64];
            size_t n = 0;
            expected [n++] = '"';
            memset (expected + n, 'a', at);
            n += at;
            n += s_expected_byte ((unsigned char) c, expected + n);
            memset (expected + n, 'a', sizeof input - at - 1);
            n += sizeof input - at - 1;
            expected [n++] = '"';
            dp_json_writer_string (&w, input, sizeof input);
            assert (w.len == n && memcmp (w.data, expected, n) == 0);
            dp_json_writer_truncate (&w, 0);
        }
    //  Multi-byte UTF-8 across word boundaries stays as it is, U+2028 and
    //  U+2029 included (valid in JSON); DEL is not escaped.
    dp_json_writer_string (&w, "1234567\xc3\xa9" "89abcde\xf0\x9f\x93\xa6\xe2\x80\xa8\xe2\x80\xa9\x7f", 27);
    s_expect (&w, "\"1234567\xc3\xa9" "89abcde\xf0\x9f\x93\xa6\xe2\x80\xa8\xe2\x80\xa9\x7f\"");
    //  Invalid UTF-8: overlong, a surrogate, above U+10FFFF, cut at the end
    //  of a long string: U+FFFD per byte.
    dp_json_writer_string (&w, "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80" "abcdefgh\xe2\x82", 19);
    s_expect (&w, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "abcdefgh\xef\xbf\xbd\xef\xbf\xbd\"");
    //  A long string (1 MB): a quote every 1,000 bytes, the rest as it is.
    {
        size_t long_len = 1 << 20, quotes = 0;
        char *text = malloc (long_len);
        assert (text);
        for (size_t i = 0; i < long_len; i++) {
            text [i] = i % 1000 == 999 ? '"' : (char) ('a' + i % 26);
            quotes += text [i] == '"';
        }
        dp_json_writer_string (&w, text, long_len);
        assert (w.len == long_len + quotes + 2);
        for (size_t i = 0, o = 1; i < long_len; i++) {
            if (text [i] == '"')
                assert (w.data [o++] == '\\');
            assert (w.data [o++] == text [i]);
        }
        dp_json_writer_truncate (&w, 0);
        free (text);
    }
    //  Integers at their limits.
    dp_json_writer_int (&w, INT64_MAX);
    s_expect (&w, "9223372036854775807");
    dp_json_writer_int (&w, -1);
    s_expect (&w, "-1");
    //  Doubles: the decimal fast path gives the general case's text, at
    //  its limits and beyond them (which the general case takes).
    const double doubles [] = {
        0.0, -0.0, 1e-4, 9.9999e-5, 0.000123, 1e-5, 5e-5, 1e-6, 0.000001, 0.5, 2.5, -12.75, 0.30000000000000004,
        1.0 / 3.0, 999999999.999999, 999999999.9999999, 1e9, 1e9 - 1, 123456.789, 4.35,
        1e15, 1e16, 1e21, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 100.0,
        0.1 + 0.2, 33.333333, 12345678.123456
    };
    char text [64];
    for (size_t i = 0; i < sizeof doubles / sizeof doubles [0]; i++) {
        s_expected_double (doubles [i], text, sizeof text);
        dp_json_writer_double (&w, doubles [i]);
        s_expect (&w, text);
    }
    //  Every cent from 0 to 100,000, and random doubles of every kind.
    for (int64_t cents = -100; cents <= 10000000; cents += 37) {
        s_expected_double ((double) cents / 100, text, sizeof text);
        dp_json_writer_double (&w, (double) cents / 100);
        s_expect (&w, text);
    }
    uint64_t seed = 42;
    static const double powers [] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7 };
    for (int i = 0; i < 150000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        double value;
        if (i % 3 == 0) {           //  any bits
            uint64_t bits = seed;
            memcpy (&value, &bits, sizeof value);
            if (!isfinite (value))
                continue;
        }
        else
        if (i % 3 == 1)             //  a decimal of up to 16 digits, 0 to 7 decimals
            value = (double) ((seed >> 11) % 10000000000000000ull) / powers [seed % 8];
        else
            value = (double) (seed >> 20) / 1e6 / (double) (1 + (seed & 1023));
        s_expected_double (value, text, sizeof text);
        dp_json_writer_double (&w, value);
        s_expect (&w, text);
    }
    //  Headroom: the JSON starts after it, and steal_block hands over all.
    {
        dp_json_writer_t h;
        dp_json_writer_init_headroom (&h, 1, 100);
        for (int i = 0; i < 1000; i++)
            dp_json_writer_cstr (&h, "grown");
        assert (h.len == 7000 && h.headroom == 100 && memcmp (h.data, "\"grown\"", 7) == 0);
        memset (h.data - 100, 'h', 100);     //  the room is the writer's to give
        char *block = dp_json_writer_steal_block (&h);
        assert (block && block [0] == 'h' && block [100] == '"' && h.data == NULL && h.len == 0);
        free (block);
        dp_json_writer_cstr (&h, "again");
        s_expect (&h, "\"again\"");
        dp_json_writer_release (&h);
    }
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
