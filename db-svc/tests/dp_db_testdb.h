/*  =========================================================================
    dp_db_testdb - the private MariaDB that db-svc's tests run against

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Tests of db-svc use a real MariaDB: scripts/mariadb.sh starts one in a
    folder of its own, and dp_db_testdb_setup loads a database into it:
    boxtribute's dump (../shared/data/boxtribute-init.sql) when present,
    else Depot's db/ddl.sql; then db/indexes.sql; then a small seed of rows
    the tests know by heart (ids 900001 and up, see dp_db_testdb.c).
@discuss
    The paths come from the environment, which the test runner fills from
    CMake: DP_DB_TEST_DIR (server folder), DP_DB_TEST_MARIADB_SH,
    DP_DB_TEST_INIT_SQL, DP_DB_TEST_DDL_SQL, DP_DB_TEST_INDEXES_SQL. When
    mariadbd or the script is missing, setup fails with a reason and the
    tests skip. The ctest fixture runs setup once before the tests and
    cleanup (server stop) after them; a test run on its own sets the
    database up itself when it finds none.
    Test support only: it shells out to the mariadb client and blocks.
@end
*/
#ifndef DP_DB_TESTDB_H_INCLUDED
#define DP_DB_TESTDB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <mysql.h>

#define DP_DB_TESTDB_NAME "depot_test"

typedef struct {
    char socket [512];          //  the server's unix socket
    bool boxtribute;            //  boxtribute's dump is loaded (802 boxes)
} dp_db_testdb_t;

//  Start the server if needed and (re)create the test database. Returns 0,
//  or -1 with reason filled.
int dp_db_testdb_setup (char *reason, size_t reason_len);

//  Stop the server. Returns 0, or -1 when the script failed.
int dp_db_testdb_cleanup (void);

//  Find the running test database, setting it up first when there is none.
//  Returns 0 with db filled, or -1 with reason filled (tests then skip).
int dp_db_testdb_open (dp_db_testdb_t *db, char *reason, size_t reason_len);

//  A blocking connection to the test database as root, for checks. Caller
//  owns return value and must close it with mysql_close. Asserts on failure.
MYSQL *dp_db_testdb_connect (const dp_db_testdb_t *db);

//  Run one statement on a blocking connection; asserts it succeeds.
void dp_db_testdb_exec (MYSQL *mysql, const char *sql);

//  Run a statement that returns one integer (first row, first column).
long long dp_db_testdb_int (MYSQL *mysql, const char *sql);

#endif
