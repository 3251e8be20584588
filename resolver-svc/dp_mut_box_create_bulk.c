/*  =========================================================================
    dp_mut_box_create_bulk - Mutation.createBoxes(creationInput)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's bulk import (warehouse/box/crud.py create_boxes): every
    row's location must be in one base (InvalidBaseError), where the user
    has stock:write (InsufficientPermissionError,
    UnauthorizedForBaseError) and tag_relation:assign; the base must not be
    deleted (DeletedBaseError); the products must be of one base
    (InvalidBaseError), that one (ProductLocationBaseMismatchError).

    A row with boxLabelIdentifierForMerge adds its numberOfItems to that
    box (live, in a warehouse state, of the base; else the label is
    answered as invalid), with an `items` history row. Every other row is a
    new box: InStock (the column's default, as boxtribute's bulk insert),
    an 8-digit random label, the size whose label matches sizeName in any
    case within the product's size range, else the range's "Mixed" with
    "original size: '<name>'" added to the comment; for a measure product
    "1.5kg" gives the unit of that symbol and the value in the dimension's
    base unit; its tagIds and newTagNames as tag relations (new names
    become Box tags of the base, each with a "Record created" history row
    on tags); a "Record created" history row each. The answer is the boxes
    in input order.

    Set-based: one multi-row INSERT of the new boxes, read back by label
    (never by an assumed id range), one of their history rows, one of
    their tag relations. The labels are generated together and checked
    together before the INSERT; a label taken meanwhile fails the INSERT
    as a duplicate key, which runs the whole field again (409). Merge rows
    cost one UPDATE per distinct resulting item count.

    Rounds: (0) SELECT the rows' tags and merge boxes FOR UPDATE, then
    LOAD locations and products (the locks first: the first plain read
    begins the snapshot the answer is read in); (1) check bases and
    permissions, LOAD the base, sizes and units, SELECT the generated
    labels; (2)
    validate, INSERT new tags and boxes and read them back, LOAD the merge
    boxes' locations; (3) INSERT history and tag relations, UPDATE merged
    boxes; (4) the answer.
@end
*/
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include "dp_tag_rules.h"
#include "dp_product_rules.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

typedef enum { CB_READ, CB_CHECK, CB_VALIDATE, CB_LINK, CB_DONE, CB_NAMES, CB_REFUSED } create_phase_t;

//  Size ranges of measure products (boxtribute's is_measure_product).
#define MASS_DIMENSION      28
#define VOLUME_DIMENSION    29

typedef struct {
    const input_t *input;
    int64_t product_id;
    int64_t location_id;
    const char *merge_label;    //  NULL: the row is a new box
    size_t merge_len;           //  its bytes (it may hold U+0000)
    bool merge_valid;
    int64_t box_id;             //  the new or merged box
    char label [9];             //  a new box's label
} create_row_t;

//  A new box read back: its label and id.
typedef struct {
    const char *label;
    int64_t id;
} new_box_t;

typedef struct {
    create_phase_t phase;
    create_row_t *rows;
    size_t n_rows;
    size_t n_new;               //  rows that are new boxes
    int64_t base_id;
    dp_bulk_base_names_t names;
    dp_mutation_reply_t *locations, *products, *merge_reply, *merge_locations, *tags,
                        *sizes, *units, *taken, *new_boxes, *new_tags,
                        *product_lock;  //  the new rows' products, locked (dp_product_rules)
    dp_bulk_labels_t merge_labels;
    dp_bulk_box_t *merge_boxes;
    size_t n_merge_boxes;
    const char **tag_names;     //  newTagNames of new rows, each once, sorted
    size_t n_tag_names;
    new_box_t *by_label;        //  the new boxes read back, by label
} create_state_t;

//  -------------------------------------------------------------------------
//  Small readers of the input

static int64_t
s_row_int (const input_t *row, const char *name, int64_t absent)
{
    const input_t *value = input_field (row, name);
    return value && value->kind == IN_INT ? value->i : absent;
}

//  Python's str.lower() for ASCII letters (other characters kept).
static char *
s_lower (dp_mutation_t *m, const char *text)
{
    char *copy = dp_arena_strdup (dp_mutation_arena (m), text);
    for (char *c = copy; *c; c++)
        if ((unsigned char) *c < 128)
            *c = (char) tolower ((unsigned char) *c);
    return copy;
}

//  8 random digits, as boxtribute's random.choices("0123456789", k=8).
static void
s_new_label (char label [9])
{
    for (int i = 0; i < 8; ) {
        unsigned char byte;
        if (getrandom (&byte, 1, 0) == 1 && byte < 250)
            label [i++] = (char) ('0' + byte % 10);
    }
    label [8] = 0;
}

