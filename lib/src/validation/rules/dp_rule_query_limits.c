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

//  ---------------------------------------------------------------------
//  Selftest

void
dp_rule_query_limits_test (bool verbose)
{
    //  Written with the limits through dp_validate, against the rules'
    //  test schema, in dp_validate_test's harness style.
    char err [300];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_validate_limits_t limits = { .max_errors = 100, .max_depth = 4, .max_aliases = 3,
                                    .max_fields = 12, .max_cost = 200, .max_variables = 2 };
    struct {
        const char *source;
        const char *expected;       //  first error's message, NULL: valid
        unsigned line, column;
    } cases [] = {
        //  Within every limit.
        { "query Q($b: ID!) { base(id: $b) { name organisation { name } } }", NULL, 0, 0 },
        //  Depth: the fifth level is reported where it is, through a fragment.
        { "query Deep { base(id: 1) { ...F } }\n"
          "fragment F on Base { organisation { bases { organisation { id } } } }",
          "Operation \"Deep\" nests fields 5 levels deep, more than the 4 Depot allows.", 2, 60 },
        //  Aliases count once per use of the fragment they are in.
        { "{ base(id: 1) { ...A ...A } b: base(id: 2) { ...A } }\n"
          "fragment A on Base { x: name }",
          "The operation uses 4 aliases (fragments expanded), more than the 3 Depot allows.", 1, 1 },
        //  Fields, with a fragment spread three times.
        { "{ base(id: 1) { ...A ... on Base { ...A } } bases { ...A } }\n"
          "fragment A on Base { id name monetaryCurrencyCode organisation { id } }",
          "The operation selects 17 fields (fragments expanded), more than the 12 Depot allows.", 1, 1 },
        //  Cost: lists multiply by ten per level.
        { "{ bases { organisation { bases { id name } } } }",
          "The operation has an estimated cost of 221, more than the 200 Depot allows (every "
          "field costs 1; a list multiplies the cost of its selection by 10).", 1, 1 },
        //  Variables.
        { "query V($a: Int, $b: Int, $c: Int) { bases { id } }",
          "Operation \"V\" declares 3 variables, more than the 2 Depot allows.", 1, 1 },
        //  A fragment cycle does not loop; the spec rule reports it.
        { "{ base(id: 1) { ...C } } fragment C on Base { organisation { bases { ...C } } }",
          "Cannot spread fragment \"C\" within itself.", 1, 70 },
        //  A fragment bomb: 2^29 + 1 expanded fields, computed in linear time.
        { "{ base(id: 1) { ...F0 } }\n"
          "fragment F0 on Base { ...F1 ...F1 } fragment F1 on Base { ...F2 ...F2 } fragment F2 on Base { ...F3 ...F3 }\n"
          "fragment F3 on Base { ...F4 ...F4 } fragment F4 on Base { ...F5 ...F5 } fragment F5 on Base { ...F6 ...F6 }\n"
          "fragment F6 on Base { ...F7 ...F7 } fragment F7 on Base { ...F8 ...F8 } fragment F8 on Base { ...F9 ...F9 }\n"
          "fragment F9 on Base { ...G0 ...G0 } fragment G0 on Base { ...G1 ...G1 } fragment G1 on Base { ...G2 ...G2 }\n"
          "fragment G2 on Base { ...G3 ...G3 } fragment G3 on Base { ...G4 ...G4 } fragment G4 on Base { ...G5 ...G5 }\n"
          "fragment G5 on Base { ...G6 ...G6 } fragment G6 on Base { ...G7 ...G7 } fragment G7 on Base { ...G8 ...G8 }\n"
          "fragment G8 on Base { ...G9 ...G9 } fragment G9 on Base { ...H0 ...H0 } fragment H0 on Base { ...H1 ...H1 }\n"
          "fragment H1 on Base { ...H2 ...H2 } fragment H2 on Base { ...H3 ...H3 } fragment H3 on Base { ...H4 ...H4 }\n"
          "fragment H4 on Base { ...H5 ...H5 } fragment H5 on Base { ...H6 ...H6 } fragment H6 on Base { ...H7 ...H7 }\n"
          "fragment H7 on Base { ...H8 ...H8 } fragment H8 on Base { ...H9 ...H9 } fragment H9 on Base { id }",
          "The operation uses 0 aliases", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        dp_arena_t *arena = dp_arena_new (0);
        dp_parse_error_t parse_error;
        const char *source = cases [i].source;
        dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
        assert (doc);
        dp_validation_errors_t *errors = dp_validation_errors_new ();
        dp_validate (schema, doc, &limits, errors);
        const dp_validation_error_t *first = dp_validation_errors_at (errors, 0);
        if (i == sizeof cases / sizeof cases [0] - 1) {
            //  The bomb: fields and cost are over, each counted exactly.
            assert (dp_validation_errors_size (errors) == 2);
            assert (strcmp (first->message, "The operation selects 536870913 fields (fragments expanded), "
                                            "more than the 12 Depot allows.") == 0);
            assert (strstr (dp_validation_errors_at (errors, 1)->message, "estimated cost of 536870913,"));
        }
        else
        if (!cases [i].expected)
            assert (!first);
        else {
            if (!first || strncmp (first->message, cases [i].expected, strlen (cases [i].expected)) != 0) {
                fprintf (stderr, "case %zu: expected [%s] got [%s]\n", i, cases [i].expected,
                         first ? first->message : "(valid)");
                assert (false);
            }
            assert (first->n_locations == 1);
            assert (first->locations [0].line == cases [i].line);
            assert (first->locations [0].column == cases [i].column);
        }
        dp_validation_errors_destroy (&errors);
        dp_arena_destroy (&arena);
    }
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_rule_query_limits: OK\n");
}
