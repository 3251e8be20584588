/*  =========================================================================
    dp_suggest - graphql-js's "Did you mean ...?" hints

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_suggest.h"
#include "validation/dp_validation.h"

const char *
dp_suggest (dp_arena_t *arena, const char *sub, const char *input, size_t input_len,
            const char **options, size_t n_options)
{
    const char **close;
    size_t n = dp_suggestion_list_n (arena, input, input_len, options, n_options, &close);
    if (n == 0)
        return "";
    dp_vstr_t text;
    dp_vstr_init (&text);
    dp_vstr_did_you_mean (&text, sub, close, n);
    const char *out = dp_arena_strndup (arena, text.data, text.len);
    dp_vstr_release (&text);
    return out;
}
