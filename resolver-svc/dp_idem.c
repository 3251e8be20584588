/*  =========================================================================
    dp_idem - exactly once: a mutation request's Idempotency-Key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_idem.h for the design. This file holds the claim's and the
    release's step functions, the request's hash, and what the executor
    asks per root field: answer it from the store, or store it.
@discuss
    "Running" is a claim row committed at the start, not a lock held: it
    is seen by every resolver and gateway, costs no connection while the
    fields run, and a request that dies (resolver killed, db-svc lost)
    holds the key only until its deadline plus S_CLAIM_MARGIN_MS, after
    which db-svc has rolled back whatever it left open and a retry may run
    the fields it did not commit. Two first uses racing for the claim
    conflict on the unique (key, user, field) index (a duplicate key): the
    loser's claim runs again and finds the winner's claim running (409).
    The key's rows are read first without a lock: a locking read of a key
    that has no rows yet (every first use) locks the gap around it in the
    unique index, and every other key's claim inserting into that gap
    waits for it; when the claim's resolver is killed, for the 3 s db-svc
    takes to roll its transaction back, which stalled every client's
    writes. A new key is inserted at once, a request answered from the
    store needs no lock, and only a key whose claim is to be taken over
    is read again FOR UPDATE (its own rows and the gap after them), and
    decided on that read. Old rows are deleted by id.
@end
*/
#include "dp_exec_private.h"
#include "dp_idem.h"
#include "dp_tables.h"
#include "dp_log.h"
#include <czmq.h>
#include <openssl/evp.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define S_CLAIM_MARGIN_MS   2000    //  past the deadline: a COMMIT under way has landed
#define S_RETENTION_S       86400   //  a key is the same request's for 24 hours
#define S_FIELD_CLAIM       -1      //  depot_idempotency.field of the claim row

#define S_TCOL(col) DP_TCOL_depot_idempotency_##col
#define S_TBIT(col) DP_TBIT (depot_idempotency, col)

//  -------------------------------------------------------------------------
//  The request's hash: SHA-256 over a tagged encoding of the document,
//  the operation's index and each variable value, so that no two requests
//  share an encoding.

static void
s_hash_u64 (EVP_MD_CTX *ctx, uint64_t value)
{
    unsigned char bytes [8];
    for (int i = 0; i < 8; i++)
        bytes [i] = (unsigned char) (value >> (8 * i));
    EVP_DigestUpdate (ctx, bytes, sizeof bytes);
}

static void
s_hash_val (EVP_MD_CTX *ctx, const dp_val_t *val)
{
    unsigned char tag = (unsigned char) val->type;
    EVP_DigestUpdate (ctx, &tag, 1);
    switch (val->type) {
        case DP_VAL_NIL:
            break;
        case DP_VAL_INT:
        case DP_VAL_BOOL:
            s_hash_u64 (ctx, (uint64_t) val->u.i);
            break;
        case DP_VAL_DOUBLE: {
            uint64_t bits;
            memcpy (&bits, &val->u.d, sizeof bits);
            s_hash_u64 (ctx, bits);
            break;
        }
        case DP_VAL_STR:
            s_hash_u64 (ctx, val->u.s.len);
            EVP_DigestUpdate (ctx, val->u.s.ptr, val->u.s.len);
            break;
        case DP_VAL_ARRAY:
            s_hash_u64 (ctx, val->u.a.count);
            for (uint32_t i = 0; i < val->u.a.count; i++)
                s_hash_val (ctx, &val->u.a.items [i]);
            break;
    }
}

