/*  =========================================================================
    dp_db_txn - the DB actor's open transactions: who owns each, which
    connection it pins, and the requests waiting for that connection

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A transaction is named by its requester (routing id) and its `txn`
    (proto/README.md, TXN). From the moment its START TRANSACTION succeeded
    until its COMMIT or ROLLBACK finished it pins one pool slot of the
    primary: its statements (STMT, and LOAD or QUERY with its txn) wait in
    its own FIFO, run there one at a time in arrival order, and the pool
    gives that connection to nothing else. The actor drives the statements;
    this table holds the state, and says when a transaction must end on
    db-svc's own initiative: its deadline passed, or its requester has
    been silent for DP_DB_TXN_SILENCE_MS.
@end
*/
#ifndef DP_DB_TXN_H_INCLUDED
#define DP_DB_TXN_H_INCLUDED

#include <czmq.h>
#include "dp_db_job.h"
#include <stdbool.h>
#include <stdint.h>

#define DP_DB_TXN_SILENCE_MS 3000   //  a requester silent this long is gone (liveness)

struct _dp_db_txn_t {
    dp_db_txn_t *next;          //  list of open transactions
    zframe_t *routing;          //  its requester (owned copy)
    uint64_t txn;               //  the requester's name for it
    uint64_t deadline_ms;       //  BEGIN's deadline (epoch ms), 0 = none
    int slot;                   //  the pool slot it pins
    dp_db_stmt_t *head, *tail;  //  statements waiting for its connection
    bool closing;               //  COMMIT or ROLLBACK asked for: it takes no more requests
    bool ending;                //  db-svc rolls it back (a failure, deadline, requester gone)
    dp_db_stmt_t *closer;       //  the COMMIT or ROLLBACK statement, once queued
    dp_db_job_t *failed;        //  the request whose error is answered after the rollback
    uint32_t failed_status;
    char failed_message [600];
    int64_t heard_ms;           //  zclock_mono of the requester's last message
    zmsg_t *own_changes;        //  its writes for the feed's fallback (dp_db_own_writes)
};

typedef struct {
    dp_db_txn_t *head;
    size_t count;
} dp_db_txns_t;

//  Open a transaction of routing (copied) pinned to slot, at the head of
//  txns. Caller destroys it with dp_db_txn_destroy.
dp_db_txn_t *dp_db_txn_new (dp_db_txns_t *txns, zframe_t *routing, uint64_t txn,
                            uint64_t deadline_ms, int slot);

//  Unlink and free a transaction; its FIFO must be empty. Nulls *self_p.
void dp_db_txn_destroy (dp_db_txns_t *txns, dp_db_txn_t **self_p);

//  The open transaction txn of routing, or NULL. Borrowed.
dp_db_txn_t *dp_db_txn_find (dp_db_txns_t *txns, zframe_t *routing, uint64_t txn);

//  Queue stmt for the transaction's connection, at the tail or the head
//  (a started request's next step).
void dp_db_txn_push (dp_db_txn_t *self, dp_db_stmt_t *stmt, bool at_head);

//  Take the next statement for the connection, or NULL.
dp_db_stmt_t *dp_db_txn_pop (dp_db_txn_t *self);

//  routing sent a message at now_ms (zclock_mono): its transactions live.
void dp_db_txn_heard (dp_db_txns_t *txns, zframe_t *routing, int64_t now_ms);

//  Why a transaction must end now on db-svc's initiative: NULL when it
//  need not, else a reason for logs and answers (deadline or silence).
//  now is epoch ms, mono_ms zclock_mono.
const char *dp_db_txn_due (const dp_db_txn_t *self, uint64_t now, int64_t mono_ms);

//  ms until the nearest dp_db_txn_due of the open transactions, at most cap.
int64_t dp_db_txn_next_due (dp_db_txns_t *txns, uint64_t now, int64_t mono_ms, int64_t cap);

void dp_db_txn_test (bool verbose);

#endif