static int
s_compare_row_label (const void *a, const void *b)
{
    return strcmp ((*(create_row_t *const *) a)->label, (*(create_row_t *const *) b)->label);
}

//  A new label for every new row whose label is empty (not drawn yet),
//  another row's or one the database holds (taken: labels found, may be
//  NULL), until none clashes. Returns the number of labels drawn.
static size_t
s_relabel (dp_mutation_t *m, create_state_t *state, const dp_mutation_reply_t *taken)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    size_t n_held = taken ? taken->n_rows : 0;
    const char **held = dp_arena_calloc (arena, n_held + 1, sizeof (char *));
    for (size_t r = 0; r < n_held; r++)
        held [r] = dp_mutation_cell (taken, (uint32_t) r, 0)->u.s.ptr;
    qsort (held, n_held, sizeof (char *), dp_bulk_compare_text);
    create_row_t **rows = dp_arena_calloc (arena, state->n_rows + 1, sizeof (create_row_t *));
    size_t n = 0, drawn = 0;
    for (size_t i = 0; i < state->n_rows; i++)
        if (!state->rows [i].merge_label)
            rows [n++] = &state->rows [i];
    for (bool again = true; again; ) {
        again = false;
        qsort (rows, n, sizeof (create_row_t *), s_compare_row_label);
        for (size_t i = 0; i < n; i++) {
            const char *label = rows [i]->label;
            if (label [0] && (i == 0 || strcmp (rows [i - 1]->label, label) != 0)
            &&  !bsearch (&label, held, n_held, sizeof (char *), dp_bulk_compare_text))
                continue;
            s_new_label (rows [i]->label);
            drawn++;
            again = true;
        }
    }
    return drawn;
}

//  SELECT the labels of the new rows that exist already.
static dp_mutation_reply_t *
s_check_labels (dp_mutation_t *m, create_state_t *state)
{
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), state->n_new + 1, sizeof (dp_val_t));
    size_t n = 0;
    for (size_t i = 0; i < state->n_rows; i++)
        if (!state->rows [i].merge_label)
            values [n++] = dp_bulk_str (m, state->rows [i].label);
    dp_mutation_where_t where = { DP_TCOL_stock_box_id, values, (uint32_t) n };
    return dp_mutation_select (m, DP_TABLE_stock, DP_TBIT (stock, box_id), &where, 1, false);
}

//  -------------------------------------------------------------------------
//  Round 0: the rows, their locations and products

//  Round 0, before any plain read (the snapshot the answer is read in
//  begins at the first): the new rows' products, locked against a
//  deleteProduct (as createBox does: product, then tags); the rows' tags,
//  locked against a deleteTag; the merge boxes, locked; the distinct new
//  tag names.
static void
s_create_lock (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    int64_t *products = dp_arena_calloc (arena, state->n_rows + 1, sizeof (int64_t));
    size_t n_products = 0;
    for (size_t i = 0; i < state->n_rows; i++)
        if (!state->rows [i].merge_label)
            products [n_products++] = state->rows [i].product_id;
    n_products = dp_bulk_unique_ids (m, products, n_products, &products);
    if (n_products > 0)
        state->product_lock = dp_product_lock (m, products, n_products);
    input_t merge_list = { .kind = IN_LIST };
    merge_list.items = dp_arena_calloc (arena, state->n_rows, sizeof (input_t *));
    int64_t *tag_ids = NULL;
    size_t n_tag_ids = 0, n_names = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        const create_row_t *row = &state->rows [i];
        if (row->merge_label) {
            merge_list.items [merge_list.n_items++] = (input_t *) input_field (row->input,
                                                                               "boxLabelIdentifierForMerge");
            continue;
        }
        const input_t *tags = input_field (row->input, "tagIds");
        const input_t *names = input_field (row->input, "newTagNames");
        n_tag_ids += tags && tags->kind == IN_LIST ? tags->n_items : 0;
        n_names += names && names->kind == IN_LIST ? names->n_items : 0;
    }
    dp_bulk_labels (m, &merge_list, &state->merge_labels);

    tag_ids = dp_arena_calloc (arena, n_tag_ids + 1, sizeof (int64_t));
    state->tag_names = dp_arena_calloc (arena, n_names + 1, sizeof (char *));
    n_tag_ids = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        if (state->rows [i].merge_label)
            continue;
        const input_t *tags = input_field (state->rows [i].input, "tagIds");
        for (size_t t = 0; tags && tags->kind == IN_LIST && t < tags->n_items; t++)
            tag_ids [n_tag_ids++] = tags->items [t]->i;
        const input_t *names = input_field (state->rows [i].input, "newTagNames");
        for (size_t t = 0; names && names->kind == IN_LIST && t < names->n_items; t++)
            state->tag_names [state->n_tag_names++] = names->items [t]->s;
    }
    qsort (state->tag_names, state->n_tag_names, sizeof (char *), dp_bulk_compare_text);
    size_t kept = 0;
    for (size_t i = 0; i < state->n_tag_names; i++)
        if (kept == 0 || strcmp (state->tag_names [kept - 1], state->tag_names [i]) != 0)
            state->tag_names [kept++] = state->tag_names [i];
    state->n_tag_names = kept;
    if (n_tag_ids > 0) {
        n_tag_ids = dp_bulk_unique_ids (m, tag_ids, n_tag_ids, &tag_ids);
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_tags_id, tag_ids, n_tag_ids);
        state->tags = dp_mutation_select (m, DP_TABLE_tags, DP_TBIT (tags, id) | DP_TBIT (tags, camp_id)
                                          | DP_TBIT (tags, deleted) | DP_TBIT (tags, type), &where, 1, true);
    }
    //  boxes after tags, in the order every tag mutation locks them
    if (state->merge_labels.n_lookup > 0)
        state->merge_reply = dp_bulk_lock_boxes (m, &state->merge_labels);
}

