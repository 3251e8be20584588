/*  =========================================================================
    dp_binding - where a field's value comes from, and its hooks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The mapping table (dp_mapping.c) binds each schema field to one of
    these: a column, a foreign key, a reverse relation, a lookup, a link
    table, or hooks (computed, synthetic and root fields). The plan points
    at the bindings; the exec reads them; hooks get the narrow API of
    dp_exec_hooks.h.
@end
*/
#ifndef DP_BINDING_H_INCLUDED
#define DP_BINDING_H_INCLUDED

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "dp_catalog.h"
#include "dp_schema.h"
#include "dp_row.h"

typedef struct _dp_exec_t dp_exec_t;
typedef struct _plan_field_t plan_field_t;
typedef struct _dp_binding_t dp_binding_t;
typedef struct _dp_mutation_def_t dp_mutation_def_t;

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
    BIND_THROUGH,               //  a list through a link loader: `loader` keyed by `column`
                                //  gives link rows whose `value_column` keys `target_loader`
    BIND_MUTATION               //  a Mutation field: `mutation` run in its own transaction
                                //  (dp_mutation.h, dp_exec_mutation.c)
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
    bool rows_shared;           //  ROOT_LOAD: a row may be under several keys (a shipment
                                //  under both its bases): duplicates by id dropped, ordered by id
    const dp_mutation_def_t *mutation;  //  MUTATION
    //  FK: columns of the parent's row that hold what a column of the child's
    //  row holds (a box's computed base_id is its location's camp_id): a
    //  single object's grandchildren keyed by them are asked in the child's
    //  own wave (dp_exec_prefetch).
    struct {
        int parent_column;
        int child_column;
    } same [2];
    size_t n_same;
};

//  The mapping of an object type.
typedef struct {
    dp_loader_id_t loader;      //  the loader that fetches this type's rows by key
    bool synthetic;             //  no table (BoxPage, PageInfo)
    const dp_type_t *(*resolve_type) (const dp_type_t *abstract, const row_t *row);
    uint64_t type_mask;         //  columns resolve_type reads
} type_binding_t;

#endif
