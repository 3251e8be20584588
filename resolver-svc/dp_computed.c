/*  =========================================================================
    dp_computed - fields computed from their row (and rows it depends on)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The few fields that are not a column or a relation. Their inputs were
    loaded in the same waves as everything else (the binding's deps), so
    computing them is arithmetic and formatting, never a query.

    Its selftest covers the fields computed from their own row; the others
    (they read other rows or the user) are covered by
    tests/integration/test_read_api.py, test_read_exact_more.py and
    test_beneficiaries.py.
@end
*/
#include "dp_computed.h"
#include "dp_exec_hooks.h"
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
#include <time.h>
#include <assert.h>
#include "dp_exec.h"

//  Box.measureValue: measure_value (stored in the dimension's base unit)
//  times the display unit's conversion factor; null without a display unit.
int
dp_box_measure_value (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_val_t *value = &obj->row->cells [DP_COL_stock_measure_value];
    const row_t *unit = dp_exec_dep_row (exec, pf, 0, obj);
    if (value->type != DP_VAL_DOUBLE || !unit
    ||  unit->cells [DP_COL_units_conversion_factor].type != DP_VAL_DOUBLE)
        return 0;
    dp_json_writer_double (dp_exec_out (exec),
                           value->u.d * unit->cells [DP_COL_units_conversion_factor].u.d);
    return 1;
}

//  Product.type: a product made from a standard product is a
//  StandardInstantiation, any other is Custom.
int
dp_product_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    bool standard = !row_is_nil (obj->row, DP_COL_products_standard_product_id);
    dp_json_writer_cstr (dp_exec_out (exec), standard ? "StandardInstantiation" : "Custom");
    return 1;
}

//  ProductCategory.hasGender: categories under "Clothing" (id 12) have one.
int
dp_category_has_gender (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_bool (dp_exec_out (exec),
                         row_int (obj->row, DP_COL_product_categories_parent_id) == 12);
    return 1;
}

//  Shipment.labelIdentifier: "S" + the last three digits of the zero-padded
//  id + "-" + started_on as YYMMDD + "-" + the first two letters of the
//  source and target base names, upper-cased, joined by "x". The names come
//  with the shipment row (two computed columns of its loader).
int
dp_shipment_label (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_val_t *started = &obj->row->cells [DP_COL_shipment_started_on];
    if (started->type != DP_VAL_STR || started->u.s.len < 10)
        return 0;
    char id [24];
    snprintf (id, sizeof id, "%03lld", (long long) row_int (obj->row, DP_COL_shipment_id));
    const char *last3 = id + strlen (id) - 3;
    const char *date = started->u.s.ptr;
    char prefix [2][3];
    const int columns [2] = { DP_COL_shipment_source_base_name, DP_COL_shipment_target_base_name };
    for (int b = 0; b < 2; b++) {
        const dp_val_t *name = &obj->row->cells [columns [b]];
        const char *text = name->type == DP_VAL_STR ? name->u.s.ptr : "";
        size_t len = 0;
        while (text [len] && len < 2)
            len++;
        for (size_t i = 0; i < len; i++)
            prefix [b][i] = (char) toupper ((unsigned char) text [i]);
        prefix [b][len] = 0;
    }
    char label [64];
    snprintf (label, sizeof label, "S%s-%.2s%.2s%.2s-%sx%s", last3, date + 2, date + 5, date + 8,
              prefix [0], prefix [1]);
    dp_json_writer_cstr (dp_exec_out (exec), label);
    return 1;
}

