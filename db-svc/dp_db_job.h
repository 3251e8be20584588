/*  =========================================================================
    dp_db_job - one LOAD or QUERY under way in the DB actor, and its
    statements

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A request becomes a job: its arena holds the decoded message, the
    statements and any rows copied from MariaDB, so the job and all it
    owns are freed at once. A job has one or more statements (dp_db_stmt_t:
    a LOAD's chunks, a boxes page's two steps), which wait in the queue
    (dp_db_queue) and run on the pool's connections. Every job gets exactly
    one reply: it is marked answered when its ROWS or ERROR is sent, and is
    freed once answered with no statement queued or running (pending 0).
@discuss
    Live jobs are linked in a list the actor owns (dp_db_job_new links, the
    last dp_db_stmt_finish or dp_db_job_release unlinks), so a CANCEL can
    find its job and shutdown can answer them all.
    A job of a transaction (STMT, COMMIT, ROLLBACK, LOAD or QUERY with a
    txn) points at it (dp_db_txn.h); its statements wait in the
    transaction's own FIFO and run on its pinned primary connection only, in
    order; a pinned connection lost mid-transaction fails the job, never
    replays it.
@end
*/
#ifndef DP_DB_JOB_H_INCLUDED
#define DP_DB_JOB_H_INCLUDED

#include <czmq.h>
#include "dp_db_reply.h"
#include "dp_db_target.h"
#include "dp_sql_catalog.h"
#include "dp_msg.h"
#include "dp_arena.h"
#include <stdbool.h>
#include <stdint.h>

#define DP_DB_LARGE_ROWS 512    //  more keys or rows: a large statement (dp_db_queue)

typedef struct _dp_db_job_t dp_db_job_t;
typedef struct _dp_db_stmt_t dp_db_stmt_t;
typedef struct _dp_db_txn_t dp_db_txn_t;     //  dp_db_txn.h

struct _dp_db_stmt_t {
    dp_db_stmt_t *next;         //  queue link
    dp_db_job_t *job;           //  the request it serves
    uint32_t part;              //  chunk index (LOAD) or step (boxes page)
    dp_sql_t sql;               //  the text (malloc'd)
    bool expired;               //  every request it serves was answered while it ran
                                //  (deadline or CANCEL): it is being cancelled
    uint64_t deadline;          //  running: the latest deadline it serves (0 = none)
    dp_db_stmt_t *merged;       //  running: statements merged into this one
    dp_db_stmt_t *merged_next;  //  link in that list
    dp_db_stmt_t *batch_next;   //  running: the statement sent after it in the same text
    uint64_t columns;           //  running merged LOAD or lookups: the columns it selects
    bool lookups;               //  running: the lookups of several keys (dp_sql_build_lookups)
    uint32_t tag;               //  a lookup in such a statement: its key's index there,
                                //  the first column of its rows
    bool large;                 //  in the large class (DP_DB_LARGE_ROWS)
    bool position;              //  the binary log's position read for the LOADs of kept
                                //  rows in kept_jobs (dp_db_actor_kept.c), not its job's
    dp_db_job_t *kept_jobs;     //  those LOADs, linked by kept_next
    dp_db_stmt_t *ahead_of;     //  such a read sent first in a text: the statement after
                                //  it (then its batch), whose requests remember the position
    int64_t created_us;         //  zclock_usecs when made (and queued): its wait for a connection
    int64_t started_us;         //  zclock_usecs when it went to a connection
};

//  The rows of one chunk of a multi-chunk LOAD, converted to wire values.
typedef struct {
    dp_val_t *cells;            //  n_rows * n_cols cells, in the job's arena
    uint64_t n_rows;
    bool done;
} dp_db_part_t;