static bool
s_create_read (dp_mutation_t *m, create_state_t *state)
{
    const input_t *rows = input_field (dp_mutation_args (m), "creationInput");
    state->n_rows = rows && rows->kind == IN_LIST ? rows->n_items : 0;
    if (state->n_rows == 0)
        return false;
    dp_arena_t *arena = dp_mutation_arena (m);
    state->rows = dp_arena_calloc (arena, state->n_rows, sizeof (create_row_t));
    int64_t *locations = dp_arena_calloc (arena, state->n_rows, sizeof (int64_t));
    int64_t *products = dp_arena_calloc (arena, state->n_rows, sizeof (int64_t));
    for (size_t i = 0; i < state->n_rows; i++) {
        create_row_t *row = &state->rows [i];
        row->input = rows->items [i];
        row->product_id = products [i] = s_row_int (row->input, "productId", 0);
        row->location_id = locations [i] = s_row_int (row->input, "locationId", 0);
        const input_t *merge = input_field (row->input, "boxLabelIdentifierForMerge");
        row->merge_label = merge && merge->kind == IN_STRING ? merge->s : NULL;
        row->merge_len = row->merge_label ? merge->len : 0;
        state->n_new += row->merge_label == NULL;
    }
    s_create_lock (m, state);
    size_t n_locations = dp_bulk_unique_ids (m, locations, state->n_rows, &locations);
    size_t n_products = dp_bulk_unique_ids (m, products, state->n_rows, &products);
    state->locations = dp_mutation_load (m, DP_LOADER_locations_by_id, 1ull << DP_COL_locations_camp_id,
                                         locations, n_locations);
    state->products = dp_mutation_load (m, DP_LOADER_products_by_id,
                                        (1ull << DP_COL_products_sizegroup_id) | (1ull << DP_COL_products_camp_id),
                                        products, n_products);
    return true;
}

//  The distinct values of column col (an INT) of a LOAD reply, sorted.
static size_t
s_loaded_ints (dp_mutation_t *m, const dp_mutation_reply_t *reply, uint32_t col, int64_t **out)
{
    int64_t *values = dp_arena_calloc (dp_mutation_arena (m), reply->n_rows + 1, sizeof (int64_t));
    size_t n = 0;
    for (uint32_t row = 0; row < reply->n_rows; row++)
        if (dp_mutation_cell (reply, row, col)->type == DP_VAL_INT)
            values [n++] = dp_mutation_cell (reply, row, col)->u.i;
    return dp_bulk_unique_ids (m, values, n, out);
}

static void
s_invalid_base (dp_mutation_t *m, const int64_t *bases, size_t n)
{
    dp_record_t *error = dp_record_new (m, "InvalidBaseError");
    dp_record_set_ints (error, "ids", bases, n);
    dp_mutation_return_record (m, error, false);
}

//  -------------------------------------------------------------------------
//  Round 1: one base, the permissions; then everything the rows need

