/*  =========================================================================
    dp_db_conn_test - the selftest of dp_db_conn against the test MariaDB

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Drives one non-blocking connection by hand (its own poll loop): connect,
    statements, errors, a KILL from outside, a server that is not there, a
    wrong password. Test support only: it needs dp_db_testdb.
@end
*/
#include "dp_db_conn.h"
#include "dp_db_testdb.h"
#include <czmq.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

//  Poll the connection until its operation ends (or until_ms passes, for
//  an idle connection); returns the event.
static dp_db_conn_event_t
s_test_drive (dp_db_conn_t *conn, dp_db_conn_event_t event, int64_t until_ms)
{
    while (event == DP_DB_CONN_WAITING) {
        int64_t now = zclock_mono ();
        if (dp_db_conn_state (conn) == DP_DB_CONN_IDLE && now >= until_ms)
            return event;
        zmq_pollitem_t item = { NULL, dp_db_conn_fd (conn), dp_db_conn_events (conn), 0 };
        int64_t wakeup = dp_db_conn_wakeup (conn);
        long timeout = 100;
        if (wakeup >= 0 && wakeup - now < timeout)
            timeout = (long) (wakeup > now? wakeup - now: 0);
        int rc = zmq_poll (&item, 1, timeout);
        assert (rc >= 0);
        bool timed_out = wakeup >= 0 && zclock_mono () >= wakeup;
        event = dp_db_conn_continue (conn, item.revents, timed_out);
    }
    return event;
}

