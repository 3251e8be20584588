/*  =========================================================================
    dp_schema - a GraphQL schema built from SDL

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Two passes over the SDL document: the first creates every named type
    (so definitions may refer to types defined later), the second fills in
    fields, arguments, interfaces, members, values and input fields and
    checks what the type system requires of them.
@end
*/
#include "dp_schema.h"
#include "dp_parser.h"
#include "dp_arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <assert.h>

struct _dp_schema_t {
    dp_arena_t *arena;          //  owns everything, the AST included
    dp_type_t **types;
    size_t n_types;
    dp_type_t *query;
    dp_type_t *mutation;
};

static const char *s_builtin_scalars [] = { "Int", "Float", "String", "Boolean", "ID" };

static int
s_fail (char *err, size_t err_len, dp_loc_t loc, const char *fmt, ...)
{
    char text [200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    snprintf (err, err_len, "%u:%u: %s", loc.line, loc.column, text);
    return -1;
}

dp_type_t *
dp_schema_type (dp_schema_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_types; i++)
        if (strcmp (self->types [i]->name, name) == 0)
            return self->types [i];
    return NULL;
}

//  Resolve an AST type reference; output says whether it is used as an
//  output (field) type or an input (argument) type.
static dp_type_ref_t *
s_resolve_ref (dp_schema_t *self, const dp_ast_type_t *ast, bool output,
               char *err, size_t err_len)
{
    dp_type_ref_t *ref = dp_arena_calloc (self->arena, 1, sizeof *ref);
    if (ast->kind == DP_AST_TYPE_NAMED) {
        ref->kind = DP_REF_NAMED;
        ref->named = dp_schema_type (self, ast->name);
        if (!ref->named) {
            s_fail (err, err_len, ast->loc, "Unknown type \"%s\".", ast->name);
            return NULL;
        }
        dp_type_kind_t kind = ref->named->kind;
        if (output && kind == DP_TYPE_INPUT_OBJECT) {
            s_fail (err, err_len, ast->loc, "Input type \"%s\" used as an output type.", ast->name);
            return NULL;
        }
        if (!output && (kind == DP_TYPE_OBJECT || kind == DP_TYPE_INTERFACE || kind == DP_TYPE_UNION)) {
            s_fail (err, err_len, ast->loc, "Output type \"%s\" used as an input type.", ast->name);
            return NULL;
        }
        return ref;
    }
    ref->kind = ast->kind == DP_AST_TYPE_LIST ? DP_REF_LIST : DP_REF_NON_NULL;
    ref->of = s_resolve_ref (self, ast->of, output, err, err_len);
    return ref->of ? ref : NULL;
}

static void
s_deprecation (const dp_ast_directive_t *directives, size_t n, bool *deprecated, const char **reason)
{
    *deprecated = false;
    *reason = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp (directives [i].name, "deprecated") == 0) {
            *deprecated = true;
            *reason = "No longer supported";
            for (size_t a = 0; a < directives [i].n_args; a++)
                if (strcmp (directives [i].args [a].name, "reason") == 0
                &&  directives [i].args [a].value->kind == DP_AST_STRING)
                    *reason = directives [i].args [a].value->text;
        }
}

static int
s_build_input_values (dp_schema_t *self, const dp_ast_input_value_t *ast, size_t n,
                      dp_input_value_t **out, char *err, size_t err_len)
{
    *out = dp_arena_calloc (self->arena, n ? n : 1, sizeof (dp_input_value_t));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp (ast [i].name, ast [j].name) == 0)
                return s_fail (err, err_len, ast [i].loc, "Duplicate name \"%s\".", ast [i].name);
        dp_input_value_t *value = &(*out) [i];
        value->name = ast [i].name;
        value->description = ast [i].description;
        value->default_value = ast [i].default_value;
        value->type = s_resolve_ref (self, ast [i].type, false, err, err_len);
        if (!value->type)
            return -1;
    }
    return 0;
}

