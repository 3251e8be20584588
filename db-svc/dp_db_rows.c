/*  =========================================================================
    dp_db_rows - the DB actor's one ROWS encoder: MariaDB's text cells to
    wire values, written as a job's one reply

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_rows.h. Cells arrive in MariaDB's text protocol and are
    converted to the wire type the catalog gives their column; a cell
    that does not fit is sent as nil, with one warning per reply.
@end
*/
#include "dp_db_rows.h"
#include "dp_log.h"
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Where the rows of one reply come from.
typedef struct {
    dp_db_conn_t *conn;         //  a stored result, or NULL: the parts below
    uint64_t mask;              //  conn of a merged statement: the columns it selected, and
                                //  only the job's keys are its rows; 0: the job's own result
    bool lookup;                //  with mask: rows [tag, key, columns] of several lookups,
                                //  the first one of tag the job's
    uint32_t tag;
    const dp_db_part_t *parts;  //  converted cells, in order
    uint32_t n_parts;
} s_source_t;

//  Convert one text cell (NUL-terminated, len bytes, NULL for SQL NULL) to
//  its wire value. A DATETIME is rewritten into scratch (26 bytes). Returns
//  -1 when the text does not fit the type (the value is then nil).
static int
s_convert (dp_coltype_t type, const char *text, unsigned long len, dp_val_t *value,
           char *scratch)
{
    value->type = DP_VAL_NIL;
    if (!text)
        return 0;
    switch (type) {
        case DP_COLTYPE_INT: {
            char *end;
            errno = 0;
            long long number = strtoll (text, &end, 10);
            if (errno || end != text + len || len == 0)
                return -1;
            value->type = DP_VAL_INT;
            value->u.i = number;
            return 0;
        }
        case DP_COLTYPE_FLOAT: {
            char *end;
            double number = strtod (text, &end);
            if (end != text + len || len == 0)
                return -1;
            value->type = DP_VAL_DOUBLE;
            value->u.d = number;
            return 0;
        }
        case DP_COLTYPE_STR:
            value->type = DP_VAL_STR;
            value->u.s.ptr = text;
            value->u.s.len = (uint32_t) len;
            return 0;
        case DP_COLTYPE_DATETIME:
        case DP_COLTYPE_DATE:
            //  "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.ffffff]"; zero date = nil
            if (len < 10 || text [4] != '-' || text [7] != '-')
                return -1;
            if (memcmp (text, "0000-00-00", 10) == 0)
                return 0;
            if (type == DP_COLTYPE_DATE) {
                value->type = DP_VAL_STR;
                value->u.s.ptr = text;
                value->u.s.len = 10;
                return 0;
            }
            if (len == 10)
                snprintf (scratch, 26, "%.10sT00:00:00+00:00", text);
            else
            if (len >= 19 && text [10] == ' ' && text [13] == ':' && text [16] == ':')
                snprintf (scratch, 26, "%.10sT%.8s+00:00", text, text + 11);
            else
                return -1;
            value->type = DP_VAL_STR;
            value->u.s.ptr = scratch;
            value->u.s.len = 25;
            return 0;
    }
    return -1;
}

int
dp_db_rows_convert (dp_coltype_t type, const char *text, unsigned long len, dp_val_t *value,
                    char *scratch)
{
    return s_convert (type, text, len, value, scratch);
}

static void
s_write_value (dp_rows_writer_t *writer, const dp_val_t *value)
{
    switch (value->type) {
        case DP_VAL_INT:
            dp_rows_writer_int (writer, value->u.i);
            break;
        case DP_VAL_DOUBLE:
            dp_rows_writer_double (writer, value->u.d);
            break;
        case DP_VAL_STR:
            dp_rows_writer_str (writer, value->u.s.ptr, value->u.s.len);
            break;
        default:
            dp_rows_writer_nil (writer);
            break;
    }
}

//  Is a row's key (text) among the sorted keys?
static bool
s_has_key (const int64_t *keys, size_t n_keys, const char *text)
{
    if (!text)
        return false;
    int64_t key = strtoll (text, NULL, 10);
    size_t low = 0, high = n_keys;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (keys [middle] < key)
            low = middle + 1;
        else
            high = middle;
    }
    return low < n_keys && keys [low] == key;
}

//  Is this row of a merged statement (source->mask) the job's? For
//  lookups, the caller takes the first only.
static bool
s_row_is_job (const dp_db_job_t *job, const s_source_t *source, char **row)
{
    if (source->lookup)
        return row [0] && strtoll (row [0], NULL, 10) == (long long) source->tag;
    return s_has_key (job->msg.u.load.keys, job->n_keys, row [0]);
}

//  A ROWS header for job.
static void
s_rows_header (dp_db_job_t *job, dp_msg_t *header, uint32_t n_rows)
{
    memset (header, 0, sizeof *header);
    header->version = DP_PROTO_VERSION;
    header->type = DP_MSG_ROWS;
    header->id = job->msg.id;
    header->trace_id = job->msg.trace_id;
    header->u.rows.n_cols = job->n_cols;
    header->u.rows.n_rows = n_rows;
    header->u.rows.statements = job->statements;
}

