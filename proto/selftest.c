/*  =========================================================================
    selftest - runs the selftest of proto/ (dp_msg)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_msg.h"

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = !(argc > 2 && strcmp (argv [2], "-q") == 0);
    if (only && strcmp (only, "dp_msg") != 0) {
        fprintf (stderr, "no such test: %s\n", only);
        return 1;
    }
    dp_msg_test (verbose);
    return 0;
}
