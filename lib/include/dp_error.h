/*  =========================================================================
    dp_error - a GraphQL error as a value, and its one serialiser

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's GraphQLError and its toJSON: a message, the locations in
    the document it is about, the path of the response field it is about
    and extensions. Every part of Depot that answers {"errors": [...]}
    (syntax, validation, operation selection, variable coercion, field
    errors, the gateway's HTTP errors) fills dp_error_t values and writes
    them with dp_errors_write, so the shape is written once.
@discuss
    Keys are written in graphql-js's order (message, locations, path,
    extensions), or sorted (extensions, locations, message, path) where
    Depot answers as boxtribute's Flask jsonify does (the gateway's own
    errors, locations as {"column", "line"} too). extensions holds what boxtribute puts there: code and, for
    authorisation errors, description.
@end
*/
#ifndef DP_ERROR_H_INCLUDED
#define DP_ERROR_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_ast.h"
#include "dp_json_writer.h"

//  One segment of an error's path: a response key, or a list index when
//  key is NULL.
typedef struct {
    const char *key;
    size_t index;
} dp_error_path_t;

typedef struct {
    const char *message;        //  as graphql-js words it; may hold NULs
    size_t message_len;         //  its bytes; 0 with a message means strlen
    const dp_loc_t *locations;  //  1-based line and column; may be NULL when none
    size_t n_locations;
    const dp_error_path_t *path;    //  NULL: no path
    size_t path_len;
    const char *path_json;      //  or the path already written as a JSON array (an
                                //  executor that keeps its path as text); NULL: none
    const char *code;           //  extensions.code; NULL: no extensions
    const char *description;    //  extensions.description; NULL: none
} dp_error_t;

//  How the keys of an error object are ordered.
typedef enum {
    DP_ERROR_KEYS_GRAPHQL_JS,   //  message, locations, path, extensions
    DP_ERROR_KEYS_SORTED        //  extensions, locations ({column, line}), message, path
} dp_error_keys_t;

//  Write one error as a JSON object.
void dp_error_write (const dp_error_t *self, dp_error_keys_t keys, dp_json_writer_t *out);

//  Write [error, ...] for n errors.
void dp_errors_write (const dp_error_t *errors, size_t n, dp_error_keys_t keys,
                      dp_json_writer_t *out);

//  Write a whole response of errors only: {"errors":[...]}.
void dp_errors_response (const dp_error_t *errors, size_t n, dp_error_keys_t keys,
                         dp_json_writer_t *out);

//  Self test of this class.
void dp_error_test (bool verbose);

#endif
