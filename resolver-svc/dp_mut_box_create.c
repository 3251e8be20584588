/*  =========================================================================
    dp_mut_box_create - Mutation.createBox

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's createBox (warehouse/box/mutations.py resolve_create_box,
    crud.py create_box under save_creation_to_history): its permission
    checks, validations and messages in its order, a label of 8 random
    digits (drawn again when taken, at most 10 times), the state of the
    location, the given tags and new tags from newTagNames, the QR code;
    one history row "Record created" for the box and one for each new tag
    (first, as create_tag writes them before the box). One transaction:
    the QR code's box is read FOR UPDATE, so two boxes cannot take it, and
    the given tags are locked first, so a deleteTag cannot remove a tag
    between its check and its relation's INSERT.
@discuss
    Phases, one round each: lock the given tags, then load the location,
    product, tags, display unit and QR code; check; look up the QR code's box, the size range's
    sizes and a free label; insert the new tags and the box; insert the
    tag relations and the history rows; answer the box.
@end
*/
#include "dp_mut_box_create.h"
#include "dp_mut_box.h"
#include "dp_product_rules.h"
#include <stdio.h>
#include <string.h>

typedef enum {
    S_LOAD, S_CHECK, S_CHECK_MORE, S_WRITE_RELATIONS, S_ANSWER
} create_phase_t;

typedef struct {
    create_phase_t phase;       //  zeroed state: S_LOAD
    dp_mutation_reply_t *location, *product, *tags, *unit, *qr;
    dp_mutation_reply_t *product_lock;  //  the product row, locked (dp_product_rules.h)
    dp_mutation_reply_t *qr_box, *sizes, *label_box;
    char label [9];
    int label_attempts;
    int64_t base_id;
    dp_mutation_reply_t **new_tags;
    size_t n_new_tags;
    dp_mutation_reply_t *box;   //  the stock INSERT
} create_state_t;

static const dp_val_t *
s_location (create_state_t *state, int col)
{
    return dp_load_cell (state->location, 0, DP_BOX_LOCATION_COLUMNS, col);
}

static const dp_val_t *
s_product (create_state_t *state, int col)
{
    return dp_load_cell (state->product, 0, DP_BOX_PRODUCT_COLUMNS, col);
}

static void
s_load (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    int64_t *keys = dp_arena_calloc (arena, 3, sizeof *keys);
    keys [0] = input_field (input, "locationId")->i;
    keys [1] = input_field (input, "productId")->i;
    //  Locks before the loads, which must see what changed while they
    //  waited: the product first (deleteProduct holds it while it looks
    //  for the product's boxes), then the tags (a tag deleted meanwhile).
    state->product_lock = dp_product_lock (m, keys + 1, 1);
    dp_box_lock_tags (m, dp_box_given (input, "tagIds"));
    state->location = dp_mutation_load (m, DP_LOADER_locations_by_id, DP_BOX_LOCATION_COLUMNS, keys, 1);
    state->product = dp_mutation_load (m, DP_LOADER_products_by_id, DP_BOX_PRODUCT_COLUMNS, keys + 1, 1);
    const input_t *unit = dp_box_given (input, "displayUnitId");
    if (unit) {
        keys [2] = unit->i;
        state->unit = dp_mutation_load (m, DP_LOADER_units_by_id, DP_BOX_UNIT_COLUMNS, keys + 2, 1);
    }
    const input_t *tag_ids = dp_box_given (input, "tagIds");
    if (tag_ids && tag_ids->n_items) {
        int64_t *ids = dp_arena_calloc (arena, tag_ids->n_items, sizeof *ids);
        for (size_t i = 0; i < tag_ids->n_items; i++)
            ids [i] = tag_ids->items [i]->i;
        state->tags = dp_mutation_load (m, DP_LOADER_tags_by_id, DP_BOX_TAG_COLUMNS, ids, tag_ids->n_items);
    }
    const input_t *qr = dp_box_given (input, "qrCode");
    if (qr && dp_box_label_usable (qr->s, qr->len)) {
        dp_val_t *code = dp_arena_alloc (arena, sizeof *code);
        *code = (dp_val_t) { .type = DP_VAL_STR, .u.s = { qr->s, (uint32_t) qr->len } };
        state->qr = dp_mutation_query (m, DP_QUERY_qr_by_code, 1ull << DP_COL_qr_code, code, 1);
    }
}

