/*  =========================================================================
    dp_rule_scalar_leafs - leaves have no selection, the rest must have one

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.3.3 "Leaf Field Selections": a field of scalar or enum
    type has no selection set; a field of object, interface or union type
    has one (graphql-js's ScalarLeafsRule).
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
    if (node->kind != DP_NODE_FIELD)
        return DP_VISIT_CONTINUE;
    const dp_type_ref_t *type = dp_vctx_type (ctx);
    if (!type)
        return DP_VISIT_CONTINUE;
    const dp_ast_selection_t *field = node->selection;
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (dp_vkind_is_leaf (dp_type_ref_named (type))) {
        if (field->selection_set) {
            dp_vstr_addf (&message, "Field \"%s\" must not have a selection since type \"", field->name);
            dp_vstr_type (&message, type);
            dp_vstr_add (&message, "\" has no subfields.");
            dp_vctx_report (ctx, message.data, &field->selection_set->loc, 1);
        }
    }
    else
    if (!field->selection_set) {
        dp_vstr_addf (&message, "Field \"%s\" of type \"", field->name);
        dp_vstr_type (&message, type);
        dp_vstr_addf (&message, "\" must have a selection of subfields. Did you mean \"%s { ... }\"?",
                      field->name);
        dp_vctx_report (ctx, message.data, &field->loc, 1);
    }
    else
    if (field->selection_set->n_items == 0) {
        dp_vstr_addf (&message, "Field \"%s\" of type \"", field->name);
        dp_vstr_type (&message, type);
        dp_vstr_add (&message, "\" must have at least one field selected.");
        dp_vctx_report (ctx, message.data, &field->loc, 1);
    }
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_scalar_leafs (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_FIELD) };
    return rule;
}

void
dp_rule_scalar_leafs_test (bool verbose)
{
    const char *rule = "ScalarLeafs";
    dp_vtest_expect (rule, "{ box(id: 1) { id state tags { label } } thing { __typename } __typename }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { id { x } state { y } product tags } thing location { __typename }"
        " complex(list: [], flag: true) { z } }",
        "Field \"id\" must not have a selection since type \"ID!\" has no subfields. @1:19\n"
        "Field \"state\" must not have a selection since type \"State!\" has no subfields. @1:31\n"
        "Field \"product\" of type \"Product\" must have a selection of subfields. Did you mean \"product { ... }\"? @1:37\n"
        "Field \"tags\" of type \"[Tag!]!\" must have a selection of subfields. Did you mean \"tags { ... }\"? @1:45\n"
        "Field \"thing\" of type \"Thing\" must have a selection of subfields. Did you mean \"thing { ... }\"? @1:52\n"
        "Field \"complex\" must not have a selection since type \"Int\" has no subfields. @1:112");
    if (verbose)
        printf (" * dp_rule_scalar_leafs: OK\n");
}
