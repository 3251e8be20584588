/*  =========================================================================
    dp_cube - a statistics cube as a root field: facts and dimensions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The hooks behind every cube (dp_cube.h): the root checks the cube's
    permissions and asks for its facts and its base; the *Data object and
    its Dimensions object are synthetic views of the root's state; each
    dimension field asks for the entries its source names, one LOAD per
    kind, and hands them on.
@discuss
    A base that does not exist answers boxtribute's BAD_USER_INPUT (its
    _validate_existing_base), after the permission checks, as boxtribute
    checks them first.
    Covered by tests/integration/test_stats_cubes.py, test_stats_dump.py
    (boxtribute's dump and SQL) and test_stats_cubes_replica.py.
@end
*/
#include "dp_cube.h"
#include "dp_cube_access.h"
#include "dp_exec_hooks.h"
#include "dp_mutation.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const dp_cube_t *cube;
    bool failed;
    const char *code;           //  INTERNAL_SERVER_ERROR; NULL: FORBIDDEN `denied`
    char *description;
    char denied [120];
    int64_t base_id;
    bool awaiting_base;         //  access decided by the base's agreements (dp_cube_access.h)
    dp_cube_facts_t facts;
    //  Per dimension: the distinct ids the facts name (FACT_IDS, FACT_ID_LISTS).
    int64_t *ids [DP_CUBE_MAX_DIMENSIONS];
    size_t n_ids [DP_CUBE_MAX_DIMENSIONS];
    bool ids_ready [DP_CUBE_MAX_DIMENSIONS];
    obj_t data;                 //  the *Data object
    obj_t dimensions;           //  its Dimensions object
} cube_state_t;

//  The base's columns a cube reads: its id (it exists) and organisation.
#define S_BASE_COLUMNS (((uint64_t) 1 << DP_COL_camps_id) | ((uint64_t) 1 << DP_COL_camps_organisation_id))

static uint64_t
s_all_columns (const dp_catalog_entry_t *entry)
{
    return entry->n_columns >= 64 ? UINT64_MAX : ((uint64_t) 1 << entry->n_columns) - 1;
}

static void
s_fail (cube_state_t *state, dp_exec_t *exec, const char *code, const char *text)
{
    if (state->failed)
        return;
    state->failed = true;
    state->code = code;
    state->description = dp_arena_strdup (dp_exec_arena (exec), text);
}

static void
s_facts_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    cube_state_t *state = slot;
    if (!rows) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", error);
        return;
    }
    const dp_catalog_entry_t *entry = dp_catalog_query (state->cube->query);
    uint64_t every = s_all_columns (dp_catalog_query (state->cube->query));
    size_t n = rows->u.rows.n_rows;
    state->facts.rows = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof (row_t *));
    for (size_t r = 0; r < n; r++)
        state->facts.rows [r] = dp_exec_make_row (exec, entry, every,
                                                  rows->u.rows.cells + r * rows->u.rows.n_cols,
                                                  rows->u.rows.n_cols);
    state->facts.n_rows = n;
}

//  The facts, and whether the base exists, in the coming wave.
static void
s_ask_facts (dp_exec_t *exec, plan_field_t *pf, cube_state_t *state)
{
    dp_val_t *args = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof (dp_val_t));
    args [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = state->base_id };
    dp_exec_query (exec, state->cube->query, s_all_columns (dp_catalog_query (state->cube->query)),
                   args, 1, pf, state, s_facts_done);
    dp_exec_need (exec, DP_LOADER_camps_by_id, state->base_id, S_BASE_COLUMNS);
}

void
dp_cube_root_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    cube_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    state->cube = dp_cube_find (pf->field->name);
    if (!state->cube) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "This cube is not registered.");
        return;
    }
    const input_t *base = input_field (pf->args, "baseId");
    state->base_id = base && base->kind == IN_INT ? base->i : 0;
    switch (dp_cube_access_first (dp_exec_authz (exec), state->cube, state->base_id,
                                  state->denied, sizeof state->denied)) {
        case DP_CUBE_ACCESS_GRANTED:
            s_ask_facts (exec, pf, state);
            break;
        case DP_CUBE_ACCESS_DENIED:
            state->failed = true;   //  FORBIDDEN state->denied
            break;
        case DP_CUBE_ACCESS_NEEDS_BASE:
            //  Another organisation's base, perhaps: its organisation and
            //  agreements first, the facts once they grant access.
            state->awaiting_base = true;
            dp_exec_need (exec, DP_LOADER_camps_by_id, state->base_id, S_BASE_COLUMNS);
            dp_exec_need (exec, DP_LOADER_accepted_agreement_bases_by_base, state->base_id,
                          s_all_columns (dp_catalog_loader (DP_LOADER_accepted_agreement_bases_by_base)));
            break;
    }
}

