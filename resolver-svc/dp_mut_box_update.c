/*  =========================================================================
    dp_mut_box_update - Mutation.updateBox

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's updateBox (warehouse/box/mutations.py resolve_update_box,
    crud.py update_box under save_update_to_history): its permission checks,
    validations and messages in its order, one history row per changed
    field, the tags made exactly those of tagIds, new tags from
    newTagNames; all in one transaction with the box read FOR UPDATE, where
    boxtribute writes the tags before the row and saves the whole row
    without a lock. Only changed columns are written; a call that changes
    nothing writes nothing.
@discuss
    Rounds: lock the tags of tagIds (before the box, as the tag mutations
    lock tags before boxes, so a deleteTag cannot remove one between its
    check and its relation's INSERT) and select the box by label FOR
    UPDATE; load its locations,
    product, tags, units and (with tagIds) its live tag relations FOR
    UPDATE; check permissions and input (and load the sizes of the
    product's size range when a size is to be checked, checked in a round
    of its own), then remove and add tag relations and insert new tags;
    insert the new tags' relations and the history rows and update the
    box's changed columns; answer the box.
@end
*/
#include "dp_mut_box_update.h"
#include "dp_mut_box.h"
#include "dp_product_rules.h"
#include <stdio.h>
#include <string.h>

#define S_RELATION_COLUMNS (DP_TBIT (tags_relations, id) | DP_TBIT (tags_relations, tag_id))

//  The step's phases, one round each (S_CHECK_SIZE only when a size is checked).
typedef enum {
    S_SELECT_BOX, S_LOAD, S_CHECK, S_CHECK_SIZE, S_WRITE_BOX, S_ANSWER
} update_phase_t;

typedef struct {
    update_phase_t phase;       //  zeroed state: S_SELECT_BOX
    dp_mutation_reply_t *box_reply;
    dp_box_t box, after;
    dp_box_shown_t shown;
    int64_t product_id;             //  the box's product after the update
    dp_mutation_reply_t *locations, *products, *tags, *units, *relations, *sizes;
    dp_mutation_reply_t *product_lock;  //  a new product's row, locked (dp_product_rules.h)
    bool check_size;
    dp_mutation_reply_t **new_tags;
    size_t n_new_tags;
    bool tags_changed;
} update_state_t;

static int
s_location_row (update_state_t *state, int64_t id)
{
    return dp_load_row (state->locations, id);
}

static const dp_val_t *
s_location (update_state_t *state, int row, int col)
{
    return dp_load_cell (state->locations, row, DP_BOX_LOCATION_COLUMNS, col);
}

static const dp_val_t *
s_product (update_state_t *state, int row, int col)
{
    return dp_load_cell (state->products, row, DP_BOX_PRODUCT_COLUMNS, col);
}

static int64_t
s_state_id (const char *name)
{
    for (int64_t id = 1; id <= 8; id++)
        if (strcmp (dp_box_state_name (id), name) == 0)
            return id;
    return 0;
}

//  Round 1: everything the checks need, in one round.
static void
s_load (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    const input_t *location = dp_box_given (input, "locationId");
    const input_t *product = dp_box_given (input, "productId");
    int64_t *locations = dp_arena_calloc (arena, 2, sizeof *locations);
    locations [0] = state->box.location_id;
    locations [1] = location ? location->i : state->box.location_id;
    state->locations = dp_mutation_load (m, DP_LOADER_locations_by_id, DP_BOX_LOCATION_COLUMNS, locations, 2);
    state->product_id = product ? product->i : state->box.product_id;
    //  a new product: deleteProduct holds this lock while it looks for the product's boxes
    if (product)
        state->product_lock = dp_product_lock (m, &state->product_id, 1);
    state->products = dp_mutation_load (m, DP_LOADER_products_by_id, DP_BOX_PRODUCT_COLUMNS, &state->product_id, 1);

    const input_t *tag_ids = dp_box_given (input, "tagIds");
    if (tag_ids && tag_ids->n_items) {
        int64_t *keys = dp_arena_calloc (arena, tag_ids->n_items, sizeof *keys);
        for (size_t i = 0; i < tag_ids->n_items; i++)
            keys [i] = tag_ids->items [i]->i;
        state->tags = dp_mutation_load (m, DP_LOADER_tags_by_id, DP_BOX_TAG_COLUMNS, keys, tag_ids->n_items);
    }
    if (tag_ids) {
        dp_val_t *values = dp_arena_calloc (arena, 3, sizeof *values);
        values [0] = dp_val_str ("Stock");
        values [1] = dp_val_int (state->box.id);
        values [2] = dp_val_nil ();
        dp_mutation_where_t where [] = {
            { DP_TCOL_tags_relations_object_type, values, 1 },
            { DP_TCOL_tags_relations_object_id, values + 1, 1 },
            { DP_TCOL_tags_relations_deleted_on, values + 2, 1 },
        };
        state->relations = dp_mutation_select (m, DP_TABLE_tags_relations, S_RELATION_COLUMNS, where, 3, true);
    }
    const input_t *unit = dp_box_given (input, "displayUnitId");
    int64_t *units = dp_arena_calloc (arena, 3, sizeof *units);
    size_t n_units = 0;
    units [n_units++] = state->box.weight_display_unit_id;
    if (unit)
        units [n_units++] = unit->i;
    if (state->box.display_unit_id.type == DP_VAL_INT)
        units [n_units++] = state->box.display_unit_id.u.i;
    state->units = dp_mutation_load (m, DP_LOADER_units_by_id, DP_BOX_UNIT_COLUMNS, units, n_units);
}

