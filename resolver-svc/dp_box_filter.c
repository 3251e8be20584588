/*  =========================================================================
    dp_box_filter - FilterBoxInput, read once for SQL and for loaded rows

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Its selftest reads a filter and applies it; through Depot,
    tests/integration/test_manage_boxes.py and test_read_api.py
    (filterInput).
@end
*/
#include "dp_box_filter.h"
#include "dp_plan.h"
#include "dp_enums.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <assert.h>

#define BIT(col) ((uint64_t) 1 << DP_COL_stock_##col)

//  A list field, or NULL when absent, null or empty.
static const input_t *
s_list (const input_t *input, const char *name)
{
    const input_t *list = input_field (input, name);
    return list && list->kind == IN_LIST && list->n_items ? list : NULL;
}

static const input_t *
s_scalar (const input_t *input, const char *name, input_kind_t kind)
{
    const input_t *value = input_field (input, name);
    return value && value->kind == kind ? value : NULL;
}

void
dp_box_filter_read (const input_t *input, dp_box_filter_t *filter)
{
    memset (filter, 0, sizeof *filter);
    if (!input || input->kind != IN_OBJECT)
        return;
    filter->states = s_list (input, "states");
    filter->location_ids = s_list (input, "locationIds");
    const input_t *from = s_scalar (input, "lastModifiedFrom", IN_STRING);
    const input_t *until = s_scalar (input, "lastModifiedUntil", IN_STRING);
    filter->modified_from = from ? from->s : NULL;
    filter->modified_until = until ? until->s : NULL;
    filter->genders = s_list (input, "productGenders");
    filter->gender = s_scalar (input, "productGender", IN_ENUM);
    filter->category_ids = s_list (input, "productCategoryIds");
    filter->category_id = s_scalar (input, "productCategoryId", IN_INT);
    filter->product_ids = s_list (input, "productIds");
    filter->product_id = s_scalar (input, "productId", IN_INT);
    filter->size_id = s_scalar (input, "sizeId", IN_INT);
    filter->tag_ids = s_list (input, "tagIds");
}

//  -------------------------------------------------------------------------
//  For db-svc

typedef int64_t (*map_fn_t) (const input_t *value);

static int64_t s_int_of (const input_t *value) { return value->i; }
static int64_t s_state_of (const input_t *value) { return dp_enums_box_state_id (value->s); }
static int64_t s_gender_of (const input_t *value) { return dp_enums_gender_id (value->s); }

//  The items of `list` and the scalar `single` as one array of ids; nil
//  when both are absent.
static dp_val_t
s_ids (dp_arena_t *arena, const input_t *list, const input_t *single, map_fn_t map)
{
    dp_val_t value = { .type = DP_VAL_NIL };
    size_t n = (list ? list->n_items : 0) + (single ? 1 : 0);
    if (n == 0)
        return value;
    value.type = DP_VAL_ARRAY;
    value.u.a.items = dp_arena_calloc (arena, n, sizeof (dp_val_t));
    for (size_t i = 0; list && i < list->n_items; i++) {
        value.u.a.items [value.u.a.count].type = DP_VAL_INT;
        value.u.a.items [value.u.a.count++].u.i = map (list->items [i]);
    }
    if (single) {
        value.u.a.items [value.u.a.count].type = DP_VAL_INT;
        value.u.a.items [value.u.a.count++].u.i = map (single);
    }
    return value;
}

static dp_val_t
s_text (dp_arena_t *arena, const char *text)
{
    dp_val_t value = { .type = DP_VAL_NIL };
    if (text) {
        value.type = DP_VAL_STR;
        value.u.s.ptr = dp_arena_strdup (arena, text);
        value.u.s.len = (uint32_t) strlen (text);
    }
    return value;
}

dp_val_t
dp_box_filter_args (dp_arena_t *arena, const dp_box_filter_t *filter)
{
    enum { FIELDS = 9 };
    dp_val_t *items = dp_arena_calloc (arena, FIELDS, sizeof (dp_val_t));
    items [0] = s_ids (arena, filter->states, NULL, s_state_of);
    items [1] = s_ids (arena, filter->location_ids, NULL, s_int_of);
    items [2] = s_text (arena, filter->modified_from);
    items [3] = s_text (arena, filter->modified_until);
    items [4] = s_ids (arena, filter->genders, filter->gender, s_gender_of);
    items [5] = s_ids (arena, filter->category_ids, filter->category_id, s_int_of);
    items [6] = s_ids (arena, filter->product_ids, filter->product_id, s_int_of);
    if (filter->size_id) {
        items [7].type = DP_VAL_INT;
        items [7].u.i = filter->size_id->i;
    }
    items [8] = s_ids (arena, filter->tag_ids, NULL, s_int_of);
    dp_val_t value = { .type = DP_VAL_ARRAY };
    value.u.a.items = items;
    value.u.a.count = FIELDS;
    return value;
}

