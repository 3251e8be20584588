/*  =========================================================================
    dp_sql_catalog_test - the selftest of dp_sql_catalog

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every loader of the wire contract has SQL; LOAD, lookup and boxes
    statements are built as expected, arguments are checked. Needs no
    database: it compares SQL text.
@end
*/
#include "dp_sql_catalog.h"
#include <mysql.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


//  Build a dp_val_t list of ints in arena.
static dp_val_t
s_test_ints (dp_arena_t *arena, const int64_t *values, uint32_t count)
{
    dp_val_t list = { .type = DP_VAL_ARRAY };
    list.u.a.items = dp_arena_calloc (arena, count + 1, sizeof (dp_val_t));
    list.u.a.count = count;
    for (uint32_t i = 0; i < count; i++) {
        list.u.a.items [i].type = DP_VAL_INT;
        list.u.a.items [i].u.i = values [i];
    }
    return list;
}

static dp_val_t
s_test_str (const char *text)
{
    dp_val_t value = { .type = DP_VAL_STR };
    value.u.s.ptr = text;
    value.u.s.len = (uint32_t) strlen (text);
    return value;
}

static void
s_expect (const dp_sql_t *sql, const char *expected, bool verbose)
{
    if (verbose)
        printf ("    %s\n", sql->data);
    if (strcmp (sql->data, expected) != 0) {
        fprintf (stderr, "SQL differs:\n  got      %s\n  expected %s\n", sql->data, expected);
        assert (false);
    }
}

