/*  =========================================================================
    dp_db_test_deadlines - the DB actor's deadlines, cancellation and back-pressure

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    deadline, cancel and overload: work nobody waits for any more is
    dropped or killed on the server, and a full queue refuses at once.
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  deadline: a statement still running at its request's deadline is
//  answered 408 at once and cancelled on the server, by its
//  max_statement_time or (with that off, as for a server without SET
//  STATEMENT) by KILL QUERY from the control connection; the connection
//  then serves the next request. A statement waiting in the queue past its
//  deadline is answered 408 without running.


void
dp_db_test_concern_deadline (dp_db_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_DEADLINE_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_DEADLINE_USER "'@'localhost'");
    int64_t keys [] = { 900001 };
    for (int variant = 0; variant < 2; variant++) {
        bool limited = variant == 0;      //  max_statement_time on, then off
        t->no_statement_timeout = !limited;
        dp_db_test_start (t, limited? "inproc://dp-db-test-deadline-limit": "inproc://dp-db-test-deadline-kill",
                      1, 10000, t->db.socket, DP_DB_TESTDB_NAME, S_DEADLINE_USER, "dp-test-pw");
        dp_db_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
        long long kills_before = dp_db_test_status (t, "Com_kill");

        //  The only connection blocks on a table lock past the deadline.
        MYSQL *locker = dp_db_testdb_connect (&t->db);
        dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
        int64_t started = zclock_mono ();
        uint64_t late = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1,
                                          (uint64_t) zclock_time () + 400);
        zclock_sleep (150);
        assert (dp_db_test_running (t) == 1);
        //  The statement carries its budget only when asked to.
        long long prefixed = dp_db_testdb_int (t->admin,
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '"
            S_DEADLINE_USER "' AND INFO LIKE 'SET STATEMENT max_statement_time=0.%'");
        assert (prefixed == (limited? 1: 0));
        dp_msg_t reply = dp_db_test_error_reply (t, late, DP_STATUS_TIMEOUT);
        int64_t answered_ms = zclock_mono () - started;
        assert (answered_ms >= 390 && answered_ms < 1400);
        assert (strstr (reply.u.error.message, "deadline"));

        //  Cancelled on the server while the lock is still held.
        int waited = 0;
        while (dp_db_test_running (t) > 0 && waited < 2000) {
            zclock_sleep (20);
            waited += 20;
        }
        assert (dp_db_test_running (t) == 0);
        uint64_t killed, rejected, queued, limit;
        dp_db_test_pressure (t, &killed, &rejected, &queued, &limit);
        if (!limited) {
            //  Nothing but our KILL QUERY could have stopped it.
            assert (killed == 1);
            assert (dp_db_test_status (t, "Com_kill") >= kills_before + 1);
        }
        if (t->verbose)
            printf ("    %s: answered 408 after %lld ms, statement gone from the server"
                    " %d ms later, %llu KILL QUERY sent\n",
                    limited? "max_statement_time": "KILL QUERY only", (long long) answered_ms,
                    waited, (unsigned long long) killed);

        //  The connection is free again: a LOAD of another table is
        //  served on it while sizes stays locked.
        started = zclock_mono ();
        reply = dp_db_test_load (t, DP_LOADER_products_by_id, 1, keys, 1);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
        assert (zclock_mono () - started < 1000);

        //  A statement that waits in the queue past its deadline: the
        //  connection is held by a LOAD without a deadline; the queued
        //  one is answered 408 at its deadline without ever running.
        uint64_t blocking = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
        zclock_sleep (100);
        uint64_t statements_before, answered, errors;
        dp_db_test_stats (t, &statements_before, &answered, &errors);
        started = zclock_mono ();
        uint64_t queued_late = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1,
                                                 (uint64_t) zclock_time () + 200);
        reply = dp_db_test_error_reply (t, queued_late, DP_STATUS_TIMEOUT);
        assert (zclock_mono () - started >= 190 && zclock_mono () - started < 1000);
        uint64_t statements_after;
        dp_db_test_stats (t, &statements_after, &answered, &errors);
        assert (statements_after == statements_before);
        dp_db_testdb_exec (locker, "UNLOCK TABLES");
        reply = dp_db_test_rows_reply (t, blocking);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
        mysql_close (locker);
        dp_db_test_stop (t);
    }
    t->no_statement_timeout = false;
    dp_db_testdb_exec (t->admin, "DROP USER '" S_DEADLINE_USER "'@'localhost'");
}


//  --------------------------------------------------------------------------
//  cancel: a CANCEL answers its request 499 at once; a queued statement
//  of it never runs, a running one is stopped by KILL QUERY long before
//  its max_statement_time (the lock that holds it is still there), and
//  the connection then serves the next request. A CANCEL from another
//  requester, or for a request already answered, changes nothing. A
//  statement that serves two coalesced LOADs runs on while one of them
//  still wants it.

static uint64_t
s_test_cancelled (dp_db_test_t *t)
{
    uint64_t cancelled = 0;
    zstr_send (t->actor, "CANCELLED");
    int rc = zsock_recv (t->actor, "8", &cancelled);
    assert (rc == 0);
    return cancelled;
}

static void
s_test_send_cancel (zsock_t *dealer, uint64_t id)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = DP_MSG_CANCEL;
    msg.id = id;
    msg.trace_id = "selftest";
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    int rc = dp_msg_encode (&msg, &buffer);
    assert (rc == 0);
    zframe_t *frame = zframe_new (buffer.data, buffer.size);
    msgpack_sbuffer_destroy (&buffer);
    rc = zframe_send (&frame, dealer, 0);
    assert (rc == 0);
}

void
dp_db_test_concern_cancel (dp_db_test_t *t)
{
    dp_db_testdb_exec (t->admin, "CREATE USER IF NOT EXISTS '" S_DEADLINE_USER "'@'localhost'"
                                 " IDENTIFIED BY 'dp-test-pw'");
    dp_db_testdb_exec (t->admin, "GRANT ALL ON " DP_DB_TESTDB_NAME ".* TO '"
                                 S_DEADLINE_USER "'@'localhost'");
    const char *endpoint = "inproc://dp-db-test-cancel";
    dp_db_test_start (t, endpoint, 1, 10000, t->db.socket, DP_DB_TESTDB_NAME, S_DEADLINE_USER,
                  "dp-test-pw");
    int64_t keys [] = { 900001 };
    dp_db_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    long long kills_before = dp_db_test_status (t, "Com_kill");

    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    uint64_t far = (uint64_t) zclock_time () + 60000;
    uint64_t running = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, far);
    zclock_sleep (150);
    assert (dp_db_test_running (t) == 1);
    uint64_t queued = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1, far);
    zclock_sleep (50);
    uint64_t statements_before, answered, errors;
    dp_db_test_stats (t, &statements_before, &answered, &errors);

    //  Another requester cannot cancel them (the ids are ours).
    zsock_t *stranger = zsock_new_dealer (endpoint);
    assert (stranger);
    s_test_send_cancel (stranger, running);
    s_test_send_cancel (stranger, queued);
    zclock_sleep (100);
    assert (dp_db_test_running (t) == 1 && s_test_cancelled (t) == 0);
    zsock_destroy (&stranger);

    int64_t started = zclock_mono ();
    s_test_send_cancel (t->dealer, queued);
    s_test_send_cancel (t->dealer, running);
    dp_msg_t reply = dp_db_test_error_reply (t, queued, DP_STATUS_CANCELLED);
    reply = dp_db_test_error_reply (t, running, DP_STATUS_CANCELLED);
    assert (strstr (reply.u.error.message, "cancelled"));
    assert (zclock_mono () - started < 500);
    int waited = 0;
    while (dp_db_test_running (t) > 0 && waited < 2000) {
        zclock_sleep (20);
        waited += 20;
    }
    assert (dp_db_test_running (t) == 0);
    assert (dp_db_test_status (t, "Com_kill") >= kills_before + 1);
    uint64_t killed, rejected, queue, limit;
    dp_db_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 1 && queue == 0);
    assert (s_test_cancelled (t) == 2);

    //  A CANCEL for an answered request: nothing, no second reply.
    s_test_send_cancel (t->dealer, running);
    dp_msg_t extra;
    assert (!dp_db_test_recv (t, &extra, 200));

    //  The connection serves the next request; the queued statement never ran.
    started = zclock_mono ();
    reply = dp_db_test_load (t, DP_LOADER_products_by_id, 1, keys, 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    assert (zclock_mono () - started < 1000);
    uint64_t statements_after;
    dp_db_test_stats (t, &statements_after, &answered, &errors);
    assert (statements_after == statements_before + 1);
    if (t->verbose)
        printf ("    cancelled: answered 499 at once, statement gone from the server %d ms later"
                " (KILL QUERY), the queued one never ran\n", waited);

    //  Two LOADs of one loader merged into one statement: cancelling one
    //  leaves the statement running for the other; cancelling both KILLs
    //  it. (products is locked too, so that they queue, and merge, behind
    //  a LOAD of products on the only connection.)
    MYSQL *products_locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (products_locker, "LOCK TABLES products WRITE");
    uint64_t blocker = dp_db_test_send_load (t, DP_LOADER_products_by_id, 1, keys, 1, far);
    zclock_sleep (100);
    int64_t other [] = { 900002 };
    uint64_t first = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, far);
    uint64_t second = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, other, 1, far);
    zclock_sleep (50);
    dp_db_testdb_exec (products_locker, "UNLOCK TABLES");
    reply = dp_db_test_rows_reply (t, blocker);
    zclock_sleep (150);
    assert (dp_db_test_running (t) == 1);       //  one statement for both, on the lock
    s_test_send_cancel (t->dealer, first);
    reply = dp_db_test_error_reply (t, first, DP_STATUS_CANCELLED);
    zclock_sleep (150);
    assert (dp_db_test_running (t) == 1);
    dp_db_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 1);
    s_test_send_cancel (t->dealer, second);
    reply = dp_db_test_error_reply (t, second, DP_STATUS_CANCELLED);
    waited = 0;
    while (dp_db_test_running (t) > 0 && waited < 2000) {
        zclock_sleep (20);
        waited += 20;
    }
    assert (dp_db_test_running (t) == 0);
    dp_db_test_pressure (t, &killed, &rejected, &queue, &limit);
    assert (killed == 2);
    uint64_t merged = 0;
    zstr_send (t->actor, "MERGED");
    zsock_recv (t->actor, "8", &merged);
    assert (merged == 1);
    mysql_close (products_locker);

    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    mysql_close (locker);
    dp_db_test_stop (t);
    dp_db_testdb_exec (t->admin, "DROP USER '" S_DEADLINE_USER "'@'localhost'");
}


//  --------------------------------------------------------------------------
//  overload: with the statement queue full, new requests are refused with
//  503 at once (never queued without bound), and every request admitted is
//  answered with its rows once the connection frees up.

void
dp_db_test_concern_overload (dp_db_test_t *t)
{
    t->max_queue = 3;
    dp_db_test_start (t, "inproc://dp-db-test-overload", 1, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    int64_t keys [] = { 900001 };
    MYSQL *locker = dp_db_testdb_connect (&t->db);
    dp_db_testdb_exec (locker, "LOCK TABLES sizes WRITE");
    enum { N = 10 };
    uint64_t ids [N];
    ids [0] = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    zclock_sleep (100);                     //  running, blocked on the lock
    for (int i = 1; i < N; i++)
        ids [i] = dp_db_test_send_load (t, DP_LOADER_sizes_by_id, 1, keys, 1, 0);
    //  Three wait in the queue; the six after them are refused at once.
    int64_t started = zclock_mono ();
    for (int i = 4; i < N; i++) {
        dp_msg_t reply = dp_db_test_error_reply (t, ids [i], DP_STATUS_UNAVAILABLE);
        assert (strstr (reply.u.error.message, "overloaded"));
    }
    assert (zclock_mono () - started < 1000);
    uint64_t killed, rejected, queued, limit;
    dp_db_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (rejected == N - 4 && queued == 3 && limit == 3 && killed == 0);
    dp_msg_t extra;
    assert (!dp_db_test_recv (t, &extra, 200));   //  the admitted ones still wait
    dp_db_testdb_exec (locker, "UNLOCK TABLES");
    for (int i = 0; i < 4; i++) {
        dp_msg_t reply = dp_db_test_rows_reply (t, ids [i]);
        S_IS_INT (&reply.u.rows.cells [0], 900001);
    }
    dp_db_test_pressure (t, &killed, &rejected, &queued, &limit);
    assert (queued == 0);
    //  With room again, requests are admitted.
    dp_db_test_load (t, DP_LOADER_sizes_by_id, 1, keys, 1);
    if (t->verbose)
        printf ("    queue of 3: %d requests refused with 503, 4 admitted and answered\n", N - 4);
    mysql_close (locker);
    dp_db_test_stop (t);
    t->max_queue = 0;
}
