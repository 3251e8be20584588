/*  =========================================================================
    dp_http_request - a GraphQL-over-HTTP POST body, read and checked

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    jansson reads the body; the strings we keep are copied into the
    request's arena so the JSON tree can be freed at once.
@end
*/
#include "dp_http_request.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

//  Dump a JSON value compactly with sorted keys into the arena.
static const char *
s_dump (dp_arena_t *arena, json_t *value, size_t *len_p)
{
    char *text = json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text)
        dp_fatal ("dp_http_request: out of memory");
    size_t len = strlen (text);
    const char *copy = dp_arena_strndup (arena, text, len);
    free (text);
    if (len_p)
        *len_p = len;
    return copy;
}

const char *
dp_http_error_body (dp_arena_t *arena, const char *message, size_t *len_p)
{
    assert (arena);
    assert (message);
    json_t *body = json_pack ("{s:[{s:s}]}", "errors", "message", message);
    if (!body)
        dp_fatal ("dp_http_request: out of memory");
    const char *text = s_dump (arena, body, len_p);
    json_decref (body);
    return text;
}

static int
s_fail (dp_arena_t *arena, dp_http_error_t *error, const char *message)
{
    error->status = 400;
    error->body = dp_http_error_body (arena, message, &error->body_len);
    return -1;
}


//  --------------------------------------------------------------------------
//  Read a POST body.

int
dp_http_request_parse (const char *body, size_t len, const dp_parse_limits_t *limits,
                       dp_arena_t *arena, dp_http_request_t *request, dp_http_error_t *error)
{
    assert (arena);
    assert (request);
    assert (error);
    memset (request, 0, sizeof *request);
    memset (error, 0, sizeof *error);

    json_error_t json_error;
    json_t *root = json_loadb (body ? body : "", len, JSON_DECODE_ANY, &json_error);
    if (!root)
        return s_fail (arena, error, "POST body sent invalid JSON.");
    int rc = 0;
    if (!json_is_object (root)) {
        rc = s_fail (arena, error, "POST body must be a JSON object.");
        goto done;
    }
    json_t *query = json_object_get (root, "query");
    json_t *variables = json_object_get (root, "variables");
    json_t *operation_name = json_object_get (root, "operationName");
    json_t *extensions = json_object_get (root, "extensions");
    if (!query || json_is_null (query)) {
        rc = s_fail (arena, error, "Must provide query string.");
        goto done;
    }
    if (!json_is_string (query)) {
        rc = s_fail (arena, error, "The query must be a string.");
        goto done;
    }
    if (variables && !json_is_null (variables) && !json_is_object (variables)) {
        rc = s_fail (arena, error, "Query variables must be an object or null.");
        goto done;
    }
    if (operation_name && !json_is_null (operation_name) && !json_is_string (operation_name)) {
        rc = s_fail (arena, error, "The operation name must be a string or null.");
        goto done;
    }
    if (extensions && !json_is_null (extensions) && !json_is_object (extensions)) {
        rc = s_fail (arena, error, "Extensions must be an object or null.");
        goto done;
    }
    request->query_len = json_string_length (query);
    request->query = dp_arena_strndup (arena, json_string_value (query), request->query_len);
    if (json_is_string (operation_name))
        request->operation_name = dp_arena_strndup (arena, json_string_value (operation_name),
                                                    json_string_length (operation_name));
    if (json_is_object (variables))
        request->variables_json = s_dump (arena, variables, &request->variables_len);

    //  Syntax.
    dp_parse_error_t parse_error;
    dp_ast_document_t *document = dp_parse (arena, request->query, request->query_len,
                                            limits, &parse_error);
    if (!document) {
        json_t *errors = json_pack ("{s:[{s:s,s:[{s:i,s:i}]}]}", "errors",
                                    "message", parse_error.message,
                                    "locations", "line", (json_int_t) parse_error.loc.line,
                                    "column", (json_int_t) parse_error.loc.column);
        if (!errors)
            dp_fatal ("dp_http_request: out of memory");
        error->status = 400;
        error->body = s_dump (arena, errors, &error->body_len);
        json_decref (errors);
        rc = -1;
        goto done;
    }
    request->document = document;

    //  The operation, as graphql-js's getOperationAST selects it.
    const dp_ast_definition_t *selected = NULL;
    size_t operations = 0;
    for (size_t i = 0; i < document->n_defs; i++) {
        const dp_ast_definition_t *def = &document->defs [i];
        if (def->kind != DP_AST_OPERATION)
            continue;
        operations++;
        if (request->operation_name) {
            if (def->name && strcmp (def->name, request->operation_name) == 0)
                selected = def;
        }
        else
        if (!selected)
            selected = def;
    }
    if (operations == 0)
        rc = s_fail (arena, error, "Must provide an operation.");
    else
    if (!request->operation_name && operations > 1)
        rc = s_fail (arena, error, "Must provide operation name if query contains multiple operations.");
    else
    if (!selected) {
        char message [300];
        snprintf (message, sizeof message, "Unknown operation named \"%.200s\".",
                  request->operation_name);
        rc = s_fail (arena, error, message);
    }
    else
        request->operation = selected->operation;
done:
    json_decref (root);
    if (rc)
        memset (request, 0, sizeof *request);
    return rc;
}


//  --------------------------------------------------------------------------
//  Selftest

