/*  =========================================================================
    dp_introspection - __schema, __type and the introspection types, served

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One table, s_fields, gives every field of the six introspection object
    types its hook, as dp_mapping's table does for the boxtribute types.
    Scalars are write hooks; object and list fields are children hooks
    that hand the next wave synthetic objects (the waves never send
    anything to db-svc for them). A list that is null for some kinds of
    type (__Type.fields of a scalar) has a write hook too, which answers
    null where graphql-js answers null.
@discuss
    The per-schema state (intro_t) is allocated in the schema and holds
    the two root bindings, so a root hook finds its schema from pf->bind
    without any global; it also holds __schema.types in graphql-js's order,
    computed once at bind time the way GraphQLSchema's constructor
    collects types (each SDL type in turn, then the types it references
    depth first, then the introspection types).
@end
*/
#include "dp_introspection.h"
#include "dp_exec_types.h"
#include "dp_printer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <assert.h>

typedef struct {
    dp_binding_t schema_bind;   //  Query.__schema; first, so pf->bind is the state
    dp_binding_t type_bind;     //  Query.__type
    type_binding_t synthetic;   //  the introspection types' own binding
    dp_schema_t *schema;
    const dp_type_t **types;    //  __schema.types, graphql-js's order
    size_t n_types;
    bool enabled;
} intro_t;

//  -------------------------------------------------------------------------
//  Small helpers

static bool
s_include_deprecated (const plan_field_t *pf)
{
    const input_t *value = input_field (pf->args, "includeDeprecated");
    return value && value->kind == IN_BOOL && value->i;
}

static int
s_string (dp_exec_t *exec, const char *value)
{
    if (!value)
        return 0;
    dp_json_writer_cstr (dp_exec_out (exec), value);
    return 1;
}

static int
s_bool (dp_exec_t *exec, bool value)
{
    dp_json_writer_bool (dp_exec_out (exec), value);
    return 1;
}

//  An array of n synthetic objects of the field's named type.
static obj_t *
s_objects (dp_exec_t *exec, const plan_field_t *pf, size_t n)
{
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof (obj_t));
    const dp_type_t *type = dp_type_ref_named (pf->field->type);
    for (size_t i = 0; i < n; i++)
        objs [i].type = type;
    return objs;
}

//  A __Type object for a named type.
static const dp_type_ref_t *
s_named_ref (dp_exec_t *exec, const dp_type_t *type)
{
    dp_type_ref_t *ref = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *ref);
    ref->kind = DP_REF_NAMED;
    ref->named = (dp_type_t *) type;
    return ref;
}

//  The named type of a __Type object, or NULL for a list / non-null.
static const dp_type_t *
s_named (const obj_t *obj)
{
    const dp_type_ref_t *ref = obj->synthetic;
    return ref->kind == DP_REF_NAMED ? ref->named : NULL;
}

//  The write hook of lists that are null for some objects: the children
//  hook answers children == NULL for those.
static int
s_list_or_null (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    obj_t *children = NULL;
    size_t n = 0;
    pf->bind->children (exec, pf, obj, &children, &n);
    if (!children)
        return 0;
    return dp_exec_write_children (exec, pf, children, n, true);
}

//  -------------------------------------------------------------------------
//  Query.__schema and Query.__type

static const intro_t *
s_from_schema_bind (const plan_field_t *pf)
{
    return (const intro_t *) pf->bind;
}

static const intro_t *
s_from_type_bind (const plan_field_t *pf)
{
    return (const intro_t *) ((const char *) pf->bind - offsetof (intro_t, type_bind));
}

static int
s_disabled (dp_exec_t *exec, const plan_field_t *pf)
{
    dp_exec_field_error (exec, pf, "GRAPHQL_VALIDATION_FAILED", NULL,
                         "GraphQL introspection has been disabled, but the requested query "
                         "contained the field \"%s\".", pf->field->name);
    return -1;
}

static void
s_root_schema (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
               obj_t **children, size_t *n)
{
    const intro_t *intro = s_from_schema_bind (pf);
    if (!intro->enabled)
        return;
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = (void *) intro;
    *n = 1;
}

