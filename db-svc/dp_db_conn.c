/*  =========================================================================
    dp_db_conn - one non-blocking MariaDB connection, as a state machine

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each operation is a chain of connector calls: connect = real_connect,
    then the session setup statement, then the read of the key columns'
    character sets (dp_db_charset); a statement = real_query, then
    store_result. Every _start/_cont call either finishes its step (status
    0) or returns the MYSQL_WAIT_* bits it waits for; s_progress walks the
    chain as far as it can without waiting and reports where it stopped.
@discuss
    Timeouts: connect 3 s, read 120 s, write 30 s. With MYSQL_OPT_NONBLOCK
    the connector reports them as MYSQL_WAIT_TIMEOUT plus a value in ms;
    the owner turns that into a poll timeout and calls back with
    timed_out. Closing uses the blocking mysql_close: on a lost or idle
    connection it writes at most one small COM_QUIT packet.
@end
*/
#include "dp_db_conn.h"
#include "dp_db_testdb.h"
#include "dp_db_charset.h"
#include "dp_log.h"
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#ifndef ER_CLIENT_INTERACTION_TIMEOUT
#   define ER_CLIENT_INTERACTION_TIMEOUT 4031  //  MariaDB 10.x+: idle client disconnected
#endif

#define S_CONNECT_TIMEOUT_S  3
#define S_READ_TIMEOUT_S     120
#define S_WRITE_TIMEOUT_S    30

//  The session every connection runs in: UTC, and a sql_mode without
//  NO_ZERO_DATE / strict modes so boxtribute's zero dates read back.
static const char s_setup_sql [] =
    "SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = 'NO_ENGINE_SUBSTITUTION'";

typedef enum {
    S_PHASE_NONE,
    S_PHASE_CONNECT,
    S_PHASE_SETUP,
    S_PHASE_CHARSETS,           //  reading the key columns' character sets
    S_PHASE_CHARSETS_STORE,
    S_PHASE_QUERY,
    S_PHASE_STORE
} s_phase_t;

struct _dp_db_conn_t {
    MYSQL *mysql;               //  the handle, NULL when DOWN
    dp_db_conn_state_t state;
    s_phase_t phase;            //  step under way (CONNECTING, BUSY)
    int wait;                   //  MYSQL_WAIT_* bits of the last _start/_cont
    int64_t wakeup;             //  zclock_mono ms of the connector's timeout, or -1
    MYSQL *connect_ret;         //  result of real_connect
    int query_ret;              //  result of real_query
    MYSQL_RES *result;          //  stored result of the last statement
    char *host;                 //  server and credentials (copies)
    char *socket;
    char *user;
    char *password;
    char *database;
    unsigned int port;
    unsigned int err_no;        //  last error
    char error [512];
    dp_sql_t charsets_sql;      //  the set-up statement that reads them
    dp_db_charsets_t charsets;  //  of the server, read at set-up
};

static pthread_once_t s_library_once = PTHREAD_ONCE_INIT;

static void
s_library_init (void)
{
    if (mysql_library_init (0, NULL, NULL))
        dp_fatal ("mariadb client library failed to initialise");
}

void
dp_db_conn_library_init (void)
{
    pthread_once (&s_library_once, s_library_init);
}

void
dp_db_conn_thread_init (void)
{
    dp_db_conn_library_init ();
    mysql_thread_init ();
}

void
dp_db_conn_thread_end (void)
{
    mysql_thread_end ();
}

static char *
s_strdup_or_null (const char *text)
{
    if (!text)
        return NULL;
    char *copy = strdup (text);
    if (!copy)
        dp_fatal ("out of memory");
    return copy;
}

dp_db_conn_t *
dp_db_conn_new (const dp_db_config_t *config)
{
    assert (config);
    dp_db_conn_library_init ();
    dp_db_conn_t *self = calloc (1, sizeof (dp_db_conn_t));
    if (!self)
        dp_fatal ("out of memory");
    self->state = DP_DB_CONN_DOWN;
    self->wakeup = -1;
    self->host = s_strdup_or_null (config->host && *config->host? config->host: NULL);
    self->socket = s_strdup_or_null (config->socket && *config->socket? config->socket: NULL);
    self->user = s_strdup_or_null (config->user);
    self->password = s_strdup_or_null (config->password);
    self->database = s_strdup_or_null (config->database && *config->database? config->database: NULL);
    self->port = config->port > 0? (unsigned int) config->port: 0;
    dp_sql_init (&self->charsets_sql);
    dp_db_charsets_build_sql (&self->charsets_sql);
    dp_db_charsets_init (&self->charsets);
    return self;
}

