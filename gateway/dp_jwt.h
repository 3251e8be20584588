/*  =========================================================================
    dp_jwt - verifies boxtribute's RS256 access tokens, and mints tokens

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A dp_jwt_t holds the configured RSA public key, issuer and audience.
    dp_jwt_verify_header takes the raw Authorization header, checks the
    token (RS256 signature with OpenSSL EVP_DigestVerify, exp, aud, iss)
    and turns boxtribute's custom claims into a dp_identity_t. Failures
    come back as a dp_jwt_error_t carrying the HTTP status and the
    {code, description[, message]} body boxtribute's auth.py answers with.
@discuss
    Checks run in python-jose's order, so the same bad token gets the same
    code as in boxtribute: the header and signature first (anything wrong
    there is invalid_header), then exp (token_expired), then nbf, aud and
    iss (invalid_claims), then the custom claims (missing_claims).
    Only RS256 is accepted: "none", HS256 (whatever the secret), RS512 and
    every other alg are refused before any key is touched.
    Permission strings are "[base_X[-Y...]/]resource:method"; the ids after
    "base_" are a LIST separated by '-', not a range ("base_1-3" is bases 1
    and 3), as boxtribute splits them. Unprefixed permissions take the
    base_ids claim. write, create, edit and delete imply read on the same
    resource. Permissions are merged by name (union of base ids, sorted).
    A dp_jwt_t is immutable after dp_jwt_new: civetweb worker threads
    share one and call dp_jwt_verify concurrently.
    dp_jwt_sign mints tokens for depot-token and the tests, including the
    bad ones (HS256, none) the verifier must refuse.
@end
*/
#ifndef DP_JWT_H_INCLUDED
#define DP_JWT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_msg.h"

//  The namespace of boxtribute's custom claims.
#define DP_JWT_CLAIM_PREFIX "https://www.boxtribute.com/"

//  Longest token accepted, in bytes.
#define DP_JWT_MAX_TOKEN 16384

typedef struct _dp_jwt_t dp_jwt_t;

//  Why a token was refused: the HTTP status (401, or 500 for an internal
//  failure) and the fields of the JSON body.
typedef struct {
    int status;                 //  401 or 500
    char code [40];             //  e.g. "token_expired"
    char description [192];     //  boxtribute's sentence for that code
    char message [192];         //  detail for invalid_header; "" when none
} dp_jwt_error_t;

//  Create a verifier. public_key_pem is a PEM "PUBLIC KEY", "RSA PUBLIC
//  KEY" or "CERTIFICATE" holding an RSA key (a value whose newlines were
//  written as the two characters "\n", as env files do, is accepted too).
//  issuer is compared exactly (e.g. "https://example.eu.auth0.com/");
//  audience must appear in the token's aud. leeway_s (0-30) is the clock
//  skew allowed for exp and nbf. Returns NULL with err filled when the key
//  cannot be read or is not RSA. Caller owns return value and must destroy
//  it with dp_jwt_destroy.
dp_jwt_t *dp_jwt_new (const char *public_key_pem, const char *issuer,
                      const char *audience, int leeway_s, char *err, size_t err_len);

//  Destroy the verifier and nullify the caller's reference. Accepts NULL.
void dp_jwt_destroy (dp_jwt_t **self_p);

//  Verify one token (len bytes, no "Bearer ") at time now (seconds since
//  the Unix epoch). Returns 0 with *identity filled, every array and
//  string allocated in arena (owned by the arena), or -1 with *error
//  filled (anything already put in arena stays there until it is reset).
//  Thread-safe.
int dp_jwt_verify (dp_jwt_t *self, const char *token, size_t len, int64_t now,
                   dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error);

//  dp_jwt_verify, and on success *refused_after gets the last second (since
//  the Unix epoch) at which the token is still taken (its exp plus the
//  leeway; it is refused as expired after it): a long-lived connection
//  (live-svc) ends then.
int dp_jwt_verify_until (dp_jwt_t *self, const char *token, size_t len, int64_t now,
                         dp_arena_t *arena, dp_identity_t *identity, int64_t *refused_after,
                         dp_jwt_error_t *error);

//  Verify the raw value of an Authorization header (NULL when the header
//  is absent): "Bearer <token>", split on whitespace as boxtribute does,
//  then dp_jwt_verify. Same returns and ownership as dp_jwt_verify.
int dp_jwt_verify_header (dp_jwt_t *self, const char *authorization, int64_t now,
                          dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error);

//  dp_jwt_verify_header, and on success *refused_after (when not NULL) as
//  dp_jwt_verify_until's.
int dp_jwt_verify_header_until (dp_jwt_t *self, const char *authorization, int64_t now,
                                dp_arena_t *arena, dp_identity_t *identity, int64_t *refused_after,
                                dp_jwt_error_t *error);

//  Look up a permission of a verified identity by name ("stock:read").
//  Returns a borrowed pointer valid as long as the identity, or NULL.
const dp_permission_t *dp_jwt_identity_permission (const dp_identity_t *identity,
                                                   const char *name);

//  Mint a token: header {"alg":alg,"typ":"JWT"}, the given payload (a JSON
//  object text, written as is) and a signature. alg "RS256" and "RS512"
//  sign with key, a PEM private key; "HS256" uses the key_len bytes of key
//  as the HMAC secret; "none" writes an empty signature and ignores key.
//  Returns the token, which the caller owns and must free with free(), or
//  NULL with err filled.
char *dp_jwt_sign (const char *alg, const void *key, size_t key_len,
                   const char *payload_json, char *err, size_t err_len);

//  Encode size bytes as unpadded base64url. Caller owns return value and
//  must free it with free().
char *dp_jwt_base64url_encode (const void *data, size_t size);

//  Decode base64url text (padding '=' allowed at the end only) into out,
//  which must hold at least len * 3 / 4 + 3 bytes. Returns the decoded
//  length, or -1 when the text is not base64url.
long dp_jwt_base64url_decode (const char *text, size_t len, unsigned char *out);

void dp_jwt_test (bool verbose);

#endif
