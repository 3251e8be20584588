/*  =========================================================================
    dp_schema - a GraphQL schema built from SDL

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Depot's schema is one SDL file (schema/depot.graphql). dp_schema parses
    it once at start-up and builds the type graph that drives validation,
    coercion, execution and introspection: named types, fields with their
    arguments and wrapped types, interfaces with their implementations,
    unions, enums and input objects, plus the built-in scalars.
    Every schema also has graphql-js's introspection types (__Schema,
    __Type, ...), described as graphql-js describes them, and the
    meta-fields __schema, __type and __typename, so introspection is
    served like any other type.
@discuss
    The schema owns all its memory in one arena. Types and fields carry an
    opaque `binding` pointer the resolver sets once at start-up (its
    mapping-table entry), so execution never looks a field up by name per
    row.

    Nothing here is global: a process may hold several schemas (say a
    public one served on its own route beside Depot's). Each is built with
    dp_schema_new from its own SDL (dp_schema_depot is the built-in one),
    gets its own introspection (dp_introspection_build) and its own
    bindings from the service that serves it, and is read-only, shared by
    that service's threads, once bound.
@end
*/
#ifndef DP_SCHEMA_H_INCLUDED
#define DP_SCHEMA_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_ast.h"

typedef enum {
    DP_TYPE_SCALAR,
    DP_TYPE_OBJECT,
    DP_TYPE_INTERFACE,
    DP_TYPE_UNION,
    DP_TYPE_ENUM,
    DP_TYPE_INPUT_OBJECT
} dp_type_kind_t;

typedef struct _dp_type_t dp_type_t;

//  A type reference: a named type wrapped in lists and non-nulls.
typedef enum {
    DP_REF_NAMED,
    DP_REF_LIST,
    DP_REF_NON_NULL
} dp_ref_kind_t;

typedef struct _dp_type_ref_t {
    dp_ref_kind_t kind;
    dp_type_t *named;               //  NAMED
    struct _dp_type_ref_t *of;      //  LIST, NON_NULL
} dp_type_ref_t;

//  An argument or an input field.
typedef struct {
    const char *name;
    const char *description;
    dp_type_ref_t *type;
    const dp_ast_value_t *default_value;    //  NULL when none
    bool deprecated;                //  @deprecated on the argument or input field
    const char *deprecation_reason;
} dp_input_value_t;

typedef struct {
    const char *name;
    const char *description;
    dp_type_ref_t *type;
    dp_input_value_t *args;
    size_t n_args;
    bool deprecated;
    const char *deprecation_reason;
    size_t index;                   //  position in its type
    const void *binding;            //  set by the resolver (mapping entry)
} dp_field_t;

typedef struct {
    const char *name;
    const char *description;
    bool deprecated;
    const char *deprecation_reason;
} dp_enum_value_t;

struct _dp_type_t {
    dp_type_kind_t kind;
    const char *name;
    const char *description;
    size_t index;                   //  position in the schema's type list
    dp_field_t *fields;             //  OBJECT, INTERFACE
    size_t n_fields;
    dp_type_t **interfaces;         //  OBJECT, INTERFACE: what it implements
    size_t n_interfaces;
    dp_type_t **possible;           //  UNION members; INTERFACE implementations
    size_t n_possible;
    dp_enum_value_t *values;        //  ENUM
    size_t n_values;
    dp_input_value_t *input_fields; //  INPUT_OBJECT
    size_t n_input_fields;
    const void *binding;            //  set by the resolver (mapping entry)
    bool one_of;                    //  INPUT_OBJECT declared with @oneOf
    const char *specified_by_url;   //  SCALAR: @specifiedBy(url:), or NULL
};

//  Where a directive may be used, in the order of graphql-js's
//  DirectiveLocation (dp_directive_location_name gives the GraphQL name).
//  They are the October 2021 edition's, as the parser knows them: not
//  DIRECTIVE_DEFINITION, which graphql-js 16.14 took from the working
//  draft, since clients built on earlier graphql-js 16 releases read
//  introspection with the edition's enum.
typedef enum {
    DP_LOC_QUERY,
    DP_LOC_MUTATION,
    DP_LOC_SUBSCRIPTION,
    DP_LOC_FIELD,
    DP_LOC_FRAGMENT_DEFINITION,
    DP_LOC_FRAGMENT_SPREAD,
    DP_LOC_INLINE_FRAGMENT,
    DP_LOC_VARIABLE_DEFINITION,
    DP_LOC_SCHEMA,
    DP_LOC_SCALAR,
    DP_LOC_OBJECT,
    DP_LOC_FIELD_DEFINITION,
    DP_LOC_ARGUMENT_DEFINITION,
    DP_LOC_INTERFACE,
    DP_LOC_UNION,
    DP_LOC_ENUM,
    DP_LOC_ENUM_VALUE,
    DP_LOC_INPUT_OBJECT,
    DP_LOC_INPUT_FIELD_DEFINITION,
    DP_LOC_COUNT_
} dp_directive_location_t;

