/*  =========================================================================
    dp_exec_types - the private structures of one executing request

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Shared by the resolver's execution files (plan, waves, writer, root
    fields, mapping). Nothing outside resolver-svc includes this header.
@discuss
    Execution has three phases. PLAN: the operation's selection sets are
    collected per concrete type into a tree of plan nodes, arguments
    coerced. FETCH: breadth-first waves; each wave gathers every key every
    batch of objects needs, sends one LOAD per loader (and the root
    QUERYs), and when all answers are in, descends one level. WRITE: one
    recursive pass writes the JSON from the loaded rows, applying
    authorisation and null propagation.
@end
*/
#ifndef DP_EXEC_TYPES_H_INCLUDED
#define DP_EXEC_TYPES_H_INCLUDED

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_catalog.h"
#include "dp_msg.h"
#include "dp_json_writer.h"
#include "dp_authz.h"
#include "dp_values.h"         //  input_t: coerced arguments and variables

typedef struct _dp_exec_t dp_exec_t;
typedef struct _plan_node_t plan_node_t;
typedef struct _plan_field_t plan_field_t;
typedef struct _dp_binding_t dp_binding_t;

//  -------------------------------------------------------------------------
//  Loaded rows

//  A row of a loader's column set; cells are full width (one per catalog
//  column), only the columns in `mask` are meaningful.
typedef struct {
    dp_val_t *cells;
    uint64_t mask;
    uint32_t stamp;             //  last batch that listed this row (dedup)
} row_t;

//  An object being resolved: its concrete type and where its data is.
typedef struct {
    const dp_type_t *type;
    row_t *row;                 //  table-backed objects
    void *synthetic;            //  e.g. a page (BoxPage, PageInfo)
} obj_t;

//  -------------------------------------------------------------------------
//  Plan

//  How the writer formats a scalar cell.
typedef enum {
    CONV_ID,                    //  INT cell → "123"
    CONV_INT,
    CONV_FLOAT,
    CONV_STRING,
    CONV_BOOL,                  //  INT cell → true/false
    CONV_DATETIME,              //  already ISO text on the wire
    CONV_DATE,
    CONV_ENUM_INT,              //  INT cell → enum name via int_names
    CONV_ENUM_STR               //  STR cell → enum name via str_pairs
} conv_t;

