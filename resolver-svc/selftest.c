/*  =========================================================================
    selftest - runs one resolver-svc selftest, or all of them

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot_resolver_selftest [class]: one ctest per class, named
    dp_resolver_<class>. Files without a selftest of their own name, in
    their header, the test that covers them.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_exec.h"
#include "dp_exec_cache.h"
#include "dp_base64.h"
#include "dp_authz.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    void (*test) (bool verbose);
} s_test_t;

static s_test_t s_tests [] = {
    { "base64", dp_base64_test },
    { "authz", dp_authz_test },
    { "exec_cache", dp_exec_cache_test },
    { "exec_write", dp_exec_write_test },
    { "actor", dp_resolver_actor_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = getenv ("DEPOT_TEST_VERBOSE") != NULL;
    dp_log_init ("resolver-test", verbose ? DP_LOG_DEBUG : DP_LOG_WARN);
    int ran = 0;
    for (size_t i = 0; i < sizeof s_tests / sizeof s_tests [0]; i++)
        if (!only || strcmp (only, s_tests [i].name) == 0) {
            s_tests [i].test (verbose);
            ran++;
        }
    if (ran == 0) {
        fprintf (stderr, "no test named '%s'\n", only);
        return 2;
    }
    return 0;
}
