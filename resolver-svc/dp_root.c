/*  =========================================================================
    dp_root - root fields: Query.boxes and the BoxPage it returns

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Query.boxes(baseId, paginationInput, filterInput): the page of a base's
    boxes, newest change first (stock.modified DESC, id DESC), with keyset
    cursors over that order, so paging never skips or repeats a box
    (API.md section 4). totalCount and hasPreviousPage run their own
    statements, and only when selected.
@discuss
    In wave 0 the collect hook checks stock:read for the base, coerces the
    filter to typed QUERY arguments and sends up to three QUERYs (page,
    count, previous probe). Their answers fill a boxes_state_t; the
    BoxPage and PageInfo objects are synthetic views of that state, and
    BoxPage.elements hands the page's stock rows to the next wave.
    Cursors are base64 of "<modified>|<id>" (modified empty when NULL):
    opaque to clients, exact for the keyset.

    Covered by tests/integration/test_manage_boxes.py (boxes, its pages
    and statement count).
@end
*/
#include "dp_root.h"
#include "dp_exec_hooks.h"
#include "dp_page.h"
#include "dp_authz.h"
#include "dp_base64.h"
#include "dp_box_filter.h"
#include "dp_box_access.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>

typedef struct {
    page_view_t view;           //  first: the BoxPage's rows, total and PageInfo
    bool failed;
    const char *code;           //  extensions.code of the error
    char *description;
    obj_t page;                 //  the BoxPage object (synthetic = this state)
    int64_t first;              //  page size asked for
    bool after_given;
    bool backward;              //  last/before: the page ends just before the cursor
} boxes_state_t;

static void
s_fail (boxes_state_t *state, dp_exec_t *exec, const char *code, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_fail (boxes_state_t *state, dp_exec_t *exec, const char *code, const char *fmt, ...)
{
    if (state->failed)
        return;
    char text [300];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    state->failed = true;
    state->code = code;
    state->description = dp_arena_strdup (dp_exec_arena (exec), text);
}

static dp_val_t
s_int (int64_t value)
{
    dp_val_t v = { .type = DP_VAL_INT, .u.i = value };
    return v;
}

static dp_val_t
s_nil (void)
{
    dp_val_t v = { .type = DP_VAL_NIL };
    return v;
}

//  A str argument of len bytes (a label may hold a NUL: it is then a
//  label no box has).
static dp_val_t
s_str (dp_arena_t *arena, const char *s, size_t len)
{
    dp_val_t v = { .type = DP_VAL_STR };
    v.u.s.ptr = dp_arena_strndup (arena, s, len);
    v.u.s.len = (uint32_t) len;
    return v;
}

//  The plan fields under BoxPage / PageInfo that ask for something.
static bool
s_selects (const plan_node_t *node, write_fn_t write, children_fn_t children)
{
    if (!node)
        return false;
    for (size_t v = 0; v < node->n_variants; v++)
        for (size_t f = 0; f < node->variants [v].n_fields; f++) {
            const plan_field_t *pf = &node->variants [v].fields [f];
            if ((write && pf->bind->write == write) || (children && pf->bind->children == children))
                return true;
            if (pf->bind->children == dp_page_info && s_selects (pf->child, write, children))
                return true;
        }
    return false;
}

static uint64_t
s_elements_mask (const plan_node_t *node)
{
    uint64_t mask = 1;
    for (size_t v = 0; v < node->n_variants; v++)
        for (size_t f = 0; f < node->variants [v].n_fields; f++) {
            const plan_field_t *pf = &node->variants [v].fields [f];
            if (pf->bind->children == dp_page_elements)
                mask |= pf->child_mask;
        }
    return mask;
}

//  The PageInfo cursors of a boxes page: keyset cursors over (modified, id).
static const char *
s_cursor (dp_exec_t *exec, const row_t *row)
{
    const dp_val_t *modified = &row->cells [DP_COL_stock_modified];
    char text [64];
    int len = snprintf (text, sizeof text, "%s|%lld",
                        modified->type == DP_VAL_STR ? modified->u.s.ptr : "",
                        (long long) row_int (row, DP_COL_stock_id));
    return dp_base64_encode (dp_exec_arena (exec), text, (size_t) len);
}

static void
s_page_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    boxes_state_t *state = slot;
    if (!rows) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "%s", error);
        return;
    }
    const dp_catalog_entry_t *entry = dp_catalog_loader (DP_LOADER_stock_by_id);
    uint64_t mask = s_elements_mask (pf->child) | ((uint64_t) 1 << DP_COL_stock_modified);
    size_t n = rows->u.rows.n_rows;
    bool more = (int64_t) n > state->first;
    if (more)
        n = (size_t) state->first;
    state->view.rows = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof (row_t *));
    for (size_t r = 0; r < n; r++) {
        //  Backwards the rows came nearest-to-the-cursor first: reverse them.
        size_t at = state->backward ? n - 1 - r : r;
        state->view.rows [at] = dp_exec_make_row (exec, entry, mask,
                                             rows->u.rows.cells + r * rows->u.rows.n_cols,
                                             rows->u.rows.n_cols);
    }
    state->view.n_rows = n;
    state->view.info.start_cursor = n ? s_cursor (exec, state->view.rows [0]) : "";
    state->view.info.end_cursor = n ? s_cursor (exec, state->view.rows [n - 1]) : "";
    if (state->backward) {
        state->view.info.has_previous = more;
        state->view.info.has_next = true;         //  the `before` box itself follows
    }
    else
        state->view.info.has_next = more;
}

