/*  =========================================================================
    dp_exec_private - one request's state, shared by dp_exec*.c only

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A request is one dp_exec_t, worked on by three files: dp_exec.c (its
    start, sending, and the wave loop: collect and descend), dp_exec_rows.c
    (which rows a field of an object shows, from the cache, authorised)
    and dp_exec_write.c (the JSON answer). Nothing else includes this;
    hooks see dp_exec_hooks.h, the actor dp_exec.h.
@end
*/
#ifndef DP_EXEC_PRIVATE_H_INCLUDED
#define DP_EXEC_PRIVATE_H_INCLUDED

#include "dp_exec.h"
#include "dp_exec_hooks.h"
#include "dp_exec_cache.h"
#include "dp_mutation.h"
#include "dp_idem.h"

#define MAX_PATH 300

//  A LOAD, QUERY, TXN or STMT sent and its answer awaited.
typedef struct {
    uint64_t id;                //  correlation id
    bool is_query;
    bool is_txn;                //  TXN (txn_op) or STMT of a mutation: its answer goes to
    uint32_t txn_op;            //  the mutation executor (0: a STMT)
    uint32_t stmt_op;           //  a STMT's dp_stmt_op_t
    dp_mutation_reply_t *reply; //  a step's statement (LOAD, QUERY or STMT): filled on answer
    dp_loader_id_t loader;      //  LOAD
    uint64_t mask;
    int64_t *keys;              //  LOAD keys (malloc'd, owned)
    size_t n_keys;
    plan_field_t *pf;           //  QUERY
    void *slot;
    query_done_fn_t done;
    dp_exec_chain_t *chain;     //  LOAD keyed by a lookup (dp_exec_chain.c): answer kept there
    bool answered;
} pending_t;

//  A batch: objects waiting to have one plan node's fields resolved.
typedef struct {
    plan_node_t *node;
    obj_t *objs;
    size_t n_objs;
    plan_field_t *through;      //  set: the links of `through` are loaded and its targets are
                                //  being loaded; the next descend yields the targets as a batch
    bool held;                  //  the hook that made it asked for rows (a cube's facts once its
                                //  agreements are in): it waits for them, whatever it collects
} batch_t;

typedef struct {
    batch_t *items;
    size_t n, cap;
} batches_t;

//  A root field answered from a loader: the keys it resolved in wave 0.
typedef struct {
    bool failed;
    const char *code;           //  extensions.code of the error
    char *description;
    dp_loader_id_t loader;
    int64_t *keys;
    size_t n_keys;
} root_load_t;

//  One step of the path of the value being written.
typedef struct {
    const char *key;            //  NULL for a list index
    size_t index;
} path_item_t;

//  Errors collected during execution.
typedef struct _exec_error_t {
    char *message;
    dp_loc_t loc;
    bool has_loc;
    char *path_json;            //  "["boxes","elements",3,"size"]" or NULL
    const char *code;           //  extensions.code or NULL
    char *description;          //  extensions.description or NULL
    const char *raw_json;       //  set: error objects written as they are (a stored field's)
    struct _exec_error_t *next;
} exec_error_t;

//  -------------------------------------------------------------------------
//  A mutation operation's run (dp_exec_mutation.c): its root fields one
//  after another, each in its own transaction.

typedef enum {
    MUT_PENDING,                //  the step has not finished the field yet
    MUT_OBJECTS,                //  rows of `loader` under `keys`
    MUT_RECORD,                 //  a record
    MUT_NULL,                   //  null, no error
    MUT_ERROR                   //  a GraphQL error at the field
} mut_outcome_t;

struct _dp_mutation_t {
    dp_exec_t *exec;
    const dp_mutation_def_t *def;   //  the step's
    plan_field_t *pf;           //  the root field; NULL for the key's claim or release
    void *state;                //  the step's own, new per attempt
    uint32_t round;
    size_t issued;              //  statements issued in this round
    char now [24];              //  "YYYY-MM-DD HH:MM:SS" UTC, the attempt's start
    mut_outcome_t outcome;
    bool commit;                //  RECORD: commit (a result) or roll back (an error type)
    dp_loader_id_t loader;      //  OBJECTS
    int64_t *keys;
    size_t n_keys;
    dp_record_t *record;        //  RECORD
    const char *code;           //  ERROR: extensions.code and message
    char *message;
};

