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

const dp_ast_definition_t *
dp_operation_select (const dp_ast_document_t *doc, const char *name,
                     dp_arena_t *arena, const char **message_p)
{
    assert (doc);
    assert (arena);
    assert (message_p);
    const dp_ast_definition_t *selected = NULL;
    for (size_t i = 0; i < doc->n_defs; i++) {
        const dp_ast_definition_t *def = &doc->defs [i];
        if (def->kind != DP_AST_OPERATION)
            continue;
        if (!name) {
            //  graphql-js stops at the second operation.
            if (selected) {
                *message_p = "Must provide operation name if query contains multiple operations.";
                return NULL;
            }
            selected = def;
        }
        else
        if (def->name && strcmp (def->name, name) == 0)
            selected = def;
    }
    if (!selected)
        *message_p = name ? dp_arena_printf (arena, "Unknown operation named \"%s\".", name)
                          : "Must provide an operation.";
    return selected;
}


//  --------------------------------------------------------------------------
//  Self test

static const char *
s_select (dp_arena_t *arena, const char *source, const char *name)
{
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    assert (doc);
    const char *message = NULL;
    const dp_ast_definition_t *operation = dp_operation_select (doc, name, arena, &message);
    if (!operation)
        return message;
    assert (!message);
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

    dp_arena_destroy (&arena);
    if (verbose)
        printf ("OK\n");
}
