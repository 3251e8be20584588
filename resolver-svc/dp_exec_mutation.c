/*  =========================================================================
    dp_exec_mutation - a mutation operation: root fields one after another,
    each in its own transaction

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The spec's ExecuteFields serially (6.2.2), one database transaction per
    root field. Per field, per attempt:
        TXN BEGIN → the step function in rounds (its STMTs, LOADs and
        QUERYs pipelined to the pinned connection) → the payload's
        selection in waves, every LOAD and QUERY carrying the txn → the
        field's JSON written → TXN COMMIT (ROLLBACK for error records and
        errors) → the JSON kept only when COMMIT answered ROWS.
    Any ERROR inside a transaction means db-svc has ended it (proto/README.md):
    the field is null with its error, and the next field still runs. A 409
    (deadlock, lock wait timeout, duplicate key) runs the whole field again
    from BEGIN with a fresh state, at most S_ATTEMPTS times in all, after a
    jittered pause on a timer (dp_exec_wake_at), never blocking the actor.
@discuss
    The per-request cache is new for every field's payload: rows read in
    an earlier field's transaction may have changed since. Deadline,
    CANCEL and the actor stopping drop the request; the actor then sends
    ROLLBACK for its open transaction (dp_exec_open_txn), and db-svc rolls
    back by itself at BEGIN's deadline or when the resolver falls silent.
    A COMMIT whose answer is lost (its db-svc died) is reported as such:
    whether it committed is unknown, never assumed.

    Covered by dp_exec_mutation's selftest (tests/dp_exec_mutation_test.c:
    the state machine fed with hand-made ROWS and ERROR replies) and
    tests/integration/test_mutation_engine.py (real MariaDB).
@end
*/
#include "dp_exec_private.h"
#include "dp_loader.h"
#include "dp_gtid.h"
#include "dp_log.h"
#include <czmq.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <assert.h>

#define S_ATTEMPTS      3       //  runs of one field at most when it conflicts
#define S_PAUSE_MIN_MS  5       //  the jittered pause before running it again
#define S_PAUSE_MAX_MS  50

//  Transaction ids: unique in the process, so among each resolver's.
static _Atomic uint64_t s_last_txn;

static void s_check (dp_exec_t *self);
static void s_attempt (dp_exec_t *self);
static void s_next_field (dp_exec_t *self);

static mutation_run_t *
s_run (dp_exec_t *self)
{
    return self->mutation;
}

static plan_field_t *
s_field (dp_exec_t *self)
{
    return &s_run (self)->fields [s_run (self)->current];
}

//  What the current transaction is for, in logs.
static const char *
s_what (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    if (run->bookkeeping == BOOKKEEPING_CLAIM)
        return dp_idem_claim.name;
    if (run->bookkeeping == BOOKKEEPING_RELEASE)
        return dp_idem_release.name;
    return s_field (self)->field->name;
}

static void
s_send_txn (dp_exec_t *self, uint32_t op)
{
    mutation_run_t *run = s_run (self);
    pending_t *p = dp_exec_pending_new (self);
    p->is_txn = true;
    p->txn_op = op;
    dp_msg_t msg = { .type = DP_MSG_TXN };
    msg.u.txn.txn = run->txn;
    msg.u.txn.op = op;
    dp_exec_send (self, &msg, p);
}

//  The attempt failed (the first failure wins). db-svc has ended the
//  transaction when it answered ERROR; nothing more is sent in it.
static void
s_fail (dp_exec_t *self, bool conflict, const char *code, const char *message)
{
    mutation_run_t *run = s_run (self);
    self->txn = 0;
    run->txn_open = false;
    if (run->failed)
        return;
    run->failed = true;
    run->conflict = conflict;
    run->fail_code = code;
    run->fail_message = dp_arena_strdup (self->arena, message);
}

void
dp_exec_mutation_send_failed (dp_exec_t *self)
{
    s_fail (self, false, "INTERNAL_SERVER_ERROR",
            "The database service is not reachable; nothing was changed. Retry later.");
}

