/*  =========================================================================
    dp_gateway_config - the gateway's settings: type, defaults, options, checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway's flags and environment variables, written once and used by
    both binaries that run a gateway actor: gateway (which adds its own
    --backend-bind) and depot (which fixes the backend to inproc://). Also
    the defaults, the checks of the parsed values and the reading of the
    PEM key file.
@end
*/
#include "dp_gateway_config.h"
#include "dp_graphiql.h"
#include <czmq.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
dp_gateway_config_defaults (dp_gateway_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->port = 5005;
    config->backend_endpoint = "tcp://*:5556";
    config->max_body = 1024 * 1024;
    config->max_url = 8192;
    config->drain_ms = -1;
    config->keep_alive_ms = 5000;
    config->apq_cache = 10000;
    config->access_log = true;
    config->graphiql = true;
    config->threads = 128;
    config->max_inflight = 96;
    config->admission_min = 32;
    config->admission_wait_ms = 100;
    config->resolver_wait_ms = 3000;
    config->deadline_ms = 30000;
    config->max_tokens = 15000;
    config->max_depth = 64;
    dp_validate_limits_default (&config->validate_limits);
    config->jwt_leeway_s = 5;
    config->heartbeat_ms = 1000;
    config->liveness_ms = 3000;
}

size_t
dp_gateway_options (dp_gateway_config_t *config, const char **public_key_file,
                    dp_option_t *out, size_t max)
{
    assert (config);
    assert (public_key_file);
    assert (out);
    const dp_option_t options [] = {
        { "--port", "DEPOT_PORT", DP_OPT_INT, &config->port,
          "HTTP port, 0-65535 (0 picks a free one)" },
        { "--listen-host", "DEPOT_LISTEN_HOST", DP_OPT_STRING, &config->listen_host,
          "interface to listen on (none: all)" },
        { "--auth0-domain", "AUTH0_DOMAIN", DP_OPT_STRING, &config->auth0_domain,
          "token issuer is https://<domain>/ (required)" },
        { "--auth0-audience", "AUTH0_AUDIENCE", DP_OPT_STRING, &config->auth0_audience,
          "expected token audience (required)" },
        { "--public-key", "AUTH0_PUBLIC_KEY", DP_OPT_STRING, &config->public_key_pem,
          "RS256 public key or certificate, PEM text", true },
        { "--public-key-file", "DEPOT_PUBLIC_KEY_FILE", DP_OPT_STRING, public_key_file,
          "the same from a PEM file (wins over the text)" },
        { "--max-body", "DEPOT_MAX_BODY", DP_OPT_SIZE, &config->max_body,
          "largest request body, bytes (413 above)" },
        { "--max-url", "DEPOT_MAX_URL", DP_OPT_SIZE, &config->max_url,
          "longest request target (path and query string), bytes (414 above)" },
        { "--threads", "DEPOT_THREADS", DP_OPT_INT, &config->threads,
          "HTTP worker threads, 1-4096" },
        { "--max-inflight", "DEPOT_MAX_INFLIGHT", DP_OPT_INT, &config->max_inflight,
          "most requests admitted at once: the admission limit's maximum (keep below --threads)" },
        { "--admission-min", "DEPOT_ADMISSION_MIN", DP_OPT_INT, &config->admission_min,
          "least the admission limit falls to when latency rises (at least the maximum: fixed)" },
        { "--admission-wait-ms", "DEPOT_ADMISSION_WAIT_MS", DP_OPT_INT, &config->admission_wait_ms,
          "a request over the admission limit waits this long for a slot before 503, ms" },
        { "--resolver-wait-ms", "DEPOT_RESOLVER_WAIT_MS", DP_OPT_INT, &config->resolver_wait_ms,
          "with no resolver registered (at start, or all gone), requests wait this long for one before 503, ms" },
        { "--deadline-ms", "DEPOT_DEADLINE_MS", DP_OPT_INT, &config->deadline_ms,
          "per-request deadline, ms" },
        { "--drain-ms", "DEPOT_DRAIN_MS", DP_OPT_INT, &config->drain_ms,
          "on SIGTERM, wait this long for admitted requests (-1: deadline + 1 s)" },
        { "--keep-alive-ms", "DEPOT_KEEP_ALIVE_MS", DP_OPT_INT, &config->keep_alive_ms,
          "close a kept-alive connection idle this long, ms (answers advertise 1 s less)" },
        { "--cors-origins", "DEPOT_CORS_ORIGINS", DP_OPT_STRING, &config->cors_origins,
          "origins allowed by CORS, comma-separated, or * (none: no CORS headers)" },
        { "--public-cors-origins", "DEPOT_PUBLIC_CORS_ORIGINS", DP_OPT_STRING,
          &config->public_cors_origins,
          "origins allowed by CORS on /public (shared links' pages), as --cors-origins" },
        { "--persisted-queries", "DEPOT_PERSISTED_QUERIES", DP_OPT_STRING,
          &config->persisted_queries,
          "allow-list mode: only the operations of this manifest run (Apollo's format)" },
        { "--apq-cache", "DEPOT_APQ_CACHE", DP_OPT_INT, &config->apq_cache,
          "automatic persisted queries kept (0: APQ off)" },
        { "--access-log", "DEPOT_ACCESS_LOG", DP_OPT_BOOL, &config->access_log,
          "log one JSON line per HTTP request" },
        { "--graphiql", "DEPOT_GRAPHIQL", DP_OPT_BOOL, &config->graphiql,
          "serve the GraphiQL explorer at GET /graphql for browsers" },
        { "--live-url", "DEPOT_LIVE_URL", DP_OPT_STRING, &config->live_url,
          "live updates' ws:// URL as browsers reach it: GraphiQL runs subscriptions there" },
        { "--max-tokens", "DEPOT_MAX_TOKENS", DP_OPT_SIZE, &config->max_tokens,
          "GraphQL parser token limit" },
        { "--max-depth", "DEPOT_MAX_DEPTH", DP_OPT_SIZE, &config->max_depth,
          "GraphQL nesting limit" },
        { "--max-query-depth", "DEPOT_MAX_QUERY_DEPTH", DP_OPT_SIZE,
          &config->validate_limits.max_depth,
          "deepest nesting of fields per operation, fragments expanded (0: no limit)" },
        { "--max-aliases", "DEPOT_MAX_ALIASES", DP_OPT_SIZE, &config->validate_limits.max_aliases,
          "aliases per operation, fragments expanded (0: no limit)" },
        { "--max-fields", "DEPOT_MAX_FIELDS", DP_OPT_SIZE, &config->validate_limits.max_fields,
          "field selections per operation, fragments expanded (0: no limit)" },
        { "--max-cost", "DEPOT_MAX_COST", DP_OPT_SIZE, &config->validate_limits.max_cost,
          "estimated cost per operation: 1 a field, x10 per list level (0: no limit)" },
        { "--max-variables", "DEPOT_MAX_VARIABLES", DP_OPT_SIZE,
          &config->validate_limits.max_variables,
          "variables an operation may declare (0: no limit)" },
        { "--jwt-leeway", "DEPOT_JWT_LEEWAY", DP_OPT_INT, &config->jwt_leeway_s,
          "clock skew allowed for exp/nbf, 0-30 s" },
        { "--debug-extension", "DEPOT_DEBUG_EXTENSION", DP_OPT_BOOL, &config->debug_extension,
          "add extensions.debug to responses" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}

int
dp_gateway_config_load_key (dp_gateway_config_t *config, const char *file, char **owned_text,
                            char *err, size_t err_len)
{
    assert (config);
    assert (owned_text);
    *owned_text = NULL;
    if (!file || !*file)
        return 0;               //  keep public_key_pem as it is
    FILE *handle = fopen (file, "rb");
    if (!handle) {
        snprintf (err, err_len, "cannot open %s: %s", file, strerror (errno));
        return -1;
    }
    char *text = NULL;
    size_t size = 0, cap = 0;
    while (true) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = (char *) realloc (text, cap);
            if (!grown) {
                snprintf (err, err_len, "cannot read %s: out of memory", file);
                free (text);
                fclose (handle);
                return -1;
            }
            text = grown;
        }
        size_t got = fread (text + size, 1, 4096, handle);
        size += got;
        if (got < 4096)
            break;
    }
    bool failed = ferror (handle) != 0;
    fclose (handle);
    if (failed || size == 0) {
        snprintf (err, err_len, "cannot read %s%s", file, failed ? "" : ": it is empty");
        free (text);
        return -1;
    }
    text [size] = 0;
    config->public_key_pem = text;
    *owned_text = text;
    return 0;
}

