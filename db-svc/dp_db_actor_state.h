/*  =========================================================================
    dp_db_actor_state - the DB actor's state, shared by its two files

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Private to db-svc: the actor's slots (one MariaDB connection each) and
    its state, which dp_db_actor.c (pools, dispatch, reads, requests) and
    dp_db_actor_txn.c (transactions on pinned connections) both work on,
    and the functions each offers the other. Nothing outside the actor
    includes it; dp_db_actor.h is the actor's interface.
@end
*/
#ifndef DP_DB_ACTOR_STATE_H_INCLUDED
#define DP_DB_ACTOR_STATE_H_INCLUDED

#include <czmq.h>
#include "dp_db_actor.h"
#include "dp_db_conn.h"
#include "dp_db_counts.h"
#include "dp_db_job.h"
#include "dp_db_kept_rows.h"
#include "dp_db_pool_limit.h"
#include "dp_db_purge.h"
#include "dp_db_queue.h"
#include "dp_db_reply.h"
#include "dp_db_target.h"
#include "dp_db_txn.h"
#include "dp_gtid.h"
#include "dp_msg.h"

typedef enum {
    DP_DB_KILL_NONE,
    DP_DB_KILL_WANTED,              //  its statement should be cancelled
    DP_DB_KILL_SENT                 //  the control connection is running the KILL QUERY
} dp_db_kill_t;

typedef struct {
    dp_db_conn_t *conn;
    dp_db_target_t target;      //  the server it connects to
    bool parked;                //  pool slot beyond its pool's limit: closed, not reconnected
    int64_t idle_since;         //  pool slot: zclock_mono ms when it last became idle
    bool control;               //  its target's control connection: KILL QUERY only
    dp_db_stmt_t *stmt;         //  statement running, or NULL
    int64_t retry_at;           //  zclock_mono ms: reconnect a DOWN conn then
    int64_t backoff;            //  ms before the next attempt after a failure
    dp_db_kill_t kill;          //  pool slot: cancelling its statement (no new one until NONE)
    unsigned long thread_id;    //  pool slot: server thread of the running statement
    int killing;                //  control slot: pool slot its KILL is for, or -1
    char kill_sql [64];         //  control slot: the KILL statement (lives while it runs)
    dp_db_txn_t *txn;           //  pool slot: the transaction it is pinned to, or NULL
    bool beginning;             //  pool slot: running a BEGIN's START TRANSACTION
    bool gtid_waiting;          //  replica slot: running stmt's MASTER_GTID_WAIT, not stmt
    char wait_sql [DP_GTID_MAX + 64];   //  that wait's text (lives while it runs)
    bool purging;               //  control slot: running the Idempotency-Key purge
    dp_db_stmt_t *batch;        //  pool slot: the statements sent with stmt, after it, in
                                //  order (linked by batch_next; DEPOT_DB_BATCH)
    dp_sql_t batch_sql;         //  their text with stmt's, while they run
} dp_db_slot_t;

typedef struct {
    zsock_t *pipe;              //  actor command pipe
    zsock_t *router;            //  requests in, replies out
    void *router_handle;        //  its libzmq socket
    int port;                   //  TCP port bound, 0 for other transports
    dp_db_config_t config;      //  copy; strings below are owned
    char *strings [10];
    zsock_t *feed_push;         //  Depot's own committed writes to the feed, or NULL
    zsock_t *feed_sub;          //  the change feed, which vouches for kept counts, or NULL
    dp_db_counts_t *counts;     //  boxes counts kept between requests (with feed_sub)
    dp_db_kept_rows_t *kept;    //  rows kept between requests (with counts), or NULL
    dp_db_job_t *kept_waiting;  //  LOADs of kept rows waiting for a position read to be sent
    zhashx_t *kept_positions;   //  trace id -> the position read for that request's LOADs
                                //  of kept rows (its later waves need no read of their own)
    int chunk_size;
    dp_db_slot_t *slots;            //  the primary's pool, the replica's, then their controls
    int pool_size [DP_DB_TARGETS];  //  most connections per server (replica: 0 = none)
    dp_db_pool_limit_t *limit [DP_DB_TARGETS];  //  how many of them now; NULL: no server
    int n_pool;                 //  statement connections of both pools: slots [0, n_pool)
    int n_slots;                //  n_pool + one control connection per server
    dp_db_slot_t *control [DP_DB_TARGETS];  //  sends KILL QUERY, never statements; NULL: no server
    bool statement_timeout;     //  prefix statements with their max_statement_time
    bool coalesce;              //  merge queued LOADs of one loader, and identical QUERYs
    int batch;                  //  most reads sent to a connection in one text (DEPOT_DB_BATCH)
    bool wave;                  //  a request's queued reads go in one text (DEPOT_DB_WAVE)
    uint64_t stat_round_trips;  //  texts sent to pool connections
    size_t max_queue;           //  statements queued at most; beyond: 503
    zmq_pollitem_t *items;      //  2 + n_slots poll items
    int *item_slot;             //  slot of each poll item
    dp_db_queue_t *queue;       //  statements waiting for a connection
    dp_db_reply_t out;          //  replies on the ROUTER, answers counted
    dp_db_job_t *jobs;          //  every live job
    bool down [DP_DB_TARGETS];  //  a server with no connection up whose last attempt failed
    dp_db_purge_t purge;        //  deleting Idempotency-Key rows past 24 h (primary's control)
    bool terminated;
    uint64_t stat_statements;
    uint64_t stat_killed;       //  KILL QUERY sent
    uint64_t stat_rejected;     //  requests refused: queue full
    uint64_t stat_merged;       //  statements merged into another one
    char instance [DP_INSTANCE_MAX + 1];    //  our name in heartbeat reports
    uint64_t instance_id;       //  our identity, new at every start (dp_instance_id)
    uint64_t stat_target [DP_DB_TARGETS];   //  statements run on each server
    uint64_t stat_cancelled;    //  requests cancelled by their requester
    dp_db_txns_t txns;          //  open transactions (dp_db_txn)
    int n_pinned;               //  slots pinned to a transaction or starting one
    int max_pinned;             //  at most this many (half the primary's pool)
    uint64_t stat_txn_ended;    //  transactions db-svc rolled back on its own
    //  Read-your-writes: a GTID position the replica is known to have
    //  applied (a MASTER_GTID_WAIT returned 0 for it); "" when none, and
    //  again whenever a replica connection is lost (the replica may have
    //  been replaced). Positions only grow, so it may lag, never lead.
    char replica_reached [DP_GTID_MAX + 1];
    int replica_wait_ms;        //  DEPOT_REPLICA_WAIT_MS
    bool dispatch_again;        //  a read moved to the primary's queue, or a statement
                                //  finished as it started: dispatch again
    uint64_t stat_gtid_waits;   //  MASTER_GTID_WAITs run
    uint64_t stat_gtid_primary; //  reads with a position the replica had not reached in time
} dp_db_actor_state_t;

