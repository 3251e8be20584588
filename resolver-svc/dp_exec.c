/*  =========================================================================
    dp_exec - one GraphQL request executing in breadth-first waves

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The wave loop. A batch is (plan node, objects). COLLECT walks every
    batch of the wave and records, per loader, the keys its fields need
    (keys already in the request's cache with the right columns are
    skipped: DataLoader semantics); one LOAD per loader goes out. When all
    answers are in, DESCEND turns each relation field of each batch into
    the next wave's batch of child objects. No batches left: WRITE.
    A single object (no list above it) asks in its wave for what its FK
    children's relations are keyed by when that is known without their
    rows (dp_exec_prefetch), and a single object's batch that then finds
    all it needs loaded is descended within the wave: BoxView's location,
    its base and the base's locations cost one round trip, not three.
@discuss
    The per-request cache (dp_exec_cache) maps (loader, key) to the row(s)
    loaded, with the columns they carry; a later wave that needs more
    columns of a cached row asks again for the union. The writer
    (dp_exec_write) never queries: it only reads the cache, so the number
    of SQL statements is the number of waves times the loaders each wave
    touches, whatever the number of rows. Which rows a relation shows is
    dp_exec_rows's, asked by descend and the writer alike.

    Covered by dp_writer's and dp_introspection's selftests (requests
    started and run through the waves without a database) and, with
    LOADs, tests/integration/test_manage_boxes.py (the waves, the
    statement count); its cache and writer have their own selftests.
@end
*/
#include "dp_exec_private.h"
#include "dp_values.h"
#include "dp_msg_variables.h"
#include "dp_loader.h"
#include "dp_parser.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <assert.h>
#include <czmq.h>

dp_arena_t *
dp_exec_arena (dp_exec_t *exec)
{
    return exec->arena;
}

dp_authz_t *
dp_exec_authz (dp_exec_t *exec)
{
    return &exec->authz;
}

dp_json_writer_t *
dp_exec_out (dp_exec_t *exec)
{
    return &exec->out;
}

int64_t
dp_exec_max_page_size (dp_exec_t *exec)
{
    return exec->env->max_page_size;
}

dp_exec_t *
dp_exec_new (const dp_exec_env_t *env)
{
    dp_exec_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->env = env;
    self->arena = dp_arena_new (256 * 1024);
    self->trace_id = "";
    self->http_status = 200;
    self->cache = dp_exec_cache_new (self->arena, dp_loader_is_list, dp_loader_order);
    dp_json_writer_init_headroom (&self->out, 16 * 1024, DP_MSG_RESULT_HEADROOM);
    return self;
}

