/*  =========================================================================
    dp_db_own_writes - Depot's own committed writes, for the change feed's fallback

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_db_own_writes.h"
#include "dp_change.h"
#include "dp_tables.h"

static void
s_append (zmsg_t **changes, dp_change_t *change)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    if (dp_change_encode (change, &buf) == 0) {
        if (!*changes)
            *changes = zmsg_new ();
        zmsg_addmem (*changes, buf.data, buf.size);
    }
    msgpack_sbuffer_destroy (&buf);
}

//  A key from a wire value: integers and text; anything else is no key.
static bool
s_key (const dp_val_t *value, dp_change_key_t *key)
{
    memset (key, 0, sizeof *key);
    if (value->type == DP_VAL_INT)
        key->integer = value->u.i;
    else
    if (value->type == DP_VAL_STR) {
        key->is_text = true;
        key->str = value->u.s.ptr;
        key->len = value->u.s.len;
    }
    else
        return false;
    return true;
}

void
dp_db_own_writes_add (zmsg_t **changes, const dp_stmt_t *stmt, uint64_t insert_id)
{
    const dp_table_t *table = dp_table (stmt->table);
    if (!table || stmt->op == DP_STMT_SELECT)
        return;
    dp_change_t change = {
        .type = DP_CHANGE_CHANGE, .gtid = "", .table = table->name,
        .op = stmt->op == DP_STMT_INSERT ? DP_CHANGE_INSERT
            : stmt->op == DP_STMT_UPDATE ? DP_CHANGE_UPDATE : DP_CHANGE_DELETE
    };
    for (size_t i = 0; i < table->n_columns && change.n_columns < DP_CHANGE_MAX_COLUMNS; i++)
        if (stmt->op == DP_STMT_DELETE || (stmt->columns >> i & 1)
        ||  (stmt->op == DP_STMT_INSERT && i == 0))
            change.columns [change.n_columns++] = table->columns [i].name;
    if (stmt->op == DP_STMT_INSERT) {
        //  Column 0 is the key; given among the values, or generated.
        uint32_t width = (uint32_t) __builtin_popcountll (stmt->columns);
        for (uint32_t row = 0; row < stmt->n_rows; row++) {
            change.n_key = 1;
            if (stmt->columns & 1)
                change.n_key = s_key (&stmt->values [row * width], &change.key [0]);
            else
            if (insert_id)
                change.key [0] = (dp_change_key_t) { .integer = (int64_t) (insert_id + row) };
            else
                change.n_key = 0;
            s_append (changes, &change);
        }
        return;
    }
    for (uint32_t w = 0; w < stmt->n_where; w++) {
        const dp_stmt_cond_t *cond = &stmt->where [w];
        if (cond->column != 0)
            continue;
        for (uint32_t v = 0; v < cond->n_values; v++) {
            change.n_key = s_key (&cond->values [v], &change.key [0]);
            s_append (changes, &change);
        }
        return;
    }
    s_append (changes, &change);        //  rows chosen by another column: the table
}

void
dp_db_own_writes_send (void *push, zmsg_t **changes, const char *gtid)
{
    if (!*changes)
        return;
    zmsg_pushstr (*changes, gtid ? gtid : "");
    size_t frames = zmsg_size (*changes);
    zframe_t *frame;
    for (size_t i = 0; (frame = zmsg_pop (*changes)); i++) {
        //  All frames or none: only the first send can fail (no peer, HWM).
        int flags = ZMQ_DONTWAIT | (i + 1 < frames ? ZMQ_SNDMORE : 0);
        int rc = zmq_send (push, zframe_data (frame), zframe_size (frame), flags);
        zframe_destroy (&frame);
        if (rc < 0 && i == 0)
            break;
    }
    zmsg_destroy (changes);
}

void
dp_db_own_writes_test (bool verbose)
{
    if (verbose)
        printf (" * dp_db_own_writes: ");
    zmsg_t *changes = NULL;
    //  An INSERT of two tags with generated ids 41, 42.
    dp_val_t values [4] = {
        { .type = DP_VAL_STR, .u.s = { "a", 1 } }, { .type = DP_VAL_INT, .u.i = 1 },
        { .type = DP_VAL_STR, .u.s = { "b", 1 } }, { .type = DP_VAL_INT, .u.i = 1 } };
    dp_stmt_t insert = { .txn = 1, .table = DP_TABLE_tags, .op = DP_STMT_INSERT,
                         .columns = DP_TBIT (tags, label) | DP_TBIT (tags, camp_id),
                         .values = values, .n_rows = 2 };
    dp_db_own_writes_add (&changes, &insert, 41);
    //  An UPDATE by two ids, a DELETE by another column.
    dp_val_t ids [2] = { { .type = DP_VAL_INT, .u.i = 7 }, { .type = DP_VAL_INT, .u.i = 9 } };
    dp_stmt_cond_t by_id = { .column = 0, .values = ids, .n_values = 2 };
    dp_stmt_t update = { .txn = 1, .table = DP_TABLE_stock, .op = DP_STMT_UPDATE,
                         .columns = DP_TBIT (stock, items), .values = ids, .n_rows = 1,
                         .where = &by_id, .n_where = 1 };
    dp_db_own_writes_add (&changes, &update, 0);
    dp_stmt_cond_t by_tag = { .column = DP_TCOL_tags_relations_tag_id, .values = ids, .n_values = 1 };
    dp_stmt_t delete = { .txn = 1, .table = DP_TABLE_tags_relations, .op = DP_STMT_DELETE,
                         .where = &by_tag, .n_where = 1 };
    dp_db_own_writes_add (&changes, &delete, 0);
    assert (changes && zmsg_size (changes) == 5);
    struct { const char *table; dp_change_op_t op; size_t n_key; int64_t key; const char *first; } want [] = {
        { "tags", DP_CHANGE_INSERT, 1, 41, "id" }, { "tags", DP_CHANGE_INSERT, 1, 42, "id" },
        { "stock", DP_CHANGE_UPDATE, 1, 7, "items" }, { "stock", DP_CHANGE_UPDATE, 1, 9, "items" },
        { "tags_relations", DP_CHANGE_DELETE, 0, 0, NULL } };
    zframe_t *frame = zmsg_first (changes);
    for (size_t i = 0; i < 5; i++, frame = zmsg_next (changes)) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        dp_change_t c;
        char err [200];
        assert (dp_change_decode (zframe_data (frame), zframe_size (frame), &unpacked, &c,
                                  err, sizeof err) == 0);
        assert (streq (c.table, want [i].table) && c.op == want [i].op && c.n_key == want [i].n_key);
        assert (!c.n_key || c.key [0].integer == want [i].key);
        if (want [i].first)
            assert (streq (c.columns [0], want [i].first));
        else
            assert (c.n_columns == dp_table (DP_TABLE_tags_relations)->n_columns);
        if (i < 2)
            assert (c.n_columns == 3);              //  id, label, camp_id
        msgpack_unpacked_destroy (&unpacked);
    }
    //  No feed connected: dropped at once, never blocking.
    zsock_t *push = zsock_new (ZMQ_PUSH);
    dp_db_own_writes_send (zsock_resolve (push), &changes, "0-1-5");
    assert (changes == NULL);
    zsock_destroy (&push);
    if (verbose)
        printf ("OK\n");
}