typedef enum {
    RUN_BEGIN,                  //  TXN BEGIN sent
    RUN_STEP,                   //  a round of the step's statements out
    RUN_PAYLOAD,                //  the payload's waves, inside the transaction
    RUN_END,                    //  COMMIT or ROLLBACK sent
    RUN_PAUSE,                  //  waiting to run the field again after a conflict
    RUN_DONE                    //  every field ran
} run_phase_t;

//  A request's Idempotency-Key (dp_idem.c).
struct _dp_idem_t {
    const char *key;
    char hash [65];             //  SHA-256 of the request, hex
    bool claimed;               //  this request holds the key's claim: release it at the end
    int64_t claim_id;           //  the claim row's id
    bool *stored;               //  per root field: answered from the store
    const char **stored_json;   //  its "alias":value as answered; NULL: a non-null field failed
    const char **stored_errors; //  its error objects, comma-joined; NULL: none
    uint32_t refusal;           //  409 or 422: the claim refused the request
    const char *refusal_code;
    const char *refusal_message;
};

typedef enum {
    BOOKKEEPING_NONE,           //  the transaction is a root field's
    BOOKKEEPING_CLAIM,          //  dp_idem_claim's, before the first field
    BOOKKEEPING_RELEASE         //  dp_idem_release's, after the last
} bookkeeping_t;

typedef struct {
    plan_field_t *fields;       //  the root fields, in order (after @skip/@include)
    size_t n_fields;
    size_t current;
    run_phase_t phase;
    uint32_t attempt;           //  1.. of the current field
    uint64_t txn;               //  the current transaction; 0: none
    bool txn_open;              //  db-svc holds it open (BEGIN answered, nothing failed)
    bool committing;            //  RUN_END: COMMIT (not ROLLBACK) is out
    int64_t wake_at;            //  RUN_PAUSE: wall ms to run again
    dp_mutation_t *m;
    //  The current attempt's failure (the first one wins)
    bool failed;
    bool conflict;              //  409: the field may run again
    const char *fail_code;
    char *fail_message;
    //  The answer so far: each field's "key":value, NULL when not kept
    char **json;
    size_t *json_len;
    bool *non_null_failed;      //  a non-null field that failed: data is null
    exec_error_t *errors_mark;  //  errors recorded before the attempt (dropped on retry)
    size_t n_errors_mark;
    uint64_t abandoned_txn;     //  open when the deadline passed: the actor rolls it back
    plan_node_t node;           //  the current field alone, for the payload's waves
    variant_t variant;
    dp_idem_t *idem;            //  the request's Idempotency-Key; NULL: none
    bookkeeping_t bookkeeping;  //  the current transaction is the key's, not a field's
} mutation_run_t;

struct _dp_exec_t {
    const dp_exec_env_t *env;
    dp_arena_t *arena;          //  everything of the request
    uint64_t id;
    uint64_t deadline;
    const char *trace_id;
    dp_identity_t identity;
    dp_authz_t authz;           //  checks over identity, memoised
    uint32_t flags;
    //  Plan
    const dp_ast_document_t *doc;
    plan_node_t *root;
    obj_t root_obj;
    //  Waves
    dp_exec_cache_t *cache;     //  the rows loaded, the keys to load
    batches_t batches;          //  the current wave's batches
    bool collected;             //  current batches' requests are out
    uint32_t wave;
    uint32_t stamp;             //  batch stamp for row dedup
    size_t asked;               //  keys asked for that were not loaded yet (ever growing)
    pending_t *pending;         //  requests sent (malloc'd array)
    size_t n_pending, cap_pending;
    size_t outstanding;
    uint32_t statements;
    uint32_t round_trips;       //  sends to db-svc made with nothing outstanding: the
                                //  request's sequential waits (extensions.debug.roundTrips)
    //  Result
    bool wants_writer;          //  waves done; the answer is large: written elsewhere
    bool chained_reads;         //  dp_exec_set_chained_reads
    bool written_elsewhere;
    bool done;
    bool fatal;
    uint32_t http_status;
    char *fatal_message;
    dp_json_writer_t out;
    exec_error_t *errors, *errors_tail;
    size_t n_errors;
    path_item_t path [MAX_PATH];
    size_t path_len;
    //  A mutation operation (NULL for a query)
    mutation_run_t *mutation;
    uint64_t txn;               //  set: every LOAD and QUERY is sent in this transaction
    //  Read-your-writes (README): the position the client's reads must see,
    //  sent on every LOAD and QUERY outside a transaction; and the primary's
    //  position after this request's COMMITs, for the gateway's answer.
    const char *min_gtid;       //  EXECUTE's (in arena); NULL: none
    char *gtid;                 //  in arena; NULL: nothing committed or no binary log
    const char *idempotency_key;    //  the EXECUTE's; NULL: none
    char request_hash [65];     //  dp_idem_hash of the EXECUTE, when it has a key
};

