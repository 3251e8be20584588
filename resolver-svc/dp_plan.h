/*  =========================================================================
    dp_plan - from an operation's selection sets to a tree of plan nodes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_PLAN_H_INCLUDED
#define DP_PLAN_H_INCLUDED

#include "dp_exec_types.h"
#include "dp_values.h"

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

#endif
