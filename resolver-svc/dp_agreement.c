/*  =========================================================================
    dp_agreement - Query.transferAgreement(id)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by tests/integration/test_read_api.py and
    test_read_relations.py (transferAgreement).
@end
*/
#include "dp_agreement.h"
#include "dp_exec_hooks.h"
#include "dp_authz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERMISSION "transfer_agreement:read"

typedef struct {
    bool invalid;               //  the id argument is not an id
    int64_t id;
    obj_t agreement;
} agreement_state_t;

void
dp_agreement_root_collect (dp_exec_t *exec, plan_field_t *pf)
{
    agreement_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    pf->root_state = state;
    if (!dp_authz_any_base (dp_exec_authz (exec), PERMISSION))
        return;
    const input_t *value = input_field (pf->args, "id");
    const char *text = dp_input_text (value);
    char *end = NULL;
    state->id = text ? strtoll (text, &end, 10) : -1;
    if (!end || *end || end == text || state->id < 0) {
        state->invalid = true;
        return;
    }
    dp_exec_need (exec, DP_LOADER_transfer_agreement_by_id, state->id, pf->child_mask | 1);
    dp_exec_need (exec, DP_LOADER_agreement_bases_by_agreement, state->id,
                  1 | ((uint64_t) 1 << DP_COL_agreement_base_source_base_id)
                    | ((uint64_t) 1 << DP_COL_agreement_base_target_base_id));
}

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

//  The agreement row when the caller may read it; else NULL and `denied`
//  says why ("" when it does not exist).
static const row_t *
s_readable (dp_exec_t *exec, const plan_field_t *pf, char *denied, size_t len)
{
    agreement_state_t *state = pf->root_state;
    dp_authz_t *authz = dp_exec_authz (exec);
    if (!dp_authz_any_base (authz, PERMISSION)) {
        snprintf (denied, len, "%s", PERMISSION);
        return NULL;
    }
    denied [0] = 0;
    if (state->invalid)
        return NULL;
    dp_val_t key = { .type = DP_VAL_INT, .u.i = state->id };
    const row_t *row = dp_exec_cached_row (exec, DP_LOADER_transfer_agreement_by_id, &key);
    if (!row)
        return NULL;
    row_t **links;
    size_t n_links = dp_exec_cached_rows (exec, DP_LOADER_agreement_bases_by_agreement, state->id, &links);
    int64_t *bases = dp_arena_alloc (dp_exec_arena (exec), (2 * n_links + 1) * sizeof (int64_t));
    size_t n = 0;
    for (size_t l = 0; l < n_links; l++) {
        bases [n++] = row_int (links [l], DP_COL_agreement_base_source_base_id);
        bases [n++] = row_int (links [l], DP_COL_agreement_base_target_base_id);
    }
    char unused [80];
    for (size_t b = 0; b < n; b++)
        if (dp_authz_base (authz, PERMISSION, bases [b], unused, sizeof unused))
            return row;
    qsort (bases, n, sizeof (int64_t), s_int64_cmp);
    size_t at = (size_t) snprintf (denied, len, "bases=[");
    for (size_t b = 0; b < n && at < len; b++)
        if (b == 0 || bases [b] != bases [b - 1])
            at += (size_t) snprintf (denied + at, len - at, "%s%lld", at > 7 ? ", " : "", (long long) bases [b]);
    if (at < len)
        snprintf (denied + at, len - at, "]");
    return NULL;
}

void
dp_agreement_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n_children)
{
    agreement_state_t *state = pf->root_state;
    char denied [200];
    const row_t *row = s_readable (exec, pf, denied, sizeof denied);
    *n_children = 0;
    if (!row)
        return;
    state->agreement.type = dp_type_ref_named (pf->field->type);
    state->agreement.row = (row_t *) row;
    *children = &state->agreement;
    *n_children = 1;
}

int
dp_agreement_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    agreement_state_t *state = pf->root_state;
    char denied [200];
    const row_t *row = s_readable (exec, pf, denied, sizeof denied);
    if (row) {
        state->agreement.type = dp_type_ref_named (pf->field->type);
        state->agreement.row = (row_t *) row;
        return dp_exec_write_children (exec, pf, &state->agreement, 1, false);
    }
    if (denied [0])
        return dp_exec_forbidden (exec, pf, denied);
    if (state->invalid) {
        dp_exec_field_error (exec, pf, "BAD_USER_INPUT", "Invalid ID.", "Invalid ID.");
        return -1;
    }
    return dp_exec_not_found (exec, pf);
}
