/*  =========================================================================
    dp_introspection_hooks - lib's introspection answers, bound to the
    resolver's field hooks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Two hooks serve every introspection field: a write hook for leaves
    (strings, booleans, the list of directive locations) and a children
    hook for objects and lists, which hands the next wave synthetic
    objects (the waves never send anything to db-svc for them). A list
    that is null for some kinds of type (__Type.fields of a scalar) has a
    write hook too, which answers null where lib's value is null. Which
    hook a field gets follows from its type in the schema.
@discuss
    The per-schema state (state_t) is allocated in the schema and holds
    the two root bindings, so a root hook finds its introspection from
    pf->bind without any global; each field's hook carries lib's entry
    for it the same way.
@end
*/
#include "dp_introspection_hooks.h"
#include "dp_introspection.h"
#include "dp_exec_hooks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <assert.h>

typedef struct {
    dp_binding_t schema_bind;   //  Query.__schema; first, so pf->bind is the state
    dp_binding_t type_bind;     //  Query.__type
    type_binding_t synthetic;   //  the introspection types' own binding
    const dp_introspection_t *intro;
    bool enabled;
} state_t;

//  A field's hook: its binding, then lib's entry for the field.
typedef struct {
    dp_binding_t bind;          //  first, so pf->bind is the hook
    const dp_introspection_field_t *entry;
} hook_t;

//  -------------------------------------------------------------------------
//  From lib's values to the writer and the waves

//  The field's value for obj, from lib.
static void
s_resolve (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
           dp_introspection_value_t *value)
{
    const hook_t *hook = (const hook_t *) pf->bind;
    const input_t *include = input_field (pf->args, "includeDeprecated");
    dp_introspection_args_t args = {
        .include_deprecated = include && include->kind == IN_BOOL && include->i
    };
    hook->entry->resolve (obj->synthetic, &args, dp_exec_arena (exec), value);
}

//  Write hook of leaves. Returns 1 when written, 0 for null.
static int
s_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_introspection_value_t value;
    s_resolve (exec, pf, obj, &value);
    dp_json_writer_t *out = dp_exec_out (exec);
    switch (value.kind) {
        case DP_INTROSPECTION_STRING:
            dp_json_writer_cstr (out, value.string);
            return 1;
        case DP_INTROSPECTION_BOOLEAN:
            dp_json_writer_bool (out, value.boolean);
            return 1;
        case DP_INTROSPECTION_NAMES:
            dp_json_writer_char (out, '[');
            for (size_t i = 0; i < value.count; i++) {
                if (i)
                    dp_json_writer_char (out, ',');
                dp_json_writer_cstr (out, value.items [i]);
            }
            dp_json_writer_char (out, ']');
            return 1;
        case DP_INTROSPECTION_NULL:
            return 0;
        default:
            assert (false);     //  objects are children, never leaves
            return 0;
    }
}

//  The synthetic objects of an object or list value (children stays NULL
//  for null).
static void
s_objects (dp_exec_t *exec, const plan_field_t *pf, const dp_introspection_value_t *value,
           obj_t **children, size_t *n)
{
    if (value->kind == DP_INTROSPECTION_NULL)
        return;
    assert (value->kind == DP_INTROSPECTION_OBJECT || value->kind == DP_INTROSPECTION_LIST);
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), value->count + 1, sizeof (obj_t));
    const dp_type_t *type = dp_type_ref_named (pf->field->type);
    for (size_t i = 0; i < value->count; i++) {
        objs [i].type = type;
        objs [i].synthetic = (void *) value->items [i];
    }
    *children = objs;
    *n = value->count;
}

//  Children hook of object and list fields.
static void
s_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
            obj_t **children, size_t *n)
{
    dp_introspection_value_t value;
    s_resolve (exec, pf, obj, &value);
    s_objects (exec, pf, &value, children, n);
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

//  The hook a field of an introspection type gets, by its type.
static dp_binding_t
s_binding_for (const dp_type_ref_t *type)
{
    const dp_type_t *named = dp_type_ref_named (type);
    if (named->kind == DP_TYPE_SCALAR || named->kind == DP_TYPE_ENUM)
        return (dp_binding_t) { .kind = BIND_SYNTHETIC, .write = s_write };
    const dp_type_ref_t *nullable = type->kind == DP_REF_NON_NULL ? type->of : type;
    bool list = nullable->kind == DP_REF_LIST;
    return (dp_binding_t) {
        .kind = BIND_SYNTHETIC, .children = s_children, .list = list,
        .write = list && type->kind != DP_REF_NON_NULL ? s_list_or_null : NULL
    };
}

//  -------------------------------------------------------------------------
//  Query.__schema and Query.__type

static const state_t *
s_from_schema_bind (const plan_field_t *pf)
{
    return (const state_t *) pf->bind;
}

static const state_t *
s_from_type_bind (const plan_field_t *pf)
{
    return (const state_t *) ((const char *) pf->bind - offsetof (state_t, type_bind));
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
    const state_t *state = s_from_schema_bind (pf);
    if (!state->enabled)
        return;
    dp_introspection_value_t value;
    dp_introspection_schema_value (state->intro, &value);
    s_objects (exec, pf, &value, children, n);
}

//  Write hook of a root meta-field: its one object (or null), or the
//  error when introspection is off.
static int
s_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj, bool enabled)
{
    if (!enabled)
        return s_disabled (exec, pf);
    obj_t *children = NULL;
    size_t n = 0;
    pf->bind->children (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, false);
}