int
dp_db_conn_test (bool verbose)
{
    printf (" * dp_db_conn: ");
    if (verbose)
        printf ("\n");
    dp_db_testdb_t db;
    char reason [512];
    if (dp_db_testdb_open (&db, reason, sizeof reason)) {
        printf ("SKIPPED (%s)\n", reason);
        return 77;
    }
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = db.socket;
    config.user = "root";
    config.database = DP_DB_TESTDB_NAME;

    //  Connect without blocking: the call returns before the handshake is
    //  over, and the connection becomes IDLE once driven.
    dp_db_conn_t *conn = dp_db_conn_new (&config);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_DOWN);
    assert (dp_db_conn_fd (conn) == -1);
    dp_db_conn_event_t event = dp_db_conn_connect (conn);
    assert (event == DP_DB_CONN_WAITING || event == DP_DB_CONN_READY);
    event = s_test_drive (conn, event, 0);
    assert (event == DP_DB_CONN_READY);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_IDLE);
    assert (dp_db_conn_fd (conn) >= 0);
    assert (dp_db_conn_thread_id (conn) > 0);

    //  Destroyed at any point of an operation (db-svc stopping while a
    //  connection is set up or a statement runs): nothing waits or breaks.
    //  Each round stops one wait later: inside the handshake, the session
    //  set-up, a running statement, then once all is done.
    for (int stop_after = 0; stop_after < 64; stop_after++) {
        dp_db_conn_t *brief = dp_db_conn_new (&config);
        dp_db_conn_event_t step = dp_db_conn_connect (brief);
        bool queried = false;
        for (int waits = 0; waits < stop_after; waits++) {
            if (step != DP_DB_CONN_WAITING) {
                if (queried || dp_db_conn_state (brief) != DP_DB_CONN_IDLE)
                    break;
                const char *slow = "SELECT SLEEP(0.05)";
                step = dp_db_conn_query (brief, slow, strlen (slow));
                queried = true;
                continue;
            }
            zmq_pollitem_t item = { NULL, dp_db_conn_fd (brief), dp_db_conn_events (brief), 0 };
            zmq_poll (&item, 1, 100);
            int64_t wakeup = dp_db_conn_wakeup (brief);
            step = dp_db_conn_continue (brief, item.revents, wakeup >= 0 && zclock_mono () >= wakeup);
        }
        dp_db_conn_destroy (&brief);
        assert (brief == NULL);
    }

    //  The session is UTC, utf8mb4 and accepts zero dates; rows come back
    //  as text with NULL as a NULL cell.
    const char *sql = "SELECT @@session.time_zone, @@character_set_client, @@sql_mode,"
                      " NULL, CAST('0000-00-00 00:00:00' AS DATETIME),"
                      " (SELECT naam FROM cms_users WHERE id = 900002)";
    event = s_test_drive (conn, dp_db_conn_query (conn, sql, strlen (sql)), 0);
    assert (event == DP_DB_CONN_DONE);
    assert (dp_db_conn_num_fields (conn) == 6);
    assert (dp_db_conn_num_rows (conn) == 1);
    unsigned long *lengths;
    char **row = dp_db_conn_fetch_row (conn, &lengths);
    assert (row);
    assert (strcmp (row [0], "+00:00") == 0);
    assert (strcmp (row [1], "utf8mb4") == 0);
    assert (!strstr (row [2], "NO_ZERO_DATE") && !strstr (row [2], "STRICT"));
    assert (row [3] == NULL);
    assert (row [4] && strncmp (row [4], "0000-00-00", 10) == 0);
    assert (strcmp (row [5], "Seed \xc3\x9c" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93") == 0);
    assert (lengths [5] == strlen (row [5]));
    assert (dp_db_conn_fetch_row (conn, &lengths) == NULL);
    dp_db_conn_rewind (conn);               //  the stored result reads again
    row = dp_db_conn_fetch_row (conn, &lengths);
    assert (row && strcmp (row [0], "+00:00") == 0);
    assert (dp_db_conn_fetch_row (conn, &lengths) == NULL);
    dp_db_conn_free_result (conn);

    //  A statement MariaDB refuses: FAILED with its message, and the
    //  connection stays usable.
    sql = "SELECT no_such_column FROM stock";
    event = s_test_drive (conn, dp_db_conn_query (conn, sql, strlen (sql)), 0);
    assert (event == DP_DB_CONN_FAILED);
    assert (dp_db_conn_errno (conn) == ER_BAD_FIELD_ERROR);
    assert (strstr (dp_db_conn_error (conn), "no_such_column"));
    assert (dp_db_conn_state (conn) == DP_DB_CONN_IDLE);
    sql = "DO 1";                           //  no result set at all
    event = s_test_drive (conn, dp_db_conn_query (conn, sql, strlen (sql)), 0);
    assert (event == DP_DB_CONN_DONE);
    assert (dp_db_conn_num_fields (conn) == 0);
    assert (dp_db_conn_fetch_row (conn, &lengths) == NULL);

    //  A slow statement does not block the caller: the start call returns
    //  WAITING at once and the answer comes after the sleep.
    sql = "SELECT SLEEP(0.3)";
    int64_t started = zclock_mono ();
    event = dp_db_conn_query (conn, sql, strlen (sql));
    assert (event == DP_DB_CONN_WAITING);
    assert (zclock_mono () - started < 100);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_BUSY);
    assert (dp_db_conn_events (conn) & ZMQ_POLLIN);
    event = s_test_drive (conn, event, 0);
    assert (event == DP_DB_CONN_DONE);
    assert (zclock_mono () - started >= 290);
    dp_db_conn_free_result (conn);
    assert (!dp_db_conn_interrupted (conn));

    //  A statement the server interrupts, by its max_statement_time or by
    //  KILL QUERY from another connection: FAILED and interrupted, and the
    //  connection stays IDLE for the next statement.
    sql = "SET STATEMENT max_statement_time=0.2 FOR SELECT SLEEP(3)";
    started = zclock_mono ();
    event = s_test_drive (conn, dp_db_conn_query (conn, sql, strlen (sql)), 0);
    assert (event == DP_DB_CONN_FAILED);
    assert (dp_db_conn_interrupted (conn));
    assert (dp_db_conn_errno (conn) == ER_STATEMENT_TIMEOUT);
    assert (zclock_mono () - started < 2000);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_IDLE);
    MYSQL *killer = dp_db_testdb_connect (&db);
    sql = "SELECT SLEEP(3)";
    started = zclock_mono ();
    event = dp_db_conn_query (conn, sql, strlen (sql));
    assert (event == DP_DB_CONN_WAITING);
    zclock_sleep (100);
    char kill_query [64];
    snprintf (kill_query, sizeof kill_query, "KILL QUERY %lu", dp_db_conn_thread_id (conn));
    dp_db_testdb_exec (killer, kill_query);
    event = s_test_drive (conn, event, 0);
    assert (event == DP_DB_CONN_FAILED);
    assert (dp_db_conn_interrupted (conn));
    assert (dp_db_conn_errno (conn) == ER_QUERY_INTERRUPTED);
    assert (zclock_mono () - started < 2000);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_IDLE);
    mysql_close (killer);
    sql = "SELECT 7";
    event = s_test_drive (conn, dp_db_conn_query (conn, sql, strlen (sql)), 0);
    assert (event == DP_DB_CONN_DONE);
    row = dp_db_conn_fetch_row (conn, &lengths);
    assert (row && strcmp (row [0], "7") == 0);
    assert (!dp_db_conn_interrupted (conn));
    dp_db_conn_free_result (conn);

    //  Killed while idle: the poll sees the close and reports LOST at once.
    MYSQL *admin = dp_db_testdb_connect (&db);
    char kill [64];
    snprintf (kill, sizeof kill, "KILL %lu", dp_db_conn_thread_id (conn));
    dp_db_testdb_exec (admin, kill);
    event = s_test_drive (conn, DP_DB_CONN_WAITING, zclock_mono () + 2000);
    assert (event == DP_DB_CONN_LOST);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_DOWN);
    assert (dp_db_conn_fd (conn) == -1);

    //  Reconnect, then get killed in the middle of a statement: LOST.
    event = s_test_drive (conn, dp_db_conn_connect (conn), 0);
    assert (event == DP_DB_CONN_READY);
    sql = "SELECT SLEEP(5)";
    event = dp_db_conn_query (conn, sql, strlen (sql));
    assert (event == DP_DB_CONN_WAITING);
    snprintf (kill, sizeof kill, "KILL %lu", dp_db_conn_thread_id (conn));
    dp_db_testdb_exec (admin, kill);
    started = zclock_mono ();
    event = s_test_drive (conn, event, 0);
    assert (event == DP_DB_CONN_LOST);
    assert (zclock_mono () - started < 2000);
    if (verbose)
        printf ("    killed mid-statement: %u %s\n", dp_db_conn_errno (conn), dp_db_conn_error (conn));
    mysql_close (admin);
    dp_db_conn_destroy (&conn);
    assert (conn == NULL);
    dp_db_conn_destroy (&conn);             //  NULL is fine

    //  No server behind the socket: CONNECT_FAILED, quickly.
    config.socket = "/nonexistent/mysqld.sock";
    conn = dp_db_conn_new (&config);
    started = zclock_mono ();
    event = s_test_drive (conn, dp_db_conn_connect (conn), 0);
    assert (event == DP_DB_CONN_CONNECT_FAILED);
    assert (zclock_mono () - started < 1000);
    assert (dp_db_conn_state (conn) == DP_DB_CONN_DOWN);
    assert (dp_db_conn_errno (conn) >= CR_MIN_ERROR);
    if (verbose)
        printf ("    no server: %s\n", dp_db_conn_error (conn));
    //  Our own probe said so, not the connector, whose failure path closes
    //  its socket twice (see dp_db_conn.c): the message is the probe's.
    assert (strstr (dp_db_conn_error (conn), "No such file or directory"));
    assert (strstr (dp_db_conn_error (conn), "/nonexistent/mysqld.sock"));
    dp_db_conn_destroy (&conn);

    //  A socket file nobody listens on (a server killed without cleaning
    //  up): the probe fails it the same way, with connection refused.
    char stale [64];
    snprintf (stale, sizeof stale, "/tmp/dp-db-conn-stale-%ld.sock", (long) getpid ());
    unlink (stale);
    int bound = socket (AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf (address.sun_path, sizeof address.sun_path, "%s", stale);
    assert (bound >= 0 && bind (bound, (struct sockaddr *) &address, sizeof address) == 0);
    config.socket = stale;
    conn = dp_db_conn_new (&config);
    event = s_test_drive (conn, dp_db_conn_connect (conn), 0);
    assert (event == DP_DB_CONN_CONNECT_FAILED);
    assert (dp_db_conn_errno (conn) == CR_CONNECTION_ERROR);
    assert (strstr (dp_db_conn_error (conn), "Connection refused"));
    dp_db_conn_destroy (&conn);
    close (bound);
    unlink (stale);

    //  Wrong password: CONNECT_FAILED with MariaDB's access-denied error.
    config.socket = db.socket;
    config.user = "nobody_here";
    conn = dp_db_conn_new (&config);
    event = s_test_drive (conn, dp_db_conn_connect (conn), 0);
    assert (event == DP_DB_CONN_CONNECT_FAILED);
    assert (dp_db_conn_errno (conn) == ER_ACCESS_DENIED_ERROR);
    dp_db_conn_destroy (&conn);

    printf ("OK\n");
    return 0;
}
