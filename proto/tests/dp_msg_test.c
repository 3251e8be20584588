/*  =========================================================================
    dp_msg_test - the selftest of dp_msg, the codec between Depot's services

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Round trips of every message type, the older forms each appended field
    still decodes, and hostile input: every prefix, mutation and random
    buffer of the encoded messages decodes or is refused, never read past.
@end
*/
#include "dp_msg.h"
#include "dp_gtid.h"
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


//  Every prefix, mutation and random buffer is copied into a heap block of
//  exactly its size, so a read one byte too far is an ASan report.
static int
s_decode_exact (const void *data, size_t size, dp_arena_t *arena, dp_msg_t *msg,
                char *err, size_t err_len, bool peek)
{
    void *copy = malloc (size ? size : 1);
    assert (copy);
    if (size)
        memcpy (copy, data, size);
    int rc = peek ? dp_msg_peek (copy, size, msg, err, err_len)
                  : dp_msg_decode (copy, size, arena, msg, err, err_len);
    //  RESULT.json points into the input: never keep it past this call.
    free (copy);
    return rc;
}

static void
s_expect_malformed (const void *data, size_t size, dp_arena_t *arena, const char *needle)
{
    dp_msg_t msg;
    char err [256] = "";
    int rc = s_decode_exact (data, size, arena, &msg, err, sizeof err, false);
    if (rc != -2 || !*err || (needle && !strstr (err, needle))) {
        fprintf (stderr, "expected -2 with \"%s\", got %d: \"%s\"\n",
                 needle ? needle : "", rc, err);
        assert (false);
    }
}

static bool
s_val_equal (const dp_val_t *a, const dp_val_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
        case DP_VAL_NIL:
            return true;
        case DP_VAL_INT:
            return a->u.i == b->u.i;
        case DP_VAL_BOOL:
            return (a->u.i != 0) == (b->u.i != 0);
        case DP_VAL_DOUBLE:
            return memcmp (&a->u.d, &b->u.d, sizeof (double)) == 0;
        case DP_VAL_STR:
            return a->u.s.len == b->u.s.len
                && memcmp (a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0
                && b->u.s.ptr [b->u.s.len] == 0;
        case DP_VAL_ARRAY:
            if (a->u.a.count != b->u.a.count)
                return false;
            for (uint32_t i = 0; i < a->u.a.count; i++)
                if (!s_val_equal (&a->u.a.items [i], &b->u.a.items [i]))
                    return false;
            return true;
    }
    return false;
}

static bool
s_ints_equal (const int64_t *a, const int64_t *b, uint32_t count)
{
    return count == 0 || memcmp (a, b, count * sizeof (int64_t)) == 0;
}

//  Encode, decode and peek in; check the envelope survived. Leaves the
//  encoding in buf.
static void
s_roundtrip (const dp_msg_t *in, dp_msg_t *out, dp_arena_t *arena, msgpack_sbuffer *buf)
{
    char err [256] = "";
    msgpack_sbuffer_clear (buf);
    assert (dp_msg_encode (in, buf) == 0);
    int rc = dp_msg_decode (buf->data, buf->size, arena, out, err, sizeof err);
    if (rc) {
        fprintf (stderr, "%s round trip failed: %s\n", dp_msg_type_name (in->type), err);
        assert (false);
    }
    assert (out->version == DP_PROTO_VERSION);
    assert (out->type == in->type);
    assert (out->id == in->id);
    assert (out->deadline_ms == in->deadline_ms);
    assert (strcmp (out->trace_id, in->trace_id ? in->trace_id : "") == 0);

    dp_msg_t peeked;
    assert (dp_msg_peek (buf->data, buf->size, &peeked, err, sizeof err) == 0);
    assert (peeked.type == in->type);
    assert (peeked.id == in->id);
    assert (peeked.deadline_ms == in->deadline_ms);
    assert (strcmp (peeked.trace_id, "") == 0);
}

//  Re-pack obj, replacing the node with pre-order number target by
//  replacement. Nodes deeper than max_depth are not candidates. Returns
//  true when the target was found.
static bool
s_pack_mutated (msgpack_packer *pk, const msgpack_object *obj, int depth, int max_depth,
                int *counter, int target, const msgpack_object *replacement)
{
    bool candidate = depth <= max_depth;
    if (candidate && (*counter)++ == target) {
        msgpack_pack_object (pk, *replacement);
        return true;
    }
    if (obj->type != MSGPACK_OBJECT_ARRAY) {
        msgpack_pack_object (pk, *obj);
        return false;
    }
    bool found = false;
    msgpack_pack_array (pk, obj->via.array.size);
    for (uint32_t i = 0; i < obj->via.array.size; i++)
        found |= s_pack_mutated (pk, &obj->via.array.ptr [i], depth + 1, max_depth,
                                 counter, target, replacement);
    return found;
}

//  A replacement of another type that no field of ours accepts in place
//  of the original one (values inside QUERY args and ROWS cells excepted:
//  callers keep those out with max_depth).
static msgpack_object
s_other_type (const msgpack_object *obj)
{
    msgpack_object other;
    memset (&other, 0, sizeof other);
    switch (obj->type) {
        case MSGPACK_OBJECT_STR:
            other.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
            other.via.u64 = 7;
            break;
        case MSGPACK_OBJECT_BOOLEAN:
            other.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
            other.via.u64 = 1;
            break;
        case MSGPACK_OBJECT_NIL:
            other.type = MSGPACK_OBJECT_BOOLEAN;
            other.via.boolean = true;
            break;
        default:
            other.type = MSGPACK_OBJECT_STR;
            other.via.str.ptr = "x";
            other.via.str.size = 1;
            break;
    }
    return other;
}

//  Replace every node of a valid encoding in turn, first with a map (valid
//  nowhere in the protocol), then with a value of another type; every
//  result must be rejected.
static void
s_mutate_every_field (const msgpack_sbuffer *valid, dp_arena_t *arena, int swap_depth)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    assert (msgpack_unpack_next (&unpacked, valid->data, valid->size, &offset)
            == MSGPACK_UNPACK_SUCCESS);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);

    msgpack_object map;
    memset (&map, 0, sizeof map);
    map.type = MSGPACK_OBJECT_MAP;
    int mutations = 0;
    for (int target = 0; ; target++) {
        msgpack_sbuffer_clear (&buf);
        int counter = 0;
        if (!s_pack_mutated (&pk, &unpacked.data, 0, 1000, &counter, target, &map))
            break;
        s_expect_malformed (buf.data, buf.size, arena, "map");
        mutations++;
    }
    assert (mutations > 6);
    for (int target = 0; ; target++) {
        //  Find the node to learn its type, then replace it.
        msgpack_sbuffer_clear (&buf);
        int counter = 0;
        msgpack_object probe;
        memset (&probe, 0, sizeof probe);
        probe.type = MSGPACK_OBJECT_NIL;
        if (!s_pack_mutated (&pk, &unpacked.data, 0, swap_depth, &counter, target, &probe))
            break;
        //  Walk to the node: pre-order numbering restricted to max depth.
        const msgpack_object *stack [64];
        int depths [64];
        int top = 0, number = 0;
        const msgpack_object *node = NULL;
        stack [top] = &unpacked.data;
        depths [top++] = 0;
        while (top > 0) {
            const msgpack_object *o = stack [--top];
            int d = depths [top];
            if (d > swap_depth)
                continue;
            if (number++ == target) {
                node = o;
                break;
            }
            if (o->type == MSGPACK_OBJECT_ARRAY)
                for (uint32_t i = o->via.array.size; i-- > 0; ) {
                    assert (top < 64);
                    stack [top] = &o->via.array.ptr [i];
                    depths [top++] = d + 1;
                }
        }
        assert (node);
        msgpack_object other = s_other_type (node);
        msgpack_sbuffer_clear (&buf);
        counter = 0;
        assert (s_pack_mutated (&pk, &unpacked.data, 0, swap_depth, &counter, target, &other));
        s_expect_malformed (buf.data, buf.size, arena, NULL);
    }
    msgpack_sbuffer_destroy (&buf);
    msgpack_unpacked_destroy (&unpacked);
}

//  Every proper prefix of a valid encoding is malformed, for both
//  decode and peek.
static void
s_truncate_every_length (const msgpack_sbuffer *valid, dp_arena_t *arena)
{
    for (size_t len = 0; len < valid->size; len++) {
        dp_msg_t msg;
        char err [256] = "";
        assert (s_decode_exact (valid->data, len, arena, &msg, err, sizeof err, false) == -2);
        assert (*err);
        assert (s_decode_exact (valid->data, len, arena, &msg, err, sizeof err, true) == -2);
        dp_arena_reset (arena);
    }
    //  And one byte too many.
    char *longer = malloc (valid->size + 1);
    assert (longer);
    memcpy (longer, valid->data, valid->size);
    longer [valid->size] = 0;
    s_expect_malformed (longer, valid->size + 1, arena, "trailing");
    free (longer);
}

