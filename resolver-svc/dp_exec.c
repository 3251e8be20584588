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
@discuss
    The per-request cache maps (loader, key) to the row(s) loaded, with the
    columns they carry; a later wave that needs more columns of a cached
    row asks again for the union. The writer never queries: it only reads
    the cache, so the number of SQL statements is the number of waves
    times the loaders each wave touches, whatever the number of rows.
@end
*/
#include "dp_exec.h"
#include "dp_plan.h"
#include "dp_values.h"
#include "dp_msg_variables.h"
#include "dp_loader.h"
#include "dp_computed.h"
#include "dp_authz.h"
#include "dp_parser.h"
#include "dp_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <assert.h>
#include <czmq.h>

#define MAX_PATH 300

//  -------------------------------------------------------------------------
//  The per-request cache: (key → rows) per loader, open addressing.

typedef struct {
    int64_t key;
    bool used;
    bool loaded;                //  an answer for this key arrived (row may be NULL)
    uint32_t wave;              //  the wave that last asked for it
    uint64_t mask;              //  columns loaded
    row_t *row;                 //  single-row loaders
    row_t **rows;               //  list loaders
    uint32_t n_rows, cap_rows;
} entry_t;

typedef struct {
    entry_t *slots;
    size_t cap;                 //  power of two
    size_t count;
    //  This wave's request
    int64_t *keys;
    size_t n_keys, cap_keys;
    uint64_t mask;
} cache_t;

static uint64_t
s_hash (int64_t key)
{
    uint64_t x = (uint64_t) key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static entry_t *
s_cache_find (cache_t *cache, int64_t key)
{
    if (!cache->cap)
        return NULL;
    size_t i = s_hash (key) & (cache->cap - 1);
    while (cache->slots [i].used) {
        if (cache->slots [i].key == key)
            return &cache->slots [i];
        i = (i + 1) & (cache->cap - 1);
    }
    return NULL;
}

static entry_t *
s_cache_insert (cache_t *cache, int64_t key)
{
    if ((cache->count + 1) * 2 > cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 64;
        entry_t *slots = calloc (cap, sizeof (entry_t));
        if (!slots)
            dp_fatal ("out of memory");
        for (size_t i = 0; i < cache->cap; i++)
            if (cache->slots [i].used) {
                size_t j = s_hash (cache->slots [i].key) & (cap - 1);
                while (slots [j].used)
                    j = (j + 1) & (cap - 1);
                slots [j] = cache->slots [i];
            }
        free (cache->slots);
        cache->slots = slots;
        cache->cap = cap;
    }
    size_t i = s_hash (key) & (cache->cap - 1);
    while (cache->slots [i].used) {
        if (cache->slots [i].key == key)
            return &cache->slots [i];
        i = (i + 1) & (cache->cap - 1);
    }
    cache->slots [i].used = true;
    cache->slots [i].key = key;
    cache->count++;
    return &cache->slots [i];
}

//  -------------------------------------------------------------------------

typedef struct {
    uint64_t id;                //  correlation id
    bool is_query;
    dp_loader_id_t loader;      //  LOAD
    uint64_t mask;
    int64_t *keys;              //  LOAD keys (malloc'd, owned)
    size_t n_keys;
    plan_field_t *pf;           //  QUERY
    void *slot;
    query_done_fn_t done;
    bool answered;
} pending_t;

typedef struct {
    batch_t *items;
    size_t n, cap;
} batches_t;

static int
s_row_id_cmp (const void *a, const void *b)
{
    int64_t x = row_int (*(row_t *const *) a, 0);
    int64_t y = row_int (*(row_t *const *) b, 0);
    return (x > y) - (x < y);
}

//  Sort rows by id (column 0) and drop rows whose id repeats; returns the
//  new count. For roots that gather one table from two loaders.
static size_t
s_unique_by_id (row_t **rows, size_t n)
{
    if (n < 2)
        return n;
    qsort (rows, n, sizeof (row_t *), s_row_id_cmp);
    size_t out = 1;
    for (size_t i = 1; i < n; i++)
        if (row_int (rows [i], 0) != row_int (rows [out - 1], 0))
            rows [out++] = rows [i];
    return out;
}

//  A root field answered from a loader: the keys it resolved in wave 0.
typedef struct {
    bool failed;
    const char *code;           //  extensions.code of the error
    char *description;
    dp_loader_id_t loader;
    int64_t *keys;
    size_t n_keys;
} root_load_t;


typedef struct {
    const char *key;            //  NULL for a list index
    size_t index;
} path_item_t;

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
    cache_t caches [DP_LOADER_COUNT];
    batches_t batches;          //  the current wave's batches
    bool collected;             //  current batches' requests are out
    uint32_t wave;
    uint32_t stamp;             //  batch stamp for row dedup
    pending_t *pending;         //  requests sent (malloc'd array)
    size_t n_pending, cap_pending;
    size_t outstanding;
    uint32_t statements;
    size_t rows_made;           //  rows the request holds (dp_exec_make_row)
    //  Result
    bool wants_writer;          //  waves done; the answer is large: written elsewhere
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
};

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
    dp_json_writer_init (&self->out, 16 * 1024);
    return self;
}

void
dp_exec_destroy (dp_exec_t **self_p)
{
    assert (self_p);
    dp_exec_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < DP_LOADER_COUNT; i++) {
        free (self->caches [i].slots);
        free (self->caches [i].keys);
    }
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
bool dp_exec_done (dp_exec_t *self) { return self->done; }
bool dp_exec_wants_writer (dp_exec_t *self) { return self->wants_writer && !self->done; }
uint32_t dp_exec_http_status (dp_exec_t *self) { return self->http_status; }

