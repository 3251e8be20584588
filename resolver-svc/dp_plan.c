/*  =========================================================================
    dp_plan - from an operation's selection sets to a tree of plan nodes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Runs the spec's CollectFields (6.3.2) once per (plan node, concrete
    type): fragments and inline fragments are applied by type, @skip and
    @include evaluated, fields grouped by response key with their
    sub-selections merged. Each field gets its binding (the mapping table
    entry), its coerced arguments and, when composite, a child plan node.
@discuss
    The plan is built once per request, before any data is loaded, so the
    per-row work in waves and in the writer is a walk over arrays. Column
    masks are computed here too: each plan field knows which columns its
    child rows must carry, which is what a LOAD asks db-svc for.

    Covered by dp_exec_write's selftest (plans of small documents) and
    tests/integration/test_manage_boxes.py.
@end
*/
#include "dp_plan.h"
#include "dp_json_writer.h"
#include "dp_values.h"
#include "dp_parser.h"
#include "dp_operation.h"
#include <assert.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <stdarg.h>

#define MAX_PLAN_DEPTH   64
#define MAX_PLAN_FIELDS  50000

typedef struct {
    dp_arena_t *arena;
    dp_schema_t *schema;
    const dp_ast_document_t *doc;
    const dp_variables_t *variables;
    dp_plan_error_t *err;
    size_t n_fields;            //  plan fields built so far (complexity bound)
    bool failed;
} ctx_t;

//  One response key and the field nodes that share it.
typedef struct {
    const char *key;
    const dp_ast_selection_t **nodes;
    size_t n_nodes, cap_nodes;
} group_t;

typedef struct {
    group_t *items;
    size_t n, cap;
} groups_t;

static void
s_fail (ctx_t *ctx, dp_loc_t loc, const char *fmt, ...)
{
    if (ctx->failed)
        return;
    ctx->failed = true;
    va_list args;
    va_start (args, fmt);
    vsnprintf (ctx->err->message, sizeof ctx->err->message, fmt, args);
    va_end (args);
    ctx->err->loc = loc;
}

static const dp_binding_t s_unbound = { .kind = BIND_NONE };

static bool
s_directive_if (ctx_t *ctx, const dp_ast_directive_t *directive, bool *value)
{
    for (size_t a = 0; a < directive->n_args; a++)
        if (strcmp (directive->args [a].name, "if") == 0) {
            const dp_ast_value_t *v = directive->args [a].value;
            if (v->kind == DP_AST_BOOLEAN) {
                *value = v->boolean;
                return true;
            }
            if (v->kind == DP_AST_VARIABLE) {
                const input_t *given = ctx->variables ? dp_variables_get (ctx->variables, v->text) : NULL;
                if (given && given->kind == IN_BOOL) {
                    *value = given->i != 0;
                    return true;
                }
            }
            s_fail (ctx, v->loc, "Argument \"if\" of directive \"@%s\" must be a Boolean.", directive->name);
            return false;
        }
    s_fail (ctx, directive->loc, "Directive \"@%s\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.",
            directive->name);
    return false;
}

//  False when @skip(if: true) or @include(if: false) excludes the node.
static bool
s_should_include (ctx_t *ctx, const dp_ast_directive_t *directives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool value;
        if (strcmp (directives [i].name, "skip") == 0) {
            if (!s_directive_if (ctx, &directives [i], &value))
                return false;
            if (value)
                return false;
        }
        else
        if (strcmp (directives [i].name, "include") == 0) {
            if (!s_directive_if (ctx, &directives [i], &value))
                return false;
            if (!value)
                return false;
        }
    }
    return true;
}

static const dp_ast_definition_t *
s_fragment (ctx_t *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->doc->n_defs; i++)
        if (ctx->doc->defs [i].kind == DP_AST_FRAGMENT && strcmp (ctx->doc->defs [i].name, name) == 0)
            return &ctx->doc->defs [i];
    return NULL;
}

static bool
s_type_applies (ctx_t *ctx, const dp_type_t *object, const char *condition, dp_loc_t loc)
{
    if (!condition)
        return true;
    const dp_type_t *type = dp_schema_type (ctx->schema, condition);
    if (!type) {
        s_fail (ctx, loc, "Unknown type \"%s\".", condition);
        return false;
    }
    return dp_type_is_possible (type, object);
}