static bool
s_create_check (dp_mutation_t *m, create_state_t *state)
{
    int64_t *bases;
    size_t n_bases = s_loaded_ints (m, state->locations, 1, &bases);
    if (n_bases != 1) {
        s_invalid_base (m, bases, n_bases);
        return false;
    }
    state->base_id = bases [0];
    switch (dp_bulk_authorize (m, "stock:write", state->base_id)) {
        case DP_BULK_NO_PERMISSION:
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, "stock:write"), false);
            return false;
        case DP_BULK_NOT_FOR_BASE:
            dp_bulk_base_names_load (m, &state->names, &state->base_id, 1);
            state->phase = CB_NAMES;
            return false;
        case DP_BULK_ALLOWED:
            break;
    }
    if (!dp_mutation_identity (m)->god && !dp_authz_any_base (dp_mutation_authz (m), "tag_relation:assign")) {
        dp_mutation_return_record (m, dp_record_insufficient_permission (m, "tag_relation:assign"), false);
        return false;
    }
    dp_bulk_base_names_load (m, &state->names, &state->base_id, 1);
    if (state->n_new > 0) {
        //  Sizes of the products' ranges and the units of measure.
        int64_t *ranges;
        size_t n_ranges = s_loaded_ints (m, state->products, 1, &ranges);
        state->sizes = dp_mutation_load (m, DP_LOADER_sizes_by_sizegroup,
                                         (1ull << DP_COL_sizes_id) | (1ull << DP_COL_sizes_label),
                                         ranges, n_ranges);
        int64_t dimensions [2] = { MASS_DIMENSION, VOLUME_DIMENSION };
        state->units = dp_mutation_load (m, DP_LOADER_units_by_dimension,
                                         (1ull << DP_COL_units_id) | (1ull << DP_COL_units_symbol)
                                         | (1ull << DP_COL_units_conversion_factor), dimensions, 2);
        s_relabel (m, state, NULL);
        state->taken = s_check_labels (m, state);
    }
    return true;
}

//  -------------------------------------------------------------------------
//  Round 2: what only the database could say; then the new tags and boxes

//  The error of the base or products, or false when there is none.
static bool
s_create_refused (dp_mutation_t *m, create_state_t *state)
{
    const dp_val_t *base = dp_bulk_loaded (state->names.camps, state->base_id);
    if (base && dp_bulk_deleted (&base [3])) {
        dp_record_t *error = dp_record_new (m, "DeletedBaseError");
        dp_record_set_string (error, "name", base [1].type == DP_VAL_STR ? base [1].u.s.ptr : "");
        dp_mutation_return_record (m, error, false);
        return true;
    }
    int64_t *bases;
    size_t n_bases = s_loaded_ints (m, state->products, 2, &bases);
    if (n_bases != 1) {
        s_invalid_base (m, bases, n_bases);
        return true;
    }
    if (bases [0] != state->base_id) {
        dp_mutation_return_record (m, dp_record_new (m, "ProductLocationBaseMismatchError"), false);
        return true;
    }
    //  A row naming a location or product the database lacks: boxtribute's
    //  insert fails on the foreign key.
    for (size_t i = 0; i < state->n_rows; i++)
        if (!dp_bulk_loaded (state->locations, state->rows [i].location_id)
        ||  !dp_bulk_loaded (state->products, state->rows [i].product_id)) {
            dp_mutation_not_found (m);
            return true;
        }
    //  A new box of a deleted product, "deleted" as the locked read sees it
    //  (boxtribute's bulk import does not check: README "Deliberate choices").
    for (size_t i = 0; i < state->n_rows; i++) {
        if (state->rows [i].merge_label)
            continue;
        int row = dp_product_row (state->product_lock, state->rows [i].product_id);
        if (row < 0 || dp_product_deleted (state->product_lock, row)) {
            const dp_val_t *name = row < 0 ? NULL : dp_product_cell (state->product_lock, row, DP_TCOL_products_name);
            dp_mutation_fail (m, "BAD_USER_INPUT", "Invalid input: the product '%s' is deleted",
                              name && name->type == DP_VAL_STR ? name->u.s.ptr : "");
            return true;
        }
    }
    //  Tags of new rows: live Box or All tags of the base (boxtribute
    //  inserts any id unchecked; README "Deliberate choices").
    for (size_t i = 0; i < state->n_rows; i++) {
        const input_t *tags = state->rows [i].merge_label ? NULL : input_field (state->rows [i].input, "tagIds");
        for (size_t t = 0; tags && tags->kind == IN_LIST && t < tags->n_items; t++) {
            uint32_t row = 0;
            while (row < state->tags->n_rows && dp_mutation_cell (state->tags, row, 0)->u.i != tags->items [t]->i)
                row++;
            const dp_val_t *type = row < state->tags->n_rows ? dp_mutation_cell (state->tags, row, 3) : NULL;
            if (!type || dp_mutation_cell (state->tags, row, 1)->u.i != state->base_id
            ||  dp_bulk_deleted (dp_mutation_cell (state->tags, row, 2))
            ||  !dp_tag_type_fits (type->type == DP_VAL_STR ? type->u.s.ptr : NULL, "Stock")) {
                dp_mutation_fail (m, "BAD_USER_INPUT", "Tag %lld cannot be assigned to boxes of base %lld: "
                                  "it does not exist, is deleted, is of another base or is a Beneficiary tag.",
                                  (long long) tags->items [t]->i, (long long) state->base_id);
                return true;
            }
        }
    }
    return false;
}