static int
s_root_schema_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (!s_from_schema_bind (pf)->enabled)
        return s_disabled (exec, pf);
    obj_t *children = NULL;
    size_t n = 0;
    s_root_schema (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, false);
}

static void
s_root_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
             obj_t **children, size_t *n)
{
    const intro_t *intro = s_from_type_bind (pf);
    const input_t *name = input_field (pf->args, "name");
    if (!intro->enabled || !dp_input_text (name))
        return;                 //  a name with a NUL names no type
    const dp_type_t *type = dp_schema_type (intro->schema, name->s);
    if (!type)
        return;
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = (void *) s_named_ref (exec, type);
    *n = 1;
}

static int
s_root_type_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (!s_from_type_bind (pf)->enabled)
        return s_disabled (exec, pf);
    obj_t *children = NULL;
    size_t n = 0;
    s_root_type (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, false);
}

//  -------------------------------------------------------------------------
//  __Schema (obj->synthetic: intro_t)

static int
s_schema_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const intro_t *intro = obj->synthetic;
    return s_string (exec, dp_schema_description (intro->schema));
}

static void
s_schema_types (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                obj_t **children, size_t *n)
{
    const intro_t *intro = obj->synthetic;
    *children = s_objects (exec, pf, intro->n_types);
    for (size_t i = 0; i < intro->n_types; i++)
        (*children) [i].synthetic = (void *) s_named_ref (exec, intro->types [i]);
    *n = intro->n_types;
}

static void
s_one_type (dp_exec_t *exec, const plan_field_t *pf, const dp_type_t *type,
            obj_t **children, size_t *n)
{
    if (!type)
        return;
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = (void *) s_named_ref (exec, type);
    *n = 1;
}

static void
s_schema_query_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                     obj_t **children, size_t *n)
{
    const intro_t *intro = obj->synthetic;
    s_one_type (exec, pf, dp_schema_query_type (intro->schema), children, n);
}

static void
s_schema_mutation_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                        obj_t **children, size_t *n)
{
    const intro_t *intro = obj->synthetic;
    s_one_type (exec, pf, dp_schema_mutation_type (intro->schema), children, n);
}

static void
s_schema_subscription_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n)
{
    const intro_t *intro = obj->synthetic;
    s_one_type (exec, pf, dp_schema_subscription_type (intro->schema), children, n);
}

//  Directives are never deprecated in Depot, so includeDeprecated changes nothing.
static void
s_schema_directives (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                     obj_t **children, size_t *n)
{
    const intro_t *intro = obj->synthetic;
    size_t count = dp_schema_directive_count (intro->schema);
    *children = s_objects (exec, pf, count);
    for (size_t i = 0; i < count; i++)
        (*children) [i].synthetic = dp_schema_directive_at (intro->schema, i);
    *n = count;
}

//  -------------------------------------------------------------------------
//  __Type (obj->synthetic: dp_type_ref_t)

static int
s_type_kind (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    static const char *kinds [] = {
        [DP_TYPE_SCALAR] = "SCALAR", [DP_TYPE_OBJECT] = "OBJECT",
        [DP_TYPE_INTERFACE] = "INTERFACE", [DP_TYPE_UNION] = "UNION",
        [DP_TYPE_ENUM] = "ENUM", [DP_TYPE_INPUT_OBJECT] = "INPUT_OBJECT"
    };
    const dp_type_ref_t *ref = obj->synthetic;
    if (ref->kind == DP_REF_LIST)
        return s_string (exec, "LIST");
    if (ref->kind == DP_REF_NON_NULL)
        return s_string (exec, "NON_NULL");
    return s_string (exec, kinds [ref->named->kind]);
}

static int
s_type_name (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_type_t *type = s_named (obj);
    return type ? s_string (exec, type->name) : 0;
}

static int
s_type_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_type_t *type = s_named (obj);
    return type ? s_string (exec, type->description) : 0;
}

static int
s_type_specified_by (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_type_t *type = s_named (obj);
    return type && type->kind == DP_TYPE_SCALAR ? s_string (exec, type->specified_by_url) : 0;
}

