/*  =========================================================================
    dp_selftest - the one loop every selftest runner shares

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_selftest.h"
#include <stdio.h>
#include <string.h>

int
dp_selftest_run (const dp_selftest_t *tests, size_t n_tests, const char *only, bool verbose)
{
    int ran = 0;
    for (size_t i = 0; i < n_tests; i++)
        if (!only || strcmp (only, tests [i].name) == 0) {
            tests [i].test (verbose);
            ran++;
        }
    if (ran == 0) {
        fprintf (stderr, "no test named '%s'\n", only);
        return 2;
    }
    return 0;
}