//  Why an ERROR reply ended the attempt, as the client reads it.
static void
s_fail_by_reply (dp_exec_t *self, const pending_t *p, const dp_msg_t *reply)
{
    mutation_run_t *run = s_run (self);
    uint32_t status = reply->type == DP_MSG_ERROR ? reply->u.error.status : DP_STATUS_INTERNAL;
    const char *text = reply->type == DP_MSG_ERROR ? reply->u.error.message : "unexpected reply";
    dp_warn ("request %s: mutation %s: db-svc answered %u: %s", self->trace_id,
             s_what (self), status, text);
    if (run->phase == RUN_END && !run->committing)
        return;                 //  a ROLLBACK that failed: nothing was kept either way
    bool commit = run->phase == RUN_END && run->committing;
    if (status == DP_STATUS_CONFLICT)
        s_fail (self, true, "INTERNAL_SERVER_ERROR", "conflict");
    else
    if (commit && status == DP_STATUS_UNAVAILABLE)
        s_fail (self, false, "INTERNAL_SERVER_ERROR",
                "The database service was lost before it confirmed the commit: whether this "
                "change was saved is unknown (outcome unknown). Check before retrying.");
    else
    if (status == DP_STATUS_TIMEOUT)
        s_fail (self, false, "TIMEOUT",
                "The request took longer than its deadline; nothing was changed.");
    else
    if (status == DP_STATUS_UNAVAILABLE)
        s_fail (self, false, "INTERNAL_SERVER_ERROR", dp_arena_printf (self->arena,
                "The database is not available right now (%s); nothing was changed. Retry later.",
                text));
    else
        s_fail (self, false, "INTERNAL_SERVER_ERROR",
                "The database failed to perform the requested action; nothing was changed.");
    (void) p;
}

//  Errors recorded in an attempt that runs again are dropped.
static void
s_errors_mark (dp_exec_t *self)
{
    s_run (self)->errors_mark = self->errors_tail;
    s_run (self)->n_errors_mark = self->n_errors;
}

static void
s_errors_restore (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    self->errors_tail = run->errors_mark;
    if (run->errors_mark)
        run->errors_mark->next = NULL;
    else
        self->errors = NULL;
    self->n_errors = run->n_errors_mark;
}

//  Keep the current field's "key":value, written now from the cache.
static void
s_keep_field (dp_exec_t *self, plan_field_t *pf)
{
    mutation_run_t *run = s_run (self);
    dp_json_writer_t *out = &self->out;
    size_t start = out->len;
    int r = dp_exec_write_field (self, pf, &self->root_obj);
    run->json [run->current] = dp_arena_strndup (self->arena, out->data + start, out->len - start);
    run->json_len [run->current] = out->len - start;
    run->non_null_failed [run->current] = r != 0;
    dp_json_writer_truncate (out, start);
}

static void
s_finish (dp_exec_t *self)
{
    s_run (self)->phase = RUN_DONE;
    dp_exec_write_result (self);
}

//  Run the key's claim or release: a transaction as a field's, without a
//  payload.
static void
s_bookkeeping (dp_exec_t *self, bookkeeping_t what)
{
    mutation_run_t *run = s_run (self);
    run->bookkeeping = what;
    run->attempt = 1;
    s_attempt (self);
}

//  The claim or the release is over (committed, refused or failed).
static void
s_bookkeeping_done (dp_exec_t *self, const char *fail_code, const char *fail_message)
{
    mutation_run_t *run = s_run (self);
    bookkeeping_t what = run->bookkeeping;
    run->bookkeeping = BOOKKEEPING_NONE;
    self->txn = 0;
    run->txn = 0;
    run->txn_open = false;
    dp_idem_t *idem = run->idem;
    if (what == BOOKKEEPING_RELEASE) {
        //  The fields' outcomes stand; the key stays claimed until the
        //  request's deadline passes.
        if (fail_message)
            dp_warn ("request %s: the Idempotency-Key's claim was not released: %s",
                     self->trace_id, fail_message);
        s_finish (self);
        return;
    }
    if (idem->refusal || fail_message) {
        dp_exec_write_errors_begin (self);
        dp_exec_write_request_error (self, idem->refusal ? idem->refusal_message
                                     : dp_arena_printf (self->arena, "The Idempotency-Key could "
                                       "not be checked: %s", fail_message),
                                     NULL, idem->refusal ? idem->refusal_code : fail_code);
        dp_exec_write_errors_end (self, idem->refusal ? idem->refusal : 503);
        run->phase = RUN_DONE;
        return;
    }
    s_next_field (self);
}

