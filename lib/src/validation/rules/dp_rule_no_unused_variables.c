/*  =========================================================================
    dp_rule_no_unused_variables - declared variables are used

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.8.4 "All Variables Used": every variable an operation
    declares is used, in its own selections or in the fragments it
    spreads (graphql-js's NoUnusedVariablesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vptrs_t definitions;         //  the current operation's, const dp_ast_variable_def_t *
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_OPERATION)
        self->definitions.count = 0;
    else
    if (node->kind == DP_NODE_VARIABLE_DEF)
        dp_vptrs_push (&self->definitions, dp_vctx_arena (ctx), node->variable_def);
    return DP_VISIT_CONTINUE;
}

static void
s_leave (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_OPERATION)
        return;
    const dp_ast_definition_t *op = node->definition;
    const dp_var_usage_t *usages;
    size_t n = dp_vctx_recursive_variable_usages (ctx, op, &usages);
    if (dp_vctx_aborted (ctx))
        return;
    dp_vmap_t used;
    dp_vmap_init (&used, dp_vctx_arena (ctx), true);
    for (size_t i = 0; i < n; i++)
        dp_vmap_set (&used, usages [i].node->text, (void *) 1);
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < self->definitions.count; i++) {
        const dp_ast_variable_def_t *var = self->definitions.items [i];
        if (dp_vmap_has (&used, var->name))
            continue;
        dp_vstr_clear (&message);
        if (op->name)
            dp_vstr_addf (&message, "Variable \"$%s\" is never used in operation \"%s\".", var->name, op->name);
        else
            dp_vstr_addf (&message, "Variable \"$%s\" is never used.", var->name);
        dp_vctx_report (ctx, message.data, &var->loc, 1);
    }
    dp_vstr_release (&message);
}

dp_rule_t
dp_rule_no_unused_variables (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_rule_t rule = { s_enter, s_leave, self,
                       DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_VARIABLE_DEF) };
    return rule;
}

void
dp_rule_no_unused_variables_test (bool verbose)
{
    const char *rule = "NoUnusedVariables";
    dp_vtest_expect (rule,
        "query Q($a: Int, $u: Unit, $s: Boolean!) { boxes(first: $a, states: []) @skip(if: $s) { ...F } }"
        " fragment F on Box { size(unit: $u) }", "");
    dp_vtest_expect (rule,
        "query Q($a: Int, $b: ID, $c: Unit, $d: [State!]!) { boxes(first: $a, states: $d) { ...F } }\n"
        "query ($x: ID, $y: Boolean) { box(id: $x) { id } }\n"
        "fragment F on Box { size(unit: $c) }",
        "Variable \"$b\" is never used in operation \"Q\". @1:18\n"
        "Variable \"$y\" is never used. @2:16");
    if (verbose)
        printf (" * dp_rule_no_unused_variables: OK\n");
}