static uint64_t
s_rand (uint64_t *state)
{
    //  xorshift64*: fixed seed, same sequence on every run.
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ull;
}

//  The envelope of a hand-made frame, then the payload array header.
static void
s_pack_head (msgpack_packer *pk, uint64_t version, uint64_t type, uint32_t payload_size)
{
    msgpack_pack_array (pk, 6);
    msgpack_pack_uint64 (pk, version);
    msgpack_pack_uint64 (pk, type);
    msgpack_pack_uint64 (pk, 1);
    msgpack_pack_uint64 (pk, 0);
    dp_msg_pack_str (pk, "t", 1);
    msgpack_pack_array (pk, payload_size);
}

//  A hand-made STMT's envelope and first four fields: transaction txn,
//  table 0, op, columns.
static void
s_pack_stmt (msgpack_packer *pk, uint64_t txn, uint32_t op, uint64_t columns)
{
    s_pack_head (pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (pk, txn);
    msgpack_pack_uint32 (pk, 0);
    msgpack_pack_uint32 (pk, op);
    msgpack_pack_uint64 (pk, columns);
}

//  A hand-made EXECUTE of fields fields up to its first five: the identity
//  (user 1 of organisation org, not god, beta_user, no bases, no
//  permissions), the query text, no operation name, no variables, no flags.
static void
s_pack_execute (msgpack_packer *pk, uint32_t fields, int64_t org, int64_t beta_user, const char *query)
{
    s_pack_head (pk, 1, DP_MSG_EXECUTE, fields);
    msgpack_pack_array (pk, 6);
    msgpack_pack_int64 (pk, 1);
    msgpack_pack_int64 (pk, org);
    msgpack_pack_false (pk);
    msgpack_pack_int64 (pk, beta_user);
    msgpack_pack_array (pk, 0);
    msgpack_pack_array (pk, 0);
    dp_msg_pack_str (pk, query, strlen (query));
    msgpack_pack_nil (pk);
    msgpack_pack_nil (pk);
    msgpack_pack_uint32 (pk, 0);
}

static double
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

//  The transaction messages: TXN, STMT, and LOAD and QUERY with a txn
//  (their older forms without one still read). txn_full and stmt_full get
//  a valid encoding of each for the truncation and mutation tests.
static void
s_test_transactions (dp_arena_t *arena, msgpack_sbuffer *txn_full, msgpack_sbuffer *stmt_full)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    dp_msg_t in, out;
    char err [256];
    assert (strcmp (dp_msg_type_name (DP_MSG_TXN), "TXN") == 0);
    assert (strcmp (dp_msg_type_name (DP_MSG_STMT), "STMT") == 0);

    //  TXN: every op, the largest txn; txn 0 and other ops are refused.
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_TXN;
    in.id = 12;
    in.deadline_ms = 1700000000000ull;
    in.trace_id = "req-txn";
    for (uint32_t op = DP_TXN_BEGIN; op <= DP_TXN_ROLLBACK; op++) {
        in.u.txn.txn = UINT64_MAX - op;
        in.u.txn.op = op;
        s_roundtrip (&in, &out, arena, &buf);
        assert (out.u.txn.txn == UINT64_MAX - op && out.u.txn.op == op);
    }
    msgpack_sbuffer_init (txn_full);
    msgpack_sbuffer_write (txn_full, buf.data, buf.size);
    in.u.txn.txn = 0;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    in.u.txn.txn = 1;
    in.u.txn.op = 4;
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    s_pack_head (&pk, 1, DP_MSG_TXN, 2);
    msgpack_pack_uint64 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_TXN_BEGIN);
    s_expect_malformed (buf.data, buf.size, arena, "txn must be non-zero");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_TXN, 2);
    msgpack_pack_uint64 (&pk, 7);
    msgpack_pack_uint32 (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "op 1 to 3");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_TXN, 1);
    msgpack_pack_uint64 (&pk, 7);
    s_expect_malformed (buf.data, buf.size, arena, "must have 2 elements");

    //  STMT INSERT: two rows of every scalar type, two conditions (one
    //  with a nil, one empty), the lock.
    dp_val_t values [] = {
        { .type = DP_VAL_STR, .u.s = { "12345678", 8 } },
        { .type = DP_VAL_INT, .u.i = -3 },
        { .type = DP_VAL_NIL },
        { .type = DP_VAL_STR, .u.s = { "a\0b", 3 } },
        { .type = DP_VAL_DOUBLE, .u.d = 2.5 },
        { .type = DP_VAL_BOOL, .u.i = 1 }
    };
    dp_val_t ids [] = { { .type = DP_VAL_INT, .u.i = INT64_MAX }, { .type = DP_VAL_NIL } };
    dp_stmt_cond_t where [] = { { 0, ids, 2 }, { 63, NULL, 0 } };
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_STMT;
    in.id = 13;
    in.u.stmt.txn = 9;
    in.u.stmt.table = 4;
    in.u.stmt.op = DP_STMT_INSERT;
    in.u.stmt.columns = (1ull << 63) | (1ull << 5) | 1;
    in.u.stmt.values = values;
    in.u.stmt.n_rows = 2;
    in.u.stmt.where = where;
    in.u.stmt.n_where = 2;
    in.u.stmt.lock = true;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.stmt.txn == 9 && out.u.stmt.table == 4 && out.u.stmt.op == DP_STMT_INSERT);
    assert (out.u.stmt.columns == in.u.stmt.columns && out.u.stmt.lock);
    assert (out.u.stmt.n_rows == 2);
    for (int i = 0; i < 6; i++)
        assert (s_val_equal (&values [i], &out.u.stmt.values [i]));
    assert (out.u.stmt.n_where == 2);
    assert (out.u.stmt.where [0].column == 0 && out.u.stmt.where [0].n_values == 2);
    assert (s_val_equal (&ids [0], &out.u.stmt.where [0].values [0]));
    assert (out.u.stmt.where [0].values [1].type == DP_VAL_NIL);
    assert (out.u.stmt.where [1].column == 63 && out.u.stmt.where [1].n_values == 0
            && out.u.stmt.where [1].values == NULL);
    msgpack_sbuffer_init (stmt_full);
    msgpack_sbuffer_write (stmt_full, buf.data, buf.size);

    //  SELECT: no values, no where.
    in.u.stmt.op = DP_STMT_SELECT;
    in.u.stmt.values = NULL;
    in.u.stmt.n_rows = 0;
    in.u.stmt.where = NULL;
    in.u.stmt.n_where = 0;
    in.u.stmt.lock = false;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.stmt.op == DP_STMT_SELECT && !out.u.stmt.lock);
    assert (out.u.stmt.n_rows == 0 && out.u.stmt.values == NULL);
    assert (out.u.stmt.n_where == 0 && out.u.stmt.where == NULL);

    //  The encoder refuses what the decoder would.
    dp_stmt_cond_t many [DP_STMT_WHERE_MAX + 1];
    for (int i = 0; i <= DP_STMT_WHERE_MAX; i++)
        many [i] = (dp_stmt_cond_t) { (uint32_t) i, ids, 1 };
    in.u.stmt.where = many;
    in.u.stmt.n_where = DP_STMT_WHERE_MAX;                  //  exactly the limit is fine
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.stmt.n_where == DP_STMT_WHERE_MAX);
    in.u.stmt.n_where = DP_STMT_WHERE_MAX + 1;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    in.u.stmt.n_where = 0;
    in.u.stmt.op = 5;
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    in.u.stmt.op = DP_STMT_UPDATE;
    in.u.stmt.txn = 0;
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    in.u.stmt.txn = 9;
    in.u.stmt.n_rows = 1;                                   //  a row without its values
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    dp_val_t nested = { .type = DP_VAL_ARRAY, .u.a = { ids, 1 } };
    dp_val_t row [] = { nested, values [0], values [1] };
    in.u.stmt.values = row;                                 //  an array is no value
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);

    //  The decoder: rows of the wrong width, arrays as values, too many
    //  conditions, a lock that is no bool, a zero txn, an unknown op.
    s_pack_stmt (&pk, 9, DP_STMT_INSERT, 3);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "values row must have 2 elements, not 1");
    msgpack_sbuffer_clear (&buf);
    s_pack_stmt (&pk, 9, DP_STMT_UPDATE, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "nested deeper than 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_stmt (&pk, 9, DP_STMT_DELETE, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, DP_STMT_WHERE_MAX + 1);
    for (int i = 0; i <= DP_STMT_WHERE_MAX; i++) {
        msgpack_pack_array (&pk, 2);
        msgpack_pack_uint32 (&pk, 0);
        msgpack_pack_array (&pk, 1);
        msgpack_pack_int (&pk, i);
    }
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "where has 17 elements, more than the limit of 16");
    msgpack_sbuffer_clear (&buf);
    s_pack_stmt (&pk, 9, DP_STMT_DELETE, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 0);                            //  an array in a condition
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "condition value 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_stmt (&pk, 9, DP_STMT_SELECT, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_nil (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "lock must be a bool");
    msgpack_sbuffer_clear (&buf);
    for (uint64_t bad = 0; bad < 2; bad++) {
        s_pack_stmt (&pk, bad ? 9 : 0, bad ? 5 : DP_STMT_SELECT, 1);  //  txn 0, then op 5
        msgpack_pack_array (&pk, 0);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_true (&pk);
        s_expect_malformed (buf.data, buf.size, arena, "op 1 to 4");
        msgpack_sbuffer_clear (&buf);
    }
    //  Rows x columns beyond the limit, found before any row is read.
    s_pack_stmt (&pk, 9, DP_STMT_INSERT, UINT64_MAX);
    msgpack_pack_array (&pk, DP_MSG_MAX_STMT_VALUES / 64 + 1);
    for (uint32_t i = 0; i < DP_MSG_MAX_STMT_VALUES / 64 + 1; i++)
        msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 1000000 values");
    msgpack_sbuffer_clear (&buf);

    //  LOAD and QUERY of three fields (before txn) read as outside any
    //  transaction; two or five fields do not read.
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_int (&pk, 42);
    memset (&out, 0xff, sizeof out);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.txn == 0 && out.u.load.loader == 1 && out.u.load.keys [0] == 42);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_QUERY, 3);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_int (&pk, 42);
    memset (&out, 0xff, sizeof out);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.query.txn == 0 && out.u.query.query == 2 && out.u.query.args [0].u.i == 42);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 2);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint64 (&pk, 3);
    s_expect_malformed (buf.data, buf.size, arena, "must have 6 elements, not 2");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_QUERY, 6);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_nil (&pk);
    msgpack_pack_uint64 (&pk, 1);
    s_expect_malformed (buf.data, buf.size, arena, "must have 5 elements, not 6");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 4);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_int (&pk, -1);                             //  txn is a uint64
    s_expect_malformed (buf.data, buf.size, arena, "txn must not be negative");
    msgpack_sbuffer_destroy (&buf);
    dp_arena_reset (arena);
}

