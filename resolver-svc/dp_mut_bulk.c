/*  =========================================================================
    dp_mut_bulk - what the bulk box mutations share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_mut_bulk.h. Column positions in replies follow the masks: a
    STMT SELECT's cells are the masked columns in column order; a LOAD's
    are the key, then the masked columns in order.
@end
*/
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  boxtribute's BoxState ids of WAREHOUSE_BOX_STATES (warehouse/box/crud.py)
#define STATE_INSTOCK   1
#define STATE_LOST      2
#define STATE_DONATED   5
#define STATE_SCRAP     6

int
dp_bulk_compare_text (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
dp_bulk_compare_id (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

void
dp_bulk_relation_row (dp_mutation_t *m, dp_val_t *row, int64_t box_id, int64_t tag_id)
{
    row [0] = dp_bulk_int (box_id);
    row [1] = dp_bulk_str (m, "Stock");
    row [2] = dp_bulk_int (tag_id);
    row [3] = dp_bulk_str (m, dp_mutation_now (m));
    row [4] = dp_bulk_int (dp_mutation_identity (m)->user_id);
}

dp_val_t
dp_bulk_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

dp_val_t
dp_bulk_str (dp_mutation_t *m, const char *text)
{
    size_t len = strlen (text);
    return (dp_val_t) { .type = DP_VAL_STR,
                        .u.s = { dp_arena_strndup (dp_mutation_arena (m), text, len), (uint32_t) len } };
}

dp_val_t
dp_bulk_nil (void)
{
    return (dp_val_t) { .type = DP_VAL_NIL };
}

dp_mutation_where_t
dp_bulk_where_ids (dp_mutation_t *m, int column, const int64_t *ids, size_t n)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (dp_val_t));
    for (size_t i = 0; i < n; i++)
        values [i] = dp_bulk_int (ids [i]);
    return (dp_mutation_where_t) { .column = column, .values = values, .n_values = (uint32_t) n };
}

//  Byte order, then length: Python's order of str for UTF-8, U+0000 included.
static int
s_compare_bytes (const char *a, size_t a_len, const char *b, size_t b_len)
{
    int order = memcmp (a, b, a_len < b_len ? a_len : b_len);
    return order ? order : (a_len > b_len) - (a_len < b_len);
}

static int
s_compare_input_text (const void *a, const void *b)
{
    const input_t *x = *(const input_t *const *) a, *y = *(const input_t *const *) b;
    return s_compare_bytes (x->s, x->len, y->s, y->len);
}

void
dp_bulk_labels (dp_mutation_t *m, const input_t *list, dp_bulk_labels_t *labels)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    size_t n = list && list->kind == IN_LIST ? list->n_items : 0;
    const input_t **items = dp_arena_calloc (arena, n ? n : 1, sizeof (input_t *));
    size_t n_items = 0;
    for (size_t i = 0; i < n; i++)
        if (list->items [i]->kind == IN_STRING)
            items [n_items++] = list->items [i];
    qsort (items, n_items, sizeof (input_t *), s_compare_input_text);
    labels->text = dp_arena_calloc (arena, n_items ? n_items : 1, sizeof (char *));
    labels->len = dp_arena_calloc (arena, n_items ? n_items : 1, sizeof (size_t));
    labels->values = dp_arena_calloc (arena, n_items ? n_items : 1, sizeof (dp_val_t));
    labels->n = labels->n_lookup = 0;
    for (size_t i = 0; i < n_items; i++) {
        if (i > 0 && s_compare_input_text (&items [i - 1], &items [i]) == 0)
            continue;
        labels->text [labels->n] = items [i]->s;
        labels->len [labels->n++] = items [i]->len;
        //  A label holding U+0000 equals no column value: answered, not looked up.
        if (strlen (items [i]->s) == items [i]->len)
            labels->values [labels->n_lookup++] = dp_bulk_str (m, items [i]->s);
    }
}

dp_mutation_reply_t *
dp_bulk_lock_boxes (dp_mutation_t *m, const dp_bulk_labels_t *labels)
{
    dp_mutation_where_t where = { .column = DP_TCOL_stock_box_id, .values = labels->values,
                                  .n_values = (uint32_t) labels->n_lookup };
    return dp_mutation_select (m, DP_TABLE_stock, DP_BULK_BOX_COLUMNS, &where, 1, true);
}

