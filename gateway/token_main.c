/*  =========================================================================
    depot-token - mints a boxtribute-style access token

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Writes one JWT to stdout: RS256-signed with a PEM private key, with the
    standard claims (sub, iss https://<domain>/, aud, iat, exp) and
    boxtribute's custom claims under https://www.boxtribute.com/. The run
    script uses it for the demo token; tests use --alg, --secret and
    --exp-offset to mint tokens the gateway must refuse.
@end
*/
#include "dp_jwt.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: depot-token --key FILE --domain D --audience A [options]\n"
        "Prints a signed access token with boxtribute's claims.\n"
        "  --key FILE            PEM private key (RS256/RS512), required unless --alg none\n"
        "                        or --alg HS256 with --secret\n"
        "  --domain D            issuer https://D/ (required)\n"
        "  --audience A          aud claim (required)\n"
        "  --sub S               subject (auth0|8)\n"
        "  --ttl SECONDS         lifetime (86400)\n"
        "  --exp-offset SECONDS  exp = now + SECONDS instead of now + ttl (negative: expired)\n"
        "  --org N               organisation_id (1); 'null' for none\n"
        "  --base-ids 1,2        base_ids claim (empty list when absent)\n"
        "  --roles r1,r2         roles claim (empty list when absent)\n"
        "  --permissions p1,p2   permissions claim, e.g. base_1/stock:read (empty when absent)\n"
        "  --beta N              beta_user claim (absent when not given)\n"
        "  --alg ALG             RS256 (default), RS512, HS256 or none: tests mint bad tokens\n"
        "  --secret S            HMAC secret for HS256 (default: the --key file's bytes)\n"
        "  --help                this text\n");
}

static int
s_parse_long (const char *name, const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long value = strtoll (text, &end, 10);
    if (errno || end == text || *end) {
        fprintf (stderr, "depot-token: %s must be an integer, not '%s'\n", name, text);
        return -1;
    }
    *out = value;
    return 0;
}

//  "a,b,c" as a JSON array of strings (as_ints: of integers). NULL on a
//  bad integer.
static json_t *
s_list (const char *name, const char *text, bool as_ints)
{
    json_t *list = json_array ();
    if (!text)
        return list;
    char *copy = strdup (text);
    char *save = NULL;
    for (char *item = strtok_r (copy, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *end = item + strlen (item);
        while (end > item && end [-1] == ' ')
            *--end = 0;
        if (!*item)
            continue;
        if (as_ints) {
            long long value;
            if (s_parse_long (name, item, &value)) {
                json_decref (list);
                free (copy);
                return NULL;
            }
            json_array_append_new (list, json_integer (value));
        }
        else
            json_array_append_new (list, json_string (item));
    }
    free (copy);
    return list;
}

static char *
s_read_file (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "depot-token: cannot open %s: %s\n", path, strerror (errno));
        return NULL;
    }
    fseek (file, 0, SEEK_END);
    long len = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = len >= 0 ? (char *) malloc ((size_t) len + 1) : NULL;
    if (!text || fread (text, 1, (size_t) len, file) != (size_t) len) {
        fprintf (stderr, "depot-token: cannot read %s\n", path);
        free (text);
        fclose (file);
        return NULL;
    }
    fclose (file);
    text [len] = 0;
    *size = (size_t) len;
    return text;
}

int
main (int argc, char *argv [])
{
    const char *key_path = NULL, *domain = NULL, *audience = NULL, *sub = "auth0|8";
    const char *ttl_text = "86400", *exp_offset_text = NULL, *org_text = "1";
    const char *base_ids_text = NULL, *roles_text = NULL, *permissions_text = NULL;
    const char *beta_text = NULL, *alg = "RS256", *secret = NULL;
    struct { const char *flag; const char **value; } options [] = {
        { "--key", &key_path }, { "--domain", &domain }, { "--audience", &audience },
        { "--sub", &sub }, { "--ttl", &ttl_text }, { "--exp-offset", &exp_offset_text },
        { "--org", &org_text }, { "--base-ids", &base_ids_text }, { "--roles", &roles_text },
        { "--permissions", &permissions_text }, { "--beta", &beta_text }, { "--alg", &alg },
        { "--secret", &secret },
    };
    for (int arg = 1; arg < argc; arg++) {
        if (strcmp (argv [arg], "--help") == 0 || strcmp (argv [arg], "-h") == 0) {
            s_usage (stdout);
            return 0;
        }
        bool known = false;
        for (size_t i = 0; i < sizeof options / sizeof options [0]; i++)
            if (strcmp (argv [arg], options [i].flag) == 0) {
                if (arg + 1 >= argc) {
                    fprintf (stderr, "depot-token: %s needs a value\n", argv [arg]);
                    return 2;
                }
                *options [i].value = argv [++arg];
                known = true;
            }
        if (!known) {
            fprintf (stderr, "depot-token: unknown option '%s'\n", argv [arg]);
            s_usage (stderr);
            return 2;
        }
    }
    bool needs_key = strcmp (alg, "none") != 0 && !(strcmp (alg, "HS256") == 0 && secret);
    if (!domain || !audience || (needs_key && !key_path)) {
        fprintf (stderr, "depot-token: --domain, --audience and --key are required\n");
        s_usage (stderr);
        return 2;
    }
    long long ttl, exp_offset = 0, org = 0, beta = 0;
    if (s_parse_long ("--ttl", ttl_text, &ttl)
    ||  (exp_offset_text && s_parse_long ("--exp-offset", exp_offset_text, &exp_offset))
    ||  (strcmp (org_text, "null") != 0 && s_parse_long ("--org", org_text, &org))
    ||  (beta_text && s_parse_long ("--beta", beta_text, &beta)))
        return 2;

    long long now = (long long) time (NULL);
    char issuer [512];
    snprintf (issuer, sizeof issuer, "https://%s/", domain);
    json_t *claims = json_pack ("{s:s,s:s,s:s,s:I,s:I}", "sub", sub, "iss", issuer,
                                "aud", audience, "iat", (json_int_t) now,
                                "exp", (json_int_t) (exp_offset_text ? now + exp_offset : now + ttl));
    json_t *base_ids = s_list ("--base-ids", base_ids_text, true);
    if (!claims || !base_ids)
        return 2;
    json_object_set_new (claims, DP_JWT_CLAIM_PREFIX "organisation_id",
                         strcmp (org_text, "null") == 0 ? json_null () : json_integer (org));
    json_object_set_new (claims, DP_JWT_CLAIM_PREFIX "base_ids", base_ids);
    json_object_set_new (claims, DP_JWT_CLAIM_PREFIX "roles", s_list ("--roles", roles_text, false));
    json_object_set_new (claims, DP_JWT_CLAIM_PREFIX "permissions",
                         s_list ("--permissions", permissions_text, false));
    if (beta_text)
        json_object_set_new (claims, DP_JWT_CLAIM_PREFIX "beta_user", json_integer (beta));
    char *payload = json_dumps (claims, JSON_COMPACT);
    json_decref (claims);

    char *key = NULL;
    size_t key_len = 0;
    if (secret) {
        key = strdup (secret);
        key_len = strlen (secret);
    }
    else
    if (key_path) {
        key = s_read_file (key_path, &key_len);
        if (!key) {
            free (payload);
            return 1;
        }
    }
    char err [256];
    char *token = dp_jwt_sign (alg, key, key_len, payload, err, sizeof err);
    free (key);
    free (payload);
    if (!token) {
        fprintf (stderr, "depot-token: %s\n", err);
        return 1;
    }
    printf ("%s\n", token);
    free (token);
    return 0;
}
