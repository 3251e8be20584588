/*  =========================================================================
    dp_introspection_hooks - lib's introspection answers, bound to the
    resolver's field hooks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Binds every field of __Schema, __Type, __Field, __InputValue,
    __EnumValue and __Directive, and the meta-fields Query.__schema and
    Query.__type, to hooks that ask lib's dp_introspection for the value
    and write it: introspection executes through the same plan, waves and
    writer as any other query, with synthetic objects and no database.
    What is GraphQL (which types, fields, values, order) is in
    lib/src/type/dp_introspection.c; here is only how the resolver walks it.
@discuss
    Each synthetic object's obj_t.synthetic is the object lib's resolve
    functions take (dp_introspection.h says which). The state lives in
    the schema, so a second schema gets its own by its own bind.
    Covered by its selftest (ctest dp_introspection, run by
    depot-introspect --selftest) and tests/oracle/introspection.
@end
*/
#ifndef DP_INTROSPECTION_HOOKS_H_INCLUDED
#define DP_INTROSPECTION_HOOKS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_schema.h"

//  Build schema's introspection (dp_introspection_build) and hang its
//  hooks on the introspection types and meta-fields, introspection
//  enabled. Called once at start-up by dp_resolver_schema_load, before any
//  actor runs; the state lives in the schema. Returns 0, or -1 with err
//  filled when an introspection field has no hook.
int dp_introspection_hooks_bind (dp_schema_t *schema, char *err, size_t err_len);

//  Turn introspection on or off (DEPOT_INTROSPECTION); after
//  dp_introspection_hooks_bind, before any actor runs. Off, __schema and
//  __type answer the error "GraphQL introspection has been disabled, but
//  the requested query contained the field ..." and no data; __typename
//  stays.
void dp_introspection_hooks_enable (dp_schema_t *schema, bool enabled);

//  True when introspection is bound and enabled on schema.
bool dp_introspection_hooks_enabled (dp_schema_t *schema);

void dp_introspection_hooks_test (bool verbose);

#endif
