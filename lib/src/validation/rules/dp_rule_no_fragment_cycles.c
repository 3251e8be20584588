/*  =========================================================================
    dp_rule_no_fragment_cycles - fragments do not spread themselves

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.2.2 "Fragment spreads must not form cycles": no
    fragment spreads itself, directly or through other fragments
    (graphql-js's NoFragmentCyclesRule: one depth-first search over the
    fragments, each cycle reported once with the spreads that form it).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

typedef struct {
    dp_vmap_t visited;              //  fragment names already searched
    dp_vptrs_t path;                //  the spreads followed, const dp_ast_selection_t *
    dp_vmap_t index_by_name;        //  fragment name -> 1 + its position in path (0: none)
} self_t;

static void
s_detect (self_t *self, dp_vctx_t *ctx, const dp_ast_definition_t *fragment)
{
    if (dp_vmap_has (&self->visited, fragment->name))
        return;
    dp_vmap_set (&self->visited, fragment->name, (void *) 1);
    const dp_ast_selection_t **spreads;
    size_t n = dp_vctx_fragment_spreads (ctx, fragment->selection_set, &spreads);
    if (n == 0)
        return;
    dp_vmap_set (&self->index_by_name, fragment->name, (void *) (uintptr_t) (self->path.count + 1));
    for (size_t i = 0; i < n && !dp_vctx_aborted (ctx); i++) {
        const dp_ast_selection_t *spread = spreads [i];
        uintptr_t cycle_index = (uintptr_t) dp_vmap_get (&self->index_by_name, spread->name);
        dp_vptrs_push (&self->path, dp_vctx_arena (ctx), spread);
        if (cycle_index == 0) {
            const dp_ast_definition_t *next = dp_vctx_fragment (ctx, spread->name);
            if (next)
                s_detect (self, ctx, next);
        }
        else {
            size_t from = cycle_index - 1;
            size_t length = self->path.count - from;
            dp_loc_t *locations = dp_arena_alloc (dp_vctx_arena (ctx), length * sizeof *locations);
            dp_vstr_t message;
            dp_vstr_init (&message);
            dp_vstr_addf (&message, "Cannot spread fragment \"%s\" within itself", spread->name);
            for (size_t k = 0; k < length; k++) {
                const dp_ast_selection_t *step = self->path.items [from + k];
                locations [k] = step->loc;
                if (k + 1 < length)
                    dp_vstr_addf (&message, "%s\"%s\"", k == 0 ? " via " : ", ", step->name);
            }
            dp_vstr_add (&message, ".");
            dp_vctx_report (ctx, message.data, locations, length);
            dp_vstr_release (&message);
        }
        self->path.count--;
    }
    dp_vmap_set (&self->index_by_name, fragment->name, NULL);
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    if (node->kind == DP_NODE_OPERATION)
        return DP_VISIT_SKIP;
    if (node->kind == DP_NODE_FRAGMENT) {
        s_detect (self_, ctx, node->definition);
        return DP_VISIT_SKIP;
    }
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_no_fragment_cycles (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_vmap_init (&self->visited, dp_vctx_arena (ctx), true);
    dp_vmap_init (&self->index_by_name, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_FRAGMENT) };
    return rule;
}

void
dp_rule_no_fragment_cycles_test (bool verbose)
{
    const char *rule = "NoFragmentCycles";
    dp_vtest_expect (rule,
        "{ box(id: 1) { ...A ...B } } fragment A on Box { ...B ...B } fragment B on Box { product { id } }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { ...A } }\n"
        "fragment A on Box { ...B }\n"
        "fragment B on Box { ...C ...A }\n"
        "fragment C on Box { ... on Box { ...A } ...C }\n"
        "fragment D on Box { product { ...D } }\n"
        "fragment E on Box { ...Missing }",
        "Cannot spread fragment \"C\" within itself. @4:41\n"
        "Cannot spread fragment \"A\" within itself via \"B\", \"C\". @2:21 @3:21 @4:34\n"
        "Cannot spread fragment \"A\" within itself via \"B\". @2:21 @3:26\n"
        "Cannot spread fragment \"D\" within itself. @5:31");
    if (verbose)
        printf (" * dp_rule_no_fragment_cycles: OK\n");
}