//  Write hooks of computed fields, synthetic objects and root fields.
//  Return 1 when a value was written, 0 when the value is null (nothing
//  written; the writer applies nullability), -1 when the hook recorded an
//  error itself (the writer nulls the field and propagates if non-null).
typedef int (*write_fn_t) (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Descend hook of synthetic relations: fill *children from obj.
typedef void (*children_fn_t) (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                               obj_t **children, size_t *n_children);

typedef enum {
    BIND_NONE,                  //  not served: the field resolves to an error
    BIND_COLUMN,                //  scalar from a column of the object's row
    BIND_FK,                    //  one object of `loader` keyed by column `column`
    BIND_REVERSE,               //  a list of objects of `loader` keyed by column `column`
    BIND_LOOKUP,                //  scalar column `value_column` of the `loader` row keyed by `column`
    BIND_COMPUTED,              //  write_fn over the object's row (and `deps`)
    BIND_SYNTHETIC,             //  fields of synthetic objects: write_fn / children_fn
    BIND_ROOT,                  //  a Query field: root hooks
    BIND_ROOT_LOAD,             //  a Query field answered from a loader (keys: key_source)
    BIND_THROUGH                //  a list through a link loader: `loader` keyed by `column`
                                //  gives link rows whose `value_column` keys `target_loader`
} bind_kind_t;

//  Where a BIND_ROOT_LOAD field's keys come from.
typedef enum {
    KEYS_ARGUMENT,              //  the ID argument `argument`
    KEYS_PERMITTED_BASES,       //  the bases the user holds authz.permission for (god: all_loader)
    KEYS_ALL,                   //  every row: all_loader with the constant key 0
    KEYS_GOD_ALL                //  every row for god users, none for anyone else
} key_source_t;

typedef enum {
    AUTHZ_NONE,
    AUTHZ_ANY_BASE,             //  perm in some base, else FORBIDDEN error
    AUTHZ_ANY_BASE_NULL,        //  perm in some base, else null (no error)
    AUTHZ_TARGET_BASE_NULL,     //  perm for the target row's base column, else null (no error)
    AUTHZ_TARGET_BASE_ERROR,    //  same, else FORBIDDEN error
    AUTHZ_FILTER_BASE,          //  list items whose base column the user may not read are dropped
    AUTHZ_PARENT_BASE_ERROR,    //  perm for the PARENT row's base column, else FORBIDDEN error
    AUTHZ_TARGET_EITHER_ERROR,  //  perm for either base column of the target row, else FORBIDDEN
    AUTHZ_PARENT_EITHER_ERROR   //  perm for either base column of the PARENT row, else FORBIDDEN
} authz_kind_t;

typedef struct {
    authz_kind_t kind;
    const char *permission;     //  e.g. "product:read"
    int base_column;            //  column of the target row holding its base id
    int base_column2;           //  *_EITHER_*: the other base column
} authz_t;

//  A dependency of a computed field: a row of `loader` keyed by `column`.
typedef struct {
    int column;
    dp_loader_id_t loader;
    uint64_t mask;
} dep_t;

//  Root-field hooks: collect sends the QUERYs of wave 0; children gives the
//  objects under the field once the answers are in.
typedef void (*root_collect_fn_t) (dp_exec_t *exec, plan_field_t *pf);

//  Per-object collect hook of computed and synthetic relations: ask for what
//  the field needs of obj in the current wave (dp_exec_need).
typedef void (*collect_obj_fn_t) (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Row filters of lists (deleted rows, a type argument): true keeps the row.
typedef bool (*keep_fn_t) (const plan_field_t *pf, const row_t *row);

struct _dp_binding_t {
    bind_kind_t kind;
    int column;                 //  COLUMN/LOOKUP value or FK/REVERSE/LOOKUP key column
    dp_loader_id_t loader;      //  FK, REVERSE, LOOKUP
    int value_column;           //  LOOKUP
    conv_t conv;
    const char *const *int_names;   //  CONV_ENUM_INT: index = DB int
    size_t n_int_names;
    const char *const *str_pairs;   //  CONV_ENUM_STR: db value, enum name, ..., NULL
    authz_t authz;
    uint64_t needs_mask;        //  COMPUTED: columns of the object's row it reads
    dep_t deps [3];             //  COMPUTED: rows it needs
    size_t n_deps;
    write_fn_t write;           //  COMPUTED, SYNTHETIC scalars
    children_fn_t children;     //  SYNTHETIC / ROOT relations
    root_collect_fn_t collect;  //  ROOT
    bool list;                  //  SYNTHETIC/ROOT: children form a list
    collect_obj_fn_t collect_obj;   //  COMPUTED, SYNTHETIC: per-object needs
    uint64_t load_mask;         //  FK/REVERSE: columns to ask for instead of the child's
                                //  (loaders that answer every column only)
    keep_fn_t keep;             //  REVERSE, ROOT_LOAD: which rows to show (NULL: all)
    uint64_t keep_mask;         //  columns keep reads
    uint64_t (*keep_columns) (const plan_field_t *pf);  //  or, when set: the columns keep
                                //  reads for this field's arguments
    key_source_t key_source;    //  ROOT_LOAD
    const char *argument;       //  ROOT_LOAD with KEYS_ARGUMENT
    dp_loader_id_t all_loader;  //  ROOT_LOAD: the constant-keyed loader of every row
    bool zero_if_missing;       //  LOOKUP: no row under the key reads as 0 (counts)
    dp_loader_id_t target_loader;   //  THROUGH: the loader of the objects linked to
    bool has_loader2;           //  ROOT_LOAD: also the rows of loader2 under the same keys
    dp_loader_id_t loader2;     //  (duplicates by id dropped, ordered by id)
};

//  The mapping of an object type.
typedef struct {
    dp_loader_id_t loader;      //  the loader that fetches this type's rows by key
    bool synthetic;             //  no table (BoxPage, PageInfo)
    const dp_type_t *(*resolve_type) (const dp_type_t *abstract, const row_t *row);
    uint64_t type_mask;         //  columns resolve_type reads
} type_binding_t;

struct _plan_field_t {
    const char *key;            //  response key (alias or name)
    const dp_field_t *field;    //  NULL for __typename
    const dp_binding_t *bind;
    dp_loc_t loc;
    input_t *args;              //  OBJECT of coerced arguments
    plan_node_t *child;         //  composite fields
    uint64_t child_mask;        //  columns the child rows must have
    void *root_state;           //  ROOT: the root hook's own data
};

typedef struct {
    const dp_type_t *object;    //  concrete object type
    plan_field_t *fields;
    size_t n_fields;
    uint64_t mask;              //  columns this variant's fields read
} variant_t;

struct _plan_node_t {
    const dp_type_t *type;      //  declared type (may be abstract)
    variant_t *variants;
    size_t n_variants;
};

//  -------------------------------------------------------------------------
//  Execution

//  A batch: objects waiting to have one plan node's fields resolved.
typedef struct {
    plan_node_t *node;
    obj_t *objs;
    size_t n_objs;
    plan_field_t *through;      //  set: the links of `through` are loaded and its targets are
                                //  being loaded; the next descend yields the targets as a batch
} batch_t;

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

//  Per-request state; defined in dp_exec.c, used by the hooks through
//  these functions.
dp_arena_t *dp_exec_arena (dp_exec_t *exec);
dp_authz_t *dp_exec_authz (dp_exec_t *exec);
dp_json_writer_t *dp_exec_out (dp_exec_t *exec);

//  Queue a root QUERY for the current wave; when its ROWS arrive, `done`
//  runs with them (or with NULL and an error message).
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

//  A row's cell as an int (0 when nil).
static inline int64_t
row_int (const row_t *row, int column)
{
    return row->cells [column].type == DP_VAL_INT ? row->cells [column].u.i : 0;
}

static inline bool
row_is_nil (const row_t *row, int column)
{
    return row->cells [column].type == DP_VAL_NIL;
}

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

#endif
