/*  =========================================================================
    selftest - runs the selftest of one class of proto/ (dp_msg, dp_catalog,
    dp_tables, dp_msg_variables, dp_gtid, dp_change), or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_msg.h"
#include "dp_catalog.h"
#include "dp_tables.h"
#include "dp_msg_variables.h"
#include "dp_gtid.h"
#include "dp_change.h"
#include "dp_selftest.h"

static const dp_selftest_t s_tests [] = {
    { "dp_msg", dp_msg_test },
    { "dp_catalog", dp_catalog_test },
    { "dp_tables", dp_tables_test },
    { "dp_msg_variables", dp_msg_variables_test },
    { "dp_gtid", dp_gtid_test },
    { "dp_change", dp_change_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    bool verbose = !(argc > 2 && strcmp (argv [2], "-q") == 0);
    return dp_selftest_run (s_tests, sizeof s_tests / sizeof s_tests [0], only, verbose);
}
