/*  =========================================================================
    dp_jwt_cache - tokens verified once, per worker thread, until they expire

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_jwt_cache.h"
#include "dp_log.h"
#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define S_ENTRIES 8             //  per thread: a worker serves few clients at once

typedef struct {
    const dp_jwt_t *jwt;        //  the verifier that said yes (NULL: free)
    char *header;               //  the Authorization header, malloc'd
    size_t len;
    uint64_t hash;
    int64_t refused_after;      //  the last second the token is taken (exp plus the leeway)
    dp_arena_t *arena;          //  the identity's arrays
    dp_identity_t identity;
} s_entry_t;

typedef struct {
    s_entry_t entries [S_ENTRIES];
    size_t next;                //  the entry replaced next (round robin)
    uint64_t hits;
} s_cache_t;

static pthread_key_t s_key;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_cache_free (void *data)
{
    s_cache_t *cache = data;
    for (size_t i = 0; i < S_ENTRIES; i++) {
        free (cache->entries [i].header);
        dp_arena_destroy (&cache->entries [i].arena);
    }
    free (cache);
}

static void
s_make_key (void)
{
    int rc = pthread_key_create (&s_key, s_cache_free);
    assert (rc == 0);
    (void) rc;
}

//  The calling thread's cache, made on first use; freed when the thread ends.
static s_cache_t *
s_cache (void)
{
    pthread_once (&s_once, s_make_key);
    s_cache_t *cache = pthread_getspecific (s_key);
    if (!cache) {
        cache = calloc (1, sizeof *cache);
        if (!cache || pthread_setspecific (s_key, cache)) {
            free (cache);
            return NULL;            //  no cache: every header is verified
        }
    }
    return cache;
}

static uint64_t
s_hash (const char *text, size_t len)
{
    uint64_t hash = 1469598103934665603ULL;         //  FNV-1a
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char) text [i]) * 1099511628211ULL;
    return hash;
}

int
dp_jwt_cache_verify_header (dp_jwt_t *jwt, const char *authorization, int64_t now,
                            dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error)
{
    size_t len = authorization ? strlen (authorization) : 0;
    s_cache_t *cache = len && len <= DP_JWT_MAX_TOKEN + 64 ? s_cache () : NULL;
    if (!cache)
        return dp_jwt_verify_header (jwt, authorization, now, arena, identity, error);
    uint64_t hash = s_hash (authorization, len);
    for (size_t i = 0; i < S_ENTRIES; i++) {
        s_entry_t *entry = &cache->entries [i];
        if (entry->jwt == jwt && entry->hash == hash && entry->len == len
        &&  memcmp (entry->header, authorization, len) == 0) {
            if (now > entry->refused_after)
                break;              //  expired: verified again, which says so
            memset (error, 0, sizeof *error);
            dp_identity_copy (identity, &entry->identity, arena);
            cache->hits++;
            return 0;
        }
    }
    int64_t refused_after = 0;
    if (dp_jwt_verify_header_until (jwt, authorization, now, arena, identity, &refused_after, error))
        return -1;
    //  Remember it in place of the oldest entry (an expired one of the same
    //  header is the same slot's turn soon enough).
    s_entry_t *entry = &cache->entries [cache->next];
    cache->next = (cache->next + 1) % S_ENTRIES;
    char *header = malloc (len + 1);
    if (!entry->arena)
        entry->arena = dp_arena_new (0);
    if (!header || !entry->arena) {
        free (header);
        return 0;                   //  not remembered: the answer stands
    }
    free (entry->header);
    dp_arena_reset (entry->arena);
    memcpy (header, authorization, len + 1);
    entry->header = header;
    entry->len = len;
    entry->hash = hash;
    entry->jwt = jwt;
    entry->refused_after = refused_after;
    dp_identity_copy (&entry->identity, identity, entry->arena);
    return 0;
}

uint64_t
dp_jwt_cache_hits (void)
{
    s_cache_t *cache = s_cache ();
    return cache ? cache->hits : 0;
}

//  --------------------------------------------------------------------------
//  Selftest

#define S_ISSUER    "https://depot-cache-test.eu.auth0.com/"
#define S_AUDIENCE  "boxtribute-dev-api"

static char *
s_pem (EVP_PKEY *key, bool private)
{
    BIO *bio = BIO_new (BIO_s_mem ());
    int rc = private ? PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL)
                     : PEM_write_bio_PUBKEY (bio, key);
    assert (rc == 1);
    char *data;
    long n = BIO_get_mem_data (bio, &data);
    char *pem = strndup (data, (size_t) n);
    BIO_free (bio);
    return pem;
}

static char *
s_header (const char *private_pem, int64_t exp, int64_t user)
{
    char payload [1024], err [256];
    snprintf (payload, sizeof payload,
              "{\"sub\":\"auth0|%" PRId64 "\",\"exp\":%" PRId64 ",\"iat\":%" PRId64 ",\"aud\":\"" S_AUDIENCE
              "\",\"iss\":\"" S_ISSUER "\",\"" DP_JWT_CLAIM_PREFIX "organisation_id\":1,\""
              DP_JWT_CLAIM_PREFIX "base_ids\":[1,4],\"" DP_JWT_CLAIM_PREFIX "roles\":[\"base_1_coordinator\"],\""
              DP_JWT_CLAIM_PREFIX "permissions\":[\"base_1/stock:write\",\"base_1-4/product:read\"],\""
              DP_JWT_CLAIM_PREFIX "beta_user\":3}", user, exp, exp - 3600);
    char *token = dp_jwt_sign ("RS256", private_pem, strlen (private_pem), payload, err, sizeof err);
    assert (token);
    char *header = malloc (strlen (token) + 8);
    sprintf (header, "Bearer %s", token);
    free (token);
    return header;
}

void
dp_jwt_cache_test (bool verbose)
{
    printf (" * dp_jwt_cache: ");
    EVP_PKEY *key = EVP_RSA_gen (2048);
    assert (key);
    char *private_pem = s_pem (key, true), *public_pem = s_pem (key, false);
    EVP_PKEY_free (key);
    char err [256];
    dp_jwt_t *jwt = dp_jwt_new (public_pem, S_ISSUER, S_AUDIENCE, 5, err, sizeof err);
    dp_jwt_t *other = dp_jwt_new (public_pem, "https://elsewhere.example/", S_AUDIENCE, 5, err, sizeof err);
    assert (jwt && other);
    dp_arena_t *arena = dp_arena_new (0);
    dp_identity_t identity, again;
    dp_jwt_error_t error;
    int64_t now = 1800000000;

    //  Verified once, then answered from the cache with the same identity,
    //  in the caller's arena, until the token's exp plus the leeway.
    char *header = s_header (private_pem, now + 600, 8);
    uint64_t hits = dp_jwt_cache_hits ();
    assert (dp_jwt_cache_verify_header (jwt, header, now, arena, &identity, &error) == 0);
    assert (dp_jwt_cache_hits () == hits);
    assert (dp_jwt_cache_verify_header (jwt, header, now + 10, arena, &again, &error) == 0);
    assert (dp_jwt_cache_hits () == hits + 1);
    assert (again.user_id == 8 && again.organisation_id == 1 && again.beta_user == 3);
    assert (again.n_base_ids == 2 && again.base_ids [1] == 4 && again.base_ids != identity.base_ids);
    const dp_permission_t *perm = dp_jwt_identity_permission (&again, "product:read");
    assert (perm && perm->n_base_ids == 2 && perm->base_ids [0] == 1 && perm->base_ids [1] == 4);
    assert (dp_jwt_identity_permission (&again, "stock:read"));
    int64_t refused_after = 0;
    assert (dp_jwt_verify_until (jwt, header + 7, strlen (header + 7), now, arena, &again,
                                 &refused_after, &error) == 0);
    assert (refused_after > now + 600 && refused_after <= now + 606);
    assert (dp_jwt_cache_verify_header (jwt, header, refused_after, arena, &again, &error) == 0);
    assert (dp_jwt_cache_hits () == hits + 2);
    //  Past it: refused as the verifier refuses it.
    assert (dp_jwt_cache_verify_header (jwt, header, refused_after + 1, arena, &again, &error) == -1);
    assert (strcmp (error.code, "token_expired") == 0);
    //  Another verifier (another issuer) checks for itself.
    assert (dp_jwt_cache_verify_header (other, header, now, arena, &again, &error) == -1);
    assert (strcmp (error.code, "invalid_claims") == 0);
    //  A header one byte different is another header; a refused one is
    //  refused every time.
    header [strlen (header) - 2] ^= 1;
    for (int i = 0; i < 2; i++) {
        assert (dp_jwt_cache_verify_header (jwt, header, now, arena, &again, &error) == -1);
        assert (strcmp (error.code, "invalid_header") == 0);
    }
    assert (dp_jwt_cache_verify_header (jwt, NULL, now, arena, &again, &error) == -1);
    assert (strcmp (error.code, "authorization_header_missing") == 0);
    free (header);
    //  More users than entries: the oldest is forgotten, every answer right.
    for (int64_t user = 1; user <= 3 * S_ENTRIES; user++) {
        char *mine = s_header (private_pem, now + 600, user);
        for (int i = 0; i < 2; i++) {
            assert (dp_jwt_cache_verify_header (jwt, mine, now, arena, &again, &error) == 0);
            assert (again.user_id == user);
        }
        free (mine);
    }
    dp_arena_destroy (&arena);
    dp_jwt_destroy (&jwt);
    dp_jwt_destroy (&other);
    free (private_pem);
    free (public_pem);
    if (verbose)
        printf ("%" PRIu64 " answers from the cache ", dp_jwt_cache_hits ());
    printf ("OK\n");
}
