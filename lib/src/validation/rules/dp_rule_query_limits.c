/*  =========================================================================
    dp_rule_query_limits - Depot's limits against hostile queries

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Not a rule of the specification: Depot's own, checked before the
    specification's rules so a hostile document is refused after one
    linear pass. Per operation, with its fragments expanded (but never in
    memory: each fragment's figures are computed once and added wherever
    it is spread, so a fragment bomb costs what its text costs):
      - depth: the deepest nesting of fields;
      - aliases: aliased fields;
      - fields: field selections;
      - cost: every field costs 1, and a field whose type is a list
        multiplies the cost of its selection by 10 per list level;
      - variables: the variables the operation declares.
    A fragment that spreads itself (NoFragmentCycles reports it) adds
    nothing where it recurs. Figures saturate instead of overflowing.
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include "dp_parser.h"
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

#define S_LIST_FACTOR 10

typedef struct {
    size_t depth;
    size_t fields;
    size_t aliases;
    size_t cost;
} s_stats_t;

typedef struct {
    dp_vctx_t *ctx;
    dp_vmap_t sets;                 //  selection set -> s_stats_t (computed)
    dp_vmap_t in_progress;          //  fragment names being computed
} s_walk_t;

static size_t
s_add (size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
s_mul (size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static void
s_merge (s_stats_t *into, const s_stats_t *from)
{
    if (from->depth > into->depth)
        into->depth = from->depth;
    into->fields = s_add (into->fields, from->fields);
    into->aliases = s_add (into->aliases, from->aliases);
    into->cost = s_add (into->cost, from->cost);
}

static s_stats_t s_set_stats (s_walk_t *self, const dp_ast_selection_set_t *set, const dp_type_t *type);

static s_stats_t
s_fragment_stats (s_walk_t *self, const char *name)
{
    s_stats_t none = { 0 };
    const dp_ast_definition_t *fragment = dp_vctx_fragment (self->ctx, name);
    if (!fragment || dp_vmap_get (&self->in_progress, name))
        return none;
    dp_vmap_set (&self->in_progress, name, (void *) 1);
    s_stats_t stats = s_set_stats (self, fragment->selection_set,
                                   dp_vctx_type_named (self->ctx, fragment->type_condition));
    dp_vmap_set (&self->in_progress, name, NULL);
    return stats;
}

//  The named type of a field and how many lists wrap it.
static const dp_type_t *
s_field_type (const dp_field_t *field, size_t *lists)
{
    *lists = 0;
    if (!field || !field->type)
        return NULL;
    const dp_type_ref_t *ref = field->type;
    while (ref->kind != DP_REF_NAMED) {
        *lists += ref->kind == DP_REF_LIST;
        ref = ref->of;
    }
    return ref->named;
}

static s_stats_t
s_set_stats (s_walk_t *self, const dp_ast_selection_set_t *set, const dp_type_t *type)
{
    const s_stats_t *known = dp_vmap_get (&self->sets, set);
    if (known)
        return *known;
    s_stats_t stats = { 0 };
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        if (selection->kind == DP_AST_FIELD) {
            size_t lists;
            const dp_type_t *child_type = s_field_type (dp_vctx_selection_field (self->ctx, type, selection, true),
                                                        &lists);
            s_stats_t child = { 0 };
            if (selection->selection_set)
                child = s_set_stats (self, selection->selection_set, child_type);
            s_stats_t field = {
                .depth = s_add (child.depth, 1),
                .fields = s_add (child.fields, 1),
                .aliases = s_add (child.aliases, selection->alias ? 1 : 0),
                .cost = child.cost
            };
            for (size_t l = 0; l < lists; l++)
                field.cost = s_mul (field.cost, S_LIST_FACTOR);
            field.cost = s_add (field.cost, 1);
            s_merge (&stats, &field);
        }
        else
        if (selection->kind == DP_AST_INLINE_FRAGMENT) {
            const dp_type_t *inner = selection->type_condition
                                   ? dp_vctx_type_named (self->ctx, selection->type_condition) : type;
            s_stats_t child = s_set_stats (self, selection->selection_set, inner);
            s_merge (&stats, &child);
        }
        else {
            s_stats_t child = s_fragment_stats (self, selection->name);
            s_merge (&stats, &child);
        }
    }
    //  Kept even when a fragment cycle was cut short inside: the figures
    //  of a cyclic document only need to be finite (NoFragmentCycles
    //  refuses it), and keeping them keeps the pass linear.
    s_stats_t *copy = dp_arena_alloc (dp_vctx_arena (self->ctx), sizeof *copy);
    *copy = stats;
    dp_vmap_set (&self->sets, set, copy);
    return stats;
}

//  The first field deeper than max, following the deepest branch.
static const dp_ast_selection_t *
s_too_deep (s_walk_t *self, const dp_ast_selection_set_t *set, const dp_type_t *type, size_t depth,
            size_t max, dp_vmap_t *followed)
{
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        if (selection->kind == DP_AST_FIELD) {
            if (depth + 1 > max)
                return selection;
            if (!selection->selection_set)
                continue;
            size_t lists;
            const dp_type_t *child_type = s_field_type (dp_vctx_selection_field (self->ctx, type, selection, true),
                                                        &lists);
            s_stats_t child = s_set_stats (self, selection->selection_set, child_type);
            if (depth + 1 + child.depth > max)
                return s_too_deep (self, selection->selection_set, child_type, depth + 1, max, followed);
        }
        else
        if (selection->kind == DP_AST_INLINE_FRAGMENT) {
            const dp_type_t *inner = selection->type_condition
                                   ? dp_vctx_type_named (self->ctx, selection->type_condition) : type;
            s_stats_t child = s_set_stats (self, selection->selection_set, inner);
            if (depth + child.depth > max)
                return s_too_deep (self, selection->selection_set, inner, depth, max, followed);
        }
        else {
            const dp_ast_definition_t *fragment = dp_vctx_fragment (self->ctx, selection->name);
            if (!fragment || dp_vmap_has (followed, selection->name))
                continue;
            s_stats_t child = s_fragment_stats (self, selection->name);
            if (depth + child.depth > max) {
                dp_vmap_set (followed, selection->name, (void *) 1);
                return s_too_deep (self, fragment->selection_set,
                                   dp_vctx_type_named (self->ctx, fragment->type_condition), depth, max,
                                   followed);
            }
        }
    }
    return NULL;
}

static void
s_report (dp_vctx_t *ctx, const dp_ast_definition_t *op, dp_loc_t loc, const char *fmt, size_t figure,
          size_t limit)
{
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (op->name)
        dp_vstr_addf (&message, "Operation \"%s\" ", op->name);
    else
        dp_vstr_add (&message, "The operation ");
    dp_vstr_addf (&message, fmt, figure, limit);
    dp_vctx_report (ctx, message.data, &loc, 1);
    dp_vstr_release (&message);
}

size_t
dp_query_limits_check (dp_vctx_t *ctx, const dp_validate_limits_t *limits)
{
    s_walk_t walk = { .ctx = ctx };
    dp_vmap_init (&walk.sets, dp_vctx_arena (ctx), false);
    dp_vmap_init (&walk.in_progress, dp_vctx_arena (ctx), true);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    size_t reported = 0;
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *op = &doc->defs [d];
        if (op->kind != DP_AST_OPERATION)
            continue;
        if (limits->max_variables && op->n_variables > limits->max_variables) {
            s_report (ctx, op, op->loc, "declares %zu variables, more than the %zu Depot allows.",
                      op->n_variables, limits->max_variables);
            reported++;
        }
        const dp_type_t *root = op->operation == DP_OP_QUERY ? dp_schema_query_type (schema)
                              : op->operation == DP_OP_MUTATION ? dp_schema_mutation_type (schema)
                              : dp_schema_subscription_type (schema);
        s_stats_t stats = s_set_stats (&walk, op->selection_set, root);
        if (limits->max_depth && stats.depth > limits->max_depth) {
            dp_vmap_t followed;
            dp_vmap_init (&followed, dp_vctx_arena (ctx), true);
            const dp_ast_selection_t *deep = s_too_deep (&walk, op->selection_set, root, 0,
                                                         limits->max_depth, &followed);
            s_report (ctx, op, deep ? deep->loc : op->loc,
                      "nests fields %zu levels deep, more than the %zu Depot allows.",
                      stats.depth, limits->max_depth);
            reported++;
        }
        if (limits->max_aliases && stats.aliases > limits->max_aliases) {
            s_report (ctx, op, op->loc,
                      "uses %zu aliases (fragments expanded), more than the %zu Depot allows.",
                      stats.aliases, limits->max_aliases);
            reported++;
        }
        if (limits->max_fields && stats.fields > limits->max_fields) {
            s_report (ctx, op, op->loc,
                      "selects %zu fields (fragments expanded), more than the %zu Depot allows.",
                      stats.fields, limits->max_fields);
            reported++;
        }
        if (limits->max_cost && stats.cost > limits->max_cost) {
            s_report (ctx, op, op->loc,
                      "has an estimated cost of %zu, more than the %zu Depot allows (every field "
                      "costs 1; a list multiplies the cost of its selection by 10).",
                      stats.cost, limits->max_cost);
            reported++;
        }
    }
    return reported;
}
