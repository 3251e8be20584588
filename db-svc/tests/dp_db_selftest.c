/*  =========================================================================
    dp_db_selftest - runs db-svc's tests: one concern, or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Usage: dp_db_selftest [setup | cleanup | config | job | queue | rows | sql_catalog | sql_moved_boxes | sql_stock_overview | charset | target | pool_limit | conn |
    load | chunks | query | errors | pool | unavailable | reconnect |
    deadline | cancel | overload | coalesce | classes | replica | txn | all] [-q]
    setup starts the private test MariaDB and loads the test database;
    cleanup stops it; "all" (the default) runs setup, every test, cleanup.
    A test that finds no MariaDB exits 77 (ctest: skipped).
@end
*/
#include "dp_db_test.h"
#include "dp_db_target.h"
#include "dp_db_job.h"
#include "dp_db_rows.h"
#include "dp_db_queue.h"
#include "dp_sql_catalog.h"
#include "dp_sql_tables.h"
#include "dp_sql_moved_boxes.h"
#include "dp_sql_stock_overview.h"
#include "dp_db_txn.h"
#include "dp_db_charset.h"
#include "dp_db_purge.h"
#include "dp_db_own_writes.h"
#include "dp_db_counts.h"
#include "dp_db_kept_rows.h"
#include "dp_db_pool_limit.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Paths CMake knows, used when the environment does not say otherwise.
static void
s_default_env (void)
{
#ifdef DP_DB_TEST_DEFAULT_DIR
    setenv ("DP_DB_TEST_DIR", DP_DB_TEST_DEFAULT_DIR, 0);
    setenv ("DP_DB_TEST_MARIADB_SH", DP_DB_TEST_DEFAULT_SH, 0);
    setenv ("DP_DB_TEST_INIT_SQL", DP_DB_TEST_DEFAULT_INIT, 0);
    setenv ("DP_DB_TEST_DDL_SQL", DP_DB_TEST_DEFAULT_DDL, 0);
    setenv ("DP_DB_TEST_INDEXES_SQL", DP_DB_TEST_DEFAULT_INDEXES, 0);
#endif
}

static int
s_run (const char *name, bool verbose)
{
    if (strcmp (name, "setup") == 0) {
        char reason [512];
        if (dp_db_testdb_setup (reason, sizeof reason)) {
            //  Not a failure: the tests that need the server skip.
            printf ("dp_db_setup: no test MariaDB (%s); database tests will skip\n", reason);
            return 0;
        }
        printf ("dp_db_setup: test MariaDB ready\n");
        return 0;
    }
    if (strcmp (name, "cleanup") == 0)
        return dp_db_testdb_cleanup () == 0? 0: 1;
    //  The classes that need no database (CLASS selftests).
    static const struct {
        const char *name;
        void (*test) (bool verbose);
    } classes [] = {
        { "config", dp_db_config_test }, { "job", dp_db_job_test },
        { "queue", dp_db_queue_test }, { "rows", dp_db_rows_test },
        { "sql_catalog", dp_sql_catalog_test }, { "sql_tables", dp_sql_tables_test }, { "txn_table", dp_db_txn_test }, { "own_writes", dp_db_own_writes_test }, { "counts", dp_db_counts_test }, { "kept_rows", dp_db_kept_rows_test }, { "charset", dp_db_charset_test },
        { "target", dp_db_target_test }, { "pool_limit", dp_db_pool_limit_test },
        { "purge", dp_db_purge_test },
        { "sql_moved_boxes", dp_sql_moved_boxes_test },
        { "sql_stock_overview", dp_sql_stock_overview_test },
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes [0]; i++)
        if (strcmp (name, classes [i].name) == 0) {
            classes [i].test (verbose);
            return 0;
        }
    if (strcmp (name, "conn") == 0)
        return dp_db_conn_test (verbose);
    static const char *concerns [] = {
        "load", "chunks", "query", "errors", "pool", "unavailable", "reconnect",
        "deadline", "cancel", "overload", "coalesce", "coalesce_lookups", "batch", "wave", "classes",
        "replica", "txn", "stock_overview"
    };
    for (size_t i = 0; i < sizeof concerns / sizeof concerns [0]; i++)
        if (strcmp (name, concerns [i]) == 0)
            return dp_db_test_run (name, verbose);
    fprintf (stderr, "dp_db_selftest: no such test: %s\n", name);
    return 2;
}

int
main (int argc, char *argv [])
{
    s_default_env ();
    const char *name = "all";
    bool verbose = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "-q") == 0)
            verbose = false;
        else
            name = argv [i];
    }
    dp_log_init ("db-test", verbose? DP_LOG_INFO: DP_LOG_WARN);
    if (strcmp (name, "all") != 0)
        return s_run (name, verbose);

    static const char *all [] = {
        "setup", "config", "job", "queue", "rows", "sql_catalog", "charset", "target", "pool_limit", "conn", "load", "chunks", "query", "errors",
        "pool", "unavailable", "reconnect", "replica"
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof all / sizeof all [0]; i++) {
        int rc = s_run (all [i], verbose);
        if (rc != 0 && rc != 77)
            failures++;
    }
    dp_db_testdb_cleanup ();
    return failures? 1: 0;
}