struct _dp_db_job_t {
    dp_db_job_t *prev, *next;   //  list of live jobs
    dp_db_job_t **list;         //  that list's head
    zframe_t *routing;          //  the requester's routing id
    dp_arena_t *arena;          //  the decoded request, statements, rows; holds the job
    dp_msg_t msg;               //  the decoded LOAD or QUERY
    const dp_sql_query_t *query;    //  a QUERY's entry of the SQL catalog; NULL: a LOAD
    dp_sql_query_args_t args;   //  a QUERY's parsed arguments
    dp_db_access_t access;      //  where its statements may run (dp_db_target_access)
    uint64_t columns;           //  requested column mask
    dp_coltype_t types [65];    //  wire type of each result column
    uint32_t n_cols;
    size_t n_keys;              //  LOAD: distinct keys (msg.u.load.keys, sorted)
    uint32_t n_parts;           //  LOAD chunks
    dp_db_part_t *parts;
    uint32_t statements;        //  statements run so far
    uint32_t pending;           //  statements queued or running
    bool started;               //  a statement went to a connection
    bool answered;              //  the one reply was sent
    dp_db_txn_t *txn;           //  the transaction it runs in (on its pinned
                                //  connection), or NULL
    const char *count_key;      //  a boxes count the feed may vouch for (dp_db_counts):
                                //  its SQL text, in the arena; NULL: the count just runs
    uint64_t count_generation;  //  the cache's generation when the COUNT was sent
    bool kept;                  //  a LOAD of kept rows (dp_db_kept_rows): it waits for a
                                //  position of the binary log, then is answered from them
                                //  or loads every column to keep them
    uint64_t kept_stamp;        //  the store's stamp when that statement was made
    dp_db_job_t *kept_next;     //  link among the jobs waiting for that position
    const char *min_gtid;       //  read-your-writes: the GTID position the replica must
                                //  have applied before it reads there (in msg); NULL
                                //  when none, or once known reached or on the primary
};

//  A job for the decoded msg, linked at the head of *jobs. Takes ownership
//  of the routing frame and of the arena msg was decoded into, and
//  nullifies the caller's references; the job lives in that arena.
dp_db_job_t *dp_db_job_new (dp_db_job_t **jobs, zframe_t **routing_p, dp_arena_t **arena_p,
                            const dp_msg_t *msg);

//  Unlink and free the job (with its arena) and null *self_p. Its
//  statements must all be finished.
void dp_db_job_destroy (dp_db_job_t **self_p);

//  Free the job when it is answered and has nothing under way; else keep it.
void dp_db_job_release (dp_db_job_t **self_p);

//  The live job of request id from routing, or NULL. Borrowed.
dp_db_job_t *dp_db_job_find (dp_db_job_t *jobs, zframe_t *routing, uint64_t id);

//  True when the job's deadline has passed at now (epoch ms).
bool dp_db_job_late (const dp_db_job_t *self, uint64_t now);

//  Answer the job with an ERROR through out, once; later calls and later
//  results are dropped.
void dp_db_job_fail (dp_db_job_t *self, dp_db_reply_t *out, uint32_t status,
                     const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Answer 408 to a job whose deadline passed before its statement got a
//  connection (saying whether an earlier statement of it had run).
void dp_db_job_fail_late (dp_db_job_t *self, dp_db_reply_t *out);

//  A new statement of job, for step or chunk part, its text empty; counted
//  as pending. Lives in the job's arena; the caller fills and queues it.
dp_db_stmt_t *dp_db_stmt_new (dp_db_job_t *job, uint32_t part);

//  A statement is over (done, failed or dropped): free its text, and its
//  job when that is answered and has nothing left under way.
void dp_db_stmt_finish (dp_db_stmt_t *self);

//  Prefix the statement with MariaDB's max_statement_time of left_ms. A
//  LOAD's statement (key IN (...) on an index) is also told to estimate its
//  rows from the index's statistics instead of diving into the index once
//  per key (eq_range_index_dive_limit=1): with 40 keys the dives cost
//  MariaDB more than reading the rows, and the estimate only chooses
//  between the key's indexes, which statistics tell as well.
void dp_db_stmt_limit (dp_db_stmt_t *self, int64_t left_ms);

//  True when the statement looks rows up by a list of keys (a LOAD's chunk,
//  or merged LOADs): not a QUERY's, a transaction's STMT, a position read,
//  nor a LOAD keyed by a lookup's subquery (there MariaDB finds the key as
//  a constant, and the limit only costs: 0.13 -> 0.20 ms for BoxView's
//  access row).
bool dp_db_stmt_keyed (const dp_db_stmt_t *self);

//  Selftest (needs no database).
void dp_db_job_test (bool verbose);

#endif
