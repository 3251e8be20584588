/*  =========================================================================
    dp_mapping - where every GraphQL field's value comes from

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_MAPPING_H_INCLUDED
#define DP_MAPPING_H_INCLUDED

#include <stddef.h>
#include "dp_schema.h"

//  Check the mapping table against the schema and hang each entry on its
//  type or field. Call once at start-up, before any actor runs (the
//  schema is read-only afterwards). Returns 0, or -1 with err filled.
int dp_mapping_bind (dp_schema_t *schema, char *err, size_t err_len);

//  The same for the public schema (dp_schema_public): its own root fields
//  and types, and the object types it shares with Depot's schema.
int dp_mapping_bind_public (dp_schema_t *schema, char *err, size_t err_len);

#endif