static void
s_count_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    boxes_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "%s", error ? error : "bad count answer");
        return;
    }
    state->view.total = rows->u.rows.cells [0].u.i;
}

static void
s_previous_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    boxes_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "%s", error ? error : "bad probe answer");
        return;
    }
    state->view.info.has_previous = rows->u.rows.cells [0].u.i != 0;
}

//  Decode an `after` cursor into (modified, id); false when malformed.
static bool
s_decode_cursor (dp_arena_t *arena, const char *cursor, char **modified, int64_t *id)
{
    size_t len;
    char *text = dp_base64_decode (arena, cursor, &len);
    if (!text)
        return false;
    char *bar = memchr (text, '|', len);
    if (!bar)
        return false;
    *bar = 0;
    errno = 0;
    char *end;
    long long parsed = strtoll (bar + 1, &end, 10);
    if (errno || *end || parsed < 0 || end == bar + 1)
        return false;
    *id = parsed;
    *modified = text [0] ? text : NULL;
    return !*modified || strlen (*modified) == 25;
}

void
dp_root_boxes_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    boxes_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    const dp_type_t *page_type = dp_type_ref_named (pf->field->type);
    state->page.type = page_type;
    state->page.synthetic = state;
    int64_t base_id;
    if (!dp_input_id (input_field (pf->args, "baseId"), &base_id)) {
        s_fail (state, exec, "BAD_USER_INPUT", "Invalid base id.");
        return;
    }
    char denied [120];
    if (!dp_authz_base (dp_exec_authz (exec), "stock:read", base_id, denied, sizeof denied)) {
        s_fail (state, exec, "FORBIDDEN", "You don't have access to '%s'", denied);
        return;
    }
    //  Pagination: forwards from `after` (`first` boxes), as boxtribute does
    //  when first or after is given or nothing is; else backwards, the `last`
    //  boxes before `before` (which is then required).
    const input_t *pagination = input_field (pf->args, "paginationInput");
    const input_t *first = input_field (pagination, "first");
    const input_t *after = input_field (pagination, "after");
    const input_t *last = input_field (pagination, "last");
    const input_t *before = input_field (pagination, "before");
    bool given_first = first && first->kind == IN_INT, given_after = after && after->kind == IN_STRING;
    bool given_last = last && last->kind == IN_INT, given_before = before && before->kind == IN_STRING;
    state->backward = !given_first && !given_after && (given_last || given_before);
    if (state->backward && !given_before) {
        s_fail (state, exec, "BAD_USER_INPUT", "Invalid pagination input: missing 'before' field.");
        return;
    }
    const input_t *page_size = state->backward ? last : first;
    state->first = page_size && page_size->kind == IN_INT ? page_size->i : 50;
    if (state->first < 0) {
        s_fail (state, exec, "BAD_USER_INPUT", "Invalid pagination input: '%s' must not be negative.",
                state->backward ? "last" : "first");
        return;
    }
    if (state->first > dp_exec_max_page_size (exec))
        state->first = dp_exec_max_page_size (exec);
    char *after_modified = NULL;
    int64_t after_id = 0;
    const input_t *cursor = state->backward ? before : after;
    if (cursor && cursor->kind == IN_STRING) {
        if (!dp_input_text (cursor) || !s_decode_cursor (arena, cursor->s, &after_modified, &after_id)) {
            s_fail (state, exec, "BAD_USER_INPUT", "Invalid pagination input: malformed '%s' cursor.",
                    state->backward ? "before" : "after");
            return;
        }
        state->after_given = true;
    }
    //  Filter, as db-svc's positional filter array.
    dp_box_filter_t filter;
    dp_box_filter_read (input_field (pf->args, "filterInput"), &filter);
    dp_val_t filter_value = dp_box_filter_args (arena, &filter);

    dp_val_t *args = dp_arena_calloc (arena, 6, sizeof (dp_val_t));
    args [0] = s_int (base_id);
    args [1] = filter_value;
    args [2] = s_int (state->first + 1);    //  one more tells whether a further page exists
    args [3] = after_modified ? s_str (arena, after_modified, strlen (after_modified)) : s_nil ();
    args [4] = state->after_given ? s_int (after_id) : s_nil ();
    args [5] = s_int (state->backward);
    args [5].type = DP_VAL_BOOL;
    uint64_t columns = s_elements_mask (pf->child) | ((uint64_t) 1 << DP_COL_stock_modified);
    dp_exec_query (exec, DP_QUERY_boxes_page, columns, args, 6, pf, state, s_page_done);
    if (s_selects (pf->child, dp_page_total_count, NULL))
        dp_exec_query (exec, DP_QUERY_boxes_count, 0, args, 5, pf, state, s_count_done);
    //  Forwards, a previous page exists when a box comes before `after`;
    //  backwards the page query itself tells (it asked for one more).
    if (!state->backward && state->after_given && s_selects (pf->child, dp_page_has_previous, NULL))
        dp_exec_query (exec, DP_QUERY_boxes_has_previous, 0, args, 5, pf, state, s_previous_done);
}