static void
s_next_field (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    self->txn = 0;
    run->txn = 0;
    run->txn_open = false;
    while (++run->current < run->n_fields) {
        plan_field_t *pf = s_field (self);
        if (pf->field && pf->bind->kind == BIND_MUTATION) {
            //  Committed by an earlier request under the key: its answer.
            if (dp_idem_replay_field (self, run->current))
                continue;
            run->attempt = 1;
            s_attempt (self);
            return;
        }
        //  __typename, or a field not served yet (an error naming it):
        //  nothing to run in a transaction.
        s_keep_field (self, pf);
    }
    if (run->idem && run->idem->claimed) {
        run->idem->claimed = false;
        s_bookkeeping (self, BOOKKEEPING_RELEASE);
        return;
    }
    s_finish (self);
}

//  The field is over without a value of its own: null, with its error.
static void
s_field_null (dp_exec_t *self, const char *code, const char *message)
{
    mutation_run_t *run = s_run (self);
    if (run->bookkeeping) {
        s_bookkeeping_done (self, code, message ? message : "failed");
        return;
    }
    plan_field_t *pf = s_field (self);
    run->json [run->current] = NULL;
    if (message)
        dp_exec_root_error (self, pf, code, message);
    if (pf->field->type->kind == DP_REF_NON_NULL)
        run->non_null_failed [run->current] = true;
    s_next_field (self);
}

//  A new attempt of the current field: fresh state, a new transaction.
static void
s_attempt (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    plan_field_t *pf = run->bookkeeping ? NULL : s_field (self);
    const dp_mutation_def_t *def = run->bookkeeping == BOOKKEEPING_CLAIM ? &dp_idem_claim
                                 : run->bookkeeping == BOOKKEEPING_RELEASE ? &dp_idem_release
                                 : pf->bind->mutation;
    s_errors_mark (self);
    run->failed = false;
    run->conflict = false;
    run->fail_code = NULL;
    run->fail_message = NULL;
    dp_mutation_t *m = dp_arena_calloc (self->arena, 1, sizeof *m);
    m->exec = self;
    m->pf = pf;
    m->def = def;
    m->state = dp_arena_calloc (self->arena, 1, def->state_size ? def->state_size : 1);
    //  Not time (): glibc reads the kernel's coarse clock for it, up to a
    //  tick behind, so a mutation could be stamped a second before a
    //  NOW () MariaDB had answered just before it (test_mutation_products).
    struct timespec clock;
    clock_gettime (CLOCK_REALTIME, &clock);
    time_t now = clock.tv_sec;
    struct tm utc;
    gmtime_r (&now, &utc);
    strftime (m->now, sizeof m->now, "%Y-%m-%d %H:%M:%S", &utc);
    run->m = m;
    run->txn = atomic_fetch_add (&s_last_txn, 1) + 1;
    run->txn_open = false;
    run->phase = RUN_BEGIN;
    s_send_txn (self, DP_TXN_BEGIN);
    s_check (self);
}

//  End the transaction: COMMIT, or ROLLBACK.
static void
s_end (dp_exec_t *self, bool commit)
{
    mutation_run_t *run = s_run (self);
    self->txn = 0;
    run->phase = RUN_END;
    run->committing = commit;
    s_send_txn (self, commit ? DP_TXN_COMMIT : DP_TXN_ROLLBACK);
    s_check (self);
}

