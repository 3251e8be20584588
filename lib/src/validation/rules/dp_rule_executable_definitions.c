/*  =========================================================================
    dp_rule_executable_definitions - only operations and fragments

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.1.1 "Executable Definitions": a document sent for
    execution may contain only operations and fragments; any type-system
    definition or extension in it is an error (graphql-js's
    ExecutableDefinitionsRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

static dp_visit_t
s_enter (void *self, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    if (node->kind != DP_NODE_DOCUMENT)
        return DP_VISIT_CONTINUE;
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < node->document->n_defs; i++) {
        const dp_ast_definition_t *def = &node->document->defs [i];
        if (def->kind == DP_AST_OPERATION || def->kind == DP_AST_FRAGMENT)
            continue;
        dp_vstr_clear (&message);
        if (def->kind == DP_AST_SCHEMA)
            dp_vstr_add (&message, "The schema definition is not executable.");
        else
            dp_vstr_addf (&message, "The \"%s\" definition is not executable.", def->name);
        dp_vctx_report (ctx, message.data, &def->loc, 1);
    }
    dp_vstr_release (&message);
    return DP_VISIT_SKIP;
}

dp_rule_t
dp_rule_executable_definitions (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_DOCUMENT) };
    return rule;
}

void
dp_rule_executable_definitions_test (bool verbose)
{
    const char *rule = "ExecutableDefinitions";
    dp_vtest_expect (rule, "query Q { box(id: 1) { id } } fragment F on Box { id }", "");
    dp_vtest_expect (rule,
        "{ thing { __typename } }\n"
        "type Extra { a: Int }\n"
        "\"described\" scalar Date\n"
        "extend type Box { more: Int }\n"
        "schema { query: QueryRoot }\n"
        "extend schema @onQuery\n"
        "directive @d on FIELD\n",
        "The \"Extra\" definition is not executable. @2:1\n"
        "The \"Date\" definition is not executable. @3:1\n"
        "The \"Box\" definition is not executable. @4:1\n"
        "The schema definition is not executable. @5:1\n"
        "The schema definition is not executable. @6:1\n"
        "The \"d\" definition is not executable. @7:1");
    if (verbose)
        printf (" * dp_rule_executable_definitions: OK\n");
}
