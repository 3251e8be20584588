/*  =========================================================================
    dp_sql_cubes - the SQL of the statistics cubes (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's business_logic/statistics/crud.py gives the semantics;
    the statements are Depot's own, each one pass over the rows it reads.
@discuss
    createdBoxes: boxtribute finds each box's first location, product and
    number of items with a correlated MIN(history.id) subquery per box and
    field; here one window over the box rows of history numbers each
    field's changes, and the first one's from_int is the value the box was
    created with (its current value when the field never changed, or when
    that row's from_int is NULL, as boxtribute's IFNULL).
    Tag lists are GROUP_CONCAT'ed in ascending order, so a box's tags make
    one group whatever order they were assigned in (boxtribute concatenates
    them unordered and may split one set of tags into several facts).
@end
*/
#include "dp_sql_cubes.h"
#include <stdio.h>

int
dp_sql_cube_parse_base (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                        dp_sql_query_args_t *args, char *err, size_t err_len)
{
    (void) arena;
    const dp_catalog_entry_t *entry = dp_catalog_query (args->query);
    uint64_t every = entry->n_columns >= 64 ? UINT64_MAX : ((uint64_t) 1 << entry->n_columns) - 1;
    if (args->mask != every) {
        snprintf (err, err_len, "a cube answers every column of its set");
        return -1;
    }
    if (n_values != 1 || values [0].type != DP_VAL_INT) {
        snprintf (err, err_len, "expected [base_id:int]");
        return -1;
    }
    args->cube.base_id = values [0].u.i;
    return 0;
}

void
dp_sql_cube_created_boxes (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql,
        "SELECT 0, boxes.created_on, products.category_id, products.id, products.gender_id,"
        " boxes.tag_ids, COUNT(*), CAST(SUM(boxes.items) AS SIGNED)"
        " FROM (SELECT DATE(stock.created) AS created_on,"
        " IFNULL(first.product_id, stock.product_id) AS product_id,"
        " IFNULL(first.items, stock.items) AS items,"
        " IFNULL(first.location_id, stock.location_id) AS location_id,"
        //  The box's current tags (not removed), ascending: grouped per box
        //  over one join; a subquery per box was most of the statement.
        " GROUP_CONCAT(tr.tag_id ORDER BY tr.tag_id) AS tag_ids"
        " FROM stock LEFT JOIN"
        //  Per box, the from_int of the first change of each field.
        " (SELECT changed.record_id,"
        " MAX(IF(changed.changes = 'location_id', changed.from_int, NULL)) AS location_id,"
        " MAX(IF(changed.changes = 'product_id', changed.from_int, NULL)) AS product_id,"
        " MAX(IF(changed.changes = 'items', changed.from_int, NULL)) AS items"
        " FROM (SELECT history.record_id, history.changes, history.from_int,"
        " ROW_NUMBER() OVER (PARTITION BY history.record_id, history.changes ORDER BY history.id) AS nth"
        " FROM history WHERE history.tablename = 'stock'"
        " AND history.changes IN ('location_id', 'product_id', 'items')) changed"
        " WHERE changed.nth = 1 GROUP BY changed.record_id) first"
        " ON first.record_id = stock.id"
        " LEFT JOIN tags_relations tr ON tr.object_type = 'Stock' AND tr.object_id = stock.id"
        " AND tr.deleted_on IS NULL"
        " WHERE stock.created IS NOT NULL GROUP BY stock.id) boxes"
        " JOIN products ON products.id = boxes.product_id"
        " WHERE boxes.location_id IN (SELECT locations.id FROM locations WHERE locations.camp_id = %lld)"
        " GROUP BY boxes.created_on, products.id, products.category_id, products.gender_id, boxes.tag_ids"
        " ORDER BY boxes.created_on, products.id, boxes.tag_ids",
        (long long) args->cube.base_id);
}

void
dp_sql_cube_top_products_checked_out (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql,
        "SELECT 0, DATE(transactions.transaction_date) AS checked_out_on, transactions.product_id,"
        " products.category_id, CAST(RANK() OVER (ORDER BY SUM(transactions.count) DESC) AS SIGNED),"
        " CAST(SUM(transactions.count) AS SIGNED)"
        " FROM transactions JOIN products ON products.id = transactions.product_id"
        " AND products.camp_id = %lld"
        " GROUP BY transactions.product_id, products.category_id, checked_out_on"
        " ORDER BY checked_out_on, transactions.product_id",
        (long long) args->cube.base_id);
}

void
dp_sql_cube_top_products_donated (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    //  box_state_id 1 is InStock, 5 Donated (boxtribute's BoxState).
    dp_sql_printf (sql,
        "SELECT 0, DATE(stock.created) AS created_on, DATE(history.changedate) AS donated_on,"
        " stock.size_id, stock.product_id, products.category_id,"
        " CAST(RANK() OVER (ORDER BY SUM(stock.items) DESC) AS SIGNED),"
        " CAST(SUM(stock.items) AS SIGNED)"
        " FROM history JOIN stock ON stock.id = history.record_id"
        " JOIN products ON products.id = stock.product_id AND products.camp_id = %lld"
        " WHERE history.tablename = 'stock' AND history.changes = 'box_state_id'"
        " AND history.from_int = 1 AND history.to_int = 5"
        " GROUP BY created_on, donated_on, stock.size_id, stock.product_id, products.category_id"
        " ORDER BY donated_on, created_on, stock.product_id, stock.size_id",
        (long long) args->cube.base_id);
}
