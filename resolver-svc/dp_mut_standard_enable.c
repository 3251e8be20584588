/*  =========================================================================
    dp_mut_standard_enable - Mutation.enableStandardProduct and enableStandardProducts

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's enable_standard_product: product:write in the input's base
    (else InsufficientPermissionError or UnauthorizedForBaseError) and
    size_range:read; a price below 0 is InvalidPriceError; a live
    instantiation of the standard product in the base already is
    StandardProductAlreadyEnabledForBaseError; an unknown standard product
    ResourceDoesNotExistError {name: "StandardProduct"}; one superseded by
    a newer version OutdatedStandardProductVersionError; an unknown size
    range ResourceDoesNotExistError {name: "SizeRange"}. Else the base's
    most recently disabled instantiation is enabled again (deleted cleared,
    modified set), or a new product is made from the standard product
    (its name, category, gender), with sizeRangeId (default: the standard
    product's), price (0), comment ("") and inShop (false); one history
    row "Record created" either way.

    enable_standard_products: product:write in the base; every standard
    product listed that exists, is not superseded and has never been
    instantiated in the base (a disabled instantiation counts) is enabled
    with the standard product's values, each with "Record created"; the
    others are listed as invalidStandardProductIds, ascending.
@discuss
    Both lock the standard product rows (SELECT ... FOR UPDATE) before they
    read the base's instantiations of them with a lock too, so two enables
    of one standard product in one base run one after the other and the
    second sees the first's product. The bulk form takes the same
    statements for 1 or 1,000 standard products: the two locked reads, one
    multi-row INSERT, the new ids read back, one history INSERT.
@end
*/
#include "dp_mut_standard_products.h"
#include "dp_mut_denied.h"
#include "dp_mut_values.h"
#include "dp_mut_box.h"
#include "dp_product_rules.h"
#include "dp_product_history.h"
#include "dp_tables.h"
#include <stdlib.h>
#include <string.h>

#define S_STANDARD_COLUMNS \
    (DP_TBIT (standard_product, id) | DP_TBIT (standard_product, name) \
     | DP_TBIT (standard_product, category_id) | DP_TBIT (standard_product, gender_id) \
     | DP_TBIT (standard_product, size_range_id) | DP_TBIT (standard_product, superceded_by_product_id))

//  The locked rows both mutations decide on.
typedef struct {
    dp_mutation_reply_t *standard;      //  standard_product rows by id
    dp_mutation_reply_t *products;      //  the base's products made from them
} locked_t;

//  Issue the locks: the standard products, then the base's instantiations.
static void
s_lock (dp_mutation_t *m, locked_t *locked, int64_t base_id, const int64_t *ids, size_t n)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *values);
    for (size_t i = 0; i < n; i++)
        values [i] = dp_mut_int (ids [i]);
    dp_mutation_where_t by_id = { DP_TCOL_standard_product_id, values, (uint32_t) n };
    locked->standard = dp_mutation_select (m, DP_TABLE_standard_product, S_STANDARD_COLUMNS, &by_id, 1, true);
    dp_val_t base = dp_mut_int (base_id);
    dp_mutation_where_t in_base [] = {
        { DP_TCOL_products_camp_id, &base, 1 },
        { DP_TCOL_products_standard_product_id, values, (uint32_t) n },
    };
    locked->products = dp_mutation_select (m, DP_TABLE_products, DP_PRODUCT_LOCK_COLUMNS, in_base, 2, true);
}

static const dp_val_t *
s_standard_cell (const locked_t *locked, uint32_t row, int col)
{
    return dp_select_cell (locked->standard, row, S_STANDARD_COLUMNS, col);
}

static int64_t
s_standard_product_of (const locked_t *locked, uint32_t product_row)
{
    return dp_product_cell (locked->products, (int) product_row, DP_TCOL_products_standard_product_id)->u.i;
}

//  One products row made from standard product row sp (columns of S_NEW_COLUMNS, in order).
#define S_NEW_COLUMNS \
    (DP_TBIT (products, name) | DP_TBIT (products, category_id) | DP_TBIT (products, gender_id) \
     | DP_TBIT (products, sizegroup_id) | DP_TBIT (products, camp_id) | DP_TBIT (products, value) \
     | DP_TBIT (products, created) | DP_TBIT (products, created_by) \
     | DP_TBIT (products, stockincontainer) | DP_TBIT (products, comments) \
     | DP_TBIT (products, standard_product_id))
#define S_NEW_VALUES 11

typedef struct {
    int64_t size_range_id;      //  0: the standard product's
    int64_t price;
    dp_val_t comment;
    bool in_shop;
} instance_values_t;

static const instance_values_t s_defaults = { 0, 0, { .type = DP_VAL_STR, .u.s = { "", 0 } }, false };