static void s_write_result (dp_exec_t *self);

void
dp_exec_write (dp_exec_t *self, bool elsewhere)
{
    if (self->done)
        return;
    self->written_elsewhere = elsewhere;
    s_write_result (self);
}

const char *
dp_exec_json (dp_exec_t *self, size_t *len_p)
{
    *len_p = self->out.len;
    return self->out.data;
}

//  -------------------------------------------------------------------------
//  Responses that end the request before or instead of execution

//  {"errors":[{"message":..., "locations":[...]}]} with an HTTP status.
static void
s_finish_request_errors (dp_exec_t *self, uint32_t http_status, const dp_error_t *errors,
                         size_t n_errors)
{
    dp_json_writer_truncate (&self->out, 0);
    dp_errors_response (errors, n_errors, DP_ERROR_KEYS_GRAPHQL_JS, &self->out);
    self->http_status = http_status;
    self->done = true;
}

//  {"errors":[...]} of one request error (line 0 or no loc: no location).
static void
s_finish_request_error (dp_exec_t *self, uint32_t http_status, const char *message,
                        const dp_loc_t *loc, const char *code)
{
    dp_error_t error = { .message = message, .code = code };
    if (loc && loc->line) {
        error.locations = loc;
        error.n_locations = 1;
    }
    s_finish_request_errors (self, http_status, &error, 1);
}

void
dp_exec_abort (dp_exec_t *self, uint32_t http_status, const char *message)
{
    if (self->done)
        return;
    s_finish_request_error (self, http_status, message, NULL,
                            http_status == 504 ? "TIMEOUT" : "INTERNAL_SERVER_ERROR");
}

//  -------------------------------------------------------------------------
//  Sending

static pending_t *
s_pending_new (dp_exec_t *self)
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

static void
s_send (dp_exec_t *self, dp_msg_t *msg, pending_t *p)
{
    msg->version = DP_PROTO_VERSION;
    msg->deadline_ms = self->deadline;
    msg->trace_id = self->trace_id;
    if (self->env->send (self->env->send_ctx, self, msg)) {
        p->answered = true;
        s_set_fatal (self, 503, "The database service is not reachable.");
        return;
    }
    p->id = msg->id;
    self->outstanding++;
}

void
dp_exec_query (dp_exec_t *exec, dp_query_id_t query, uint64_t columns, dp_val_t *args,
               uint32_t n_args, plan_field_t *pf, void *slot, query_done_fn_t done)
{
    pending_t *p = s_pending_new (exec);
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
    s_send (exec, &msg, p);
}

//  Ask for (loader, key) with at least `mask` columns in this wave.
static void
s_need (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell, uint64_t mask)
{
    if (key_cell->type != DP_VAL_INT)
        return;
    cache_t *cache = &self->caches [loader];
    entry_t *entry = s_cache_insert (cache, key_cell->u.i);
    mask |= 1;
    if (entry->loaded && (entry->mask & mask) == mask)
        return;
    cache->mask |= mask | entry->mask;
    if (entry->wave == self->wave)
        return;
    entry->wave = self->wave;
    if (cache->n_keys == cache->cap_keys) {
        size_t cap = cache->cap_keys ? cache->cap_keys * 2 : 64;
        int64_t *keys = realloc (cache->keys, cap * sizeof (int64_t));
        if (!keys)
            dp_fatal ("out of memory");
        cache->keys = keys;
        cache->cap_keys = cap;
    }
    cache->keys [cache->n_keys++] = key_cell->u.i;
}

static void
s_send_loads (dp_exec_t *self)
{
    for (int l = 0; l < DP_LOADER_COUNT; l++) {
        cache_t *cache = &self->caches [l];
        if (cache->n_keys == 0)
            continue;
        pending_t *p = s_pending_new (self);
        p->loader = (dp_loader_id_t) l;
        p->mask = cache->mask;
        p->keys = cache->keys;              //  ownership moves to the pending record
        p->n_keys = cache->n_keys;
        cache->keys = NULL;
        cache->n_keys = cache->cap_keys = 0;
        cache->mask = 0;
        if (dp_loader_is_list (p->loader))
            for (size_t k = 0; k < p->n_keys; k++)
                s_cache_find (cache, p->keys [k])->n_rows = 0;
        dp_msg_t msg = { .type = DP_MSG_LOAD };
        msg.u.load.loader = (uint32_t) l;
        msg.u.load.columns = p->mask;
        msg.u.load.keys = p->keys;
        msg.u.load.n_keys = (uint32_t) p->n_keys;
        s_send (self, &msg, p);
    }
}

//  -------------------------------------------------------------------------
//  Rows

row_t *
dp_exec_make_row (dp_exec_t *exec, const dp_catalog_entry_t *entry, uint64_t mask,
                  const dp_val_t *cells, uint32_t n_cols)
{
    exec->rows_made++;
    row_t *row = dp_arena_alloc (exec->arena, sizeof *row);
    row->cells = dp_arena_calloc (exec->arena, entry->n_columns, sizeof (dp_val_t));
    row->mask = 0;
    row->stamp = 0;
    uint32_t c = 1;             //  cell 0 is the key
    for (size_t col = 0; col < entry->n_columns && c < n_cols; col++)
        if (mask & ((uint64_t) 1 << col)) {
            row->cells [col] = cells [c++];
            row->mask |= (uint64_t) 1 << col;
        }
    return row;
}

