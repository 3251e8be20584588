/*  =========================================================================
    dp_standard_product - Query.standardProduct(id) and Query.standardProducts(baseId)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each root loads in wave 0 what decides its answer: the standard
    product by id; the newest version (standard_products_latest) or the
    base's list (standard_products_by_base, instantiations joined in SQL);
    or, for a base the caller may not read, the base's names
    (base_names_by_id). So every answer takes one statement plus the
    waves of its selection, whatever the number of standard products.
    Covered by tests/integration/test_standard_products.py.
@end
*/
#include "dp_standard_product.h"
#include "dp_exec_hooks.h"
#include "dp_union_error.h"
#include "dp_page.h"
#include <stdio.h>
#include <stdlib.h>

#define PERMISSION "standard_product:read"
//  boxtribute's standardProducts has no pagination input and pages 1,000.
#define PAGE_SIZE 1000

typedef struct {
    page_view_t view;           //  first: the page object's synthetic
    obj_t result;               //  the union member answered
    bool has_result;            //  result is set (an error member, or the page)
    bool invalid_base;          //  baseId is not an id: BAD_USER_INPUT
    dp_loader_id_t loader;      //  where the rows come from ...
    int64_t key;                //  ... under which key
    bool base_denied;           //  the names of base `key` make the error
} root_state_t;

static root_state_t *
s_state_new (dp_exec_t *exec, plan_field_t *pf)
{
    root_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    pf->root_state = state;
    return state;
}

static void
s_set_result (root_state_t *state, const obj_t *obj)
{
    state->result = *obj;
    state->has_result = true;
}

//  An ID argument's value; false when it is not a non-negative integer.
static bool
s_id_argument (const plan_field_t *pf, const char *name, int64_t *id)
{
    const char *text = dp_input_text (input_field (pf->args, name));
    char *end = NULL;
    *id = text ? strtoll (text, &end, 10) : -1;
    return text && end != text && !*end && *id >= 0;
}

void
dp_standard_product_root_collect (dp_exec_t *exec, plan_field_t *pf)
{
    root_state_t *state = s_state_new (exec, pf);
    if (!dp_authz_any_base (dp_exec_authz (exec), PERMISSION)) {
        s_set_result (state, dp_union_error (exec, pf, "InsufficientPermissionError", PERMISSION,
                                             false, 0, NULL));
        return;
    }
    state->loader = DP_LOADER_standard_product_by_id;
    if (s_id_argument (pf, "id", &state->key))
        dp_exec_need (exec, state->loader, state->key, pf->child_mask | 1);
}

void
dp_standard_products_root_collect (dp_exec_t *exec, plan_field_t *pf)
{
    root_state_t *state = s_state_new (exec, pf);
    dp_authz_t *authz = dp_exec_authz (exec);
    if (!dp_authz_any_base (authz, PERMISSION)) {
        s_set_result (state, dp_union_error (exec, pf, "InsufficientPermissionError", PERMISSION,
                                             false, 0, NULL));
        return;
    }
    const input_t *base = input_field (pf->args, "baseId");
    if (!base || base->kind == IN_NULL) {
        state->loader = DP_LOADER_standard_products_latest;
        state->key = 0;
    }
    else {
        if (!s_id_argument (pf, "baseId", &state->key)) {
            state->invalid_base = true;
            return;
        }
        char denied [80];
        if (!dp_authz_base (authz, PERMISSION, state->key, denied, sizeof denied)) {
            state->base_denied = true;
            dp_exec_need (exec, DP_LOADER_base_names_by_id, state->key,
                          1 | (1ull << DP_COL_base_names_name) | (1ull << DP_COL_base_names_organisation_name));
            return;
        }
        state->loader = DP_LOADER_standard_products_by_base;
    }
    dp_exec_need (exec, state->loader, state->key, 1 | dp_page_elements_mask (pf));
}

//  A STR cell's text, or "".
static const char *
s_text (const row_t *row, int column)
{
    return row && row->cells [column].type == DP_VAL_STR ? row->cells [column].u.s.ptr : "";
}

//  Once wave 0 is in: the member the root answers.
static void
s_decide (dp_exec_t *exec, const plan_field_t *pf, root_state_t *state)
{
    if (state->has_result || state->invalid_base)
        return;
    if (state->base_denied) {
        dp_val_t key = { .type = DP_VAL_INT, .u.i = state->key };
        const row_t *names = dp_exec_cached_row (exec, DP_LOADER_base_names_by_id, &key);
        s_set_result (state, dp_union_error (exec, pf, "UnauthorizedForBaseError",
                                             s_text (names, DP_COL_base_names_name), true, state->key,
                                             s_text (names, DP_COL_base_names_organisation_name)));
        return;
    }
    if (state->loader == DP_LOADER_standard_product_by_id) {
        dp_val_t key = { .type = DP_VAL_INT, .u.i = state->key };
        const row_t *row = state->key >= 0 ? dp_exec_cached_row (exec, state->loader, &key) : NULL;
        if (!row) {
            s_set_result (state, dp_union_error (exec, pf, "ResourceDoesNotExistError", "StandardProduct",
                                                 false, 0, NULL));
            return;
        }
        obj_t product = { .type = dp_union_member (pf, "StandardProduct"), .row = (row_t *) row };
        s_set_result (state, &product);
        return;
    }
    row_t **rows;
    size_t n_rows = dp_exec_cached_rows (exec, state->loader, state->key, &rows);
    dp_page_view_forward (exec, &state->view, rows, n_rows, 0, PAGE_SIZE);
    obj_t page = { .type = dp_union_member (pf, "StandardProductPage"), .synthetic = &state->view };
    s_set_result (state, &page);
}

void
dp_standard_product_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                   obj_t **children, size_t *n_children)
{
    root_state_t *state = pf->root_state;
    s_decide (exec, pf, state);
    *n_children = state->has_result && state->result.type ? 1 : 0;
    *children = &state->result;
}

int
dp_standard_product_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    root_state_t *state = pf->root_state;
    if (state->invalid_base) {
        dp_exec_field_error (exec, pf, "BAD_USER_INPUT", "Invalid base id.", "Invalid base id.");
        return -1;
    }
    s_decide (exec, pf, state);
    if (!state->result.type)
        return 0;               //  the member is not selectable here
    return dp_exec_write_children (exec, pf, &state->result, 1, false);
}