//  dp_db_actor.c

//  Answer the request of one statement from the stored result.
void dp_db_actor_answer (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn);
//  Checks before a statement runs (deadline, a lookup key its column cannot
//  hold); false when the statement was finished instead.
bool dp_db_actor_may_run (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt);
//  Send stmt (and slot i's batch) on pool slot i's idle connection.
void dp_db_actor_run_on (dp_db_actor_state_t *self, int i, dp_db_stmt_t *stmt);
//  No server can serve access now: the primary is down and, for a read,
//  there is no replica or it is down too.
bool dp_db_actor_unavailable (dp_db_actor_state_t *self, dp_db_access_t access);
//  Queue a statement: a transaction's go to its own FIFO.
void dp_db_actor_push (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, bool at_head);

//  dp_db_actor_kept.c
//  A LOAD of kept rows waits for a position of the binary log read after it
//  arrived (true: the job is held until then, the read starts from the
//  actor's loop, never from here); false when it just runs
//  (no feed, a transaction, a replica, the control connection down...).
bool dp_db_actor_kept_wait (dp_db_actor_state_t *self, dp_db_job_t *job);

//  The position read for the LOADs waiting now (a statement of the first
//  one's job, which answers them all), NULL when none waits.
dp_db_stmt_t *dp_db_actor_kept_position (dp_db_actor_state_t *self);

//  stmt is about to go to slot (a read of the primary's pool): when LOADs
//  of kept rows wait, or stmt's request has read no position yet, a
//  position read goes first in the same text (returned, stmt after it in
//  slot's batch); else stmt.
dp_db_stmt_t *dp_db_actor_kept_ahead (dp_db_actor_state_t *self, dp_db_slot_t *slot,
                                      dp_db_stmt_t *stmt);

//  A position read's result: answer its LOADs from the kept rows, or
//  queue their statements.
void dp_db_actor_kept_positioned (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn);

//  A position read failed: its LOADs run their statements.
void dp_db_actor_kept_unpositioned (dp_db_actor_state_t *self, dp_db_stmt_t *stmt);

//  A kept LOAD's statement (every column) finished: keep its rows, answer
//  the job with its own columns.
void dp_db_actor_kept_answer (dp_db_actor_state_t *self, dp_db_stmt_t *stmt, dp_db_conn_t *conn);

//  Waiting LOADs past their deadline are answered 408.
void dp_db_actor_kept_expire (dp_db_actor_state_t *self);

//  A request wrote (TXN or STMT of trace_id): its later LOADs of kept rows
//  read the position again.
void dp_db_actor_kept_forget (dp_db_actor_state_t *self, const char *trace_id);

//  Shutdown: let go of the LOADs still waiting (already answered).
void dp_db_actor_kept_drop (dp_db_actor_state_t *self);

//  dp_db_actor_txn.c

//  STMT: one statement of an open transaction. A refused one ends it too.
void dp_db_actor_start_stmt (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p,
                             dp_msg_t *msg);
//  TXN: BEGIN waits in the primary's queue for a connection to pin;
//  COMMIT and ROLLBACK run after the transaction's earlier requests.
void dp_db_actor_start_txn (dp_db_actor_state_t *self, zframe_t **routing_p, dp_arena_t **arena_p,
                            dp_msg_t *msg);
//  The requester gave up transaction txn_id (CANCEL), or all of its
//  transactions (txn_id 0: DISCONNECT).
void dp_db_actor_txn_abandon (dp_db_actor_state_t *self, zframe_t *routing, uint64_t txn_id,
                              uint32_t status, const char *why);
//  End the transactions whose deadline passed or whose requester went silent.
void dp_db_actor_txn_check (dp_db_actor_state_t *self);
//  Run the transaction's next statement when its connection is free.
void dp_db_actor_txn_dispatch (dp_db_actor_state_t *self, dp_db_txn_t *txn);
//  A statement of a transaction finished on its pinned slot.
void dp_db_actor_txn_event (dp_db_actor_state_t *self, dp_db_slot_t *slot, dp_db_stmt_t *stmt,
                            dp_db_conn_event_t event);
//  The requester's open transaction txn_id, or NULL after answering 410.
dp_db_txn_t *dp_db_actor_txn_for (dp_db_actor_state_t *self, zframe_t *routing, const dp_msg_t *msg,
                                  uint64_t txn_id);
//  The pinned connection of an idle transaction was lost.
void dp_db_actor_txn_lost (dp_db_actor_state_t *self, dp_db_slot_t *slot);

#endif