//  Read-your-writes: min_gtid on EXECUTE, LOAD and QUERY, gtid on RESULT;
//  the forms before them still decode, a malformed position never does.
static void
s_test_gtid_fields (dp_arena_t *arena)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    char err [256];
    dp_msg_t in, out;

    //  LOAD and QUERY: round trip with and without a position.
    int64_t keys [] = { 7 };
    memset (&in, 0, sizeof in);
    in.version = DP_PROTO_VERSION;
    in.type = DP_MSG_LOAD;
    in.id = 5;
    in.trace_id = "";
    in.u.load.loader = 1;
    in.u.load.columns = 1;
    in.u.load.keys = keys;
    in.u.load.n_keys = 1;
    in.u.load.min_gtid = "0-1-1234,1-2-3";
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.min_gtid && (strcmp (out.u.load.min_gtid, "0-1-1234,1-2-3") == 0));
    msgpack_sbuffer_clear (&buf);
    in.u.load.min_gtid = NULL;
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.min_gtid == NULL);
    msgpack_sbuffer_clear (&buf);
    in.u.load.min_gtid = "0-1-x";                           //  the encoder refuses it too
    assert (dp_msg_encode (&in, &buf) == -1);
    msgpack_sbuffer_clear (&buf);
    //  LOAD keyed by a lookup's rows: round trip; with keys of its own it is
    //  refused by both ends; key_lookup of the wrong shape is malformed.
    in.u.load.min_gtid = NULL;
    in.u.load.n_keys = 0;
    in.u.load.by_lookup = true;
    in.u.load.key_query = 3;
    in.u.load.key_arg = "S9000'02";
    in.u.load.key_column = 4;
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.by_lookup && out.u.load.key_query == 3 && out.u.load.key_column == 4
         && out.u.load.n_keys == 0 && strcmp (out.u.load.key_arg, "S9000'02") == 0
         && out.u.load.key_arg_len == 8);
    msgpack_sbuffer_clear (&buf);
    in.u.load.n_keys = 1;
    assert (dp_msg_encode (&in, &buf) == -1);
    msgpack_sbuffer_clear (&buf);
    in.u.load.by_lookup = false;
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (!out.u.load.by_lookup && out.u.load.n_keys == 1);
    msgpack_sbuffer_clear (&buf);
    for (int form = 0; form < 2; form++) {
        s_pack_head (&pk, 1, DP_MSG_LOAD, 6);
        msgpack_pack_uint32 (&pk, 1);
        msgpack_pack_uint64 (&pk, 1);
        msgpack_pack_array (&pk, form == 0 ? 0 : 1);
        if (form == 1)
            msgpack_pack_int64 (&pk, 7);
        msgpack_pack_uint64 (&pk, 0);
        msgpack_pack_nil (&pk);
        msgpack_pack_array (&pk, form == 0 ? 2 : 3);
        msgpack_pack_uint32 (&pk, 3);
        msgpack_pack_str (&pk, 1);
        msgpack_pack_str_body (&pk, "x", 1);
        if (form == 1)
            msgpack_pack_uint32 (&pk, 4);
        s_expect_malformed (buf.data, buf.size, arena,
                            form == 0 ? "key_lookup must have 3 elements" : "no keys of its own");
        msgpack_sbuffer_clear (&buf);
    }
    memset (&in, 0, sizeof in);
    in.version = DP_PROTO_VERSION;
    in.type = DP_MSG_QUERY;
    in.trace_id = "";
    in.u.query.query = 2;
    in.u.query.columns = 1;
    in.u.query.min_gtid = "0-1-9";
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.query.min_gtid && (strcmp (out.u.query.min_gtid, "0-1-9") == 0));
    msgpack_sbuffer_clear (&buf);
    //  The form of four fields (with txn, before min_gtid) reads as none.
    s_pack_head (&pk, 1, DP_MSG_QUERY, 4);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_uint64 (&pk, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.query.min_gtid == NULL);
    msgpack_sbuffer_clear (&buf);
    //  Not a position: refused, whatever it might do inside SQL.
    const char *bad [] = { "0-1-2' OR '1'='1", "", "0-1", "0-1-2,0-1-3" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        s_pack_head (&pk, 1, DP_MSG_LOAD, 5);
        msgpack_pack_uint32 (&pk, 1);
        msgpack_pack_uint64 (&pk, 1);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_uint64 (&pk, 0);
        msgpack_pack_str (&pk, strlen (bad [i]));
        msgpack_pack_str_body (&pk, bad [i], strlen (bad [i]));
        s_expect_malformed (buf.data, buf.size, arena, "min_gtid is not a GTID position");
        msgpack_sbuffer_clear (&buf);
    }
    s_pack_head (&pk, 1, DP_MSG_LOAD, 5);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_uint64 (&pk, 0);
    msgpack_pack_uint64 (&pk, 12);
    s_expect_malformed (buf.data, buf.size, arena, "min_gtid must be a str");
    msgpack_sbuffer_clear (&buf);

    //  RESULT: gtid round trip; the form of three fields reads as none.
    memset (&in, 0, sizeof in);
    in.version = DP_PROTO_VERSION;
    in.type = DP_MSG_RESULT;
    in.trace_id = "";
    in.u.result.http_status = 200;
    in.u.result.json = "{}";
    in.u.result.json_len = 2;
    in.u.result.statements = 7;
    in.u.result.gtid = "0-1-77";
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.result.statements == 7 && (strcmp (out.u.result.gtid, "0-1-77") == 0));
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_RESULT, 3);
    msgpack_pack_uint32 (&pk, 200);
    msgpack_pack_bin (&pk, 2);
    msgpack_pack_bin_body (&pk, "{}", 2);
    msgpack_pack_uint32 (&pk, 3);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.result.statements == 3 && out.u.result.gtid == NULL);
    msgpack_sbuffer_clear (&buf);

    //  EXECUTE: 9 fields (idempotency_key nil here, then min_gtid); 7 and
    //  8 still decode, with none.
    dp_permission_t none [1];
    memset (&in, 0, sizeof in);
    in.version = DP_PROTO_VERSION;
    in.type = DP_MSG_EXECUTE;
    in.trace_id = "";
    in.u.execute.identity.permissions = none;
    in.u.execute.query = "{ tags { id } }";
    in.u.execute.query_len = (uint32_t) strlen (in.u.execute.query);
    in.u.execute.prepared = true;
    in.u.execute.min_gtid = "0-1-5";
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.execute.prepared && (strcmp (out.u.execute.min_gtid, "0-1-5") == 0)
            && out.u.execute.idempotency_key == NULL);
    msgpack_sbuffer_clear (&buf);
    in.u.execute.idempotency_key = "key-1";
    in.u.execute.min_gtid = NULL;
    in.u.execute.prepared = false;
    assert (dp_msg_encode (&in, &buf) == 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (!out.u.execute.prepared && (strcmp (out.u.execute.idempotency_key, "key-1") == 0)
            && out.u.execute.min_gtid == NULL);
    msgpack_sbuffer_clear (&buf);
    for (uint32_t fields = 7; fields <= 8; fields++) {
        s_pack_execute (&pk, fields, 1, -1, "x");
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        if (fields == 8)
            msgpack_pack_nil (&pk);
        assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
        assert (out.u.execute.min_gtid == NULL && out.u.execute.idempotency_key == NULL);
        msgpack_sbuffer_clear (&buf);
    }
    msgpack_sbuffer_destroy (&buf);
    dp_arena_reset (arena);
}

