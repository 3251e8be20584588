/*  =========================================================================
    dp_http_request - a GraphQL-over-HTTP POST body, read and checked

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Takes the bytes of a POST /graphql body and returns either the request
    the gateway forwards (query text, operation name, variables as compact
    JSON, the kind of the selected operation) or the HTTP status and JSON
    error body to answer with. No sockets here, so every rule is tested
    without HTTP.
@discuss
    Steps, each stopping at its first error: the body must be a JSON
    object (jansson); query a string, variables an object or null,
    operationName a string or null, extensions an object or null (its
    content is ignored); unknown keys are ignored. Then the query is
    parsed with dp_parse under the configured limits, and the operation
    is selected as graphql-js's getOperationAST does. Messages follow
    graphql-js and express-graphql. Error bodies are written with sorted
    keys, as boxtribute's Flask jsonify writes them.
@end
*/
#ifndef DP_HTTP_REQUEST_H_INCLUDED
#define DP_HTTP_REQUEST_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_parser.h"

typedef struct {
    const char *query;              //  the GraphQL document, NUL-terminated
    size_t query_len;
    const char *operation_name;     //  NULL when absent or null
    const char *variables_json;     //  compact JSON object; NULL when absent or null
    size_t variables_len;
    dp_op_kind_t operation;         //  kind of the selected operation
    const dp_ast_document_t *document;  //  the parsed document
} dp_http_request_t;

typedef struct {
    int status;                     //  HTTP status: 400
    const char *body;               //  {"errors":[...]} JSON
    size_t body_len;
} dp_http_error_t;

//  Read a POST body of len bytes. Returns 0 with *request filled, or -1
//  with *error filled. Every string either points to is allocated in
//  arena and owned by it. limits may be NULL (no parser limits).
int dp_http_request_parse (const char *body, size_t len, const dp_parse_limits_t *limits,
                           dp_arena_t *arena, dp_http_request_t *request,
                           dp_http_error_t *error);

//  {"errors":[{"message":message}]} as JSON text in arena; *len_p gets its
//  length when not NULL. Returns a pointer owned by the arena.
const char *dp_http_error_body (dp_arena_t *arena, const char *message, size_t *len_p);

void dp_http_request_test (bool verbose);

#endif
