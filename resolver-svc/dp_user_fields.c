/*  =========================================================================
    dp_user_fields - User fields whose answer depends on who asks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by tests/integration/test_read_api.py (User.email,
    organisation, bases).
@end
*/
#include "dp_user_fields.h"
#include "dp_exec_hooks.h"
#include "dp_authz.h"
#include "dp_arena.h"
#include "dp_catalog.h"
#include "dp_json_writer.h"
#include <stdio.h>
#include <stdlib.h>

static const dp_identity_t *
s_identity (dp_exec_t *exec)
{
    return dp_exec_authz (exec)->identity;
}

static bool
s_is_caller (dp_exec_t *exec, const obj_t *obj)
{
    return row_int (obj->row, DP_COL_cms_users_id) == s_identity (exec)->user_id;
}

int
dp_user_email_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (!s_is_caller (exec, obj) && !s_identity (exec)->god) {
        char denied [40];
        snprintf (denied, sizeof denied, "user=%lld", (long long) row_int (obj->row, DP_COL_cms_users_id));
        return dp_exec_forbidden (exec, pf, denied);
    }
    const dp_val_t *email = &obj->row->cells [DP_COL_cms_users_email];
    if (email->type != DP_VAL_STR)
        return 0;
    dp_json_writer_string (dp_exec_out (exec), email->u.s.ptr, email->u.s.len);
    return 1;
}

void
dp_user_organisation_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_identity_t *identity = s_identity (exec);
    if (s_is_caller (exec, obj) && !identity->god && identity->organisation_id > 0)
        dp_exec_need (exec, DP_LOADER_organisations_by_id, identity->organisation_id, pf->child_mask | 1);
}

//  The objects are handed to the descent as well as to the writer, so the
//  organisation's and the bases' own relations (Organisation.bases,
//  Base.organisation...) are loaded in the next wave like any other's.
void
dp_user_organisation_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                               obj_t **children, size_t *n_children)
{
    *children = NULL;
    *n_children = 0;
    const dp_identity_t *identity = s_identity (exec);
    if (!s_is_caller (exec, obj) || identity->god || identity->organisation_id <= 0)
        return;
    dp_val_t key = { .type = DP_VAL_INT, .u.i = identity->organisation_id };
    const row_t *row = dp_exec_cached_row (exec, DP_LOADER_organisations_by_id, &key);
    if (!row)
        return;                 //  the token names an organisation that is gone
    obj_t *child = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *child);
    child->type = pf->child->type;
    child->row = (row_t *) row;
    *children = child;
    *n_children = 1;
}

//  The caller's base:read bases, sorted and without repeats (into arena).
static size_t
s_readable_bases (dp_exec_t *exec, int64_t **ids_p)
{
    const dp_permission_t *grant = dp_authz_permission (dp_exec_authz (exec), "base:read");
    size_t n = grant ? grant->n_base_ids : 0;
    int64_t *ids = dp_arena_alloc (dp_exec_arena (exec), (n + 1) * sizeof *ids);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        //  Insertion sort: a user holds a handful of bases.
        int64_t id = grant->base_ids [i];
        size_t at = kept;
        while (at > 0 && ids [at - 1] > id)
            at--;
        if (at > 0 && ids [at - 1] == id)
            continue;
        for (size_t j = kept; j > at; j--)
            ids [j] = ids [j - 1];
        ids [at] = id;
        kept++;
    }
    *ids_p = ids;
    return kept;
}

void
dp_user_bases_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (!s_is_caller (exec, obj))
        return;
    if (s_identity (exec)->god) {
        dp_exec_need (exec, DP_LOADER_camps_all, 0, pf->child_mask | 1);
        return;
    }
    int64_t *ids;
    size_t n = s_readable_bases (exec, &ids);
    for (size_t i = 0; i < n; i++)
        dp_exec_need (exec, DP_LOADER_camps_by_id, ids [i], pf->child_mask | 1);
}

void
dp_user_bases_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                        obj_t **children_p, size_t *n_children)
{
    *children_p = NULL;
    *n_children = 0;
    if (!s_is_caller (exec, obj))
        return;
    dp_arena_t *arena = dp_exec_arena (exec);
    if (s_identity (exec)->god) {
        row_t **rows;
        size_t n = dp_exec_cached_rows (exec, DP_LOADER_camps_all, 0, &rows);
        obj_t *children = dp_arena_calloc (arena, n + 1, sizeof *children);
        for (size_t i = 0; i < n; i++) {
            children [i].type = pf->child->type;
            children [i].row = rows [i];
        }
        *children_p = children;
        *n_children = n;
        return;
    }
    int64_t *ids;
    size_t n = s_readable_bases (exec, &ids);
    obj_t *children = dp_arena_calloc (arena, n + 1, sizeof *children);
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        dp_val_t key = { .type = DP_VAL_INT, .u.i = ids [i] };
        const row_t *row = dp_exec_cached_row (exec, DP_LOADER_camps_by_id, &key);
        if (!row)
            continue;           //  a base in the token that the database no longer has
        children [found].type = pf->child->type;
        children [found].row = (row_t *) row;
        found++;
    }
    *children_p = children;
    *n_children = found;
}

//  Null, not [], for another user's bases.
int
dp_user_bases_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    if (!s_is_caller (exec, obj))
        return 0;
    obj_t *children;
    size_t n;
    dp_user_bases_children (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, true);
}