void
dp_idem_hash (const char *query, size_t query_len, uint32_t operation,
              const dp_val_t *variables, uint32_t n_variables, char hex [65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    if (!ctx || EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) != 1)
        dp_fatal ("resolver: SHA-256 is not available");
    EVP_DigestUpdate (ctx, "depot-idempotency-1", 19);
    s_hash_u64 (ctx, query_len);
    EVP_DigestUpdate (ctx, query, query_len);
    s_hash_u64 (ctx, operation);
    s_hash_u64 (ctx, n_variables);
    for (uint32_t i = 0; i < n_variables; i++)
        s_hash_val (ctx, &variables [i]);
    unsigned char digest [32];
    unsigned int len = 0;
    EVP_DigestFinal_ex (ctx, digest, &len);
    EVP_MD_CTX_free (ctx);
    assert (len == sizeof digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf (hex + 2 * i, 3, "%02x", digest [i]);
}

//  -------------------------------------------------------------------------
//  State

dp_idem_t *
dp_idem_new (dp_exec_t *self, mutation_run_t *run)
{
    dp_idem_t *idem = dp_arena_calloc (self->arena, 1, sizeof *idem);
    idem->key = self->idempotency_key;
    memcpy (idem->hash, self->request_hash, sizeof idem->hash);
    size_t n = run->n_fields ? run->n_fields : 1;
    idem->stored = dp_arena_calloc (self->arena, n, sizeof (bool));
    idem->stored_json = dp_arena_calloc (self->arena, n, sizeof (char *));
    idem->stored_errors = dp_arena_calloc (self->arena, n, sizeof (char *));
    return idem;
}

static bool
s_is_mutation (const plan_field_t *pf)
{
    return pf->field && pf->bind->kind == BIND_MUTATION;
}

//  The conditions naming this (key, user)'s rows.
static dp_mutation_where_t *
s_key_where (dp_mutation_t *m, const dp_idem_t *idem)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_val_t *values = dp_arena_calloc (arena, 2, sizeof *values);
    values [0] = (dp_val_t) { .type = DP_VAL_STR,
                              .u.s = { idem->key, (uint32_t) strlen (idem->key) } };
    values [1] = (dp_val_t) { .type = DP_VAL_INT, .u.i = dp_mutation_identity (m)->user_id };
    dp_mutation_where_t *where = dp_arena_calloc (arena, 2, sizeof *where);
    where [0] = (dp_mutation_where_t) { S_TCOL (idem_key), &values [0], 1 };
    where [1] = (dp_mutation_where_t) { S_TCOL (user_id), &values [1], 1 };
    return where;
}

static dp_mutation_where_t *
s_id_where (dp_mutation_t *m, int64_t id)
{
    dp_val_t *value = dp_arena_calloc (dp_mutation_arena (m), 1, sizeof *value);
    *value = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
    dp_mutation_where_t *where = dp_arena_calloc (dp_mutation_arena (m), 1, sizeof *where);
    *where = (dp_mutation_where_t) { S_TCOL (id), value, 1 };
    return where;
}

//  Until when this request holds the claim: ms since the Unix epoch.
static int64_t
s_running_until (const dp_exec_t *exec)
{
    int64_t deadline = exec->deadline ? (int64_t) exec->deadline : zclock_time () + 30000;
    return deadline + S_CLAIM_MARGIN_MS;
}

static dp_val_t
s_str (const char *text)
{
    if (!text)
        return (dp_val_t) { .type = DP_VAL_NIL };
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) strlen (text) } };
}

static dp_val_t
s_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

//  -------------------------------------------------------------------------
//  The claim

typedef struct {
    dp_mutation_reply_t *rows;      //  the key's rows: read without a lock, then FOR UPDATE
    bool locked;                    //  rows is the locking read
    bool written;                   //  the claim was inserted or taken over
    dp_mutation_reply_t *insert;    //  a new claim
    int64_t claim_id;               //  the claim taken over (UPDATE), or 0
} claim_state_t;

//  Columns the claim reads, in this order.
#define S_READ_COLUMNS (S_TBIT (id) | S_TBIT (field) | S_TBIT (request_hash) \
                        | S_TBIT (running_until_ms) | S_TBIT (result) | S_TBIT (errors) \
                        | S_TBIT (created))
enum { S_READ_ID, S_READ_FIELD, S_READ_HASH, S_READ_UNTIL, S_READ_RESULT, S_READ_ERRORS,
       S_READ_CREATED };

