/*  =========================================================================
    dp_db_test_batch - queued reads sent to one connection together

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    batch: with one connection held up, reads of different loaders and
    queries queue; once it is free they go to MariaDB as one text, one
    round trip (DEPOT_DB_BATCH), and each gets exactly the answer it gets
    alone. A statement of the batch that fails fails alone: the ones after
    it (which MariaDB did not run) are sent again and answered. With a
    batch of 1, each read is a round trip of its own.
    wave: a request's reads that arrive together (one wave of its plan:
    the same requester and trace id) go to one connection as one text
    when no other connection is idle and no other request's read waits
    (DEPOT_DB_WAVE). With another request's reads queued too, or off,
    each is a round trip of its own (what waits may share statements).
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t
s_round_trips (dp_db_test_t *t)
{
    zstr_send (t->actor, "ROUNDTRIPS");
    uint64_t round_trips;
    zsock_recv (t->actor, "8", &round_trips);
    return round_trips;
}

typedef struct {
    uint32_t loader;
    const int64_t *keys;
    uint32_t n_keys;
    const char *trace;          //  its request's trace id; NULL: dp_db_test_send_load's
} s_load_t;

//  Send a LOAD of every column; returns its id.
static uint64_t
s_send_load (dp_db_test_t *t, const s_load_t *load)
{
    uint64_t columns = dp_db_test_all_columns (dp_catalog_loader (load->loader));
    if (!load->trace)
        return dp_db_test_send_load (t, load->loader, columns, load->keys, load->n_keys, 0);
    return dp_db_test_send_load_of (t, load->trace, load->loader, columns, load->keys,
                                    load->n_keys, 0);
}

//  Hold the pool's one connection on a LOAD of sizes (the table locked),
//  queue loads behind it, free it: returns the replies in the order sent.
static void
s_queue_behind_lock (dp_db_test_t *t, const s_load_t *loads, int n, dp_msg_t *replies,
                     const char *while_locked)
{
    static const int64_t one [] = { 900001 };
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t blocking = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    dp_db_test_wait_blocked (t, "sizes");
    uint64_t ids [16];
    assert (n <= 16);
    for (int i = 0; i < n; i++)
        ids [i] = s_send_load (t, &loads [i]);
    zclock_sleep (50);
    if (while_locked)
        dp_db_testdb_exec (t->admin, while_locked);
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    dp_db_test_rows_reply (t, blocking);
    for (int i = 0; i < n; i++) {
        dp_msg_t reply;
        bool got = dp_db_test_recv (t, &reply, 10000);
        assert (got);
        assert (reply.id >= ids [0] && reply.id <= ids [n - 1]);
        replies [reply.id - ids [0]] = reply;
    }
    mysql_close (locker);
}

void
dp_db_test_concern_batch (dp_db_test_t *t)
{
    static const int64_t ids_a [] = { 900001, 900002 };
    static const int64_t ids_b [] = { 900001 };
    //  Six loaders of different tables: nothing for coalescing to merge.
    const s_load_t loads [] = {
        { DP_LOADER_products_by_id, ids_a, 2 },
        { DP_LOADER_cms_users_by_id, ids_a, 2 },
        { DP_LOADER_locations_by_id, ids_b, 1 },
        { DP_LOADER_camps_by_id, ids_a, 2 },
        { DP_LOADER_product_categories_by_id, ids_b, 1 },
        { DP_LOADER_organisations_by_id, ids_b, 1 },
    };
    enum { N = sizeof loads / sizeof loads [0] };
    dp_msg_t alone [N];
    for (int batch = 8; batch >= 1; batch -= 7) {
        t->batch = batch;
        dp_db_test_start (t, batch > 1? "inproc://dp-db-test-batch": "inproc://dp-db-test-no-batch",
                          1, 10000, t->db.socket, DP_DB_TESTDB_NAME, "root", NULL);
        dp_db_test_wait_control (t);
        //  The oracle: each LOAD alone (and the connection is set up
        //  before the statements are counted).
        for (int i = 0; i < N; i++) {
            const dp_catalog_entry_t *entry = dp_catalog_loader (loads [i].loader);
            alone [i] = dp_db_test_load (t, loads [i].loader, dp_db_test_all_columns (entry),
                                         loads [i].keys, loads [i].n_keys);
            assert (alone [i].u.rows.n_rows > 0);
        }
        long long selects = dp_db_test_com_select (t->admin);
        uint64_t trips = s_round_trips (t);
        dp_msg_t together [N];
        s_queue_behind_lock (t, loads, N, together, NULL);
        long long statements = dp_db_test_com_select (t->admin) - selects;
        uint64_t round_trips = s_round_trips (t) - trips;
        if (t->verbose)
            printf ("    batch %d: %d LOADs queued behind one: %lld statements, %llu round trips\n",
                    batch, N, statements, (unsigned long long) round_trips);
        //  Every statement runs, once; batched, the six share one round trip.
        assert (statements == 1 + N);
        assert (round_trips == (batch > 1? 2u: 1u + N));
        for (int i = 0; i < N; i++) {
            assert (together [i].type == DP_MSG_ROWS);
            dp_db_test_same (t, "batched LOAD", dp_db_test_rows (&alone [i]),
                             dp_db_test_rows (&together [i]), true);
        }
        dp_db_test_stop (t);
    }

    //  The third statement of the batch fails (its table is gone when the
    //  batch runs): it alone gets 502; MariaDB ran none after it, so those
    //  are sent again, and each gets its own rows.
    t->batch = 8;
    dp_db_test_start (t, "inproc://dp-db-test-batch-fail", 1, 10000, t->db.socket,
                      DP_DB_TESTDB_NAME, "root", NULL);
    uint64_t trips = s_round_trips (t);
    dp_msg_t replies [N];
    s_queue_behind_lock (t, loads, N, replies,
                         "RENAME TABLE locations TO dp_batch_locations_gone");
    dp_db_testdb_exec (t->admin, "RENAME TABLE dp_batch_locations_gone TO locations");
    uint64_t round_trips = s_round_trips (t) - trips;
    assert (replies [2].type == DP_MSG_ERROR);
    assert (replies [2].u.error.status == DP_STATUS_DB_ERROR);
    assert (strstr (replies [2].u.error.message, "dp_testdb.locations")
         || strstr (replies [2].u.error.message, "locations"));
    for (int i = 0; i < N; i++)
        if (i != 2) {
            assert (replies [i].type == DP_MSG_ROWS);
            dp_db_test_same (t, "LOAD after a failed one", dp_db_test_rows (&alone [i]),
                             dp_db_test_rows (&replies [i]), true);
        }
    //  The blocking one, the batch, the batch's rest sent again.
    assert (round_trips == 3);
    //  The connection is in step: the next read is answered.
    dp_msg_t after = dp_db_test_load (t, loads [2].loader,
                                      dp_db_test_all_columns (dp_catalog_loader (loads [2].loader)),
                                      loads [2].keys, loads [2].n_keys);
    dp_db_test_same (t, "LOAD after the batch", dp_db_test_rows (&alone [2]),
                     dp_db_test_rows (&after), true);
    dp_db_test_stop (t);
    t->batch = 0;
}

void
dp_db_test_concern_wave (dp_db_test_t *t)
{
    static const int64_t ids_a [] = { 900001, 900002 };
    static const int64_t ids_b [] = { 900001 };
    //  Request "r1": four loaders of different tables; request "r2": two.
    enum { N1 = 4, N2 = 2 };
    const s_load_t loads [N1 + N2] = {
        { DP_LOADER_products_by_id, ids_a, 2, "r1" },
        { DP_LOADER_cms_users_by_id, ids_a, 2, "r1" },
        { DP_LOADER_locations_by_id, ids_b, 1, "r1" },
        { DP_LOADER_camps_by_id, ids_a, 2, "r1" },
        { DP_LOADER_product_categories_by_id, ids_b, 1, "r2" },
        { DP_LOADER_organisations_by_id, ids_b, 1, "r2" },
    };
    //  r1 alone with the wave on: one text. r1 and r2 with it on: r1's one
    //  by one (r2's wait), then r2's together (nothing else waits). r1
    //  alone with it off: one by one.
    const struct { bool wave, with_r2; uint64_t round_trips; } runs [] = {
        { true, false, 2 }, { true, true, 1 + N1 + 1 }, { false, false, 1 + N1 },
    };
    for (size_t run = 0; run < sizeof runs / sizeof runs [0]; run++) {
        bool wave = runs [run].wave;
        int n = runs [run].with_r2? N1 + N2: N1;
        //  One connection, no more: a pool that may grow opens another
        //  while the reads wait (a slow machine) and its set-up SELECT
        //  and its share of the reads change both counts.
        t->pool_min = 1;
        t->wave = wave;
        char endpoint [64];
        snprintf (endpoint, sizeof endpoint, "inproc://dp-db-test-wave-%zu", run);
        dp_db_test_start (t, endpoint, 1, 10000, t->db.socket, DP_DB_TESTDB_NAME, "root", NULL);
        dp_db_test_wait_control (t);
        //  The oracle: each LOAD alone, one after another.
        dp_msg_t alone [N1 + N2];
        for (int i = 0; i < n; i++) {
            alone [i] = dp_db_test_load (t, loads [i].loader,
                                         dp_db_test_all_columns (dp_catalog_loader (loads [i].loader)),
                                         loads [i].keys, loads [i].n_keys);
            assert (alone [i].u.rows.n_rows > 0);
        }
        long long selects = dp_db_test_com_select (t->admin);
        uint64_t trips = s_round_trips (t);
        //  Hold the one connection; the reads queue behind it.
        dp_msg_t together [N1 + N2];
        s_queue_behind_lock (t, loads, n, together, NULL);
        long long statements = dp_db_test_com_select (t->admin) - selects;
        uint64_t round_trips = s_round_trips (t) - trips;
        if (t->verbose)
            printf ("    wave %s, %d LOADs of %s queued behind one: %lld statements, "
                    "%llu round trips\n", wave? "on": "off", n,
                    runs [run].with_r2? "two requests": "one request", statements,
                    (unsigned long long) round_trips);
        //  Every statement runs, once; on and alone, r1's four share a text.
        assert (statements == 1 + n);
        assert (round_trips == runs [run].round_trips);
        for (int i = 0; i < n; i++) {
            assert (together [i].type == DP_MSG_ROWS);
            dp_db_test_same (t, "a wave's LOAD", dp_db_test_rows (&alone [i]),
                             dp_db_test_rows (&together [i]), true);
        }
        dp_db_test_stop (t);
    }
    t->pool_min = 0;
    t->wave = false;
}
