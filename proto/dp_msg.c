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
    reserved bytes and nesting deeper than S_MAX_DEPTH, and proves that no
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

//  Limits on hostile input (proto/README.md, "Limits"). The encoder
//  refuses what the decoder would refuse, so a peer never sends a message
//  its reader must reject.
#define S_MAX_INTS          1000000u        //  keys, base ids
#define S_MAX_VALUES        1000000u        //  items of one QUERY array value
#define S_MAX_CELLS         50000000u       //  ROWS cells
#define S_MAX_STR           (64u << 20)     //  any str
#define S_MAX_BIN           (1024u << 20)   //  RESULT json
#define S_MAX_PERMISSIONS   1000u
#define S_MAX_VALUE_DEPTH   4               //  arrays nested in one QUERY argument
#define S_MAX_VARIABLE_DEPTH 12             //  arrays nested in one EXECUTE variable
#define S_MAX_VARIABLES     200u            //  EXECUTE variables entries (index, value pairs)
#define S_MAX_DEPTH         16              //  msgpack nesting of a whole frame
#define S_MAX_STMT_VALUES   1000000u        //  STMT values: rows x columns, and one condition's

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
        case DP_MSG_LOAD:       return 5;     //  3 before txn, 4 before min_gtid
        case DP_MSG_QUERY:      return 5;     //  3 before txn, 4 before min_gtid
        case DP_MSG_ROWS:       return 4;
        case DP_MSG_TXN:        return 2;
        case DP_MSG_STMT:       return 7;
        case DP_MSG_ERROR:      return 2;
    }
    return 0;
}


//  ==========================================================================
//  Encoding

static void
s_pack_str (msgpack_packer *pk, const char *ptr, size_t len)
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
    if (size > S_MAX_STR || (len && memchr (ptr, 0, size)))
        return -1;
    s_pack_str (pk, ptr, size);
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
    if (count > S_MAX_INTS || (count && !items))
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
            if (val->u.s.len > S_MAX_STR || (val->u.s.len && !val->u.s.ptr))
                return -1;
            s_pack_str (pk, val->u.s.ptr, val->u.s.len);
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
            if (val->u.a.count > S_MAX_VALUES || (val->u.a.count && !val->u.a.items))
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
    if (identity->n_permissions > S_MAX_PERMISSIONS
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
    return n_rows <= S_MAX_STMT_VALUES && *count <= S_MAX_STMT_VALUES;
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
        if (cond->n_values > S_MAX_STMT_VALUES || (cond->n_values && !cond->values))
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
    if (msg->u.result.json_len > S_MAX_BIN
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
                if (msg->u.execute.n_variables > S_MAX_VARIABLES
                ||  msg->u.execute.n_variables % 2
                ||  (msg->u.execute.n_variables && !msg->u.execute.variables))
                    return -1;
                msgpack_pack_uint32 (pk, msg->u.execute.operation);
                msgpack_pack_array (pk, msg->u.execute.n_variables);
                for (uint32_t i = 0; i < msg->u.execute.n_variables; i++)
                    if (s_pack_val (pk, &msg->u.execute.variables [i], false, 0, S_MAX_VARIABLE_DEPTH))
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
            return s_pack_gtid (pk, msg->u.load.min_gtid);
        case DP_MSG_TXN:
            if (!s_txn_valid (msg->u.txn.txn, msg->u.txn.op, DP_TXN_BEGIN, DP_TXN_ROLLBACK))
                return -1;
            msgpack_pack_uint64 (pk, msg->u.txn.txn);
            msgpack_pack_uint32 (pk, msg->u.txn.op);
            return 0;
        case DP_MSG_STMT:
            return s_pack_stmt (pk, msg);
        case DP_MSG_QUERY:
            if (msg->u.query.n_args > S_MAX_VALUES
            || (msg->u.query.n_args && !msg->u.query.args))
                return -1;
            msgpack_pack_uint32 (pk, msg->u.query.query);
            msgpack_pack_uint64 (pk, msg->u.query.columns);
            msgpack_pack_array (pk, msg->u.query.n_args);
            for (uint32_t i = 0; i < msg->u.query.n_args; i++)
                if (s_pack_val (pk, &msg->u.query.args [i], false, 0, S_MAX_VALUE_DEPTH))
                    return -1;
            msgpack_pack_uint64 (pk, msg->u.query.txn);
            return s_pack_gtid (pk, msg->u.query.min_gtid);
        case DP_MSG_ROWS: {
            uint64_t count = (uint64_t) msg->u.rows.n_cols * msg->u.rows.n_rows;
            if (count > S_MAX_CELLS || (count && !msg->u.rows.cells))
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
    uint64_t stack [S_MAX_DEPTH + 1];   //  elements still to read per level
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
                if (depth + 1 > S_MAX_DEPTH)
                    return s_fail (err, err_len,
                                   "malformed message: nested deeper than %d", S_MAX_DEPTH);
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
    if (size > S_MAX_STR)
        return S_FAIL (ctx, "%s: %s is %u bytes, more than the limit of %u",
                       ctx->what, field, size, S_MAX_STR);
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
    if (s_get_array (ctx, obj, field, UINT32_MAX, S_MAX_INTS, &array))
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
            if (obj->via.str.size > S_MAX_STR)
                return S_FAIL (ctx, "%s: %s %u is %u bytes, more than the limit of %u",
                               ctx->what, where, index, obj->via.str.size, S_MAX_STR);
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
            if (count > S_MAX_VALUES)
                return S_FAIL (ctx, "%s: %s %u: array of %u values, more than the limit of %u",
                               ctx->what, where, index, count, S_MAX_VALUES);
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
    ||  s_get_array (ctx, &f [6], "variables", UINT32_MAX, S_MAX_VARIABLES, &variables))
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
                       S_MAX_VARIABLE_DEPTH, &values [i]))
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
    if (s_get_array (ctx, &f [5], "identity.permissions", UINT32_MAX, S_MAX_PERMISSIONS,
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
    ||  s_get_array (ctx, &f [4], "values", UINT32_MAX, S_MAX_STMT_VALUES, &rows)
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
                       rows->size, __builtin_popcountll (stmt->columns), S_MAX_STMT_VALUES);
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
                         S_MAX_STMT_VALUES, &values))
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
            if (f [1].via.bin.size > S_MAX_BIN)
                return S_FAIL (ctx, "%s: json is %u bytes, more than the limit of %u",
                               ctx->what, f [1].via.bin.size, S_MAX_BIN);
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
            return s_get_gtid (ctx, payload, 4, "min_gtid", &msg->u.load.min_gtid);
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
            ||  s_get_array (ctx, &f [2], "args", UINT32_MAX, S_MAX_VALUES, &args))
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
                if (s_get_val (ctx, &args->ptr [i], "arg", i, false, 0, S_MAX_VALUE_DEPTH, &values [i]))
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
            if (count > S_MAX_CELLS)
                return S_FAIL (ctx, "ROWS: %u columns x %u rows is more than the limit of %u cells",
                               msg->u.rows.n_cols, msg->u.rows.n_rows, S_MAX_CELLS);
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
    if (value > S_MAX_STR || (value && memchr (bytes + pos - value, 0, (size_t) value)))
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
    if (count > S_MAX_CELLS || s_pack_envelope (&w->pk, &envelope)) {
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
    if (len > S_MAX_STR) {
        w->expected = S_WRITER_BROKEN;
        return;
    }
    if (s_writer_take (w))
        s_pack_str (&w->pk, ptr, len);
}

