/*  =========================================================================
    dp_values - variable values and argument literals to typed inputs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's execution/values: getVariableValues (the spec's
    CoerceVariableValues, 6.1.2) from the request's JSON, and the coercion
    of argument literals (CoerceArgumentValues, 6.4.1). The gateway coerces
    a request's variables once; the resolver receives them typed.
@discuss
    Strings keep their length: a JSON string may hold U+0000, and "1\u0000x"
    is a String or ID value of five bytes, not "1". Whoever reads a value
    (ID parsing, keys, enum lookup) uses s and len together.
@end
*/
#ifndef DP_VALUES_H_INCLUDED
#define DP_VALUES_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <jansson.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_error.h"

//  A coerced input value (an argument or a variable after coercion).
typedef enum {
    IN_NULL, IN_INT, IN_FLOAT, IN_STRING, IN_BOOL, IN_ENUM, IN_LIST, IN_OBJECT
} input_kind_t;

typedef struct _input_t input_t;
struct _input_t {
    input_kind_t kind;
    int64_t i;                  //  INT, BOOL; ENUM: value index in its enum type
    double f;                   //  FLOAT (also set for INT)
    const char *s;              //  STRING, ENUM name; ID values are STRING; NUL-terminated
    size_t len;                 //  bytes of s, which may hold NULs of its own
    input_t **items;            //  LIST
    size_t n_items;
    const char **names;         //  OBJECT: field names ...
    input_t **values;           //  ... and values (only fields that were given or defaulted)
    size_t n_fields;
};

typedef struct _dp_variables_t dp_variables_t;

//  Coerce the operation's variables from the request's JSON object (NULL
//  when none), as graphql-js's getVariableValues: every error is reported
//  (at most 50, then "Too many errors..."), each with the variable
//  definition's location. Returns the variables, or NULL with *errors and
//  *n_errors set. Everything returned lives in arena.
dp_variables_t *dp_variables_coerce (dp_arena_t *arena, dp_schema_t *schema,
                                     const dp_ast_definition_t *operation, json_t *given,
                                     dp_error_t **errors, size_t *n_errors);

//  An empty set of variables with room for capacity values, in arena (for
//  values that arrive already coerced).
dp_variables_t *dp_variables_new (dp_arena_t *arena, size_t capacity);

//  Add variable name's value (both borrowed for the arena's life). Returns
//  -1 when the set is full or name is there already.
int dp_variables_add (dp_variables_t *self, const char *name, input_t *value);

//  A variable's coerced value, or NULL when it was not provided.
const input_t *dp_variables_get (const dp_variables_t *self, const char *name);

//  The number of variables, and the name and value of the i-th.
size_t dp_variables_size (const dp_variables_t *self);
const char *dp_variables_name (const dp_variables_t *self, size_t i);
const input_t *dp_variables_value (const dp_variables_t *self, size_t i);

//  The schema type of a variable definition's AST type, in arena, or NULL
//  with err set when it names no input type.
dp_type_ref_t *dp_values_type_ref (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_type_t *ast,
                                   char *err, size_t err_len);

//  Coerce an AST literal (variables substituted; value NULL means absent →
//  null). NULL + err.
input_t *dp_coerce_literal (dp_arena_t *arena, const dp_type_ref_t *ref, const dp_ast_value_t *value,
                            const dp_variables_t *variables, char *err, size_t err_len);

//  New values in arena.
input_t *dp_input_null (dp_arena_t *arena);
input_t *dp_input_new (dp_arena_t *arena, input_kind_t kind);

//  The value of OBJECT field `name`, or NULL when absent.
const input_t *input_field (const input_t *object, const char *name);

//  The text of a STRING value that holds no NUL, for readers that need C
//  text (IDs, cursors, type names); NULL for any other value, so a string
//  with a NUL is simply not a valid ID, cursor or name.
const char *dp_input_text (const input_t *value);

//  A STRING value read as a database id (decimal, not negative, within
//  int64): true and *id set, else false (absent, null, malformed).
bool dp_input_id (const input_t *value, int64_t *id);

//  Self test of this class.
void dp_values_test (bool verbose);

#endif