static void
s_group_add (ctx_t *ctx, groups_t *groups, const dp_ast_selection_t *node)
{
    const char *key = node->alias ? node->alias : node->name;
    group_t *group = NULL;
    for (size_t i = 0; i < groups->n; i++)
        if (strcmp (groups->items [i].key, key) == 0) {
            group = &groups->items [i];
            break;
        }
    if (!group) {
        if (groups->n == groups->cap) {
            size_t cap = groups->cap ? groups->cap * 2 : 16;
            group_t *items = dp_arena_calloc (ctx->arena, cap, sizeof (group_t));
            if (groups->n)
                memcpy (items, groups->items, groups->n * sizeof (group_t));
            groups->items = items;
            groups->cap = cap;
        }
        group = &groups->items [groups->n++];
        group->key = key;
    }
    if (group->n_nodes == group->cap_nodes) {
        size_t cap = group->cap_nodes ? group->cap_nodes * 2 : 2;
        const dp_ast_selection_t **nodes = dp_arena_calloc (ctx->arena, cap, sizeof (void *));
        if (group->n_nodes)
            memcpy (nodes, group->nodes, group->n_nodes * sizeof (void *));
        group->nodes = nodes;
        group->cap_nodes = cap;
    }
    group->nodes [group->n_nodes++] = node;
}

//  CollectFields(objectType, selectionSet, variableValues, visitedFragments)
static void
s_collect (ctx_t *ctx, const dp_type_t *object, const dp_ast_selection_set_t *set,
           groups_t *groups, const char **visited, size_t *n_visited, size_t depth)
{
    if (depth > MAX_PLAN_DEPTH) {
        s_fail (ctx, set->loc, "Query nesting exceeds the maximum depth of %d.", MAX_PLAN_DEPTH);
        return;
    }
    for (size_t i = 0; i < set->n_items && !ctx->failed; i++) {
        const dp_ast_selection_t *sel = &set->items [i];
        if (!s_should_include (ctx, sel->directives, sel->n_directives))
            continue;
        if (sel->kind == DP_AST_FIELD)
            s_group_add (ctx, groups, sel);
        else
        if (sel->kind == DP_AST_INLINE_FRAGMENT) {
            if (s_type_applies (ctx, object, sel->type_condition, sel->loc))
                s_collect (ctx, object, sel->selection_set, groups, visited, n_visited, depth + 1);
        }
        else {
            bool seen = false;
            for (size_t v = 0; v < *n_visited; v++)
                if (strcmp (visited [v], sel->name) == 0)
                    seen = true;
            if (seen)
                continue;
            if (*n_visited >= 256) {
                s_fail (ctx, sel->loc, "Too many fragments.");
                return;
            }
            visited [(*n_visited)++] = sel->name;
            const dp_ast_definition_t *fragment = s_fragment (ctx, sel->name);
            if (!fragment) {
                s_fail (ctx, sel->loc, "Unknown fragment \"%s\".", sel->name);
                return;
            }
            if (s_type_applies (ctx, object, fragment->type_condition, fragment->loc))
                s_collect (ctx, object, fragment->selection_set, groups, visited, n_visited, depth + 1);
        }
    }
}

static plan_node_t *s_build_node (ctx_t *ctx, const dp_type_t *type,
                                  const dp_ast_selection_set_t **sets, size_t n_sets,
                                  size_t depth, bool single);

static uint64_t
s_bit (int column)
{
    return column >= 0 && column < 64 ? (uint64_t) 1 << column : 0;
}

static bool
s_is_composite (const dp_type_t *type)
{
    return type->kind == DP_TYPE_OBJECT || type->kind == DP_TYPE_INTERFACE || type->kind == DP_TYPE_UNION;
}

//  The field's "key": once, for every object the answer writes it on.
static void
s_key_json (ctx_t *ctx, plan_field_t *pf)
{
    dp_json_writer_t key;
    dp_json_writer_init (&key, 64);
    dp_json_writer_cstr (&key, pf->key);
    dp_json_writer_char (&key, ':');
    pf->key_json = dp_arena_strndup (ctx->arena, key.data, key.len);
    pf->key_json_len = key.len;
    dp_json_writer_release (&key);
}