static void
s_new_row (dp_mutation_t *m, const locked_t *locked, uint32_t sp, int64_t base_id,
           const instance_values_t *given, dp_val_t *row)
{
    int64_t size_range = given->size_range_id ? given->size_range_id
                       : s_standard_cell (locked, sp, DP_TCOL_standard_product_size_range_id)->u.i;
    dp_val_t values [S_NEW_VALUES] = {
        *s_standard_cell (locked, sp, DP_TCOL_standard_product_name),
        *s_standard_cell (locked, sp, DP_TCOL_standard_product_category_id),
        *s_standard_cell (locked, sp, DP_TCOL_standard_product_gender_id),
        dp_mut_int (size_range),
        dp_mut_int (base_id),
        dp_mut_int (given->price),
        dp_mut_text (dp_mutation_now (m)),
        dp_mut_int (dp_mutation_identity (m)->user_id),
        dp_mut_int (given->in_shop ? 1 : 0),
        given->comment,
        *s_standard_cell (locked, sp, DP_TCOL_standard_product_id),
    };
    memcpy (row, values, sizeof values);
}

//  The enable input, or NULL after failing the field (boxtribute's schema
//  leaves it nullable; its resolver then fails reading it).
static const input_t *
s_input (dp_mutation_t *m)
{
    const input_t *input = input_field (dp_mutation_args (m), "enableInput");
    if (!input || input->kind != IN_OBJECT) {
        dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "enableInput is required.");
        return NULL;
    }
    return input;
}

//  product:write in base_id; false after starting the refusal.
static bool
s_may_write (dp_mutation_t *m, dp_mut_denied_t *denied_state, int64_t base_id)
{
    char denied [80];
    if (dp_authz_base (dp_mutation_authz (m), "product:write", base_id, denied, sizeof denied))
        return true;
    dp_mut_denied_start (m, denied_state, "product:write", denied, base_id);
    return false;
}

//  -------------------------------------------------------------------------
//  enableStandardProduct

typedef struct {
    dp_mut_denied_t denied;
    int64_t base_id;
    int64_t standard_id;
    instance_values_t values;
    locked_t locked;
    dp_product_refs_t refs;
    dp_mutation_reply_t *insert;
    int64_t product_id;         //  the product enabled (0: inserted, not known yet)
    int stage;                  //  0 checks, 1 history, 2 answer
} enable_state_t;

static bool
s_read_input (dp_mutation_t *m, enable_state_t *state, const input_t *input)
{
    state->base_id = input_field (input, "baseId")->i;
    state->standard_id = input_field (input, "standardProductId")->i;
    state->values = s_defaults;
    const input_t *given;
    if ((given = dp_box_given (input, "sizeRangeId")))
        state->values.size_range_id = given->i;
    if ((given = dp_box_given (input, "price")))
        state->values.price = given->i;
    if ((given = dp_box_given (input, "comment")))
        state->values.comment = (dp_val_t) { .type = DP_VAL_STR, .u.s = { given->s, (uint32_t) given->len } };
    if ((given = dp_box_given (input, "inShop")))
        state->values.in_shop = given->i;
    if (!s_may_write (m, &state->denied, state->base_id))
        return false;
    if (!dp_authz_any_base (dp_mutation_authz (m), "size_range:read")) {
        dp_mutation_return_record (m, dp_record_insufficient_permission (m, "size_range:read"), false);
        return false;
    }
    if (state->values.price < 0) {
        dp_product_invalid_price (m, state->values.price);
        return false;
    }
    return true;
}

//  After the locks: boxtribute's refusals, in its order; true when none.
static bool
s_enable_allowed (dp_mutation_t *m, enable_state_t *state)
{
    const locked_t *locked = &state->locked;
    int64_t enabled = 0;
    for (uint32_t row = 0; row < locked->products->n_rows; row++)
        if (!dp_product_deleted (locked->products, (int) row) && !enabled)
            enabled = dp_product_cell (locked->products, (int) row, DP_TCOL_products_id)->u.i;
    if (enabled) {
        dp_record_t *error = dp_record_new (m, "StandardProductAlreadyEnabledForBaseError");
        dp_record_set_id (error, "existingStandardProductInstantiationId", enabled);
        dp_mutation_return_record (m, error, false);
        return false;
    }
    if (locked->standard->n_rows == 0) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, "StandardProduct"), false);
        return false;
    }
    const dp_val_t *newer = s_standard_cell (locked, 0, DP_TCOL_standard_product_superceded_by_product_id);
    if (newer->type != DP_VAL_NIL) {
        dp_record_t *error = dp_record_new (m, "OutdatedStandardProductVersionError");
        dp_record_set_id (error, "mostRecentStandardProductId", newer->u.i);
        dp_mutation_return_record (m, error, false);
        return false;
    }
    return dp_product_refs_check (m, &state->refs);
}

