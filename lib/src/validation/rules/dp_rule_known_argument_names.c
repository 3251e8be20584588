/*  =========================================================================
    dp_rule_known_argument_names - arguments are defined

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.4.1 "Argument Names": every argument of a field or a
    directive is one it defines (graphql-js's KnownArgumentNamesRule and
    KnownArgumentNamesOnDirectivesRule, with their suggestions).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    const char **names;
    size_t count;
} s_args_t;

typedef struct {
    dp_vmap_t directives;           //  directive name -> s_args_t
} self_t;

static void
s_report (dp_vctx_t *ctx, const char *arg, const char *on, const char **names, size_t n,
          dp_loc_t loc)
{
    const char **suggestions;
    size_t n_suggestions = dp_suggestion_list (dp_vctx_arena (ctx), arg, names, n, &suggestions);
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_addf (&message, "Unknown argument \"%s\" on %s.", arg, on);
    dp_vstr_did_you_mean (&message, NULL, suggestions, n_suggestions);
    dp_vctx_report (ctx, message.data, &loc, 1);
    dp_vstr_release (&message);
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind == DP_NODE_DIRECTIVE) {
        const dp_ast_directive_t *directive = node->directive;
        const s_args_t *known = dp_vmap_get (&self->directives, directive->name);
        if (known) {
            for (size_t i = 0; i < directive->n_args; i++) {
                bool found = false;
                for (size_t k = 0; k < known->count && !found; k++)
                    found = strcmp (known->names [k], directive->args [i].name) == 0;
                if (found)
                    continue;
                char *on = dp_arena_printf (dp_vctx_arena (ctx), "directive \"@%s\"", directive->name);
                s_report (ctx, directive->args [i].name, on, known->names, known->count,
                          directive->args [i].loc);
            }
        }
        return DP_VISIT_SKIP;
    }
    if (node->kind == DP_NODE_ARGUMENT) {
        const dp_field_t *field = dp_vctx_field_def (ctx);
        const dp_type_t *parent = dp_vctx_parent_type (ctx);
        if (!dp_vctx_argument (ctx) && field && parent) {
            const char **names = dp_arena_alloc (dp_vctx_arena (ctx), (field->n_args + 1) * sizeof *names);
            for (size_t i = 0; i < field->n_args; i++)
                names [i] = field->args [i].name;
            char *on = dp_arena_printf (dp_vctx_arena (ctx), "field \"%s.%s\"", parent->name, field->name);
            s_report (ctx, node->argument->name, on, names, field->n_args, node->loc);
        }
    }
    return DP_VISIT_CONTINUE;
}

static void
s_add (self_t *self, dp_arena_t *arena, const char *directive, size_t n)
{
    s_args_t *args = dp_arena_calloc (arena, 1, sizeof *args);
    args->names = dp_arena_calloc (arena, n + 1, sizeof *args->names);
    args->count = n;
    dp_vmap_set (&self->directives, directive, args);
}

dp_rule_t
dp_rule_known_argument_names (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    dp_vmap_init (&self->directives, arena, true);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    for (size_t i = 0; i < dp_schema_directive_count (schema); i++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, i);
        s_add (self, arena, directive->name, directive->n_args);
        s_args_t *args = dp_vmap_get (&self->directives, directive->name);
        for (size_t a = 0; a < directive->n_args; a++)
            args->names [a] = directive->args [a].name;
    }
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->kind != DP_AST_DIRECTIVE_DEF)
            continue;
        s_add (self, arena, def->name, def->n_input_fields);
        s_args_t *args = dp_vmap_get (&self->directives, def->name);
        for (size_t a = 0; a < def->n_input_fields; a++)
            args->names [a] = def->input_fields [a].name;
    }
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_DIRECTIVE) | DP_KIND (DP_NODE_ARGUMENT) };
    return rule;
}

void
dp_rule_known_argument_names_test (bool verbose)
{
    const char *rule = "KnownArgumentNames";
    dp_vtest_expect (rule,
        "{ box(id: 1) @skip(if: true) @withArgs(required: 1, optional: \"y\") { size(unit: CM) }"
        " __type(name: \"Box\") { name } }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1, ID: 2, idx: 3) @skip(if: true, iff: 2, unless: 3) @withArgs(requird: 1, opt: 2)"
        " @unknown(a: 1) { size(units: CM, unt: INCH) name(shrt: true) product { category {"
        " products(frist: 1, aftr: \"x\") { id } } } } __type(nam: \"x\") { name } }",
        "Unknown argument \"ID\" on field \"QueryRoot.box\". Did you mean \"id\"? @1:14\n"
        "Unknown argument \"idx\" on field \"QueryRoot.box\". Did you mean \"id\"? @1:21\n"
        "Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"? @1:45\n"
        "Unknown argument \"unless\" on directive \"@skip\". @1:53\n"
        "Unknown argument \"requird\" on directive \"@withArgs\". Did you mean \"required\"? @1:74\n"
        "Unknown argument \"opt\" on directive \"@withArgs\". @1:86\n"
        "Unknown argument \"units\" on field \"Box.size\". Did you mean \"unit\"? @1:116\n"
        "Unknown argument \"unt\" on field \"Box.size\". Did you mean \"unit\"? @1:127\n"
        "Unknown argument \"shrt\" on field \"Box.name\". Did you mean \"short\"? @1:143\n"
        "Unknown argument \"frist\" on field \"Category.products\". Did you mean \"first\"? @1:185\n"
        "Unknown argument \"aftr\" on field \"Category.products\". Did you mean \"after\"? @1:195\n"
        "Unknown argument \"nam\" on field \"QueryRoot.__type\". Did you mean \"name\"? @1:226");
    if (verbose)
        printf (" * dp_rule_known_argument_names: OK\n");
}