static int
s_type_is_one_of (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_type_t *type = s_named (obj);
    return type && type->kind == DP_TYPE_INPUT_OBJECT ? s_bool (exec, type->one_of) : 0;
}

static bool
s_has_fields (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_OBJECT || type->kind == DP_TYPE_INTERFACE);
}

static void
s_type_fields (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
               obj_t **children, size_t *n)
{
    const dp_type_t *type = s_named (obj);
    if (!s_has_fields (type))
        return;
    bool all = s_include_deprecated (pf);
    *children = s_objects (exec, pf, type->n_fields);
    for (size_t i = 0; i < type->n_fields; i++)
        if (all || !type->fields [i].deprecated)
            (*children) [(*n)++].synthetic = &type->fields [i];
}

static void
s_type_interfaces (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                   obj_t **children, size_t *n)
{
    const dp_type_t *type = s_named (obj);
    if (!s_has_fields (type))
        return;
    *children = s_objects (exec, pf, type->n_interfaces);
    for (size_t i = 0; i < type->n_interfaces; i++)
        (*children) [i].synthetic = (void *) s_named_ref (exec, type->interfaces [i]);
    *n = type->n_interfaces;
}

static void
s_type_possible_types (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                       obj_t **children, size_t *n)
{
    const dp_type_t *type = s_named (obj);
    if (!type || (type->kind != DP_TYPE_UNION && type->kind != DP_TYPE_INTERFACE))
        return;
    *children = s_objects (exec, pf, type->n_possible);
    for (size_t i = 0; i < type->n_possible; i++)
        (*children) [i].synthetic = (void *) s_named_ref (exec, type->possible [i]);
    *n = type->n_possible;
}

static void
s_type_enum_values (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                    obj_t **children, size_t *n)
{
    const dp_type_t *type = s_named (obj);
    if (!type || type->kind != DP_TYPE_ENUM)
        return;
    bool all = s_include_deprecated (pf);
    *children = s_objects (exec, pf, type->n_values);
    for (size_t i = 0; i < type->n_values; i++)
        if (all || !type->values [i].deprecated)
            (*children) [(*n)++].synthetic = &type->values [i];
}

//  Arguments or input fields, deprecated ones only when asked for.
static void
s_input_values (dp_exec_t *exec, const plan_field_t *pf, dp_input_value_t *values, size_t count,
                obj_t **children, size_t *n)
{
    bool all = s_include_deprecated (pf);
    *children = s_objects (exec, pf, count);
    for (size_t i = 0; i < count; i++)
        if (all || !values [i].deprecated)
            (*children) [(*n)++].synthetic = &values [i];
}

static void
s_type_input_fields (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                     obj_t **children, size_t *n)
{
    const dp_type_t *type = s_named (obj);
    if (!type || type->kind != DP_TYPE_INPUT_OBJECT)
        return;
    s_input_values (exec, pf, type->input_fields, type->n_input_fields, children, n);
}

static void
s_type_of_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                obj_t **children, size_t *n)
{
    const dp_type_ref_t *ref = obj->synthetic;
    if (ref->kind == DP_REF_NAMED)
        return;
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = ref->of;
    *n = 1;
}

//  -------------------------------------------------------------------------
//  __Field (dp_field_t), __InputValue (dp_input_value_t),
//  __EnumValue (dp_enum_value_t)

static int
s_field_name (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_field_t *) obj->synthetic)->name);
}

static int
s_field_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_field_t *) obj->synthetic)->description);
}

static void
s_field_args (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
              obj_t **children, size_t *n)
{
    const dp_field_t *field = obj->synthetic;
    s_input_values (exec, pf, field->args, field->n_args, children, n);
}

static void
s_field_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
              obj_t **children, size_t *n)
{
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = ((const dp_field_t *) obj->synthetic)->type;
    *n = 1;
}

static int
s_field_is_deprecated (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_bool (exec, ((const dp_field_t *) obj->synthetic)->deprecated);
}

