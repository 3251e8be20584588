/*  =========================================================================
    dp_sql_beneficiaries - the SQL of the beneficiary statistics (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's business_logic/statistics/crud.py, statistics/sql.py and
    metrics/crud.py give the semantics; the statements are Depot's own.
@discuss
    Ages are whole years at today's UTC date (boxtribute's TIMESTAMPDIFF
    against its server's date); a zero or missing birth date has no age.
    Tag lists are ascending, so one set of tags makes one group whatever
    order it was assigned in (boxtribute concatenates them unordered).
    "Now" is MariaDB's UTC_TIMESTAMP(): the reach window (104 weeks, as
    boxtribute in production), the figures' 30 and 90 days.
    The figures' two averages are MariaDB's DECIMAL divisions (4 decimal
    places), as boxtribute's SQL computes them.
@end
*/
#include "dp_sql_beneficiaries.h"
#include <stdio.h>
#include <string.h>

//  A beneficiary's current tags (not removed), ascending; NULL when none.
#define S_PEOPLE_TAG_IDS(person) \
    "(SELECT GROUP_CONCAT(DISTINCT tr.tag_id ORDER BY tr.tag_id) FROM tags_relations tr" \
    " WHERE tr.object_type = 'People' AND tr.object_id = " person " AND tr.deleted_on IS NULL)"

//  Age in whole years; NULL for a missing or zero birth date.
#define S_AGE(born) "IF(" born " > 0, TIMESTAMPDIFF(YEAR, " born ", UTC_DATE()), NULL)"

//  The start of the reach window.
#define S_REACH_START "(UTC_TIMESTAMP() - INTERVAL 104 WEEK)"

void
dp_sql_beneficiary_demographics (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql,
        "SELECT 0, b.gender, b.age, b.created_on, b.deleted_on, b.tag_ids, COUNT(*)"
        " FROM (SELECT IF(people.gender = '', 'D', people.gender) AS gender,"
        " " S_AGE ("people.date_of_birth") " AS age,"
        " DATE(people.created) AS created_on,"
        " IF(people.deleted > 0, DATE(people.deleted), NULL) AS deleted_on,"
        " " S_PEOPLE_TAG_IDS ("people.id") " AS tag_ids"
        " FROM people WHERE people.camp_id = %lld) b"
        " GROUP BY b.gender, b.age, b.created_on, b.deleted_on, b.tag_ids"
        " ORDER BY b.created_on, b.gender, b.age, b.deleted_on, b.tag_ids",
        (long long) args->cube.base_id);
}

void
dp_sql_beneficiary_reach (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    long long base = (long long) args->cube.base_id;
    dp_sql_printf (sql,
        "SELECT 0, DATE(i.reached_on) AS reached_on, i.beneficiary_id, i.reach_type, COUNT(*),"
        " " S_PEOPLE_TAG_IDS ("i.beneficiary_id")
        " FROM ("
        //  Created or edited: one per change moment (a bulk edit of several fields is one).
        "SELECT h.changedate AS reached_on, p.id AS beneficiary_id, 'CreatedOrEdited' AS reach_type"
        " FROM history h JOIN people p ON p.id = h.record_id AND p.camp_id = %lld"
        " WHERE h.tablename = 'people' AND NOT h.changes LIKE 'Record deleted%%'"
        " AND h.changedate >= " S_REACH_START
        " GROUP BY h.changedate, p.id"
        //  Checkouts of the family head (one per checkout, whatever its products) ...
        " UNION ALL SELECT t.transaction_date, t.people_id, 'Checkout'"
        " FROM transactions t JOIN people p ON p.id = t.people_id AND p.camp_id = %lld"
        " WHERE t.product_id IS NOT NULL AND t.transaction_date >= " S_REACH_START
        " GROUP BY t.transaction_date, t.people_id"
        //  ... reach every member of the family too.
        " UNION ALL SELECT t.transaction_date, member.id, 'Checkout'"
        " FROM transactions t JOIN people p ON p.id = t.people_id AND p.camp_id = %lld"
        " JOIN people member ON member.parent_id = t.people_id"
        " WHERE t.product_id IS NOT NULL AND t.transaction_date >= " S_REACH_START
        " GROUP BY t.transaction_date, member.id"
        //  Every service registration counts.
        " UNION ALL SELECT sr.created, sr.people_id, 'ServiceUsed'"
        " FROM services_relations sr JOIN people p ON p.id = sr.people_id AND p.camp_id = %lld"
        " WHERE sr.created >= " S_REACH_START
        //  Tags applied, removed since or not: one per moment.
        " UNION ALL SELECT tr.created_on, tr.object_id, 'TagApplied'"
        " FROM tags_relations tr JOIN people p ON p.id = tr.object_id AND p.camp_id = %lld"
        " WHERE tr.object_type = 'People' AND tr.created_on >= " S_REACH_START
        " GROUP BY tr.created_on, tr.object_id"
        ") i"
        " GROUP BY DATE(i.reached_on), i.beneficiary_id, i.reach_type"
        " ORDER BY i.reach_type, reached_on, i.beneficiary_id",
        base, base, base, base, base);
}

