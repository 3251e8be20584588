/*  =========================================================================
    dp_union_error - error members of a query's result union

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute answers some queries with a union (qrCode, QrCode.box,
    standardProduct, standardProducts) whose error members are objects, not
    GraphQL errors: InsufficientPermissionError {name},
    ResourceDoesNotExistError {id, name}, UnauthorizedForBaseError {id,
    name, organisationName}. These build such a member as a record
    (dp_mutation.h) in the request's arena.
@end
*/
#ifndef DP_UNION_ERROR_H_INCLUDED
#define DP_UNION_ERROR_H_INCLUDED

#include "dp_binding.h"

//  The concrete member type `name` of pf's union, or NULL.
const dp_type_t *dp_union_member (const plan_field_t *pf, const char *name);

//  An error member of pf's union: `type` with its name field set to name;
//  with has_id, its id; with organisation_name, its organisationName.
obj_t *dp_union_error (dp_exec_t *exec, const plan_field_t *pf, const char *type, const char *name,
                       bool has_id, int64_t id, const char *organisation_name);

#endif