//  After the base and its agreements arrived: decide, and ask for the facts.
static void
s_decide_by_agreement (dp_exec_t *exec, const plan_field_t *pf, cube_state_t *state)
{
    state->awaiting_base = false;
    dp_val_t key = { .type = DP_VAL_INT, .u.i = state->base_id };
    const row_t *base = dp_exec_cached_row (exec, DP_LOADER_camps_by_id, &key);
    row_t **rows;
    size_t n = dp_exec_cached_rows (exec, DP_LOADER_accepted_agreement_bases_by_base, state->base_id, &rows);
    dp_cube_link_t *links = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof *links);
    for (size_t r = 0; r < n; r++) {
        links [r].source_base_id = row_int (rows [r], DP_COL_agreement_base_source_base_id);
        links [r].target_base_id = row_int (rows [r], DP_COL_agreement_base_target_base_id);
    }
    int64_t organisation = base ? row_int (base, DP_COL_camps_organisation_id) : 0;
    if (dp_cube_access_by_agreement (dp_exec_authz (exec), state->cube, state->base_id, organisation,
                                     links, n, state->denied, sizeof state->denied)
        == DP_CUBE_ACCESS_GRANTED)
        s_ask_facts (exec, (plan_field_t *) pf, state);
    else
        state->failed = true;       //  FORBIDDEN state->denied
}

static bool
s_base_exists (dp_exec_t *exec, const cube_state_t *state)
{
    dp_val_t key = { .type = DP_VAL_INT, .u.i = state->base_id };
    return dp_exec_cached_row (exec, DP_LOADER_camps_by_id, &key) != NULL;
}

void
dp_cube_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                       obj_t **children, size_t *n_children)
{
    cube_state_t *state = pf->root_state;
    *n_children = 0;
    if (state->awaiting_base)
        s_decide_by_agreement (exec, pf, state);
    if (state->failed || !s_base_exists (exec, state))
        return;
    state->data.type = dp_type_ref_named (pf->field->type);
    state->data.synthetic = state;
    *children = &state->data;
    *n_children = 1;
}

int
dp_cube_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    cube_state_t *state = pf->root_state;
    if (state->failed && !state->code)
        return dp_exec_forbidden (exec, pf, state->denied);
    if (state->failed) {
        dp_exec_field_error (exec, pf, state->code, state->description, "%s", state->description);
        return -1;
    }
    if (!s_base_exists (exec, state))
        return dp_exec_not_found (exec, pf);
    return dp_exec_write_children (exec, pf, &state->data, 1, false);
}

void
dp_cube_facts (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
               obj_t **children, size_t *n_children)
{
    const cube_state_t *state = obj->synthetic;
    const dp_type_t *type = dp_type_ref_named (pf->field->type);
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), state->facts.n_rows + 1, sizeof (obj_t));
    for (size_t r = 0; r < state->facts.n_rows; r++) {
        objs [r].type = type;
        objs [r].row = state->facts.rows [r];
    }
    *children = objs;
    *n_children = state->facts.n_rows;
}

void
dp_cube_dimensions (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                    obj_t **children, size_t *n_children)
{
    cube_state_t *state = obj->synthetic;
    state->dimensions.type = dp_type_ref_named (pf->field->type);
    state->dimensions.synthetic = state;
    *children = &state->dimensions;
    *n_children = 1;
}

//  -------------------------------------------------------------------------
//  Dimension fields

//  The cube's dimension behind pf (a field of its Dimensions type), by name.
static int
s_dimension_index (const dp_cube_t *cube, const plan_field_t *pf)
{
    for (int d = 0; d < DP_CUBE_MAX_DIMENSIONS && cube->dimensions [d].field; d++)
        if (strcmp (cube->dimensions [d].field, pf->field->name) == 0)
            return d;
    return -1;
}

