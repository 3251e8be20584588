/*  =========================================================================
    dp_box_filter - FilterBoxInput, read once for SQL and for loaded rows

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Query.boxes hands the filter to db-svc as its positional filter array
    (the WHERE clause is built there); the box pages under a location
    (ClassicLocation.boxes, DistributionSpot.boxes) load the location's
    boxes and apply the same filter to the rows here. Both read the input
    through dp_box_filter_read, so the two cannot disagree on what a field
    means: all present fields are ANDed, an empty list is no filter (API.md
    section 4), productGender joins productGenders (likewise the category
    and product pairs), lastModifiedFrom/Until compare with the date's
    midnight as MariaDB compares a DATETIME with a bare date.
@end
*/
#ifndef DP_BOX_FILTER_H_INCLUDED
#define DP_BOX_FILTER_H_INCLUDED

#include "dp_binding.h"
#include "dp_values.h"
#include "dp_arena.h"

//  The fields of one FilterBoxInput: NULL when absent, null or an empty list.
typedef struct {
    const input_t *states;          //  [BoxState]
    const input_t *location_ids;    //  [Int]
    const char *modified_from;      //  Date
    const char *modified_until;
    const input_t *genders;         //  [ProductGender]
    const input_t *gender;          //  ProductGender
    const input_t *category_ids;
    const input_t *category_id;
    const input_t *product_ids;
    const input_t *product_id;
    const input_t *size_id;
    const input_t *tag_ids;
} dp_box_filter_t;

//  Read a FilterBoxInput (NULL or null: no filter).
void dp_box_filter_read (const input_t *input, dp_box_filter_t *filter);

//  The positional filter array db-svc's boxes queries take (dp_sql_catalog.c).
dp_val_t dp_box_filter_args (dp_arena_t *arena, const dp_box_filter_t *filter);

//  The stock columns dp_box_filter_keeps reads for this filter.
uint64_t dp_box_filter_columns (const dp_box_filter_t *filter);

//  True when a loaded stock row passes the filter. A box whose modified is
//  NULL or the zero date (both read as null) passes no lastModified bound.
bool dp_box_filter_keeps (const dp_box_filter_t *filter, const row_t *row);

//  keep_fn_t of the location box pages: the field's filterInput.
bool dp_keep_box (const plan_field_t *pf, const row_t *row);
uint64_t dp_keep_box_columns (const plan_field_t *pf);

//  Selftest.
void dp_box_filter_test (bool verbose);

#endif
