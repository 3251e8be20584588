/*  =========================================================================
    gen_msg_corpus - writes one valid encoded message of each type, the
    seeds of fuzz/corpus/fuzz_msg/

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    gen_msg_corpus DIR writes DIR/<type>.msgpack for READY, HEARTBEAT (also
    with reports), DISCONNECT, CANCEL, EXECUTE, RESULT, LOAD, QUERY (every value
    type, a nested list; both in a transaction), TXN, STMT, ROWS (streamed with dp_rows_writer, every cell
    type) and ERROR. Every file is checked to decode before it is written.
    The committed seeds were made with it; rerun it after a protocol
    change. heartbeat_empty.msgpack, result_before_statements.msgpack and
    execute_five_fields.msgpack, load_three_fields.msgpack and
    query_three_fields.msgpack, the HEARTBEAT, RESULT, EXECUTE, LOAD and
    QUERY of before fields were appended to them, are kept by hand:
    decoders still read them.
@end
*/
#include "dp_arena.h"
#include "dp_msg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_write (const char *dir, const char *name, const msgpack_sbuffer *buf)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_msg_t check;
    char err [256];
    int rc = dp_msg_decode (buf->data, buf->size, arena, &check, err, sizeof err);
    dp_arena_destroy (&arena);
    if (rc) {
        fprintf (stderr, "gen_msg_corpus: %s does not decode: %s\n", name, err);
        return -1;
    }
    char path [4096];
    snprintf (path, sizeof path, "%s/%s.msgpack", dir, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (buf->data, 1, buf->size, file) != buf->size) {
        fprintf (stderr, "gen_msg_corpus: cannot write %s\n", path);
        if (file)
            fclose (file);
        return -1;
    }
    return fclose (file) == 0 ? 0 : -1;
}

