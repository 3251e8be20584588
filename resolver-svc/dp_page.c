/*  =========================================================================
    dp_page - pages of rows: PageInfo, and id-ordered pages (ProductPage, BeneficiaryPage)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every page type (BoxPage, ProductPage, ...) keeps a page_view_t (rows,
    total, page_info_t) as the first member of its state, so the page and
    PageInfo fields are written one way.
    Id-ordered pages follow boxtribute's load_into_page: forwards after a
    cursor (`first`, default 50), or backwards before one (`last`), cursors
    being base64 of the zero-padded id (e.g. "MDAwMDAwMDA=" for 0); the
    total counts every row the field could list.
@discuss
    The rows come from list loaders (all of a base's products or
    beneficiaries in one statement); the field's keep filter (its
    filterInput) and the page cut happen here, so no statement depends on
    the page size, the cursor or the filter. The same code serves root
    pages (Query.products, Query.beneficiaries: the mapping names the
    loader, the every-row loader and the permission) and pages under an
    object (Base.beneficiaries, ClassicLocation.boxes,
    ProductCategory.products).

    Its selftest covers the cursors; the pages are covered by
    tests/integration/test_beneficiaries.py and test_read_api.py.
@end
*/
#include "dp_page.h"
#include "dp_exec_hooks.h"
#include "dp_authz.h"
#include "dp_base64.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include "dp_exec.h"

void
dp_page_elements (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                  obj_t **children, size_t *n_children)
{
    const page_view_t *view = obj->synthetic;
    const dp_type_t *type = dp_type_ref_named (pf->field->type);
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), view->n_rows + 1, sizeof (obj_t));
    for (size_t i = 0; i < view->n_rows; i++) {
        objs [i].type = type;
        objs [i].row = view->rows [i];
    }
    *children = objs;
    *n_children = view->n_rows;
}

void
dp_page_info (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
              obj_t **children, size_t *n_children)
{
    page_view_t *view = obj->synthetic;
    view->info_obj.type = dp_type_ref_named (pf->field->type);
    view->info_obj.synthetic = &view->info;
    *children = &view->info_obj;
    *n_children = 1;
}

int
dp_page_total_count (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_int (dp_exec_out (exec), ((const page_view_t *) obj->synthetic)->total);
    return 1;
}

int
dp_page_has_next (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_bool (dp_exec_out (exec), ((const page_info_t *) obj->synthetic)->has_next);
    return 1;
}

int
dp_page_has_previous (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_bool (dp_exec_out (exec), ((const page_info_t *) obj->synthetic)->has_previous);
    return 1;
}

int
dp_page_start_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_cstr (dp_exec_out (exec), ((const page_info_t *) obj->synthetic)->start_cursor);
    return 1;
}

int
dp_page_end_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_cstr (dp_exec_out (exec), ((const page_info_t *) obj->synthetic)->end_cursor);
    return 1;
}

//  -------------------------------------------------------------------------
//  Id-ordered pages

typedef struct {
    page_view_t view;           //  first: the page object's synthetic
    bool failed;
    const char *code;
    char *description;
    dp_loader_id_t loader;      //  a list loader ...
    int64_t *keys;              //  ... and the keys whose rows the page lists
    size_t n_keys;
    obj_t page;                 //  the page object (synthetic = this state)
} id_page_t;

static void
s_page_fail (dp_exec_t *exec, id_page_t *page, const char *code, const char *description)
{
    page->failed = true;
    page->code = code;
    page->description = dp_arena_strdup (dp_exec_arena (exec), description);
}

static int
s_by_id (const void *a, const void *b)
{
    int64_t x = row_int (*(row_t *const *) a, 0);
    int64_t y = row_int (*(row_t *const *) b, 0);
    return (x > y) - (x < y);
}

static const char *
s_cursor (dp_exec_t *exec, const row_t *row)
{
    char text [32];
    int len = snprintf (text, sizeof text, "%08lld", (long long) row_int (row, 0));
    return dp_base64_encode (dp_exec_arena (exec), text, (size_t) len);
}