static int
s_build_fields (dp_schema_t *self, dp_type_t *type, const dp_ast_definition_t *def,
                char *err, size_t err_len)
{
    if (def->n_fields == 0)
        return s_fail (err, err_len, def->loc, "Type %s must define one or more fields.", type->name);
    type->n_fields = def->n_fields;
    type->fields = dp_arena_calloc (self->arena, def->n_fields, sizeof (dp_field_t));
    for (size_t i = 0; i < def->n_fields; i++) {
        const dp_ast_field_def_t *ast = &def->fields [i];
        for (size_t j = 0; j < i; j++)
            if (strcmp (ast->name, def->fields [j].name) == 0)
                return s_fail (err, err_len, ast->loc, "Field \"%s.%s\" can only be defined once.",
                               type->name, ast->name);
        dp_field_t *field = &type->fields [i];
        field->name = ast->name;
        field->description = ast->description;
        field->index = i;
        field->type = s_resolve_ref (self, ast->type, true, err, err_len);
        if (!field->type)
            return -1;
        field->n_args = ast->n_args;
        if (s_build_input_values (self, ast->args, ast->n_args, &field->args, err, err_len))
            return -1;
        s_deprecation (ast->directives, ast->n_directives, &field->deprecated, &field->deprecation_reason);
    }
    type->n_interfaces = def->n_interfaces;
    type->interfaces = dp_arena_calloc (self->arena, def->n_interfaces ? def->n_interfaces : 1,
                                        sizeof (dp_type_t *));
    for (size_t i = 0; i < def->n_interfaces; i++) {
        dp_type_t *iface = dp_schema_type (self, def->interfaces [i].value);
        if (!iface || iface->kind != DP_TYPE_INTERFACE)
            return s_fail (err, err_len, def->interfaces [i].loc,
                           "Type %s can only implement an interface; \"%s\" is not one.",
                           type->name, def->interfaces [i].value);
        type->interfaces [i] = iface;
    }
    return 0;
}

//  Every interface field must exist on the implementing type (same name,
//  compatible type: here, the same printed type or a non-null of it).
static int
s_check_implementations (dp_schema_t *self, char *err, size_t err_len)
{
    for (size_t t = 0; t < self->n_types; t++) {
        dp_type_t *type = self->types [t];
        for (size_t i = 0; i < type->n_interfaces; i++) {
            dp_type_t *iface = type->interfaces [i];
            for (size_t f = 0; f < iface->n_fields; f++) {
                dp_field_t *field = dp_type_field (type, iface->fields [f].name);
                if (!field) {
                    snprintf (err, err_len, "Interface field %s.%s expected but %s does not provide it.",
                              iface->name, iface->fields [f].name, type->name);
                    return -1;
                }
            }
        }
    }
    return 0;
}