static int
s_field_deprecation_reason (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_field_t *) obj->synthetic)->deprecation_reason);
}

static int
s_input_name (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_input_value_t *) obj->synthetic)->name);
}

static int
s_input_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_input_value_t *) obj->synthetic)->description);
}

static void
s_input_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
              obj_t **children, size_t *n)
{
    *children = s_objects (exec, pf, 1);
    (*children) [0].synthetic = ((const dp_input_value_t *) obj->synthetic)->type;
    *n = 1;
}

static int
s_input_default_value (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, dp_print_default_value (dp_exec_arena (exec), obj->synthetic));
}

static int
s_input_is_deprecated (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_bool (exec, ((const dp_input_value_t *) obj->synthetic)->deprecated);
}

static int
s_input_deprecation_reason (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_input_value_t *) obj->synthetic)->deprecation_reason);
}

static int
s_enum_name (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_enum_value_t *) obj->synthetic)->name);
}

static int
s_enum_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_enum_value_t *) obj->synthetic)->description);
}

static int
s_enum_is_deprecated (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_bool (exec, ((const dp_enum_value_t *) obj->synthetic)->deprecated);
}

static int
s_enum_deprecation_reason (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_enum_value_t *) obj->synthetic)->deprecation_reason);
}

//  -------------------------------------------------------------------------
//  __Directive (dp_directive_t)

static int
s_directive_name (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_directive_t *) obj->synthetic)->name);
}

static int
s_directive_description (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_string (exec, ((const dp_directive_t *) obj->synthetic)->description);
}

static int
s_directive_is_repeatable (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_bool (exec, ((const dp_directive_t *) obj->synthetic)->repeatable);
}

//  [__DirectiveLocation!]!: a list of enum names, written whole.
static int
s_directive_locations (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_directive_t *directive = obj->synthetic;
    dp_json_writer_t *out = dp_exec_out (exec);
    dp_json_writer_char (out, '[');
    for (size_t i = 0; i < directive->n_locations; i++) {
        if (i)
            dp_json_writer_char (out, ',');
        dp_json_writer_cstr (out, dp_directive_location_name (directive->locations [i]));
    }
    dp_json_writer_char (out, ']');
    return 1;
}

static void
s_directive_args (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                  obj_t **children, size_t *n)
{
    const dp_directive_t *directive = obj->synthetic;
    s_input_values (exec, pf, directive->args, directive->n_args, children, n);
}

static int
s_directive_is_deprecated (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_bool (exec, false);
}

static int
s_directive_deprecation_reason (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return 0;
}

//  -------------------------------------------------------------------------
//  The table

#define SCALAR(fn)      { .kind = BIND_SYNTHETIC, .write = fn }
#define OBJECT(fn)      { .kind = BIND_SYNTHETIC, .children = fn }
#define LIST(fn)        { .kind = BIND_SYNTHETIC, .children = fn, .list = true }
#define LIST_OR_NULL(fn) { .kind = BIND_SYNTHETIC, .children = fn, .list = true, .write = s_list_or_null }

typedef struct {
    const char *type;
    const char *field;
    dp_binding_t bind;
} field_entry_t;

