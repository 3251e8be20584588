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
@end
*/
#include "dp_root.h"
#include "dp_authz.h"
#include "dp_base64.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>

#define FILTER_FIELDS 9

typedef struct {
    bool failed;
    const char *code;           //  extensions.code of the error
    char *description;
    obj_t page;                 //  the BoxPage object (synthetic = this state)
    obj_t info;                 //  the PageInfo object
    row_t **rows;               //  the page's boxes
    size_t n_rows;
    int64_t first;              //  page size asked for
    bool has_next;
    bool has_previous;
    int64_t total;
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

static dp_val_t
s_str (dp_arena_t *arena, const char *s)
{
    dp_val_t v = { .type = DP_VAL_STR };
    v.u.s.ptr = dp_arena_strdup (arena, s);
    v.u.s.len = (uint32_t) strlen (s);
    return v;
}

//  A list argument of ints; map (may be NULL) turns each item into the DB
//  id. Absent or null gives nil.
static dp_val_t
s_int_list (dp_arena_t *arena, const input_t *list, int64_t (*map) (const input_t *))
{
    if (!list || list->kind != IN_LIST)
        return s_nil ();
    dp_val_t v = { .type = DP_VAL_ARRAY };
    v.u.a.count = (uint32_t) list->n_items;
    v.u.a.items = dp_arena_calloc (arena, list->n_items + 1, sizeof (dp_val_t));
    for (size_t i = 0; i < list->n_items; i++)
        v.u.a.items [i] = s_int (map ? map (list->items [i]) : list->items [i]->i);
    return v;
}

static int64_t
s_box_state_id (const input_t *value)
{
    return dp_mapping_box_state_id (value->s);
}

static int64_t
s_gender_id (const input_t *value)
{
    return dp_mapping_gender_id (value->s);
}

//  A one-item list from a scalar argument (productId → productIds).
static dp_val_t
s_merge_single (dp_arena_t *arena, dp_val_t list, const input_t *single, int64_t (*map) (const input_t *))
{
    if (!single || single->kind == IN_NULL)
        return list;
    int64_t value = map ? map (single) : single->i;
    dp_val_t v = { .type = DP_VAL_ARRAY };
    uint32_t n = list.type == DP_VAL_ARRAY ? list.u.a.count : 0;
    v.u.a.items = dp_arena_calloc (arena, n + 2, sizeof (dp_val_t));
    for (uint32_t i = 0; i < n; i++)
        v.u.a.items [i] = list.u.a.items [i];
    v.u.a.items [n] = s_int (value);
    v.u.a.count = n + 1;
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
    state->rows = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof (row_t *));
    for (size_t r = 0; r < n; r++) {
        //  Backwards the rows came nearest-to-the-cursor first: reverse them.
        size_t at = state->backward ? n - 1 - r : r;
        state->rows [at] = dp_exec_make_row (exec, entry, mask,
                                             rows->u.rows.cells + r * rows->u.rows.n_cols,
                                             rows->u.rows.n_cols);
    }
    state->n_rows = n;
    if (state->backward) {
        state->has_previous = more;
        state->has_next = true;         //  the `before` box itself follows
    }
    else
        state->has_next = more;
}

static void
s_count_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    boxes_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "%s", error ? error : "bad count answer");
        return;
    }
    state->total = rows->u.rows.cells [0].u.i;
}

static void
s_previous_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    boxes_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT) {
        s_fail (state, exec, "INTERNAL_SERVER_ERROR", "%s", error ? error : "bad probe answer");
        return;
    }
    state->has_previous = rows->u.rows.cells [0].u.i != 0;
}