static dp_schema_t *
s_build (dp_schema_t *self, const dp_ast_document_t *doc, char *err, size_t err_len)
{
    //  Pass 1: every named type, built-in scalars first.
    size_t capacity = doc->n_defs + 5;
    self->types = dp_arena_calloc (self->arena, capacity, sizeof (dp_type_t *));
    for (size_t i = 0; i < 5; i++) {
        dp_type_t *type = dp_arena_calloc (self->arena, 1, sizeof *type);
        type->kind = DP_TYPE_SCALAR;
        type->name = s_builtin_scalars [i];
        type->index = self->n_types;
        self->types [self->n_types++] = type;
    }
    const dp_ast_definition_t *schema_def = NULL;
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->extension) {
            s_fail (err, err_len, def->loc, "Type extensions are not used in Depot's schema.");
            return NULL;
        }
        dp_type_kind_t kind;
        switch (def->kind) {
            case DP_AST_SCALAR: kind = DP_TYPE_SCALAR; break;
            case DP_AST_OBJECT_TYPE: kind = DP_TYPE_OBJECT; break;
            case DP_AST_INTERFACE: kind = DP_TYPE_INTERFACE; break;
            case DP_AST_UNION: kind = DP_TYPE_UNION; break;
            case DP_AST_ENUM_TYPE: kind = DP_TYPE_ENUM; break;
            case DP_AST_INPUT_OBJECT: kind = DP_TYPE_INPUT_OBJECT; break;
            case DP_AST_SCHEMA:
                schema_def = def;
                continue;
            case DP_AST_DIRECTIVE_DEF:
                continue;
            default:
                s_fail (err, err_len, def->loc, "An SDL schema cannot contain executable definitions.");
                return NULL;
        }
        if (dp_schema_type (self, def->name)) {
            s_fail (err, err_len, def->loc, "There can be only one type named \"%s\".", def->name);
            return NULL;
        }
        dp_type_t *type = dp_arena_calloc (self->arena, 1, sizeof *type);
        type->kind = kind;
        type->name = def->name;
        type->description = def->description;
        type->index = self->n_types;
        self->types [self->n_types++] = type;
    }
    //  Pass 2: contents.
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->kind == DP_AST_SCHEMA || def->kind == DP_AST_DIRECTIVE_DEF)
            continue;
        dp_type_t *type = dp_schema_type (self, def->name);
        switch (type->kind) {
            case DP_TYPE_OBJECT:
            case DP_TYPE_INTERFACE:
                if (s_build_fields (self, type, def, err, err_len))
                    return NULL;
                break;
            case DP_TYPE_UNION:
                if (def->n_members == 0) {
                    s_fail (err, err_len, def->loc, "Union type %s must define one or more member types.", type->name);
                    return NULL;
                }
                type->n_possible = def->n_members;
                type->possible = dp_arena_calloc (self->arena, def->n_members, sizeof (dp_type_t *));
                for (size_t m = 0; m < def->n_members; m++) {
                    dp_type_t *member = dp_schema_type (self, def->members [m].value);
                    if (!member || member->kind != DP_TYPE_OBJECT) {
                        s_fail (err, err_len, def->members [m].loc,
                                "Union type %s can only include Object types, it cannot include \"%s\".",
                                type->name, def->members [m].value);
                        return NULL;
                    }
                    type->possible [m] = member;
                }
                break;
            case DP_TYPE_ENUM:
                if (def->n_values == 0) {
                    s_fail (err, err_len, def->loc, "Enum type %s must define one or more values.", type->name);
                    return NULL;
                }
                type->n_values = def->n_values;
                type->values = dp_arena_calloc (self->arena, def->n_values, sizeof (dp_enum_value_t));
                for (size_t v = 0; v < def->n_values; v++) {
                    type->values [v].name = def->values [v].name;
                    type->values [v].description = def->values [v].description;
                    s_deprecation (def->values [v].directives, def->values [v].n_directives,
                                   &type->values [v].deprecated, &type->values [v].deprecation_reason);
                }
                break;
            case DP_TYPE_INPUT_OBJECT:
                if (def->n_input_fields == 0) {
                    s_fail (err, err_len, def->loc, "Input Object type %s must define one or more fields.", type->name);
                    return NULL;
                }
                type->n_input_fields = def->n_input_fields;
                if (s_build_input_values (self, def->input_fields, def->n_input_fields,
                                          &type->input_fields, err, err_len))
                    return NULL;
                break;
            case DP_TYPE_SCALAR:
                break;
        }
    }
    //  Interface implementations, in type order.
    for (size_t t = 0; t < self->n_types; t++) {
        dp_type_t *iface = self->types [t];
        if (iface->kind != DP_TYPE_INTERFACE)
            continue;
        iface->possible = dp_arena_calloc (self->arena, self->n_types, sizeof (dp_type_t *));
        for (size_t o = 0; o < self->n_types; o++) {
            dp_type_t *object = self->types [o];
            if (object->kind != DP_TYPE_OBJECT)
                continue;
            for (size_t i = 0; i < object->n_interfaces; i++)
                if (object->interfaces [i] == iface)
                    iface->possible [iface->n_possible++] = object;
        }
    }
    if (s_check_implementations (self, err, err_len))
        return NULL;
    //  Root types: the schema block, or the default names.
    const char *query_name = "Query", *mutation_name = "Mutation";
    if (schema_def)
        for (size_t r = 0; r < schema_def->n_root_ops; r++) {
            if (schema_def->root_ops [r].operation == DP_OP_QUERY)
                query_name = schema_def->root_ops [r].type_name;
            else
            if (schema_def->root_ops [r].operation == DP_OP_MUTATION)
                mutation_name = schema_def->root_ops [r].type_name;
        }
    self->query = dp_schema_type (self, query_name);
    if (!self->query || self->query->kind != DP_TYPE_OBJECT) {
        snprintf (err, err_len, "Query root type must be provided.");
        return NULL;
    }
    self->mutation = dp_schema_type (self, mutation_name);
    if (self->mutation && self->mutation->kind != DP_TYPE_OBJECT)
        self->mutation = NULL;
    return self;
}

