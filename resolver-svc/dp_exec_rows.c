/*  =========================================================================
    dp_exec_rows - the rows a field of an object shows

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Read from the request's cache, never loading: the row a foreign key
    names, the rows under a reverse key or a root's keys, the targets of a
    link table, each with the binding's filter and authorisation applied.
    The wave loop (descend) and the writer ask the same questions here, so
    the objects a wave loads for are the objects the answer shows.
@discuss
    Covered by dp_exec_write's selftest (relations written from a cache)
    and, with the real mapping and authorisation, by
    tests/integration/test_read_relations.py and test_read_exact.py.
@end
*/
#include "dp_exec_private.h"
#include "dp_loader.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

row_t *
dp_exec_lookup_row (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell)
{
    if (key_cell->type != DP_VAL_INT)
        return NULL;
    return dp_exec_cache_row (self->cache, loader, key_cell->u.i);
}

size_t
dp_exec_lookup_rows (dp_exec_t *self, dp_loader_id_t loader, const dp_val_t *key_cell,
                     row_t ***rows)
{
    *rows = NULL;
    if (key_cell->type != DP_VAL_INT)
        return 0;
    return dp_exec_cache_rows (self->cache, loader, key_cell->u.i, rows);
}

const row_t *
dp_exec_dep_row (dp_exec_t *exec, const plan_field_t *pf, size_t dep, const obj_t *obj)
{
    const dep_t *d = &pf->bind->deps [dep];
    return dp_exec_lookup_row (exec, d->loader, &obj->row->cells [d->column]);
}

size_t
dp_exec_cached_rows (dp_exec_t *exec, dp_loader_id_t loader, int64_t key, row_t ***rows)
{
    return dp_exec_cache_rows (exec->cache, loader, key, rows);
}

const row_t *
dp_exec_cached_row (dp_exec_t *exec, dp_loader_id_t loader, const dp_val_t *key_cell)
{
    return dp_exec_lookup_row (exec, loader, key_cell);
}

const variant_t *
dp_exec_variant (const plan_node_t *node, const dp_type_t *type)
{
    for (size_t v = 0; v < node->n_variants; v++)
        if (node->variants [v].object == type)
            return &node->variants [v];
    return NULL;
}

//  False when the binding needs a base-agnostic permission the user lacks.
bool
dp_exec_any_base_allowed (dp_exec_t *self, const dp_binding_t *bind)
{
    if (bind->authz.kind != AUTHZ_ANY_BASE && bind->authz.kind != AUTHZ_ANY_BASE_NULL)
        return true;
    return dp_authz_any_base (&self->authz, bind->authz.permission);
}

//  The concrete type of a row reached through a field of declared type.
const dp_type_t *
dp_exec_concrete (const plan_field_t *pf, const row_t *row)
{
    const dp_type_t *declared = pf->child->type;
    if (declared->kind == DP_TYPE_OBJECT)
        return declared;
    const type_binding_t *tb = declared->binding;
    return tb && tb->resolve_type ? tb->resolve_type (declared, row) : NULL;
}

//  The permission for either of a row's two base columns (shipments: source
//  or target); denied names the first.
static bool
s_either_base (dp_exec_t *self, const authz_t *authz, const row_t *row, char *denied, size_t len)
{
    char other [80];
    int64_t first = row_int (row, authz->base_column), second = row_int (row, authz->base_column2);
    if (dp_authz_base (&self->authz, authz->permission, first, denied, len)
    ||  dp_authz_base (&self->authz, authz->permission, second, other, sizeof other))
        return true;
    //  Refused with the permission held elsewhere: boxtribute names both bases.
    if (dp_authz_any_base (&self->authz, authz->permission))
        snprintf (denied, len, "bases=[%lld, %lld]", (long long) first, (long long) second);
    return false;
}

//  Authorisation on a target row; false when the row must not be shown.
static bool
s_target_allowed (dp_exec_t *self, const dp_binding_t *bind, const row_t *row, char *denied, size_t len)
{
    switch (bind->authz.kind) {
        case AUTHZ_TARGET_BASE_NULL:
        case AUTHZ_TARGET_BASE_ERROR:
        case AUTHZ_FILTER_BASE:
            return dp_authz_base (&self->authz, bind->authz.permission,
                                  row_int (row, bind->authz.base_column), denied, len);
        case AUTHZ_TARGET_EITHER_ERROR:
            return s_either_base (self, &bind->authz, row, denied, len);
        default:
            return true;
    }
}

static int
s_row_id_cmp (const void *a, const void *b)
{
    int64_t x = row_int (*(row_t *const *) a, 0);
    int64_t y = row_int (*(row_t *const *) b, 0);
    return (x > y) - (x < y);
}

//  Sort rows by id (column 0) and drop rows whose id repeats; returns the
//  new count. For roots that gather one table from two loaders, or from
//  one whose rows may be under several of their keys.
static size_t
s_unique_by_id (row_t **rows, size_t n)
{
    if (n < 2)
        return n;
    qsort (rows, n, sizeof (row_t *), s_row_id_cmp);
    size_t out = 1;
    for (size_t i = 1; i < n; i++)
        if (row_int (rows [i], 0) != row_int (rows [out - 1], 0))
            rows [out++] = rows [i];
    return out;
}

//  The rows of loader under key, single-row or list: copied to out when
//  out is set; returns how many.
static size_t
s_rows_under (dp_exec_t *self, dp_loader_id_t loader, int64_t key, row_t **out)
{
    if (!dp_loader_is_list (loader)) {
        row_t *row = dp_exec_cache_row (self->cache, loader, key);
        if (row && out)
            out [0] = row;
        return row != NULL;
    }
    row_t **rows;
    size_t n = dp_exec_cache_rows (self->cache, loader, key, &rows);
    if (out && n)
        memcpy (out, rows, n * sizeof (row_t *));
    return n;
}