//  One round of the step function.
static void
s_step (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    dp_mutation_t *m = run->m;
    const dp_mutation_def_t *def = m->def;
    m->issued = 0;
    run->phase = RUN_STEP;
    def->step (m, m->state);
    if (m->outcome == MUT_PENDING) {
        if (m->issued == 0) {
            dp_error ("mutation %s: its step neither issued a statement nor finished", def->name);
            s_fail (self, false, "INTERNAL_SERVER_ERROR", "The mutation could not be completed.");
            //  db-svc still holds the transaction open: roll it back.
            run->txn_open = true;
            self->txn = 0;
        }
        s_check (self);
        return;
    }
    assert (m->issued == 0);    //  a step that finished issues nothing more
    if (m->outcome == MUT_ERROR || !m->pf) {
        //  An error rolls back; the key's bookkeeping has no payload.
        s_end (self, m->outcome != MUT_ERROR);
        return;
    }
    //  The payload's selection, read in the transaction.
    run->phase = RUN_PAYLOAD;
    run->variant.object = self->root->type;
    run->variant.fields = m->pf;
    run->variant.n_fields = 1;
    run->variant.mask = 1;
    run->node.type = self->root->type;
    run->node.variants = &run->variant;
    run->node.n_variants = 1;
    self->txn = run->txn;
    dp_exec_run_waves (self, &run->node, &self->root_obj);
}

//  Nothing outstanding: what comes next for the current attempt.
static void
s_check (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    if (self->outstanding || self->done)
        return;
    if (run->failed) {
        if (run->txn_open) {
            //  Failed on our side with the transaction still open.
            run->txn_open = false;
            run->phase = RUN_END;
            run->committing = false;
            s_send_txn (self, DP_TXN_ROLLBACK);
            if (self->outstanding)
                return;
        }
        s_errors_restore (self);
        if (run->conflict && run->attempt < S_ATTEMPTS) {
            run->attempt++;
            run->phase = RUN_PAUSE;
            run->txn = 0;
            run->wake_at = zclock_time () + S_PAUSE_MIN_MS
                         + (int64_t) (random () % (S_PAUSE_MAX_MS - S_PAUSE_MIN_MS + 1));
            dp_info ("request %s: mutation %s conflicted; attempt %u in %lld ms", self->trace_id,
                     s_what (self), run->attempt,
                     (long long) (run->wake_at - zclock_time ()));
            return;
        }
        if (run->conflict)
            s_field_null (self, "DATABASE_BUSY", dp_arena_printf (self->arena,
                          "The database was busy with conflicting changes %d times; nothing was "
                          "changed. The request may be retried.", S_ATTEMPTS));
        else
            s_field_null (self, run->fail_code, run->fail_message);
        return;
    }
    switch (run->phase) {
        case RUN_BEGIN:
            run->txn_open = true;
            run->m->round = 0;
            s_step (self);
            break;
        case RUN_STEP:
            run->m->round++;
            s_step (self);
            break;
        case RUN_END:
            run->txn_open = false;
            if (run->bookkeeping)
                s_bookkeeping_done (self, NULL, NULL);
            else
            if (run->m->outcome == MUT_ERROR) {
                s_errors_restore (self);
                s_field_null (self, run->m->code, run->m->message);
            }
            else
                s_next_field (self);    //  its JSON, written before COMMIT, stands
            break;
        default:
            break;
    }
}

//  A COMMIT's ROWS may carry the primary's GTID position after it (one
//  str cell): the request's answer carries every COMMIT's, merged.
static void
s_note_commit_gtid (dp_exec_t *self, const dp_msg_t *reply)
{
    if (reply->u.rows.n_rows != 1 || reply->u.rows.n_cols != 1
    ||  reply->u.rows.cells [0].type != DP_VAL_STR)
        return;
    char merged [DP_GTID_MAX + 1];
    if (dp_gtid_merge (self->gtid, reply->u.rows.cells [0].u.s.ptr, merged, sizeof merged) == 0)
        self->gtid = dp_arena_strdup (self->arena, merged);
    else
        dp_warn ("request %s: COMMIT answered a GTID position that is not one: %s",
                 self->trace_id, reply->u.rows.cells [0].u.s.ptr);
}

