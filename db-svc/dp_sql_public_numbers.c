/*  =========================================================================
    dp_sql_public_numbers - the SQL of the public endpoint's totals (issue 17)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_sql_public_numbers.h. boxtribute groups each count by
    organisation and base and sums the groups; the sum is the count of the
    rows kept, so each statement counts them directly.
@end
*/
#include "dp_sql_public_numbers.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

//  True when text is exactly "YYYY-MM-DD HH:MM:SS" in shape.
static bool
s_datetime_shape (const dp_val_t *value)
{
    static const char shape [] = "dddd-dd-dd dd:dd:dd";
    if (value->type != DP_VAL_STR || value->u.s.len != sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        char c = value->u.s.ptr [i];
        if (shape [i] == 'd' ? !isdigit ((unsigned char) c) : c != shape [i])
            return false;
    }
    return true;
}

int
dp_sql_public_parse_span (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                          dp_sql_query_args_t *args, char *err, size_t err_len)
{
    (void) arena;
    if (n_values != 2 || !s_datetime_shape (&values [0]) || !s_datetime_shape (&values [1])) {
        snprintf (err, err_len, "expected [start:str, end:str] as 'YYYY-MM-DD HH:MM:SS'");
        return -1;
    }
    memcpy (args->span.start, values [0].u.s.ptr, 19);
    memcpy (args->span.end, values [1].u.s.ptr, 19);
    return 0;
}

//  boxtribute excludes its test organisation (exclude_test_organisation);
//  a row of no organisation (a hard-deleted beneficiary) counts.
#define S_NOT_TEST_ORGANISATION(org) "(" org " IS NULL OR " org " <> 1)"

void
dp_sql_public_boxes_created (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql,
        "SELECT COUNT(*) FROM stock"
        " JOIN locations ON locations.id = stock.location_id"
        " JOIN camps ON camps.id = locations.camp_id"
        " JOIN organisations ON organisations.id = camps.organisation_id"
        " WHERE stock.created BETWEEN '%s' AND '%s' AND "
        S_NOT_TEST_ORGANISATION ("organisations.id"),
        args->span.start, args->span.end);
}

//  Counts the distinct ids of `sources` (a UNION with %s placeholders for
//  the span) whose beneficiary is of no organisation or not the test one.
#define S_COUNT_BENEFICIARIES(sources) \
    "SELECT COUNT(span_ids.id) FROM (" sources ") span_ids" \
    " LEFT JOIN people ON people.id = span_ids.id" \
    " LEFT JOIN camps ON camps.id = people.camp_id" \
    " LEFT JOIN organisations ON organisations.id = camps.organisation_id" \
    " WHERE " S_NOT_TEST_ORGANISATION ("organisations.id")

//  Created according to history (hard-deleted beneficiaries too) or to
//  people.created (those imported without history).
#define S_PEOPLE_CREATED \
    " UNION SELECT people.id FROM people WHERE people.created BETWEEN '%1$s' AND '%2$s'"

void
dp_sql_public_beneficiaries_registered (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql, S_COUNT_BENEFICIARIES (
        "SELECT history.record_id AS id FROM history WHERE history.tablename = 'people'"
        " AND history.changedate BETWEEN '%1$s' AND '%2$s' AND history.changes = 'Record created'"
        S_PEOPLE_CREATED),
        args->span.start, args->span.end);
}

void
dp_sql_public_beneficiaries_reached (dp_sql_t *sql, const dp_sql_query_args_t *args)
{
    dp_sql_printf (sql, S_COUNT_BENEFICIARIES (
        //  Created or edited, not deleted.
        "SELECT history.record_id AS id FROM history WHERE history.tablename = 'people'"
        " AND history.changedate BETWEEN '%1$s' AND '%2$s'"
        " AND history.changes NOT LIKE 'Record deleted%%'"
        S_PEOPLE_CREATED
        //  Checked out: the family heads of the transactions...
        " UNION SELECT transactions.people_id FROM transactions"
        " WHERE transactions.transaction_date BETWEEN '%1$s' AND '%2$s'"
        " AND transactions.count > 0 AND transactions.people_id IS NOT NULL"
        //  ... and their family members (not those heading themselves).
        " UNION SELECT member.id FROM people member WHERE member.id <> member.parent_id"
        " AND EXISTS (SELECT 1 FROM transactions WHERE transactions.people_id = member.parent_id"
        " AND transactions.transaction_date BETWEEN '%1$s' AND '%2$s' AND transactions.count > 0)"
        //  Registered for a service.
        " UNION SELECT services_relations.people_id FROM services_relations"
        " WHERE services_relations.created BETWEEN '%1$s' AND '%2$s'"
        //  Tagged.
        " UNION SELECT tags_relations.object_id FROM tags_relations"
        " WHERE tags_relations.object_type = 'People'"
        " AND tags_relations.created_on BETWEEN '%1$s' AND '%2$s'"),
        args->span.start, args->span.end);
}