//  The SELECT's cell positions: the DP_BULK_BOX_COLUMNS in column order.
enum { BOX_ID, BOX_LABEL, BOX_ITEMS, BOX_LOCATION, BOX_DELETED, BOX_STATE };

bool
dp_bulk_deleted (const dp_val_t *cell)
{
    return cell->type != DP_VAL_NIL;
}

size_t
dp_bulk_boxes (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_bulk_box_t **boxes)
{
    size_t n = reply->n_rows;
    *boxes = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (dp_bulk_box_t));
    for (size_t i = 0; i < n; i++) {
        dp_bulk_box_t *box = &(*boxes) [i];
        box->id = dp_mutation_cell (reply, i, BOX_ID)->u.i;
        box->label = dp_mutation_cell (reply, i, BOX_LABEL)->u.s.ptr;
        const dp_val_t *items = dp_mutation_cell (reply, i, BOX_ITEMS);
        box->has_items = items->type == DP_VAL_INT;
        box->items = box->has_items ? items->u.i : 0;
        box->location_id = dp_mutation_cell (reply, i, BOX_LOCATION)->u.i;
        box->live = !dp_bulk_deleted (dp_mutation_cell (reply, i, BOX_DELETED));
        box->state = dp_mutation_cell (reply, i, BOX_STATE)->u.i;
    }
    return n;
}

bool
dp_bulk_in_warehouse (const dp_bulk_box_t *box)
{
    return box->live && (box->state == STATE_INSTOCK || box->state == STATE_LOST
                         || box->state == STATE_DONATED || box->state == STATE_SCRAP);
}

size_t
dp_bulk_unique_ids (dp_mutation_t *m, const int64_t *ids, size_t n, int64_t **out)
{
    int64_t *copy = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (int64_t));
    memcpy (copy, ids, n * sizeof (int64_t));
    qsort (copy, n, sizeof (int64_t), dp_bulk_compare_id);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || copy [kept - 1] != copy [i])
            copy [kept++] = copy [i];
    *out = copy;
    return kept;
}

dp_mutation_reply_t *
dp_bulk_load_locations (dp_mutation_t *m, const dp_bulk_box_t *boxes, size_t n, const bool *wanted)
{
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (int64_t));
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!wanted || wanted [i])
            ids [count++] = boxes [i].location_id;
    if (count == 0)
        return NULL;
    int64_t *unique;
    count = dp_bulk_unique_ids (m, ids, count, &unique);
    return dp_mutation_load (m, DP_LOADER_locations_by_id, 1ull << DP_COL_locations_camp_id,
                             unique, count);
}

const dp_val_t *
dp_bulk_loaded (const dp_mutation_reply_t *reply, int64_t key)
{
    if (!reply)
        return NULL;
    for (uint32_t row = 0; row < reply->n_rows; row++) {
        const dp_val_t *cell = dp_mutation_cell (reply, row, 0);
        if (cell->type == DP_VAL_INT && cell->u.i == key)
            return cell;
    }
    return NULL;
}

void
dp_bulk_set_bases (dp_bulk_box_t *boxes, size_t n, const dp_mutation_reply_t *locations)
{
    for (size_t i = 0; i < n; i++) {
        const dp_val_t *row = dp_bulk_loaded (locations, boxes [i].location_id);
        boxes [i].base_id = row && row [1].type == DP_VAL_INT ? row [1].u.i : 0;
    }
}

size_t
dp_bulk_valid_ids (dp_mutation_t *m, const dp_bulk_box_t *boxes, size_t n, int64_t **ids)
{
    *ids = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (int64_t));
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (boxes [i].valid)
            (*ids) [count++] = boxes [i].id;
    qsort (*ids, count, sizeof (int64_t), dp_bulk_compare_id);
    return count;
}

