/*  =========================================================================
    dp_filters - which rows a list field shows (keep_fn_t hooks)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Loaders answer every row under a key; these hooks apply the field's
    own rules and arguments: deleted rows (a zero date counts as not
    deleted), location kinds, tag types, product types.
@end
*/
#ifndef DP_FILTERS_H_INCLUDED
#define DP_FILTERS_H_INCLUDED

#include "dp_binding.h"

bool dp_keep_base (const plan_field_t *pf, const row_t *row);
bool dp_keep_classic_location (const plan_field_t *pf, const row_t *row);
bool dp_keep_live_classic_location (const plan_field_t *pf, const row_t *row);
bool dp_keep_tag (const plan_field_t *pf, const row_t *row);
bool dp_keep_live_tag (const plan_field_t *pf, const row_t *row);
bool dp_keep_agreement (const plan_field_t *pf, const row_t *row);
bool dp_keep_distribution_spot (const plan_field_t *pf, const row_t *row);
bool dp_keep_distribution_event (const plan_field_t *pf, const row_t *row);
bool dp_keep_event_before_return (const plan_field_t *pf, const row_t *row);
bool dp_keep_event_in_return (const plan_field_t *pf, const row_t *row);
bool dp_keep_product (const plan_field_t *pf, const row_t *row);
bool dp_keep_shipment (const plan_field_t *pf, const row_t *row);
bool dp_keep_beneficiary (const plan_field_t *pf, const row_t *row);

//  Selftest.
void dp_filters_test (bool verbose);

#endif
