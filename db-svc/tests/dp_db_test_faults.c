/*  =========================================================================
    dp_db_test_faults - the DB actor under faults: bad requests, a busy pool, MariaDB gone

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    errors, pool, unavailable and reconnect: each fault gets its status
    at once, and the service carries on once MariaDB is back.
@end
*/
#include "dp_db_test.h"
#include "dp_instance.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  errors: bad requests get 400 with their id, late ones 408, MariaDB's
//  errors 502; garbage without an id is dropped; HEARTBEAT is echoed.

void
dp_db_test_concern_errors (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-errors", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    int64_t keys [] = { 900001 };
    uint64_t errors_sent = 0, answered = 0;

    //  Unknown loader, unknown column, unknown query, bad arguments.
    dp_msg_t reply = dp_db_test_error_reply (t, dp_db_test_send_load (t, DP_LOADER_COUNT, 1, keys, 1, 0),
                                         DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "unknown loader"));
    reply = dp_db_test_error_reply (t, dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1u << 2, keys, 1, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "sizes_by_id"));
    dp_val_t *args = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    dp_db_test_error_reply (t, dp_db_test_send_query (t, 77, 0, args, 5, 0), DP_STATUS_BAD_REQUEST);
    reply = dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_page, 0, args, 1, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "limit"));
    dp_val_t *bad = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    bad [3] = dp_db_test_str ("yesterday'; DROP TABLE stock; --");
    bad [4] = dp_db_test_int (5);
    reply = dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_page, 0, bad, 5, 0),
                                DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "after_modified"));
    dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_page, (uint64_t) 1 << 40, args, 5, 0),
                        DP_STATUS_BAD_REQUEST);
    errors_sent += 6;

    //  Garbage with no readable envelope is dropped: the next reply is the
    //  HEARTBEAT sent after it, echoed with its id.
    zstr_send (t->dealer, "hello");
    dp_msg_t beat;
    memset (&beat, 0, sizeof beat);
    beat.version = DP_PROTO_VERSION;
    beat.type = DP_MSG_HEARTBEAT;
    beat.id = 4242;
    beat.trace_id = "";
    dp_db_test_send (t, &beat);
    bool got = dp_db_test_recv (t, &reply, 5000);
    assert (got && reply.type == DP_MSG_HEARTBEAT && reply.id == 4242);
    //  It carries our report: the pool of 2 by state, the default queue
    //  limit, and the counters STATS gives.
    assert (reply.u.heartbeat.n_reports == 1);
    const dp_report_t *report = &reply.u.heartbeat.reports [0];
    char instance [DP_INSTANCE_MAX + 1];
    assert (report->service == DP_SERVICE_DB);
    assert (strcmp (report->instance, dp_instance_name (instance, sizeof instance, -1)) == 0);
    assert (report->n_values == DP_STAT_DB_COUNT);
    assert (report->taken_ms + 5000 > (uint64_t) zclock_time ());
    const uint64_t *values = report->values;
    assert (values [DP_STAT_DB_POOL_SIZE] == 2);
    assert (values [DP_STAT_DB_BUSY] + values [DP_STAT_DB_IDLE] + values [DP_STAT_DB_CONNECTING]
            + values [DP_STAT_DB_DOWN] == 2);
    assert (values [DP_STAT_DB_QUEUE_LIMIT] == 2048 && values [DP_STAT_DB_QUEUED] == 0);
    uint64_t stat_statements, stat_answered_now, stat_errors_now;
    dp_db_test_stats (t, &stat_statements, &stat_answered_now, &stat_errors_now);
    assert (values [DP_STAT_DB_STATEMENTS] == stat_statements);
    assert (values [DP_STAT_DB_ANSWERED] == stat_answered_now);
    assert (values [DP_STAT_DB_ERRORS] == stat_errors_now && stat_errors_now >= 6);

    //  A readable envelope around a bad payload: 400 with the envelope's id.
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buffer, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_uint8 (&pk, DP_PROTO_VERSION);
    msgpack_pack_uint8 (&pk, DP_MSG_LOAD);
    msgpack_pack_uint64 (&pk, 7777);
    msgpack_pack_uint64 (&pk, 0);
    msgpack_pack_str (&pk, 0);
    msgpack_pack_str_body (&pk, "", 0);
    msgpack_pack_str (&pk, 3);
    msgpack_pack_str_body (&pk, "bad", 3);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    zframe_send (&frame, t->dealer, 0);
    dp_db_test_error_reply (t, 7777, DP_STATUS_BAD_REQUEST);
    //  Three frames ([routing, "", message], as from a REQ socket): 400.
    zmsg_t *three = zmsg_new ();
    zmsg_addstr (three, "");
    zmsg_addmem (three, buffer.data, buffer.size);
    zmsg_send (&three, t->dealer);
    reply = dp_db_test_error_reply (t, 7777, DP_STATUS_BAD_REQUEST);
    assert (strstr (reply.u.error.message, "frames"));
    msgpack_sbuffer_destroy (&buffer);
    //  A message db-svc does not take.
    dp_msg_t rows;
    memset (&rows, 0, sizeof rows);
    rows.version = DP_PROTO_VERSION;
    rows.type = DP_MSG_ROWS;
    rows.id = 7778;
    rows.trace_id = "";
    dp_db_test_send (t, &rows);
    dp_db_test_error_reply (t, 7778, DP_STATUS_BAD_REQUEST);
    errors_sent += 3;

    //  Deadlines: passed gives 408, future is served.
    uint64_t past = (uint64_t) zclock_time () - 1000;
    dp_db_test_error_reply (t, dp_db_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, past),
                        DP_STATUS_TIMEOUT);
    dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, past),
                        DP_STATUS_TIMEOUT);
    uint64_t future = (uint64_t) zclock_time () + 10000;
    dp_db_test_rows_reply (t, dp_db_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, future));
    errors_sent += 2;
    answered += 1;

    uint64_t statements, stat_answered, stat_errors;
    dp_db_test_stats (t, &statements, &stat_answered, &stat_errors);
    assert (stat_errors == errors_sent);
    assert (stat_answered == errors_sent + answered);
    assert (statements == 1);
    dp_db_test_stop (t);

    //  MariaDB's own errors: a database without the tables gives 502 with
    //  MariaDB's message, and the connection serves the next request.
    dp_db_testdb_exec (t->admin, "CREATE DATABASE IF NOT EXISTS dp_test_empty");
    dp_db_test_start (t, "inproc://dp-db-test-errors-502", 1, 10000, t->db.socket, "dp_test_empty",
                  "root", NULL);
    reply = dp_db_test_error_reply (t, dp_db_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, 0),
                                DP_STATUS_DB_ERROR);
    assert (strstr (reply.u.error.message, "database error: "));
    assert (strstr (reply.u.error.message, "stock"));
    reply = dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, 0),
                                DP_STATUS_DB_ERROR);
    dp_db_test_stats (t, &statements, &stat_answered, &stat_errors);
    assert (statements == 2 && stat_answered == 2 && stat_errors == 2);
    dp_db_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP DATABASE dp_test_empty");

    //  An endpoint that cannot be bound: the actor does not start.
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.endpoint = "nonsense://here";
    config.socket = t->db.socket;
    assert (dp_db_actor_new (&config) == NULL);
}


