/*  =========================================================================
    dp_rule_possible_fragment_spreads - a spread can apply

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.2.3 "Fragment spread is possible": a fragment is
    spread only where some object could be of both the enclosing type and
    the fragment's type (graphql-js's PossibleFragmentSpreadsRule).
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
    const dp_type_t *fragment_type;
    const char *fragment_name = NULL;
    if (node->kind == DP_NODE_INLINE_FRAGMENT)
        fragment_type = dp_vtype_as_named (dp_vctx_type (ctx));
    else
    if (node->kind == DP_NODE_FRAGMENT_SPREAD) {
        fragment_name = node->selection->name;
        const dp_ast_definition_t *fragment = dp_vctx_fragment (ctx, fragment_name);
        fragment_type = fragment ? dp_vctx_type_named (ctx, fragment->type_condition) : NULL;
    }
    else
        return DP_VISIT_CONTINUE;
    const dp_type_t *parent_type = dp_vctx_parent_type (ctx);
    if (!dp_vkind_is_composite (fragment_type) || !dp_vkind_is_composite (parent_type)
    ||  dp_vtype_overlap (fragment_type, parent_type))
        return DP_VISIT_CONTINUE;
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (fragment_name)
        dp_vstr_addf (&message, "Fragment \"%s\" cannot be spread here as objects of type \"%s\" "
                      "can never be of type \"%s\".", fragment_name, parent_type->name, fragment_type->name);
    else
        dp_vstr_addf (&message, "Fragment cannot be spread here as objects of type \"%s\" "
                      "can never be of type \"%s\".", parent_type->name, fragment_type->name);
    dp_vctx_report (ctx, message.data, &node->loc, 1);
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_possible_fragment_spreads (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_INLINE_FRAGMENT) | DP_KIND (DP_NODE_FRAGMENT_SPREAD) };
    return rule;
}

void
dp_rule_possible_fragment_spreads_test (bool verbose)
{
    const char *rule = "PossibleFragmentSpreads";
    dp_vtest_expect (rule,
        "{ box(id: 1) { ... on Item { id } ... on Node { id } ...OnThing ... { id } }"
        " thing { ... on Item { id } ... on Box { id } ...OnThing } node(id: 1) { ... on Thing { __typename } } }"
        " fragment OnThing on Thing { __typename }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { ...OnTag ... on Tag { id } ... on Item { id } ... on Location { __typename } ...OnThing ...OnProduct }\n"
        "thing { ... on Location { __typename } ... on Item { id } ...OnTag ... on Warehouse { id } }\n"
        "location { ...OnThing ... on Node { id } } item(id: 1) { ... on Tag { id } ... on Thing { __typename } ... on Node { id } } }\n"
        "fragment OnTag on Tag { id }\n"
        "fragment OnThing on Thing { __typename }\n"
        "fragment OnProduct on Product { id }",
        "Fragment \"OnTag\" cannot be spread here as objects of type \"Box\" can never be of type \"Tag\". @1:16\n"
        "Fragment cannot be spread here as objects of type \"Box\" can never be of type \"Tag\". @1:25\n"
        "Fragment cannot be spread here as objects of type \"Box\" can never be of type \"Location\". @1:62\n"
        "Fragment \"OnProduct\" cannot be spread here as objects of type \"Box\" can never be of type \"Product\". @1:104\n"
        "Fragment cannot be spread here as objects of type \"Thing\" can never be of type \"Location\". @2:9\n"
        "Fragment cannot be spread here as objects of type \"Thing\" can never be of type \"Warehouse\". @2:68\n"
        "Fragment \"OnThing\" cannot be spread here as objects of type \"Location\" can never be of type \"Thing\". @3:12\n"
        "Fragment cannot be spread here as objects of type \"Location\" can never be of type \"Node\". @3:23\n"
        "Fragment cannot be spread here as objects of type \"Item\" can never be of type \"Tag\". @3:58");
    if (verbose)
        printf (" * dp_rule_possible_fragment_spreads: OK\n");
}
