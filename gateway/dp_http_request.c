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
#include "dp_operation.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/evp.h>

//  Dump the variables compactly into the arena, in the client's order
//  (graphql-js shows invalid values in that order).
static const char *
s_dump_with (dp_arena_t *arena, json_t *value, size_t *len_p, size_t order)
{
    char *text = json_dumps (value, JSON_COMPACT | order | JSON_ENCODE_ANY);
    if (!text)
        dp_fatal ("dp_http_request: out of memory");
    size_t len = strlen (text);
    const char *copy = dp_arena_strndup (arena, text, len);
    free (text);
    if (len_p)
        *len_p = len;
    return copy;
}

//  {"errors":[error]} in arena, keys sorted as boxtribute's Flask jsonify
//  writes them; *len_p gets its length when not NULL.
static const char *
s_errors_body (dp_arena_t *arena, const dp_error_t *error, size_t *len_p)
{
    dp_json_writer_t writer;
    dp_json_writer_init (&writer, 128);
    dp_errors_response (error, 1, DP_ERROR_KEYS_SORTED, &writer);
    const char *text = dp_arena_strndup (arena, writer.data, writer.len);
    if (len_p)
        *len_p = writer.len;
    dp_json_writer_release (&writer);
    return text;
}

//  {"errors":[{"message":...}]} for a message of len bytes, which may hold
//  NULs (a client's operationName quoted in it).
static const char *
s_error_body (dp_arena_t *arena, const char *message, size_t len, size_t *len_p)
{
    dp_error_t error = { .message = message, .message_len = len };
    return s_errors_body (arena, &error, len_p);
}

const char *
dp_http_error_body (dp_arena_t *arena, const char *message, size_t *len_p)
{
    assert (arena);
    assert (message);
    return s_error_body (arena, message, strlen (message), len_p);
}

const char *
dp_http_error_body_code (dp_arena_t *arena, const char *message, const char *code, size_t *len_p)
{
    assert (arena);
    assert (message);
    assert (code);
    dp_error_t error = { .message = message, .code = code };
    return s_errors_body (arena, &error, len_p);
}

void
dp_http_sha256_hex (const char *text, size_t len, char hex [65])
{
    unsigned char digest [32];
    unsigned int digest_len = 0;
    int ok = EVP_Digest (text, len, digest, &digest_len, EVP_sha256 (), NULL);
    if (!ok || digest_len != 32)
        dp_fatal ("dp_http_request: SHA-256 failed");
    static const char digits [] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex [2 * i] = digits [digest [i] >> 4];
        hex [2 * i + 1] = digits [digest [i] & 15];
    }
    hex [64] = 0;
}

//  A malformed request: 400 whatever the media type.
static int
s_fail (dp_arena_t *arena, dp_http_error_t *error, const char *message)
{
    error->status = 400;
    error->graphql = false;
    error->body = dp_http_error_body (arena, message, &error->body_len);
    return -1;
}

//  --------------------------------------------------------------------------
//  Accept

//  One media range of an Accept header, parsed in place.
typedef struct {
    const char *type;               //  e.g. "application/json", not NUL-terminated
    size_t type_len;
    double q;
} s_range_t;

//  Quality of media (a full type) under the ranges: the most specific
//  matching range decides. Returns -1 when no range matches; *order gets
//  the index of the deciding range.
static double
s_quality (const s_range_t *ranges, size_t n, const char *media, size_t *order)
{
    int best_specificity = -1;
    double q = -1;
    const char *slash = strchr (media, '/');
    size_t major_len = (size_t) (slash - media);
    for (size_t i = 0; i < n; i++) {
        const s_range_t *range = &ranges [i];
        int specificity = -1;
        if (range->type_len == 3 && strncmp (range->type, "*/*", 3) == 0)
            specificity = 0;
        else
        if (range->type_len == major_len + 2 && strncasecmp (range->type, media, major_len + 1) == 0
        &&  range->type [major_len + 1] == '*')
            specificity = 1;
        else
        if (range->type_len == strlen (media) && strncasecmp (range->type, media, range->type_len) == 0)
            specificity = 2;
        if (specificity > best_specificity) {
            best_specificity = specificity;
            q = range->q;
            *order = specificity == 2 ? i : n + i;      //  wildcards rank after named types
        }
    }
    return q;
}

