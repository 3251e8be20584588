/*  =========================================================================
    dp_introspection - the answers of __schema, __type and the introspection
    types, computed from a schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One table, s_fields, gives every field of the six introspection object
    types its resolve function, as graphql-js's introspection.ts gives
    each GraphQLObjectType field its resolve. Scalars yield a value;
    object and list fields yield the objects the executor descends into.
    A list that is null for some kinds of type (__Type.fields of a scalar)
    yields null where graphql-js answers null.
@discuss
    The per-schema state (dp_introspection_t) lives in the schema's
    memory; it holds __schema.types in graphql-js's order, computed once
    the way GraphQLSchema's constructor collects types (each SDL type in
    turn, then the types it references depth first, then the
    introspection types).
@end
*/
#include "dp_introspection.h"
#include "dp_printer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>

struct _dp_introspection_t {
    dp_schema_t *schema;
    const dp_type_t **types;    //  __schema.types, graphql-js's order
    size_t n_types;
    const void *as_object [1];  //  __schema's value: this, as an object
};

//  -------------------------------------------------------------------------
//  Values

static void
s_null (dp_introspection_value_t *value)
{
    *value = (dp_introspection_value_t) { .kind = DP_INTROSPECTION_NULL };
}

static void
s_string (dp_introspection_value_t *value, const char *string)
{
    if (string)
        *value = (dp_introspection_value_t) { .kind = DP_INTROSPECTION_STRING, .string = string };
    else
        s_null (value);
}

static void
s_bool (dp_introspection_value_t *value, bool boolean)
{
    *value = (dp_introspection_value_t) { .kind = DP_INTROSPECTION_BOOLEAN, .boolean = boolean };
}

//  A list of up to n objects; the caller fills items and counts them.
static const void **
s_list (dp_introspection_value_t *value, dp_arena_t *arena, size_t n)
{
    const void **items = dp_arena_calloc (arena, n + 1, sizeof *items);
    *value = (dp_introspection_value_t) { .kind = DP_INTROSPECTION_LIST, .items = items };
    return items;
}

static void
s_object (dp_introspection_value_t *value, dp_arena_t *arena, const void *object)
{
    if (!object) {
        s_null (value);
        return;
    }
    const void **items = dp_arena_calloc (arena, 1, sizeof *items);
    items [0] = object;
    *value = (dp_introspection_value_t) { .kind = DP_INTROSPECTION_OBJECT, .items = items, .count = 1 };
}

//  A __Type object for a named type.
static const dp_type_ref_t *
s_named_ref (dp_arena_t *arena, const dp_type_t *type)
{
    if (!type)
        return NULL;
    dp_type_ref_t *ref = dp_arena_calloc (arena, 1, sizeof *ref);
    ref->kind = DP_REF_NAMED;
    ref->named = (dp_type_t *) type;
    return ref;
}

//  A list of __Type objects for n named types.
static void
s_named_list (dp_introspection_value_t *value, dp_arena_t *arena,
              const dp_type_t *const *types, size_t n)
{
    const void **items = s_list (value, arena, n);
    for (size_t i = 0; i < n; i++)
        items [i] = s_named_ref (arena, types [i]);
    value->count = n;
}

//  The named type of a __Type object, or NULL for a list / non-null.
static const dp_type_t *
s_named (const void *object)
{
    const dp_type_ref_t *ref = object;
    return ref->kind == DP_REF_NAMED ? ref->named : NULL;
}

//  -------------------------------------------------------------------------
//  __Schema (object: dp_introspection_t)

static void
s_schema_description (const void *object, const dp_introspection_args_t *args,
                      dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    s_string (value, dp_schema_description (self->schema));
}

static void
s_schema_types (const void *object, const dp_introspection_args_t *args,
                dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    s_named_list (value, arena, self->types, self->n_types);
}

static void
s_schema_query_type (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    s_object (value, arena, s_named_ref (arena, dp_schema_query_type (self->schema)));
}

