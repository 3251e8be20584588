/*  =========================================================================
    dp_rule_no_undefined_variables - used variables are declared

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.8.3 "All Variable Uses Defined": every variable an
    operation uses, in its own selections or in the fragments it spreads,
    is one it declares (graphql-js's NoUndefinedVariablesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vmap_t defined;              //  the current operation's variable names
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_OPERATION)
        dp_vmap_init (&self->defined, dp_vctx_arena (ctx), true);
    else
    if (node->kind == DP_NODE_VARIABLE_DEF)
        dp_vmap_set (&self->defined, node->variable_def->name, (void *) 1);
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
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < n; i++) {
        const char *name = usages [i].node->text;
        if (dp_vmap_has (&self->defined, name))
            continue;
        dp_vstr_clear (&message);
        if (op->name)
            dp_vstr_addf (&message, "Variable \"$%s\" is not defined by operation \"%s\".", name, op->name);
        else
            dp_vstr_addf (&message, "Variable \"$%s\" is not defined.", name);
        dp_loc_t locations [2] = { usages [i].node->loc, op->loc };
        dp_vctx_report (ctx, message.data, locations, 2);
    }
    dp_vstr_release (&message);
}

dp_rule_t
dp_rule_no_undefined_variables (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_vmap_init (&self->defined, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, s_leave, self,
                       DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_VARIABLE_DEF) };
    return rule;
}

void
dp_rule_no_undefined_variables_test (bool verbose)
{
    const char *rule = "NoUndefinedVariables";
    dp_vtest_expect (rule,
        "query Q($a: Int, $u: Unit) { boxes(first: $a, states: []) { ...F } } fragment F on Box { size(unit: $u) }", "");
    dp_vtest_expect (rule,
        "query Q($a: Int) { boxes(first: $a, ids: [$b], states: $c) { ...F } }\n"
        "query { box(id: $x) { ...F } }\n"
        "fragment F on Box { size(unit: $u) product { category { products(first: $a) { id } } } }",
        "Variable \"$b\" is not defined by operation \"Q\". @1:43 @1:1\n"
        "Variable \"$c\" is not defined by operation \"Q\". @1:56 @1:1\n"
        "Variable \"$u\" is not defined by operation \"Q\". @3:32 @1:1\n"
        "Variable \"$x\" is not defined. @2:17 @2:1\n"
        "Variable \"$u\" is not defined. @3:32 @2:1\n"
        "Variable \"$a\" is not defined. @3:73 @2:1");
    if (verbose)
        printf (" * dp_rule_no_undefined_variables: OK\n");
}
