/*  =========================================================================
    dp_sql_moved_boxes - the SQL of the movedBoxes cube (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
    The statement, in the order of its parts:
      base_boxes   the boxes now in the base's locations (boxtribute's
                   ValidBoxes), measure rounded to three significant digits
      box_history  their history rows that matter, each with its nearest
                   change of every field after and before it (one window
                   ordering per box)
      versions     the box as it was at each creation, deletion, undeletion
                   and state change: the row's own value for the field it
                   changes, else the next change's old value, else the
                   previous change's new value, else today's value
      moves        one row per distinct moved version, as boxtribute's
                   GROUP BYs of each kind keep them, with its sign
    then the facts: those moves, boxes sent and received in shipments, and
    boxes marked Lost or Scrap, each with its target's name and (locations)
    deletion date for the target dimension.
*/
#include "dp_sql_moved_boxes.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

//  The fields whose history rebuilds a box's version, and their names in
//  the statement.
static const struct {
    const char *change;         //  history.changes
    const char *name;           //  the version's column
} s_fields [] = {
    { "items", "items" },
    { "location_id", "location_id" },
    { "box_state_id", "box_state_id" },
    { "product_id", "product_id" },
    { "size_id", "size_id" },
};
#define S_FIELDS (sizeof s_fields / sizeof s_fields [0])

//  A change packed as one number, id * 10^10 + (value + 2^31 + 1), or
//  id * 10^10 for a NULL value: MIN/MAX over them pick the nearest change
//  by id whatever its value (10^10 > 2^32 + 1 keeps the two apart; DECIMAL,
//  as an INT UNSIGNED id times 10^10 passes BIGINT). Numbers rather than
//  text: the windows run three times faster.
#define S_PACKED(value) \
    "(CAST(h.id AS DECIMAL(20,0)) * 10000000000 + IFNULL(h." value " + 2147483649, 0))"
//  The value back from a packed change: NULL when there is no such change
//  or its value was NULL.
#define S_UNPACK(column) \
    "CAST(NULLIF(" column " MOD 10000000000, 0) - 2147483649 AS SIGNED)"

//  The box's tags (not removed), ascending, as boxtribute's GROUP_CONCAT, as
//  the column tag_ids. Per fact row from the index on (object_type,
//  object_id): a derived table of every box's tags was built anew in each
//  of the four parts, a third of the statement's time.
#define S_BOX_TAG_IDS(box_id) \
    "(SELECT GROUP_CONCAT(DISTINCT tr.tag_id ORDER BY tr.tag_id) FROM tags_relations tr" \
    " WHERE tr.object_type = 'Stock' AND tr.object_id = " box_id " AND tr.deleted_on IS NULL)" \
    " AS tag_ids"

//  The facts' items: a box whose number of items is unknown (NULL) adds none,
//  so a fact of such boxes alone has 0 (boxtribute's NULL there fails its
//  non-null itemsCount).
#define S_ITEMS(expr) "CAST(IFNULL(SUM(" expr "), 0) AS SIGNED)"

#define S_ROUNDED_MEASURE(column) \
    "ROUND(" column ", 3 - FLOOR(LOG10(" column ") + 1))"

static void
s_append_history (dp_sql_t *sql, int64_t base_id)
{
    dp_sql_printf (sql,
        "WITH base_boxes AS ("
        "SELECT s.id, s.items, s.location_id, s.product_id, s.size_id, s.box_state_id,"
        " s.display_unit_id, " S_ROUNDED_MEASURE ("s.measure_value") " AS measure_value"
        " FROM stock s JOIN locations l ON l.id = s.location_id AND l.camp_id = %lld), ",
        (long long) base_id);
    dp_sql_append (sql, "box_history AS (SELECT h.id, h.record_id AS box_id, h.changes,"
                        " h.changedate, h.from_int, h.to_int");
    for (size_t i = 0; i < S_FIELDS; i++)
        dp_sql_printf (sql,
            ", MIN(IF(h.changes = '%s', " S_PACKED ("from_int") ", NULL)) OVER w_after AS %s_after"
            ", MAX(IF(h.changes = '%s', " S_PACKED ("to_int") ", NULL)) OVER w_before AS %s_before",
            s_fields [i].change, s_fields [i].name, s_fields [i].change, s_fields [i].name);
    //  changes as a short VARCHAR (the longest kept is 18 characters): a
    //  TEXT column puts the windows' temporary table on disk (Aria), which
    //  made the windows 2.5 times slower.
    dp_sql_append (sql,
        " FROM (SELECT h.id, h.record_id, CAST(h.changes AS CHAR(18)) AS changes, h.changedate,"
        " h.from_int, h.to_int FROM history h JOIN base_boxes b ON b.id = h.record_id"
        " WHERE h.tablename = 'stock' AND h.changes IN ('items', 'location_id', 'box_state_id',"
        " 'product_id', 'size_id', 'Record created', 'Record deleted', 'Box was undeleted.')) h"
        " WINDOW w_after AS (PARTITION BY h.record_id ORDER BY h.id"
        " ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),"
        " w_before AS (PARTITION BY h.record_id ORDER BY h.id"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)), ");
}