static void
s_schema_mutation_type (const void *object, const dp_introspection_args_t *args,
                        dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    s_object (value, arena, s_named_ref (arena, dp_schema_mutation_type (self->schema)));
}

static void
s_schema_subscription_type (const void *object, const dp_introspection_args_t *args,
                            dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    s_object (value, arena, s_named_ref (arena, dp_schema_subscription_type (self->schema)));
}

//  Directives are never deprecated in Depot, so includeDeprecated changes nothing.
static void
s_schema_directives (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_introspection_t *self = object;
    size_t count = dp_schema_directive_count (self->schema);
    const void **items = s_list (value, arena, count);
    for (size_t i = 0; i < count; i++)
        items [i] = dp_schema_directive_at (self->schema, i);
    value->count = count;
}

//  -------------------------------------------------------------------------
//  __Type (object: dp_type_ref_t)

static void
s_type_kind (const void *object, const dp_introspection_args_t *args,
             dp_arena_t *arena, dp_introspection_value_t *value)
{
    static const char *kinds [] = {
        [DP_TYPE_SCALAR] = "SCALAR", [DP_TYPE_OBJECT] = "OBJECT",
        [DP_TYPE_INTERFACE] = "INTERFACE", [DP_TYPE_UNION] = "UNION",
        [DP_TYPE_ENUM] = "ENUM", [DP_TYPE_INPUT_OBJECT] = "INPUT_OBJECT"
    };
    const dp_type_ref_t *ref = object;
    if (ref->kind == DP_REF_LIST)
        s_string (value, "LIST");
    else
    if (ref->kind == DP_REF_NON_NULL)
        s_string (value, "NON_NULL");
    else
        s_string (value, kinds [ref->named->kind]);
}

static void
s_type_name (const void *object, const dp_introspection_args_t *args,
             dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    s_string (value, type ? type->name : NULL);
}

static void
s_type_description (const void *object, const dp_introspection_args_t *args,
                    dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    s_string (value, type ? type->description : NULL);
}

static void
s_type_specified_by (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    s_string (value, type && type->kind == DP_TYPE_SCALAR ? type->specified_by_url : NULL);
}

static void
s_type_is_one_of (const void *object, const dp_introspection_args_t *args,
                  dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (type && type->kind == DP_TYPE_INPUT_OBJECT)
        s_bool (value, type->one_of);
    else
        s_null (value);
}

static bool
s_has_fields (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_OBJECT || type->kind == DP_TYPE_INTERFACE);
}

static void
s_type_fields (const void *object, const dp_introspection_args_t *args,
               dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (!s_has_fields (type)) {
        s_null (value);
        return;
    }
    const void **items = s_list (value, arena, type->n_fields);
    for (size_t i = 0; i < type->n_fields; i++)
        if (args->include_deprecated || !type->fields [i].deprecated)
            items [value->count++] = &type->fields [i];
}

static void
s_type_interfaces (const void *object, const dp_introspection_args_t *args,
                   dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (s_has_fields (type))
        s_named_list (value, arena, (const dp_type_t *const *) type->interfaces, type->n_interfaces);
    else
        s_null (value);
}

static void
s_type_possible_types (const void *object, const dp_introspection_args_t *args,
                       dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (type && (type->kind == DP_TYPE_UNION || type->kind == DP_TYPE_INTERFACE))
        s_named_list (value, arena, (const dp_type_t *const *) type->possible, type->n_possible);
    else
        s_null (value);
}

static void
s_type_enum_values (const void *object, const dp_introspection_args_t *args,
                    dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (!type || type->kind != DP_TYPE_ENUM) {
        s_null (value);
        return;
    }
    const void **items = s_list (value, arena, type->n_values);
    for (size_t i = 0; i < type->n_values; i++)
        if (args->include_deprecated || !type->values [i].deprecated)
            items [value->count++] = &type->values [i];
}

