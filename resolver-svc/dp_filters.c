/*  =========================================================================
    dp_filters - which rows a list field shows (keep_fn_t hooks)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    DATETIME cells arrive as nil for NULL and for MySQL's zero date, so
    "not deleted" (deleted IS NULL OR deleted = 0, API.md section 4) is a
    nil deleted cell.

    Its selftest runs each filter over rows written in it; through Depot,
    tests/integration/test_read_api.py and test_beneficiaries.py.
@end
*/
#include "dp_filters.h"
#include "dp_plan.h"
#include "dp_enums.h"
#include <string.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdio.h>
#include <assert.h>

//  filterInput.includeDeleted, false when absent.
static bool
s_include_deleted (const plan_field_t *pf)
{
    const input_t *flag = input_field (input_field (pf->args, "filterInput"), "includeDeleted");
    return flag && flag->kind == IN_BOOL && flag->i;
}

static bool
s_str_is (const row_t *row, int column, const char *value)
{
    const dp_val_t *cell = &row->cells [column];
    return cell->type == DP_VAL_STR && strcmp (cell->u.s.ptr, value) == 0;
}

//  bases / Organisation.bases: not deleted, unless filterInput.includeDeleted.
bool
dp_keep_base (const plan_field_t *pf, const row_t *row)
{
    return s_include_deleted (pf) || row_is_nil (row, DP_COL_camps_deleted);
}

//  Query.locations: the classic (warehouse) locations, deleted ones included
//  as boxtribute lists them.
bool
dp_keep_classic_location (const plan_field_t *pf, const row_t *row)
{
    return s_str_is (row, DP_COL_locations_type, "Warehouse");
}

//  Base.locations: classic locations that are not deleted.
bool
dp_keep_live_classic_location (const plan_field_t *pf, const row_t *row)
{
    return dp_keep_classic_location (pf, row) && row_is_nil (row, DP_COL_locations_deleted);
}

//  Query.tags(tagType) and Base.tags(resourceType): tags that are not
//  deleted; a Box (Beneficiary) filter keeps Box (Beneficiary) and All tags.
bool
dp_keep_tag (const plan_field_t *pf, const row_t *row)
{
    if (!row_is_nil (row, DP_COL_tags_deleted))
        return false;
    const input_t *kind = input_field (pf->args, "resourceType");
    if (!kind)
        kind = input_field (pf->args, "tagType");
    if (!kind || kind->kind != IN_ENUM || strcmp (kind->s, "All") == 0)
        return true;
    const char *db = dp_enums_tag_type_value (kind->s);
    return (db && s_str_is (row, DP_COL_tags_type, db)) || s_str_is (row, DP_COL_tags_type, "All");
}

//  Base.products(filterInput): not deleted unless includeDeleted; type
//  Custom or StandardInstantiation when asked (All: both).
bool
dp_keep_product (const plan_field_t *pf, const row_t *row)
{
    if (!s_include_deleted (pf) && !row_is_nil (row, DP_COL_products_deleted))
        return false;
    const input_t *type = input_field (input_field (pf->args, "filterInput"), "type");
    if (!type || type->kind != IN_ENUM || strcmp (type->s, "All") == 0)
        return true;
    bool standard = !row_is_nil (row, DP_COL_products_standard_product_id);
    return strcmp (type->s, "StandardInstantiation") == 0 ? standard : !standard;
}

//  Query.shipments(states): the shipments in one of the states (all when the
//  list is absent or empty).
//  A row whose `state` column (`column`) is one of the `states` argument's.
static bool
s_state_in (const plan_field_t *pf, const row_t *row, int column)
{
    const input_t *states = input_field (pf->args, "states");
    if (!states || states->kind != IN_LIST || states->n_items == 0)
        return true;
    for (size_t i = 0; i < states->n_items; i++)
        if (s_str_is (row, column, states->items [i]->s))
            return true;
    return false;
}

bool
dp_keep_shipment (const plan_field_t *pf, const row_t *row)
{
    return s_state_in (pf, row, DP_COL_shipment_state);
}

//  Box.tags: the box's tags that are not deleted.
bool
dp_keep_live_tag (const plan_field_t *pf, const row_t *row)
{
    return row_is_nil (row, DP_COL_tags_deleted);
}

//  Query.transferAgreements(states): the agreements in one of the states.
bool
dp_keep_agreement (const plan_field_t *pf, const row_t *row)
{
    return s_state_in (pf, row, DP_COL_transfer_agreement_state);
}

//  ASCII case-insensitive: does text contain needle (of needle_len bytes)?
static bool
s_contains_nocase (const char *text, size_t len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return true;
    for (size_t i = 0; i + needle_len <= len; i++) {
        size_t j = 0;
        while (j < needle_len
           &&  tolower ((unsigned char) text [i + j]) == tolower ((unsigned char) needle [j]))
            j++;
        if (j == needle_len)
            return true;
    }
    return false;
}

static bool
s_cell_contains (const row_t *row, int column, const char *needle, size_t needle_len)
{
    const dp_val_t *cell = &row->cells [column];
    return cell->type == DP_VAL_STR
        && s_contains_nocase (cell->u.s.ptr, cell->u.s.len, needle, needle_len);
}