dp_schema_t *
dp_schema_new (const char *sdl, size_t len, char *err, size_t err_len)
{
    dp_schema_t *self = calloc (1, sizeof *self);
    assert (self);
    self->arena = dp_arena_new (0);
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (self->arena, sdl, len, NULL, &parse_error);
    if (!doc) {
        snprintf (err, err_len, "%u:%u: %s", parse_error.loc.line, parse_error.loc.column,
                  parse_error.message);
        dp_schema_destroy (&self);
        return NULL;
    }
    if (!s_build (self, doc, err, err_len)) {
        dp_schema_destroy (&self);
        return NULL;
    }
    return self;
}

dp_schema_t *
dp_schema_load (const char *path, char *err, size_t err_len)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        snprintf (err, err_len, "cannot open schema file %s", path);
        return NULL;
    }
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    if (size < 0 || size > 16 * 1024 * 1024) {
        fclose (file);
        snprintf (err, err_len, "schema file %s has a bad size", path);
        return NULL;
    }
    char *text = malloc ((size_t) size + 1);
    assert (text);
    size_t got = fread (text, 1, (size_t) size, file);
    fclose (file);
    char inner [400];
    dp_schema_t *self = dp_schema_new (text, got, inner, sizeof inner);
    free (text);
    if (!self)
        snprintf (err, err_len, "%s:%s", path, inner);
    return self;
}

//  Generated at build time from schema/depot.graphql (lib/embed_sdl.cmake).
extern const char dp_schema_sdl [];
extern const size_t dp_schema_sdl_len;

dp_schema_t *
dp_schema_depot (const char *path, char *err, size_t err_len)
{
    return path ? dp_schema_load (path, err, err_len)
                : dp_schema_new (dp_schema_sdl, dp_schema_sdl_len, err, err_len);
}

