/*  =========================================================================
    dp_exec_cache - the rows one request has loaded, per loader and key

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    DataLoader's cache and batch, for one request: a wave asks for
    (loader, key, columns) with dp_exec_cache_need; keys already loaded
    with those columns are not asked again, a key asked twice in a wave is
    queued once, and a key loaded with fewer columns is asked again for
    the union. dp_exec_cache_take hands over one LOAD's worth of keys per
    loader; dp_exec_cache_store files the ROWS answer under its keys.
@discuss
    Rows are allocated in the request's arena, so they live as long as the
    request; the cache's own tables are malloc'd and freed by destroy.
    The writer only reads the cache: it never causes a load.
@end
*/
#ifndef DP_EXEC_CACHE_H_INCLUDED
#define DP_EXEC_CACHE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_catalog.h"
#include "dp_row.h"

typedef struct _dp_exec_cache_t dp_exec_cache_t;

//  True when the loader answers a list of rows per key (dp_mapping's).
typedef bool (dp_loader_is_list_fn) (dp_loader_id_t loader);

//  Put the rows of a list loader under one key in their order (NULL: as
//  they came).
typedef void (dp_loader_order_fn) (dp_loader_id_t loader, row_t **rows, size_t n);

//  Create a cache whose rows live in arena (which must outlive it); each
//  key's rows of a list loader are ordered by order as they are filed.
dp_exec_cache_t *dp_exec_cache_new (dp_arena_t *arena, dp_loader_is_list_fn *loader_is_list,
                                    dp_loader_order_fn *order);

void dp_exec_cache_destroy (dp_exec_cache_t **self_p);

//  Ask for the row(s) of loader under key with at least `mask` columns
//  (the key column 0 always) in wave `wave`. Queues the key for the next
//  take unless it is loaded with those columns already or queued in this
//  wave. Returns true when the row(s) are loaded with those columns (nothing
//  to wait for), false when they are queued or on their way.
bool dp_exec_cache_need (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key,
                         uint64_t mask, uint32_t wave);

//  The keys queued for loader and the columns to ask for them (the union
//  of what was asked and what they carry already). Returns the number of
//  keys (0: nothing to load); caller owns *keys and must free() it. The
//  rows a list loader held under those keys are dropped: the answer
//  replaces them.
size_t dp_exec_cache_take (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t **keys,
                           uint64_t *mask);

//  File the ROWS answer (n_rows rows of n_cols cells, cell 0 the key) of
//  a LOAD of (loader, keys, mask): rows under keys nobody asked for are
//  ignored, single-row loaders merge new columns into the cached row, and
//  every asked key counts as loaded (a key without rows reads as none).
void dp_exec_cache_store (dp_exec_cache_t *self, dp_loader_id_t loader, uint64_t mask,
                          const int64_t *keys, size_t n_keys,
                          const dp_val_t *cells, uint32_t n_rows, uint32_t n_cols);

//  File the rows under key of a LOAD that was not asked through
//  dp_exec_cache_need (one keyed by a lookup's row): key counts as loaded
//  with mask, its rows (cell 0 equal to key) replace any it had; rows under
//  other keys are ignored.
void dp_exec_cache_put (dp_exec_cache_t *self, dp_loader_id_t loader, uint64_t mask, int64_t key,
                        const dp_val_t *cells, uint32_t n_rows, uint32_t n_cols);

//  The cached row of a single-row loader under key, or NULL (borrowed).
row_t *dp_exec_cache_row (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key);

//  The cached rows of a list loader under key (borrowed, *rows NULL when
//  none); returns the count.
size_t dp_exec_cache_rows (dp_exec_cache_t *self, dp_loader_id_t loader, int64_t key,
                           row_t ***rows);

//  A row of entry's columns from a ROWS row (cell 0 the key, then the
//  columns in mask, in catalog order), in the cache's arena.
row_t *dp_exec_cache_make_row (dp_exec_cache_t *self, const dp_catalog_entry_t *entry,
                               uint64_t mask, const dp_val_t *cells, uint32_t n_cols);

//  Rows made so far (the size of the answer to come).
size_t dp_exec_cache_rows_made (dp_exec_cache_t *self);

//  Selftest.
void dp_exec_cache_test (bool verbose);

#endif
