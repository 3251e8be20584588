/*  =========================================================================
    dp_jwt - verifies boxtribute's RS256 access tokens, and mints tokens

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A JWT is three base64url segments, header.payload.signature. We decode
    the header, refuse every alg but RS256, check the signature over the
    first two segments with the configured RSA key, and only then look at
    the payload: standard claims first, boxtribute's custom claims last.
@discuss
    The codes and descriptions are boxtribute's (back/boxtribute_server/
    auth.py), because the v2 front-end and API clients show them. Depot is
    stricter in three places, each a bad token boxtribute would answer
    with a 500 or accept: a token without exp, aud or sub is refused, and
    a malformed permission string refuses the whole token.
    OpenSSL objects: one EVP_PKEY, read-only after dp_jwt_new, shared by
    every thread; each verification uses its own EVP_MD_CTX.
@end
*/
#include "dp_jwt.h"
#include "dp_log.h"
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define S_MAX_PERMISSIONS   1000        //  raw entries and merged names
#define S_MAX_BASE_IDS      10000       //  ids in one claim or permission
#define S_MAX_SIGNATURE     1024        //  bytes: an RSA-8192 signature

struct _dp_jwt_t {
    EVP_PKEY *key;              //  the RSA public key
    char *issuer;               //  "https://<domain>/"
    char *audience;
    int leeway_s;               //  clock skew allowed for exp and nbf
};

//  Boxtribute's descriptions, per code.
#define S_DESC_MISSING      "Authorization header is expected"
#define S_DESC_NOT_BEARER   "Authorization header must start with Bearer"
#define S_DESC_NO_TOKEN     "Token not found"
#define S_DESC_NOT_ONE      "Authorization header must be Bearer token"
#define S_DESC_UNPARSABLE   "Unable to parse authentication token."
#define S_DESC_EXPIRED      "token is expired"
#define S_DESC_CLAIMS       "incorrect claims, please check the audience and issuer"


//  --------------------------------------------------------------------------
//  Fill error with status, code, description and an optional detail; returns -1.

static int
s_refuse (dp_jwt_error_t *error, int status, const char *code, const char *description,
          const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));

static int
s_refuse (dp_jwt_error_t *error, int status, const char *code, const char *description,
          const char *fmt, ...)
{
    error->status = status;
    snprintf (error->code, sizeof error->code, "%s", code);
    snprintf (error->description, sizeof error->description, "%s", description);
    error->message [0] = 0;
    if (fmt) {
        va_list args;
        va_start (args, fmt);
        vsnprintf (error->message, sizeof error->message, fmt, args);
        va_end (args);
    }
    return -1;
}

#define s_invalid_header(e, ...)  s_refuse (e, 401, "invalid_header", S_DESC_UNPARSABLE, __VA_ARGS__)
#define s_invalid_claims(e, ...)  s_refuse (e, 401, "invalid_claims", S_DESC_CLAIMS, __VA_ARGS__)


//  --------------------------------------------------------------------------
//  base64url

static const char s_b64_alphabet [] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
dp_jwt_base64url_encode (const void *data, size_t size)
{
    const unsigned char *in = (const unsigned char *) data;
    char *out = (char *) malloc ((size + 2) / 3 * 4 + 1);
    if (!out)
        dp_fatal ("dp_jwt: out of memory");
    size_t o = 0, i = 0;
    for (; i + 2 < size; i += 3) {
        uint32_t v = (uint32_t) in [i] << 16 | (uint32_t) in [i + 1] << 8 | in [i + 2];
        out [o++] = s_b64_alphabet [v >> 18];
        out [o++] = s_b64_alphabet [(v >> 12) & 63];
        out [o++] = s_b64_alphabet [(v >> 6) & 63];
        out [o++] = s_b64_alphabet [v & 63];
    }
    if (size - i == 1) {
        uint32_t v = (uint32_t) in [i] << 16;
        out [o++] = s_b64_alphabet [v >> 18];
        out [o++] = s_b64_alphabet [(v >> 12) & 63];
    }
    else
    if (size - i == 2) {
        uint32_t v = (uint32_t) in [i] << 16 | (uint32_t) in [i + 1] << 8;
        out [o++] = s_b64_alphabet [v >> 18];
        out [o++] = s_b64_alphabet [(v >> 12) & 63];
        out [o++] = s_b64_alphabet [(v >> 6) & 63];
    }
    out [o] = 0;
    return out;
}

