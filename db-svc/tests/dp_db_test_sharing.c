/*  =========================================================================
    dp_db_test_sharing - the DB actor's shared statements, statement classes and replica

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    coalesce, classes and replica: statements shared between requests,
    large ones kept to half the pool, reads routed to a replica.
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  coalesce: LOADs of one loader that wait in the queue together run as one
//  statement, and each gets exactly the rows and columns it would have had
//  alone (checked against the same LOADs run one at a time afterwards);
//  other loaders, empty LOADs and expired ones are not merged. With
//  coalescing off, each runs its own statement.

void
dp_db_test_concern_coalesce (dp_db_test_t *t)
{
    const dp_catalog_entry_t *products = dp_catalog_loader (DP_LOADER_products_by_id);
    uint64_t all = dp_db_test_all_columns (products);
    static const int64_t keys_a [] = { 900001, 900002 };
    static const int64_t keys_b [] = { 900003, 900002, 999999999, 900002 };
    static const int64_t keys_c [] = { 900001 };
    static const int64_t keys_d [] = { 900001, 900002 };
    struct {
        uint32_t loader;
        uint64_t columns;
        const int64_t *keys;
        uint32_t n_keys;
    } loads [] = {
        { DP_LOADER_products_by_id, 1, keys_a, 2 },
        { DP_LOADER_products_by_id, (1u << 2) | 1u, keys_b, 4 },
        { DP_LOADER_cms_users_by_id, 1, keys_d, 2 },
        { DP_LOADER_products_by_id, all, keys_c, 1 },
    };
    enum { N = sizeof loads / sizeof loads [0] };
    for (int variant = 0; variant < 2; variant++) {
        t->no_coalesce = variant == 1;
        dp_db_test_start (t, variant == 0? "inproc://dp-db-test-coalesce": "inproc://dp-db-test-no-coalesce",
                      1, 10000, t->db.socket, DP_DB_TESTDB_NAME, "root", NULL);
        int64_t one [] = { 900001 };
        MYSQL *locker = dp_db_testdb_connect (&t->db);
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        uint64_t blocking = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
        dp_db_test_wait_blocked (t, "sizes");
        dp_db_test_wait_control (t);
        long long selects = dp_db_test_com_select (t->admin);
        uint64_t ids [N];
        for (int i = 0; i < N; i++)
            ids [i] = dp_db_test_send_load (t, loads [i].loader, loads [i].columns, loads [i].keys,
                                        loads [i].n_keys, 0);
        //  One that expires in the queue, and an empty one: neither is merged.
        uint64_t expiring = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, keys_a, 2,
                                              (uint64_t) zclock_time () + 100);
        uint64_t empty = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, keys_a, 0, 0);
        dp_msg_t reply = dp_db_test_rows_reply (t, empty);
        assert (reply.u.rows.n_rows == 0);
        dp_db_test_error_reply (t, expiring, DP_STATUS_TIMEOUT);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = dp_db_test_rows_reply (t, blocking);
        dp_msg_t merged [N];
        for (int i = 0; i < N; i++) {
            bool got = dp_db_test_recv (t, &reply, 10000);
            assert (got && reply.type == DP_MSG_ROWS);
            assert (reply.id >= ids [0] && reply.id <= ids [N - 1]);
            merged [reply.id - ids [0]] = reply;
        }
        long long statements = dp_db_test_com_select (t->admin) - selects;
        zstr_send (t->actor, "MERGED");
        uint64_t n_merged;
        zsock_recv (t->actor, "8", &n_merged);
        //  Merged: products (three LOADs) and cms_users; alone: four.
        assert (statements == (variant == 0? 2: 4));
        assert (n_merged == (variant == 0? 2u: 0u));

        //  The oracle: the same LOADs one at a time, nothing to merge with.
        for (int i = 0; i < N; i++) {
            dp_msg_t alone = dp_db_test_load (t, loads [i].loader, loads [i].columns, loads [i].keys,
                                          loads [i].n_keys);
            assert (alone.u.rows.n_rows > 0);
            dp_db_test_same (t, "merged LOAD", dp_db_test_rows (&alone), dp_db_test_rows (&merged [i]), true);
        }
        if (t->verbose)
            printf ("    coalescing %s: 4 LOADs queued together took %lld statements\n",
                    variant == 0? "on": "off", statements);

        //  Identical QUERYs (the same page of the same base, three callers)
        //  run once; a different one runs on its own. The page takes two
        //  statements (locations, then the page), each merged.
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        blocking = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
        dp_db_test_wait_blocked (t, "sizes");
        dp_db_test_wait_control (t);
        selects = dp_db_test_com_select (t->admin);
        uint64_t columns = (1u << DP_COL_stock_box_id) | (1u << DP_COL_stock_modified);
        uint32_t queries [] = { DP_QUERY_boxes_count, DP_QUERY_boxes_count, DP_QUERY_boxes_count,
                                DP_QUERY_boxes_page, DP_QUERY_boxes_page, DP_QUERY_boxes_count };
        int64_t bases [] = { 900001, 900001, 900001, 900001, 900001, 900002 };
        enum { Q = sizeof queries / sizeof queries [0] };
        uint64_t query_ids [Q];
        for (int i = 0; i < Q; i++)
            query_ids [i] = dp_db_test_send_query (t, queries [i], queries [i] == DP_QUERY_boxes_page? columns: 0,
                                               dp_db_test_boxes_args (t->arena, bases [i], NULL, 5, NULL, -1), 5, 0);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = dp_db_test_rows_reply (t, blocking);
        dp_msg_t answers [Q];
        for (int i = 0; i < Q; i++) {
            bool got = dp_db_test_recv (t, &reply, 10000);
            assert (got && reply.type == DP_MSG_ROWS);
            assert (reply.id >= query_ids [0] && reply.id <= query_ids [Q - 1]);
            answers [reply.id - query_ids [0]] = reply;
        }
        statements = dp_db_test_com_select (t->admin) - selects;
        //  Merged: one count of base 900001, one page (two statements), one
        //  count of 900002; alone: three counts, two pages, one count.
        assert (statements == (variant == 0? 4: 8));
        for (int i = 0; i < Q; i++) {
            dp_msg_t alone = dp_db_test_rows_reply (t, dp_db_test_send_query (
                t, queries [i], queries [i] == DP_QUERY_boxes_page? columns: 0,
                dp_db_test_boxes_args (t->arena, bases [i], NULL, 5, NULL, -1), 5, 0));
            assert (alone.u.rows.n_rows > 0);
            dp_db_test_same (t, "merged QUERY", dp_db_test_rows (&alone), dp_db_test_rows (&answers [i]), false);
        }
        if (t->verbose)
            printf ("    coalescing %s: 6 QUERYs queued together took %lld statements\n",
                    variant == 0? "on": "off", statements);
        mysql_close (locker);
        dp_db_test_stop (t);
    }
    t->no_coalesce = false;
}


//  --------------------------------------------------------------------------
//  coalesce_lookups: lookups by a string key (box_by_label, qr_by_code) of
//  DIFFERENT keys queued together run as one statement per lookup query,
//  MariaDB matching the keys under the column's collation (a case and
//  trailing-space variant finds the box MariaDB's own `=` finds), and each
//  request gets exactly its own row with its own columns: none for a label
//  that matches nothing, for one longer than the column, for one that is not
//  UTF-8, and for a key the column cannot hold (on boxtribute's utf8mb3
//  tables a four-byte character, which MariaDB would turn into '?' and match
//  the QR code '?' the test adds). Expected ids come from MariaDB's own
//  comparison of each key as a literal; the rows are those of the same
//  lookup run alone. The statement Depot sent finds each key through the
//  key column's index (EXPLAIN of it, from MariaDB's general log).

typedef struct {
    uint32_t query;
    const char *key;
    uint64_t columns;
} s_lookup_t;

//  The ids MariaDB's own comparison finds for a lookup (none when it
//  refuses the comparison: a key its column cannot hold).
static long long
s_test_lookup_id (MYSQL *mysql, const s_lookup_t *lookup)
{
    const char *table = lookup->query == DP_QUERY_box_by_label? "stock": "qr";
    const char *column = lookup->query == DP_QUERY_box_by_label? "box_id": "code";
    char escaped [256];
    mysql_real_escape_string (mysql, escaped, lookup->key, (unsigned long) strlen (lookup->key));
    char sql [512];
    snprintf (sql, sizeof sql, "SELECT id FROM %s WHERE %s = '%s' ORDER BY id LIMIT 1",
              table, column, escaped);
    if (mysql_query (mysql, sql))
        return 0;               //  Illegal mix of collations: no row can match
    MYSQL_RES *result = mysql_store_result (mysql);
    assert (result);
    MYSQL_ROW row = mysql_fetch_row (result);
    long long id = row? atoll (row [0]): 0;
    mysql_free_result (result);
    return id;
}

void
dp_db_test_concern_coalesce_lookups (dp_db_test_t *t)
{
    const dp_catalog_entry_t *stock = dp_catalog_query (DP_QUERY_box_by_label);
    const dp_catalog_entry_t *qr = dp_catalog_query (DP_QUERY_qr_by_code);
    uint64_t all_stock = dp_db_test_all_columns (stock), all_qr = dp_db_test_all_columns (qr);
    const char *box_emoji = "\xF0\x9F\x93\xA6";         //  U+1F4E6, four bytes
    const s_lookup_t lookups [] = {
        { DP_QUERY_box_by_label, "S900002", (1u << DP_COL_stock_box_id) },
        { DP_QUERY_box_by_label, "s900003 ", all_stock },          //  as MariaDB: S900003
        { DP_QUERY_box_by_label, "no-such-label", 1 },
        { DP_QUERY_box_by_label, box_emoji, 1 },
        { DP_QUERY_box_by_label, "S900002", all_stock },           //  the same box again
        { DP_QUERY_box_by_label, "S9000040000000", 1 },            //  longer than VARCHAR(11)
        { DP_QUERY_box_by_label, "\xFF", 1 },                      //  not UTF-8
        { DP_QUERY_box_by_label, "S900041", (1u << DP_COL_stock_location_id) },
        { DP_QUERY_qr_by_code, "seedqr900001", 1 },
        { DP_QUERY_qr_by_code, "SEEDQR900001  ", all_qr },
        { DP_QUERY_qr_by_code, box_emoji, all_qr },
        { DP_QUERY_qr_by_code, "?", 1 },
    };
    enum { N = sizeof lookups / sizeof lookups [0] };
    MYSQL *mysql = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (mysql, "SET NAMES utf8mb4");
    dp_db_testdb_exec (mysql, "DELETE FROM qr WHERE id = 900101");
    dp_db_testdb_exec (mysql, "INSERT INTO qr (id, code, created, legacy) VALUES (900101, '?', NULL, 0)");
    long long expected_ids [N];
    for (int i = 0; i < N; i++)
        expected_ids [i] = s_test_lookup_id (mysql, &lookups [i]);
    //  What the test wrote: the variants find their boxes and codes.
    assert (expected_ids [0] == 900002 && expected_ids [1] == 900003 && expected_ids [2] == 0);
    assert (expected_ids [4] == 900002 && expected_ids [5] == 0 && expected_ids [7] == 900041);
    assert (expected_ids [8] == 900001 && expected_ids [9] == 900001 && expected_ids [11] == 900101);
    //  A key the column cannot hold or not UTF-8 matches nothing, whatever
    //  MariaDB would do with it.
    expected_ids [3] = expected_ids [6] = expected_ids [10] = 0;

    //  One statement per text: the general log then holds the labels'
    //  statement alone, for its EXPLAIN below.
    t->batch = 1;
    dp_db_test_start (t, "inproc://dp-db-test-coalesce-lookups", 1, 10000, t->db.socket,
                      DP_DB_TESTDB_NAME, "root", NULL);
    t->batch = 0;
    int64_t one [] = { 900001 };
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t blocking = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    dp_db_test_wait_blocked (t, "sizes");
    dp_db_test_wait_control (t);
    dp_db_testdb_exec (mysql, "TRUNCATE TABLE mysql.general_log");
    dp_db_testdb_exec (mysql, "SET GLOBAL log_output = 'TABLE', GLOBAL general_log = 1");
    long long selects = dp_db_test_com_select (t->admin);
    uint64_t ids [N];
    dp_val_t keys [N];
    for (int i = 0; i < N; i++) {
        keys [i] = dp_db_test_str (lookups [i].key);
        ids [i] = dp_db_test_send_query (t, lookups [i].query, lookups [i].columns, &keys [i], 1, 0);
    }
    zclock_sleep (100);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    dp_msg_t reply = dp_db_test_rows_reply (t, blocking);
    dp_msg_t together [N];
    for (int i = 0; i < N; i++) {
        bool got = dp_db_test_recv (t, &reply, 10000);
        assert (got && reply.type == DP_MSG_ROWS);
        assert (reply.id >= ids [0] && reply.id <= ids [N - 1]);
        together [reply.id - ids [0]] = reply;
    }
    long long statements = dp_db_test_com_select (t->admin) - selects;
    dp_db_testdb_exec (mysql, "SET GLOBAL general_log = 0");
    if (t->verbose)
        printf ("    %d lookups of different keys queued together took %lld statements\n", N,
                statements);
    //  One statement for the labels, one for the QR codes.
    assert (statements == 2);

    //  Each request: its own row (or none), with its own columns, as the
    //  same lookup alone answers it.
    for (int i = 0; i < N; i++) {
        dp_db_test_rows_t rows = dp_db_test_rows (&together [i]);
        uint32_t n_cols = 1 + (uint32_t) __builtin_popcountll (lookups [i].columns);
        assert (rows.n_cols == n_cols);
        if (expected_ids [i]) {
            assert (rows.n_rows == 1);
            S_IS_INT (&rows.cells [0], expected_ids [i]);
        }
        else
            assert (rows.n_rows == 0);
        dp_msg_t alone = dp_db_test_rows_reply (t, dp_db_test_send_query (
            t, lookups [i].query, lookups [i].columns, &keys [i], 1, 0));
        dp_db_test_same (t, lookups [i].key, dp_db_test_rows (&alone), rows, false);
    }

    //  The labels' statement finds each key through box_id's index.
    assert (mysql_query (mysql, "SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log"
                                " WHERE command_type = 'Query' AND argument LIKE '%dp_keys%'"
                                " AND argument LIKE '%stock.box_id%'") == 0);
    MYSQL_RES *logged = mysql_store_result (mysql);
    assert (logged && mysql_num_rows (logged) == 1);
    char *sent = dp_arena_strdup (t->arena, mysql_fetch_row (logged) [0]);
    mysql_free_result (logged);
    if (t->verbose)
        printf ("    sent: %s\n", sent);
    char *explain = dp_arena_alloc (t->arena, strlen (sent) + 16);
    sprintf (explain, "EXPLAIN %s", sent);
    assert (mysql_query (mysql, explain) == 0);
    MYSQL_RES *plan = mysql_store_result (mysql);
    assert (plan);
    bool by_index = false;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row (plan))) {
        //  id, select_type, table, type, possible_keys, key, ...
        if (t->verbose)
            printf ("    plan: table %s type %s key %s\n", row [2]? row [2]: "-",
                    row [3]? row [3]: "-", row [5]? row [5]: "-");
        if (row [2] && strcmp (row [2], "stock") == 0) {
            assert (row [3] && (strcmp (row [3], "eq_ref") == 0 || strcmp (row [3], "ref") == 0));
            assert (row [5] && (strcmp (row [5], "box_id_unique") == 0 || strcmp (row [5], "box_id") == 0));
            by_index = true;
        }
    }
    mysql_free_result (plan);
    assert (by_index);

    dp_db_testdb_exec (mysql, "DELETE FROM qr WHERE id = 900101");
    mysql_close (locker);
    mysql_close (mysql);
    dp_db_test_stop (t);
}


//  --------------------------------------------------------------------------
//  classes: large statements (here LOADs of 600 keys, held by a table lock)
//  take at most half the connections, so a small LOAD arriving after them
//  is served at once on the other half; and the large ones all finish.

void
dp_db_test_concern_classes (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-classes", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    enum { KEYS = 600 };
    int64_t *many = dp_arena_alloc (t->arena, KEYS * sizeof (int64_t));
    for (int i = 0; i < KEYS; i++)
        many [i] = 900001 + i;          //  a few exist, most do not
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t large [3];
    for (int i = 0; i < 3; i++)
        large [i] = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, many, KEYS, 0);
    zclock_sleep (100);
    //  One large statement runs (blocked), the others wait for their
    //  half of the pool; the small one takes the other connection.
    int64_t one [] = { 900001 };
    int64_t started = zclock_mono ();
    dp_msg_t reply = dp_db_test_load (t, DP_LOADER_products_by_id, 1, one, 1);
    int64_t small_ms = zclock_mono () - started;
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (small_ms < 500);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    uint32_t rows = 0;
    for (int i = 0; i < 3; i++) {
        dp_msg_t answer;
        bool got = dp_db_test_recv (t, &answer, 10000);
        assert (got && answer.type == DP_MSG_ROWS);
        assert (answer.id >= large [0] && answer.id <= large [2]);
        if (rows)
            assert (answer.u.rows.n_rows == rows);
        rows = answer.u.rows.n_rows;
    }
    assert (rows > 0);
    if (t->verbose)
        printf ("    a small LOAD answered in %lld ms while large ones waited on a lock\n",
                (long long) small_ms);
    mysql_close (locker);
    dp_db_test_stop (t);
}


//  --------------------------------------------------------------------------
//  replica: with a replica configured, reads run on the replica's
//  connections while one is up, on the primary's while none is, and on the
//  replica's again within a second of it coming back; with the primary
//  down, the replica serves reads alone, and a statement of it past its
//  deadline is cancelled by the replica's own control connection. The
//  test's one server plays both parts; the replica is reached through a
//  symlink to the server's socket, which the test removes and restores.
//  (tests/integration/test_resilience_replica.py runs two real servers
//  with replication.)

#define S_REPLICA_USER "dp_actor_test"

static void
s_test_targets (dp_db_test_t *t, int *primary_up, int *replica_up, uint64_t *on_primary,
                uint64_t *on_replica)
{
    int primary_size, replica_size;
    zstr_send (t->actor, "TARGETS");
    int rc = zsock_recv (t->actor, "iiii88", primary_up, &primary_size, replica_up,
                         &replica_size, on_primary, on_replica);
    assert (rc == 0);
}

//  Wait until exactly primary and replica connections are up; returns
//  the ms it took. Asserts after 3 s.
static int64_t
s_test_wait_targets (dp_db_test_t *t, int primary, int replica)
{
    int64_t started = zclock_mono ();
    while (true) {
        int primary_up, replica_up;
        uint64_t on_primary, on_replica;
        s_test_targets (t, &primary_up, &replica_up, &on_primary, &on_replica);
        if (primary_up == primary && replica_up == replica)
            return zclock_mono () - started;
        if (zclock_mono () - started > 3000) {
            printf ("    waited for %d primary and %d replica connections, have %d and %d\n",
                    primary, replica, primary_up, replica_up);
            assert (false);
        }
        zclock_sleep (20);
    }
}

//  n reads (LOADs and a QUERY), each answered with the rows the test
//  expects; then the statements run on each server must be as given.
static void
s_test_reads (dp_db_test_t *t, int n, uint64_t on_primary, uint64_t on_replica)
{
    int64_t keys [] = { 900001 };
    for (int i = 0; i < n - 1; i++) {
        dp_msg_t reply = dp_db_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
    }
    dp_val_t *args = dp_db_test_boxes_args (t->arena, 1, NULL, 10, NULL, -1);
    dp_msg_t reply = dp_db_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (reply.u.rows.n_rows == 1);
    int primary_up, replica_up;
    uint64_t primary, replica;
    s_test_targets (t, &primary_up, &replica_up, &primary, &replica);
    if (primary != on_primary || replica != on_replica) {
        printf ("    statements: %llu on the primary, %llu on the replica; expected %llu, %llu\n",
                (unsigned long long) primary, (unsigned long long) replica,
                (unsigned long long) on_primary, (unsigned long long) on_replica);
        assert (false);
    }
}

void
dp_db_test_concern_replica (dp_db_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_REPLICA_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_REPLICA_USER "'@'localhost'");
    char link [600];
    snprintf (link, sizeof link, "%s.replica", t->db.socket);
    unlink (link);
    int rc = symlink (t->db.socket, link);
    assert (rc == 0);

    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = t->db.socket;
    config.replica_socket = link;
    config.database = DP_DB_TESTDB_NAME;
    config.user = S_REPLICA_USER;
    config.password = "dp-test-pw";
    config.endpoint = "inproc://dp-db-test-replica";
    config.pool_size = 2;
    config.replica_pool_size = 3;
    config.pool_min = 3;            //  fixed pools, every connection up (dp_db_pool has the adaptive one)
    config.verbose = getenv ("DP_DB_TEST_LOG_SQL") != NULL;
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (config.endpoint);
    assert (t->dealer);
    s_test_wait_targets (t, 2, 3);

    //  Reads go to the replica.
    s_test_reads (t, 6, 0, 6);

    //  The replica goes away (its connections killed, its socket gone):
    //  reads fall back to the primary, which reconnects at once.
    unlink (link);
    dp_db_test_kill_actor_connections (t);
    int64_t fallback_ms = s_test_wait_targets (t, 2, 0);
    s_test_reads (t, 6, 6, 6);

    //  It is back: its connections reconnect within their backoff (at most
    //  a second) and take the reads again.
    rc = symlink (t->db.socket, link);
    assert (rc == 0);
    int64_t back_ms = s_test_wait_targets (t, 2, 3);
    assert (back_ms < 1500);
    s_test_reads (t, 6, 6, 12);
    uint64_t statements, answered, errors;
    dp_db_test_stats (t, &statements, &answered, &errors);
    assert (statements == 18 && answered == 18 && errors == 0);
    dp_db_test_stop (t);
    if (t->verbose)
        printf ("    reads on the replica; on the primary %lld ms after the replica went,"
                " on the replica %lld ms after it came back\n",
                (long long) fallback_ms, (long long) back_ms);

    //  The primary down, the replica up: reads are served by the replica,
    //  and a statement past its deadline is cancelled there, by the
    //  replica's control connection (the primary's cannot connect).
    config.socket = "/nonexistent/dp-db-test/mysqld.sock";
    config.statement_timeout = false;         //  only a KILL QUERY can stop it
    config.endpoint = "inproc://dp-db-test-replica-only";
    t->actor = dp_db_actor_new (&config);
    assert (t->actor);
    t->dealer = zsock_new_dealer (config.endpoint);
    s_test_wait_targets (t, 0, 3);
    s_test_reads (t, 3, 0, 3);
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    int64_t keys [] = { 900001 };
    uint64_t late = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1,
                                      (uint64_t) zclock_time () + 300);
    dp_db_test_error_reply (t, late, DP_STATUS_TIMEOUT);
    long long running = 1;
    for (int waited = 0; running > 0 && waited < 2000; waited += 20) {
        running = dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                              " WHERE USER = '" S_REPLICA_USER "'"
                                              " AND COMMAND = 'Query'");
        if (running > 0)
            zclock_sleep (20);
    }
    assert (running == 0);
    uint64_t killed, rejected, queued, limit;
    dp_db_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (killed == 1);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    s_test_reads (t, 3, 0, 7);
    dp_db_test_stop (t);

    unlink (link);
    dp_db_testdb_exec (t->admin, "DROP USER '" S_REPLICA_USER "'@'localhost'");
}