//  boxtribute's QUANTITY_REGEX: a number, optional spaces, a unit symbol.
//  True with *value and *symbol set when text matches.
static bool
s_quantity (const char *text, double *value, const char **symbol)
{
    const char *c = text;
    size_t digits = 0, decimals = 0;
    while (isdigit ((unsigned char) *c)) { c++; digits++; }
    if (*c == '.') {
        c++;
        while (isdigit ((unsigned char) *c)) { c++; decimals++; }
    }
    if (digits == 0 && decimals == 0)
        return false;
    *value = strtod (text, NULL);
    while (isspace ((unsigned char) *c))
        c++;
    static const char *const units [] = { "kg", "g", "ml", "l", "mg", "t", "lb", "oz" };
    for (size_t i = 0; i < sizeof units / sizeof units [0]; i++)
        if (strcmp (c, units [i]) == 0) {
            *symbol = c;
            return true;
        }
    return false;
}

//  Python's str.strip() for ASCII whitespace, as a copy.
static char *
s_strip (dp_mutation_t *m, const char *text)
{
    while (isspace ((unsigned char) *text))
        text++;
    size_t len = strlen (text);
    while (len > 0 && isspace ((unsigned char) text [len - 1]))
        len--;
    return dp_arena_strndup (dp_mutation_arena (m), text, len);
}

//  The stock columns of a new box, in column order.
#define NEW_BOX_COLUMNS (DP_TBIT (stock, box_id) | DP_TBIT (stock, product_id) | DP_TBIT (stock, size_id) \
    | DP_TBIT (stock, display_unit_id) | DP_TBIT (stock, measure_value) | DP_TBIT (stock, items) \
    | DP_TBIT (stock, location_id) | DP_TBIT (stock, comments) | DP_TBIT (stock, created) \
    | DP_TBIT (stock, created_by))
#define NEW_BOX_VALUES 10

//  One new box's values: size or measure from sizeName, comment, items.
static void
s_new_box_values (dp_mutation_t *m, create_state_t *state, const create_row_t *row, dp_val_t *values)
{
    const dp_val_t *product = dp_bulk_loaded (state->products, row->product_id);
    int64_t range = product [1].u.i;
    const input_t *size_input = input_field (row->input, "sizeName");
    const char *size_name = s_lower (m, size_input && size_input->kind == IN_STRING ? size_input->s : "");
    const input_t *comment_input = input_field (row->input, "comment");
    const char *comment = !comment_input ? "" : comment_input->kind == IN_STRING ? comment_input->s : NULL;
    bool noted = false;         //  the size is not understood: noted in the comment
    dp_val_t size = dp_bulk_nil (), unit = dp_bulk_nil (), measure = dp_bulk_nil ();

    if (range == MASS_DIMENSION || range == VOLUME_DIMENSION) {
        double quantity;
        const char *symbol;
        noted = true;
        if (s_quantity (s_strip (m, size_name), &quantity, &symbol))
            for (uint32_t r = 0; r < state->units->n_rows; r++)
                if (strcmp (dp_mutation_cell (state->units, r, 2)->u.s.ptr, symbol) == 0) {
                    unit = *dp_mutation_cell (state->units, r, 1);
                    measure.type = DP_VAL_DOUBLE;
                    measure.u.d = quantity / dp_mutation_cell (state->units, r, 3)->u.d;
                    noted = false;
                    break;
                }
    }
    else {
        const dp_val_t *mixed = NULL;
        for (uint32_t r = 0; r < state->sizes->n_rows && size.type == DP_VAL_NIL; r++) {
            if (dp_mutation_cell (state->sizes, r, 0)->u.i != range)
                continue;
            const char *label = s_lower (m, dp_mutation_cell (state->sizes, r, 2)->u.s.ptr);
            if (strcmp (label, size_name) == 0)
                size = *dp_mutation_cell (state->sizes, r, 1);
            else
            if (strcmp (label, "mixed") == 0 && !mixed)
                mixed = dp_mutation_cell (state->sizes, r, 1);
        }
        if (size.type == DP_VAL_NIL) {
            noted = true;
            if (mixed)
                size = *mixed;
        }
    }
    if (noted) {
        char *note = dp_arena_printf (dp_mutation_arena (m), "original size: '%s'", size_name);
        comment = comment && *comment ? dp_arena_printf (dp_mutation_arena (m), "%s; %s", comment, note) : note;
    }
    const input_t *items = input_field (row->input, "numberOfItems");
    values [0] = dp_bulk_str (m, row->label);
    values [1] = dp_bulk_int (row->product_id);
    values [2] = size;
    values [3] = unit;
    values [4] = measure;
    values [5] = !items ? dp_bulk_int (0) : items->kind == IN_INT ? dp_bulk_int (items->i) : dp_bulk_nil ();
    values [6] = dp_bulk_int (row->location_id);
    values [7] = comment ? dp_bulk_str (m, comment) : dp_bulk_nil ();
    values [8] = dp_bulk_str (m, dp_mutation_now (m));
    values [9] = dp_bulk_int (dp_mutation_identity (m)->user_id);
}

