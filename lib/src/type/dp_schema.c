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
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <assert.h>

#define S_COUNT(array) (sizeof (array) / sizeof (array) [0])

struct _dp_schema_t {
    dp_arena_t *arena;          //  owns everything, the AST included
    dp_type_t **types;
    size_t n_types;
    dp_type_t *query;
    dp_type_t *mutation;
    dp_type_t *subscription;
    const char *description;        //  the schema definition's
    dp_field_t meta_schema;         //  __schema, __type, __typename: in no field list
    dp_field_t meta_type;
    dp_field_t meta_typename;
    dp_directive_t **directives;    //  SDL's own, then the built-in ones
    size_t n_directives;
};

static const char *s_builtin_scalars [] = { "Int", "Float", "String", "Boolean", "ID" };

//  The built-in scalars' descriptions, graphql-js's words (introspection
//  reports them).
static const char *s_builtin_scalar_descriptions [] = {
    "The `Int` scalar type represents non-fractional signed whole numeric values. "
    "Int can represent values between -(2^31) and 2^31 - 1.",
    "The `Float` scalar type represents signed double-precision fractional values as "
    "specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).",
    "The `String` scalar type represents textual data, represented as UTF-8 character "
    "sequences. The String type is most often used by GraphQL to represent free-form "
    "human-readable text.",
    "The `Boolean` scalar type represents `true` or `false`.",
    "The `ID` scalar type represents a unique identifier, often used to refetch an object "
    "or as key for a cache. The ID type appears in a JSON response as a String; however, "
    "it is not intended to be human-readable. When expected as an input type, any string "
    "(such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID."
};

