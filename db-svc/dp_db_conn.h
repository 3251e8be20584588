/*  =========================================================================
    dp_db_conn - one non-blocking MariaDB connection, as a state machine

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A connection wraps one MYSQL handle in MYSQL_OPT_NONBLOCK mode and the
    _start/_cont calls of mariadb-connector-c. The owner (the DB actor)
    starts an operation (connect, query), then polls the connection's fd for
    the events it asks for (dp_db_conn_events) until its wake-up time
    (dp_db_conn_wakeup), and calls dp_db_conn_continue with what happened.
    Every call returns at once with an event saying how far it got.
@discuss
    States: DOWN (not connected; the owner reconnects when it likes),
    CONNECTING (connect, then the session setup: utf8mb4, time_zone
    '+00:00', a sql_mode that accepts zero dates; then the character sets
    of the columns lookups compare with string keys), IDLE (ready; the owner
    polls an idle connection for input too, which can only mean the server
    closed it), BUSY (a statement and the storing of its result).
    A statement's result is buffered whole (mysql_store_result) and read
    row by row with dp_db_conn_fetch_row before the next statement.
    Errors: a MariaDB error leaves the connection IDLE (FAILED); a client
    error (the CR_* range) or a killed connection closes it (LOST, now
    DOWN). mysql.h stays inside dp_db_conn.c.
@end
*/
#ifndef DP_DB_CONN_H_INCLUDED
#define DP_DB_CONN_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "dp_db_config.h"
#include "dp_db_charset.h"

typedef struct _dp_db_conn_t dp_db_conn_t;

typedef enum {
    DP_DB_CONN_DOWN,
    DP_DB_CONN_CONNECTING,
    DP_DB_CONN_IDLE,
    DP_DB_CONN_BUSY
} dp_db_conn_state_t;

typedef enum {
    DP_DB_CONN_WAITING,         //  nothing finished; keep polling
    DP_DB_CONN_READY,           //  connected and set up: now IDLE
    DP_DB_CONN_CONNECT_FAILED,  //  could not connect: now DOWN, error set
    DP_DB_CONN_DONE,            //  statement finished: now IDLE, result to read
    DP_DB_CONN_FAILED,          //  MariaDB refused the statement: now IDLE, error set
    DP_DB_CONN_LOST             //  connection lost: now DOWN, error set
} dp_db_conn_event_t;

//  Make sure the client library is initialised (thread-safe, idempotent).
void dp_db_conn_library_init (void);

//  Per-thread set-up and tear-down of the client library, for the thread
//  that owns connections (mysql_thread_init / mysql_thread_end).
void dp_db_conn_thread_init (void);
void dp_db_conn_thread_end (void);

//  Create a DOWN connection that will use config's server, credentials and
//  database (copied). Caller owns return value and must destroy it with
//  dp_db_conn_destroy.
dp_db_conn_t *dp_db_conn_new (const dp_db_config_t *config);

//  Close the connection (whatever its state) and free it; nullifies the
//  caller's reference. Accepts NULL.
void dp_db_conn_destroy (dp_db_conn_t **self_p);

//  Close the connection, whatever its state, and go DOWN (the pool
//  shrinks); it may be connected again later.
void dp_db_conn_close (dp_db_conn_t *self);

//  Start connecting a DOWN connection. Returns WAITING, READY or
//  CONNECT_FAILED.
dp_db_conn_event_t dp_db_conn_connect (dp_db_conn_t *self);

//  Start a statement on an IDLE connection whose previous result was
//  freed. sql must stay valid until the statement finishes (DONE, FAILED or
//  LOST). Returns WAITING, DONE, FAILED or LOST.
dp_db_conn_event_t dp_db_conn_query (dp_db_conn_t *self, const char *sql, size_t len);