static int
s_emit (const char *dir, const char *name, const dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_msg_encode (msg, &buf) == 0 ? s_write (dir, name, &buf) : -1;
    if (rc)
        fprintf (stderr, "gen_msg_corpus: %s failed\n", name);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: gen_msg_corpus DIR\n");
        return 2;
    }
    const char *dir = argv [1];
    int failed = 0;
    dp_msg_t msg;

    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_READY;
    msg.trace_id = "";
    msg.u.ready.credit = 64;
    failed |= s_emit (dir, "ready", &msg);
    msg.type = DP_MSG_HEARTBEAT;
    msg.u.heartbeat.reports = NULL;
    msg.u.heartbeat.n_reports = 0;
    failed |= s_emit (dir, "heartbeat", &msg);
    uint64_t resolver_values [] = { 3, 64, 12, 1000, 0, 2, 2 };
    uint64_t db_values [] = { 8, 5, 3, 0, 0, 4242, 12, 2048, 0, 7, 1200, 1, 0 };
    dp_report_t reports [] = {
        { DP_SERVICE_RESOLVER, "resolver-1:7/0", 1763780000123ull, resolver_values, 7 },
        { DP_SERVICE_DB, "db-svc-2:1", 1763780000100ull, db_values, 13 }
    };
    msg.u.heartbeat.reports = reports;
    msg.u.heartbeat.n_reports = 2;
    failed |= s_emit (dir, "heartbeat_reports", &msg);
    msg.type = DP_MSG_DISCONNECT;
    failed |= s_emit (dir, "disconnect", &msg);
    msg.type = DP_MSG_CANCEL;
    msg.id = 77;
    failed |= s_emit (dir, "cancel", &msg);
    msg.id = 0;

    int64_t base_ids [] = { 1, 2 };
    int64_t read_bases [] = { 1 };
    dp_permission_t permissions [] = {
        { "stock:read", read_bases, 1 }, { "product:write", base_ids, 2 }
    };
    const char *query = "query ManageBoxes($baseId: ID!) { boxes(baseId: $baseId, "
                        "paginationInput: {first: 2}) { totalCount elements { labelIdentifier "
                        "product { name } } } }";
    //  As the gateway sends it: prepared, the operation's index and the
    //  coerced $baseId (definition 0) typed, no JSON.
    dp_val_t variables [] = { { .type = DP_VAL_INT, .u.i = 0 }, { .type = DP_VAL_STR, .u.s = { "1", 1 } } };
    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_EXECUTE;
    msg.id = 7;
    msg.deadline_ms = 1700000000123ull;
    msg.trace_id = "0123456789abcdef";
    msg.u.execute.identity.user_id = 8;
    msg.u.execute.identity.organisation_id = 1;
    msg.u.execute.identity.beta_user = 3;
    msg.u.execute.identity.base_ids = base_ids;
    msg.u.execute.identity.n_base_ids = 2;
    msg.u.execute.identity.permissions = permissions;
    msg.u.execute.identity.n_permissions = 2;
    msg.u.execute.query = query;
    msg.u.execute.query_len = (uint32_t) strlen (query);
    msg.u.execute.operation_name = "ManageBoxes";
    msg.u.execute.prepared = true;
    msg.u.execute.operation = 0;
    msg.u.execute.variables = variables;
    msg.u.execute.n_variables = 2;
    msg.u.execute.flags = DP_EXECUTE_DEBUG;
    failed |= s_emit (dir, "execute", &msg);

    const char *json = "{\"data\":{\"base\":{\"name\":\"Lesvos\"}}}";
    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_RESULT;
    msg.id = 7;
    msg.trace_id = "0123456789abcdef";
    msg.u.result.http_status = 200;
    msg.u.result.json = json;
    msg.u.result.json_len = (uint32_t) strlen (json);
    failed |= s_emit (dir, "result", &msg);

    int64_t keys [] = { 1, 5, 9, -1 };
    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_LOAD;
    msg.id = 12;
    msg.trace_id = "t";
    msg.u.load.loader = 1;
    msg.u.load.columns = 0x17;
    msg.u.load.keys = keys;
    msg.u.load.n_keys = 4;
    msg.u.load.txn = 77;
    failed |= s_emit (dir, "load", &msg);

    dp_val_t items [] = {
        { .type = DP_VAL_INT, .u.i = 3 }, { .type = DP_VAL_STR, .u.s = { "InStock", 7 } }
    };
    dp_val_t args [] = {
        { .type = DP_VAL_INT, .u.i = 1 },
        { .type = DP_VAL_STR, .u.s = { "box", 3 } },
        { .type = DP_VAL_DOUBLE, .u.d = 2.5 },
        { .type = DP_VAL_BOOL, .u.i = 1 },
        { .type = DP_VAL_NIL },
        { .type = DP_VAL_ARRAY, .u.a = { items, 2 } }
    };
    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_QUERY;
    msg.id = 13;
    msg.trace_id = "t";
    msg.u.query.query = 0;
    msg.u.query.columns = 0xff;
    msg.u.query.args = args;
    msg.u.query.n_args = 6;
    msg.u.query.txn = 77;
    failed |= s_emit (dir, "query", &msg);

    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_TXN;
    msg.id = 14;
    msg.trace_id = "t";
    msg.u.txn.txn = 77;
    msg.u.txn.op = DP_TXN_BEGIN;
    failed |= s_emit (dir, "txn", &msg);

    dp_val_t row [] = {
        { .type = DP_VAL_STR, .u.s = { "12345678", 8 } }, { .type = DP_VAL_INT, .u.i = 3 },
        { .type = DP_VAL_NIL }, { .type = DP_VAL_DOUBLE, .u.d = 0.5 }
    };
    dp_val_t ids [] = { { .type = DP_VAL_INT, .u.i = 5 }, { .type = DP_VAL_NIL } };
    dp_stmt_cond_t where [] = { { 0, ids, 2 }, { 3, NULL, 0 } };
    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_STMT;
    msg.id = 15;
    msg.trace_id = "t";
    msg.u.stmt.txn = 77;
    msg.u.stmt.table = 0;
    msg.u.stmt.op = DP_STMT_UPDATE;
    msg.u.stmt.columns = 0x0f;
    msg.u.stmt.values = row;
    msg.u.stmt.n_rows = 1;
    msg.u.stmt.where = where;
    msg.u.stmt.n_where = 2;
    failed |= s_emit (dir, "stmt", &msg);

    //  Rows of no columns: the decoder once computed NULL + 0 for them (UBSan).
    msg.u.stmt.columns = 0;
    msg.u.stmt.values = NULL;
    msg.u.stmt.n_rows = 2;
    failed |= s_emit (dir, "stmt_no_columns", &msg);

    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_ROWS;
    msg.id = 12;
    msg.trace_id = "t";
    msg.u.rows.n_cols = 3;
    msg.u.rows.n_rows = 2;
    msg.u.rows.statements = 1;
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buf, &msg);
    dp_rows_writer_int (&writer, 1);
    dp_rows_writer_str (&writer, "Jacket", 6);
    dp_rows_writer_double (&writer, 0.5);
    dp_rows_writer_int (&writer, 5);
    dp_rows_writer_nil (&writer);
    dp_rows_writer_str (&writer, "2023-01-02 03:04:05", 19);
    if (dp_rows_writer_end (&writer) || s_write (dir, "rows", &buf))
        failed = 1;
    msgpack_sbuffer_destroy (&buf);

    memset (&msg, 0, sizeof msg);
    msg.type = DP_MSG_ERROR;
    msg.id = 13;
    msg.trace_id = "t";
    msg.u.error.status = DP_STATUS_DB_ERROR;
    msg.u.error.message = "Lost connection to server during query";
    failed |= s_emit (dir, "error", &msg);
    return failed ? 1 : 0;
}