//  The introspection types, exactly as graphql-js 16.15's
//  printIntrospectionSchema prints them (descriptions included, since
//  introspection returns them); every schema gets them after its own.
static const char s_introspection_sdl [] =
    "\"\"\"\n"
    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available "
    "types and directives on the server, as well as the entry points for query, mutation, "
    "and subscription operations.\n"
    "\"\"\"\n"
    "type __Schema {\n"
    "  description: String\n"
    "\n"
    "  \"\"\"A list of all types supported by this server.\"\"\"\n"
    "  types: [__Type!]!\n"
    "\n"
    "  \"\"\"The type that query operations will be rooted at.\"\"\"\n"
    "  queryType: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  If this server supports mutation, the type that mutation operations will be rooted at.\n"
    "  \"\"\"\n"
    "  mutationType: __Type\n"
    "\n"
    "  \"\"\"\n"
    "  If this server support subscription, the type that subscription operations will be "
    "rooted at.\n"
    "  \"\"\"\n"
    "  subscriptionType: __Type\n"
    "\n"
    "  \"\"\"A list of all directives supported by this server.\"\"\"\n"
    "  directives(includeDeprecated: Boolean! = false): [__Directive!]!\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types "
    "in GraphQL as represented by the `__TypeKind` enum.\n"
    "\n"
    "Depending on the kind of a type, certain fields describe information about that type. "
    "Scalar types provide no information beyond a name, description and optional "
    "`specifiedByURL`, while Enum types provide their values. Object and Interface types "
    "provide the fields they describe. Abstract types, Union and Interface, provide the "
    "Object types possible at runtime. List and NonNull types compose other types.\n"
    "\"\"\"\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  specifiedByURL: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields(includeDeprecated: Boolean = false): [__InputValue!]\n"
    "  ofType: __Type\n"
    "  isOneOf: Boolean\n"
    "}\n"
    "\n"
    "\"\"\"An enum describing what kind of type a given `__Type` is.\"\"\"\n"
    "enum __TypeKind {\n"
    "  \"\"\"Indicates this type is a scalar.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an object. `fields` and `interfaces` are valid fields.\n"
    "  \"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are "
    "valid fields.\n"
    "  \"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Indicates this type is a union. `possibleTypes` is a valid field.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Indicates this type is an enum. `enumValues` is a valid field.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an input object. `inputFields` is a valid field.\n"
    "  \"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Indicates this type is a list. `ofType` is a valid field.\"\"\"\n"
    "  LIST\n"
    "\n"
    "  \"\"\"Indicates this type is a non-null. `ofType` is a valid field.\"\"\"\n"
    "  NON_NULL\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Object and Interface types are described by a list of Fields, each of which has a name, "
    "potentially a list of arguments, and a return type.\n"
    "\"\"\"\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Arguments provided to Fields or Directives and the input fields of an InputObject are "
    "represented as Input Values which describe their type and optionally a default value.\n"
    "\"\"\"\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  A GraphQL-formatted string representing the default value for this input value.\n"
    "  \"\"\"\n"
    "  defaultValue: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "One possible value for a given Enum. Enum values are unique values, not a placeholder "
    "for a string or numeric value. However an Enum value is returned in a JSON response as "
    "a string.\n"
    "\"\"\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive provides a way to describe alternate runtime execution and type validation "
    "behavior in a GraphQL document.\n"
    "\n"
    "In some cases, you need to provide options to alter GraphQL's execution behavior in "
    "ways field arguments will not suffice, such as conditionally including or skipping a "
    "field. Directives provide this by describing additional information to the executor.\n"
    "\"\"\"\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isRepeatable: Boolean!\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive can be adjacent to many parts of the GraphQL language, a "
    "__DirectiveLocation describes one such possible adjacencies.\n"
    "\"\"\"\n"
    "enum __DirectiveLocation {\n"
    "  \"\"\"Location adjacent to a query operation.\"\"\"\n"
    "  QUERY\n"
    "\n"
    "  \"\"\"Location adjacent to a mutation operation.\"\"\"\n"
    "  MUTATION\n"
    "\n"
    "  \"\"\"Location adjacent to a subscription operation.\"\"\"\n"
    "  SUBSCRIPTION\n"
    "\n"
    "  \"\"\"Location adjacent to a field.\"\"\"\n"
    "  FIELD\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment definition.\"\"\"\n"
    "  FRAGMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment spread.\"\"\"\n"
    "  FRAGMENT_SPREAD\n"
    "\n"
    "  \"\"\"Location adjacent to an inline fragment.\"\"\"\n"
    "  INLINE_FRAGMENT\n"
    "\n"
    "  \"\"\"Location adjacent to a variable definition.\"\"\"\n"
    "  VARIABLE_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a schema definition.\"\"\"\n"
    "  SCHEMA\n"
    "\n"
    "  \"\"\"Location adjacent to a scalar definition.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"Location adjacent to an object type definition.\"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to a field definition.\"\"\"\n"
    "  FIELD_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an argument definition.\"\"\"\n"
    "  ARGUMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an interface definition.\"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Location adjacent to a union definition.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Location adjacent to an enum definition.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"Location adjacent to an enum value definition.\"\"\"\n"
    "  ENUM_VALUE\n"
    "\n"
    "  \"\"\"Location adjacent to an input object type definition.\"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to an input object field definition.\"\"\"\n"
    "  INPUT_FIELD_DEFINITION\n"
    "}\n";


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
        s_deprecation (ast [i].directives, ast [i].n_directives, &value->deprecated,
                       &value->deprecation_reason);
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

//  ---------------------------------------------------------------------
//  Directives

static const char *s_location_names [DP_LOC_COUNT_] = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR",
    "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM",
    "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"
};

const char *
dp_directive_location_name (dp_directive_location_t location)
{
    return (unsigned) location < DP_LOC_COUNT_ ? s_location_names [location] : NULL;
}

int
dp_directive_location_by_name (const char *name)
{
    for (int i = 0; i < DP_LOC_COUNT_; i++)
        if (strcmp (s_location_names [i], name) == 0)
            return i;
    return -1;
}

bool
dp_directive_allows (const dp_directive_t *directive, dp_directive_location_t location)
{
    for (size_t i = 0; i < directive->n_locations; i++)
        if (directive->locations [i] == location)
            return true;
    return false;
}