static const field_entry_t s_fields [] = {
    { "__Schema", "description", SCALAR (s_schema_description) },
    { "__Schema", "types", LIST (s_schema_types) },
    { "__Schema", "queryType", OBJECT (s_schema_query_type) },
    { "__Schema", "mutationType", OBJECT (s_schema_mutation_type) },
    { "__Schema", "subscriptionType", OBJECT (s_schema_subscription_type) },
    { "__Schema", "directives", LIST (s_schema_directives) },
    { "__Type", "kind", SCALAR (s_type_kind) },
    { "__Type", "name", SCALAR (s_type_name) },
    { "__Type", "description", SCALAR (s_type_description) },
    { "__Type", "specifiedByURL", SCALAR (s_type_specified_by) },
    { "__Type", "fields", LIST_OR_NULL (s_type_fields) },
    { "__Type", "interfaces", LIST_OR_NULL (s_type_interfaces) },
    { "__Type", "possibleTypes", LIST_OR_NULL (s_type_possible_types) },
    { "__Type", "enumValues", LIST_OR_NULL (s_type_enum_values) },
    { "__Type", "inputFields", LIST_OR_NULL (s_type_input_fields) },
    { "__Type", "ofType", OBJECT (s_type_of_type) },
    { "__Type", "isOneOf", SCALAR (s_type_is_one_of) },
    { "__Field", "name", SCALAR (s_field_name) },
    { "__Field", "description", SCALAR (s_field_description) },
    { "__Field", "args", LIST (s_field_args) },
    { "__Field", "type", OBJECT (s_field_type) },
    { "__Field", "isDeprecated", SCALAR (s_field_is_deprecated) },
    { "__Field", "deprecationReason", SCALAR (s_field_deprecation_reason) },
    { "__InputValue", "name", SCALAR (s_input_name) },
    { "__InputValue", "description", SCALAR (s_input_description) },
    { "__InputValue", "type", OBJECT (s_input_type) },
    { "__InputValue", "defaultValue", SCALAR (s_input_default_value) },
    { "__InputValue", "isDeprecated", SCALAR (s_input_is_deprecated) },
    { "__InputValue", "deprecationReason", SCALAR (s_input_deprecation_reason) },
    { "__EnumValue", "name", SCALAR (s_enum_name) },
    { "__EnumValue", "description", SCALAR (s_enum_description) },
    { "__EnumValue", "isDeprecated", SCALAR (s_enum_is_deprecated) },
    { "__EnumValue", "deprecationReason", SCALAR (s_enum_deprecation_reason) },
    { "__Directive", "name", SCALAR (s_directive_name) },
    { "__Directive", "description", SCALAR (s_directive_description) },
    { "__Directive", "isRepeatable", SCALAR (s_directive_is_repeatable) },
    { "__Directive", "locations", SCALAR (s_directive_locations) },
    { "__Directive", "args", LIST (s_directive_args) },
    { "__Directive", "isDeprecated", SCALAR (s_directive_is_deprecated) },
    { "__Directive", "deprecationReason", SCALAR (s_directive_deprecation_reason) },
};

static const char *s_object_types [] = {
    "__Schema", "__Type", "__Field", "__InputValue", "__EnumValue", "__Directive"
};

#define N(array) (sizeof (array) / sizeof ((array) [0]))

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
s_order_types (intro_t *intro)
{
    dp_schema_t *schema = intro->schema;
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
    intro->types = c.order;
    intro->n_types = c.n;
}

//  -------------------------------------------------------------------------

int
dp_introspection_bind (dp_schema_t *schema, char *err, size_t err_len)
{
    assert (schema);
    intro_t *intro = dp_schema_alloc (schema, sizeof *intro);
    intro->schema = schema;
    intro->enabled = true;
    intro->schema_bind = (dp_binding_t) {
        .kind = BIND_SYNTHETIC, .children = s_root_schema, .write = s_root_schema_write
    };
    intro->type_bind = (dp_binding_t) {
        .kind = BIND_SYNTHETIC, .children = s_root_type, .write = s_root_type_write
    };
    intro->synthetic.synthetic = true;
    for (size_t i = 0; i < N (s_object_types); i++) {
        dp_type_t *type = dp_schema_type (schema, s_object_types [i]);
        if (!type) {
            snprintf (err, err_len, "introspection: the schema lacks %s", s_object_types [i]);
            return -1;
        }
        type->binding = &intro->synthetic;
    }
    for (size_t i = 0; i < N (s_fields); i++) {
        dp_type_t *type = dp_schema_type (schema, s_fields [i].type);
        dp_field_t *field = dp_type_field (type, s_fields [i].field);
        if (!field) {
            snprintf (err, err_len, "introspection: the schema lacks %s.%s",
                      s_fields [i].type, s_fields [i].field);
            return -1;
        }
        field->binding = &s_fields [i].bind;
    }
    //  Every field of every introspection type has its hook.
    for (size_t i = 0; i < N (s_object_types); i++) {
        const dp_type_t *type = dp_schema_type (schema, s_object_types [i]);
        for (size_t f = 0; f < type->n_fields; f++)
            if (!type->fields [f].binding) {
                snprintf (err, err_len, "introspection: %s.%s has no hook",
                          type->name, type->fields [f].name);
                return -1;
            }
    }
    dp_schema_meta_field (schema, "__schema")->binding = &intro->schema_bind;
    dp_schema_meta_field (schema, "__type")->binding = &intro->type_bind;
    s_order_types (intro);
    return 0;
}