//  resolve_create_box's permission checks and create_box's validations in
//  their order, then Depot's (deleted location, product or tags). False
//  after failing the field.
static bool
s_check (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    if (state->location->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    state->base_id = dp_cell_int (s_location (state, DP_COL_locations_camp_id), -1);
    if (!dp_box_require (m, "stock:write", state->base_id) || !dp_box_require (m, "location:read", state->base_id))
        return false;
    if (state->product->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    int64_t product_base = dp_cell_int (s_product (state, DP_COL_products_camp_id), -1);
    if (!dp_box_require (m, "product:read", product_base) || !dp_box_require_tags (m, state->tags))
        return false;

    const input_t *items = dp_box_given (input, "numberOfItems");
    const input_t *weight = dp_box_given (input, "weight");
    const input_t *money = dp_box_given (input, "monetaryValue");
    const input_t *size = dp_box_given (input, "sizeId");
    const input_t *unit = dp_box_given (input, "displayUnitId");
    const input_t *measure = dp_box_given (input, "measureValue");
    if (items && items->i < 0)
        return dp_box_bad_input (m, "Invalid input: negative value for 'numberOfItems'");
    if (weight && weight->f < 0)
        return dp_box_bad_input (m, "Invalid input: negative value for 'weight'");
    if (money && money->f < 0)
        return dp_box_bad_input (m, "Invalid input: negative value for 'monetaryValue'");
    if (product_base != state->base_id)
        return dp_box_bad_input (m, "Invalid input: bases of 'location' and 'product' not matching");
    if (!dp_box_check_tags (m, state->tags, state->base_id))
        return false;
    //  sizeId, or displayUnitId and measureValue
    if (!(size && !unit && !measure) && !(!size && unit && measure))
        return dp_box_bad_input (m, "Invalid input: either 'sizeId' or 'displayUnitId'+'measureValue' required");
    if (measure) {
        if (measure->f < 0)
            return dp_box_bad_input (m, "Invalid input: negative value for 'measureValue'");
        int64_t dimension;
        dp_box_unit (state->unit, unit->i, &dimension);
        if (dimension < 0) {
            dp_mutation_not_found (m);
            return false;
        }
        if (dimension != dp_cell_int (s_product (state, DP_COL_products_sizegroup_id), -1))
            return dp_box_bad_input (m, "Invalid input: dimensions of 'displayUnit' and 'product' not matching");
    }
    if (dp_box_given (input, "qrCode") && (!state->qr || state->qr->n_rows == 0)) {
        dp_mutation_not_found (m);
        return false;
    }
    if (s_location (state, DP_COL_locations_deleted)->type != DP_VAL_NIL) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the location '%s' is deleted",
                          dp_cell_text (s_location (state, DP_COL_locations_label)));
        return false;
    }
    //  "deleted" as the locked read sees it, not the LOAD's snapshot
    int product_row = dp_product_row (state->product_lock, input_field (input, "productId")->i);
    if (product_row < 0 || dp_product_deleted (state->product_lock, product_row)) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the product '%s' is deleted",
                          dp_cell_text (s_product (state, DP_COL_products_name)));
        return false;
    }
    return true;
}

//  The QR code's box, the product's sizes and a free label, in one round.
static void
s_look_up (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    if (state->qr)
        state->qr_box = dp_box_select (m, DP_TCOL_stock_qr_id, *dp_mutation_cell (state->qr, 0, 0));
    if (dp_box_given (input, "sizeId")) {
        int64_t *sizegroup = dp_arena_alloc (dp_mutation_arena (m), sizeof *sizegroup);
        *sizegroup = dp_cell_int (s_product (state, DP_COL_products_sizegroup_id), -1);
        state->sizes = dp_mutation_load (m, DP_LOADER_sizes_by_sizegroup, 1ull << DP_COL_sizes_id, sizegroup, 1);
    }
    state->label_box = dp_box_try_label (m, state->label);
    state->label_attempts++;
}