//  -------------------------------------------------------------------------
//  dp_exec.c, for dp_exec_mutation.c and dp_mutation.c

pending_t *dp_exec_pending_new (dp_exec_t *self);
//  Send msg for p (envelope, correlation id); a send that fails fails the
//  request (a query) or the mutation's attempt with 503.
void dp_exec_send (dp_exec_t *self, dp_msg_t *msg, pending_t *p);
//  File a LOAD's or QUERY's ROWS: into the cache, or to its done hook.
void dp_exec_file_rows (dp_exec_t *self, pending_t *p, const dp_msg_t *reply);
//  Run the waves of node over obj (a new, empty cache): when they are
//  done, dp_exec_mutation_waves_done is called.
void dp_exec_run_waves (dp_exec_t *self, plan_node_t *node, obj_t *obj);
//  Move on: the next wave, or what comes after the last.
void dp_exec_advance (dp_exec_t *self);

//  -------------------------------------------------------------------------
//  dp_exec_mutation.c: the executor of a mutation operation

//  Start running the root fields of self->root (a Mutation plan).
void dp_exec_mutation_start (dp_exec_t *self);
//  The deadline passed: the current field and those after it are null
//  with a TIMEOUT error (fields committed before keep their values); the
//  answer is written.
void dp_exec_mutation_deadline (dp_exec_t *self);
//  Every reply of a mutation operation (p answered, outstanding counted).
void dp_exec_mutation_on_reply (dp_exec_t *self, pending_t *p, const dp_msg_t *reply);
//  The current field's payload waves are done.
void dp_exec_mutation_waves_done (dp_exec_t *self);
//  A send failed: the attempt fails with 503.
void dp_exec_mutation_send_failed (dp_exec_t *self);
//  Wave 0 of a BIND_MUTATION field: ask for its objects' rows.
void dp_exec_mutation_collect (dp_exec_t *self, plan_field_t *pf);
//  The objects of a BIND_MUTATION field (rows from the cache, or a record).
void dp_exec_mutation_children (dp_exec_t *self, const plan_field_t *pf, obj_t **children,
                                size_t *n_children);
//  Write a BIND_MUTATION field's value: 1/0/-1 as write_fn_t.
int dp_exec_mutation_write_value (dp_exec_t *self, const plan_field_t *pf);
//  {"key":value,...} of the fields run; -1 when a non-null one failed.
int dp_exec_mutation_write_data (dp_exec_t *self);

//  -------------------------------------------------------------------------
//  dp_idem.c, for the executor

//  A new key's state for run (its fields known), in the request's arena.
dp_idem_t *dp_idem_new (dp_exec_t *self, mutation_run_t *run);
//  When the root field at index was stored by an earlier request under the
//  key: its answer and errors become this request's; returns true.
bool dp_idem_replay_field (dp_exec_t *self, size_t index);
//  The root field at index is about to COMMIT: its answer (kept in
//  run->json) and the errors of its attempt go into its transaction.
void dp_idem_store_field (dp_exec_t *self, size_t index);

//  dp_exec_write.c: one error as JSON (raw_json as it is).
void dp_exec_write_error (dp_json_writer_t *out, const exec_error_t *error);