//  --------------------------------------------------------------------------
//  pool: many requests in flight over two connections all get their one
//  answer; a statement stuck on a lock does not delay one on the other
//  connection (the production catalog has no slow query, so the test holds
//  a table lock from its own connection).

void
dp_db_test_concern_pool (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-pool", 2, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    enum { N = 300 };
    int64_t keys [N];
    int kinds [N + 1];
    bool seen [N + 1];
    uint64_t first = t->next_id + 1;
    dp_val_t *args = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1);
    int64_t tagged [] = { 900001 };
    for (int i = 0; i < N; i++) {
        keys [i] = 900001 + i % 45;
        uint64_t id;
        if (i % 3 == 0)
            id = dp_db_test_send_load (t, DP_LOADER_stock_by_id, 1, &keys [i], 1, 0);
        else
        if (i % 3 == 1)
            id = dp_db_test_send_load (t, DP_LOADER_tags_by_box, 1, tagged, 1, 0);
        else
            id = dp_db_test_send_query (t, DP_QUERY_boxes_count, 0, args, 5, 0);
        kinds [id - first] = i % 3;
        seen [id - first] = false;
    }
    int64_t started = zclock_mono ();
    for (int i = 0; i < N; i++) {
        dp_msg_t reply;
        bool got = dp_db_test_recv (t, &reply, 10000);
        assert (got);
        assert (reply.type == DP_MSG_ROWS);
        assert (reply.id >= first && reply.id < first + N);
        uint64_t index = reply.id - first;
        assert (!seen [index]);
        seen [index] = true;
        if (kinds [index] == 0) {
            assert (reply.u.rows.n_rows == 1);
            S_IS_INT (&reply.u.rows.cells [0], keys [index]);
        }
        else
        if (kinds [index] == 1)
            assert (reply.u.rows.n_rows == 3);
        else
            S_IS_INT (&reply.u.rows.cells [0], 39);
    }
    dp_msg_t extra;
    assert (!dp_db_test_recv (t, &extra, 50));    //  nothing twice
    if (t->verbose)
        printf ("    %d requests over 2 connections in %lld ms\n", N,
                (long long) (zclock_mono () - started));

    //  Hold sizes locked: a LOAD of sizes waits on one connection while a
    //  LOAD of products is served on the other.
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    int64_t one [] = { 900001 };
    uint64_t slow = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    zclock_sleep (100);                     //  let it reach MariaDB and block
    started = zclock_mono ();
    uint64_t fast = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, one, 1, 0);
    dp_msg_t reply = dp_db_test_rows_reply (t, fast);
    int64_t fast_ms = zclock_mono () - started;
    assert (fast_ms < 300);
    assert (!dp_db_test_recv (t, &extra, 400));   //  the slow one is still waiting
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    reply = dp_db_test_rows_reply (t, slow);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    if (t->verbose)
        printf ("    fast LOAD answered in %lld ms while another waited on a lock\n",
                (long long) fast_ms);

    //  Stopped with a statement still waiting on a lock: the requester is
    //  told DISCONNECT (we are going away), not 503, so it sends its reads
    //  again elsewhere (proto/README.md, section 5).
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, one, 1, 0);
    zclock_sleep (100);
    zactor_destroy (&t->actor);
    dp_msg_t bye;
    assert (dp_db_test_recv (t, &bye, 2000));
    assert (bye.type == DP_MSG_DISCONNECT);
    assert (!dp_db_test_recv (t, &extra, 100));   //  once per requester
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    dp_db_test_stop (t);
}