//  A cursor's id; false when it is not one of ours.
static bool
s_cursor_id (dp_exec_t *exec, const char *cursor, int64_t *id)
{
    size_t len;
    char *text = dp_base64_decode (dp_exec_arena (exec), cursor, &len);
    if (!text || len == 0)
        return false;
    char *end;
    long long value = strtoll (text, &end, 10);
    if (*end || value < 0)
        return false;
    *id = value;
    return true;
}

//  Cut the page out of every row, as paginationInput says.
static void
s_cut (dp_exec_t *exec, const plan_field_t *pf, id_page_t *page, row_t **all, size_t n_all)
{
    qsort (all, n_all, sizeof (row_t *), s_by_id);
    page->view.total = (int64_t) n_all;
    page->view.info.start_cursor = page->view.info.end_cursor = "";
    const input_t *pagination = input_field (pf->args, "paginationInput");
    const input_t *first = input_field (pagination, "first");
    const input_t *after = input_field (pagination, "after");
    const input_t *last = input_field (pagination, "last");
    const input_t *before = input_field (pagination, "before");
    bool forwards = (first && first->kind == IN_INT) || (after && after->kind == IN_STRING)
                 || !((last && last->kind == IN_INT) || (before && before->kind == IN_STRING));
    size_t from = 0, count = 0;
    if (forwards) {
        int64_t after_id = 0;
        if (after && after->kind == IN_STRING
        &&  !(dp_input_text (after) && s_cursor_id (exec, after->s, &after_id))) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid pagination input: malformed 'after' cursor.");
            return;
        }
        int64_t limit = first && first->kind == IN_INT ? first->i : 50;
        if (limit < 0) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid pagination input: 'first' must not be negative.");
            return;
        }
        if (limit > dp_exec_max_page_size (exec))
            limit = dp_exec_max_page_size (exec);
        dp_page_view_forward (exec, &page->view, all, n_all, after_id, limit);
        return;
    }
    else {
        int64_t before_id;
        if (!before || before->kind != IN_STRING) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid pagination input: missing 'before' field.");
            return;
        }
        if (!dp_input_text (before) || !s_cursor_id (exec, before->s, &before_id)) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid pagination input: malformed 'before' cursor.");
            return;
        }
        int64_t limit = last && last->kind == IN_INT ? last->i : 50;
        if (limit < 0) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid pagination input: 'last' must not be negative.");
            return;
        }
        size_t end = 0;
        while (end < n_all && row_int (all [end], 0) < before_id)
            end++;
        count = end < (size_t) limit ? end : (size_t) limit;
        from = end - count;
        page->view.info.has_previous = from > 0;
        page->view.info.has_next = end < n_all;
    }
    page->view.rows = all + from;
    page->view.n_rows = count;
    if (count) {
        page->view.info.start_cursor = s_cursor (exec, page->view.rows [0]);
        page->view.info.end_cursor = s_cursor (exec, page->view.rows [count - 1]);
    }
}

void
dp_page_view_forward (dp_exec_t *exec, page_view_t *view, row_t **rows, size_t n_rows,
                      int64_t after_id, int64_t limit)
{
    view->total = (int64_t) n_rows;
    view->info.start_cursor = view->info.end_cursor = "";
    size_t from = 0;
    while (from < n_rows && row_int (rows [from], 0) <= after_id)
        from++;
    size_t count = n_rows - from < (size_t) limit ? n_rows - from : (size_t) limit;
    view->info.has_next = from + count < n_rows;
    view->info.has_previous = count > 0 && from > 0;
    view->rows = rows + from;
    view->n_rows = count;
    if (count) {
        view->info.start_cursor = s_cursor (exec, view->rows [0]);
        view->info.end_cursor = s_cursor (exec, view->rows [count - 1]);
    }
}

uint64_t
dp_page_elements_mask (const plan_field_t *pf)
{
    uint64_t mask = 0;
    for (size_t v = 0; v < pf->child->n_variants; v++)
        for (size_t f = 0; f < pf->child->variants [v].n_fields; f++)
            if (pf->child->variants [v].fields [f].bind->children == dp_page_elements)
                mask |= pf->child->variants [v].fields [f].child_mask;
    return mask;
}

//  -------------------------------------------------------------------------
//  Gathering an id page: every row of the list loader under the page's keys,
//  those the field's keep filter (its filterInput) lets through, cut as
//  paginationInput says.