//  Arguments or input fields, deprecated ones only when asked for.
static void
s_input_values (const dp_input_value_t *values, size_t count, const dp_introspection_args_t *args,
                dp_arena_t *arena, dp_introspection_value_t *value)
{
    const void **items = s_list (value, arena, count);
    for (size_t i = 0; i < count; i++)
        if (args->include_deprecated || !values [i].deprecated)
            items [value->count++] = &values [i];
}

static void
s_type_input_fields (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = s_named (object);
    if (type && type->kind == DP_TYPE_INPUT_OBJECT)
        s_input_values (type->input_fields, type->n_input_fields, args, arena, value);
    else
        s_null (value);
}

static void
s_type_of_type (const void *object, const dp_introspection_args_t *args,
                dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_ref_t *ref = object;
    s_object (value, arena, ref->kind == DP_REF_NAMED ? NULL : ref->of);
}

//  -------------------------------------------------------------------------
//  __Field (dp_field_t), __InputValue (dp_input_value_t),
//  __EnumValue (dp_enum_value_t)

static void
s_field_name (const void *object, const dp_introspection_args_t *args,
              dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_field_t *) object)->name);
}

static void
s_field_description (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_field_t *) object)->description);
}

static void
s_field_args (const void *object, const dp_introspection_args_t *args,
              dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_field_t *field = object;
    s_input_values (field->args, field->n_args, args, arena, value);
}

static void
s_field_type (const void *object, const dp_introspection_args_t *args,
              dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_object (value, arena, ((const dp_field_t *) object)->type);
}

static void
s_field_is_deprecated (const void *object, const dp_introspection_args_t *args,
                       dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_bool (value, ((const dp_field_t *) object)->deprecated);
}

static void
s_field_deprecation_reason (const void *object, const dp_introspection_args_t *args,
                            dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_field_t *) object)->deprecation_reason);
}

static void
s_input_name (const void *object, const dp_introspection_args_t *args,
              dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_input_value_t *) object)->name);
}

static void
s_input_description (const void *object, const dp_introspection_args_t *args,
                     dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_input_value_t *) object)->description);
}

static void
s_input_type (const void *object, const dp_introspection_args_t *args,
              dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_object (value, arena, ((const dp_input_value_t *) object)->type);
}

static void
s_input_default_value (const void *object, const dp_introspection_args_t *args,
                       dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, dp_print_default_value (arena, object));
}

static void
s_input_is_deprecated (const void *object, const dp_introspection_args_t *args,
                       dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_bool (value, ((const dp_input_value_t *) object)->deprecated);
}

static void
s_input_deprecation_reason (const void *object, const dp_introspection_args_t *args,
                            dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_input_value_t *) object)->deprecation_reason);
}

static void
s_enum_name (const void *object, const dp_introspection_args_t *args,
             dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_enum_value_t *) object)->name);
}

static void
s_enum_description (const void *object, const dp_introspection_args_t *args,
                    dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_enum_value_t *) object)->description);
}

static void
s_enum_is_deprecated (const void *object, const dp_introspection_args_t *args,
                      dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_bool (value, ((const dp_enum_value_t *) object)->deprecated);
}

static void
s_enum_deprecation_reason (const void *object, const dp_introspection_args_t *args,
                           dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_enum_value_t *) object)->deprecation_reason);
}

//  -------------------------------------------------------------------------
//  __Directive (dp_directive_t)

static void
s_directive_name (const void *object, const dp_introspection_args_t *args,
                  dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_directive_t *) object)->name);
}

static void
s_directive_description (const void *object, const dp_introspection_args_t *args,
                         dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_string (value, ((const dp_directive_t *) object)->description);
}

static void
s_directive_is_repeatable (const void *object, const dp_introspection_args_t *args,
                           dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_bool (value, ((const dp_directive_t *) object)->repeatable);
}

//  [__DirectiveLocation!]!: a list of enum names.
static void
s_directive_locations (const void *object, const dp_introspection_args_t *args,
                       dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_directive_t *directive = object;
    const void **names = dp_arena_calloc (arena, directive->n_locations + 1, sizeof *names);
    for (size_t i = 0; i < directive->n_locations; i++)
        names [i] = dp_directive_location_name (directive->locations [i]);
    *value = (dp_introspection_value_t) {
        .kind = DP_INTROSPECTION_NAMES, .items = names, .count = directive->n_locations
    };
}

