/*  =========================================================================
    dp_visitor - a depth-first walk over a GraphQL document

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One recursive function per node shape; each visits its children in
    graphql-js's QueryDocumentKeys order. The ancestors live in one array
    that grows as the walk goes deeper; the parser caps nesting, so the
    recursion is bounded by the document's own depth.
@end
*/
#include "dp_visitor.h"
#include "dp_parser.h"
#include "dp_arena.h"
#include "dp_log.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <assert.h>

struct _dp_visit_path_t {
    const dp_node_t **nodes;        //  ancestors, the root first
    size_t count;
    size_t capacity;
};

typedef struct {
    const dp_visitor_t *visitor;
    dp_visit_path_t path;
} s_walk_t;

static int s_visit (s_walk_t *self, const dp_node_t *node);

//  ---------------------------------------------------------------------
//  Node views

dp_node_t
dp_node_document (const dp_ast_document_t *document)
{
    dp_node_t node = { .kind = DP_NODE_DOCUMENT, .document = document };
    node.loc.line = 1;
    node.loc.column = 1;
    return node;
}

dp_node_t
dp_node_definition (const dp_ast_definition_t *definition)
{
    dp_node_kind_t kind = definition->kind == DP_AST_OPERATION ? DP_NODE_OPERATION
                        : definition->kind == DP_AST_FRAGMENT ? DP_NODE_FRAGMENT
                        : DP_NODE_TYPE_SYSTEM;
    dp_node_t node = { .kind = kind, .definition = definition, .loc = definition->loc };
    return node;
}

dp_node_t
dp_node_selection_set (const dp_ast_selection_set_t *selection_set)
{
    dp_node_t node = { .kind = DP_NODE_SELECTION_SET, .selection_set = selection_set,
                       .loc = selection_set->loc };
    return node;
}

dp_node_t
dp_node_value (const dp_ast_value_t *value)
{
    dp_node_t node = { .kind = DP_NODE_VALUE, .value = value, .loc = value->loc };
    return node;
}

static dp_node_t
s_named_type (const char *name, dp_loc_t loc)
{
    dp_node_t node = { .kind = DP_NODE_NAMED_TYPE, .name = name, .loc = loc };
    return node;
}

static dp_node_t
s_type (const dp_ast_type_t *type)
{
    dp_node_t node = { .type = type, .loc = type->loc };
    node.kind = type->kind == DP_AST_TYPE_NAMED ? DP_NODE_NAMED_TYPE
              : type->kind == DP_AST_TYPE_LIST ? DP_NODE_LIST_TYPE : DP_NODE_NON_NULL_TYPE;
    if (type->kind == DP_AST_TYPE_NAMED)
        node.name = type->name;
    return node;
}

//  ---------------------------------------------------------------------
//  Children, in QueryDocumentKeys order

static int
s_directives (s_walk_t *self, const dp_ast_directive_t *directives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_node_t node = { .kind = DP_NODE_DIRECTIVE, .directive = &directives [i],
                           .loc = directives [i].loc };
        if (s_visit (self, &node))
            return 1;
    }
    return 0;
}

static int
s_arguments (s_walk_t *self, const dp_ast_argument_t *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_node_t node = { .kind = DP_NODE_ARGUMENT, .argument = &args [i], .loc = args [i].loc };
        if (s_visit (self, &node))
            return 1;
    }
    return 0;
}

static int
s_value (s_walk_t *self, const dp_ast_value_t *value)
{
    if (!value)
        return 0;
    dp_node_t node = dp_node_value (value);
    return s_visit (self, &node);
}

static int
s_type_child (s_walk_t *self, const dp_ast_type_t *type)
{
    if (!type)
        return 0;
    dp_node_t node = s_type (type);
    return s_visit (self, &node);
}

static int
s_selection_set (s_walk_t *self, const dp_ast_selection_set_t *selection_set)
{
    if (!selection_set)
        return 0;
    dp_node_t node = dp_node_selection_set (selection_set);
    return s_visit (self, &node);
}

