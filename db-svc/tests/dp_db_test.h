/*  =========================================================================
    dp_db_test - the fixture of the DB actor's tests: an actor on the test
    MariaDB, a DEALER to talk to it, and checks against the test's own SQL

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each concern of the DB actor (dp_db_test_concern_*) is a function of
    dp_db_test_t: it starts an actor on the test database (dp_db_testdb),
    sends LOADs and QUERYs through a DEALER and compares the replies with
    what the test reads itself through the blocking API. The concerns live
    in one file per group (dp_db_test_reads.c, _faults.c, _deadlines.c,
    _sharing.c); dp_db_test_run runs one or all. Test support only.
@end
*/
#ifndef DP_DB_TEST_H_INCLUDED
#define DP_DB_TEST_H_INCLUDED

#include "dp_db_actor.h"
#include "dp_db_testdb.h"
#include "dp_sql_catalog.h"
#include "dp_catalog.h"
#include "dp_msg.h"
#include "dp_arena.h"
#include <math.h>
#include <string.h>

typedef struct {
    dp_db_testdb_t db;
    MYSQL *admin;               //  blocking connection for expected values
    zactor_t *actor;
    zsock_t *dealer;
    dp_arena_t *arena;          //  replies and expected rows
    uint64_t next_id;
    bool verbose;
    int max_queue;              //  for the next dp_db_test_start: 0 = the default
    bool no_statement_timeout;  //  for the next dp_db_test_start
    bool no_coalesce;           //  for the next dp_db_test_start
    int batch;                  //  for the next dp_db_test_start: 0 = the default
    int pool_min;               //  for the next dp_db_test_start: 0 = the default
    bool wave;                  //  for the next dp_db_test_start: DEPOT_DB_WAVE (the other
                                //  concerns send every read with one trace id)
} dp_db_test_t;

typedef struct {
    uint32_t n_rows;
    uint32_t n_cols;
    dp_val_t *cells;
} dp_db_test_rows_t;

//  Check one cell and print both sides when it differs (line: the caller's).
#define S_IS_NIL(v) \
    dp_db_test_check ((v)->type == DP_VAL_NIL, (v), "nil", __LINE__)
