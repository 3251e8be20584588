/*  =========================================================================
    dp_page - pages of rows: PageInfo, and id-ordered pages (ProductPage)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_PAGE_H_INCLUDED
#define DP_PAGE_H_INCLUDED

#include "dp_exec_types.h"

//  What a PageInfo object shows (obj->synthetic of every PageInfo).
typedef struct {
    bool has_next;
    bool has_previous;
    const char *start_cursor;   //  "" on an empty page
    const char *end_cursor;
} page_info_t;

int dp_page_has_next (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_has_previous (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_start_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_end_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Query.products(baseId, paginationInput): ProductPage.
void dp_products_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_products_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                           obj_t **children, size_t *n_children);
int dp_products_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Fields of id-ordered pages (ProductPage).
void dp_id_page_elements (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children);
void dp_id_page_info (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                      obj_t **children, size_t *n_children);
int dp_id_page_total_count (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
