/*  =========================================================================
    dp_db_kept_rows - rows of small, rarely written tables kept between
    requests while the change feed vouches that nothing they read changed

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_kept_rows.h.
@end
*/
#include "dp_db_kept_rows.h"
#include "dp_db_rows.h"
#include "dp_sql_catalog.h"
#include "dp_catalog.h"
#include "dp_change.h"
#include "dp_log.h"
#include <czmq.h>
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  The tables each kept loader's statement reads (dp_sql_catalog.c), its
//  columns' subqueries included: nothing else can change its rows (the
//  selftest checks every table its SQL names is listed).
typedef struct {
    const char *const *tables;
    size_t n_tables;
} s_kept_t;

static const char *const s_products [] = { "products" };
static const char *const s_product_categories [] = { "product_categories" };
static const char *const s_sizes [] = { "sizes" };
static const char *const s_units [] = { "units" };
static const char *const s_locations [] = { "locations" };
static const char *const s_camps [] = { "camps" };
static const char *const s_organisations [] = { "organisations" };
static const char *const s_cms_users [] = { "cms_users" };
static const char *const s_distro_events [] = { "distro_events", "locations" };
static const char *const s_qr [] = { "qr" };
static const char *const s_shipment [] = { "shipment", "camps" };   //  the bases' names
static const char *const s_tags [] = { "tags", "tags_relations" };  //  lastUsedOn
//  A list's per-box rows: ManageBoxes reads them for every page, boxes'
//  tags and shipments change far less often than it is read.
static const char *const s_tag_links [] = { "tags_relations" };
static const char *const s_shipment_detail [] = { "shipment_detail", "shipment" };   //  its bases

#define S_TABLES(list) { list, sizeof list / sizeof list [0] }

static const s_kept_t s_kept [DP_LOADER_COUNT] = {
    [DP_LOADER_products_by_id]           = S_TABLES (s_products),
    [DP_LOADER_products_by_base]         = S_TABLES (s_products),
    [DP_LOADER_products_all]             = S_TABLES (s_products),
    [DP_LOADER_product_categories_by_id] = S_TABLES (s_product_categories),
    [DP_LOADER_product_categories_all]   = S_TABLES (s_product_categories),
    [DP_LOADER_sizes_by_id]              = S_TABLES (s_sizes),
    [DP_LOADER_units_by_id]              = S_TABLES (s_units),
    [DP_LOADER_locations_by_id]          = S_TABLES (s_locations),
    [DP_LOADER_locations_by_base]        = S_TABLES (s_locations),
    [DP_LOADER_locations_all]            = S_TABLES (s_locations),
    [DP_LOADER_camps_by_id]              = S_TABLES (s_camps),
    [DP_LOADER_camps_by_organisation]    = S_TABLES (s_camps),
    [DP_LOADER_camps_all]                = S_TABLES (s_camps),
    [DP_LOADER_organisations_by_id]      = S_TABLES (s_organisations),
    [DP_LOADER_organisations_all]        = S_TABLES (s_organisations),
    [DP_LOADER_cms_users_by_id]          = S_TABLES (s_cms_users),
    [DP_LOADER_cms_users_all]            = S_TABLES (s_cms_users),
    [DP_LOADER_distro_events_by_base]    = S_TABLES (s_distro_events),
    [DP_LOADER_qr_by_id]                 = S_TABLES (s_qr),
    [DP_LOADER_shipment_by_id]           = S_TABLES (s_shipment),
    [DP_LOADER_shipments_by_base]        = S_TABLES (s_shipment),
    [DP_LOADER_shipments_by_source_base] = S_TABLES (s_shipment),
    [DP_LOADER_shipments_by_target_base] = S_TABLES (s_shipment),
    [DP_LOADER_tags_by_id]               = S_TABLES (s_tags),
    [DP_LOADER_tag_links_by_box]         = S_TABLES (s_tag_links),
    [DP_LOADER_tag_links_by_people]      = S_TABLES (s_tag_links),
    [DP_LOADER_active_shipment_detail_by_box] = S_TABLES (s_shipment_detail),
};