//  A reference to a built-in scalar, non-null when non_null.
static dp_type_ref_t *
s_scalar_ref (dp_schema_t *self, const char *name, bool non_null)
{
    dp_type_ref_t *ref = dp_arena_calloc (self->arena, 1, sizeof *ref);
    ref->kind = DP_REF_NAMED;
    ref->named = dp_schema_type (self, name);
    assert (ref->named);
    if (!non_null)
        return ref;
    dp_type_ref_t *wrapper = dp_arena_calloc (self->arena, 1, sizeof *wrapper);
    wrapper->kind = DP_REF_NON_NULL;
    wrapper->of = ref;
    return wrapper;
}

//  One of graphql-js 16's specified directives, with at most one argument.
static dp_directive_t *
s_builtin_directive (dp_schema_t *self, const char *name, const char *description,
                     const dp_directive_location_t *locations, size_t n_locations,
                     const char *arg, const char *arg_description, dp_type_ref_t *arg_type)
{
    dp_directive_t *directive = dp_arena_calloc (self->arena, 1, sizeof *directive);
    directive->name = name;
    directive->description = description;
    directive->builtin = true;
    directive->locations = dp_arena_calloc (self->arena, n_locations, sizeof (dp_directive_location_t));
    memcpy (directive->locations, locations, n_locations * sizeof (dp_directive_location_t));
    directive->n_locations = n_locations;
    directive->args = dp_arena_calloc (self->arena, 1, sizeof (dp_input_value_t));
    if (arg) {
        directive->args [0].name = arg;
        directive->args [0].description = arg_description;
        directive->args [0].type = arg_type;
        directive->n_args = 1;
    }
    return directive;
}

static void
s_add_directive (dp_schema_t *self, dp_directive_t *directive, size_t *capacity)
{
    if (self->n_directives == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        dp_directive_t **array = dp_arena_calloc (self->arena, grown, sizeof *array);
        if (self->n_directives)
            memcpy (array, self->directives, self->n_directives * sizeof *array);
        self->directives = array;
        *capacity = grown;
    }
    self->directives [self->n_directives++] = directive;
}