//  Shipment.direction(baseId), as boxtribute: base:read in baseId is needed
//  (else FORBIDDEN); Outgoing from that base, Incoming to it. A shipment
//  between two other bases is seen from the user's bases: Outgoing when only
//  its source is one of them, Incoming when only its target is, Indeterminate
//  when both are (and always for god users).
int
dp_shipment_direction (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const input_t *base = input_field (pf->args, "baseId");
    const char *text = dp_input_text (base);
    long long id = text ? atoll (text) : -1;
    dp_authz_t *authz = dp_exec_authz (exec);
    char denied [64];
    if (!dp_authz_base (authz, "base:read", id, denied, sizeof denied))
        return dp_exec_forbidden (exec, pf, denied);
    int64_t source = row_int (obj->row, DP_COL_shipment_source_base_id);
    int64_t target = row_int (obj->row, DP_COL_shipment_target_base_id);
    bool from_mine = dp_authz_base (authz, "base:read", source, NULL, 0);
    bool to_mine = dp_authz_base (authz, "base:read", target, NULL, 0);
    const char *direction = id == source ? "Outgoing"
                          : id == target ? "Incoming"
                          : from_mine == to_mine ? "Indeterminate"
                          : from_mine ? "Outgoing" : "Incoming";
    dp_json_writer_cstr (dp_exec_out (exec), direction);
    return 1;
}

//  Beneficiary.age: whole years from date_of_birth ("YYYY-MM-DD") to today
//  (UTC), one less before this year's birthday; null without a date.
int
dp_beneficiary_age (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const dp_val_t *birth = &obj->row->cells [DP_COL_people_date_of_birth];
    int year, month, day;
    if (birth->type != DP_VAL_STR || birth->u.s.len < 10
    ||  sscanf (birth->u.s.ptr, "%4d-%2d-%2d", &year, &month, &day) != 3)
        return 0;
    time_t now = time (NULL);
    struct tm today;
    gmtime_r (&now, &today);
    int age = today.tm_year + 1900 - year;
    if (today.tm_mon + 1 < month || (today.tm_mon + 1 == month && today.tm_mday < day))
        age--;
    dp_json_writer_int (dp_exec_out (exec), age);
    return 1;
}

//  Beneficiary.languages: the ids of the person's x_people_languages rows
//  (one computed row per person: "2,5"), as Language names (nl=1 ... ckb=6),
//  ascending; [] when there are none.
int
dp_beneficiary_languages (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    static const char *const names [] = { NULL, "nl", "en", "fr", "de", "ar", "ckb" };
    const row_t *row = dp_exec_dep_row (exec, pf, 0, obj);
    const dp_val_t *ids = row ? &row->cells [DP_COL_people_languages_language_ids] : NULL;
    dp_json_writer_t *out = dp_exec_out (exec);
    size_t start = out->len;
    dp_json_writer_char (out, '[');
    if (ids && ids->type == DP_VAL_STR) {
        const char *p = ids->u.s.ptr, *end = p + ids->u.s.len;
        bool first = true;
        while (p < end) {
            long id = 0;
            while (p < end && *p >= '0' && *p <= '9')
                id = id * 10 + (*p++ - '0');
            if (id < 1 || id > 6) {
                dp_json_writer_truncate (out, start);
                dp_exec_field_error (exec, pf, "INTERNAL_SERVER_ERROR", NULL,
                                     "Field \"%s\" has a value Depot cannot represent.", pf->key);
                return -1;
            }
            if (!first)
                dp_json_writer_char (out, ',');
            dp_json_writer_cstr (out, names [id]);
            first = false;
            if (p < end && *p == ',')
                p++;
        }
    }
    dp_json_writer_char (out, ']');
    return 1;
}

//  -------------------------------------------------------------------------
//  Selftest: the fields computed from their own row alone, written into a
//  request's output. (measureValue, direction and languages read other
//  rows or the user: tests/integration/test_read_api.py and
//  test_beneficiaries.py.)

//  Call fn on a row of cells; returns what it wrote ("" for null).
static const char *
s_test_write (dp_exec_t *exec, write_fn_t fn, dp_val_t *cells, char *text, size_t size)
{
    dp_json_writer_t *out = dp_exec_out (exec);
    dp_json_writer_truncate (out, 0);
    row_t row = { .cells = cells };
    obj_t obj = { .row = &row };
    plan_field_t pf = { .key = "value" };
    int written = fn (exec, &pf, &obj);
    snprintf (text, size, "%.*s", written == 1 ? (int) out->len : 0, out->data);
    return text;
}

