/*  =========================================================================
    dp_qr - the QR-code scan: qrExists, qrCode and QrCode.box with their unions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The front-end's scan flow asks qrCode(code) { ... on QrCode { box {
    ... on Box | InsufficientPermissionError | UnauthorizedForBaseError } } }.
    Errors here are union members, not GraphQL errors (boxtribute's ADR on
    error responses): a missing permission is InsufficientPermissionError
    {name}, an unknown code ResourceDoesNotExistError {name: "QrCode"}, a box
    in a base the user may not read UnauthorizedForBaseError {id, name,
    organisationName}.
@discuss
    QrCode.box loads two rows per code in one wave: the box's own columns
    (stock_by_qr) and who may see it (box_access_by_qr: its base and that
    base's organisation, joined in SQL), so deciding between the box and
    an error object needs no further wave.

    Covered by tests/integration/test_read_exact_more.py and
    test_read_api.py (qrExists, qrCode).
@end
*/
#include "dp_qr.h"
#include "dp_exec_hooks.h"
#include "dp_box_access.h"
#include "dp_union_error.h"
#include <string.h>
#include <stdio.h>

static dp_val_t *
s_code_arg (dp_exec_t *exec, const plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    const input_t *code = input_field (pf->args, "code");
    //  By its length: a code with a NUL is a code no QR code has.
    bool given = code && code->kind == IN_STRING;
    dp_val_t *args = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    args [0].type = DP_VAL_STR;
    args [0].u.s.ptr = dp_arena_strndup (arena, given ? code->s : "", given ? code->len : 0);
    args [0].u.s.len = (uint32_t) (given ? code->len : 0);
    return args;
}

//  -------------------------------------------------------------------------
//  qrExists(code): whether a QR code with that code exists (qr:read).

typedef struct {
    bool forbidden;
    bool answered;
    bool exists;
} exists_state_t;

static void
s_exists_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    exists_state_t *state = slot;
    state->answered = rows != NULL;
    state->exists = rows && rows->u.rows.n_rows > 0;
}

void
dp_qr_exists_collect (dp_exec_t *exec, plan_field_t *pf)
{
    exists_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    pf->root_state = state;
    if (!dp_authz_any_base (dp_exec_authz (exec), "qr:read")) {
        state->forbidden = true;
        return;
    }
    const input_t *code = input_field (pf->args, "code");
    if (!code || code->kind != IN_STRING) {
        state->answered = true;         //  no code: no QR code has it
        return;
    }
    dp_exec_query (exec, DP_QUERY_qr_by_code, 1, s_code_arg (exec, pf), 1, pf, state, s_exists_done);
}

int
dp_qr_exists_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    exists_state_t *state = pf->root_state;
    if (state->forbidden) {
        const char *text = "You don't have access to 'qr:read'";
        dp_exec_field_error (exec, pf, "FORBIDDEN", text, "%s", text);
        return -1;
    }
    dp_json_writer_bool (dp_exec_out (exec), state->exists);
    return 1;
}

//  -------------------------------------------------------------------------
//  qrCode(code): QrCodeResult!

typedef struct {
    obj_t *result;              //  the QrCode or an error object
} code_state_t;

static void
s_code_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    code_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows == 0) {
        state->result = dp_union_error (exec, pf, "ResourceDoesNotExistError", "QrCode", false, 0, NULL);
        return;
    }
    obj_t *obj = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *obj);
    obj->type = dp_union_member (pf, "QrCode");
    obj->row = dp_exec_make_row (exec, dp_catalog_loader (DP_LOADER_qr_by_id), pf->child_mask | 1,
                                 rows->u.rows.cells, rows->u.rows.n_cols);
    state->result = obj;
}

void
dp_qr_code_collect (dp_exec_t *exec, plan_field_t *pf)
{
    code_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    pf->root_state = state;
    if (!dp_authz_any_base (dp_exec_authz (exec), "qr:read")) {
        state->result = dp_union_error (exec, pf, "InsufficientPermissionError", "qr:read", false, 0, NULL);
        return;
    }
    dp_exec_query (exec, DP_QUERY_qr_by_code, pf->child_mask | 1, s_code_arg (exec, pf), 1, pf,
                   state, s_code_done);
}

void
dp_qr_code_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                     obj_t **children, size_t *n_children)
{
    code_state_t *state = pf->root_state;
    *children = state->result;
    *n_children = state->result && state->result->type ? 1 : 0;
}

//  -------------------------------------------------------------------------
//  QrCode.box: BoxResult

void
dp_qr_box_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    int64_t qr_id = row_int (obj->row, DP_COL_qr_id);
    dp_exec_need (exec, DP_LOADER_stock_by_qr, qr_id, pf->child_mask | 1);
    dp_exec_need (exec, DP_LOADER_box_access_by_qr, qr_id, dp_box_access_columns ());
}

void
dp_qr_box_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                    obj_t **children, size_t *n_children)
{
    *n_children = 0;
    const row_t *access = dp_exec_cached_row (exec, DP_LOADER_box_access_by_qr, &obj->row->cells [DP_COL_qr_id]);
    const row_t *box = dp_exec_cached_row (exec, DP_LOADER_stock_by_qr, &obj->row->cells [DP_COL_qr_id]);
    if (!access || !box)
        return;                         //  no box carries this code: null
    int64_t base_id = row_int (access, DP_COL_box_access_base_id);
    char denied [80];
    obj_t *result = NULL;
    switch (dp_box_access (exec, access, denied, sizeof denied)) {
        case BOX_ACCESS_GRANTED:
            result = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *result);
            result->type = dp_union_member (pf, "Box");
            result->row = (row_t *) box;
            break;
        case BOX_ACCESS_NO_PERMISSION:
            result = dp_union_error (exec, pf, "InsufficientPermissionError", "stock:read", false, 0, NULL);
            break;
        case BOX_ACCESS_BASE_DENIED: {
            const dp_val_t *name = &access->cells [DP_COL_box_access_base_name];
            const dp_val_t *org = &access->cells [DP_COL_box_access_organisation_name];
            result = dp_union_error (exec, pf, "UnauthorizedForBaseError",
                                  name->type == DP_VAL_STR ? name->u.s.ptr : "", true, base_id,
                                  org->type == DP_VAL_STR ? org->u.s.ptr : "");
            break;
        }
        case BOX_ACCESS_BASES_DENIED:
        case BOX_ACCESS_NOT_FOUND:
            return;                     //  an error on the field, written by dp_qr_box_write
    }
    if (result->type) {
        *children = result;
        *n_children = 1;
    }
}

//  Writes the box or the error object; a travelling box the caller may not
//  see, or one without its shipment, is an error on the field instead
//  (boxtribute re-raises those rather than answering a union member).
int
dp_qr_box_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const row_t *access = dp_exec_cached_row (exec, DP_LOADER_box_access_by_qr, &obj->row->cells [DP_COL_qr_id]);
    const row_t *box = dp_exec_cached_row (exec, DP_LOADER_stock_by_qr, &obj->row->cells [DP_COL_qr_id]);
    if (!access || !box)
        return 0;
    char denied [80];
    box_access_t verdict = dp_box_access (exec, access, denied, sizeof denied);
    if (verdict == BOX_ACCESS_NOT_FOUND)
        return dp_exec_not_found (exec, pf);
    if (verdict == BOX_ACCESS_BASES_DENIED)
        return dp_exec_forbidden (exec, pf, denied);
    obj_t *children;
    size_t n;
    dp_qr_box_children (exec, pf, obj, &children, &n);
    return n ? dp_exec_write_children (exec, pf, children, 1, false) : 0;
}