//  Copy the columns of a ROWS row into an existing cached row.
static void
s_merge_row (row_t *row, const dp_catalog_entry_t *entry, uint64_t mask, const dp_val_t *cells,
             uint32_t n_cols)
{
    uint32_t c = 1;
    for (size_t col = 0; col < entry->n_columns && c < n_cols; col++)
        if (mask & ((uint64_t) 1 << col)) {
            row->cells [col] = cells [c++];
            row->mask |= (uint64_t) 1 << col;
        }
}

static void
s_store_load (dp_exec_t *self, pending_t *p, const dp_msg_t *rows)
{
    const dp_catalog_entry_t *entry = dp_catalog_loader (p->loader);
    cache_t *cache = &self->caches [p->loader];
    bool list = dp_loader_is_list (p->loader);
    uint32_t n_cols = rows->u.rows.n_cols;
    for (uint32_t r = 0; r < rows->u.rows.n_rows; r++) {
        const dp_val_t *cells = rows->u.rows.cells + (size_t) r * n_cols;
        if (cells [0].type != DP_VAL_INT)
            continue;
        entry_t *e = s_cache_find (cache, cells [0].u.i);
        if (!e)
            continue;           //  a key nobody asked for: ignore
        if (list) {
            if (e->n_rows == e->cap_rows) {
                uint32_t cap = e->cap_rows ? e->cap_rows * 2 : 4;
                row_t **items = dp_arena_alloc (self->arena, cap * sizeof (row_t *));
                if (e->n_rows)
                    memcpy (items, e->rows, e->n_rows * sizeof (row_t *));
                e->rows = items;
                e->cap_rows = cap;
            }
            e->rows [e->n_rows++] = dp_exec_make_row (self, entry, p->mask, cells, n_cols);
        }
        else
        if (e->row)
            s_merge_row (e->row, entry, p->mask, cells, n_cols);
        else
            e->row = dp_exec_make_row (self, entry, p->mask, cells, n_cols);
    }
    for (size_t k = 0; k < p->n_keys; k++) {
        entry_t *e = s_cache_find (cache, p->keys [k]);
        e->loaded = true;
        e->mask |= p->mask;
    }
}

static entry_t *
s_lookup (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell)
{
    if (key_cell->type != DP_VAL_INT)
        return NULL;
    return s_cache_find (&self->caches [loader], key_cell->u.i);
}

const row_t *
dp_exec_dep_row (dp_exec_t *exec, const plan_field_t *pf, size_t dep, const obj_t *obj)
{
    const dep_t *d = &pf->bind->deps [dep];
    entry_t *e = s_lookup (exec, d->loader, &obj->row->cells [d->column]);
    return e ? e->row : NULL;
}

//  -------------------------------------------------------------------------
//  Collect and descend

static const variant_t *
s_variant (const plan_node_t *node, const dp_type_t *type)
{
    for (size_t v = 0; v < node->n_variants; v++)
        if (node->variants [v].object == type)
            return &node->variants [v];
    return NULL;
}

//  False when the binding needs a base-agnostic permission the user lacks.
static bool
s_any_base_allowed (dp_exec_t *self, const dp_binding_t *bind)
{
    if (bind->authz.kind != AUTHZ_ANY_BASE && bind->authz.kind != AUTHZ_ANY_BASE_NULL)
        return true;
    return dp_authz_any_base (&self->authz, bind->authz.permission);
}

//  A base-agnostic permission is missing: FORBIDDEN error (-1), or a
//  silent null (0) where boxtribute answers null.
static int
s_any_base_denied (dp_exec_t *self, const plan_field_t *pf)
{
    if (pf->bind->authz.kind == AUTHZ_ANY_BASE_NULL)
        return 0;
    return dp_exec_forbidden (self, pf, pf->bind->authz.permission);
}

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

size_t
dp_exec_cached_rows (dp_exec_t *exec, dp_loader_id_t loader, int64_t key, row_t ***rows)
{
    entry_t *e = s_cache_find (&exec->caches [loader], key);
    *rows = e ? e->rows : NULL;
    return e ? e->n_rows : 0;
}

