/*  =========================================================================
    dp_rule_known_directives - directives exist and are where they may be

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec sections 5.7.1 "Directives Are Defined" and 5.7.2 "Directives Are
    In Valid Locations": every directive is one the schema (or the
    document) defines, used at a location it declares (graphql-js's
    KnownDirectivesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    const dp_directive_location_t *locations;
    size_t n_locations;
} s_known_t;

typedef struct {
    dp_vmap_t known;                //  directive name -> s_known_t
} self_t;

//  Where a directive applied to the node `owner` is used.
static int
s_location (const dp_node_t *owner, const dp_visit_path_t *path)
{
    switch (owner->kind) {
        case DP_NODE_OPERATION:
            return owner->definition->operation == DP_OP_QUERY ? DP_LOC_QUERY
                 : owner->definition->operation == DP_OP_MUTATION ? DP_LOC_MUTATION
                 : DP_LOC_SUBSCRIPTION;
        case DP_NODE_FIELD:
            return DP_LOC_FIELD;
        case DP_NODE_FRAGMENT_SPREAD:
            return DP_LOC_FRAGMENT_SPREAD;
        case DP_NODE_INLINE_FRAGMENT:
            return DP_LOC_INLINE_FRAGMENT;
        case DP_NODE_FRAGMENT:
            return DP_LOC_FRAGMENT_DEFINITION;
        case DP_NODE_VARIABLE_DEF:
            return DP_LOC_VARIABLE_DEFINITION;
        case DP_NODE_FIELD_DEF:
            return DP_LOC_FIELD_DEFINITION;
        case DP_NODE_ENUM_VALUE_DEF:
            return DP_LOC_ENUM_VALUE;
        case DP_NODE_INPUT_VALUE_DEF: {
            const dp_node_t *parent = dp_visit_ancestor (path, 1);
            return parent && parent->kind == DP_NODE_TYPE_SYSTEM
                && parent->definition->kind == DP_AST_INPUT_OBJECT
                 ? DP_LOC_INPUT_FIELD_DEFINITION : DP_LOC_ARGUMENT_DEFINITION;
        }
        case DP_NODE_TYPE_SYSTEM:
            switch (owner->definition->kind) {
                case DP_AST_SCHEMA: return DP_LOC_SCHEMA;
                case DP_AST_SCALAR: return DP_LOC_SCALAR;
                case DP_AST_OBJECT_TYPE: return DP_LOC_OBJECT;
                case DP_AST_INTERFACE: return DP_LOC_INTERFACE;
                case DP_AST_UNION: return DP_LOC_UNION;
                case DP_AST_ENUM_TYPE: return DP_LOC_ENUM;
                case DP_AST_INPUT_OBJECT: return DP_LOC_INPUT_OBJECT;
                default: return -1;
            }
        default:
            return -1;
    }
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_DIRECTIVE)
        return DP_VISIT_CONTINUE;
    const char *name = node->directive->name;
    const s_known_t *known = dp_vmap_get (&self->known, name);
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (!known) {
        dp_vstr_addf (&message, "Unknown directive \"@%s\".", name);
        dp_vctx_report (ctx, message.data, &node->loc, 1);
    }
    else {
        const dp_node_t *owner = dp_visit_ancestor (path, 0);
        int location = owner ? s_location (owner, path) : -1;
        bool allowed = location < 0;
        for (size_t i = 0; i < known->n_locations && !allowed; i++)
            allowed = (int) known->locations [i] == location;
        if (!allowed) {
            dp_vstr_addf (&message, "Directive \"@%s\" may not be used on %s.", name,
                          dp_directive_location_name ((dp_directive_location_t) location));
            dp_vctx_report (ctx, message.data, &node->loc, 1);
        }
    }
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_known_directives (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    dp_vmap_init (&self->known, arena, true);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    for (size_t i = 0; i < dp_schema_directive_count (schema); i++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, i);
        s_known_t *known = dp_arena_calloc (arena, 1, sizeof *known);
        known->locations = directive->locations;
        known->n_locations = directive->n_locations;
        dp_vmap_set (&self->known, directive->name, known);
    }
    //  Directives the document defines are known too, at their locations.
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->kind != DP_AST_DIRECTIVE_DEF)
            continue;
        s_known_t *known = dp_arena_calloc (arena, 1, sizeof *known);
        dp_directive_location_t *locations = dp_arena_calloc (arena, def->n_locations + 1,
                                                              sizeof *locations);
        for (size_t l = 0; l < def->n_locations; l++) {
            int location = dp_directive_location_by_name (def->locations [l].value);
            if (location >= 0)
                locations [known->n_locations++] = (dp_directive_location_t) location;
        }
        known->locations = locations;
        dp_vmap_set (&self->known, def->name, known);
    }
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_DIRECTIVE) };
    return rule;
}

void
dp_rule_known_directives_test (bool verbose)
{
    const char *rule = "KnownDirectives";
    dp_vtest_expect (rule,
        "query Q($v: Int @onVariableDefinition) @onQuery { box(id: 1) @onField @include(if: true) {"
        " ...F @onFragmentSpread ... @onInlineFragment @skip(if: false) { id } } }"
        " mutation M @onMutation { moveBox(id: 1, to: 2) { id } }"
        " subscription S @onSubscription { boxMoved { id } }"
        " fragment F on Box @onFragmentDefinition { id }", "");
    dp_vtest_expect (rule,
        "query Q($v: Int @onVariableDefinition @onField) @onQuery @onMutation @unknown { box(id: 1) @onField @include(if: true) @onQuery { ...F @onFragmentSpread @onInlineFragment ... @onInlineFragment @skip(if: false) { id } } }\n"
        "mutation M @onMutation @onSubscription { moveBox(id: 1, to: 2) @deprecated { id } }\n"
        "subscription S @onSubscription @onQuery { boxMoved { id } }\n"
        "fragment F on Box @onFragmentDefinition @onFragmentSpread { id @specifiedBy(url: \"x\") @oneOf }\n"
        "type T @onField { f(a: Int @deprecated @onField): Int @deprecated @skip(if: true) }\n"
        "input I @oneOf { a: Int @deprecated b: Int @onQuery }\n"
        "enum E @deprecated { A @deprecated B @onField }\n"
        "scalar S2 @specifiedBy(url: \"u\") @oneOf\n"
        "union U @onField = Box\n"
        "interface J @onField { x: Int }\n"
        "schema @onQuery { query: QueryRoot }\n"
        "directive @mine(a: Int @deprecated) on FIELD\n"
        "{ thing @mine { __typename } }",
        "Directive \"@onField\" may not be used on VARIABLE_DEFINITION. @1:39\n"
        "Directive \"@onMutation\" may not be used on QUERY. @1:58\n"
        "Unknown directive \"@unknown\". @1:70\n"
        "Directive \"@onQuery\" may not be used on FIELD. @1:120\n"
        "Directive \"@onInlineFragment\" may not be used on FRAGMENT_SPREAD. @1:154\n"
        "Directive \"@onSubscription\" may not be used on MUTATION. @2:24\n"
        "Directive \"@deprecated\" may not be used on FIELD. @2:64\n"
        "Directive \"@onQuery\" may not be used on SUBSCRIPTION. @3:32\n"
        "Directive \"@onFragmentSpread\" may not be used on FRAGMENT_DEFINITION. @4:41\n"
        "Directive \"@specifiedBy\" may not be used on FIELD. @4:64\n"
        "Directive \"@oneOf\" may not be used on FIELD. @4:87\n"
        "Directive \"@onField\" may not be used on OBJECT. @5:8\n"
        "Directive \"@onField\" may not be used on ARGUMENT_DEFINITION. @5:40\n"
        "Directive \"@skip\" may not be used on FIELD_DEFINITION. @5:67\n"
        "Directive \"@onQuery\" may not be used on INPUT_FIELD_DEFINITION. @6:44\n"
        "Directive \"@deprecated\" may not be used on ENUM. @7:8\n"
        "Directive \"@onField\" may not be used on ENUM_VALUE. @7:38\n"
        "Directive \"@oneOf\" may not be used on SCALAR. @8:34\n"
        "Directive \"@onField\" may not be used on UNION. @9:9\n"
        "Directive \"@onField\" may not be used on INTERFACE. @10:13\n"
        "Directive \"@onQuery\" may not be used on SCHEMA. @11:8");
    if (verbose)
        printf (" * dp_rule_known_directives: OK\n");
}