//  Close the handle and go DOWN (the last error stays).
static void
s_close (dp_db_conn_t *self)
{
    if (self->result) {
        mysql_free_result (self->result);
        self->result = NULL;
    }
    if (self->mysql) {
        //  In the middle of an operation, cut the socket first so the
        //  COM_QUIT that mysql_close writes cannot wait on anything.
        if (self->state == DP_DB_CONN_BUSY)
            mariadb_cancel (self->mysql);
        mysql_close (self->mysql);
        self->mysql = NULL;
    }
    self->state = DP_DB_CONN_DOWN;
    self->phase = S_PHASE_NONE;
    self->wait = 0;
    self->wakeup = -1;
}

void
dp_db_conn_destroy (dp_db_conn_t **self_p)
{
    assert (self_p);
    dp_db_conn_t *self = *self_p;
    if (!self)
        return;
    s_close (self);
    free (self->host);
    free (self->socket);
    free (self->user);
    if (self->password)
        memset (self->password, 0, strlen (self->password));
    free (self->password);
    free (self->database);
    dp_sql_destroy (&self->charsets_sql);
    free (self);
    *self_p = NULL;
}

static void
s_set_error (dp_db_conn_t *self, unsigned int err_no, const char *message)
{
    self->err_no = err_no;
    snprintf (self->error, sizeof self->error, "%s", message && *message? message: "unknown error");
}

static void
s_take_error (dp_db_conn_t *self)
{
    s_set_error (self, mysql_errno (self->mysql), mysql_error (self->mysql));
    if (self->err_no == 0)
        s_set_error (self, CR_UNKNOWN_ERROR, "the connector failed without an error code");
}

//  Is this error the end of the connection (rather than of the statement)?
static bool
s_error_is_lost (unsigned int err_no)
{
    return (err_no >= CR_MIN_ERROR && err_no <= CR_MAX_ERROR)
        || err_no == ER_CONNECTION_KILLED
        || err_no == ER_SERVER_SHUTDOWN
        || err_no == ER_NET_READ_ERROR
        || err_no == ER_NET_ERROR_ON_WRITE
        || err_no == ER_NET_READ_INTERRUPTED
        || err_no == ER_NET_WRITE_INTERRUPTED
        || err_no == ER_NEW_ABORTING_CONNECTION
        || err_no == ER_CLIENT_INTERACTION_TIMEOUT;
}

//  A statement failed: FAILED (connection fine) or LOST (closed).
static dp_db_conn_event_t
s_statement_failed (dp_db_conn_t *self)
{
    s_take_error (self);
    if (self->result) {
        mysql_free_result (self->result);
        self->result = NULL;
    }
    if (s_error_is_lost (self->err_no)) {
        s_close (self);
        return DP_DB_CONN_LOST;
    }
    self->state = DP_DB_CONN_IDLE;
    self->phase = S_PHASE_NONE;
    self->wait = 0;
    self->wakeup = -1;
    return DP_DB_CONN_FAILED;
}

//  Keep the character sets the set-up statement read; free its result.
static void
s_read_charsets (dp_db_conn_t *self)
{
    dp_db_charsets_init (&self->charsets);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row (self->result)))
        if (row [0] && row [1])
            dp_db_charsets_read_row (&self->charsets, row [0], row [1], row [2]);
    mysql_free_result (self->result);
    self->result = NULL;
}