//  -------------------------------------------------------------------------
//  For loaded rows

uint64_t
dp_box_filter_columns (const dp_box_filter_t *filter)
{
    uint64_t columns = 0;
    if (filter->states)
        columns |= BIT (box_state_id);
    if (filter->location_ids)
        columns |= BIT (location_id);
    if (filter->modified_from || filter->modified_until)
        columns |= BIT (modified);
    if (filter->genders || filter->gender)
        columns |= BIT (product_gender_id);
    if (filter->category_ids || filter->category_id)
        columns |= BIT (product_category_id);
    if (filter->product_ids || filter->product_id)
        columns |= BIT (product_id);
    if (filter->size_id)
        columns |= BIT (size_id);
    if (filter->tag_ids)
        columns |= BIT (tag_ids);
    return columns;
}

//  Is the cell's int among the list's items or the single value? A nil
//  cell (no product, say) matches nothing, as the SQL's IN does.
static bool
s_cell_in (const row_t *row, int column, const input_t *list, const input_t *single, map_fn_t map)
{
    if (row->cells [column].type != DP_VAL_INT)
        return false;
    int64_t value = row->cells [column].u.i;
    for (size_t i = 0; list && i < list->n_items; i++)
        if (map (list->items [i]) == value)
            return true;
    return single && map (single) == value;
}

//  modified compared with a date's midnight: -1, 0, 1 as strcmp; the
//  wire form is "YYYY-MM-DDTHH:MM:SS+00:00".
static int
s_compare_modified (const char *modified, const char *date)
{
    char midnight [20];
    snprintf (midnight, sizeof midnight, "%.10sT00:00:00", date);
    //  A datetime argument (the SQL accepts both) compares in full.
    if (strlen (date) >= 19) {
        memcpy (midnight, date, 19);
        midnight [10] = 'T';
    }
    return strncmp (modified, midnight, 19);
}

//  Does the row carry one of the tags? tag_ids is "3,5,9" or nil.
static bool
s_has_tag (const row_t *row, const input_t *tags)
{
    const dp_val_t *cell = &row->cells [DP_COL_stock_tag_ids];
    if (cell->type != DP_VAL_STR)
        return false;
    const char *at = cell->u.s.ptr;
    while (*at) {
        char *end;
        long long id = strtoll (at, &end, 10);
        if (end == at)
            return false;
        for (size_t i = 0; i < tags->n_items; i++)
            if (tags->items [i]->i == id)
                return true;
        at = *end == ',' ? end + 1 : end;
    }
    return false;
}

bool
dp_box_filter_keeps (const dp_box_filter_t *filter, const row_t *row)
{
    if (filter->states && !s_cell_in (row, DP_COL_stock_box_state_id, filter->states, NULL, s_state_of))
        return false;
    if (filter->location_ids && !s_cell_in (row, DP_COL_stock_location_id, filter->location_ids, NULL, s_int_of))
        return false;
    if (filter->modified_from || filter->modified_until) {
        const dp_val_t *modified = &row->cells [DP_COL_stock_modified];
        if (modified->type != DP_VAL_STR)
            return false;
        if (filter->modified_from && s_compare_modified (modified->u.s.ptr, filter->modified_from) < 0)
            return false;
        if (filter->modified_until && s_compare_modified (modified->u.s.ptr, filter->modified_until) > 0)
            return false;
    }
    if ((filter->genders || filter->gender)
    &&  !s_cell_in (row, DP_COL_stock_product_gender_id, filter->genders, filter->gender, s_gender_of))
        return false;
    if ((filter->category_ids || filter->category_id)
    &&  !s_cell_in (row, DP_COL_stock_product_category_id, filter->category_ids, filter->category_id, s_int_of))
        return false;
    if ((filter->product_ids || filter->product_id)
    &&  !s_cell_in (row, DP_COL_stock_product_id, filter->product_ids, filter->product_id, s_int_of))
        return false;
    if (filter->size_id && !s_cell_in (row, DP_COL_stock_size_id, NULL, filter->size_id, s_int_of))
        return false;
    if (filter->tag_ids && !s_has_tag (row, filter->tag_ids))
        return false;
    return true;
}

bool
dp_keep_box (const plan_field_t *pf, const row_t *row)
{
    dp_box_filter_t filter;
    dp_box_filter_read (input_field (pf->args, "filterInput"), &filter);
    return dp_box_filter_keeps (&filter, row);
}

uint64_t
dp_keep_box_columns (const plan_field_t *pf)
{
    dp_box_filter_t filter;
    dp_box_filter_read (input_field (pf->args, "filterInput"), &filter);
    return dp_box_filter_columns (&filter);
}