static int
s_input_values (s_walk_t *self, const dp_ast_input_value_t *inputs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_node_t node = { .kind = DP_NODE_INPUT_VALUE_DEF, .input_value = &inputs [i],
                           .loc = inputs [i].loc };
        if (s_visit (self, &node))
            return 1;
    }
    return 0;
}

static int
s_names (s_walk_t *self, const dp_ast_name_t *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_node_t node = s_named_type (names [i].value, names [i].loc);
        if (s_visit (self, &node))
            return 1;
    }
    return 0;
}

static int
s_type_system_children (s_walk_t *self, const dp_ast_definition_t *def)
{
    switch (def->kind) {
        case DP_AST_SCHEMA:
            if (s_directives (self, def->directives, def->n_directives))
                return 1;
            for (size_t i = 0; i < def->n_root_ops; i++) {
                dp_node_t node = { .kind = DP_NODE_ROOT_OP, .root_op = &def->root_ops [i],
                                   .loc = def->root_ops [i].loc };
                if (s_visit (self, &node))
                    return 1;
            }
            return 0;
        case DP_AST_SCALAR:
            return s_directives (self, def->directives, def->n_directives);
        case DP_AST_OBJECT_TYPE:
        case DP_AST_INTERFACE:
            if (s_names (self, def->interfaces, def->n_interfaces)
            ||  s_directives (self, def->directives, def->n_directives))
                return 1;
            for (size_t i = 0; i < def->n_fields; i++) {
                dp_node_t node = { .kind = DP_NODE_FIELD_DEF, .field_def = &def->fields [i],
                                   .loc = def->fields [i].loc };
                if (s_visit (self, &node))
                    return 1;
            }
            return 0;
        case DP_AST_UNION:
            return s_directives (self, def->directives, def->n_directives)
                || s_names (self, def->members, def->n_members);
        case DP_AST_ENUM_TYPE:
            if (s_directives (self, def->directives, def->n_directives))
                return 1;
            for (size_t i = 0; i < def->n_values; i++) {
                dp_node_t node = { .kind = DP_NODE_ENUM_VALUE_DEF, .enum_value = &def->values [i],
                                   .loc = def->values [i].loc };
                if (s_visit (self, &node))
                    return 1;
            }
            return 0;
        case DP_AST_INPUT_OBJECT:
            return s_directives (self, def->directives, def->n_directives)
                || s_input_values (self, def->input_fields, def->n_input_fields);
        case DP_AST_DIRECTIVE_DEF:
            return s_input_values (self, def->input_fields, def->n_input_fields)
                || s_directives (self, def->directives, def->n_directives);
        default:
            return 0;
    }
}