static const char *
s_cell_str (const dp_mutation_reply_t *rows, uint32_t row, uint32_t col)
{
    const dp_val_t *cell = dp_mutation_cell (rows, row, col);
    return cell->type == DP_VAL_STR ? cell->u.s.ptr : NULL;
}

static int64_t
s_cell_int (const dp_mutation_reply_t *rows, uint32_t row, uint32_t col)
{
    const dp_val_t *cell = dp_mutation_cell (rows, row, col);
    return cell->type == DP_VAL_INT ? cell->u.i : 0;
}

//  A claim created before this (ROWS' DATETIME form) belongs to an older
//  request: the key is free again.
static void
s_retention_cutoff (char *text, size_t size)
{
    time_t cutoff = time (NULL) - S_RETENTION_S;
    struct tm utc;
    gmtime_r (&cutoff, &utc);
    strftime (text, size, "%Y-%m-%dT%H:%M:%S+00:00", &utc);
}

static void
s_refuse (dp_mutation_t *m, dp_idem_t *idem, uint32_t status, const char *code,
          const char *message)
{
    idem->refusal = status;
    idem->refusal_code = code;
    idem->refusal_message = message;
    dp_mutation_fail (m, code, "%s", message);
}

//  Take the stored answers of a request under the key with the same hash.
static void
s_take_stored (dp_exec_t *exec, dp_idem_t *idem, const dp_mutation_reply_t *rows)
{
    mutation_run_t *run = exec->mutation;
    for (uint32_t r = 0; r < rows->n_rows; r++) {
        int64_t field = s_cell_int (rows, r, S_READ_FIELD);
        if (field < 0 || (uint64_t) field >= run->n_fields || !s_is_mutation (&run->fields [field]))
            continue;
        idem->stored [field] = true;
        idem->stored_json [field] = s_cell_str (rows, r, S_READ_RESULT);
        idem->stored_errors [field] = s_cell_str (rows, r, S_READ_ERRORS);
    }
}

static bool
s_all_stored (const dp_exec_t *exec, const dp_idem_t *idem)
{
    const mutation_run_t *run = exec->mutation;
    for (size_t i = 0; i < run->n_fields; i++)
        if (s_is_mutation (&run->fields [i]) && !idem->stored [i])
            return false;
    return true;
}

//  The rows read, by id: their record locks only.
static dp_mutation_where_t *
s_rows_where (dp_mutation_t *m, const dp_mutation_reply_t *rows)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_val_t *values = dp_arena_calloc (arena, rows->n_rows, sizeof *values);
    for (uint32_t r = 0; r < rows->n_rows; r++)
        values [r] = s_int (s_cell_int (rows, r, S_READ_ID));
    dp_mutation_where_t *where = dp_arena_calloc (arena, 1, sizeof *where);
    *where = (dp_mutation_where_t) { S_TCOL (id), values, rows->n_rows };
    return where;
}