static intro_t *
s_intro (dp_schema_t *schema)
{
    const dp_field_t *field = dp_schema_meta_field (schema, "__schema");
    return field && field->binding ? (intro_t *) field->binding : NULL;
}

void
dp_introspection_enable (dp_schema_t *schema, bool enabled)
{
    intro_t *intro = s_intro (schema);
    assert (intro);
    intro->enabled = enabled;
}

bool
dp_introspection_enabled (dp_schema_t *schema)
{
    intro_t *intro = s_intro (schema);
    return intro && intro->enabled;
}

//  -------------------------------------------------------------------------
//  Selftest: introspection queries through the real plan, waves and writer.

#include "dp_exec.h"

static int
s_no_send (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    assert (false);             //  introspection never asks db-svc anything
    return -1;
}

//  Execute query against schema; returns the response JSON (malloc'd).
static char *
s_execute (dp_schema_t *schema, const char *query)
{
    dp_exec_env_t env = { .schema = schema, .max_page_size = 100, .send = s_no_send };
    dp_exec_t *exec = dp_exec_new (&env);
    dp_msg_t msg = { .type = DP_MSG_EXECUTE, .id = 1, .trace_id = "" };
    msg.u.execute.identity.beta_user = -1;
    msg.u.execute.query = query;
    msg.u.execute.query_len = (uint32_t) strlen (query);
    dp_exec_start (exec, &msg);
    assert (dp_exec_done (exec));
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    char *copy = strndup (json, len);
    assert (copy);
    dp_exec_destroy (&exec);
    return copy;
}

static void
s_expect (dp_schema_t *schema, const char *query, const char *expected)
{
    char *got = s_execute (schema, query);
    if (strcmp (got, expected) != 0) {
        fprintf (stderr, "dp_introspection test: %s\n  expected %s\n  got      %s\n", query, expected, got);
        assert (false);
    }
    free (got);
}