static int
s_b64_value (char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

long
dp_jwt_base64url_decode (const char *text, size_t len, unsigned char *out)
{
    //  Padding is allowed only at the end, and only to a multiple of 4.
    size_t data_len = len;
    while (data_len > 0 && text [data_len - 1] == '=')
        data_len--;
    if (data_len != len && (len % 4 != 0 || len - data_len > 2))
        return -1;
    if (data_len % 4 == 1)
        return -1;              //  one leftover character carries no byte
    long o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = s_b64_value (text [i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t) v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out [o++] = (unsigned char) (acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return o;
}

//  Decode one segment into a fresh malloc'd buffer (NUL-terminated for
//  JSON). Returns NULL when the segment is not base64url.
static unsigned char *
s_segment_decode (const char *text, size_t len, size_t *size)
{
    unsigned char *out = (unsigned char *) malloc (len * 3 / 4 + 4);
    if (!out)
        dp_fatal ("dp_jwt: out of memory");
    long n = dp_jwt_base64url_decode (text, len, out);
    if (n < 0) {
        free (out);
        return NULL;
    }
    out [n] = 0;
    *size = (size_t) n;
    return out;
}


//  --------------------------------------------------------------------------
//  Key loading

//  Turn the two characters '\' 'n' into newlines when the text has no real
//  newline (a PEM squeezed into one environment line). Caller frees.
static char *
s_pem_normalise (const char *text)
{
    char *copy = strdup (text);
    if (!copy)
        dp_fatal ("dp_jwt: out of memory");
    if (strchr (copy, '\n'))
        return copy;
    char *out = copy;
    for (const char *p = copy; *p; p++) {
        if (p [0] == '\\' && p [1] == 'n') {
            *out++ = '\n';
            p++;
        }
        else
            *out++ = *p;
    }
    *out = 0;
    return copy;
}

static EVP_PKEY *
s_public_key_load (const char *pem, char *err, size_t err_len)
{
    char *text = s_pem_normalise (pem);
    EVP_PKEY *key = NULL;

    //  "PUBLIC KEY" (SubjectPublicKeyInfo) and "RSA PUBLIC KEY" (PKCS#1).
    BIO *bio = BIO_new_mem_buf (text, -1);
    OSSL_DECODER_CTX *decoder = OSSL_DECODER_CTX_new_for_pkey (
        &key, "PEM", NULL, "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);
    if (bio && decoder)
        OSSL_DECODER_from_bio (decoder, bio);
    OSSL_DECODER_CTX_free (decoder);
    BIO_free (bio);

    //  A certificate, as Auth0's https://<domain>/pem serves it.
    if (!key) {
        bio = BIO_new_mem_buf (text, -1);
        X509 *cert = bio ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
        if (cert) {
            key = X509_get_pubkey (cert);
            X509_free (cert);
        }
        BIO_free (bio);
    }
    free (text);
    ERR_clear_error ();
    if (!key) {
        snprintf (err, err_len, "cannot read an RSA public key or certificate from the PEM text");
        return NULL;
    }
    if (EVP_PKEY_get_base_id (key) != EVP_PKEY_RSA) {
        snprintf (err, err_len, "the public key is not an RSA key (RS256 needs one)");
        EVP_PKEY_free (key);
        return NULL;
    }
    return key;
}


//  --------------------------------------------------------------------------
//  Create a verifier.

dp_jwt_t *
dp_jwt_new (const char *public_key_pem, const char *issuer, const char *audience,
            int leeway_s, char *err, size_t err_len)
{
    assert (err);
    if (!public_key_pem || !*public_key_pem) {
        snprintf (err, err_len, "no public key configured (AUTH0_PUBLIC_KEY or DEPOT_PUBLIC_KEY_FILE)");
        return NULL;
    }
    if (!issuer || !*issuer || !audience || !*audience) {
        snprintf (err, err_len, "issuer and audience must be configured (AUTH0_DOMAIN, AUTH0_AUDIENCE)");
        return NULL;
    }
    if (leeway_s < 0 || leeway_s > 30) {
        snprintf (err, err_len, "JWT leeway must be 0-30 seconds, not %d", leeway_s);
        return NULL;
    }
    EVP_PKEY *key = s_public_key_load (public_key_pem, err, err_len);
    if (!key)
        return NULL;
    dp_jwt_t *self = (dp_jwt_t *) calloc (1, sizeof (dp_jwt_t));
    if (!self)
        dp_fatal ("dp_jwt: out of memory");
    self->key = key;
    self->issuer = strdup (issuer);
    self->audience = strdup (audience);
    if (!self->issuer || !self->audience)
        dp_fatal ("dp_jwt: out of memory");
    self->leeway_s = leeway_s;
    return self;
}


//  --------------------------------------------------------------------------
//  Destroy the verifier.

void
dp_jwt_destroy (dp_jwt_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        dp_jwt_t *self = *self_p;
        free (self->audience);
        free (self->issuer);
        EVP_PKEY_free (self->key);
        free (self);
        *self_p = NULL;
    }
}


//  --------------------------------------------------------------------------
//  Claims helpers

//  A JSON number or a decimal string as an int64. Returns 0 or -1.
static int
s_json_int (const json_t *value, int64_t *out)
{
    if (json_is_integer (value)) {
        *out = (int64_t) json_integer_value (value);
        return 0;
    }
    if (json_is_string (value)) {
        const char *s = json_string_value (value);
        if (!*s || strlen (s) != json_string_length (value))
            return -1;
        char *end;
        errno = 0;
        long long v = strtoll (s, &end, 10);
        if (errno || *end || !(isdigit ((unsigned char) *s) || *s == '-'))
            return -1;
        *out = v;
        return 0;
    }
    return -1;
}

//  "1-3" into ids (a list: 1 and 3). Returns the count, or -1 when the
//  text is not '-'-separated decimal ids.
static long
s_base_list_parse (const char *text, size_t len, int64_t *ids, size_t max)
{
    size_t count = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        int64_t v = 0;
        while (i < len && isdigit ((unsigned char) text [i])) {
            if (v > (INT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (text [i] - '0');
            i++;
        }
        if (i == start || count == max)
            return -1;
        ids [count++] = v;
        if (i < len) {
            if (text [i] != '-' || i + 1 == len)
                return -1;
            i++;
        }
    }
    return count ? (long) count : -1;
}

//  One permission name being collected, with its base ids.
typedef struct {
    char *name;
    int64_t *ids;
    size_t n_ids;
    size_t max_ids;
} s_perm_t;

typedef struct {
    s_perm_t *items;
    size_t count;
} s_perms_t;

static void
s_perms_destroy (s_perms_t *perms)
{
    for (size_t i = 0; i < perms->count; i++) {
        free (perms->items [i].name);
        free (perms->items [i].ids);
    }
    free (perms->items);
    perms->items = NULL;
    perms->count = 0;
}

//  Add ids to the permission called name (name_len bytes). Returns 0, or -1
//  when there are too many names or ids.
static int
s_perms_add (s_perms_t *perms, const char *name, size_t name_len,
             const int64_t *ids, size_t n_ids)
{
    s_perm_t *perm = NULL;
    for (size_t i = 0; i < perms->count; i++)
        if (strlen (perms->items [i].name) == name_len
        &&  memcmp (perms->items [i].name, name, name_len) == 0) {
            perm = &perms->items [i];
            break;
        }
    if (!perm) {
        if (perms->count == S_MAX_PERMISSIONS)
            return -1;
        if (!perms->items) {
            perms->items = (s_perm_t *) calloc (S_MAX_PERMISSIONS, sizeof (s_perm_t));
            if (!perms->items)
                dp_fatal ("dp_jwt: out of memory");
        }
        perm = &perms->items [perms->count++];
        perm->name = strndup (name, name_len);
        if (!perm->name)
            dp_fatal ("dp_jwt: out of memory");
    }
    if (perm->n_ids + n_ids > S_MAX_BASE_IDS)
        return -1;
    if (perm->n_ids + n_ids > perm->max_ids) {
        size_t max = perm->max_ids ? perm->max_ids * 2 : 8;
        while (max < perm->n_ids + n_ids)
            max *= 2;
        int64_t *grown = (int64_t *) realloc (perm->ids, max * sizeof (int64_t));
        if (!grown)
            dp_fatal ("dp_jwt: out of memory");
        perm->ids = grown;
        perm->max_ids = max;
    }
    if (n_ids)
        memcpy (perm->ids + perm->n_ids, ids, n_ids * sizeof (int64_t));
    perm->n_ids += n_ids;
    return 0;
}

static int
s_int64_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

static int
s_permission_compare (const void *a, const void *b)
{
    return strcmp (((const dp_permission_t *) a)->name, ((const dp_permission_t *) b)->name);
}

//  Missing custom claim: boxtribute's sentence for the claim's full name.
static int
s_missing_claim (dp_jwt_error_t *error, const char *name)
{
    char description [192];
    snprintf (description, sizeof description,
              "Missing custom claim '" DP_JWT_CLAIM_PREFIX "%s' in JWT. "
              "Please check the user's roles in Auth0.", name);
    return s_refuse (error, 401, "missing_claims", description, NULL);
}

static json_t *
s_custom_claim (json_t *payload, const char *name)
{
    char key [128];
    snprintf (key, sizeof key, DP_JWT_CLAIM_PREFIX "%s", name);
    return json_object_get (payload, key);
}

//  Read a JSON array of ints (or decimal strings) into ids. Returns the
//  count or -1.
static long
s_int_array (json_t *array, int64_t *ids, size_t max)
{
    if (!json_is_array (array) || json_array_size (array) > max)
        return -1;
    for (size_t i = 0; i < json_array_size (array); i++)
        if (s_json_int (json_array_get (array, i), &ids [i]))
            return -1;
    return (long) json_array_size (array);
}


//  --------------------------------------------------------------------------
//  Turn the custom claims into the identity. Returns 0 or -1 with error.

static int
s_identity_build (json_t *payload, dp_arena_t *arena, dp_identity_t *identity,
                  dp_jwt_error_t *error)
{
    json_t *permissions = s_custom_claim (payload, "permissions");
    json_t *roles = s_custom_claim (payload, "roles");
    json_t *base_ids = s_custom_claim (payload, "base_ids");
    json_t *organisation = s_custom_claim (payload, "organisation_id");
    json_t *beta = s_custom_claim (payload, "beta_user");
    json_t *sub = json_object_get (payload, "sub");
    if (!permissions)
        return s_missing_claim (error, "permissions");
    if (!roles)
        return s_missing_claim (error, "roles");
    if (!base_ids)
        return s_missing_claim (error, "base_ids");
    if (!organisation)
        return s_missing_claim (error, "organisation_id");
    if (!sub)
        return s_refuse (error, 401, "missing_claims", "Missing claim 'sub' in JWT.", NULL);

    //  sub: "auth0|8" is user 8.
    const char *sub_text = json_string_value (sub);
    if (strncmp (sub_text, "auth0|", 6) == 0)
        sub_text += 6;
    int64_t user_id;
    json_t *sub_number = json_string (sub_text);
    int rc = sub_number ? s_json_int (sub_number, &user_id) : -1;
    json_decref (sub_number);
    if (rc || user_id < 0)
        return s_invalid_claims (error, "Subject '%.100s' is not a user id.", json_string_value (sub));
    identity->user_id = user_id;

    //  roles: a list of strings; boxtribute_god makes a god user.
    if (!json_is_array (roles))
        return s_invalid_claims (error, "Claim 'roles' must be a list of strings.");
    bool god = false;
    for (size_t i = 0; i < json_array_size (roles); i++) {
        const char *role = json_string_value (json_array_get (roles, i));
        if (!role)
            return s_invalid_claims (error, "Claim 'roles' must be a list of strings.");
        if (strcmp (role, "boxtribute_god") == 0)
            god = true;
    }

    //  base_ids: the bases of unprefixed permissions.
    long n_claim_ids = -1;
    int64_t *claim_ids = NULL;
    if (json_is_array (base_ids) && json_array_size (base_ids) <= S_MAX_BASE_IDS) {
        claim_ids = (int64_t *) dp_arena_alloc (arena, json_array_size (base_ids) * sizeof (int64_t) + 1);
        n_claim_ids = s_int_array (base_ids, claim_ids, S_MAX_BASE_IDS);
    }
    if (n_claim_ids < 0)
        return s_invalid_claims (error, "Claim 'base_ids' must be a list of base ids.");
    identity->base_ids = claim_ids;
    identity->n_base_ids = (uint32_t) n_claim_ids;

    //  organisation_id: an int, or null.
    int64_t organisation_id = 0;
    if (!json_is_null (organisation) && s_json_int (organisation, &organisation_id))
        return s_invalid_claims (error, "Claim 'organisation_id' must be an integer.");

    //  beta_user: optional.
    identity->beta_user = -1;
    if (beta && !json_is_null (beta)) {
        int64_t level;
        if (s_json_int (beta, &level) || level < 0 || level > INT32_MAX)
            return s_invalid_claims (error, "Claim 'beta_user' must be an integer.");
        identity->beta_user = (int32_t) level;
    }

    //  permissions: ["*"] also means god, as boxtribute reads it.
    if (!json_is_array (permissions) || json_array_size (permissions) > S_MAX_PERMISSIONS)
        return s_invalid_claims (error, "Claim 'permissions' must be a list of at most %d strings.",
                                 S_MAX_PERMISSIONS);
    if (json_array_size (permissions) == 1
    &&  json_is_string (json_array_get (permissions, 0))
    &&  strcmp (json_string_value (json_array_get (permissions, 0)), "*") == 0)
        god = true;
    identity->god = god;
    identity->organisation_id = god ? 0 : organisation_id;

    s_perms_t perms = { NULL, 0 };
    int64_t ids [64];
    rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size (permissions); i++) {
        json_t *item = json_array_get (permissions, i);
        const char *raw = json_string_value (item);
        if (!raw || strlen (raw) != json_string_length (item)) {
            rc = s_invalid_claims (error, "Claim 'permissions' must be a list of strings.");
            break;
        }
        if (strcmp (raw, "*") == 0)
            continue;
        //  "base_1-3/stock:read", or "stock:read" for every base in base_ids.
        const char *name = raw;
        const int64_t *grant = claim_ids;
        size_t n_grant = (size_t) n_claim_ids;
        const char *slash = strchr (raw, '/');
        if (slash && !strchr (slash + 1, '/') && strncmp (raw, "base_", 5) == 0) {
            long n = s_base_list_parse (raw + 5, (size_t) (slash - raw - 5), ids, 64);
            if (n > 0) {
                name = slash + 1;
                grant = ids;
                n_grant = (size_t) n;
            }
        }
        const char *colon = strchr (name, ':');
        if (!colon || colon == name || !colon [1] || strchr (colon + 1, ':')) {
            rc = s_invalid_claims (error, "Permission '%.100s' is not of the form resource:method.", raw);
            break;
        }
        if (s_perms_add (&perms, name, strlen (name), grant, n_grant)) {
            rc = s_invalid_claims (error, "Too many permissions or base ids in the token.");
            break;
        }
        //  write, create, edit and delete imply read on the same resource.
        const char *method = colon + 1;
        if (strcmp (method, "write") == 0 || strcmp (method, "create") == 0
        ||  strcmp (method, "edit") == 0 || strcmp (method, "delete") == 0) {
            char read [256];
            int len = snprintf (read, sizeof read, "%.*s:read", (int) (colon - name), name);
            if (len >= (int) sizeof read
            ||  s_perms_add (&perms, read, (size_t) len, grant, n_grant)) {
                rc = s_invalid_claims (error, "Too many permissions or base ids in the token.");
                break;
            }
        }
    }
    if (rc == 0) {
        //  Copy into the arena: ids sorted and unique, names sorted.
        identity->permissions = (dp_permission_t *) dp_arena_calloc (
            arena, perms.count ? perms.count : 1, sizeof (dp_permission_t));
        identity->n_permissions = (uint32_t) perms.count;
        for (size_t i = 0; i < perms.count; i++) {
            s_perm_t *perm = &perms.items [i];
            if (perm->n_ids)
                qsort (perm->ids, perm->n_ids, sizeof (int64_t), s_int64_compare);
            size_t unique = 0;
            for (size_t j = 0; j < perm->n_ids; j++)
                if (unique == 0 || perm->ids [unique - 1] != perm->ids [j])
                    perm->ids [unique++] = perm->ids [j];
            dp_permission_t *out = &identity->permissions [i];
            out->name = dp_arena_strdup (arena, perm->name);
            out->base_ids = (int64_t *) dp_arena_alloc (arena, unique * sizeof (int64_t) + 1);
            if (unique)
                memcpy (out->base_ids, perm->ids, unique * sizeof (int64_t));
            out->n_base_ids = (uint32_t) unique;
        }
        if (perms.count > 1)
            qsort (identity->permissions, perms.count, sizeof (dp_permission_t),
                   s_permission_compare);
    }
    s_perms_destroy (&perms);
    return rc;
}


//  --------------------------------------------------------------------------
//  Standard claims, in python-jose's order: iat, nbf, exp, aud, iss, sub.

static int
s_claims_check (dp_jwt_t *self, json_t *payload, int64_t now, dp_jwt_error_t *error)
{
    json_t *iat = json_object_get (payload, "iat");
    json_t *nbf = json_object_get (payload, "nbf");
    json_t *exp = json_object_get (payload, "exp");
    json_t *aud = json_object_get (payload, "aud");
    json_t *iss = json_object_get (payload, "iss");
    json_t *sub = json_object_get (payload, "sub");

    if (!exp)
        return s_invalid_header (error, "missing required key \"exp\" among claims");
    if (iat && !json_is_number (iat))
        return s_invalid_claims (error, "Issued At claim (iat) must be an integer.");
    if (nbf) {
        if (!json_is_number (nbf))
            return s_invalid_claims (error, "Not Before claim (nbf) must be an integer.");
        if (json_number_value (nbf) > (double) (now + self->leeway_s))
            return s_invalid_claims (error, "The token is not yet valid (nbf)");
    }
    if (!json_is_number (exp))
        return s_invalid_claims (error, "Expiration Time claim (exp) must be an integer.");
    if (json_number_value (exp) < (double) (now - self->leeway_s))
        return s_refuse (error, 401, "token_expired", S_DESC_EXPIRED, NULL);

    bool aud_ok = false;
    if (json_is_string (aud))
        aud_ok = strcmp (json_string_value (aud), self->audience) == 0;
    else
    if (json_is_array (aud)) {
        for (size_t i = 0; i < json_array_size (aud); i++) {
            const char *item = json_string_value (json_array_get (aud, i));
            if (!item)
                return s_invalid_claims (error, "Invalid claim format in token");
            if (strcmp (item, self->audience) == 0)
                aud_ok = true;
        }
    }
    if (!aud_ok)
        return s_invalid_claims (error, "Invalid audience");
    if (!json_is_string (iss) || strcmp (json_string_value (iss), self->issuer) != 0)
        return s_invalid_claims (error, "Invalid issuer");
    if (sub && !json_is_string (sub))
        return s_invalid_claims (error, "Subject must be a string.");
    return 0;
}


//  --------------------------------------------------------------------------
//  Verify one token.

static int
s_verify (dp_jwt_t *self, const char *token, size_t len, int64_t now,
          dp_arena_t *arena, dp_identity_t *identity, int64_t *refused_after, dp_jwt_error_t *error)
{
    assert (self);
    assert (arena);
    assert (identity);
    assert (error);
    memset (identity, 0, sizeof *identity);
    identity->beta_user = -1;
    memset (error, 0, sizeof *error);

    if (!token || len == 0 || len > DP_JWT_MAX_TOKEN)
        return s_invalid_header (error, "Token is empty or too long.");
    const char *dot1 = (const char *) memchr (token, '.', len);
    const char *dot2 = dot1 ? (const char *) memchr (dot1 + 1, '.', (size_t) (token + len - dot1 - 1)) : NULL;
    if (!dot2 || memchr (dot2 + 1, '.', (size_t) (token + len - dot2 - 1)))
        return s_invalid_header (error, "Not enough segments");

    //  Header: only RS256.
    size_t size;
    unsigned char *text = s_segment_decode (token, (size_t) (dot1 - token), &size);
    if (!text)
        return s_invalid_header (error, "Invalid header padding");
    json_t *header = json_loadb ((const char *) text, size, 0, NULL);
    free (text);
    if (!json_is_object (header)) {
        json_decref (header);
        return s_invalid_header (error, "Invalid header string");
    }
    const char *alg = json_string_value (json_object_get (header, "alg"));
    bool rs256 = alg && strcmp (alg, "RS256") == 0;
    json_decref (header);
    if (!rs256)
        return s_invalid_header (error, "The specified alg value is not allowed");

    //  Signature over "header.payload".
    const char *sig_text = dot2 + 1;
    size_t sig_text_len = (size_t) (token + len - sig_text);
    if (sig_text_len > S_MAX_SIGNATURE * 4 / 3 + 4)
        return s_invalid_header (error, "Signature verification failed.");
    unsigned char *signature = s_segment_decode (sig_text, sig_text_len, &size);
    if (!signature)
        return s_invalid_header (error, "Invalid crypto padding");
    EVP_MD_CTX *md = EVP_MD_CTX_new ();
    if (!md)
        dp_fatal ("dp_jwt: out of memory");
    int verified = EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, self->key) == 1
                && EVP_DigestVerify (md, signature, size,
                                     (const unsigned char *) token, (size_t) (dot2 - token)) == 1;
    EVP_MD_CTX_free (md);
    free (signature);
    ERR_clear_error ();
    if (!verified)
        return s_invalid_header (error, "Signature verification failed.");

    //  Payload.
    text = s_segment_decode (dot1 + 1, (size_t) (dot2 - dot1 - 1), &size);
    if (!text)
        return s_invalid_header (error, "Invalid payload padding");
    json_t *payload = json_loadb ((const char *) text, size, 0, NULL);
    free (text);
    if (!json_is_object (payload)) {
        json_decref (payload);
        return s_invalid_header (error, "Invalid payload string: must be a json object");
    }
    int rc = s_claims_check (self, payload, now, error);
    if (rc == 0)
        rc = s_identity_build (payload, arena, identity, error);
    if (rc == 0 && refused_after)   //  exp is a number: s_claims_check saw to it
        *refused_after = (int64_t) json_number_value (json_object_get (payload, "exp"))
                       + self->leeway_s;
    json_decref (payload);
    if (rc)
        memset (identity, 0, sizeof *identity);
    return rc;
}


int
dp_jwt_verify (dp_jwt_t *self, const char *token, size_t len, int64_t now,
               dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error)
{
    return s_verify (self, token, len, now, arena, identity, NULL, error);
}

int
dp_jwt_verify_until (dp_jwt_t *self, const char *token, size_t len, int64_t now,
                     dp_arena_t *arena, dp_identity_t *identity, int64_t *refused_after,
                     dp_jwt_error_t *error)
{
    assert (refused_after);
    return s_verify (self, token, len, now, arena, identity, refused_after, error);
}


//  --------------------------------------------------------------------------
//  Verify an Authorization header value.

int
dp_jwt_verify_header (dp_jwt_t *self, const char *authorization, int64_t now,
                      dp_arena_t *arena, dp_identity_t *identity, dp_jwt_error_t *error)
{
    return dp_jwt_verify_header_until (self, authorization, now, arena, identity, NULL, error);
}

int
dp_jwt_verify_header_until (dp_jwt_t *self, const char *authorization, int64_t now,
                            dp_arena_t *arena, dp_identity_t *identity, int64_t *refused_after,
                            dp_jwt_error_t *error)
{
    assert (identity);
    assert (error);
    memset (identity, 0, sizeof *identity);
    identity->beta_user = -1;
    memset (error, 0, sizeof *error);

    //  Split on whitespace, as Python's str.split() does.
    const char *parts [3] = { NULL, NULL, NULL };
    size_t lens [3] = { 0, 0, 0 };
    size_t n_parts = 0;
    const char *p = authorization ? authorization : "";
    while (*p) {
        while (*p && isspace ((unsigned char) *p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !isspace ((unsigned char) *p))
            p++;
        if (n_parts < 3) {
            parts [n_parts] = start;
            lens [n_parts] = (size_t) (p - start);
        }
        n_parts++;
    }
    if (n_parts == 0)
        return s_refuse (error, 401, "authorization_header_missing", S_DESC_MISSING, NULL);
    if (lens [0] != 6 || strncasecmp (parts [0], "bearer", 6) != 0)
        return s_refuse (error, 401, "invalid_header", S_DESC_NOT_BEARER, NULL);
    if (n_parts == 1)
        return s_refuse (error, 401, "invalid_header", S_DESC_NO_TOKEN, NULL);
    if (n_parts > 2)
        return s_refuse (error, 401, "invalid_header", S_DESC_NOT_ONE, NULL);
    return s_verify (self, parts [1], lens [1], now, arena, identity, refused_after, error);
}


//  --------------------------------------------------------------------------
//  Look up a permission by name (permissions are sorted by name).

const dp_permission_t *
dp_jwt_identity_permission (const dp_identity_t *identity, const char *name)
{
    assert (identity);
    assert (name);
    size_t low = 0, high = identity->n_permissions;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int cmp = strcmp (identity->permissions [mid].name, name);
        if (cmp == 0)
            return &identity->permissions [mid];
        if (cmp < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return NULL;
}


//  --------------------------------------------------------------------------
//  Mint a token.

char *
dp_jwt_sign (const char *alg, const void *key, size_t key_len,
             const char *payload_json, char *err, size_t err_len)
{
    assert (alg);
    assert (payload_json);
    assert (err);
    const EVP_MD *digest = NULL;
    bool hmac = false;
    if (strcmp (alg, "RS256") == 0)
        digest = EVP_sha256 ();
    else
    if (strcmp (alg, "RS512") == 0)
        digest = EVP_sha512 ();
    else
    if (strcmp (alg, "HS256") == 0)
        hmac = true;
    else
    if (strcmp (alg, "none") != 0) {
        snprintf (err, err_len, "unsupported alg '%s' (RS256, RS512, HS256, none)", alg);
        return NULL;
    }
    if ((digest || hmac) && !key) {
        snprintf (err, err_len, "alg %s needs a key", alg);
        return NULL;
    }
    char header [96];
    snprintf (header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    char *h64 = dp_jwt_base64url_encode (header, strlen (header));
    char *p64 = dp_jwt_base64url_encode (payload_json, strlen (payload_json));
    size_t input_len = strlen (h64) + 1 + strlen (p64);
    char *input = (char *) malloc (input_len + 1);
    if (!input)
        dp_fatal ("dp_jwt: out of memory");
    snprintf (input, input_len + 1, "%s.%s", h64, p64);
    free (h64);
    free (p64);

    unsigned char *signature = NULL;
    size_t sig_len = 0;
    if (digest) {
        BIO *bio = BIO_new_mem_buf (key, key_len ? (int) key_len : -1);
        EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL) : NULL;
        BIO_free (bio);
        EVP_MD_CTX *md = EVP_MD_CTX_new ();
        bool ok = pkey && md
               && EVP_DigestSignInit (md, NULL, digest, NULL, pkey) == 1
               && EVP_DigestSign (md, NULL, &sig_len, (unsigned char *) input, input_len) == 1;
        if (ok) {
            signature = (unsigned char *) malloc (sig_len);
            ok = signature
              && EVP_DigestSign (md, signature, &sig_len, (unsigned char *) input, input_len) == 1;
        }
        EVP_MD_CTX_free (md);
        EVP_PKEY_free (pkey);
        ERR_clear_error ();
        if (!ok) {
            snprintf (err, err_len, "cannot sign with the key: %s",
                      pkey ? "signing failed" : "not a PEM private key");
            free (signature);
            free (input);
            return NULL;
        }
    }
    else
    if (hmac) {
        signature = (unsigned char *) malloc (EVP_MAX_MD_SIZE);
        unsigned int out_len = 0;
        if (!signature
        ||  !HMAC (EVP_sha256 (), key, (int) key_len, (unsigned char *) input, input_len,
                   signature, &out_len)) {
            snprintf (err, err_len, "HMAC failed");
            free (signature);
            free (input);
            return NULL;
        }
        sig_len = out_len;
    }
    char *s64 = dp_jwt_base64url_encode (signature ? signature : (unsigned char *) "", sig_len);
    size_t token_len = input_len + 1 + strlen (s64);
    char *token = (char *) malloc (token_len + 1);
    if (!token)
        dp_fatal ("dp_jwt: out of memory");
    snprintf (token, token_len + 1, "%s.%s", input, s64);
    free (s64);
    free (signature);
    free (input);
    return token;
}


//  --------------------------------------------------------------------------
//  Selftest

#define S_ISSUER    "https://depot-test.eu.auth0.com/"
#define S_AUDIENCE  "boxtribute-dev-api"

typedef struct {
    char *public_pem;
    char *private_pem;
} s_keypair_t;

static void
s_keypair_new (s_keypair_t *pair)
{
    EVP_PKEY *key = EVP_RSA_gen (2048);
    assert (key);
    BIO *bio = BIO_new (BIO_s_mem ());
    assert (PEM_write_bio_PUBKEY (bio, key) == 1);
    char *data;
    long n = BIO_get_mem_data (bio, &data);
    pair->public_pem = strndup (data, (size_t) n);
    BIO_free (bio);
    bio = BIO_new (BIO_s_mem ());
    assert (PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) == 1);
    n = BIO_get_mem_data (bio, &data);
    pair->private_pem = strndup (data, (size_t) n);
    BIO_free (bio);
    EVP_PKEY_free (key);
}

static void
s_keypair_destroy (s_keypair_t *pair)
{
    free (pair->public_pem);
    free (pair->private_pem);
}

//  The same public key as a PKCS#1 "RSA PUBLIC KEY" PEM, and wrapped in a
//  self-signed certificate. Caller frees both.
static void
s_key_variants (const char *private_pem, char **pkcs1_pem, char **cert_pem)
{
    BIO *bio = BIO_new_mem_buf (private_pem, -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
    BIO_free (bio);
    assert (key);

    OSSL_ENCODER_CTX *encoder = OSSL_ENCODER_CTX_new_for_pkey (
        key, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
    assert (encoder);
    unsigned char *data = NULL;
    size_t size = 0;
    assert (OSSL_ENCODER_to_data (encoder, &data, &size) == 1);
    *pkcs1_pem = strndup ((char *) data, size);
    OPENSSL_free (data);
    OSSL_ENCODER_CTX_free (encoder);
    assert (strstr (*pkcs1_pem, "BEGIN RSA PUBLIC KEY"));

    X509 *cert = X509_new ();
    assert (cert);
    ASN1_INTEGER_set (X509_get_serialNumber (cert), 1);
    X509_gmtime_adj (X509_getm_notBefore (cert), 0);
    X509_gmtime_adj (X509_getm_notAfter (cert), 3600);
    X509_set_pubkey (cert, key);
    X509_NAME *name = X509_get_subject_name (cert);
    X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *) "depot-test", -1, -1, 0);
    X509_set_issuer_name (cert, name);
    assert (X509_sign (cert, key, EVP_sha256 ()) > 0);
    bio = BIO_new (BIO_s_mem ());
    assert (PEM_write_bio_X509 (bio, cert) == 1);
    char *text;
    long n = BIO_get_mem_data (bio, &text);
    *cert_pem = strndup (text, (size_t) n);
    BIO_free (bio);
    X509_free (cert);
    EVP_PKEY_free (key);
}

//  A boxtribute payload; extra is spliced in before the closing brace
//  (e.g. ",\"nbf\":1"), and what is named in omit is left out.
static char *
s_payload (int64_t exp, const char *aud, const char *iss, const char *permissions,
           const char *omit, const char *extra)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert (out);
    fprintf (out, "{\"sub\":\"auth0|8\"");
    if (!omit || !strstr (omit, "exp"))
        fprintf (out, ",\"exp\":%" PRId64, exp);
    fprintf (out, ",\"iat\":%" PRId64, exp - 3600);
    if (aud)
        fprintf (out, ",\"aud\":%s", aud);
    if (iss)
        fprintf (out, ",\"iss\":\"%s\"", iss);
    if (!omit || !strstr (omit, "organisation_id"))
        fprintf (out, ",\"" DP_JWT_CLAIM_PREFIX "organisation_id\":1");
    if (!omit || !strstr (omit, "base_ids"))
        fprintf (out, ",\"" DP_JWT_CLAIM_PREFIX "base_ids\":[1,4]");
    if (!omit || !strstr (omit, "roles"))
        fprintf (out, ",\"" DP_JWT_CLAIM_PREFIX "roles\":[\"base_1_coordinator\"]");
    if (!omit || !strstr (omit, "permissions"))
        fprintf (out, ",\"" DP_JWT_CLAIM_PREFIX "permissions\":%s", permissions);
    fprintf (out, ",\"" DP_JWT_CLAIM_PREFIX "beta_user\":99%s}", extra ? extra : "");
    fclose (out);
    return text;
}

//  Sign payload with alg and key, verify it at now, and return the rc;
//  *error and *identity are filled as dp_jwt_verify fills them.
static int
s_try (dp_jwt_t *jwt, dp_arena_t *arena, const char *alg, const char *key, size_t key_len,
       char *payload, int64_t now, dp_identity_t *identity, dp_jwt_error_t *error)
{
    char err [256];
    char *token = dp_jwt_sign (alg, key, key_len, payload, err, sizeof err);
    assert (token);
    free (payload);
    int rc = dp_jwt_verify (jwt, token, strlen (token), now, arena, identity, error);
    free (token);
    return rc;
}

static void
s_assert_code (int rc, const dp_jwt_error_t *error, const char *code)
{
    if (rc != -1 || strcmp (error->code, code) != 0) {
        fprintf (stderr, "expected %s, got rc=%d code=%s (%s / %s)\n",
                 code, rc, error->code, error->description, error->message);
        assert (false);
    }
    assert (error->status == 401);
    assert (*error->description);
}

static const dp_permission_t *
s_perm (const dp_identity_t *identity, const char *name, size_t n_ids)
{
    const dp_permission_t *perm = dp_jwt_identity_permission (identity, name);
    if (!perm || perm->n_base_ids != n_ids) {
        fprintf (stderr, "permission %s: %s, %u ids, expected %zu\n", name,
                 perm ? "present" : "absent", perm ? perm->n_base_ids : 0, n_ids);
        assert (false);
    }
    return perm;
}

void
dp_jwt_test (bool verbose)
{
    printf (" * dp_jwt: ");
    char err [256];
    s_keypair_t right, wrong;
    s_keypair_new (&right);
    s_keypair_new (&wrong);
    const char *key = right.private_pem;
    size_t key_len = strlen (key);
    dp_arena_t *arena = dp_arena_new (0);
    dp_identity_t identity;
    dp_jwt_error_t error;
    int64_t now = (int64_t) time (NULL);
    const char *aud = "\"" S_AUDIENCE "\"";
    const char *perms = "[\"base_1/stock:write\",\"base_1-3/product:read\",\"base_2/product:read\","
                        "\"beneficiary:edit\",\"base_7/shipment:delete\",\"base_7/qr:create\","
                        "\"base_1/tag_relation:assign\"]";

    //  Configuration errors are values, never aborts.
    assert (dp_jwt_new ("not a key", S_ISSUER, S_AUDIENCE, 5, err, sizeof err) == NULL);
    assert (*err);
    assert (dp_jwt_new (right.public_pem, "", S_AUDIENCE, 5, err, sizeof err) == NULL);
    assert (dp_jwt_new (right.public_pem, S_ISSUER, S_AUDIENCE, 31, err, sizeof err) == NULL);
    {
        //  An EC key cannot verify RS256.
        EVP_PKEY *ec = EVP_EC_gen ("P-256");
        assert (ec);
        BIO *bio = BIO_new (BIO_s_mem ());
        PEM_write_bio_PUBKEY (bio, ec);
        char *data;
        long n = BIO_get_mem_data (bio, &data);
        char *pem = strndup (data, (size_t) n);
        BIO_free (bio);
        EVP_PKEY_free (ec);
        assert (dp_jwt_new (pem, S_ISSUER, S_AUDIENCE, 5, err, sizeof err) == NULL);
        assert (strstr (err, "RSA"));
        free (pem);
    }

    dp_jwt_t *jwt = dp_jwt_new (right.public_pem, S_ISSUER, S_AUDIENCE, 5, err, sizeof err);
    assert (jwt);

    //  A valid token gives every identity field.
    int rc = s_try (jwt, arena, "RS256", key, key_len,
                    s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    assert (rc == 0);
    assert (identity.user_id == 8);
    assert (identity.organisation_id == 1);
    assert (!identity.god);
    assert (identity.beta_user == 99);
    assert (identity.n_base_ids == 2 && identity.base_ids [0] == 1 && identity.base_ids [1] == 4);
    //  stock:write implies stock:read on the same base.
    assert (s_perm (&identity, "stock:write", 1)->base_ids [0] == 1);
    assert (s_perm (&identity, "stock:read", 1)->base_ids [0] == 1);
    //  "base_1-3" is the list 1 and 3, not the range 1..3; base_2 is merged in.
    const dp_permission_t *perm = s_perm (&identity, "product:read", 3);
    assert (perm->base_ids [0] == 1 && perm->base_ids [1] == 2 && perm->base_ids [2] == 3);
    //  Unprefixed permissions take the base_ids claim; edit implies read.
    perm = s_perm (&identity, "beneficiary:edit", 2);
    assert (perm->base_ids [0] == 1 && perm->base_ids [1] == 4);
    perm = s_perm (&identity, "beneficiary:read", 2);
    assert (perm->base_ids [0] == 1 && perm->base_ids [1] == 4);
    //  delete and create imply read too; assign does not.
    assert (s_perm (&identity, "shipment:read", 1)->base_ids [0] == 7);
    assert (s_perm (&identity, "qr:read", 1)->base_ids [0] == 7);
    s_perm (&identity, "tag_relation:assign", 1);
    assert (dp_jwt_identity_permission (&identity, "tag_relation:read") == NULL);
    assert (dp_jwt_identity_permission (&identity, "stock") == NULL);
    assert (identity.n_permissions == 10);
    //  Sorted by name.
    for (uint32_t i = 1; i < identity.n_permissions; i++)
        assert (strcmp (identity.permissions [i - 1].name, identity.permissions [i].name) < 0);

    //  An audience list that contains ours is fine.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, "[\"other\",\"" S_AUDIENCE "\"]", S_ISSUER, "[]", NULL, NULL),
                now, &identity, &error);
    assert (rc == 0 && identity.n_permissions == 0);

    //  Expired, beyond the leeway; inside it is still fine.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now - 6, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "token_expired");
    assert (strcmp (error.description, "token is expired") == 0);
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now - 4, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    assert (rc == 0);
    //  Expiry is checked before the audience, as python-jose does.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now - 60, "\"other\"", S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "token_expired");
    //  Wrong, missing or malformed audience; wrong or missing issuer.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, "\"other\"", S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    assert (strcmp (error.description, "incorrect claims, please check the audience and issuer") == 0);
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, NULL, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, "[1]", S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, "https://evil.example/", perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, NULL, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    //  exp is required; exp and nbf must be numbers; nbf in the future.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, perms, "exp", NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, perms, "exp", ",\"exp\":\"soon\""), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, ",\"nbf\":9999999999"), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");

    //  A token signed with another key.
    rc = s_try (jwt, arena, "RS256", wrong.private_pem, strlen (wrong.private_pem),
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    assert (strcmp (error.description, "Unable to parse authentication token.") == 0);
    //  alg none, HS256 keyed with the public key PEM (the classic confusion
    //  attack), HS256 with any secret, and RS512 with the right key.
    rc = s_try (jwt, arena, "none", NULL, 0,
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    rc = s_try (jwt, arena, "HS256", right.public_pem, strlen (right.public_pem),
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    rc = s_try (jwt, arena, "HS256", "secret", 6,
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    rc = s_try (jwt, arena, "RS512", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    assert (strstr (error.message, "alg"));

    //  Every truncation of a valid token is refused as invalid_header, and
    //  so is a payload swapped under a valid signature.
    char *payload = s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL);
    char *token = dp_jwt_sign ("RS256", key, key_len, payload, err, sizeof err);
    free (payload);
    assert (token);
    size_t token_len = strlen (token);
    assert (dp_jwt_verify (jwt, token, token_len, now, arena, &identity, &error) == 0);
    //  The second it is refused from: exp plus the leeway, as verifying then shows.
    int64_t refused_after = 0;
    assert (dp_jwt_verify_until (jwt, token, token_len, now, arena, &identity, &refused_after,
                                 &error) == 0);
    int64_t leeway = refused_after - (now + 600);
    assert (leeway >= 0 && leeway <= 30);
    assert (dp_jwt_verify (jwt, token, token_len, refused_after, arena, &identity, &error) == 0);
    rc = dp_jwt_verify (jwt, token, token_len, refused_after + 1, arena, &identity, &error);
    s_assert_code (rc, &error, "token_expired");
    for (size_t len = 0; len < token_len; len++) {
        rc = dp_jwt_verify (jwt, token, len, now, arena, &identity, &error);
        s_assert_code (rc, &error, "invalid_header");
        assert (identity.n_permissions == 0 && identity.user_id == 0);
    }
    {
        char *god = s_payload (now + 600, aud, S_ISSUER, "[\"*\"]", NULL, NULL);
        char *p64 = dp_jwt_base64url_encode (god, strlen (god));
        free (god);
        char *dot1 = strchr (token, '.');
        char *dot2 = strchr (dot1 + 1, '.');
        char forged [8192];
        snprintf (forged, sizeof forged, "%.*s.%s%s", (int) (dot1 - token), token, p64, dot2);
        free (p64);
        rc = dp_jwt_verify (jwt, forged, strlen (forged), now, arena, &identity, &error);
        s_assert_code (rc, &error, "invalid_header");
        assert (!identity.god);
        //  Bad base64 in each segment.
        for (int segment = 0; segment < 3; segment++) {
            snprintf (forged, sizeof forged, "%s", token);
            char *at = segment == 0 ? forged + 2 : segment == 1 ? strchr (forged, '.') + 2
                                                               : strrchr (forged, '.') + 2;
            *at = '*';
            rc = dp_jwt_verify (jwt, forged, strlen (forged), now, arena, &identity, &error);
            s_assert_code (rc, &error, "invalid_header");
        }
    }
    //  Garbage.
    const char *garbage [] = { "abc", "a.b.c", "..", "a.b.c.d", "e30.e30.", "e30.e30.e30", "...." };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage [0]; i++) {
        rc = dp_jwt_verify (jwt, garbage [i], strlen (garbage [i]), now, arena, &identity, &error);
        s_assert_code (rc, &error, "invalid_header");
    }

    //  The Authorization header forms, as boxtribute answers them.
    rc = dp_jwt_verify_header (jwt, NULL, now, arena, &identity, &error);
    s_assert_code (rc, &error, "authorization_header_missing");
    assert (strcmp (error.description, "Authorization header is expected") == 0);
    rc = dp_jwt_verify_header (jwt, "   ", now, arena, &identity, &error);
    s_assert_code (rc, &error, "authorization_header_missing");
    rc = dp_jwt_verify_header (jwt, "Basic dXNlcjpwYXNz", now, arena, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    assert (strcmp (error.description, "Authorization header must start with Bearer") == 0);
    rc = dp_jwt_verify_header (jwt, "Bearer", now, arena, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    assert (strcmp (error.description, "Token not found") == 0);
    rc = dp_jwt_verify_header (jwt, "Bearer a b", now, arena, &identity, &error);
    s_assert_code (rc, &error, "invalid_header");
    assert (strcmp (error.description, "Authorization header must be Bearer token") == 0);
    char header [8192];
    snprintf (header, sizeof header, "bearer  %s ", token);
    assert (dp_jwt_verify_header (jwt, header, now, arena, &identity, &error) == 0);
    assert (identity.user_id == 8);
    free (token);

    //  Missing custom claims, each named in the description.
    const char *claims [] = { "permissions", "roles", "base_ids", "organisation_id" };
    for (size_t i = 0; i < 4; i++) {
        rc = s_try (jwt, arena, "RS256", key, key_len,
                    s_payload (now + 600, aud, S_ISSUER, perms, claims [i], NULL), now, &identity, &error);
        s_assert_code (rc, &error, "missing_claims");
        assert (strstr (error.description, claims [i]));
        assert (strstr (error.description, DP_JWT_CLAIM_PREFIX));
    }
    //  Malformed claims.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, "[\"stockread\"]", NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, "\"stock:read\"", NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, "[3]", NULL, NULL), now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    //  A sub that is not a user id.
    payload = s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL);
    memcpy (strstr (payload, "auth0|8"), "auth0|x", 7);
    rc = s_try (jwt, arena, "RS256", key, key_len, payload, now, &identity, &error);
    s_assert_code (rc, &error, "invalid_claims");
    //  A prefix that is not a base list makes the string one unprefixed name;
    //  base ids given as strings are read as numbers.
    rc = s_try (jwt, arena, "RS256", key, key_len,
                s_payload (now + 600, aud, S_ISSUER, "[\"base_x/stock:read\"]", "base_ids",
                           ",\"" DP_JWT_CLAIM_PREFIX "base_ids\":[\"5\"]"), now, &identity, &error);
    assert (rc == 0);
    assert (s_perm (&identity, "base_x/stock:read", 1)->base_ids [0] == 5);

    //  God: by role, or by permissions ["*"]; organisation_id becomes 0.
    payload = s_payload (now + 600, aud, S_ISSUER, "[\"*\"]", NULL, NULL);
    rc = s_try (jwt, arena, "RS256", key, key_len, payload, now, &identity, &error);
    assert (rc == 0 && identity.god && identity.organisation_id == 0 && identity.n_permissions == 0);
    payload = s_payload (now + 600, aud, S_ISSUER, "[]", "roles",
                         ",\"" DP_JWT_CLAIM_PREFIX "roles\":[\"boxtribute_god\"]");
    rc = s_try (jwt, arena, "RS256", key, key_len, payload, now, &identity, &error);
    assert (rc == 0 && identity.god && identity.organisation_id == 0);
    //  beta_user is optional.
    payload = s_payload (now + 600, aud, S_ISSUER, "[]", NULL, NULL);
    char *beta = strstr (payload, ",\"" DP_JWT_CLAIM_PREFIX "beta_user\"");
    strcpy (beta, "}");
    rc = s_try (jwt, arena, "RS256", key, key_len, payload, now, &identity, &error);
    assert (rc == 0 && identity.beta_user == -1);

    //  The same key as PKCS#1, as a certificate, and squeezed into one line.
    char *pkcs1, *cert;
    s_key_variants (key, &pkcs1, &cert);
    char *one_line = (char *) calloc (1, strlen (right.public_pem) * 2 + 1);
    for (const char *p = right.public_pem; *p; p++)
        strcat (one_line, *p == '\n' ? "\\n" : (char [2]) { *p, 0 });
    const char *variants [] = { pkcs1, cert, one_line };
    for (size_t i = 0; i < 3; i++) {
        dp_jwt_t *other = dp_jwt_new (variants [i], S_ISSUER, S_AUDIENCE, 0, err, sizeof err);
        if (!other)
            fprintf (stderr, "variant %zu: %s\n", i, err);
        assert (other);
        rc = s_try (other, arena, "RS256", key, key_len,
                    s_payload (now + 600, aud, S_ISSUER, perms, NULL, NULL), now, &identity, &error);
        assert (rc == 0 && identity.user_id == 8);
        dp_jwt_destroy (&other);
    }
    free (pkcs1);
    free (cert);
    free (one_line);

    //  base64url round trip, including padding rules.
    unsigned char bytes [64], back [96];
    for (int i = 0; i < 64; i++)
        bytes [i] = (unsigned char) (i * 37 + 11);
    for (size_t n = 0; n <= 64; n++) {
        char *text = dp_jwt_base64url_encode (bytes, n);
        assert (!strchr (text, '=') && !strchr (text, '+') && !strchr (text, '/'));
        assert (dp_jwt_base64url_decode (text, strlen (text), back) == (long) n);
        assert (memcmp (bytes, back, n) == 0);
        free (text);
    }
    assert (dp_jwt_base64url_decode ("QQ==", 4, back) == 1 && back [0] == 'A');
    assert (dp_jwt_base64url_decode ("QQ=", 3, back) == -1);
    assert (dp_jwt_base64url_decode ("Q", 1, back) == -1);
    assert (dp_jwt_base64url_decode ("Q+Q=", 4, back) == -1);
    assert (dp_jwt_base64url_decode ("Q=Q=", 4, back) == -1);

    dp_jwt_destroy (&jwt);
    dp_jwt_destroy (&jwt);
    assert (jwt == NULL);
    dp_arena_destroy (&arena);
    s_keypair_destroy (&right);
    s_keypair_destroy (&wrong);
    if (verbose)
        printf ("(%zu-byte tokens) ", token_len);
    printf ("OK\n");
}