static void
s_directive_args (const void *object, const dp_introspection_args_t *args,
                  dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_directive_t *directive = object;
    s_input_values (directive->args, directive->n_args, args, arena, value);
}

static void
s_directive_is_deprecated (const void *object, const dp_introspection_args_t *args,
                           dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_bool (value, false);
}

static void
s_directive_deprecation_reason (const void *object, const dp_introspection_args_t *args,
                                dp_arena_t *arena, dp_introspection_value_t *value)
{
    s_null (value);
}

//  -------------------------------------------------------------------------
//  The table

static const dp_introspection_field_t s_fields [] = {
    { "__Schema", "description", s_schema_description },
    { "__Schema", "types", s_schema_types },
    { "__Schema", "queryType", s_schema_query_type },
    { "__Schema", "mutationType", s_schema_mutation_type },
    { "__Schema", "subscriptionType", s_schema_subscription_type },
    { "__Schema", "directives", s_schema_directives },
    { "__Type", "kind", s_type_kind },
    { "__Type", "name", s_type_name },
    { "__Type", "description", s_type_description },
    { "__Type", "specifiedByURL", s_type_specified_by },
    { "__Type", "fields", s_type_fields },
    { "__Type", "interfaces", s_type_interfaces },
    { "__Type", "possibleTypes", s_type_possible_types },
    { "__Type", "enumValues", s_type_enum_values },
    { "__Type", "inputFields", s_type_input_fields },
    { "__Type", "ofType", s_type_of_type },
    { "__Type", "isOneOf", s_type_is_one_of },
    { "__Field", "name", s_field_name },
    { "__Field", "description", s_field_description },
    { "__Field", "args", s_field_args },
    { "__Field", "type", s_field_type },
    { "__Field", "isDeprecated", s_field_is_deprecated },
    { "__Field", "deprecationReason", s_field_deprecation_reason },
    { "__InputValue", "name", s_input_name },
    { "__InputValue", "description", s_input_description },
    { "__InputValue", "type", s_input_type },
    { "__InputValue", "defaultValue", s_input_default_value },
    { "__InputValue", "isDeprecated", s_input_is_deprecated },
    { "__InputValue", "deprecationReason", s_input_deprecation_reason },
    { "__EnumValue", "name", s_enum_name },
    { "__EnumValue", "description", s_enum_description },
    { "__EnumValue", "isDeprecated", s_enum_is_deprecated },
    { "__EnumValue", "deprecationReason", s_enum_deprecation_reason },
    { "__Directive", "name", s_directive_name },
    { "__Directive", "description", s_directive_description },
    { "__Directive", "isRepeatable", s_directive_is_repeatable },
    { "__Directive", "locations", s_directive_locations },
    { "__Directive", "args", s_directive_args },
    { "__Directive", "isDeprecated", s_directive_is_deprecated },
    { "__Directive", "deprecationReason", s_directive_deprecation_reason },
};

static const char *s_object_types [] = {
    "__Schema", "__Type", "__Field", "__InputValue", "__EnumValue", "__Directive"
};

#define N(array) (sizeof (array) / sizeof ((array) [0]))

size_t
dp_introspection_field_count (void)
{
    return N (s_fields);
}

const dp_introspection_field_t *
dp_introspection_field_at (size_t index)
{
    return index < N (s_fields) ? &s_fields [index] : NULL;
}

const dp_introspection_field_t *
dp_introspection_field (const char *type, const char *field)
{
    for (size_t i = 0; i < N (s_fields); i++)
        if (strcmp (s_fields [i].type, type) == 0 && strcmp (s_fields [i].field, field) == 0)
            return &s_fields [i];
    return NULL;
}

//  -------------------------------------------------------------------------
//  __schema.types in graphql-js's order

