/*  =========================================================================
    dp_rule_known_type_names - every named type exists

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.5.1.2 "Fragment Spread Type Existence" (and the type of
    every variable): a named type is a type of the schema or one the
    document defines. In type-system definitions the built-in scalars and
    introspection types are known too (graphql-js's KnownTypeNamesRule).
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

static const char *s_standard_types [] = {
    "String", "Int", "Float", "Boolean", "ID",
    "__Schema", "__Directive", "__DirectiveLocation", "__Type", "__Field", "__InputValue",
    "__EnumValue", "__TypeKind"
};
#define S_STANDARD_COUNT (sizeof s_standard_types / sizeof s_standard_types [0])

typedef struct {
    dp_vmap_t defined;              //  type names the document defines
    const char **names;             //  standard names, then the schema's, then the document's
    size_t n_names;
} self_t;

static bool
s_is_type_definition (const dp_ast_definition_t *def)
{
    return !def->extension && def->kind != DP_AST_SCHEMA && def->kind != DP_AST_DIRECTIVE_DEF
        && def->kind != DP_AST_OPERATION && def->kind != DP_AST_FRAGMENT;
}

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_NAMED_TYPE)
        return DP_VISIT_CONTINUE;
    if (dp_vctx_type_named (ctx, node->name) || dp_vmap_has (&self->defined, node->name))
        return DP_VISIT_CONTINUE;
    //  The definition the name is in: the walk's second node.
    size_t depth = dp_visit_depth (path);
    const dp_node_t *definition = depth >= 2 ? dp_visit_ancestor (path, depth - 2) : NULL;
    bool sdl = definition && definition->kind == DP_NODE_TYPE_SYSTEM;
    if (sdl)
        for (size_t i = 0; i < S_STANDARD_COUNT; i++)
            if (strcmp (s_standard_types [i], node->name) == 0)
                return DP_VISIT_CONTINUE;
    const char **suggestions;
    size_t n = sdl ? dp_suggestion_list (dp_vctx_arena (ctx), node->name, self->names,
                                         self->n_names, &suggestions)
                   : dp_suggestion_list (dp_vctx_arena (ctx), node->name, self->names + S_STANDARD_COUNT,
                                         self->n_names - S_STANDARD_COUNT, &suggestions);
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_addf (&message, "Unknown type \"%s\".", node->name);
    dp_vstr_did_you_mean (&message, NULL, suggestions, n);
    dp_vctx_report (ctx, message.data, &node->loc, 1);
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_known_type_names (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    dp_vmap_init (&self->defined, arena, true);
    const dp_ast_document_t *doc = dp_vctx_document (ctx);
    dp_schema_t *schema = dp_vctx_schema (ctx);
    size_t n_types = dp_schema_type_count (schema);
    self->names = dp_arena_alloc (arena, (S_STANDARD_COUNT + n_types + doc->n_defs) * sizeof (char *));
    for (size_t i = 0; i < S_STANDARD_COUNT; i++)
        self->names [self->n_names++] = s_standard_types [i];
    for (size_t i = 0; i < n_types; i++)
        self->names [self->n_names++] = dp_schema_type_at (schema, i)->name;
    for (size_t i = 0; i < doc->n_defs; i++)
        if (s_is_type_definition (&doc->defs [i]) && !dp_vmap_has (&self->defined, doc->defs [i].name)) {
            dp_vmap_set (&self->defined, doc->defs [i].name, (void *) 1);
            self->names [self->n_names++] = doc->defs [i].name;
        }
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_NAMED_TYPE) };
    return rule;
}

void
dp_rule_known_type_names_test (bool verbose)
{
    const char *rule = "KnownTypeNames";
    dp_vtest_expect (rule,
        "query Q($a: BoxFilter, $b: [State!]!, $c: Datetime) { box(id: 1) { ...F ... on Product { id } } }"
        " fragment F on Box { id }", "");
    dp_vtest_expect (rule,
        "query Q($a: BoxFiltr, $b: [Sate!]!, $c: Strin) { box(id: 1) { ... on Prodct { id } ...F } }\n"
        "fragment F on Bx { id }",
        "Unknown type \"BoxFiltr\". Did you mean \"BoxFilter\"? @1:13\n"
        "Unknown type \"Sate\". Did you mean \"State\"? @1:28\n"
        "Unknown type \"Strin\". Did you mean \"String\", \"State\", or \"Thing\"? @1:41\n"
        "Unknown type \"Prodct\". Did you mean \"Product\"? @1:70\n"
        "Unknown type \"Bx\". Did you mean \"Box\"? @2:15");
    //  Types the document defines are known; in type-system definitions
    //  the standard names are, with suggestions among them.
    dp_vtest_expect (rule,
        "type Date { d: Int }\n"
        "query ($d: Date) { thing { __typename } }\n"
        "type Extra implements Nod { a: __Type b: Strng c: Flot }\n"
        "union U = Box | Boxx\n",
        "Unknown type \"Nod\". Did you mean \"Node\", \"Box\", or \"ID\"? @3:23\n"
        "Unknown type \"Strng\". Did you mean \"String\", \"State\", \"Tag\", or \"Thing\"? @3:42\n"
        "Unknown type \"Flot\". Did you mean \"Float\"? @3:51\n"
        "Unknown type \"Boxx\". Did you mean \"Box\"? @4:17");
    if (verbose)
        printf (" * dp_rule_known_type_names: OK\n");
}
