/*  =========================================================================
    dp_change - the change feed's messages: CHANGE, RESYNC, FEED_STATUS

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_change.h"
#include "dp_msg.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_ENVELOPE 6
#define streq(a, b) (strcmp ((a), (b)) == 0)

const char *
dp_change_op_name (dp_change_op_t op)
{
    switch (op) {
        case DP_CHANGE_INSERT: return "insert";
        case DP_CHANGE_UPDATE: return "update";
        case DP_CHANGE_DELETE: return "delete";
    }
    return NULL;
}

static void
s_pack_text (msgpack_packer *pk, const char *text)
{
    dp_msg_pack_str (pk, text, strlen (text));
}

static bool
s_valid (const dp_change_t *c)
{
    if (!c->gtid)
        return false;
    switch (c->type) {
        case DP_CHANGE_CHANGE:
            if (!c->table || !dp_change_op_name (c->op)
            ||  c->n_key > DP_CHANGE_MAX_KEY || c->n_columns > DP_CHANGE_MAX_COLUMNS)
                return false;
            for (size_t i = 0; i < c->n_key; i++)
                if (c->key [i].is_text && !c->key [i].str && c->key [i].len)
                    return false;
            for (size_t i = 0; i < c->n_columns; i++)
                if (!c->columns [i])
                    return false;
            return true;
        case DP_CHANGE_RESYNC:
            return c->reason != NULL;
        case DP_CHANGE_FEED_STATUS:
            return c->mode == DP_FEED_MODE_BINLOG || c->mode == DP_FEED_MODE_FALLBACK;
    }
    return false;
}

int
dp_change_encode (const dp_change_t *c, msgpack_sbuffer *buf)
{
    if (!s_valid (c))
        return -1;
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, S_ENVELOPE);
    msgpack_pack_uint32 (&pk, DP_PROTO_VERSION);
    msgpack_pack_uint32 (&pk, c->type);
    msgpack_pack_uint64 (&pk, c->seq);
    msgpack_pack_uint64 (&pk, 0);
    s_pack_text (&pk, "");
    switch (c->type) {
        case DP_CHANGE_CHANGE:
            msgpack_pack_array (&pk, 6);
            s_pack_text (&pk, c->gtid);
            s_pack_text (&pk, c->table);
            msgpack_pack_uint32 (&pk, c->op);
            msgpack_pack_array (&pk, (uint32_t) c->n_key);
            for (size_t i = 0; i < c->n_key; i++) {
                if (c->key [i].is_text)
                    dp_msg_pack_str (&pk, c->key [i].str, c->key [i].len);
                else
                    msgpack_pack_int64 (&pk, c->key [i].integer);
            }
            msgpack_pack_array (&pk, (uint32_t) c->n_columns);
            for (size_t i = 0; i < c->n_columns; i++)
                s_pack_text (&pk, c->columns [i]);
            if (c->has_base)
                msgpack_pack_int64 (&pk, c->base_id);
            else
                msgpack_pack_nil (&pk);
            break;
        case DP_CHANGE_RESYNC:
            msgpack_pack_array (&pk, 2);
            s_pack_text (&pk, c->gtid);
            s_pack_text (&pk, c->reason);
            break;
        case DP_CHANGE_FEED_STATUS:
            msgpack_pack_array (&pk, 4);
            s_pack_text (&pk, c->gtid);
            msgpack_pack_uint32 (&pk, c->mode);
            msgpack_pack_uint64 (&pk, c->lag_ms);
            msgpack_pack_uint64 (&pk, c->behind);
            break;
    }
    return 0;
}

//  A NUL-terminated copy of a msgpack string in the unpacked zone, or NULL.
static const char *
s_text (const msgpack_object *o, msgpack_zone *zone)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return NULL;
    char *copy = msgpack_zone_malloc (zone, o->via.str.size + 1);
    if (!copy)
        return NULL;
    if (o->via.str.size)                //  an empty string's ptr may be NULL
        memcpy (copy, o->via.str.ptr, o->via.str.size);
    copy [o->via.str.size] = 0;
    return copy;
}

static bool
s_uint (const msgpack_object *o, uint64_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *out = o->via.u64;
    return true;
}

static bool
s_int (const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        *out = o->via.i64;
    else
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
        *out = (int64_t) o->via.u64;
    else
        return false;
    return true;
}

static int
s_fail (char *err, size_t err_len, const char *what)
{
    snprintf (err, err_len, "malformed feed message: %s", what);
    return -1;
}

static int
s_decode_change (const msgpack_object_array *p, msgpack_zone *zone, dp_change_t *c,
                 char *err, size_t err_len)
{
    uint64_t op;
    if (p->size != 6)
        return s_fail (err, err_len, "CHANGE has not 6 fields");
    if (!(c->gtid = s_text (&p->ptr [0], zone)) || !(c->table = s_text (&p->ptr [1], zone)))
        return s_fail (err, err_len, "CHANGE's gtid or table is no string");
    if (!s_uint (&p->ptr [2], &op) || !dp_change_op_name ((dp_change_op_t) op))
        return s_fail (err, err_len, "CHANGE's op is unknown");
    c->op = (dp_change_op_t) op;
    const msgpack_object *key = &p->ptr [3], *columns = &p->ptr [4], *base = &p->ptr [5];
    if (key->type != MSGPACK_OBJECT_ARRAY || key->via.array.size > DP_CHANGE_MAX_KEY)
        return s_fail (err, err_len, "CHANGE's key is no array of at most 4 values");
    c->n_key = key->via.array.size;
    for (size_t i = 0; i < c->n_key; i++) {
        const msgpack_object *v = &key->via.array.ptr [i];
        if (v->type == MSGPACK_OBJECT_STR) {
            c->key [i].is_text = true;
            c->key [i].str = s_text (v, zone);
            c->key [i].len = v->via.str.size;
        }
        else
        if (!s_int (v, &c->key [i].integer))
            return s_fail (err, err_len, "CHANGE's key value is no integer or string");
    }
    if (columns->type != MSGPACK_OBJECT_ARRAY || columns->via.array.size > DP_CHANGE_MAX_COLUMNS)
        return s_fail (err, err_len, "CHANGE's columns are no array of at most 128 names");
    c->n_columns = columns->via.array.size;
    for (size_t i = 0; i < c->n_columns; i++)
        if (!(c->columns [i] = s_text (&columns->via.array.ptr [i], zone)))
            return s_fail (err, err_len, "CHANGE's column name is no string");
    c->has_base = base->type != MSGPACK_OBJECT_NIL;
    if (c->has_base && !s_int (base, &c->base_id))
        return s_fail (err, err_len, "CHANGE's base is no integer");
    return 0;
}

int
dp_change_decode (const void *data, size_t size, msgpack_unpacked *unpacked,
                  dp_change_t *c, char *err, size_t err_len)
{
    memset (c, 0, sizeof *c);
    size_t offset = 0;
    if (msgpack_unpack_next (unpacked, data, size, &offset) != MSGPACK_UNPACK_SUCCESS
    ||  offset != size)
        return s_fail (err, err_len, "not one msgpack value");
    const msgpack_object *root = &unpacked->data;
    if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size != S_ENVELOPE)
        return s_fail (err, err_len, "the envelope is no array of 6");
    const msgpack_object *e = root->via.array.ptr;
    uint64_t version, type;
    if (!s_uint (&e [0], &version) || version != DP_PROTO_VERSION) {
        snprintf (err, err_len, "unsupported protocol version (this peer speaks %d)", DP_PROTO_VERSION);
        return -1;
    }
    if (!s_uint (&e [1], &type) || type < DP_CHANGE_CHANGE || type > DP_CHANGE_FEED_STATUS)
        return s_fail (err, err_len, "not a CHANGE, RESYNC or FEED_STATUS");
    c->type = (dp_change_type_t) type;
    if (!s_uint (&e [2], &c->seq) || e [5].type != MSGPACK_OBJECT_ARRAY)
        return s_fail (err, err_len, "the sequence number or payload is missing");
    const msgpack_object_array *p = &e [5].via.array;
    msgpack_zone *zone = unpacked->zone;
    switch (c->type) {
        case DP_CHANGE_CHANGE:
            return s_decode_change (p, zone, c, err, err_len);
        case DP_CHANGE_RESYNC:
            if (p->size != 2 || !(c->gtid = s_text (&p->ptr [0], zone))
            ||  !(c->reason = s_text (&p->ptr [1], zone)))
                return s_fail (err, err_len, "RESYNC is not [gtid, reason]");
            return 0;
        case DP_CHANGE_FEED_STATUS: {
            uint64_t mode;
            if (p->size != 4 || !(c->gtid = s_text (&p->ptr [0], zone))
            ||  !s_uint (&p->ptr [1], &mode)
            ||  (mode != DP_FEED_MODE_BINLOG && mode != DP_FEED_MODE_FALLBACK)
            ||  !s_uint (&p->ptr [2], &c->lag_ms) || !s_uint (&p->ptr [3], &c->behind))
                return s_fail (err, err_len, "FEED_STATUS is not [gtid, mode, lag_ms, behind]");
            c->mode = (dp_feed_mode_t) mode;
            return 0;
        }
    }
    return s_fail (err, err_len, "unknown type");
}

//  --------------------------------------------------------------------------
//  Selftest

static void
s_round_trip (const dp_change_t *in, dp_change_t *out, msgpack_unpacked *unpacked)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    assert (dp_change_encode (in, &buf) == 0);
    char err [200];
    int rc = dp_change_decode (buf.data, buf.size, unpacked, out, err, sizeof err);
    if (rc)
        fprintf (stderr, "%s\n", err);
    assert (rc == 0);
    //  Every truncation is refused, never read past.
    for (size_t cut = 0; cut < buf.size; cut++) {
        msgpack_unpacked partial;
        msgpack_unpacked_init (&partial);
        dp_change_t ignored;
        assert (dp_change_decode (buf.data, cut, &partial, &ignored, err, sizeof err) == -1);
        msgpack_unpacked_destroy (&partial);
    }
    msgpack_sbuffer_destroy (&buf);
}

void
dp_change_test (bool verbose)
{
    if (verbose)
        printf (" * dp_change: ");
    msgpack_unpacked unpacked;

    dp_change_t change = {
        .type = DP_CHANGE_CHANGE, .seq = UINT64_MAX, .gtid = "0-1-42", .table = "stock",
        .op = DP_CHANGE_UPDATE, .n_key = 2,
        .key = { { .integer = -7 }, { .is_text = true, .str = "Stock", .len = 5 } },
        .n_columns = 2, .columns = { "items", "location_id" }, .has_base = true, .base_id = 3
    };
    dp_change_t out;
    msgpack_unpacked_init (&unpacked);
    s_round_trip (&change, &out, &unpacked);
    assert (out.type == DP_CHANGE_CHANGE && out.seq == UINT64_MAX);
    assert (streq (out.gtid, "0-1-42") && streq (out.table, "stock") && out.op == DP_CHANGE_UPDATE);
    assert (out.n_key == 2 && out.key [0].integer == -7 && !out.key [0].is_text);
    assert (out.key [1].is_text && out.key [1].len == 5 && memcmp (out.key [1].str, "Stock", 5) == 0);
    assert (out.n_columns == 2 && streq (out.columns [1], "location_id"));
    assert (out.has_base && out.base_id == 3);
    msgpack_unpacked_destroy (&unpacked);

    //  No base, no columns, a delete.
    change.has_base = false;
    change.n_columns = 0;
    change.op = DP_CHANGE_DELETE;
    msgpack_unpacked_init (&unpacked);
    s_round_trip (&change, &out, &unpacked);
    assert (!out.has_base && out.n_columns == 0 && out.op == DP_CHANGE_DELETE);
    msgpack_unpacked_destroy (&unpacked);

    dp_change_t resync = { .type = DP_CHANGE_RESYNC, .seq = 1, .gtid = "0-1-5,1-2-3",
                           .reason = "first start" };
    msgpack_unpacked_init (&unpacked);
    s_round_trip (&resync, &out, &unpacked);
    assert (out.type == DP_CHANGE_RESYNC && streq (out.reason, "first start")
            && streq (out.gtid, "0-1-5,1-2-3"));
    msgpack_unpacked_destroy (&unpacked);

    dp_change_t status = { .type = DP_CHANGE_FEED_STATUS, .seq = 9, .gtid = "",
                           .mode = DP_FEED_MODE_FALLBACK, .lag_ms = 1500, .behind = 12 };
    msgpack_unpacked_init (&unpacked);
    s_round_trip (&status, &out, &unpacked);
    assert (out.mode == DP_FEED_MODE_FALLBACK && out.lag_ms == 1500 && out.behind == 12);
    msgpack_unpacked_destroy (&unpacked);

    //  The encoder refuses what the decoder would.
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    dp_change_t bad = change;
    bad.op = 9;
    assert (dp_change_encode (&bad, &buf) == -1);
    bad = change;
    bad.n_key = DP_CHANGE_MAX_KEY + 1;
    assert (dp_change_encode (&bad, &buf) == -1);
    bad = change;
    bad.table = NULL;
    assert (dp_change_encode (&bad, &buf) == -1);
    bad = status;
    bad.mode = 0;
    assert (dp_change_encode (&bad, &buf) == -1);
    assert (buf.size == 0);

    //  A dp_msg message (a HEARTBEAT) is no feed message.
    dp_msg_t heartbeat = { .version = DP_PROTO_VERSION, .type = DP_MSG_HEARTBEAT, .trace_id = "" };
    assert (dp_msg_encode (&heartbeat, &buf) == 0);
    char err [200];
    msgpack_unpacked_init (&unpacked);
    assert (dp_change_decode (buf.data, buf.size, &unpacked, &out, err, sizeof err) == -1);
    assert (strstr (err, "not a CHANGE"));
    msgpack_unpacked_destroy (&unpacked);
    msgpack_sbuffer_destroy (&buf);
    if (verbose)
        printf ("OK\n");
}
