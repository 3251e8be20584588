/*  =========================================================================
    dp_base64 - standard base64 for opaque cursors

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_base64.h"
#include <string.h>
#include <stdbool.h>
#include <stdio.h>
#include <assert.h>

static const char s_alphabet [] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
dp_base64_encode (dp_arena_t *arena, const char *data, size_t len)
{
    const unsigned char *in = (const unsigned char *) data;
    char *out = dp_arena_alloc (arena, (len + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned) in [i] << 16;
        if (i + 1 < len) v |= (unsigned) in [i + 1] << 8;
        if (i + 2 < len) v |= in [i + 2];
        out [o++] = s_alphabet [(v >> 18) & 63];
        out [o++] = s_alphabet [(v >> 12) & 63];
        out [o++] = i + 1 < len ? s_alphabet [(v >> 6) & 63] : '=';
        out [o++] = i + 2 < len ? s_alphabet [v & 63] : '=';
    }
    out [o] = 0;
    return out;
}

static int
s_value (char c)
{
    const char *p = c ? strchr (s_alphabet, c) : NULL;
    return p ? (int) (p - s_alphabet) : -1;
}

char *
dp_base64_decode (dp_arena_t *arena, const char *text, size_t *len_p)
{
    size_t len = strlen (text);
    if (len == 0 || len % 4 != 0 || len > 4096)
        return NULL;
    char *out = dp_arena_alloc (arena, len / 4 * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int a = s_value (text [i]), b = s_value (text [i + 1]);
        bool last = i + 4 == len;
        int c = (last && text [i + 2] == '=') ? -2 : s_value (text [i + 2]);
        int d = (last && text [i + 3] == '=') ? -2 : s_value (text [i + 3]);
        if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2))
            return NULL;
        unsigned v = ((unsigned) a << 18) | ((unsigned) b << 12)
                   | ((unsigned) (c < 0 ? 0 : c) << 6) | (unsigned) (d < 0 ? 0 : d);
        out [o++] = (char) (v >> 16);
        if (c >= 0) out [o++] = (char) (v >> 8);
        if (d >= 0) out [o++] = (char) v;
    }
    out [o] = 0;
    *len_p = o;
    return out;
}

//  -------------------------------------------------------------------------
//  Selftest: RFC 4648's test vectors both ways, and malformed input.

void
dp_base64_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_base64: ");
    dp_arena_t *arena = dp_arena_new (0);
    const char *vectors [][2] = {
        { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }, { "BoxPage:42", "Qm94UGFnZTo0Mg==" },
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors [0]; i++) {
        char *encoded = dp_base64_encode (arena, vectors [i][0], strlen (vectors [i][0]));
        assert (strcmp (encoded, vectors [i][1]) == 0);
        size_t len;
        char *decoded = dp_base64_decode (arena, vectors [i][1], &len);
        assert (decoded && len == strlen (vectors [i][0]));
        assert (memcmp (decoded, vectors [i][0], len) == 0 && decoded [len] == 0);
    }
    //  Bytes beyond ASCII, NUL included, survive.
    const char bytes [] = { 0, (char) 0xff, 'a' };
    size_t len;
    char *decoded = dp_base64_decode (arena, dp_base64_encode (arena, bytes, 3), &len);
    assert (len == 3 && memcmp (decoded, bytes, 3) == 0);
    //  Malformed: empty, not a multiple of 4, a foreign character, padding
    //  before the end or in the wrong place, too long.
    const char *bad [] = { "", "Zg=", "Zm9v!A==", "Zg==Zm9v", "Z===", "Zm=v" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++)
        assert (dp_base64_decode (arena, bad [i], &len) == NULL);
    char *long_text = dp_arena_alloc (arena, 4101);
    memset (long_text, 'A', 4100);
    long_text [4100] = 0;
    assert (dp_base64_decode (arena, long_text, &len) == NULL);
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