static int
s_root_schema_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_root_write (exec, pf, obj, s_from_schema_bind (pf)->enabled);
}

static void
s_root_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
             obj_t **children, size_t *n)
{
    const state_t *state = s_from_type_bind (pf);
    const input_t *name = input_field (pf->args, "name");
    if (!state->enabled || !dp_input_text (name))
        return;                 //  a name with a NUL names no type
    dp_introspection_value_t value;
    dp_introspection_type_value (state->intro, name->s, dp_exec_arena (exec), &value);
    s_objects (exec, pf, &value, children, n);
}

static int
s_root_type_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_root_write (exec, pf, obj, s_from_type_bind (pf)->enabled);
}

//  -------------------------------------------------------------------------

int
dp_introspection_hooks_bind (dp_schema_t *schema, char *err, size_t err_len)
{
    assert (schema);
    const dp_introspection_t *intro = dp_introspection_build (schema, err, err_len);
    if (!intro)
        return -1;
    state_t *state = dp_schema_alloc (schema, sizeof *state);
    state->intro = intro;
    state->enabled = true;
    state->schema_bind = (dp_binding_t) {
        .kind = BIND_SYNTHETIC, .children = s_root_schema, .write = s_root_schema_write
    };
    state->type_bind = (dp_binding_t) {
        .kind = BIND_SYNTHETIC, .children = s_root_type, .write = s_root_type_write
    };
    state->synthetic.synthetic = true;
    size_t count = dp_introspection_field_count ();
    hook_t *hooks = dp_schema_alloc (schema, count * sizeof *hooks);
    for (size_t i = 0; i < count; i++) {
        const dp_introspection_field_t *entry = dp_introspection_field_at (i);
        dp_type_t *type = dp_schema_type (schema, entry->type);
        dp_field_t *field = dp_type_field (type, entry->field);
        assert (field);         //  dp_introspection_build checked the table
        type->binding = &state->synthetic;
        hooks [i].entry = entry;
        hooks [i].bind = s_binding_for (field->type);
        field->binding = &hooks [i].bind;
    }
    dp_schema_meta_field (schema, "__schema")->binding = &state->schema_bind;
    dp_schema_meta_field (schema, "__type")->binding = &state->type_bind;
    return 0;
}

static state_t *
s_state (dp_schema_t *schema)
{
    const dp_field_t *field = dp_schema_meta_field (schema, "__schema");
    return field && field->binding ? (state_t *) field->binding : NULL;
}

void
dp_introspection_hooks_enable (dp_schema_t *schema, bool enabled)
{
    state_t *state = s_state (schema);
    assert (state);
    state->enabled = enabled;
}

bool
dp_introspection_hooks_enabled (dp_schema_t *schema)
{
    state_t *state = s_state (schema);
    return state && state->enabled;
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
        fprintf (stderr, "dp_introspection_hooks test: %s\n  expected %s\n  got      %s\n", query, expected, got);
        assert (false);
    }
    free (got);
}

void
dp_introspection_hooks_test (bool verbose)
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
    assert (!dp_introspection_hooks_enabled (schema));
    int rc = dp_introspection_hooks_bind (schema, err, sizeof err);
    assert (rc == 0);
    assert (dp_introspection_hooks_enabled (schema));

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
    dp_introspection_hooks_enable (schema, false);
    s_expect (schema, "{ __schema { queryType { name } } }",
        "{\"data\":null,\"errors\":[{\"message\":\"GraphQL introspection has been disabled, but the requested "
        "query contained the field \\\"__schema\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"__schema\"],"
        "\"extensions\":{\"code\":\"GRAPHQL_VALIDATION_FAILED\"}}]}");
    s_expect (schema, "{ __typename t: __type(name: \"Box\") { name } }",
        "{\"data\":{\"__typename\":\"Query\",\"t\":null},\"errors\":[{\"message\":\"GraphQL introspection has been "
        "disabled, but the requested query contained the field \\\"__type\\\".\",\"locations\":[{\"line\":1,\"column\":14}],"
        "\"path\":[\"t\"],\"extensions\":{\"code\":\"GRAPHQL_VALIDATION_FAILED\"}}]}");
    dp_introspection_hooks_enable (schema, true);
    assert (dp_introspection_hooks_enabled (schema));
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_introspection_hooks: OK\n");
}