int
dp_rows_writer_end (dp_rows_writer_t *w)
{
    assert (w);
    return w->expected == 0 ? 0 : -1;
}


//  ==========================================================================
//  Selftest

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
    s_pack_str (pk, "t", 1);
    msgpack_pack_array (pk, payload_size);
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
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_INSERT);
    msgpack_pack_uint64 (&pk, 3);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "values row must have 2 elements, not 1");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_UPDATE);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "nested deeper than 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_DELETE);
    msgpack_pack_uint64 (&pk, 0);
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
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_DELETE);
    msgpack_pack_uint64 (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 0);                            //  an array in a condition
    msgpack_pack_false (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "condition value 0");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_SELECT);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_nil (&pk);
    s_expect_malformed (buf.data, buf.size, arena, "lock must be a bool");
    msgpack_sbuffer_clear (&buf);
    for (uint64_t bad = 0; bad < 2; bad++) {
        s_pack_head (&pk, 1, DP_MSG_STMT, 7);
        msgpack_pack_uint64 (&pk, bad ? 9 : 0);             //  txn 0, then op 5
        msgpack_pack_uint32 (&pk, 0);
        msgpack_pack_uint32 (&pk, bad ? 5 : DP_STMT_SELECT);
        msgpack_pack_uint64 (&pk, 1);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_true (&pk);
        s_expect_malformed (buf.data, buf.size, arena, "op 1 to 4");
        msgpack_sbuffer_clear (&buf);
    }
    //  Rows x columns beyond the limit, found before any row is read.
    s_pack_head (&pk, 1, DP_MSG_STMT, 7);
    msgpack_pack_uint64 (&pk, 9);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint32 (&pk, DP_STMT_INSERT);
    msgpack_pack_uint64 (&pk, UINT64_MAX);
    msgpack_pack_array (&pk, S_MAX_STMT_VALUES / 64 + 1);
    for (uint32_t i = 0; i < S_MAX_STMT_VALUES / 64 + 1; i++)
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
    s_expect_malformed (buf.data, buf.size, arena, "must have 5 elements, not 2");
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
        s_pack_head (&pk, 1, DP_MSG_EXECUTE, fields);
        msgpack_pack_array (&pk, 6);
        msgpack_pack_int (&pk, 1);
        msgpack_pack_int (&pk, 1);
        msgpack_pack_false (&pk);
        msgpack_pack_int (&pk, -1);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_str (&pk, 1);
        msgpack_pack_str_body (&pk, "x", 1);
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        msgpack_pack_uint32 (&pk, 0);
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
    s_pack_str (&pk, long_name, DP_INSTANCE_MAX);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    memset (long_name, 'y', sizeof long_name - 1);
    s_pack_str (&pk, long_name, DP_INSTANCE_MAX + 1);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 255");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_HEARTBEAT, 1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_uint32 (&pk, DP_SERVICE_DB);
    s_pack_str (&pk, "db", 2);
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
    s_pack_str (&pk, "db", 2);
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
        s_pack_head (&pk, 1, DP_MSG_EXECUTE, form == 0 ? 5 : 7);
        msgpack_pack_array (&pk, 6);
        msgpack_pack_int64 (&pk, 1);
        msgpack_pack_int64 (&pk, 0);
        msgpack_pack_false (&pk);
        msgpack_pack_int32 (&pk, -1);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_array (&pk, 0);
        s_pack_str (&pk, "{ a }", 5);
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        msgpack_pack_uint32 (&pk, 0);
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
        s_pack_head (&pk, 1, DP_MSG_EXECUTE, 8);
        msgpack_pack_array (&pk, 6);
        msgpack_pack_int64 (&pk, 1);
        msgpack_pack_int64 (&pk, 0);
        msgpack_pack_false (&pk);
        msgpack_pack_int32 (&pk, -1);
        msgpack_pack_array (&pk, 0);
        msgpack_pack_array (&pk, 0);
        s_pack_str (&pk, "{ a }", 5);
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        msgpack_pack_uint32 (&pk, 0);
        msgpack_pack_nil (&pk);
        msgpack_pack_nil (&pk);
        char key [DP_IDEMPOTENCY_KEY_MAX + 1];
        memset (key, 'k', sizeof key);
        s_pack_str (&pk, key, key_len);
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
        s_pack_str (&pk, name, DP_INSTANCE_MAX + 1);
    }
    s_expect_malformed (buf.data, buf.size, arena, "more than the limit of 255");
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 5);                        //  envelope of 5
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 0);
    s_pack_str (&pk, "t", 1);
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
    s_pack_str (&pk, "t", 1);
    msgpack_pack_array (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "negative");
    assert (dp_msg_peek (buf.data, buf.size, &out, err, sizeof err) == -2);
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_array (&pk, 6);                        //  NUL in trace id
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, DP_MSG_HEARTBEAT);
    msgpack_pack_uint32 (&pk, 1);
    msgpack_pack_uint32 (&pk, 0);
    s_pack_str (&pk, "a\0b", 3);
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
    s_pack_head (&pk, 1, DP_MSG_EXECUTE, 5);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_false (&pk);
    msgpack_pack_int64 (&pk, (int64_t) INT32_MAX + 1);  //  beta_user is an int32
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, 0);
    s_pack_str (&pk, "{a}", 3);
    msgpack_pack_nil (&pk);
    msgpack_pack_nil (&pk);
    msgpack_pack_uint32 (&pk, 0);
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
    msgpack_pack_array (&pk, S_MAX_INTS + 1);
    for (uint32_t i = 0; i < S_MAX_INTS + 1; i++)
        msgpack_pack_int (&pk, 0);
    s_expect_malformed (buf.data, buf.size, arena, "limit of 1000000");
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_LOAD, 3);
    msgpack_pack_uint32 (&pk, 0);
    msgpack_pack_uint64 (&pk, 1);
    msgpack_pack_array (&pk, S_MAX_INTS);                //  exactly the limit is fine
    for (uint32_t i = 0; i < S_MAX_INTS; i++)
        msgpack_pack_int (&pk, 7);
    assert (dp_msg_decode (buf.data, buf.size, arena, &out, err, sizeof err) == 0);
    assert (out.u.load.n_keys == S_MAX_INTS && out.u.load.keys [S_MAX_INTS - 1] == 7);
    dp_arena_reset (arena);
    msgpack_sbuffer_clear (&buf);
    s_pack_head (&pk, 1, DP_MSG_EXECUTE, 5);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_false (&pk);
    msgpack_pack_int (&pk, 0);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_array (&pk, S_MAX_PERMISSIONS + 1);
    for (uint32_t i = 0; i < S_MAX_PERMISSIONS + 1; i++) {
        msgpack_pack_array (&pk, 2);
        s_pack_str (&pk, "stock:read", 10);
        msgpack_pack_array (&pk, 0);
    }
    s_pack_str (&pk, "{a}", 3);
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
    char *big = calloc (1, (size_t) S_MAX_STR + 1);
    assert (big);
    memset (big, 'x', (size_t) S_MAX_STR + 1);
    s_pack_str (&pk, big, (size_t) S_MAX_STR + 1);
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