static void
s_append_versions (dp_sql_t *sql)
{
    dp_sql_append (sql, "versions AS (SELECT h.box_id, h.changes, DATE(h.changedate) AS moved_on,"
                        " h.from_int, h.to_int, b.display_unit_id, b.measure_value");
    for (size_t i = 0; i < S_FIELDS; i++)
        dp_sql_printf (sql,
            ", IF(h.changes = '%s', h.to_int, COALESCE(" S_UNPACK ("h.%s_after") ", "
            S_UNPACK ("h.%s_before") ", b.%s)) AS %s",
            s_fields [i].change, s_fields [i].name, s_fields [i].name, s_fields [i].change,
            s_fields [i].name);
    //  A state change without a new state is not one (boxtribute's BoxHistory).
    dp_sql_append (sql,
        " FROM box_history h JOIN base_boxes b ON b.id = h.box_id"
        " WHERE h.changes IN ('Record created', 'Record deleted', 'Box was undeleted.')"
        " OR (h.changes = 'box_state_id' AND h.to_int IS NOT NULL)), ");
}

//  kind: deleted and undeleted count as the target "Deleted" (undeleted
//  negatively); created (in Donated) and state (InStock <-> Donated; back
//  to InStock negatively) count at the box's location.
static void
s_append_moves (dp_sql_t *sql)
{
    dp_sql_append (sql,
        "moves AS (SELECT DISTINCT v.kind, v.sign, v.box_id, v.moved_on, v.product_id, v.size_id,"
        " v.measure_value, v.display_unit_id, v.location_id, v.items FROM ("
        "SELECT CASE changes WHEN 'Record deleted' THEN 'deleted'"
        " WHEN 'Box was undeleted.' THEN 'undeleted' WHEN 'Record created' THEN 'created'"
        " ELSE 'state' END AS kind,"
        " IF(changes = 'Box was undeleted.' OR (changes = 'box_state_id' AND from_int = 5), -1, 1)"
        " AS sign, versions.* FROM versions) v"
        " WHERE v.kind IN ('deleted', 'undeleted')"
        " OR (v.kind = 'created' AND v.box_state_id = 5)"
        " OR (v.kind = 'state' AND ((v.from_int = 1 AND v.to_int = 5)"
        " OR (v.from_int = 5 AND v.to_int = 1)))), "
        "shipped_boxes AS (SELECT DISTINCT d.shipment_id, d.box_id, d.source_product_id,"
        " d.source_size_id, d.source_quantity, d.target_product_id, d.target_size_id,"
        " d.target_quantity FROM shipment_detail d WHERE d.removed_on IS NULL) ");
}

//  Facts of the moves. Grouped as boxtribute groups them (by location
//  label and product name too), plus the location's id, which is the
//  target it answers.
static void
s_append_move_facts (dp_sql_t *sql)
{
    dp_sql_append (sql,
        "SELECT 0, m.moved_on, p.category_id, TRIM(LOWER(p.name)), p.gender_id, m.size_id,"
        " m.measure_value, u.dimension_id, " S_BOX_TAG_IDS ("m.box_id") ","
        " IF(m.kind IN ('deleted', 'undeleted'), 'Deleted', loc.id),"
        " IF(m.kind IN ('deleted', 'undeleted'), 'BoxState', 'OutgoingLocation'), NULL,"
        " IF(m.kind IN ('deleted', 'undeleted'), 'Deleted', loc.label),"
        " IF(m.kind IN ('deleted', 'undeleted'), NULL, DATE(loc.deleted)),"
        " CAST(SUM(m.sign) AS SIGNED), " S_ITEMS ("m.sign * m.items")
        " FROM moves m JOIN products p ON p.id = m.product_id"
        " JOIN locations loc ON loc.id = m.location_id"
        " LEFT JOIN units u ON u.id = m.display_unit_id"
        " GROUP BY m.kind, m.moved_on, p.category_id, p.name, p.gender_id, m.size_id, loc.label,"
        " IF(m.kind IN ('deleted', 'undeleted'), 0, loc.id), m.measure_value, u.dimension_id,"
        " tag_ids");
}