int
dp_gateway_config_check (const dp_gateway_config_t *config, char *err, size_t err_len)
{
    assert (config);
    struct { const char *name; long long value, min, max; } ranges [] = {
        { "DEPOT_PORT (--port)", config->port, 0, 65535 },
        { "DEPOT_MAX_BODY (--max-body)", (long long) config->max_body, 1, INT_MAX },
        { "DEPOT_MAX_URL (--max-url)", (long long) config->max_url, 256, 1048576 },
        { "DEPOT_DRAIN_MS (--drain-ms)", config->drain_ms, -1, 3600000 },
        { "DEPOT_KEEP_ALIVE_MS (--keep-alive-ms)", config->keep_alive_ms, 1000, 600000 },
        { "DEPOT_APQ_CACHE (--apq-cache)", config->apq_cache, 0, 10000000 },
        { "DEPOT_THREADS (--threads)", config->threads, 1, 4096 },
        { "DEPOT_MAX_INFLIGHT (--max-inflight)", config->max_inflight, 1, 1000000 },
        { "DEPOT_ADMISSION_MIN (--admission-min)", config->admission_min, 1, 1000000 },
        { "DEPOT_ADMISSION_WAIT_MS (--admission-wait-ms)", config->admission_wait_ms, 0, 60000 },
        { "DEPOT_RESOLVER_WAIT_MS (--resolver-wait-ms)", config->resolver_wait_ms, 0, 600000 },
        { "DEPOT_DEADLINE_MS (--deadline-ms)", config->deadline_ms, 1, 3600000 },
        { "DEPOT_MAX_TOKENS (--max-tokens)", (long long) config->max_tokens, 0, INT_MAX },
        { "DEPOT_MAX_DEPTH (--max-depth)", (long long) config->max_depth, 0, 100000 },
        { "DEPOT_JWT_LEEWAY (--jwt-leeway)", config->jwt_leeway_s, 0, 30 },
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges [0]; i++)
        if (ranges [i].value < ranges [i].min || ranges [i].value > ranges [i].max) {
            snprintf (err, err_len, "%s must be an integer in [%lld, %lld], not %lld",
                      ranges [i].name, ranges [i].min, ranges [i].max, ranges [i].value);
            return -1;
        }
    if (config->live_url && *config->live_url
    &&  dp_graphiql_live_url_check (config->live_url, err, err_len))
        return -1;
    if (!config->auth0_domain || !*config->auth0_domain
    ||  !config->auth0_audience || !*config->auth0_audience
    ||  !config->public_key_pem || !*config->public_key_pem) {
        snprintf (err, err_len, "AUTH0_DOMAIN, AUTH0_AUDIENCE and a public key "
                                "(AUTH0_PUBLIC_KEY or DEPOT_PUBLIC_KEY_FILE) are required");
        return -1;
    }
    return 0;
}

