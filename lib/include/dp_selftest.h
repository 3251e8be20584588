/*  =========================================================================
    dp_selftest - the one loop every selftest runner shares

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each library and service has a selftest binary with a table of
    {class, test} (CZMQ's czmq_selftest.c); CMake runs it once per class
    with the class's name, so each class is its own ctest.
@end
*/
#ifndef DP_SELFTEST_H_INCLUDED
#define DP_SELFTEST_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;               //  the class, as the runner's argument names it
    void (*test) (bool verbose);
} dp_selftest_t;

//  Run the test named `only`, or every test when only is NULL. Returns 0,
//  or 2 (with a message on stderr) when no test has that name.
int dp_selftest_run (const dp_selftest_t *tests, size_t n_tests, const char *only, bool verbose);

#endif
