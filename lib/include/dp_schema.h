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
@discuss
    The schema owns all its memory in one arena. Types and fields carry an
    opaque `binding` pointer the resolver sets once at start-up (its
    mapping-table entry), so execution never looks a field up by name per
    row.
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
};

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

//  Borrowed pointers valid while the schema lives; NULL when absent.
dp_type_t *dp_schema_type (dp_schema_t *self, const char *name);
dp_type_t *dp_schema_query_type (dp_schema_t *self);
dp_type_t *dp_schema_mutation_type (dp_schema_t *self);
size_t dp_schema_type_count (dp_schema_t *self);
dp_type_t *dp_schema_type_at (dp_schema_t *self, size_t index);

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
