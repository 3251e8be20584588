/*  =========================================================================
    fuzz_graphql - libFuzzer target: GraphQL parser, then the checks against
    Depot's schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The input is a GraphQL document, optionally followed by a NUL byte and
    the variables as JSON text. It is parsed with dp_parse under the
    resolver's limits; when it parses, it goes through what the resolver
    does before it sends its first wave: the operation is selected, the
    variables are coerced against Depot's schema (loaded and bound to the
    mapping once), and the plan is built, which rejects unknown fields,
    arguments, types and fragments, bad argument values, leaf/composite
    selection errors and queries over the depth and complexity bounds.
@discuss
    s_validate is the hook for the document validator: when
    lib/include/dp_validate.h (graphql-js's rules) is on this branch, it
    is called at the top of s_validate, as the gateway and the resolver
    call it. Until then the resolver's own checks (operation selection,
    dp_variables_coerce, dp_plan_build) are the validation under test.
    Properties checked besides "no crash, no leak, no sanitizer report":
    a failed parse or check always comes with a message, and every error
    location is 1-based.
@end
*/
#include "dp_arena.h"
#include "dp_parser.h"
#include "dp_operation.h"
#include "dp_schema.h"
#include "dp_values.h"
#include "dp_plan.h"
#include "dp_validate.h"
#include "dp_resolver_actor.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  The resolver's defaults (dp_resolver_actor.c); the gateway's are tighter.
static const dp_parse_limits_t s_limits = { 50000, 64 };

static dp_schema_t *s_schema;

static void
s_check (bool condition, const char *what)
{
    if (!condition) {
        fprintf (stderr, "fuzz_graphql: property failed: %s\n", what);
        abort ();
    }
}

static void
s_destroy_schema (void)
{
    dp_schema_destroy (&s_schema);
}

static dp_schema_t *
s_depot_schema (void)
{
    if (!s_schema) {
        char err [300];
        s_schema = dp_resolver_schema_load (NULL, err, sizeof err);
        if (!s_schema) {
            fprintf (stderr, "fuzz_graphql: Depot's schema does not load: %s\n", err);
            abort ();
        }
        atexit (s_destroy_schema);
    }
    return s_schema;
}

//  The validation hook: every check a parsed document goes through before
//  execution. The document validator (dp_validate, graphql-js's rules)
//  plugs in at its top when it is on this branch; after it come the
//  resolver's checks: operation selection, variable coercion, the plan.
static void
s_validate (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_document_t *doc,
            const char *variables_text, size_t variables_len)
{
    //  The gateway's validation (graphql-js's rules and Depot's limits); the
    //  resolver's checks below run either way (defence in depth).
    dp_validation_errors_t *validation = dp_validation_errors_new ();
    dp_validate_limits_t limits;
    dp_validate_limits_default (&limits);
    size_t n_invalid = dp_validate (schema, doc, &limits, validation);
    s_check (n_invalid == dp_validation_errors_size (validation), "validation counts its errors");
    dp_validation_errors_destroy (&validation);
    dp_operation_error_t failure = { NULL, 0 };
    const dp_ast_definition_t *operation = dp_operation_select (doc, NULL, 0, arena, &failure);
    if (!operation) {
        s_check (failure.text && failure.len > 0, "no operation selected comes with a message");
        return;
    }
    json_t *variables = NULL;
    if (variables_text) {
        json_error_t json_error;
        variables = json_loadb (variables_text, variables_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &json_error);
    }
    dp_error_t *errors;
    size_t n_errors;
    dp_variables_t *coerced = dp_variables_coerce (arena, schema, operation,
                                                   json_is_object (variables) ? variables : NULL,
                                                   &errors, &n_errors);
    json_decref (variables);
    if (!coerced) {
        s_check (n_errors > 0, "a failed coercion reports an error");
        for (size_t i = 0; i < n_errors; i++)
            s_check (errors [i].message && (errors [i].message_len || errors [i].message [0]), "a variable error has a message");
        return;
    }
    dp_plan_error_t plan_error = { "", { 0, 0 } };
    plan_node_t *root = dp_plan_build (arena, schema, doc, operation, coerced, &plan_error);
    if (!root)
        s_check (plan_error.message [0] != 0, "a plan error has a message");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    dp_schema_t *schema = s_depot_schema ();
    const char *source = (const char *) data;
    size_t source_len = size;
    const char *variables_text = NULL;
    size_t variables_len = 0;
    const uint8_t *nul = memchr (data, 0, size);
    if (nul) {
        source_len = (size_t) (nul - data);
        variables_text = (const char *) nul + 1;
        variables_len = size - source_len - 1;
    }
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t parse_error = { "", { 0, 0 } };
    dp_ast_document_t *doc = dp_parse (arena, source, source_len, &s_limits, &parse_error);
    if (!doc) {
        s_check (parse_error.message [0] != 0, "a parse error has a message");
        s_check (parse_error.loc.line >= 1 && parse_error.loc.column >= 1,
                 "a parse error has a 1-based location");
        dp_arena_destroy (&arena);
        return 0;
    }
    s_validate (arena, schema, doc, variables_text, variables_len);
    dp_arena_destroy (&arena);
    return 0;
}