//  Equal as MariaDB's _ci collations compare: case-insensitive, trailing
//  spaces ignored.
static bool
s_cell_equals (const row_t *row, int column, const char *value, size_t len)
{
    const dp_val_t *cell = &row->cells [column];
    if (cell->type != DP_VAL_STR)
        return false;
    size_t cell_len = cell->u.s.len;
    while (cell_len && cell->u.s.ptr [cell_len - 1] == ' ')
        cell_len--;
    while (len && value [len - 1] == ' ')
        len--;
    return cell_len == len && s_contains_nocase (cell->u.s.ptr, cell_len, value, len);
}

//  A flag of filterInput: -1 absent (or null), else 0 or 1.
static int
s_flag (const input_t *filter, const char *name)
{
    const input_t *flag = input_field (filter, name);
    return flag && flag->kind == IN_BOOL ? (int) (flag->i != 0) : -1;
}

//  Query.beneficiaries and Base.beneficiaries (filterInput), as boxtribute's
//  derive_beneficiary_filter:
//    createdFrom   created >= the date's midnight;
//    createdUntil  created <= the date's midnight (so that day's later hours
//                  are out, as in boxtribute);
//                  a NULL (or zero) created matches neither;
//    active        deleted NULL or the zero date (the computed `active`);
//    isVolunteer, registered  the flags;
//    pattern       first name, last name or comment contains it, or the group
//                  identifier equals it.
//  The pattern is matched here, over the base's rows that are loaded anyway
//  for the id page, rather than in SQL with an escaped argument: the page
//  then stays one statement per loader whatever the filter, and no string
//  crosses into SQL. The matching is case-insensitive for ASCII letters;
//  MariaDB's utf8mb4_general_ci also folds accents and non-ASCII case,
//  which this does not. The pattern is literal text: '%' and '_' are not
//  wildcards.
bool
dp_keep_beneficiary (const plan_field_t *pf, const row_t *row)
{
    const input_t *filter = input_field (pf->args, "filterInput");
    if (!filter || filter->kind != IN_OBJECT)
        return true;
    const input_t *from = input_field (filter, "createdFrom");
    const input_t *until = input_field (filter, "createdUntil");
    const dp_val_t *created = &row->cells [DP_COL_people_created];
    //  created is "YYYY-MM-DDTHH:MM:SS+00:00"; the dates are "YYYY-MM-DD".
    if (from && from->kind == IN_STRING
    &&  (created->type != DP_VAL_STR || strncmp (created->u.s.ptr, from->s, 10) < 0))
        return false;
    if (until && until->kind == IN_STRING) {
        if (created->type != DP_VAL_STR)
            return false;
        int day = strncmp (created->u.s.ptr, until->s, 10);
        if (day > 0 || (day == 0 && strncmp (created->u.s.ptr + 10, "T00:00:00", 9) != 0))
            return false;
    }
    int active = s_flag (filter, "active");
    if (active >= 0 && (row_int (row, DP_COL_people_active) != 0) != active)
        return false;
    int volunteer = s_flag (filter, "isVolunteer");
    if (volunteer >= 0 && (row_int (row, DP_COL_people_volunteer) != 0) != volunteer)
        return false;
    int registered = s_flag (filter, "registered");
    if (registered >= 0 && (row_int (row, DP_COL_people_registered) != 0) != registered)
        return false;
    const input_t *pattern = input_field (filter, "pattern");
    if (pattern && pattern->kind == IN_STRING) {
        size_t len = pattern->len;
        if (!s_cell_contains (row, DP_COL_people_firstname, pattern->s, len)
        &&  !s_cell_contains (row, DP_COL_people_lastname, pattern->s, len)
        &&  !s_cell_contains (row, DP_COL_people_comments, pattern->s, len)
        &&  !s_cell_equals (row, DP_COL_people_container, pattern->s, len))
            return false;
    }
    return true;
}

//  Base.distributionSpots: the base's distribution spots.
bool
dp_keep_distribution_spot (const plan_field_t *pf, const row_t *row)
{
    return s_str_is (row, DP_COL_locations_type, "MapDistroSpot");
}

//  Distribution events that are not deleted, in one of the `states`
//  argument's states when given.
bool
dp_keep_distribution_event (const plan_field_t *pf, const row_t *row)
{
    return row_is_nil (row, DP_COL_distro_events_deleted_on)
        && s_state_in (pf, row, DP_COL_distro_events_state);
}

//  Events before their return from distribution: planned, packing, on distro.
bool
dp_keep_event_before_return (const plan_field_t *pf, const row_t *row)
{
    return row_is_nil (row, DP_COL_distro_events_deleted_on)
        && (s_str_is (row, DP_COL_distro_events_state, "Planning")
         || s_str_is (row, DP_COL_distro_events_state, "Packing")
         || s_str_is (row, DP_COL_distro_events_state, "OnDistro"));
}

//  Events returned from distribution.
bool
dp_keep_event_in_return (const plan_field_t *pf, const row_t *row)
{
    return row_is_nil (row, DP_COL_distro_events_deleted_on)
        && s_str_is (row, DP_COL_distro_events_state, "ReturnedFromDistribution");
}

