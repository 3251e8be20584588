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

#define MAX_PATH 300

//  A LOAD or QUERY sent and its answer awaited.
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

//  A batch: objects waiting to have one plan node's fields resolved.
typedef struct {
    plan_node_t *node;
    obj_t *objs;
    size_t n_objs;
    plan_field_t *through;      //  set: the links of `through` are loaded and its targets are
                                //  being loaded; the next descend yields the targets as a batch
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
    struct _exec_error_t *next;
} exec_error_t;

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
    pending_t *pending;         //  requests sent (malloc'd array)
    size_t n_pending, cap_pending;
    size_t outstanding;
    uint32_t statements;
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

//  -------------------------------------------------------------------------
//  dp_exec_rows.c: the rows a field of an object shows

//  The cached row or rows under a key cell (none when the cell is not an
//  INT); borrowed.
row_t *dp_exec_lookup_row (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell);
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
