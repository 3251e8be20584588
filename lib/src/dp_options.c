/*  =========================================================================
    dp_options - one declarative table of a binary's settings: flags and env

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_options.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <assert.h>

static int
s_set (const dp_option_t *option, const char *value, const char *source, char *err, size_t err_len)
{
    char *end;
    errno = 0;
    switch (option->type) {
        case DP_OPT_STRING:
            *(const char **) option->target = value;
            return 0;
        case DP_OPT_INT: {
            long parsed = strtol (value, &end, 10);
            if (errno || *end || end == value || parsed < -2147483647L || parsed > 2147483647L)
                break;
            *(int *) option->target = (int) parsed;
            return 0;
        }
        case DP_OPT_SIZE: {
            if (*value == '-')
                break;
            unsigned long long parsed = strtoull (value, &end, 10);
            if (errno || *end || end == value || parsed > SIZE_MAX)
                break;
            *(size_t *) option->target = (size_t) parsed;
            return 0;
        }
        case DP_OPT_BOOL:
            if (!strcmp (value, "1") || !strcmp (value, "true") || !strcmp (value, "yes")) {
                *(bool *) option->target = true;
                return 0;
            }
            if (!strcmp (value, "0") || !strcmp (value, "false") || !strcmp (value, "no") || !*value) {
                *(bool *) option->target = false;
                return 0;
            }
            break;
    }
    snprintf (err, err_len, "invalid value \"%s\" for %s", value, source);
    return -1;
}

static void
s_usage (const dp_option_t *options, size_t n, const char *usage)
{
    printf ("%s\n\nOptions (each also read from its environment variable):\n", usage);
    for (size_t i = 0; i < n; i++) {
        const dp_option_t *o = &options [i];
        char current [64] = "";
        switch (o->type) {
            case DP_OPT_STRING: {
                const char *s = *(const char **) o->target;
                snprintf (current, sizeof current, "%s", !s ? "(none)" : o->secret ? "(set)" : s);
                break;
            }
            case DP_OPT_INT: snprintf (current, sizeof current, "%d", *(int *) o->target); break;
            case DP_OPT_SIZE: snprintf (current, sizeof current, "%zu", *(size_t *) o->target); break;
            case DP_OPT_BOOL: snprintf (current, sizeof current, "%s", *(bool *) o->target ? "1" : "0"); break;
        }
        printf ("  %-22s %-24s %s [%s]\n", o->flag, o->env ? o->env : "", o->help, current);
    }
    printf ("  %-22s %-24s %s\n", "--help", "", "this text");
}

int
dp_options_parse (const dp_option_t *options, size_t n_options, int argc, char *argv [],
                  const char *usage, char *err, size_t err_len)
{
    for (size_t i = 0; i < n_options; i++) {
        const char *value = options [i].env ? getenv (options [i].env) : NULL;
        if (value && *value && s_set (&options [i], value, options [i].env, err, err_len))
            return -1;
    }
    for (int a = 1; a < argc; a++) {
        if (!strcmp (argv [a], "--help") || !strcmp (argv [a], "-h")) {
            s_usage (options, n_options, usage);
            return 1;
        }
        const dp_option_t *option = NULL;
        const char *inline_value = NULL;
        for (size_t i = 0; i < n_options && !option; i++) {
            size_t len = strlen (options [i].flag);
            if (!strncmp (argv [a], options [i].flag, len)
            &&  (argv [a][len] == 0 || argv [a][len] == '=')) {
                option = &options [i];
                inline_value = argv [a][len] == '=' ? argv [a] + len + 1 : NULL;
            }
        }
        if (!option) {
            snprintf (err, err_len, "unknown option %s (see --help)", argv [a]);
            return -1;
        }
        const char *value = inline_value;
        if (!value && option->type == DP_OPT_BOOL)
            value = "1";
        if (!value) {
            if (a + 1 >= argc) {
                snprintf (err, err_len, "option %s needs a value", option->flag);
                return -1;
            }
            value = argv [++a];
        }
        if (s_set (option, value, option->flag, err, err_len))
            return -1;
    }
    return 0;
}

void
dp_options_test (bool verbose)
{
    const char *name = "default";
    int port = 5005;
    size_t body = 10;
    bool debug = false;
    dp_option_t options [] = {
        { "--name", "DP_TEST_NAME", DP_OPT_STRING, &name, "a name" },
        { "--port", "DP_TEST_PORT", DP_OPT_INT, &port, "a port" },
        { "--body", NULL, DP_OPT_SIZE, &body, "a size" },
        { "--debug", "DP_TEST_DEBUG", DP_OPT_BOOL, &debug, "a switch" },
    };
    char err [200];
    //  The environment applies first, flags override it.
    setenv ("DP_TEST_PORT", "6000", 1);
    setenv ("DP_TEST_NAME", "from-env", 1);
    char *argv1 [] = { "x", "--name", "from-flag", "--body=42", "--debug", NULL };
    assert (dp_options_parse (options, 4, 5, argv1, "usage", err, sizeof err) == 0);
    assert (port == 6000 && body == 42 && debug && !strcmp (name, "from-flag"));
    //  Bad values and unknown flags are errors naming the culprit.
    char *argv2 [] = { "x", "--port", "12x", NULL };
    assert (dp_options_parse (options, 4, 3, argv2, "usage", err, sizeof err) == -1);
    assert (strstr (err, "--port"));
    char *argv3 [] = { "x", "--nope", NULL };
    assert (dp_options_parse (options, 4, 2, argv3, "usage", err, sizeof err) == -1);
    assert (strstr (err, "--nope"));
    char *argv4 [] = { "x", "--body", NULL };
    assert (dp_options_parse (options, 4, 2, argv4, "usage", err, sizeof err) == -1);
    setenv ("DP_TEST_PORT", "-", 1);
    char *argv5 [] = { "x", NULL };
    assert (dp_options_parse (options, 4, 1, argv5, "usage", err, sizeof err) == -1);
    assert (strstr (err, "DP_TEST_PORT"));
    unsetenv ("DP_TEST_PORT");
    unsetenv ("DP_TEST_NAME");
    if (verbose)
        printf (" * dp_options: OK\n");
}