//  Parse an ID argument as a positive database id.
static bool
s_parse_id (const input_t *value, int64_t *id)
{
    if (!value || value->kind != IN_STRING || !value->s [0])
        return false;
    errno = 0;
    char *end;
    long long parsed = strtoll (value->s, &end, 10);
    if (errno || *end || parsed < 0)
        return false;
    *id = parsed;
    return true;
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
    if (!s_parse_id (input_field (pf->args, "baseId"), &base_id)) {
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
        if (!s_decode_cursor (arena, cursor->s, &after_modified, &after_id)) {
            s_fail (state, exec, "BAD_USER_INPUT", "Invalid pagination input: malformed '%s' cursor.",
                    state->backward ? "before" : "after");
            return;
        }
        state->after_given = true;
    }
    //  Filter, as db-svc's positional filter array.
    const input_t *filter = input_field (pf->args, "filterInput");
    dp_val_t *filter_items = dp_arena_calloc (arena, FILTER_FIELDS, sizeof (dp_val_t));
    filter_items [0] = s_int_list (arena, input_field (filter, "states"), s_box_state_id);
    filter_items [1] = s_int_list (arena, input_field (filter, "locationIds"), NULL);
    const input_t *from = input_field (filter, "lastModifiedFrom");
    const input_t *until = input_field (filter, "lastModifiedUntil");
    filter_items [2] = from && from->kind == IN_STRING ? s_str (arena, from->s) : s_nil ();
    filter_items [3] = until && until->kind == IN_STRING ? s_str (arena, until->s) : s_nil ();
    filter_items [4] = s_merge_single (arena, s_int_list (arena, input_field (filter, "productGenders"), s_gender_id),
                                       input_field (filter, "productGender"), s_gender_id);
    filter_items [5] = s_merge_single (arena, s_int_list (arena, input_field (filter, "productCategoryIds"), NULL),
                                       input_field (filter, "productCategoryId"), NULL);
    filter_items [6] = s_merge_single (arena, s_int_list (arena, input_field (filter, "productIds"), NULL),
                                       input_field (filter, "productId"), NULL);
    const input_t *size = input_field (filter, "sizeId");
    filter_items [7] = size && size->kind == IN_INT ? s_int (size->i) : s_nil ();
    filter_items [8] = s_int_list (arena, input_field (filter, "tagIds"), NULL);
    //  Empty lists mean "no filter" (API.md section 4), tagIds included.
    for (int i = 0; i < FILTER_FIELDS; i++)
        if (filter_items [i].type == DP_VAL_ARRAY && filter_items [i].u.a.count == 0)
            filter_items [i] = s_nil ();
    dp_val_t filter_value = { .type = DP_VAL_ARRAY };
    filter_value.u.a.items = filter_items;
    filter_value.u.a.count = FILTER_FIELDS;

    dp_val_t *args = dp_arena_calloc (arena, 6, sizeof (dp_val_t));
    args [0] = s_int (base_id);
    args [1] = filter_value;
    args [2] = s_int (state->first + 1);    //  one more tells whether a further page exists
    args [3] = after_modified ? s_str (arena, after_modified) : s_nil ();
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
//  BoxPage and PageInfo

void
dp_page_elements (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                  obj_t **children, size_t *n_children)
{
    boxes_state_t *state = obj->synthetic;
    const dp_type_t *box = dp_type_ref_named (pf->field->type);
    obj_t *objs = dp_arena_calloc (dp_exec_arena (exec), state->n_rows + 1, sizeof (obj_t));
    for (size_t i = 0; i < state->n_rows; i++) {
        objs [i].type = box;
        objs [i].row = state->rows [i];
    }
    *children = objs;
    *n_children = state->n_rows;
}

//  The PageInfo of a boxes page, with its keyset cursors.
static void
s_cursor (dp_exec_t *exec, const row_t *row, const char **out)
{
    const dp_val_t *modified = &row->cells [DP_COL_stock_modified];
    char text [64];
    int len = snprintf (text, sizeof text, "%s|%lld",
                        modified->type == DP_VAL_STR ? modified->u.s.ptr : "",
                        (long long) row_int (row, DP_COL_stock_id));
    *out = dp_base64_encode (dp_exec_arena (exec), text, (size_t) len);
}

void
dp_page_info (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
              obj_t **children, size_t *n_children)
{
    boxes_state_t *state = obj->synthetic;
    page_info_t *info = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *info);
    info->has_next = state->has_next;
    info->has_previous = state->has_previous;
    info->start_cursor = info->end_cursor = "";
    if (state->n_rows) {
        s_cursor (exec, state->rows [0], &info->start_cursor);
        s_cursor (exec, state->rows [state->n_rows - 1], &info->end_cursor);
    }
    state->info.type = dp_type_ref_named (pf->field->type);
    state->info.synthetic = info;
    *children = &state->info;
    *n_children = 1;
}

int
dp_page_total_count (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    boxes_state_t *state = obj->synthetic;
    dp_json_writer_int (dp_exec_out (exec), state->total);
    return 1;
}

//  -------------------------------------------------------------------------
//  Query.box(labelIdentifier): one box by its label. Visible with stock:read
//  in the base of the box's location (boxtribute's authorize_for_accessing_box
//  also lets both ends of an active shipment see boxes in transit: not yet).

typedef struct {
    bool failed;
    const char *code;
    char *description;
    row_t *row;                 //  the box, or NULL when no box has the label
    obj_t box;
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
                                       pf->child_mask | ((uint64_t) 1 << DP_COL_stock_location_id),
                                       rows->u.rows.cells, rows->u.rows.n_cols);
}

void
dp_root_box_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    box_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    const input_t *label = input_field (pf->args, "labelIdentifier");
    dp_val_t *args = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    args [0] = s_str (arena, label && label->kind == IN_STRING ? label->s : "");
    dp_exec_query (exec, DP_QUERY_box_by_label,
                   pf->child_mask | ((uint64_t) 1 << DP_COL_stock_location_id), args, 1, pf, state,
                   s_box_done);
}

void
dp_root_box_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                      obj_t **children, size_t *n_children)
{
    box_state_t *state = pf->root_state;
    *n_children = 0;
    if (state->failed || !state->row)
        return;
    //  Its location's base decides who may see it: load it with the box's fields.
    dp_exec_need (exec, DP_LOADER_locations_by_id, row_int (state->row, DP_COL_stock_location_id),
                  (uint64_t) 1 << DP_COL_locations_camp_id);
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
    if (!state->row) {
        const char *text = "The requested resource does not exist in the database.";
        dp_exec_field_error (exec, pf, "BAD_USER_INPUT", text, "%s", text);
        return -1;
    }
    const row_t *location = dp_exec_cached_row (exec, DP_LOADER_locations_by_id,
                                                &state->row->cells [DP_COL_stock_location_id]);
    char denied [80];
    if (!location
    ||  !dp_authz_base (dp_exec_authz (exec), "stock:read", row_int (location, DP_COL_locations_camp_id),
                        denied, sizeof denied)) {
        char description [120];
        snprintf (description, sizeof description, "You don't have access to '%s'",
                  location ? denied : "stock:read");
        dp_exec_field_error (exec, pf, "FORBIDDEN", description, "%s", description);
        return -1;
    }
    return dp_exec_write_children (exec, pf, &state->box, 1, false);
}