void
dp_exec_mutation_on_reply (dp_exec_t *self, pending_t *p, const dp_msg_t *reply)
{
    mutation_run_t *run = s_run (self);
    if (reply->type == DP_MSG_ROWS) {
        if (p->reply) {
            dp_mutation_reply_t *r = p->reply;
            r->answered = true;
            r->n_rows = reply->u.rows.n_rows;
            r->n_cols = reply->u.rows.n_cols;
            r->cells = reply->u.rows.cells;
            bool write = p->stmt_op && p->stmt_op != DP_STMT_SELECT;
            if (write && r->n_rows >= 1 && r->n_cols >= 2) {
                r->affected = r->cells [0].type == DP_VAL_INT ? r->cells [0].u.i : 0;
                r->last_insert_id = r->cells [1].type == DP_VAL_INT ? r->cells [1].u.i : 0;
            }
        }
        else
        if (p->is_txn && p->txn_op == DP_TXN_COMMIT)
            s_note_commit_gtid (self, reply);
        else
        if (!p->is_txn && !run->failed)
            dp_exec_file_rows (self, p, reply);
    }
    else
        s_fail_by_reply (self, p, reply);
    if (run->phase == RUN_PAYLOAD && !run->failed) {
        dp_exec_advance (self);
        return;
    }
    s_check (self);
}

void
dp_exec_mutation_waves_done (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    if (run->failed) {
        s_check (self);
        return;
    }
    //  The field's "key":value, written while its rows are in the cache.
    s_keep_field (self, run->m->pf);
    dp_mutation_t *m = run->m;
    bool commit = m->outcome != MUT_RECORD || m->commit;
    //  Its answer is stored in its own transaction, pipelined before COMMIT.
    if (commit && run->idem)
        dp_idem_store_field (self, run->current);
    s_end (self, commit);
}

void
dp_exec_mutation_start (dp_exec_t *self)
{
    const variant_t *root = &self->root->variants [0];
    mutation_run_t *run = dp_arena_calloc (self->arena, 1, sizeof *run);
    self->mutation = run;
    run->fields = root->fields;
    run->n_fields = root->n_fields;
    size_t n = run->n_fields ? run->n_fields : 1;
    run->json = dp_arena_calloc (self->arena, n, sizeof (char *));
    run->json_len = dp_arena_calloc (self->arena, n, sizeof (size_t));
    run->non_null_failed = dp_arena_calloc (self->arena, n, sizeof (bool));
    run->current = (size_t) -1;
    self->wave = 0;
    if (self->idempotency_key) {
        run->idem = dp_idem_new (self, run);
        s_bookkeeping (self, BOOKKEEPING_CLAIM);
        return;
    }
    s_next_field (self);
}

int
dp_exec_mutation_write_data (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    dp_json_writer_t *out = &self->out;
    dp_json_writer_char (out, '{');
    for (size_t i = 0; i < run->n_fields; i++) {
        if (run->non_null_failed [i])
            return -1;
        if (i)
            dp_json_writer_char (out, ',');
        if (run->json [i])
            dp_json_writer_raw (out, run->json [i], run->json_len [i]);
        else {
            dp_json_writer_cstr (out, run->fields [i].key);
            dp_json_writer_raw (out, ":null", 5);
        }
    }
    dp_json_writer_char (out, '}');
    return 1;
}

//  -------------------------------------------------------------------------
//  The field's value: rows by key, a record, or null

const dp_type_t *
dp_exec_loader_type (const plan_field_t *pf, dp_loader_id_t loader, uint64_t *mask)
{
    const plan_node_t *node = pf->child;
    for (size_t v = 0; node && v < node->n_variants; v++) {
        const type_binding_t *tb = node->variants [v].object->binding;
        if (tb && !tb->synthetic && tb->loader == loader) {
            *mask = node->variants [v].mask | tb->type_mask | 1;
            return node->variants [v].object;
        }
    }
    return NULL;
}