static int
s_int64_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  Parse "1,22,3" into ids (appended at *n; ids has room for every comma + 1).
//  Anything but digits and commas ends the list.
static void
s_parse_id_list (const char *text, size_t len, int64_t *ids, size_t *n)
{
    int64_t value = 0;
    bool digits = false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? text [i] : ',';
        if (c >= '0' && c <= '9' && value < INT64_MAX / 10 - 10) {
            value = value * 10 + (c - '0');
            digits = true;
        }
        else
        if (c == ',') {
            if (digits)
                ids [(*n)++] = value;
            value = 0;
            digits = false;
        }
        else
            return;
    }
}

//  The distinct ids, ascending, the facts name in the dimension's column.
static void
s_fact_ids (dp_exec_t *exec, cube_state_t *state, int d)
{
    if (state->ids_ready [d])
        return;
    const dp_cube_dimension_t *dim = &state->cube->dimensions [d];
    size_t cap = 1;
    for (size_t r = 0; r < state->facts.n_rows; r++) {
        const dp_val_t *cell = &state->facts.rows [r]->cells [dim->column];
        if (cell->type == DP_VAL_STR)
            for (uint32_t i = 0; i < cell->u.s.len; i++)
                cap += cell->u.s.ptr [i] == ',';
        cap++;
    }
    int64_t *ids = dp_arena_calloc (dp_exec_arena (exec), cap, sizeof (int64_t));
    size_t n = 0;
    for (size_t r = 0; r < state->facts.n_rows; r++) {
        const dp_val_t *cell = &state->facts.rows [r]->cells [dim->column];
        if (dim->source == DP_CUBE_FROM_FACT_IDS && cell->type == DP_VAL_INT)
            ids [n++] = cell->u.i;
        else
        if (dim->source == DP_CUBE_FROM_FACT_ID_LISTS && cell->type == DP_VAL_STR)
            s_parse_id_list (cell->u.s.ptr, cell->u.s.len, ids, &n);
    }
    qsort (ids, n, sizeof (int64_t), s_int64_compare);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || ids [unique - 1] != ids [i])
            ids [unique++] = ids [i];
    state->ids [d] = ids;
    state->n_ids [d] = unique;
    state->ids_ready [d] = true;
}

//  The keys of a dimension loaded by key.
static const int64_t *
s_keys (dp_exec_t *exec, cube_state_t *state, int d, size_t *n)
{
    const dp_cube_dimension_t *dim = &state->cube->dimensions [d];
    if (dim->source == DP_CUBE_FROM_KEYS) {
        *n = dim->n_keys;
        return dim->keys;
    }
    s_fact_ids (exec, state, d);
    *n = state->n_ids [d];
    return state->ids [d];
}

//  The columns every entry of pf's item type must carry.
static uint64_t
s_entry_mask (const plan_field_t *pf)
{
    uint64_t mask = 1;
    for (size_t v = 0; pf->child && v < pf->child->n_variants; v++)
        mask |= pf->child->variants [v].mask;
    return mask;
}

void
dp_cube_dimension_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    cube_state_t *state = obj->synthetic;
    int d = s_dimension_index (state->cube, pf);
    if (d < 0)
        return;
    const dp_cube_dimension_t *dim = &state->cube->dimensions [d];
    uint64_t mask = s_entry_mask (pf);
    switch (dim->source) {
        case DP_CUBE_FROM_FACT_IDS:
        case DP_CUBE_FROM_FACT_ID_LISTS:
        case DP_CUBE_FROM_KEYS: {
            size_t n;
            const int64_t *keys = s_keys (exec, state, d, &n);
            for (size_t k = 0; k < n; k++)
                dp_exec_need (exec, dim->loader, keys [k], mask);
            break;
        }
        case DP_CUBE_FROM_ALL:
            dp_exec_need (exec, dim->loader, 0, mask);
            break;
        case DP_CUBE_FROM_COMPUTED:
        case DP_CUBE_ALWAYS_NULL:
            break;
    }
}