void
dp_sql_catalog_test (bool verbose)
{
    printf (" * dp_sql_catalog: ");
    if (verbose)
        printf ("\n");

    //  Every loader of the wire contract has SQL, with one expression per
    //  catalog column, under the same name.
    for (uint32_t id = 0; id < DP_LOADER_COUNT; id++) {
        const dp_sql_loader_t *loader = dp_sql_loader (id);
        const dp_catalog_entry_t *entry = dp_catalog_loader (id);
        assert (loader && entry);
        assert (loader->name && strcmp (loader->name, entry->name) == 0);
        assert (loader->key && loader->from && loader->columns);
        assert (loader->n_columns == entry->n_columns);
        //  Plain columns are "<table>.<name>"; tag_last_used, box_access,
        //  base_names and a standard product's instantiation are computed.
        for (size_t c = 0; c < loader->n_columns; c++)
            assert (loader->columns [c]
                && (id == DP_LOADER_tag_last_used_by_tag || id == DP_LOADER_box_access_by_qr || id == DP_LOADER_box_access_by_box
                 || id == DP_LOADER_box_history_by_box
                 || (entry->columns == dp_catalog_loader (DP_LOADER_shareable_link_by_id)->columns
                     && c >= DP_COL_shareable_link_base_name)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_standard_product_info_by_id)->columns
                     && (c == DP_COL_standard_product_info_category_name
                         || c == DP_COL_standard_product_info_size_range_name))
                 || id == DP_LOADER_product_counts_by_product || id == DP_LOADER_base_counts_by_base
                 || id == DP_LOADER_people_languages_by_people || id == DP_LOADER_people_tokens_by_people
                 || id == DP_LOADER_base_names_by_id
                 || id == DP_LOADER_dimension_beneficiaries_by_id
                 || entry->columns == dp_catalog_loader (DP_LOADER_dimension_categories_all)->columns
                 || (entry->columns == dp_catalog_loader (DP_LOADER_standard_product_by_id)->columns
                     && c == DP_COL_standard_product_instantiation_id)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_people_by_id)->columns
                     && c >= DP_COL_people_active)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_shipment_by_id)->columns
                     && c >= DP_COL_shipment_source_base_name)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_tags_by_id)->columns
                     && c == DP_COL_tags_last_used_on)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_stock_by_id)->columns
                     && c >= DP_COL_stock_base_id)
                 || (entry->columns == dp_catalog_loader (DP_LOADER_active_shipment_detail_by_box)->columns
                     && c >= DP_COL_shipment_detail_source_base_id)
                 || strstr (loader->columns [c], entry->columns [c].name)));
    }
    assert (dp_sql_loader (DP_LOADER_COUNT) == NULL);
    assert (dp_sql_loader (UINT32_MAX) == NULL);

    //  Keys: sorted, unique.
    int64_t keys [] = { 5, 3, 5, 9, -1, 3, 3 };
    size_t n_keys = dp_sql_unique_keys (keys, 7);
    assert (n_keys == 4);
    assert (keys [0] == -1 && keys [1] == 3 && keys [2] == 5 && keys [3] == 9);
    assert (dp_sql_unique_keys (keys, 0) == 0);

    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_sql_append_ints (&sql, (int64_t []) { INT64_MIN, 0, INT64_MAX }, 3);
    s_expect (&sql, "-9223372036854775808,0,9223372036854775807", verbose);
    dp_sql_destroy (&sql);
    dp_sql_append_quoted (&sql, "it's \\ \"x\"", 10);
    s_expect (&sql, "'it\\'s \\\\ \\\"x\\\"'", verbose);
    dp_sql_destroy (&sql);

    //  LOAD by primary key, with columns 0, 1 and 16 (id, box_id, modified).
    const dp_sql_loader_t *stock = dp_sql_loader (DP_LOADER_stock_by_id);
    uint64_t mask = (1u << DP_COL_stock_id) | (1u << DP_COL_stock_box_id)
                  | (1u << DP_COL_stock_modified);
    assert (dp_sql_build_load (&sql, stock, mask, keys, n_keys) == 0);
    s_expect (&sql, "SELECT stock.id, stock.id, stock.box_id, stock.modified FROM stock"
                    " WHERE stock.id IN (-1,3,5,9)", verbose);
    dp_sql_destroy (&sql);
    //  A column the loader does not have is refused.
    assert (dp_sql_build_load (&sql, stock, (uint64_t) 1 << dp_catalog_loader (DP_LOADER_stock_by_id)->n_columns,
                               keys, 1) == -1);
    assert (sql.len == 0);
    //  No column at all: just the keys.
    assert (dp_sql_build_load (&sql, dp_sql_loader (DP_LOADER_sizes_by_id), 0, keys, 1) == 0);
    s_expect (&sql, "SELECT sizes.id FROM sizes WHERE sizes.id IN (-1)", verbose);
    dp_sql_destroy (&sql);

    //  The relation loaders carry their WHERE, GROUP BY and ORDER BY.
    assert (dp_sql_build_load (&sql, dp_sql_loader (DP_LOADER_tags_by_box),
                               1u << DP_COL_tags_label, keys + 1, 2) == 0);
    s_expect (&sql, "SELECT tr.object_id, tags.label FROM tags_relations tr"
                    " JOIN tags ON tags.id = tr.tag_id WHERE tr.object_id IN (3,5)"
                    " AND tr.object_type = 'Stock' AND tr.deleted_on IS NULL"
                    " AND (tags.deleted IS NULL OR tags.deleted = 0)"
                    " ORDER BY tr.object_id, tags.id", verbose);
    dp_sql_destroy (&sql);
    assert (dp_sql_build_load (&sql, dp_sql_loader (DP_LOADER_tag_last_used_by_tag),
                               3, keys + 1, 1) == 0);
    s_expect (&sql, "SELECT tags_relations.tag_id, tags_relations.tag_id,"
                    " MAX(tags_relations.created_on) FROM tags_relations"
                    " WHERE tags_relations.tag_id IN (3) GROUP BY tags_relations.tag_id", verbose);
    dp_sql_destroy (&sql);
    //  A beneficiary's token balance: an aggregate per key.
    assert (dp_sql_build_load (&sql, dp_sql_loader (DP_LOADER_people_tokens_by_people),
                               3, keys + 1, 2) == 0);
    s_expect (&sql, "SELECT transactions.people_id, transactions.people_id,"
                    " CAST(COALESCE(SUM(transactions.drops), 0) AS SIGNED) FROM transactions"
                    " WHERE transactions.people_id IN (3,5) GROUP BY transactions.people_id", verbose);
    dp_sql_destroy (&sql);
    assert (dp_sql_build_load (&sql, dp_sql_loader (DP_LOADER_active_shipment_detail_by_box),
                               1u << DP_COL_shipment_detail_id, keys + 3, 1) == 0);
    s_expect (&sql, "SELECT shipment_detail.box_id, shipment_detail.id FROM shipment_detail"
                    " WHERE shipment_detail.box_id IN (9) AND shipment_detail.removed_on IS NULL"
                    " AND shipment_detail.lost_on IS NULL AND shipment_detail.received_on IS NULL",
                    verbose);
    dp_sql_destroy (&sql);

    //  Result types: key first, then the selected columns.
    dp_coltype_t types [65];
    assert (dp_sql_result_types (dp_catalog_loader (DP_LOADER_stock_by_id), mask, types) == 4);
    assert (types [0] == DP_COLTYPE_INT && types [1] == DP_COLTYPE_INT);
    assert (types [2] == DP_COLTYPE_STR && types [3] == DP_COLTYPE_DATETIME);
    assert (dp_sql_result_types (dp_catalog_loader (DP_LOADER_sizes_by_id), 4, types) == 0);

    //  Root query arguments.
    dp_arena_t *arena = dp_arena_new (0);
    char err [256];
    dp_sql_boxes_args_t args;
    dp_val_t argv [7];
    memset (argv, 0, sizeof argv);
    argv [0].type = DP_VAL_INT;
    argv [0].u.i = 1;
    argv [2].type = DP_VAL_INT;
    argv [2].u.i = 51;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == 0);
    assert (args.base_id == 1 && args.limit == 51 && !args.has_cursor);
    assert (!dp_sql_boxes_match_nothing (&args));
    //  Trailing arguments may be left out, but boxes_page needs its limit.
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_count, argv, 1, arena, &args, err, sizeof err) == 0);
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 1, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "limit"));
    //  Wrong types are refused with a message.
    argv [0].type = DP_VAL_STR;
    argv [0].u.s.ptr = "1";
    argv [0].u.s.len = 1;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "base_id"));
    argv [0].type = DP_VAL_INT;
    argv [0].u.i = 1;
    //  Seven arguments are one too many.
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 7, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "at most 6"));
    argv [2].u.i = -1;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == -1);
    argv [2].u.i = 51;
    //  A date that could carry SQL is refused.
    argv [3] = s_test_str ("2024-01-01' OR '1'='1");
    argv [4].type = DP_VAL_INT;
    argv [4].u.i = 7;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "after_modified"));
    //  The wire form of a datetime is accepted and normalised.
    argv [3] = s_test_str ("2024-01-02T03:04:05+00:00");
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == 0);
    assert (args.has_cursor && !args.after_modified_nil && args.after_id == 7);
    assert (strcmp (args.after_modified, "2024-01-02 03:04:05") == 0);
    //  after_modified without after_id is an error.
    argv [4].type = DP_VAL_NIL;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == -1);

    //  The page with every filter and a cursor.
    int64_t states [] = { 1, 3 }, locs [] = { 10, 11 }, genders [] = { 2 }, cats [] = { 4, 5 },
            products [] = { 6 }, tags [] = { 8, 9 };
    dp_val_t filter [9];
    memset (filter, 0, sizeof filter);
    filter [0] = s_test_ints (arena, states, 2);
    filter [1] = s_test_ints (arena, locs, 2);
    filter [2] = s_test_str ("2023-01-01");
    filter [3] = s_test_str ("2023-12-31");
    filter [4] = s_test_ints (arena, genders, 1);
    filter [5] = s_test_ints (arena, cats, 2);
    filter [6] = s_test_ints (arena, products, 1);
    filter [7].type = DP_VAL_INT;
    filter [7].u.i = 7;
    filter [8] = s_test_ints (arena, tags, 2);
    argv [1].type = DP_VAL_ARRAY;
    argv [1].u.a.items = filter;
    argv [1].u.a.count = 9;
    argv [3] = s_test_str ("2024-01-02 03:04:05");
    argv [4].type = DP_VAL_INT;
    argv [4].u.i = 100;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == 0);
    dp_sql_build_base_locations (&sql, &args);
    s_expect (&sql, "SELECT locations.id FROM locations WHERE locations.camp_id = 1", verbose);
    dp_sql_destroy (&sql);
    int64_t base_locs [] = { 9, 10, 12, 11 };
    assert (dp_sql_filter_locations (&args, base_locs, 4) == 2);
    assert (base_locs [0] == 10 && base_locs [1] == 11);
    dp_sql_build_boxes_page (&sql, &args, 1u << DP_COL_stock_box_id, base_locs, 2);
    s_expect (&sql, "SELECT stock.id, stock.box_id FROM stock WHERE stock.location_id IN (10,11)"
                    " AND (stock.deleted IS NULL OR stock.deleted = 0)"
                    " AND stock.box_state_id IN (1,3)"
                    " AND stock.product_id IN (SELECT products.id FROM products WHERE 1 = 1"
                    " AND products.gender_id IN (2) AND products.category_id IN (4,5))"
                    " AND stock.product_id IN (6) AND stock.size_id = 7"
                    " AND stock.modified >= '2023-01-01' AND stock.modified > 0 AND stock.modified <= '2023-12-31'"
                    " AND EXISTS (SELECT 1 FROM tags_relations tr WHERE tr.object_type = 'Stock'"
                    " AND tr.object_id = stock.id AND tr.deleted_on IS NULL AND tr.tag_id IN (8,9))"
                    " AND (stock.modified < '2024-01-02 03:04:05' OR (stock.modified ="
                    " '2024-01-02 03:04:05' AND stock.id < 100) OR stock.modified IS NULL)"
                    " ORDER BY stock.modified DESC, stock.id DESC LIMIT 51", verbose);
    dp_sql_destroy (&sql);
    dp_sql_build_boxes_has_previous (&sql, &args);
    assert (strstr (sql.data, "SELECT EXISTS (SELECT 1 FROM stock WHERE stock.location_id IN"
                              " (SELECT locations.id FROM locations WHERE locations.camp_id = 1)"
                              " AND stock.location_id IN (10,11) AND"));
    assert (strstr (sql.data, " AND (stock.modified > '2024-01-02 03:04:05' OR (stock.modified ="
                              " '2024-01-02 03:04:05' AND stock.id > 100)))"));
    dp_sql_destroy (&sql);
    dp_sql_build_boxes_count (&sql, &args);
    assert (strncmp (sql.data, "SELECT COUNT(*) FROM stock WHERE stock.location_id IN"
                               " (SELECT locations.id FROM locations WHERE locations.camp_id = 1)", 98) == 0);
    assert (!strstr (sql.data, "100"));         //  no cursor, no limit
    assert (!strstr (sql.data, "LIMIT"));
    dp_sql_destroy (&sql);

    //  A cursor whose modified was nil asks the row what it was.
    argv [3].type = DP_VAL_NIL;
    argv [1].type = DP_VAL_NIL;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_page, argv, 5, arena, &args, err, sizeof err) == 0);
    assert (args.has_cursor && args.after_modified_nil);
    dp_sql_build_boxes_page (&sql, &args, 0, locs, 1);
    s_expect (&sql, "SELECT stock.id FROM stock WHERE stock.location_id IN (10)"
                    " AND (stock.deleted IS NULL OR stock.deleted = 0)"
                    " AND ((stock.modified IS NULL AND stock.id < 100)"
                    " OR ((SELECT c.modified FROM stock c WHERE c.id = 100) = 0"
                    " AND (stock.modified IS NULL OR (stock.modified = 0 AND stock.id < 100))))"
                    " ORDER BY stock.modified DESC, stock.id DESC LIMIT 51", verbose);
    dp_sql_destroy (&sql);

    //  tag_ids = [] matches nothing; other empty lists are no filter.
    memset (filter, 0, sizeof filter);
    filter [0] = s_test_ints (arena, states, 0);
    filter [8] = s_test_ints (arena, tags, 0);
    argv [1].type = DP_VAL_ARRAY;
    argv [1].u.a.count = 9;
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_count, argv, 5, arena, &args, err, sizeof err) == 0);
    assert (dp_sql_boxes_match_nothing (&args));
    dp_sql_build_boxes_count (&sql, &args);
    assert (!strstr (sql.data, "box_state_id"));
    dp_sql_destroy (&sql);
    //  A filter field of the wrong type is refused.
    filter [7] = s_test_str ("7");
    assert (dp_sql_boxes_parse (DP_QUERY_boxes_count, argv, 5, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "size_id"));

    //  The root query table: every query of the contract has an entry, run
    //  as its kind; unknown ids have none.
    for (uint32_t q = 0; q < DP_QUERY_COUNT; q++)
        assert (dp_sql_query (q));
    assert (dp_sql_query (DP_QUERY_COUNT) == NULL && dp_sql_query (UINT32_MAX) == NULL);
    assert (dp_sql_query (DP_QUERY_boxes_page)->kind == DP_SQL_QUERY_PAGE);
    assert (dp_sql_query (DP_QUERY_boxes_count)->kind == DP_SQL_QUERY_SCALAR);
    assert (dp_sql_query (DP_QUERY_boxes_has_previous)->kind == DP_SQL_QUERY_SCALAR);
    assert (dp_sql_query (DP_QUERY_box_by_label)->kind == DP_SQL_QUERY_LOOKUP);
    assert (dp_sql_query (DP_QUERY_qr_by_code)->kind == DP_SQL_QUERY_LOOKUP);
    {
        //  A lookup: its key, checked at parse time; it always needs SQL.
        const dp_sql_query_t *lookup = dp_sql_query (DP_QUERY_qr_by_code);
        dp_sql_query_args_t qargs;
        dp_val_t key = s_test_str ("abc'd");
        assert (dp_sql_query_parse (lookup, DP_QUERY_qr_by_code, 1, &key, 1, arena, &qargs,
                                    err, sizeof err) == 0);
        assert (!dp_sql_query_nothing (lookup, &qargs));
        dp_sql_t built;
        dp_sql_init (&built);
        dp_sql_query_build (lookup, &built, &qargs);
        dp_sql_t direct;
        dp_sql_init (&direct);
        assert (dp_sql_build_lookup (&direct, DP_QUERY_qr_by_code, 1, &key, 1, err, sizeof err) == 0);
        assert (strcmp (built.data, direct.data) == 0);
        dp_sql_destroy (&built);
        dp_sql_destroy (&direct);
        assert (dp_sql_query_parse (lookup, DP_QUERY_qr_by_code, 0, &key, 1, arena, &qargs,
                                    err, sizeof err) == -1);
        assert (strstr (err, "mask"));
        dp_val_t number = { .type = DP_VAL_INT };
        assert (dp_sql_query_parse (lookup, DP_QUERY_qr_by_code, 1, &number, 1, arena, &qargs,
                                    err, sizeof err) == -1);
        assert (strstr (err, "string"));

        //  Several codes in one statement: the keys escaped in a derived
        //  table joined to the column; a code's rows in its index's order
        //  (legacy), so each request's first row is its LIMIT 1 row.
        dp_val_t other = s_test_str ("x");
        const dp_val_t *codes [] = { &key, &other };
        dp_sql_t joined;
        dp_sql_init (&joined);
        assert (dp_sql_build_lookups (&joined, DP_QUERY_qr_by_code, 1, codes, 2, err,
                                      sizeof err) == 0);
        assert (strcmp (joined.data, "SELECT dp_keys.i, qr.id, qr.id FROM qr JOIN (SELECT 0 AS i,"
                        " 'abc\\'d' AS k UNION ALL SELECT 1, 'x') dp_keys ON qr.code = dp_keys.k"
                        " ORDER BY dp_keys.i, qr.legacy") == 0);
        dp_sql_destroy (&joined);
        const dp_val_t *wrong [] = { &key, &number };
        assert (dp_sql_build_lookups (&joined, DP_QUERY_qr_by_code, 1, wrong, 2, err,
                                      sizeof err) == -1);
        assert (dp_sql_build_lookups (&joined, DP_QUERY_boxes_count, 1, codes, 2, err,
                                      sizeof err) == -1);
        dp_sql_destroy (&joined);

        //  A LOAD keyed by a lookup's row: the key list is a subquery on the
        //  label (escaped), wherever the loader's SQL puts its keys; only a
        //  lookup by a unique key, an integer column, a valid mask.
        dp_sql_t chained;
        dp_sql_init (&chained);
        assert (dp_sql_build_load_by_lookup (&chained, dp_sql_loader (DP_LOADER_product_counts_by_product), 3,
                                             DP_QUERY_box_by_label, "S1'2", 4, DP_COL_stock_product_id,
                                             err, sizeof err) == 0);
        assert (strstr (chained.data, " IN (SELECT stock.product_id FROM stock WHERE stock.box_id = 'S1\\'2')"));
        dp_sql_destroy (&chained);
        const dp_sql_loader_t *history = dp_sql_loader (DP_LOADER_box_history_by_box);
        uint64_t every = ((uint64_t) 1 << history->n_columns) - 1;
        assert (dp_sql_build_load_by_lookup (&chained, history, every, DP_QUERY_box_by_label, "S1", 2,
                                             DP_COL_stock_id, err, sizeof err) == 0);
        size_t holes = 0;
        for (const char *p = chained.data; (p = strstr (p, "IN (SELECT stock.id FROM stock WHERE stock.box_id = 'S1')")); p++)
            holes++;
        assert (holes == 3);            //  each part of its UNION
        dp_sql_destroy (&chained);
        assert (dp_sql_build_load_by_lookup (&chained, history, 1, DP_QUERY_box_by_label, "S1", 2,
                                             DP_COL_stock_id, err, sizeof err) == -1);
        assert (dp_sql_build_load_by_lookup (&chained, history, every, DP_QUERY_qr_by_code, "S1", 2,
                                             DP_COL_qr_id, err, sizeof err) == -1);
        assert (strstr (err, "unique"));
        assert (dp_sql_build_load_by_lookup (&chained, history, every, DP_QUERY_box_by_label, "S1", 2,
                                             DP_COL_stock_box_id, err, sizeof err) == -1);
        assert (strstr (err, "integer"));
        assert (dp_sql_build_load_by_lookup (&chained, history, every, DP_QUERY_box_by_label, "S1", 2,
                                             999, err, sizeof err) == -1);
        dp_sql_destroy (&chained);

        //  Boxes queries: an empty tag list, a page of none and a count
        //  without a cursor are known without SQL; a count of a base is not.
        const dp_sql_query_t *page = dp_sql_query (DP_QUERY_boxes_page);
        const dp_sql_query_t *count = dp_sql_query (DP_QUERY_boxes_count);
        const dp_sql_query_t *previous = dp_sql_query (DP_QUERY_boxes_has_previous);
        dp_val_t base [3] = { { .type = DP_VAL_INT, .u.i = 1 }, { .type = DP_VAL_NIL },
                              { .type = DP_VAL_INT, .u.i = 0 } };
        assert (dp_sql_query_parse (page, DP_QUERY_boxes_page, 1, base, 3, arena, &qargs,
                                    err, sizeof err) == 0);
        assert (dp_sql_query_nothing (page, &qargs));
        assert (dp_sql_query_parse (count, DP_QUERY_boxes_count, 0, base, 1, arena, &qargs,
                                    err, sizeof err) == 0);
        assert (!dp_sql_query_nothing (count, &qargs));
        assert (dp_sql_query_parse (previous, DP_QUERY_boxes_has_previous, 0, base, 1, arena,
                                    &qargs, err, sizeof err) == 0);
        assert (dp_sql_query_nothing (previous, &qargs));
        assert (dp_sql_query_parse (page, DP_QUERY_boxes_page, 1, base, 1, arena, &qargs,
                                    err, sizeof err) == -1);
        assert (strstr (err, "limit"));
    }
    {
        //  The public totals: a span of two date-times of exactly the
        //  shape "YYYY-MM-DD HH:MM:SS"; anything else never reaches SQL.
        const dp_sql_query_t *reached = dp_sql_query (DP_QUERY_beneficiaries_reached_between);
        assert (reached->kind == DP_SQL_QUERY_SCALAR);
        dp_sql_query_args_t qargs;
        dp_val_t span [2] = { s_test_str ("2024-03-01 00:00:00"), s_test_str ("2024-03-05 23:59:59") };
        assert (dp_sql_query_parse (reached, DP_QUERY_beneficiaries_reached_between, 1, span, 2,
                                    arena, &qargs, err, sizeof err) == 0);
        dp_sql_t built;
        dp_sql_init (&built);
        dp_sql_query_build (reached, &built, &qargs);
        assert (strstr (built.data, "BETWEEN '2024-03-01 00:00:00' AND '2024-03-05 23:59:59'"));
        assert (!strstr (built.data, "$s"));  //  every positional argument rendered
        dp_sql_destroy (&built);
        const char *bad [] = { "2024-03-01", "2024-03-01T00:00:00", "2024-03-01 00:00:0'",
                               "2024-03-01 00:00:00 OR 1", "2024-03-01' OR '1'='1" };
        for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
            span [1] = s_test_str (bad [i]);
            assert (dp_sql_query_parse (reached, DP_QUERY_beneficiaries_reached_between, 1, span, 2,
                                        arena, &qargs, err, sizeof err) == -1);
        }
        dp_val_t number = { .type = DP_VAL_INT, .u.i = 20240301 };
        span [1] = number;
        assert (dp_sql_query_parse (reached, DP_QUERY_beneficiaries_reached_between, 1, span, 2,
                                    arena, &qargs, err, sizeof err) == -1);
        assert (dp_sql_query_parse (reached, DP_QUERY_beneficiaries_reached_between, 1, span, 1,
                                    arena, &qargs, err, sizeof err) == -1);
    }

    //  An organisation's metrics: the period as boxtribute's range filter; a date
    //  argument that is not a date is refused, so nothing else reaches the SQL.
    {
        const dp_sql_query_t *sales = dp_sql_query (DP_QUERY_number_of_sales);
        dp_sql_query_args_t qargs;
        dp_val_t metric [3] = { { .type = DP_VAL_INT, .u.i = 2 },
                                { .type = DP_VAL_STR, .u.s = { "2020-01-01", 10 } }, { .type = DP_VAL_NIL } };
        const char *periods [2][2] = {
            { "2021-05-06", "BETWEEN '2020-01-01' AND '2021-05-06'" },
            { NULL, "t.transaction_date > '2020-01-01'" },
        };
        for (int p = 0; p < 2; p++) {
            metric [2] = periods [p][0] ? (dp_val_t) { .type = DP_VAL_STR, .u.s = { periods [p][0], 10 } }
                                        : (dp_val_t) { .type = DP_VAL_NIL };
            assert (dp_sql_query_parse (sales, DP_QUERY_number_of_sales, 0, metric, 3, arena, &qargs,
                                        err, sizeof err) == 0);
            dp_sql_t text;
            dp_sql_init (&text);
            dp_sql_query_build (sales, &text, &qargs);
            assert (strstr (text.data, "c.organisation_id = 2"));
            assert (strstr (text.data, periods [p][1]));
            dp_sql_destroy (&text);
        }
        metric [1] = (dp_val_t) { .type = DP_VAL_STR, .u.s = { "2020-01-01' OR '1", 17 } };
        assert (dp_sql_query_parse (sales, DP_QUERY_number_of_sales, 0, metric, 3, arena, &qargs,
                                    err, sizeof err) == -1);
        assert (strstr (err, "after"));
        assert (dp_sql_query_parse (sales, DP_QUERY_number_of_sales, 0, metric, 1, arena, &qargs,
                                    err, sizeof err) == -1);
    }

    dp_arena_destroy (&arena);
    printf ("OK\n");
}
