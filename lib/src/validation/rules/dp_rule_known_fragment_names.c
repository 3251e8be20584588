/*  =========================================================================
    dp_rule_known_fragment_names - spread fragments are defined

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.2.1 "Fragment spread target defined": every fragment
    spread names a fragment the document defines (graphql-js's
    KnownFragmentNamesRule).
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
    if (node->kind != DP_NODE_FRAGMENT_SPREAD || dp_vctx_fragment (ctx, node->selection->name))
        return DP_VISIT_CONTINUE;
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_addf (&message, "Unknown fragment \"%s\".", node->selection->name);
    dp_vctx_report (ctx, message.data, &node->selection->name_loc, 1);
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_known_fragment_names (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_FRAGMENT_SPREAD) };
    return rule;
}

void
dp_rule_known_fragment_names_test (bool verbose)
{
    const char *rule = "KnownFragmentNames";
    dp_vtest_expect (rule, "{ box(id: 1) { ...A ... on Box { ...B } } } fragment A on Box { ...B } fragment B on Box { id }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { ...A ...  Missing ... on Box { ...Other @onFragmentSpread } } } fragment A on Box { ...Nope }",
        "Unknown fragment \"Missing\". @1:26\n"
        "Unknown fragment \"Other\". @1:50\n"
        "Unknown fragment \"Nope\". @1:103");
    if (verbose)
        printf (" * dp_rule_known_fragment_names: OK\n");
}