void
dp_exec_destroy (dp_exec_t **self_p)
{
    assert (self_p);
    dp_exec_t *self = *self_p;
    if (!self)
        return;
    dp_exec_cache_destroy (&self->cache);
    for (size_t i = 0; i < self->n_pending; i++)
        free (self->pending [i].keys);
    free (self->pending);
    free (self->batches.items);
    dp_json_writer_release (&self->out);
    dp_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

uint64_t dp_exec_id (dp_exec_t *self) { return self->id; }
uint64_t dp_exec_deadline (dp_exec_t *self) { return self->deadline; }
const char *dp_exec_trace_id (dp_exec_t *self) { return self->trace_id; }
size_t dp_exec_outstanding (dp_exec_t *self) { return self->outstanding; }
uint32_t dp_exec_statements (dp_exec_t *self) { return self->statements; }
const char *dp_exec_gtid (dp_exec_t *self) { return self->gtid; }
bool dp_exec_done (dp_exec_t *self) { return self->done; }
void dp_exec_set_chained_reads (dp_exec_t *self, bool chained) { self->chained_reads = chained; }
bool dp_exec_wants_writer (dp_exec_t *self) { return self->wants_writer && !self->done; }
uint32_t dp_exec_http_status (dp_exec_t *self) { return self->http_status; }

void
dp_exec_write (dp_exec_t *self, bool elsewhere)
{
    if (self->done)
        return;
    self->written_elsewhere = elsewhere;
    dp_exec_write_result (self);
}

const char *
dp_exec_json (dp_exec_t *self, size_t *len_p)
{
    *len_p = self->out.len;
    return self->out.data;
}

dp_json_writer_t *
dp_exec_answer (dp_exec_t *self)
{
    return &self->out;
}

//  -------------------------------------------------------------------------
//  Responses that end the request before or instead of execution

//  {"errors":[{"message":..., "locations":[...]}]} with an HTTP status.
static void
s_finish_request_error (dp_exec_t *self, uint32_t http_status, const char *message,
                        const dp_loc_t *loc, const char *code)
{
    dp_exec_write_errors_begin (self);
    dp_exec_write_request_error (self, message, loc, code);
    dp_exec_write_errors_end (self, http_status);
}

void
dp_exec_abort (dp_exec_t *self, uint32_t http_status, const char *message)
{
    if (self->done)
        return;
    //  A mutation's deadline is each field's outcome: those committed
    //  before it stand, as when db-svc reports it.
    if (self->mutation && http_status == 504) {
        dp_exec_mutation_deadline (self);
        return;
    }
    s_finish_request_error (self, http_status, message, NULL,
                            http_status == 504 ? "TIMEOUT" : "INTERNAL_SERVER_ERROR");
}

//  -------------------------------------------------------------------------
//  Sending

pending_t *
dp_exec_pending_new (dp_exec_t *self)
{
    if (self->n_pending == self->cap_pending) {
        size_t cap = self->cap_pending ? self->cap_pending * 2 : 16;
        pending_t *items = realloc (self->pending, cap * sizeof (pending_t));
        if (!items)
            dp_fatal ("out of memory");
        self->pending = items;
        self->cap_pending = cap;
    }
    pending_t *p = &self->pending [self->n_pending++];
    memset (p, 0, sizeof *p);
    return p;
}

static void
s_set_fatal (dp_exec_t *self, uint32_t http_status, const char *message)
{
    if (self->fatal)
        return;
    self->fatal = true;
    self->http_status = http_status;
    self->fatal_message = dp_arena_strdup (self->arena, message);
}

void
dp_exec_send (dp_exec_t *self, dp_msg_t *msg, pending_t *p)
{
    msg->version = DP_PROTO_VERSION;
    msg->deadline_ms = self->deadline;
    msg->trace_id = self->trace_id;
    if (self->env->send (self->env->send_ctx, self, msg)) {
        p->answered = true;
        if (self->mutation)
            dp_exec_mutation_send_failed (self);
        else
            s_set_fatal (self, 503, "The database service is not reachable.");
        return;
    }
    p->id = msg->id;
    if (self->outstanding++ == 0)
        self->round_trips++;
}

void
dp_exec_query (dp_exec_t *exec, dp_query_id_t query, uint64_t columns, dp_val_t *args,
               uint32_t n_args, plan_field_t *pf, void *slot, query_done_fn_t done)
{
    pending_t *p = dp_exec_pending_new (exec);
    p->is_query = true;
    p->pf = pf;
    p->slot = slot;
    p->done = done;
    p->mask = columns;
    dp_msg_t msg = { .type = DP_MSG_QUERY };
    msg.u.query.query = query;
    msg.u.query.columns = columns;
    msg.u.query.args = args;
    msg.u.query.n_args = n_args;
    msg.u.query.txn = exec->txn;
    msg.u.query.min_gtid = exec->txn ? NULL : exec->min_gtid;
    dp_exec_send (exec, &msg, p);
}

//  Ask for (loader, key) with at least `mask` columns in this wave (a key
//  that is not an INT, a NULL foreign key, asks for nothing).
static void
s_need (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell, uint64_t mask)
{
    if (key_cell->type == DP_VAL_INT
    &&  !dp_exec_cache_need (self->cache, loader, key_cell->u.i, mask, self->wave))
        self->asked++;
}

static void
s_send_loads (dp_exec_t *self)
{
    for (int l = 0; l < DP_LOADER_COUNT; l++) {
        int64_t *keys;
        uint64_t mask;
        size_t n_keys = dp_exec_cache_take (self->cache, (dp_loader_id_t) l, &keys, &mask);
        if (n_keys == 0)
            continue;
        pending_t *p = dp_exec_pending_new (self);
        p->loader = (dp_loader_id_t) l;
        p->mask = mask;
        p->keys = keys;                     //  ownership moves to the pending record
        p->n_keys = n_keys;
        dp_msg_t msg = { .type = DP_MSG_LOAD };
        msg.u.load.loader = (uint32_t) l;
        msg.u.load.columns = p->mask;
        msg.u.load.keys = p->keys;
        msg.u.load.n_keys = (uint32_t) p->n_keys;
        msg.u.load.txn = self->txn;
        //  In a transaction its reads see its writes: no position needed.
        msg.u.load.min_gtid = self->txn ? NULL : self->min_gtid;
        dp_exec_send (self, &msg, p);
    }
}

row_t *
dp_exec_make_row (dp_exec_t *exec, const dp_catalog_entry_t *entry, uint64_t mask,
                  const dp_val_t *cells, uint32_t n_cols)
{
    return dp_exec_cache_make_row (exec->cache, entry, mask, cells, n_cols);
}

//  -------------------------------------------------------------------------
//  Collect and descend

static void
s_need_key (dp_exec_t *self, dp_loader_id_t loader, int64_t key, uint64_t mask)
{
    dp_val_t cell = { .type = DP_VAL_INT, .u.i = key };
    s_need (self, loader, &cell, mask);
}

void
dp_exec_need (dp_exec_t *exec, dp_loader_id_t loader, int64_t key, uint64_t mask)
{
    s_need_key (exec, loader, key, mask);
}

static void
s_root_fail (dp_exec_t *self, root_load_t *root, const char *code, const char *description)
{
    root->failed = true;
    root->code = code;
    root->description = dp_arena_strdup (self->arena, description);
}

//  Wave 0 of a root field answered from a loader: resolve its keys from
//  the argument, the user's bases or "every row", and ask for them.
static void
s_root_load_collect (dp_exec_t *self, plan_field_t *pf)
{
    const dp_binding_t *bind = pf->bind;
    root_load_t *root = dp_arena_calloc (self->arena, 1, sizeof *root);
    pf->root_state = root;
    root->loader = bind->loader;
    char description [160];
    if (!dp_exec_any_base_allowed (self, bind)) {
        snprintf (description, sizeof description, "You don't have access to '%s'",
                  bind->authz.permission);
        s_root_fail (self, root, "FORBIDDEN", description);
        return;
    }
    if (bind->key_source == KEYS_ARGUMENT) {
        //  An absent optional id means the caller's own (Query.user).
        const input_t *value = input_field (pf->args, bind->argument);
        char *end = NULL;
        long long id = -1;
        if (!value || value->kind == IN_NULL)
            id = self->identity.user_id;
        else
        if (dp_input_text (value)) {
            id = strtoll (value->s, &end, 10);
            if (*end || end == value->s)
                id = -1;
        }
        if (id < 0) {
            s_root_fail (self, root, "BAD_USER_INPUT", "Invalid ID.");
            return;
        }
        root->keys = dp_arena_alloc (self->arena, sizeof (int64_t));
        root->keys [0] = id;
        root->n_keys = 1;
    }
    else
    if (bind->key_source == KEYS_GOD_ALL && !self->identity.god)
        root->n_keys = 0;       //  only god users list them all; others get []
    else
    if (bind->key_source == KEYS_ALL || bind->key_source == KEYS_GOD_ALL || self->identity.god) {
        root->loader = bind->all_loader;
        root->keys = dp_arena_calloc (self->arena, 1, sizeof (int64_t));
        root->n_keys = 1;
    }
    else {
        //  The bases the user holds the permission for (none: an empty list).
        const dp_permission_t *grant = dp_authz_permission (&self->authz, bind->authz.permission);
        root->n_keys = grant ? grant->n_base_ids : 0;
        root->keys = dp_arena_alloc (self->arena, (root->n_keys + 1) * sizeof (int64_t));
        for (size_t k = 0; k < root->n_keys; k++)
            root->keys [k] = grant->base_ids [k];
    }
    for (size_t k = 0; k < root->n_keys; k++) {
        s_need_key (self, root->loader, root->keys [k], pf->child_mask | bind->keep_mask);
        if (bind->has_loader2 && root->loader == bind->loader)
            s_need_key (self, bind->loader2, root->keys [k], pf->child_mask | bind->keep_mask);
    }
}

void
dp_exec_collect_keys (dp_exec_t *self, const plan_field_t *pf, const row_t *row)
{
    const dp_binding_t *bind = pf->bind;
    switch (bind->kind) {
        case BIND_FK:
        case BIND_REVERSE:
            if (dp_exec_any_base_allowed (self, bind))
                s_need (self, bind->loader, &row->cells [bind->column],
                        bind->load_mask ? bind->load_mask : pf->child_mask);
            break;
        case BIND_THROUGH:
        case BIND_LOOKUP:
            if (dp_exec_any_base_allowed (self, bind))
                s_need (self, bind->loader, &row->cells [bind->column],
                        (uint64_t) 1 << bind->value_column);
            break;
        case BIND_COMPUTED:
            for (size_t d = 0; d < bind->n_deps; d++)
                s_need (self, bind->deps [d].loader, &row->cells [bind->deps [d].column],
                        bind->deps [d].mask);
            break;
        default:
            break;
    }
}

static void
s_collect_batch (dp_exec_t *self, batch_t *batch)
{
    if (batch->through)
        return;                 //  its needs were sent when the links arrived
    //  A single object's child asks ahead for its own relations (queries
    //  only: a mutation's statements are counted step by step).
    bool ahead = batch->node->single && !self->mutation;
    for (size_t o = 0; o < batch->n_objs; o++) {
        const obj_t *obj = &batch->objs [o];
        const variant_t *variant = dp_exec_variant (batch->node, obj->type);
        if (!variant)
            continue;
        for (size_t f = 0; f < variant->n_fields; f++) {
            plan_field_t *pf = &variant->fields [f];
            const dp_binding_t *bind = pf->bind;
            switch (bind->kind) {
                case BIND_FK:
                    dp_exec_collect_keys (self, pf, obj->row);
                    if (ahead && pf->child && dp_exec_any_base_allowed (self, bind))
                        dp_exec_prefetch (self, pf, obj->row);
                    break;
                case BIND_REVERSE:
                case BIND_THROUGH:
                case BIND_LOOKUP:
                case BIND_COMPUTED:
                    dp_exec_collect_keys (self, pf, obj->row);
                    break;
                case BIND_ROOT:
                    bind->collect (self, pf);
                    break;
                case BIND_ROOT_LOAD:
                    s_root_load_collect (self, pf);
                    break;
                case BIND_MUTATION:
                    dp_exec_mutation_collect (self, pf);
                    break;
                default:
                    break;
            }
            if (bind->collect_obj)
                bind->collect_obj (self, pf, obj);
        }
    }
}

static bool
s_is_relation (const dp_binding_t *bind)
{
    return bind->kind == BIND_FK || bind->kind == BIND_REVERSE || bind->kind == BIND_ROOT_LOAD;
}

//  Room for `add` more objects in a growing arena array of n.
static void
s_objs_reserve (dp_exec_t *self, obj_t **objs, size_t *cap, size_t n, size_t add)
{
    if (n + add <= *cap)
        return;
    size_t new_cap = *cap ? *cap * 2 : 64;
    while (new_cap < n + add)
        new_cap *= 2;
    obj_t *grown = dp_arena_alloc (self->arena, new_cap * sizeof (obj_t));
    if (n)
        memcpy (grown, *objs, n * sizeof (obj_t));
    *objs = grown;
    *cap = new_cap;
}

static void s_batch_add (dp_exec_t *self, batches_t *batches, plan_node_t *node, obj_t *objs, size_t n);

//  After the links arrive: ask for their targets in the coming wave, and
//  keep the parents in a batch that yields the targets a wave later.
static void
s_through_descend (dp_exec_t *self, const batch_t *batch, const variant_t *variant,
                   plan_field_t *pf, batches_t *next)
{
    const dp_binding_t *bind = pf->bind;
    obj_t *parents = dp_arena_alloc (self->arena, (batch->n_objs + 1) * sizeof (obj_t));
    size_t n = 0;
    for (size_t o = 0; o < batch->n_objs; o++) {
        const obj_t *obj = &batch->objs [o];
        if (dp_exec_variant (batch->node, obj->type) != variant)
            continue;
        row_t **links;
        size_t n_links = dp_exec_links (self, pf, obj, &links);
        if (n_links == 0)
            continue;
        for (size_t l = 0; l < n_links; l++)
            s_need (self, bind->target_loader, &links [l]->cells [bind->value_column],
                    pf->child_mask | bind->keep_mask);
        parents [n++] = *obj;
    }
    if (n == 0)
        return;
    s_batch_add (self, next, batch->node, parents, n);
    next->items [next->n - 1].through = pf;
}

//  A through batch's targets are in: they form the batch of pf's child.
static void
s_through_yield (dp_exec_t *self, const batch_t *batch, batches_t *next)
{
    plan_field_t *pf = batch->through;
    size_t cap = 0, n = 0;
    obj_t *children = NULL;
    uint32_t stamp = ++self->stamp;
    for (size_t o = 0; o < batch->n_objs; o++) {
        obj_t *targets;
        size_t n_targets = dp_exec_through_targets (self, pf, &batch->objs [o], &targets);
        s_objs_reserve (self, &children, &cap, n, n_targets);
        for (size_t t = 0; t < n_targets; t++) {
            if (targets [t].row->stamp == stamp)
                continue;
            targets [t].row->stamp = stamp;
            children [n++] = targets [t];
        }
    }
    s_batch_add (self, next, pf->child, children, n);
}

static void
s_batch_add (dp_exec_t *self, batches_t *batches, plan_node_t *node, obj_t *objs, size_t n)
{
    if (n == 0)
        return;
    if (batches->n == batches->cap) {
        size_t cap = batches->cap ? batches->cap * 2 : 16;
        batch_t *items = realloc (batches->items, cap * sizeof (batch_t));
        if (!items)
            dp_fatal ("out of memory");
        batches->items = items;
        batches->cap = cap;
    }
    batches->items [batches->n].node = node;
    batches->items [batches->n].objs = objs;
    batches->items [batches->n].n_objs = n;
    batches->items [batches->n].through = NULL;
    batches->items [batches->n].held = false;
    batches->n++;
}

//  Child objects of one relation field over a whole batch, deduplicated.
static void
s_descend_field (dp_exec_t *self, const batch_t *batch, const variant_t *variant,
                 plan_field_t *pf, batches_t *next)
{
    const dp_binding_t *bind = pf->bind;
    size_t cap = 0, n = 0;
    obj_t *children = NULL;
    uint32_t stamp = ++self->stamp;
    char denied [80];
    size_t asked = self->asked, sent = self->n_pending;
    for (size_t o = 0; o < batch->n_objs; o++) {
        const obj_t *obj = &batch->objs [o];
        if (dp_exec_variant (batch->node, obj->type) != variant)
            continue;
        row_t *single = NULL;
        row_t **rows = NULL;
        size_t n_rows = 0;
        obj_t *synthetic = NULL;
        size_t n_synthetic = 0;
        if (s_is_relation (bind)) {
            char description [160];
            const char *code;
            if (dp_exec_candidate_rows (self, pf, obj, &rows, &n_rows, &single, description,
                                  sizeof description, &code) != REL_OK)
                continue;
        }
        else
        if (bind->kind == BIND_MUTATION)
            dp_exec_mutation_children (self, pf, &synthetic, &n_synthetic);
        else
        if (bind->children)
            bind->children (self, pf, obj, &synthetic, &n_synthetic);
        size_t add = n_rows + n_synthetic;
        s_objs_reserve (self, &children, &cap, n, add);
        for (size_t r = 0; r < n_rows; r++) {
            row_t *row = rows [r];
            if (row->stamp == stamp || !dp_exec_row_visible (self, bind, pf, row, denied, sizeof denied))
                continue;
            row->stamp = stamp;
            const dp_type_t *type = dp_exec_concrete (pf, row);
            if (!type)
                continue;
            children [n].type = type;
            children [n].row = row;
            children [n].synthetic = NULL;
            n++;
        }
        for (size_t s = 0; s < n_synthetic; s++) {
            obj_t child = synthetic [s];
            if (child.row) {
                if (child.row->stamp == stamp)
                    continue;
                child.row->stamp = stamp;
            }
            children [n++] = child;
        }
    }
    s_batch_add (self, next, pf->child, children, n);
    if (n && (self->asked != asked || self->n_pending != sent))
        next->items [next->n - 1].held = true;
}

static void
s_descend_batch (dp_exec_t *self, const batch_t *batch, batches_t *next)
{
    if (batch->through) {
        s_through_yield (self, batch, next);
        return;
    }
    for (size_t v = 0; v < batch->node->n_variants; v++) {
        const variant_t *variant = &batch->node->variants [v];
        for (size_t f = 0; f < variant->n_fields; f++) {
            plan_field_t *pf = &variant->fields [f];
            if (pf->bind->kind == BIND_THROUGH)
                s_through_descend (self, batch, variant, pf, next);
            else
            if (pf->child)
                s_descend_field (self, batch, variant, pf, next);
        }
    }
}

static void
s_descend (dp_exec_t *self, batches_t *next)
{
    for (size_t b = 0; b < self->batches.n; b++)
        s_descend_batch (self, &self->batches.items [b], next);
}

//  Collect every batch of the wave. A single object's batch that asks for
//  nothing not loaded yet (its rows were asked ahead, dp_exec_prefetch) is
//  descended at once and its children are collected in this same wave: a
//  level already in the cache costs no round trip. What asked for rows, or
//  was made by a hook that did, waits for them and is descended in the
//  next wave.
static void
s_collect_wave (dp_exec_t *self)
{
    batches_t waiting = { 0 };
    for (size_t b = 0; b < self->batches.n; b++) {
        batch_t batch = self->batches.items [b];    //  a copy: the array grows below
        size_t asked = self->asked, sent = self->n_pending;
        s_collect_batch (self, &batch);
        bool ready = self->asked == asked && self->n_pending == sent && !batch.held;
        if (ready && !batch.through && batch.node->single && !self->mutation)
            s_descend_batch (self, &batch, &self->batches);
        else {
            s_batch_add (self, &waiting, batch.node, batch.objs, batch.n_objs);
            waiting.items [waiting.n - 1].through = batch.through;
        }
    }
    free (self->batches.items);
    self->batches = waiting;
}

//  -------------------------------------------------------------------------
//  The wave loop

void
dp_exec_advance (dp_exec_t *self)
{
    while (!self->done) {
        if (self->outstanding)
            return;
        if (self->fatal) {
            s_finish_request_error (self, self->http_status, self->fatal_message, NULL,
                                    self->http_status == 504 ? "TIMEOUT" : "INTERNAL_SERVER_ERROR");
            return;
        }
        if (self->collected) {
            //  The next wave starts here: what descend asks for (dp_exec_need)
            //  goes out with what its batches collect.
            self->wave++;
            batches_t next = { 0 };
            s_descend (self, &next);
            free (self->batches.items);
            self->batches = next;
            self->collected = false;
            if (self->batches.n == 0 && self->mutation) {
                dp_exec_mutation_waves_done (self);
                return;
            }
            if (self->batches.n == 0) {
                //  A large answer is written away from the actor (dp_writer).
                if (self->env->large_answer_rows
                &&  dp_exec_cache_rows_made (self->cache) > self->env->large_answer_rows) {
                    self->wants_writer = true;
                    return;
                }
                dp_exec_write_result (self);
                return;
            }
        }
        if (self->wave == 0)
            self->wave = 1;
        dp_debug ("request %s: wave %u starts at %lld us", self->trace_id, self->wave,
                  (long long) zclock_usecs ());
        s_collect_wave (self);
        s_send_loads (self);
        self->collected = true;
    }
}

static void
s_copy_identity (dp_exec_t *self, const dp_identity_t *identity)
{
    self->identity = *identity;     //  arrays already live in self->arena
    dp_authz_init (&self->authz, &self->identity);
}

//  The operation an EXECUTE names: the definition at its index when the
//  gateway prepared it, else (tools and selftests) the document's only
//  operation, which must come without variables_json.
static const dp_ast_definition_t *
s_execute_operation (const dp_ast_document_t *doc, const dp_msg_t *execute, char *err, size_t err_len)
{
    size_t index = execute->u.execute.operation;
    if (!execute->u.execute.prepared) {
        size_t operations = 0;
        for (size_t i = 0; i < doc->n_defs; i++)
            if (doc->defs [i].kind == DP_AST_OPERATION) {
                index = i;
                operations++;
            }
        if (execute->u.execute.variables_json || operations != 1) {
            snprintf (err, err_len, "EXECUTE: a request that was not prepared must be one operation without variables");
            return NULL;
        }
    }
    if (index >= doc->n_defs || doc->defs [index].kind != DP_AST_OPERATION) {
        snprintf (err, err_len, "EXECUTE: definition %zu is not an operation", index);
        return NULL;
    }
    return &doc->defs [index];
}

void
dp_exec_start (dp_exec_t *self, const dp_msg_t *execute)
{
    assert (execute->type == DP_MSG_EXECUTE);
    self->id = execute->id;
    self->deadline = execute->deadline_ms;
    self->trace_id = execute->trace_id ? execute->trace_id : "";
    self->flags = execute->u.execute.flags;
    self->min_gtid = execute->u.execute.min_gtid;
    //  A request of /public has no identity, whatever the message holds:
    //  it is served the public schema with no permission at all.
    bool public = self->flags & DP_EXECUTE_PUBLIC;
    dp_identity_t nobody;
    memset (&nobody, 0, sizeof nobody);
    s_copy_identity (self, public ? &nobody : &execute->u.execute.identity);
    dp_schema_t *schema = public ? self->env->public_schema : self->env->schema;
    if (!schema) {
        s_finish_request_error (self, 400, "This resolver does not serve the public schema.", NULL, NULL);
        return;
    }

    //  Parse (the gateway parsed it already; this copy is the resolver's own).
    dp_parse_limits_t limits = { self->env->max_tokens, self->env->max_depth };
    dp_parse_error_t parse_error;
    self->doc = dp_parse (self->arena, execute->u.execute.query, execute->u.execute.query_len,
                          &limits, &parse_error);
    if (!self->doc) {
        s_finish_request_error (self, 400, parse_error.message, &parse_error.loc, NULL);
        return;
    }
    //  The gateway validated the document, selected the operation and
    //  coerced the variables (proto/README.md, EXECUTE): the resolver takes
    //  them as they come and reads no JSON.
    char err [256];
    const dp_ast_definition_t *operation = s_execute_operation (self->doc, execute, err, sizeof err);
    dp_variables_t *coerced = NULL;
    if (operation && execute->u.execute.prepared)
        coerced = dp_msg_variables_decode (execute->u.execute.variables, execute->u.execute.n_variables,
                                           operation, schema, self->arena, err, sizeof err);
    else
    if (operation) {
        //  Not prepared (tools, selftests): no values given, so the
        //  variables' defaults apply, as the gateway's coercion applies them.
        dp_error_t *errors;
        size_t n_errors;
        coerced = dp_variables_coerce (self->arena, schema, operation, NULL,
                                       &errors, &n_errors);
        if (!coerced)
            snprintf (err, sizeof err, "%s", errors [0].message);
    }
    if (!coerced) {
        s_finish_request_error (self, 400, err, NULL, NULL);
        return;
    }
    dp_plan_error_t plan_error;
    self->root = dp_plan_build (self->arena, schema, self->doc, operation, coerced, &plan_error);
    if (!self->root) {
        s_finish_request_error (self, 400, plan_error.message, &plan_error.loc, NULL);
        return;
    }
    self->root_obj.type = self->root->type;
    if (operation->operation == DP_OP_MUTATION) {
        //  A key on a query is ignored: a query changes nothing.
        if (execute->u.execute.idempotency_key) {
            self->idempotency_key = dp_arena_strdup (self->arena, execute->u.execute.idempotency_key);
            dp_idem_hash (execute->u.execute.query, execute->u.execute.query_len,
                          (uint32_t) (operation - self->doc->defs), execute->u.execute.variables,
                          execute->u.execute.n_variables, self->request_hash);
        }
        dp_exec_mutation_start (self);
        return;
    }
    batch_t root_batch = { .node = self->root, .objs = &self->root_obj, .n_objs = 1 };
    s_batch_add (self, &self->batches, root_batch.node, root_batch.objs, 1);
    dp_exec_advance (self);
}

void
dp_exec_file_rows (dp_exec_t *self, pending_t *p, const dp_msg_t *reply)
{
    if (p->is_query)
        p->done (self, p->pf, p->slot, reply, NULL);
    else
    if (p->chain)
        dp_exec_chain_answered (p->chain, reply);
    else
        dp_exec_cache_store (self->cache, p->loader, p->mask, p->keys, p->n_keys,
                             reply->u.rows.cells, reply->u.rows.n_rows, reply->u.rows.n_cols);
}

void
dp_exec_run_waves (dp_exec_t *self, plan_node_t *node, obj_t *obj)
{
    //  A new cache: rows read in an earlier transaction may have changed.
    dp_exec_cache_destroy (&self->cache);
    self->cache = dp_exec_cache_new (self->arena, dp_loader_is_list, dp_loader_order);
    self->batches.n = 0;
    self->collected = false;
    s_batch_add (self, &self->batches, node, obj, 1);
    dp_exec_advance (self);
}

void
dp_exec_on_reply (dp_exec_t *self, const dp_msg_t *reply)
{
    pending_t *p = NULL;
    for (size_t i = 0; i < self->n_pending; i++)
        if (self->pending [i].id == reply->id && !self->pending [i].answered) {
            p = &self->pending [i];
            break;
        }
    if (!p || self->done)
        return;                 //  late or duplicate: ignored
    p->answered = true;
    self->outstanding--;
    if (reply->type == DP_MSG_ROWS)
        self->statements += reply->u.rows.statements;
    if (self->mutation) {
        dp_exec_mutation_on_reply (self, p, reply);
        return;
    }
    if (reply->type == DP_MSG_ROWS)
        dp_exec_file_rows (self, p, reply);
    else {
        uint32_t status = reply->type == DP_MSG_ERROR ? reply->u.error.status : DP_STATUS_INTERNAL;
        const char *text = reply->type == DP_MSG_ERROR ? reply->u.error.message : "unexpected reply";
        dp_warn ("request %s: db-svc answered %u: %s", self->trace_id, status, text);
        if (status == DP_STATUS_TIMEOUT)
            s_set_fatal (self, 504, "The request took longer than its deadline.");
        else
        if (status == DP_STATUS_UNAVAILABLE)
            //  Why, in a few words (db-svc's or the resolver's own), helps
            //  an operator; it names no table or statement.
            s_set_fatal (self, 503, dp_arena_printf (self->arena, "The database is not available"
                                                     " right now (%s); retry later.", text));
        else
            s_set_fatal (self, 500, "The database failed to perform the requested action.");
    }
    dp_exec_advance (self);
}
