/*  =========================================================================
    dp_idempotency_key - the Idempotency-Key request header

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    RFC 8941's sf-string, or the bare value; see dp_idempotency_key.h.
@end
*/
#include "dp_idempotency_key.h"
#include "dp_msg.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static bool
s_printable (char c)
{
    return c >= 0x20 && c <= 0x7e;
}

int
dp_idempotency_key_parse (const char *value, dp_arena_t *arena, const char **key)
{
    *key = NULL;
    if (!value)
        return 0;
    //  Optional whitespace around a field value is not part of it (RFC 9110, 5.5).
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen (value);
    while (len && (value [len - 1] == ' ' || value [len - 1] == '\t'))
        len--;
    char text [DP_IDEMPOTENCY_KEY_MAX + 1];
    size_t n = 0;
    bool quoted = len >= 2 && value [0] == '"' && value [len - 1] == '"';
    size_t from = quoted ? 1 : 0, to = quoted ? len - 1 : len;
    for (size_t i = from; i < to; i++) {
        char c = value [i];
        if (!s_printable (c))
            return -1;
        if (quoted && c == '"')
            return -1;          //  an unescaped quote ends an sf-string early
        if (quoted && c == '\\') {
            if (++i == to || (value [i] != '"' && value [i] != '\\'))
                return -1;
            c = value [i];
        }
        if (n == DP_IDEMPOTENCY_KEY_MAX)
            return -1;
        text [n++] = c;
    }
    if (n == 0)
        return -1;
    *key = dp_arena_strndup (arena, text, n);
    return 0;
}

void
dp_idempotency_key_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_idempotency_key: ");
    dp_arena_t *arena = dp_arena_new (4096);
    const char *key;
    assert (dp_idempotency_key_parse (NULL, arena, &key) == 0 && key == NULL);
    assert (dp_idempotency_key_parse ("8e03978e-40d5-43e8", arena, &key) == 0);
    assert (strcmp (key, "8e03978e-40d5-43e8") == 0);
    //  The draft's form: an sf-string, its escapes undone.
    assert (dp_idempotency_key_parse (" \"a \\\"b\\\\ c\" ", arena, &key) == 0);
    assert (strcmp (key, "a \"b\\ c") == 0);
    assert (dp_idempotency_key_parse ("\"x\"", arena, &key) == 0 && strcmp (key, "x") == 0);
    //  A lone quote is a bare key of one character.
    assert (dp_idempotency_key_parse ("\"", arena, &key) == 0 && strcmp (key, "\"") == 0);
    char longest [DP_IDEMPOTENCY_KEY_MAX + 2];
    memset (longest, 'k', DP_IDEMPOTENCY_KEY_MAX);
    longest [DP_IDEMPOTENCY_KEY_MAX] = 0;
    assert (dp_idempotency_key_parse (longest, arena, &key) == 0);
    assert (strlen (key) == DP_IDEMPOTENCY_KEY_MAX);
    longest [DP_IDEMPOTENCY_KEY_MAX] = 'k';
    longest [DP_IDEMPOTENCY_KEY_MAX + 1] = 0;
    const char *malformed [] = {
        "", "   ", "\"\"", "caf\xc3\xa9", "tab\there", "nul\x01", "del\x7f",
        "\"a\"b\"", "\"a\\x\"", "\"a\\\"", longest
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed [0]; i++) {
        assert (dp_idempotency_key_parse (malformed [i], arena, &key) == -1);
        assert (key == NULL);
    }
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
