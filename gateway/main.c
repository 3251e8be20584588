/*  =========================================================================
    gateway - Depot's HTTP front as its own process

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Reads the configuration from the environment and the command line
    (flags win), starts the gateway actor, waits for SIGINT or SIGTERM and
    stops it. Resolvers connect to DEPOT_BACKEND_BIND.
@end
*/
#include "dp_gateway.h"
#include "dp_log.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: gateway [options]\n"
        "Depot's HTTP front: POST /graphql, JWT checks, requests to resolvers.\n"
        "Each option also comes from the environment variable named after it;\n"
        "an option given on the command line wins.\n"
        "  --port N              DEPOT_PORT             HTTP port (5005)\n"
        "  --listen-host HOST    DEPOT_LISTEN_HOST      interface to listen on (all)\n"
        "  --backend-bind EP     DEPOT_BACKEND_BIND     ZeroMQ endpoint resolvers connect to\n"
        "                                               (tcp://*:5556)\n"
        "  --auth0-domain D      AUTH0_DOMAIN           token issuer is https://D/\n"
        "  --auth0-audience A    AUTH0_AUDIENCE         expected token audience\n"
        "  --public-key-file F   DEPOT_PUBLIC_KEY_FILE  PEM public key or certificate file;\n"
        "                        AUTH0_PUBLIC_KEY       or the PEM text itself (the file wins)\n"
        "  --max-body BYTES      DEPOT_MAX_BODY         largest request body (1048576)\n"
        "  --threads N           DEPOT_THREADS          HTTP worker threads (64)\n"
        "  --max-inflight N      DEPOT_MAX_INFLIGHT     requests admitted at once (48);\n"
        "                                               keep it below --threads\n"
        "  --deadline-ms MS      DEPOT_DEADLINE_MS      per-request deadline (30000)\n"
        "  --max-tokens N        DEPOT_MAX_TOKENS       GraphQL parser token limit (15000)\n"
        "  --max-depth N         DEPOT_MAX_DEPTH        GraphQL nesting limit (64)\n"
        "  --jwt-leeway S        DEPOT_JWT_LEEWAY       clock skew allowed for exp, 0-30 (5)\n"
        "  --debug-extension     DEPOT_DEBUG_EXTENSION=1  add extensions.debug to responses\n"
        "  --verbose             DEPOT_VERBOSE=1        debug logging\n"
        "  --help                this text\n");
}

//  Parse a non-negative integer in [min, max]; returns 0 or -1.
static int
s_parse_long (const char *name, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long value = strtol (text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) {
        fprintf (stderr, "gateway: %s must be an integer in [%ld, %ld], not '%s'\n",
                 name, min, max, text);
        return -1;
    }
    *out = value;
    return 0;
}

static bool
s_truthy (const char *text)
{
    return text && (streq (text, "1") || streq (text, "true") || streq (text, "yes"));
}

//  Read a whole file; caller frees. NULL with a message on failure.
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "gateway: cannot open %s: %s\n", path, strerror (errno));
        return NULL;
    }
    char *text = NULL;
    size_t size = 0, cap = 0;
    while (true) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = (char *) realloc (text, cap);
            if (!grown) {
                free (text);
                fclose (file);
                return NULL;
            }
            text = grown;
        }
        size_t n = fread (text + size, 1, 4096, file);
        size += n;
        if (n < 4096)
            break;
    }
    fclose (file);
    text [size] = 0;
    return text;
}

