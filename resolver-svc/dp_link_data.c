/*  =========================================================================
    dp_link_data - ResolvedLink.data: the cubes of a shared link's view

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_link_data.h. Covered by tests/integration/test_public_ddl.py.
@end
*/
#include "dp_link_data.h"
#include "dp_cube.h"
#include "dp_exec_hooks.h"
#include "dp_union_error.h"
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The QUERY arguments of a link's cube: 0 or -1 with *error set.
typedef int (link_args_fn_t) (dp_exec_t *exec, const row_t *link, dp_val_t **args, uint32_t *n_args,
                              const char **error);

typedef struct {
    const char *view;           //  shareable_link.view
    const char *cube;           //  its Query field (dp_cubes.c)
    const char *data_type;      //  the cube's *Data type
    link_args_fn_t *args;
} link_cube_t;

static link_args_fn_t s_base_only, s_base_and_url_tags;

//  boxtribute's resolve_resolved_link_data, in its order.
static const link_cube_t s_link_cubes [] = {
    { "StatvizDashboard", "beneficiaryDemographics", "BeneficiaryDemographicsData", s_base_only },
    { "StatvizDashboard", "createdBoxes", "CreatedBoxesData", s_base_only },
    { "StatvizDashboard", "movedBoxes", "MovedBoxesData", s_base_only },
    { "StatvizDashboard", "stockOverview", "StockOverviewData", s_base_only },
    { "StockOverview", "stockOverview", "StockOverviewData", s_base_and_url_tags },
};
#define S_N_LINK_CUBES (sizeof s_link_cubes / sizeof s_link_cubes [0])

typedef struct {
    obj_t *cubes;
    size_t n_cubes;
    const char *error;          //  a urlParameters boxtribute cannot read either
} link_data_t;

static dp_val_t *
s_base_arg (dp_exec_t *exec, const row_t *link, uint32_t n_args)
{
    dp_val_t *args = dp_arena_calloc (dp_exec_arena (exec), n_args, sizeof (dp_val_t));
    args [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = link->cells [DP_COL_shareable_link_base_id].u.i };
    return args;
}

static int
s_base_only (dp_exec_t *exec, const row_t *link, dp_val_t **args, uint32_t *n_args, const char **error)
{
    *args = s_base_arg (exec, link, 1);
    *n_args = 1;
    return 0;
}

static int
s_hex (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

//  The ids of parameter `name` in a query string, as boxtribute reads
//  them (urllib's parse_qs, its first value, split at commas, int()):
//  NIL when absent or blank, an ARRAY of INT, or -1 when not a list of
//  integers. Percent escapes and '+' are decoded first. Whitespace around
//  an id is ignored, as int() does (strtoll skips it before the digits).
static int
s_url_ids (dp_arena_t *arena, const char *query, const char *name, dp_val_t *out)
{
    *out = (dp_val_t) { .type = DP_VAL_NIL };
    size_t name_len = strlen (name);
    for (const char *p = query; p && *p; p = strchr (p, '&') ? strchr (p, '&') + 1 : NULL) {
        size_t len = strcspn (p, "&");
        if (len <= name_len || strncmp (p, name, name_len) != 0 || p [name_len] != '=')
            continue;
        //  Decode the value, then read it.
        char *value = dp_arena_calloc (arena, len, 1);
        size_t n = 0;
        for (size_t i = name_len + 1; i < len; i++) {
            int high, low;
            if (p [i] == '%' && i + 2 < len
            &&  (high = s_hex (p [i + 1])) >= 0 && (low = s_hex (p [i + 2])) >= 0) {
                value [n++] = (char) (high * 16 + low);
                i += 2;
            }
            else
                value [n++] = p [i] == '+' ? ' ' : p [i];
        }
        if (n == 0)
            continue;           //  parse_qs drops blank values
        size_t count = 1;
        for (size_t i = 0; i < n; i++)
            count += value [i] == ',';
        dp_val_t *items = dp_arena_calloc (arena, count, sizeof (dp_val_t));
        char *item = value;
        for (size_t k = 0; k < count; k++) {
            char *end;
            long long id = strtoll (item, &end, 10);
            while (isspace ((unsigned char) *end))
                end++;
            //  The id ends at a comma or at the value's end (not at a
            //  decoded %00, which int() refuses).
            if (end == item || (*end != ',' && end != value + n))
                return -1;
            items [k] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
            item = end + 1;
        }
        *out = (dp_val_t) { .type = DP_VAL_ARRAY, .u.a = { items, (uint32_t) count } };
        return 0;
    }
    return 0;
}

//  stockOverview's [base_id, tag_ids, excluded_tag_ids] from urlParameters'
//  tags and notags.
static int
s_base_and_url_tags (dp_exec_t *exec, const row_t *link, dp_val_t **args, uint32_t *n_args,
                     const char **error)
{
    *args = s_base_arg (exec, link, 3);
    *n_args = 3;
    const dp_val_t *parameters = &link->cells [DP_COL_shareable_link_url_parameters];
    if (parameters->type != DP_VAL_STR)
        return 0;
    if (s_url_ids (dp_exec_arena (exec), parameters->u.s.ptr, "tags", &(*args) [1])
    ||  s_url_ids (dp_exec_arena (exec), parameters->u.s.ptr, "notags", &(*args) [2])) {
        *error = "The link's urlParameters name tags that are not a list of ids.";
        return -1;
    }
    return 0;
}

void
dp_link_data_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    link_data_t *data = dp_arena_calloc (arena, 1, sizeof *data);
    //  One ResolvedLink per resolveLink field: its data hangs on the plan field.
    ((plan_field_t *) pf)->root_state = data;
    data->cubes = dp_arena_calloc (arena, S_N_LINK_CUBES, sizeof (obj_t));
    const row_t *link = obj->row;
    const dp_val_t *view = &link->cells [DP_COL_shareable_link_view];
    if (link->cells [DP_COL_shareable_link_base_id].type != DP_VAL_INT || view->type != DP_VAL_STR)
        return;                 //  its base was deleted (SET NULL): nothing to show
    for (size_t c = 0; c < S_N_LINK_CUBES; c++) {
        const link_cube_t *line = &s_link_cubes [c];
        const dp_cube_t *cube = dp_cube_find (line->cube);
        const dp_type_t *type = dp_union_member (pf, line->data_type);
        if (strcmp (line->view, view->u.s.ptr) != 0 || !cube || !type)
            continue;           //  another view's, or a cube not served yet
        dp_val_t *args;
        uint32_t n_args;
        if (line->args (exec, link, &args, &n_args, &data->error))
            return;
        data->cubes [data->n_cubes++] = *dp_cube_link_data (exec, (plan_field_t *) pf, cube, type,
                                                            args, n_args);
    }
}

