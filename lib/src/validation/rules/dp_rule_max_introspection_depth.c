/*  =========================================================================
    dp_rule_max_introspection_depth - introspection lists nest at most twice

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Not a rule of the specification: graphql-js 16 runs it with the
    specified rules (its recommendedRules) against introspection queries
    that nest the lists `fields`, `interfaces`, `possibleTypes` and
    `inputFields` three deep under __schema or __type, fragments followed
    (graphql-js's MaxIntrospectionDepthRule, its memoisation included).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

#define S_MAX_LISTS_DEPTH 3

typedef struct {
    dp_vmap_t checked;              //  fragment -> 1 + smallest entry depth found fine
    dp_vmap_t exceeded;             //  fragment -> 1 + entry depth that went too deep
} self_t;

static bool s_check_set (self_t *self, dp_vctx_t *ctx, const dp_ast_selection_set_t *set,
                         dp_vmap_t *visited, size_t depth);

//  checkDepth for a selection; depths are stored plus one (0: absent).
static bool
s_check (self_t *self, dp_vctx_t *ctx, const dp_ast_selection_t *node, dp_vmap_t *visited, size_t depth)
{
    if (node->kind == DP_AST_FRAGMENT_SPREAD) {
        const char *name = node->name;
        uintptr_t exceeded = (uintptr_t) dp_vmap_get (&self->exceeded, name);
        if (exceeded && exceeded - 1 <= depth)
            return true;
        uintptr_t visited_at = (uintptr_t) dp_vmap_get (visited, name);
        uintptr_t checked_at = (uintptr_t) dp_vmap_get (&self->checked, name);
        if ((visited_at && visited_at - 1 >= depth) || (checked_at && checked_at - 1 >= depth))
            return false;
        const dp_ast_definition_t *fragment = dp_vctx_fragment (ctx, name);
        if (!fragment)
            return false;
        dp_vmap_set (visited, name, (void *) (uintptr_t) (depth + 1));
        if (s_check_set (self, ctx, fragment->selection_set, visited, depth)) {
            dp_vmap_set (&self->exceeded, name, (void *) (uintptr_t) (depth + 1));
            return true;
        }
        dp_vmap_set (&self->checked, name, (void *) (uintptr_t) (depth + 1));
        return false;
    }
    if (node->kind == DP_AST_FIELD
    &&  (strcmp (node->name, "fields") == 0 || strcmp (node->name, "interfaces") == 0
    ||   strcmp (node->name, "possibleTypes") == 0 || strcmp (node->name, "inputFields") == 0)) {
        depth++;
        if (depth >= S_MAX_LISTS_DEPTH)
            return true;
    }
    return node->selection_set && s_check_set (self, ctx, node->selection_set, visited, depth);
}

static bool
s_check_set (self_t *self, dp_vctx_t *ctx, const dp_ast_selection_set_t *set, dp_vmap_t *visited,
             size_t depth)
{
    for (size_t i = 0; i < set->n_items; i++)
        if (s_check (self, ctx, &set->items [i], visited, depth))
            return true;
    return false;
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_FIELD)
        return DP_VISIT_CONTINUE;
    const dp_ast_selection_t *field = node->selection;
    if (strcmp (field->name, "__schema") != 0 && strcmp (field->name, "__type") != 0)
        return DP_VISIT_CONTINUE;
    dp_vmap_t visited;
    dp_vmap_init (&visited, dp_vctx_arena (ctx), true);
    if (s_check (self, ctx, field, &visited, 0)) {
        dp_vctx_report (ctx, "Maximum introspection depth exceeded", &node->loc, 1);
        return DP_VISIT_SKIP;
    }
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_max_introspection_depth (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_vmap_init (&self->checked, dp_vctx_arena (ctx), true);
    dp_vmap_init (&self->exceeded, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_FIELD) };
    return rule;
}

void
dp_rule_max_introspection_depth_test (bool verbose)
{
    const char *rule = "MaxIntrospectionDepth";
    dp_vtest_expect (rule, "{ __schema { types { fields { type { fields { name } } } } } }", "");
    dp_vtest_expect (rule,
        "{ __schema { types { fields { type { interfaces { name } } } } } a: __type(name: \"Box\") {"
        " fields { type { fields { type { fields { name } } } } } } b: __type(name: \"Box\") { ...F } }"
        " fragment F on __Type { fields { type { ...G } } possibleTypes { ...G } }"
        " fragment G on __Type { inputFields { name } fields { type { ...F } } }",
        "Maximum introspection depth exceeded @1:66\n"
        "Maximum introspection depth exceeded @1:149");
    if (verbose)
        printf (" * dp_rule_max_introspection_depth: OK\n");
}
