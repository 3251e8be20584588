/*  =========================================================================
    dp_exec_hooks - what a field hook may ask of the request it runs in

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The narrow API of dp_exec_t for the mapping's hooks (computed,
    synthetic and root fields): the request's arena, authorisation and
    output, its cache, root QUERYs, and errors at the field. The request's
    own state stays private to dp_exec*.c.
@end
*/
#ifndef DP_EXEC_HOOKS_H_INCLUDED
#define DP_EXEC_HOOKS_H_INCLUDED

#include "dp_exec.h"
#include "dp_plan.h"
#include "dp_msg.h"
#include "dp_catalog.h"
#include "dp_json_writer.h"
#include "dp_authz.h"

//  Per-request state; defined in dp_exec.c, used by the hooks through
//  these functions (and dp_exec_arena, dp_exec.h).
dp_authz_t *dp_exec_authz (dp_exec_t *exec);
dp_json_writer_t *dp_exec_out (dp_exec_t *exec);

//  Queue a root QUERY for the current wave (from a root's collect hook), or
//  for the coming one (from its children hook, which must then give the
//  children that wait for it); when its ROWS arrive, `done` runs with them
//  (or with NULL and an error message).
typedef void (*query_done_fn_t) (dp_exec_t *exec, plan_field_t *pf, void *slot,
                                 const dp_msg_t *rows, const char *error);
void dp_exec_query (dp_exec_t *exec, dp_query_id_t query, uint64_t columns,
                    dp_val_t *args, uint32_t n_args, plan_field_t *pf, void *slot,
                    query_done_fn_t done);

//  Record an error at the field being resolved or written (path filled
//  by the writer when writing; NULL path in wave 0).
void dp_exec_field_error (dp_exec_t *exec, const plan_field_t *pf, const char *code,
                          const char *description, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

//  Record boxtribute's FORBIDDEN error ("You don't have access to
//  '<denied>'") or its not-found BAD_USER_INPUT at the field; both return
//  -1, as a write hook that recorded an error does.
int dp_exec_forbidden (dp_exec_t *exec, const plan_field_t *pf, const char *denied);
int dp_exec_not_found (dp_exec_t *exec, const plan_field_t *pf);

//  Write a composite value: one object (n == 1 and !list) or a list,
//  through pf's child plan. Returns 1/0/-1 as write_fn_t.
int dp_exec_write_children (dp_exec_t *exec, const plan_field_t *pf, obj_t *objs, size_t n, bool list);

//  Ask for (loader, key) with at least mask columns in the coming wave (from
//  a children hook, which runs as a wave ends).
void dp_exec_need (dp_exec_t *exec, dp_loader_id_t loader, int64_t key, uint64_t mask);

//  The cached rows of a list loader under key (borrowed); returns the count.
size_t dp_exec_cached_rows (dp_exec_t *exec, dp_loader_id_t loader, int64_t key, row_t ***rows);

//  The cached row of a single-row loader under key_cell, or NULL.
const row_t *dp_exec_cached_row (dp_exec_t *exec, dp_loader_id_t loader, const dp_val_t *key_cell);

//  The max page size (configured), read by the boxes root hook.
int64_t dp_exec_max_page_size (dp_exec_t *exec);

//  The rows under a synthetic page: set by the page hooks.
row_t *dp_exec_make_row (dp_exec_t *exec, const dp_catalog_entry_t *entry,
                         uint64_t mask, const dp_val_t *cells, uint32_t n_cols);

//  The concrete type under pf of a row of loader (pf's own type, or the
//  member of its union bound to loader) and the columns to load for it;
//  NULL when pf's type has none.
const dp_type_t *dp_exec_loader_type (const plan_field_t *pf, dp_loader_id_t loader, uint64_t *mask);

//  The objects under pf of the cached rows of loader under keys, in that
//  order (keys without a row skipped); *objs in arena. Returns the count.
size_t dp_exec_rows_by_key (dp_exec_t *exec, const plan_field_t *pf, dp_loader_id_t loader,
                            const int64_t *keys, size_t n_keys, obj_t **objs);

//  The row a dep of pf's binding points at from obj, or NULL.
const row_t *dp_exec_dep_row (dp_exec_t *exec, const plan_field_t *pf, size_t dep, const obj_t *obj);

//  -------------------------------------------------------------------------
//  A single object's reads sent with its lookup (dp_exec_chain.c)

//  One LOAD keyed by column `column` of the lookup's row, and its answer.
typedef struct {
    dp_loader_id_t loader;
    int column;
    uint64_t mask;
    const dp_val_t *cells;      //  the answer's rows (the request's arena)
    uint32_t n_rows, n_cols;
    bool answered;
} dp_exec_chain_t;

#define DP_EXEC_MAX_CHAINS 16

typedef struct {
    dp_exec_chain_t items [DP_EXEC_MAX_CHAINS];
    size_t n;
} dp_exec_chains_t;

//  Add the reads the objects of node (the lookup's row's type) will ask for
//  keyed by the row's columns, of loaders dp_loader_read_with_lookup names;
//  dp_exec_chains_add one of them by hand (mask: its columns).
typedef struct _plan_node_t plan_node_t;
void dp_exec_chains_collect (dp_exec_t *exec, const plan_node_t *node, dp_exec_chains_t *set);
void dp_exec_chains_add (dp_exec_chains_t *set, dp_loader_id_t loader, int column, uint64_t mask);

//  Send them, keyed by the row the lookup `query` finds for arg (in the
//  wave that sends the lookup; nothing inside a transaction).
void dp_exec_chains_send (dp_exec_t *exec, dp_exec_chains_t *set, uint32_t query, const char *arg,
                          uint32_t arg_len);

//  File their rows under the keys row names, once the wave's answers are in.
void dp_exec_chains_file (dp_exec_t *exec, const dp_exec_chains_t *set, const row_t *row);

#endif