static bool
s_streq (const char *a, const char *b)
{
    return strcmp (a, b) == 0;
}

void
dp_computed_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_computed: ");
    dp_exec_env_t env = { .max_page_size = 100 };
    dp_exec_t *exec = dp_exec_new (&env);
    char text [128];
    dp_val_t cells [64] = { 0 };        //  more than any table's columns

    //  Shipment.labelIdentifier: S, the id's last three digits, the start
    //  date as YYMMDD, the two bases' first letters.
    cells [DP_COL_shipment_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 42 };
    cells [DP_COL_shipment_started_on] = row_text_cell ("2024-03-05T10:00:00+00:00");
    cells [DP_COL_shipment_source_base_name] = row_text_cell ("lesvos");
    cells [DP_COL_shipment_target_base_name] = row_text_cell ("Athens");
    assert (s_streq (s_test_write (exec, dp_shipment_label, cells, text, sizeof text), "\"S042-240305-LExAT\""));
    cells [DP_COL_shipment_id].u.i = 1234;
    cells [DP_COL_shipment_target_base_name] = row_text_cell ("X");
    assert (s_streq (s_test_write (exec, dp_shipment_label, cells, text, sizeof text), "\"S234-240305-LExX\""));
    cells [DP_COL_shipment_started_on] = (dp_val_t) { .type = DP_VAL_NIL };
    assert (s_streq (s_test_write (exec, dp_shipment_label, cells, text, sizeof text), ""));

    //  Product.type and ProductCategory.hasGender (under Clothing, id 12).
    memset (cells, 0, sizeof cells);
    assert (s_streq (s_test_write (exec, dp_product_type, cells, text, sizeof text), "\"Custom\""));
    cells [DP_COL_products_standard_product_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 3 };
    assert (s_streq (s_test_write (exec, dp_product_type, cells, text, sizeof text),
                   "\"StandardInstantiation\""));
    memset (cells, 0, sizeof cells);
    cells [DP_COL_product_categories_parent_id] = (dp_val_t) { .type = DP_VAL_INT, .u.i = 12 };
    assert (s_streq (s_test_write (exec, dp_category_has_gender, cells, text, sizeof text), "true"));
    cells [DP_COL_product_categories_parent_id].u.i = 1;
    assert (s_streq (s_test_write (exec, dp_category_has_gender, cells, text, sizeof text), "false"));

    //  Beneficiary.age: whole years to today; born on 1 January 2000, the
    //  birthday has always passed this year.
    memset (cells, 0, sizeof cells);
    time_t now = time (NULL);
    struct tm today;
    gmtime_r (&now, &today);
    char expected [16];
    snprintf (expected, sizeof expected, "%d", today.tm_year + 1900 - 2000);
    cells [DP_COL_people_date_of_birth] = row_text_cell ("2000-01-01");
    assert (s_streq (s_test_write (exec, dp_beneficiary_age, cells, text, sizeof text), expected));
    //  Born on 31 December: a year less until the last day of the year.
    snprintf (expected, sizeof expected, "%d", today.tm_year + 1900 - 2000 - 1
                                                + (today.tm_mon == 11 && today.tm_mday == 31));
    cells [DP_COL_people_date_of_birth] = row_text_cell ("2000-12-31");
    assert (s_streq (s_test_write (exec, dp_beneficiary_age, cells, text, sizeof text), expected));
    cells [DP_COL_people_date_of_birth] = row_text_cell ("unknown");
    assert (s_streq (s_test_write (exec, dp_beneficiary_age, cells, text, sizeof text), ""));

    dp_exec_destroy (&exec);
    printf ("OK\n");
}
