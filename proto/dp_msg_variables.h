/*  =========================================================================
    dp_msg_variables - a request's coerced variables on the wire (EXECUTE)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway coerces a request's variables once (dp_values); EXECUTE
    carries them typed, so the resolver never reads JSON. The wire form is
    a list of pairs [definition index, value, ...] for the variables that
    were given or defaulted, in the operation's order. A value is written
    by its kind: null nil, Int int, Float float64, Boolean bool, String,
    ID and the custom scalars str (with its length), an enum the index of
    its value in its type, a list an array, an input object an array of
    [field name, value, ...]. Reading is led by the variable's declared
    type, so nothing is guessed and anything that does not fit is refused.
@end
*/
#ifndef DP_MSG_VARIABLES_H_INCLUDED
#define DP_MSG_VARIABLES_H_INCLUDED

#include "dp_msg.h"
#include "dp_values.h"

//  The wire form of variables, coerced for operation, into *values and
//  *n_values (in arena). Returns 0, or -1 when a variable is not one of
//  operation's (a programmer error).
int dp_msg_variables_encode (const dp_variables_t *variables, const dp_ast_definition_t *operation,
                             dp_arena_t *arena, dp_val_t **values, uint32_t *n_values);

//  The variables of operation from their wire form, typed by schema. Returns
//  them (in arena), or NULL with err set when the values do not fit the
//  operation's variable definitions.
dp_variables_t *dp_msg_variables_decode (const dp_val_t *values, uint32_t n_values,
                                         const dp_ast_definition_t *operation,
                                         dp_schema_t *schema, dp_arena_t *arena,
                                         char *err, size_t err_len);

//  Self test of this class.
void dp_msg_variables_test (bool verbose);

#endif
