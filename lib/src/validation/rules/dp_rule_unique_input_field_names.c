/*  =========================================================================
    dp_rule_unique_input_field_names - input object fields are given once

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.6.3 "Input Object Field Uniqueness": an input object
    value names each field at most once (graphql-js's
    UniqueInputFieldNamesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    dp_vptrs_t stack;               //  the enclosing objects' maps, dp_vmap_t *
    dp_vmap_t *known;               //  the current object's: name -> first field
} self_t;

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_VALUE && node->value->kind == DP_AST_OBJECT) {
        dp_vptrs_push (&self->stack, dp_vctx_arena (ctx), self->known);
        self->known = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self->known);
        dp_vmap_init (self->known, dp_vctx_arena (ctx), true);
    }
    else
    if (node->kind == DP_NODE_OBJECT_FIELD) {
        const dp_ast_object_field_t *field = node->object_field;
        const dp_ast_object_field_t *first = dp_vmap_get (self->known, field->name);
        if (first) {
            dp_loc_t locations [2] = { first->loc, field->loc };
            dp_vctx_report_not_unique (ctx, "input field", field->name, locations, 2);
        }
        else
            dp_vmap_set (self->known, field->name, (void *) field);
    }
    return DP_VISIT_CONTINUE;
}

static void
s_leave (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_VALUE && node->value->kind == DP_AST_OBJECT) {
        assert (self->stack.count);
        self->known = (dp_vmap_t *) self->stack.items [--self->stack.count];
    }
}

dp_rule_t
dp_rule_unique_input_field_names (dp_vctx_t *ctx)
{
    self_t *self = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self);
    self->known = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *self->known);
    dp_vmap_init (self->known, dp_vctx_arena (ctx), true);
    dp_rule_t rule = { s_enter, s_leave, self,
                       DP_KIND (DP_NODE_VALUE) | DP_KIND (DP_NODE_OBJECT_FIELD) };
    return rule;
}

void
dp_rule_unique_input_field_names_test (bool verbose)
{
    const char *rule = "UniqueInputFieldNames";
    dp_vtest_expect (rule,
        "{ boxes(states: [], filter: {states: [], nested: {states: [], nested: {required: true}}, required: true}) { id } }", "");
    dp_vtest_expect (rule,
        "{ boxes(states: [], filter: {states: [], states: [Lost], nested: {required: true, required: false,"
        " nested: {a: 1, a: 2}}, required: true, states: []}) { id } search(text: \"\", when: {x: 1, x: {x: 1, x: 2}})"
        " { __typename } }\n"
        "type T { f(a: BoxFilter = {required: true, required: false}): Int }",
        "There can be only one input field named \"states\". @1:30 @1:42\n"
        "There can be only one input field named \"required\". @1:67 @1:83\n"
        "There can be only one input field named \"a\". @1:109 @1:115\n"
        "There can be only one input field named \"states\". @1:30 @1:139\n"
        "There can be only one input field named \"x\". @1:183 @1:189\n"
        "There can be only one input field named \"x\". @1:193 @1:199\n"
        "There can be only one input field named \"required\". @2:28 @2:44");
    if (verbose)
        printf (" * dp_rule_unique_input_field_names: OK\n");
}