static id_page_t *
s_id_page_new (dp_exec_t *exec, const plan_field_t *pf, dp_loader_id_t loader)
{
    id_page_t *page = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *page);
    page->page.type = dp_type_ref_named (pf->field->type);
    page->page.synthetic = page;
    page->loader = loader;
    return page;
}

//  Ask for the rows under every key with the columns the elements' fields
//  and the filter read.
static void
s_id_page_need (dp_exec_t *exec, const plan_field_t *pf, const id_page_t *page)
{
    const dp_binding_t *bind = pf->bind;
    uint64_t mask = 1 | (bind->keep_columns ? bind->keep_columns (pf) : bind->keep_mask);
    if (bind->authz.kind == AUTHZ_FILTER_BASE)
        mask |= (uint64_t) 1 << bind->authz.base_column;
    mask |= dp_page_elements_mask (pf);
    for (size_t k = 0; k < page->n_keys; k++)
        dp_exec_need (exec, page->loader, page->keys [k], mask);
}

//  Once the rows are in: filter and cut. False when the page failed.
static bool
s_id_page_fill (dp_exec_t *exec, const plan_field_t *pf, id_page_t *page)
{
    if (page->failed)
        return false;
    size_t total = 0;
    for (size_t k = 0; k < page->n_keys; k++) {
        row_t **rows;
        total += dp_exec_cached_rows (exec, page->loader, page->keys [k], &rows);
    }
    row_t **all = dp_arena_alloc (dp_exec_arena (exec), (total + 1) * sizeof (row_t *));
    size_t n = 0;
    keep_fn_t keep = pf->bind->keep;
    const authz_t *authz = &pf->bind->authz;
    for (size_t k = 0; k < page->n_keys; k++) {
        row_t **rows;
        size_t count = dp_exec_cached_rows (exec, page->loader, page->keys [k], &rows);
        for (size_t r = 0; r < count; r++) {
            char denied [80];
            if (authz->kind == AUTHZ_FILTER_BASE
            &&  !dp_authz_base (dp_exec_authz (exec), authz->permission,
                                row_int (rows [r], authz->base_column), denied, sizeof denied))
                continue;
            if (!keep || keep (pf, rows [r]))
                all [n++] = rows [r];
        }
    }
    s_cut (exec, pf, page, all, n);
    return !page->failed;
}

static int
s_id_page_write (dp_exec_t *exec, const plan_field_t *pf, id_page_t *page)
{
    if (page->failed) {
        dp_exec_field_error (exec, pf, page->code, page->description, "%s", page->description);
        return -1;
    }
    return dp_exec_write_children (exec, pf, &page->page, 1, false);
}

//  -------------------------------------------------------------------------
//  Root pages (Query.products, Query.beneficiaries): the rows of every base
//  the user holds bind->authz.permission for (god: every row, through
//  bind->all_loader), or of the baseId argument's base among them when the
//  field has one. Rows of a base come from bind->loader.

void
dp_id_page_root_collect (dp_exec_t *exec, plan_field_t *pf)
{
    const dp_binding_t *bind = pf->bind;
    dp_arena_t *arena = dp_exec_arena (exec);
    id_page_t *page = s_id_page_new (exec, pf, bind->loader);
    pf->root_state = page;
    const input_t *base = input_field (pf->args, "baseId");
    int64_t base_id = -1;
    if (base && base->kind == IN_STRING) {
        const char *text = dp_input_text (base);
        char *end = NULL;
        base_id = text ? strtoll (text, &end, 10) : -1;
        if (!text || *end || end == text || base_id < 0) {
            s_page_fail (exec, page, "BAD_USER_INPUT", "Invalid base id.");
            return;
        }
    }
    dp_authz_t *authz = dp_exec_authz (exec);
    if (authz->identity->god && base_id < 0) {
        page->loader = bind->all_loader;
        page->keys = dp_arena_calloc (arena, 1, sizeof (int64_t));
        page->n_keys = 1;
    }
    else
    if (base_id >= 0) {
        char denied [80];
        page->keys = dp_arena_alloc (arena, sizeof (int64_t));
        page->keys [0] = base_id;
        page->n_keys = dp_authz_base (authz, bind->authz.permission, base_id, denied, sizeof denied) ? 1 : 0;
    }
    else {
        const dp_permission_t *grant = dp_authz_permission (authz, bind->authz.permission);
        page->n_keys = grant ? grant->n_base_ids : 0;
        page->keys = dp_arena_alloc (arena, (page->n_keys + 1) * sizeof (int64_t));
        for (size_t k = 0; k < page->n_keys; k++)
            page->keys [k] = grant->base_ids [k];
    }
    s_id_page_need (exec, pf, page);
}

