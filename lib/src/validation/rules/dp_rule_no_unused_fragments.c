/*  =========================================================================
    dp_rule_no_unused_fragments - every fragment is used

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.1.4 "Fragments Must Be Used": every fragment is spread
    by some operation, directly or through other fragments (graphql-js's
    NoUnusedFragmentsRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vptrs_t operations;          //  const dp_ast_definition_t *
    dp_vptrs_t fragments;
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_OPERATION) {
        dp_vptrs_push (&self->operations, dp_vctx_arena (ctx), node->definition);
        return DP_VISIT_SKIP;
    }
    if (node->kind == DP_NODE_FRAGMENT) {
        dp_vptrs_push (&self->fragments, dp_vctx_arena (ctx), node->definition);
        return DP_VISIT_SKIP;
    }
    return DP_VISIT_CONTINUE;
}

static void
s_leave (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_DOCUMENT)
        return;
    const dp_ast_definition_t **used;
    size_t n_used = dp_vctx_recursive_fragments (ctx, (const dp_ast_definition_t **) self->operations.items,
                                                 self->operations.count, &used);
    if (dp_vctx_aborted (ctx))
        return;
    dp_vmap_t names;
    dp_vmap_init (&names, dp_vctx_arena (ctx), true);
    for (size_t i = 0; i < n_used; i++)
        dp_vmap_set (&names, used [i]->name, (void *) 1);
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < self->fragments.count; i++) {
        const dp_ast_definition_t *fragment = self->fragments.items [i];
        if (dp_vmap_has (&names, fragment->name))
            continue;
        dp_vstr_clear (&message);
        dp_vstr_addf (&message, "Fragment \"%s\" is never used.", fragment->name);
        dp_vctx_report (ctx, message.data, &fragment->loc, 1);
    }
    dp_vstr_release (&message);
}

dp_rule_t
dp_rule_no_unused_fragments (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_rule_t rule = { s_enter, s_leave, self,
                       DP_KIND (DP_NODE_DOCUMENT) | DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_FRAGMENT) };
    return rule;
}

void
dp_rule_no_unused_fragments_test (bool verbose)
{
    const char *rule = "NoUnusedFragments";
    dp_vtest_expect (rule,
        "query Q { box(id: 1) { ...A } } fragment A on Box { ... on Box { ...B } } fragment B on Box { id }", "");
    dp_vtest_expect (rule,
        "query Q { box(id: 1) { ...A } }\n"
        "fragment A on Box { ...B }\n"
        "fragment B on Box { id }\n"
        "fragment Unused on Box { ...C }\n"
        "fragment C on Box { id }\n"
        "{ thing { ...D } }\n"
        "fragment D on Box { id }",
        "Fragment \"Unused\" is never used. @4:1\n"
        "Fragment \"C\" is never used. @5:1");
    if (verbose)
        printf (" * dp_rule_no_unused_fragments: OK\n");
}