//  --------------------------------------------------------------------------
//  unavailable: with no MariaDB behind the configuration, requests get 503
//  at once instead of hanging; requests that need no SQL are still served.

void
dp_db_test_concern_unavailable (dp_db_test_t *t)
{
    const char *endpoints [] = { "inproc://dp-db-test-down-socket", "inproc://dp-db-test-down-tcp" };
    for (int variant = 0; variant < 2; variant++) {
        dp_db_config_t config;
        dp_db_config_init (&config);
        config.endpoint = endpoints [variant];
        config.pool_size = 2;
        if (variant == 0)
            config.socket = "/nonexistent/dp-db-test/mysqld.sock";
        else {
            config.host = "127.0.0.1";
            config.port = 1;                //  nothing listens there
        }
        t->actor = dp_db_actor_new (&config);
        assert (t->actor);
        t->dealer = zsock_new_dealer (endpoints [variant]);
        int64_t keys [] = { 900001 };
        int64_t started = zclock_mono ();
        for (int i = 0; i < 20; i++) {
            dp_msg_t reply = dp_db_test_error_reply (
                t, dp_db_test_send_load (t, DP_LOADER_stock_by_id, 1, keys, 1, 0),
                DP_STATUS_UNAVAILABLE);
            assert (strstr (reply.u.error.message, "unavailable"));
        }
        dp_val_t *args = dp_db_test_boxes_args (t->arena, 1, NULL, 10, NULL, -1);
        dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_boxes_page, 0, args, 5, 0),
                            DP_STATUS_UNAVAILABLE);
        int64_t elapsed = zclock_mono () - started;
        assert (elapsed < 1000);
        //  No keys: answered without the database.
        dp_msg_t reply = dp_db_test_load (t, DP_LOADER_stock_by_id, 1, keys, 0);
        assert (reply.u.rows.n_rows == 0);
        uint64_t statements, answered, errors;
        dp_db_test_stats (t, &statements, &answered, &errors);
        assert (statements == 0 && answered == 22 && errors == 21);
        if (t->verbose)
            printf ("    %s: 21 requests answered 503 in %lld ms\n",
                    variant == 0? "no socket": "closed TCP port", (long long) elapsed);
        dp_db_test_stop (t);
    }
}


//  --------------------------------------------------------------------------
//  reconnect: a connection the server kills while idle is noticed and
//  replaced; one killed under a statement answers that request 503 and is
//  replaced; the service carries on either way.


void
dp_db_test_concern_reconnect (dp_db_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS 'dp_actor_test'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO 'dp_actor_test'@'localhost'");
    dp_db_test_start (t, "inproc://dp-db-test-reconnect", 1, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "dp_actor_test", "dp-test-pw");
    int64_t keys [] = { 900001 };
    dp_db_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);

    //  Killed while idle: the actor sees it and reconnects before the next
    //  request needs it.
    dp_db_test_kill_actor_connections (t);
    zclock_sleep (300);
    dp_msg_t reply = dp_db_test_load (t, DP_LOADER_stock_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);

    //  Killed under a statement (held by a lock): that request gets 503,
    //  the next one is served on a new connection.
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t stuck = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    zclock_sleep (200);
    dp_db_test_kill_actor_connections (t);
    reply = dp_db_test_error_reply (t, stuck, DP_STATUS_UNAVAILABLE);
    assert (strstr (reply.u.error.message, "lost"));
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    int64_t started = zclock_mono ();
    reply = dp_db_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (zclock_mono () - started < 2000);

    uint64_t statements, answered, errors;
    dp_db_test_stats (t, &statements, &answered, &errors);
    assert (answered == 4 && errors == 1 && statements == 4);
    dp_db_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP USER 'dp_actor_test'@'localhost'");
}