//  A batch: several statements sent as one text, separated by ';'
//  (connections are opened with CLIENT_MULTI_STATEMENTS), run by the
//  server one after another in one round trip. dp_db_conn_query returns
//  the first statement's event; after its DONE and dp_db_conn_free_result,
//  dp_db_conn_next_result moves to the next one and returns as
//  dp_db_conn_query does. The server runs no statement after one that
//  FAILED. True when the statement that finished has another after it.
bool dp_db_conn_more_results (dp_db_conn_t *self);
dp_db_conn_event_t dp_db_conn_next_result (dp_db_conn_t *self);

//  Continue the operation under way after polling: revents are the
//  ZMQ_POLLIN/POLLOUT/POLLERR bits seen on the fd, timed_out is true when
//  the wake-up time passed. On an IDLE connection, input means the server
//  closed it: returns LOST. Otherwise returns as the call that started the
//  operation.
dp_db_conn_event_t dp_db_conn_continue (dp_db_conn_t *self, short revents, bool timed_out);

//  Current state.
dp_db_conn_state_t dp_db_conn_state (dp_db_conn_t *self);

//  The fd to poll, or -1 when there is none (DOWN).
int dp_db_conn_fd (dp_db_conn_t *self);

//  The ZMQ_POLLIN / ZMQ_POLLOUT events to poll for (0 when none).
short dp_db_conn_events (dp_db_conn_t *self);

//  Monotonic time (zclock_mono, ms) when the connector's timeout expires,
//  or -1 when it set none.
int64_t dp_db_conn_wakeup (dp_db_conn_t *self);

//  The last error: MariaDB's or the client's message, and its number.
//  Returns a borrowed string valid until the next operation.
const char *dp_db_conn_error (dp_db_conn_t *self);
unsigned int dp_db_conn_errno (dp_db_conn_t *self);

//  True when the last statement FAILED because the server interrupted it:
//  its max_statement_time ran out or a KILL QUERY reached it.
bool dp_db_conn_interrupted (dp_db_conn_t *self);

//  After DONE: the result's column count (0 for a statement without a
//  result set) and row count.
unsigned int dp_db_conn_num_fields (dp_db_conn_t *self);
uint64_t dp_db_conn_num_rows (dp_db_conn_t *self);

//  After DONE: the next row, or NULL at the end. cells [i] is NULL for SQL
//  NULL; *lengths gets the byte length of each cell. Both borrowed, valid
//  until the next fetch or dp_db_conn_free_result.
char **dp_db_conn_fetch_row (dp_db_conn_t *self, unsigned long **lengths);

//  After DONE of a statement without a result set: the rows it affected
//  (matched, for an UPDATE: connections use CLIENT_FOUND_ROWS), and the
//  first id an INSERT generated (LAST_INSERT_ID()).
uint64_t dp_db_conn_affected_rows (dp_db_conn_t *self);
uint64_t dp_db_conn_insert_id (dp_db_conn_t *self);

//  After DONE of a statement that generated a GTID (a COMMIT with writes,
//  on a server with a binary log): @@last_gtid, as the server's session
//  state tracking reported it with the OK packet, copied into buf (len
//  bytes). Returns false, buf "", when the statement reported none.
bool dp_db_conn_last_gtid (dp_db_conn_t *self, char *buf, size_t len);

//  After DONE: read the result again from its first row (the next fetch
//  returns the first row).
void dp_db_conn_rewind (dp_db_conn_t *self);

//  Free the result of the last statement (no-op when there is none).
void dp_db_conn_free_result (dp_db_conn_t *self);

//  The character sets of the lookups' key columns, as read when the
//  connection was set up (UNKNOWN before). Borrowed.
const dp_db_charsets_t *dp_db_conn_charsets (dp_db_conn_t *self);

//  The server's id of this connection (for KILL in tests), 0 when down.
unsigned long dp_db_conn_thread_id (dp_db_conn_t *self);

//  The selftest lives in tests/dp_db_conn_test.c (it needs the test
//  MariaDB, which the production library does not link).

#endif
