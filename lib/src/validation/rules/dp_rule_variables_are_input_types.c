/*  =========================================================================
    dp_rule_variables_are_input_types - variables have input types

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.8.2 "Variables Are Input Types": a variable's type is a
    scalar, an enum or an input object, possibly wrapped (graphql-js's
    VariablesAreInputTypesRule). Unknown types are KnownTypeNames' to
    report.
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
    if (node->kind != DP_NODE_VARIABLE_DEF)
        return DP_VISIT_CONTINUE;
    const dp_ast_variable_def_t *var = node->variable_def;
    const dp_type_ref_t *type = dp_vctx_type_from_ast (ctx, var->type);
    if (type && !dp_vkind_is_input (dp_type_ref_named (type))) {
        dp_vstr_t message;
        dp_vstr_init (&message);
        dp_vstr_addf (&message, "Variable \"$%s\" cannot be non-input type \"", var->name);
        dp_vstr_ast_type (&message, var->type);
        dp_vstr_add (&message, "\".");
        dp_vctx_report (ctx, message.data, &var->type->loc, 1);
        dp_vstr_release (&message);
    }
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_variables_are_input_types (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_VARIABLE_DEF) };
    return rule;
}

void
dp_rule_variables_are_input_types_test (bool verbose)
{
    const char *rule = "VariablesAreInputTypes";
    dp_vtest_expect (rule, "query Q($a: BoxFilter, $b: [State!]!, $c: Datetime, $d: [[ID]]) { thing { __typename } }",
                     "");
    dp_vtest_expect (rule,
        "query Q($a: Box, $b: [Location!]!, $c: [BoxFilter], $d: Nope, $e: State) { thing { __typename } }",
        "Variable \"$a\" cannot be non-input type \"Box\". @1:13\n"
        "Variable \"$b\" cannot be non-input type \"[Location!]!\". @1:22");
    if (verbose)
        printf (" * dp_rule_variables_are_input_types: OK\n");
}
