/*  =========================================================================
    dp_db_test_cubes - the DB actor's statistics cubes: stockOverview's tag filters

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    stock_overview: the QUERY's tag_ids / excluded_tag_ids arguments
    (boxtribute's compute_stock_overview, which the public StockOverview
    links pass) on the seed base, whose boxes carry live, removed and
    deleted tags. The boxes and items counted equal what the test counts
    itself with its own SQL (EXISTS over the live relations to tags that are
    not deleted); malformed arguments are refused.
@end
*/
#include "dp_db_test.h"
#include <assert.h>
#include <stdio.h>

//  Boxes and items of the seed base that pass the filter, by the test's SQL.
static void
s_expected_counts (dp_db_test_t *t, const char *included, const char *excluded,
                   int64_t *boxes, int64_t *items)
{
    const char *tagged =
        "EXISTS (SELECT 1 FROM tags_relations tr JOIN tags tg ON tg.id = tr.tag_id"
        " WHERE tr.object_type = 'Stock' AND tr.object_id = s.id AND tr.deleted_on IS NULL"
        " AND (tg.deleted IS NULL OR tg.deleted = 0) AND tr.tag_id IN (%s))";
    char *sql = dp_arena_printf (t->arena,
        "SELECT COUNT(*), COALESCE(SUM(s.items), 0) FROM stock s JOIN locations l ON l.id = s.location_id"
        " WHERE l.camp_id = 900001 AND (l.deleted IS NULL OR l.deleted = 0)"
        " AND (s.deleted IS NULL OR s.deleted = 0)");
    if (included)
        sql = dp_arena_printf (t->arena, "%s AND %s", sql, dp_arena_printf (t->arena, tagged, included));
    if (excluded)
        sql = dp_arena_printf (t->arena, "%s AND NOT %s", sql, dp_arena_printf (t->arena, tagged, excluded));
    static const dp_coltype_t types [] = { DP_COLTYPE_INT, DP_COLTYPE_INT };
    dp_db_test_rows_t rows = dp_db_test_expected (t, sql, types, 2);
    assert (rows.n_rows == 1);
    *boxes = rows.cells [0].u.i;
    *items = rows.cells [1].u.i;
}

static dp_msg_t
s_stock_overview (dp_db_test_t *t, dp_val_t included, dp_val_t excluded, uint64_t mask)
{
    dp_val_t *args = dp_arena_calloc (t->arena, 3, sizeof (dp_val_t));
    args [0] = dp_db_test_int (900001);
    args [1] = included;
    args [2] = excluded;
    return dp_db_test_rows_reply (t, dp_db_test_send_query (t, DP_QUERY_stock_overview, mask, args, 3, 0));
}

static void
s_filter_case (dp_db_test_t *t, const char *label, dp_val_t included, const char *included_sql,
               dp_val_t excluded, const char *excluded_sql)
{
    const dp_catalog_entry_t *entry = dp_catalog_query (DP_QUERY_stock_overview);
    dp_msg_t reply = s_stock_overview (t, included, excluded, dp_db_test_all_columns (entry));
    dp_db_test_rows_t rows = dp_db_test_rows (&reply);
    assert (rows.n_cols == 1 + entry->n_columns);
    int64_t boxes = 0, items = 0;
    for (uint32_t r = 0; r < rows.n_rows; r++) {
        const dp_val_t *row = rows.cells + (size_t) r * rows.n_cols;
        boxes += row [1 + DP_COL_stock_overview_boxes_count].u.i;
        items += row [1 + DP_COL_stock_overview_items_count].u.i;
        //  A deleted tag is none of the box's tags.
        const dp_val_t *tags = &row [1 + DP_COL_stock_overview_tag_ids];
        assert (tags->type != DP_VAL_STR || !strstr (tags->u.s.ptr, "900003"));
    }
    int64_t expected_boxes, expected_items;
    s_expected_counts (t, included_sql, excluded_sql, &expected_boxes, &expected_items);
    if (boxes != expected_boxes || items != expected_items) {
        printf ("\n%s: %lld boxes, %lld items; expected %lld, %lld\n", label, (long long) boxes,
                (long long) items, (long long) expected_boxes, (long long) expected_items);
        assert (false);
    }
}

void
dp_db_test_concern_stock_overview (dp_db_test_t *t)
{
    dp_db_test_start (t, "inproc://dp-db-test-stock-overview", 2, 10000, t->db.socket,
                      DP_DB_TESTDB_NAME, "root", NULL);
    dp_val_t nil = { .type = DP_VAL_NIL };
    dp_val_t none = dp_db_test_ints (t->arena, 0);
    s_filter_case (t, "no filter", nil, NULL, nil, NULL);
    s_filter_case (t, "empty lists", none, NULL, none, NULL);
    s_filter_case (t, "tag 900001", dp_db_test_ints (t->arena, 1, 900001), "900001", nil, NULL);
    s_filter_case (t, "tags 900001, 900002", dp_db_test_ints (t->arena, 2, 900001, 900002),
                   "900001, 900002", nil, NULL);
    s_filter_case (t, "not 900002", nil, NULL, dp_db_test_ints (t->arena, 1, 900002), "900002");
    s_filter_case (t, "900001, not 900002", dp_db_test_ints (t->arena, 1, 900001), "900001",
                   dp_db_test_ints (t->arena, 1, 900002), "900002");
    //  A deleted tag (900003) matches no box; the zero date (900004) is not deleted.
    s_filter_case (t, "deleted tag", dp_db_test_ints (t->arena, 1, 900003), "900003", nil, NULL);
    s_filter_case (t, "zero-date tag", dp_db_test_ints (t->arena, 1, 900004), "900004", nil, NULL);
    int64_t boxes, items;
    s_expected_counts (t, "900001", "900002", &boxes, &items);
    assert (boxes > 0);             //  the filters above select something

    //  Malformed: a list of strings, a base that is not an int, not every column.
    const dp_catalog_entry_t *entry = dp_catalog_query (DP_QUERY_stock_overview);
    dp_val_t *args = dp_arena_calloc (t->arena, 3, sizeof (dp_val_t));
    args [0] = dp_db_test_int (900001);
    args [1] = dp_db_test_str ("900001");
    dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_stock_overview,
                                                      dp_db_test_all_columns (entry), args, 2, 0),
                            DP_STATUS_BAD_REQUEST);
    args [0] = dp_db_test_str ("900001");
    dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_stock_overview,
                                                      dp_db_test_all_columns (entry), args, 1, 0),
                            DP_STATUS_BAD_REQUEST);
    args [0] = dp_db_test_int (900001);
    dp_db_test_error_reply (t, dp_db_test_send_query (t, DP_QUERY_stock_overview, 1, args, 1, 0),
                            DP_STATUS_BAD_REQUEST);
    dp_db_test_stop (t);
}
