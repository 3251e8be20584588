/*  =========================================================================
    dp_validate - validation of an executable document against a schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The error list and dp_validate itself: a validation context
    (dp_validation_context.c) over the document, Depot's limits first,
    then one walk of the document in which every rule sees every node, in
    the order of dp_specified_rules, with TypeInfo updated around them
    (graphql-js's visitInParallel inside visitWithTypeInfo); and the cache
    of documents known to be valid.
@discuss
    Everything a validation allocates lives in the context's arena, freed
    when it returns; the errors are copied into the caller's list.
    graphql-js's two work budgets are kept (50,000 units of fragment work
    in the context, 500,000 comparisons in OverlappingFieldsCanBeMerged):
    a document that spends one gets "Validation aborted." as graphql-js's
    does, so hostile fragment graphs cost bounded time.
@end
*/
#include "dp_validation_rules.h"
#include "dp_parser.h"
#include "dp_log.h"
#include "dp_error.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include <assert.h>

#define S_KINDS (DP_NODE_ENUM_VALUE_DEF + 1)

struct _dp_validation_errors_t {
    dp_arena_t *arena;              //  messages and locations
    dp_validation_error_t *items;   //  malloc'd array
    size_t count;
    size_t capacity;
};
//  ---------------------------------------------------------------------
//  Errors

dp_validation_errors_t *
dp_validation_errors_new (void)
{
    dp_validation_errors_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->arena = dp_arena_new (4096);
    return self;
}

void
dp_validation_errors_destroy (dp_validation_errors_t **self_p)
{
    assert (self_p);
    dp_validation_errors_t *self = *self_p;
    if (!self)
        return;
    dp_arena_destroy (&self->arena);
    free (self->items);
    free (self);
    *self_p = NULL;
}

void
dp_validation_errors_reset (dp_validation_errors_t *self)
{
    dp_arena_reset (self->arena);
    self->count = 0;
}

size_t
dp_validation_errors_size (const dp_validation_errors_t *self)
{
    return self->count;
}

const dp_validation_error_t *
dp_validation_errors_at (const dp_validation_errors_t *self, size_t index)
{
    return index < self->count ? &self->items [index] : NULL;
}

//  The context's on_error: the error joins the list (message and
//  locations copied).
static void
s_errors_add (void *self_, const char *message, const dp_loc_t *locations, size_t n_locations)
{
    dp_validation_errors_t *self = self_;
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 16;
        dp_validation_error_t *items = realloc (self->items, capacity * sizeof *items);
        if (!items)
            dp_fatal ("out of memory");
        self->items = items;
        self->capacity = capacity;
    }
    dp_validation_error_t *error = &self->items [self->count++];
    error->message = dp_arena_strdup (self->arena, message);
    dp_loc_t *copy = dp_arena_alloc (self->arena, (n_locations ? n_locations : 1) * sizeof *copy);
    if (n_locations)
        memcpy (copy, locations, n_locations * sizeof *copy);
    error->locations = copy;
    error->n_locations = n_locations;
}

void
dp_validation_errors_write (const dp_validation_errors_t *self, dp_json_writer_t *writer)
{
    dp_json_writer_char (writer, '[');
    for (size_t i = 0; i < self->count; i++) {
        const dp_validation_error_t *item = &self->items [i];
        dp_error_t error = { .message = item->message, .locations = item->locations,
                             .n_locations = item->n_locations };
        if (i)
            dp_json_writer_char (writer, ',');
        dp_error_write (&error, DP_ERROR_KEYS_GRAPHQL_JS, writer);
    }
    dp_json_writer_char (writer, ']');
}

void
dp_validate_limits_default (dp_validate_limits_t *limits)
{
    limits->max_errors = 100;
    limits->max_depth = 20;
    limits->max_aliases = 100;
    limits->max_fields = 2000;
    limits->max_cost = 100000;
    limits->max_variables = 100;
}
//  ---------------------------------------------------------------------
//  The walk: every rule at every node, TypeInfo around them

typedef struct {
    dp_vctx_t *ctx;
    dp_rule_t *rules;
    size_t n_rules;
    const dp_node_t **skipping;     //  per rule: the node whose subtree it skips
    size_t *by_kind [S_KINDS];      //  per node kind: the rules that look at it, in order
    size_t n_by_kind [S_KINDS];
} s_parallel_t;

static dp_visit_t
s_parallel_enter (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_parallel_t *self = self_;
    dp_type_info_enter (dp_vctx_type_info (self->ctx), node);
    for (size_t k = 0; k < self->n_by_kind [node->kind]; k++) {
        size_t i = self->by_kind [node->kind][k];
        if (self->skipping [i] || !self->rules [i].enter)
            continue;
        dp_visit_t action = self->rules [i].enter (self->rules [i].self, self->ctx, node, path);
        if (action == DP_VISIT_SKIP)
            self->skipping [i] = node;
        if (dp_vctx_aborted (self->ctx))
            return DP_VISIT_BREAK;
    }
    return DP_VISIT_CONTINUE;
}

