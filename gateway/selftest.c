/*  =========================================================================
    selftest - runs one gateway selftest, or all of them

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot_gateway_selftest [name [depot-token path]]. The depot-token test
    runs the real binary and checks its tokens with dp_jwt.
@end
*/
#include "dp_jwt.h"
#include "dp_jwt_cache.h"
#include "dp_admission.h"
#include "dp_admission_limit.h"
#include "dp_broker.h"
#include "dp_broker_resolvers.h"
#include "dp_gateway.h"
#include "dp_gateway_config.h"
#include "dp_cors.h"
#include "dp_beta_level.h"
#include "dp_idempotency_key.h"
#include "dp_http_request.h"
#include "dp_metrics.h"
#include "dp_fleet.h"
#include "dp_persisted.h"
#include "dp_graphiql.h"
#include "dp_client_watch.h"
#include "dp_lingering_close.h"
#include "dp_log.h"
#include "dp_selftest.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define S_DOMAIN    "depot-token-test.eu.auth0.com"
#define S_AUDIENCE  "depot-token-test-api"

//  Run depot-token with args; returns its exit status, and its first
//  output line in out (possibly empty).
static int
s_run (const char *binary, const char *args, char *out, size_t out_len)
{
    char command [4096];
    snprintf (command, sizeof command, "'%s' %s 2>/dev/null", binary, args);
    FILE *pipe = popen (command, "r");
    assert (pipe);
    out [0] = 0;
    if (!fgets (out, (int) out_len, pipe))
        out [0] = 0;
    char rest [256];
    while (fgets (rest, sizeof rest, pipe))
        ;
    int status = pclose (pipe);
    out [strcspn (out, "\n")] = 0;
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

//  depot-token's output is accepted by dp_jwt with every claim as asked,
//  and its deliberately bad tokens are refused with the right code.
static void
s_token_test (const char *binary, bool verbose)
{
    printf (" * depot-token: ");
    EVP_PKEY *key = EVP_RSA_gen (2048);
    assert (key);
    char key_path [] = "/tmp/depot-token-test-XXXXXX";
    int fd = mkstemp (key_path);
    assert (fd >= 0);
    FILE *file = fdopen (fd, "w");
    PEM_write_PrivateKey (file, key, NULL, NULL, 0, NULL, NULL);
    fclose (file);
    BIO *bio = BIO_new (BIO_s_mem ());
    PEM_write_bio_PUBKEY (bio, key);
    char *data;
    long n = BIO_get_mem_data (bio, &data);
    char *public_pem = strndup (data, (size_t) n);
    BIO_free (bio);
    EVP_PKEY_free (key);

    char err [256];
    dp_jwt_t *jwt = dp_jwt_new (public_pem, "https://" S_DOMAIN "/", S_AUDIENCE, 0, err, sizeof err);
    assert (jwt);
    dp_arena_t *arena = dp_arena_new (0);
    dp_identity_t identity;
    dp_jwt_error_t error;
    char token [8192], args [2048];

    snprintf (args, sizeof args,
              "--key %s --sub 'auth0|42' --domain " S_DOMAIN " --audience " S_AUDIENCE
              " --ttl 600 --org 3 --base-ids 1,2 --roles base_1_coordinator"
              " --permissions 'base_1/stock:write, base_2-5/box_state:read,qr:create' --beta 4",
              key_path);
    assert (s_run (binary, args, token, sizeof token) == 0);
    int rc = dp_jwt_verify (jwt, token, strlen (token), (int64_t) time (NULL), arena, &identity, &error);
    if (rc)
        fprintf (stderr, "depot-token's token refused: %s %s %s\n", error.code,
                 error.description, error.message);
    assert (rc == 0);
    assert (identity.user_id == 42 && identity.organisation_id == 3 && !identity.god);
    assert (identity.beta_user == 4);
    assert (identity.n_base_ids == 2 && identity.base_ids [1] == 2);
    assert (dp_jwt_identity_permission (&identity, "stock:read")->base_ids [0] == 1);
    const dp_permission_t *perm = dp_jwt_identity_permission (&identity, "box_state:read");
    assert (perm && perm->n_base_ids == 2 && perm->base_ids [0] == 2 && perm->base_ids [1] == 5);
    perm = dp_jwt_identity_permission (&identity, "qr:read");
    assert (perm && perm->n_base_ids == 2 && perm->base_ids [0] == 1);
    //  It expires after the ttl.
    rc = dp_jwt_verify (jwt, token, strlen (token), (int64_t) time (NULL) + 700, arena, &identity, &error);
    assert (rc == -1 && streq (error.code, "token_expired"));

    //  Bad tokens on purpose.
    struct { const char *extra; const char *code; } bad [] = {
        { "--exp-offset -100", "token_expired" },
        { "--alg HS256 --secret s3cret", "invalid_header" },
        { "--alg none", "invalid_header" },
        { "--alg RS512", "invalid_header" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        snprintf (args, sizeof args, "--key %s --domain " S_DOMAIN " --audience " S_AUDIENCE " %s",
                  key_path, bad [i].extra);
        assert (s_run (binary, args, token, sizeof token) == 0);
        rc = dp_jwt_verify (jwt, token, strlen (token), (int64_t) time (NULL), arena, &identity, &error);
        assert (rc == -1 && streq (error.code, bad [i].code));
    }
    //  A god token: role boxtribute_god, organisation null.
    snprintf (args, sizeof args, "--key %s --domain " S_DOMAIN " --audience " S_AUDIENCE
              " --roles boxtribute_god --org null --permissions '*'", key_path);
    assert (s_run (binary, args, token, sizeof token) == 0);
    rc = dp_jwt_verify (jwt, token, strlen (token), (int64_t) time (NULL), arena, &identity, &error);
    assert (rc == 0 && identity.god && identity.organisation_id == 0);

    //  Usage errors and --help.
    assert (s_run (binary, "--help", token, sizeof token) == 0);
    assert (strstr (token, "usage"));
    assert (s_run (binary, "--domain x", token, sizeof token) == 2 && !*token);
    snprintf (args, sizeof args, "--key %s --domain d --audience a --ttl soon", key_path);
    assert (s_run (binary, args, token, sizeof token) == 2);
    assert (s_run (binary, "--key /nonexistent --domain d --audience a", token, sizeof token) == 1);

    dp_arena_destroy (&arena);
    dp_jwt_destroy (&jwt);
    free (public_pem);
    unlink (key_path);
    printf ("OK\n");
}

static const dp_selftest_t s_tests [] = {
    { "dp_jwt", dp_jwt_test },
    { "dp_jwt_cache", dp_jwt_cache_test },
    { "dp_http_request", dp_http_request_test },
    { "dp_metrics", dp_metrics_test },
    { "dp_fleet", dp_fleet_test },
    { "dp_persisted", dp_persisted_test },
    { "dp_graphiql", dp_graphiql_test },
    { "dp_client_watch", dp_client_watch_test },
    { "dp_lingering_close", dp_lingering_close_test },
    { "dp_broker_resolvers", dp_broker_resolvers_test },
    { "dp_admission_limit", dp_admission_limit_test },
    { "dp_admission", dp_admission_test },
    { "dp_broker", dp_broker_test },
    { "dp_gateway", dp_gateway_test },
    { "dp_gateway_config", dp_gateway_config_test },
    { "dp_cors", dp_cors_test },
    { "dp_beta_level", dp_beta_level_test },
    { "dp_idempotency_key", dp_idempotency_key_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = getenv ("DEPOT_TEST_VERBOSE") != NULL;
    dp_log_init ("gateway-test", verbose ? DP_LOG_DEBUG : DP_LOG_WARN);
    if (only && streq (only, "depot-token")) {
        if (argc < 3) {
            fprintf (stderr, "usage: %s depot-token PATH-TO-depot-token\n", argv [0]);
            return 2;
        }
        s_token_test (argv [2], verbose);
        return 0;
    }
    return dp_selftest_run (s_tests, sizeof s_tests / sizeof s_tests [0], only, verbose);
}
