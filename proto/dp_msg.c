/*  =========================================================================
    dp_msg - the one codec for every message between Depot's services

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Encodes dp_msg_t into one msgpack array and decodes it back. The wire
    format, field by field, is written down in proto/README.md; this file
    must agree with it.
@discuss
    Decoding runs in three steps. First a byte scanner walks the whole
    frame without allocating: it rejects truncated input, trailing bytes,
    reserved bytes and nesting deeper than DP_MSG_MAX_DEPTH, and proves that no
    container claims more elements than there are bytes left. Only then is
    the frame handed to msgpack_unpack_next, so a hostile header such as
    "array of 4 billion elements" in five bytes can never make msgpack-c's
    zone allocate gigabytes. Last, the msgpack_object tree is walked and
    every field checked for type and range while its data is copied into
    the caller's arena.
    ROWS cells are decoded into one array allocated once; strings go to the
    arena, so a 160k-cell answer costs no malloc per cell.
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

//  Rows writer state when more cells were written than announced or the
//  announced count was over the limit: every later call is a no-op and
//  dp_rows_writer_end returns -1.
#define S_WRITER_BROKEN     UINT64_MAX

//  Fill err and return -2 (malformed).
static int
s_fail (char *err, size_t err_len, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_fail (char *err, size_t err_len, const char *fmt, ...)
{
    if (err && err_len) {
        va_list args;
        va_start (args, fmt);
        vsnprintf (err, err_len, fmt, args);
        va_end (args);
    }
    return -2;
}


//  --------------------------------------------------------------------------
//  Human name of a type, or "?".

const char *
dp_msg_type_name (dp_msg_type_t type)
{
    switch (type) {
        case DP_MSG_READY:      return "READY";
        case DP_MSG_HEARTBEAT:  return "HEARTBEAT";
        case DP_MSG_DISCONNECT: return "DISCONNECT";
        case DP_MSG_CANCEL:     return "CANCEL";
        case DP_MSG_EXECUTE:    return "EXECUTE";
        case DP_MSG_RESULT:     return "RESULT";
        case DP_MSG_LOAD:       return "LOAD";
        case DP_MSG_QUERY:      return "QUERY";
        case DP_MSG_ROWS:       return "ROWS";
        case DP_MSG_TXN:        return "TXN";
        case DP_MSG_STMT:       return "STMT";
        case DP_MSG_ERROR:      return "ERROR";
    }
    return "?";
}

static bool
s_type_known (uint64_t type)
{
    return type <= UINT32_MAX
        && strcmp (dp_msg_type_name ((dp_msg_type_t) type), "?") != 0;
}

//  Number of fields in each type's payload array.
static uint32_t
s_payload_size (dp_msg_type_t type)
{
    switch (type) {
        case DP_MSG_READY:      return 3;     //  1 before instance_id and instance were appended
        case DP_MSG_HEARTBEAT:  return 2;     //  0 before reports, 1 before instance_id
        case DP_MSG_DISCONNECT: return 0;
        case DP_MSG_CANCEL:     return 0;
        case DP_MSG_EXECUTE:    return 9;     //  5 before operation and variables, 7 before
                                              //  idempotency_key, 8 before min_gtid
        case DP_MSG_RESULT:     return 4;     //  2 before statements, 3 before gtid
        case DP_MSG_LOAD:       return 6;     //  3 before txn, 4 before min_gtid, 5 before key_lookup
        case DP_MSG_QUERY:      return 5;     //  3 before txn, 4 before min_gtid
        case DP_MSG_ROWS:       return 4;
        case DP_MSG_TXN:        return 2;
        case DP_MSG_STMT:       return 7;
        case DP_MSG_ERROR:      return 2;
    }
    return 0;
}


//  Identity (dp_msg.h).
void
dp_identity_copy (dp_identity_t *to, const dp_identity_t *from, dp_arena_t *arena)
{
    *to = *from;
    to->base_ids = dp_arena_calloc (arena, from->n_base_ids + 1, sizeof *to->base_ids);
    memcpy (to->base_ids, from->base_ids, from->n_base_ids * sizeof *to->base_ids);
    to->permissions = dp_arena_calloc (arena, from->n_permissions + 1, sizeof *to->permissions);
    for (uint32_t p = 0; p < from->n_permissions; p++) {
        dp_permission_t *perm = &to->permissions [p];
        *perm = from->permissions [p];
        perm->name = dp_arena_strdup (arena, from->permissions [p].name);
        perm->base_ids = dp_arena_calloc (arena, perm->n_base_ids + 1, sizeof *perm->base_ids);
        memcpy (perm->base_ids, from->permissions [p].base_ids,
                perm->n_base_ids * sizeof *perm->base_ids);
    }
}


//  ==========================================================================
//  Encoding

//  msgpack-c reads no body for an empty str, so a NULL ptr is fine then.
void
dp_msg_pack_str (msgpack_packer *pk, const char *ptr, size_t len)
{
    msgpack_pack_str (pk, len);
    if (len)
        msgpack_pack_str_body (pk, ptr, len);
}

//  A string field given as pointer + length, where length 0 means "use
//  strlen" (NULL packs as ""). Returns -1 when over the string limit or
//  when the bytes hold a NUL (the decoder refuses those).
static int
s_pack_text (msgpack_packer *pk, const char *ptr, uint32_t len)
{
    size_t size = ptr ? (len ? len : strlen (ptr)) : 0;
    if (size > DP_MSG_MAX_STR || (len && memchr (ptr, 0, size)))
        return -1;
    dp_msg_pack_str (pk, ptr, size);
    return 0;
}

//  An optional text: nil when absent, else a str of at most max bytes.
static int
s_pack_optional (msgpack_packer *pk, const char *text, size_t max)
{
    if (!text) {
        msgpack_pack_nil (pk);
        return 0;
    }
    if (strlen (text) > max)
        return -1;
    return s_pack_text (pk, text, 0);
}

//  A GTID position: nil when absent; an invalid one is a programmer error.
static int
s_pack_gtid (msgpack_packer *pk, const char *gtid)
{
    if (gtid && !dp_gtid_valid (gtid, strlen (gtid)))
        return -1;
    return s_pack_optional (pk, gtid, DP_GTID_MAX);
}

static int
s_pack_int_list (msgpack_packer *pk, const int64_t *items, uint32_t count)
{
    if (count > DP_MSG_MAX_INTS || (count && !items))
        return -1;
    msgpack_pack_array (pk, count);
    for (uint32_t i = 0; i < count; i++)
        msgpack_pack_int64 (pk, items [i]);
    return 0;
}

//  HEARTBEAT's reports. Returns -1 when a count, an instance name or a
//  value list is over its limit.
static int
s_pack_reports (msgpack_packer *pk, const dp_report_t *reports, uint32_t count)
{
    if (count > DP_REPORTS_MAX || (count && !reports))
        return -1;
    for (uint32_t i = 0; i < count; i++)
        if ((reports [i].instance && strlen (reports [i].instance) > DP_INSTANCE_MAX)
        ||  reports [i].n_values > DP_REPORT_VALUES_MAX
        ||  (reports [i].n_values && !reports [i].values))
            return -1;
    msgpack_pack_array (pk, count);
    for (uint32_t i = 0; i < count; i++) {
        const dp_report_t *report = &reports [i];
        msgpack_pack_array (pk, 4);
        msgpack_pack_uint32 (pk, report->service);
        s_pack_text (pk, report->instance, 0);
        msgpack_pack_uint64 (pk, report->taken_ms);
        msgpack_pack_array (pk, report->n_values);
        for (uint32_t v = 0; v < report->n_values; v++)
            msgpack_pack_uint64 (pk, report->values [v]);
    }
    return 0;
}

//  Pack one typed value. cell restricts the type to a ROWS cell (nil, int,
//  double, str); depth counts the arrays around the value, at most max_depth.
static int
s_pack_val (msgpack_packer *pk, const dp_val_t *val, bool cell, int depth, int max_depth)
{
    switch (val->type) {
        case DP_VAL_NIL:
            return msgpack_pack_nil (pk), 0;
        case DP_VAL_INT:
            return msgpack_pack_int64 (pk, val->u.i), 0;
        case DP_VAL_DOUBLE:
            return msgpack_pack_double (pk, val->u.d), 0;
        case DP_VAL_STR:
            if (val->u.s.len > DP_MSG_MAX_STR || (val->u.s.len && !val->u.s.ptr))
                return -1;
            dp_msg_pack_str (pk, val->u.s.ptr, val->u.s.len);
            return 0;
        case DP_VAL_BOOL:
            if (cell)
                return -1;
            if (val->u.i)
                msgpack_pack_true (pk);
            else
                msgpack_pack_false (pk);
            return 0;
        case DP_VAL_ARRAY:
            if (cell || depth >= max_depth)
                return -1;
            if (val->u.a.count > DP_MSG_MAX_VALUES || (val->u.a.count && !val->u.a.items))
                return -1;
            msgpack_pack_array (pk, val->u.a.count);
            for (uint32_t i = 0; i < val->u.a.count; i++)
                if (s_pack_val (pk, &val->u.a.items [i], false, depth + 1, max_depth))
                    return -1;
            return 0;
    }
    return -1;
}

static int
s_pack_identity (msgpack_packer *pk, const dp_identity_t *identity)
{
    if (identity->n_permissions > DP_MSG_MAX_PERMISSIONS
    || (identity->n_permissions && !identity->permissions))
        return -1;
    msgpack_pack_array (pk, 6);
    msgpack_pack_int64 (pk, identity->user_id);
    msgpack_pack_int64 (pk, identity->organisation_id);
    if (identity->god)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
    msgpack_pack_int32 (pk, identity->beta_user);
    if (s_pack_int_list (pk, identity->base_ids, identity->n_base_ids))
        return -1;
    msgpack_pack_array (pk, identity->n_permissions);
    for (uint32_t i = 0; i < identity->n_permissions; i++) {
        const dp_permission_t *permission = &identity->permissions [i];
        msgpack_pack_array (pk, 2);
        if (s_pack_text (pk, permission->name, 0)
        ||  s_pack_int_list (pk, permission->base_ids, permission->n_base_ids))
            return -1;
    }
    return 0;
}

//  Pack the envelope's first five fields and the payload array header.
static int
s_pack_envelope (msgpack_packer *pk, const dp_msg_t *msg)
{
    msgpack_pack_array (pk, 6);
    msgpack_pack_uint32 (pk, DP_PROTO_VERSION);
    msgpack_pack_uint32 (pk, (uint32_t) msg->type);
    msgpack_pack_uint64 (pk, msg->id);
    msgpack_pack_uint64 (pk, msg->deadline_ms);
    if (s_pack_text (pk, msg->trace_id, 0))
        return -1;
    msgpack_pack_array (pk, s_payload_size (msg->type));
    return 0;
}

//  A transaction id is non-zero (0 means "none" in LOAD and QUERY) and
//  its operation one of the enum's.
static bool
s_txn_valid (uint64_t txn, uint64_t op, uint32_t first_op, uint32_t last_op)
{
    return txn != 0 && op >= first_op && op <= last_op;
}

//  Values in a STMT's rows: n_rows * popcount(columns), within the limit
//  (the product is computed in 64 bits: both factors are small enough).
static bool
s_stmt_values_fit (uint64_t columns, uint64_t n_rows, uint64_t *count)
{
    *count = n_rows * (uint64_t) __builtin_popcountll (columns);
    return n_rows <= DP_MSG_MAX_STMT_VALUES && *count <= DP_MSG_MAX_STMT_VALUES;
}

static int
s_pack_stmt (msgpack_packer *pk, const dp_msg_t *msg)
{
    const dp_stmt_t *stmt = &msg->u.stmt;
    uint64_t count = 0;
    if (!s_txn_valid (stmt->txn, stmt->op, DP_STMT_SELECT, DP_STMT_DELETE)
    ||  !s_stmt_values_fit (stmt->columns, stmt->n_rows, &count)
    ||  (count && !stmt->values)
    ||  stmt->n_where > DP_STMT_WHERE_MAX || (stmt->n_where && !stmt->where))
        return -1;
    msgpack_pack_uint64 (pk, stmt->txn);
    msgpack_pack_uint32 (pk, stmt->table);
    msgpack_pack_uint32 (pk, stmt->op);
    msgpack_pack_uint64 (pk, stmt->columns);
    uint32_t per_row = (uint32_t) __builtin_popcountll (stmt->columns);
    msgpack_pack_array (pk, stmt->n_rows);
    for (uint32_t row = 0; row < stmt->n_rows; row++) {
        msgpack_pack_array (pk, per_row);
        for (uint32_t i = 0; i < per_row; i++)
            if (s_pack_val (pk, &stmt->values [(uint64_t) row * per_row + i], false, 0, 0))
                return -1;
    }
    msgpack_pack_array (pk, stmt->n_where);
    for (uint32_t i = 0; i < stmt->n_where; i++) {
        const dp_stmt_cond_t *cond = &stmt->where [i];
        if (cond->n_values > DP_MSG_MAX_STMT_VALUES || (cond->n_values && !cond->values))
            return -1;
        msgpack_pack_array (pk, 2);
        msgpack_pack_uint32 (pk, cond->column);
        msgpack_pack_array (pk, cond->n_values);
        for (uint32_t v = 0; v < cond->n_values; v++)
            if (s_pack_val (pk, &cond->values [v], false, 0, 0))
                return -1;
    }
    if (stmt->lock)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
    return 0;
}

//  A RESULT's payload around its JSON: the fields before the JSON's bytes
//  (its bin header last), and those after them.
static int
s_pack_result_head (msgpack_packer *pk, const dp_msg_t *msg)
{
    if (msg->u.result.json_len > DP_MSG_MAX_BIN
    || (msg->u.result.json_len && !msg->u.result.json))
        return -1;
    msgpack_pack_uint32 (pk, msg->u.result.http_status);
    msgpack_pack_bin (pk, msg->u.result.json_len);
    return 0;
}

static int
s_pack_result_tail (msgpack_packer *pk, const dp_msg_t *msg)
{
    msgpack_pack_uint32 (pk, msg->u.result.statements);
    return s_pack_gtid (pk, msg->u.result.gtid);
}

static int
s_pack_payload (msgpack_packer *pk, const dp_msg_t *msg)
{
    switch (msg->type) {
        case DP_MSG_READY:
            if (msg->u.ready.instance && strlen (msg->u.ready.instance) > DP_INSTANCE_MAX)
                return -1;
            msgpack_pack_uint32 (pk, msg->u.ready.credit);
            msgpack_pack_uint64 (pk, msg->u.ready.instance_id);
            if (msg->u.ready.instance)
                s_pack_text (pk, msg->u.ready.instance, 0);
            else
                msgpack_pack_nil (pk);
            return 0;
        case DP_MSG_HEARTBEAT:
            if (s_pack_reports (pk, msg->u.heartbeat.reports, msg->u.heartbeat.n_reports))
                return -1;
            msgpack_pack_uint64 (pk, msg->u.heartbeat.instance_id);
            return 0;
        case DP_MSG_DISCONNECT:
        case DP_MSG_CANCEL:
            return 0;
        case DP_MSG_EXECUTE:
            if (s_pack_identity (pk, &msg->u.execute.identity)
            ||  s_pack_text (pk, msg->u.execute.query, msg->u.execute.query_len))
                return -1;
            if (msg->u.execute.operation_name) {
                if (s_pack_text (pk, msg->u.execute.operation_name, 0))
                    return -1;
            }
            else
                msgpack_pack_nil (pk);
            if (msg->u.execute.variables_json) {
                if (s_pack_text (pk, msg->u.execute.variables_json,
                                 msg->u.execute.variables_len))
                    return -1;
            }
            else
                msgpack_pack_nil (pk);
            msgpack_pack_uint32 (pk, msg->u.execute.flags);
            if (!msg->u.execute.prepared) {
                msgpack_pack_nil (pk);
                msgpack_pack_nil (pk);
            }
            else {
                if (msg->u.execute.n_variables > DP_MSG_MAX_VARIABLES
                ||  msg->u.execute.n_variables % 2
                ||  (msg->u.execute.n_variables && !msg->u.execute.variables))
                    return -1;
                msgpack_pack_uint32 (pk, msg->u.execute.operation);
                msgpack_pack_array (pk, msg->u.execute.n_variables);
                for (uint32_t i = 0; i < msg->u.execute.n_variables; i++)
                    if (s_pack_val (pk, &msg->u.execute.variables [i], false, 0, DP_MSG_MAX_VARIABLE_DEPTH))
                        return -1;
            }
            if (!msg->u.execute.idempotency_key)
                msgpack_pack_nil (pk);
            else {
                size_t key_len = strlen (msg->u.execute.idempotency_key);
                if (key_len == 0 || key_len > DP_IDEMPOTENCY_KEY_MAX
                ||  s_pack_text (pk, msg->u.execute.idempotency_key, key_len))
                    return -1;
            }
            return s_pack_gtid (pk, msg->u.execute.min_gtid);
        case DP_MSG_RESULT:
            if (s_pack_result_head (pk, msg))
                return -1;
            if (msg->u.result.json_len)
                msgpack_pack_bin_body (pk, msg->u.result.json, msg->u.result.json_len);
            return s_pack_result_tail (pk, msg);
        case DP_MSG_LOAD:
            msgpack_pack_uint32 (pk, msg->u.load.loader);
            msgpack_pack_uint64 (pk, msg->u.load.columns);
            if (s_pack_int_list (pk, msg->u.load.keys, msg->u.load.n_keys))
                return -1;
            msgpack_pack_uint64 (pk, msg->u.load.txn);
            if (s_pack_gtid (pk, msg->u.load.min_gtid))
                return -1;
            if (!msg->u.load.by_lookup) {
                msgpack_pack_nil (pk);
                return 0;
            }
            if (msg->u.load.n_keys)
                return -1;                  //  keys come from the lookup alone
            msgpack_pack_array (pk, 3);
            msgpack_pack_uint32 (pk, msg->u.load.key_query);
            if (s_pack_text (pk, msg->u.load.key_arg ? msg->u.load.key_arg : "", msg->u.load.key_arg_len))
                return -1;
            msgpack_pack_uint32 (pk, msg->u.load.key_column);
            return 0;
        case DP_MSG_TXN:
            if (!s_txn_valid (msg->u.txn.txn, msg->u.txn.op, DP_TXN_BEGIN, DP_TXN_ROLLBACK))
                return -1;
            msgpack_pack_uint64 (pk, msg->u.txn.txn);
            msgpack_pack_uint32 (pk, msg->u.txn.op);
            return 0;
        case DP_MSG_STMT:
            return s_pack_stmt (pk, msg);
        case DP_MSG_QUERY:
            if (msg->u.query.n_args > DP_MSG_MAX_VALUES
            || (msg->u.query.n_args && !msg->u.query.args))
                return -1;
            msgpack_pack_uint32 (pk, msg->u.query.query);
            msgpack_pack_uint64 (pk, msg->u.query.columns);
            msgpack_pack_array (pk, msg->u.query.n_args);
            for (uint32_t i = 0; i < msg->u.query.n_args; i++)
                if (s_pack_val (pk, &msg->u.query.args [i], false, 0, DP_MSG_MAX_VALUE_DEPTH))
                    return -1;
            msgpack_pack_uint64 (pk, msg->u.query.txn);
            return s_pack_gtid (pk, msg->u.query.min_gtid);
        case DP_MSG_ROWS: {
            uint64_t count = (uint64_t) msg->u.rows.n_cols * msg->u.rows.n_rows;
            if (count > DP_MSG_MAX_CELLS || (count && !msg->u.rows.cells))
                return -1;
            msgpack_pack_uint32 (pk, msg->u.rows.n_cols);
            msgpack_pack_uint32 (pk, msg->u.rows.n_rows);
            msgpack_pack_uint32 (pk, msg->u.rows.statements);
            msgpack_pack_array (pk, (size_t) count);
            for (uint64_t i = 0; i < count; i++)
                if (s_pack_val (pk, &msg->u.rows.cells [i], true, 0, 0))
                    return -1;
            return 0;
        }
        case DP_MSG_ERROR:
            msgpack_pack_uint32 (pk, msg->u.error.status);
            return s_pack_text (pk, msg->u.error.message, 0);
    }
    return -1;
}


//  --------------------------------------------------------------------------
//  Encode msg into buf (appended). Returns 0, or -1 when msg is invalid;
//  buf is then left as it was.

int
dp_msg_encode (const dp_msg_t *msg, msgpack_sbuffer *buf)
{
    assert (msg);
    assert (buf);
    if (!s_type_known ((uint64_t) msg->type))
        return -1;
    size_t start = buf->size;
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    if (s_pack_envelope (&pk, msg) || s_pack_payload (&pk, msg)) {
        buf->size = start;      //  drop the half-written message
        return -1;
    }
    return 0;
}

char *
dp_msg_encode_result_in_place (const dp_msg_t *msg, char *json, size_t before, size_t after,
                               size_t *size_p)
{
    assert (msg);
    assert (size_p);
    if (msg->type != DP_MSG_RESULT || msg->u.result.json != json)
        return NULL;
    msgpack_sbuffer head = { 0 }, tail = { 0 };
    msgpack_packer pk;
    msgpack_packer_init (&pk, &head, msgpack_sbuffer_write);
    bool packed = s_pack_envelope (&pk, msg) == 0 && s_pack_result_head (&pk, msg) == 0;
    msgpack_packer_init (&pk, &tail, msgpack_sbuffer_write);
    packed = packed && s_pack_result_tail (&pk, msg) == 0;
    char *start = NULL;
    if (packed && head.size <= before && tail.size <= after) {
        size_t json_len = msg->u.result.json_len;
        start = json - head.size;
        memcpy (start, head.data, head.size);
        memcpy (json + json_len, tail.data, tail.size);
        *size_p = head.size + json_len + tail.size;
    }
    msgpack_sbuffer_destroy (&head);
    msgpack_sbuffer_destroy (&tail);
    return start;
}


//  ==========================================================================
//  Decoding, step 1: the byte scanner

static uint64_t
s_be (const uint8_t *p, size_t n)
{
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value = (value << 8) | p [i];
    return value;
}

//  Walk one complete msgpack object tree covering exactly size bytes.
//  Allocates nothing. Returns 0, or -2 with err filled.
static int
s_scan (const uint8_t *data, size_t size, char *err, size_t err_len)
{
    uint64_t stack [DP_MSG_MAX_DEPTH + 1];   //  elements still to read per level
    int depth = 0;
    stack [0] = 1;
    size_t pos = 0;
    while (depth >= 0) {
        if (stack [depth] == 0) {
            depth--;
            continue;
        }
        stack [depth]--;
        if (pos >= size)
            return s_fail (err, err_len, "malformed message: truncated at byte %zu", pos);
        uint8_t byte = data [pos++];
        size_t skip = 0;            //  bytes of body after the header
        size_t len_bytes = 0;       //  size of a length field that follows
        uint64_t children = 0;      //  elements of a container
        bool container = false;
        bool ext = false;
        if (byte <= 0x7f || byte >= 0xe0 || (byte >= 0xc0 && byte <= 0xc3 && byte != 0xc1))
            ;                       //  fixint, nil, bool
        else
        if (byte >= 0x80 && byte <= 0x8f) {
            container = true;
            children = 2 * (uint64_t) (byte & 0x0f);
        }
        else
        if (byte >= 0x90 && byte <= 0x9f) {
            container = true;
            children = byte & 0x0f;
        }
        else
        if (byte >= 0xa0 && byte <= 0xbf)
            skip = byte & 0x1f;
        else
        switch (byte) {
            case 0xc4: case 0xd9: len_bytes = 1; break;    //  bin8, str8
            case 0xc5: case 0xda: len_bytes = 2; break;
            case 0xc6: case 0xdb: len_bytes = 4; break;
            case 0xc7: len_bytes = 1; ext = true; break;   //  ext8/16/32
            case 0xc8: len_bytes = 2; ext = true; break;
            case 0xc9: len_bytes = 4; ext = true; break;
            case 0xca: skip = 4; break;                    //  float32
            case 0xcb: skip = 8; break;                    //  float64
            case 0xcc: case 0xd0: skip = 1; break;         //  (u)int8..64
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xce: case 0xd2: skip = 4; break;
            case 0xcf: case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break;                    //  fixext 1..16
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: case 0xde: len_bytes = 2; container = true; break;
            case 0xdd: case 0xdf: len_bytes = 4; container = true; break;
            default:
                return s_fail (err, err_len,
                               "malformed message: reserved byte 0x%02x at byte %zu",
                               byte, pos - 1);
        }
        if (len_bytes) {
            if (size - pos < len_bytes)
                return s_fail (err, err_len, "malformed message: truncated at byte %zu", pos);
            uint64_t length = s_be (data + pos, len_bytes);
            pos += len_bytes;
            if (container)
                children = (byte == 0xde || byte == 0xdf) ? 2 * length : length;
            else
                skip = (size_t) length + (ext ? 1 : 0);
        }
        if (container) {
            //  Each element takes at least one byte: a count above the
            //  bytes left is a lie, caught before anything is allocated.
            if (children > size - pos)
                return s_fail (err, err_len,
                               "malformed message: container at byte %zu claims %" PRIu64
                               " elements, only %zu bytes follow",
                               pos, children, size - pos);
            if (children) {
                if (depth + 1 > DP_MSG_MAX_DEPTH)
                    return s_fail (err, err_len,
                                   "malformed message: nested deeper than %d", DP_MSG_MAX_DEPTH);
                stack [++depth] = children;
            }
        }
        else {
            if (skip > size - pos)
                return s_fail (err, err_len, "malformed message: truncated at byte %zu", pos);
            pos += skip;
        }
    }
    if (pos != size)
        return s_fail (err, err_len, "malformed message: %zu trailing bytes after the message",
                       size - pos);
    return 0;
}


//  ==========================================================================
//  Decoding, step 3: walking the msgpack_object tree

typedef struct {
    dp_arena_t *arena;
    char *err;
    size_t err_len;
    const char *what;               //  the message type, for error texts
} s_ctx_t;

static const char *
s_object_type_name (msgpack_object_type type)
{
    switch (type) {
        case MSGPACK_OBJECT_NIL:              return "nil";
        case MSGPACK_OBJECT_BOOLEAN:          return "bool";
        case MSGPACK_OBJECT_POSITIVE_INTEGER: return "int";
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "negative int";
        case MSGPACK_OBJECT_FLOAT32:          return "float32";
        case MSGPACK_OBJECT_FLOAT64:          return "float64";
        case MSGPACK_OBJECT_STR:              return "str";
        case MSGPACK_OBJECT_ARRAY:            return "array";
        case MSGPACK_OBJECT_MAP:              return "map";
        case MSGPACK_OBJECT_BIN:              return "bin";
        case MSGPACK_OBJECT_EXT:              return "ext";
    }
    return "?";
}

#define S_FAIL(ctx, ...) s_fail ((ctx)->err, (ctx)->err_len, __VA_ARGS__)

static int
s_wrong_type (s_ctx_t *ctx, const char *field, const char *expected, const msgpack_object *obj)
{
    return S_FAIL (ctx, "%s: %s must be %s, not %s",
                   ctx->what, field, expected, s_object_type_name (obj->type));
}

//  An unsigned integer no larger than max.
static int
s_get_uint (s_ctx_t *ctx, const msgpack_object *obj, const char *field,
            uint64_t max, uint64_t *value)
{
    if (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return S_FAIL (ctx, "%s: %s must not be negative (%" PRId64 ")",
                       ctx->what, field, obj->via.i64);
    if (obj->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return s_wrong_type (ctx, field, "an unsigned int", obj);
    if (obj->via.u64 > max)
        return S_FAIL (ctx, "%s: %s %" PRIu64 " is out of range (max %" PRIu64 ")",
                       ctx->what, field, obj->via.u64, max);
    *value = obj->via.u64;
    return 0;
}

static int
s_get_u32 (s_ctx_t *ctx, const msgpack_object *obj, const char *field, uint32_t *value)
{
    uint64_t wide = 0;                  //  set on success; zeroed for -Wmaybe-uninitialized at -O2
    if (s_get_uint (ctx, obj, field, UINT32_MAX, &wide))
        return -2;
    *value = (uint32_t) wide;
    return 0;
}

//  A signed integer within [min, max].
static int
s_get_int (s_ctx_t *ctx, const msgpack_object *obj, const char *field,
           int64_t min, int64_t max, int64_t *value)
{
    int64_t v;
    if (obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (obj->via.u64 > (uint64_t) INT64_MAX)
            return S_FAIL (ctx, "%s: %s %" PRIu64 " does not fit in int64",
                           ctx->what, field, obj->via.u64);
        v = (int64_t) obj->via.u64;
    }
    else
    if (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        v = obj->via.i64;
    else
        return s_wrong_type (ctx, field, "an int", obj);
    if (v < min || v > max)
        return S_FAIL (ctx, "%s: %s %" PRId64 " is out of range", ctx->what, field, v);
    *value = v;
    return 0;
}

//  An array of exactly size elements (or of any size up to max when
//  size is UINT32_MAX).
static int
s_get_array (s_ctx_t *ctx, const msgpack_object *obj, const char *field,
             uint32_t size, uint32_t max, const msgpack_object_array **array)
{
    if (obj->type != MSGPACK_OBJECT_ARRAY)
        return s_wrong_type (ctx, field, "an array", obj);
    if (size != UINT32_MAX && obj->via.array.size != size)
        return S_FAIL (ctx, "%s: %s must have %u elements, not %u",
                       ctx->what, field, size, obj->via.array.size);
    if (size == UINT32_MAX && obj->via.array.size > max)
        return S_FAIL (ctx, "%s: %s has %u elements, more than the limit of %u",
                       ctx->what, field, obj->via.array.size, max);
    *array = &obj->via.array;
    return 0;
}

//  A str with no NUL inside, copied into the arena (NUL-terminated) when
//  ptr is set; len, when set, gets its length.
static int
s_get_str (s_ctx_t *ctx, const msgpack_object *obj, const char *field,
           const char **ptr, uint32_t *len)
{
    if (obj->type != MSGPACK_OBJECT_STR)
        return s_wrong_type (ctx, field, "a str", obj);
    uint32_t size = obj->via.str.size;
    if (size > DP_MSG_MAX_STR)
        return S_FAIL (ctx, "%s: %s is %u bytes, more than the limit of %u",
                       ctx->what, field, size, DP_MSG_MAX_STR);
    if (size && memchr (obj->via.str.ptr, 0, size))
        return S_FAIL (ctx, "%s: %s contains a NUL byte", ctx->what, field);
    if (ptr)
        *ptr = dp_arena_strndup (ctx->arena, size ? obj->via.str.ptr : "", size);
    if (len)
        *len = size;
    return 0;
}

static int
s_get_int_list (s_ctx_t *ctx, const msgpack_object *obj, const char *field,
                int64_t **items, uint32_t *count)
{
    const msgpack_object_array *array = NULL;
    if (s_get_array (ctx, obj, field, UINT32_MAX, DP_MSG_MAX_INTS, &array))
        return -2;
    *count = array->size;
    *items = NULL;
    if (array->size == 0)
        return 0;
    int64_t *list = dp_arena_alloc (ctx->arena, array->size * sizeof (int64_t));
    for (uint32_t i = 0; i < array->size; i++)
        if (s_get_int (ctx, &array->ptr [i], field, INT64_MIN, INT64_MAX, &list [i]))
            return -2;
    *items = list;
    return 0;
}

//  One typed value into val. cell restricts it to a ROWS cell; depth
//  counts the arrays around it. where is the field name for errors.
static int
s_get_val (s_ctx_t *ctx, const msgpack_object *obj, const char *where, uint32_t index,
           bool cell, int depth, int max_depth, dp_val_t *val)
{
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL:
            val->type = DP_VAL_NIL;
            return 0;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (obj->via.u64 > (uint64_t) INT64_MAX)
                return S_FAIL (ctx, "%s: %s %u: %" PRIu64 " does not fit in int64",
                               ctx->what, where, index, obj->via.u64);
            val->type = DP_VAL_INT;
            val->u.i = (int64_t) obj->via.u64;
            return 0;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            val->type = DP_VAL_INT;
            val->u.i = obj->via.i64;
            return 0;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            val->type = DP_VAL_DOUBLE;
            val->u.d = obj->via.f64;
            return 0;
        case MSGPACK_OBJECT_STR:
            if (obj->via.str.size > DP_MSG_MAX_STR)
                return S_FAIL (ctx, "%s: %s %u is %u bytes, more than the limit of %u",
                               ctx->what, where, index, obj->via.str.size, DP_MSG_MAX_STR);
            val->type = DP_VAL_STR;
            val->u.s.len = obj->via.str.size;
            val->u.s.ptr = dp_arena_strndup (ctx->arena,
                                             obj->via.str.size ? obj->via.str.ptr : "",
                                             obj->via.str.size);
            return 0;
        case MSGPACK_OBJECT_BOOLEAN:
            if (cell)
                break;
            val->type = DP_VAL_BOOL;
            val->u.i = obj->via.boolean ? 1 : 0;
            return 0;
        case MSGPACK_OBJECT_ARRAY: {
            if (cell)
                break;
            if (depth >= max_depth)
                return S_FAIL (ctx, "%s: %s %u: arrays nested deeper than %d",
                               ctx->what, where, index, max_depth);
            uint32_t count = obj->via.array.size;
            if (count > DP_MSG_MAX_VALUES)
                return S_FAIL (ctx, "%s: %s %u: array of %u values, more than the limit of %u",
                               ctx->what, where, index, count, DP_MSG_MAX_VALUES);
            val->type = DP_VAL_ARRAY;
            val->u.a.count = count;
            val->u.a.items = NULL;
            if (count == 0)
                return 0;
            dp_val_t *items = dp_arena_alloc (ctx->arena, count * sizeof (dp_val_t));
            for (uint32_t i = 0; i < count; i++)
                if (s_get_val (ctx, &obj->via.array.ptr [i], where, index, false,
                               depth + 1, max_depth, &items [i]))
                    return -2;
            val->u.a.items = items;
            return 0;
        }
        default:
            break;
    }
    return S_FAIL (ctx, "%s: %s %u: type %s is not allowed here",
                   ctx->what, where, index, s_object_type_name (obj->type));
}

//  EXECUTE's operation and variables (fields 5 and 6): both nil, or absent
//  (the older form), for a request the gateway did not prepare.
static int
s_get_prepared (s_ctx_t *ctx, const msgpack_object_array *payload, dp_msg_t *msg)
{
    msg->u.execute.prepared = false;
    msg->u.execute.operation = 0;
    msg->u.execute.variables = NULL;
    msg->u.execute.n_variables = 0;
    if (payload->size < 7)
        return 0;
    const msgpack_object *f = payload->ptr;
    if (f [5].type == MSGPACK_OBJECT_NIL && f [6].type == MSGPACK_OBJECT_NIL)
        return 0;
    const msgpack_object_array *variables = NULL;
    if (s_get_u32 (ctx, &f [5], "operation", &msg->u.execute.operation)
    ||  s_get_array (ctx, &f [6], "variables", UINT32_MAX, DP_MSG_MAX_VARIABLES, &variables))
        return -2;
    if (variables->size % 2)
        return S_FAIL (ctx, "%s: variables has %u values, not index and value pairs",
                       ctx->what, variables->size);
    msg->u.execute.prepared = true;
    msg->u.execute.n_variables = variables->size;
    if (variables->size == 0)
        return 0;
    dp_val_t *values = dp_arena_alloc (ctx->arena, variables->size * sizeof (dp_val_t));
    for (uint32_t i = 0; i < variables->size; i++)
        if (s_get_val (ctx, &variables->ptr [i], "variable", i / 2, false, 0,
                       DP_MSG_MAX_VARIABLE_DEPTH, &values [i]))
            return -2;
    msg->u.execute.variables = values;
    return 0;
}

//  An optional GTID position (nil, or a str dp_gtid_valid accepts) of a
//  payload of size fields at index: absent in an older form.
static int
s_get_gtid (s_ctx_t *ctx, const msgpack_object_array *payload, uint32_t index,
            const char *field, const char **gtid)
{
    *gtid = NULL;
    if (payload->size <= index || payload->ptr [index].type == MSGPACK_OBJECT_NIL)
        return 0;
    const msgpack_object *obj = &payload->ptr [index];
    if (obj->type == MSGPACK_OBJECT_STR
    &&  !dp_gtid_valid (obj->via.str.ptr, obj->via.str.size))
        return S_FAIL (ctx, "%s: %s is not a GTID position (domain-server-sequence, comma-separated)",
                       ctx->what, field);
    return s_get_str (ctx, obj, field, gtid, NULL);
}

//  LOAD's key_lookup (field 5): nil, absent (older forms), or [query,
//  arg, column] with no keys of its own.
static int
s_get_key_lookup (s_ctx_t *ctx, const msgpack_object_array *payload, dp_msg_t *msg)
{
    msg->u.load.by_lookup = false;
    if (payload->size <= 5 || payload->ptr [5].type == MSGPACK_OBJECT_NIL)
        return 0;
    const msgpack_object_array *lookup = NULL;
    if (s_get_array (ctx, &payload->ptr [5], "key_lookup", 3, 3, &lookup)
    ||  s_get_u32 (ctx, &lookup->ptr [0], "key_lookup.query", &msg->u.load.key_query)
    ||  s_get_str (ctx, &lookup->ptr [1], "key_lookup.arg", &msg->u.load.key_arg, &msg->u.load.key_arg_len)
    ||  s_get_u32 (ctx, &lookup->ptr [2], "key_lookup.column", &msg->u.load.key_column))
        return -2;
    if (msg->u.load.n_keys)
        return S_FAIL (ctx, "%s: a LOAD with key_lookup has no keys of its own", ctx->what);
    msg->u.load.by_lookup = true;
    return 0;
}

//  EXECUTE's idempotency_key (field 7): nil, absent (older forms), or a
//  str of 1 to DP_IDEMPOTENCY_KEY_MAX bytes.
static int
s_get_idempotency_key (s_ctx_t *ctx, const msgpack_object_array *payload, const char **key)
{
    *key = NULL;
    if (payload->size <= 7 || payload->ptr [7].type == MSGPACK_OBJECT_NIL)
        return 0;
    const msgpack_object *obj = &payload->ptr [7];
    if (obj->type == MSGPACK_OBJECT_STR
    &&  (obj->via.str.size == 0 || obj->via.str.size > DP_IDEMPOTENCY_KEY_MAX))
        return S_FAIL (ctx, "%s: idempotency_key is %u bytes, not 1 to %u",
                       ctx->what, obj->via.str.size, DP_IDEMPOTENCY_KEY_MAX);
    return s_get_str (ctx, obj, "idempotency_key", key, NULL);
}

static int
s_get_identity (s_ctx_t *ctx, const msgpack_object *obj, dp_identity_t *identity)
{
    const msgpack_object_array *fields = NULL;
    if (s_get_array (ctx, obj, "identity", 6, 0, &fields))
        return -2;
    const msgpack_object *f = fields->ptr;
    int64_t beta_user;
    if (s_get_int (ctx, &f [0], "identity.user_id", INT64_MIN, INT64_MAX, &identity->user_id)
    ||  s_get_int (ctx, &f [1], "identity.organisation_id", INT64_MIN, INT64_MAX,
                   &identity->organisation_id))
        return -2;
    if (f [2].type != MSGPACK_OBJECT_BOOLEAN)
        return s_wrong_type (ctx, "identity.god", "a bool", &f [2]);
    identity->god = f [2].via.boolean;
    if (s_get_int (ctx, &f [3], "identity.beta_user", INT32_MIN, INT32_MAX, &beta_user))
        return -2;
    identity->beta_user = (int32_t) beta_user;
    if (s_get_int_list (ctx, &f [4], "identity.base_ids",
                        &identity->base_ids, &identity->n_base_ids))
        return -2;
    const msgpack_object_array *permissions = NULL;
    if (s_get_array (ctx, &f [5], "identity.permissions", UINT32_MAX, DP_MSG_MAX_PERMISSIONS,
                     &permissions))
        return -2;
    identity->n_permissions = permissions->size;
    identity->permissions = NULL;
    if (permissions->size == 0)
        return 0;
    identity->permissions = dp_arena_calloc (ctx->arena, permissions->size,
                                             sizeof (dp_permission_t));
    for (uint32_t i = 0; i < permissions->size; i++) {
        dp_permission_t *permission = &identity->permissions [i];
        const msgpack_object_array *pair = NULL;
        if (s_get_array (ctx, &permissions->ptr [i], "identity.permissions[i]", 2, 0, &pair)
        ||  s_get_str (ctx, &pair->ptr [0], "permission name", &permission->name, NULL)
        ||  s_get_int_list (ctx, &pair->ptr [1], "permission base_ids",
                            &permission->base_ids, &permission->n_base_ids))
            return -2;
    }
    return 0;
}

//  HEARTBEAT's reports, into the arena.
static int
s_get_reports (s_ctx_t *ctx, const msgpack_object *obj, dp_msg_t *msg)
{
    const msgpack_object_array *reports = NULL;
    if (s_get_array (ctx, obj, "reports", UINT32_MAX, DP_REPORTS_MAX, &reports))
        return -2;
    msg->u.heartbeat.n_reports = reports->size;
    msg->u.heartbeat.reports = NULL;
    if (reports->size == 0)
        return 0;
    dp_report_t *out = dp_arena_calloc (ctx->arena, reports->size, sizeof (dp_report_t));
    for (uint32_t i = 0; i < reports->size; i++) {
        dp_report_t *report = &out [i];
        const msgpack_object_array *fields = NULL, *values = NULL;
        if (s_get_array (ctx, &reports->ptr [i], "report", 4, 0, &fields))
            return -2;
        const msgpack_object *f = fields->ptr;
        if (f [1].type == MSGPACK_OBJECT_STR && f [1].via.str.size > DP_INSTANCE_MAX)
            return S_FAIL (ctx, "%s: report.instance is %u bytes, more than the limit of %u",
                           ctx->what, f [1].via.str.size, DP_INSTANCE_MAX);
        if (s_get_u32 (ctx, &f [0], "report.service", &report->service)
        ||  s_get_str (ctx, &f [1], "report.instance", &report->instance, NULL)
        ||  s_get_uint (ctx, &f [2], "report.taken_ms", UINT64_MAX, &report->taken_ms)
        ||  s_get_array (ctx, &f [3], "report.values", UINT32_MAX, DP_REPORT_VALUES_MAX, &values))
            return -2;
        report->n_values = values->size;
        report->values = values->size
                       ? dp_arena_calloc (ctx->arena, values->size, sizeof (uint64_t)) : NULL;
        for (uint32_t v = 0; v < values->size; v++)
            if (s_get_uint (ctx, &values->ptr [v], "report value", UINT64_MAX, &report->values [v]))
                return -2;
    }
    msg->u.heartbeat.reports = out;
    return 0;
}

//  An array of scalar values (STMT rows and conditions) into the arena.
static int
s_get_scalars (s_ctx_t *ctx, const msgpack_object_array *array, const char *where,
               dp_val_t *values)
{
    for (uint32_t i = 0; i < array->size; i++)
        if (s_get_val (ctx, &array->ptr [i], where, i, false, 0, 0, &values [i]))
            return -2;
    return 0;
}

//  STMT's seven fields. Which table and columns exist is db-svc's check
//  (dp_tables.h); the codec checks the shape: txn and op, every row of
//  popcount(columns) scalars, at most DP_STMT_WHERE_MAX conditions.
static int
s_get_stmt (s_ctx_t *ctx, const msgpack_object *f, dp_stmt_t *stmt)
{
    uint64_t op = 0, count = 0;
    const msgpack_object_array *rows = NULL, *where = NULL;
    if (s_get_uint (ctx, &f [0], "txn", UINT64_MAX, &stmt->txn)
    ||  s_get_u32 (ctx, &f [1], "table", &stmt->table)
    ||  s_get_uint (ctx, &f [2], "op", UINT32_MAX, &op)
    ||  s_get_uint (ctx, &f [3], "columns", UINT64_MAX, &stmt->columns)
    ||  s_get_array (ctx, &f [4], "values", UINT32_MAX, DP_MSG_MAX_STMT_VALUES, &rows)
    ||  s_get_array (ctx, &f [5], "where", UINT32_MAX, DP_STMT_WHERE_MAX, &where))
        return -2;
    if (!s_txn_valid (stmt->txn, op, DP_STMT_SELECT, DP_STMT_DELETE))
        return S_FAIL (ctx, "STMT: txn must be non-zero and op 1 to 4 (txn %" PRIu64
                       ", op %" PRIu64 ")", stmt->txn, op);
    stmt->op = (uint32_t) op;
    if (f [6].type != MSGPACK_OBJECT_BOOLEAN)
        return s_wrong_type (ctx, "lock", "a bool", &f [6]);
    stmt->lock = f [6].via.boolean;
    if (!s_stmt_values_fit (stmt->columns, rows->size, &count))
        return S_FAIL (ctx, "STMT: %u rows x %d columns is more than the limit of %u values",
                       rows->size, __builtin_popcountll (stmt->columns), DP_MSG_MAX_STMT_VALUES);
    uint32_t per_row = (uint32_t) __builtin_popcountll (stmt->columns);
    stmt->n_rows = rows->size;
    stmt->values = count ? dp_arena_alloc (ctx->arena, count * sizeof (dp_val_t)) : NULL;
    for (uint32_t row = 0; row < rows->size; row++) {
        const msgpack_object_array *cells = NULL;
        if (s_get_array (ctx, &rows->ptr [row], "values row", per_row, 0, &cells)
        ||  (per_row && s_get_scalars (ctx, cells, "value",
                                       stmt->values + (uint64_t) row * per_row)))
            return -2;
    }
    stmt->n_where = where->size;
    stmt->where = where->size
                ? dp_arena_calloc (ctx->arena, where->size, sizeof (dp_stmt_cond_t)) : NULL;
    for (uint32_t i = 0; i < where->size; i++) {
        dp_stmt_cond_t *cond = &stmt->where [i];
        const msgpack_object_array *pair = NULL, *values = NULL;
        if (s_get_array (ctx, &where->ptr [i], "condition", 2, 0, &pair)
        ||  s_get_u32 (ctx, &pair->ptr [0], "condition column", &cond->column)
        ||  s_get_array (ctx, &pair->ptr [1], "condition values", UINT32_MAX,
                         DP_MSG_MAX_STMT_VALUES, &values))
            return -2;
        cond->n_values = values->size;
        cond->values = values->size
                     ? dp_arena_alloc (ctx->arena, values->size * sizeof (dp_val_t)) : NULL;
        if (s_get_scalars (ctx, values, "condition value", cond->values))
            return -2;
    }
    return 0;
}

static int
s_get_payload (s_ctx_t *ctx, const msgpack_object *obj, dp_msg_t *msg)
{
    const msgpack_object_array *payload = NULL;
    uint32_t size = s_payload_size (msg->type);
    //  RESULT's statements was appended within version 1: a RESULT of the
    //  first two fields is still read, with statements 0.
    if (msg->type == DP_MSG_RESULT && obj->type == MSGPACK_OBJECT_ARRAY && obj->via.array.size == 2)
        size = 2;
    //  And EXECUTE's operation and variables: the EXECUTE of five fields
    //  reads as not prepared; then its idempotency_key and min_gtid, read as
    //  none when absent.
    if (msg->type == DP_MSG_EXECUTE && obj->type == MSGPACK_OBJECT_ARRAY
    && (obj->via.array.size == 5 || obj->via.array.size == 7 || obj->via.array.size == 8))
        size = obj->via.array.size;
    //  And RESULT's gtid.
    if (msg->type == DP_MSG_RESULT && obj->type == MSGPACK_OBJECT_ARRAY && obj->via.array.size == 3)
        size = 3;
    //  So were HEARTBEAT's reports and instance_id: an empty HEARTBEAT reads
    //  as no reports, one of reports only as of an unknown instance.
    if (msg->type == DP_MSG_HEARTBEAT && obj->type == MSGPACK_OBJECT_ARRAY && obj->via.array.size < 2)
        size = obj->via.array.size;
    //  And READY's instance_id and instance: a READY of credit only reads as
    //  of an unknown instance.
    if (msg->type == DP_MSG_READY && obj->type == MSGPACK_OBJECT_ARRAY && obj->via.array.size == 1)
        size = 1;
    //  And LOAD's and QUERY's txn: one of three fields reads as outside any
    //  transaction.
    if ((msg->type == DP_MSG_LOAD || msg->type == DP_MSG_QUERY)
    &&  obj->type == MSGPACK_OBJECT_ARRAY && (obj->via.array.size == 3 || obj->via.array.size == 4))
        size = obj->via.array.size;
    //  And LOAD's key_lookup: one of five fields reads as keyed by its keys.
    if (msg->type == DP_MSG_LOAD && obj->type == MSGPACK_OBJECT_ARRAY && obj->via.array.size == 5)
        size = 5;
    if (s_get_array (ctx, obj, "payload", size, 0, &payload))
        return -2;
    const msgpack_object *f = payload->ptr;
    switch (msg->type) {
        case DP_MSG_READY:
            msg->u.ready.instance_id = 0;
            msg->u.ready.instance = NULL;
            if (s_get_u32 (ctx, &f [0], "credit", &msg->u.ready.credit))
                return -2;
            if (payload->size < 3)
                return 0;
            if (f [2].type == MSGPACK_OBJECT_STR && f [2].via.str.size > DP_INSTANCE_MAX)
                return S_FAIL (ctx, "%s: instance is %u bytes, more than the limit of %u",
                               ctx->what, f [2].via.str.size, DP_INSTANCE_MAX);
            if (s_get_uint (ctx, &f [1], "instance_id", UINT64_MAX, &msg->u.ready.instance_id))
                return -2;
            if (f [2].type != MSGPACK_OBJECT_NIL
            &&  s_get_str (ctx, &f [2], "instance", &msg->u.ready.instance, NULL))
                return -2;
            return 0;
        case DP_MSG_HEARTBEAT:
            msg->u.heartbeat.reports = NULL;
            msg->u.heartbeat.n_reports = 0;
            msg->u.heartbeat.instance_id = 0;
            if (payload->size >= 1 && s_get_reports (ctx, &f [0], msg))
                return -2;
            if (payload->size >= 2
            &&  s_get_uint (ctx, &f [1], "instance_id", UINT64_MAX, &msg->u.heartbeat.instance_id))
                return -2;
            return 0;
        case DP_MSG_DISCONNECT:
        case DP_MSG_CANCEL:
            return 0;
        case DP_MSG_EXECUTE: {
            if (s_get_identity (ctx, &f [0], &msg->u.execute.identity)
            ||  s_get_str (ctx, &f [1], "query",
                           &msg->u.execute.query, &msg->u.execute.query_len))
                return -2;
            msg->u.execute.operation_name = NULL;
            if (f [2].type != MSGPACK_OBJECT_NIL
            &&  s_get_str (ctx, &f [2], "operation_name",
                           &msg->u.execute.operation_name, NULL))
                return -2;
            msg->u.execute.variables_json = NULL;
            msg->u.execute.variables_len = 0;
            if (f [3].type != MSGPACK_OBJECT_NIL
            &&  s_get_str (ctx, &f [3], "variables_json",
                           &msg->u.execute.variables_json, &msg->u.execute.variables_len))
                return -2;
            if (s_get_u32 (ctx, &f [4], "flags", &msg->u.execute.flags)
            ||  s_get_prepared (ctx, payload, msg)
            ||  s_get_idempotency_key (ctx, payload, &msg->u.execute.idempotency_key))
                return -2;
            return s_get_gtid (ctx, payload, 8, "min_gtid", &msg->u.execute.min_gtid);
        }
        case DP_MSG_RESULT:
            if (s_get_u32 (ctx, &f [0], "http_status", &msg->u.result.http_status))
                return -2;
            if (f [1].type != MSGPACK_OBJECT_BIN)
                return s_wrong_type (ctx, "json", "a bin", &f [1]);
            if (f [1].via.bin.size > DP_MSG_MAX_BIN)
                return S_FAIL (ctx, "%s: json is %u bytes, more than the limit of %u",
                               ctx->what, f [1].via.bin.size, DP_MSG_MAX_BIN);
            //  Points into the caller's input: msgpack_unpack_next references
            //  str and bin bodies in place.
            msg->u.result.json = f [1].via.bin.ptr;
            msg->u.result.json_len = f [1].via.bin.size;
            msg->u.result.statements = 0;
            if (payload->size >= 3
            &&  s_get_u32 (ctx, &f [2], "statements", &msg->u.result.statements))
                return -2;
            return s_get_gtid (ctx, payload, 3, "gtid", &msg->u.result.gtid);
        case DP_MSG_LOAD: {
            uint64_t columns;
            if (s_get_u32 (ctx, &f [0], "loader", &msg->u.load.loader)
            ||  s_get_uint (ctx, &f [1], "columns", UINT64_MAX, &columns)
            ||  s_get_int_list (ctx, &f [2], "keys", &msg->u.load.keys, &msg->u.load.n_keys))
                return -2;
            msg->u.load.columns = columns;
            msg->u.load.txn = 0;
            if (payload->size >= 4
            &&  s_get_uint (ctx, &f [3], "txn", UINT64_MAX, &msg->u.load.txn))
                return -2;
            if (s_get_gtid (ctx, payload, 4, "min_gtid", &msg->u.load.min_gtid))
                return -2;
            return s_get_key_lookup (ctx, payload, msg);
        }
        case DP_MSG_TXN: {
            uint64_t op = 0;
            if (s_get_uint (ctx, &f [0], "txn", UINT64_MAX, &msg->u.txn.txn)
            ||  s_get_uint (ctx, &f [1], "op", UINT32_MAX, &op))
                return -2;
            if (!s_txn_valid (msg->u.txn.txn, op, DP_TXN_BEGIN, DP_TXN_ROLLBACK))
                return S_FAIL (ctx, "TXN: txn must be non-zero and op 1 to 3 (txn %" PRIu64
                               ", op %" PRIu64 ")", msg->u.txn.txn, op);
            msg->u.txn.op = (uint32_t) op;
            return 0;
        }
        case DP_MSG_STMT:
            return s_get_stmt (ctx, f, &msg->u.stmt);
        case DP_MSG_QUERY: {
            uint64_t columns;
            const msgpack_object_array *args = NULL;
            if (s_get_u32 (ctx, &f [0], "query", &msg->u.query.query)
            ||  s_get_uint (ctx, &f [1], "columns", UINT64_MAX, &columns)
            ||  s_get_array (ctx, &f [2], "args", UINT32_MAX, DP_MSG_MAX_VALUES, &args))
                return -2;
            msg->u.query.columns = columns;
            msg->u.query.n_args = args->size;
            msg->u.query.args = NULL;
            msg->u.query.txn = 0;
            if (payload->size >= 4
            &&  s_get_uint (ctx, &f [3], "txn", UINT64_MAX, &msg->u.query.txn))
                return -2;
            if (s_get_gtid (ctx, payload, 4, "min_gtid", &msg->u.query.min_gtid))
                return -2;
            if (args->size == 0)
                return 0;
            dp_val_t *values = dp_arena_alloc (ctx->arena, args->size * sizeof (dp_val_t));
            for (uint32_t i = 0; i < args->size; i++)
                if (s_get_val (ctx, &args->ptr [i], "arg", i, false, 0, DP_MSG_MAX_VALUE_DEPTH, &values [i]))
                    return -2;
            msg->u.query.args = values;
            return 0;
        }
        case DP_MSG_ROWS: {
            if (s_get_u32 (ctx, &f [0], "n_cols", &msg->u.rows.n_cols)
            ||  s_get_u32 (ctx, &f [1], "n_rows", &msg->u.rows.n_rows)
            ||  s_get_u32 (ctx, &f [2], "statements", &msg->u.rows.statements))
                return -2;
            //  Both factors are below 2^32, so the product fits in 64 bits.
            uint64_t count = (uint64_t) msg->u.rows.n_cols * msg->u.rows.n_rows;
            if (count > DP_MSG_MAX_CELLS)
                return S_FAIL (ctx, "ROWS: %u columns x %u rows is more than the limit of %u cells",
                               msg->u.rows.n_cols, msg->u.rows.n_rows, DP_MSG_MAX_CELLS);
            if (f [3].type != MSGPACK_OBJECT_ARRAY)
                return s_wrong_type (ctx, "cells", "an array", &f [3]);
            if (f [3].via.array.size != count)
                return S_FAIL (ctx, "ROWS: %u cells for %u columns x %u rows",
                               f [3].via.array.size, msg->u.rows.n_cols, msg->u.rows.n_rows);
            msg->u.rows.cells = NULL;
            if (count == 0)
                return 0;
            //  One allocation for all cells; only strings add arena bytes.
            dp_val_t *cells = dp_arena_alloc (ctx->arena, (size_t) count * sizeof (dp_val_t));
            const msgpack_object *in = f [3].via.array.ptr;
            for (uint32_t i = 0; i < (uint32_t) count; i++)
                if (s_get_val (ctx, &in [i], "cell", i, true, 0, 0, &cells [i]))
                    return -2;
            msg->u.rows.cells = cells;
            return 0;
        }
        case DP_MSG_ERROR:
            return s_get_u32 (ctx, &f [0], "status", &msg->u.error.status)
                || s_get_str (ctx, &f [1], "message", &msg->u.error.message, NULL) ? -2 : 0;
    }
    return S_FAIL (ctx, "unknown message type %u", (unsigned) msg->type);
}

//  The envelope's first five fields; payload is set to the sixth.
static int
s_get_envelope (s_ctx_t *ctx, const msgpack_object *root, dp_msg_t *msg,
                const msgpack_object **payload)
{
    ctx->what = "envelope";
    //  The version comes first and is checked before the envelope's size:
    //  another version may have another envelope, and must be named.
    if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size == 0)
        return S_FAIL (ctx, "envelope: the message must be a non-empty array, not %s",
                       s_object_type_name (root->type));
    const msgpack_object *f = root->via.array.ptr;
    uint64_t version, type;
    if (s_get_uint (ctx, &f [0], "version", UINT64_MAX, &version))
        return -2;
    if (version != DP_PROTO_VERSION)
        return S_FAIL (ctx, "unsupported protocol version %" PRIu64 " (this peer speaks %d)",
                       version, DP_PROTO_VERSION);
    msg->version = DP_PROTO_VERSION;
    if (root->via.array.size != 6)
        return S_FAIL (ctx, "envelope: the message must have 6 elements, not %u",
                       root->via.array.size);
    if (s_get_uint (ctx, &f [1], "type", UINT64_MAX, &type))
        return -2;
    if (!s_type_known (type))
        return S_FAIL (ctx, "unknown message type %" PRIu64, type);
    msg->type = (dp_msg_type_t) type;
    if (s_get_uint (ctx, &f [2], "id", UINT64_MAX, &msg->id)
    ||  s_get_uint (ctx, &f [3], "deadline_ms", UINT64_MAX, &msg->deadline_ms))
        return -2;
    if (s_get_str (ctx, &f [4], "trace_id", &msg->trace_id, NULL))
        return -2;
    ctx->what = dp_msg_type_name (msg->type);
    *payload = &f [5];
    return 0;
}

//  --------------------------------------------------------------------------
//  Decode size bytes of data into msg (strings and arrays in arena;
//  result.json pointing into data). Returns 0, or -2 with err filled.

int
dp_msg_decode (const void *data, size_t size, dp_arena_t *arena,
               dp_msg_t *msg, char *err, size_t err_len)
{
    assert (arena);
    assert (msg);
    memset (msg, 0, sizeof *msg);
    msg->trace_id = "";
    if (err && err_len)
        err [0] = 0;
    if (!data || size == 0)
        return s_fail (err, err_len, "malformed message: empty frame");
    if (s_scan (data, size, err, err_len))
        return -2;

    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    msgpack_unpack_return ret = msgpack_unpack_next (&unpacked, data, size, &offset);
    int rc;
    if (ret != MSGPACK_UNPACK_SUCCESS || offset != size)
        rc = s_fail (err, err_len, "malformed message: msgpack-c could not unpack it (%d)",
                     (int) ret);
    else {
        s_ctx_t ctx = { arena, err, err_len, "envelope" };
        const msgpack_object *payload = NULL;
        rc = s_get_envelope (&ctx, &unpacked.data, msg, &payload);
        if (rc == 0)
            rc = s_get_payload (&ctx, payload, msg);
    }
    msgpack_unpacked_destroy (&unpacked);
    return rc;
}


//  One header of an already scanned frame, for dp_msg_peek: kind is 'u'
//  (unsigned int), 'n' (negative int), 's' (str; value = length, body
//  skipped), 'a' (array; value = count) or 'o' (anything else).
static void
s_peek_header (const uint8_t *data, size_t *pos, char *kind, uint64_t *value)
{
    uint8_t byte = data [(*pos)++];
    *value = 0;
    if (byte <= 0x7f) {
        *kind = 'u';
        *value = byte;
    }
    else
    if (byte >= 0xe0)
        *kind = 'n';
    else
    if (byte >= 0x90 && byte <= 0x9f) {
        *kind = 'a';
        *value = byte & 0x0f;
    }
    else
    if (byte >= 0xa0 && byte <= 0xbf) {
        *kind = 's';
        *value = byte & 0x1f;
    }
    else
    if (byte >= 0xcc && byte <= 0xcf) {
        size_t n = (size_t) 1 << (byte - 0xcc);
        *kind = 'u';
        *value = s_be (data + *pos, n);
        *pos += n;
    }
    else
    if (byte >= 0xd0 && byte <= 0xd3) {
        //  A signed encoding may still carry a value >= 0.
        size_t n = (size_t) 1 << (byte - 0xd0);
        uint64_t raw = s_be (data + *pos, n);
        *pos += n;
        bool negative = (raw >> (8 * n - 1)) & 1;
        *kind = negative ? 'n' : 'u';
        *value = raw;
    }
    else
    if (byte >= 0xd9 && byte <= 0xdb) {
        size_t n = (size_t) 1 << (byte - 0xd9);
        *kind = 's';
        *value = s_be (data + *pos, n);
        *pos += n;
    }
    else
    if (byte == 0xdc || byte == 0xdd) {
        size_t n = byte == 0xdc ? 2 : 4;
        *kind = 'a';
        *value = s_be (data + *pos, n);
        *pos += n;
    }
    else
        *kind = 'o';
    if (*kind == 's')
        *pos += (size_t) *value;
}

static int
s_peek_uint (const uint8_t *data, size_t *pos, const char *field, uint64_t *value,
             char *err, size_t err_len)
{
    char kind;
    s_peek_header (data, pos, &kind, value);
    if (kind != 'u')
        return s_fail (err, err_len, "envelope: %s must be an unsigned int", field);
    return 0;
}


//  --------------------------------------------------------------------------
//  Decode only the envelope. trace_id is set to "". Returns 0 or -2.

int
dp_msg_peek (const void *data, size_t size, dp_msg_t *msg, char *err, size_t err_len)
{
    //  Peek checks that the frame is one complete msgpack value (the byte
    //  scan allocates nothing) and reads the envelope's five fields in
    //  place; the payload is not unpacked, so a reader can still answer
    //  ERROR 400 to the id of a message whose payload is bad, and routing
    //  a large ROWS or RESULT costs no allocation.
    assert (msg);
    memset (msg, 0, sizeof *msg);
    msg->trace_id = "";
    if (err && err_len)
        err [0] = 0;
    if (!data || size == 0)
        return s_fail (err, err_len, "malformed message: empty frame");
    if (s_scan (data, size, err, err_len))
        return -2;
    const uint8_t *bytes = data;
    size_t pos = 0;
    char kind;
    uint64_t value, version, type;
    s_peek_header (bytes, &pos, &kind, &value);
    if (kind != 'a' || value == 0)
        return s_fail (err, err_len, "envelope: the message must be a non-empty array");
    if (s_peek_uint (bytes, &pos, "version", &version, err, err_len))
        return -2;
    if (version != DP_PROTO_VERSION)
        return s_fail (err, err_len,
                       "unsupported protocol version %" PRIu64 " (this peer speaks %d)",
                       version, DP_PROTO_VERSION);
    msg->version = DP_PROTO_VERSION;
    if (value != 6)
        return s_fail (err, err_len, "envelope: the message must have 6 elements, not %"
                       PRIu64, value);
    if (s_peek_uint (bytes, &pos, "type", &type, err, err_len))
        return -2;
    if (!s_type_known (type))
        return s_fail (err, err_len, "unknown message type %" PRIu64, type);
    msg->type = (dp_msg_type_t) type;
    if (s_peek_uint (bytes, &pos, "id", &msg->id, err, err_len)
    ||  s_peek_uint (bytes, &pos, "deadline_ms", &msg->deadline_ms, err, err_len))
        return -2;
    s_peek_header (bytes, &pos, &kind, &value);
    if (kind != 's')
        return s_fail (err, err_len, "envelope: trace_id must be a str");
    if (value > DP_MSG_MAX_STR || (value && memchr (bytes + pos - value, 0, (size_t) value)))
        return s_fail (err, err_len, "envelope: trace_id is too long or contains a NUL byte");
    return 0;
}


//  ==========================================================================
//  Streaming ROWS writer

void
dp_rows_writer_begin (dp_rows_writer_t *w, msgpack_sbuffer *buf, const dp_msg_t *header)
{
    assert (w);
    assert (buf);
    assert (header);
    w->buf = buf;
    msgpack_packer_init (&w->pk, buf, msgpack_sbuffer_write);
    uint64_t count = (uint64_t) header->u.rows.n_cols * header->u.rows.n_rows;
    dp_msg_t envelope = *header;
    envelope.type = DP_MSG_ROWS;
    size_t start = buf->size;
    if (count > DP_MSG_MAX_CELLS || s_pack_envelope (&w->pk, &envelope)) {
        buf->size = start;
        w->expected = S_WRITER_BROKEN;
        return;
    }
    msgpack_pack_uint32 (&w->pk, header->u.rows.n_cols);
    msgpack_pack_uint32 (&w->pk, header->u.rows.n_rows);
    msgpack_pack_uint32 (&w->pk, header->u.rows.statements);
    msgpack_pack_array (&w->pk, (size_t) count);
    w->expected = count;
}

//  Account for one cell; returns false when it must not be written.
static bool
s_writer_take (dp_rows_writer_t *w)
{
    if (w->expected == S_WRITER_BROKEN)
        return false;
    if (w->expected == 0) {
        w->expected = S_WRITER_BROKEN;     //  one cell too many
        return false;
    }
    w->expected--;
    return true;
}

void
dp_rows_writer_nil (dp_rows_writer_t *w)
{
    if (s_writer_take (w))
        msgpack_pack_nil (&w->pk);
}

void
dp_rows_writer_int (dp_rows_writer_t *w, int64_t value)
{
    if (s_writer_take (w))
        msgpack_pack_int64 (&w->pk, value);
}

void
dp_rows_writer_double (dp_rows_writer_t *w, double value)
{
    if (s_writer_take (w))
        msgpack_pack_double (&w->pk, value);
}

void
dp_rows_writer_str (dp_rows_writer_t *w, const char *ptr, size_t len)
{
    if (len > DP_MSG_MAX_STR) {
        w->expected = S_WRITER_BROKEN;
        return;
    }
    if (s_writer_take (w))
        dp_msg_pack_str (&w->pk, ptr, len);
}

int
dp_rows_writer_end (dp_rows_writer_t *w)
{
    assert (w);
    return w->expected == 0 ? 0 : -1;
}
