/*  =========================================================================
    dp_sql_stock_overview - the SQL of the stockOverview cube (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
    One statement: the base's boxes joined with one row per box of its tags
    (ascending, as boxtribute's GROUP_CONCAT) and, when a tag filter is on,
    how many of its tags are included or excluded, then grouped.
*/
#include "dp_sql_stock_overview.h"
#include "dp_sql_cubes.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_FAIL(...) (snprintf (err, err_len, __VA_ARGS__), -1)

static bool
s_active (const dp_sql_ids_t *ids)
{
    return ids->ids && ids->count > 0;
}

int
dp_sql_stock_overview_parse (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                             dp_sql_query_args_t *args, char *err, size_t err_len)
{
    assert (args && arena);
    if (n_values < 1 || n_values > 3)
        return S_FAIL ("stock_overview takes 1 to 3 arguments, got %u", n_values);
    //  The base and the mask as every cube's.
    if (dp_sql_cube_parse_base (values, 1, arena, args, err, err_len)
    ||  dp_sql_parse_ids (n_values > 1? &values [1]: NULL, "tag_ids (argument 1)", arena,
                          &args->stock.tag_ids, err, err_len)
    ||  dp_sql_parse_ids (n_values > 2? &values [2]: NULL, "excluded_tag_ids (argument 2)",
                          arena, &args->stock.excluded_tag_ids, err, err_len))
        return -1;
    return 0;
}

//  A relation to a tag that is not deleted (or not in `tags` at all, which
//  boxtribute counts too).
#define S_LIVE_TAG "(t.deleted IS NULL OR t.deleted = 0)"

//  ", SUM(<live> AND tr.tag_id IN (ids)) AS name": how many of the box's
//  tags are in the list (NULL for a box without tags).
static void
s_append_tag_count (dp_sql_t *sql, const dp_sql_ids_t *ids, const char *name)
{
    if (!s_active (ids))
        return;
    dp_sql_append (sql, ", SUM(" S_LIVE_TAG " AND tr.tag_id IN (");
    dp_sql_append_ints (sql, ids->ids, ids->count);
    dp_sql_printf (sql, ")) AS %s", name);
}

#define S_ROUNDED_MEASURE "ROUND(s.measure_value, 3 - FLOOR(LOG10(s.measure_value) + 1))"
#define S_TAG_ID "IF(" S_LIVE_TAG ", tr.tag_id, NULL)"

void
dp_sql_stock_overview_build (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    assert (sql && args);
    const dp_sql_stock_args_t *stock = &args->stock;
    //  First the base's boxes with their tags, in one join (a lookup of tags
    //  per box took twice as long as boxtribute's statement).
    dp_sql_append (sql,
        "SELECT 0, s.size_id, s.location_id, s.box_state_id, p.category_id, TRIM(LOWER(p.name)),"
        " " S_ROUNDED_MEASURE ", u.dimension_id, p.gender_id, bt.tag_ids,"
        //  Unknown (NULL) items add none: boxtribute's NULL fails its non-null itemsCount.
        " COUNT(*), CAST(IFNULL(SUM(s.items), 0) AS SIGNED)"
        " FROM (SELECT b.id AS box_id,"
        " GROUP_CONCAT(DISTINCT " S_TAG_ID " ORDER BY " S_TAG_ID ") AS tag_ids");
    s_append_tag_count (sql, &stock->tag_ids, "included");
    s_append_tag_count (sql, &stock->excluded_tag_ids, "excluded");
    dp_sql_printf (sql,
        " FROM stock b JOIN locations l ON l.id = b.location_id AND l.camp_id = %lld"
        " AND (l.deleted IS NULL OR l.deleted = 0)", (long long) args->cube.base_id);
    dp_sql_append (sql,
        " LEFT JOIN tags_relations tr ON tr.object_id = b.id AND tr.object_type = 'Stock'"
        " AND tr.deleted_on IS NULL"
        " LEFT JOIN tags t ON t.id = tr.tag_id"
        " WHERE (b.deleted IS NULL OR b.deleted = 0) GROUP BY b.id) bt"
        " JOIN stock s ON s.id = bt.box_id JOIN products p ON p.id = s.product_id"
        " LEFT JOIN units u ON u.id = s.display_unit_id WHERE 1 = 1");
    //  Included: at least one of the tags (a box without tags has none);
    //  excluded: none of them (a box without tags has none).
    if (s_active (&stock->tag_ids))
        dp_sql_append (sql, " AND bt.included > 0");
    if (s_active (&stock->excluded_tag_ids))
        dp_sql_append (sql, " AND (bt.excluded IS NULL OR bt.excluded = 0)");
    dp_sql_append (sql,
        " GROUP BY s.size_id, s.location_id, s.box_state_id, p.category_id, TRIM(LOWER(p.name)),"
        " " S_ROUNDED_MEASURE ", u.dimension_id, p.gender_id, bt.tag_ids");
}

