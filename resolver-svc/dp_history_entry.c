/*  =========================================================================
    dp_history_entry - Box.history's entries: their order and their messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_history_entry.h"
#include "dp_exec_hooks.h"
#include "dp_catalog.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_COL(name) DP_COL_history_entry_##name

//  What a label_kind names: the loader of its rows, the column read, and the
//  words around the two names (boxtribute's texts).
typedef struct {
    dp_loader_id_t loader;
    int column;
    const char *before, *middle, *after;
} label_text_t;

static const label_text_t s_texts [] = {
    [1] = { DP_LOADER_locations_by_id, DP_COL_locations_label, "changed box location from ", " to ", "" },
    [2] = { DP_LOADER_products_by_id, DP_COL_products_name, "changed product type from ", " to ", "" },
    [3] = { DP_LOADER_sizes_by_id, DP_COL_sizes_label, "changed size from ", " to ", "" },
    [4] = { DP_LOADER_units_by_id, DP_COL_units_symbol, "changed unit from ", " to ", "" },
    [5] = { DP_LOADER_tags_by_id, DP_COL_tags_label, "", "", "" },    //  a tag: by kind
};
#define S_KINDS (sizeof s_texts / sizeof s_texts [0])

static const label_text_t *
s_text_of (const row_t *row)
{
    int64_t kind = row_int (row, S_COL (label_kind));
    return kind > 0 && (size_t) kind < S_KINDS ? &s_texts [kind] : NULL;
}

uint64_t
dp_history_entry_columns (void)
{
    return ((uint64_t) 1 << S_COL (message)) | ((uint64_t) 1 << S_COL (label_kind))
         | ((uint64_t) 1 << S_COL (from_id)) | ((uint64_t) 1 << S_COL (to_id))
         | ((uint64_t) 1 << S_COL (kind));
}

//  -------------------------------------------------------------------------
//  Order: sort_date descending (nil lowest, as MariaDB orders NULL), then
//  kind, then ord, ascending.

static int
s_compare_cells (const dp_val_t *a, const dp_val_t *b)
{
    if (a->type != DP_VAL_STR || b->type != DP_VAL_STR)
        return (a->type == DP_VAL_STR) - (b->type == DP_VAL_STR);
    uint32_t len = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int order = memcmp (a->u.s.ptr, b->u.s.ptr, len);
    return order ? order : (a->u.s.len > b->u.s.len) - (a->u.s.len < b->u.s.len);
}

static int
s_compare_entries (const void *left, const void *right)
{
    const row_t *a = *(row_t *const *) left, *b = *(row_t *const *) right;
    int order = s_compare_cells (&b->cells [S_COL (sort_date)], &a->cells [S_COL (sort_date)]);
    if (order)
        return order;
    int64_t x = row_int (a, S_COL (kind)), y = row_int (b, S_COL (kind));
    if (x != y)
        return x < y ? -1 : 1;
    x = row_int (a, S_COL (ord));
    y = row_int (b, S_COL (ord));
    return (x > y) - (x < y);
}

void
dp_history_entry_order (row_t **rows, size_t n)
{
    if (n > 1)
        qsort (rows, n, sizeof *rows, s_compare_entries);
}

//  -------------------------------------------------------------------------
//  Messages

void
dp_history_entry_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const label_text_t *text = s_text_of (obj->row);
    if (!text)
        return;
    uint64_t mask = ((uint64_t) 1 << text->column) | 1;
    if (!row_is_nil (obj->row, S_COL (from_id)))
        dp_exec_need (exec, text->loader, row_int (obj->row, S_COL (from_id)), mask);
    if (text->loader != DP_LOADER_tags_by_id && !row_is_nil (obj->row, S_COL (to_id)))
        dp_exec_need (exec, text->loader, row_int (obj->row, S_COL (to_id)), mask);
}

//  The label a row names, or NULL when the id is nil, names no row, or the
//  row's label is null (boxtribute's CONCAT is then null).
static const dp_val_t *
s_label (dp_exec_t *exec, const label_text_t *text, const dp_val_t *id)
{
    if (id->type != DP_VAL_INT)
        return NULL;
    const row_t *row = dp_exec_cached_row (exec, text->loader, id);
    const dp_val_t *label = row ? &row->cells [text->column] : NULL;
    return label && label->type == DP_VAL_STR ? label : NULL;
}

static char *
s_append (char *p, const char *bytes, size_t len)
{
    memcpy (p, bytes, len);
    return p + len;
}

//  before + first + middle + second + after, into the arena.
static void
s_write_joined (dp_exec_t *exec, const char *before, const dp_val_t *first, const char *middle,
                const dp_val_t *second, const char *after)
{
    size_t len = strlen (before) + first->u.s.len + strlen (middle)
               + (second ? second->u.s.len : 0) + strlen (after);
    char *text = dp_arena_alloc (dp_exec_arena (exec), len + 1), *p = text;
    p = s_append (p, before, strlen (before));
    p = s_append (p, first->u.s.ptr, first->u.s.len);
    p = s_append (p, middle, strlen (middle));
    if (second)
        p = s_append (p, second->u.s.ptr, second->u.s.len);
    p = s_append (p, after, strlen (after));
    *p = 0;
    dp_json_writer_string (dp_exec_out (exec), text, len);
}

int
dp_history_entry_changes (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    (void) pf;
    const row_t *row = obj->row;
    const dp_val_t *message = &row->cells [S_COL (message)];
    const label_text_t *text = s_text_of (row);
    if (!text) {
        if (message->type != DP_VAL_STR)
            return 0;
        dp_json_writer_string (dp_exec_out (exec), message->u.s.ptr, message->u.s.len);
        return 1;
    }
    const dp_val_t *from = s_label (exec, text, &row->cells [S_COL (from_id)]);
    if (!from)
        return 0;
    if (text->loader == DP_LOADER_tags_by_id) {
        bool removed = row_int (row, S_COL (kind)) == 2;
        s_write_joined (exec, removed ? "removed tag '" : "assigned tag '", from, "", NULL,
                        removed ? "' from box" : "' to box");
        return 1;
    }
    const dp_val_t *to = s_label (exec, text, &row->cells [S_COL (to_id)]);
    if (!to)
        return 0;
    s_write_joined (exec, text->before, from, text->middle, to, text->after);
    return 1;
}

//  -------------------------------------------------------------------------
//  Selftest: the order.

static row_t
s_entry (dp_val_t *cells, const char *date, int64_t kind, int64_t ord)
{
    cells [S_COL (sort_date)] = row_text_cell (date);
    cells [S_COL (kind)] = (dp_val_t) { .type = DP_VAL_INT, .u.i = kind };
    cells [S_COL (ord)] = (dp_val_t) { .type = DP_VAL_INT, .u.i = ord };
    return (row_t) { .cells = cells };
}

void
dp_history_entry_test (bool verbose)
{
    if (verbose)
        printf (" * dp_history_entry: ");
    dp_val_t cells [6][DP_COL_history_entry_ord + 1];
    memset (cells, 0, sizeof cells);
    row_t entries [6] = {
        s_entry (cells [0], NULL, 0, -1),                      //  no date: last
        s_entry (cells [1], "2024-01-01 09:00:00", 2, 7),       //  removal
        s_entry (cells [2], "2024-01-01 09:00:00", 0, -9),      //  history row 9
        s_entry (cells [3], "2024-01-01 09:00:00", 0, -3),      //  history row 3
        s_entry (cells [4], "2024-01-02 08:00:00", 1, 5),       //  newest
        s_entry (cells [5], "0000-00-00 00:00:00", 1, 1),       //  a zero date: before nil
    };
    row_t *rows [6];
    for (size_t i = 0; i < 6; i++)
        rows [i] = &entries [i];
    dp_history_entry_order (rows, 6);
    const row_t *expected [6] = { &entries [4], &entries [2], &entries [3], &entries [1],
                                  &entries [5], &entries [0] };
    for (size_t i = 0; i < 6; i++)
        assert (rows [i] == expected [i]);
    if (verbose)
        printf ("OK\n");
}