int
main (int argc, char *argv [])
{
    dp_gateway_config_t config;
    dp_gateway_config_defaults (&config);
    //  Names and values: environment first, then flags.
    static const char *names [][2] = {
        { "--port", "DEPOT_PORT" },
        { "--listen-host", "DEPOT_LISTEN_HOST" },
        { "--backend-bind", "DEPOT_BACKEND_BIND" },
        { "--auth0-domain", "AUTH0_DOMAIN" },
        { "--auth0-audience", "AUTH0_AUDIENCE" },
        { "--public-key-file", "DEPOT_PUBLIC_KEY_FILE" },
        { "--max-body", "DEPOT_MAX_BODY" },
        { "--threads", "DEPOT_THREADS" },
        { "--max-inflight", "DEPOT_MAX_INFLIGHT" },
        { "--deadline-ms", "DEPOT_DEADLINE_MS" },
        { "--max-tokens", "DEPOT_MAX_TOKENS" },
        { "--max-depth", "DEPOT_MAX_DEPTH" },
        { "--jwt-leeway", "DEPOT_JWT_LEEWAY" },
        { "--debug-extension", "DEPOT_DEBUG_EXTENSION" },
        { "--verbose", "DEPOT_VERBOSE" },
    };
    enum { N_NAMES = sizeof names / sizeof names [0] };
    const char *values [N_NAMES];
    for (int i = 0; i < N_NAMES; i++)
        values [i] = getenv (names [i][1]);

    for (int arg = 1; arg < argc; arg++) {
        if (streq (argv [arg], "--help") || streq (argv [arg], "-h")) {
            s_usage (stdout);
            return 0;
        }
        int found = -1;
        for (int i = 0; i < N_NAMES; i++)
            if (streq (argv [arg], names [i][0]))
                found = i;
        if (found < 0) {
            fprintf (stderr, "gateway: unknown option '%s'\n", argv [arg]);
            s_usage (stderr);
            return 2;
        }
        if (streq (names [found][0], "--debug-extension") || streq (names [found][0], "--verbose"))
            values [found] = "1";
        else {
            if (arg + 1 >= argc) {
                fprintf (stderr, "gateway: %s needs a value\n", argv [arg]);
                return 2;
            }
            values [found] = argv [++arg];
        }
    }

    long number;
    #define NUMBER(index, min, max, field, type) \
        if (values [index] && *values [index]) { \
            if (s_parse_long (names [index][0], values [index], min, max, &number)) \
                return 2; \
            config.field = (type) number; \
        }
    NUMBER (0, 0, 65535, port, int)
    NUMBER (6, 1, INT_MAX, max_body, size_t)
    NUMBER (7, 1, 4096, threads, int)
    NUMBER (8, 1, 1000000, max_inflight, int)
    NUMBER (9, 1, 3600000, deadline_ms, int)
    NUMBER (10, 0, INT_MAX, max_tokens, size_t)
    NUMBER (11, 0, 100000, max_depth, size_t)
    NUMBER (12, 0, 30, jwt_leeway_s, int)
    #undef NUMBER
    if (values [1] && *values [1])
        config.listen_host = values [1];
    if (values [2] && *values [2])
        config.backend_endpoint = values [2];
    config.auth0_domain = values [3];
    config.auth0_audience = values [4];
    config.debug_extension = s_truthy (values [13]);
    dp_log_init ("gateway", s_truthy (values [14]) ? DP_LOG_DEBUG : DP_LOG_INFO);

    char *key_text = NULL;
    if (values [5] && *values [5]) {
        key_text = s_read_file (values [5]);
        if (!key_text)
            return 1;
        config.public_key_pem = key_text;
    }
    else
        config.public_key_pem = getenv ("AUTH0_PUBLIC_KEY");
    if (!config.auth0_domain || !config.auth0_audience || !config.public_key_pem) {
        fprintf (stderr, "gateway: AUTH0_DOMAIN, AUTH0_AUDIENCE and a public key "
                         "(AUTH0_PUBLIC_KEY or DEPOT_PUBLIC_KEY_FILE) are required\n");
        free (key_text);
        return 2;
    }

    zactor_t *gateway = zactor_new (dp_gateway_actor, &config);
    free (key_text);                //  the actor has its own copy now
    if (!gateway || config.status != 0) {
        zactor_destroy (&gateway);
        return 1;
    }
    //  Wait for SIGINT/SIGTERM (CZMQ's handler sets zsys_interrupted), or
    //  for the actor to end on its own.
    zpoller_t *poller = zpoller_new (gateway, NULL);
    int rc = 0;
    while (!zsys_interrupted) {
        if (zpoller_wait (poller, 200)) {
            dp_error ("gateway: the gateway actor ended unexpectedly");
            rc = 1;
            break;
        }
    }
    zpoller_destroy (&poller);
    dp_info ("gateway: stopping");
    zactor_destroy (&gateway);
    return rc;
}
