/*  =========================================================================
    dp_plan - from an operation's selection sets to a tree of plan nodes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The plan is what the waves walk and the writer writes: per concrete
    type, the fields selected (fragments, @skip/@include and aliases
    applied), each with its binding, coerced arguments, and the columns
    its child rows must carry.
@end
*/
#ifndef DP_PLAN_H_INCLUDED
#define DP_PLAN_H_INCLUDED

#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_binding.h"
#include "dp_values.h"

typedef struct _plan_node_t plan_node_t;
typedef struct _dp_variables_t dp_variables_t;

struct _plan_field_t {
    const char *key;            //  response key (alias or name)
    const char *key_json;       //  "key": as the answer writes it, made once per plan;
    size_t key_json_len;        //  NULL for a field made by hand: written from key
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
    bool single;                //  at most one object per request: no list on the way from
                                //  the operation's root (dp_exec_prefetch asks ahead for it)
};

typedef struct {
    char message [400];
    dp_loc_t loc;
} dp_plan_error_t;

//  Build the plan of `operation` (from `doc`) with coerced variables.
//  Returns the root node (in arena), or NULL with err filled: an unknown
//  field, argument, type or fragment, a bad argument value, a selection
//  missing on a composite field or present on a leaf, or a query over
//  the depth/complexity bounds.
plan_node_t *dp_plan_build (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_document_t *doc,
                            const dp_ast_definition_t *operation, const dp_variables_t *variables,
                            dp_plan_error_t *err);

//  The plan of a document's only operation from its text and its variables
//  as JSON (NULL: none), for selftests and tools: parse, select, coerce,
//  build. Returns the root node (in arena), or NULL with err->message
//  filled by the first step that refused.
plan_node_t *dp_plan_build_text (dp_arena_t *arena, dp_schema_t *schema, const char *query,
                                 const char *variables_json, dp_plan_error_t *err);

//  For selftests: a schema from sdl whose fields named "Type.field" get
//  the bindings given (a list ended by a NULL field). Asserts on an SDL
//  error or an unknown field. Caller owns the schema and must destroy it
//  with dp_schema_destroy.
typedef struct {
    const char *field;
    const dp_binding_t *bind;
} dp_plan_test_binding_t;
dp_schema_t *dp_plan_test_schema (const char *sdl, const dp_plan_test_binding_t *bindings);

//  Selftest: plans of small documents over a small schema.
void dp_plan_test (bool verbose);

#endif
