/*  =========================================================================
    dp_exec_cache - the rows one request has loaded, per loader and key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One open-addressing table per loader, key → entry (the row or rows,
    the columns they carry, the wave that last asked), and per loader the
    keys queued for its next LOAD.
@end
*/
#include "dp_exec_cache.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t key;
    bool used;
    bool loaded;                //  an answer for this key arrived (row may be NULL)
    uint32_t wave;              //  the wave that last asked for it (0: none)
    uint64_t mask;              //  columns loaded
    row_t *row;                 //  single-row loaders
    row_t **rows;               //  list loaders
    uint32_t n_rows, cap_rows;
} entry_t;

typedef struct {
    entry_t *slots;
    size_t cap;                 //  power of two
    size_t count;
    //  The keys queued for the next LOAD, and its columns
    int64_t *keys;
    size_t n_keys, cap_keys;
    uint64_t mask;
} table_t;

struct _dp_exec_cache_t {
    dp_arena_t *arena;          //  the rows' (borrowed)
    dp_loader_is_list_fn *loader_is_list;
    dp_loader_order_fn *order;
    table_t tables [DP_LOADER_COUNT];
    size_t rows_made;
};

dp_exec_cache_t *
dp_exec_cache_new (dp_arena_t *arena, dp_loader_is_list_fn *loader_is_list,
                   dp_loader_order_fn *order)
{
    assert (arena && loader_is_list);
    dp_exec_cache_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->arena = arena;
    self->loader_is_list = loader_is_list;
    self->order = order;
    return self;
}

void
dp_exec_cache_destroy (dp_exec_cache_t **self_p)
{
    assert (self_p);
    dp_exec_cache_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < DP_LOADER_COUNT; i++) {
        free (self->tables [i].slots);
        free (self->tables [i].keys);
    }
    free (self);
    *self_p = NULL;
}