//  INSERT the new tags and the new boxes, each read back at once. Returns
//  false when there is nothing to write (merge rows that can match nothing).
static bool
s_create_insert (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    if (state->n_tag_names > 0) {
        //  boxtribute's create_tag: a random colour, type Box ('Stock').
        dp_val_t *values = dp_arena_calloc (arena, state->n_tag_names * 7, sizeof (dp_val_t));
        dp_val_t *labels = dp_arena_calloc (arena, state->n_tag_names, sizeof (dp_val_t));
        for (size_t i = 0; i < state->n_tag_names; i++) {
            uint32_t colour = 0;
            while (getrandom (&colour, sizeof colour, 0) != sizeof colour)
                ;
            dp_val_t *row = values + 7 * i;
            row [0] = labels [i] = dp_bulk_str (m, state->tag_names [i]);
            row [1] = dp_bulk_str (m, dp_arena_printf (arena, "#%06x", colour & 0xFFFFFF));
            row [2] = dp_bulk_int (state->base_id);
            row [3] = dp_bulk_str (m, now);
            row [4] = dp_bulk_int (user);
            row [5] = dp_bulk_str (m, "");
            row [6] = dp_bulk_str (m, "Stock");
        }
        dp_mutation_insert (m, DP_TABLE_tags, DP_TBIT (tags, label) | DP_TBIT (tags, color) | DP_TBIT (tags, camp_id)
                            | DP_TBIT (tags, created) | DP_TBIT (tags, created_by) | DP_TBIT (tags, description)
                            | DP_TBIT (tags, type), values, state->n_tag_names);
        //  Read back by what this transaction wrote: the base, the names, this
        //  moment and this user; the newest of each name is the one made here.
        dp_val_t base = dp_bulk_int (state->base_id), when = dp_bulk_str (m, now), by = dp_bulk_int (user);
        dp_mutation_where_t where [4] = {
            { DP_TCOL_tags_camp_id, &base, 1 }, { DP_TCOL_tags_label, labels, (uint32_t) state->n_tag_names },
            { DP_TCOL_tags_created, &when, 1 }, { DP_TCOL_tags_created_by, &by, 1 }
        };
        state->new_tags = dp_mutation_select (m, DP_TABLE_tags, DP_TBIT (tags, id) | DP_TBIT (tags, label),
                                              where, 4, true);
    }
    if (state->n_new > 0) {
        dp_val_t *values = dp_arena_calloc (arena, state->n_new * NEW_BOX_VALUES, sizeof (dp_val_t));
        size_t n = 0;
        for (size_t i = 0; i < state->n_rows; i++)
            if (!state->rows [i].merge_label)
                s_new_box_values (m, state, &state->rows [i], values + NEW_BOX_VALUES * n++);
        dp_mutation_insert (m, DP_TABLE_stock, NEW_BOX_COLUMNS, values, state->n_new);
        //  Read back by label, the unique key.
        dp_val_t *labels = dp_arena_calloc (arena, state->n_new, sizeof (dp_val_t));
        for (size_t i = 0; i < state->n_new; i++)
            labels [i] = values [NEW_BOX_VALUES * i];
        dp_mutation_where_t where = { DP_TCOL_stock_box_id, labels, (uint32_t) state->n_new };
        state->new_boxes = dp_mutation_select (m, DP_TABLE_stock, DP_TBIT (stock, id) | DP_TBIT (stock, box_id),
                                               &where, 1, false);
    }
    if (state->merge_reply) {
        state->n_merge_boxes = dp_bulk_boxes (m, state->merge_reply, &state->merge_boxes);
        state->merge_locations = dp_bulk_load_locations (m, state->merge_boxes, state->n_merge_boxes, NULL);
    }
    return state->n_tag_names > 0 || state->n_new > 0 || state->merge_locations;
}

//  -------------------------------------------------------------------------
//  Round 3: history, tag relations, merged boxes

//  The id of the new tag named name (the newest read back).
static int64_t
s_new_tag_id (const create_state_t *state, const char *name)
{
    int64_t id = 0;
    for (uint32_t r = 0; r < state->new_tags->n_rows; r++)
        if (strcmp (dp_mutation_cell (state->new_tags, r, 1)->u.s.ptr, name) == 0)
            id = dp_mutation_cell (state->new_tags, r, 0)->u.i;
    return id;
}

static int
s_compare_new_box (const void *a, const void *b)
{
    return strcmp (((const new_box_t *) a)->label, ((const new_box_t *) b)->label);
}