static int
s_children (s_walk_t *self, const dp_node_t *node)
{
    switch (node->kind) {
        case DP_NODE_DOCUMENT:
            for (size_t i = 0; i < node->document->n_defs; i++) {
                dp_node_t child = dp_node_definition (&node->document->defs [i]);
                if (s_visit (self, &child))
                    return 1;
            }
            return 0;
        case DP_NODE_OPERATION: {
            const dp_ast_definition_t *def = node->definition;
            for (size_t i = 0; i < def->n_variables; i++) {
                dp_node_t child = { .kind = DP_NODE_VARIABLE_DEF, .variable_def = &def->variables [i],
                                    .loc = def->variables [i].loc };
                if (s_visit (self, &child))
                    return 1;
            }
            return s_directives (self, def->directives, def->n_directives)
                || s_selection_set (self, def->selection_set);
        }
        case DP_NODE_FRAGMENT: {
            const dp_ast_definition_t *def = node->definition;
            dp_node_t condition = s_named_type (def->type_condition, def->type_condition_loc);
            return s_visit (self, &condition)
                || s_directives (self, def->directives, def->n_directives)
                || s_selection_set (self, def->selection_set);
        }
        case DP_NODE_TYPE_SYSTEM:
            return s_type_system_children (self, node->definition);
        case DP_NODE_VARIABLE_DEF: {
            const dp_ast_variable_def_t *var = node->variable_def;
            return s_type_child (self, var->type)
                || s_value (self, var->default_value)
                || s_directives (self, var->directives, var->n_directives);
        }
        case DP_NODE_SELECTION_SET: {
            const dp_ast_selection_set_t *set = node->selection_set;
            for (size_t i = 0; i < set->n_items; i++) {
                const dp_ast_selection_t *selection = &set->items [i];
                dp_node_t child = { .selection = selection, .loc = selection->loc };
                child.kind = selection->kind == DP_AST_FIELD ? DP_NODE_FIELD
                           : selection->kind == DP_AST_FRAGMENT_SPREAD ? DP_NODE_FRAGMENT_SPREAD
                           : DP_NODE_INLINE_FRAGMENT;
                if (s_visit (self, &child))
                    return 1;
            }
            return 0;
        }
        case DP_NODE_FIELD: {
            const dp_ast_selection_t *field = node->selection;
            return s_arguments (self, field->args, field->n_args)
                || s_directives (self, field->directives, field->n_directives)
                || s_selection_set (self, field->selection_set);
        }
        case DP_NODE_FRAGMENT_SPREAD:
            return s_directives (self, node->selection->directives, node->selection->n_directives);
        case DP_NODE_INLINE_FRAGMENT: {
            const dp_ast_selection_t *fragment = node->selection;
            if (fragment->type_condition) {
                dp_node_t condition = s_named_type (fragment->type_condition,
                                                    fragment->type_condition_loc);
                if (s_visit (self, &condition))
                    return 1;
            }
            return s_directives (self, fragment->directives, fragment->n_directives)
                || s_selection_set (self, fragment->selection_set);
        }
        case DP_NODE_ARGUMENT:
            return s_value (self, node->argument->value);
        case DP_NODE_DIRECTIVE:
            return s_arguments (self, node->directive->args, node->directive->n_args);
        case DP_NODE_VALUE: {
            const dp_ast_value_t *value = node->value;
            if (value->kind == DP_AST_LIST) {
                for (size_t i = 0; i < value->n_items; i++)
                    if (s_value (self, value->items [i]))
                        return 1;
            }
            else
            if (value->kind == DP_AST_OBJECT) {
                for (size_t i = 0; i < value->n_fields; i++) {
                    dp_node_t child = { .kind = DP_NODE_OBJECT_FIELD,
                                        .object_field = &value->fields [i],
                                        .loc = value->fields [i].loc };
                    if (s_visit (self, &child))
                        return 1;
                }
            }
            return 0;
        }
        case DP_NODE_OBJECT_FIELD:
            return s_value (self, node->object_field->value);
        case DP_NODE_LIST_TYPE:
        case DP_NODE_NON_NULL_TYPE:
            return s_type_child (self, node->type->of);
        case DP_NODE_ROOT_OP: {
            dp_node_t child = s_named_type (node->root_op->type_name, node->root_op->type_loc);
            return s_visit (self, &child);
        }
        case DP_NODE_FIELD_DEF: {
            const dp_ast_field_def_t *field = node->field_def;
            return s_input_values (self, field->args, field->n_args)
                || s_type_child (self, field->type)
                || s_directives (self, field->directives, field->n_directives);
        }
        case DP_NODE_INPUT_VALUE_DEF: {
            const dp_ast_input_value_t *input = node->input_value;
            return s_type_child (self, input->type)
                || s_value (self, input->default_value)
                || s_directives (self, input->directives, input->n_directives);
        }
        case DP_NODE_ENUM_VALUE_DEF:
            return s_directives (self, node->enum_value->directives, node->enum_value->n_directives);
        case DP_NODE_NAMED_TYPE:
            return 0;
    }
    return 0;
}