//  One key's rows: n_rows * n_full cells (key, then every column), then
//  the bytes of their strings.
typedef struct {
    uint64_t stamp;
    uint32_t n_rows;
    uint32_t n_full;
    dp_val_t cells [];
} s_entry_t;

struct _dp_db_kept_rows_t {
    dp_db_counts_t *feed;                   //  vouches (borrowed)
    zhashx_t *loaders [DP_LOADER_COUNT];    //  key as decimal text -> s_entry_t; NULL: none yet
};

static void
s_entry_free (void **item)
{
    free (*item);
    *item = NULL;
}

dp_db_kept_rows_t *
dp_db_kept_rows_new (dp_db_counts_t *feed)
{
    assert (feed);
    dp_db_kept_rows_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->feed = feed;
    return self;
}

void
dp_db_kept_rows_destroy (dp_db_kept_rows_t **self_p)
{
    assert (self_p);
    dp_db_kept_rows_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < DP_LOADER_COUNT; i++)
        zhashx_destroy (&self->loaders [i]);
    free (self);
    *self_p = NULL;
}

bool
dp_db_kept_rows_keeps (uint32_t loader)
{
    return loader < DP_LOADER_COUNT && s_kept [loader].n_tables > 0;
}

uint64_t
dp_db_kept_rows_all_columns (uint32_t loader)
{
    const dp_catalog_entry_t *entry = dp_catalog_loader (loader);
    assert (entry && entry->n_columns <= 64);
    return entry->n_columns == 64? UINT64_MAX: ((uint64_t) 1 << entry->n_columns) - 1;
}

uint64_t
dp_db_kept_rows_stamp (dp_db_kept_rows_t *self, uint32_t loader)
{
    assert (self);
    assert (dp_db_kept_rows_keeps (loader));
    return dp_db_counts_stamp (self->feed, s_kept [loader].tables, s_kept [loader].n_tables);
}

static void
s_key_text (int64_t key, char *text, size_t size)
{
    snprintf (text, size, "%" PRId64, key);
}

bool
dp_db_kept_rows_get (dp_db_kept_rows_t *self, dp_db_job_t *job, const char *binlog_pos,
                     int64_t now_ms)
{
    assert (self);
    assert (job && !job->query && job->n_parts == 1 && job->parts);
    uint32_t loader = job->msg.u.load.loader;
    zhashx_t *kept = self->loaders [loader];
    if (!kept || !dp_db_counts_vouches (self->feed, binlog_pos, now_ms))
        return false;
    uint64_t stamp = dp_db_kept_rows_stamp (self, loader);
    uint64_t n_rows = 0;
    const s_entry_t **found = dp_arena_alloc (job->arena, job->n_keys * sizeof (s_entry_t *));
    for (size_t k = 0; k < job->n_keys; k++) {
        char text [24];
        s_key_text (job->msg.u.load.keys [k], text, sizeof text);
        found [k] = zhashx_lookup (kept, text);
        if (!found [k] || found [k]->stamp != stamp)
            return false;
        n_rows += found [k]->n_rows;
    }
    //  The job's columns: its key, then the bits of its mask in order; a
    //  kept row has every column, column bit b at 1 + b.
    dp_val_t *cells = dp_arena_alloc (job->arena, (size_t) (n_rows * job->n_cols + 1) * sizeof (dp_val_t));
    dp_val_t *cell = cells;
    for (size_t k = 0; k < job->n_keys; k++) {
        const s_entry_t *entry = found [k];
        for (uint32_t r = 0; r < entry->n_rows; r++) {
            const dp_val_t *full = entry->cells + (size_t) r * entry->n_full;
            *cell++ = full [0];
            for (uint32_t bit = 0; bit < 64; bit++)
                if (job->columns & ((uint64_t) 1 << bit))
                    *cell++ = full [1 + bit];
        }
    }
    job->parts [0] = (dp_db_part_t) { .cells = cells, .n_rows = n_rows, .done = true };
    return true;
}

