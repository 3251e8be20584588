/*  =========================================================================
    dp_computed - fields computed from their row (and rows it depends on)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The few fields that are not a column or a relation. Their inputs were
    loaded in the same waves as everything else (the binding's deps), so
    computing them is arithmetic and formatting, never a query.

    Covered by tests/integration/test_read_api.py, test_read_exact_more.py
    and test_beneficiaries.py.
@end
*/
#include "dp_computed.h"
#include "dp_exec_hooks.h"
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
#include <time.h>

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
    long long id = base && base->kind == IN_STRING ? atoll (base->s) : -1;
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