void
dp_root_boxes_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                        obj_t **children, size_t *n_children)
{
    boxes_state_t *state = pf->root_state;
    if (state->failed) {
        *n_children = 0;
        return;
    }
    *children = &state->page;
    *n_children = 1;
}

int
dp_root_boxes_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    boxes_state_t *state = pf->root_state;
    if (state->failed) {
        dp_exec_field_error (exec, pf, state->code, state->description, "%s", state->description);
        return -1;
    }
    return dp_exec_write_children (exec, pf, &state->page, 1, false);
}

//  -------------------------------------------------------------------------
//  Query.box(labelIdentifier): one box by its label, visible as
//  dp_box_access says (deleted boxes too, as boxtribute answers).

typedef struct {
    bool failed;
    const char *code;
    char *description;
    row_t *row;                 //  the box, or NULL when no box has the label
    obj_t box;
    dp_exec_chains_t chains;    //  its reads sent with the lookup
} box_state_t;

static void
s_box_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    box_state_t *state = slot;
    if (!rows) {
        state->failed = true;
        state->code = "INTERNAL_SERVER_ERROR";
        state->description = dp_arena_strdup (dp_exec_arena (exec), error);
        return;
    }
    if (rows->u.rows.n_rows == 1)
        state->row = dp_exec_make_row (exec, dp_catalog_loader (DP_LOADER_stock_by_id),
                                       pf->child_mask | 1, rows->u.rows.cells, rows->u.rows.n_cols);
}

void
dp_root_box_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    box_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    const input_t *label = input_field (pf->args, "labelIdentifier");
    dp_val_t *args = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    bool given = label && label->kind == IN_STRING;
    args [0] = s_str (arena, given ? label->s : "", given ? label->len : 0);
    dp_exec_query (exec, DP_QUERY_box_by_label,
                   pf->child_mask | 1, args, 1, pf, state, s_box_done);
    //  Who may see it, and what is keyed by it, go with the lookup.
    dp_exec_chains_add (&state->chains, DP_LOADER_box_access_by_box, DP_COL_stock_id,
                        dp_box_access_columns ());
    if (pf->child)
        dp_exec_chains_collect (exec, pf->child, &state->chains);
    dp_exec_chains_send (exec, &state->chains, DP_QUERY_box_by_label, args [0].u.s.ptr, args [0].u.s.len);
}

void
dp_root_box_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                      obj_t **children, size_t *n_children)
{
    box_state_t *state = pf->root_state;
    *n_children = 0;
    if (state->failed || !state->row)
        return;
    dp_exec_chains_file (exec, &state->chains, state->row);
    //  Who may see it is loaded with the box's fields (if it was not with
    //  the lookup).
    dp_exec_need (exec, DP_LOADER_box_access_by_box, row_int (state->row, DP_COL_stock_id),
                  dp_box_access_columns ());
    state->box.type = dp_type_ref_named (pf->field->type);
    state->box.row = state->row;
    *children = &state->box;
    *n_children = 1;
}

int
dp_root_box_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    box_state_t *state = pf->root_state;
    if (state->failed) {
        dp_exec_field_error (exec, pf, state->code, state->description, "%s", state->description);
        return -1;
    }
    if (!state->row)
        return dp_exec_not_found (exec, pf);
    const row_t *access = dp_exec_cached_row (exec, DP_LOADER_box_access_by_box,
                                              &state->row->cells [DP_COL_stock_id]);
    char denied [80] = "stock:read";
    box_access_t verdict = access ? dp_box_access (exec, access, denied, sizeof denied)
                                  : BOX_ACCESS_NO_PERMISSION;    //  a box outside every location
    if (verdict == BOX_ACCESS_NOT_FOUND)
        return dp_exec_not_found (exec, pf);
    if (verdict != BOX_ACCESS_GRANTED)
        return dp_exec_forbidden (exec, pf, denied);
    return dp_exec_write_children (exec, pf, &state->box, 1, false);
}
