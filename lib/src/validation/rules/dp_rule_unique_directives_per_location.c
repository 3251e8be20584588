/*  =========================================================================
    dp_rule_unique_directives_per_location - non-repeatable directives once

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.7.3 "Directives Are Unique Per Location": a directive
    that is not repeatable appears at most once on a node; a type and its
    extensions count as one location, and so do the schema and its
    extensions (graphql-js's UniqueDirectivesPerLocationRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

typedef struct {
    dp_vmap_t unique;               //  directive name -> 1 unique, 2 repeatable
    dp_vmap_t schema_seen;          //  directive name -> first directive, for schema definitions
    dp_vmap_t type_seen;            //  type name -> dp_vmap_t of directive names seen
    dp_vmap_t directive_seen;       //  directive definition name -> dp_vmap_t
} self_t;

static void
s_check (self_t *self, dp_vctx_t *ctx, dp_vmap_t *seen, const dp_ast_directive_t *directives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const dp_ast_directive_t *directive = &directives [i];
        if ((uintptr_t) dp_vmap_get (&self->unique, directive->name) != 1)
            continue;
        const dp_ast_directive_t *first = dp_vmap_get (seen, directive->name);
        if (first) {
            dp_vstr_t message;
            dp_vstr_init (&message);
            dp_vstr_addf (&message, "The directive \"@%s\" can only be used once at this location.",
                          directive->name);
            dp_loc_t locations [2] = { first->loc, directive->loc };
            dp_vctx_report (ctx, message.data, locations, 2);
            dp_vstr_release (&message);
        }
        else
            dp_vmap_set (seen, directive->name, (void *) directive);
    }
}

//  The seen-map shared by every definition named name in by_name.
static dp_vmap_t *
s_shared (dp_vctx_t *ctx, dp_vmap_t *by_name, const char *name)
{
    dp_vmap_t *seen = dp_vmap_get (by_name, name);
    if (!seen) {
        seen = dp_arena_calloc (dp_vctx_arena (ctx), 1, sizeof *seen);
        dp_vmap_init (seen, dp_vctx_arena (ctx), true);
        dp_vmap_set (by_name, name, seen);
    }
    return seen;
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    const dp_ast_directive_t *directives;
    size_t n;
    switch (node->kind) {
        case DP_NODE_OPERATION:
        case DP_NODE_FRAGMENT:
        case DP_NODE_TYPE_SYSTEM:
            directives = node->definition->directives;
            n = node->definition->n_directives;
            break;
        case DP_NODE_VARIABLE_DEF:
            directives = node->variable_def->directives;
            n = node->variable_def->n_directives;
            break;
        case DP_NODE_FIELD:
        case DP_NODE_FRAGMENT_SPREAD:
        case DP_NODE_INLINE_FRAGMENT:
            directives = node->selection->directives;
            n = node->selection->n_directives;
            break;
        case DP_NODE_FIELD_DEF:
            directives = node->field_def->directives;
            n = node->field_def->n_directives;
            break;
        case DP_NODE_INPUT_VALUE_DEF:
            directives = node->input_value->directives;
            n = node->input_value->n_directives;
            break;
        case DP_NODE_ENUM_VALUE_DEF:
            directives = node->enum_value->directives;
            n = node->enum_value->n_directives;
            break;
        default:
            return DP_VISIT_CONTINUE;
    }
    dp_vmap_t local;
    dp_vmap_t *seen = &local;
    dp_vmap_init (&local, dp_vctx_arena (ctx), true);
    if (node->kind == DP_NODE_TYPE_SYSTEM) {
        const dp_ast_definition_t *def = node->definition;
        if (def->kind == DP_AST_SCHEMA)
            seen = &self->schema_seen;
        else
        if (def->kind == DP_AST_DIRECTIVE_DEF)
            seen = s_shared (ctx, &self->directive_seen, def->name);
        else
            seen = s_shared (ctx, &self->type_seen, def->name);
    }
    s_check (self, ctx, seen, directives, n);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_unique_directives_per_location (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    dp_vmap_init (&self->unique, arena, true);
    dp_vmap_init (&self->schema_seen, arena, true);
    dp_vmap_init (&self->type_seen, arena, true);
    dp_vmap_init (&self->directive_seen, arena, true);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    for (size_t i = 0; i < dp_schema_directive_count (schema); i++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, i);
        dp_vmap_set (&self->unique, directive->name, (void *) (uintptr_t) (directive->repeatable ? 2 : 1));
    }
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    for (size_t d = 0; d < doc->n_defs; d++)
        if (doc->defs [d].kind == DP_AST_DIRECTIVE_DEF)
            dp_vmap_set (&self->unique, doc->defs [d].name,
                         (void *) (uintptr_t) (doc->defs [d].repeatable ? 2 : 1));
    uint32_t kinds = DP_KIND (DP_NODE_OPERATION) | DP_KIND (DP_NODE_FRAGMENT)
                   | DP_KIND (DP_NODE_TYPE_SYSTEM) | DP_KIND (DP_NODE_VARIABLE_DEF)
                   | DP_KIND (DP_NODE_FIELD) | DP_KIND (DP_NODE_FRAGMENT_SPREAD)
                   | DP_KIND (DP_NODE_INLINE_FRAGMENT) | DP_KIND (DP_NODE_FIELD_DEF)
                   | DP_KIND (DP_NODE_INPUT_VALUE_DEF) | DP_KIND (DP_NODE_ENUM_VALUE_DEF);
    dp_rule_t rule = { s_enter, NULL, self, kinds };
    return rule;
}

void
dp_rule_unique_directives_per_location_test (bool verbose)
{
    const char *rule = "UniqueDirectivesPerLocation";
    dp_vtest_expect (rule,
        "query Q @onQuery { box(id: 1) @onField @again @again @skip(if: false) { ...F @again @again } }"
        " fragment F on Box @onFragmentDefinition { id @onField }", "");
    dp_vtest_expect (rule,
        "query Q($v: Int @onVariableDefinition @onVariableDefinition) @onQuery @onQuery { box(id: 1) @onField @again @again @onField @skip(if: true) @skip(if: false) @x @x { ...F @again @again @onFragmentSpread @onFragmentSpread } }\n"
        "fragment F on Box @onFragmentDefinition @onFragmentDefinition { id }\n"
        "type T @onField @onField { f: Int @deprecated @deprecated }\n"
        "extend type T @onField\n"
        "schema @onQuery { query: QueryRoot }\n"
        "extend schema @onQuery\n"
        "directive @mine repeatable on FIELD\n"
        "directive @solo on FIELD\n"
        "query R { thing @mine @mine @solo @solo { __typename } }",
        "The directive \"@onQuery\" can only be used once at this location. @1:62 @1:71\n"
        "The directive \"@onVariableDefinition\" can only be used once at this location. @1:17 @1:39\n"
        "The directive \"@onField\" can only be used once at this location. @1:93 @1:116\n"
        "The directive \"@skip\" can only be used once at this location. @1:125 @1:141\n"
        "The directive \"@onFragmentSpread\" can only be used once at this location. @1:185 @1:203\n"
        "The directive \"@onFragmentDefinition\" can only be used once at this location. @2:19 @2:41\n"
        "The directive \"@onField\" can only be used once at this location. @3:8 @3:17\n"
        "The directive \"@deprecated\" can only be used once at this location. @3:35 @3:47\n"
        "The directive \"@onField\" can only be used once at this location. @3:8 @4:15\n"
        "The directive \"@onQuery\" can only be used once at this location. @5:8 @6:15\n"
        "The directive \"@solo\" can only be used once at this location. @9:29 @9:35");
    if (verbose)
        printf (" * dp_rule_unique_directives_per_location: OK\n");
}