//  The new tags (first, as create_tag runs before the box is saved) and the box.
static void
s_insert_box (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    state->new_tags = dp_box_insert_new_tags (m, dp_box_given (input, "newTagNames"), state->base_id,
                                              &state->n_new_tags);
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    //  create_box's default comment is "" when the field is absent; an explicit null is kept
    const input_t *comment = input_field (input, "comment");
    const input_t *items = dp_box_given (input, "numberOfItems");
    const input_t *size = dp_box_given (input, "sizeId");
    const input_t *measure = dp_box_given (input, "measureValue");
    const input_t *weight = dp_box_given (input, "weight");
    const input_t *money = dp_box_given (input, "monetaryValue");
    dp_box_set_t set = { .columns = 0 };
    dp_box_set (&set, DP_TCOL_stock_box_id, dp_val_str (dp_arena_strdup (dp_mutation_arena (m), state->label)));
    dp_box_set (&set, DP_TCOL_stock_product_id, dp_val_int (input_field (input, "productId")->i));
    dp_box_set (&set, DP_TCOL_stock_size_id, size ? dp_val_int (size->i) : dp_val_nil ());
    dp_box_set (&set, DP_TCOL_stock_items, items ? dp_val_int (items->i) : dp_val_nil ());
    dp_box_set (&set, DP_TCOL_stock_location_id, dp_val_int (input_field (input, "locationId")->i));
    dp_box_set (&set, DP_TCOL_stock_comments,
                !comment ? dp_val_str ("")
                : comment->kind == IN_NULL ? dp_val_nil ()
                : (dp_val_t) { .type = DP_VAL_STR, .u.s = { comment->s, (uint32_t) comment->len } });
    dp_box_set (&set, DP_TCOL_stock_created, dp_val_str (now));
    dp_box_set (&set, DP_TCOL_stock_created_by, dp_val_int (user));
    dp_box_set (&set, DP_TCOL_stock_modified, dp_val_str (now));
    dp_box_set (&set, DP_TCOL_stock_modified_by, dp_val_int (user));
    dp_box_set (&set, DP_TCOL_stock_box_state_id,
                dp_val_int (dp_cell_int (s_location (state, DP_COL_locations_box_state_id), DP_BOX_IN_STOCK)));
    dp_box_set (&set, DP_TCOL_stock_qr_id, state->qr ? *dp_mutation_cell (state->qr, 0, 0) : dp_val_nil ());
    if (measure) {
        dp_history_unit_t unit = dp_box_unit (state->unit, input_field (input, "displayUnitId")->i, NULL);
        dp_box_set (&set, DP_TCOL_stock_display_unit_id, dp_val_int (input_field (input, "displayUnitId")->i));
        dp_box_set (&set, DP_TCOL_stock_measure_value, dp_val_double (measure->f / unit.factor));
    }
    if (weight)
        dp_box_set (&set, DP_TCOL_stock_weight, dp_val_double (weight->f));
    if (money)
        dp_box_set (&set, DP_TCOL_stock_monetary_value, dp_val_double (money->f));
    state->box = dp_mutation_insert (m, DP_TABLE_stock, set.columns, dp_box_set_values (m, &set), 1);
}

//  The box's tags (given and new) and the history rows.
static void
s_insert_relations (dp_mutation_t *m, create_state_t *state)
{
    int64_t box_id = state->box->last_insert_id;
    size_t n_given = state->tags ? state->tags->n_rows : 0;
    int64_t *tag_ids = dp_arena_calloc (dp_mutation_arena (m), n_given + state->n_new_tags + 1, sizeof *tag_ids);
    size_t n = 0;
    for (size_t i = 0; i < n_given; i++)
        tag_ids [n++] = dp_mutation_cell (state->tags, (uint32_t) i, 0)->u.i;
    dp_history_t *history = dp_history_new ("tags", dp_mutation_identity (m)->user_id, dp_mutation_now (m));
    for (size_t i = 0; i < state->n_new_tags; i++) {
        tag_ids [n++] = state->new_tags [i]->last_insert_id;
        dp_history_created (history, state->new_tags [i]->last_insert_id);
    }
    dp_box_insert_relations (m, box_id, tag_ids, n);
    dp_history_set_table (history, "stock");
    dp_history_created (history, box_id);
    dp_mutation_insert (m, DP_TABLE_history, DP_HISTORY_COLUMNS, dp_history_cells (history),
                        dp_history_size (history));
    dp_history_destroy (&history);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    switch (state->phase) {
        case S_LOAD:
            if (!input || input->kind != IN_OBJECT) {
                //  creationInput is nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
                return;
            }
            s_load (m, state, input);
            state->phase = S_CHECK;
            return;
        case S_CHECK:
            if (!s_check (m, state, input))
                return;
            s_look_up (m, state, input);
            state->phase = S_CHECK_MORE;
            return;
        case S_CHECK_MORE:
            if (state->qr_box && state->qr_box->n_rows > 0) {
                dp_box_bad_input (m, "The QR code is already assigned to another box.");
                return;
            }
            if (state->sizes && !dp_box_size_in_range (state->sizes, input_field (input, "sizeId")->i)) {
                dp_box_bad_input (m, "Invalid input: the size is not in the product's size range");
                return;
            }
            if (state->label_box->n_rows > 0) {
                if (state->label_attempts == DP_BOX_LABEL_ATTEMPTS) {
                    dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", DP_BOX_CREATION_FAILED);
                    return;
                }
                state->qr_box = NULL;
                state->sizes = NULL;
                state->label_box = dp_box_try_label (m, state->label);
                state->label_attempts++;
                return;
            }
            s_insert_box (m, state, input);
            state->phase = S_WRITE_RELATIONS;
            return;
        case S_WRITE_RELATIONS:
            s_insert_relations (m, state);
            state->phase = S_ANSWER;
            return;
        case S_ANSWER:
            dp_mutation_return_object (m, DP_LOADER_stock_by_id, state->box->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_box = {
    .name = "createBox", .state_size = sizeof (create_state_t), .step = s_create_step
};