//  The SDL's directive definitions, then the built-in directives it does
//  not redeclare, as graphql-js's buildASTSchema orders them.
static int
s_build_directives (dp_schema_t *self, const dp_ast_document_t *doc, char *err, size_t err_len)
{
    size_t capacity = 0;
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->kind != DP_AST_DIRECTIVE_DEF)
            continue;
        if (dp_schema_directive (self, def->name))
            return s_fail (err, err_len, def->loc, "There can be only one directive named \"@%s\".",
                           def->name);
        dp_directive_t *directive = dp_arena_calloc (self->arena, 1, sizeof *directive);
        directive->name = def->name;
        directive->description = def->description;
        directive->repeatable = def->repeatable;
        directive->n_args = def->n_input_fields;
        if (s_build_input_values (self, def->input_fields, def->n_input_fields,
                                  &directive->args, err, err_len))
            return -1;
        directive->locations = dp_arena_calloc (self->arena, def->n_locations ? def->n_locations : 1,
                                                sizeof (dp_directive_location_t));
        for (size_t l = 0; l < def->n_locations; l++) {
            int location = dp_directive_location_by_name (def->locations [l].value);
            if (location < 0)
                return s_fail (err, err_len, def->locations [l].loc, "Unknown directive location \"%s\".",
                               def->locations [l].value);
            directive->locations [directive->n_locations++] = (dp_directive_location_t) location;
        }
        s_add_directive (self, directive, &capacity);
    }
    static const dp_directive_location_t executable [] = {
        DP_LOC_FIELD, DP_LOC_FRAGMENT_SPREAD, DP_LOC_INLINE_FRAGMENT
    };
    static const dp_directive_location_t deprecated [] = {
        DP_LOC_FIELD_DEFINITION, DP_LOC_ARGUMENT_DEFINITION, DP_LOC_INPUT_FIELD_DEFINITION,
        DP_LOC_ENUM_VALUE
    };
    static const dp_directive_location_t scalar [] = { DP_LOC_SCALAR };
    static const dp_directive_location_t input_object [] = { DP_LOC_INPUT_OBJECT };
    dp_directive_t *builtins [5];
    builtins [0] = s_builtin_directive (self, "include",
        "Directs the executor to include this field or fragment only when the `if` argument is true.",
        executable, S_COUNT (executable), "if", "Included when true.",
        s_scalar_ref (self, "Boolean", true));
    builtins [1] = s_builtin_directive (self, "skip",
        "Directs the executor to skip this field or fragment when the `if` argument is true.",
        executable, S_COUNT (executable), "if", "Skipped when true.",
        s_scalar_ref (self, "Boolean", true));
    builtins [2] = s_builtin_directive (self, "deprecated",
        "Marks an element of a GraphQL schema as no longer supported.",
        deprecated, S_COUNT (deprecated), "reason",
        "Explains why this element was deprecated, usually also including a suggestion for how to "
        "access supported similar data. Formatted using the Markdown syntax, as specified by "
        "[CommonMark](https://commonmark.org/).",
        s_scalar_ref (self, "String", false));
    dp_ast_value_t *reason = dp_arena_calloc (self->arena, 1, sizeof *reason);
    reason->kind = DP_AST_STRING;
    reason->text = "No longer supported";
    reason->text_len = strlen (reason->text);
    builtins [2]->args [0].default_value = reason;
    builtins [3] = s_builtin_directive (self, "specifiedBy",
        "Exposes a URL that specifies the behavior of this scalar.",
        scalar, S_COUNT (scalar), "url", "The URL that specifies the behavior of this scalar.",
        s_scalar_ref (self, "String", true));
    builtins [4] = s_builtin_directive (self, "oneOf",
        "Indicates exactly one field must be supplied and this field must not be `null`.",
        input_object, S_COUNT (input_object), NULL, NULL, NULL);
    for (size_t i = 0; i < 5; i++)
        if (!dp_schema_directive (self, builtins [i]->name))
            s_add_directive (self, builtins [i], &capacity);
    return 0;
}

dp_directive_t *
dp_schema_directive (dp_schema_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_directives; i++)
        if (strcmp (self->directives [i]->name, name) == 0)
            return self->directives [i];
    return NULL;
}

size_t
dp_schema_directive_count (dp_schema_t *self)
{
    return self->n_directives;
}

dp_directive_t *
dp_schema_directive_at (dp_schema_t *self, size_t index)
{
    return index < self->n_directives ? self->directives [index] : NULL;
}