typedef struct {
    const dp_type_t **order;
    size_t n;
    bool *present;              //  by type index
} collect_t;

//  collectReferencedTypes: the type, then what it references, depth first.
static void
s_collect (collect_t *c, const dp_type_t *type)
{
    if (!type || c->present [type->index])
        return;
    c->present [type->index] = true;
    c->order [c->n++] = type;
    for (size_t i = 0; i < type->n_possible && type->kind == DP_TYPE_UNION; i++)
        s_collect (c, type->possible [i]);
    for (size_t i = 0; i < type->n_interfaces; i++)
        s_collect (c, type->interfaces [i]);
    for (size_t f = 0; f < type->n_fields; f++) {
        s_collect (c, dp_type_ref_named (type->fields [f].type));
        for (size_t a = 0; a < type->fields [f].n_args; a++)
            s_collect (c, dp_type_ref_named (type->fields [f].args [a].type));
    }
    for (size_t i = 0; i < type->n_input_fields; i++)
        s_collect (c, dp_type_ref_named (type->input_fields [i].type));
}

//  GraphQLSchema's constructor: the SDL's types in order, each removed and
//  collected again; the root types; the directives' argument types; then
//  __Schema and what it references.
static void
s_order_types (dp_introspection_t *self)
{
    dp_schema_t *schema = self->schema;
    size_t count = dp_schema_type_count (schema);
    collect_t c = {
        .order = dp_schema_alloc (schema, (count + 1) * sizeof (dp_type_t *)),
        .present = calloc (count + 1, sizeof (bool))
    };
    assert (c.present);
    for (size_t t = 0; t < count; t++)
        c.present [t] = !dp_type_is_builtin (dp_schema_type_at (schema, t));
    for (size_t t = 0; t < count; t++) {
        const dp_type_t *type = dp_schema_type_at (schema, t);
        if (dp_type_is_builtin (type))
            continue;
        c.present [t] = false;
        s_collect (&c, type);
    }
    s_collect (&c, dp_schema_query_type (schema));
    s_collect (&c, dp_schema_mutation_type (schema));
    s_collect (&c, dp_schema_subscription_type (schema));
    for (size_t d = 0; d < dp_schema_directive_count (schema); d++) {
        const dp_directive_t *directive = dp_schema_directive_at (schema, d);
        for (size_t a = 0; a < directive->n_args; a++)
            s_collect (&c, dp_type_ref_named (directive->args [a].type));
    }
    s_collect (&c, dp_schema_type (schema, "__Schema"));
    free (c.present);
    self->types = c.order;
    self->n_types = c.n;
}

//  -------------------------------------------------------------------------

dp_introspection_t *
dp_introspection_build (dp_schema_t *schema, char *err, size_t err_len)
{
    assert (schema);
    //  Every field of every introspection type has its resolve function.
    for (size_t i = 0; i < N (s_object_types); i++) {
        const dp_type_t *type = dp_schema_type (schema, s_object_types [i]);
        if (!type) {
            snprintf (err, err_len, "introspection: the schema lacks %s", s_object_types [i]);
            return NULL;
        }
        for (size_t f = 0; f < type->n_fields; f++)
            if (!dp_introspection_field (type->name, type->fields [f].name)) {
                snprintf (err, err_len, "introspection: %s.%s has no hook",
                          type->name, type->fields [f].name);
                return NULL;
            }
    }
    for (size_t i = 0; i < N (s_fields); i++)
        if (!dp_type_field (dp_schema_type (schema, s_fields [i].type), s_fields [i].field)) {
            snprintf (err, err_len, "introspection: the schema lacks %s.%s",
                      s_fields [i].type, s_fields [i].field);
            return NULL;
        }
    dp_introspection_t *self = dp_schema_alloc (schema, sizeof *self);
    self->schema = schema;
    self->as_object [0] = self;
    s_order_types (self);
    return self;
}

dp_schema_t *
dp_introspection_schema (const dp_introspection_t *self)
{
    return self->schema;
}

size_t
dp_introspection_type_count (const dp_introspection_t *self)
{
    return self->n_types;
}