//  A row of the stored result: its key, the row and its cells' lengths
//  (copied: the connector reuses its lengths array), its place.
typedef struct {
    int64_t key;
    size_t order;
    char **row;
    unsigned long *lengths;
} s_row_t;

static int
s_row_compare (const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key? -1: 1;
    return x->order < y->order? -1: x->order > y->order;
}

//  Keep rows [0..n) (all of one key) under stamp, converted with types.
static void
s_keep (zhashx_t *kept, int64_t key, uint64_t stamp, const s_row_t *rows, size_t n,
        const dp_coltype_t *types, uint32_t n_full)
{
    size_t bytes = 0;
    for (size_t r = 0; r < n; r++)
        for (uint32_t c = 0; c < n_full; c++)
            if (rows [r].row [c])
                bytes += rows [r].lengths [c] + 26 + 1;     //  room for a rewritten DATETIME
    size_t n_cells = n * n_full;
    s_entry_t *entry = malloc (sizeof *entry + n_cells * sizeof (dp_val_t) + bytes + 1);
    if (!entry)
        dp_fatal ("out of memory");
    entry->stamp = stamp;
    entry->n_rows = (uint32_t) n;
    entry->n_full = n_full;
    char *strings = (char *) (entry->cells + n_cells);
    for (size_t r = 0; r < n; r++)
        for (uint32_t c = 0; c < n_full; c++) {
            dp_val_t *cell = &entry->cells [r * n_full + c];
            char scratch [26];
            const char *text = rows [r].row [c];
            dp_db_rows_convert (types [c], text, text? rows [r].lengths [c]: 0, cell, scratch);
            if (cell->type == DP_VAL_STR) {
                memcpy (strings, cell->u.s.ptr, cell->u.s.len);
                strings [cell->u.s.len] = 0;
                cell->u.s.ptr = strings;
                strings += cell->u.s.len + 1;
            }
        }
    char text [24];
    s_key_text (key, text, sizeof text);
    zhashx_update (kept, text, entry);
}

void
dp_db_kept_rows_put (dp_db_kept_rows_t *self, uint32_t loader, uint64_t stamp,
                     const int64_t *keys, size_t n_keys, dp_db_conn_t *conn)
{
    assert (self);
    assert (dp_db_kept_rows_keeps (loader));
    if (stamp != dp_db_kept_rows_stamp (self, loader))
        return;                                 //  its tables changed while it ran
    const dp_catalog_entry_t *entry = dp_catalog_loader (loader);
    dp_coltype_t types [65];
    uint32_t n_full = (uint32_t) dp_sql_result_types (entry, dp_db_kept_rows_all_columns (loader), types);
    if (n_full == 0 || dp_db_conn_num_fields (conn) != n_full)
        return;
    uint64_t n_rows = dp_db_conn_num_rows (conn);
    s_row_t *rows = calloc ((size_t) n_rows + 1, sizeof (s_row_t));
    unsigned long *lengths = calloc ((size_t) (n_rows * n_full) + 1, sizeof (unsigned long));
    if (!rows || !lengths)
        dp_fatal ("out of memory");
    size_t n = 0;
    char **row;
    unsigned long *row_lengths;
    dp_db_conn_rewind (conn);
    while (n < n_rows && (row = dp_db_conn_fetch_row (conn, &row_lengths))) {
        if (!row [0])
            continue;
        rows [n] = (s_row_t) { .key = strtoll (row [0], NULL, 10), .order = n, .row = row,
                               .lengths = lengths + n * n_full };
        memcpy (rows [n].lengths, row_lengths, n_full * sizeof (unsigned long));
        n++;
    }
    dp_db_conn_rewind (conn);
    qsort (rows, n, sizeof (s_row_t), s_row_compare);
    if (!self->loaders [loader]) {
        self->loaders [loader] = zhashx_new ();
        if (!self->loaders [loader])
            dp_fatal ("out of memory");
        zhashx_set_destructor (self->loaders [loader], s_entry_free);
    }
    zhashx_t *kept = self->loaders [loader];
    if (zhashx_size (kept) + n_keys > DP_DB_KEPT_ROWS_MAX)
        zhashx_purge (kept);
    //  Keys and rows are both in key order: walk them together. A key
    //  with no row is kept with none.
    size_t r = 0;
    for (size_t k = 0; k < n_keys; k++) {
        while (r < n && rows [r].key < keys [k])
            r++;
        size_t first = r;
        while (r < n && rows [r].key == keys [k])
            r++;
        s_keep (kept, keys [k], stamp, rows + first, r - first, types, n_full);
    }
    free (rows);
    free (lengths);
}

