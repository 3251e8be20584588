/*  =========================================================================
    dp_db_testdb - the private MariaDB that db-svc's tests run against

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The seed rows (ids 900001 and up, clear of boxtribute's ids) that every
    db-svc test relies on, whatever else is loaded:
      camps 900001 "Seed base A" (locations 900001, 900002 and the deleted
        900003) and 900002 "Seed base B" (location 900004);
      stock 900001..900040 in base A: modified in groups of three equal
        datetimes (ties), 900036 in 2023, 900037 the zero date, 900038 and
        900039 NULL; 900005 deleted, the others carry the zero date in
        `deleted` (not deleted); stock 900041..900045 in base B;
      tags 900001..900004 (900003 deleted, 900004 deleted = zero date, so
        live) and their relations to boxes 900001, 900002, 900003, 900010;
      cms_users 900001 with zero dates in lastlogin, deleted, valid_firstday;
      shipment 900001 with details for boxes 900001 (one removed, one
        active), 900002 (received), 900003 (lost), 900004 (active).
@end
*/
#include "dp_db_testdb.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

//  Environment value, or NULL when unset or empty.
static const char *
s_env (const char *name)
{
    const char *value = getenv (name);
    return value && *value ? value : NULL;
}

static bool
s_readable (const char *path)
{
    return path && access (path, R_OK) == 0;
}

//  Run "script start|stop|status dir"; when out is given, read the first
//  line of the output into it. Returns the command's exit status.
static int
s_script (const char *command, char *out, size_t out_len)
{
    const char *script = s_env ("DP_DB_TEST_MARIADB_SH");
    const char *dir = s_env ("DP_DB_TEST_DIR");
    if (!script || !dir)
        return -1;
    char line [2048];
    snprintf (line, sizeof line, "'%s' %s '%s' 2>&1", script, command, dir);
    FILE *pipe = popen (line, "r");
    if (!pipe)
        return -1;
    char buffer [1024] = "";
    if (!fgets (buffer, sizeof buffer, pipe))
        buffer [0] = 0;
    char rest [1024];
    while (fgets (rest, sizeof rest, pipe))
        ;
    int status = pclose (pipe);
    buffer [strcspn (buffer, "\r\n")] = 0;
    if (out)
        snprintf (out, out_len, "%s", buffer);
    return status;
}

//  Load a SQL file with the mariadb client. Returns its exit status.
static int
s_load_file (const char *socket, const char *path)
{
    char line [4096];
    snprintf (line, sizeof line, "mariadb --no-defaults -uroot -S '%s' %s < '%s'",
              socket, DP_DB_TESTDB_NAME, path);
    return system (line);
}

static MYSQL *
s_connect (const char *socket, const char *database)
{
    MYSQL *mysql = mysql_init (NULL);
    assert (mysql);
    mysql_options (mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect (mysql, NULL, "root", NULL, database, 0, socket, 0)) {
        fprintf (stderr, "dp_db_testdb: cannot connect to %s: %s\n", socket, mysql_error (mysql));
        mysql_close (mysql);
        return NULL;
    }
    return mysql;
}

void
dp_db_testdb_exec (MYSQL *mysql, const char *sql)
{
    if (mysql_query (mysql, sql)) {
        fprintf (stderr, "dp_db_testdb: %s\n  in: %.300s\n", mysql_error (mysql), sql);
        assert (false);
    }
    MYSQL_RES *result = mysql_store_result (mysql);
    mysql_free_result (result);
}

long long
dp_db_testdb_int (MYSQL *mysql, const char *sql)
{
    if (mysql_query (mysql, sql)) {
        fprintf (stderr, "dp_db_testdb: %s\n  in: %.300s\n", mysql_error (mysql), sql);
        assert (false);
    }
    MYSQL_RES *result = mysql_store_result (mysql);
    assert (result);
    MYSQL_ROW row = mysql_fetch_row (result);
    assert (row);
    long long value = row [0]? strtoll (row [0], NULL, 10): 0;
    mysql_free_result (result);
    return value;
}

