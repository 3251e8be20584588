/*  =========================================================================
    dp_db_test_txn - the DB actor's transactions against the test MariaDB

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    txn: BEGIN, STMT INSERT / UPDATE / SELECT FOR UPDATE / DELETE, COMMIT,
    the rows checked with the test's own SQL; ROLLBACK leaves nothing; a
    transaction's own LOAD sees its uncommitted rows while others do not;
    refused statements (UPDATE without a condition, a column bit beyond
    the table) and failed ones (NULL into a NOT NULL column) end it with a
    rollback, 410 after; its deadline, a CANCEL of it, its requester's
    DISCONNECT and its requester's silence roll it back; two transactions
    locking two rows in opposite order: one gets 409 and its rows are gone.
    Many requests of one transaction sent at once are all answered, in
    order, with nothing else sent meanwhile (none waits for the loop's next
    wake-up, which would add up to the requester's silence).
    After each, no transaction is left open in MariaDB and the pinned
    connection is back in the pool.
@end
*/
#include "dp_db_test.h"
#include "dp_tables.h"
#include "dp_db_txn.h"
#include <assert.h>
#include <stdio.h>

//  Rows of the test's qr codes (code LIKE 'dp-txn-%'), by the test's SQL.
static long long
s_qr_rows (dp_db_test_t *t, const char *code)
{
    char sql [256];
    snprintf (sql, sizeof sql, "SELECT COUNT(*) FROM qr WHERE code = '%s'", code);
    return dp_db_testdb_int (t->admin, sql);
}

static uint64_t
s_send_txn (dp_db_test_t *t, uint64_t txn, uint32_t op, uint64_t deadline)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_TXN, .id = ++t->next_id,
                     .deadline_ms = deadline, .trace_id = "txn-test", .u.txn = { txn, op } };
    dp_db_test_send (t, &msg);
    return msg.id;
}

static uint64_t
s_send_stmt (dp_db_test_t *t, const dp_stmt_t *stmt)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_STMT, .id = ++t->next_id,
                     .trace_id = "txn-test", .u.stmt = *stmt };
    dp_db_test_send (t, &msg);
    return msg.id;
}

//  The server's @@gtid_binlog_pos, as SQL reads it.
static void
s_binlog_position (MYSQL *mysql, char *out, size_t len)
{
    MYSQL_RES *res = NULL;
    assert (mysql_query (mysql, "SELECT @@gtid_binlog_pos") == 0 && (res = mysql_store_result (mysql)));
    MYSQL_ROW row = mysql_fetch_row (res);
    assert (row && row [0]);
    snprintf (out, len, "%s", row [0]);
    mysql_free_result (res);
}

static void
s_begin (dp_db_test_t *t, uint64_t txn, uint64_t deadline)
{
    dp_msg_t reply = dp_db_test_rows_reply (t, s_send_txn (t, txn, DP_TXN_BEGIN, deadline));
    assert (reply.u.rows.n_cols == 0 && reply.u.rows.n_rows == 0);
}

//  INSERT one qr row with code; returns its id.
static int64_t
s_insert_qr (dp_db_test_t *t, uint64_t txn, const char *code)
{
    dp_val_t row [] = { dp_db_test_str (code), dp_db_test_str ("2024-05-06 07:08:09") };
    dp_stmt_t stmt = { .txn = txn, .table = DP_TABLE_qr, .op = DP_STMT_INSERT,
                       .columns = DP_TBIT (qr, code) | DP_TBIT (qr, created),
                       .values = row, .n_rows = 1 };
    dp_msg_t reply = dp_db_test_rows_reply (t, s_send_stmt (t, &stmt));
    assert (reply.u.rows.n_cols == 2 && reply.u.rows.n_rows == 1);
    S_IS_INT (&reply.u.rows.cells [0], 1);
    assert (reply.u.rows.cells [1].type == DP_VAL_INT && reply.u.rows.cells [1].u.i > 0);
    return reply.u.rows.cells [1].u.i;
}