//  Enter, children, leave. Returns 1 when the walk must stop.
static int
s_visit (s_walk_t *self, const dp_node_t *node)
{
    const dp_visitor_t *visitor = self->visitor;
    if (visitor->enter) {
        dp_visit_t action = visitor->enter (visitor->self, node, &self->path);
        if (action == DP_VISIT_BREAK)
            return 1;
        if (action == DP_VISIT_SKIP)
            return 0;
    }
    dp_visit_path_t *path = &self->path;
    if (path->count == path->capacity) {
        size_t capacity = path->capacity ? path->capacity * 2 : 64;
        const dp_node_t **nodes = realloc (path->nodes, capacity * sizeof *nodes);
        if (!nodes)
            dp_fatal ("out of memory in dp_visit");
        path->nodes = nodes;
        path->capacity = capacity;
    }
    path->nodes [path->count++] = node;
    int rc = s_children (self, node);
    path->count--;
    if (rc)
        return 1;
    if (visitor->leave && visitor->leave (visitor->self, node, &self->path) == DP_VISIT_BREAK)
        return 1;
    return 0;
}

int
dp_visit (const dp_node_t *root, const dp_visitor_t *visitor)
{
    assert (root);
    assert (visitor);
    s_walk_t walk = { .visitor = visitor };
    int rc = s_visit (&walk, root);
    free (walk.path.nodes);
    return rc;
}

const dp_node_t *
dp_visit_ancestor (const dp_visit_path_t *path, size_t n)
{
    return n < path->count ? path->nodes [path->count - 1 - n] : NULL;
}

size_t
dp_visit_depth (const dp_visit_path_t *path)
{
    return path->count;
}

//  ---------------------------------------------------------------------
//  Selftest

static const char *s_kind_names [] = {
    "Document", "Operation", "Fragment", "TypeSystem", "VariableDef", "SelectionSet", "Field",
    "FragmentSpread", "InlineFragment", "Argument", "Directive", "Value", "ObjectField",
    "NamedType", "ListType", "NonNullType", "RootOp", "FieldDef", "InputValueDef", "EnumValueDef"
};

typedef struct {
    char trace [2048];
    size_t len;
    const char *skip_field;         //  answer SKIP when entering this field
    const char *break_at;           //  answer BREAK when entering this named type
    size_t max_depth;
} s_trace_t;

static void
s_trace_add (s_trace_t *self, const char *text)
{
    int n = snprintf (self->trace + self->len, sizeof self->trace - self->len, "%s", text);
    assert (n >= 0 && (size_t) n < sizeof self->trace - self->len);
    self->len += (size_t) n;
}

static dp_visit_t
s_trace_enter (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_trace_t *self = self_;
    char item [128];
    const char *label = node->kind == DP_NODE_FIELD ? node->selection->name
                      : node->kind == DP_NODE_NAMED_TYPE ? node->name
                      : node->kind == DP_NODE_ARGUMENT ? node->argument->name
                      : node->kind == DP_NODE_DIRECTIVE ? node->directive->name : "";
    snprintf (item, sizeof item, "%s%s%s@%u:%u ", s_kind_names [node->kind],
              *label ? "=" : "", label, node->loc.line, node->loc.column);
    s_trace_add (self, item);
    if (dp_visit_depth (path) > self->max_depth)
        self->max_depth = dp_visit_depth (path);
    if (node->kind == DP_NODE_FIELD && self->skip_field
    &&  strcmp (node->selection->name, self->skip_field) == 0)
        return DP_VISIT_SKIP;
    if (node->kind == DP_NODE_NAMED_TYPE && self->break_at && strcmp (node->name, self->break_at) == 0)
        return DP_VISIT_BREAK;
    return DP_VISIT_CONTINUE;
}

static dp_visit_t
s_trace_leave (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_trace_t *self = self_;
    if (node->kind == DP_NODE_FIELD) {
        //  A field's parent is its selection set, and above that its owner.
        const dp_node_t *parent = dp_visit_ancestor (path, 0);
        assert (parent && parent->kind == DP_NODE_SELECTION_SET);
        char item [64];
        snprintf (item, sizeof item, "/%s ", node->selection->name);
        s_trace_add (self, item);
    }
    return DP_VISIT_CONTINUE;
}

