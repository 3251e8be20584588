/*  =========================================================================
    dp_db_test_reads - the DB actor's answers: rows of every loader, chunked key lists, boxes pages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    load, chunks and query: what the actor answers is checked cell by cell
    against the test's own SQL on the same database.
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  load: every loader's rows equal what the test reads itself; seed values
//  (zero dates, decimals, unicode, soft-deleted tags and relations) come out
//  as the wire contract says; statements are counted as MariaDB counts them.

void
dp_db_test_concern_load (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-load", 4, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    static const int64_t seed [] = { 900001, 900002, 900003, 900004, 900005, 900007, 900010 };
    uint32_t tested = 0;            //  loaders the loop below ran (one statement each)
    for (uint32_t id = 0; id < DP_LOADER_COUNT; id++) {
        //  Loaders by primary key and the three below are checked here; the
        //  others (by parent, "all", by QR code, history) are checked against
        //  SQL end to end in tests/integration/test_read_api.py.
        const dp_sql_loader_t *sql_loader = dp_sql_loader (id);
        size_t key_len = strlen (sql_loader->key), name_len = strlen (sql_loader->name);
        bool by_id = key_len > 3 && strcmp (sql_loader->key + key_len - 3, ".id") == 0
                  && name_len > 6 && strcmp (sql_loader->name + name_len - 6, "_by_id") == 0;
        if ((!by_id && id != DP_LOADER_tags_by_box && id != DP_LOADER_active_shipment_detail_by_box
             && id != DP_LOADER_tag_last_used_by_tag)
        ||  id == DP_LOADER_shipment_by_id || id == DP_LOADER_tags_by_id
        ||  id == DP_LOADER_tags_by_box || id == DP_LOADER_people_by_id    //  computed columns
        ||  id == DP_LOADER_distro_events_by_id     //  no seed rows here: tested end to end
        ||  id == DP_LOADER_standard_product_by_id || id == DP_LOADER_base_names_by_id
                                                    //  computed columns, no seed rows: tested end
                                                    //  to end in test_standard_products.py
        ||  id == DP_LOADER_shareable_link_by_id || id == DP_LOADER_standard_product_info_by_id
        ||  id == DP_LOADER_dimension_beneficiaries_by_id || id == DP_LOADER_dimension_sizes_by_id
        ||  id == DP_LOADER_dimension_locations_by_id || id == DP_LOADER_dimension_size_ranges_by_id)
                                                    //  joined or computed columns: tested end to
                                                    //  end (test_public*.py, the stats tests)
            continue;
        dp_arena_reset (t->arena);
        const dp_catalog_entry_t *entry = dp_catalog_loader (id);
        uint64_t mask = dp_db_test_all_columns (entry);
        dp_coltype_t types [65];
        uint32_t n_cols = (uint32_t) dp_sql_result_types (entry, mask, types);
        assert (n_cols == entry->n_columns + 1);

        //  Keys: the seed ids, a missing id, duplicates, and a sample of
        //  boxtribute's rows when its dump is loaded.
        int64_t keys [128];
        uint32_t n_keys = 0;
        for (size_t i = 0; i < sizeof seed / sizeof seed [0]; i++)
            keys [n_keys++] = seed [i];
        keys [n_keys++] = 999999999;
        keys [n_keys++] = 900001;
        keys [n_keys++] = 900003;
        const char *sample = NULL;
        char sample_sql [256];
        if (id == DP_LOADER_tags_by_box)
            sample = "SELECT DISTINCT object_id FROM tags_relations WHERE object_type = 'Stock'"
                     " AND object_id NOT BETWEEN 900000 AND 900999 ORDER BY object_id LIMIT 60";
        else
        if (id == DP_LOADER_active_shipment_detail_by_box)
            sample = "SELECT DISTINCT box_id FROM shipment_detail WHERE box_id NOT BETWEEN 900000 AND 900999"
                     " ORDER BY box_id LIMIT 60";
        else
        if (id == DP_LOADER_tag_last_used_by_tag)
            sample = "SELECT id FROM tags WHERE id < 900000 ORDER BY id LIMIT 60";
        else {
            snprintf (sample_sql, sizeof sample_sql,
                      "SELECT id FROM %s WHERE id < 900000 OR id > 900999 ORDER BY id LIMIT 60",
                      entry->table);
            sample = sample_sql;
        }
        if (t->db.boxtribute) {
            int rc = mysql_query (t->admin, sample);
            if (rc)
                fprintf (stderr, "dp_db_load: %s: %s\n", sql_loader->name, mysql_error (t->admin));
            assert (rc == 0);
            MYSQL_RES *result = mysql_store_result (t->admin);
            MYSQL_ROW row;
            while ((row = mysql_fetch_row (result)) && n_keys < 128)
                keys [n_keys++] = atoll (row [0]);
            mysql_free_result (result);
        }
        char *key_list = dp_db_test_key_list (t->arena, keys, n_keys);

        //  The test's own statement for the same rows.
        char *sql;
        if (id == DP_LOADER_tags_by_box)
            sql = dp_arena_printf (t->arena,
                "SELECT r.object_id, %s FROM tags t, tags_relations r WHERE r.tag_id = t.id"
                " AND r.object_type = 'Stock' AND r.deleted_on IS NULL"
                " AND (t.deleted IS NULL OR t.deleted = '0000-00-00 00:00:00')"
                " AND r.object_id IN (%s) ORDER BY r.object_id, t.id",
                dp_db_test_column_list (t->arena, entry, "t"), key_list);
        else
        if (id == DP_LOADER_active_shipment_detail_by_box)
            sql = dp_arena_printf (t->arena,
                "SELECT d.box_id, %s FROM shipment_detail d WHERE d.box_id IN (%s)"
                " AND d.removed_on IS NULL AND d.lost_on IS NULL AND d.received_on IS NULL",
                dp_db_test_column_list (t->arena, entry, "d"), key_list);
        else
        if (id == DP_LOADER_tag_last_used_by_tag)
            sql = dp_arena_printf (t->arena,
                "SELECT tag_id, tag_id, MAX(created_on) FROM tags_relations"
                " WHERE tag_id IN (%s) GROUP BY tag_id", key_list);
        else
            sql = dp_arena_printf (t->arena, "SELECT x.id, %s FROM %s x WHERE x.id IN (%s)",
                                   dp_db_test_column_list (t->arena, entry, "x"), entry->table,
                                   key_list);
        dp_db_test_rows_t expected = dp_db_test_expected (t, sql, types, n_cols);
        dp_msg_t reply = dp_db_test_load (t, id, mask, keys, n_keys);
        tested++;
        assert (reply.u.rows.statements == 1);
        assert (strcmp (reply.trace_id, "selftest") == 0);
        //  tags_by_box promises its order; the others are compared sorted.
        dp_db_test_same (t, entry->name, expected, dp_db_test_rows (&reply), id != DP_LOADER_tags_by_box);
        assert (expected.n_rows > 0);
    }

    //  Seed values, one by one.
    dp_arena_reset (t->arena);
    int64_t users [] = { 900001, 900002 };
    const dp_catalog_entry_t *entry = dp_catalog_loader (DP_LOADER_cms_users_by_id);
    dp_msg_t reply = dp_db_test_load (t, DP_LOADER_cms_users_by_id, dp_db_test_all_columns (entry), users, 2);
    dp_db_test_rows_t rows = dp_db_test_rows (&reply);
    const dp_val_t *row = dp_db_test_row (rows, 900001, 0);
    assert (row);
    S_IS_NIL (&row [1 + DP_COL_cms_users_lastlogin]);          //  zero datetime
    S_IS_STR (&row [1 + DP_COL_cms_users_lastaction], "2024-03-04T05:06:07+00:00");
    S_IS_NIL (&row [1 + DP_COL_cms_users_deleted]);
    S_IS_NIL (&row [1 + DP_COL_cms_users_valid_firstday]);     //  zero date
    S_IS_STR (&row [1 + DP_COL_cms_users_valid_lastday], "2024-05-06");
    S_IS_STR (&row [1 + DP_COL_cms_users_email], "zero@seed.test");
    row = dp_db_test_row (rows, 900002, 0);
    S_IS_STR (&row [1 + DP_COL_cms_users_naam],
              "Seed \xc3\x9c" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93");
    S_IS_NIL (&row [1 + DP_COL_cms_users_valid_firstday]);     //  NULL

    int64_t boxes [] = { 900001, 900002, 900003, 900004, 900005, 900007 };
    entry = dp_catalog_loader (DP_LOADER_stock_by_id);
    reply = dp_db_test_load (t, DP_LOADER_stock_by_id, dp_db_test_all_columns (entry), boxes, 6);
    rows = dp_db_test_rows (&reply);
    assert (rows.n_rows == 6 && rows.n_cols == 26);
    row = dp_db_test_row (rows, 900001, 0);
    S_IS_INT (&row [1 + DP_COL_stock_id], 900001);
    //  Computed: the base of its location, and its live tag relations (the
    //  deleted tag 900003 too: a relation, not the tag, is what counts).
    S_IS_INT (&row [1 + DP_COL_stock_base_id], 900001);
    S_IS_STR (&row [1 + DP_COL_stock_tag_ids], "900001,900002,900003,900004");
    S_IS_STR (&row [1 + DP_COL_stock_box_id], "S900001");
    S_IS_INT (&row [1 + DP_COL_stock_qr_id], 900001);
    S_IS_INT (&row [1 + DP_COL_stock_size_id], 900001);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_weight], 2.5);
    S_IS_NIL (&row [1 + DP_COL_stock_deleted]);                //  zero date: not deleted
    S_IS_NIL (&row [1 + DP_COL_stock_comments]);
    S_IS_STR (&row [1 + DP_COL_stock_created], "2023-01-01T00:00:00+00:00");
    S_IS_STR (&row [1 + DP_COL_stock_modified], "2024-01-28T12:00:00+00:00");
    row = dp_db_test_row (rows, 900002, 0);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_monetary_value], 12.75);
    S_IS_NIL (&row [1 + DP_COL_stock_tag_ids]);                //  its one relation was removed
    S_IS_DOUBLE (&row [1 + DP_COL_stock_weight], 0.125);
    row = dp_db_test_row (rows, 900003, 0);
    S_IS_DOUBLE (&row [1 + DP_COL_stock_measure_value], 1500.5);
    S_IS_INT (&row [1 + DP_COL_stock_display_unit_id], 900001);
    S_IS_INT (&row [1 + DP_COL_stock_box_state_id], 1);
    row = dp_db_test_row (rows, 900004, 0);
    S_IS_NIL (&row [1 + DP_COL_stock_size_id]);
    row = dp_db_test_row (rows, 900005, 0);
    S_IS_STR (&row [1 + DP_COL_stock_deleted], "2023-03-03T03:03:03+00:00");
    S_IS_NIL (&row [1 + DP_COL_stock_weight]);
    row = dp_db_test_row (rows, 900007, 0);
    S_IS_STR (&row [1 + DP_COL_stock_comments], "it's \xe2\x9c\x93 ok");

    //  Tags of boxes: live tags only (deleted = zero date is live), live
    //  'Stock' relations only, by box then tag, keys in any order.
    int64_t tagged [] = { 900010, 900003, 900002, 900001 };
    uint64_t tag_mask = (1u << DP_COL_tags_id) | (1u << DP_COL_tags_label);
    reply = dp_db_test_load (t, DP_LOADER_tags_by_box, tag_mask, tagged, 4);
    rows = dp_db_test_rows (&reply);
    assert (rows.n_rows == 5 && rows.n_cols == 3);
    int64_t expect_tags [5][2] = { { 900001, 900001 }, { 900001, 900002 }, { 900001, 900004 },
                                   { 900003, 900001 }, { 900010, 900002 } };
    for (int r = 0; r < 5; r++) {
        S_IS_INT (&rows.cells [r * 3], expect_tags [r][0]);
        S_IS_INT (&rows.cells [r * 3 + 1], expect_tags [r][1]);
    }
    S_IS_STR (&rows.cells [2], "Seed red");

    //  Active shipment detail: removed, received and lost ones are left out.
    int64_t shipped [] = { 900001, 900002, 900003, 900004 };
    reply = dp_db_test_load (t, DP_LOADER_active_shipment_detail_by_box,
                         1u << DP_COL_shipment_detail_id, shipped, 4);
    rows = dp_db_test_rows (&reply);
    assert (rows.n_rows == 2);
    S_IS_INT (&dp_db_test_row (rows, 900001, 0) [1], 900002);
    S_IS_INT (&dp_db_test_row (rows, 900004, 0) [1], 900005);

    //  Last use of tags: the newest relation, deleted ones included.
    int64_t tag_ids [] = { 900001, 900002, 900003, 900005 };
    reply = dp_db_test_load (t, DP_LOADER_tag_last_used_by_tag, 3, tag_ids, 4);
    rows = dp_db_test_rows (&reply);
    assert (rows.n_rows == 3);
    S_IS_STR (&dp_db_test_row (rows, 900001, 0) [2], "2024-01-12T00:00:00+00:00");
    S_IS_STR (&dp_db_test_row (rows, 900002, 0) [2], "2024-01-11T00:00:00+00:00");
    S_IS_INT (&dp_db_test_row (rows, 900003, 0) [1], 900003);
    assert (dp_db_test_row (rows, 900005, 0) == NULL);

    //  Decimals and a zero-date soft delete elsewhere.
    int64_t unit [] = { 900001 };
    reply = dp_db_test_load (t, DP_LOADER_units_by_id, 1u << DP_COL_units_conversion_factor, unit, 1);
    S_IS_DOUBLE (&reply.u.rows.cells [1], 0.001);
    int64_t camp [] = { 900002 };
    reply = dp_db_test_load (t, DP_LOADER_camps_by_id, 1u << DP_COL_camps_deleted, camp, 1);
    S_IS_NIL (&reply.u.rows.cells [1]);

    //  A column subset: key first, then the requested columns in catalog
    //  order, whatever order the bits were thought of in.
    uint64_t subset = (1u << DP_COL_stock_modified) | (1u << DP_COL_stock_box_id);
    reply = dp_db_test_load (t, DP_LOADER_stock_by_id, subset, boxes, 1);
    assert (reply.u.rows.n_cols == 3 && reply.u.rows.n_rows == 1);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    S_IS_STR (&reply.u.rows.cells [1], "S900001");
    S_IS_STR (&reply.u.rows.cells [2], "2024-01-28T12:00:00+00:00");

    //  No keys: no rows and no SQL.
    reply = dp_db_test_load (t, DP_LOADER_stock_by_id, subset, boxes, 0);
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.n_cols == 3);
    assert (reply.u.rows.statements == 0);

    //  Depot's statement count is MariaDB's: Com_select moves by exactly
    //  the statements the replies report.
    long long before = dp_db_test_com_select (t->admin);
    uint64_t reported = 0;
    reported += dp_db_test_load (t, DP_LOADER_stock_by_id, 1, boxes, 6).u.rows.statements;
    reported += dp_db_test_load (t, DP_LOADER_tags_by_box, 1, tagged, 4).u.rows.statements;
    reported += dp_db_test_load (t, DP_LOADER_sizes_by_id, 1, boxes, 0).u.rows.statements;
    reported += dp_db_test_query (t, DP_QUERY_boxes_page, 1,
                              dp_db_test_boxes_args (t->arena, 900001, NULL, 10, NULL, -1))
                .u.rows.statements;
    long long after = dp_db_test_com_select (t->admin);
    if (t->verbose)
        printf ("    Com_select delta %lld, reported statements %llu\n", after - before,
                (unsigned long long) reported);
    assert (reported == 4);
    assert (after - before == (long long) reported);

    //  STATS agree with what was seen.
    uint64_t statements, answered, errors;
    dp_db_test_stats (t, &statements, &answered, &errors);
    assert (answered == t->next_id);
    assert (errors == 0);
    assert (statements == tested + 8 + reported);
    dp_db_test_stop (t);
}


//  --------------------------------------------------------------------------
//  chunks: key lists longer than chunk_size run as several statements whose
//  rows come back merged, in order, as from one statement.

void
dp_db_test_concern_chunks (dp_db_test_t *t)
{
    //  Two actors on the same database: chunks of 3 keys and of 10000.
    dp_db_test_t big = *t;
    dp_db_test_start (t, "inproc://dp-db-test-chunks3", 3, 3, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    dp_db_test_start (&big, "inproc://dp-db-test-chunks10k", 2, 10000, t->db.socket,
                  DP_DB_TESTDB_NAME, "root", NULL);
    const dp_catalog_entry_t *entry = dp_catalog_loader (DP_LOADER_stock_by_id);
    uint64_t mask = dp_db_test_all_columns (entry);
    //  10 distinct keys, given 15 times: 4 chunks of at most 3 keys.
    int64_t keys [] = { 900010, 900001, 900002, 900001, 900003, 900004, 900005, 900005,
                        900006, 900007, 900008, 900009, 900001, 900010, 900002 };
    dp_msg_t chunked = dp_db_test_load (t, DP_LOADER_stock_by_id, mask, keys, 15);
    dp_msg_t whole = dp_db_test_load (&big, DP_LOADER_stock_by_id, mask, keys, 15);
    assert (chunked.u.rows.statements == 4);
    assert (whole.u.rows.statements == 1);
    assert (chunked.u.rows.n_rows == 10);
    dp_db_test_same (t, "stock_by_id in chunks of 3", dp_db_test_rows (&whole), dp_db_test_rows (&chunked), true);

    //  Ordered loaders stay ordered across chunks (keys sorted, chunks
    //  merged in key order whichever connection finished first).
    int64_t tagged [] = { 900010, 900003, 900002, 900001, 900004, 900005, 900006 };
    uint64_t tag_mask = dp_db_test_all_columns (dp_catalog_loader (DP_LOADER_tags_by_box));
    chunked = dp_db_test_load (t, DP_LOADER_tags_by_box, tag_mask, tagged, 7);
    whole = dp_db_test_load (&big, DP_LOADER_tags_by_box, tag_mask, tagged, 7);
    assert (chunked.u.rows.statements == 3);
    assert (chunked.u.rows.n_rows == 5);
    dp_db_test_same (t, "tags_by_box in chunks of 3", dp_db_test_rows (&whole), dp_db_test_rows (&chunked), false);

    //  The default chunk size: 25,000 keys are three statements.
    int64_t *many = dp_arena_alloc (t->arena, 25000 * sizeof (int64_t));
    for (int i = 0; i < 25000; i++)
        many [i] = i < 45? 900001 + i: 800000000 + i;
    dp_msg_t reply = dp_db_test_load (&big, DP_LOADER_stock_by_id, 1, many, 25000);
    assert (reply.u.rows.statements == 3);
    assert (reply.u.rows.n_rows == 45);
    uint64_t statements, answered, errors;
    dp_db_test_stats (t, &statements, &answered, &errors);
    assert (statements == 7 && answered == 2 && errors == 0);
    dp_db_test_stop (&big);
    dp_db_test_stop (t);
}


//  --------------------------------------------------------------------------
//  query: boxes_page walked with its keyset cursor gives every box of the
//  base exactly once, in order, across ties, zero dates and NULLs;
//  boxes_count and boxes_has_previous agree; each filter selects what the
//  test's own SQL selects.

//  Walk a base page by page; ids receives every id. Checks has_previous for
//  each page's cursor along the way.
static size_t
s_test_walk (dp_db_test_t *t, int64_t base, dp_val_t *filter, int64_t page, int64_t *ids, size_t max)
{
    uint64_t mask = (uint64_t) 1 << DP_COL_stock_modified;
    dp_val_t cursor_modified;
    memset (&cursor_modified, 0, sizeof cursor_modified);
    int64_t cursor_id = -1;
    size_t count = 0;
    for (int pages = 0; ; pages++) {
        dp_val_t *args = dp_db_test_boxes_args (t->arena, base, filter, page,
                                            cursor_id >= 0? &cursor_modified: NULL, cursor_id);
        dp_msg_t reply = dp_db_test_query (t, DP_QUERY_boxes_page, mask, args);
        assert (reply.u.rows.n_cols == 2);
        assert (reply.u.rows.statements == 2);
        //  has_previous: is a row strictly before the cursor (the last row
        //  seen)? Without a cursor it is 0 without SQL.
        dp_msg_t previous = dp_db_test_query (t, DP_QUERY_boxes_has_previous, 0, args);
        assert (previous.u.rows.n_rows == 1 && previous.u.rows.n_cols == 1);
        S_IS_INT (&previous.u.rows.cells [0], count >= 2? 1: 0);
        assert (previous.u.rows.statements == (pages > 0? 1u: 0u));
        for (uint32_t r = 0; r < reply.u.rows.n_rows; r++) {
            assert (count < max);
            ids [count++] = reply.u.rows.cells [r * 2].u.i;
        }
        if (reply.u.rows.n_rows < page)
            break;
        cursor_id = reply.u.rows.cells [(reply.u.rows.n_rows - 1) * 2].u.i;
        cursor_modified = reply.u.rows.cells [(reply.u.rows.n_rows - 1) * 2 + 1];
    }
    return count;
}

//  The test's own selection of a base's boxes with an extra WHERE.
static dp_db_test_rows_t
s_test_expected_ids (dp_db_test_t *t, int64_t base, const char *where)
{
    static const dp_coltype_t types [] = { DP_COLTYPE_INT };
    char *sql = dp_arena_printf (t->arena,
        "SELECT s.id FROM stock s JOIN locations l ON l.id = s.location_id"
        " JOIN products p ON p.id = s.product_id"
        " WHERE l.camp_id = %lld AND (s.deleted IS NULL OR s.deleted = 0) %s"
        " ORDER BY s.modified DESC, s.id DESC", (long long) base, where);
    return dp_db_test_expected (t, sql, types, 1);
}

static void
s_test_filter_case (dp_db_test_t *t, const char *label, dp_val_t *filter, const char *where)
{
    dp_db_test_rows_t expected = s_test_expected_ids (t, 900001, where);
    dp_val_t *args = dp_db_test_boxes_args (t->arena, 900001, filter, 100000, NULL, -1);
    dp_msg_t page = dp_db_test_query (t, DP_QUERY_boxes_page, 0, args);
    dp_db_test_same (t, label, expected, dp_db_test_rows (&page), false);
    dp_msg_t count = dp_db_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (count.u.rows.n_rows == 1);
    S_IS_INT (&count.u.rows.cells [0], (int64_t) expected.n_rows);
}

void
dp_db_test_concern_query (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-query", 3, 10000, t->db.socket, DP_DB_TESTDB_NAME,
                  "root", NULL);
    //  The whole base in pages of 4.
    dp_db_test_rows_t expected = s_test_expected_ids (t, 900001, "");
    assert (expected.n_rows == 39);         //  40 boxes, 900005 deleted
    S_IS_INT (&expected.cells [0], 900003);
    S_IS_INT (&expected.cells [36], 900037);    //  zero date, then NULLs by id
    S_IS_INT (&expected.cells [37], 900039);
    S_IS_INT (&expected.cells [38], 900038);
    int64_t ids [64];
    size_t count = s_test_walk (t, 900001, NULL, 4, ids, 64);
    assert (count == expected.n_rows);
    for (size_t i = 0; i < count; i++)
        S_IS_INT (&expected.cells [i], ids [i]);
    //  Pages of 1 cross every tie and the NULL tail one row at a time.
    count = s_test_walk (t, 900001, NULL, 1, ids, 64);
    assert (count == expected.n_rows);
    for (size_t i = 0; i < count; i++)
        S_IS_INT (&expected.cells [i], ids [i]);

    //  Cursors inside a tie and in the nil tail.
    dp_val_t day28 = dp_db_test_str ("2024-01-28T12:00:00+00:00");
    dp_val_t nil;
    memset (&nil, 0, sizeof nil);
    dp_msg_t reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0,
                                   dp_db_test_boxes_args (t->arena, 900001, NULL, 3, &day28, 900002));
    assert (reply.u.rows.n_rows == 3);
    S_IS_INT (&reply.u.rows.cells [0], 900001);
    S_IS_INT (&reply.u.rows.cells [1], 900006);
    S_IS_INT (&reply.u.rows.cells [2], 900004);
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0,
                          dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900037));
    assert (reply.u.rows.n_rows == 2);      //  after the zero date: the NULLs
    S_IS_INT (&reply.u.rows.cells [0], 900039);
    S_IS_INT (&reply.u.rows.cells [1], 900038);
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0,
                          dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900039));
    assert (reply.u.rows.n_rows == 1);
    S_IS_INT (&reply.u.rows.cells [0], 900038);
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0,
                          dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900038));
    assert (reply.u.rows.n_rows == 0);
    //  Nothing comes before the first box; everything else has a previous.
    dp_val_t *args = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &day28, 900003);
    S_IS_INT (&dp_db_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 0);
    args = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900037);
    S_IS_INT (&dp_db_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 1);
    args = dp_db_test_boxes_args (t->arena, 900001, NULL, 10, &nil, 900038);
    S_IS_INT (&dp_db_test_query (t, DP_QUERY_boxes_has_previous, 0, args).u.rows.cells [0], 1);

    //  Count and full rows.
    args = dp_db_test_boxes_args (t->arena, 900001, NULL, 100000, NULL, -1);
    reply = dp_db_test_query (t, DP_QUERY_boxes_count, 0, args);
    assert (reply.u.rows.statements == 1);
    S_IS_INT (&reply.u.rows.cells [0], 39);
    const dp_catalog_entry_t *stock = dp_catalog_query (DP_QUERY_boxes_page);
    uint64_t all = dp_db_test_all_columns (stock);
    dp_coltype_t types [65];
    uint32_t n_cols = (uint32_t) dp_sql_result_types (stock, all, types);
    char *sql = dp_arena_printf (t->arena,
        "SELECT s.id, %s FROM stock s JOIN locations l ON l.id = s.location_id"
        " WHERE l.camp_id = 900001 AND (s.deleted IS NULL OR s.deleted = 0)"
        " ORDER BY s.modified DESC, s.id DESC LIMIT 7", dp_db_test_column_list (t->arena, stock, "s"));
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, all,
                          dp_db_test_boxes_args (t->arena, 900001, NULL, 7, NULL, -1));
    dp_db_test_same (t, "boxes_page base 900001", dp_db_test_expected (t, sql, types, n_cols),
                 dp_db_test_rows (&reply), false);

    //  Filters, one at a time and together.
    dp_val_t *filter = dp_db_test_filter (t->arena);
    filter [0] = dp_db_test_ints (t->arena, 1, 1LL);
    s_test_filter_case (t, "states", filter, "AND s.box_state_id IN (1)");
    filter = dp_db_test_filter (t->arena);
    filter [1] = dp_db_test_ints (t->arena, 2, 900002LL, 900004LL);
    s_test_filter_case (t, "location_ids", filter, "AND s.location_id IN (900002, 900004)");
    filter = dp_db_test_filter (t->arena);
    filter [2] = dp_db_test_str ("2024-01-20");
    filter [3] = dp_db_test_str ("2024-01-25");
    s_test_filter_case (t, "last_modified_from/until", filter,
                        "AND s.modified >= '2024-01-20' AND s.modified <= '2024-01-25'");
    //  The zero date (box 900037) reads as null: it passes no bound.
    filter = dp_db_test_filter (t->arena);
    filter [3] = dp_db_test_str ("2024-01-25");
    s_test_filter_case (t, "last_modified_until, zero date", filter,
                        "AND s.modified <= '2024-01-25' AND s.modified <> '0000-00-00 00:00:00'");
    filter = dp_db_test_filter (t->arena);
    filter [4] = dp_db_test_ints (t->arena, 1, 2LL);
    s_test_filter_case (t, "product_gender_ids", filter, "AND p.gender_id IN (2)");
    filter = dp_db_test_filter (t->arena);
    filter [5] = dp_db_test_ints (t->arena, 1, 900001LL);
    s_test_filter_case (t, "product_category_ids", filter, "AND p.category_id IN (900001)");
    filter = dp_db_test_filter (t->arena);
    filter [6] = dp_db_test_ints (t->arena, 1, 900002LL);
    s_test_filter_case (t, "product_ids", filter, "AND s.product_id IN (900002)");
    filter = dp_db_test_filter (t->arena);
    filter [7] = dp_db_test_int (900001);
    s_test_filter_case (t, "size_id", filter, "AND s.size_id = 900001");
    filter = dp_db_test_filter (t->arena);
    filter [8] = dp_db_test_ints (t->arena, 1, 900001LL);
    s_test_filter_case (t, "tag_ids", filter,
        "AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001))");
    dp_db_test_rows_t tagged = s_test_expected_ids (t, 900001,
        "AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001))");
    assert (tagged.n_rows == 2);            //  900003 and 900001; 900002's relation is deleted
    filter = dp_db_test_filter (t->arena);
    filter [0] = dp_db_test_ints (t->arena, 2, 2LL, 3LL);
    filter [4] = dp_db_test_ints (t->arena, 2, 1LL, 2LL);
    filter [8] = dp_db_test_ints (t->arena, 2, 900001LL, 900002LL);
    filter [3] = dp_db_test_str ("2024-01-28 00:00:00");
    s_test_filter_case (t, "combined", filter,
        "AND s.box_state_id IN (2, 3) AND p.gender_id IN (1, 2)"
        " AND s.modified <= '2024-01-28 00:00:00' AND s.modified <> '0000-00-00 00:00:00'"
        " AND s.id IN (SELECT r.object_id FROM tags_relations r WHERE r.object_type = 'Stock'"
        " AND r.deleted_on IS NULL AND r.tag_id IN (900001, 900002))");
    //  Empty lists are no filter, except tag_ids = [] which matches nothing
    //  (and is answered without SQL).
    filter = dp_db_test_filter (t->arena);
    filter [0] = dp_db_test_ints (t->arena, 0);
    filter [1] = dp_db_test_ints (t->arena, 0);
    s_test_filter_case (t, "empty lists", filter, "");
    filter = dp_db_test_filter (t->arena);
    filter [8] = dp_db_test_ints (t->arena, 0);
    args = dp_db_test_boxes_args (t->arena, 900001, filter, 50, NULL, -1);
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0, args);
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 0);
    reply = dp_db_test_query (t, DP_QUERY_boxes_count, 0, args);
    S_IS_INT (&reply.u.rows.cells [0], 0);
    assert (reply.u.rows.statements == 0);
    //  A filter on another base's location leaves nothing (one statement).
    filter = dp_db_test_filter (t->arena);
    filter [1] = dp_db_test_ints (t->arena, 1, 900004LL);
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 0,
                          dp_db_test_boxes_args (t->arena, 900001, filter, 50, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 1);
    //  A base without locations: no rows, no second statement.
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 1,
                          dp_db_test_boxes_args (t->arena, 999999, NULL, 50, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.n_cols == 2 && reply.u.rows.statements == 1);
    //  limit 0 needs no SQL.
    reply = dp_db_test_query (t, DP_QUERY_boxes_page, 1,
                          dp_db_test_boxes_args (t->arena, 900001, NULL, 0, NULL, -1));
    assert (reply.u.rows.n_rows == 0 && reply.u.rows.statements == 0);

    //  boxtribute's own base 1, when its dump is loaded: the first page with
    //  every column, a walk through every box, and the count.
    if (t->db.boxtribute) {
        dp_arena_reset (t->arena);
        sql = dp_arena_printf (t->arena,
            "SELECT s.id, %s FROM stock s JOIN locations l ON l.id = s.location_id"
            " WHERE l.camp_id = 1 AND (s.deleted IS NULL OR s.deleted = 0)"
            " ORDER BY s.modified DESC, s.id DESC LIMIT 51",
            dp_db_test_column_list (t->arena, stock, "s"));
        reply = dp_db_test_query (t, DP_QUERY_boxes_page, all,
                              dp_db_test_boxes_args (t->arena, 1, NULL, 51, NULL, -1));
        dp_db_test_same (t, "boxes_page base 1", dp_db_test_expected (t, sql, types, n_cols),
                     dp_db_test_rows (&reply), false);
        dp_db_test_rows_t base1 = s_test_expected_ids (t, 1, "");
        int64_t *walked = dp_arena_alloc (t->arena, (base1.n_rows + 1) * sizeof (int64_t));
        count = s_test_walk (t, 1, NULL, 100, walked, base1.n_rows + 1);
        assert (count == base1.n_rows);
        for (size_t i = 0; i < count; i++)
            S_IS_INT (&base1.cells [i], walked [i]);
        reply = dp_db_test_query (t, DP_QUERY_boxes_count, 0,
                              dp_db_test_boxes_args (t->arena, 1, NULL, 0, NULL, -1));
        S_IS_INT (&reply.u.rows.cells [0], (int64_t) base1.n_rows);
        if (t->verbose)
            printf ("    boxtribute base 1: %u boxes walked in pages of 100\n", base1.n_rows);
    }
    else
        printf ("    (boxtribute-init.sql not loaded: base 1 checks skipped)\n");
    dp_db_test_stop (t);
}