void
dp_http_accept (const char *accept, dp_http_accept_t *result)
{
    assert (result);
    result->media = DP_MEDIA_JSON;
    result->html = false;
    if (!accept)
        return;
    s_range_t ranges [32];
    size_t n = 0;
    const char *p = accept;
    while (*p && n < 32) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *type = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        s_range_t range = { type, (size_t) (p - type), 1.0 };
        //  Parameters: only q matters.
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p [0] == 'q' || p [0] == 'Q') && p [1] == '=')
                    range.q = strtod (p + 2, NULL);
            }
            else
                p++;
        }
        if (range.type_len > 0)
            ranges [n++] = range;
    }
    if (n == 0)
        return;                     //  an empty header: as if absent
    size_t json_order = 0, graphql_order = 0, html_order = 0;
    double json = s_quality (ranges, n, "application/json", &json_order);
    double graphql = s_quality (ranges, n, "application/graphql-response+json", &graphql_order);
    double html = s_quality (ranges, n, "text/html", &html_order);
    //  */* and application/* name no type: they stand for application/json.
    if (graphql > 0 && graphql_order >= n)
        graphql = -1;
    double best = json;
    if (graphql > 0 && (graphql > json || (graphql == json && graphql_order < json_order))) {
        result->media = DP_MEDIA_GRAPHQL_RESPONSE;
        best = graphql;
    }
    else
    if (json > 0)
        result->media = DP_MEDIA_JSON;
    else {
        result->media = DP_MEDIA_NONE;
        best = 0;
    }
    result->html = html > 0 && html_order < n && html > best;
}


//  --------------------------------------------------------------------------
//  Reading the parameters

//  Check the parameters' types and copy them into request.
static int
s_read_params (json_t *root, dp_arena_t *arena, dp_http_request_t *request,
               dp_http_error_t *error)
{
    if (!json_is_object (root))
        return s_fail (arena, error, "POST body must be a JSON object.");
    json_t *query = json_object_get (root, "query");
    json_t *variables = json_object_get (root, "variables");
    json_t *operation_name = json_object_get (root, "operationName");
    json_t *extensions = json_object_get (root, "extensions");
    if (query && !json_is_null (query) && !json_is_string (query))
        return s_fail (arena, error, "The query must be a string.");
    if (variables && !json_is_null (variables) && !json_is_object (variables))
        return s_fail (arena, error, "Query variables must be an object or null.");
    if (operation_name && !json_is_null (operation_name) && !json_is_string (operation_name))
        return s_fail (arena, error, "The operation name must be a string or null.");
    if (extensions && !json_is_null (extensions) && !json_is_object (extensions))
        return s_fail (arena, error, "Extensions must be an object or null.");
    //  Apollo's automatic persisted queries.
    json_t *persisted = json_is_object (extensions)
                      ? json_object_get (extensions, "persistedQuery") : NULL;
    if (persisted && !json_is_null (persisted)) {
        json_t *version = json_object_get (persisted, "version");
        json_t *hash = json_object_get (persisted, "sha256Hash");
        if (!json_is_object (persisted) || !json_is_integer (version)
        ||  json_integer_value (version) != 1)
            return s_fail (arena, error, "Unsupported persisted query version.");
        const char *text = json_string_value (hash);
        bool valid = text && json_string_length (hash) == 64;
        for (size_t i = 0; valid && i < 64; i++)
            valid = isxdigit ((unsigned char) text [i]) != 0;
        if (!valid)
            return s_fail (arena, error, "persistedQuery.sha256Hash must be 64 hexadecimal digits.");
        char *lower = dp_arena_strndup (arena, text, 64);
        for (size_t i = 0; i < 64; i++)
            lower [i] = (char) tolower ((unsigned char) lower [i]);
        request->persisted_hash = lower;
    }
    if (!json_is_string (query) && !request->persisted_hash)
        return s_fail (arena, error, "Must provide query string.");
    if (json_is_string (query)) {
        request->query_len = json_string_length (query);
        request->query = dp_arena_strndup (arena, json_string_value (query), request->query_len);
    }
    if (json_is_string (operation_name)) {
        request->operation_name_len = json_string_length (operation_name);
        request->operation_name = dp_arena_strndup (arena, json_string_value (operation_name),
                                                    request->operation_name_len);
    }
    if (json_is_object (variables))
        request->variables_json = s_dump_with (arena, variables, &request->variables_len,
                                               JSON_PRESERVE_ORDER);
    return 0;
}

