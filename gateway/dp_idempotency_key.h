/*  =========================================================================
    dp_idempotency_key - the Idempotency-Key request header

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The IETF httpapi draft's header names one request so that a client
    may send it again without it taking effect twice (README, "Exactly
    once"). Its value is a structured-field string ("...", with \" and
    \\ escapes); the bare form most clients send (Stripe's) is taken too.
    The key is what is inside: 1 to DP_IDEMPOTENCY_KEY_MAX (255) printable
    ASCII characters (0x20 to 0x7E).
@end
*/
#ifndef DP_IDEMPOTENCY_KEY_H_INCLUDED
#define DP_IDEMPOTENCY_KEY_H_INCLUDED

#include <stdbool.h>
#include "dp_arena.h"

//  The 400 answer's message for a malformed key.
#define DP_IDEMPOTENCY_KEY_MALFORMED \
    "Idempotency-Key must be 1 to 255 printable ASCII characters, bare or as a quoted string."

//  Reads the header's value (NULL: no header). Returns 0 with *key NULL
//  when there is none, 0 with *key the key (in arena) when it is well
//  formed, -1 when it is not (*key NULL).
int dp_idempotency_key_parse (const char *value, dp_arena_t *arena, const char **key);

void dp_idempotency_key_test (bool verbose);

#endif