//  resolve_update_box's permission checks, in its order. False after
//  failing the field.
static bool
s_authorize (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    int old_row = s_location_row (state, state->box.location_id);
    int64_t box_base = old_row >= 0 ? dp_cell_int (s_location (state, old_row, DP_COL_locations_camp_id), -1) : -1;
    if (!dp_box_require (m, "stock:write", box_base))
        return false;
    const input_t *location = dp_box_given (input, "locationId");
    if (location) {
        int row = s_location_row (state, location->i);
        if (row < 0) {
            dp_mutation_not_found (m);
            return false;
        }
        if (!dp_box_require (m, "location:read", dp_cell_int (s_location (state, row, DP_COL_locations_camp_id), -1)))
            return false;
    }
    if (state->products->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    if (dp_box_given (input, "productId")
        && !dp_box_require (m, "product:read", dp_cell_int (s_product (state, 0, DP_COL_products_camp_id), -1)))
        return false;
    return dp_box_require_tags (m, state->tags);
}

//  update_box's checks in its order, building the box after the update.
//  False after failing the field.
static bool
s_validate (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    dp_box_t *box = &state->box, *after = &state->after;
    if (box->deleted) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Box with label identifier '%s' is deleted and cannot be updated",
                          box->label);
        return false;
    }
    if (!dp_box_state_in_warehouse (box->state)) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Box with label identifier '%s' is in state '%s' and cannot be "
                          "updated. Only boxes in states InStock, Donated, Scrap, or Lost can be updated",
                          box->label, dp_box_state_name (box->state));
        return false;
    }
    const input_t *location = dp_box_given (input, "locationId");
    const input_t *size = dp_box_given (input, "sizeId");
    const input_t *unit = dp_box_given (input, "displayUnitId");
    const input_t *measure = dp_box_given (input, "measureValue");
    int old_row = s_location_row (state, box->location_id);
    int new_row = location ? s_location_row (state, location->i) : old_row;
    int64_t old_base = dp_cell_int (s_location (state, old_row, DP_COL_locations_camp_id), -1);
    int64_t new_base = dp_cell_int (s_location (state, new_row, DP_COL_locations_camp_id), -1);
    int64_t product_base = dp_cell_int (s_product (state, 0, DP_COL_products_camp_id), -1);
    int64_t sizegroup = dp_cell_int (s_product (state, 0, DP_COL_products_sizegroup_id), -1);
    if (old_base != new_base)
        return dp_box_bad_input (m, "Invalid input: bases of old and new location not matching");
    if (product_base != new_base)
        return dp_box_bad_input (m, "Invalid input: bases of 'location' and 'product' not matching");

    *after = *box;
    bool measure_product = dp_box_is_measure (sizegroup);
    if (measure_product && size)
        return dp_box_bad_input (m, "Input field 'sizeId' must be None");
    if (!measure_product && unit)
        return dp_box_bad_input (m, "Input field 'displayUnitId' must be None");
    if (!measure_product && measure)
        return dp_box_bad_input (m, "Input field 'measureValue' must be None");
    bool box_measure = box->size_id.type == DP_VAL_NIL;
    if (box_measure && !measure_product) {
        if (!size)
            return dp_box_bad_input (m, "Input field 'sizeId' missing");
        after->display_unit_id = dp_val_nil ();
        after->measure_value = dp_val_nil ();
    }
    else
    if (!box_measure && measure_product) {
        if (!measure)
            return dp_box_bad_input (m, "Input field 'measureValue' missing");
        if (!unit)
            return dp_box_bad_input (m, "Input field 'displayUnitId' missing");
        after->size_id = dp_val_nil ();
    }
    //  validated after a possible switch of the product's kind
    dp_history_unit_t display_unit = { "", 1.0 };
    int64_t unit_id = unit ? unit->i : dp_cell_int (&after->display_unit_id, 0);
    if (unit_id) {
        int64_t dimension;
        display_unit = dp_box_unit (state->units, unit_id, &dimension);
        if (dimension < 0) {
            dp_mutation_not_found (m);
            return false;
        }
        if (dimension != sizegroup)
            return dp_box_bad_input (m, "Invalid input: dimensions of 'displayUnit' and 'product' not matching");
    }
    const input_t *comment = dp_box_given (input, "comment");
    if (comment)
        after->comments = (dp_val_t) { .type = DP_VAL_STR, .u.s = { comment->s, (uint32_t) comment->len } };
    const input_t *items = dp_box_given (input, "numberOfItems");
    if (items) {
        if (items->i < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'numberOfItems'");
        after->items = dp_val_int (items->i);
    }
    const input_t *weight = dp_box_given (input, "weight");
    if (weight) {
        if (weight->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'weight'");
        after->weight = state->shown.weight = dp_val_double (weight->f);
    }
    const input_t *money = dp_box_given (input, "monetaryValue");
    if (money) {
        if (money->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'monetaryValue'");
        after->monetary_value = state->shown.money = dp_val_double (money->f);
    }
    if (location) {
        if (s_location (state, new_row, DP_COL_locations_deleted)->type != DP_VAL_NIL) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the location '%s' is deleted",
                              dp_cell_text (s_location (state, new_row, DP_COL_locations_label)));
            return false;
        }
        after->location_id = location->i;
        after->state = dp_cell_int (s_location (state, new_row, DP_COL_locations_box_state_id), box->state);
    }
    if (dp_box_given (input, "productId")) {
        //  "deleted" as the locked read sees it, not the LOAD's snapshot
        int product_row = dp_product_row (state->product_lock, state->product_id);
        if (product_row < 0 || dp_product_deleted (state->product_lock, product_row)) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the product '%s' is deleted",
                              dp_cell_text (s_product (state, 0, DP_COL_products_name)));
            return false;
        }
        after->product_id = state->product_id;
    }
    if (size)
        after->size_id = dp_val_int (size->i);
    if (unit)
        after->display_unit_id = dp_val_int (unit->i);
    if (measure) {
        if (measure->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'measureValue'");
        after->measure_value = dp_val_double (measure->f / display_unit.factor);
        state->shown.measure = dp_val_double (measure->f);
    }
    const input_t *box_state = dp_box_given (input, "state");
    if (box_state)
        after->state = s_state_id (box_state->s);
    if (dp_box_given (input, "tagIds") && !dp_box_check_tags (m, state->tags, new_base))
        return false;
    //  a size product's size must be of its size range (boxtribute stores any)
    state->check_size = after->size_id.type == DP_VAL_INT
                        && (size || after->product_id != box->product_id);
    return true;
}