//  True when a type reference is a list, under any non-null.
static bool
s_is_list (const dp_type_ref_t *ref)
{
    while (ref->kind == DP_REF_NON_NULL)
        ref = ref->of;
    return ref->kind == DP_REF_LIST;
}

static void
s_build_field (ctx_t *ctx, const dp_type_t *object, group_t *group, plan_field_t *pf, size_t depth,
               bool single)
{
    const dp_ast_selection_t *first = group->nodes [0];
    pf->key = group->key;
    pf->loc = first->loc;
    s_key_json (ctx, pf);
    if (strcmp (first->name, "__typename") == 0) {
        pf->field = NULL;
        pf->bind = &s_unbound;
        if (first->selection_set)
            s_fail (ctx, first->loc, "Field \"__typename\" must not have a selection since type \"String!\" has no subfields.");
        return;
    }
    const dp_field_t *field = dp_type_field (object, first->name);
    if (!field && object == dp_schema_query_type (ctx->schema))
        field = dp_schema_meta_field (ctx->schema, first->name);   //  __schema, __type
    if (!field) {
        s_fail (ctx, first->loc, "Cannot query field \"%s\" on type \"%s\".", first->name, object->name);
        return;
    }
    pf->field = field;
    pf->bind = field->binding ? field->binding : &s_unbound;
    //  Arguments: every defined one, from the literal or the default.
    for (size_t a = 0; a < first->n_args; a++)
        if (!dp_field_arg (field, first->args [a].name)) {
            s_fail (ctx, first->args [a].loc, "Unknown argument \"%s\" on field \"%s.%s\".",
                    first->args [a].name, object->name, field->name);
            return;
        }
    input_t *args = dp_arena_calloc (ctx->arena, 1, sizeof *args);
    args->kind = IN_OBJECT;
    args->names = dp_arena_calloc (ctx->arena, field->n_args + 1, sizeof (char *));
    args->values = dp_arena_calloc (ctx->arena, field->n_args + 1, sizeof (input_t *));
    for (size_t a = 0; a < field->n_args; a++) {
        const dp_input_value_t *def = &field->args [a];
        const dp_ast_argument_t *given = NULL;
        for (size_t g = 0; g < first->n_args; g++)
            if (strcmp (first->args [g].name, def->name) == 0)
                given = &first->args [g];
        const dp_ast_value_t *literal = given ? given->value : def->default_value;
        if (literal && literal->kind == DP_AST_VARIABLE
        &&  !(ctx->variables && dp_variables_get (ctx->variables, literal->text)))
            literal = def->default_value;
        if (!literal && def->type->kind != DP_REF_NON_NULL)
            continue;
        char message [300];
        input_t *value = dp_coerce_literal (ctx->arena, def->type, literal, ctx->variables,
                                            message, sizeof message);
        if (!value) {
            if (!literal) {
                char printed [100];
                dp_type_ref_print (def->type, printed, sizeof printed);
                s_fail (ctx, first->loc, "Field \"%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                        field->name, def->name, printed);
            }
            else
                s_fail (ctx, given ? given->loc : first->loc, "%s", message);
            return;
        }
        args->names [args->n_fields] = def->name;
        args->values [args->n_fields++] = value;
    }
    pf->args = args;
    //  The child plan from every node's sub-selection.
    const dp_type_t *named = dp_type_ref_named (field->type);
    if (!s_is_composite (named)) {
        if (first->selection_set) {
            char printed [100];
            dp_type_ref_print (field->type, printed, sizeof printed);
            s_fail (ctx, first->loc, "Field \"%s\" must not have a selection since type \"%s\" has no subfields.",
                    field->name, printed);
        }
        return;
    }
    const dp_ast_selection_set_t **sets = dp_arena_calloc (ctx->arena, group->n_nodes, sizeof (void *));
    size_t n_sets = 0;
    for (size_t n = 0; n < group->n_nodes; n++)
        if (group->nodes [n]->selection_set)
            sets [n_sets++] = group->nodes [n]->selection_set;
    if (n_sets == 0) {
        char printed [100];
        dp_type_ref_print (field->type, printed, sizeof printed);
        s_fail (ctx, first->loc, "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean \"%s { ... }\"?",
                field->name, printed, field->name);
        return;
    }
    pf->child = s_build_node (ctx, named, sets, n_sets, depth + 1, single && !s_is_list (field->type));
    if (!pf->child)
        return;
    //  What the child rows must carry: every variant's columns, what
    //  resolves their concrete type, and the base column authz reads.
    uint64_t mask = 1;          //  column 0: the row id
    for (size_t v = 0; v < pf->child->n_variants; v++)
        mask |= pf->child->variants [v].mask;
    const type_binding_t *tb = named->binding;
    if (tb)
        mask |= tb->type_mask;
    if (pf->bind->authz.kind == AUTHZ_TARGET_BASE_NULL || pf->bind->authz.kind == AUTHZ_TARGET_BASE_ERROR
    ||  pf->bind->authz.kind == AUTHZ_FILTER_BASE)
        mask |= s_bit (pf->bind->authz.base_column);
    if (pf->bind->authz.kind == AUTHZ_TARGET_EITHER_ERROR)
        mask |= s_bit (pf->bind->authz.base_column) | s_bit (pf->bind->authz.base_column2);
    pf->child_mask = mask | pf->bind->keep_mask;
}

static plan_node_t *
s_build_node (ctx_t *ctx, const dp_type_t *type, const dp_ast_selection_set_t **sets,
              size_t n_sets, size_t depth, bool single)
{
    if (depth > MAX_PLAN_DEPTH) {
        s_fail (ctx, sets [0]->loc, "Query nesting exceeds the maximum depth of %d.", MAX_PLAN_DEPTH);
        return NULL;
    }
    plan_node_t *node = dp_arena_calloc (ctx->arena, 1, sizeof *node);
    node->type = type;
    node->single = single;
    const dp_type_t *const *objects = (const dp_type_t *const *) &type;
    size_t n_objects = 1;
    if (type->kind != DP_TYPE_OBJECT) {
        objects = (const dp_type_t *const *) type->possible;
        n_objects = type->n_possible;
    }
    node->variants = dp_arena_calloc (ctx->arena, n_objects ? n_objects : 1, sizeof (variant_t));
    node->n_variants = n_objects;
    for (size_t o = 0; o < n_objects && !ctx->failed; o++) {
        variant_t *variant = &node->variants [o];
        variant->object = objects [o];
        groups_t groups = { 0 };
        const char *visited [256];
        size_t n_visited = 0;
        for (size_t s = 0; s < n_sets && !ctx->failed; s++)
            s_collect (ctx, objects [o], sets [s], &groups, visited, &n_visited, depth);
        if (ctx->failed)
            return NULL;
        ctx->n_fields += groups.n;
        if (ctx->n_fields > MAX_PLAN_FIELDS) {
            s_fail (ctx, sets [0]->loc, "Query is too complex: more than %d fields to resolve.", MAX_PLAN_FIELDS);
            return NULL;
        }
        variant->fields = dp_arena_calloc (ctx->arena, groups.n ? groups.n : 1, sizeof (plan_field_t));
        variant->n_fields = groups.n;
        variant->mask = 1;
        for (size_t g = 0; g < groups.n && !ctx->failed; g++) {
            plan_field_t *pf = &variant->fields [g];
            s_build_field (ctx, objects [o], &groups.items [g], pf, depth, single);
            if (ctx->failed)
                return NULL;    //  pf may be half built (no binding)
            switch (pf->bind->kind) {
                case BIND_COLUMN:
                case BIND_FK:
                case BIND_REVERSE:
                case BIND_LOOKUP:
                    variant->mask |= s_bit (pf->bind->column);
                    if (pf->bind->authz.kind == AUTHZ_PARENT_BASE_ERROR)
                        variant->mask |= s_bit (pf->bind->authz.base_column);
                    if (pf->bind->authz.kind == AUTHZ_PARENT_EITHER_ERROR)
                        variant->mask |= s_bit (pf->bind->authz.base_column)
                                       | s_bit (pf->bind->authz.base_column2);
                    //  A single object carries what its child's relations are
                    //  keyed by, when it has it: they are asked with the child.
                    if (single && pf->child)
                        for (size_t e = 0; e < pf->bind->n_same; e++)
                            variant->mask |= s_bit (pf->bind->same [e].parent_column);
                    break;
                case BIND_SYNTHETIC:
                    variant->mask |= pf->bind->needs_mask;
                    break;
                case BIND_COMPUTED:
                    variant->mask |= pf->bind->needs_mask;
                    for (size_t d = 0; d < pf->bind->n_deps; d++)
                        variant->mask |= s_bit (pf->bind->deps [d].column);
                    break;
                default:
                    break;
            }
        }
    }
    return ctx->failed ? NULL : node;
}

plan_node_t *
dp_plan_build (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_document_t *doc,
               const dp_ast_definition_t *operation, const dp_variables_t *variables,
               dp_plan_error_t *err)
{
    ctx_t ctx = {
        .arena = arena, .schema = schema, .doc = doc, .variables = variables, .err = err
    };
    const dp_type_t *root = operation->operation == DP_OP_QUERY ? dp_schema_query_type (schema)
                          : operation->operation == DP_OP_MUTATION ? dp_schema_mutation_type (schema)
                          : NULL;
    if (!root && operation->operation == DP_OP_SUBSCRIPTION) {
        //  The schema has subscriptions; live-svc serves them, each event as a query.
        s_fail (&ctx, operation->loc, "Subscriptions are served by live updates (graphql-transport-ws "
                "over WebSocket, or Server-Sent Events), not by this endpoint.");
        return NULL;
    }
    if (!root) {
        s_fail (&ctx, operation->loc, "Schema is not configured to execute mutation operation.");
        return NULL;
    }
    const dp_ast_selection_set_t *sets [1] = { operation->selection_set };
    return s_build_node (&ctx, root, sets, 1, 0, true);
}

plan_node_t *
dp_plan_build_text (dp_arena_t *arena, dp_schema_t *schema, const char *query, const char *variables_json,
                    dp_plan_error_t *err)
{
    memset (err, 0, sizeof *err);
    dp_parse_error_t parse_error;
    const dp_ast_document_t *doc = dp_parse (arena, query, strlen (query), NULL, &parse_error);
    if (!doc) {
        snprintf (err->message, sizeof err->message, "%s", parse_error.message);
        return NULL;
    }
    dp_operation_error_t failure;
    const dp_ast_definition_t *operation = dp_operation_select (doc, NULL, 0, arena, &failure);
    if (!operation) {
        snprintf (err->message, sizeof err->message, "%s", failure.text);
        return NULL;
    }
    json_t *given = variables_json ? json_loads (variables_json, 0, NULL) : NULL;
    dp_error_t *errors;
    size_t n_errors;
    dp_variables_t *variables = dp_variables_coerce (arena, schema, operation, given, &errors, &n_errors);
    json_decref (given);
    if (!variables) {
        snprintf (err->message, sizeof err->message, "%s", errors [0].message);
        return NULL;
    }
    return dp_plan_build (arena, schema, doc, operation, variables, err);
}

dp_schema_t *
dp_plan_test_schema (const char *sdl, const dp_plan_test_binding_t *bindings)
{
    char err [256];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    assert (schema);
    for (const dp_plan_test_binding_t *b = bindings; b->field; b++) {
        char type [64];
        const char *dot = strchr (b->field, '.');
        assert (dot && (size_t) (dot - b->field) < sizeof type);
        snprintf (type, sizeof type, "%.*s", (int) (dot - b->field), b->field);
        dp_field_t *field = dp_type_field (dp_schema_type (schema, type), dot + 1);
        assert (field);
        field->binding = b->bind;
    }
    return schema;
}

//  -------------------------------------------------------------------------
//  Selftest: plans of small documents over a small schema, two of its
//  fields bound as columns and one as a foreign key.

static const char *s_test_sdl =
    "type Query { item(id: ID!): Item items: [Item] thing: Thing }\n"
    "interface Thing { id: ID! }\n"
    "type Item implements Thing { id: ID! label: String owner: User }\n"
    "type User implements Thing { id: ID! name: String }\n";

static const dp_binding_t s_test_label = { .kind = BIND_COLUMN, .column = 3 };
static const dp_binding_t s_test_owner = { .kind = BIND_FK, .column = 5 };
static const dp_binding_t s_test_name = { .kind = BIND_COLUMN, .column = 2 };

//  The field of variant v of node under response key, or NULL.
static const plan_field_t *
s_test_field (const plan_node_t *node, size_t v, const char *key)
{
    for (size_t f = 0; f < node->variants [v].n_fields; f++)
        if (strcmp (node->variants [v].fields [f].key, key) == 0)
            return &node->variants [v].fields [f];
    return NULL;
}

void
dp_plan_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_plan: ");
    const dp_plan_test_binding_t bindings [] = {
        { "Item.label", &s_test_label }, { "Item.owner", &s_test_owner },
        { "User.name", &s_test_name }, { NULL, NULL },
    };
    dp_schema_t *schema = dp_plan_test_schema (s_test_sdl, bindings);
    dp_arena_t *arena = dp_arena_new (0);
    dp_plan_error_t err;

    //  Response keys in query order, aliases kept, sub-selections of one key
    //  merged (fragment included), arguments coerced, @skip applied; the
    //  columns the rows must carry: what the variant reads, and what the
    //  child's variant reads for the owner.
    plan_node_t *root = dp_plan_build_text (arena, schema,
        "query ($no: Boolean!) { first: item(id: 7) { label owner { id } }"
        "  first: item(id: 7) { ...Extra } items @skip(if: $no) { id } }"
        "fragment Extra on Item { owner { name } __typename }", "{\"no\": true}", &err);
    assert (root);
    assert (root->n_variants == 1 && root->variants [0].n_fields == 1);
    const plan_field_t *first = s_test_field (root, 0, "first");
    assert (first && strcmp (first->field->name, "item") == 0);
    const input_t *id = input_field (first->args, "id");
    assert (id && id->kind == IN_STRING && strcmp (id->s, "7") == 0);
    const variant_t *item = &first->child->variants [0];
    assert (item->n_fields == 3);
    assert (strcmp (item->fields [0].key, "label") == 0 && item->fields [0].bind == &s_test_label);
    assert (strcmp (item->fields [1].key, "owner") == 0 && strcmp (item->fields [2].key, "__typename") == 0);
    assert (item->fields [2].field == NULL);
    assert (item->mask == (1 | (1 << 3) | (1 << 5)));
    assert (first->child_mask == item->mask);
    const plan_field_t *owner = &item->fields [1];
    assert (owner->child->variants [0].n_fields == 2);      //  id and name, merged
    assert (owner->child_mask == (1 | (1 << 2)));

    //  An abstract type: one variant per possible type, each with the
    //  fields its fragments select.
    root = dp_plan_build_text (arena, schema,
        "{ thing { id ... on User { name } ... on Item { label } } }", NULL, &err);
    assert (root);
    const plan_node_t *thing = s_test_field (root, 0, "thing")->child;
    assert (thing->n_variants == 2);
    for (size_t v = 0; v < 2; v++) {
        bool user = strcmp (thing->variants [v].object->name, "User") == 0;
        assert (thing->variants [v].n_fields == 2);
        assert (s_test_field (thing, v, user ? "name" : "label"));
        assert (!s_test_field (thing, v, user ? "label" : "name"));
    }

    //  Refused: a leaf with a selection, a composite without one, an
    //  unknown field, a missing required argument, a mutation.
    const char *refused [][2] = {
        { "{ item(id: 1) { label { x } } }", "Field \"label\" must not have a selection" },
        { "{ items }", "Field \"items\" of type \"[Item]\" must have a selection of subfields" },
        { "{ item(id: 1) { nope } }", "Cannot query field \"nope\" on type \"Item\"." },
        { "{ item { id } }", "Field \"item\" argument \"id\" of type \"ID!\" is required" },
        { "mutation { item }", "Schema is not configured to execute mutation operation." },
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused [0]; i++) {
        assert (dp_plan_build_text (arena, schema, refused [i][0], NULL, &err) == NULL);
        if (strncmp (err.message, refused [i][1], strlen (refused [i][1])) != 0) {
            fprintf (stderr, "%s: %s\n", refused [i][0], err.message);
            assert (false);
        }
    }
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    printf ("OK\n");
}
