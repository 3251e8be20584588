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

//  Root id pages (Query.products, Query.beneficiaries): rows of
//  bind->loader under each base the user holds bind->authz.permission for
//  (god: bind->all_loader), or under the baseId argument; bind->keep
//  filters them.
void dp_id_page_root_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_id_page_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                               obj_t **children, size_t *n_children);
int dp_id_page_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Id pages under an object (Base.beneficiaries): rows of bind->loader
//  under the object's bind->column, if the user holds bind->authz.permission
//  for the base in bind->authz.base_column (else FORBIDDEN).
void dp_id_page_parent_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_id_page_parent_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children);
int dp_id_page_parent_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Fields of id-ordered pages (ProductPage, BeneficiaryPage).
void dp_id_page_elements (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children);
void dp_id_page_info (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                      obj_t **children, size_t *n_children);
int dp_id_page_total_count (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