#define S_IS_INT(v, x) \
    dp_db_test_check ((v)->type == DP_VAL_INT && (v)->u.i == (x), (v), #x, __LINE__)
#define S_IS_DOUBLE(v, x) \
    dp_db_test_check ((v)->type == DP_VAL_DOUBLE && fabs ((v)->u.d - (x)) < 1e-12, (v), #x, __LINE__)
#define S_IS_STR(v, x) \
    dp_db_test_check ((v)->type == DP_VAL_STR && (v)->u.s.len == strlen (x) \
                  && memcmp ((v)->u.s.ptr, (x), strlen (x)) == 0, (v), #x, __LINE__)

//  The user the deadline and cancel concerns run the actor as.
#define S_DEADLINE_USER "dp_deadline_test"

void dp_db_test_start (dp_db_test_t *t, const char *endpoint, int pool, int chunk, const char *socket,
              const char *database, const char *user, const char *password);

void dp_db_test_stop (dp_db_test_t *t);

void dp_db_test_stats (dp_db_test_t *t, uint64_t *statements, uint64_t *answered, uint64_t *errors);

void dp_db_test_send (dp_db_test_t *t, dp_msg_t *msg);

uint64_t dp_db_test_send_load (dp_db_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys,
                  uint32_t n_keys, uint64_t deadline);
//  The same LOAD as from the request of trace id trace (dp_db_test_send_load's: "selftest").
uint64_t dp_db_test_send_load_of (dp_db_test_t *t, const char *trace, uint32_t loader,
                                  uint64_t columns, const int64_t *keys, uint32_t n_keys,
                                  uint64_t deadline);

uint64_t dp_db_test_send_query (dp_db_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args,
                   uint32_t n_args, uint64_t deadline);

//  One reply within timeout ms, decoded into the test arena.
bool dp_db_test_recv (dp_db_test_t *t, dp_msg_t *reply, int timeout);

//  The reply to request id, which must be ROWS.
dp_msg_t dp_db_test_rows_reply (dp_db_test_t *t, uint64_t id);

//  The reply to request id, which must be ERROR with status.
dp_msg_t dp_db_test_error_reply (dp_db_test_t *t, uint64_t id, uint32_t status);

dp_msg_t dp_db_test_load (dp_db_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys, uint32_t n);

dp_msg_t dp_db_test_query (dp_db_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args);

dp_db_test_rows_t dp_db_test_rows (const dp_msg_t *reply);

//  The test's own reading of a text cell, written apart from s_convert.
void dp_db_test_expect_cell (dp_arena_t *arena, dp_coltype_t type, const char *text,
                    unsigned long len, dp_val_t *value);

//  Rows of a statement run by the test, converted with dp_db_test_expect_cell.
dp_db_test_rows_t dp_db_test_expected (dp_db_test_t *t, const char *sql, const dp_coltype_t *types, uint32_t n_cols);

bool dp_db_test_equal (const dp_val_t *a, const dp_val_t *b);

void dp_db_test_print (const char *label, const dp_val_t *value);

//  Order rows by their first two cells (ints; nil first).
int64_t dp_db_test_sort_key (const dp_val_t *value);

void dp_db_test_sort (dp_db_test_rows_t *rows, dp_arena_t *arena);

void dp_db_test_same (dp_db_test_t *t, const char *what, dp_db_test_rows_t expected, dp_db_test_rows_t got, bool sort);

//  The nth row (0-based) whose key is key, or NULL.
const dp_val_t * dp_db_test_row (dp_db_test_rows_t rows, int64_t key, uint32_t nth);

void dp_db_test_check (bool ok, const dp_val_t *value, const char *expected, int line);

uint64_t dp_db_test_all_columns (const dp_catalog_entry_t *entry);

//  "prefix.col1, prefix.col2, ..." for every column of entry; computed
//  columns as s_test_computed writes them.
char * dp_db_test_column_list (dp_arena_t *arena, const dp_catalog_entry_t *entry, const char *prefix);

char * dp_db_test_key_list (dp_arena_t *arena, const int64_t *keys, size_t n);

long long dp_db_test_com_select (MYSQL *mysql);

//  Arguments of the boxes queries; after_modified NULL and after_id < 0 are nil.
dp_val_t * dp_db_test_boxes_args (dp_arena_t *arena, int64_t base, dp_val_t *filter, int64_t limit,
                   const dp_val_t *after_modified, int64_t after_id);

//  A list value of n ints.
dp_val_t dp_db_test_ints (dp_arena_t *arena, uint32_t n, ...);

dp_val_t dp_db_test_str (const char *text);

dp_val_t dp_db_test_int (int64_t number);

//  A new filter: 9 nil fields.
dp_val_t * dp_db_test_filter (dp_arena_t *arena);

void dp_db_test_kill_actor_connections (dp_db_test_t *t);

//  Statements of the actor's user running on the server now.
long long dp_db_test_running (dp_db_test_t *t);

long long dp_db_test_status (dp_db_test_t *t, const char *name);

//  Wait (at most 10 s) until a statement reading table waits for its
//  lock on the server: the actor's connection is held, so what is sent
//  next queues behind it (a fixed sleep is not enough on a busy machine).
void dp_db_test_wait_blocked (dp_db_test_t *t, const char *table);

//  Wait (at most 10 s) until the actor's control connection is set up, so
//  its set-up SELECT is not counted with a test's statements.
void dp_db_test_wait_control (dp_db_test_t *t);

void dp_db_test_pressure (dp_db_test_t *t, uint64_t *killed, uint64_t *rejected, uint64_t *queued,
                 uint64_t *limit);

//  The concerns, each one ctest (dp_db_<concern>).
void dp_db_test_concern_load (dp_db_test_t *t);
void dp_db_test_concern_chunks (dp_db_test_t *t);
void dp_db_test_concern_query (dp_db_test_t *t);
void dp_db_test_concern_errors (dp_db_test_t *t);
void dp_db_test_concern_pool (dp_db_test_t *t);
void dp_db_test_concern_unavailable (dp_db_test_t *t);
void dp_db_test_concern_reconnect (dp_db_test_t *t);
void dp_db_test_concern_deadline (dp_db_test_t *t);
void dp_db_test_concern_cancel (dp_db_test_t *t);
void dp_db_test_concern_overload (dp_db_test_t *t);
void dp_db_test_concern_coalesce (dp_db_test_t *t);
void dp_db_test_concern_coalesce_lookups (dp_db_test_t *t);
void dp_db_test_concern_batch (dp_db_test_t *t);
void dp_db_test_concern_wave (dp_db_test_t *t);
void dp_db_test_concern_classes (dp_db_test_t *t);
void dp_db_test_concern_replica (dp_db_test_t *t);
void dp_db_test_concern_txn (dp_db_test_t *t);
void dp_db_test_concern_stock_overview (dp_db_test_t *t);

//  dp_db_conn's selftest (tests/dp_db_conn_test.c): 77 when there is no
//  test MariaDB (skipped), else 0; a failure asserts.
int dp_db_conn_test (bool verbose);

//  Run one concern by name, or all with NULL, on the test MariaDB. Without
//  it, prints why and returns 77 (skipped). Returns 0 when the tests ran
//  and passed; a failure asserts.
int dp_db_test_run (const char *concern, bool verbose);

#endif