static uint64_t
s_hash (int64_t key)
{
    uint64_t x = (uint64_t) key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static entry_t *
s_find (table_t *table, int64_t key)
{
    if (!table->cap)
        return NULL;
    size_t i = s_hash (key) & (table->cap - 1);
    while (table->slots [i].used) {
        if (table->slots [i].key == key)
            return &table->slots [i];
        i = (i + 1) & (table->cap - 1);
    }
    return NULL;
}

static entry_t *
s_insert (table_t *table, int64_t key)
{
    if ((table->count + 1) * 2 > table->cap) {
        size_t cap = table->cap ? table->cap * 2 : 64;
        entry_t *slots = calloc (cap, sizeof (entry_t));
        if (!slots)
            dp_fatal ("out of memory");
        for (size_t i = 0; i < table->cap; i++)
            if (table->slots [i].used) {
                size_t j = s_hash (table->slots [i].key) & (cap - 1);
                while (slots [j].used)
                    j = (j + 1) & (cap - 1);
                slots [j] = table->slots [i];
            }
        free (table->slots);
        table->slots = slots;
        table->cap = cap;
    }
    size_t i = s_hash (key) & (table->cap - 1);
    while (table->slots [i].used) {
        if (table->slots [i].key == key)
            return &table->slots [i];
        i = (i + 1) & (table->cap - 1);
    }
    table->slots [i].used = true;
    table->slots [i].key = key;
    table->count++;
    return &table->slots [i];
}

bool
dp_exec_cache_need (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key, uint64_t mask,
                    uint32_t wave)
{
    assert (loader < DP_LOADER_COUNT && wave > 0);
    table_t *table = &self->tables [loader];
    entry_t *entry = s_insert (table, key);
    mask |= 1;
    if (entry->loaded && (entry->mask & mask) == mask)
        return true;
    table->mask |= mask | entry->mask;
    if (entry->wave == wave)
        return false;
    entry->wave = wave;
    if (table->n_keys == table->cap_keys) {
        size_t cap = table->cap_keys ? table->cap_keys * 2 : 64;
        int64_t *keys = realloc (table->keys, cap * sizeof (int64_t));
        if (!keys)
            dp_fatal ("out of memory");
        table->keys = keys;
        table->cap_keys = cap;
    }
    table->keys [table->n_keys++] = key;
    return false;
}

size_t
dp_exec_cache_take (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t **keys, uint64_t *mask)
{
    assert (loader < DP_LOADER_COUNT);
    table_t *table = &self->tables [loader];
    size_t n_keys = table->n_keys;
    *keys = table->keys;
    *mask = table->mask;
    table->keys = NULL;
    table->n_keys = table->cap_keys = 0;
    table->mask = 0;
    if (self->loader_is_list (loader))
        for (size_t k = 0; k < n_keys; k++)
            s_find (table, (*keys) [k])->n_rows = 0;
    return n_keys;
}

row_t *
dp_exec_cache_make_row (dp_exec_cache_t *self, const dp_catalog_entry_t *entry, uint64_t mask,
                        const dp_val_t *cells, uint32_t n_cols)
{
    self->rows_made++;
    row_t *row = dp_arena_alloc (self->arena, sizeof *row);
    row->cells = dp_arena_calloc (self->arena, entry->n_columns, sizeof (dp_val_t));
    row->mask = 0;
    row->stamp = 0;
    uint32_t c = 1;             //  cell 0 is the key
    for (size_t col = 0; col < entry->n_columns && c < n_cols; col++)
        if (mask & ((uint64_t) 1 << col)) {
            row->cells [col] = cells [c++];
            row->mask |= (uint64_t) 1 << col;
        }
    return row;
}

//  Copy the columns of a ROWS row into an existing cached row.
static void
s_merge_row (row_t *row, const dp_catalog_entry_t *entry, uint64_t mask, const dp_val_t *cells,
             uint32_t n_cols)
{
    uint32_t c = 1;
    for (size_t col = 0; col < entry->n_columns && c < n_cols; col++)
        if (mask & ((uint64_t) 1 << col)) {
            row->cells [col] = cells [c++];
            row->mask |= (uint64_t) 1 << col;
        }
}

void
dp_exec_cache_store (dp_exec_cache_t *self, dp_loader_id_t loader, uint64_t mask,
                     const int64_t *keys, size_t n_keys,
                     const dp_val_t *cells, uint32_t n_rows, uint32_t n_cols)
{
    assert (loader < DP_LOADER_COUNT);
    const dp_catalog_entry_t *entry = dp_catalog_loader (loader);
    table_t *table = &self->tables [loader];
    bool list = self->loader_is_list (loader);
    for (uint32_t r = 0; r < n_rows; r++) {
        const dp_val_t *row_cells = cells + (size_t) r * n_cols;
        if (row_cells [0].type != DP_VAL_INT)
            continue;
        entry_t *e = s_find (table, row_cells [0].u.i);
        if (!e)
            continue;           //  a key nobody asked for: ignore
        if (list) {
            if (e->n_rows == e->cap_rows) {
                uint32_t cap = e->cap_rows ? e->cap_rows * 2 : 4;
                row_t **items = dp_arena_alloc (self->arena, cap * sizeof (row_t *));
                if (e->n_rows)
                    memcpy (items, e->rows, e->n_rows * sizeof (row_t *));
                e->rows = items;
                e->cap_rows = cap;
            }
            e->rows [e->n_rows++] = dp_exec_cache_make_row (self, entry, mask, row_cells, n_cols);
        }
        else
        if (e->row)
            s_merge_row (e->row, entry, mask, row_cells, n_cols);
        else
            e->row = dp_exec_cache_make_row (self, entry, mask, row_cells, n_cols);
    }
    for (size_t k = 0; k < n_keys; k++) {
        entry_t *e = s_find (table, keys [k]);
        if (!e)
            continue;
        e->loaded = true;
        e->mask |= mask;
        if (list && self->order)
            self->order (loader, e->rows, e->n_rows);
    }
}

void
dp_exec_cache_put (dp_exec_cache_t *self, dp_loader_id_t loader, uint64_t mask, int64_t key,
                   const dp_val_t *cells, uint32_t n_rows, uint32_t n_cols)
{
    assert (loader < DP_LOADER_COUNT);
    entry_t *e = s_insert (&self->tables [loader], key);
    mask |= 1;
    if (self->loader_is_list (loader)) {
        //  A list already loaded with these columns stays; otherwise these
        //  rows replace it, with their columns only (a row of the old list
        //  does not carry them).
        if (e->loaded && (e->mask & mask) == mask)
            return;
        e->n_rows = 0;
        e->mask = 0;
        e->loaded = false;
    }
    //  A single row merges the columns into the row already there.
    dp_exec_cache_store (self, loader, mask, &key, 1, cells, n_rows, n_cols);
}

row_t *
dp_exec_cache_row (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key)
{
    assert (loader < DP_LOADER_COUNT);
    entry_t *e = s_find (&self->tables [loader], key);
    return e ? e->row : NULL;
}

size_t
dp_exec_cache_rows (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key, row_t ***rows)
{
    assert (loader < DP_LOADER_COUNT);
    entry_t *e = s_find (&self->tables [loader], key);
    *rows = e ? e->rows : NULL;
    return e ? e->n_rows : 0;
}

size_t
dp_exec_cache_rows_made (dp_exec_cache_t *self)
{
    return self->rows_made;
}

//  -------------------------------------------------------------------------
//  Selftest

static bool
s_test_is_list (dp_loader_id_t loader)
{
    return loader == DP_LOADER_camps_by_organisation;
}

//  A row of a ROWS answer of sizes: the key, then the columns asked for
//  (id, label).
static void
s_test_size (dp_val_t *cells, int64_t id, const char *label)
{
    cells [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
    cells [1] = (dp_val_t) { .type = DP_VAL_INT, .u.i = id };
    cells [2] = (dp_val_t) { .type = DP_VAL_STR, .u.s = { label, (uint32_t) strlen (label) } };
}

void
dp_exec_cache_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_exec_cache: ");
    dp_arena_t *arena = dp_arena_new (0);
    dp_exec_cache_t *cache = dp_exec_cache_new (arena, s_test_is_list, NULL);
    const dp_loader_id_t sizes = DP_LOADER_sizes_by_id;
    const uint64_t label = (uint64_t) 1 << DP_COL_sizes_label;

    //  Wave 1: keys 7, 8 and 7 again: one LOAD of two keys, id and label.
    dp_exec_cache_need (cache, sizes, 7, label, 1);
    dp_exec_cache_need (cache, sizes, 8, 0, 1);
    dp_exec_cache_need (cache, sizes, 7, label, 1);
    int64_t *keys;
    uint64_t mask;
    size_t n = dp_exec_cache_take (cache, sizes, &keys, &mask);
    assert (n == 2 && keys [0] == 7 && keys [1] == 8);
    assert (mask == (1 | label));
    int64_t *none;
    uint64_t none_mask;
    assert (dp_exec_cache_take (cache, DP_LOADER_camps_by_id, &none, &none_mask) == 0);
    assert (none == NULL && none_mask == 0);
    assert (dp_exec_cache_row (cache, sizes, 7) == NULL);

    //  The answer: 7 and a key nobody asked for (ignored); 8 has no row.
    dp_val_t cells [6];
    s_test_size (&cells [0], 7, "XL");
    s_test_size (&cells [3], 99, "S");
    dp_exec_cache_store (cache, sizes, mask, keys, n, cells, 2, 3);
    free (keys);
    const row_t *row = dp_exec_cache_row (cache, sizes, 7);
    assert (row && row_int (row, DP_COL_sizes_id) == 7);
    assert (row->cells [DP_COL_sizes_label].type == DP_VAL_STR);
    assert (memcmp (row->cells [DP_COL_sizes_label].u.s.ptr, "XL", 2) == 0);
    assert (row->mask == (1 | label));
    assert (dp_exec_cache_row (cache, sizes, 8) == NULL);
    assert (dp_exec_cache_row (cache, sizes, 99) == NULL);
    assert (dp_exec_cache_rows_made (cache) == 1);

    //  Wave 2: loaded keys with the columns they carry are not asked again,
    //  even a key that had no row; a new key is.
    dp_exec_cache_need (cache, sizes, 7, label, 2);
    dp_exec_cache_need (cache, sizes, 8, 0, 2);
    dp_exec_cache_need (cache, sizes, 9, 0, 2);
    n = dp_exec_cache_take (cache, sizes, &keys, &mask);
    assert (n == 1 && keys [0] == 9 && mask == 1);
    s_test_size (&cells [0], 9, "M");
    dp_exec_cache_store (cache, sizes, mask, keys, n, cells, 1, 2);
    free (keys);
    assert (dp_exec_cache_row (cache, sizes, 9)->mask == 1);

    //  A loaded key asked with more columns is asked again for the union,
    //  and the answer's columns are merged into the cached row.
    dp_exec_cache_need (cache, sizes, 9, label, 3);
    n = dp_exec_cache_take (cache, sizes, &keys, &mask);
    assert (n == 1 && keys [0] == 9 && mask == (1 | label));
    dp_exec_cache_store (cache, sizes, mask, keys, n, cells, 1, 3);
    free (keys);
    row = dp_exec_cache_row (cache, sizes, 9);
    assert (row->mask == (1 | label) && row->cells [DP_COL_sizes_label].u.s.ptr [0] == 'M');
    assert (dp_exec_cache_rows_made (cache) == 2);

    //  Rows put under a key nobody asked (a LOAD keyed by a lookup's row):
    //  the key counts as loaded with their columns, rows of other keys are
    //  dropped, and a need of those columns asks nothing; a key put with no
    //  rows is loaded too.
    s_test_size (&cells [0], 20, "XS");
    s_test_size (&cells [3], 21, "XXL");
    dp_exec_cache_put (cache, sizes, 1 | label, 20, cells, 2, 3);
    dp_exec_cache_put (cache, sizes, 1 | label, 22, cells, 0, 3);
    assert (dp_exec_cache_row (cache, sizes, 20)->cells [DP_COL_sizes_label].u.s.ptr [1] == 'S');
    assert (dp_exec_cache_row (cache, sizes, 21) == NULL && dp_exec_cache_row (cache, sizes, 22) == NULL);
    assert (dp_exec_cache_need (cache, sizes, 20, label, 4));
    assert (dp_exec_cache_need (cache, sizes, 22, label, 4));
    assert (!dp_exec_cache_need (cache, sizes, 21, label, 4));
    n = dp_exec_cache_take (cache, sizes, &keys, &mask);
    assert (n == 1 && keys [0] == 21);
    free (keys);
    //  Put again with other columns (another alias of the same box): a
    //  single row keeps the columns it had and gains the new ones.
    dp_val_t id_only [2] = { { .type = DP_VAL_INT, .u.i = 20 }, { .type = DP_VAL_INT, .u.i = 20 } };
    dp_exec_cache_put (cache, sizes, 1 | ((uint64_t) 1 << DP_COL_sizes_id), 20, id_only, 1, 2);
    row = dp_exec_cache_row (cache, sizes, 20);
    assert (row->cells [DP_COL_sizes_label].type == DP_VAL_STR && row_int (row, DP_COL_sizes_id) == 20);
    assert (dp_exec_cache_need (cache, sizes, 20, label | ((uint64_t) 1 << DP_COL_sizes_id), 4));

    //  A list loader: rows gather under their key; asking again replaces them.
    const dp_loader_id_t camps = DP_LOADER_camps_by_organisation;
    dp_exec_cache_need (cache, camps, 2, 0, 1);
    n = dp_exec_cache_take (cache, camps, &keys, &mask);
    assert (n == 1);
    dp_val_t camp_cells [] = {          //  organisation 2's bases 10, 11, 12
        { .type = DP_VAL_INT, .u.i = 2 }, { .type = DP_VAL_INT, .u.i = 10 },
        { .type = DP_VAL_INT, .u.i = 2 }, { .type = DP_VAL_INT, .u.i = 11 },
        { .type = DP_VAL_INT, .u.i = 2 }, { .type = DP_VAL_INT, .u.i = 12 },
    };
    dp_exec_cache_store (cache, camps, mask, keys, n, camp_cells, 3, 2);
    row_t **rows;
    assert (dp_exec_cache_rows (cache, camps, 2, &rows) == 3);
    assert (row_int (rows [0], DP_COL_camps_id) == 10 && row_int (rows [2], DP_COL_camps_id) == 12);
    assert (dp_exec_cache_rows (cache, camps, 3, &rows) == 0 && rows == NULL);
    dp_exec_cache_need (cache, camps, 2, (uint64_t) 1 << DP_COL_camps_name, 2);
    free (keys);
    n = dp_exec_cache_take (cache, camps, &keys, &mask);
    assert (n == 1 && dp_exec_cache_rows (cache, camps, 2, &rows) == 0);
    assert (mask == (1 | ((uint64_t) 1 << DP_COL_camps_name)));
    dp_val_t camp_named [] = {
        { .type = DP_VAL_INT, .u.i = 2 }, { .type = DP_VAL_INT, .u.i = 10 },
        { .type = DP_VAL_STR, .u.s = { "Lesvos", 6 } },
    };
    dp_exec_cache_store (cache, camps, mask, keys, n, camp_named, 1, 3);
    assert (dp_exec_cache_rows (cache, camps, 2, &rows) == 1);
    assert (rows [0]->cells [DP_COL_camps_name].type == DP_VAL_STR);
    free (keys);

    //  Many keys: the table grows and finds every one.
    for (int64_t k = 1000; k < 1400; k++)
        dp_exec_cache_need (cache, sizes, k, 0, 4);
    n = dp_exec_cache_take (cache, sizes, &keys, &mask);
    assert (n == 400);
    dp_exec_cache_store (cache, sizes, mask, keys, n, NULL, 0, 0);
    free (keys);
    for (int64_t k = 1000; k < 1400; k++)
        dp_exec_cache_need (cache, sizes, k, 0, 5);
    assert (dp_exec_cache_take (cache, sizes, &keys, &mask) == 0);
    free (keys);

    dp_exec_cache_destroy (&cache);
    dp_exec_cache_destroy (&cache);
    assert (cache == NULL);
    dp_arena_destroy (&arena);
    printf ("OK\n");
}
