/*  =========================================================================
    dp_mut_box - what createBox, updateBox and createBoxFromBox share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_mut_box.h. Covered by integration_mutation_boxes.
@end
*/
#include "dp_mut_box.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

dp_val_t
dp_val_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

dp_val_t
dp_val_double (double value)
{
    return (dp_val_t) { .type = DP_VAL_DOUBLE, .u.d = value };
}

dp_val_t
dp_val_str (const char *text)
{
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) strlen (text) } };
}

dp_val_t
dp_val_nil (void)
{
    return (dp_val_t) { .type = DP_VAL_NIL };
}

const input_t *
dp_box_given (const input_t *input, const char *name)
{
    const input_t *value = input_field (input, name);
    return value && value->kind != IN_NULL ? value : NULL;
}

bool
dp_box_bad_input (dp_mutation_t *m, const char *message)
{
    dp_mutation_fail (m, "BAD_USER_INPUT", "%s", message);
    return false;
}

//  -------------------------------------------------------------------------
//  Cells

static int
s_rank (uint64_t mask, int col)
{
    return __builtin_popcountll (mask & ((1ull << col) - 1));
}

int
dp_load_row (const dp_mutation_reply_t *reply, int64_t key)
{
    for (uint32_t row = 0; row < reply->n_rows; row++) {
        const dp_val_t *cell = dp_mutation_cell (reply, row, 0);
        if (cell->type == DP_VAL_INT && cell->u.i == key)
            return (int) row;
    }
    return -1;
}

const dp_val_t *
dp_load_cell (const dp_mutation_reply_t *reply, int row, uint64_t mask, int col)
{
    assert (row >= 0 && (mask & (1ull << col)));
    return dp_mutation_cell (reply, (uint32_t) row, (uint32_t) (1 + s_rank (mask, col)));
}

const dp_val_t *
dp_select_cell (const dp_mutation_reply_t *reply, uint32_t row, uint64_t mask, int col)
{
    assert (mask & (1ull << col));
    return dp_mutation_cell (reply, row, (uint32_t) s_rank (mask, col));
}

int64_t
dp_cell_int (const dp_val_t *cell, int64_t fallback)
{
    return cell->type == DP_VAL_INT || cell->type == DP_VAL_BOOL ? cell->u.i : fallback;
}

const char *
dp_cell_text (const dp_val_t *cell)
{
    return cell->type == DP_VAL_STR ? cell->u.s.ptr : "";
}

dp_history_unit_t
dp_box_unit (const dp_mutation_reply_t *units, int64_t id, int64_t *dimension)
{
    dp_history_unit_t unit = { "", 1.0 };
    int row = units ? dp_load_row (units, id) : -1;
    if (dimension)
        *dimension = -1;
    if (row < 0)
        return unit;
    unit.symbol = dp_cell_text (dp_load_cell (units, row, DP_BOX_UNIT_COLUMNS, DP_COL_units_symbol));
    const dp_val_t *factor = dp_load_cell (units, row, DP_BOX_UNIT_COLUMNS, DP_COL_units_conversion_factor);
    if (factor->type == DP_VAL_DOUBLE)
        unit.factor = factor->u.d;
    if (dimension)
        *dimension = dp_cell_int (dp_load_cell (units, row, DP_BOX_UNIT_COLUMNS, DP_COL_units_dimension_id), -1);
    return unit;
}

bool
dp_box_is_measure (int64_t sizegroup)
{
    return sizegroup == 28 || sizegroup == 29;
}

bool
dp_box_size_in_range (const dp_mutation_reply_t *sizes, int64_t size_id)
{
    for (uint32_t row = 0; row < sizes->n_rows; row++)
        if (dp_cell_int (dp_load_cell (sizes, (int) row, 1ull << DP_COL_sizes_id, DP_COL_sizes_id), -1) == size_id)
            return true;
    return false;
}

//  -------------------------------------------------------------------------
//  The box row

static dp_mutation_reply_t *
s_box_select (dp_mutation_t *m, int column, dp_val_t value, bool lock)
{
    dp_val_t *values = dp_arena_alloc (dp_mutation_arena (m), sizeof *values);
    *values = value;
    dp_mutation_where_t where = { column, values, 1 };
    return dp_mutation_select (m, DP_TABLE_stock, DP_BOX_COLUMNS, &where, 1, lock);
}