//  Args as dp_sql_query_parse starts them: the query and every column.
static void
s_test_args (dp_sql_query_args_t *args)
{
    memset (args, 0, sizeof *args);
    args->query = DP_QUERY_stock_overview;
    args->mask = ((uint64_t) 1 << dp_catalog_query (DP_QUERY_stock_overview)->n_columns) - 1;
}

void
dp_sql_stock_overview_test (bool verbose)
{
    if (verbose)
        printf (" * dp_sql_stock_overview: ");
    dp_arena_t *arena = dp_arena_new (0);
    assert (arena);
    char err [128];
    dp_sql_query_args_t args;

    //  The base alone: no filter.
    dp_val_t base = { .type = DP_VAL_INT, .u.i = 7 };
    s_test_args (&args);
    assert (dp_sql_stock_overview_parse (&base, 1, arena, &args, err, sizeof err) == 0);
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_sql_stock_overview_build (&sql, &args);
    assert (strstr (sql.data, "l.camp_id = 7 AND"));
    assert (!strstr (sql.data, "included"));
    assert (!strstr (sql.data, "excluded"));
    dp_sql_destroy (&sql);

    //  Both filters; an empty list is no filter.
    dp_val_t tags [2] = { { .type = DP_VAL_INT, .u.i = 3 }, { .type = DP_VAL_INT, .u.i = 11 } };
    dp_val_t values [3] = { base,
                            { .type = DP_VAL_ARRAY, .u.a = { .items = tags, .count = 2 } },
                            { .type = DP_VAL_ARRAY, .u.a = { .items = tags, .count = 1 } } };
    s_test_args (&args);
    assert (dp_sql_stock_overview_parse (values, 3, arena, &args, err, sizeof err) == 0);
    dp_sql_init (&sql);
    dp_sql_stock_overview_build (&sql, &args);
    assert (strstr (sql.data, "tr.tag_id IN (3,11)) AS included"));
    assert (strstr (sql.data, "tr.tag_id IN (3)) AS excluded"));
    assert (strstr (sql.data, "AND bt.included > 0"));
    assert (strstr (sql.data, "AND (bt.excluded IS NULL OR bt.excluded = 0)"));
    dp_sql_destroy (&sql);
    values [1].u.a.count = 0;
    values [2].type = DP_VAL_NIL;
    s_test_args (&args);
    assert (dp_sql_stock_overview_parse (values, 3, arena, &args, err, sizeof err) == 0);
    dp_sql_init (&sql);
    dp_sql_stock_overview_build (&sql, &args);
    assert (!strstr (sql.data, "included"));
    dp_sql_destroy (&sql);

    //  Malformed: no base, a base that is not an int, a list of strings.
    assert (dp_sql_stock_overview_parse (values, 0, arena, &args, err, sizeof err) == -1);
    dp_val_t text = { .type = DP_VAL_STR, .u.s = { .ptr = "1", .len = 1 } };
    assert (dp_sql_stock_overview_parse (&text, 1, arena, &args, err, sizeof err) == -1);
    values [1] = (dp_val_t) { .type = DP_VAL_ARRAY, .u.a = { .items = &text, .count = 1 } };
    assert (dp_sql_stock_overview_parse (values, 2, arena, &args, err, sizeof err) == -1);
    assert (strstr (err, "tag_ids (argument 1)"));
    dp_arena_destroy (&arena);
    if (verbose)
        printf ("OK\n");
}
