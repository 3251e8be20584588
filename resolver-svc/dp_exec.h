/*  =========================================================================
    dp_exec - one GraphQL request executing in breadth-first waves

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A resolver actor keeps many dp_exec_t in flight at once. Each is a
    small state machine: start() parses and plans, then sends the LOADs
    and QUERYs of its first wave through the env's send callback; each
    on_reply() stores an answer, and when a wave's last answer is in, the
    next wave goes out. When no wave is left, the JSON response is written
    in one pass and done() turns true.
@discuss
    Nothing here blocks or knows about sockets: the actor owns the sockets
    and correlation ids, dp_exec owns the request. All of a request's
    memory is one arena, freed by dp_exec_destroy.
@end
*/
#ifndef DP_EXEC_H_INCLUDED
#define DP_EXEC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_json_writer.h"
#include "dp_msg.h"
#include "dp_schema.h"

typedef struct _dp_exec_t dp_exec_t;

typedef struct {
    dp_schema_t *schema;        //  bound with dp_mapping_bind; read-only
    dp_schema_t *public_schema; //  requests of /public (DP_EXECUTE_PUBLIC); NULL: refused
    int64_t max_page_size;      //  boxes(first:) is capped here (API.md: 100,000)
    size_t max_tokens;          //  parser limits
    size_t max_depth;
    //  Send a LOAD or QUERY for exec. The callee sets msg->id (a fresh
    //  correlation id) before encoding. Returns 0, or -1 when it could not
    //  be sent (the request then fails with 503).
    int (*send) (void *ctx, dp_exec_t *exec, dp_msg_t *msg);
    //  A request holding more rows than this, once its waves are done,
    //  waits for its answer to be written elsewhere (dp_exec_wants_writer);
    //  0: every answer is written at once.
    size_t large_answer_rows;
    void *send_ctx;
} dp_exec_env_t;

//  Create a request. env must outlive it. Caller owns the return value
//  and must destroy it with dp_exec_destroy.
dp_exec_t *dp_exec_new (const dp_exec_env_t *env);

void dp_exec_destroy (dp_exec_t **self_p);

//  The request's arena: everything of the request lives in it (decoded
//  messages too) and goes with dp_exec_destroy.
dp_arena_t *dp_exec_arena (dp_exec_t *exec);

//  Start executing a decoded EXECUTE (decoded into dp_exec_arena (self),
//  so its strings live as long as the request).
void dp_exec_start (dp_exec_t *self, const dp_msg_t *execute);

//  Before dp_exec_start: whether the request may send a single object's
//  reads with its lookup (dp_exec_chain.c), which saves it a round trip to
//  MariaDB but keeps those reads out of other requests' statements. The
//  actor says yes while it has few requests in flight: one alone waits for
//  round trips, many together for MariaDB's work.
void dp_exec_set_chained_reads (dp_exec_t *self, bool chained);

//  Deliver the reply (ROWS or ERROR) to one of this request's LOADs or
//  QUERYs; decoded into dp_exec_arena (self).
void dp_exec_on_reply (dp_exec_t *self, const dp_msg_t *reply);

//  Fail the request now (deadline passed, service stopping). A mutation's
//  deadline (504) fails its current field and those after it; fields
//  committed before keep their values, and the answer is 200.
void dp_exec_abort (dp_exec_t *self, uint32_t http_status, const char *message);

bool dp_exec_done (dp_exec_t *self);
//  True when the waves are done and the answer, large, is left to write:
//  call dp_exec_write from one thread, nothing else touching the request.
bool dp_exec_wants_writer (dp_exec_t *self);
//  Write the answer now (elsewhere: on a writer thread, which the debug
//  extension reports as lowPriorityWrite); done() turns true.
void dp_exec_write (dp_exec_t *self, bool elsewhere);

//  Once done: the HTTP status and the response body (borrowed, valid until
//  the request is destroyed).
uint32_t dp_exec_http_status (dp_exec_t *self);
const char *dp_exec_json (dp_exec_t *self, size_t *len_p);
//  The writer holding that body, with DP_MSG_RESULT_HEADROOM in front of
//  it, for sending it without a copy (borrowed, valid until the request is
//  destroyed; the sender may take its buffer).
dp_json_writer_t *dp_exec_answer (dp_exec_t *self);

//  The EXECUTE's correlation id, deadline and trace id.
uint64_t dp_exec_id (dp_exec_t *self);
uint64_t dp_exec_deadline (dp_exec_t *self);
const char *dp_exec_trace_id (dp_exec_t *self);

//  Replies still awaited.
size_t dp_exec_outstanding (dp_exec_t *self);

//  SQL statements db-svc reported for this request so far.
uint32_t dp_exec_statements (dp_exec_t *self);

//  The primary's GTID position after the request's COMMITs (every one
//  included), for the gateway's X-Depot-Gtid; NULL when it committed
//  nothing or the primary keeps no binary log.
const char *dp_exec_gtid (dp_exec_t *self);

//  A mutation's transaction still open at db-svc (or being begun or
//  ended), or 0: the actor rolls it back when it drops the request
//  (deadline, CANCEL, stopping).
uint64_t dp_exec_open_txn (dp_exec_t *self);

//  A mutation pausing before it runs a field again (a conflict): the wall
//  clock ms at which dp_exec_wake must be called; 0 when not pausing.
int64_t dp_exec_wake_at (dp_exec_t *self);
void dp_exec_wake (dp_exec_t *self);

//  Selftest of the answer's writer (dp_exec_write.c): a plan over a small
//  schema and rows in the cache, no database.
void dp_exec_write_test (bool verbose);

//  Selftest of the mutation executor (dp_exec_mutation.c): TXN, STMT and
//  LOAD answered by hand, no database.
void dp_exec_mutation_test (bool verbose);

#endif