void
dp_link_data_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                       obj_t **children, size_t *n_children)
{
    link_data_t *data = pf->root_state;
    *children = data ? data->cubes : NULL;
    *n_children = data && !data->error ? data->n_cubes : 0;
}

int
dp_link_data_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    link_data_t *data = pf->root_state;
    if (data && data->error) {
        dp_exec_field_error (exec, pf, "BAD_USER_INPUT", data->error, "%s", data->error);
        return -1;
    }
    return dp_exec_write_children (exec, pf, data ? data->cubes : NULL, data ? data->n_cubes : 0, true);
}

//  -------------------------------------------------------------------------
//  Selftest

void
dp_link_data_test (bool verbose)
{
    printf (" * dp_link_data: ");
    dp_arena_t *arena = dp_arena_new (1024);
    dp_val_t ids;
    assert (s_url_ids (arena, "tags=1,22&notags=3", "tags", &ids) == 0);
    assert (ids.type == DP_VAL_ARRAY && ids.u.a.count == 2);
    assert (ids.u.a.items [0].u.i == 1 && ids.u.a.items [1].u.i == 22);
    assert (s_url_ids (arena, "tags=1,22&notags=3", "notags", &ids) == 0);
    assert (ids.type == DP_VAL_ARRAY && ids.u.a.count == 1 && ids.u.a.items [0].u.i == 3);
    assert (s_url_ids (arena, "boi=boxes&tags=4%2C5", "tags", &ids) == 0);
    assert (ids.u.a.count == 2 && ids.u.a.items [1].u.i == 5);
    assert (s_url_ids (arena, "notags=3", "tags", &ids) == 0 && ids.type == DP_VAL_NIL);
    assert (s_url_ids (arena, "tags=", "tags", &ids) == 0 && ids.type == DP_VAL_NIL);
    assert (s_url_ids (arena, "", "tags", &ids) == 0 && ids.type == DP_VAL_NIL);
    assert (s_url_ids (arena, "tags=%091%0A,+2%20", "tags", &ids) == 0);
    assert (ids.u.a.count == 2 && ids.u.a.items [0].u.i == 1 && ids.u.a.items [1].u.i == 2);
    assert (s_url_ids (arena, "tags=1,x", "tags", &ids) == -1);
    assert (s_url_ids (arena, "tags=1,,2", "tags", &ids) == -1);
    assert (s_url_ids (arena, "tags=1%00x", "tags", &ids) == -1);
    dp_arena_destroy (&arena);
    if (verbose)
        printf ("(url tags) ");
    printf ("OK\n");
}