static dp_visit_t
s_parallel_leave (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_parallel_t *self = self_;
    for (size_t k = 0; k < self->n_by_kind [node->kind]; k++) {
        size_t i = self->by_kind [node->kind][k];
        if (self->skipping [i]) {
            if (self->skipping [i] == node)
                self->skipping [i] = NULL;
            continue;
        }
        if (self->rules [i].leave)
            self->rules [i].leave (self->rules [i].self, self->ctx, node, path);
        if (dp_vctx_aborted (self->ctx))
            return DP_VISIT_BREAK;
    }
    dp_type_info_leave (dp_vctx_type_info (self->ctx), node);
    return DP_VISIT_CONTINUE;
}

size_t
dp_validate_rules (dp_schema_t *schema, const dp_ast_document_t *doc,
                   const dp_validate_limits_t *limits,
                   const dp_rule_entry_t *rules, size_t n_rules,
                   dp_validation_errors_t *errors)
{
    assert (schema);
    assert (doc);
    assert (errors);
    dp_vctx_t *ctx = dp_vctx_new (schema, doc, limits ? limits->max_errors : 100,
                                  s_errors_add, errors);
    dp_arena_t *arena = dp_vctx_arena (ctx);

    //  Depot's limits first: a document over one is not walked at all.
    if (!limits || dp_query_limits_check (ctx, limits) == 0) {
        s_parallel_t parallel = { .ctx = ctx, .n_rules = n_rules };
        parallel.rules = dp_arena_calloc (arena, n_rules + 1, sizeof (dp_rule_t));
        parallel.skipping = dp_arena_calloc (arena, n_rules + 1, sizeof (dp_node_t *));
        for (size_t i = 0; i < n_rules; i++)
            parallel.rules [i] = rules [i].create (ctx);
        //  Each node kind calls only the rules that look at it.
        for (size_t kind = 0; kind < S_KINDS; kind++) {
            parallel.by_kind [kind] = dp_arena_alloc (arena, (n_rules + 1) * sizeof (size_t));
            for (size_t i = 0; i < n_rules; i++)
                if (!parallel.rules [i].kinds || (parallel.rules [i].kinds & DP_KIND (kind)))
                    parallel.by_kind [kind][parallel.n_by_kind [kind]++] = i;
        }
        dp_visitor_t visitor = { s_parallel_enter, s_parallel_leave, &parallel };
        dp_node_t root = dp_node_document (doc);
        dp_visit (&root, &visitor);
    }
    size_t reported = dp_vctx_reported (ctx);
    dp_vctx_destroy (&ctx);
    return reported;
}

size_t
dp_validate (dp_schema_t *schema, const dp_ast_document_t *doc,
             const dp_validate_limits_t *limits, dp_validation_errors_t *errors)
{
    return dp_validate_rules (schema, doc, limits, dp_specified_rules, dp_specified_rules_count,
                              errors);
}

//  ---------------------------------------------------------------------
//  The cache of valid documents

typedef struct {
    uint64_t hash;
    size_t len;
    char *text;                     //  malloc'd; NULL: empty slot
} s_cached_doc_t;

struct _dp_validation_cache_t {
    pthread_mutex_t mutex;
    s_cached_doc_t *slots;
    size_t capacity;
    size_t next;                    //  the slot replaced next (oldest first)
    size_t max_len;
};

static uint64_t
s_text_hash (const char *text, size_t len)
{
    uint64_t hash = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char) text [i]) * 1099511628211ULL;
    return hash;
}

dp_validation_cache_t *
dp_validation_cache_new (size_t capacity, size_t max_len)
{
    assert (capacity > 0);
    dp_validation_cache_t *self = calloc (1, sizeof *self);
    if (!self || !(self->slots = calloc (capacity, sizeof *self->slots)))
        dp_fatal ("out of memory");
    pthread_mutex_init (&self->mutex, NULL);
    self->capacity = capacity;
    self->max_len = max_len;
    return self;
}

void
dp_validation_cache_destroy (dp_validation_cache_t **self_p)
{
    assert (self_p);
    dp_validation_cache_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->capacity; i++)
        free (self->slots [i].text);
    free (self->slots);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

bool
dp_validation_cache_has (dp_validation_cache_t *self, const char *text, size_t len)
{
    if (len > self->max_len)
        return false;
    uint64_t hash = s_text_hash (text, len);
    bool found = false;
    pthread_mutex_lock (&self->mutex);
    for (size_t i = 0; i < self->capacity && !found; i++) {
        const s_cached_doc_t *slot = &self->slots [i];
        found = slot->text && slot->hash == hash && slot->len == len
             && memcmp (slot->text, text, len) == 0;
    }
    pthread_mutex_unlock (&self->mutex);
    return found;
}

void
dp_validation_cache_add (dp_validation_cache_t *self, const char *text, size_t len)
{
    if (len > self->max_len)
        return;
    char *copy = malloc (len ? len : 1);
    if (!copy)
        dp_fatal ("out of memory");
    memcpy (copy, text, len);
    uint64_t hash = s_text_hash (text, len);
    pthread_mutex_lock (&self->mutex);
    s_cached_doc_t *slot = &self->slots [self->next];
    self->next = (self->next + 1) % self->capacity;
    char *old = slot->text;
    slot->hash = hash;
    slot->len = len;
    slot->text = copy;
    pthread_mutex_unlock (&self->mutex);
    free (old);
}