//  Walk the operation's steps as far as possible: wait is the status of the
//  call just made.
static dp_db_conn_event_t
s_progress (dp_db_conn_t *self, int wait)
{
    while (true) {
        if (wait) {
            self->wait = wait;
            self->wakeup = (wait & MYSQL_WAIT_TIMEOUT)
                         ? zclock_mono () + (int64_t) mysql_get_timeout_value_ms (self->mysql)
                         : -1;
            return DP_DB_CONN_WAITING;
        }
        self->wait = 0;
        self->wakeup = -1;
        switch (self->phase) {
            case S_PHASE_CONNECT:
                if (!self->connect_ret) {
                    s_take_error (self);
                    s_close (self);
                    return DP_DB_CONN_CONNECT_FAILED;
                }
                self->phase = S_PHASE_SETUP;
                wait = mysql_real_query_start (&self->query_ret, self->mysql,
                                               s_setup_sql, sizeof s_setup_sql - 1);
                break;
            case S_PHASE_SETUP:
            case S_PHASE_CHARSETS:
                if (self->query_ret) {
                    s_take_error (self);
                    s_close (self);
                    return DP_DB_CONN_CONNECT_FAILED;
                }
                if (self->phase == S_PHASE_SETUP) {
                    self->phase = S_PHASE_CHARSETS;
                    wait = mysql_real_query_start (&self->query_ret, self->mysql,
                                                   self->charsets_sql.data,
                                                   (unsigned long) self->charsets_sql.len);
                }
                else {
                    self->phase = S_PHASE_CHARSETS_STORE;
                    wait = mysql_store_result_start (&self->result, self->mysql);
                }
                break;
            case S_PHASE_CHARSETS_STORE:
                if (!self->result) {
                    s_take_error (self);
                    s_close (self);
                    return DP_DB_CONN_CONNECT_FAILED;
                }
                s_read_charsets (self);
                self->phase = S_PHASE_NONE;
                self->state = DP_DB_CONN_IDLE;
                return DP_DB_CONN_READY;
            case S_PHASE_QUERY:
                if (self->query_ret)
                    return s_statement_failed (self);
                self->phase = S_PHASE_STORE;
                wait = mysql_store_result_start (&self->result, self->mysql);
                break;
            case S_PHASE_STORE:
                if (!self->result && mysql_field_count (self->mysql) > 0)
                    return s_statement_failed (self);
                self->phase = S_PHASE_NONE;
                self->state = DP_DB_CONN_IDLE;
                return DP_DB_CONN_DONE;
            case S_PHASE_NONE:
                assert (false);
                return DP_DB_CONN_WAITING;
        }
    }
}