//  The id of the new box labelled label (the boxes read back, sorted by
//  label on first use).
static int64_t
s_new_box_id (dp_mutation_t *m, create_state_t *state, const char *label)
{
    uint32_t n = state->new_boxes->n_rows;
    if (!state->by_label) {
        state->by_label = dp_arena_calloc (dp_mutation_arena (m), n + 1, sizeof (new_box_t));
        for (uint32_t r = 0; r < n; r++)
            state->by_label [r] = (new_box_t) { dp_mutation_cell (state->new_boxes, r, 1)->u.s.ptr,
                                                dp_mutation_cell (state->new_boxes, r, 0)->u.i };
        qsort (state->by_label, n, sizeof (new_box_t), s_compare_new_box);
    }
    new_box_t key = { label, 0 };
    const new_box_t *found = bsearch (&key, state->by_label, n, sizeof (new_box_t), s_compare_new_box);
    return found ? found->id : 0;
}

//  The box a merge row names when it may take items, else NULL.
static dp_bulk_box_t *
s_merge_box (create_state_t *state, const create_row_t *row)
{
    for (size_t i = 0; i < state->n_merge_boxes; i++) {
        dp_bulk_box_t *box = &state->merge_boxes [i];
        if (strlen (box->label) == row->merge_len && memcmp (box->label, row->merge_label, row->merge_len) == 0)
            return dp_bulk_in_warehouse (box) && box->base_id == state->base_id ? box : NULL;
    }
    return NULL;
}

//  Returns false when there is nothing to write (merges adding nothing).
static bool
s_create_link (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    dp_history_t *history = dp_history_new ("tags", user, now);

    //  New tags: "Record created" on tags, by id.
    int64_t *tag_ids = dp_arena_calloc (arena, state->n_tag_names + 1, sizeof (int64_t));
    for (size_t i = 0; i < state->n_tag_names; i++)
        tag_ids [i] = s_new_tag_id (state, state->tag_names [i]);
    int64_t *sorted_tags;
    size_t n_sorted_tags = dp_bulk_unique_ids (m, tag_ids, state->n_tag_names, &sorted_tags);
    for (size_t i = 0; i < n_sorted_tags; i++)
        dp_history_created (history, sorted_tags [i]);

    //  New boxes: their ids by label, "Record created", their tags.
    dp_history_set_table (history, "stock");
    size_t n_relations = 0, capacity = 0;
    for (size_t i = 0; i < state->n_rows; i++)
        if (!state->rows [i].merge_label) {
            const input_t *tags = input_field (state->rows [i].input, "tagIds");
            const input_t *names = input_field (state->rows [i].input, "newTagNames");
            capacity += (tags && tags->kind == IN_LIST ? tags->n_items : 0)
                        + (names && names->kind == IN_LIST ? names->n_items : 0);
        }
    dp_val_t *relations = dp_arena_calloc (arena, capacity * DP_BULK_RELATION_VALUES + 1, sizeof (dp_val_t));
    for (size_t i = 0; i < state->n_rows; i++) {
        create_row_t *row = &state->rows [i];
        if (row->merge_label)
            continue;
        row->box_id = s_new_box_id (m, state, row->label);
        dp_history_created (history, row->box_id);
        const input_t *tags = input_field (row->input, "tagIds");
        const input_t *names = input_field (row->input, "newTagNames");
        size_t n_ids = 0;
        int64_t *ids = dp_arena_calloc (arena, capacity + 1, sizeof (int64_t));
        for (size_t t = 0; tags && tags->kind == IN_LIST && t < tags->n_items; t++)
            ids [n_ids++] = tags->items [t]->i;
        for (size_t t = 0; names && names->kind == IN_LIST && t < names->n_items; t++)
            ids [n_ids++] = s_new_tag_id (state, names->items [t]->s);
        n_ids = dp_bulk_unique_ids (m, ids, n_ids, &ids);
        for (size_t t = 0; t < n_ids; t++)
            dp_bulk_relation_row (m, relations + DP_BULK_RELATION_VALUES * n_relations++, row->box_id, ids [t]);
    }

    //  Merged boxes: items added up per box, in order of first mention.
    dp_bulk_set_bases (state->merge_boxes, state->n_merge_boxes, state->merge_locations);
    int64_t *delta = dp_arena_calloc (arena, state->n_merge_boxes + 1, sizeof (int64_t));
    size_t *order = dp_arena_calloc (arena, state->n_merge_boxes + 1, sizeof (size_t));
    size_t n_order = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        create_row_t *row = &state->rows [i];
        if (!row->merge_label)
            continue;
        dp_bulk_box_t *box = s_merge_box (state, row);
        int64_t items = s_row_int (row->input, "numberOfItems", 0);
        if (!box || items < 0)
            continue;
        row->merge_valid = true;
        row->box_id = box->id;
        size_t index = (size_t) (box - state->merge_boxes);
        if (!box->valid)
            order [n_order++] = index;
        box->valid = true;
        delta [index] += items;
    }
    for (size_t k = 0; k < n_order; k++) {
        const dp_bulk_box_t *box = &state->merge_boxes [order [k]];
        if (delta [order [k]] == 0)
            continue;
        dp_history_change_t change = {
            .column = "items", .kind = DP_HISTORY_INT, .from = dp_bulk_int (box->items),
            .to = dp_bulk_int (box->items + delta [order [k]]), .shown = dp_bulk_nil ()
        };
        dp_history_change (history, box->id, &change);
    }
    //  One UPDATE per resulting count (no per-row CASE on the wire).
    bool issued = false;
    for (size_t k = 0; k < n_order; k++) {
        const dp_bulk_box_t *box = &state->merge_boxes [order [k]];
        int64_t items = box->items + delta [order [k]];
        bool first = delta [order [k]] != 0;
        for (size_t j = 0; first && j < k; j++)
            first = !(delta [order [j]] != 0
                      && state->merge_boxes [order [j]].items + delta [order [j]] == items);
        if (!first)
            continue;
        int64_t *ids = dp_arena_calloc (arena, n_order, sizeof (int64_t));
        size_t n_ids = 0;
        for (size_t j = k; j < n_order; j++)
            if (delta [order [j]] != 0 && state->merge_boxes [order [j]].items + delta [order [j]] == items)
                ids [n_ids++] = state->merge_boxes [order [j]].id;
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_stock_id, ids, n_ids);
        dp_val_t values [3] = { dp_bulk_int (items), dp_bulk_str (m, now), dp_bulk_int (user) };
        dp_mutation_update (m, DP_TABLE_stock, DP_TBIT (stock, items) | DP_TBIT (stock, modified)
                            | DP_TBIT (stock, modified_by), values, &where, 1);
        issued = true;
    }
    issued |= dp_bulk_insert_history (m, history) != NULL;
    dp_history_destroy (&history);
    if (n_relations > 0) {
        dp_mutation_insert (m, DP_TABLE_tags_relations, DP_BULK_RELATION_COLUMNS, relations, n_relations);
        issued = true;
    }
    return issued;
}