//  The rows a relation field offers for obj, before the per-row checks:
//  FK the row its key names, REVERSE the rows under its key, ROOT_LOAD the
//  rows under every key the root resolved (in key order). When the field
//  is denied as a whole, returns REL_DENIED with *description set (the
//  FORBIDDEN text, or the root's own error).
rel_status_t
dp_exec_candidate_rows (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj,
                        row_t ***rows, size_t *n_rows, row_t **single, char *description,
                        size_t len, const char **code)
{
    const dp_binding_t *bind = pf->bind;
    *rows = NULL;
    *n_rows = 0;
    *code = "FORBIDDEN";
    if (bind->kind == BIND_ROOT_LOAD) {
        root_load_t *root = pf->root_state;
        if (!root || root->failed) {
            snprintf (description, len, "%s", root ? root->description : "not resolved");
            *code = root ? root->code : "INTERNAL_SERVER_ERROR";
            return REL_DENIED;
        }
        dp_loader_id_t loaders [2] = { root->loader, bind->loader2 };
        size_t n_loaders = bind->has_loader2 && root->loader == bind->loader ? 2 : 1;
        size_t total = 0;
        for (size_t l = 0; l < n_loaders; l++)
            for (size_t k = 0; k < root->n_keys; k++)
                total += s_rows_under (self, loaders [l], root->keys [k], NULL);
        row_t **all = dp_arena_alloc (self->arena, (total + 1) * sizeof (row_t *));
        size_t n = 0;
        for (size_t l = 0; l < n_loaders; l++)
            for (size_t k = 0; k < root->n_keys; k++)
                n += s_rows_under (self, loaders [l], root->keys [k], all + n);
        if (n_loaders == 2 || bind->rows_shared)
            n = s_unique_by_id (all, n);
        *rows = all;
        *n_rows = n;
        return REL_OK;
    }
    //  A null key is null without authorisation (boxtribute's loaders check
    //  permissions inside the batch, which a null key never reaches).
    if (obj->row->cells [bind->column].type == DP_VAL_NIL)
        return REL_NULL;
    if (!dp_exec_any_base_allowed (self, bind)) {
        if (bind->authz.kind == AUTHZ_ANY_BASE_NULL)
            return REL_NULL;
        snprintf (description, len, "You don't have access to '%s'", bind->authz.permission);
        return REL_DENIED;
    }
    if (bind->authz.kind == AUTHZ_PARENT_BASE_ERROR || bind->authz.kind == AUTHZ_PARENT_EITHER_ERROR) {
        char denied [80];
        bool allowed = bind->authz.kind == AUTHZ_PARENT_BASE_ERROR
            ? dp_authz_base (&self->authz, bind->authz.permission,
                             row_int (obj->row, bind->authz.base_column), denied, sizeof denied)
            : s_either_base (self, &bind->authz, obj->row, denied, sizeof denied);
        if (!allowed) {
            snprintf (description, len, "You don't have access to '%s'", denied);
            return REL_DENIED;
        }
    }
    if (bind->kind == BIND_FK) {
        *single = dp_exec_lookup_row (self, bind->loader, &obj->row->cells [bind->column]);
        *rows = single;
        *n_rows = *single ? 1 : 0;
    }
    else
        *n_rows = dp_exec_lookup_rows (self, bind->loader, &obj->row->cells [bind->column], rows);
    return REL_OK;              //  nothing under that key: null, or an empty list
}

//  Per-row checks of a relation: the binding's filter, then authorisation
//  on the row's own base. False hides the row (denied names what failed).
bool
dp_exec_row_visible (dp_exec_t *self, const dp_binding_t *bind, const plan_field_t *pf,
                     const row_t *row, char *denied, size_t len)
{
    if (bind->keep && !bind->keep (pf, row)) {
        denied [0] = 0;
        return false;
    }
    return s_target_allowed (self, bind, row, denied, len);
}

size_t
dp_exec_links (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj, row_t ***links)
{
    return dp_exec_lookup_rows (self, pf->bind->loader, &obj->row->cells [pf->bind->column], links);
}

//  The targets of obj's links that the user may see, ordered by id; in arena.
size_t
dp_exec_through_targets (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj,
                         obj_t **targets)
{
    const dp_binding_t *bind = pf->bind;
    row_t **links;
    size_t n_links = dp_exec_links (self, pf, obj, &links);
    obj_t *out = dp_arena_alloc (self->arena, (n_links + 1) * sizeof (obj_t));
    size_t n = 0;
    char denied [80];
    for (size_t l = 0; l < n_links; l++) {
        row_t *row = dp_exec_lookup_row (self, bind->target_loader,
                                         &links [l]->cells [bind->value_column]);
        if (!row || !dp_exec_row_visible (self, bind, pf, row, denied, sizeof denied))
            continue;
        const dp_type_t *type = dp_exec_concrete (pf, row);
        if (!type)
            continue;
        //  Insertion by id, once each: a box has a handful of tags.
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = out [i].row == row;
        if (seen)
            continue;
        size_t at = n;
        while (at > 0 && row_int (out [at - 1].row, 0) > row_int (row, 0)) {
            out [at] = out [at - 1];
            at--;
        }
        out [at].type = type;
        out [at].row = row;
        out [at].synthetic = NULL;
        n++;
    }
    *targets = out;
    return n;
}