dp_record_t *
dp_bulk_result (dp_mutation_t *m, const char *type_name, const dp_bulk_labels_t *labels,
                const dp_bulk_box_t *boxes, size_t n)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    int64_t *ids;
    size_t n_ids = dp_bulk_valid_ids (m, boxes, n, &ids);
    //  The valid boxes' labels, sorted, walked beside the sorted request.
    const char **valid = dp_arena_calloc (arena, n ? n : 1, sizeof (char *));
    size_t n_valid = 0;
    for (size_t i = 0; i < n; i++)
        if (boxes [i].valid)
            valid [n_valid++] = boxes [i].label;
    qsort (valid, n_valid, sizeof (char *), dp_bulk_compare_text);
    const char **invalid = dp_arena_calloc (arena, labels->n ? labels->n : 1, sizeof (char *));
    size_t *invalid_len = dp_arena_calloc (arena, labels->n ? labels->n : 1, sizeof (size_t));
    size_t n_invalid = 0, v = 0;
    for (size_t i = 0; i < labels->n; i++) {
        const char *text = labels->text [i];
        size_t len = labels->len [i];
        while (v < n_valid && s_compare_bytes (valid [v], strlen (valid [v]), text, len) < 0)
            v++;
        if (v == n_valid || s_compare_bytes (valid [v], strlen (valid [v]), text, len) != 0) {
            invalid [n_invalid] = text;
            invalid_len [n_invalid++] = len;
        }
    }
    dp_record_t *record = dp_record_new (m, type_name);
    dp_record_set_objects (record, "updatedBoxes", DP_LOADER_stock_by_id, ids, n_ids);
    dp_record_set_strings_n (record, "invalidBoxLabelIdentifiers", invalid, invalid_len, n_invalid);
    return record;
}

dp_mutation_reply_t *
dp_bulk_insert_history (dp_mutation_t *m, dp_history_t *history)
{
    size_t n = dp_history_size (history);
    return n ? dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS, dp_history_cells (history), n)
             : NULL;
}

void
dp_bulk_base_names_load (dp_mutation_t *m, dp_bulk_base_names_t *names, const int64_t *base_ids,
                         size_t n)
{
    int64_t *unique;
    size_t count = dp_bulk_unique_ids (m, base_ids, n, &unique);
    names->camps = dp_mutation_load (m, DP_LOADER_camps_by_id,
                                     (1ull << DP_COL_camps_name) | (1ull << DP_COL_camps_organisation_id)
                                     | (1ull << DP_COL_camps_deleted),
                                     unique, count);
}

void
dp_bulk_base_names_load_organisations (dp_mutation_t *m, dp_bulk_base_names_t *names)
{
    uint32_t n = names->camps->n_rows;
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof (int64_t));
    size_t count = 0;
    for (uint32_t row = 0; row < n; row++) {
        const dp_val_t *organisation = dp_mutation_cell (names->camps, row, 2);
        if (organisation->type == DP_VAL_INT)
            ids [count++] = organisation->u.i;
    }
    names->organisations = dp_mutation_load (m, DP_LOADER_organisations_by_id,
                                             1ull << DP_COL_organisations_label, ids, count);
}

dp_record_t *
dp_bulk_unauthorized (dp_mutation_t *m, const dp_bulk_base_names_t *names, int64_t base_id)
{
    const char *base_name = "", *organisation_name = "";
    const dp_val_t *base = dp_bulk_loaded (names->camps, base_id);
    if (base) {
        if (base [1].type == DP_VAL_STR)
            base_name = base [1].u.s.ptr;
        const dp_val_t *organisation = base [2].type == DP_VAL_INT
            ? dp_bulk_loaded (names->organisations, base [2].u.i) : NULL;
        if (organisation && organisation [1].type == DP_VAL_STR)
            organisation_name = organisation [1].u.s.ptr;
    }
    return dp_record_unauthorized_for_base (m, base_id, base_name, organisation_name);
}

dp_bulk_authz_t
dp_bulk_authorize (dp_mutation_t *m, const char *permission, int64_t base_id)
{
    char denied [64];
    if (dp_authz_base (dp_mutation_authz (m), permission, base_id, denied, sizeof denied))
        return DP_BULK_ALLOWED;
    return strcmp (denied, permission) == 0 ? DP_BULK_NO_PERMISSION : DP_BULK_NOT_FOR_BASE;
}
