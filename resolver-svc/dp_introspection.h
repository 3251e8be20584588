/*  =========================================================================
    dp_introspection - __schema, __type and the introspection types, served

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Binds every field of __Schema, __Type, __Field, __InputValue,
    __EnumValue and __Directive, and the meta-fields Query.__schema and
    Query.__type, to hooks that read the dp_schema itself: introspection
    executes through the same plan, waves and writer as any other query,
    with synthetic objects and no database.
@discuss
    What each synthetic object points at (obj_t.synthetic): a __Schema
    object at the schema's introspection state, a __Type at a
    dp_type_ref_t (a named type, or the list / non-null wrapper whose
    ofType continues the chain), a __Field at a dp_field_t, an
    __InputValue at a dp_input_value_t, an __EnumValue at a
    dp_enum_value_t and a __Directive at a dp_directive_t. Answers match
    graphql-js 16.15 field for field: __schema.types in graphql-js's order,
    descriptions, deprecation with includeDeprecated, specifiedByURL,
    isOneOf, isRepeatable, and default values printed as graphql-js
    prints them (dp_print_default_value).
@end
*/
#ifndef DP_INTROSPECTION_H_INCLUDED
#define DP_INTROSPECTION_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_schema.h"

//  Hang the introspection bindings on schema (its introspection types and
//  meta-fields), introspection enabled. Called once at start-up by
//  dp_mapping_bind, before any actor runs; the state lives in the schema.
//  Returns 0, or -1 with err filled when an introspection field has no
//  hook (a schema whose introspection types differ from graphql-js's).
int dp_introspection_bind (dp_schema_t *schema, char *err, size_t err_len);

//  Turn introspection on or off (DEPOT_INTROSPECTION); after
//  dp_introspection_bind, before any actor runs. Off, __schema and __type
//  answer the error "GraphQL introspection has been disabled, but the
//  requested query contained the field ..." and no data; __typename stays.
void dp_introspection_enable (dp_schema_t *schema, bool enabled);

//  True when introspection is bound and enabled on schema.
bool dp_introspection_enabled (dp_schema_t *schema);

void dp_introspection_test (bool verbose);

#endif
