/*  =========================================================================
    dp_db_rows - the DB actor's one ROWS encoder: MariaDB's text cells to
    wire values, written as a job's one reply

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A job's rows come from one of two sources: the stored result of its
    statement on a connection (converted cell by cell as they are written,
    without a copy), or cells converted into the job's arena already (the
    chunks of a multi-chunk LOAD, or a fixed answer that needs no SQL). A
    result may also serve several LOADs merged into one statement: each
    job then takes the rows of its own keys and its own columns, the
    statement having selected the union (mask); or several lookups, each
    taking the first row tagged with its key's index. All of them go through
    one encoder, which checks the shape, writes the ROWS header and cells
    and sends the reply through the outbox, or answers 500 when the result
    does not fit the job.
@end
*/
#ifndef DP_DB_ROWS_H_INCLUDED
#define DP_DB_ROWS_H_INCLUDED

#include "dp_db_job.h"
#include "dp_db_conn.h"
#include "dp_db_reply.h"

//  Answer job with every row of conn's stored result, whose columns are
//  the job's own (key, then the columns it asked).
void dp_db_rows_from_result (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn);

//  Answer a LOAD that rode along a merged statement, which selected the
//  columns of mask: the rows of its own keys, with its own columns. The
//  result is read from its start, so several jobs can take their share.
void dp_db_rows_from_merged (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn,
                             uint64_t mask);

//  Answer a lookup that ran in a statement of several lookups' keys
//  (dp_sql_build_lookups), which selected the columns of mask: the first
//  row of its own tag, with its own columns.
void dp_db_rows_from_lookup (dp_db_reply_t *out, dp_db_job_t *job, dp_db_conn_t *conn,
                             uint64_t mask, uint32_t tag);

//  Answer job with its converted chunks (job->parts), in chunk order.
void dp_db_rows_from_parts (dp_db_reply_t *out, dp_db_job_t *job);

//  Answer job without SQL: no rows (of its columns).
void dp_db_rows_none (dp_db_reply_t *out, dp_db_job_t *job);

//  Answer a one-INT job without SQL: one row, 0 (a count, or "no previous").
void dp_db_rows_zero (dp_db_reply_t *out, dp_db_job_t *job);

//  Answer a one-INT job without SQL: one row, value (a kept count).
void dp_db_rows_scalar (dp_db_reply_t *out, dp_db_job_t *job, int64_t value);

//  Convert conn's stored result into part, in the job's arena (strings
//  copied). Returns 0, or -1 after answering the job 500 when the result
//  does not have the job's columns.
int dp_db_rows_copy_part (dp_db_reply_t *out, dp_db_job_t *job, dp_db_part_t *part,
                          dp_db_conn_t *conn);

//  Convert one text cell of MariaDB's result (NUL-terminated, len bytes,
//  NULL for SQL NULL) to its wire value of type; a DATETIME is rewritten
//  into scratch (26 bytes), a string points at text. Returns -1 when the
//  text does not fit the type (the value is then nil).
int dp_db_rows_convert (dp_coltype_t type, const char *text, unsigned long len, dp_val_t *value,
                        char *scratch);

//  Selftest of the cell conversion (needs no database; the encoder runs
//  against MariaDB in the dp_db_* concerns).
void dp_db_rows_test (bool verbose);

#endif
