/*  =========================================================================
    dp_standard_product - Query.standardProduct(id) and Query.standardProducts(baseId)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute's standard_product/queries.py, with its result unions:
    standard_product:read (base-agnostic) held nowhere is
    InsufficientPermissionError; standardProduct of an unknown id is
    ResourceDoesNotExistError {name: "StandardProduct"}; standardProducts
    with a baseId the caller may not read is UnauthorizedForBaseError with
    the base's and its organisation's names. standardProducts lists every
    standard product of the newest version, and with a baseId also those
    enabled in that base, whose `instantiation` is the base's live product
    made from them (null everywhere else); one page of at most 1,000, by id.
@end
*/
#ifndef DP_STANDARD_PRODUCT_H_INCLUDED
#define DP_STANDARD_PRODUCT_H_INCLUDED

#include "dp_binding.h"

void dp_standard_product_root_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_standard_products_root_collect (dp_exec_t *exec, plan_field_t *pf);

//  Both roots: the union member collected (none when the field failed).
void dp_standard_product_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                        obj_t **children, size_t *n_children);
int dp_standard_product_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