void
dp_schema_destroy (dp_schema_t **self_p)
{
    assert (self_p);
    dp_schema_t *self = *self_p;
    if (!self)
        return;
    dp_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

dp_type_t *
dp_schema_query_type (dp_schema_t *self)
{
    return self->query;
}

dp_type_t *
dp_schema_mutation_type (dp_schema_t *self)
{
    return self->mutation;
}

size_t
dp_schema_type_count (dp_schema_t *self)
{
    return self->n_types;
}

dp_type_t *
dp_schema_type_at (dp_schema_t *self, size_t index)
{
    return index < self->n_types ? self->types [index] : NULL;
}

dp_field_t *
dp_type_field (const dp_type_t *type, const char *name)
{
    for (size_t i = 0; i < type->n_fields; i++)
        if (strcmp (type->fields [i].name, name) == 0)
            return &type->fields [i];
    return NULL;
}

dp_input_value_t *
dp_field_arg (const dp_field_t *field, const char *name)
{
    for (size_t i = 0; i < field->n_args; i++)
        if (strcmp (field->args [i].name, name) == 0)
            return &field->args [i];
    return NULL;
}

dp_input_value_t *
dp_type_input_field (const dp_type_t *type, const char *name)
{
    for (size_t i = 0; i < type->n_input_fields; i++)
        if (strcmp (type->input_fields [i].name, name) == 0)
            return &type->input_fields [i];
    return NULL;
}

int
dp_type_enum_index (const dp_type_t *type, const char *name)
{
    for (size_t i = 0; i < type->n_values; i++)
        if (strcmp (type->values [i].name, name) == 0)
            return (int) i;
    return -1;
}

bool
dp_type_is_possible (const dp_type_t *abstract, const dp_type_t *object)
{
    if (abstract == object)
        return true;
    for (size_t i = 0; i < abstract->n_possible; i++)
        if (abstract->possible [i] == object)
            return true;
    return false;
}

dp_type_t *
dp_type_ref_named (const dp_type_ref_t *ref)
{
    while (ref->kind != DP_REF_NAMED)
        ref = ref->of;
    return ref->named;
}

void
dp_type_ref_print (const dp_type_ref_t *ref, char *buf, size_t size)
{
    if (ref->kind == DP_REF_NAMED)
        snprintf (buf, size, "%s", ref->named->name);
    else {
        char inner [200];
        dp_type_ref_print (ref->of, inner, sizeof inner);
        if (ref->kind == DP_REF_LIST)
            snprintf (buf, size, "[%s]", inner);
        else
            snprintf (buf, size, "%s!", inner);
    }
}

void
dp_schema_test (bool verbose)
{
    const char *sdl =
        "\"\"\"The root\"\"\"\n"
        "type Query { box(label: String!): Box  boxes(first: Int = 50): [Box!]!  where: Location }\n"
        "interface Location { id: ID! name: String }\n"
        "type Classic implements Location { id: ID! name: String seq: Int }\n"
        "type Box { id: ID! state: State! location: Location old: Int @deprecated(reason: \"gone\") }\n"
        "enum State { InStock Lost }\n"
        "union Result = Box | Classic\n"
        "input Filter { states: [State!] n: Int = 3 }\n"
        "scalar Datetime\n";
    char err [300];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    if (!schema)
        fprintf (stderr, "%s\n", err);
    assert (schema);
    dp_type_t *query = dp_schema_query_type (schema);
    assert (query && strcmp (query->name, "Query") == 0);
    assert (strcmp (query->description, "The root") == 0);
    dp_field_t *boxes = dp_type_field (query, "boxes");
    char printed [100];
    dp_type_ref_print (boxes->type, printed, sizeof printed);
    assert (strcmp (printed, "[Box!]!") == 0);
    assert (dp_field_arg (boxes, "first")->default_value->kind == DP_AST_INT);
    dp_type_t *location = dp_schema_type (schema, "Location");
    dp_type_t *classic = dp_schema_type (schema, "Classic");
    dp_type_t *box = dp_schema_type (schema, "Box");
    assert (location->n_possible == 1 && dp_type_is_possible (location, classic));
    assert (!dp_type_is_possible (location, box));
    assert (dp_type_is_possible (dp_schema_type (schema, "Result"), box));
    assert (dp_type_enum_index (dp_schema_type (schema, "State"), "Lost") == 1);
    assert (dp_type_field (box, "old")->deprecated);
    assert (strcmp (dp_type_field (box, "old")->deprecation_reason, "gone") == 0);
    assert (dp_type_input_field (dp_schema_type (schema, "Filter"), "n"));
    assert (dp_schema_type (schema, "ID")->kind == DP_TYPE_SCALAR);
    assert (dp_schema_mutation_type (schema) == NULL);
    dp_schema_destroy (&schema);
    assert (!schema);

    //  Invalid schemas are refused with a position.
    const char *bad [][2] = {
        { "type Query { a: Nope }", "1:17: Unknown type \"Nope\"." },
        { "type Query { a: Int a: Int }", "1:21: Field \"Query.a\" can only be defined once." },
        { "type Query { a: In }\ninput In { x: Int }", "1:17: Input type \"In\" used as an output type." },
        { "type Query { a(x: Query): Int }", "1:19: Output type \"Query\" used as an input type." },
        { "type Query { a: Int }\ntype Query { b: Int }", "2:1: There can be only one type named \"Query\"." },
        { "type Q { a: Int }", "Query root type must be provided." },
        { "type Query { a: Int }\nunion U = Int", "2:11: Union type U can only include Object types, it cannot include \"Int\"." },
        { "type Query { a: Int", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        schema = dp_schema_new (bad [i][0], strlen (bad [i][0]), err, sizeof err);
        assert (!schema);
        if (bad [i][1] && strcmp (err, bad [i][1]) != 0) {
            fprintf (stderr, "schema error: expected [%s] got [%s]\n", bad [i][1], err);
            assert (false);
        }
    }
    if (verbose)
        printf (" * dp_schema: OK\n");
}