//  A directive the schema knows: the built-in @include, @skip,
//  @deprecated, @specifiedBy and @oneOf (as graphql-js 16 defines them),
//  and any `directive @name ... on ...` the SDL declares.
typedef struct {
    const char *name;               //  without '@'
    const char *description;        //  NULL when none
    dp_input_value_t *args;
    size_t n_args;
    dp_directive_location_t *locations;     //  in declaration order
    size_t n_locations;
    bool repeatable;
    bool builtin;                   //  one of the five specified directives
} dp_directive_t;

typedef struct _dp_schema_t dp_schema_t;

//  Build a schema from SDL text. Returns NULL with err filled ("line:col:
//  message") when the SDL does not parse or does not make a valid schema
//  (unknown type, duplicate name, object without fields, input type used
//  as output, ...). Caller owns return value and must destroy it with
//  dp_schema_destroy.
dp_schema_t *dp_schema_new (const char *sdl, size_t len, char *err, size_t err_len);

//  Read an SDL file and build the schema, as dp_schema_new.
dp_schema_t *dp_schema_load (const char *path, char *err, size_t err_len);

void dp_schema_destroy (dp_schema_t **self_p);

//  Depot's own schema (schema/depot.graphql, compiled in), or the SDL file
//  at path when path is not NULL. As dp_schema_new.
dp_schema_t *dp_schema_depot (const char *path, char *err, size_t err_len);

//  The public schema (schema/public.graphql, compiled in): what POST /public
//  serves without a token. As dp_schema_new.
dp_schema_t *dp_schema_public (char *err, size_t err_len);

//  Borrowed pointers valid while the schema lives; NULL when absent.
dp_type_t *dp_schema_type (dp_schema_t *self, const char *name);
dp_type_t *dp_schema_query_type (dp_schema_t *self);
dp_type_t *dp_schema_mutation_type (dp_schema_t *self);
size_t dp_schema_type_count (dp_schema_t *self);
dp_type_t *dp_schema_type_at (dp_schema_t *self, size_t index);

//  Directive by name (without '@'), or NULL. Borrowed pointer valid while
//  the schema lives. The SDL's own directives come first, then the
//  built-in ones it does not redeclare (graphql-js's order).
dp_directive_t *dp_schema_directive (dp_schema_t *self, const char *name);
size_t dp_schema_directive_count (dp_schema_t *self);
dp_directive_t *dp_schema_directive_at (dp_schema_t *self, size_t index);

//  True when the directive may be used at location.
bool dp_directive_allows (const dp_directive_t *directive, dp_directive_location_t location);

//  The GraphQL name of a location ("FIELD_DEFINITION"), or NULL when
//  location is out of range.
const char *dp_directive_location_name (dp_directive_location_t location);

//  The location named name, or -1.
int dp_directive_location_by_name (const char *name);

//  The subscription root type, or NULL (Depot has none).
dp_type_t *dp_schema_subscription_type (dp_schema_t *self);

//  The schema definition's description, or NULL.
const char *dp_schema_description (dp_schema_t *self);

//  The meta-field "__schema" or "__type" (of the query root) or
//  "__typename" (of every composite type), or NULL for any other name.
//  They are in no type's field list (graphql-js's are not either): a
//  caller looking a field up tries dp_type_field first. Borrowed pointer
//  valid while the schema lives; the resolver sets its binding.
dp_field_t *dp_schema_meta_field (dp_schema_t *self, const char *name);

//  Allocate size zeroed bytes that live as long as the schema, for what a
//  user of the schema hangs on it at start-up (e.g. resolver bindings that
//  point back at the schema). Never returns NULL.
void *dp_schema_alloc (dp_schema_t *self, size_t size);

//  True for the built-in scalars (Int, Float, String, Boolean, ID) and the
//  introspection types (__Schema, ...): the types graphql-js's printSchema
//  leaves out.
bool dp_type_is_builtin (const dp_type_t *type);

//  Field of an object or interface type by name, or NULL.
dp_field_t *dp_type_field (const dp_type_t *type, const char *name);

//  Argument of a field by name, or NULL.
dp_input_value_t *dp_field_arg (const dp_field_t *field, const char *name);

//  Input field of an input object by name, or NULL.
dp_input_value_t *dp_type_input_field (const dp_type_t *type, const char *name);

//  Enum value index by name, or -1.
int dp_type_enum_index (const dp_type_t *type, const char *name);

//  True when object type `object` is a possible type of `abstract` (or is it).
bool dp_type_is_possible (const dp_type_t *abstract, const dp_type_t *object);

//  The named type under any wrappers.
dp_type_t *dp_type_ref_named (const dp_type_ref_t *ref);

//  Print a type reference as GraphQL writes it ("[Box!]!") into buf.
void dp_type_ref_print (const dp_type_ref_t *ref, char *buf, size_t size);

void dp_schema_test (bool verbose);

#endif