//  Insert the seed rows described at the top of this file.
static void
s_seed (MYSQL *mysql)
{
    static const char *statements [] = {
        "SET FOREIGN_KEY_CHECKS = 0",
        "SET sql_mode = 'NO_ENGINE_SUBSTITUTION'",
        "SET time_zone = '+00:00'",
        "INSERT INTO organisations (id, label, created, deleted) VALUES"
        " (900001, 'Seed org', '2020-01-01 10:00:00', NULL)",
        "INSERT INTO camps (id, name, organisation_id, seq, deleted, currencyname,"
        " monetary_currency_code) VALUES"
        " (900001, 'Seed base A', 900001, 1, NULL, 'Tokens', 'EUR'),"
        " (900002, 'Seed base B', 900001, 2, '0000-00-00 00:00:00', 'Drops', 'USD')",
        "INSERT INTO locations (id, label, camp_id, seq, visible, container_stock, is_market,"
        " is_donated, is_lost, type, deleted, box_state_id) VALUES"
        " (900001, 'Seed WH 1', 900001, 1, 1, 1, 0, 0, 0, 'Warehouse', NULL, 1),"
        " (900002, 'Seed WH 2', 900001, 2, 1, 0, 0, 0, 0, 'Warehouse', NULL, 1),"
        " (900003, 'Seed old', 900001, 3, 0, 0, 0, 0, 0, 'Warehouse', '2021-05-05 05:05:05', 1),"
        " (900004, 'Seed B WH', 900002, 1, 1, 0, 0, 0, 0, 'MapDistroSpot', NULL, 1)",
        "INSERT INTO product_categories (id, label, seq, parent_id) VALUES"
        " (900001, 'Seed tops', 1, 12), (900002, 'Seed food', 2, NULL)",
        "INSERT INTO sizes (id, label) VALUES (900001, 'S'), (900002, 'M')",
        "INSERT INTO units (id, name, symbol, conversion_factor, dimension_id) VALUES"
        " (900001, 'seed gram', 'sg', 0.001, 28)",
        "INSERT INTO products (id, name, category_id, gender_id, sizegroup_id, camp_id, value,"
        " created, stockincontainer, comments, deleted) VALUES"
        " (900001, 'Seed shirt', 900001, 1, 1, 900001, 5, '2020-02-02 02:02:02', 1, NULL, NULL),"
        " (900002, 'Seed rice', 900002, 2, 1, 900001, 0, NULL, 0, 'kg', NULL),"
        " (900003, 'Seed jumper', 900001, 2, 1, 900001, 3, NULL, 0, NULL, '0000-00-00 00:00:00')",
        "INSERT INTO cms_users (id, naam, email, lastlogin, lastaction, deleted, valid_firstday,"
        " valid_lastday) VALUES"
        " (900001, 'Seed Zero', 'zero@seed.test', '0000-00-00 00:00:00', '2024-03-04 05:06:07',"
        " '0000-00-00 00:00:00', '0000-00-00', '2024-05-06'),"
        " (900002, 'Seed \xc3\x9c" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93', 'u@seed.test',"
        " '2024-01-01 00:00:00', '2024-01-01 00:00:00', '0000-00-00 00:00:00', NULL, NULL)",
        "INSERT INTO qr (id, code, created, legacy) VALUES"
        " (900001, 'seedqr900001', '2022-02-02 02:02:02', 0)",
        "INSERT INTO tags (id, label, color, camp_id, deleted, created, description, type, seq)"
        " VALUES"
        " (900001, 'Seed red', '#ff0000', 900001, NULL, '2023-01-01 00:00:00', 'red one', 'All', 1),"
        " (900002, 'Seed blue', '#0000ff', 900001, NULL, NULL, '', 'Stock', 2),"
        " (900003, 'Seed gone', '#000000', 900001, '2023-02-02 00:00:00', NULL, '', 'Stock', 3),"
        " (900004, 'Seed zero', '#00ff00', 900001, '0000-00-00 00:00:00', NULL, '', 'Stock', NULL)",
        "INSERT INTO tags_relations (id, object_id, object_type, tag_id, created_on, deleted_on)"
        " VALUES"
        " (900001, 900001, 'Stock', 900002, '2024-01-05 00:00:00', NULL),"
        " (900002, 900001, 'Stock', 900001, '2024-01-06 00:00:00', NULL),"
        " (900003, 900001, 'Stock', 900003, '2024-01-07 00:00:00', NULL),"
        " (900004, 900001, 'Stock', 900004, '2024-01-08 00:00:00', NULL),"
        " (900005, 900002, 'Stock', 900001, '2024-01-09 00:00:00', '2024-01-10 00:00:00'),"
        " (900006, 900002, 'People', 900002, '2024-01-11 00:00:00', NULL),"
        " (900007, 900003, 'Stock', 900001, '2024-01-12 00:00:00', NULL),"
        " (900008, 900010, 'Stock', 900002, NULL, NULL)",
        "INSERT INTO shipment (id, source_base_id, target_base_id, transfer_agreement_id, state,"
        " started_on, started_by_id, sent_on, sent_by_id) VALUES"
        " (900001, 900001, 900002, NULL, 'Sent', '2024-01-01 00:00:00', 900001,"
        " '2024-01-02 00:00:00', 900002)",
        "INSERT INTO shipment_detail (id, shipment_id, box_id, source_product_id, source_quantity,"
        " source_size_id, source_location_id, created_on, created_by_id, removed_on, lost_on,"
        " received_on) VALUES"
        " (900001, 900001, 900001, 900001, 1, 900001, 900001, '2024-01-01 00:00:00', 900001,"
        " '2024-01-02 00:00:00', NULL, NULL),"
        " (900002, 900001, 900001, 900001, 1, 900001, 900001, '2024-01-03 00:00:00', 900001,"
        " NULL, NULL, NULL),"
        " (900003, 900001, 900002, 900002, 2, NULL, 900002, '2024-01-01 00:00:00', 900001,"
        " NULL, NULL, '2024-01-03 00:00:00'),"
        " (900004, 900001, 900003, 900003, 3, NULL, 900003, '2024-01-01 00:00:00', 900001,"
        " NULL, '2024-01-04 00:00:00', NULL),"
        " (900005, 900001, 900004, 900001, 4, 900002, 900001, '2024-01-01 00:00:00', 900001,"
        " NULL, NULL, NULL)",
    };
    for (size_t i = 0; i < sizeof statements / sizeof statements [0]; i++)
        dp_db_testdb_exec (mysql, statements [i]);

    //  Boxes: 40 in base A, 5 in base B.
    char sql [1024];
    for (int i = 1; i <= 45; i++) {
        int id = 900000 + i;
        char modified [40];
        if (i == 38 || i == 39)
            snprintf (modified, sizeof modified, "NULL");
        else
        if (i == 37)
            snprintf (modified, sizeof modified, "'0000-00-00 00:00:00'");
        else
        if (i == 36)
            snprintf (modified, sizeof modified, "'2023-06-15 08:30:00'");
        else
        if (i > 40)
            snprintf (modified, sizeof modified, "'2024-02-%02d 10:00:00'", i - 40);
        else
            snprintf (modified, sizeof modified, "'2024-01-%02d 12:00:00'", 28 - (i - 1) / 3);
        int location = i > 40? 900004: 900001 + i % 3;
        const char *size = i % 4 == 0? "NULL": i % 4 == 1? "900001": "900002";
        const char *deleted = i == 5? "'2023-03-03 03:03:03'": "'0000-00-00 00:00:00'";
        const char *comments = i == 7? "'it''s \xe2\x9c\x93 ok'": i % 2? "NULL": "'plain'";
        snprintf (sql, sizeof sql,
                  "INSERT INTO stock (id, box_id, product_id, size_id, weight_display_unit_id,"
                  " weight, monetary_value, display_unit_id, measure_value, items, location_id,"
                  " qr_id, comments, created, created_by, modified, modified_by, deleted,"
                  " box_state_id) VALUES (%d, 'S%d', %d, %s, 1, %s, %s, %s, %s, %d, %d, %s, %s,"
                  " '2023-01-01 00:00:00', 900001, %s, %s, %s, %d)",
                  id, id, 900001 + i % 3, size,
                  i % 5 == 0? "NULL": i % 2? "2.500000000000000000": "0.125",
                  i == 2? "12.75": "NULL",
                  i == 3? "900001": "NULL",
                  i == 3? "1500.5": "NULL",
                  i, location, i == 1? "900001": "NULL", comments, modified,
                  i % 2? "900002": "NULL", deleted, 1 + i % 3);
        dp_db_testdb_exec (mysql, sql);
    }
    dp_db_testdb_exec (mysql, "SET FOREIGN_KEY_CHECKS = 1");
}

