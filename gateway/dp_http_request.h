/*  =========================================================================
    dp_http_request - a GraphQL-over-HTTP request, read and checked

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Takes a POST /graphql body or a GET /graphql query string and returns
    either the request the gateway forwards (query text, operation name,
    variables as compact JSON, the kind of the selected operation, the
    persisted-query hash) or the HTTP status and JSON error body to answer
    with. Also the Accept header's negotiation. No sockets here, so every
    rule is tested without HTTP.
@discuss
    Reading the parameters (dp_http_request_read_json / _read_get), each
    step stopping at its first error: a POST body must be a JSON object
    (jansson); query a string, variables an object or null, operationName
    a string or null, extensions an object or null; unknown keys are
    ignored. A GET carries the same parameters URL-encoded, variables and
    extensions as JSON text. extensions.persistedQuery {version: 1,
    sha256Hash} (Apollo's automatic persisted queries) is read into
    persisted_hash; with it the query may be absent. Then
    dp_http_request_prepare parses the query with dp_parse under the
    configured limits, the gateway validates the whole document, and only
    then dp_http_request_select selects the operation as graphql-js's
    execute does (dp_operation_select), so a document's own errors come
    before "Must provide operation name" or "Unknown operation named".
    dp_http_request_coerce then coerces the variables (dp_values), so the
    resolver receives the operation and typed values, never JSON.
    Messages follow graphql-js and express-graphql.
    Error bodies are written with sorted keys, as boxtribute's Flask
    jsonify writes them.
    Two kinds of error, as the GraphQL-over-HTTP spec tells them apart: a
    request that is not well-formed (bad JSON, parameters of the wrong
    type) is 400 whatever the Accept header; a GraphQL request error
    (syntax, operation selection) has graphql set, and its status depends
    on the negotiated media type (200 for application/json, 400 for
    application/graphql-response+json), which the gateway decides.
@end
*/
#ifndef DP_HTTP_REQUEST_H_INCLUDED
#define DP_HTTP_REQUEST_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_parser.h"
#include "dp_schema.h"
#include "dp_values.h"

typedef struct {
    const char *query;              //  the GraphQL document, NUL-terminated; NULL when
                                    //  absent (allowed only with persisted_hash)
    size_t query_len;
    const char *operation_name;     //  NULL when absent or null; may hold NULs
    size_t operation_name_len;
    const char *variables_json;     //  compact JSON object; NULL when absent or null
    size_t variables_len;
    const char *persisted_hash;     //  extensions.persistedQuery.sha256Hash, 64 lower-case
                                    //  hex digits; NULL when absent
    dp_op_kind_t operation;         //  kind of the selected operation (after _select)
    const dp_ast_document_t *document;  //  the parsed document (after _prepare)
    uint32_t operation_index;       //  the selected operation's place in document->defs
    const dp_variables_t *variables;    //  the coerced variables (after _coerce)
} dp_http_request_t;

typedef struct {
    int status;                     //  HTTP status: 400
    bool graphql;                   //  a GraphQL request error (its status follows the
                                    //  media type), not a malformed HTTP request
    const char *body;               //  {"errors":[...]} JSON
    size_t body_len;
} dp_http_error_t;

//  The media types a GraphQL response can have.
typedef enum {
    DP_MEDIA_NONE = 0,              //  neither is acceptable: 406
    DP_MEDIA_JSON,                  //  application/json
    DP_MEDIA_GRAPHQL_RESPONSE       //  application/graphql-response+json
} dp_http_media_t;

typedef struct {
    dp_http_media_t media;          //  the response type to use for GraphQL
    bool html;                      //  text/html is preferred over both (a browser)
} dp_http_accept_t;

//  Negotiate an Accept header (NULL when absent) as the GraphQL-over-HTTP
//  spec asks: absent, */* and application/* mean application/json; the
//  highest q wins, ties go to the type named first; q=0 refuses a type.
//  html is set when text/html is named with a q above that of the chosen
//  JSON type (browsers), or when no JSON type is acceptable but text/html is.
void dp_http_accept (const char *accept, dp_http_accept_t *result);

//  Read the parameters of a POST body of len bytes. Returns 0 with
//  *request filled (document not yet parsed), or -1 with *error filled.
//  Every string either points to is allocated in arena and owned by it.
int dp_http_request_read_json (const char *body, size_t len, dp_arena_t *arena,
                               dp_http_request_t *request, dp_http_error_t *error);

//  Read the parameters of a GET from its query string (after '?', NULL
//  or "" when none): query, operationName, variables and extensions, URL
//  encoded, the last two as JSON text. Same results as _read_json.
int dp_http_request_read_get (const char *query_string, dp_arena_t *arena,
                              dp_http_request_t *request, dp_http_error_t *error);

//  Parse request->query (which must be set). Returns 0 with document set,
//  or -1 with *error filled (graphql set). limits may be NULL (no parser
//  limits).
int dp_http_request_prepare (dp_http_request_t *request, const dp_parse_limits_t *limits,
                             dp_arena_t *arena, dp_http_error_t *error);

//  Select the operation of the prepared document that request->operation_name
//  names; call it after validation. Returns 0 with operation set, or -1 with
//  *error filled (graphql set).
int dp_http_request_select (dp_http_request_t *request, dp_arena_t *arena,
                            dp_http_error_t *error);

//  Coerce the variables of the selected operation from request->variables_json
//  against schema, as graphql-js's getVariableValues; call it after _select.
//  Returns 0 with variables set, or -1 with *error filled (graphql set):
//  every variable's errors, each at its definition.
int dp_http_request_coerce (dp_http_request_t *request, dp_schema_t *schema, dp_arena_t *arena,
                            dp_http_error_t *error);

//  _read_json, _prepare then _select, for a POST body that must carry its
//  query, with no schema to validate against (selftests, fuzzing).
int dp_http_request_parse (const char *body, size_t len, const dp_parse_limits_t *limits,
                           dp_arena_t *arena, dp_http_request_t *request,
                           dp_http_error_t *error);

//  {"errors":[{"message":message}]} as JSON text in arena; *len_p gets its
//  length when not NULL. Returns a pointer owned by the arena.
const char *dp_http_error_body (dp_arena_t *arena, const char *message, size_t *len_p);

//  The same with extensions.code (e.g. "PERSISTED_QUERY_NOT_FOUND").
const char *dp_http_error_body_code (dp_arena_t *arena, const char *message, const char *code,
                                     size_t *len_p);

//  The deadline a client asks for in the X-Request-Timeout-Ms header (value
//  NULL when absent): a whole number of milliseconds, digits only, blanks
//  around them allowed. Returns the milliseconds asked for (numbers beyond
//  INT64_MAX read as INT64_MAX: the gateway caps them to its own deadline
//  anyway), 0 when the header is absent, or -1 when it is malformed (empty,
//  not digits, a sign, a fraction, or 0).
int64_t dp_http_request_timeout (const char *value);

//  The lower-case hex SHA-256 of len bytes of text into hex (65 bytes).
void dp_http_sha256_hex (const char *text, size_t len, char hex [65]);

void dp_http_request_test (bool verbose);

#endif
