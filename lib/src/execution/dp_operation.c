/*  =========================================================================
    dp_operation - the operation of a document that a request executes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    GraphQL spec section 6.1 (GetOperation), with graphql-js's messages.
@end
*/
#include "dp_operation.h"
#include "dp_parser.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static const dp_ast_definition_t *
s_fail (dp_operation_error_t *error, const char *text, size_t len)
{
    error->text = text;
    error->len = len;
    return NULL;
}

const dp_ast_definition_t *
dp_operation_select (const dp_ast_document_t *doc, const char *name, size_t name_len,
                     dp_arena_t *arena, dp_operation_error_t *error)
{
    assert (doc);
    assert (arena);
    assert (error);
    static const char multiple [] = "Must provide operation name if query contains multiple operations.";
    static const char none [] = "Must provide an operation.";
    const dp_ast_definition_t *selected = NULL;
    for (size_t i = 0; i < doc->n_defs; i++) {
        const dp_ast_definition_t *def = &doc->defs [i];
        if (def->kind != DP_AST_OPERATION)
            continue;
        if (!name) {
            //  graphql-js stops at the second operation.
            if (selected)
                return s_fail (error, multiple, sizeof multiple - 1);
            selected = def;
        }
        else
        if (def->name && strlen (def->name) == name_len && memcmp (def->name, name, name_len) == 0)
            selected = def;
    }
    if (selected)
        return selected;
    if (!name)
        return s_fail (error, none, sizeof none - 1);
    //  Quoted whole, whatever its length or bytes, as graphql-js does.
    static const char prefix [] = "Unknown operation named \"";
    size_t prefix_len = sizeof prefix - 1;
    size_t len = prefix_len + name_len + 2;
    char *text = (char *) dp_arena_alloc (arena, len + 1);
    memcpy (text, prefix, prefix_len);
    memcpy (text + prefix_len, name, name_len);
    memcpy (text + prefix_len + name_len, "\".", 3);
    return s_fail (error, text, len);
}


//  --------------------------------------------------------------------------
//  Self test

static const char *
s_select (dp_arena_t *arena, const char *source, const char *name)
{
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    assert (doc);
    dp_operation_error_t error = { NULL, 0 };
    const dp_ast_definition_t *operation = dp_operation_select (doc, name, name ? strlen (name) : 0,
                                                                arena, &error);
    if (!operation) {
        assert (error.text && strlen (error.text) == error.len);
        return error.text;
    }
    assert (!error.text);
    //  The operation's first field names it in these tests.
    return operation->selection_set->items [0].name;
}

void
dp_operation_test (bool verbose)
{
    if (verbose)
        printf (" * dp_operation: ");
    dp_arena_t *arena = dp_arena_new (0);

    assert (strcmp (s_select (arena, "{ a }", NULL), "a") == 0);
    assert (strcmp (s_select (arena, "query A { a } mutation B { b }", "B"), "b") == 0);
    assert (strcmp (s_select (arena, "fragment F on T { f } query A { a }", NULL), "a") == 0);
    //  Two of that name (a validation error): the last, as graphql-js.
    assert (strcmp (s_select (arena, "query A { a } query A { b }", "A"), "b") == 0);
    assert (strcmp (s_select (arena, "{ a } { b }", NULL),
                    "Must provide operation name if query contains multiple operations.") == 0);
    assert (strcmp (s_select (arena, "fragment F on T { f }", NULL), "Must provide an operation.") == 0);
    assert (strcmp (s_select (arena, "{ a }", "x"), "Unknown operation named \"x\".") == 0);
    assert (strcmp (s_select (arena, "query A { a }", ""), "Unknown operation named \"\".") == 0);
    //  The name is never cut short, whatever its length.
    char name [1001];
    memset (name, 'n', 1000);
    name [1000] = 0;
    const char *message = s_select (arena, "query A { a }", name);
    assert (strlen (message) == strlen ("Unknown operation named \"\".") + 1000);
    //  A NUL is part of the name: "A\0" is not A, and is quoted whole.
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, "query A { a }", 13, NULL, &parse_error);
    dp_operation_error_t error;
    assert (dp_operation_select (doc, "A\0", 2, arena, &error) == NULL);
    assert (error.len == strlen ("Unknown operation named \"A\".") + 1);
    assert (memcmp (error.text, "Unknown operation named \"A\0\".", error.len) == 0);

    dp_arena_destroy (&arena);
    if (verbose)
        printf ("OK\n");
}