//  -------------------------------------------------------------------------
//  Round 4: the boxes in input order, the invalid merge labels

static dp_record_t *
s_create_result (dp_mutation_t *m, const create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    int64_t *ids = dp_arena_calloc (arena, state->n_rows + 1, sizeof (int64_t));
    const char **invalid = dp_arena_calloc (arena, state->n_rows + 1, sizeof (char *));
    size_t *invalid_len = dp_arena_calloc (arena, state->n_rows + 1, sizeof (size_t));
    size_t n_ids = 0, n_invalid = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        const create_row_t *row = &state->rows [i];
        if (row->merge_label && !row->merge_valid) {
            invalid [n_invalid] = row->merge_label;
            invalid_len [n_invalid++] = row->merge_len;
        }
        else
            ids [n_ids++] = row->box_id;
    }
    dp_record_t *result = dp_record_new (m, "BoxesResult");
    dp_record_set_objects (result, "updatedBoxes", DP_LOADER_stock_by_id, ids, n_ids);
    dp_record_set_strings_n (result, "invalidBoxLabelIdentifiers", invalid, invalid_len, n_invalid);
    return result;
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    switch (state->phase) {
        case CB_READ:
            state->phase = CB_CHECK;
            if (s_create_read (m, state))
                return;
            break;
        case CB_CHECK:
            state->phase = CB_VALIDATE;
            s_create_check (m, state);
            return;
        case CB_VALIDATE:
            if (s_create_refused (m, state))
                return;
            if (state->taken && state->taken->n_rows > 0 && s_relabel (m, state, state->taken) > 0) {
                state->taken = s_check_labels (m, state);
                return;
            }
            state->phase = CB_LINK;
            if (s_create_insert (m, state))
                return;
            state->phase = CB_DONE;
            break;
        case CB_LINK:
            state->phase = CB_DONE;
            if (s_create_link (m, state))
                return;
            break;
        case CB_NAMES:
            dp_bulk_base_names_load_organisations (m, &state->names);
            state->phase = CB_REFUSED;
            return;
        case CB_REFUSED:
            dp_mutation_return_record (m, dp_bulk_unauthorized (m, &state->names, state->base_id), false);
            return;
        case CB_DONE:
            break;
    }
    dp_mutation_return_record (m, s_create_result (m, state), true);
}

const dp_mutation_def_t dp_mut_create_boxes = {
    .name = "createBoxes", .state_size = sizeof (create_state_t), .step = s_create_step
};