//  Decide on the key's rows as read: claim a new key, refuse, answer from
//  the store, read them again FOR UPDATE, or take the claim over.
static void
s_claim_decide (dp_mutation_t *m, claim_state_t *state)
{
    dp_exec_t *exec = m->exec;
    dp_idem_t *idem = exec->mutation->idem;
    const dp_mutation_reply_t *rows = state->rows;
    uint32_t claim = rows->n_rows;
    for (uint32_t r = 0; r < rows->n_rows; r++)
        if (s_cell_int (rows, r, S_READ_FIELD) == S_FIELD_CLAIM)
            claim = r;
    char cutoff [32];
    s_retention_cutoff (cutoff, sizeof cutoff);
    const char *created = claim < rows->n_rows ? s_cell_str (rows, claim, S_READ_CREATED) : NULL;
    if (!created || strcmp (created, cutoff) < 0) {
        //  A new key, or one whose 24 hours are over (not purged yet). Two
        //  first uses meet on the unique index (a duplicate key: 409, the
        //  claim runs again and finds the other's).
        if (rows->n_rows)
            dp_mutation_delete (m, DP_TABLE_depot_idempotency, s_rows_where (m, rows), 1);
        dp_val_t row [] = {
            s_str (idem->key), s_int (dp_mutation_identity (m)->user_id), s_int (S_FIELD_CLAIM),
            s_str (idem->hash), s_int (s_running_until (exec)), s_str (dp_mutation_now (m))
        };
        state->insert = dp_mutation_insert (m, DP_TABLE_depot_idempotency,
                                            S_TBIT (idem_key) | S_TBIT (user_id) | S_TBIT (field)
                                            | S_TBIT (request_hash) | S_TBIT (running_until_ms)
                                            | S_TBIT (created), row, 1);
        state->written = true;
        return;
    }
    const char *hash = s_cell_str (rows, claim, S_READ_HASH);
    if (!hash || strcmp (hash, idem->hash) != 0) {
        s_refuse (m, idem, 422, "IDEMPOTENCY_KEY_REUSED",
                  "This Idempotency-Key was sent with a different request (document, operation "
                  "or variables) in the last 24 hours; nothing was changed. Use a new key for a "
                  "new request.");
        return;
    }
    if (s_cell_int (rows, claim, S_READ_UNTIL) > zclock_time ()) {
        s_refuse (m, idem, 409, "IDEMPOTENCY_KEY_IN_USE",
                  "A request with this Idempotency-Key is still running; nothing was changed. "
                  "Send it again once that one has answered.");
        return;
    }
    s_take_stored (exec, idem, rows);
    if (s_all_stored (exec, idem)) {
        //  Every field answers from the store: nothing to claim or write.
        dp_mutation_return_null (m);
        return;
    }
    if (!state->locked) {
        //  The claim is to be taken over: decide on the rows as locked.
        state->rows = dp_mutation_select (m, DP_TABLE_depot_idempotency, S_READ_COLUMNS,
                                          s_key_where (m, idem), 2, true);
        state->locked = true;
        return;
    }
    state->claim_id = s_cell_int (rows, claim, S_READ_ID);
    dp_val_t until = s_int (s_running_until (exec));
    dp_mutation_update (m, DP_TABLE_depot_idempotency, S_TBIT (running_until_ms), &until,
                        s_id_where (m, state->claim_id), 1);
    state->written = true;
}

static void
s_claim_step (dp_mutation_t *m, void *state_)
{
    claim_state_t *state = state_;
    dp_idem_t *idem = m->exec->mutation->idem;
    if (dp_mutation_round (m) == 0) {
        state->rows = dp_mutation_select (m, DP_TABLE_depot_idempotency, S_READ_COLUMNS,
                                          s_key_where (m, idem), 2, false);
        return;
    }
    if (state->written) {
        idem->claimed = true;
        idem->claim_id = state->insert ? state->insert->last_insert_id : state->claim_id;
        dp_mutation_return_null (m);
        return;
    }
    s_claim_decide (m, state);
}

const dp_mutation_def_t dp_idem_claim = {
    .name = "Idempotency-Key claim", .state_size = sizeof (claim_state_t), .step = s_claim_step
};

//  -------------------------------------------------------------------------
//  The release: the request has answered every field

static void
s_release_step (dp_mutation_t *m, void *state)
{
    (void) state;
    if (dp_mutation_round (m) == 0) {
        dp_val_t finished = s_int (0);
        dp_mutation_update (m, DP_TABLE_depot_idempotency, S_TBIT (running_until_ms), &finished,
                            s_id_where (m, m->exec->mutation->idem->claim_id), 1);
        return;
    }
    dp_mutation_return_null (m);
}

const dp_mutation_def_t dp_idem_release = {
    .name = "Idempotency-Key release", .state_size = 0, .step = s_release_step
};

//  -------------------------------------------------------------------------
//  Per root field

