/*  =========================================================================
    dp_resolver_schema - the schema the resolver serves, bound to the mapping

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The schema (compiled into libdepot_core, or a file) with the resolver's
    introspection hooks and mapping table hung on its types and fields.

    Covered by tests/integration/test_schema_startup.py.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_mapping.h"
#include "dp_introspection_hooks.h"
#include <stdio.h>

dp_schema_t *
dp_resolver_schema_load (const char *path, char *err, size_t err_len)
{
    dp_schema_t *schema = dp_schema_depot (path, err, err_len);
    if (!schema)
        return NULL;
    char inner [300];
    if (dp_introspection_hooks_bind (schema, inner, sizeof inner)
    ||  dp_mapping_bind (schema, inner, sizeof inner)) {
        snprintf (err, err_len, "%s", inner);
        dp_schema_destroy (&schema);
    }
    return schema;
}

dp_schema_t *
dp_resolver_public_schema_load (char *err, size_t err_len)
{
    dp_schema_t *schema = dp_schema_public (err, err_len);
    if (!schema)
        return NULL;
    char inner [300];
    if (dp_introspection_hooks_bind (schema, inner, sizeof inner)
    ||  dp_mapping_bind_public (schema, inner, sizeof inner)) {
        snprintf (err, err_len, "public schema: %s", inner);
        dp_schema_destroy (&schema);
    }
    return schema;
}