//  dp_exec_write.c: "key":value of one field of obj, nullability applied;
//  0, or -1 when a non-null field failed.
int dp_exec_write_field (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj);
//  Record an error at the root field pf (path [key]).
void dp_exec_root_error (dp_exec_t *self, const plan_field_t *pf, const char *code,
                         const char *message);

//  Ask, in the current wave, for the rows field pf of an object needs, keyed
//  by the cells of row (an FK's, reverse relation's, link's or lookup's
//  key, a computed field's dependencies); a key cell that is not an INT asks
//  for nothing.
void dp_exec_collect_keys (dp_exec_t *self, const plan_field_t *pf, const row_t *row);

//  -------------------------------------------------------------------------
//  dp_exec_prefetch.c: a single object's grandchildren a wave early

//  pf is an FK of a single object whose row is parent: ask, in the wave that
//  asks for the child, for the child's relations keyed by cells known
//  without its row (its id, the FK's value, and its binding's `same`
//  columns), and so on down its FKs.
void dp_exec_prefetch (dp_exec_t *self, const plan_field_t *pf, const row_t *parent);

//  -------------------------------------------------------------------------
//  dp_exec_rows.c: the rows a field of an object shows

//  The cached row or rows under a key cell (none when the cell is not an
//  INT); borrowed.
row_t *dp_exec_lookup_row (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell);
void dp_exec_chain_answered (dp_exec_chain_t *chain, const dp_msg_t *rows);
//  True when every concrete type of node selects a field of bind's kind,
//  loader and key column (dp_exec_prefetch.c).
bool dp_exec_in_every_variant (const plan_node_t *node, const dp_binding_t *bind);
size_t dp_exec_lookup_rows (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell,
                            row_t ***rows);

//  The variant of node for a concrete type, or NULL when none is selected.
const variant_t *dp_exec_variant (const plan_node_t *node, const dp_type_t *type);

//  False when the binding needs a base-agnostic permission the user lacks.
bool dp_exec_any_base_allowed (dp_exec_t *self, const dp_binding_t *bind);

//  The concrete type of a row reached through a field of declared type
//  (NULL when an abstract type cannot tell).
const dp_type_t *dp_exec_concrete (const plan_field_t *pf, const row_t *row);

//  Why a relation shows nothing: silently (null / empty) or with an error
//  the writer reports at the field.
typedef enum { REL_OK, REL_NULL, REL_DENIED } rel_status_t;

//  The rows a relation field (FK, REVERSE, ROOT_LOAD) offers for obj,
//  before the per-row checks; REL_DENIED with description and *code set
//  when the field is denied as a whole. *single holds an FK's one row.
rel_status_t dp_exec_candidate_rows (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj,
                                     row_t ***rows, size_t *n_rows, row_t **single,
                                     char *description, size_t len, const char **code);

//  Per-row checks of a relation: the binding's filter, then authorisation
//  on the row's own base. False hides the row (denied names what failed,
//  empty when the filter did).
bool dp_exec_row_visible (dp_exec_t *self, const dp_binding_t *bind, const plan_field_t *pf,
                          const row_t *row, char *denied, size_t len);

//  The link rows of a THROUGH field for obj; returns the count.
size_t dp_exec_links (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj, row_t ***links);

//  The targets of obj's links that the user may see, ordered by id, once
//  each; *targets in arena.
size_t dp_exec_through_targets (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj,
                                obj_t **targets);

//  -------------------------------------------------------------------------
//  dp_exec_write.c: the answer

//  Write {"data": ..., "errors": [...], "extensions": ...} from the plan
//  and the cache; the request is done with 200.
void dp_exec_write_result (dp_exec_t *self);

//  Answer {"errors":[...]} without data, the request done with http_status:
//  begin, one call per error (loc NULL or line 0: none; code NULL: no
//  extensions), end.
void dp_exec_write_errors_begin (dp_exec_t *self);
void dp_exec_write_request_error (dp_exec_t *self, const char *message, const dp_loc_t *loc,
                                  const char *code);
void dp_exec_write_errors_end (dp_exec_t *self, uint32_t http_status);

#endif
