/*  =========================================================================
    dp_db_txn - the DB actor's open transactions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_txn.h. At most half the pool is pinned at once, so the list
    stays short (16 with the default pool): lookups walk it.
@end
*/
#include "dp_db_txn.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

dp_db_txn_t *
dp_db_txn_new (dp_db_txns_t *txns, zframe_t *routing, uint64_t txn, uint64_t deadline_ms, int slot)
{
    assert (txns && routing && txn);
    dp_db_txn_t *self = calloc (1, sizeof (dp_db_txn_t));
    if (!self)
        dp_fatal ("out of memory");
    self->routing = zframe_dup (routing);
    self->txn = txn;
    self->deadline_ms = deadline_ms;
    self->slot = slot;
    self->heard_ms = zclock_mono ();
    self->next = txns->head;
    txns->head = self;
    txns->count++;
    return self;
}

void
dp_db_txn_destroy (dp_db_txns_t *txns, dp_db_txn_t **self_p)
{
    assert (txns && self_p);
    dp_db_txn_t *self = *self_p;
    if (!self)
        return;
    assert (!self->head);
    for (dp_db_txn_t **link = &txns->head; *link; link = &(*link)->next)
        if (*link == self) {
            *link = self->next;
            txns->count--;
            break;
        }
    zframe_destroy (&self->routing);
    zmsg_destroy (&self->own_changes);
    free (self);
    *self_p = NULL;
}

dp_db_txn_t *
dp_db_txn_find (dp_db_txns_t *txns, zframe_t *routing, uint64_t txn)
{
    for (dp_db_txn_t *self = txns->head; self; self = self->next)
        if (self->txn == txn && zframe_eq (self->routing, routing))
            return self;
    return NULL;
}

void
dp_db_txn_push (dp_db_txn_t *self, dp_db_stmt_t *stmt, bool at_head)
{
    if (at_head || !self->head) {
        stmt->next = self->head;
        self->head = stmt;
        if (!self->tail)
            self->tail = stmt;
    }
    else {
        stmt->next = NULL;
        self->tail->next = stmt;
        self->tail = stmt;
    }
}

dp_db_stmt_t *
dp_db_txn_pop (dp_db_txn_t *self)
{
    dp_db_stmt_t *stmt = self->head;
    if (stmt) {
        self->head = stmt->next;
        if (!self->head)
            self->tail = NULL;
        stmt->next = NULL;
    }
    return stmt;
}

void
dp_db_txn_heard (dp_db_txns_t *txns, zframe_t *routing, int64_t now_ms)
{
    for (dp_db_txn_t *self = txns->head; self; self = self->next)
        if (zframe_eq (self->routing, routing))
            self->heard_ms = now_ms;
}

const char *
dp_db_txn_due (const dp_db_txn_t *self, uint64_t now, int64_t mono_ms)
{
    if (self->deadline_ms && now >= self->deadline_ms)
        return "the transaction's deadline passed";
    if (mono_ms - self->heard_ms >= DP_DB_TXN_SILENCE_MS)
        return "its requester has been silent for 3 s";
    return NULL;
}

int64_t
dp_db_txn_next_due (dp_db_txns_t *txns, uint64_t now, int64_t mono_ms, int64_t cap)
{
    int64_t next = cap;
    for (dp_db_txn_t *self = txns->head; self; self = self->next) {
        int64_t silent = self->heard_ms + DP_DB_TXN_SILENCE_MS - mono_ms;
        if (silent < next)
            next = silent;
        if (self->deadline_ms && (int64_t) self->deadline_ms - (int64_t) now < next)
            next = (int64_t) self->deadline_ms - (int64_t) now;
    }
    return next < 0? 0: next;
}

void
dp_db_txn_test (bool verbose)
{
    printf (" * dp_db_txn: ");
    dp_db_txns_t txns = { NULL, 0 };
    zframe_t *alice = zframe_new ("alice", 5), *bob = zframe_new ("bob", 3);
    dp_db_txn_t *a1 = dp_db_txn_new (&txns, alice, 1, 0, 3);
    dp_db_txn_t *b1 = dp_db_txn_new (&txns, bob, 1, 5000, 4);
    assert (txns.count == 2);
    assert (dp_db_txn_find (&txns, alice, 1) == a1 && dp_db_txn_find (&txns, bob, 1) == b1);
    assert (dp_db_txn_find (&txns, alice, 2) == NULL);
    //  FIFO order, with a next step at the head.
    dp_db_stmt_t s1, s2, s3;
    dp_db_txn_push (a1, &s1, false);
    dp_db_txn_push (a1, &s2, false);
    dp_db_txn_push (a1, &s3, true);
    assert (dp_db_txn_pop (a1) == &s3 && dp_db_txn_pop (a1) == &s1);
    assert (dp_db_txn_pop (a1) == &s2 && dp_db_txn_pop (a1) == NULL);
    //  Deadline and silence.
    int64_t mono = a1->heard_ms;
    assert (dp_db_txn_due (b1, 4999, mono) == NULL);
    assert (dp_db_txn_due (b1, 5000, mono) != NULL);
    assert (dp_db_txn_due (a1, 1ull << 62, mono + DP_DB_TXN_SILENCE_MS - 1) == NULL);
    assert (dp_db_txn_due (a1, 0, mono + DP_DB_TXN_SILENCE_MS) != NULL);
    dp_db_txn_heard (&txns, alice, mono + 2000);
    assert (dp_db_txn_due (a1, 0, mono + DP_DB_TXN_SILENCE_MS) == NULL);
    assert (dp_db_txn_next_due (&txns, 4000, mono, 10000) == 1000);
    dp_db_txn_destroy (&txns, &a1);
    assert (a1 == NULL && txns.count == 1 && dp_db_txn_find (&txns, alice, 1) == NULL);
    dp_db_txn_destroy (&txns, &b1);
    assert (txns.head == NULL && txns.count == 0);
    zframe_destroy (&alice);
    zframe_destroy (&bob);
    if (verbose)
        printf ("\n  lookups, FIFO, deadline and silence\n");
    printf ("OK\n");
}