int
dp_db_testdb_setup (char *reason, size_t reason_len)
{
    const char *dir = s_env ("DP_DB_TEST_DIR");
    const char *script = s_env ("DP_DB_TEST_MARIADB_SH");
    if (!dir || !script || !s_readable (script)) {
        snprintf (reason, reason_len, "DP_DB_TEST_DIR / DP_DB_TEST_MARIADB_SH not set or unreadable");
        return -1;
    }
    if (system ("command -v mariadbd >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1")) {
        snprintf (reason, reason_len, "mariadbd or the mariadb client is not installed");
        return -1;
    }
    char socket [512];
    if (s_script ("start", socket, sizeof socket) != 0 || socket [0] != '/') {
        snprintf (reason, reason_len, "scripts/mariadb.sh start failed: %s", socket);
        return -1;
    }
    MYSQL *mysql = s_connect (socket, NULL);
    if (!mysql) {
        snprintf (reason, reason_len, "cannot connect to the test MariaDB at %s", socket);
        return -1;
    }
    dp_db_testdb_exec (mysql, "DROP DATABASE IF EXISTS " DP_DB_TESTDB_NAME);
    dp_db_testdb_exec (mysql, "CREATE DATABASE " DP_DB_TESTDB_NAME
                              " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    dp_db_testdb_exec (mysql, "USE " DP_DB_TESTDB_NAME);

    const char *init_sql = s_env ("DP_DB_TEST_INIT_SQL");
    const char *ddl_sql = s_env ("DP_DB_TEST_DDL_SQL");
    const char *indexes_sql = s_env ("DP_DB_TEST_INDEXES_SQL");
    bool boxtribute = s_readable (init_sql);
    const char *schema = boxtribute? init_sql: ddl_sql;
    if (!s_readable (schema)) {
        snprintf (reason, reason_len, "neither boxtribute-init.sql nor db/ddl.sql is readable");
        mysql_close (mysql);
        return -1;
    }
    if (!boxtribute)
        printf ("dp_db_testdb: %s absent: seed rows on db/ddl.sql only\n",
                init_sql? init_sql: "boxtribute-init.sql");
    if (s_load_file (socket, schema) != 0) {
        snprintf (reason, reason_len, "loading %s failed", schema);
        mysql_close (mysql);
        return -1;
    }
    if (s_readable (indexes_sql) && s_load_file (socket, indexes_sql) != 0) {
        snprintf (reason, reason_len, "loading %s failed", indexes_sql);
        mysql_close (mysql);
        return -1;
    }
    s_seed (mysql);
    char sql [200];
    snprintf (sql, sizeof sql, "CREATE TABLE dp_test_ready (boxtribute INT NOT NULL)");
    dp_db_testdb_exec (mysql, sql);
    snprintf (sql, sizeof sql, "INSERT INTO dp_test_ready VALUES (%d)", boxtribute);
    dp_db_testdb_exec (mysql, sql);
    mysql_close (mysql);
    return 0;
}

int
dp_db_testdb_cleanup (void)
{
    return s_script ("stop", NULL, 0) == 0? 0: -1;
}

//  The socket of a server that answers and has a ready test database.
static int
s_find (dp_db_testdb_t *db)
{
    const char *dir = s_env ("DP_DB_TEST_DIR");
    if (!dir || s_script ("status", NULL, 0) != 0)
        return -1;
    char path [PATH_MAX];
    if (!realpath (dir, path))
        return -1;
    if (strlen (path) + sizeof "/mysqld.sock" > sizeof db->socket)
        return -1;
    memcpy (db->socket, path, strlen (path));
    memcpy (db->socket + strlen (path), "/mysqld.sock", sizeof "/mysqld.sock");
    MYSQL *mysql = s_connect (db->socket, NULL);
    if (!mysql)
        return -1;
    int rc = -1;
    if (mysql_query (mysql, "SELECT boxtribute FROM " DP_DB_TESTDB_NAME ".dp_test_ready") == 0) {
        MYSQL_RES *result = mysql_store_result (mysql);
        MYSQL_ROW row = result? mysql_fetch_row (result): NULL;
        if (row && row [0]) {
            db->boxtribute = atoi (row [0]) != 0;
            rc = 0;
        }
        mysql_free_result (result);
    }
    mysql_close (mysql);
    return rc;
}

int
dp_db_testdb_open (dp_db_testdb_t *db, char *reason, size_t reason_len)
{
    assert (db);
    memset (db, 0, sizeof *db);
    mysql_library_init (0, NULL, NULL);
    if (s_find (db) == 0)
        return 0;
    if (dp_db_testdb_setup (reason, reason_len))
        return -1;
    if (s_find (db) == 0)
        return 0;
    snprintf (reason, reason_len, "the test database was set up but cannot be found");
    return -1;
}

MYSQL *
dp_db_testdb_connect (const dp_db_testdb_t *db)
{
    MYSQL *mysql = s_connect (db->socket, DP_DB_TESTDB_NAME);
    assert (mysql);
    dp_db_testdb_exec (mysql, "SET time_zone = '+00:00', sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    return mysql;
}