int
dp_http_request_read_json (const char *body, size_t len, dp_arena_t *arena,
                           dp_http_request_t *request, dp_http_error_t *error)
{
    assert (arena);
    assert (request);
    assert (error);
    memset (request, 0, sizeof *request);
    memset (error, 0, sizeof *error);
    json_error_t json_error;
    //  \u0000 is valid JSON: strings are read with their lengths.
    json_t *root = json_loadb (body ? body : "", len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                               &json_error);
    if (!root)
        return s_fail (arena, error, "POST body sent invalid JSON.");
    int rc = s_read_params (root, arena, request, error);
    json_decref (root);
    if (rc)
        memset (request, 0, sizeof *request);
    return rc;
}

//  Decode one application/x-www-form-urlencoded component of len bytes
//  into the arena; *out_len gets the decoded length. Returns NULL when a
//  %-escape is malformed.
static char *
s_url_decode (dp_arena_t *arena, const char *text, size_t len, size_t *out_len)
{
    char *out = (char *) dp_arena_alloc (arena, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text [i];
        if (c == '+')
            c = ' ';
        else
        if (c == '%') {
            if (i + 2 >= len)
                return NULL;
            if (!isxdigit ((unsigned char) text [i + 1]) || !isxdigit ((unsigned char) text [i + 2]))
                return NULL;
            char pair [3] = { text [i + 1], text [i + 2], 0 };
            c = (char) strtol (pair, NULL, 16);
            i += 2;
        }
        out [n++] = c;
    }
    out [n] = 0;
    *out_len = n;
    return out;
}

int
dp_http_request_read_get (const char *query_string, dp_arena_t *arena,
                          dp_http_request_t *request, dp_http_error_t *error)
{
    assert (arena);
    assert (request);
    assert (error);
    memset (request, 0, sizeof *request);
    memset (error, 0, sizeof *error);
    //  The parameters become one JSON object, checked as a POST body is;
    //  the first occurrence of a name counts.
    json_t *root = json_object ();
    if (!root)
        dp_fatal ("dp_http_request: out of memory");
    int rc = 0;
    const char *p = query_string ? query_string : "";
    while (*p) {
        const char *end = strchr (p, '&');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        const char *equals = memchr (p, '=', len);
        size_t name_len = equals ? (size_t) (equals - p) : len;
        size_t decoded_name_len = 0, value_len = 0;
        char *name = s_url_decode (arena, p, name_len, &decoded_name_len);
        char *value = equals ? s_url_decode (arena, equals + 1, len - name_len - 1, &value_len)
                             : dp_arena_strndup (arena, "", 0);
        if (!name || !value) {
            rc = s_fail (arena, error, "The query string is not properly URL-encoded.");
            break;
        }
        if (strlen (name) != decoded_name_len)
            name = "";              //  a NUL inside a name: no parameter of ours
        bool is_json = strcmp (name, "variables") == 0 || strcmp (name, "extensions") == 0;
        bool known = is_json || strcmp (name, "query") == 0 || strcmp (name, "operationName") == 0;
        if (known && !json_object_get (root, name)) {
            json_t *parsed;
            if (is_json) {
                json_error_t json_error;
                parsed = value_len ? json_loadb (value, value_len,
                                                 JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error)
                                   : json_null ();
                if (!parsed) {
                    char message [80];
                    snprintf (message, sizeof message, "The %s parameter is not valid JSON.", name);
                    rc = s_fail (arena, error, message);
                    break;
                }
            }
            else
                parsed = json_stringn (value, value_len);
            if (!parsed) {
                rc = s_fail (arena, error, "The query string is not valid UTF-8.");
                break;
            }
            json_object_set_new (root, name, parsed);
        }
        p += len;
        if (*p == '&')
            p++;
    }
    if (rc == 0)
        rc = s_read_params (root, arena, request, error);
    json_decref (root);
    if (rc)
        memset (request, 0, sizeof *request);
    return rc;
}