//  -------------------------------------------------------------------------
//  Selftest: a FilterBoxInput read once, then as db-svc's arguments and
//  over loaded rows. State ids are boxtribute's box_state table's
//  (Instock 1, Donated 5).

void
dp_box_filter_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_box_filter: ");
    dp_arena_t *arena = dp_arena_new (0);
    input_t in_stock = { .kind = IN_ENUM, .s = "InStock" }, donated = { .kind = IN_ENUM, .s = "Donated" };
    input_t *state_items [] = { &in_stock, &donated };
    input_t states = { .kind = IN_LIST, .items = state_items, .n_items = 2 };
    input_t product = { .kind = IN_INT, .i = 42 };
    input_t from = { .kind = IN_STRING, .s = "2024-03-05", .len = 10 };
    input_t tag_3 = { .kind = IN_INT, .i = 3 };
    input_t *tag_items [] = { &tag_3 };
    input_t tags = { .kind = IN_LIST, .items = tag_items, .n_items = 1 };
    input_t empty = { .kind = IN_LIST };
    const char *names [] = { "states", "productId", "lastModifiedFrom", "tagIds", "locationIds" };
    input_t *values [] = { &states, &product, &from, &tags, &empty };
    input_t input = { .kind = IN_OBJECT, .names = names, .values = values, .n_fields = 5 };
    dp_box_filter_t filter;
    dp_box_filter_read (&input, &filter);
    assert (filter.states == &states && filter.product_id == &product && filter.tag_ids == &tags);
    assert (filter.location_ids == NULL);       //  an empty list filters nothing
    assert (dp_box_filter_columns (&filter) == (BIT (box_state_id) | BIT (product_id)
                                                | BIT (modified) | BIT (tag_ids)));

    //  db-svc's arguments: positional, nil where no filter.
    dp_val_t args = dp_box_filter_args (arena, &filter);
    assert (args.type == DP_VAL_ARRAY && args.u.a.count == 9);
    const dp_val_t *item = args.u.a.items;
    assert (item [0].type == DP_VAL_ARRAY && item [0].u.a.count == 2);
    assert (item [0].u.a.items [0].u.i == 1 && item [0].u.a.items [1].u.i == 5);
    assert (item [1].type == DP_VAL_NIL && item [3].type == DP_VAL_NIL);
    assert (item [2].type == DP_VAL_STR && strcmp (item [2].u.s.ptr, "2024-03-05") == 0);
    assert (item [6].type == DP_VAL_ARRAY && item [6].u.a.items [0].u.i == 42);
    assert (item [8].u.a.count == 1 && item [8].u.a.items [0].u.i == 3);

    //  Loaded rows: every condition must hold.
    dp_val_t cells [64] = { 0 };        //  more than the stock columns
    cells [DP_COL_stock_box_state_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 5 };
    cells [DP_COL_stock_product_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 42 };
    cells [DP_COL_stock_modified] = row_text_cell ("2024-03-05T00:00:00+00:00");
    cells [DP_COL_stock_tag_ids] = row_text_cell ("13,3");
    row_t row = { .cells = cells };
    assert (dp_box_filter_keeps (&filter, &row));
    cells [DP_COL_stock_tag_ids] = row_text_cell ("13,33");
    assert (!dp_box_filter_keeps (&filter, &row));          //  33 is not 3
    cells [DP_COL_stock_tag_ids] = row_text_cell ("3");
    assert (dp_box_filter_keeps (&filter, &row));
    cells [DP_COL_stock_modified] = row_text_cell ("2024-03-04T23:59:59+00:00");
    assert (!dp_box_filter_keeps (&filter, &row));          //  before the day
    cells [DP_COL_stock_modified] = (dp_val_t) { .type = DP_VAL_NIL };
    assert (!dp_box_filter_keeps (&filter, &row));          //  never modified: no bound passes
    cells [DP_COL_stock_modified] = row_text_cell ("2025-01-01T08:00:00+00:00");
    assert (dp_box_filter_keeps (&filter, &row));
    cells [DP_COL_stock_box_state_id].u.i = 2;
    assert (!dp_box_filter_keeps (&filter, &row));          //  Lost
    cells [DP_COL_stock_box_state_id].u.i = 1;
    cells [DP_COL_stock_product_id] = (dp_val_t) { .type = DP_VAL_NIL };
    assert (!dp_box_filter_keeps (&filter, &row));          //  no product matches no id

    //  No filter input: everything passes, nothing is read.
    dp_box_filter_read (NULL, &filter);
    assert (dp_box_filter_columns (&filter) == 0 && dp_box_filter_keeps (&filter, &row));
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
