/*  =========================================================================
    dp_rule_lone_anonymous_operation - an anonymous operation stands alone

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.2.2.1 "Lone Anonymous Operation": a document with an
    anonymous operation holds no other operation (graphql-js's
    LoneAnonymousOperationRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    size_t operations;              //  in the document
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_DOCUMENT) {
        for (size_t i = 0; i < node->document->n_defs; i++)
            self->operations += node->document->defs [i].kind == DP_AST_OPERATION;
    }
    else
    if (node->kind == DP_NODE_OPERATION && !node->definition->name && self->operations > 1)
        dp_vctx_report (ctx, "This anonymous operation must be the only defined operation.",
                        &node->definition->loc, 1);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_lone_anonymous_operation (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_DOCUMENT) | DP_KIND (DP_NODE_OPERATION) };
    return rule;
}

void
dp_rule_lone_anonymous_operation_test (bool verbose)
{
    const char *rule = "LoneAnonymousOperation";
    dp_vtest_expect (rule, "{ thing { __typename } } fragment F on Box { id }", "");
    dp_vtest_expect (rule, "query A { thing { __typename } } query B { thing { __typename } }", "");
    dp_vtest_expect (rule,
        "{ thing { __typename } }\n"
        "query { location { __typename } }\n"
        "mutation Named { moveBox(id: 1, to: 2) { id } }",
        "This anonymous operation must be the only defined operation. @1:1\n"
        "This anonymous operation must be the only defined operation. @2:1");
    if (verbose)
        printf (" * dp_rule_lone_anonymous_operation: OK\n");
}