const dp_type_t *
dp_introspection_type_at (const dp_introspection_t *self, size_t index)
{
    return index < self->n_types ? self->types [index] : NULL;
}

void
dp_introspection_schema_value (const dp_introspection_t *self, dp_introspection_value_t *value)
{
    *value = (dp_introspection_value_t) {
        .kind = DP_INTROSPECTION_OBJECT, .items = self->as_object, .count = 1
    };
}

void
dp_introspection_type_value (const dp_introspection_t *self, const char *name,
                             dp_arena_t *arena, dp_introspection_value_t *value)
{
    const dp_type_t *type = name ? dp_schema_type (self->schema, name) : NULL;
    s_object (value, arena, s_named_ref (arena, type));
}

//  -------------------------------------------------------------------------
//  Selftest: the values, read through the table as an executor reads them.

//  The value of type.field for object, includeDeprecated as given.
static dp_introspection_value_t
s_resolve (dp_arena_t *arena, const char *type, const char *field, const void *object,
           bool include_deprecated)
{
    const dp_introspection_field_t *entry = dp_introspection_field (type, field);
    assert (entry);
    dp_introspection_args_t args = { .include_deprecated = include_deprecated };
    dp_introspection_value_t value;
    entry->resolve (object, &args, arena, &value);
    return value;
}

//  The names of a list of objects of type (each one's "name"), joined by
//  spaces, for comparing with what the test writes.
static const char *
s_names (dp_arena_t *arena, const char *type, dp_introspection_value_t list)
{
    assert (list.kind == DP_INTROSPECTION_LIST || list.kind == DP_INTROSPECTION_NAMES);
    char *joined = dp_arena_calloc (arena, 1024, 1);
    joined [0] = 0;
    for (size_t i = 0; i < list.count; i++) {
        const char *name = list.kind == DP_INTROSPECTION_NAMES
                         ? list.items [i]
                         : s_resolve (arena, type, "name", list.items [i], false).string;
        snprintf (joined + strlen (joined), 1024 - strlen (joined), "%s%s",
                  i ? " " : "", name ? name : "null");
    }
    return joined;
}

static void
s_expect_names (dp_arena_t *arena, const char *type, dp_introspection_value_t list,
                const char *expected)
{
    const char *got = s_names (arena, type, list);
    if (strcmp (got, expected) != 0) {
        fprintf (stderr, "dp_introspection test: expected %s\n  got %s\n", expected, got);
        assert (false);
    }
}