const row_t *
dp_exec_cached_row (dp_exec_t *exec, dp_loader_id_t loader, const dp_val_t *key_cell)
{
    entry_t *e = s_lookup (exec, loader, key_cell);
    return e ? e->row : NULL;
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
    if (!s_any_base_allowed (self, bind)) {
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

static void
s_collect_batch (dp_exec_t *self, batch_t *batch)
{
    if (batch->through)
        return;                 //  its needs were sent when the links arrived
    for (size_t o = 0; o < batch->n_objs; o++) {
        const obj_t *obj = &batch->objs [o];
        const variant_t *variant = s_variant (batch->node, obj->type);
        if (!variant)
            continue;
        for (size_t f = 0; f < variant->n_fields; f++) {
            plan_field_t *pf = &variant->fields [f];
            const dp_binding_t *bind = pf->bind;
            switch (bind->kind) {
                case BIND_FK:
                case BIND_REVERSE:
                    if (!s_any_base_allowed (self, bind))
                        break;
                    s_need (self, bind->loader, &obj->row->cells [bind->column],
                            bind->load_mask ? bind->load_mask : pf->child_mask);
                    break;
                case BIND_THROUGH:
                    if (!s_any_base_allowed (self, bind))
                        break;
                    s_need (self, bind->loader, &obj->row->cells [bind->column],
                            (uint64_t) 1 << bind->value_column);
                    break;
                case BIND_LOOKUP:
                    if (!s_any_base_allowed (self, bind))
                        break;
                    s_need (self, bind->loader, &obj->row->cells [bind->column],
                            (uint64_t) 1 << bind->value_column);
                    break;
                case BIND_COMPUTED:
                    for (size_t d = 0; d < bind->n_deps; d++)
                        s_need (self, bind->deps [d].loader, &obj->row->cells [bind->deps [d].column],
                                bind->deps [d].mask);
                    break;
                case BIND_ROOT:
                    bind->collect (self, pf);
                    break;
                case BIND_ROOT_LOAD:
                    s_root_load_collect (self, pf);
                    break;
                default:
                    break;
            }
            if (bind->collect_obj)
                bind->collect_obj (self, pf, obj);
        }
    }
}

//  The concrete type of a row reached through a field of declared type.
static const dp_type_t *
s_concrete (const plan_field_t *pf, const row_t *row)
{
    const dp_type_t *declared = pf->child->type;
    if (declared->kind == DP_TYPE_OBJECT)
        return declared;
    const type_binding_t *tb = declared->binding;
    return tb && tb->resolve_type ? tb->resolve_type (declared, row) : NULL;
}

//  The permission for either of a row's two base columns (shipments: source
//  or target); denied names the first.
static bool
s_either_base (dp_exec_t *self, const authz_t *authz, const row_t *row, char *denied, size_t len)
{
    char other [80];
    int64_t first = row_int (row, authz->base_column), second = row_int (row, authz->base_column2);
    if (dp_authz_base (&self->authz, authz->permission, first, denied, len)
    ||  dp_authz_base (&self->authz, authz->permission, second, other, sizeof other))
        return true;
    //  Refused with the permission held elsewhere: boxtribute names both bases.
    if (dp_authz_any_base (&self->authz, authz->permission))
        snprintf (denied, len, "bases=[%lld, %lld]", (long long) first, (long long) second);
    return false;
}

//  Authorisation on a target row; false when the row must not be shown.
static bool
s_target_allowed (dp_exec_t *self, const dp_binding_t *bind, const row_t *row, char *denied, size_t len)
{
    switch (bind->authz.kind) {
        case AUTHZ_TARGET_BASE_NULL:
        case AUTHZ_TARGET_BASE_ERROR:
        case AUTHZ_FILTER_BASE:
            return dp_authz_base (&self->authz, bind->authz.permission,
                                  row_int (row, bind->authz.base_column), denied, len);
        case AUTHZ_TARGET_EITHER_ERROR:
            return s_either_base (self, &bind->authz, row, denied, len);
        default:
            return true;
    }
}

//  Why a relation shows nothing: silently (null / empty) or with an error
//  the writer reports at the field.
typedef enum { REL_OK, REL_NULL, REL_DENIED } rel_status_t;

//  The rows a relation field offers for obj, before the per-row checks:
//  FK the row its key names, REVERSE the rows under its key, ROOT_LOAD the
//  rows under every key the root resolved (in key order). When the field
//  is denied as a whole, returns REL_DENIED with *description set (the
//  FORBIDDEN text, or the root's own error).
static rel_status_t
s_candidate_rows (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj,
                  row_t ***rows, size_t *n_rows, row_t **single, char *description, size_t len,
                  const char **code)
{
    const dp_binding_t *bind = pf->bind;
    *rows = NULL;
    *n_rows = 0;
    *code = "FORBIDDEN";
    if (bind->kind == BIND_ROOT_LOAD) {
        root_load_t *root = pf->root_state;
        if (!root || root->failed) {
            snprintf (description, len, "%s", root ? root->description : "not resolved");
            *code = root ? root->code : "INTERNAL_SERVER_ERROR";
            return REL_DENIED;
        }
        dp_loader_id_t loaders [2] = { root->loader, bind->loader2 };
        size_t n_loaders = bind->has_loader2 && root->loader == bind->loader ? 2 : 1;
        size_t total = 0;
        for (size_t l = 0; l < n_loaders; l++)
            for (size_t k = 0; k < root->n_keys; k++) {
                entry_t *e = s_cache_find (&self->caches [loaders [l]], root->keys [k]);
                total += !e ? 0 : dp_loader_is_list (loaders [l]) ? e->n_rows : (e->row != NULL);
            }
        row_t **all = dp_arena_alloc (self->arena, (total + 1) * sizeof (row_t *));
        size_t n = 0;
        for (size_t l = 0; l < n_loaders; l++)
            for (size_t k = 0; k < root->n_keys; k++) {
                entry_t *e = s_cache_find (&self->caches [loaders [l]], root->keys [k]);
                if (!e)
                    continue;
                if (dp_loader_is_list (loaders [l]))
                    for (uint32_t r = 0; r < e->n_rows; r++)
                        all [n++] = e->rows [r];
                else
                if (e->row)
                    all [n++] = e->row;
            }
        if (n_loaders == 2)
            n = s_unique_by_id (all, n);
        *rows = all;
        *n_rows = n;
        return REL_OK;
    }
    //  A null key is null without authorisation (boxtribute's loaders check
    //  permissions inside the batch, which a null key never reaches).
    if (obj->row->cells [bind->column].type == DP_VAL_NIL)
        return REL_NULL;
    if (!s_any_base_allowed (self, bind)) {
        if (bind->authz.kind == AUTHZ_ANY_BASE_NULL)
            return REL_NULL;
        snprintf (description, len, "You don't have access to '%s'", bind->authz.permission);
        return REL_DENIED;
    }
    if (bind->authz.kind == AUTHZ_PARENT_BASE_ERROR || bind->authz.kind == AUTHZ_PARENT_EITHER_ERROR) {
        char denied [80];
        bool allowed = bind->authz.kind == AUTHZ_PARENT_BASE_ERROR
            ? dp_authz_base (&self->authz, bind->authz.permission,
                             row_int (obj->row, bind->authz.base_column), denied, sizeof denied)
            : s_either_base (self, &bind->authz, obj->row, denied, sizeof denied);
        if (!allowed) {
            snprintf (description, len, "You don't have access to '%s'", denied);
            return REL_DENIED;
        }
    }
    entry_t *e = s_lookup (self, bind->loader, &obj->row->cells [bind->column]);
    if (!e)
        return REL_OK;          //  nothing under that key: null, or an empty list
    if (bind->kind == BIND_FK) {
        *single = e->row;
        *rows = single;
        *n_rows = e->row ? 1 : 0;
    }
    else {
        *rows = e->rows;
        *n_rows = e->n_rows;
    }
    return REL_OK;
}

//  Per-row checks of a relation: the binding's filter, then authorisation
//  on the row's own base. False hides the row (denied names what failed).
static bool
s_row_visible (dp_exec_t *self, const dp_binding_t *bind, const plan_field_t *pf, const row_t *row,
               char *denied, size_t len)
{
    if (bind->keep && !bind->keep (pf, row)) {
        denied [0] = 0;
        return false;
    }
    return s_target_allowed (self, bind, row, denied, len);
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

//  The link rows a THROUGH field has for obj (its link loader, by obj's key).
static entry_t *
s_links (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    return s_lookup (self, pf->bind->loader, &obj->row->cells [pf->bind->column]);
}

//  The targets of obj's links that the user may see, ordered by id; in arena.
static size_t
s_through_targets (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj, obj_t **targets)
{
    const dp_binding_t *bind = pf->bind;
    entry_t *links = s_links (self, pf, obj);
    size_t n_links = links ? links->n_rows : 0;
    obj_t *out = dp_arena_alloc (self->arena, (n_links + 1) * sizeof (obj_t));
    size_t n = 0;
    char denied [80];
    for (size_t l = 0; l < n_links; l++) {
        entry_t *e = s_lookup (self, bind->target_loader, &links->rows [l]->cells [bind->value_column]);
        row_t *row = e ? e->row : NULL;
        if (!row || !s_row_visible (self, bind, pf, row, denied, sizeof denied))
            continue;
        const dp_type_t *type = s_concrete (pf, row);
        if (!type)
            continue;
        //  Insertion by id, once each: a box has a handful of tags.
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = out [i].row == row;
        if (seen)
            continue;
        size_t at = n;
        while (at > 0 && row_int (out [at - 1].row, 0) > row_int (row, 0)) {
            out [at] = out [at - 1];
            at--;
        }
        out [at].type = type;
        out [at].row = row;
        out [at].synthetic = NULL;
        n++;
    }
    *targets = out;
    return n;
}

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
        if (s_variant (batch->node, obj->type) != variant)
            continue;
        entry_t *links = s_links (self, pf, obj);
        if (!links || links->n_rows == 0)
            continue;
        for (uint32_t l = 0; l < links->n_rows; l++)
            s_need (self, bind->target_loader, &links->rows [l]->cells [bind->value_column],
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
        size_t n_targets = s_through_targets (self, pf, &batch->objs [o], &targets);
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
    for (size_t o = 0; o < batch->n_objs; o++) {
        const obj_t *obj = &batch->objs [o];
        if (s_variant (batch->node, obj->type) != variant)
            continue;
        row_t *single = NULL;
        row_t **rows = NULL;
        size_t n_rows = 0;
        obj_t *synthetic = NULL;
        size_t n_synthetic = 0;
        if (s_is_relation (bind)) {
            char description [160];
            const char *code;
            if (s_candidate_rows (self, pf, obj, &rows, &n_rows, &single, description,
                                  sizeof description, &code) != REL_OK)
                continue;
        }
        else
        if (bind->children)
            bind->children (self, pf, obj, &synthetic, &n_synthetic);
        size_t add = n_rows + n_synthetic;
        s_objs_reserve (self, &children, &cap, n, add);
        for (size_t r = 0; r < n_rows; r++) {
            row_t *row = rows [r];
            if (row->stamp == stamp || !s_row_visible (self, bind, pf, row, denied, sizeof denied))
                continue;
            row->stamp = stamp;
            const dp_type_t *type = s_concrete (pf, row);
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
}

static void
s_descend (dp_exec_t *self, batches_t *next)
{
    for (size_t b = 0; b < self->batches.n; b++) {
        const batch_t *batch = &self->batches.items [b];
        if (batch->through) {
            s_through_yield (self, batch, next);
            continue;
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
}

//  -------------------------------------------------------------------------
//  Writing

static void
s_path_json (dp_exec_t *self, dp_json_writer_t *w)
{
    dp_json_writer_char (w, '[');
    for (size_t i = 0; i < self->path_len; i++) {
        if (i)
            dp_json_writer_char (w, ',');
        if (self->path [i].key)
            dp_json_writer_cstr (w, self->path [i].key);
        else
            dp_json_writer_int (w, (int64_t) self->path [i].index);
    }
    dp_json_writer_char (w, ']');
}

void
dp_exec_field_error (dp_exec_t *exec, const plan_field_t *pf, const char *code,
                     const char *description, const char *fmt, ...)
{
    if (exec->n_errors >= 1000)
        return;                 //  enough to tell the story; the rest are alike
    exec_error_t *error = dp_arena_calloc (exec->arena, 1, sizeof *error);
    char text [500];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    error->message = dp_arena_strdup (exec->arena, text);
    error->loc = pf->loc;
    error->has_loc = true;
    dp_json_writer_t path;
    dp_json_writer_init (&path, 128);
    s_path_json (exec, &path);
    error->path_json = dp_arena_strndup (exec->arena, path.data, path.len);
    dp_json_writer_release (&path);
    error->code = code;
    error->description = description ? dp_arena_strdup (exec->arena, description) : NULL;
    if (exec->errors_tail)
        exec->errors_tail->next = error;
    else
        exec->errors = error;
    exec->errors_tail = error;
    exec->n_errors++;
}

int
dp_exec_forbidden (dp_exec_t *exec, const plan_field_t *pf, const char *denied)
{
    char description [240];
    snprintf (description, sizeof description, "You don't have access to '%s'", denied);
    dp_exec_field_error (exec, pf, "FORBIDDEN", description, "%s", description);
    return -1;
}

int
dp_exec_not_found (dp_exec_t *exec, const plan_field_t *pf)
{
    const char *text = "The requested resource does not exist in the database.";
    dp_exec_field_error (exec, pf, "BAD_USER_INPUT", text, "%s", text);
    return -1;
}

static int s_write_object (dp_exec_t *self, const plan_node_t *node, const obj_t *obj);

static int
s_write_scalar (dp_exec_t *self, const plan_field_t *pf, const dp_val_t *cell, const dp_binding_t *bind)
{
    dp_json_writer_t *out = &self->out;
    if (cell->type == DP_VAL_NIL)
        return 0;
    switch (bind->conv) {
        case CONV_ID:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_char (out, '"');
                dp_json_writer_int (out, cell->u.i);
                dp_json_writer_char (out, '"');
                return 1;
            }
            break;
        case CONV_INT:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_int (out, cell->u.i);
                return 1;
            }
            break;
        case CONV_FLOAT:
            if (cell->type == DP_VAL_DOUBLE) {
                dp_json_writer_double (out, cell->u.d);
                return 1;
            }
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_double (out, (double) cell->u.i);
                return 1;
            }
            break;
        case CONV_BOOL:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_bool (out, cell->u.i != 0);
                return 1;
            }
            break;
        case CONV_STRING:
        case CONV_DATETIME:
        case CONV_DATE:
            if (cell->type == DP_VAL_STR) {
                dp_json_writer_string (out, cell->u.s.ptr, cell->u.s.len);
                return 1;
            }
            break;
        case CONV_ENUM_INT:
            if (cell->type == DP_VAL_INT && cell->u.i >= 0 && (size_t) cell->u.i < bind->n_int_names
            &&  bind->int_names [cell->u.i]) {
                dp_json_writer_cstr (out, bind->int_names [cell->u.i]);
                return 1;
            }
            break;
        case CONV_ENUM_STR:
            if (cell->type == DP_VAL_STR)
                for (size_t i = 0; bind->str_pairs [i]; i += 2)
                    if (strcmp (bind->str_pairs [i], cell->u.s.ptr) == 0) {
                        dp_json_writer_cstr (out, bind->str_pairs [i + 1]);
                        return 1;
                    }
            break;
    }
    dp_exec_field_error (self, pf, "INTERNAL_SERVER_ERROR", NULL,
                         "Field \"%s\" has a value Depot cannot represent.", pf->key);
    return -1;
}

//  Write one item of a composite value; returns 1/0/-1.
static int
s_write_item (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    return s_write_object (self, pf->child, obj);
}

//  The element type reference of a list field (under a non-null).
static const dp_type_ref_t *
s_unwrap (const dp_type_ref_t *ref)
{
    return ref->kind == DP_REF_NON_NULL ? ref->of : ref;
}

static int
s_write_list (dp_exec_t *self, const plan_field_t *pf, obj_t *objs, size_t n)
{
    const dp_type_ref_t *list = s_unwrap (pf->field->type);
    bool item_non_null = list->kind == DP_REF_LIST && list->of->kind == DP_REF_NON_NULL;
    dp_json_writer_char (&self->out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            dp_json_writer_char (&self->out, ',');
        size_t start = self->out.len;
        if (self->path_len < MAX_PATH) {
            self->path [self->path_len].key = NULL;
            self->path [self->path_len].index = i;
        }
        self->path_len++;
        int r = s_write_item (self, pf, &objs [i]);
        if (r != 1) {
            dp_json_writer_truncate (&self->out, start);
            if (item_non_null) {
                if (r == 0)
                    dp_exec_field_error (self, pf, NULL, NULL,
                                         "Cannot return null for non-nullable field %s.%s.",
                                         pf->field ? "" : "", pf->key);
                self->path_len--;
                return -1;
            }
            dp_json_writer_null (&self->out);
        }
        self->path_len--;
    }
    dp_json_writer_char (&self->out, ']');
    return 1;
}

int
dp_exec_write_children (dp_exec_t *exec, const plan_field_t *pf, obj_t *objs, size_t n, bool list)
{
    if (list)
        return s_write_list (exec, pf, objs, n);
    if (n == 0)
        return 0;
    return s_write_item (exec, pf, &objs [0]);
}

//  A root field's object by id that the database does not have: an error,
//  as boxtribute's get_by_id answers. When the object is itself a base (its
//  base column is its id, column 0: base(id)), the id is the base, and the
//  caller's access to it is checked first, as boxtribute does.
static int
s_write_not_found (dp_exec_t *self, const plan_field_t *pf)
{
    const dp_binding_t *bind = pf->bind;
    const root_load_t *root = pf->root_state;
    char denied [80];
    if (bind->authz.kind == AUTHZ_TARGET_BASE_ERROR && bind->authz.base_column == 0
    &&  root->n_keys == 1
    &&  !dp_authz_base (&self->authz, bind->authz.permission, root->keys [0], denied, sizeof denied))
        return dp_exec_forbidden (self, pf, denied);
    return dp_exec_not_found (self, pf);
}

//  A relation's objects from the cache, authorised, for writing.
static int
s_write_relation (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    const dp_binding_t *bind = pf->bind;
    row_t *single = NULL;
    row_t **rows;
    size_t n_rows;
    char description [200];
    const char *code;
    rel_status_t status = s_candidate_rows (self, pf, obj, &rows, &n_rows, &single,
                                            description, sizeof description, &code);
    if (status == REL_NULL)
        return 0;
    if (status == REL_DENIED) {
        dp_exec_field_error (self, pf, code, description, "%s", description);
        return -1;
    }
    char denied [80];
    if (s_unwrap (pf->field->type)->kind != DP_REF_LIST) {
        if (n_rows == 0 && bind->kind == BIND_ROOT_LOAD && bind->key_source == KEYS_ARGUMENT)
            return s_write_not_found (self, pf);
        if (n_rows == 0)
            return 0;
        //  The first row the field's filter keeps (a single object picked from
        //  a list, as Query.transferAgreement), then its authorisation.
        size_t pick = 0;
        while (bind->keep && pick + 1 < n_rows && !bind->keep (pf, rows [pick]))
            pick++;
        const row_t *row = rows [pick];
        if (!s_row_visible (self, bind, pf, row, denied, sizeof denied)) {
            if ((bind->authz.kind != AUTHZ_TARGET_BASE_ERROR
                 && bind->authz.kind != AUTHZ_TARGET_EITHER_ERROR) || !denied [0])
                return 0;
            return dp_exec_forbidden (self, pf, denied);
        }
        obj_t child = { .type = s_concrete (pf, row), .row = (row_t *) row };
        if (!child.type)
            return 0;
        return s_write_object (self, pf->child, &child);
    }
    obj_t *objs = dp_arena_alloc (self->arena, (n_rows + 1) * sizeof (obj_t));
    size_t n = 0;
    for (size_t r = 0; r < n_rows; r++) {
        if (!s_row_visible (self, bind, pf, rows [r], denied, sizeof denied))
            continue;
        objs [n].type = s_concrete (pf, rows [r]);
        objs [n].row = rows [r];
        objs [n].synthetic = NULL;
        if (objs [n].type)
            n++;
    }
    return s_write_list (self, pf, objs, n);
}

//  The value of one field of obj; returns 1 (written), 0 (null) or -1
//  (null with an error already recorded).
static int
s_write_value (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    const dp_binding_t *bind = pf->bind;
    if (!pf->field) {
        dp_json_writer_cstr (&self->out, obj->type->name);
        return 1;
    }
    switch (bind->kind) {
        case BIND_COLUMN:
            if (!s_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            return s_write_scalar (self, pf, &obj->row->cells [bind->column], bind);
        case BIND_LOOKUP: {
            if (obj->row->cells [bind->column].type == DP_VAL_NIL)
                return 0;
            if (!s_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            entry_t *e = s_lookup (self, bind->loader, &obj->row->cells [bind->column]);
            if ((!e || !e->row) && bind->zero_if_missing) {
                dp_json_writer_int (&self->out, 0);
                return 1;
            }
            if (!e || !e->row)
                return 0;
            return s_write_scalar (self, pf, &e->row->cells [bind->value_column], bind);
        }
        case BIND_FK:
        case BIND_REVERSE:
        case BIND_ROOT_LOAD:
            return s_write_relation (self, pf, obj);
        case BIND_THROUGH: {
            if (!s_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            obj_t *targets;
            size_t n = s_through_targets (self, pf, obj, &targets);
            return s_write_list (self, pf, targets, n);
        }
        case BIND_COMPUTED:
            return bind->write (self, pf, obj);
        case BIND_SYNTHETIC:
        case BIND_ROOT:
            if (bind->write)
                return bind->write (self, pf, obj);
            if (bind->children) {
                obj_t *children = NULL;
                size_t n = 0;
                bind->children (self, pf, obj, &children, &n);
                return dp_exec_write_children (self, pf, children, n, bind->list);
            }
            return 0;
        case BIND_NONE:
        default:
            dp_exec_field_error (self, pf, "NOT_IMPLEMENTED", NULL,
                                 "Field \"%s.%s\" is not served by this version of Depot.",
                                 obj->type->name, pf->field->name);
            return -1;
    }
}

//  "key": value, with nullability applied. Returns 0, or -1 to propagate
//  a null to the enclosing object.
static int
s_write_field (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_t *out = &self->out;
    dp_json_writer_cstr (out, pf->key);
    dp_json_writer_char (out, ':');
    size_t value_start = out->len;
    if (self->path_len < MAX_PATH) {
        self->path [self->path_len].key = pf->key;
        self->path [self->path_len].index = 0;
    }
    self->path_len++;
    int r = s_write_value (self, pf, obj);
    int result = 0;
    if (r != 1) {
        dp_json_writer_truncate (out, value_start);
        bool non_null = pf->field && pf->field->type->kind == DP_REF_NON_NULL;
        if (non_null) {
            if (r == 0)
                dp_exec_field_error (self, pf, NULL, NULL, "Cannot return null for non-nullable field %s.%s.",
                                     obj->type->name, pf->field->name);
            result = -1;
        }
        else
            dp_json_writer_null (out);
    }
    self->path_len--;
    return result;
}

static int
s_write_object (dp_exec_t *self, const plan_node_t *node, const obj_t *obj)
{
    const variant_t *variant = s_variant (node, obj->type);
    if (!variant)
        return 0;
    dp_json_writer_char (&self->out, '{');
    for (size_t f = 0; f < variant->n_fields; f++) {
        if (f)
            dp_json_writer_char (&self->out, ',');
        if (s_write_field (self, &variant->fields [f], obj))
            return -1;
    }
    dp_json_writer_char (&self->out, '}');
    return 1;
}

static void
s_write_errors (dp_exec_t *self)
{
    dp_json_writer_t *out = &self->out;
    dp_json_writer_raw (out, ",\"errors\":[", 11);
    for (exec_error_t *e = self->errors; e; e = e->next) {
        if (e != self->errors)
            dp_json_writer_char (out, ',');
        dp_json_writer_raw (out, "{\"message\":", 11);
        dp_json_writer_cstr (out, e->message);
        if (e->has_loc) {
            char text [64];
            int n = snprintf (text, sizeof text, ",\"locations\":[{\"line\":%u,\"column\":%u}]",
                              e->loc.line, e->loc.column);
            dp_json_writer_raw (out, text, (size_t) n);
        }
        if (e->path_json) {
            dp_json_writer_raw (out, ",\"path\":", 8);
            dp_json_writer_raw (out, e->path_json, strlen (e->path_json));
        }
        if (e->code) {
            dp_json_writer_raw (out, ",\"extensions\":{\"code\":", 22);
            dp_json_writer_cstr (out, e->code);
            if (e->description) {
                dp_json_writer_raw (out, ",\"description\":", 15);
                dp_json_writer_cstr (out, e->description);
            }
            dp_json_writer_char (out, '}');
        }
        dp_json_writer_char (out, '}');
    }
    dp_json_writer_char (out, ']');
}

static void
s_write_result (dp_exec_t *self)
{
    dp_json_writer_t *out = &self->out;
    dp_json_writer_truncate (out, 0);
    dp_json_writer_raw (out, "{\"data\":", 8);
    size_t data_start = out->len;
    if (s_write_object (self, self->root, &self->root_obj) != 1) {
        dp_json_writer_truncate (out, data_start);
        dp_json_writer_null (out);
    }
    if (self->errors)
        s_write_errors (self);
    if (self->flags & DP_EXECUTE_DEBUG) {
        char text [128];
        int n = snprintf (text, sizeof text, ",\"extensions\":{\"debug\":{\"sqlStatements\":%u,\"waves\":%u%s}}",
                          self->statements, self->wave,
                          self->written_elsewhere ? ",\"lowPriorityWrite\":true" : "");
        dp_json_writer_raw (out, text, (size_t) n);
    }
    dp_json_writer_char (out, '}');
    self->http_status = 200;
    self->done = true;
}

//  -------------------------------------------------------------------------
//  The wave loop

static void
s_advance (dp_exec_t *self)
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
            if (self->batches.n == 0) {
                //  A large answer is written away from the actor (dp_writer).
                if (self->env->large_answer_rows && self->rows_made > self->env->large_answer_rows) {
                    self->wants_writer = true;
                    return;
                }
                s_write_result (self);
                return;
            }
        }
        if (self->wave == 0)
            self->wave = 1;
        dp_debug ("request %s: wave %u starts at %lld us", self->trace_id, self->wave,
                  (long long) zclock_usecs ());
        for (size_t b = 0; b < self->batches.n; b++)
            s_collect_batch (self, &self->batches.items [b]);
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
    s_copy_identity (self, &execute->u.execute.identity);

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
    dp_variables_t *coerced = operation
        ? dp_msg_variables_decode (execute->u.execute.variables, execute->u.execute.n_variables,
                                   operation, self->env->schema, self->arena, err, sizeof err)
        : NULL;
    if (!coerced) {
        s_finish_request_error (self, 400, err, NULL, NULL);
        return;
    }
    dp_plan_error_t plan_error;
    self->root = dp_plan_build (self->arena, self->env->schema, self->doc, operation, coerced, &plan_error);
    if (!self->root) {
        s_finish_request_error (self, 400, plan_error.message, &plan_error.loc, NULL);
        return;
    }
    self->root_obj.type = self->root->type;
    batch_t root_batch = { .node = self->root, .objs = &self->root_obj, .n_objs = 1 };
    s_batch_add (self, &self->batches, root_batch.node, root_batch.objs, 1);
    s_advance (self);
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
    if (reply->type == DP_MSG_ROWS) {
        self->statements += reply->u.rows.statements;
        if (p->is_query)
            p->done (self, p->pf, p->slot, reply, NULL);
        else
            s_store_load (self, p, reply);
    }
    else {
        uint32_t status = reply->type == DP_MSG_ERROR ? reply->u.error.status : DP_STATUS_INTERNAL;
        const char *text = reply->type == DP_MSG_ERROR ? reply->u.error.message : "unexpected reply";
        dp_warn ("request %s: db-svc answered %u: %s", self->trace_id, status, text);
        if (status == DP_STATUS_TIMEOUT)
            s_set_fatal (self, 504, "The request took longer than its deadline.");
        else
        if (status == DP_STATUS_UNAVAILABLE)
            s_set_fatal (self, 503, "The database is not available right now; retry later.");
        else
            s_set_fatal (self, 500, "The database failed to perform the requested action.");
    }
    s_advance (self);
}