//  --------------------------------------------------------------------------
//  Selftest: which loaders keep rows, and that they read only the tables
//  listed (the rows themselves are kept and answered against MariaDB in
//  tests/integration/test_kept_rows.py).

//  Is table (len bytes at name) one of loader's?
static bool
s_listed (uint32_t loader, const char *name, size_t len)
{
    for (size_t t = 0; t < s_kept [loader].n_tables; t++)
        if (strlen (s_kept [loader].tables [t]) == len
        &&  strncmp (s_kept [loader].tables [t], name, len) == 0)
            return true;
    return false;
}

//  Is name (len bytes) the alias from gives its first table ("<table> <alias> ...",
//  the alias in lower case: not a keyword such as JOIN or FORCE)?
static bool
s_is_alias (const char *from, const char *name, size_t len)
{
    const char *alias = strchr (from, ' ');
    if (!alias)
        return false;
    alias++;
    size_t alias_len = strcspn (alias, " ");
    for (size_t i = 0; i < alias_len; i++)
        if (!(alias [i] >= 'a' && alias [i] <= 'z') && alias [i] != '_')
            return false;
    return alias_len == len && strncmp (alias, name, len) == 0;
}

//  Every table sql names after FROM or JOIN is one of loader's.
static void
s_check_tables (uint32_t loader, const char *sql)
{
    const char *words [] = { "FROM ", "JOIN " };
    for (size_t w = 0; w < 2; w++)
        for (const char *at = strstr (sql, words [w]); at; at = strstr (at + 1, words [w])) {
            const char *name = at + strlen (words [w]);
            size_t len = strcspn (name, " ),");
            assert (s_listed (loader, name, len));
        }
}

void
dp_db_kept_rows_test (bool verbose)
{
    printf (" * dp_db_kept_rows: ");
    int kept = 0;
    for (uint32_t loader = 0; loader < DP_LOADER_COUNT; loader++) {
        if (!dp_db_kept_rows_keeps (loader))
            continue;
        kept++;
        //  A plain column is "<table>.<column>" of a listed table; a subquery
        //  reads listed tables only; nothing depends on the clock.
        const dp_sql_loader_t *sql = dp_sql_loader (loader);
        assert (sql && !sql->sql_template && !sql->group_by);
        assert (*sql->from == '(' || s_listed (loader, sql->from, strcspn (sql->from, " ")));
        s_check_tables (loader, sql->from);
        for (size_t c = 0; c < sql->n_columns; c++) {
            const char *column = sql->columns [c];
            assert (!strstr (column, "NOW") && !strstr (column, "UTC_") && !strstr (column, "CURDATE"));
            if (*column == '(')
                s_check_tables (loader, column);
            else
                assert (s_listed (loader, column, strcspn (column, "."))
                ||      s_is_alias (sql->from, column, strcspn (column, ".")));
        }
        assert (dp_db_kept_rows_all_columns (loader) != 0);
    }
    assert (!dp_db_kept_rows_keeps (DP_LOADER_stock_by_id));
    assert (dp_db_kept_rows_keeps (DP_LOADER_tag_links_by_box));
    assert (!dp_db_kept_rows_keeps (DP_LOADER_tags_by_box));     //  a JOIN of tags, not listed
    assert (!dp_db_kept_rows_keeps (DP_LOADER_COUNT));
    if (verbose)
        printf ("(%d loaders) ", kept);
    printf ("OK\n");
}
