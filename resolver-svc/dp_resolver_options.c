/*  =========================================================================
    dp_resolver_options - the resolver's settings as one dp_options table

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    How many resolver actors, their credit, the largest page and the
    schema file, written once and used by both binaries that run resolver
    actors: resolver-svc (which adds the endpoints to connect to) and depot
    (which fixes them to inproc://).
@end
*/
#include "dp_resolver_actor.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

void
dp_resolver_options_init (dp_resolver_options_t *opts)
{
    assert (opts);
    memset (opts, 0, sizeof *opts);
    opts->resolvers = 2;
    opts->credit = 64;
    opts->max_page = 100000;
    opts->introspection = true;
    opts->large_answer_rows = 5000;
    opts->db_wait_ms = 5000;
}

size_t
dp_resolver_options (dp_resolver_options_t *opts, dp_option_t *out, size_t max)
{
    assert (opts);
    assert (out);
    const dp_option_t options [] = {
        { "--resolvers", "DEPOT_RESOLVERS", DP_OPT_INT, &opts->resolvers,
          "resolver actors in this process, 1-64" },
        { "--credit", "DEPOT_CREDIT", DP_OPT_INT, &opts->credit,
          "requests in flight per resolver actor" },
        { "--max-page", "DEPOT_MAX_PAGE", DP_OPT_INT, &opts->max_page,
          "largest boxes page" },
        { "--schema", "DEPOT_SCHEMA", DP_OPT_STRING, &opts->schema,
          "SDL file instead of the built-in schema" },
        { "--introspection", "DEPOT_INTROSPECTION", DP_OPT_BOOL, &opts->introspection,
          "serve introspection (__schema, __type); 0 switches it off" },
        { "--large-answer-rows", "DEPOT_LARGE_ANSWER_ROWS", DP_OPT_INT, &opts->large_answer_rows,
          "answers of more rows are written by a low-priority thread; 0: never" },
        { "--db-wait-ms", "DEPOT_DB_WAIT_MS", DP_OPT_INT, &opts->db_wait_ms,
          "how long a database request waits for a db-svc to come back; 0: 503 at once" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}

int
dp_resolver_options_check (const dp_resolver_options_t *opts, char *err, size_t err_len)
{
    assert (opts);
    if (opts->resolvers < 1 || opts->resolvers > DP_RESOLVERS_MAX) {
        snprintf (err, err_len, "DEPOT_RESOLVERS (--resolvers) must be in [1, %d], not %d",
                  DP_RESOLVERS_MAX, opts->resolvers);
        return -1;
    }
    if (opts->credit < 1) {
        snprintf (err, err_len, "DEPOT_CREDIT (--credit) must be positive, not %d", opts->credit);
        return -1;
    }
    if (opts->large_answer_rows < 0) {
        snprintf (err, err_len, "DEPOT_LARGE_ANSWER_ROWS (--large-answer-rows) must be 0 or more, not %d",
                  opts->large_answer_rows);
        return -1;
    }
    if (opts->db_wait_ms < 0) {
        snprintf (err, err_len, "DEPOT_DB_WAIT_MS (--db-wait-ms) must be 0 or more, not %d",
                  opts->db_wait_ms);
        return -1;
    }
    if (opts->max_page < 1) {
        snprintf (err, err_len, "DEPOT_MAX_PAGE (--max-page) must be positive, not %d", opts->max_page);
        return -1;
    }
    return 0;
}

//  -------------------------------------------------------------------------
//  Selftest: the table parses flags into the settings, and the check
//  names the setting it refuses.

void
dp_resolver_options_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_resolver_options: ");
    dp_resolver_options_t opts;
    dp_resolver_options_init (&opts);
    char err [256];
    assert (dp_resolver_options_check (&opts, err, sizeof err) == 0);
    dp_option_t table [16];
    size_t n = dp_resolver_options (&opts, table, 16);
    char *argv [] = { "resolver-svc", "--resolvers", "3", "--credit", "7", "--introspection=0",
                      "--large-answer-rows", "0", "--db-wait-ms", "250", NULL };
    assert (dp_options_parse (table, n, 10, argv, "usage", err, sizeof err) == 0);
    assert (opts.resolvers == 3 && opts.credit == 7 && !opts.introspection);
    assert (opts.large_answer_rows == 0 && opts.max_page == 100000 && opts.db_wait_ms == 250);
    assert (dp_resolver_options_check (&opts, err, sizeof err) == 0);
    struct { int *setting; int value; const char *named; } bad [] = {
        { &opts.resolvers, 0, "DEPOT_RESOLVERS" },
        { &opts.resolvers, DP_RESOLVERS_MAX + 1, "DEPOT_RESOLVERS" },
        { &opts.credit, 0, "DEPOT_CREDIT" },
        { &opts.large_answer_rows, -1, "DEPOT_LARGE_ANSWER_ROWS" },
        { &opts.max_page, 0, "DEPOT_MAX_PAGE" },
        { &opts.db_wait_ms, -1, "DEPOT_DB_WAIT_MS" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        dp_resolver_options_init (&opts);
        *bad [i].setting = bad [i].value;
        assert (dp_resolver_options_check (&opts, err, sizeof err) == -1);
        assert (strncmp (err, bad [i].named, strlen (bad [i].named)) == 0);
    }
    printf ("OK\n");
}
