/*  =========================================================================
    dp_resolver_schema - the schema the resolver serves, bound to the mapping

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    schema/depot.graphql is compiled into the binary (dp_schema_sdl.c is
    generated at build time), so a deployed resolver needs no file; a path
    may still override it.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_mapping.h"
#include <stdio.h>

extern const char dp_schema_sdl [];
extern const size_t dp_schema_sdl_len;

dp_schema_t *
dp_resolver_schema_load (const char *path, char *err, size_t err_len)
{
    dp_schema_t *schema = path ? dp_schema_load (path, err, err_len)
                               : dp_schema_new (dp_schema_sdl, dp_schema_sdl_len, err, err_len);
    if (!schema)
        return NULL;
    char inner [300];
    if (dp_mapping_bind (schema, inner, sizeof inner)) {
        snprintf (err, err_len, "%s", inner);
        dp_schema_destroy (&schema);
    }
    return schema;
}