bool
dp_idem_replay_field (dp_exec_t *self, size_t index)
{
    mutation_run_t *run = self->mutation;
    dp_idem_t *idem = run->idem;
    if (!idem || !idem->stored [index])
        return false;
    const char *json = idem->stored_json [index];
    run->json [index] = json ? dp_arena_strdup (self->arena, json) : NULL;
    run->json_len [index] = json ? strlen (json) : 0;
    run->non_null_failed [index] = json == NULL;
    const char *errors = idem->stored_errors [index];
    if (errors && *errors) {
        exec_error_t *error = dp_arena_calloc (self->arena, 1, sizeof *error);
        error->raw_json = errors;
        if (self->errors_tail)
            self->errors_tail->next = error;
        else
            self->errors = error;
        self->errors_tail = error;
        self->n_errors++;
    }
    return true;
}

void
dp_idem_store_field (dp_exec_t *self, size_t index)
{
    mutation_run_t *run = self->mutation;
    dp_idem_t *idem = run->idem;
    //  The errors of this attempt: those after the mark.
    exec_error_t *first = run->errors_mark ? run->errors_mark->next : self->errors;
    dp_json_writer_t errors;
    dp_json_writer_init (&errors, 256);
    for (exec_error_t *e = first; e; e = e->next) {
        if (e != first)
            dp_json_writer_char (&errors, ',');
        dp_exec_write_error (&errors, e);
    }
    const char *errors_json = errors.len
                            ? dp_arena_strndup (self->arena, errors.data, errors.len) : NULL;
    dp_json_writer_release (&errors);
    const char *result = run->non_null_failed [index] ? NULL : run->json [index];
    dp_val_t row [] = {
        s_str (idem->key), s_int (self->identity.user_id), s_int ((int64_t) index),
        s_str (idem->hash), s_str (result), s_str (errors_json), s_str (run->m->now)
    };
    pending_t *p = dp_exec_pending_new (self);
    p->is_txn = true;
    p->stmt_op = DP_STMT_INSERT;
    dp_msg_t msg = { .type = DP_MSG_STMT };
    msg.u.stmt.txn = run->txn;
    msg.u.stmt.table = DP_TABLE_depot_idempotency;
    msg.u.stmt.op = DP_STMT_INSERT;
    msg.u.stmt.columns = S_TBIT (idem_key) | S_TBIT (user_id) | S_TBIT (field)
                       | S_TBIT (request_hash) | S_TBIT (result) | S_TBIT (errors)
                       | S_TBIT (created);
    msg.u.stmt.values = row;
    msg.u.stmt.n_rows = 1;
    dp_exec_send (self, &msg, p);
}

//  -------------------------------------------------------------------------
//  Selftest: the hash (the claim and the store run against MariaDB in
//  tests/integration/test_idempotency.py).

void
dp_idem_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_idem: ");
    char a [65], b [65];
    const char *query = "mutation { createTag(creationInput: {name: \"x\"}) { id } }";
    dp_idem_hash (query, strlen (query), 0, NULL, 0, a);
    assert (strlen (a) == 64 && strspn (a, "0123456789abcdef") == 64);
    dp_idem_hash (query, strlen (query), 0, NULL, 0, b);
    assert (strcmp (a, b) == 0);
    //  Another operation of the same document is another request.
    dp_idem_hash (query, strlen (query), 1, NULL, 0, b);
    assert (strcmp (a, b) != 0);
    //  Variables: value and type both count; "1" is not 1, [1] is not 1.
    dp_val_t one [] = { s_int (0), s_int (1) };
    dp_val_t one_str [] = { s_int (0), s_str ("1") };
    dp_val_t list [] = { s_int (0), { .type = DP_VAL_ARRAY, .u.a = { &one [1], 1 } } };
    char c [65], d [65], e [65];
    dp_idem_hash (query, strlen (query), 0, one, 2, c);
    dp_idem_hash (query, strlen (query), 0, one_str, 2, d);
    dp_idem_hash (query, strlen (query), 0, list, 2, e);
    assert (strcmp (a, c) != 0 && strcmp (c, d) != 0 && strcmp (c, e) != 0 && strcmp (d, e) != 0);
    //  The document's bytes count, a space too.
    dp_idem_hash (query, strlen (query) - 1, 0, NULL, 0, b);
    assert (strcmp (a, b) != 0);
    printf ("OK\n");
}
