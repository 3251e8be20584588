/*  =========================================================================
    dp_rule_variables_in_allowed_position - variables fit where they are used

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.8.5 "All Variable Usages Are Allowed": a variable's type
    fits every position it is used in (a nullable variable may fill a
    non-null position only when it or the position has a default), and a
    field of a @oneOf input object takes only non-null variables
    (graphql-js's VariablesInAllowedPositionRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vmap_t definitions;          //  the current operation's: name -> dp_ast_variable_def_t
} self_t;

//  graphql-js's allowedVariableUsage.
static bool
s_allowed (const dp_type_ref_t *var_type, const dp_ast_value_t *var_default,
           const dp_type_ref_t *location, const dp_ast_value_t *location_default)
{
    if (location->kind == DP_REF_NON_NULL && var_type->kind != DP_REF_NON_NULL) {
        bool non_null_default = var_default && var_default->kind != DP_AST_NULL;
        if (!non_null_default && !location_default)
            return false;
        return dp_vtype_is_sub_type_of (var_type, location->of);
    }
    return dp_vtype_is_sub_type_of (var_type, location);
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_OPERATION)
        dp_vmap_init (&self->definitions, dp_vctx_arena (ctx), true);
    else
    if (node->kind == DP_NODE_VARIABLE_DEF)
        dp_vmap_set (&self->definitions, node->variable_def->name, (void *) node->variable_def);
    return DP_VISIT_CONTINUE;
}

static void
s_leave (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_OPERATION)
        return;
    const dp_var_usage_t *usages;
    size_t n = dp_vctx_recursive_variable_usages (ctx, node->definition, &usages);
    if (dp_vctx_aborted (ctx))
        return;
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < n; i++) {
        const dp_var_usage_t *usage = &usages [i];
        const char *name = usage->node->text;
        const dp_ast_variable_def_t *var = dp_vmap_get (&self->definitions, name);
        if (!var || !usage->type)
            continue;
        const dp_type_ref_t *var_type = dp_vctx_type_from_ast (ctx, var->type);
        dp_loc_t locations [2] = { var->loc, usage->node->loc };
        if (var_type && !s_allowed (var_type, var->default_value, usage->type, usage->default_value)) {
            dp_vstr_clear (&message);
            dp_vstr_addf (&message, "Variable \"$%s\" of type \"", name);
            dp_vstr_type (&message, var_type);
            dp_vstr_add (&message, "\" used in position expecting type \"");
            dp_vstr_type (&message, usage->type);
            dp_vstr_add (&message, "\".");
            dp_vctx_report (ctx, message.data, locations, 2);
        }
        const dp_type_t *parent = dp_vtype_as_named (usage->parent_type);
        if (parent && parent->kind == DP_TYPE_INPUT_OBJECT && parent->one_of
        &&  var_type && var_type->kind != DP_REF_NON_NULL) {
            dp_vstr_clear (&message);
            dp_vstr_addf (&message, "Variable \"$%s\" is of type \"", name);
            dp_vstr_type (&message, var_type);
            dp_vstr_addf (&message, "\" but must be non-nullable to be used for OneOf Input Object \"%s\".",
                          parent->name);
            dp_vctx_report (ctx, message.data, locations, 2);
        }
    }
    dp_vstr_release (&message);
}

dp_rule_t
dp_rule_variables_in_allowed_position (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_vmap_init (&self->definitions, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, s_leave, self,
                       DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_VARIABLE_DEF) };
    return rule;
}

void
dp_rule_variables_in_allowed_position_test (bool verbose)
{
    const char *rule = "VariablesInAllowedPosition";
    dp_vtest_expect (rule,
        "query Q($id: ID!, $n: Int, $nn: Int!, $s: [State!]!, $st: State!, $b: Boolean = false, $p: ID!,"
        " $u: Unit, $node: ID = 2) {"
        " box(id: $id) { size(unit: $u) } b2: box(id: $node) { id } boxes(first: $nn, states: $s, filter: {required: $b}) @skip(if: $b) { id }"
        " b3: boxes(states: [$st]) { id } search(text: \"x\", limit: $n) { __typename }"
        " product(pick: {id: $p}) { ...F } } fragment F on Product { category { products(first: $n) { id } } }", "");
    dp_vtest_expect (rule,
        "query Q($id: ID, $id2: ID = \"1\", $int: Int, $intNN: Int!, $states: [State], $state: State, $bool: Boolean, $filter: BoxFilter, $list: [[Int]], $s: String, $pick: ID, $f: Float, $u: Unit = CM, $d: ID = null) {\n"
        "  box(id: $id) { size(unit: $u) }\n"
        "  b2: box(id: $id2) { id }\n"
        "  b3: box(id: $d) { id }\n"
        "  boxes(first: $intNN, states: $states, filter: {nested: $filter, required: $bool, states: [$state], minItems: $int}) { id }\n"
        "  b4: boxes(states: [$state], ids: [$int]) @skip(if: $bool) { id }\n"
        "  complex(list: $list, flag: true, matrix: [[$int, $f]])\n"
        "  search(text: $s, limit: $int) { __typename }\n"
        "  product(pick: {id: $pick}) { ...F }\n"
        "  p2: product(pick: {label: $s}) { id }\n"
        "}\n"
        "fragment F on Product { category { products(first: $intNN, after: $int) { id } } }",
        "Variable \"$id\" of type \"ID\" used in position expecting type \"ID!\". @1:9 @2:11\n"
        "Variable \"$d\" of type \"ID\" used in position expecting type \"ID!\". @1:193 @4:15\n"
        "Variable \"$states\" of type \"[State]\" used in position expecting type \"[State!]!\". @1:59 @5:32\n"
        "Variable \"$bool\" of type \"Boolean\" used in position expecting type \"Boolean!\". @1:92 @5:77\n"
        "Variable \"$state\" of type \"State\" used in position expecting type \"State!\". @1:77 @5:93\n"
        "Variable \"$state\" of type \"State\" used in position expecting type \"State!\". @1:77 @6:22\n"
        "Variable \"$int\" of type \"Int\" used in position expecting type \"ID!\". @1:34 @6:37\n"
        "Variable \"$bool\" of type \"Boolean\" used in position expecting type \"Boolean!\". @1:92 @6:54\n"
        "Variable \"$list\" of type \"[[Int]]\" used in position expecting type \"[[Int!]]!\". @1:128 @7:17\n"
        "Variable \"$int\" of type \"Int\" used in position expecting type \"Float\". @1:34 @7:46\n"
        "Variable \"$s\" of type \"String\" used in position expecting type \"String!\". @1:144 @8:16\n"
        "Variable \"$pick\" is of type \"ID\" but must be non-nullable to be used for OneOf Input Object \"Pick\". @1:156 @9:22\n"
        "Variable \"$s\" is of type \"String\" but must be non-nullable to be used for OneOf Input Object \"Pick\". @1:144 @10:29\n"
        "Variable \"$int\" of type \"Int\" used in position expecting type \"String\". @1:34 @12:67");
    if (verbose)
        printf (" * dp_rule_variables_in_allowed_position: OK\n");
}
