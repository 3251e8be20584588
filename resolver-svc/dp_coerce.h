/*  =========================================================================
    dp_coerce - variable values and argument literals to typed inputs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_COERCE_H_INCLUDED
#define DP_COERCE_H_INCLUDED

#include <jansson.h>
#include "dp_exec_types.h"

typedef struct _dp_variables_t dp_variables_t;

//  One error of variable coercion, with the variable definition's location
//  (line 0: none).
typedef struct {
    char *message;
    dp_loc_t loc;
} dp_coerce_error_t;

//  Coerce the operation's variables from the request's JSON object (NULL
//  when none), as graphql-js's getVariableValues: every error is reported
//  (at most 50, then "Too many errors..."). Returns the variables, or NULL
//  with *errors (in arena) and *n_errors set.
dp_variables_t *dp_variables_coerce (dp_arena_t *arena, dp_schema_t *schema,
                                     const dp_ast_definition_t *operation, json_t *given,
                                     dp_coerce_error_t **errors, size_t *n_errors);

//  A variable's coerced value, or NULL when it was not provided.
const input_t *dp_variables_get (const dp_variables_t *self, const char *name);

//  Coerce an AST literal (variables substituted; value NULL means absent →
//  null). NULL + err.
input_t *dp_coerce_literal (dp_arena_t *arena, const dp_type_ref_t *ref, const dp_ast_value_t *value,
                            const dp_variables_t *variables, char *err, size_t err_len);

input_t *dp_input_null (dp_arena_t *arena);

#endif