void
dp_msg_test (bool verbose)
{
    printf (" * dp_msg: ");
    if (verbose)
        printf ("\n");
    dp_arena_t *arena = dp_arena_new (0);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    dp_msg_t in, out;
    char err [256];

    assert (strcmp (dp_msg_type_name (DP_MSG_EXECUTE), "EXECUTE") == 0);
    assert (strcmp (dp_msg_type_name (DP_MSG_ROWS), "ROWS") == 0);
    assert (strcmp (dp_msg_type_name ((dp_msg_type_t) 99), "?") == 0);

    //  READY with the largest ids the fields can hold.
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_READY;
    in.id = UINT64_MAX;
    in.deadline_ms = UINT64_MAX - 1;
    in.trace_id = "req-\xc3\xa9t\xc3\xa9";
    in.u.ready.credit = UINT32_MAX;
    in.u.ready.instance_id = UINT64_MAX;
    in.u.ready.instance = "host:1/0";
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.ready.credit == UINT32_MAX);
    assert (out.u.ready.instance_id == UINT64_MAX);
    assert (strcmp (out.u.ready.instance, "host:1/0") == 0);
    //  A READY without a name sends nil and reads back as NULL.
    in.u.ready.instance = NULL;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.ready.instance == NULL && out.u.ready.instance_id == UINT64_MAX);

    //  HEARTBEAT and DISCONNECT: empty payloads; a NULL trace id goes as "".
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_HEARTBEAT;
    s_roundtrip (&in, &out, arena, &buf);
    assert (strcmp (out.trace_id, "") == 0);
    assert (out.u.heartbeat.n_reports == 0 && out.u.heartbeat.reports == NULL);
    assert (out.u.heartbeat.instance_id == 0);
    in.u.heartbeat.instance_id = 0x123456789abcdef0ull;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.heartbeat.instance_id == 0x123456789abcdef0ull);
    in.u.heartbeat.instance_id = 0;
    in.type = DP_MSG_DISCONNECT;
    in.id = 12;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.id == 12);

    //  HEARTBEAT with reports: a resolver's own and a db-svc's it forwards,
    //  the largest values, an empty value list and a NULL instance ("").
    uint64_t resolver_values [DP_STAT_RESOLVER_COUNT] = { 3, 64, 7, UINT64_MAX, 0, 2, 2 };
    uint64_t db_values [DP_STAT_DB_COUNT] = { 8, 2, 5, 0, 1, 123456789012ull, 4, 2048, 0, 9 };
    dp_report_t reports [3] = {
        { DP_SERVICE_RESOLVER, "host-\xc3\xa9:42/1", 1763780000123ull, resolver_values,
          DP_STAT_RESOLVER_COUNT },
        { DP_SERVICE_DB, "db-1:7", UINT64_MAX, db_values, DP_STAT_DB_COUNT },
        { 99, NULL, 0, NULL, 0 }
    };
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_HEARTBEAT;
    in.u.heartbeat.reports = reports;
    in.u.heartbeat.n_reports = 3;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.heartbeat.n_reports == 3);
    for (uint32_t i = 0; i < 3; i++) {
        const dp_report_t *got = &out.u.heartbeat.reports [i];
        assert (got->service == reports [i].service && got->taken_ms == reports [i].taken_ms);
        assert (strcmp (got->instance, reports [i].instance ? reports [i].instance : "") == 0);
        assert (got->n_values == reports [i].n_values);
        for (uint32_t v = 0; v < got->n_values; v++)
            assert (got->values [v] == reports [i].values [v]);
    }
    msgpack_sbuffer heartbeat_full;
    msgpack_sbuffer_init (&heartbeat_full);
    msgpack_sbuffer_write (&heartbeat_full, buf.data, buf.size);
    //  Over the limits: the encoder refuses and leaves the buffer as it was.
    char long_name [DP_INSTANCE_MAX + 2];
    memset (long_name, 'x', sizeof long_name - 1);
    long_name [sizeof long_name - 1] = 0;
    reports [2].instance = long_name;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    long_name [DP_INSTANCE_MAX] = 0;                //  exactly the limit is fine
    s_roundtrip (&in, &out, arena, &buf);
    assert (strlen (out.u.heartbeat.reports [2].instance) == DP_INSTANCE_MAX);
    reports [2].n_values = DP_REPORT_VALUES_MAX + 1;
    reports [2].values = db_values;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    reports [2].n_values = 0;
    in.u.heartbeat.n_reports = DP_REPORTS_MAX + 1;
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    in.u.heartbeat.reports = NULL;
    in.u.heartbeat.n_reports = 1;
    assert (dp_msg_encode (&in, &buf) == -1 && buf.size == 0);
    //  ... and so does the decoder, for hand-made frames.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    dp_msg_pack_str (&pk, long_name, DP_INSTANCE_MAX);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    memset (long_name, 'y', sizeof long_name - 1);
    dp_msg_pack_str (&pk, long_name, DP_INSTANCE_MAX + 1);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 255");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    dp_msg_pack_str (&pk, "db", 2);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, DP_REPORT_VALUES_MAX + 1);
    for (int v = 0; v <= DP_REPORT_VALUES_MAX; v++)
        msgpack_pack_uint32 (&pk, 1);
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 64");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    dp_msg_pack_str (&pk, "db", 2);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_int32 (&pk, -1);                   //  values are unsigned
    s_expect_malformed (buf.data, buf.size, arena, "report value");
    //  The HEARTBEAT of version 1 before reports were appended (an empty
    //  payload) still reads, with no reports, and so does the one before
    //  instance_id (reports only), of instance 0; three fields do not, nor
    //  an instance_id that is not an unsigned integer.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.type == DP_MSG_HEARTBEAT && out.u.heartbeat.n_reports == 0);
    assert (out.u.heartbeat.instance_id == 0);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.type == DP_MSG_HEARTBEAT && out.u.heartbeat.instance_id == 0);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 3);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "must have 2 elements");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 2);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_int32 (&pk, -1);
    s_expect_malformed (buf.data, buf.size, arena, "instance_id");
    //  CANCEL: empty payload, the id of the request it abandons.
    in.type = DP_MSG_CANCEL;
    in.id = UINT64_MAX;
    in.trace_id = "req-1";
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.type == DP_MSG_CANCEL && out.id == UINT64_MAX && strcmp (out.trace_id, "req-1") == 0);
    assert (strcmp (dp_msg_type_name (DP_MSG_CANCEL), "CANCEL") == 0);

    //  EXECUTE with every field set: negative ids, unicode, permissions.
    int64_t base_ids [] = { 1, 2, INT64_MAX };
    int64_t read_bases [] = { 1, -3 };
    dp_permission_t permissions [] = {
        { "stock:read", read_bases, 2 },
        { "\xc3\xbcn\xc3\xaf:\xe5\x86\x99", NULL, 0 }
    };
    const char *query = "query Q { base(id: \"1\") { name } } # Z\xc3\xbcrich \xf0\x9f\x9a\x9a";
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_EXECUTE;
    in.id = 1ull << 40;
    in.deadline_ms = 1700000000123ull;
    in.trace_id = "0123456789abcdef";
    in.u.execute.identity.user_id = -5;
    in.u.execute.identity.organisation_id = 0;
    in.u.execute.identity.god = true;
    in.u.execute.identity.beta_user = -1;
    in.u.execute.identity.base_ids = base_ids;
    in.u.execute.identity.n_base_ids = 3;
    in.u.execute.identity.permissions = permissions;
    in.u.execute.identity.n_permissions = 2;
    in.u.execute.query = query;
    in.u.execute.query_len = (uint32_t) strlen (query);
    in.u.execute.operation_name = "Q";
    in.u.execute.variables_json = "{\"x\":[1,\"\xc3\xa9\"]}";
    in.u.execute.flags = DP_EXECUTE_DEBUG;
    //  Prepared: the operation's index and typed variables, a NUL inside a
    //  string value included (values carry their length).
    dp_val_t object [] = {
        { .type = DP_VAL_STR, .u.s = { "first", 5 } }, { .type = DP_VAL_INT, .u.i = -7 },
        { .type = DP_VAL_STR, .u.s = { "after", 5 } }, { .type = DP_VAL_STR, .u.s = { "1\0x", 3 } }
    };
    dp_val_t variables [] = {
        { .type = DP_VAL_INT, .u.i = 0 }, { .type = DP_VAL_ARRAY, .u.a = { object, 4 } },
        { .type = DP_VAL_INT, .u.i = 2 }, { .type = DP_VAL_DOUBLE, .u.d = 0.5 },
        { .type = DP_VAL_INT, .u.i = 3 }, { .type = DP_VAL_BOOL, .u.i = 1 },
        { .type = DP_VAL_INT, .u.i = 4 }, { .type = DP_VAL_NIL }
    };
    in.u.execute.prepared = true;
    in.u.execute.operation = 3;
    in.u.execute.variables = variables;
    in.u.execute.n_variables = 8;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.execute.prepared && out.u.execute.operation == 3 && out.u.execute.n_variables == 8);
    const dp_val_t *got = out.u.execute.variables;
    assert (got [1].type == DP_VAL_ARRAY && got [1].u.a.count == 4);
    assert (got [1].u.a.items [3].u.s.len == 3 && memcmp (got [1].u.a.items [3].u.s.ptr, "1\0x", 3) == 0);
    assert (got [1].u.a.items [1].u.i == -7 && got [3].u.d == 0.5 && got [5].type == DP_VAL_BOOL);
    assert (got [7].type == DP_VAL_NIL && got [6].u.i == 4);
    //  The message every truncation and type swap below starts from: any
    //  type is a valid variable value, so it carries an empty list.
    in.u.execute.n_variables = 0;
    in.u.execute.idempotency_key = "8e03978e-40d5-43e8-bc93-6894a57f9324";
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.execute.prepared && out.u.execute.n_variables == 0);
    assert (strcmp (out.u.execute.idempotency_key, in.u.execute.idempotency_key) == 0);
    const dp_identity_t *identity = &out.u.execute.identity;
    assert (identity->user_id == -5);
    assert (identity->organisation_id == 0);
    assert (identity->god);
    assert (identity->beta_user == -1);
    assert (identity->n_base_ids == 3 && s_ints_equal (identity->base_ids, base_ids, 3));
    assert (identity->n_permissions == 2);
    assert (strcmp (identity->permissions [0].name, "stock:read") == 0);
    assert (identity->permissions [0].n_base_ids == 2);
    assert (identity->permissions [0].base_ids [1] == -3);
    assert (strcmp (identity->permissions [1].name, permissions [1].name) == 0);
    assert (identity->permissions [1].n_base_ids == 0);
    assert (out.u.execute.query_len == strlen (query));
    assert (strcmp (out.u.execute.query, query) == 0);
    assert (strcmp (out.u.execute.operation_name, "Q") == 0);
    assert (strcmp (out.u.execute.variables_json, in.u.execute.variables_json) == 0);
    assert (out.u.execute.variables_len == strlen (in.u.execute.variables_json));
    assert (out.u.execute.flags == DP_EXECUTE_DEBUG);
    //  The decoded strings are copies: the input buffer can go.
    assert (out.u.execute.query < buf.data || out.u.execute.query >= buf.data + buf.size);
    msgpack_sbuffer execute_full;
    msgpack_sbuffer_init (&execute_full);
    msgpack_sbuffer_write (&execute_full, buf.data, buf.size);
    //  An idempotency key is 1 to 255 bytes: the encoder refuses others,
    //  and so does the decoder (a key of 256 bytes packed by hand).
    char long_key [DP_IDEMPOTENCY_KEY_MAX + 2];
    memset (long_key, 'k', sizeof long_key - 1);
    long_key [sizeof long_key - 1] = 0;
    in.u.execute.idempotency_key = long_key;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    long_key [DP_IDEMPOTENCY_KEY_MAX] = 0;
    s_roundtrip (&in, &out, arena, &buf);
    assert (strlen (out.u.execute.idempotency_key) == DP_IDEMPOTENCY_KEY_MAX);
    in.u.execute.idempotency_key = "";
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    in.u.execute.idempotency_key = NULL;

    //  EXECUTE with nil optionals, empty lists and a length shorter than
    //  the C string (only query_len bytes travel).
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_EXECUTE;
    in.u.execute.identity.beta_user = 3;
    in.u.execute.query = "{ me }trailing";
    in.u.execute.query_len = 6;
    s_roundtrip (&in, &out, arena, &buf);
    assert (!out.u.execute.prepared && out.u.execute.variables == NULL);
    assert (out.u.execute.operation_name == NULL);
    assert (out.u.execute.variables_json == NULL);
    assert (out.u.execute.variables_len == 0);
    assert (out.u.execute.identity.n_base_ids == 0);
    assert (out.u.execute.identity.base_ids == NULL);
    assert (out.u.execute.identity.n_permissions == 0);
    assert (!out.u.execute.identity.god);
    assert (out.u.execute.identity.beta_user == 3);
    assert (strcmp (out.u.execute.query, "{ me }") == 0);
    //  The EXECUTE of five fields (before operation and variables were
    //  appended) still reads, as not prepared; variables must come in
    //  index and value pairs, nested at most 12 deep.
    for (int form = 0; form < 4; form++) {
        msgpack_sbuffer_clear (&buf);
        s_pack_execute (&pk, form == 0 ? 5 : 7, 0, -1, "{ a }");
        if (form > 0) {
            msgpack_pack_uint32 (&pk, 0);
            msgpack_pack_array (&pk, form == 1 ? 1 : 2);
            msgpack_pack_uint32 (&pk, 0);
            int depth = form == 2 ? 12 : 13;
            for (int d = 0; form > 1 && d < depth; d++)
                msgpack_pack_array (&pk, 1);
            if (form > 1)
                msgpack_pack_nil (&pk);
        }
        if (form == 1)
            s_expect_malformed (buf.data, buf.size, arena, "not index and value pairs");
        else
        if (form == 3)
            s_expect_malformed (buf.data, buf.size, arena, "nested deeper than 12");
        else {
            assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
            assert (out.u.execute.prepared == (form == 2) && strcmp (out.u.execute.query, "{ a }") == 0);
            //  Before idempotency_key was appended: none.
            assert (out.u.execute.idempotency_key == NULL);
        }
    }
    //  The EXECUTE of eight fields with a key of 256 or 0 bytes is malformed.
    for (size_t key_len = 0; key_len <= DP_IDEMPOTENCY_KEY_MAX + 1; key_len += DP_IDEMPOTENCY_KEY_MAX + 1) {
        msgpack_sbuffer_clear (&buf);
        s_pack_execute (&pk, 8, 0, -1, "{ a }");
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        char key [DP_IDEMPOTENCY_KEY_MAX + 1];
        memset (key, 'k', sizeof key);
        dp_msg_pack_str (&pk, key, key_len);
        s_expect_malformed (buf.data, buf.size, arena, "idempotency_key is");
    }
    in.u.execute.query = "{ m\0e }";
    in.u.execute.query_len = 7;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);

    //  RESULT: json is bin (any bytes) and points into the input.
    const char json [] = "{\"data\":{\"a\":\"\\u0000\"}}\0tail";
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_RESULT;
    in.id = 77;
    in.u.result.http_status = 200;
    in.u.result.json = json;
    in.u.result.json_len = sizeof json - 1;
    in.u.result.statements = 4000000000u;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.result.statements == 4000000000u);
    assert (out.u.result.http_status == 200);
    assert (out.u.result.json_len == sizeof json - 1);
    assert (memcmp (out.u.result.json, json, sizeof json - 1) == 0);
    assert (out.u.result.json >= buf.data
            && out.u.result.json + out.u.result.json_len <= buf.data + buf.size);
    in.u.result.json = NULL;
    in.u.result.json_len = 0;
    in.u.result.http_status = 400;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.result.json_len == 0 && out.u.result.http_status == 400);
    //  The RESULT of two fields (before statements was appended) still
    //  reads, with statements 0; four fields do not.
    for (int fields = 2; fields <= 4; fields += 2) {
        msgpack_sbuffer_clear (&buf);
        msgpack_packer packer;
        msgpack_packer_init (&packer, &buf, msgpack_sbuffer_write);
        msgpack_pack_array (&packer, 6);
        msgpack_pack_uint8 (&packer, DP_PROTO_VERSION);
        msgpack_pack_uint8 (&packer, DP_MSG_RESULT);
        msgpack_pack_uint8 (&packer, 9);
        msgpack_pack_uint8 (&packer, 0);
        msgpack_pack_str (&packer, 0);
        msgpack_pack_array (&packer, (size_t) fields);
        msgpack_pack_uint16 (&packer, 201);
        msgpack_pack_bin (&packer, 2);
        msgpack_pack_bin_body (&packer, "{}", 2);
        for (int i = 2; i < fields; i++)
            msgpack_pack_uint8 (&packer, 5);
        char message [200];
        memset (&out, 0xff, sizeof out);
        int rc = dp_msg_decode (buf.data, buf.size, arena, &out, message, sizeof message);
        if (fields == 2)
            assert (rc == 0 && out.u.result.http_status == 201 && out.u.result.statements == 0
                    && out.u.result.json_len == 2);
        else
            assert (rc == -2);
    }
    msgpack_sbuffer_clear (&buf);
    in.u.result.json_len = 3;           //  length without bytes: invalid
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);

    //  RESULT written around its JSON: the same bytes dp_msg_encode writes,
    //  for a long trace id, a gtid and a JSON over 64 KB (a bin32 header).
    {
        size_t json_len = 70000;
        char *block = malloc (DP_MSG_RESULT_HEADROOM + json_len + 100);
        assert (block);
        char *placed = block + DP_MSG_RESULT_HEADROOM;
        for (size_t i = 0; i < json_len; i++)
            placed [i] = (char) ('a' + i % 26);
        memset (&in, 0, sizeof in);
        in.type = DP_MSG_RESULT;
        in.id = UINT64_MAX;
        in.deadline_ms = 1234567890123ull;
        in.trace_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        in.u.result.http_status = 200;
        in.u.result.json = placed;
        in.u.result.json_len = (uint32_t) json_len;
        in.u.result.statements = 15;
        in.u.result.gtid = "0-1-77,1-2-88";
        msgpack_sbuffer_clear (&buf);
        assert (dp_msg_encode (&in, &buf) == 0);
        size_t size = 0;
        char *start = dp_msg_encode_result_in_place (&in, placed, DP_MSG_RESULT_HEADROOM, 100, &size);
        assert (start && start >= block && size == buf.size);
        assert (memcmp (start, buf.data, size) == 0);
        //  Too little room in front or behind: NULL, nothing written.
        char before = placed [-1], after = placed [json_len];
        assert (!dp_msg_encode_result_in_place (&in, placed, 10, 100, &size));
        assert (!dp_msg_encode_result_in_place (&in, placed, DP_MSG_RESULT_HEADROOM, 2, &size));
        assert (placed [-1] == before && placed [json_len] == after);
        //  Not a RESULT over these bytes: NULL.
        assert (!dp_msg_encode_result_in_place (&in, placed + 1, 100, 100, &size));
        in.type = DP_MSG_ERROR;
        assert (!dp_msg_encode_result_in_place (&in, placed, 100, 100, &size));
        free (block);
    }

    //  LOAD: extreme keys, the top column bit, and an empty key list.
    int64_t keys [] = { INT64_MIN, -1, 0, 1, 127, 128, 65536, INT64_MAX };
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_LOAD;
    in.u.load.loader = 3;
    in.u.load.columns = (1ull << 63) | 5;
    in.u.load.keys = keys;
    in.u.load.n_keys = 8;
    in.u.load.txn = UINT64_MAX;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.load.txn == UINT64_MAX);
    assert (out.u.load.loader == 3);
    assert (out.u.load.columns == ((1ull << 63) | 5));
    assert (out.u.load.n_keys == 8 && s_ints_equal (out.u.load.keys, keys, 8));
    msgpack_sbuffer load_full;
    msgpack_sbuffer_init (&load_full);
    msgpack_sbuffer_write (&load_full, buf.data, buf.size);
    in.u.load.n_keys = 0;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.load.n_keys == 0 && out.u.load.keys == NULL);
    in.u.load.keys = NULL;
    in.u.load.n_keys = 2;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);

    //  QUERY: every value type, arrays nested to the limit of 4.
    dp_val_t deep_str = { .type = DP_VAL_STR, .u.s = { "deep", 4 } };
    dp_val_t level4 = { .type = DP_VAL_ARRAY, .u.a = { &deep_str, 1 } };
    dp_val_t level2 [2] = {
        { .type = DP_VAL_INT, .u.i = 2 },
        { .type = DP_VAL_ARRAY, .u.a = { &level4, 1 } }
    };
    dp_val_t filter [] = {
        { .type = DP_VAL_ARRAY, .u.a = { level2, 2 } },
        { .type = DP_VAL_NIL },
        { .type = DP_VAL_ARRAY, .u.a = { NULL, 0 } }
    };
    dp_val_t args [] = {
        { .type = DP_VAL_INT, .u.i = 42 },
        { .type = DP_VAL_ARRAY, .u.a = { filter, 3 } },
        { .type = DP_VAL_INT, .u.i = -9000000000ll },
        { .type = DP_VAL_STR, .u.s = { "2024-01-31T23:59:59+00:00", 25 } },
        { .type = DP_VAL_STR, .u.s = { "\xe5\x86\x99", 3 } },
        { .type = DP_VAL_STR, .u.s = { "", 0 } },
        { .type = DP_VAL_BOOL, .u.i = 1 },
        { .type = DP_VAL_BOOL, .u.i = 0 },
        { .type = DP_VAL_DOUBLE, .u.d = -1.5 },
        { .type = DP_VAL_NIL }
    };
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_QUERY;
    in.u.query.query = 2;
    in.u.query.columns = 0x1fffff;
    in.u.query.args = args;
    in.u.query.n_args = 10;
    in.u.query.txn = 5;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.query.txn == 5);
    assert (out.u.query.query == 2 && out.u.query.columns == 0x1fffff);
    assert (out.u.query.n_args == 10);
    for (uint32_t i = 0; i < 10; i++)
        assert (s_val_equal (&args [i], &out.u.query.args [i]));
    //  args[1] > filter[0] > level2[1] > level4 > "deep": four arrays.
    assert (out.u.query.args [1].u.a.items [0].u.a.items [1].u.a.items [0]
            .u.a.items [0].type == DP_VAL_STR);
    msgpack_sbuffer query_full;
    msgpack_sbuffer_init (&query_full);
    msgpack_sbuffer_write (&query_full, buf.data, buf.size);
    //  One array more is refused by the encoder and by the decoder.
    dp_val_t level5 = { .type = DP_VAL_ARRAY, .u.a = { &deep_str, 1 } };
    level4.u.a.items = &level5;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);
    s_pack_head (&pk, 1, DP_MSG_QUERY, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    for (int level = 0; level < 5; level++)
        msgpack_pack_array (&pk, 1);
    msgpack_pack_int (&pk, 1);
    s_expect_malformed (buf.data, buf.size, arena, "deeper than 4");
    //  A map is no value.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_QUERY, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_map (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "map");

    //  ROWS through dp_msg_encode and through the streaming writer give
    //  the same bytes.
    dp_val_t cells [] = {
        { .type = DP_VAL_INT, .u.i = 1 },
        { .type = DP_VAL_STR, .u.s = { "BOX-\xc3\xa9", 6 } },
        { .type = DP_VAL_DOUBLE, .u.d = 2.25 },
        { .type = DP_VAL_NIL },
        { .type = DP_VAL_INT, .u.i = INT64_MIN },
        { .type = DP_VAL_STR, .u.s = { "", 0 } },
        { .type = DP_VAL_DOUBLE, .u.d = -0.0 },
        { .type = DP_VAL_INT, .u.i = INT64_MAX }
    };
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_ROWS;
    in.id = 5;
    in.deadline_ms = 9;
    in.trace_id = "rows";
    in.u.rows.n_cols = 4;
    in.u.rows.n_rows = 2;
    in.u.rows.statements = 3;
    in.u.rows.cells = cells;
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.rows.n_cols == 4 && out.u.rows.n_rows == 2 && out.u.rows.statements == 3);
    for (uint32_t i = 0; i < 8; i++)
        assert (s_val_equal (&cells [i], &out.u.rows.cells [i]));
    msgpack_sbuffer rows_full;
    msgpack_sbuffer_init (&rows_full);
    msgpack_sbuffer_write (&rows_full, buf.data, buf.size);

    msgpack_sbuffer streamed;
    msgpack_sbuffer_init (&streamed);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &streamed, &in);
    dp_rows_writer_int (&writer, 1);
    dp_rows_writer_str (&writer, "BOX-\xc3\xa9", 6);
    dp_rows_writer_double (&writer, 2.25);
    dp_rows_writer_nil (&writer);
    dp_rows_writer_int (&writer, INT64_MIN);
    dp_rows_writer_str (&writer, "", 0);
    dp_rows_writer_double (&writer, -0.0);
    dp_rows_writer_int (&writer, INT64_MAX);
    assert (dp_rows_writer_end (&writer) == 0);
    assert (streamed.size == rows_full.size);
    assert (memcmp (streamed.data, rows_full.data, rows_full.size) == 0);

    //  The writer refuses one cell too few or too many.
    msgpack_sbuffer_clear (&streamed);
    dp_rows_writer_begin (&writer, &streamed, &in);
    for (int i = 0; i < 7; i++)
        dp_rows_writer_nil (&writer);
    assert (dp_rows_writer_end (&writer) == -1);
    msgpack_sbuffer_clear (&streamed);
    dp_rows_writer_begin (&writer, &streamed, &in);
    for (int i = 0; i < 9; i++)
        dp_rows_writer_int (&writer, i);
    assert (dp_rows_writer_end (&writer) == -1);
    //  And a header over the cell limit.
    dp_msg_t huge = in;
    huge.u.rows.n_cols = 50001;
    huge.u.rows.n_rows = 1000;
    msgpack_sbuffer_clear (&streamed);
    dp_rows_writer_begin (&writer, &streamed, &huge);
    dp_rows_writer_nil (&writer);
    assert (dp_rows_writer_end (&writer) == -1);
    //  An empty answer: zero rows, no cells.
    dp_msg_t empty = in;
    empty.u.rows.n_rows = 0;
    msgpack_sbuffer_clear (&streamed);
    dp_rows_writer_begin (&writer, &streamed, &empty);
    assert (dp_rows_writer_end (&writer) == 0);
    assert (dp_msg_decode (streamed.data, streamed.size, arena, &out, err, sizeof err) == 0);
    assert (out.type == DP_MSG_ROWS && out.u.rows.n_rows == 0 && out.u.rows.n_cols == 4);
    assert (out.u.rows.cells == NULL);
    msgpack_sbuffer_destroy (&streamed);
    //  Cells may not be bools or arrays.
    cells [3].type = DP_VAL_BOOL;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);
    cells [3].type = DP_VAL_NIL;

    //  ERROR.
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_ERROR;
    in.id = 8;
    in.u.error.status = DP_STATUS_DB_ERROR;
    in.u.error.message = "database error: Table 'x' doesn't exist \xe2\x80\x94 \xc3\xa9";
    s_roundtrip (&in, &out, arena, &buf);
    assert (out.u.error.status == DP_STATUS_DB_ERROR);
    assert (strcmp (out.u.error.message, in.u.error.message) == 0);
    msgpack_sbuffer error_full;
    msgpack_sbuffer_init (&error_full);
    msgpack_sbuffer_write (&error_full, buf.data, buf.size);

    msgpack_sbuffer txn_full, stmt_full;
    s_test_transactions (arena, &txn_full, &stmt_full);
    s_test_gtid_fields (arena);

    //  An unknown type is a programmer error for the encoder.
    memset (&in, 0, sizeof in);
    in.type = (dp_msg_type_t) 99;
    msgpack_sbuffer_clear (&buf);
    assert (dp_msg_encode (&in, &buf) == -1);
    assert (buf.size == 0);
    if (verbose)
        printf ("  round trips OK\n");

    //  Every truncation of EXECUTE and ROWS (and the others) is rejected.
    s_truncate_every_length (&execute_full, arena);
    s_truncate_every_length (&rows_full, arena);
    s_truncate_every_length (&query_full, arena);
    s_truncate_every_length (&load_full, arena);
    s_truncate_every_length (&error_full, arena);
    s_truncate_every_length (&heartbeat_full, arena);
    s_truncate_every_length (&txn_full, arena);
    s_truncate_every_length (&stmt_full, arena);

    //  Every field replaced by a wrong type is rejected.
    s_mutate_every_field (&execute_full, arena, 1000);
    s_mutate_every_field (&load_full, arena, 1000);
    s_mutate_every_field (&error_full, arena, 1000);
    s_mutate_every_field (&heartbeat_full, arena, 1000);
    s_mutate_every_field (&query_full, arena, 2);      //  args hold any value
    s_mutate_every_field (&rows_full, arena, 2);       //  cells hold several types
    s_mutate_every_field (&txn_full, arena, 1000);
    s_mutate_every_field (&stmt_full, arena, 3);       //  values hold several types
    dp_arena_reset (arena);
    if (verbose)
        printf ("  truncations and wrong types rejected\n");

    //  Envelope: version, type, sizes, ranges.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 2, DP_MSG_HEARTBEAT, 0);
    s_expect_malformed (buf.data, buf.size, arena, "version 2");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    assert (strstr (err, "version 2"));
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 0, DP_MSG_HEARTBEAT, 0);
    s_expect_malformed (buf.data, buf.size, arena, "version 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, 99, 0);
    s_expect_malformed (buf.data, buf.size, arena, "unknown message type 99");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, 0, 0);
    s_expect_malformed (buf.data, buf.size, arena, "unknown message type 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, (1ull << 32) + DP_MSG_READY, 1);
    msgpack_pack_uint32 (&pk, 1);
    s_expect_malformed (buf.data, buf.size, arena, "unknown message type");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_READY, 2);              //  neither the old form nor the new
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 1);
    s_expect_malformed (buf.data, buf.size, arena, "must have 3 elements");
    //  ... but peek still finds the id of a message with a bad payload.
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == 0);
    assert (out.id == 1 && out.type == DP_MSG_READY);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_READY, 1);
    msgpack_pack_uint64 (&pk, 1ull << 32);              //  credit is a uint32
    s_expect_malformed (buf.data, buf.size, arena, "out of range");
    //  The READY of before instance_id and instance (credit only) reads as
    //  of an unknown instance; a name over the limit does not read.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_READY, 1);
    msgpack_pack_uint32 (&pk, 7);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.ready.credit == 7 && out.u.ready.instance_id == 0 && out.u.ready.instance == NULL);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_READY, 3);
    msgpack_pack_uint32 (&pk, 7);
    msgpack_pack_uint64 (&pk, 9);
    {
        char name [DP_INSTANCE_MAX + 2];
        memset (name, 'n', sizeof name);
        dp_msg_pack_str (&pk, name, DP_INSTANCE_MAX + 1);
    }
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 255");
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 5);                        //  envelope of 5
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 0);
    dp_msg_pack_str (&pk, "t", 1);
    s_expect_malformed (buf.data, buf.size, arena, "6 elements, not 5");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    assert (strstr (err, "6 elements, not 5"));
    //  A future version with a longer envelope is named as such.
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 7);
    for (int i = 0; i < 7; i++)
        msgpack_pack_uint32 (&pk, 2);
    s_expect_malformed (buf.data, buf.size, arena, "version 2");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    assert (strstr (err, "version 2"));
    const uint8_t empty_array [] = { 0x90 };
    s_expect_malformed (empty_array, 1, arena, "non-empty array");
    assert (dp_msg_peek (empty_array, 1, &out, err, sizeof err) == -2);
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 6);                        //  negative id
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_int64 (&pk, -1);
    msgpack_pack_uint32 (&pk, 0);
    dp_msg_pack_str (&pk, "t", 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "negative");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 6);                        //  NUL in trace id
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 0);
    dp_msg_pack_str (&pk, "a\0b", 3);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "NUL");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    //  Signed encodings of non-negative numbers are accepted (other
    //  msgpack writers use them).
    msgpack_sbuffer_clear (&buf);
    const uint8_t signed_ok [] = { 0x96, 0xd0, 0x01, 0xd1, 0x00, 0x01, 0xd3, 0, 0, 0, 0, 0, 0, 0, 9,
                                   0x00, 0xa0, 0x91, 0xd2, 0, 0, 0, 5 };
    assert (dp_msg_decode (signed_ok, sizeof signed_ok, arena, &out, err, sizeof err) == 0);
    assert (out.type == DP_MSG_READY && out.id == 9 && out.u.ready.credit == 5);
    assert (dp_msg_peek (signed_ok, sizeof signed_ok, &out, err, sizeof err) == 0);
    assert (out.type == DP_MSG_READY && out.id == 9);

    //  Integer ranges inside payloads.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_uint64 (&pk, (uint64_t) INT64_MAX + 1);
    s_expect_malformed (buf.data, buf.size, arena, "does not fit in int64");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_int64 (&pk, -2);                       //  negative loader id
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "loader must not be negative");
    msgpack_sbuffer_clear (&buf);
    s_pack_execute (&pk, 5, 1, (int64_t) INT32_MAX + 1, "{a}");   //  beta_user is an int32
    s_expect_malformed (buf.data, buf.size, arena, "beta_user");

    //  ROWS: the cell count must be n_cols * n_rows, within the limit.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_ROWS, 4);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 3);
    for (int i = 0; i < 3; i++)
        msgpack_pack_int (&pk, i);
    s_expect_malformed (buf.data, buf.size, arena, "3 cells for 2 columns x 2 rows");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_ROWS, 4);
    msgpack_pack_uint32 (&pk, UINT32_MAX);               //  product near 2^64
    msgpack_pack_uint32 (&pk, UINT32_MAX);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_nil (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "limit of 50000000 cells");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_ROWS, 4);
    msgpack_pack_uint32 (&pk, 65536);                    //  2^32: wraps in 32 bits
    msgpack_pack_uint32 (&pk, 65536);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "limit");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_ROWS, 4);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 2);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_true (&pk);                             //  bool is no cell
    s_expect_malformed (buf.data, buf.size, arena, "cell 1: type bool");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_ROWS, 4);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_float (&pk, 0.5f);                      //  float32 reads as a double
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.rows.cells [0].type == DP_VAL_DOUBLE && out.u.rows.cells [0].u.d == 0.5);

    //  Oversize counts.
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, DP_MSG_MAX_INTS + 1);
    for (uint32_t i = 0; i < DP_MSG_MAX_INTS + 1; i++)
        msgpack_pack_int (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "limit of 1000000");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, DP_MSG_MAX_INTS);                //  exactly the limit is fine
    for (uint32_t i = 0; i < DP_MSG_MAX_INTS; i++)
        msgpack_pack_int (&pk, 7);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.n_keys == DP_MSG_MAX_INTS && out.u.load.keys [DP_MSG_MAX_INTS - 1] == 7);
    dp_arena_reset (arena);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_EXECUTE, 5);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_false (&pk);
    msgpack_pack_int (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, DP_MSG_MAX_PERMISSIONS + 1);
    for (uint32_t i = 0; i < DP_MSG_MAX_PERMISSIONS + 1; i++) {
        msgpack_pack_array (&pk, 2);
        dp_msg_pack_str (&pk, "stock:read", 10);
        msgpack_pack_array (&pk, 0);
    }
    dp_msg_pack_str (&pk, "{a}", 3);
    msgpack_pack_nil (&pk);
    msgpack_pack_nil (&pk);
    msgpack_pack_uint32 (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "limit of 1000");
    //  A string one byte over 64 MiB, in the envelope: decode and peek.
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 0);
    char *big = calloc (1, (size_t) DP_MSG_MAX_STR + 1);
    assert (big);
    memset (big, 'x', (size_t) DP_MSG_MAX_STR + 1);
    dp_msg_pack_str (&pk, big, (size_t) DP_MSG_MAX_STR + 1);
    free (big);
    msgpack_pack_array (&pk, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == -2);
    assert (strstr (err, "trace_id") && strstr (err, "limit"));
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    msgpack_sbuffer_destroy (&buf);     //  give the 64 MiB back
    msgpack_sbuffer_init (&buf);
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);

    //  Lies about sizes and structure, caught before anything is allocated.
    const uint8_t lie_array [] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
    s_expect_malformed (lie_array, sizeof lie_array, arena, "claims");
    const uint8_t lie_map [] = { 0x96, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xdf, 0x7f, 0xff, 0xff, 0xff };
    s_expect_malformed (lie_map, sizeof lie_map, arena, "claims");
    const uint8_t lie_str [] = { 0xdb, 0xff, 0xff, 0xff, 0xf0, 'a' };
    s_expect_malformed (lie_str, sizeof lie_str, arena, "truncated");
    const uint8_t reserved [] = { 0x91, 0xc1 };
    s_expect_malformed (reserved, sizeof reserved, arena, "reserved byte 0xc1");
    const uint8_t ext [] = { 0x96, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xd4, 0x01, 0x00 };
    s_expect_malformed (ext, sizeof ext, arena, "payload must be an array, not ext");
    const uint8_t not_array [] = { 0xa3, 'a', 'b', 'c' };
    s_expect_malformed (not_array, sizeof not_array, arena, "must be a non-empty array, not str");
    uint8_t deep [200];
    memset (deep, 0x91, sizeof deep);
    deep [sizeof deep - 1] = 0xc0;
    s_expect_malformed (deep, sizeof deep, arena, "nested deeper than 16");
    assert (dp_msg_peek (deep, sizeof deep, &out, err, sizeof err) == -2);
    s_expect_malformed (NULL, 0, arena, "empty");
    assert (dp_msg_peek (NULL, 0, &out, err, sizeof err) == -2);

    //  Random buffers and random damage to valid messages, with a fixed
    //  seed: decode and peek return 0 or -2 and never read out of bounds.
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint8_t noise [300];
    size_t accepted = 0;
    for (int round = 0; round < 4000; round++) {
        size_t len = s_rand (&seed) % sizeof noise;
        for (size_t i = 0; i < len; i++)
            noise [i] = (uint8_t) s_rand (&seed);
        if (round % 2 && len >= 6) {
            //  Half start like an envelope, to get past the first checks.
            noise [0] = 0x96;
            noise [1] = 0x01;
            noise [2] = (uint8_t) (s_rand (&seed) % 32);
        }
        int rc = s_decode_exact (noise, len, arena, &out, err, sizeof err, false);
        assert (rc == 0 || (rc == -2 && *err));
        rc = s_decode_exact (noise, len, arena, &out, err, sizeof err, true);
        assert (rc == 0 || (rc == -2 && *err));
        dp_arena_reset (arena);
    }
    const msgpack_sbuffer *valid [] = { &execute_full, &rows_full, &query_full, &load_full,
                                        &error_full, &stmt_full };
    for (int round = 0; round < 6000; round++) {
        const msgpack_sbuffer *source = valid [round % 6];
        uint8_t damaged [1024];
        assert (source->size <= sizeof damaged);
        memcpy (damaged, source->data, source->size);
        int flips = 1 + (int) (s_rand (&seed) % 3);
        for (int i = 0; i < flips; i++)
            damaged [s_rand (&seed) % source->size] = (uint8_t) s_rand (&seed);
        int rc = s_decode_exact (damaged, source->size, arena, &out, err, sizeof err, false);
        assert (rc == 0 || (rc == -2 && *err));
        if (rc == 0) {
            accepted++;
            if (out.type == DP_MSG_ROWS)
                assert (out.u.rows.n_cols * out.u.rows.n_rows == 0 || out.u.rows.cells);
        }
        rc = s_decode_exact (damaged, source->size, arena, &out, err, sizeof err, true);
        assert (rc == 0 || (rc == -2 && *err));
        dp_arena_reset (arena);
    }
    if (verbose)
        printf ("  hostile input rejected (%zu damaged messages still well-formed)\n", accepted);

    //  Speed: the biggest ROWS the front-end causes, 8,201 boxes x 20
    //  columns, written by the streaming writer and decoded.
    memset (&in, 0, sizeof in);
    in.type = DP_MSG_ROWS;
    in.id = 99;
    in.u.rows.n_cols = 20;
    in.u.rows.n_rows = 8201;
    in.u.rows.statements = 1;
    msgpack_sbuffer_clear (&buf);
    double start = s_now_ms ();
    dp_rows_writer_begin (&writer, &buf, &in);
    for (uint32_t row = 0; row < 8201; row++) {
        dp_rows_writer_int (&writer, 100000 + row);
        char label [16];
        int label_len = snprintf (label, sizeof label, "%08u", row * 7919u);
        dp_rows_writer_str (&writer, label, (size_t) label_len);
        for (int col = 2; col < 20; col++) {
            if (col % 5 == 0)
                dp_rows_writer_str (&writer, "2024-01-31T23:59:59+00:00", 25);
            else
            if (col % 7 == 0)
                dp_rows_writer_double (&writer, row * 0.25);
            else
            if (col % 4 == 0)
                dp_rows_writer_nil (&writer);
            else
                dp_rows_writer_int (&writer, (int64_t) row * col);
        }
    }
    assert (dp_rows_writer_end (&writer) == 0);
    double encoded = s_now_ms ();
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    double decoded = s_now_ms ();
    assert (dp_msg_peek (buf.data, buf.size, &in, err, sizeof err) == 0);
    double peeked = s_now_ms ();
    assert (out.u.rows.n_rows == 8201 && out.u.rows.n_cols == 20);
    const dp_val_t *last = &out.u.rows.cells [8200 * 20];
    assert (last [0].type == DP_VAL_INT && last [0].u.i == 108200);
    assert (last [1].type == DP_VAL_STR && last [1].u.s.len == 8);
    assert (last [5].type == DP_VAL_STR && strcmp (last [5].u.s.ptr, "2024-01-31T23:59:59+00:00") == 0);
    assert (last [7].type == DP_VAL_DOUBLE && last [7].u.d == 8200 * 0.25);
    assert (last [8].type == DP_VAL_NIL);
    assert (last [19].type == DP_VAL_INT && last [19].u.i == 8200 * 19);
    if (verbose)
        printf ("  164,020 cells (%zu bytes): encode %.1f ms, decode %.1f ms, peek %.1f ms\n",
                buf.size, encoded - start, decoded - encoded, peeked - decoded);
    //  Generous bound (sanitizer builds, busy machines); Release is ~ms.
    assert (decoded - encoded < 1000.0);

    msgpack_sbuffer_destroy (&execute_full);
    msgpack_sbuffer_destroy (&load_full);
    msgpack_sbuffer_destroy (&query_full);
    msgpack_sbuffer_destroy (&rows_full);
    msgpack_sbuffer_destroy (&error_full);
    msgpack_sbuffer_destroy (&heartbeat_full);
    msgpack_sbuffer_destroy (&txn_full);
    msgpack_sbuffer_destroy (&stmt_full);
    msgpack_sbuffer_destroy (&buf);
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
