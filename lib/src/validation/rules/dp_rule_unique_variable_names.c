/*  =========================================================================
    dp_rule_unique_variable_names - variable names are unique

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.8.1 "Variable Uniqueness": an operation declares each
    variable once (graphql-js's UniqueVariableNamesRule: one error per
    repeated name, at every declaration of it).
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
    if (node->kind != DP_NODE_OPERATION)
        return DP_VISIT_CONTINUE;
    const dp_ast_definition_t *op = node->definition;
    for (size_t i = 0; i < op->n_variables; i++) {
        const char *name = op->variables [i].name;
        bool first = true, repeated = false;
        for (size_t j = 0; j < op->n_variables; j++)
            if (strcmp (op->variables [j].name, name) == 0) {
                if (j < i)
                    first = false;
                if (j != i)
                    repeated = true;
            }
        if (!first || !repeated)
            continue;
        dp_loc_t *locations = dp_arena_alloc (dp_vctx_arena (ctx), op->n_variables * sizeof *locations);
        size_t n = 0;
        for (size_t j = i; j < op->n_variables; j++)
            if (strcmp (op->variables [j].name, name) == 0)
                locations [n++] = op->variables [j].name_loc;
        dp_vctx_report_not_unique (ctx, "variable", dp_arena_printf (dp_vctx_arena (ctx), "$%s", name),
                                   locations, n);
    }
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_unique_variable_names (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_OPERATION) };
    return rule;
}

void
dp_rule_unique_variable_names_test (bool verbose)
{
    const char *rule = "UniqueVariableNames";
    dp_vtest_expect (rule, "query Q($a: Int, $b: ID) { thing { __typename } } query R($a: Int) { thing { __typename } }", "");
    dp_vtest_expect (rule,
        "query Q($a: Int, $b: ID, $a: String, $ b: ID, $a: Int) { thing { __typename } }"
        " query R($a: Int) { thing { __typename } }",
        "There can be only one variable named \"$a\". @1:10 @1:27 @1:48\n"
        "There can be only one variable named \"$b\". @1:19 @1:40");
    if (verbose)
        printf (" * dp_rule_unique_variable_names: OK\n");
}
