/*  =========================================================================
    dp_introspection - the answers of __schema, __type and the introspection
    types, computed from a schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's introspection.ts in C: for every field of __Schema,
    __Type, __Field, __InputValue, __EnumValue and __Directive, a resolve
    function that, given the object the field is asked of, yields its
    value: a string, a boolean, null, a list of enum names, or one or a
    list of introspection objects. The meta-fields __schema and __type
    yield the roots. This file knows no executor: an executor binds each
    entry of the table to its own field hooks (resolver-svc's
    dp_introspection_hooks does) and walks the objects it is given.
    The introspection types themselves (their SDL, graphql-js's words) are
    part of every dp_schema (dp_schema.c).
@discuss
    What an introspection object points at: a __Schema object at the
    dp_introspection_t, a __Type at a dp_type_ref_t (a named type, or the
    list / non-null wrapper whose ofType continues the chain), a __Field
    at a dp_field_t, an __InputValue at a dp_input_value_t, an __EnumValue
    at a dp_enum_value_t and a __Directive at a dp_directive_t. Answers
    match graphql-js 16.15 field for field: __schema.types in graphql-js's
    order, descriptions, deprecation with includeDeprecated,
    specifiedByURL, isOneOf, isRepeatable, and default values printed as
    graphql-js prints them (dp_print_default_value).

    More than one schema: nothing here is global. Each schema gets its own
    dp_introspection_t from dp_introspection_build, kept in that schema's
    memory. A second schema (say a public one served on its own route) is
    built with dp_schema_new from its own SDL, then dp_introspection_build
    on it, and the service that serves it binds that introspection to its
    own hooks; the two never share state.
@end
*/
#ifndef DP_INTROSPECTION_H_INCLUDED
#define DP_INTROSPECTION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_arena.h"
#include "dp_schema.h"

typedef struct _dp_introspection_t dp_introspection_t;

//  What a resolve function yields.
typedef enum {
    DP_INTROSPECTION_NULL,      //  null
    DP_INTROSPECTION_STRING,    //  string
    DP_INTROSPECTION_BOOLEAN,   //  boolean
    DP_INTROSPECTION_NAMES,     //  a list of enum names (items are const char *)
    DP_INTROSPECTION_OBJECT,    //  one introspection object: items [0]
    DP_INTROSPECTION_LIST       //  a list of introspection objects (count may be 0)
} dp_introspection_value_kind_t;

typedef struct {
    dp_introspection_value_kind_t kind;
    const char *string;         //  STRING
    bool boolean;               //  BOOLEAN
    const void *const *items;   //  NAMES, OBJECT, LIST: in the arena given
    size_t count;
} dp_introspection_value_t;

//  The arguments introspection fields take.
typedef struct {
    bool include_deprecated;    //  fields, args, enumValues, inputFields (includeDeprecated:)
} dp_introspection_args_t;

//  Fill *value with the field's value for object. Allocations (lists,
//  wrappers, printed defaults) come from arena.
typedef void (*dp_introspection_resolve_fn) (const void *object,
                                             const dp_introspection_args_t *args,
                                             dp_arena_t *arena, dp_introspection_value_t *value);

//  One field of an introspection type and its resolve function.
typedef struct {
    const char *type;           //  "__Type"
    const char *field;          //  "fields"
    dp_introspection_resolve_fn resolve;
} dp_introspection_field_t;

//  Build the introspection of schema: checks that every field of its
//  introspection types has a resolve function here, and computes
//  __schema.types in graphql-js's order. Call once per schema, before
//  threads share it; read-only afterwards. Returns a pointer that lives
//  in the schema's memory and goes with dp_schema_destroy, or NULL with
//  err filled when the schema's introspection types differ from
//  graphql-js's.
dp_introspection_t *dp_introspection_build (dp_schema_t *schema, char *err, size_t err_len);

//  The schema introspected. Borrowed pointer.
dp_schema_t *dp_introspection_schema (const dp_introspection_t *self);

//  __schema.types in graphql-js's order (the SDL's types, each followed by
//  what it references depth first, then the introspection types).
//  Borrowed pointers valid while the schema lives.
size_t dp_introspection_type_count (const dp_introspection_t *self);
const dp_type_t *dp_introspection_type_at (const dp_introspection_t *self, size_t index);

//  Query.__schema: the __Schema object (OBJECT of self).
void dp_introspection_schema_value (const dp_introspection_t *self,
                                    dp_introspection_value_t *value);

//  Query.__type(name:): the __Type object of the type named name, or NULL
//  when the schema has none. Allocations come from arena.
void dp_introspection_type_value (const dp_introspection_t *self, const char *name,
                                  dp_arena_t *arena, dp_introspection_value_t *value);

//  The table of every introspection type's fields, in the types' order.
//  Borrowed pointers to constant data.
size_t dp_introspection_field_count (void);
const dp_introspection_field_t *dp_introspection_field_at (size_t index);

//  The entry of type's field (e.g. "__Type", "fields"), or NULL.
const dp_introspection_field_t *dp_introspection_field (const char *type, const char *field);

void dp_introspection_test (bool verbose);

#endif