size_t
dp_exec_rows_by_key (dp_exec_t *exec, const plan_field_t *pf, dp_loader_id_t loader,
                     const int64_t *keys, size_t n_keys, obj_t **objs)
{
    uint64_t mask;
    const dp_type_t *type = dp_exec_loader_type (pf, loader, &mask);
    *objs = dp_arena_calloc (exec->arena, n_keys + 1, sizeof (obj_t));
    size_t n = 0;
    for (size_t k = 0; type && k < n_keys; k++) {
        row_t *row = dp_exec_cache_row (exec->cache, loader, keys [k]);
        if (!row)
            continue;
        (*objs) [n].type = type;
        (*objs) [n].row = row;
        n++;
    }
    return n;
}

void
dp_exec_mutation_collect (dp_exec_t *self, plan_field_t *pf)
{
    dp_mutation_t *m = s_run (self)->m;
    uint64_t mask;
    if (m->outcome != MUT_OBJECTS || !dp_exec_loader_type (pf, m->loader, &mask))
        return;
    for (size_t k = 0; k < m->n_keys; k++)
        dp_exec_need (self, m->loader, m->keys [k], mask);
}

void
dp_exec_mutation_children (dp_exec_t *self, const plan_field_t *pf, obj_t **children,
                           size_t *n_children)
{
    dp_mutation_t *m = s_run (self)->m;
    *n_children = 0;
    if (m->outcome == MUT_OBJECTS)
        *n_children = dp_exec_rows_by_key (self, pf, m->loader, m->keys, m->n_keys, children);
    else
    if (m->outcome == MUT_RECORD)
        *n_children = dp_record_objs (self, pf, &m->record, 1, children);
}

int
dp_exec_mutation_write_value (dp_exec_t *self, const plan_field_t *pf)
{
    obj_t *objs;
    size_t n;
    dp_exec_mutation_children (self, pf, &objs, &n);
    const dp_type_ref_t *type = pf->field->type;
    if (type->kind == DP_REF_NON_NULL)
        type = type->of;
    return dp_exec_write_children (self, pf, objs, n, type->kind == DP_REF_LIST);
}

//  -------------------------------------------------------------------------
//  For the actor

uint64_t
dp_exec_open_txn (dp_exec_t *self)
{
    mutation_run_t *run = self->mutation;
    if (run && run->abandoned_txn)
        return run->abandoned_txn;
    if (!run || !run->txn || run->phase == RUN_PAUSE || run->phase == RUN_DONE)
        return 0;
    return run->txn_open || self->outstanding ? run->txn : 0;
}

void
dp_exec_mutation_deadline (dp_exec_t *self)
{
    mutation_run_t *run = s_run (self);
    if (run->phase == RUN_DONE)
        return;
    //  The open transaction is left to the actor to roll back; a COMMIT
    //  under way may have committed.
    bool committing = run->phase == RUN_END && run->committing && self->outstanding
                   && !run->bookkeeping;
    run->abandoned_txn = dp_exec_open_txn (self);
    if (run->current == (size_t) -1)
        run->current = 0;       //  still claiming the key: no field ran
    if (run->phase != RUN_PAUSE)
        s_errors_restore (self);
    const char *message = committing
        ? "The request's deadline passed while its commit was under way: whether this change "
          "was saved is unknown (outcome unknown). Check before retrying."
        : "The request took longer than its deadline; nothing was changed.";
    for (; run->current < run->n_fields; run->current++) {
        plan_field_t *pf = s_field (self);
        if (!pf->field || pf->bind->kind != BIND_MUTATION) {
            s_keep_field (self, pf);
            continue;
        }
        run->json [run->current] = NULL;
        dp_exec_root_error (self, pf, "TIMEOUT", message);
        run->non_null_failed [run->current] = pf->field->type->kind == DP_REF_NON_NULL;
        message = "The request took longer than its deadline; nothing was changed.";
    }
    run->phase = RUN_DONE;
    dp_exec_write_result (self);
}

int64_t
dp_exec_wake_at (dp_exec_t *self)
{
    mutation_run_t *run = self->mutation;
    return run && run->phase == RUN_PAUSE && !self->done ? run->wake_at : 0;
}

void
dp_exec_wake (dp_exec_t *self)
{
    if (dp_exec_wake_at (self))
        s_attempt (self);
}
