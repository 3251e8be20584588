/*  =========================================================================
    dp_user_fields - User fields whose answer depends on who asks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute shows a user's e-mail, organisation and bases only to that
    user: the organisation and the bases come from the caller's verified
    token (not from the database row), so for anybody else they are null,
    and another user's e-mail is a FORBIDDEN error. God users may read
    every e-mail; they belong to no organisation and see every base.
@end
*/
#ifndef DP_USER_FIELDS_H_INCLUDED
#define DP_USER_FIELDS_H_INCLUDED

#include "dp_binding.h"

//  User.email: the caller's own (or any, for god); else FORBIDDEN.
int dp_user_email_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  User.organisation: the caller's organisation; null for others and god.
void dp_user_organisation_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_user_organisation_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                    obj_t **children, size_t *n_children);

//  User.bases: the bases the caller holds base:read for (god: every
//  base), ordered by id; null for another user.
void dp_user_bases_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_user_bases_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                             obj_t **children, size_t *n_children);
int dp_user_bases_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
