/*  =========================================================================
    dp_rule_fragments_on_composite_types - fragments on objects, interfaces
    and unions only

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.1.3 "Fragments On Composite Types": a fragment's type
    condition names an object, interface or union type (graphql-js's
    FragmentsOnCompositeTypesRule). Unknown types are KnownTypeNames' to
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
    const char *condition;
    dp_loc_t loc;
    const char *fragment_name = NULL;
    if (node->kind == DP_NODE_INLINE_FRAGMENT && node->selection->type_condition) {
        condition = node->selection->type_condition;
        loc = node->selection->type_condition_loc;
    }
    else
    if (node->kind == DP_NODE_FRAGMENT) {
        condition = node->definition->type_condition;
        loc = node->definition->type_condition_loc;
        fragment_name = node->definition->name;
    }
    else
        return DP_VISIT_CONTINUE;
    const dp_type_t *type = dp_vctx_type_named (ctx, condition);
    if (type && !dp_vkind_is_composite (type)) {
        dp_vstr_t message;
        dp_vstr_init (&message);
        if (fragment_name)
            dp_vstr_addf (&message, "Fragment \"%s\" cannot condition on non composite type \"%s\".",
                          fragment_name, condition);
        else
            dp_vstr_addf (&message, "Fragment cannot condition on non composite type \"%s\".", condition);
        dp_vctx_report (ctx, message.data, &loc, 1);
        dp_vstr_release (&message);
    }
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_fragments_on_composite_types (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_INLINE_FRAGMENT) | DP_KIND (DP_NODE_FRAGMENT) };
    return rule;
}

void
dp_rule_fragments_on_composite_types_test (bool verbose)
{
    const char *rule = "FragmentsOnCompositeTypes";
    dp_vtest_expect (rule,
        "{ box(id: 1) { ... on Item { id } ... { id } ...F } location { ... on Location { __typename } } }"
        " fragment F on Box { id }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { ... on State { id } ... on Unknown { id } ... { id } ...F } }\n"
        "fragment F on BoxFilter { id }\n"
        "fragment G on Datetime { id }",
        "Fragment cannot condition on non composite type \"State\". @1:23\n"
        "Fragment \"F\" cannot condition on non composite type \"BoxFilter\". @2:15\n"
        "Fragment \"G\" cannot condition on non composite type \"Datetime\". @3:15");
    if (verbose)
        printf (" * dp_rule_fragments_on_composite_types: OK\n");
}
