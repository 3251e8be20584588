/*  =========================================================================
    dp_rule_provided_required_arguments - required arguments are given

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.4.2.1 "Required Arguments": a field or directive gets
    every argument whose type is non-null and that has no default
    (graphql-js's ProvidedRequiredArgumentsRule and
    ProvidedRequiredArgumentsOnDirectivesRule; reported when the field or
    directive is left, after what is inside it).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

//  The required arguments of a directive: their names and printed types.
typedef struct {
    const char **names;
    const char **types;
    size_t count;
} s_required_t;

typedef struct {
    dp_vmap_t directives;           //  directive name -> s_required_t
} self_t;

static bool
s_given (const dp_ast_argument_t *args, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (args [i].name, name) == 0)
            return true;
    return false;
}

static void
s_leave (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (node->kind == DP_NODE_DIRECTIVE) {
        const dp_ast_directive_t *directive = node->directive;
        const s_required_t *required = dp_vmap_get (&self->directives, directive->name);
        for (size_t i = 0; required && i < required->count; i++) {
            if (s_given (directive->args, directive->n_args, required->names [i]))
                continue;
            dp_vstr_clear (&message);
            dp_vstr_addf (&message, "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, "
                          "but it was not provided.", directive->name, required->names [i],
                          required->types [i]);
            dp_vctx_report (ctx, message.data, &node->loc, 1);
        }
    }
    else
    if (node->kind == DP_NODE_FIELD) {
        const dp_field_t *field = dp_vctx_field_def (ctx);
        for (size_t i = 0; field && i < field->n_args; i++) {
            const dp_input_value_t *arg = &field->args [i];
            if (arg->type->kind != DP_REF_NON_NULL || arg->default_value
            ||  s_given (node->selection->args, node->selection->n_args, arg->name))
                continue;
            dp_vstr_clear (&message);
            dp_vstr_addf (&message, "Field \"%s\" argument \"%s\" of type \"", field->name, arg->name);
            dp_vstr_type (&message, arg->type);
            dp_vstr_add (&message, "\" is required, but it was not provided.");
            dp_vctx_report (ctx, message.data, &node->loc, 1);
        }
    }
    dp_vstr_release (&message);
}

dp_rule_t
dp_rule_provided_required_arguments (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    dp_vmap_init (&self->directives, arena, true);
    dp_vstr_t printed;
    dp_vstr_init (&printed);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    for (size_t i = 0; i < dp_schema_directive_count (schema); i++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, i);
        s_required_t *required = dp_arena_calloc (arena, 1, sizeof *required);
        required->names = dp_arena_calloc (arena, directive->n_args + 1, sizeof (char *));
        required->types = dp_arena_calloc (arena, directive->n_args + 1, sizeof (char *));
        for (size_t a = 0; a < directive->n_args; a++) {
            const dp_input_value_t *arg = &directive->args [a];
            if (arg->type->kind != DP_REF_NON_NULL || arg->default_value)
                continue;
            dp_vstr_clear (&printed);
            dp_vstr_type (&printed, arg->type);
            required->names [required->count] = arg->name;
            required->types [required->count++] = dp_arena_strdup (arena, printed.data);
        }
        dp_vmap_set (&self->directives, directive->name, required);
    }
    //  Directives the document defines, read from their definitions.
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->kind != DP_AST_DIRECTIVE_DEF)
            continue;
        s_required_t *required = dp_arena_calloc (arena, 1, sizeof *required);
        required->names = dp_arena_calloc (arena, def->n_input_fields + 1, sizeof (char *));
        required->types = dp_arena_calloc (arena, def->n_input_fields + 1, sizeof (char *));
        for (size_t a = 0; a < def->n_input_fields; a++) {
            const dp_ast_input_value_t *arg = &def->input_fields [a];
            if (arg->type->kind != DP_AST_TYPE_NON_NULL || arg->default_value)
                continue;
            //  keyMap: a repeated name keeps its place and takes the last definition.
            size_t slot = required->count;
            for (size_t k = 0; k < required->count; k++)
                if (strcmp (required->names [k], arg->name) == 0)
                    slot = k;
            dp_vstr_clear (&printed);
            dp_vstr_ast_type (&printed, arg->type);
            required->names [slot] = arg->name;
            required->types [slot] = dp_arena_strdup (arena, printed.data);
            if (slot == required->count)
                required->count++;
        }
        dp_vmap_set (&self->directives, def->name, required);
    }
    dp_vstr_release (&printed);
    dp_rule_t rule = { NULL, s_leave, self,
                       DP_KIND (DP_NODE_DIRECTIVE) | DP_KIND (DP_NODE_FIELD) };
    return rule;
}

void
dp_rule_provided_required_arguments_test (bool verbose)
{
    const char *rule = "ProvidedRequiredArguments";
    dp_vtest_expect (rule,
        "{ box(id: 1) @skip(if: false) { size } boxes(states: []) { id } item(id: 1) @withArgs(required: 1) { id }"
        " product { id } __type(name: \"Box\") { name } }", "");
    dp_vtest_expect (rule,
        "{ box { id } b: box(id: null) { id } boxes { id } complex(flag: true) search { __typename }"
        " item(id: 1) @withArgs @skip @include(if: true) { id } node(id: 1) @withArgs(optional: \"y\") { id }"
        " __type { name } }\n"
        "directive @mine(a: Int!, b: [ID!]!, c: Int! = 1, d: String) on FIELD\n"
        "query Q { thing @mine(b: []) @mine { __typename } }",
        "Field \"box\" argument \"id\" of type \"ID!\" is required, but it was not provided. @1:3\n"
        "Field \"boxes\" argument \"states\" of type \"[State!]!\" is required, but it was not provided. @1:38\n"
        "Field \"complex\" argument \"list\" of type \"[[Int!]]!\" is required, but it was not provided. @1:51\n"
        "Field \"search\" argument \"text\" of type \"String!\" is required, but it was not provided. @1:71\n"
        "Directive \"@withArgs\" argument \"required\" of type \"Int!\" is required, but it was not provided. @1:105\n"
        "Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required, but it was not provided. @1:115\n"
        "Directive \"@withArgs\" argument \"required\" of type \"Int!\" is required, but it was not provided. @1:159\n"
        "Field \"__type\" argument \"name\" of type \"String!\" is required, but it was not provided. @1:191\n"
        "Directive \"@mine\" argument \"a\" of type \"Int!\" is required, but it was not provided. @3:17\n"
        "Directive \"@mine\" argument \"a\" of type \"Int!\" is required, but it was not provided. @3:30\n"
        "Directive \"@mine\" argument \"b\" of type \"[ID!]!\" is required, but it was not provided. @3:30");
    if (verbose)
        printf (" * dp_rule_provided_required_arguments: OK\n");
}