//  Which result column each of the job's columns is (index), for a result
//  of the job's own columns (mask 0) or of a merged statement's mask,
//  after skip leading columns (a lookup's tag). Returns -1 with err
//  filled when the result does not have that shape.
static int
s_columns (dp_db_job_t *job, dp_db_conn_t *conn, uint64_t mask, uint32_t skip, uint32_t *index,
           char *err, size_t err_len)
{
    uint32_t n_fields = dp_db_conn_num_fields (conn);
    if (!mask) {
        for (uint32_t c = 0; c < job->n_cols; c++)
            index [c] = c;
        if (n_fields == job->n_cols)
            return 0;
        snprintf (err, err_len, "result has %u columns, expected %u", n_fields, job->n_cols);
        return -1;
    }
    uint32_t n = 0;
    index [n++] = skip;
    for (uint32_t bit = 0; bit < 64; bit++)
        if (job->columns & ((uint64_t) 1 << bit))
            index [n++] = skip + 1 + (uint32_t) __builtin_popcountll (mask & (((uint64_t) 1 << bit) - 1));
    if (n == job->n_cols && !(job->columns & ~mask)
    &&  n_fields == skip + 1 + (uint32_t) __builtin_popcountll (mask))
        return 0;
    snprintf (err, err_len, "merged result has %u columns for mask 0x%llx", n_fields,
              (unsigned long long) mask);
    return -1;
}

//  Rows of source that are the job's.
static uint64_t
s_count (dp_db_job_t *job, const s_source_t *source)
{
    uint64_t n_rows = 0;
    if (!source->conn)
        for (uint32_t p = 0; p < source->n_parts; p++)
            n_rows += source->parts [p].n_rows;
    else
    if (!source->mask)
        n_rows = dp_db_conn_num_rows (source->conn);
    else {
        char **row;
        unsigned long *lengths;
        dp_db_conn_rewind (source->conn);
        while (!(source->lookup && n_rows == 1)
           &&  (row = dp_db_conn_fetch_row (source->conn, &lengths)))
            n_rows += s_row_is_job (job, source, row);
    }
    return n_rows;
}

//  The one encoder: check the shape, write header and cells, send.
static void
s_encode (dp_db_reply_t *out, dp_db_job_t *job, const s_source_t *source)
{
    uint32_t index [65];
    char err [256];
    if (source->conn && s_columns (job, source->conn, source->mask, source->lookup,
                                   index, err, sizeof err)) {
        dp_db_job_fail (job, out, DP_STATUS_INTERNAL, "%s", err);
        return;
    }
    uint64_t n_rows = s_count (job, source);
    if (n_rows > UINT32_MAX) {
        dp_db_job_fail (job, out, DP_STATUS_INTERNAL, "too many rows: %llu",
                        (unsigned long long) n_rows);
        return;
    }
    dp_msg_t header;
    s_rows_header (job, &header, (uint32_t) n_rows);
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    dp_rows_writer_t writer;
    dp_rows_writer_begin (&writer, &buffer, &header);
    unsigned int bad = 0;
    if (source->conn) {
        char **row;
        unsigned long *lengths;
        uint64_t written = 0;
        dp_db_conn_rewind (source->conn);
        while (written < n_rows && (row = dp_db_conn_fetch_row (source->conn, &lengths))) {
            if (source->mask && !s_row_is_job (job, source, row))
                continue;
            written++;
            for (uint32_t c = 0; c < job->n_cols; c++) {
                char scratch [26];
                dp_val_t value;
                const char *cell = row [index [c]];
                if (s_convert (job->types [c], cell, cell? lengths [index [c]]: 0, &value, scratch))
                    bad++;
                s_write_value (&writer, &value);
            }
        }
    }
    else
        for (uint32_t p = 0; p < source->n_parts; p++) {
            uint64_t count = source->parts [p].n_rows * job->n_cols;
            for (uint64_t i = 0; i < count; i++)
                s_write_value (&writer, &source->parts [p].cells [i]);
        }
    if (bad)
        dp_warn ("db: request %llu: %u cells did not fit their column type, sent as nil",
                 (unsigned long long) job->msg.id, bad);
    if (dp_rows_writer_end (&writer)) {
        msgpack_sbuffer_destroy (&buffer);
        dp_db_job_fail (job, out, DP_STATUS_INTERNAL, "ROWS encoding failed (%llu rows)",
                        (unsigned long long) n_rows);
        return;
    }
    dp_db_reply_send (out, job->routing, &buffer);
    job->answered = true;
    out->answered++;
}

void
dp_db_rows_from_result (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn)
{
    s_source_t source = { .conn = conn };
    s_encode (out, job, &source);
}

void
dp_db_rows_from_merged (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn,
                        uint64_t mask)
{
    assert (mask);
    s_source_t source = { .conn = conn, .mask = mask };
    s_encode (out, job, &source);
}

void
dp_db_rows_from_lookup (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn,
                        uint64_t mask, uint32_t tag)
{
    assert (mask);
    s_source_t source = { .conn = conn, .mask = mask, .lookup = true, .tag = tag };
    s_encode (out, job, &source);
}