dp_mutation_reply_t *
dp_box_select (dp_mutation_t *m, int column, dp_val_t value)
{
    return s_box_select (m, column, value, true);
}

dp_mutation_reply_t *
dp_box_select_unlocked (dp_mutation_t *m, int column, dp_val_t value)
{
    return s_box_select (m, column, value, false);
}

bool
dp_box_parse (const dp_mutation_reply_t *reply, dp_box_t *box)
{
    if (reply->n_rows == 0)
        return false;
    #define S_CELL(col) dp_select_cell (reply, 0, DP_BOX_COLUMNS, DP_TCOL_stock_##col)
    *box = (dp_box_t) {
        .id = S_CELL (id)->u.i,
        .label = dp_cell_text (S_CELL (box_id)),
        .product_id = S_CELL (product_id)->u.i,
        .size_id = *S_CELL (size_id),
        .weight_display_unit_id = dp_cell_int (S_CELL (weight_display_unit_id), 1),
        .weight = *S_CELL (weight),
        .monetary_value = *S_CELL (monetary_value),
        .display_unit_id = *S_CELL (display_unit_id),
        .measure_value = *S_CELL (measure_value),
        .items = *S_CELL (items),
        .location_id = S_CELL (location_id)->u.i,
        .qr_id = *S_CELL (qr_id),
        .comments = *S_CELL (comments),
        .deleted = S_CELL (deleted)->type != DP_VAL_NIL,    //  NULL and the zero date read as nil
        .state = S_CELL (box_state_id)->u.i,
    };
    #undef S_CELL
    return true;
}

bool
dp_box_state_in_warehouse (int64_t state)
{
    return state == DP_BOX_IN_STOCK || state == DP_BOX_DONATED || state == DP_BOX_SCRAP
           || state == DP_BOX_LOST;
}

const char *
dp_box_state_name (int64_t state)
{
    static const char *const names [] = {
        "?", "InStock", "Lost", "MarkedForShipment", "Receiving", "Donated", "Scrap",
        "InTransit", "NotDelivered"
    };
    return state >= 1 && state <= 8 ? names [state] : "?";
}

void
dp_box_new_label (char *label)
{
    //  random.choices ("0123456789", k=8); 250 of 256 byte values keep the
    //  digits uniform
    size_t n = 0;
    while (n < 8) {
        unsigned char bytes [16];
        ssize_t got = getrandom (bytes, sizeof bytes, 0);
        assert (got > 0);
        for (ssize_t i = 0; i < got && n < 8; i++)
            if (bytes [i] < 250)
                label [n++] = (char) ('0' + bytes [i] % 10);
    }
    label [8] = '\0';
}

dp_mutation_reply_t *
dp_box_try_label (dp_mutation_t *m, char *label)
{
    dp_box_new_label (label);
    char *copy = dp_arena_strdup (dp_mutation_arena (m), label);
    return dp_box_select_unlocked (m, DP_TCOL_stock_box_id, dp_val_str (copy));
}

bool
dp_box_label_usable (const char *label, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) label [i] >= 0x80 || label [i] == '\0')
            return false;
    return true;
}

//  -------------------------------------------------------------------------
//  Writing

void
dp_box_set (dp_box_set_t *set, int column, dp_val_t value)
{
    assert (column >= 0 && column <= DP_TCOL_stock_source_box_id);
    set->values [column] = value;
    set->columns |= 1ull << column;
}

dp_val_t *
dp_box_set_values (dp_mutation_t *m, const dp_box_set_t *set)
{
    size_t count = (size_t) __builtin_popcountll (set->columns);
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), count ? count : 1, sizeof *values);
    size_t n = 0;
    for (int col = 0; col <= DP_TCOL_stock_source_box_id; col++)
        if (set->columns & (1ull << col))
            values [n++] = set->values [col];
    return values;
}

