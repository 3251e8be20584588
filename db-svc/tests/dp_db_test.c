/*  =========================================================================
    dp_db_test - the fixture of the DB actor's tests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_test.h.
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
dp_db_test_start (dp_db_test_t *t, const char *endpoint, int pool, int chunk, const char *socket,
              const char *database, const char *user, const char *password)
{
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = socket;
    config.database = database;
    config.user = user;
    config.password = password;
    config.endpoint = endpoint;
    config.pool_size = pool;
    config.chunk_size = chunk;
    config.verbose = getenv ("DP_DB_TEST_LOG_SQL") != NULL;    //  log every statement
    if (t->max_queue)
        config.max_queue = t->max_queue;
    config.statement_timeout = !t->no_statement_timeout;
    config.coalesce = !t->no_coalesce;
    if (t->batch)
        config.batch = t->batch;
    if (t->pool_min)
        config.pool_min = t->pool_min;
    config.wave = t->wave;
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (endpoint);
    assert (t->dealer);
}

void
dp_db_test_stop (dp_db_test_t *t)
{
    zsock_destroy (&t->dealer);
    zactor_destroy (&t->actor);
}

void
dp_db_test_stats (dp_db_test_t *t, uint64_t *statements, uint64_t *answered, uint64_t *errors)
{
    zstr_send (t->actor, "STATS");
    int rc = zsock_recv (t->actor, "888", statements, answered, errors);
    assert (rc == 0);
}

void
dp_db_test_send (dp_db_test_t *t, dp_msg_t *msg)
{
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    int rc = dp_msg_encode (msg, &buffer);
    assert (rc == 0);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    msgpack_sbuffer_destroy (&buffer);
    rc = zframe_send (&frame, t->dealer, 0);
    assert (rc == 0);
}

uint64_t
dp_db_test_send_load (dp_db_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys,
                  uint32_t n_keys, uint64_t deadline)
{
    return dp_db_test_send_load_of (t, "selftest", loader, columns, keys, n_keys, deadline);
}

uint64_t
dp_db_test_send_load_of (dp_db_test_t *t, const char *trace, uint32_t loader, uint64_t columns,
                         const int64_t *keys, uint32_t n_keys, uint64_t deadline)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_LOAD;
    msg.id = ++t->next_id;
    msg.deadline_ms = deadline;
    msg.trace_id = trace;
    msg.u.load.loader = loader;
    msg.u.load.columns = columns;
    msg.u.load.keys = (int64_t *) keys;
    msg.u.load.n_keys = n_keys;
    dp_db_test_send (t, &msg);
    return msg.id;
}

uint64_t
dp_db_test_send_query (dp_db_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args,
                   uint32_t n_args, uint64_t deadline)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_QUERY;
    msg.id = ++t->next_id;
    msg.deadline_ms = deadline;
    msg.trace_id = "selftest";
    msg.u.query.query = query;
    msg.u.query.columns = columns;
    msg.u.query.args = args;
    msg.u.query.n_args = n_args;
    dp_db_test_send (t, &msg);
    return msg.id;
}

//  One reply within timeout ms, decoded into the test arena.
bool
dp_db_test_recv (dp_db_test_t *t, dp_msg_t *reply, int timeout)
{
    zsock_set_rcvtimeo (t->dealer, timeout);
    zframe_t *frame = zframe_recv (t->dealer);
    if (!frame)
        return false;
    char err [256];
    int rc = dp_msg_decode (zframe_data (frame), zframe_size (frame), t->arena, reply,
                            err, sizeof err);
    if (rc)
        fprintf (stderr, "reply does not decode: %s\n", err);
    assert (rc == 0);
    zframe_destroy (&frame);
    return true;
}

//  The reply to request id, which must be ROWS.
dp_msg_t
dp_db_test_rows_reply (dp_db_test_t *t, uint64_t id)
{
    dp_msg_t reply;
    bool got = dp_db_test_recv (t, &reply, 10000);
    assert (got);
    assert (reply.id == id);
    if (reply.type == DP_MSG_ERROR)
        fprintf (stderr, "request %llu: ERROR %u %s\n", (unsigned long long) id,
                 reply.u.error.status, reply.u.error.message);
    assert (reply.type == DP_MSG_ROWS);
    return reply;
}

//  The reply to request id, which must be ERROR with status.
dp_msg_t
dp_db_test_error_reply (dp_db_test_t *t, uint64_t id, uint32_t status)
{
    dp_msg_t reply;
    bool got = dp_db_test_recv (t, &reply, 10000);
    assert (got);
    assert (reply.id == id);
    if (reply.type != DP_MSG_ERROR || reply.u.error.status != status)
        fprintf (stderr, "request %llu: expected ERROR %u, got %s %u\n",
                 (unsigned long long) id, status, dp_msg_type_name (reply.type),
                 reply.type == DP_MSG_ERROR? reply.u.error.status: 0);
    assert (reply.type == DP_MSG_ERROR);
    assert (reply.u.error.status == status);
    return reply;
}

dp_msg_t
dp_db_test_load (dp_db_test_t *t, uint32_t loader, uint64_t columns, const int64_t *keys, uint32_t n)
{
    return dp_db_test_rows_reply (t, dp_db_test_send_load (t, loader, columns, keys, n, 0));
}

dp_msg_t
dp_db_test_query (dp_db_test_t *t, uint32_t query, uint64_t columns, dp_val_t *args)
{
    return dp_db_test_rows_reply (t, dp_db_test_send_query (t, query, columns, args, 5, 0));
}

dp_db_test_rows_t
dp_db_test_rows (const dp_msg_t *reply)
{
    assert (reply->type == DP_MSG_ROWS);
    dp_db_test_rows_t rows = { reply->u.rows.n_rows, reply->u.rows.n_cols, reply->u.rows.cells };
    return rows;
}

//  The test's own reading of a text cell, written apart from s_convert.
void
dp_db_test_expect_cell (dp_arena_t *arena, dp_coltype_t type, const char *text,
                    unsigned long len, dp_val_t *value)
{
    memset (value, 0, sizeof *value);
    value->type = DP_VAL_NIL;
    if (!text)
        return;
    bool zero = len >= 10 && strncmp (text, "0000-00-00", 10) == 0;
    const char *str = NULL;
    switch (type) {
        case DP_COLTYPE_INT:
            value->type = DP_VAL_INT;
            value->u.i = atoll (text);
            return;
        case DP_COLTYPE_FLOAT:
            value->type = DP_VAL_DOUBLE;
            value->u.d = atof (text);
            return;
        case DP_COLTYPE_STR:
            str = dp_arena_strndup (arena, text, len);
            value->u.s.len = (uint32_t) len;
            break;
        case DP_COLTYPE_DATETIME:
            if (!zero)
                str = dp_arena_printf (arena, "%.10sT%.8s+00:00", text, text + 11);
            break;
        case DP_COLTYPE_DATE:
            if (!zero)
                str = dp_arena_printf (arena, "%.10s", text);
            break;
    }
    if (str) {
        value->type = DP_VAL_STR;
        value->u.s.ptr = str;
        if (type != DP_COLTYPE_STR)
            value->u.s.len = (uint32_t) strlen (str);
    }
}

//  Rows of a statement run by the test, converted with dp_db_test_expect_cell.
dp_db_test_rows_t
dp_db_test_expected (dp_db_test_t *t, const char *sql, const dp_coltype_t *types, uint32_t n_cols)
{
    if (mysql_query (t->admin, sql)) {
        fprintf (stderr, "expected rows: %s\n  in: %s\n", mysql_error (t->admin), sql);
        assert (false);
    }
    MYSQL_RES *result = mysql_store_result (t->admin);
    assert (result);
    assert (mysql_num_fields (result) == n_cols);
    dp_db_test_rows_t rows = { (uint32_t) mysql_num_rows (result), n_cols, NULL };
    rows.cells = dp_arena_calloc (t->arena, (size_t) rows.n_rows * n_cols + 1, sizeof (dp_val_t));
    MYSQL_ROW row;
    uint32_t r = 0;
    while ((row = mysql_fetch_row (result))) {
        unsigned long *lengths = mysql_fetch_lengths (result);
        for (uint32_t c = 0; c < n_cols; c++)
            dp_db_test_expect_cell (t->arena, types [c], row [c], lengths [c],
                                &rows.cells [(size_t) r * n_cols + c]);
        r++;
    }
    mysql_free_result (result);
    return rows;
}

bool
dp_db_test_equal (const dp_val_t *a, const dp_val_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
        case DP_VAL_NIL:
            return true;
        case DP_VAL_INT:
        case DP_VAL_BOOL:
            return a->u.i == b->u.i;
        case DP_VAL_DOUBLE:
            return fabs (a->u.d - b->u.d) <= 1e-9 * fmax (1.0, fabs (a->u.d));
        case DP_VAL_STR:
            return a->u.s.len == b->u.s.len && memcmp (a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
        default:
            return false;
    }
}

void
dp_db_test_print (const char *label, const dp_val_t *value)
{
    fprintf (stderr, "    %s: ", label);
    switch (value->type) {
        case DP_VAL_NIL: fprintf (stderr, "nil\n"); break;
        case DP_VAL_INT: fprintf (stderr, "int %lld\n", (long long) value->u.i); break;
        case DP_VAL_DOUBLE: fprintf (stderr, "double %.17g\n", value->u.d); break;
        case DP_VAL_STR: fprintf (stderr, "str \"%.*s\"\n", (int) value->u.s.len, value->u.s.ptr); break;
        default: fprintf (stderr, "type %d\n", value->type); break;
    }
}

//  Order rows by their first two cells (ints; nil first).
int64_t
dp_db_test_sort_key (const dp_val_t *value)
{
    return value->type == DP_VAL_INT? value->u.i: INT64_MIN;
}

void
dp_db_test_sort (dp_db_test_rows_t *rows, dp_arena_t *arena)
{
    uint32_t n_cols = rows->n_cols;
    dp_val_t *tmp = dp_arena_alloc (arena, n_cols * sizeof (dp_val_t));
    for (uint32_t i = 1; i < rows->n_rows; i++) {
        memcpy (tmp, rows->cells + (size_t) i * n_cols, n_cols * sizeof (dp_val_t));
        uint32_t j = i;
        while (j > 0) {
            dp_val_t *prev = rows->cells + (size_t) (j - 1) * n_cols;
            int64_t a0 = dp_db_test_sort_key (&prev [0]), b0 = dp_db_test_sort_key (&tmp [0]);
            int64_t a1 = n_cols > 1? dp_db_test_sort_key (&prev [1]): 0;
            int64_t b1 = n_cols > 1? dp_db_test_sort_key (&tmp [1]): 0;
            if (a0 < b0 || (a0 == b0 && a1 <= b1))
                break;
            memcpy (prev + n_cols, prev, n_cols * sizeof (dp_val_t));
            j--;
        }
        memcpy (rows->cells + (size_t) j * n_cols, tmp, n_cols * sizeof (dp_val_t));
    }
}

void
dp_db_test_same (dp_db_test_t *t, const char *what, dp_db_test_rows_t expected, dp_db_test_rows_t got, bool sort)
{
    if (sort) {
        dp_db_test_sort (&expected, t->arena);
        dp_db_test_sort (&got, t->arena);
    }
    if (expected.n_rows != got.n_rows || expected.n_cols != got.n_cols) {
        fprintf (stderr, "%s: expected %u rows x %u columns, got %u x %u\n", what,
                 expected.n_rows, expected.n_cols, got.n_rows, got.n_cols);
        assert (false);
    }
    for (uint32_t r = 0; r < got.n_rows; r++)
        for (uint32_t c = 0; c < got.n_cols; c++) {
            const dp_val_t *a = &expected.cells [(size_t) r * got.n_cols + c];
            const dp_val_t *b = &got.cells [(size_t) r * got.n_cols + c];
            if (!dp_db_test_equal (a, b)) {
                fprintf (stderr, "%s: row %u column %u differs\n", what, r, c);
                dp_db_test_print ("expected", a);
                dp_db_test_print ("got", b);
                assert (false);
            }
        }
    if (t->verbose)
        printf ("    %s: %u rows x %u columns match\n", what, got.n_rows, got.n_cols);
}

//  The nth row (0-based) whose key is key, or NULL.
const dp_val_t *
dp_db_test_row (dp_db_test_rows_t rows, int64_t key, uint32_t nth)
{
    for (uint32_t r = 0; r < rows.n_rows; r++) {
        const dp_val_t *row = rows.cells + (size_t) r * rows.n_cols;
        if (row [0].type == DP_VAL_INT && row [0].u.i == key && nth-- == 0)
            return row;
    }
    return NULL;
}

void
dp_db_test_check (bool ok, const dp_val_t *value, const char *expected, int line)
{
    if (!ok) {
        fprintf (stderr, "dp_db_actor.c:%d: expected %s\n", line, expected);
        dp_db_test_print ("got", value);
        assert (false);
    }
}


uint64_t
dp_db_test_all_columns (const dp_catalog_entry_t *entry)
{
    return entry->n_columns >= 64? UINT64_MAX: ((uint64_t) 1 << entry->n_columns) - 1;
}

//  The computed columns of column sets, as the test writes them (%s: the
//  table's alias in the query).
static const struct {
    const char *table;
    int column;
    const char *sql;
} s_test_computed [] = {
    { "stock", DP_COL_stock_base_id,
      "(SELECT l2.camp_id FROM locations l2 WHERE l2.id = %s.location_id)" },
    { "stock", DP_COL_stock_product_gender_id,
      "(SELECT p2.gender_id FROM products p2 WHERE p2.id = %s.product_id)" },
    { "stock", DP_COL_stock_product_category_id,
      "(SELECT p2.category_id FROM products p2 WHERE p2.id = %s.product_id)" },
    { "stock", DP_COL_stock_tag_ids,
      "(SELECT GROUP_CONCAT(r2.tag_id ORDER BY r2.tag_id) FROM tags_relations r2"
      " WHERE r2.object_type = 'Stock' AND r2.object_id = %s.id AND r2.deleted_on IS NULL)" },
    { "shipment_detail", DP_COL_shipment_detail_source_base_id,
      "(SELECT s2.source_base_id FROM shipment s2 WHERE s2.id = %s.shipment_id)" },
    { "shipment_detail", DP_COL_shipment_detail_target_base_id,
      "(SELECT s2.target_base_id FROM shipment s2 WHERE s2.id = %s.shipment_id)" },
};

//  "prefix.col1, prefix.col2, ..." for every column of entry; computed
//  columns as s_test_computed writes them.
char *
dp_db_test_column_list (dp_arena_t *arena, const dp_catalog_entry_t *entry, const char *prefix)
{
    dp_sql_t sql;
    dp_sql_init (&sql);
    for (size_t c = 0; c < entry->n_columns; c++) {
        dp_sql_append (&sql, c? ", ": "");
        const char *computed = NULL;
        for (size_t i = 0; i < sizeof s_test_computed / sizeof s_test_computed [0]; i++)
            if (strcmp (entry->table, s_test_computed [i].table) == 0 && (int) c == s_test_computed [i].column)
                computed = s_test_computed [i].sql;
        if (computed)
            dp_sql_printf (&sql, computed, prefix);
        else
            dp_sql_printf (&sql, "%s.%s", prefix, entry->columns [c].name);
    }
    char *list = dp_arena_strdup (arena, sql.data);
    dp_sql_destroy (&sql);
    return list;
}

char *
dp_db_test_key_list (dp_arena_t *arena, const int64_t *keys, size_t n)
{
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_sql_append_ints (&sql, keys, n);
    char *list = dp_arena_strdup (arena, sql.data);
    dp_sql_destroy (&sql);
    return list;
}

long long
dp_db_test_com_select (MYSQL *mysql)
{
    int rc = mysql_query (mysql, "SHOW GLOBAL STATUS LIKE 'Com_select'");
    assert (rc == 0);
    MYSQL_RES *result = mysql_store_result (mysql);
    MYSQL_ROW row = mysql_fetch_row (result);
    assert (row && row [1]);
    long long value = atoll (row [1]);
    mysql_free_result (result);
    return value;
}

//  Arguments of the boxes queries; after_modified NULL and after_id < 0 are nil.
dp_val_t *
dp_db_test_boxes_args (dp_arena_t *arena, int64_t base, dp_val_t *filter, int64_t limit,
                   const dp_val_t *after_modified, int64_t after_id)
{
    dp_val_t *args = dp_arena_calloc (arena, 5, sizeof (dp_val_t));
    args [0].type = DP_VAL_INT;
    args [0].u.i = base;
    if (filter) {
        args [1].type = DP_VAL_ARRAY;
        args [1].u.a.items = filter;
        args [1].u.a.count = 9;
    }
    if (limit >= 0) {
        args [2].type = DP_VAL_INT;
        args [2].u.i = limit;
    }
    if (after_modified)
        args [3] = *after_modified;
    if (after_id >= 0) {
        args [4].type = DP_VAL_INT;
        args [4].u.i = after_id;
    }
    return args;
}

//  A list value of n ints.
dp_val_t
dp_db_test_ints (dp_arena_t *arena, uint32_t n, ...)
{
    dp_val_t list;
    memset (&list, 0, sizeof list);
    list.type = DP_VAL_ARRAY;
    list.u.a.items = dp_arena_calloc (arena, n + 1, sizeof (dp_val_t));
    list.u.a.count = n;
    va_list args;
    va_start (args, n);
    for (uint32_t i = 0; i < n; i++) {
        list.u.a.items [i].type = DP_VAL_INT;
        list.u.a.items [i].u.i = va_arg (args, long long);
    }
    va_end (args);
    return list;
}

dp_val_t
dp_db_test_str (const char *text)
{
    dp_val_t value;
    memset (&value, 0, sizeof value);
    value.type = DP_VAL_STR;
    value.u.s.ptr = text;
    value.u.s.len = (uint32_t) strlen (text);
    return value;
}

dp_val_t
dp_db_test_int (int64_t number)
{
    dp_val_t value;
    memset (&value, 0, sizeof value);
    value.type = DP_VAL_INT;
    value.u.i = number;
    return value;
}

//  A new filter: 9 nil fields.
dp_val_t *
dp_db_test_filter (dp_arena_t *arena)
{
    return dp_arena_calloc (arena, 9, sizeof (dp_val_t));
}

void
dp_db_test_kill_actor_connections (dp_db_test_t *t)
{
    int rc = mysql_query (t->admin, "SELECT ID FROM information_schema.PROCESSLIST"
                                    " WHERE USER = 'dp_actor_test'");
    assert (rc == 0);
    MYSQL_RES *result = mysql_store_result (t->admin);
    MYSQL_ROW row;
    int killed = 0;
    while ((row = mysql_fetch_row (result))) {
        char sql [64];
        snprintf (sql, sizeof sql, "KILL %s", row [0]);
        if (mysql_query (t->admin, sql) == 0)
            killed++;
    }
    mysql_free_result (result);
    assert (killed >= 1);
}

//  Statements of the actor's user running on the server now.
long long
dp_db_test_running (dp_db_test_t *t)
{
    return dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                       " WHERE USER = '" S_DEADLINE_USER "' AND COMMAND = 'Query'");
}

void
dp_db_test_wait_blocked (dp_db_test_t *t, const char *table)
{
    //  SHOW, not SELECT: the tests count MariaDB's Com_select around it.
    for (int waited = 0; ; waited += 10) {
        int rc = mysql_query (t->admin, "SHOW FULL PROCESSLIST");
        assert (rc == 0);
        MYSQL_RES *result = mysql_store_result (t->admin);
        assert (result);
        bool blocked = false;
        MYSQL_ROW row;
        //  Id, User, Host, db, Command, Time, State, Info, ...
        while ((row = mysql_fetch_row (result)))
            blocked = blocked || (row [4] && strcmp (row [4], "Query") == 0
                               && row [6] && strncmp (row [6], "Waiting for table", 17) == 0
                               && row [7] && strstr (row [7], table));
        mysql_free_result (result);
        if (blocked)
            return;
        assert (waited < 10000);
        zclock_sleep (10);
    }
}

void
dp_db_test_wait_control (dp_db_test_t *t)
{
    for (int waited = 0; ; waited += 10) {
        zstr_send (t->actor, "CONTROLS");
        int up = 0;
        zsock_recv (t->actor, "i", &up);
        if (up > 0)
            return;
        assert (waited < 10000);
        zclock_sleep (10);
    }
}

long long
dp_db_test_status (dp_db_test_t *t, const char *name)
{
    char sql [128];
    snprintf (sql, sizeof sql, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                               " WHERE VARIABLE_NAME = '%s'", name);
    return dp_db_testdb_int (t->admin, sql);
}

void
dp_db_test_pressure (dp_db_test_t *t, uint64_t *killed, uint64_t *rejected, uint64_t *queued,
                 uint64_t *limit)
{
    zstr_send (t->actor, "PRESSURE");
    int rc = zsock_recv (t->actor, "8888", killed, rejected, queued, limit);
    assert (rc == 0);
}

//  --------------------------------------------------------------------------

int
dp_db_test_run (const char *concern, bool verbose)
{
    static const struct {
        const char *name;
        void (*run) (dp_db_test_t *t);
    } concerns [] = {
        { "load", dp_db_test_concern_load },
        { "chunks", dp_db_test_concern_chunks },
        { "query", dp_db_test_concern_query },
        { "errors", dp_db_test_concern_errors },
        { "pool", dp_db_test_concern_pool },
        { "unavailable", dp_db_test_concern_unavailable },
        { "reconnect", dp_db_test_concern_reconnect },
        { "deadline", dp_db_test_concern_deadline },
        { "cancel", dp_db_test_concern_cancel },
        { "overload", dp_db_test_concern_overload },
        { "coalesce", dp_db_test_concern_coalesce },
        { "coalesce_lookups", dp_db_test_concern_coalesce_lookups },
        { "batch", dp_db_test_concern_batch },
        { "wave", dp_db_test_concern_wave },
        { "classes", dp_db_test_concern_classes },
        { "replica", dp_db_test_concern_replica },
        { "txn", dp_db_test_concern_txn },
        { "stock_overview", dp_db_test_concern_stock_overview },
    };
    dp_db_test_t t;
    memset (&t, 0, sizeof t);
    t.verbose = verbose;
    char reason [512];
    if (dp_db_testdb_open (&t.db, reason, sizeof reason)) {
        printf (" * dp_db_actor %s: SKIPPED (%s)\n", concern? concern: "", reason);
        return 77;
    }
    t.admin = dp_db_testdb_connect (&t.db);
    t.arena = dp_arena_new (0);
    int ran = 0;
    for (size_t i = 0; i < sizeof concerns / sizeof concerns [0]; i++) {
        if (concern && strcmp (concern, concerns [i].name) != 0)
            continue;
        printf (" * dp_db_actor %s: ", concerns [i].name);
        if (verbose)
            printf ("\n");
        fflush (stdout);
        int64_t started = zclock_mono ();
        concerns [i].run (&t);
        dp_arena_reset (t.arena);
        printf ("OK (%lld ms)\n", (long long) (zclock_mono () - started));
        ran++;
    }
    dp_arena_destroy (&t.arena);
    mysql_close (t.admin);
    assert (ran > 0);
    return 0;
}