//  --------------------------------------------------------------------------
//  Parsing the document and selecting the operation

int
dp_http_request_prepare (dp_http_request_t *request, const dp_parse_limits_t *limits,
                         dp_arena_t *arena, dp_http_error_t *error)
{
    assert (request);
    assert (request->query);
    assert (arena);
    assert (error);
    memset (error, 0, sizeof *error);

    //  Syntax.
    dp_parse_error_t parse_error;
    dp_ast_document_t *document = dp_parse (arena, request->query, request->query_len,
                                            limits, &parse_error);
    if (!document) {
        dp_error_t syntax = { .message = parse_error.message, .locations = &parse_error.loc,
                              .n_locations = 1 };
        error->status = 400;
        error->graphql = true;
        error->body = s_errors_body (arena, &syntax, &error->body_len);
        return -1;
    }
    request->document = document;
    return 0;
}

int
dp_http_request_select (dp_http_request_t *request, dp_arena_t *arena, dp_http_error_t *error)
{
    assert (request);
    assert (request->document);
    dp_operation_error_t failure;
    const dp_ast_definition_t *operation = dp_operation_select (request->document,
                                                                request->operation_name,
                                                                request->operation_name_len,
                                                                arena, &failure);
    if (!operation) {
        //  A GraphQL request error: the gateway picks the status by media type.
        error->status = 400;
        error->graphql = true;
        error->body = s_error_body (arena, failure.text, failure.len, &error->body_len);
        return -1;
    }
    request->operation = operation->operation;
    request->operation_index = (uint32_t) (operation - request->document->defs);
    return 0;
}

int
dp_http_request_coerce (dp_http_request_t *request, dp_schema_t *schema, dp_arena_t *arena,
                        dp_http_error_t *error)
{
    assert (request);
    assert (request->document);
    assert (schema);
    json_t *given = NULL;
    if (request->variables_json) {
        //  The client's object, read again with its NULs (read_json checked it).
        given = json_loadb (request->variables_json, request->variables_len, JSON_ALLOW_NUL, NULL);
        assert (json_is_object (given));
    }
    dp_error_t *errors;
    size_t n_errors;
    request->variables = dp_variables_coerce (arena, schema,
                                              &request->document->defs [request->operation_index],
                                              given, &errors, &n_errors);
    json_decref (given);
    if (request->variables)
        return 0;
    //  A GraphQL request error: the gateway picks the status by media type.
    dp_json_writer_t writer;
    dp_json_writer_init (&writer, 256);
    dp_errors_response (errors, n_errors, DP_ERROR_KEYS_GRAPHQL_JS, &writer);
    error->status = 400;
    error->graphql = true;
    error->body = dp_arena_strndup (arena, writer.data, writer.len);
    error->body_len = writer.len;
    dp_json_writer_release (&writer);
    return -1;
}

int
dp_http_request_parse (const char *body, size_t len, const dp_parse_limits_t *limits,
                       dp_arena_t *arena, dp_http_request_t *request, dp_http_error_t *error)
{
    if (dp_http_request_read_json (body, len, arena, request, error))
        return -1;
    if (!request->query) {
        memset (request, 0, sizeof *request);
        return s_fail (arena, error, "Must provide query string.");
    }
    if (dp_http_request_prepare (request, limits, arena, error)
    ||  dp_http_request_select (request, arena, error)) {
        memset (request, 0, sizeof *request);
        return -1;
    }
    return 0;
}