size_t
dp_box_changes (const dp_box_t *before, const dp_box_t *after, const dp_box_shown_t *shown,
                const dp_mutation_reply_t *units, dp_history_t *history, dp_box_set_t *set)
{
    const dp_val_t nil = dp_val_nil ();
    dp_history_unit_t weight_unit = dp_box_unit (units, after->weight_display_unit_id, NULL);
    dp_history_unit_t from_unit = before->display_unit_id.type == DP_VAL_INT
                                ? dp_box_unit (units, before->display_unit_id.u.i, NULL)
                                : (dp_history_unit_t) { "", 1.0 };
    dp_history_unit_t to_unit = after->display_unit_id.type == DP_VAL_INT
                              ? dp_box_unit (units, after->display_unit_id.u.i, NULL)
                              : (dp_history_unit_t) { "", 1.0 };
    struct {
        int column;
        dp_history_change_t change;
    } fields [] = {
        { DP_TCOL_stock_box_id, { "box_id", DP_HISTORY_TEXT, dp_val_str (before->label),
                                  dp_val_str (after->label), nil, {0}, {0} } },
        { DP_TCOL_stock_product_id, { "product_id", DP_HISTORY_INT, dp_val_int (before->product_id),
                                      dp_val_int (after->product_id), nil, {0}, {0} } },
        { DP_TCOL_stock_size_id, { "size_id", DP_HISTORY_INT, before->size_id, after->size_id, nil, {0}, {0} } },
        { DP_TCOL_stock_items, { "items", DP_HISTORY_INT, before->items, after->items, nil, {0}, {0} } },
        { DP_TCOL_stock_location_id, { "location_id", DP_HISTORY_INT, dp_val_int (before->location_id),
                                       dp_val_int (after->location_id), nil, {0}, {0} } },
        { DP_TCOL_stock_comments, { "comments", DP_HISTORY_TEXT, before->comments, after->comments,
                                    nil, {0}, {0} } },
        { DP_TCOL_stock_box_state_id, { "box_state_id", DP_HISTORY_INT, dp_val_int (before->state),
                                        dp_val_int (after->state), nil, {0}, {0} } },
        { DP_TCOL_stock_display_unit_id, { "display_unit_id", DP_HISTORY_INT, before->display_unit_id,
                                           after->display_unit_id, nil, {0}, {0} } },
        { DP_TCOL_stock_measure_value, { "measure_value", DP_HISTORY_MEASURE, before->measure_value,
                                         after->measure_value, shown->measure, from_unit, to_unit } },
        { DP_TCOL_stock_weight, { "weight", DP_HISTORY_WEIGHT, before->weight, after->weight,
                                  shown->weight, weight_unit, weight_unit } },
        { DP_TCOL_stock_monetary_value, { "monetary_value", DP_HISTORY_MONEY, before->monetary_value,
                                          after->monetary_value, shown->money, {0}, {0} } },
    };
    size_t changed = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++) {
        if (!dp_history_change (history, after->id, &fields [i].change))
            continue;
        dp_box_set (set, fields [i].column, fields [i].change.to);
        changed++;
    }
    return changed;
}

//  -------------------------------------------------------------------------
//  Permissions

bool
dp_box_require (dp_mutation_t *m, const char *permission, int64_t base_id)
{
    char denied [80];
    if (dp_authz_base (dp_mutation_authz (m), permission, base_id, denied, sizeof denied))
        return true;
    dp_mutation_forbidden (m, denied);
    return false;
}

bool
dp_box_require_tags (dp_mutation_t *m, const dp_mutation_reply_t *tags)
{
    if (!dp_authz_any_base (dp_mutation_authz (m), "tag_relation:assign")) {
        dp_mutation_forbidden (m, "tag_relation:assign");
        return false;
    }
    for (uint32_t row = 0; tags && row < tags->n_rows; row++) {
        int64_t base = dp_cell_int (dp_load_cell (tags, (int) row, DP_BOX_TAG_COLUMNS, DP_COL_tags_camp_id), -1);
        if (!dp_box_require (m, "tag:read", base))
            return false;
    }
    return true;
}

//  -------------------------------------------------------------------------
//  Tags

void
dp_box_lock_tags (dp_mutation_t *m, const input_t *tag_ids)
{
    if (!tag_ids || tag_ids->n_items == 0)
        return;
    dp_val_t *ids = dp_arena_calloc (dp_mutation_arena (m), tag_ids->n_items, sizeof *ids);
    for (size_t i = 0; i < tag_ids->n_items; i++)
        ids [i] = dp_val_int (tag_ids->items [i]->i);
    dp_mutation_where_t where = { DP_TCOL_tags_id, ids, (uint32_t) tag_ids->n_items };
    dp_mutation_select (m, DP_TABLE_tags, DP_TBIT (tags, id), &where, 1, true);
}