static bool
s_has (const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids [i] == id)
            return true;
    return false;
}

//  The tags become those of tagIds; new tags are inserted. Returns true
//  when a statement was issued.
static bool
s_write_tags (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    if (state->relations) {
        size_t n_wanted = state->tags ? state->tags->n_rows : 0;
        int64_t *wanted = dp_arena_calloc (arena, n_wanted + 1, sizeof *wanted);
        for (size_t i = 0; i < n_wanted; i++)
            wanted [i] = dp_mutation_cell (state->tags, (uint32_t) i, 0)->u.i;
        size_t n_held = state->relations->n_rows;
        int64_t *held = dp_arena_calloc (arena, n_held + 1, sizeof *held);
        dp_val_t *removed = dp_arena_calloc (arena, n_held + 1, sizeof *removed);
        size_t n_removed = 0;
        for (size_t i = 0; i < n_held; i++) {
            held [i] = dp_select_cell (state->relations, (uint32_t) i, S_RELATION_COLUMNS,
                                       DP_TCOL_tags_relations_tag_id)->u.i;
            if (!s_has (wanted, n_wanted, held [i]))
                removed [n_removed++] = *dp_select_cell (state->relations, (uint32_t) i, S_RELATION_COLUMNS,
                                                         DP_TCOL_tags_relations_id);
        }
        int64_t *added = dp_arena_calloc (arena, n_wanted + 1, sizeof *added);
        size_t n_added = 0;
        for (size_t i = 0; i < n_wanted; i++)
            if (!s_has (held, n_held, wanted [i]))
                added [n_added++] = wanted [i];
        if (n_removed) {
            dp_val_t set [] = { dp_val_str (dp_mutation_now (m)), dp_val_int (dp_mutation_identity (m)->user_id) };
            dp_mutation_where_t where = { DP_TCOL_tags_relations_id, removed, (uint32_t) n_removed };
            dp_mutation_update (m, DP_TABLE_tags_relations,
                                DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                                set, &where, 1);
        }
        dp_box_insert_relations (m, state->box.id, added, n_added);
        state->tags_changed = n_removed || n_added;
    }
    int row = s_location_row (state, state->after.location_id);
    int64_t base = dp_cell_int (s_location (state, row, DP_COL_locations_camp_id), -1);
    state->new_tags = dp_box_insert_new_tags (m, dp_box_given (input, "newTagNames"), base, &state->n_new_tags);
    return state->tags_changed || state->n_new_tags;
}