//  Nothing left open: no transaction in MariaDB, no pinned slot.
static void
s_all_closed (dp_db_test_t *t)
{
    uint64_t open = 1, pinned = 1, ended = 0;
    for (int tries = 0; tries < 200; tries++) {
        zstr_send (t->actor, "TXNS");
        int rc = zsock_recv (t->actor, "888", &open, &pinned, &ended);
        assert (rc == 0);
        if (open == 0 && pinned == 0
        &&  dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.INNODB_TRX") == 0)
            return;
        zclock_sleep (10);
    }
    fprintf (stderr, "still open: %llu transactions, %llu pinned, %lld in InnoDB\n",
             (unsigned long long) open, (unsigned long long) pinned,
             dp_db_testdb_int (t->admin, "SELECT COUNT(*) FROM information_schema.INNODB_TRX"));
    assert (false);
}

//  After a transaction ended: its later requests get 410.
static void
s_gone (dp_db_test_t *t, uint64_t txn)
{
    dp_db_test_error_reply (t, s_send_txn (t, txn, DP_TXN_COMMIT, 0), DP_STATUS_GONE);
}

void
dp_db_test_concern_txn (dp_db_test_t *t)
{
    dp_db_testdb_exec (t->admin, "DELETE FROM qr WHERE code LIKE 'dp-txn-%'");
    dp_db_test_start (t, "inproc://dp-db-test-txn", 4, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                      "root", NULL);

    //  INSERT, UPDATE, SELECT FOR UPDATE, DELETE, COMMIT.
    s_begin (t, 1, 0);
    int64_t first = s_insert_qr (t, 1, "dp-txn-a");
    int64_t second = s_insert_qr (t, 1, "dp-txn-b");
    //  A LOAD in the transaction sees its rows; one outside does not.
    int64_t keys [] = { first };
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .id = ++t->next_id,
                     .trace_id = "txn-test", .u.load = { DP_LOADER_qr_by_id, 1u << DP_COL_qr_code,
                                                         keys, 1, 1 } };
    dp_db_test_send (t, &msg);
    dp_msg_t reply = dp_db_test_rows_reply (t, msg.id);
    assert (reply.u.rows.n_rows == 1);
    S_IS_STR (&reply.u.rows.cells [1], "dp-txn-a");
    dp_msg_t outside = dp_db_test_load (t, DP_LOADER_qr_by_id, 1u << DP_COL_qr_code, keys, 1);
    assert (outside.u.rows.n_rows == 0);
    assert (s_qr_rows (t, "dp-txn-a") == 0);
    dp_val_t legacy = dp_db_test_int (7);
    dp_val_t ids [] = { dp_db_test_int (first), dp_db_test_int (second) };
    dp_stmt_cond_t both = { DP_TCOL_qr_id, ids, 2 };
    dp_stmt_t update = { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_UPDATE,
                         .columns = DP_TBIT (qr, legacy), .values = &legacy, .n_rows = 1,
                         .where = &both, .n_where = 1 };
    reply = dp_db_test_rows_reply (t, s_send_stmt (t, &update));
    S_IS_INT (&reply.u.rows.cells [0], 2);
    dp_stmt_t select = { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_SELECT,
                         .columns = DP_TBIT (qr, id) | DP_TBIT (qr, code) | DP_TBIT (qr, created)
                                  | DP_TBIT (qr, legacy),
                         .where = &both, .n_where = 1, .lock = true };
    reply = dp_db_test_rows_reply (t, s_send_stmt (t, &select));
    assert (reply.u.rows.n_cols == 4 && reply.u.rows.n_rows == 2);
    S_IS_INT (&reply.u.rows.cells [0], first);
    S_IS_STR (&reply.u.rows.cells [1], "dp-txn-a");
    S_IS_STR (&reply.u.rows.cells [2], "2024-05-06T07:08:09+00:00");
    S_IS_INT (&reply.u.rows.cells [3], 7);
    dp_stmt_cond_t only_second = { DP_TCOL_qr_id, &ids [1], 1 };
    dp_stmt_t delete = { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_DELETE,
                         .where = &only_second, .n_where = 1 };
    reply = dp_db_test_rows_reply (t, s_send_stmt (t, &delete));
    S_IS_INT (&reply.u.rows.cells [0], 1);
    reply = dp_db_test_rows_reply (t, s_send_txn (t, 1, DP_TXN_COMMIT, 0));
    //  The COMMIT answers the primary's GTID position when the server keeps a
    //  binary log (scripts/mariadb.sh's does, for the change feed), else nothing.
    if (dp_db_testdb_int (t->admin, "SELECT @@log_bin") == 1) {
        char gtid [256];
        s_binlog_position (t->admin, gtid, sizeof gtid);
        assert (reply.u.rows.n_cols == 1 && reply.u.rows.n_rows == 1);
        S_IS_STR (&reply.u.rows.cells [0], gtid);
    }
    else
        assert (reply.u.rows.n_cols == 0 && reply.u.rows.n_rows == 0);
    assert (s_qr_rows (t, "dp-txn-a") == 1 && s_qr_rows (t, "dp-txn-b") == 0);
    char sql [256];
    snprintf (sql, sizeof sql, "SELECT legacy FROM qr WHERE id = %lld AND created = "
              "'2024-05-06 07:08:09'", (long long) first);
    assert (dp_db_testdb_int (t->admin, sql) == 7);
    s_gone (t, 1);
    s_all_closed (t);

    //  ROLLBACK leaves nothing.
    s_begin (t, 2, 0);
    s_insert_qr (t, 2, "dp-txn-c");
    dp_db_test_rows_reply (t, s_send_txn (t, 2, DP_TXN_ROLLBACK, 0));
    assert (s_qr_rows (t, "dp-txn-c") == 0);
    s_all_closed (t);

    //  Pipelined: 200 requests of one transaction (LOADs and SELECT FOR
    //  UPDATEs of its own row, as a mutation's rounds and waves), sent
    //  at once, then nothing. MariaDB often answers a short statement
    //  before the connector reads, so it finishes as it starts; the next
    //  request must run then, not at the loop's next wake-up (up to 1 s
    //  each, which would add up past DP_DB_TXN_SILENCE_MS and end the
    //  transaction under the requests still waiting).
    s_begin (t, 10, 0);
    int64_t pipelined = s_insert_qr (t, 10, "dp-txn-p");
    dp_val_t pipelined_id = dp_db_test_int (pipelined);
    dp_stmt_cond_t on_pipelined = { DP_TCOL_qr_id, &pipelined_id, 1 };
    dp_stmt_t lock_row = { .txn = 10, .table = DP_TABLE_qr, .op = DP_STMT_SELECT,
                           .columns = DP_TBIT (qr, code), .where = &on_pipelined,
                           .n_where = 1, .lock = true };
    enum { S_PIPELINED = 200 };
    uint64_t ids_sent [S_PIPELINED];
    for (int i = 0; i < S_PIPELINED; i++) {
        if (i % 2) {
            ids_sent [i] = s_send_stmt (t, &lock_row);
            continue;
        }
        dp_msg_t load = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .id = ++t->next_id,
                          .trace_id = "txn-test",
                          .u.load = { DP_LOADER_qr_by_id, 1u << DP_COL_qr_code,
                                      &pipelined, 1, 10 } };
        dp_db_test_send (t, &load);
        ids_sent [i] = load.id;
    }
    for (int i = 0; i < S_PIPELINED; i++) {
        reply = dp_db_test_rows_reply (t, ids_sent [i]);
        assert (reply.u.rows.n_rows == 1);
        S_IS_STR (&reply.u.rows.cells [i % 2? 0: 1], "dp-txn-p");
    }
    dp_db_test_rows_reply (t, s_send_txn (t, 10, DP_TXN_COMMIT, 0));
    assert (s_qr_rows (t, "dp-txn-p") == 1);
    s_all_closed (t);

    //  Refused: UPDATE without a condition, a bit beyond the table; each
    //  ends its transaction, rolled back.
    for (int variant = 0; variant < 2; variant++) {
        s_begin (t, 3, 0);
        s_insert_qr (t, 3, "dp-txn-d");
        dp_stmt_t refused = update;
        refused.txn = 3;
        if (variant == 0)
            refused.n_where = 0;
        else
            refused.columns = 1ull << 4;
        dp_db_test_error_reply (t, s_send_stmt (t, &refused), DP_STATUS_BAD_REQUEST);
        s_gone (t, 3);
        assert (s_qr_rows (t, "dp-txn-d") == 0);
        s_all_closed (t);
    }

    //  A failed statement (NULL into NOT NULL legacy): 502, rolled back, 410.
    s_begin (t, 4, 0);
    s_insert_qr (t, 4, "dp-txn-e");
    dp_val_t nil = { .type = DP_VAL_NIL };
    dp_stmt_t failing = { .txn = 4, .table = DP_TABLE_qr, .op = DP_STMT_INSERT,
                          .columns = DP_TBIT (qr, legacy), .values = &nil, .n_rows = 1 };
    dp_db_test_error_reply (t, s_send_stmt (t, &failing), DP_STATUS_DB_ERROR);
    s_gone (t, 4);
    assert (s_qr_rows (t, "dp-txn-e") == 0);
    s_all_closed (t);

    //  The deadline: rolled back by db-svc, 410 after.
    s_begin (t, 5, (uint64_t) zclock_time () + 300);
    s_insert_qr (t, 5, "dp-txn-f");
    zclock_sleep (500);
    s_all_closed (t);
    s_gone (t, 5);
    assert (s_qr_rows (t, "dp-txn-f") == 0);

    //  CANCEL of the transaction's id.
    s_begin (t, 6, 0);
    s_insert_qr (t, 6, "dp-txn-g");
    dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = 6, .trace_id = "" };
    dp_db_test_send (t, &cancel);
    s_all_closed (t);
    s_gone (t, 6);
    assert (s_qr_rows (t, "dp-txn-g") == 0);

    //  A second requester: DISCONNECT, then silence (a requester that
    //  just stops sending), each rolls its transaction back.
    zsock_t *first_dealer = t->dealer;
    for (int variant = 0; variant < 2; variant++) {
        t->dealer = zsock_new_dealer ("inproc://dp-db-test-txn");
        assert (t->dealer);
        s_begin (t, 7, 0);
        s_insert_qr (t, 7, "dp-txn-h");
        if (variant == 0) {
            dp_msg_t bye = { .version = DP_PROTO_VERSION, .type = DP_MSG_DISCONNECT, .trace_id = "" };
            dp_db_test_send (t, &bye);
        }
        else {
            zclock_sleep (DP_DB_TXN_SILENCE_MS - 1000);
            uint64_t open, pinned, ended;
            zstr_send (t->actor, "TXNS");
            assert (zsock_recv (t->actor, "888", &open, &pinned, &ended) == 0);
            assert (open == 1);             //  not yet: 2 s of silence is no absence
            zclock_sleep (1500);
        }
        s_all_closed (t);
        assert (s_qr_rows (t, "dp-txn-h") == 0);
        zsock_destroy (&t->dealer);
    }
    t->dealer = first_dealer;

    //  Deadlock: two transactions lock two rows in opposite order; one
    //  gets 409 and its row is rolled back, the other commits.
    dp_db_testdb_exec (t->admin, "INSERT INTO qr (code, legacy) VALUES ('dp-txn-x', 0), ('dp-txn-y', 0)");
    int64_t x = dp_db_testdb_int (t->admin, "SELECT id FROM qr WHERE code = 'dp-txn-x'");
    int64_t y = dp_db_testdb_int (t->admin, "SELECT id FROM qr WHERE code = 'dp-txn-y'");
    s_begin (t, 8, 0);
    s_begin (t, 9, 0);
    dp_val_t vx = dp_db_test_int (x), vy = dp_db_test_int (y);
    dp_stmt_cond_t on_x = { DP_TCOL_qr_id, &vx, 1 }, on_y = { DP_TCOL_qr_id, &vy, 1 };
    dp_val_t mark8 = dp_db_test_int (8), mark9 = dp_db_test_int (9);
    dp_stmt_t lock = { .table = DP_TABLE_qr, .op = DP_STMT_UPDATE, .columns = DP_TBIT (qr, legacy),
                       .n_rows = 1, .n_where = 1 };
    lock.txn = 8, lock.values = &mark8, lock.where = &on_x;
    dp_db_test_rows_reply (t, s_send_stmt (t, &lock));
    lock.txn = 9, lock.values = &mark9, lock.where = &on_y;
    dp_db_test_rows_reply (t, s_send_stmt (t, &lock));
    lock.txn = 8, lock.values = &mark8, lock.where = &on_y;
    uint64_t waits = s_send_stmt (t, &lock);         //  waits for 9's lock
    zclock_sleep (200);
    lock.txn = 9, lock.values = &mark9, lock.where = &on_x;
    uint64_t closes = s_send_stmt (t, &lock);        //  closes the cycle
    dp_msg_t a, b;
    assert (dp_db_test_recv (t, &a, 10000) && dp_db_test_recv (t, &b, 10000));
    dp_msg_t *loser = a.type == DP_MSG_ERROR? &a: &b, *winner = loser == &a? &b: &a;
    assert (loser->type == DP_MSG_ERROR && loser->u.error.status == DP_STATUS_CONFLICT);
    assert (winner->type == DP_MSG_ROWS);
    assert ((loser->id == waits && winner->id == closes) || (loser->id == closes && winner->id == waits));
    uint64_t winner_txn = winner->id == waits? 8: 9;
    s_gone (t, winner_txn == 8? 9: 8);
    dp_db_test_rows_reply (t, s_send_txn (t, winner_txn, DP_TXN_COMMIT, 0));
    snprintf (sql, sizeof sql, "SELECT COUNT(*) FROM qr WHERE id IN (%lld, %lld) AND legacy = %llu",
              (long long) x, (long long) y, (unsigned long long) winner_txn);
    assert (dp_db_testdb_int (t->admin, sql) == 2);    //  the loser's row was rolled back
    s_all_closed (t);

    //  Reads still run while transactions are open.
    dp_db_test_load (t, DP_LOADER_qr_by_id, 1u << DP_COL_qr_code, keys, 1);
    dp_db_test_stop (t);
    dp_db_testdb_exec (t->admin, "DELETE FROM qr WHERE code LIKE 'dp-txn-%'");
}