void
dp_introspection_test (bool verbose)
{
    const char *sdl =
        "\"The root\" type Query { box(id: ID!): Box  find(q: String = \"x\", old: Int @deprecated): Result }\n"
        "interface Node { id: ID! }\n"
        "type Box implements Node { id: ID!  state: State  label: String @deprecated(reason: \"gone\")\n"
        "  items(first: Int = 10, filter: Filter = {states: InStock}): [Item!]! }\n"
        "type Item implements Node { id: ID! }\n"
        "union Result = Item | Box\n"
        "enum State { InStock Lost @deprecated }\n"
        "input Filter { states: [State!] limit: Int = 5 }\n"
        "input Pick @oneOf { id: ID }\n"
        "scalar Url @specifiedBy(url: \"https://example.com/url\")\n";
    char err [300];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    if (!schema)
        fprintf (stderr, "%s\n", err);
    assert (schema);
    assert (!dp_introspection_enabled (schema));
    int rc = dp_introspection_bind (schema, err, sizeof err);
    assert (rc == 0);
    assert (dp_introspection_enabled (schema));

    //  A type, its fields (deprecated ones only when asked), wrapped types
    //  through ofType, interfaces and arguments with printed defaults.
    s_expect (schema, "{ __type(name: \"Box\") { kind name description interfaces { name } "
                      "fields { name type { kind name ofType { kind name ofType { kind name } } } } } }",
        "{\"data\":{\"__type\":{\"kind\":\"OBJECT\",\"name\":\"Box\",\"description\":null,"
        "\"interfaces\":[{\"name\":\"Node\"}],\"fields\":["
        "{\"name\":\"id\",\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"kind\":\"SCALAR\",\"name\":\"ID\",\"ofType\":null}}},"
        "{\"name\":\"state\",\"type\":{\"kind\":\"ENUM\",\"name\":\"State\",\"ofType\":null}},"
        "{\"name\":\"items\",\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"kind\":\"LIST\",\"name\":null,"
        "\"ofType\":{\"kind\":\"NON_NULL\",\"name\":null}}}}]}}}");
    s_expect (schema, "{ __type(name: \"Box\") { fields(includeDeprecated: true) { name isDeprecated deprecationReason "
                      "args { name defaultValue } } } }",
        "{\"data\":{\"__type\":{\"fields\":["
        "{\"name\":\"id\",\"isDeprecated\":false,\"deprecationReason\":null,\"args\":[]},"
        "{\"name\":\"state\",\"isDeprecated\":false,\"deprecationReason\":null,\"args\":[]},"
        "{\"name\":\"label\",\"isDeprecated\":true,\"deprecationReason\":\"gone\",\"args\":[]},"
        "{\"name\":\"items\",\"isDeprecated\":false,\"deprecationReason\":null,\"args\":["
        "{\"name\":\"first\",\"defaultValue\":\"10\"},"
        "{\"name\":\"filter\",\"defaultValue\":\"{states: [InStock], limit: 5}\"}]}]}}}");
    //  Deprecated arguments and enum values; lists that are null for other kinds.
    s_expect (schema, "{ q: __type(name: \"Query\") { fields { name args { name } all: args(includeDeprecated: true) "
                      "{ name isDeprecated deprecationReason } } enumValues { name } inputFields { name } possibleTypes { name } } "
                      "s: __type(name: \"State\") { enumValues { name } all: enumValues(includeDeprecated: true) { name isDeprecated } "
                      "fields { name } } }",
        "{\"data\":{\"q\":{\"fields\":[{\"name\":\"box\",\"args\":[{\"name\":\"id\"}],\"all\":[{\"name\":\"id\","
        "\"isDeprecated\":false,\"deprecationReason\":null}]},{\"name\":\"find\",\"args\":[{\"name\":\"q\"}],"
        "\"all\":[{\"name\":\"q\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"old\","
        "\"isDeprecated\":true,\"deprecationReason\":\"No longer supported\"}]}],\"enumValues\":null,"
        "\"inputFields\":null,\"possibleTypes\":null},\"s\":{\"enumValues\":[{\"name\":\"InStock\"}],"
        "\"all\":[{\"name\":\"InStock\",\"isDeprecated\":false},{\"name\":\"Lost\",\"isDeprecated\":true}],"
        "\"fields\":null}}}");
    //  Abstract types list their possible types; __typename works on
    //  introspection objects; scalars report specifiedByURL; @oneOf.
    s_expect (schema, "{ r: __type(name: \"Result\") { __typename possibleTypes { name } } "
                      "n: __type(name: \"Node\") { possibleTypes { name } } "
                      "u: __type(name: \"Url\") { kind specifiedByURL isOneOf } "
                      "p: __type(name: \"Pick\") { isOneOf } f: __type(name: \"Filter\") { isOneOf "
                      "inputFields { name type { name } defaultValue } } nope: __type(name: \"Nope\") { name } }",
        "{\"data\":{\"r\":{\"__typename\":\"__Type\",\"possibleTypes\":[{\"name\":\"Item\"},{\"name\":\"Box\"}]},"
        "\"n\":{\"possibleTypes\":[{\"name\":\"Box\"},{\"name\":\"Item\"}]},"
        "\"u\":{\"kind\":\"SCALAR\",\"specifiedByURL\":\"https://example.com/url\",\"isOneOf\":null},"
        "\"p\":{\"isOneOf\":true},\"f\":{\"isOneOf\":false,\"inputFields\":[{\"name\":\"states\",\"type\":{\"name\":null},"
        "\"defaultValue\":null},{\"name\":\"limit\",\"type\":{\"name\":\"Int\"},\"defaultValue\":\"5\"}]},\"nope\":null}}");
    //  The schema: roots, description, types in graphql-js's order (the
    //  SDL's, built-in scalars where first referenced, then __Schema's).
    s_expect (schema, "{ __schema { description queryType { name } mutationType { name } subscriptionType { name } "
                      "types { name } } }",
        "{\"data\":{\"__schema\":{\"description\":null,\"queryType\":{\"name\":\"Query\"},\"mutationType\":null,"
        "\"subscriptionType\":null,\"types\":[{\"name\":\"Query\"},{\"name\":\"ID\"},{\"name\":\"String\"},"
        "{\"name\":\"Int\"},{\"name\":\"Node\"},{\"name\":\"Box\"},{\"name\":\"Item\"},{\"name\":\"Result\"},"
        "{\"name\":\"State\"},{\"name\":\"Filter\"},{\"name\":\"Pick\"},{\"name\":\"Url\"},{\"name\":\"Boolean\"},"
        "{\"name\":\"__Schema\"},{\"name\":\"__Type\"},{\"name\":\"__TypeKind\"},{\"name\":\"__Field\"},"
        "{\"name\":\"__InputValue\"},{\"name\":\"__EnumValue\"},{\"name\":\"__Directive\"},"
        "{\"name\":\"__DirectiveLocation\"}]}}}");
    s_expect (schema, "{ __schema { directives { name isRepeatable locations args { name type { name } defaultValue } } } }",
        "{\"data\":{\"__schema\":{\"directives\":["
        "{\"name\":\"include\",\"isRepeatable\":false,\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"],"
        "\"args\":[{\"name\":\"if\",\"type\":{\"name\":null},\"defaultValue\":null}]},"
        "{\"name\":\"skip\",\"isRepeatable\":false,\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"],"
        "\"args\":[{\"name\":\"if\",\"type\":{\"name\":null},\"defaultValue\":null}]},"
        "{\"name\":\"deprecated\",\"isRepeatable\":false,\"locations\":[\"FIELD_DEFINITION\",\"ARGUMENT_DEFINITION\","
        "\"INPUT_FIELD_DEFINITION\",\"ENUM_VALUE\"],"
        "\"args\":[{\"name\":\"reason\",\"type\":{\"name\":\"String\"},\"defaultValue\":\"\\\"No longer supported\\\"\"}]},"
        "{\"name\":\"specifiedBy\",\"isRepeatable\":false,\"locations\":[\"SCALAR\"],"
        "\"args\":[{\"name\":\"url\",\"type\":{\"name\":null},\"defaultValue\":null}]},"
        "{\"name\":\"oneOf\",\"isRepeatable\":false,\"locations\":[\"INPUT_OBJECT\"],\"args\":[]}]}}}");
    //  The meta-fields are not fields of Query, and only exist on the root.
    s_expect (schema, "{ __type(name: \"Query\") { fields { name } } }",
        "{\"data\":{\"__type\":{\"fields\":[{\"name\":\"box\"},{\"name\":\"find\"}]}}}");

    //  Switched off: an error, no data; __typename still answers.
    dp_introspection_enable (schema, false);
    s_expect (schema, "{ __schema { queryType { name } } }",
        "{\"data\":null,\"errors\":[{\"message\":\"GraphQL introspection has been disabled, but the requested "
        "query contained the field \\\"__schema\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"__schema\"],"
        "\"extensions\":{\"code\":\"GRAPHQL_VALIDATION_FAILED\"}}]}");
    s_expect (schema, "{ __typename t: __type(name: \"Box\") { name } }",
        "{\"data\":{\"__typename\":\"Query\",\"t\":null},\"errors\":[{\"message\":\"GraphQL introspection has been "
        "disabled, but the requested query contained the field \\\"__type\\\".\",\"locations\":[{\"line\":1,\"column\":14}],"
        "\"path\":[\"t\"],\"extensions\":{\"code\":\"GRAPHQL_VALIDATION_FAILED\"}}]}");
    dp_introspection_enable (schema, true);
    assert (dp_introspection_enabled (schema));
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_introspection: OK\n");
}