//  Enable the most recently disabled instantiation again, or make one.
static void
s_enable_write (dp_mutation_t *m, enable_state_t *state)
{
    const locked_t *locked = &state->locked;
    int newest = -1;
    for (uint32_t row = 0; row < locked->products->n_rows; row++) {
        const dp_val_t *deleted = dp_product_cell (locked->products, (int) row, DP_TCOL_products_deleted);
        if (newest < 0 || strcmp (deleted->u.s.ptr,
                                  dp_product_cell (locked->products, newest, DP_TCOL_products_deleted)->u.s.ptr) > 0)
            newest = (int) row;
    }
    if (newest < 0) {
        dp_val_t row [S_NEW_VALUES];
        s_new_row (m, locked, 0, state->base_id, &state->values, row);
        state->insert = dp_mutation_insert (m, DP_TABLE_products, S_NEW_COLUMNS, row, 1);
        return;
    }
    state->product_id = dp_product_cell (locked->products, newest, DP_TCOL_products_id)->u.i;
    int64_t size_range = state->values.size_range_id ? state->values.size_range_id
                       : s_standard_cell (locked, 0, DP_TCOL_standard_product_size_range_id)->u.i;
    //  In column order: sizegroup_id, value, modified, modified_by, stockincontainer, comments, deleted.
    dp_val_t values [] = {
        dp_mut_int (size_range), dp_mut_int (state->values.price), dp_mut_text (dp_mutation_now (m)),
        dp_mut_int (dp_mutation_identity (m)->user_id), dp_mut_int (state->values.in_shop ? 1 : 0),
        state->values.comment, dp_mut_nil (),
    };
    uint64_t columns = DP_TBIT (products, sizegroup_id) | DP_TBIT (products, value)
                     | DP_TBIT (products, modified) | DP_TBIT (products, modified_by)
                     | DP_TBIT (products, stockincontainer) | DP_TBIT (products, comments)
                     | DP_TBIT (products, deleted);
    dp_val_t id = dp_mut_int (state->product_id);
    dp_mutation_where_t by_id = { DP_TCOL_products_id, &id, 1 };
    dp_mutation_update (m, DP_TABLE_products, columns, values, &by_id, 1);
    //  boxtribute writes "Record created" again for the same product id.
    dp_product_history_created (m, &state->product_id, 1);
}