//  The new tags' relations, the history rows (the new tags' creations
//  first, as create_tag writes them before update_box returns), the box's
//  changed columns. Returns true when a statement was issued.
static bool
s_write_box (dp_mutation_t *m, update_state_t *state)
{
    const dp_identity_t *identity = dp_mutation_identity (m);
    int64_t *new_tag_ids = dp_arena_calloc (dp_mutation_arena (m), state->n_new_tags + 1, sizeof (int64_t));
    dp_history_t *history = dp_history_new ("tags", identity->user_id, dp_mutation_now (m));
    for (size_t i = 0; i < state->n_new_tags; i++) {
        new_tag_ids [i] = state->new_tags [i]->last_insert_id;
        dp_history_created (history, new_tag_ids [i]);
    }
    dp_box_insert_relations (m, state->box.id, new_tag_ids, state->n_new_tags);
    dp_history_set_table (history, "stock");
    dp_box_set_t set = { .columns = 0 };
    size_t changed = dp_box_changes (&state->box, &state->after, &state->shown, state->units, history, &set);
    if (dp_history_size (history))
        dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS, dp_history_cells (history),
                            dp_history_size (history));
    dp_history_destroy (&history);
    if (changed || state->tags_changed) {
        dp_box_set (&set, DP_TCOL_stock_modified, dp_val_str (dp_mutation_now (m)));
        dp_box_set (&set, DP_TCOL_stock_modified_by, dp_val_int (identity->user_id));
        dp_val_t *id = dp_arena_alloc (dp_mutation_arena (m), sizeof *id);
        *id = dp_val_int (state->box.id);
        dp_mutation_where_t where = { DP_TCOL_stock_id, id, 1 };
        dp_mutation_update (m, DP_TABLE_stock, set.columns, dp_box_set_values (m, &set), &where, 1);
    }
    return state->n_new_tags || changed || state->tags_changed;
}

//  The writes, each phase in a round of its own when it issues anything
//  (a round that issues nothing must finish the field).
static void
s_write (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    if (state->phase < S_WRITE_BOX) {
        state->phase = S_WRITE_BOX;
        if (s_write_tags (m, state, input))
            return;
    }
    if (state->phase == S_WRITE_BOX) {
        state->phase = S_ANSWER;
        if (s_write_box (m, state))
            return;
    }
    dp_mutation_return_object (m, DP_LOADER_stock_by_id, state->box.id);
}

static void
s_update_step (dp_mutation_t *m, void *state_)
{
    update_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    switch (state->phase) {
        case S_SELECT_BOX: {
            if (!input || input->kind != IN_OBJECT) {
                //  updateInput is nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "updateInput is required.");
                return;
            }
            const input_t *label = input_field (input, "labelIdentifier");
            if (!dp_box_label_usable (label->s, label->len)) {
                dp_mutation_not_found (m);
                return;
            }
            dp_box_lock_tags (m, dp_box_given (input, "tagIds"));
            state->box_reply = dp_box_select (m, DP_TCOL_stock_box_id,
                                              (dp_val_t) { .type = DP_VAL_STR,
                                                           .u.s = { label->s, (uint32_t) label->len } });
            state->phase = S_LOAD;
            return;
        }
        case S_LOAD:
            if (!dp_box_parse (state->box_reply, &state->box)) {
                dp_mutation_not_found (m);
                return;
            }
            s_load (m, state, input);
            state->phase = S_CHECK;
            return;
        case S_CHECK:
            if (!s_authorize (m, state, input) || !s_validate (m, state, input))
                return;
            if (state->check_size) {
                int64_t sizegroup = dp_cell_int (s_product (state, 0, DP_COL_products_sizegroup_id), -1);
                state->sizes = dp_mutation_load (m, DP_LOADER_sizes_by_sizegroup, 1ull << DP_COL_sizes_id,
                                                 &sizegroup, 1);
                state->phase = S_CHECK_SIZE;
                return;
            }
            s_write (m, state, input);
            return;
        case S_CHECK_SIZE:
            if (!dp_box_size_in_range (state->sizes, state->after.size_id.u.i)) {
                dp_box_bad_input (m, "Invalid input: the size is not in the product's size range");
                return;
            }
            s_write (m, state, input);
            return;
        case S_WRITE_BOX:
        case S_ANSWER:
            s_write (m, state, input);
            return;
    }
}

const dp_mutation_def_t dp_mut_update_box = {
    .name = "updateBox", .state_size = sizeof (update_state_t), .step = s_update_step
};
