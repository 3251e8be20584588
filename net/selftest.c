/*  =========================================================================
    selftest - runs the selftest of one class of net/ (dp_poll, dp_pid), or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_poll.h"
#include "dp_pid.h"
#include "dp_selftest.h"

static const dp_selftest_t s_tests [] = {
    { "dp_poll", dp_poll_test },
    { "dp_pid", dp_pid_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = !(argc > 2 && strcmp (argv [2], "-q") == 0);
    return dp_selftest_run (s_tests, sizeof s_tests / sizeof s_tests [0], only, verbose);
}