int64_t
dp_http_request_timeout (const char *value)
{
    if (!value)
        return 0;
    while (*value == ' ' || *value == '\t')
        value++;
    int64_t ms = 0;
    const char *p = value;
    for (; isdigit ((unsigned char) *p); p++) {
        int digit = *p - '0';
        ms = ms > (INT64_MAX - digit) / 10 ? INT64_MAX : ms * 10 + digit;
    }
    bool digits = p > value;
    while (*p == ' ' || *p == '\t')
        p++;
    return digits && *p == 0 && ms > 0 ? ms : -1;
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
    json_t *json = json_loadb (error.body, error.body_len, JSON_ALLOW_NUL, NULL);
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

    assert (!request.persisted_hash);

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

    //  \u0000 is valid JSON. Between tokens it is graphql-js's lexer error;
    //  in an operation name it is part of the name, which then selects no
    //  operation (and is shown whole, escaped, in the message).
    body = "{\"query\":\"{ a }\",\"extensions\":{\"x\":\"\\u0000\"}}";
    assert (dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error) == 0);
    s_expect_error (arena, "{\"query\":\"{ a\\u0000 }\"}",
                    "{\"errors\":[{\"locations\":[{\"column\":4,\"line\":1}],"
                    "\"message\":\"Syntax Error: Unexpected character: U+0000.\"}]}");
    s_expect_error (arena, "{\"query\":\"query A { a }\",\"operationName\":\"A\\u0000\"}",
                    "{\"errors\":[{\"message\":\"Unknown operation named \\\"A\\u0000\\\".\"}]}");
    //  A long name is cut at 200 bytes, on a character boundary (three-byte
    //  euro signs: a cut through one would make the message invalid UTF-8).
    char long_name [1000] = "{\"query\":\"query A { a }\",\"operationName\":\"";
    for (int i = 0; i < 100; i++)
        strcat (long_name, "\xe2\x82\xac");
    strcat (long_name, "\"}");
    rc = dp_http_request_parse (long_name, strlen (long_name), NULL, arena, &request, &error);
    assert (rc == -1 && error.graphql);
    assert (strstr (error.body, "\xe2\x82\xac\\\".\"}]}"));

    //  Parser limits apply.
    dp_parse_limits_t limits = { .max_tokens = 5, .max_depth = 2 };
    body = "{\"query\":\"{ a b c d e f g }\"}";
    rc = dp_http_request_parse (body, strlen (body), &limits, arena, &request, &error);
    assert (rc == -1 && error.status == 400);
    body = "{\"query\":\"{ a { b { c { d } } } }\"}";
    limits.max_tokens = 0;
    rc = dp_http_request_parse (body, strlen (body), &limits, arena, &request, &error);
    assert (rc == -1 && error.status == 400);

    //  Malformed requests and GraphQL request errors are told apart.
    body = "{\"query\":\"{ a \"}";
    assert (dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error) == -1);
    assert (error.status == 400 && error.graphql);
    body = "{\"query\":\"query A { a } query B { b }\"}";
    assert (dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error) == -1);
    assert (error.graphql);
    body = "{\"query\":1}";
    assert (dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error) == -1);
    assert (!error.graphql);
    body = "{\"query\":";
    assert (dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error) == -1);
    assert (!error.graphql);

    //  Persisted queries: the hash is read (lower-cased); with it the query
    //  may be absent, and then only the parameters are read.
    const char *hash = "ECDCD54F8BAE8F0B9C4C2A4DC0A3BE1B3E5E3CD3A6E2A9A7E3C7D7B9E2F1A0B1";
    char apq [600];
    snprintf (apq, sizeof apq, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
              "\"sha256Hash\":\"%s\"}},\"variables\":{\"a\":1}}", hash);
    rc = dp_http_request_read_json (apq, strlen (apq), arena, &request, &error);
    assert (rc == 0 && !request.query && request.persisted_hash);
    assert (strncmp (request.persisted_hash, "ecdcd54f8bae8f0b", 16) == 0);
    assert (strlen (request.persisted_hash) == 64);
    assert (strcmp (request.variables_json, "{\"a\":1}") == 0);
    //  ...but dp_http_request_parse needs the query.
    assert (dp_http_request_parse (apq, strlen (apq), NULL, arena, &request, &error) == -1);
    assert (strstr (error.body, "Must provide query string."));
    s_expect_error (arena, "{\"query\":\"{ a }\",\"extensions\":{\"persistedQuery\":{\"version\":2,"
                           "\"sha256Hash\":\"00\"}}}", "Unsupported persisted query version.");
    s_expect_error (arena, "{\"extensions\":{\"persistedQuery\":{\"version\":1,"
                           "\"sha256Hash\":\"xyz\"}}}", "64 hexadecimal digits");
    //  The SHA-256 of Apollo's hashes: lower-case hex of the query text.
    char hex [65];
    dp_http_sha256_hex ("{ __typename }", 14, hex);
    assert (strcmp (hex, "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b") == 0);
    dp_http_sha256_hex ("", 0, hex);
    assert (strcmp (hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);

    //  GET: URL-encoded parameters, variables and extensions as JSON text;
    //  unknown names are ignored and the first occurrence counts.
    rc = dp_http_request_read_get ("query=query%20Q(%24n%3A%20Int)%20%7B%20a%20%7D&operationName=Q"
                                   "&variables=%7B%22n%22%3A+3%7D&x=1&query=ignored", arena,
                                   &request, &error);
    assert (rc == 0);
    assert (strcmp (request.query, "query Q($n: Int) { a }") == 0);
    assert (strcmp (request.operation_name, "Q") == 0);
    assert (strcmp (request.variables_json, "{\"n\":3}") == 0);
    assert (dp_http_request_prepare (&request, NULL, arena, &error) == 0);
    assert (request.operation == DP_OP_QUERY);
    rc = dp_http_request_read_get ("query=mutation+%7B+a+%7D", arena, &request, &error);
    assert (rc == 0 && dp_http_request_prepare (&request, NULL, arena, &error) == 0);
    assert (dp_http_request_select (&request, arena, &error) == 0);
    assert (request.operation == DP_OP_MUTATION);
    rc = dp_http_request_read_get ("extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C"
                                   "%22sha256Hash%22%3A%22ecf4edb46db40b5132295c0291d62fb65d6759a9eed"
                                   "fa4d5d612dd5ec54a6b38%22%7D%7D", arena, &request, &error);
    assert (rc == 0 && !request.query && request.persisted_hash);
    rc = dp_http_request_read_get ("query=%7B+a+%7D&variables=", arena, &request, &error);
    assert (rc == 0 && !request.variables_json);
    const char *bad_gets [][2] = {
        { "", "Must provide query string." },
        { "operationName=x", "Must provide query string." },
        { "query=%7", "URL-encoded" },
        { "query=%zz", "URL-encoded" },
        { "query=%7Ba%7D&variables=%7B", "variables parameter is not valid JSON" },
        { "query=%7Ba%7D&variables=%5B%5D", "Query variables must be" },
        { "query=%7Ba%7D&extensions=1", "Extensions must be" },
        { "query=%FF", "UTF-8" },
    };
    for (size_t i = 0; i < sizeof bad_gets / sizeof bad_gets [0]; i++) {
        rc = dp_http_request_read_get (bad_gets [i][0], arena, &request, &error);
        if (rc != -1 || error.status != 400 || error.graphql || !strstr (error.body, bad_gets [i][1])) {
            fprintf (stderr, "GET %s: %d %s\n", bad_gets [i][0], rc, error.body ? error.body : "");
            assert (false);
        }
    }

    //  Accept negotiation.
    struct { const char *accept; dp_http_media_t media; bool html; } accepts [] = {
        { NULL, DP_MEDIA_JSON, false },
        { "", DP_MEDIA_JSON, false },
        { "*/*", DP_MEDIA_JSON, false },
        { "application/*", DP_MEDIA_JSON, false },
        { "application/json", DP_MEDIA_JSON, false },
        { "application/graphql-response+json", DP_MEDIA_GRAPHQL_RESPONSE, false },
        { "application/graphql-response+json, application/json;q=0.9", DP_MEDIA_GRAPHQL_RESPONSE, false },
        { "application/json, application/graphql-response+json", DP_MEDIA_JSON, false },
        { "application/json;q=0.5, application/graphql-response+json", DP_MEDIA_GRAPHQL_RESPONSE, false },
        { "application/graphql-response+json;charset=utf-8", DP_MEDIA_GRAPHQL_RESPONSE, false },
        { "APPLICATION/JSON", DP_MEDIA_JSON, false },
        { "text/plain", DP_MEDIA_NONE, false },
        { "application/json;q=0", DP_MEDIA_NONE, false },
        { "*/*, application/json;q=0", DP_MEDIA_NONE, false },
        { "application/graphql-response+json;q=0, */*", DP_MEDIA_JSON, false },
        { "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", DP_MEDIA_JSON, true },
        { "text/html", DP_MEDIA_NONE, true },
        { "application/json, text/html", DP_MEDIA_JSON, false },
    };
    for (size_t i = 0; i < sizeof accepts / sizeof accepts [0]; i++) {
        dp_http_accept_t result;
        dp_http_accept (accepts [i].accept, &result);
        if (result.media != accepts [i].media || result.html != accepts [i].html) {
            fprintf (stderr, "Accept %s: media %d html %d\n", accepts [i].accept,
                     (int) result.media, (int) result.html);
            assert (false);
        }
    }

    //  The generic error body.
    size_t len;
    const char *text = dp_http_error_body (arena, "a \"quoted\" message", &len);
    assert (strcmp (text, "{\"errors\":[{\"message\":\"a \\\"quoted\\\" message\"}]}") == 0);
    assert (len == strlen (text));
    text = dp_http_error_body_code (arena, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", &len);
    assert (strcmp (text, "{\"errors\":[{\"extensions\":{\"code\":\"PERSISTED_QUERY_NOT_FOUND\"},"
                          "\"message\":\"PersistedQueryNotFound\"}]}") == 0);

    //  Variables are coerced once, here, against the schema: the operation's
    //  index and typed values, or graphql-js's errors at the definitions.
    char err [256];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    body = "{\"query\":\"query A { __typename } query B($id: ID!) { base(id: $id) { id } }\","
           "\"operationName\":\"B\",\"variables\":{\"id\":\"1\\u0000x\"}}";
    rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0 && request.operation_index == 1);
    assert (dp_http_request_coerce (&request, schema, arena, &error) == 0);
    const input_t *id = dp_variables_get (request.variables, "id");
    assert (id && id->kind == IN_STRING && id->len == 3 && memcmp (id->s, "1\0x", 3) == 0);
    body = "{\"query\":\"query B($id: ID!) { base(id: $id) { id } }\",\"variables\":{}}";
    rc = dp_http_request_parse (body, strlen (body), NULL, arena, &request, &error);
    assert (rc == 0 && dp_http_request_coerce (&request, schema, arena, &error) == -1);
    assert (error.status == 400 && error.graphql);
    assert (strcmp (error.body, "{\"errors\":[{\"message\":\"Variable \\\"$id\\\" of required type \\\"ID!\\\" "
                                "was not provided.\",\"locations\":[{\"line\":1,\"column\":9}]}]}") == 0);
    dp_schema_destroy (&schema);

    dp_arena_destroy (&arena);
    //  The client's deadline header: whole milliseconds or nothing.
    assert (dp_http_request_timeout (NULL) == 0);
    assert (dp_http_request_timeout ("800") == 800);
    assert (dp_http_request_timeout (" 1 ") == 1);
    assert (dp_http_request_timeout ("99999999999999999999999") == INT64_MAX);
    const char *malformed [] = { "", " ", "0", "000", "-5", "+5", "1.5", "5ms", "1e3", "0x10",
                                 "5 5", "abc" };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed [0]; i++)
        assert (dp_http_request_timeout (malformed [i]) == -1);

    printf ("OK\n");
}
