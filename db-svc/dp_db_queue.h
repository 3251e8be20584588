/*  =========================================================================
    dp_db_queue - the DB actor's statements waiting for a connection

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Three FIFOs: statements that need the primary (taken first, by the
    primary's connections only), and reads in two classes, large ones (a
    LOAD chunk of more than DP_DB_LARGE_ROWS keys, a boxes page of more
    rows, like the ManageBoxes preload) and the others. Large statements
    run on at most half the connections of the server reads go to, and
    small ones go first except when no large one is running; so a burst of
    large requests cannot make the small ones (BoxView, a page of 50) wait
    behind it, and large ones always progress.
@discuss
    Coalescing (dp_db_queue_merge): when a connection takes a single-chunk
    LOAD, the queued single-chunk LOADs of the same loader (among the first
    256 statements of its class, up to chunk_size keys in all; a small one
    stays small) ride along: its statement is rebuilt for the union of
    their keys and columns, and each request later takes its own rows
    (dp_db_rows_from_merged). A lookup by a string key (box_by_label,
    qr_by_code) takes along the queued lookups of the same query whatever
    their keys (up to 64 KiB of keys), when the connection's charsets say its column may be joined
    (dp_db_charsets_may_join) and each key may match: one statement joins
    the keys, in a derived table, to the column (dp_sql_build_lookups),
    and each request takes the first row of its own key's index
    (dp_db_rows_from_lookup). Another root QUERY's statement takes along
    the queued statements with the same SQL text: one statement, the same
    rows for each. Reads only; nothing waits to be merged.
    The queue does not own its statements: they live in their jobs'
    arenas; the queue finishes (dp_db_stmt_finish) those it drops.
@end
*/
#ifndef DP_DB_QUEUE_H_INCLUDED
#define DP_DB_QUEUE_H_INCLUDED

#include "dp_db_job.h"
#include "dp_db_reply.h"
#include "dp_db_target.h"
#include "dp_db_charset.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _dp_db_queue_t dp_db_queue_t;

//  An empty queue whose merged LOADs hold at most chunk_size keys. Caller
//  owns return value and must destroy it with dp_db_queue_destroy.
dp_db_queue_t *dp_db_queue_new (int chunk_size);

//  Finish every statement still queued (their jobs must be answered) and
//  free the queue; nulls *self_p.
void dp_db_queue_destroy (dp_db_queue_t **self_p);

//  Queue stmt at the tail of its FIFO, or at its head (a started request's
//  next step, so it finishes before new ones start).
void dp_db_queue_push (dp_db_queue_t *self, dp_db_stmt_t *stmt, bool at_head);

//  Statements waiting.
size_t dp_db_queue_size (dp_db_queue_t *self);

//  Epoch ms of the nearest deadline of a waiting statement, 0 for none.
uint64_t dp_db_queue_next_expiry (dp_db_queue_t *self);

//  Take the statement an idle connection of target runs next, or NULL.
//  reads is the server reads go to now (dp_db_target_route); max_large
//  the large statements it may run at once; primary_ok false leaves the
//  primary's FIFO (transactions' BEGINs) waiting (the pinned bound).
dp_db_stmt_t *dp_db_queue_next (dp_db_queue_t *self, dp_db_target_t target,
                                dp_db_target_t reads, int max_large, bool primary_ok);

//  A statement taken from the queue started, or ended, on a connection
//  (counts the large ones running).
void dp_db_queue_started (dp_db_queue_t *self, const dp_db_stmt_t *stmt);
void dp_db_queue_ended (dp_db_queue_t *self, const dp_db_stmt_t *stmt);

//  Some queued statements now serve answered jobs (a CANCEL): the next
//  dp_db_queue_expire drops them.
void dp_db_queue_purge (dp_db_queue_t *self);

//  When a queued deadline is due or a purge is wanted: answer 408 through
//  out to the jobs whose deadline passed while they waited, and drop the
//  statements of answered jobs.
void dp_db_queue_expire (dp_db_queue_t *self, dp_db_reply_t *out);

//  Answer status through out to the jobs of the queued statements whose
//  access no server can serve now (stranded [access] true), and drop
//  them; the others stay queued, in order.
void dp_db_queue_fail_stranded (dp_db_queue_t *self, dp_db_reply_t *out,
                                const bool stranded [2], uint32_t status, const char *message);

//  The read lead is about to run on a connection with charsets (its
//  server's key columns): move the queued statements that can share it
//  onto its merged list (see @discuss) and, for LOADs and lookups, rebuild
//  its SQL. Returns how many were merged.
int dp_db_queue_merge (dp_db_queue_t *self, dp_db_stmt_t *lead,
                       const dp_db_charsets_t *charsets);

//  A request's reads of one wave arrive together: the small reads queued
//  from lead's request (the same requester and trace id; none when the
//  id is empty) may go in the same text as lead's statement. How many
//  wait, when every statement waiting is one of them (0 otherwise, and
//  beyond the statements looked at for a merge); and take the first of
//  them off the queue (NULL: none).
size_t dp_db_queue_siblings (dp_db_queue_t *self, const dp_db_stmt_t *lead);
dp_db_stmt_t *dp_db_queue_take_sibling (dp_db_queue_t *self, const dp_db_stmt_t *lead);
//  Selftest (needs no database).
void dp_db_queue_test (bool verbose);

#endif