//  __schema: __Schema!, __type(name: String!): __Type and __typename:
//  String!, as graphql-js defines its meta-fields.
static void
s_build_meta_fields (dp_schema_t *self)
{
    dp_field_t *field = &self->meta_schema;
    field->name = "__schema";
    field->description = "Access the current type schema of this server.";
    field->type = s_scalar_ref (self, "__Schema", true);
    field->args = dp_arena_calloc (self->arena, 1, sizeof (dp_input_value_t));
    field = &self->meta_type;
    field->name = "__type";
    field->description = "Request the type information of a single type.";
    field->type = s_scalar_ref (self, "__Type", false);
    field->args = dp_arena_calloc (self->arena, 1, sizeof (dp_input_value_t));
    field->args [0].name = "name";
    field->args [0].type = s_scalar_ref (self, "String", true);
    field->n_args = 1;
    field = &self->meta_typename;
    field->name = "__typename";
    field->description = "The name of the current Object type at runtime.";
    field->type = s_scalar_ref (self, "String", true);
    field->args = dp_arena_calloc (self->arena, 1, sizeof (dp_input_value_t));
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
        type->description = s_builtin_scalar_descriptions [i];
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
                for (size_t i = 0; i < def->n_directives; i++)
                    if (strcmp (def->directives [i].name, "oneOf") == 0)
                        type->one_of = true;
                break;
            case DP_TYPE_SCALAR:
                for (size_t i = 0; i < def->n_directives; i++)
                    if (strcmp (def->directives [i].name, "specifiedBy") == 0
                    &&  def->directives [i].n_args == 1
                    &&  def->directives [i].args [0].value->kind == DP_AST_STRING)
                        type->specified_by_url = def->directives [i].args [0].value->text;
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
    if (s_build_directives (self, doc, err, err_len))
        return NULL;
    //  Root types: the schema block, or the default names.
    const char *query_name = "Query", *mutation_name = "Mutation";
    const char *subscription_name = "Subscription";
    if (schema_def) {
        self->description = schema_def->description;
        for (size_t r = 0; r < schema_def->n_root_ops; r++) {
            if (schema_def->root_ops [r].operation == DP_OP_QUERY)
                query_name = schema_def->root_ops [r].type_name;
            else
            if (schema_def->root_ops [r].operation == DP_OP_MUTATION)
                mutation_name = schema_def->root_ops [r].type_name;
            else
                subscription_name = schema_def->root_ops [r].type_name;
        }
    }
    self->query = dp_schema_type (self, query_name);
    if (!self->query || self->query->kind != DP_TYPE_OBJECT) {
        snprintf (err, err_len, "Query root type must be provided.");
        return NULL;
    }
    self->mutation = dp_schema_type (self, mutation_name);
    if (self->mutation && self->mutation->kind != DP_TYPE_OBJECT)
        self->mutation = NULL;
    self->subscription = dp_schema_type (self, subscription_name);
    if (self->subscription && self->subscription->kind != DP_TYPE_OBJECT)
        self->subscription = NULL;
    s_build_meta_fields (self);
    return self;
}