void
dp_db_rows_from_parts (dp_db_reply_t *out, dp_db_job_t *job)
{
    s_source_t source = { .parts = job->parts, .n_parts = job->n_parts };
    s_encode (out, job, &source);
}

void
dp_db_rows_none (dp_db_reply_t *out, dp_db_job_t *job)
{
    s_source_t source = { .n_parts = 0 };
    s_encode (out, job, &source);
}

void
dp_db_rows_zero (dp_db_reply_t *out, dp_db_job_t *job)
{
    dp_db_rows_scalar (out, job, 0);
}

void
dp_db_rows_scalar (dp_db_reply_t *out, dp_db_job_t *job, int64_t value)
{
    assert (job->n_cols == 1);
    dp_val_t cell = { .type = DP_VAL_INT, .u.i = value };
    dp_db_part_t part = { .cells = &cell, .n_rows = 1, .done = true };
    s_source_t source = { .parts = &part, .n_parts = 1 };
    s_encode (out, job, &source);
}

int
dp_db_rows_copy_part (dp_db_reply_t *out, dp_db_job_t *job, dp_db_part_t *part,
                      dp_db_conn_t *conn)
{
    uint32_t index [65];
    char err [256];
    if (s_columns (job, conn, 0, 0, index, err, sizeof err)) {
        dp_db_job_fail (job, out, DP_STATUS_INTERNAL, "%s", err);
        return -1;
    }
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    part->cells = dp_arena_alloc (job->arena, (size_t) (n_rows * job->n_cols + 1) * sizeof (dp_val_t));
    part->n_rows = n_rows;
    dp_val_t *cell = part->cells;
    char **row;
    unsigned long *lengths;
    unsigned int bad = 0;
    while ((row = dp_db_conn_fetch_row (conn, &lengths))) {
        for (uint32_t c = 0; c < job->n_cols; c++, cell++) {
            char scratch [26];
            if (s_convert (job->types [c], row [c], row [c]? lengths [c]: 0, cell, scratch))
                bad++;
            if (cell->type == DP_VAL_STR)
                cell->u.s.ptr = dp_arena_strndup (job->arena, cell->u.s.ptr, cell->u.s.len);
        }
    }
    if (bad)
        dp_warn ("db: request %llu: %u cells did not fit their column type, sent as nil",
                 (unsigned long long) job->msg.id, bad);
    part->done = true;
    return 0;
}


//  ==========================================================================
//  Selftest: the conversion of text cells (the encoder itself runs against
//  MariaDB in the dp_db_* concerns).

void
dp_db_rows_test (bool verbose)
{
    printf (" * dp_db_rows: ");
    char scratch [26];
    dp_val_t value;
    assert (s_convert (DP_COLTYPE_INT, "-42", 3, &value, scratch) == 0);
    assert (value.type == DP_VAL_INT && value.u.i == -42);
    assert (s_convert (DP_COLTYPE_INT, "4x", 2, &value, scratch) == -1);
    assert (value.type == DP_VAL_NIL);
    assert (s_convert (DP_COLTYPE_INT, "", 0, &value, scratch) == -1);
    assert (s_convert (DP_COLTYPE_FLOAT, "2.50", 4, &value, scratch) == 0);
    assert (value.type == DP_VAL_DOUBLE && value.u.d == 2.5);
    assert (s_convert (DP_COLTYPE_STR, "ab", 2, &value, scratch) == 0);
    assert (value.type == DP_VAL_STR && value.u.s.len == 2 && memcmp (value.u.s.ptr, "ab", 2) == 0);
    assert (s_convert (DP_COLTYPE_STR, NULL, 0, &value, scratch) == 0);
    assert (value.type == DP_VAL_NIL);
    assert (s_convert (DP_COLTYPE_DATETIME, "2024-01-02 03:04:05", 19, &value, scratch) == 0);
    assert (value.type == DP_VAL_STR && value.u.s.len == 25);
    assert (memcmp (value.u.s.ptr, "2024-01-02T03:04:05+00:00", 25) == 0);
    assert (s_convert (DP_COLTYPE_DATETIME, "2024-01-02", 10, &value, scratch) == 0);
    assert (memcmp (value.u.s.ptr, "2024-01-02T00:00:00+00:00", 25) == 0);
    assert (s_convert (DP_COLTYPE_DATETIME, "0000-00-00 00:00:00", 19, &value, scratch) == 0);
    assert (value.type == DP_VAL_NIL);
    assert (s_convert (DP_COLTYPE_DATE, "2024-01-02", 10, &value, scratch) == 0);
    assert (value.type == DP_VAL_STR && value.u.s.len == 10);
    assert (s_convert (DP_COLTYPE_DATETIME, "yesterday", 9, &value, scratch) == -1);
    int64_t keys [] = { 2, 5, 9 };
    assert (s_has_key (keys, 3, "5") && !s_has_key (keys, 3, "6") && !s_has_key (keys, 3, NULL));
    if (verbose)
        printf ("(cells and keys) ");
    printf ("OK\n");
}