void
dp_introspection_test (bool verbose)
{
    //  graphql-js 16 answers the same for this SDL (tests/js, buildSchema).
    const char *sdl =
        "\"Entry points\" type Query { crate(code: ID!): Crate\n"
        "  search(text: String = \"all\", legacy: Int @deprecated): Found }\n"
        "interface Thing { code: ID! }\n"
        "type Crate implements Thing { code: ID!  status: Status  note: String @deprecated(reason: \"unused\")\n"
        "  bottles(limit: Int = 12, where: Where = {statuses: Full}): [Bottle!]! }\n"
        "type Bottle implements Thing { code: ID! }\n"
        "union Found = Bottle | Crate\n"
        "enum Status { Full Empty @deprecated }\n"
        "input Where { statuses: [Status!] max: Int = 3 }\n"
        "input Choose @oneOf { code: ID }\n"
        "scalar Link @specifiedBy(url: \"https://example.com/link\")\n";
    char err [300];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    assert (schema);
    dp_introspection_t *intro = dp_introspection_build (schema, err, sizeof err);
    assert (intro);
    assert (dp_introspection_schema (intro) == schema);
    dp_arena_t *arena = dp_arena_new (0);

    //  Every field of every introspection type has its entry, and no other.
    size_t fields = 0;
    for (size_t t = 0; t < dp_schema_type_count (schema); t++) {
        const dp_type_t *type = dp_schema_type_at (schema, t);
        if (type->name [0] == '_' && type->kind == DP_TYPE_OBJECT)
            fields += type->n_fields;
    }
    assert (fields == dp_introspection_field_count ());
    assert (dp_introspection_field_at (fields) == NULL);
    assert (dp_introspection_field ("__Type", "nope") == NULL);

    //  __schema: the types in graphql-js's order (the SDL's, built-in
    //  scalars where first referenced, then __Schema's), the roots.
    dp_introspection_value_t root;
    dp_introspection_schema_value (intro, &root);
    assert (root.kind == DP_INTROSPECTION_OBJECT && root.count == 1 && root.items [0] == intro);
    s_expect_names (arena, "__Type", s_resolve (arena, "__Schema", "types", intro, false),
        "Query ID String Int Thing Crate Bottle Found Status Where Choose Link Boolean "
        "__Schema __Type __TypeKind __Field __InputValue __EnumValue __Directive __DirectiveLocation");
    assert (dp_introspection_type_count (intro) == 21);
    assert (strcmp (dp_introspection_type_at (intro, 0)->name, "Query") == 0);
    assert (dp_introspection_type_at (intro, 21) == NULL);
    dp_introspection_value_t query = s_resolve (arena, "__Schema", "queryType", intro, false);
    assert (query.kind == DP_INTROSPECTION_OBJECT);
    assert (strcmp (s_resolve (arena, "__Type", "name", query.items [0], false).string, "Query") == 0);
    assert (strcmp (s_resolve (arena, "__Type", "description", query.items [0], false).string, "Entry points") == 0);
    assert (s_resolve (arena, "__Schema", "mutationType", intro, false).kind == DP_INTROSPECTION_NULL);
    assert (s_resolve (arena, "__Schema", "description", intro, false).kind == DP_INTROSPECTION_NULL);
    s_expect_names (arena, "__Directive", s_resolve (arena, "__Schema", "directives", intro, false),
        "include skip deprecated specifiedBy oneOf");

    //  __type: a type's fields, deprecated ones only when asked for.
    dp_introspection_value_t crate;
    dp_introspection_type_value (intro, "Crate", arena, &crate);
    assert (crate.kind == DP_INTROSPECTION_OBJECT);
    assert (strcmp (s_resolve (arena, "__Type", "kind", crate.items [0], false).string, "OBJECT") == 0);
    s_expect_names (arena, "__Field", s_resolve (arena, "__Type", "fields", crate.items [0], false),
        "code status bottles");
    dp_introspection_value_t all = s_resolve (arena, "__Type", "fields", crate.items [0], true);
    s_expect_names (arena, "__Field", all, "code status note bottles");
    assert (s_resolve (arena, "__Field", "isDeprecated", all.items [2], false).boolean);
    assert (strcmp (s_resolve (arena, "__Field", "deprecationReason", all.items [2], false).string, "unused") == 0);
    s_expect_names (arena, "__Type", s_resolve (arena, "__Type", "interfaces", crate.items [0], false), "Thing");

    //  Wrapped types through ofType: [Bottle!]! is NON_NULL, LIST, NON_NULL, Bottle.
    dp_introspection_value_t type = s_resolve (arena, "__Field", "type", all.items [3], false);
    const char *chain [] = { "NON_NULL", "LIST", "NON_NULL", "OBJECT" };
    for (size_t i = 0; i < 4; i++) {
        assert (type.kind == DP_INTROSPECTION_OBJECT);
        assert (strcmp (s_resolve (arena, "__Type", "kind", type.items [0], false).string, chain [i]) == 0);
        assert (s_resolve (arena, "__Type", "name", type.items [0], false).kind
                == (i < 3 ? DP_INTROSPECTION_NULL : DP_INTROSPECTION_STRING));
        type = s_resolve (arena, "__Type", "ofType", type.items [0], false);
    }
    assert (type.kind == DP_INTROSPECTION_NULL);

    //  Arguments with their defaults printed as graphql-js prints them.
    dp_introspection_value_t args = s_resolve (arena, "__Field", "args", all.items [3], false);
    s_expect_names (arena, "__InputValue", args, "limit where");
    assert (strcmp (s_resolve (arena, "__InputValue", "defaultValue", args.items [0], false).string, "12") == 0);
    assert (strcmp (s_resolve (arena, "__InputValue", "defaultValue", args.items [1], false).string,
                    "{statuses: [Full], max: 3}") == 0);

    //  Lists that are null for other kinds; enum values; deprecated args.
    dp_introspection_value_t status;
    dp_introspection_type_value (intro, "Status", arena, &status);
    assert (s_resolve (arena, "__Type", "fields", status.items [0], false).kind == DP_INTROSPECTION_NULL);
    assert (s_resolve (arena, "__Type", "inputFields", status.items [0], false).kind == DP_INTROSPECTION_NULL);
    s_expect_names (arena, "__EnumValue", s_resolve (arena, "__Type", "enumValues", status.items [0], false),
                    "Full");
    s_expect_names (arena, "__EnumValue", s_resolve (arena, "__Type", "enumValues", status.items [0], true),
                    "Full Empty");
    dp_introspection_value_t search = s_resolve (arena, "__Type", "fields", query.items [0], false);
    s_expect_names (arena, "__InputValue", s_resolve (arena, "__Field", "args", search.items [1], false), "text");
    s_expect_names (arena, "__InputValue", s_resolve (arena, "__Field", "args", search.items [1], true), "text legacy");

    //  Possible types, specifiedByURL, @oneOf, directive locations.
    dp_introspection_value_t found, link, choose, where, nope;
    dp_introspection_type_value (intro, "Found", arena, &found);
    s_expect_names (arena, "__Type", s_resolve (arena, "__Type", "possibleTypes", found.items [0], false),
                    "Bottle Crate");
    dp_introspection_type_value (intro, "Link", arena, &link);
    assert (strcmp (s_resolve (arena, "__Type", "specifiedByURL", link.items [0], false).string,
                    "https://example.com/link") == 0);
    assert (s_resolve (arena, "__Type", "isOneOf", link.items [0], false).kind == DP_INTROSPECTION_NULL);
    dp_introspection_type_value (intro, "Choose", arena, &choose);
    assert (s_resolve (arena, "__Type", "isOneOf", choose.items [0], false).boolean);
    dp_introspection_type_value (intro, "Where", arena, &where);
    dp_introspection_value_t is_one_of = s_resolve (arena, "__Type", "isOneOf", where.items [0], false);
    assert (is_one_of.kind == DP_INTROSPECTION_BOOLEAN && !is_one_of.boolean);
    dp_introspection_type_value (intro, "Nope", arena, &nope);
    assert (nope.kind == DP_INTROSPECTION_NULL);
    dp_introspection_type_value (intro, NULL, arena, &nope);
    assert (nope.kind == DP_INTROSPECTION_NULL);
    s_expect_names (arena, "__Directive", s_resolve (arena, "__Directive", "locations",
                                                     dp_schema_directive (schema, "deprecated"), false),
        "FIELD_DEFINITION ARGUMENT_DEFINITION INPUT_FIELD_DEFINITION ENUM_VALUE");

    //  Two schemas side by side: each its own introspection, nothing shared.
    const char *other_sdl = "type Query { count: Int }\n";
    dp_schema_t *other = dp_schema_new (other_sdl, strlen (other_sdl), err, sizeof err);
    assert (other);
    dp_introspection_t *other_intro = dp_introspection_build (other, err, sizeof err);
    assert (other_intro && other_intro != intro);
    s_expect_names (arena, "__Type", s_resolve (arena, "__Schema", "types", other_intro, false),
        "Query Int Boolean String __Schema __Type __TypeKind __Field __InputValue __EnumValue "
        "__Directive __DirectiveLocation");
    dp_introspection_type_value (other_intro, "Crate", arena, &nope);
    assert (nope.kind == DP_INTROSPECTION_NULL);
    dp_schema_destroy (&other);

    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_introspection: OK\n");
}
