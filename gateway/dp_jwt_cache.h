/*  =========================================================================
    dp_jwt_cache - tokens verified once, per worker thread, until they expire

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A client sends the same token with every request for the token's
    lifetime. Verifying it (base64, two JSON documents, an RSA signature)
    took about 8% of Depot's CPU per BoxView at 64 connections. What makes
    a token good, other than the time, cannot change: its bytes are signed.
    So each worker thread remembers the Authorization headers it verified,
    with the identity they carry and the last second they are taken (exp
    plus the leeway), and answers the same header from there until then. A header that was refused is verified again every time
    (nothing to reuse: the answer is an error either way).
@discuss
    Per thread, so no lock: a civetweb worker serves one request at a time.
    A few entries per thread, each bounded by DP_JWT_MAX_TOKEN: memory stays
    small whatever the number of users. The verifier is part of the key, so
    a cache never answers for another key or issuer. Freed at thread exit.
    Covered by the selftest below (an expired entry, another verifier, a
    refused header) and by every integration test through the gateway.
@end
*/
#ifndef DP_JWT_CACHE_H_INCLUDED
#define DP_JWT_CACHE_H_INCLUDED

#include "dp_jwt.h"

//  As dp_jwt_verify_header (same returns, identity in arena), answered from
//  the calling thread's cache when it verified the same header before and
//  now is before the token's expiry.
int dp_jwt_cache_verify_header (dp_jwt_t *jwt, const char *authorization, int64_t now,
                                dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error);

//  How many answers the calling thread's cache gave (selftests).
uint64_t dp_jwt_cache_hits (void);

void dp_jwt_cache_test (bool verbose);

#endif