//  Boxes of shipments not removed while preparing: sent from the base
//  (side "source") or received into it ("target"), by the other base.
static void
s_append_shipment_facts (dp_sql_t *sql, int64_t base_id, bool outgoing)
{
    const char *side = outgoing? "source": "target";
    const char *other = outgoing? "target": "source";
    const char *on = outgoing? "sent_on": "receiving_started_on";
    dp_sql_printf (sql,
        " UNION ALL SELECT 0, DATE(sh.%s), p.category_id, TRIM(LOWER(p.name)), p.gender_id,"
        " d.%s_size_id, " S_ROUNDED_MEASURE ("b.measure_value") " AS measure, u.dimension_id,"
        " " S_BOX_TAG_IDS ("d.box_id") ", CONCAT('%s', c.name), '%s', o.label, c.name, NULL,"
        " COUNT(d.box_id), " S_ITEMS ("d.%s_quantity")
        " FROM shipped_boxes d"
        " JOIN shipment sh ON sh.id = d.shipment_id AND sh.%s_base_id = %lld AND sh.%s IS NOT NULL"
        " JOIN camps c ON c.id = sh.%s_base_id JOIN organisations o ON o.id = c.organisation_id"
        " JOIN products p ON p.id = d.%s_product_id JOIN stock b ON b.id = d.box_id"
        " LEFT JOIN units u ON u.id = b.display_unit_id"
        " GROUP BY DATE(sh.%s), p.category_id, p.name, p.gender_id, d.%s_size_id, c.name,"
        " o.label, measure, u.dimension_id, tag_ids",
        on, side, outgoing? "going-to-": "sent-from-",
        outgoing? "OutgoingShipment": "IncomingShipment", side, side, (long long) base_id, on,
        other, side, on, side);
}

//  Boxes of the base's products marked Lost or Scrap from InStock, with
//  their values of today (boxtribute: they are assumed not to move again).
static void
s_append_lost_facts (dp_sql_t *sql, int64_t base_id)
{
    dp_sql_printf (sql,
        " UNION ALL SELECT 0, DATE(h.changedate), p.category_id, TRIM(LOWER(p.name)), p.gender_id,"
        " b.size_id, " S_ROUNDED_MEASURE ("b.measure_value") " AS measure, u.dimension_id,"
        " " S_BOX_TAG_IDS ("b.id") ", bs.label, 'BoxState', NULL, bs.label, NULL,"
        " COUNT(h.id), " S_ITEMS ("b.items")
        " FROM history h JOIN stock b ON b.id = h.record_id"
        " JOIN products p ON p.id = b.product_id AND p.camp_id = %lld"
        " JOIN box_state bs ON bs.id = h.to_int"
        " LEFT JOIN units u ON u.id = b.display_unit_id"
        " WHERE h.tablename = 'stock' AND h.changes = 'box_state_id' AND h.from_int = 1"
        " AND h.to_int IN (2, 6)"
        " GROUP BY DATE(h.changedate), p.category_id, p.name, p.gender_id, b.size_id, bs.label,"
        " measure, u.dimension_id, tag_ids",
        (long long) base_id);
}

void
dp_sql_moved_boxes_build (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    assert (sql && args);
    int64_t base_id = args->cube.base_id;
    s_append_history (sql, base_id);
    s_append_versions (sql);
    s_append_moves (sql);
    s_append_move_facts (sql);
    s_append_shipment_facts (sql, base_id, true);
    s_append_shipment_facts (sql, base_id, false);
    s_append_lost_facts (sql, base_id);
}

void
dp_sql_moved_boxes_test (bool verbose)
{
    if (verbose)
        printf (" * dp_sql_moved_boxes: ");
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_sql_query_args_t args = { .cube.base_id = 42 };
    dp_sql_moved_boxes_build (&sql, &args);
    //  The base appears where each part selects it, and nowhere else.
    assert (strstr (sql.data, "l.camp_id = 42)"));
    assert (strstr (sql.data, "sh.source_base_id = 42 AND sh.sent_on IS NOT NULL"));
    assert (strstr (sql.data, "sh.target_base_id = 42 AND sh.receiving_started_on IS NOT NULL"));
    assert (strstr (sql.data, "p.camp_id = 42"));
    //  One window pair per field, no correlated subquery.
    for (size_t i = 0; i < S_FIELDS; i++) {
        char name [64];
        snprintf (name, sizeof name, "OVER w_after AS %s_after", s_fields [i].name);
        assert (strstr (sql.data, name));
    }
    assert (!strstr (sql.data, "LIMIT"));
    dp_sql_destroy (&sql);
    if (verbose)
        printf ("OK\n");
}
