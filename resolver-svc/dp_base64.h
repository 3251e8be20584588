/*  =========================================================================
    dp_base64 - standard base64 for opaque cursors

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_BASE64_H_INCLUDED
#define DP_BASE64_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_arena.h"

//  Encode len bytes (with '=' padding); NUL-terminated, in arena.
char *dp_base64_encode (dp_arena_t *arena, const char *data, size_t len);

//  Decode a padded base64 string; NULL when malformed. The result is
//  NUL-terminated (in arena) and *len_p gets its length.
char *dp_base64_decode (dp_arena_t *arena, const char *text, size_t *len_p);

//  Selftest.
void dp_base64_test (bool verbose);

#endif
