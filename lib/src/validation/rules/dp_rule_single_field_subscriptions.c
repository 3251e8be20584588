/*  =========================================================================
    dp_rule_single_field_subscriptions - a subscription has one root field

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.2.3.1 "Single root field": a subscription selects
    exactly one top-level field, and not an introspection field, once
    its fragments are collected as execution collects them (@skip and
    @include with literal values honoured) (graphql-js's
    SingleFieldSubscriptionsRule).
@discuss
    Depot's schema has no subscription type, so the rule only ever
    speaks for schemas that have one. A @skip or @include whose `if` is
    not a literal boolean keeps the selection (graphql-js's execution code
    throws there).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vctx_t *ctx;
    dp_vmap_t fields;               //  response name -> dp_vptrs_t of field selections
    dp_vptrs_t names;               //  response names, first seen first
    dp_vmap_t visited;              //  fragment names spread
    const dp_type_t *root;
} s_collect_t;

//  shouldIncludeNode with no variables.
static bool
s_should_include (const dp_ast_directive_t *directives, size_t n)
{
    for (size_t pass = 0; pass < 2; pass++) {
        const char *name = pass == 0 ? "skip" : "include";
        for (size_t i = 0; i < n; i++) {
            if (strcmp (directives [i].name, name) != 0)
                continue;
            for (size_t a = 0; a < directives [i].n_args; a++)
                if (strcmp (directives [i].args [a].name, "if") == 0
                &&  directives [i].args [a].value->kind == DP_AST_BOOLEAN
                &&  directives [i].args [a].value->boolean == (pass == 0))
                    return false;
            break;
        }
    }
    return true;
}

static bool
s_condition_matches (s_collect_t *self, const char *condition)
{
    if (!condition)
        return true;
    const dp_type_t *type = dp_vctx_type_named (self->ctx, condition);
    if (type == self->root)
        return true;
    return dp_vkind_is_abstract (type) && dp_vschema_is_sub_type (type, self->root);
}

//  graphql-js's reserveSelectionSetWork, then collectFieldsImpl.
static void
s_collect (s_collect_t *self, const dp_ast_selection_set_t *set)
{
    dp_vctx_t *ctx = self->ctx;
    dp_vctx_spend_fragment_work (ctx, set->n_items);
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        dp_vctx_spend_fragment_work (ctx, selection->n_directives);
        for (size_t d = 0; d < selection->n_directives; d++)
            if (strcmp (selection->directives [d].name, "skip") == 0
            ||  strcmp (selection->directives [d].name, "include") == 0)
                dp_vctx_spend_fragment_work (ctx, selection->directives [d].n_args);
    }
    if (dp_vctx_aborted (ctx))
        return;
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        if (selection->kind == DP_AST_FIELD) {
            if (!s_should_include (selection->directives, selection->n_directives))
                continue;
            const char *key = selection->alias ? selection->alias : selection->name;
            dp_vptrs_t *list = dp_vmap_get (&self->fields, key);
            if (!list) {
                list = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *list);
                dp_vmap_set (&self->fields, key, list);
                dp_vptrs_push (&self->names, dp_vctx_arena (ctx), key);
            }
            dp_vptrs_push (list, dp_vctx_arena (ctx), selection);
        }
        else
        if (selection->kind == DP_AST_INLINE_FRAGMENT) {
            if (!s_should_include (selection->directives, selection->n_directives)
            ||  !s_condition_matches (self, selection->type_condition))
                continue;
            s_collect (self, selection->selection_set);
        }
        else {
            if (dp_vmap_has (&self->visited, selection->name)
            ||  !s_should_include (selection->directives, selection->n_directives))
                continue;
            dp_vmap_set (&self->visited, selection->name, (void *) 1);
            const dp_ast_definition_t *fragment = dp_vctx_fragment (ctx, selection->name);
            if (!fragment || !s_condition_matches (self, fragment->type_condition))
                continue;
            s_collect (self, fragment->selection_set);
        }
        if (dp_vctx_aborted (ctx))
            return;
    }
}

typedef struct {
    bool definitions_counted;       //  graphql-js builds its fragment map once
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_OPERATION || node->definition->operation != DP_OP_SUBSCRIPTION)
        return DP_VISIT_CONTINUE;
    const dp_type_t *root = dp_schema_subscription_type (dp_vctx_schema (ctx));
    if (!root)
        return DP_VISIT_CONTINUE;
    const dp_ast_definition_t *operation = node->definition;
    if (!self->definitions_counted) {
        dp_vctx_spend_fragment_work (ctx, dp_vctx_document (ctx)->n_defs);
        self->definitions_counted = true;
    }
    s_collect_t collect = { .ctx = ctx, .root = root };
    dp_vmap_init (&collect.fields, dp_vctx_arena (ctx), true);
    dp_vmap_init (&collect.visited, dp_vctx_arena (ctx), true);
    s_collect (&collect, operation->selection_set);
    if (dp_vctx_aborted (ctx))
        return DP_VISIT_CONTINUE;
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (collect.names.count > 1) {
        dp_vptrs_t locations = { 0 };
        for (size_t i = 1; i < collect.names.count; i++) {
            const dp_vptrs_t *list = dp_vmap_get (&collect.fields, collect.names.items [i]);
            for (size_t f = 0; f < list->count; f++)
                dp_vptrs_push (&locations, dp_vctx_arena (ctx),
                               &((const dp_ast_selection_t *) list->items [f])->loc);
        }
        dp_loc_t *locs = dp_arena_alloc (dp_vctx_arena (ctx), locations.count * sizeof *locs);
        for (size_t i = 0; i < locations.count; i++)
            locs [i] = *(const dp_loc_t *) locations.items [i];
        if (operation->name)
            dp_vstr_addf (&message, "Subscription \"%s\" must select only one top level field.",
                          operation->name);
        else
            dp_vstr_add (&message, "Anonymous Subscription must select only one top level field.");
        dp_vctx_report (ctx, message.data, locs, locations.count);
    }
    for (size_t i = 0; i < collect.names.count; i++) {
        const dp_vptrs_t *list = dp_vmap_get (&collect.fields, collect.names.items [i]);
        const dp_ast_selection_t *first = list->items [0];
        if (strncmp (first->name, "__", 2) != 0)
            continue;
        dp_loc_t *locs = dp_arena_alloc (dp_vctx_arena (ctx), list->count * sizeof *locs);
        for (size_t f = 0; f < list->count; f++)
            locs [f] = ((const dp_ast_selection_t *) list->items [f])->loc;
        dp_vstr_clear (&message);
        if (operation->name)
            dp_vstr_addf (&message, "Subscription \"%s\" must not select an introspection top level field.",
                          operation->name);
        else
            dp_vstr_add (&message, "Anonymous Subscription must not select an introspection top level field.");
        dp_vctx_report (ctx, message.data, locs, list->count);
    }
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_single_field_subscriptions (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_OPERATION) };
    return rule;
}

void
dp_rule_single_field_subscriptions_test (bool verbose)
{
    const char *rule = "SingleFieldSubscriptions";
    dp_vtest_expect (rule, "subscription S { boxMoved { id } }", "");
    dp_vtest_expect (rule, "subscription { boxMoved { id } tagAdded @skip(if: true) { id } }", "");
    dp_vtest_expect (rule,
        "subscription S { boxMoved { id } ...F b: boxMoved { id } }\n"
        "fragment F on SubscriptionRoot { tagAdded { id } more: tagAdded { id } }",
        "Subscription \"S\" must select only one top level field. @2:34 @2:50 @1:39");
    dp_vtest_expect (rule,
        "subscription { ... on SubscriptionRoot { __typename } boxMoved { id } }",
        "Anonymous Subscription must select only one top level field. @1:55\n"
        "Anonymous Subscription must not select an introspection top level field. @1:42");
    dp_vtest_expect (rule, "subscription Intro { __typename }",
        "Subscription \"Intro\" must not select an introspection top level field. @1:22");
    //  Without a subscription type the rule says nothing.
    dp_vtest_expect_sdl ("type Query { a: Int }", rule, "subscription { a b }", "");
    if (verbose)
        printf (" * dp_rule_single_field_subscriptions: OK\n");
}
