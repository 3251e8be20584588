/*  =========================================================================
    dp_operation - the operation of a document that a request executes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_operation_select picks the operation to execute as graphql-js's
    execute does (buildExecutionContext; GraphQL spec section 6.1,
    GetOperation): the one named by the request's operationName, or the
    document's only operation when no name is given. It is the step after
    validation: graphql-js validates the whole document (every rule over
    every operation) first, so a document's own errors, such as two
    anonymous operations, are what a client sees, not "Must provide
    operation name". The gateway, the resolver and depot-validate all
    select through it.
@end
*/
#ifndef DP_OPERATION_H_INCLUDED
#define DP_OPERATION_H_INCLUDED

#include "dp_ast.h"
#include "dp_arena.h"
#include <stdbool.h>

//  The message of a request that selects no operation. It may hold NULs:
//  an operationName from JSON may (\u0000), and the message quotes it whole.
typedef struct {
    const char *text;
    size_t len;
} dp_operation_error_t;

//  The operation of doc named name, of name_len bytes (the last of that
//  name, as graphql-js), or its only operation when name is NULL. The name
//  is compared by its length, so a NUL in it is part of it. Returns a
//  borrowed pointer into doc, or NULL with *error set to graphql-js's
//  message ("Must provide an operation.", "Must provide operation name if
//  query contains multiple operations.", "Unknown operation named
//  \"<name>\"."), in arena.
const dp_ast_definition_t *dp_operation_select (const dp_ast_document_t *doc, const char *name,
                                                size_t name_len, dp_arena_t *arena,
                                                dp_operation_error_t *error);

//  Self test of this class.
void dp_operation_test (bool verbose);

#endif