static void
s_enable_step (dp_mutation_t *m, void *state_)
{
    enable_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    if (dp_mutation_round (m) == 0) {
        const input_t *input = s_input (m);
        if (!input || !s_read_input (m, state, input))
            return;
        s_lock (m, &state->locked, state->base_id, &state->standard_id, 1);
        dp_product_refs_load (m, &state->refs, 0, state->values.size_range_id);
        return;
    }
    switch (state->stage++) {
        case 0:
            if (s_enable_allowed (m, state))
                s_enable_write (m, state);
            if (state->product_id)
                state->stage++;             //  its history is written already
            return;
        case 1:
            state->product_id = state->insert->last_insert_id;
            dp_product_history_created (m, &state->product_id, 1);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_products_by_id, state->product_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_enable_standard_product = {
    .name = "enableStandardProduct", .state_size = sizeof (enable_state_t), .step = s_enable_step
};

//  -------------------------------------------------------------------------
//  enableStandardProducts

typedef struct {
    dp_mut_denied_t denied;
    int64_t base_id;
    int64_t *ids;               //  the standard products asked, ascending, each once
    size_t n_ids;
    locked_t locked;
    int64_t *valid;             //  those enabled here, ascending
    size_t n_valid;
    dp_mutation_reply_t *created;   //  the new products, read back
    int stage;                  //  0 decide and insert, 1 read back, 2 history, 3 answer
} enable_many_state_t;

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

//  True when id is in sorted values [0..n).
static bool
s_listed (const int64_t *values, size_t n, int64_t id)
{
    return bsearch (&id, values, n, sizeof (int64_t), s_int64_cmp) != NULL;
}

//  ProductsResult: the products made, and the ids asked that were not valid.
static void
s_enable_many_answer (dp_mutation_t *m, enable_many_state_t *state)
{
    size_t n_created = state->created ? state->created->n_rows : 0;
    int64_t *created = dp_arena_calloc (dp_mutation_arena (m), n_created + 1, sizeof (int64_t));
    for (size_t row = 0; row < n_created; row++)
        created [row] = dp_mutation_cell (state->created, (uint32_t) row, 0)->u.i;
    int64_t *invalid = dp_arena_calloc (dp_mutation_arena (m), state->n_ids + 1, sizeof (int64_t));
    size_t n_invalid = 0;
    for (size_t i = 0; i < state->n_ids; i++)
        if (!s_listed (state->valid, state->n_valid, state->ids [i]))
            invalid [n_invalid++] = state->ids [i];
    dp_record_t *result = dp_record_new (m, "ProductsResult");
    dp_record_set_objects (result, "instantiations", DP_LOADER_products_by_id, created, n_created);
    dp_record_set_ints (result, "invalidStandardProductIds", invalid, n_invalid);
    dp_mutation_return_record (m, result, true);
}

//  The valid standard products (not superseded, never instantiated in the
//  base), and one INSERT of their products.
static void
s_enable_many_write (dp_mutation_t *m, enable_many_state_t *state)
{
    const locked_t *locked = &state->locked;
    int64_t *used = dp_arena_calloc (dp_mutation_arena (m), locked->products->n_rows + 1, sizeof (int64_t));
    for (uint32_t row = 0; row < locked->products->n_rows; row++)
        used [row] = s_standard_product_of (locked, row);
    qsort (used, locked->products->n_rows, sizeof (int64_t), s_int64_cmp);
    state->valid = dp_arena_calloc (dp_mutation_arena (m), locked->standard->n_rows + 1, sizeof (int64_t));
    dp_val_t *rows = dp_arena_calloc (dp_mutation_arena (m), (locked->standard->n_rows + 1) * S_NEW_VALUES,
                                      sizeof (dp_val_t));
    for (uint32_t sp = 0; sp < locked->standard->n_rows; sp++) {
        int64_t id = s_standard_cell (locked, sp, DP_TCOL_standard_product_id)->u.i;
        if (s_standard_cell (locked, sp, DP_TCOL_standard_product_superceded_by_product_id)->type != DP_VAL_NIL
        ||  s_listed (used, locked->products->n_rows, id))
            continue;
        s_new_row (m, locked, sp, state->base_id, &s_defaults, rows + state->n_valid * S_NEW_VALUES);
        state->valid [state->n_valid++] = id;   //  rows come ordered by id
    }
    if (state->n_valid == 0) {
        s_enable_many_answer (m, state);
        return;
    }
    dp_mutation_insert (m, DP_TABLE_products, S_NEW_COLUMNS, rows, state->n_valid);
}

//  The products just made, by id (their ids are not assumed consecutive).
static void
s_enable_many_read_back (dp_mutation_t *m, enable_many_state_t *state)
{
    dp_val_t base = dp_mut_int (state->base_id);
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), state->n_valid, sizeof *values);
    for (size_t i = 0; i < state->n_valid; i++)
        values [i] = dp_mut_int (state->valid [i]);
    dp_mutation_where_t made [] = {
        { DP_TCOL_products_camp_id, &base, 1 },
        { DP_TCOL_products_standard_product_id, values, (uint32_t) state->n_valid },
    };
    state->created = dp_mutation_select (m, DP_TABLE_products, DP_TBIT (products, id), made, 2, false);
}

static void
s_enable_many_step (dp_mutation_t *m, void *state_)
{
    enable_many_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    if (dp_mutation_round (m) == 0) {
        const input_t *input = s_input (m);
        if (!input)
            return;
        state->base_id = input_field (input, "baseId")->i;
        if (!s_may_write (m, &state->denied, state->base_id))
            return;
        const input_t *ids = input_field (input, "standardProductIds");
        state->ids = dp_arena_calloc (dp_mutation_arena (m), ids->n_items + 1, sizeof (int64_t));
        for (size_t i = 0; i < ids->n_items; i++)
            state->ids [i] = ids->items [i]->i;
        qsort (state->ids, ids->n_items, sizeof (int64_t), s_int64_cmp);
        for (size_t i = 0; i < ids->n_items; i++)
            if (state->n_ids == 0 || state->ids [i] != state->ids [state->n_ids - 1])
                state->ids [state->n_ids++] = state->ids [i];
        if (state->n_ids == 0) {
            s_enable_many_answer (m, state);
            return;
        }
        s_lock (m, &state->locked, state->base_id, state->ids, state->n_ids);
        return;
    }
    switch (state->stage++) {
        case 0:
            s_enable_many_write (m, state);
            return;
        case 1:
            s_enable_many_read_back (m, state);
            return;
        case 2: {
            size_t n = state->created->n_rows;
            int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (int64_t));
            for (size_t row = 0; row < n; row++)
                ids [row] = dp_mutation_cell (state->created, (uint32_t) row, 0)->u.i;
            dp_product_history_created (m, ids, n);
            return;
        }
        default:
            s_enable_many_answer (m, state);
            return;
    }
}

const dp_mutation_def_t dp_mut_enable_standard_products = {
    .name = "enableStandardProducts", .state_size = sizeof (enable_many_state_t), .step = s_enable_many_step
};