dp_db_conn_event_t
dp_db_conn_connect (dp_db_conn_t *self)
{
    assert (self);
    assert (self->state == DP_DB_CONN_DOWN);
    self->mysql = mysql_init (NULL);
    if (!self->mysql)
        dp_fatal ("out of memory in mysql_init");
    unsigned int connect_timeout = S_CONNECT_TIMEOUT_S;
    unsigned int read_timeout = S_READ_TIMEOUT_S;
    unsigned int write_timeout = S_WRITE_TIMEOUT_S;
    mysql_options (self->mysql, MYSQL_OPT_NONBLOCK, 0);
    mysql_options (self->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options (self->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options (self->mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_options (self->mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
    self->state = DP_DB_CONN_CONNECTING;
    self->phase = S_PHASE_CONNECT;
    dp_db_charsets_init (&self->charsets);
    self->err_no = 0;
    self->error [0] = 0;
    int wait = mysql_real_connect_start (&self->connect_ret, self->mysql, self->host,
                                         self->user, self->password, self->database,
                                         self->port, self->socket, 0);
    return s_progress (self, wait);
}

dp_db_conn_event_t
dp_db_conn_query (dp_db_conn_t *self, const char *sql, size_t len)
{
    assert (self);
    assert (sql);
    assert (self->state == DP_DB_CONN_IDLE);
    assert (!self->result);
    self->state = DP_DB_CONN_BUSY;
    self->phase = S_PHASE_QUERY;
    self->err_no = 0;
    self->error [0] = 0;
    int wait = mysql_real_query_start (&self->query_ret, self->mysql, sql, (unsigned long) len);
    return s_progress (self, wait);
}

dp_db_conn_event_t
dp_db_conn_continue (dp_db_conn_t *self, short revents, bool timed_out)
{
    assert (self);
    if (self->state == DP_DB_CONN_IDLE) {
        //  Nothing is due on an idle connection: input is the server
        //  closing it (wait_timeout, KILL, shutdown).
        if (revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
            s_set_error (self, CR_SERVER_LOST, "the server closed the idle connection");
            s_close (self);
            return DP_DB_CONN_LOST;
        }
        return DP_DB_CONN_WAITING;
    }
    if (self->state == DP_DB_CONN_DOWN)
        return DP_DB_CONN_WAITING;

    int events = 0;
    if (revents & ZMQ_POLLIN)
        events |= MYSQL_WAIT_READ;
    if (revents & ZMQ_POLLOUT)
        events |= MYSQL_WAIT_WRITE;
    if (revents & ZMQ_POLLERR)      //  let the connector meet the error itself
        events |= self->wait & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE | MYSQL_WAIT_EXCEPT);
    if (timed_out && (self->wait & MYSQL_WAIT_TIMEOUT))
        events |= MYSQL_WAIT_TIMEOUT;
    if (!events)
        return DP_DB_CONN_WAITING;

    int wait = 0;
    switch (self->phase) {
        case S_PHASE_CONNECT:
            wait = mysql_real_connect_cont (&self->connect_ret, self->mysql, events);
            break;
        case S_PHASE_SETUP:
        case S_PHASE_CHARSETS:
        case S_PHASE_QUERY:
            wait = mysql_real_query_cont (&self->query_ret, self->mysql, events);
            break;
        case S_PHASE_CHARSETS_STORE:
        case S_PHASE_STORE:
            wait = mysql_store_result_cont (&self->result, self->mysql, events);
            break;
        case S_PHASE_NONE:
            assert (false);
            break;
    }
    return s_progress (self, wait);
}

dp_db_conn_state_t
dp_db_conn_state (dp_db_conn_t *self)
{
    assert (self);
    return self->state;
}

int
dp_db_conn_fd (dp_db_conn_t *self)
{
    assert (self);
    if (!self->mysql || self->state == DP_DB_CONN_DOWN)
        return -1;
    return (int) mysql_get_socket (self->mysql);
}

short
dp_db_conn_events (dp_db_conn_t *self)
{
    assert (self);
    if (self->state == DP_DB_CONN_IDLE)
        return ZMQ_POLLIN;
    if (self->state != DP_DB_CONN_CONNECTING && self->state != DP_DB_CONN_BUSY)
        return 0;
    short events = 0;
    if (self->wait & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT))
        events |= ZMQ_POLLIN;
    if (self->wait & MYSQL_WAIT_WRITE)
        events |= ZMQ_POLLOUT;
    return events;
}

int64_t
dp_db_conn_wakeup (dp_db_conn_t *self)
{
    assert (self);
    return self->wakeup;
}

const char *
dp_db_conn_error (dp_db_conn_t *self)
{
    assert (self);
    return self->error;
}

unsigned int
dp_db_conn_errno (dp_db_conn_t *self)
{
    assert (self);
    return self->err_no;
}

bool
dp_db_conn_interrupted (dp_db_conn_t *self)
{
    assert (self);
    return self->err_no == ER_STATEMENT_TIMEOUT || self->err_no == ER_QUERY_INTERRUPTED;
}

unsigned int
dp_db_conn_num_fields (dp_db_conn_t *self)
{
    assert (self);
    return self->result? mysql_num_fields (self->result): 0;
}

uint64_t
dp_db_conn_num_rows (dp_db_conn_t *self)
{
    assert (self);
    return self->result? (uint64_t) mysql_num_rows (self->result): 0;
}

char **
dp_db_conn_fetch_row (dp_db_conn_t *self, unsigned long **lengths)
{
    assert (self);
    assert (lengths);
    if (!self->result)
        return NULL;
    MYSQL_ROW row = mysql_fetch_row (self->result);
    if (!row)
        return NULL;
    *lengths = mysql_fetch_lengths (self->result);
    return row;
}

void
dp_db_conn_rewind (dp_db_conn_t *self)
{
    assert (self);
    if (self->result)
        mysql_data_seek (self->result, 0);
}

void
dp_db_conn_free_result (dp_db_conn_t *self)
{
    assert (self);
    if (self->result) {
        mysql_free_result (self->result);
        self->result = NULL;
    }
}

const dp_db_charsets_t *
dp_db_conn_charsets (dp_db_conn_t *self)
{
    assert (self);
    return &self->charsets;
}

unsigned long
dp_db_conn_thread_id (dp_db_conn_t *self)
{
    assert (self);
    return self->mysql && self->state != DP_DB_CONN_DOWN? mysql_thread_id (self->mysql): 0;
}


//  ==========================================================================
//  Selftest

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
dp_db_conn_selftest (bool verbose)
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
    dp_db_conn_destroy (&conn);

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

void
dp_db_conn_test (bool verbose)
{
    dp_db_conn_selftest (verbose);
}
