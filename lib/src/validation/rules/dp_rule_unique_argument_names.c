/*  =========================================================================
    dp_rule_unique_argument_names - arguments are given once

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.4.2 "Argument Uniqueness": a field or directive gets
    each argument at most once (graphql-js's UniqueArgumentNamesRule: one
    error per repeated name, at every occurrence).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

static void
s_check (dp_vctx_t *ctx, const dp_ast_argument_t *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool first = true, repeated = false;
        for (size_t j = 0; j < n; j++)
            if (strcmp (args [j].name, args [i].name) == 0) {
                if (j < i)
                    first = false;
                if (j != i)
                    repeated = true;
            }
        if (!first || !repeated)
            continue;
        dp_loc_t *locations = dp_arena_alloc (dp_vctx_arena (ctx), n * sizeof *locations);
        size_t count = 0;
        for (size_t j = i; j < n; j++)
            if (strcmp (args [j].name, args [i].name) == 0)
                locations [count++] = args [j].loc;
        dp_vctx_report_not_unique (ctx, "argument", args [i].name, locations, count);
    }
}

static dp_visit_t
s_enter (void *self, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    if (node->kind == DP_NODE_FIELD)
        s_check (ctx, node->selection->args, node->selection->n_args);
    else
    if (node->kind == DP_NODE_DIRECTIVE)
        s_check (ctx, node->directive->args, node->directive->n_args);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_unique_argument_names (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_FIELD) | DP_KIND (DP_NODE_DIRECTIVE) };
    return rule;
}

void
dp_rule_unique_argument_names_test (bool verbose)
{
    const char *rule = "UniqueArgumentNames";
    dp_vtest_expect (rule, "{ box(id: 1) @skip(if: true) { size(unit: CM) } search(text: \"a\", limit: 1) { __typename } }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1, id: 2, id: 3) @skip(if: true, if: false) @unknown(a: 1, a: 2) { size(unit: CM, unit: INCH) }"
        " search(text: \"a\", limit: 1, text: \"b\", limit: 2) { __typename } }",
        "There can be only one argument named \"id\". @1:7 @1:14 @1:21\n"
        "There can be only one argument named \"if\". @1:34 @1:44\n"
        "There can be only one argument named \"a\". @1:64 @1:70\n"
        "There can be only one argument named \"unit\". @1:83 @1:93\n"
        "There can be only one argument named \"text\". @1:114 @1:135\n"
        "There can be only one argument named \"limit\". @1:125 @1:146");
    if (verbose)
        printf (" * dp_rule_unique_argument_names: OK\n");
}