void
dp_id_page_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children)
{
    id_page_t *page = pf->root_state;
    *n_children = 0;
    if (!s_id_page_fill (exec, pf, page))
        return;
    *children = &page->page;
    *n_children = 1;
}

int
dp_id_page_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    return s_id_page_write (exec, pf, pf->root_state);
}

//  -------------------------------------------------------------------------
//  Pages under an object (Base.beneficiaries): the rows of bind->loader
//  under the object's bind->column, when the user holds the permission for
//  the base in bind->authz.base_column (else FORBIDDEN, as boxtribute's
//  authorize). The page is made from the cached rows where it is needed:
//  once as the wave descends, once as it is written.

static id_page_t *
s_parent_page (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj, char *denied, size_t len)
{
    const dp_binding_t *bind = pf->bind;
    id_page_t *page = s_id_page_new (exec, pf, bind->loader);
    dp_authz_t *authz = dp_exec_authz (exec);
    if (bind->authz.kind == AUTHZ_FILTER_BASE) {
        if (!dp_authz_any_base (authz, bind->authz.permission)) {
            snprintf (denied, len, "%s", bind->authz.permission);
            return NULL;
        }
    }
    else
    if (!dp_authz_base (authz, bind->authz.permission,
                        row_int (obj->row, bind->authz.base_column), denied, len))
        return NULL;
    page->keys = dp_arena_alloc (dp_exec_arena (exec), sizeof (int64_t));
    page->keys [0] = row_int (obj->row, bind->column);
    page->n_keys = row_is_nil (obj->row, bind->column) ? 0 : 1;
    return page;
}

void
dp_id_page_parent_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    char denied [80];
    id_page_t *page = s_parent_page (exec, pf, obj, denied, sizeof denied);
    if (page)
        s_id_page_need (exec, pf, page);
}

void
dp_id_page_parent_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                            obj_t **children, size_t *n_children)
{
    char denied [80];
    id_page_t *page = s_parent_page (exec, pf, obj, denied, sizeof denied);
    *n_children = 0;
    if (!page || !s_id_page_fill (exec, pf, page))
        return;
    *children = &page->page;
    *n_children = 1;
}

int
dp_id_page_parent_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    char denied [80];
    id_page_t *page = s_parent_page (exec, pf, obj, denied, sizeof denied);
    if (!page)
        return dp_exec_forbidden (exec, pf, denied);
    s_id_page_fill (exec, pf, page);
    return s_id_page_write (exec, pf, page);
}

//  -------------------------------------------------------------------------
//  Selftest: cursors as boxtribute writes them (base64 of the id as eight
//  digits, graph_ql/pagination.py), and cursors that are not ours. The
//  pages themselves: tests/integration/test_beneficiaries.py.

void
dp_page_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_page: ");
    dp_exec_env_t env = { .max_page_size = 100 };
    dp_exec_t *exec = dp_exec_new (&env);
    dp_val_t cells [1] = { { .type = DP_VAL_INT, .u.i = 42 } };
    row_t row = { .cells = cells };
    assert (strcmp (s_cursor (exec, &row), "MDAwMDAwNDI=") == 0);
    cells [0].u.i = 123456789;
    assert (strcmp (s_cursor (exec, &row), "MTIzNDU2Nzg5") == 0);
    int64_t id = 0;
    assert (s_cursor_id (exec, "MDAwMDAwNDI=", &id) && id == 42);
    assert (s_cursor_id (exec, "MTIzNDU2Nzg5", &id) && id == 123456789);
    const char *foreign [] = { "", "42", "YWJj" /* abc */, "LTE=" /* -1 */, "MTJh" /* 12a */ };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign [0]; i++)
        assert (!s_cursor_id (exec, foreign [i], &id));
    dp_exec_destroy (&exec);
    printf ("OK\n");
}
