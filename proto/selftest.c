/*  =========================================================================
    selftest - runs the selftest of one class of proto/ (dp_msg, dp_catalog),
    or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_msg.h"
#include "dp_catalog.h"

typedef struct {
    const char *name;
    void (*test) (bool verbose);
} test_item_t;

static test_item_t s_tests [] = {
    { "dp_msg", dp_msg_test },
    { "dp_catalog", dp_catalog_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = !(argc > 2 && strcmp (argv [2], "-q") == 0);
    int ran = 0;
    for (size_t i = 0; i < sizeof s_tests / sizeof s_tests [0]; i++)
        if (!only || strcmp (only, s_tests [i].name) == 0) {
            s_tests [i].test (verbose);
            ran++;
        }
    if (ran == 0) {
        fprintf (stderr, "no such test: %s\n", only);
        return 1;
    }
    return 0;
}
