/*  =========================================================================
    dp_public - the root fields of the public schema (POST /public)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_public.h. Covered by tests/integration/test_public.py.
@end
*/
#include "dp_public.h"
#include "dp_exec_hooks.h"
#include "dp_union_error.h"
#include "dp_mutation.h"
#include <string.h>

typedef struct {
    obj_t *result;              //  the ResolvedLink or an error object
    const char *code;           //  as asked, for UnknownLinkError
} link_state_t;

//  An error member of ResolvedLinkResult with one string field.
static obj_t *
s_link_error (dp_exec_t *exec, const plan_field_t *pf, const char *type, const char *field,
              const char *value)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    dp_record_t *error = dp_record_new_in (arena, type);
    dp_record_set_string (error, field, value);
    obj_t *obj = dp_arena_calloc (arena, 1, sizeof *obj);
    obj->type = dp_union_member (pf, type);
    obj->synthetic = error;
    return obj;
}

//  The columns asked: the selection's, and those that decide the member.
static uint64_t
s_link_mask (const plan_field_t *pf)
{
    return pf->child_mask | 1 | ((uint64_t) 1 << DP_COL_shareable_link_expired)
         | ((uint64_t) 1 << DP_COL_shareable_link_valid_until);
}

static void
s_link_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    link_state_t *state = slot;
    if (!rows)
        return;                         //  the request fails with the QUERY's error
    if (rows->u.rows.n_rows == 0) {
        state->result = s_link_error (exec, pf, "UnknownLinkError", "code", state->code);
        return;
    }
    const row_t *row = dp_exec_make_row (exec, dp_catalog_loader (DP_LOADER_shareable_link_by_id),
                                         s_link_mask (pf), rows->u.rows.cells, rows->u.rows.n_cols);
    if (row_int (row, DP_COL_shareable_link_expired)) {
        const dp_val_t *until = &row->cells [DP_COL_shareable_link_valid_until];
        state->result = s_link_error (exec, pf, "ExpiredLinkError", "validUntil",
                                      until->type == DP_VAL_STR ? until->u.s.ptr : "");
        return;
    }
    obj_t *obj = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *obj);
    obj->type = dp_union_member (pf, "ResolvedLink");
    obj->row = (row_t *) row;
    state->result = obj;
}

void
dp_public_resolve_link_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    link_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    //  code is String!: validation guarantees a string (a NUL in it is a
    //  code no link has, as for qrCode).
    const input_t *code = input_field (pf->args, "code");
    bool given = code && code->kind == IN_STRING;
    state->code = dp_arena_strndup (arena, given ? code->s : "", given ? code->len : 0);
    dp_val_t *args = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    args [0].type = DP_VAL_STR;
    args [0].u.s.ptr = state->code;
    args [0].u.s.len = (uint32_t) (given ? code->len : 0);
    dp_exec_query (exec, DP_QUERY_shareable_link_by_code, s_link_mask (pf), args, 1, pf, state,
                   s_link_done);
}

void
dp_public_resolve_link_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children)
{
    link_state_t *state = pf->root_state;
    *children = state->result;
    *n_children = state->result && state->result->type ? 1 : 0;
}
