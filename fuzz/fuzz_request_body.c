/*  =========================================================================
    fuzz_request_body - libFuzzer target: the gateway's POST /graphql body

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The input is the body of a POST /graphql, as civetweb hands it to the
    gateway: dp_http_request_parse checks the JSON (jansson), the keys and
    their types, parses the query under the gateway's default limits and
    selects the operation.
@discuss
    Properties checked besides "no crash, no leak, no sanitizer report":
    an accepted body yields a NUL-terminated query of the announced length,
    a parsed document with the selected operation, and variables (when
    present) that are a JSON object; a refused body yields status 400 and
    an error body that is a JSON object with an "errors" array.
@end
*/
#include "dp_arena.h"
#include "dp_http_request.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  The gateway's defaults (dp_gateway_config.c).
static const dp_parse_limits_t s_limits = { 15000, 64 };

static void
s_check (bool condition, const char *what)
{
    if (!condition) {
        fprintf (stderr, "fuzz_request_body: property failed: %s\n", what);
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_http_request_t request;
    dp_http_error_t error;
    memset (&request, 0, sizeof request);
    memset (&error, 0, sizeof error);
    int rc = dp_http_request_parse ((const char *) data, size, &s_limits, arena, &request, &error);
    if (rc == 0) {
        s_check (request.query != NULL, "an accepted body has a query");
        s_check (strlen (request.query) <= request.query_len, "query_len covers the query");
        s_check (request.query [request.query_len] == 0, "the query is NUL-terminated");
        s_check (request.document != NULL, "an accepted body has a parsed document");
        if (request.variables_json) {
            json_error_t json_error;
            json_t *variables = json_loadb (request.variables_json, request.variables_len, JSON_ALLOW_NUL,
                                            &json_error);
            s_check (json_is_object (variables), "variables are re-read as a JSON object");
            json_decref (variables);
        }
    }
    else {
        s_check (rc == -1, "a refused body returns -1");
        s_check (error.status == 400, "a refused body is a 400");
        s_check (error.body != NULL && error.body_len > 0, "a refused body has an error body");
        json_error_t json_error;
        json_t *body = json_loadb (error.body, error.body_len, JSON_ALLOW_NUL, &json_error);
        s_check (json_is_object (body), "the error body is a JSON object");
        s_check (json_is_array (json_object_get (body, "errors")),
                 "the error body has an errors array");
        json_decref (body);
    }
    dp_arena_destroy (&arena);
    return 0;
}