//  The user's SDL followed by the introspection types, as one document.
//  Type names beginning with "__" are the introspection types' alone.
static dp_ast_document_t *
s_with_introspection (dp_schema_t *self, dp_ast_document_t *doc, char *err, size_t err_len)
{
    for (size_t d = 0; d < doc->n_defs; d++) {
        const dp_ast_definition_t *def = &doc->defs [d];
        if (def->name && def->kind != DP_AST_OPERATION && def->kind != DP_AST_FRAGMENT
        &&  strncmp (def->name, "__", 2) == 0) {
            s_fail (err, err_len, def->loc,
                    "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL introspection.",
                    def->name);
            return NULL;
        }
    }
    dp_parse_error_t parse_error;
    dp_ast_document_t *builtin = dp_parse (self->arena, s_introspection_sdl,
                                           sizeof s_introspection_sdl - 1, NULL, &parse_error);
    assert (builtin);
    dp_ast_document_t *merged = dp_arena_calloc (self->arena, 1, sizeof *merged);
    merged->n_defs = doc->n_defs + builtin->n_defs;
    merged->defs = dp_arena_calloc (self->arena, merged->n_defs, sizeof (dp_ast_definition_t));
    if (doc->n_defs)
        memcpy (merged->defs, doc->defs, doc->n_defs * sizeof (dp_ast_definition_t));
    memcpy (merged->defs + doc->n_defs, builtin->defs, builtin->n_defs * sizeof (dp_ast_definition_t));
    return merged;
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
    doc = s_with_introspection (self, doc, err, err_len);
    if (!doc || !s_build (self, doc, err, err_len)) {
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
    //  "file:line:column: message" when the error has a position, else "file: message".
    if (!self)
        snprintf (err, err_len, "%s:%s%s", path, isdigit ((unsigned char) inner [0])? "": " ", inner);
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

//  Generated at build time from schema/public.graphql, its `# import` lines
//  replaced by the named definitions of schema/depot.graphql (lib/sdl_import.cmake).
extern const char dp_schema_public_sdl [];
extern const size_t dp_schema_public_sdl_len;

dp_schema_t *
dp_schema_public (char *err, size_t err_len)
{
    return dp_schema_new (dp_schema_public_sdl, dp_schema_public_sdl_len, err, err_len);
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

dp_type_t *
dp_schema_subscription_type (dp_schema_t *self)
{
    return self->subscription;
}

const char *
dp_schema_description (dp_schema_t *self)
{
    return self->description;
}

dp_field_t *
dp_schema_meta_field (dp_schema_t *self, const char *name)
{
    if (strcmp (name, "__schema") == 0)
        return &self->meta_schema;
    if (strcmp (name, "__type") == 0)
        return &self->meta_type;
    if (strcmp (name, "__typename") == 0)
        return &self->meta_typename;
    return NULL;
}

void *
dp_schema_alloc (dp_schema_t *self, size_t size)
{
    return dp_arena_calloc (self->arena, 1, size ? size : 1);
}

bool
dp_type_is_builtin (const dp_type_t *type)
{
    if (strncmp (type->name, "__", 2) == 0)
        return true;
    for (size_t i = 0; i < sizeof s_builtin_scalars / sizeof s_builtin_scalars [0]; i++)
        if (strcmp (type->name, s_builtin_scalars [i]) == 0)
            return true;
    return false;
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
    //  The five built-in directives, with graphql-js's locations and args.
    assert (dp_schema_directive_count (schema) == 5);
    dp_directive_t *skip = dp_schema_directive (schema, "skip");
    assert (skip && skip->builtin && skip->n_args == 1 && !skip->repeatable);
    dp_type_ref_print (skip->args [0].type, printed, sizeof printed);
    assert (strcmp (printed, "Boolean!") == 0);
    assert (dp_directive_allows (skip, DP_LOC_FIELD) && dp_directive_allows (skip, DP_LOC_INLINE_FRAGMENT));
    assert (!dp_directive_allows (skip, DP_LOC_QUERY));
    dp_directive_t *deprecated = dp_schema_directive (schema, "deprecated");
    assert (strcmp (deprecated->args [0].default_value->text, "No longer supported") == 0);
    assert (dp_directive_allows (deprecated, DP_LOC_ENUM_VALUE));
    assert (deprecated->n_locations == 4);
    assert (dp_directive_location_by_name ("DIRECTIVE_DEFINITION") == -1);
    assert (dp_schema_directive (schema, "oneOf")->n_args == 0);
    assert (dp_schema_directive (schema, "specifiedBy"));
    assert (!dp_schema_directive (schema, "defer"));
    assert (strcmp (dp_schema_directive_at (schema, 0)->name, "include") == 0);
    assert (strcmp (dp_directive_location_name (DP_LOC_INPUT_FIELD_DEFINITION),
                    "INPUT_FIELD_DEFINITION") == 0);
    assert (dp_directive_location_by_name ("VARIABLE_DEFINITION") == DP_LOC_VARIABLE_DEFINITION);
    assert (dp_directive_location_by_name ("NOWHERE") == -1);
    dp_schema_destroy (&schema);
    assert (!schema);

    //  Declared directives come first and may replace a built-in one;
    //  @oneOf marks an input object.
    const char *with_directives =
        "directive @auth(role: String! = \"admin\", scopes: [String]) repeatable on FIELD_DEFINITION | OBJECT\n"
        "directive @skip(if: Boolean!) on FIELD\n"
        "type Query { a: Int @auth }\n"
        "input Pick @oneOf { id: ID name: String }\n";
    schema = dp_schema_new (with_directives, strlen (with_directives), err, sizeof err);
    assert (schema);
    assert (dp_schema_directive_count (schema) == 6);
    dp_directive_t *auth = dp_schema_directive_at (schema, 0);
    assert (strcmp (auth->name, "auth") == 0 && auth->repeatable && !auth->builtin);
    assert (auth->n_args == 2 && auth->n_locations == 2 && auth->locations [1] == DP_LOC_OBJECT);
    assert (!dp_schema_directive (schema, "skip")->builtin);
    assert (dp_schema_directive (schema, "skip")->n_locations == 1);
    assert (dp_schema_type (schema, "Pick")->one_of);
    dp_schema_destroy (&schema);

    //  No directive may claim a location the edition does not have.
    const char *draft_location = "directive @meta on DIRECTIVE_DEFINITION\ntype Query { a: Int }\n";
    assert (!dp_schema_new (draft_location, strlen (draft_location), err, sizeof err));
    assert (strstr (err, "Unexpected Name \"DIRECTIVE_DEFINITION\""));

    //  Every schema has graphql-js's introspection types, the meta-fields
    //  (in no field list), built-in scalar descriptions, @specifiedBy URLs
    //  and deprecated input values.
    const char *introspected =
        "\"The schema\" schema { query: Q }\n"
        "type Q { f(old: Int @deprecated(reason: \"x\"), new: Int): Url }\n"
        "scalar Url @specifiedBy(url: \"https://example.com\")\n";
    schema = dp_schema_new (introspected, strlen (introspected), err, sizeof err);
    assert (schema);
    assert (strcmp (dp_schema_description (schema), "The schema") == 0);
    assert (dp_schema_subscription_type (schema) == NULL);
    dp_type_t *type_type = dp_schema_type (schema, "__Type");
    assert (type_type && type_type->kind == DP_TYPE_OBJECT && dp_type_is_builtin (type_type));
    assert (dp_type_field (type_type, "ofType") && dp_type_field (type_type, "isOneOf"));
    //  The October 2021 edition's directive locations, in its order.
    dp_type_t *locations = dp_schema_type (schema, "__DirectiveLocation");
    assert (locations->n_values == DP_LOC_COUNT_ && DP_LOC_COUNT_ == 19);
    for (int i = 0; i < DP_LOC_COUNT_; i++)
        assert (strcmp (locations->values [i].name, dp_directive_location_name (i)) == 0);
    assert (strncmp (dp_schema_type (schema, "String")->description, "The `String` scalar", 19) == 0);
    assert (dp_type_is_builtin (dp_schema_type (schema, "ID")));
    dp_type_t *url = dp_schema_type (schema, "Url");
    assert (!dp_type_is_builtin (url) && strcmp (url->specified_by_url, "https://example.com") == 0);
    dp_field_t *f = dp_type_field (dp_schema_query_type (schema), "f");
    assert (f->args [0].deprecated && strcmp (f->args [0].deprecation_reason, "x") == 0);
    assert (!f->args [1].deprecated && !f->args [1].deprecation_reason);
    assert (!dp_type_field (dp_schema_query_type (schema), "__schema"));
    dp_field_t *meta = dp_schema_meta_field (schema, "__type");
    assert (meta && meta->n_args == 1 && strcmp (meta->args [0].name, "name") == 0);
    dp_type_ref_print (meta->type, printed, sizeof printed);
    assert (strcmp (printed, "__Type") == 0);
    dp_type_ref_print (dp_schema_meta_field (schema, "__schema")->type, printed, sizeof printed);
    assert (strcmp (printed, "__Schema!") == 0);
    dp_type_ref_print (dp_schema_meta_field (schema, "__typename")->type, printed, sizeof printed);
    assert (strcmp (printed, "String!") == 0);
    assert (dp_schema_meta_field (schema, "__other") == NULL);
    int *scratch = dp_schema_alloc (schema, sizeof (int));
    assert (scratch && *scratch == 0);
    dp_schema_destroy (&schema);

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
        { "type Query { a: Int }\ntype __Mine { a: Int }",
          "2:1: Name \"__Mine\" must not begin with \"__\", which is reserved by GraphQL introspection." },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        schema = dp_schema_new (bad [i][0], strlen (bad [i][0]), err, sizeof err);
        assert (!schema);
        if (bad [i][1] && strcmp (err, bad [i][1]) != 0) {
            fprintf (stderr, "schema error: expected [%s] got [%s]\n", bad [i][1], err);
            assert (false);
        }
    }
    //  The compiled-in public schema builds: queries only, resolveLink among them.
    schema = dp_schema_public (err, sizeof err);
    if (!schema)
        fprintf (stderr, "public schema: %s\n", err);
    assert (schema);
    assert (dp_schema_mutation_type (schema) == NULL);
    assert (dp_type_field (dp_schema_query_type (schema), "resolveLink"));
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_schema: OK\n");
}