void
dp_sql_beneficiary_figures (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    long long base = (long long) args->cube.base_id;
    dp_sql_printf (sql,
        "SELECT 0, (SELECT COUNT(*) FROM people WHERE people.camp_id = %lld),"
        " CAST(IFNULL(SUM(heads.gender = 'M'), 0) AS SIGNED),"
        " CAST(IFNULL(SUM(heads.gender = 'F'), 0) AS SIGNED),"
        " CAST(IFNULL(SUM(heads.gender IN ('D', '')), 0) AS SIGNED),"
        " visits.items_per_visit, visits.items_per_visitor,"
        " CAST(IFNULL(SUM(heads.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transactions t"
        " WHERE t.people_id = heads.id"
        " AND t.count > 0 AND t.transaction_date > UTC_TIMESTAMP() - INTERVAL 90 DAY)), 0) AS SIGNED),"
        " (SELECT COUNT(*) FROM people WHERE people.camp_id = %lld"
        " AND people.created >= UTC_TIMESTAMP() - INTERVAL 30 DAY)"
        " FROM (SELECT AVG(v.items) AS items_per_visit,"
        " SUM(v.items) / COUNT(DISTINCT v.people_id) AS items_per_visitor"
        //  A visit: one checkout of a beneficiary (its transactions share their moment).
        " FROM (SELECT t.people_id, SUM(t.count) AS items FROM transactions t"
        " JOIN people p ON p.id = t.people_id AND p.camp_id = %lld"
        " WHERE t.count > 0 GROUP BY t.people_id, t.transaction_date) v) visits"
        " LEFT JOIN people heads ON heads.camp_id = %lld AND heads.parent_id IS NULL"
        " GROUP BY visits.items_per_visit, visits.items_per_visitor",
        base, base, base, base);
}

int
dp_sql_metric_parse (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                     dp_sql_query_args_t *args, char *err, size_t err_len)
{
    (void) arena;
    if (n_values != 3 || values [0].type != DP_VAL_INT) {
        snprintf (err, err_len, "expected [organisation_id:int, after:str|nil, before:str|nil]");
        return -1;
    }
    args->metric.organisation_id = values [0].u.i;
    char *dates [2] = { args->metric.after, args->metric.before };
    for (int d = 0; d < 2; d++) {
        const dp_val_t *value = &values [1 + d];
        if (value->type == DP_VAL_NIL)
            dates [d][0] = 0;
        else
        if (value->type != DP_VAL_STR
        ||  dp_sql_parse_datetime (value->u.s.ptr, value->u.s.len, dates [d])) {
            snprintf (err, err_len, "%s must be a date or nil", d == 0 ? "after" : "before");
            return -1;
        }
    }
    return 0;
}

//  boxtribute's _build_range_filter over transaction_date: BETWEEN when
//  both ends are given, else strictly after or strictly before.
static void
s_period (dp_sql_t *sql, const dp_sql_metric_args_t *metric)
{
    if (metric->after [0] && metric->before [0])
        dp_sql_printf (sql, " AND t.transaction_date BETWEEN '%s' AND '%s'", metric->after, metric->before);
    else
    if (metric->after [0])
        dp_sql_printf (sql, " AND t.transaction_date > '%s'", metric->after);
    else
    if (metric->before [0])
        dp_sql_printf (sql, " AND t.transaction_date < '%s'", metric->before);
}

//  The organisation's transactions: of beneficiaries of its bases.
#define S_ORGANISATION_TRANSACTIONS \
    " FROM transactions t JOIN people p ON p.id = t.people_id" \
    " JOIN camps c ON c.id = p.camp_id WHERE c.organisation_id = %lld"

void
dp_sql_metric_families_served (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    //  Checkouts are recorded against the family head: one family each.
    dp_sql_printf (sql, "SELECT COUNT(DISTINCT t.people_id)" S_ORGANISATION_TRANSACTIONS
                   " AND t.count > 0", (long long) args->metric.organisation_id);
    s_period (sql, &args->metric);
}

void
dp_sql_metric_number_of_sales (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql, "SELECT CAST(IFNULL(SUM(t.count), 0) AS SIGNED)" S_ORGANISATION_TRANSACTIONS
                   " AND t.drops >= 0", (long long) args->metric.organisation_id);
    s_period (sql, &args->metric);
}
