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
    Over a Unix socket, the connector (3.3, Debian 12) closes its socket
    twice when connect() fails (no such file, or nobody listening): the
    second close() hits whatever descriptor another thread opened with that
    number in between, such as one of libzmq's signalers, which libzmq then
    aborts on ("pfd.revents & POLLIN"). So a Unix socket is first tried with
    a connect() of our own, which fails cleanly, and the connector is only
    called once something listens there.
@end
*/
#include "dp_db_conn.h"
#include "dp_db_charset.h"
#include "dp_log.h"
#include <czmq.h>
#include <mysql.h>
#include <openssl/crypto.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef ER_CLIENT_INTERACTION_TIMEOUT
#   define ER_CLIENT_INTERACTION_TIMEOUT 4031  //  MariaDB 10.x+: idle client disconnected
#endif

#define S_CONNECT_TIMEOUT_S  3
#define S_READ_TIMEOUT_S     120
#define S_WRITE_TIMEOUT_S    30

//  The session every connection runs in: UTC, and a sql_mode without
//  NO_ZERO_DATE / strict modes so boxtribute's zero dates read back.
//  Its OK packets carry @@last_gtid whenever it changes (session state
//  tracking), so a COMMIT answers the primary's GTID position without one
//  more statement (read-your-writes, dp_db_conn_last_gtid).
static const char s_setup_sql [] =
    "SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = 'NO_ENGINE_SUBSTITUTION',"
    " session_track_system_variables = 'last_gtid'";

typedef enum {
    S_PHASE_NONE,
    S_PHASE_CONNECT,
    S_PHASE_SETUP,
    S_PHASE_CHARSETS,           //  reading the key columns' character sets
    S_PHASE_CHARSETS_STORE,
    S_PHASE_QUERY,
    S_PHASE_NEXT,               //  moving to a batch's next statement
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
    //  The connector's TLS and authentication use OpenSSL, which keeps
    //  state per thread and frees it from a thread-exit destructor. That
    //  destructor runs after the actor has told its owner it is done, so it
    //  raced with the process's own clean-up (mysql_library_end, OpenSSL's
    //  atexit handler) and crashed in libcrypto at shutdown. Free it here,
    //  while the owner still waits for us.
    OPENSSL_thread_stop ();
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
dp_db_conn_close (dp_db_conn_t *self)
{
    assert (self);
    s_close (self);
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
            case S_PHASE_NEXT:
                //  0: the next statement ran; > 0: it failed (and the
                //  server ran none after it); -1: there was none.
                if (self->query_ret == -1) {
                    s_set_error (self, CR_COMMANDS_OUT_OF_SYNC,
                                 "the batch has no statement left");
                    self->state = DP_DB_CONN_IDLE;
                    self->phase = S_PHASE_NONE;
                    return DP_DB_CONN_FAILED;
                }
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

//  Does this connection go over a Unix socket? As the connector decides:
//  a socket path with no host or "localhost".
static bool
s_over_unix_socket (const dp_db_conn_t *self)
{
    return self->socket && (!self->host || strcmp (self->host, "localhost") == 0);
}

//  Is something listening on the Unix socket? Returns 0, or -1 with the
//  reason in buf (see the header: the connector's own failure path closes
//  a descriptor twice).
static int
s_probe_unix_socket (const char *path, char *buf, size_t size)
{
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen (path) >= sizeof address.sun_path) {
        snprintf (buf, size, "the socket path '%s' is too long", path);
        return -1;
    }
    strcpy (address.sun_path, path);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd == -1) {
        snprintf (buf, size, "cannot open a socket: %s", strerror (errno));
        return -1;
    }
    //  A full backlog (EAGAIN) still means a server is there.
    int rc = connect (fd, (struct sockaddr *) &address, sizeof address);
    int error = errno;
    close (fd);
    if (rc == 0 || error == EAGAIN || error == EINPROGRESS)
        return 0;
    snprintf (buf, size, "Can't connect to local server through socket '%s' (%d: %s)",
              path, error, strerror (error));
    return -1;
}

dp_db_conn_event_t
dp_db_conn_connect (dp_db_conn_t *self)
{
    assert (self);
    assert (self->state == DP_DB_CONN_DOWN);
    char reason [sizeof self->error];
    if (s_over_unix_socket (self) && s_probe_unix_socket (self->socket, reason, sizeof reason)) {
        s_set_error (self, CR_CONNECTION_ERROR, reason);
        return DP_DB_CONN_CONNECT_FAILED;
    }
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
                                         self->port, self->socket,
                                         CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS);
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

bool
dp_db_conn_more_results (dp_db_conn_t *self)
{
    assert (self);
    return self->mysql && self->state == DP_DB_CONN_IDLE && mysql_more_results (self->mysql);
}

dp_db_conn_event_t
dp_db_conn_next_result (dp_db_conn_t *self)
{
    assert (self);
    assert (self->state == DP_DB_CONN_IDLE);
    assert (!self->result);
    self->state = DP_DB_CONN_BUSY;
    self->phase = S_PHASE_NEXT;
    self->err_no = 0;
    self->error [0] = 0;
    int wait = mysql_next_result_start (&self->query_ret, self->mysql);
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
        case S_PHASE_NEXT:
            wait = mysql_next_result_cont (&self->query_ret, self->mysql, events);
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
dp_db_conn_affected_rows (dp_db_conn_t *self)
{
    assert (self && self->mysql);
    return (uint64_t) mysql_affected_rows (self->mysql);
}

bool
dp_db_conn_last_gtid (dp_db_conn_t *self, char *buf, size_t len)
{
    assert (self && self->mysql && buf && len);
    *buf = 0;
    const char *data;
    size_t size;
    //  The tracker reports name, then value, for each variable that changed.
    if (mysql_session_track_get_first (self->mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &size))
        return false;
    do {
        bool is_last_gtid = size == strlen ("last_gtid") && memcmp (data, "last_gtid", size) == 0;
        if (mysql_session_track_get_next (self->mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &size))
            return false;
        if (is_last_gtid) {
            if (size == 0 || size >= len)
                return false;       //  no binary log: no GTID
            memcpy (buf, data, size);
            buf [size] = 0;
            return true;
        }
    } while (mysql_session_track_get_next (self->mysql, SESSION_TRACK_SYSTEM_VARIABLES,
                                           &data, &size) == 0);
    return false;
}

uint64_t
dp_db_conn_insert_id (dp_db_conn_t *self)
{
    assert (self && self->mysql);
    return (uint64_t) mysql_insert_id (self->mysql);
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
