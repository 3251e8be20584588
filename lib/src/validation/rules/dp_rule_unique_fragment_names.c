/*  =========================================================================
    dp_rule_unique_fragment_names - fragment names are unique

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.1.1 "Fragment Name Uniqueness": no two fragment
    definitions share a name (graphql-js's UniqueFragmentNamesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vmap_t known;                //  name -> its first definition
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_OPERATION)
        return DP_VISIT_SKIP;
    if (node->kind != DP_NODE_FRAGMENT)
        return DP_VISIT_CONTINUE;
    const dp_ast_definition_t *def = node->definition;
    const dp_ast_definition_t *first = dp_vmap_get (&self->known, def->name);
    if (first) {
        dp_loc_t locations [2] = { first->name_loc, def->name_loc };
        dp_vctx_report_not_unique (ctx, "fragment", def->name, locations, 2);
    }
    else
        dp_vmap_set (&self->known, def->name, (void *) def);
    return DP_VISIT_SKIP;
}

dp_rule_t
dp_rule_unique_fragment_names (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_vmap_init (&self->known, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_FRAGMENT) };
    return rule;
}

void
dp_rule_unique_fragment_names_test (bool verbose)
{
    const char *rule = "UniqueFragmentNames";
    dp_vtest_expect (rule, "query A { box(id: 1) { ...A ...B } } fragment A on Box { id } fragment B on Box { id }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { ...A ...B } } fragment A on Box { id } fragment B on Box { id }\n"
        "fragment A on Box { name }\n"
        "fragment  A on Item { id }",
        "There can be only one fragment named \"A\". @1:39 @2:10\n"
        "There can be only one fragment named \"A\". @1:39 @3:11");
    if (verbose)
        printf (" * dp_rule_unique_fragment_names: OK\n");
}
