/*  =========================================================================
    dp_computed - fields computed from their row (and rows it depends on)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every computed field has the write_fn_t signature (dp_binding.h):
    it reads the object's row and the rows its binding declared as deps,
    writes the JSON value and returns 1, or returns 0 for null.
@end
*/
#ifndef DP_COMPUTED_H_INCLUDED
#define DP_COMPUTED_H_INCLUDED

#include "dp_binding.h"

int dp_box_measure_value (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_product_type (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_category_has_gender (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_shipment_label (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_shipment_direction (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_beneficiary_age (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_beneficiary_languages (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Selftest of the fields computed from their own row alone.
void dp_computed_test (bool verbose);

#endif