//  -------------------------------------------------------------------------
//  Selftest: the filters over rows and arguments written here.

//  A field whose arguments are {name: value}, one level or, with inner
//  set, {name: {inner: value}}.
static plan_field_t
s_test_field (input_t *args, input_t *outer, const char **names, input_t **values,
              const char *name, const char *inner, input_t *value)
{
    *outer = (input_t) { .kind = IN_OBJECT, .names = names + 1, .values = values + 1, .n_fields = 1 };
    names [1] = inner;
    values [1] = value;
    *args = (input_t) { .kind = IN_OBJECT, .names = names, .values = values, .n_fields = 1 };
    names [0] = name;
    values [0] = inner ? outer : value;
    return (plan_field_t) { .args = args };
}

void
dp_filters_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_filters: ");
    input_t args, outer, *values [2];
    const char *names [2];
    input_t none = { .kind = IN_OBJECT };
    plan_field_t plain = { .args = &none };

    //  Tags: deleted never; a resource type keeps its own and All.
    dp_val_t tag [DP_COL_tags_last_used_on + 1] = { 0 };
    tag [DP_COL_tags_type] = row_text_cell ("People");
    input_t box = { .kind = IN_ENUM, .s = "Box" }, beneficiary = { .kind = IN_ENUM, .s = "Beneficiary" };
    row_t row = { .cells = tag };
    plan_field_t pf = s_test_field (&args, &outer, names, values, "resourceType", NULL, &box);
    assert (dp_keep_tag (&plain, &row) && !dp_keep_tag (&pf, &row));
    pf = s_test_field (&args, &outer, names, values, "tagType", NULL, &beneficiary);
    assert (dp_keep_tag (&pf, &row));
    tag [DP_COL_tags_type] = row_text_cell ("All");
    pf = s_test_field (&args, &outer, names, values, "resourceType", NULL, &box);
    assert (dp_keep_tag (&pf, &row));
    tag [DP_COL_tags_deleted] = row_text_cell ("2024-01-01T00:00:00+00:00");
    assert (!dp_keep_tag (&plain, &row) && !dp_keep_live_tag (&plain, &row));

    //  Beneficiaries: the pattern in a name or comment whatever its case,
    //  or the whole group identifier (trailing spaces ignored).
    dp_val_t person [DP_COL_people_registered + 1] = { 0 };
    person [DP_COL_people_firstname] = row_text_cell ("Anna");
    person [DP_COL_people_lastname] = row_text_cell ("Svensson");
    person [DP_COL_people_container] = row_text_cell ("G12 ");
    person [DP_COL_people_created] = row_text_cell ("2024-03-05T00:00:00+00:00");
    person [DP_COL_people_active] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 1 };
    row.cells = person;
    assert (dp_keep_beneficiary (&plain, &row));
    struct { const char *pattern; bool kept; } patterns [] = {
        { "ann", true }, { "SVENS", true }, { "g12", true }, { "G1", false }, { "50%", false },
    };
    for (size_t i = 0; i < sizeof patterns / sizeof patterns [0]; i++) {
        input_t value = { .kind = IN_STRING, .s = patterns [i].pattern,
                          .len = strlen (patterns [i].pattern) };
        pf = s_test_field (&args, &outer, names, values, "filterInput", "pattern", &value);
        assert (dp_keep_beneficiary (&pf, &row) == patterns [i].kept);
    }
    //  createdUntil is that day's midnight: a later hour of the day is out.
    input_t day = { .kind = IN_STRING, .s = "2024-03-05", .len = 10 };
    pf = s_test_field (&args, &outer, names, values, "filterInput", "createdUntil", &day);
    assert (dp_keep_beneficiary (&pf, &row));
    person [DP_COL_people_created] = row_text_cell ("2024-03-05T09:30:00+00:00");
    assert (!dp_keep_beneficiary (&pf, &row));
    pf = s_test_field (&args, &outer, names, values, "filterInput", "createdFrom", &day);
    assert (dp_keep_beneficiary (&pf, &row));
    person [DP_COL_people_created] = row_text_cell (NULL);
    assert (!dp_keep_beneficiary (&pf, &row));
    input_t no = { .kind = IN_BOOL, .i = 0 };
    pf = s_test_field (&args, &outer, names, values, "filterInput", "active", &no);
    assert (!dp_keep_beneficiary (&pf, &row));
    person [DP_COL_people_active].u.i = 0;
    assert (dp_keep_beneficiary (&pf, &row));

    //  Bases: deleted ones only with includeDeleted.
    dp_val_t base [DP_COL_camps_seq + 1] = { 0 };
    base [DP_COL_camps_deleted] = row_text_cell ("2023-01-01T00:00:00+00:00");
    row.cells = base;
    input_t yes = { .kind = IN_BOOL, .i = 1 };
    pf = s_test_field (&args, &outer, names, values, "filterInput", "includeDeleted", &yes);
    assert (!dp_keep_base (&plain, &row) && dp_keep_base (&pf, &row));
    printf ("OK\n");
}