bool
dp_box_check_tags (dp_mutation_t *m, const dp_mutation_reply_t *tags, int64_t base_id)
{
    if (!tags || tags->n_rows == 0)
        return true;
    int64_t first_base = dp_cell_int (dp_load_cell (tags, 0, DP_BOX_TAG_COLUMNS, DP_COL_tags_camp_id), -1);
    for (uint32_t row = 0; row < tags->n_rows; row++)
        if (dp_cell_int (dp_load_cell (tags, (int) row, DP_BOX_TAG_COLUMNS, DP_COL_tags_camp_id), -1) != first_base) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: bases of tags not matching");
            return false;
        }
    if (first_base != base_id) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: bases of 'location' and 'tag' not matching");
        return false;
    }
    for (uint32_t row = 0; row < tags->n_rows; row++) {
        const char *name = dp_cell_text (dp_load_cell (tags, (int) row, DP_BOX_TAG_COLUMNS, DP_COL_tags_label));
        if (dp_load_cell (tags, (int) row, DP_BOX_TAG_COLUMNS, DP_COL_tags_deleted)->type != DP_VAL_NIL) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the tag '%s' is deleted", name);
            return false;
        }
        const char *type = dp_cell_text (dp_load_cell (tags, (int) row, DP_BOX_TAG_COLUMNS, DP_COL_tags_type));
        if (strcmp (type, "People") == 0) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the tag '%s' cannot be assigned to boxes", name);
            return false;
        }
    }
    return true;
}

dp_mutation_reply_t **
dp_box_insert_new_tags (dp_mutation_t *m, const input_t *names, int64_t base_id, size_t *n)
{
    *n = 0;
    if (!names || names->kind != IN_LIST || names->n_items == 0)
        return NULL;
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_mutation_reply_t **replies = dp_arena_calloc (arena, names->n_items, sizeof *replies);
    const char *now = dp_mutation_now (m);
    for (size_t i = 0; i < names->n_items; i++) {
        const input_t *name = names->items [i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = names->items [j]->len == name->len && memcmp (names->items [j]->s, name->s, name->len) == 0;
        if (seen)
            continue;
        //  create_tag's colour: f"#{random.randint(0, 0xFFFFFF):06x}"
        uint32_t random = 0;
        while (getrandom (&random, sizeof random, 0) != sizeof random)
            ;
        char *color = dp_arena_printf (arena, "#%06x", random & 0xFFFFFF);
        dp_val_t row [] = {
            { .type = DP_VAL_STR, .u.s = { name->s, (uint32_t) name->len } },
            dp_val_str (color), dp_val_int (base_id), dp_val_str (now),
            dp_val_int (dp_mutation_identity (m)->user_id), dp_val_str (""), dp_val_str ("Stock"),
        };
        uint64_t columns = DP_TBIT (tags, label) | DP_TBIT (tags, color) | DP_TBIT (tags, camp_id)
                         | DP_TBIT (tags, created) | DP_TBIT (tags, created_by)
                         | DP_TBIT (tags, description) | DP_TBIT (tags, type);
        replies [(*n)++] = dp_mutation_insert (m, DP_TABLE_tags, columns, row, 1);
    }
    return replies;
}

void
dp_box_insert_relations (dp_mutation_t *m, int64_t box_id, const int64_t *tag_ids, size_t n)
{
    if (n == 0)
        return;
    dp_val_t *rows = dp_arena_calloc (dp_mutation_arena (m), n * 5, sizeof *rows);
    size_t n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = tag_ids [j] == tag_ids [i];
        if (seen)
            continue;
        dp_val_t *row = rows + n_rows++ * 5;
        row [0] = dp_val_int (box_id);
        row [1] = dp_val_str ("Stock");
        row [2] = dp_val_int (tag_ids [i]);
        row [3] = dp_val_str (dp_mutation_now (m));
        row [4] = dp_val_int (dp_mutation_identity (m)->user_id);
    }
    uint64_t columns = DP_TBIT (tags_relations, object_id) | DP_TBIT (tags_relations, object_type)
                     | DP_TBIT (tags_relations, tag_id) | DP_TBIT (tags_relations, created_on)
                     | DP_TBIT (tags_relations, created_by_id);
    dp_mutation_insert (m, DP_TABLE_tags_relations, columns, rows, n_rows);
}