void
dp_cube_dimension_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n_children)
{
    cube_state_t *state = obj->synthetic;
    *n_children = 0;
    int d = s_dimension_index (state->cube, pf);
    if (d < 0)
        return;
    const dp_cube_dimension_t *dim = &state->cube->dimensions [d];
    dp_arena_t *arena = dp_exec_arena (exec);
    const dp_type_t *type = dp_type_ref_named (pf->field->type);
    switch (dim->source) {
        case DP_CUBE_FROM_FACT_IDS:
        case DP_CUBE_FROM_FACT_ID_LISTS:
        case DP_CUBE_FROM_KEYS: {
            size_t n;
            const int64_t *keys = s_keys (exec, state, d, &n);
            obj_t *objs = dp_arena_calloc (arena, n + 1, sizeof (obj_t));
            for (size_t k = 0; k < n; k++) {
                dp_val_t key = { .type = DP_VAL_INT, .u.i = keys [k] };
                const row_t *row = dp_exec_cached_row (exec, dim->loader, &key);
                if (!row)
                    continue;   //  an id whose row is gone: boxtribute's IN (...) skips it too
                objs [*n_children].type = type;
                objs [*n_children].row = (row_t *) row;
                (*n_children)++;
            }
            *children = objs;
            break;
        }
        case DP_CUBE_FROM_ALL: {
            row_t **rows;
            size_t n = dp_exec_cached_rows (exec, dim->loader, 0, &rows);
            obj_t *objs = dp_arena_calloc (arena, n + 1, sizeof (obj_t));
            for (size_t r = 0; r < n; r++) {
                objs [r].type = type;
                objs [r].row = rows [r];
            }
            *children = objs;
            *n_children = n;
            break;
        }
        case DP_CUBE_FROM_COMPUTED: {
            dp_record_t **entries = NULL;
            size_t n = dim->compute (exec, &state->facts, &entries);
            *n_children = dp_record_objs (exec, pf, entries, n, children);
            break;
        }
        case DP_CUBE_ALWAYS_NULL:
            break;
    }
}

int
dp_cube_dimension_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    cube_state_t *state = obj->synthetic;
    int d = s_dimension_index (state->cube, pf);
    if (d < 0 || state->cube->dimensions [d].source == DP_CUBE_ALWAYS_NULL)
        return 0;
    obj_t *children = NULL;
    size_t n = 0;
    dp_cube_dimension_children (exec, pf, obj, &children, &n);
    return dp_exec_write_children (exec, pf, children, n, true);
}

int
dp_cube_id_list_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_val_t *cell = &obj->row->cells [pf->bind->column];
    dp_json_writer_t *out = dp_exec_out (exec);
    dp_json_writer_char (out, '[');
    if (cell->type == DP_VAL_STR) {
        size_t cap = 1;
        for (uint32_t i = 0; i < cell->u.s.len; i++)
            cap += cell->u.s.ptr [i] == ',';
        int64_t *ids = dp_arena_calloc (dp_exec_arena (exec), cap, sizeof (int64_t));
        size_t n = 0;
        s_parse_id_list (cell->u.s.ptr, cell->u.s.len, ids, &n);
        for (size_t i = 0; i < n; i++) {
            if (i)
                dp_json_writer_char (out, ',');
            dp_json_writer_int (out, ids [i]);
        }
    }
    dp_json_writer_char (out, ']');
    return 1;
}

obj_t *
dp_cube_link_data (dp_exec_t *exec, plan_field_t *pf, const dp_cube_t *cube,
                   const dp_type_t *data_type, dp_val_t *args, uint32_t n_args)
{
    cube_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    state->cube = cube;
    state->base_id = args [0].u.i;
    state->data.type = data_type;
    state->data.synthetic = state;
    dp_exec_query (exec, cube->query, s_all_columns (dp_catalog_query (cube->query)), args, n_args, pf, state,
                   s_facts_done);
    return &state->data;
}

//  -------------------------------------------------------------------------
//  Selftest

void
dp_cube_test (bool verbose)
{
    printf (" * dp_cube: ");
    int64_t ids [8];
    size_t n = 0;
    s_parse_id_list ("3,12,7", 6, ids, &n);
    assert (n == 3 && ids [0] == 3 && ids [1] == 12 && ids [2] == 7);
    n = 0;
    s_parse_id_list ("", 0, ids, &n);
    assert (n == 0);
    n = 0;
    s_parse_id_list ("5,x,6", 5, ids, &n);
    assert (n == 1 && ids [0] == 5);
    if (verbose)
        printf ("(id lists) ");
    printf ("OK\n");
}