void
dp_visitor_test (bool verbose)
{
    dp_arena_t *arena = dp_arena_new (0);
    const char *source =
        "query Q($v: [Int!] = [1] @d) @o {\n"
        "  a(x: {y: [$v]}) @include(if: true) { b ...F ... on T { c } }\n"
        "}\n"
        "fragment F on U { d }\n";
    dp_parse_error_t err;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &err);
    assert (doc);
    dp_node_t root = dp_node_document (doc);

    //  Every node, in graphql-js's order, with positions.
    s_trace_t trace = { .len = 0 };
    dp_visitor_t visitor = { s_trace_enter, s_trace_leave, &trace };
    assert (dp_visit (&root, &visitor) == 0);
    const char *expected =
        "Document@1:1 Operation@1:1 VariableDef@1:9 ListType@1:13 NonNullType@1:14 "
        "NamedType=Int@1:14 Value@1:22 Value@1:23 Directive=d@1:26 Directive=o@1:30 "
        "SelectionSet@1:33 Field=a@2:3 Argument=x@2:5 Value@2:8 ObjectField@2:9 Value@2:12 "
        "Value@2:13 Directive=include@2:19 Argument=if@2:28 Value@2:32 SelectionSet@2:38 "
        "Field=b@2:40 /b FragmentSpread@2:42 InlineFragment@2:47 NamedType=T@2:54 "
        "SelectionSet@2:56 Field=c@2:58 /c /a Fragment@4:1 NamedType=U@4:15 SelectionSet@4:17 "
        "Field=d@4:19 /d ";
    if (strcmp (trace.trace, expected) != 0) {
        fprintf (stderr, "got:      %s\nexpected: %s\n", trace.trace, expected);
        assert (false);
    }
    assert (trace.max_depth == 8);      //  $v: Document Operation SelectionSet Field Argument Value ObjectField Value

    //  SKIP leaves a node's children and its leave out; BREAK stops.
    s_trace_t skipping = { .skip_field = "a" };
    visitor.self = &skipping;
    assert (dp_visit (&root, &visitor) == 0);
    assert (strstr (skipping.trace, "Field=a@2:3 Fragment@4:1"));
    assert (!strstr (skipping.trace, "/a"));
    s_trace_t breaking = { .break_at = "T" };
    visitor.self = &breaking;
    assert (dp_visit (&root, &visitor) == 1);
    assert (strstr (breaking.trace, "NamedType=T@2:54 ") + strlen ("NamedType=T@2:54 ")
            == breaking.trace + breaking.len);

    //  Type-system definitions: interfaces, directives, fields, arguments.
    const char *sdl = "type A implements I @k { f(x: In = {a: 1}): [B] }\nunion U = A | B\n"
                      "schema { query: A }";
    doc = dp_parse (arena, sdl, strlen (sdl), NULL, &err);
    assert (doc);
    root = dp_node_document (doc);
    s_trace_t types = { .len = 0 };
    visitor.self = &types;
    visitor.leave = NULL;
    assert (dp_visit (&root, &visitor) == 0);
    expected =
        "Document@1:1 TypeSystem@1:1 NamedType=I@1:19 Directive=k@1:21 FieldDef@1:26 "
        "InputValueDef@1:28 NamedType=In@1:31 Value@1:36 ObjectField@1:37 Value@1:40 "
        "ListType@1:45 NamedType=B@1:46 TypeSystem@2:1 NamedType=A@2:11 NamedType=B@2:15 "
        "TypeSystem@3:1 RootOp@3:10 NamedType=A@3:17 ";
    if (strcmp (types.trace, expected) != 0) {
        fprintf (stderr, "got:      %s\nexpected: %s\n", types.trace, expected);
        assert (false);
    }
    dp_arena_destroy (&arena);
    if (verbose)
        printf (" * dp_visitor: OK\n");
}