//  Parse body and expect a 400 whose body contains fragment.
static void
s_expect_error (dp_arena_t *arena, const char *body, const char *fragment)
{
    dp_http_request_t request;
    dp_http_error_t error;
    int rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    if (rc != -1 || error.status != 400 || !strstr (error.body, fragment)) {
        fprintf (stderr, "body %s: rc=%d status=%d error=%s, expected %s\n", body, rc,
                 error.status, error.body ? error.body : "", fragment);
        assert (false);
    }
    assert (strlen (error.body) == error.body_len);
    assert (request.query == NULL);
    //  Every error body is valid JSON with an errors list.
    json_t *json = json_loads (error.body, 0, NULL);
    assert (json_is_array (json_object_get (json, "errors")));
    json_decref (json);
}

void
dp_http_request_test (bool verbose)
{
    printf (" * dp_http_request: ");
    dp_arena_t *arena = dp_arena_new (0);
    dp_http_request_t request;
    dp_http_error_t error;

    //  A full request; unknown keys and extensions are ignored; variables
    //  are re-serialised compactly.
    const char *body = "{\"query\":\"query Q($id: ID!) { box(labelIdentifier: $id) { id } }\","
                       " \"variables\": { \"id\" : \"123\", \"n\": [1, 2.5, null] },"
                       " \"operationName\": \"Q\", \"extensions\": {\"x\": 1}, \"other\": 3}";
    int rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0);
    assert (strcmp (request.query, "query Q($id: ID!) { box(labelIdentifier: $id) { id } }") == 0);
    assert (request.query_len == strlen (request.query));
    assert (strcmp (request.operation_name, "Q") == 0);
    assert (strcmp (request.variables_json, "{\"id\":\"123\",\"n\":[1,2.5,null]}") == 0);
    assert (request.variables_len == strlen (request.variables_json));
    assert (request.operation == DP_OP_QUERY);
    assert (request.document && request.document->n_defs == 1);

    //  Null variables and operationName are absent; mutations are seen.
    body = "{\"query\":\"mutation { a }\",\"variables\":null,\"operationName\":null}";
    rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0 && !request.variables_json && !request.operation_name);
    assert (request.operation == DP_OP_MUTATION);

    //  Several operations: the named one is selected.
    body = "{\"query\":\"query A { a } mutation B { b }\",\"operationName\":\"B\"}";
    rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0 && request.operation == DP_OP_MUTATION);

    //  Escapes in the query survive (the query is the decoded string).
    body = "{\"query\":\"{ a(s: \\\"x\\\\ny\\\") }\"}";
    rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0 && strcmp (request.query, "{ a(s: \"x\\ny\") }") == 0);

    //  Body errors.
    s_expect_error (arena, "", "POST body sent invalid JSON.");
    s_expect_error (arena, "{\"query\":", "POST body sent invalid JSON.");
    s_expect_error (arena, "{\"query\":\"{ a }\"} x", "POST body sent invalid JSON.");
    s_expect_error (arena, "[1]", "POST body must be a JSON object.");
    s_expect_error (arena, "\"{ a }\"", "POST body must be a JSON object.");
    s_expect_error (arena, "{}", "Must provide query string.");
    s_expect_error (arena, "{\"query\":null}", "Must provide query string.");
    s_expect_error (arena, "{\"query\":1}", "The query must be a string.");
    s_expect_error (arena, "{\"query\":\"{ a }\",\"variables\":\"{}\"}", "Query variables must be");
    s_expect_error (arena, "{\"query\":\"{ a }\",\"variables\":[]}", "Query variables must be");
    s_expect_error (arena, "{\"query\":\"{ a }\",\"operationName\":1}", "operation name");
    s_expect_error (arena, "{\"query\":\"{ a }\",\"extensions\":\"x\"}", "Extensions");

    //  Syntax errors carry graphql-js's message and the location.
    s_expect_error (arena, "{\"query\":\"{ a \"}", "Syntax Error: Expected Name, found <EOF>.");
    s_expect_error (arena, "{\"query\":\"\\n\\n  { a(: 1) }\"}", "{\"column\":7,\"line\":3}");
    s_expect_error (arena, "{\"query\":\"\"}", "Syntax Error");

    //  Operation selection.
    s_expect_error (arena, "{\"query\":\"fragment F on Box { id }\"}", "Must provide an operation.");
    s_expect_error (arena, "{\"query\":\"query A { a } query B { b }\"}",
                    "Must provide operation name if query contains multiple operations.");
    s_expect_error (arena, "{\"query\":\"query A { a }\",\"operationName\":\"x\"}",
                    "Unknown operation named \\\"x\\\".");
    s_expect_error (arena, "{\"query\":\"{ a }\",\"operationName\":\"x\"}",
                    "Unknown operation named \\\"x\\\".");

    //  Parser limits apply.
    dp_parse_limits_t limits = { .max_tokens = 5, .max_depth = 2 };
    body = "{\"query\":\"{ a b c d e f g }\"}";
    rc = dp_http_request_parse (body, strlen (body), &limits, arena, &request, &error);
    assert (rc == -1 && error.status == 400);
    body = "{\"query\":\"{ a { b { c { d } } } }\"}";
    limits.max_tokens = 0;
    rc = dp_http_request_parse (body, strlen (body), &limits, arena, &request, &error);
    assert (rc == -1 && error.status == 400);

    //  The generic error body.
    size_t len;
    const char *text = dp_http_error_body (arena, "a \"quoted\" message", &len);
    assert (strcmp (text, "{\"errors\":[{\"message\":\"a \\\"quoted\\\" message\"}]}") == 0);
    assert (len == strlen (text));

    dp_arena_destroy (&arena);
    printf ("OK\n");
}