void
dp_gateway_config_test (bool verbose)
{
    printf (" * dp_gateway_config: ");
    dp_gateway_config_t config;
    dp_gateway_config_defaults (&config);
    const char *key_file = NULL;
    dp_option_t options [48];
    size_t n = dp_gateway_options (&config, &key_file, options, 48);
    assert (n > 10);
    //  Every entry has a flag, a variable and a target; no flag twice.
    for (size_t i = 0; i < n; i++) {
        assert (options [i].flag && options [i].env && options [i].target && options [i].help);
        for (size_t j = i + 1; j < n; j++)
            assert (strcmp (options [i].flag, options [j].flag));
    }
    //  The environment, then flags; the values land in config.
    char err [256];
    char *key_path = zsys_sprintf ("/tmp/dp_gateway_options-%d.pem", (int) getpid ());
    FILE *file = fopen (key_path, "w");
    assert (file);
    fputs ("-----BEGIN PUBLIC KEY-----\n", file);
    fclose (file);
    setenv ("DEPOT_MAX_INFLIGHT", "7", 1);
    setenv ("AUTH0_PUBLIC_KEY", "text", 1);
    char *argv [] = { "gateway", "--port", "0", "--auth0-domain=d", "--auth0-audience", "a",
                      "--public-key-file", key_path, "--debug-extension", NULL };
    assert (dp_options_parse (options, n, 9, argv, "usage", err, sizeof err) == 0);
    unsetenv ("DEPOT_MAX_INFLIGHT");
    unsetenv ("AUTH0_PUBLIC_KEY");
    assert (config.port == 0 && config.max_inflight == 7 && config.debug_extension);
    assert (streq (config.auth0_domain, "d") && streq (config.auth0_audience, "a"));
    assert (streq (config.public_key_pem, "text") && streq (key_file, key_path));
    //  The file wins over the text.
    char *owned = NULL;
    assert (dp_gateway_config_load_key (&config, key_file, &owned, err, sizeof err) == 0);
    assert (owned && config.public_key_pem == owned && strstr (owned, "BEGIN PUBLIC KEY"));
    assert (dp_gateway_config_check (&config, err, sizeof err) == 0);
    free (owned);
    remove (key_path);
    assert (dp_gateway_config_load_key (&config, key_path, &owned, err, sizeof err) == -1);
    assert (!owned && strstr (err, key_path));
    zstr_free (&key_path);
    //  Out-of-range values and missing settings are refused by name.
    config.public_key_pem = "text";
    config.jwt_leeway_s = 31;
    assert (dp_gateway_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_JWT_LEEWAY"));
    config.jwt_leeway_s = 5;
    config.keep_alive_ms = 999;
    assert (dp_gateway_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_KEEP_ALIVE_MS"));
    config.keep_alive_ms = 5000;
    config.auth0_audience = NULL;
    assert (dp_gateway_config_check (&config, err, sizeof err) == -1);
    assert (strstr (err, "AUTH0_AUDIENCE"));
    printf ("OK\n");
}
