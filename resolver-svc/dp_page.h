/*  =========================================================================
    dp_page - pages of rows: PageInfo, and id-ordered pages (ProductPage)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_PAGE_H_INCLUDED
#define DP_PAGE_H_INCLUDED

#include "dp_binding.h"

//  What a PageInfo object shows (obj->synthetic of every PageInfo).
typedef struct {
    bool has_next;
    bool has_previous;
    const char *start_cursor;   //  "" on an empty page
    const char *end_cursor;
} page_info_t;

//  What every page object (BoxPage, ProductPage, BeneficiaryPage) shows:
//  the first member of each page kind's state, which is the page object's
//  obj->synthetic, so one set of field hooks serves them all.
typedef struct {
    row_t **rows;               //  the page's rows, in page order
    size_t n_rows;
    int64_t total;              //  every row the field could list
    page_info_t info;
    obj_t info_obj;             //  the PageInfo object
} page_view_t;

//  Fields of every page type.
void dp_page_elements (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                       obj_t **children, size_t *n_children);
void dp_page_info (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                   obj_t **children, size_t *n_children);
int dp_page_total_count (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_has_next (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_has_previous (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_start_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_page_end_cursor (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Cut view out of rows (ordered by id, the id in column 0): at most limit
//  rows after after_id (0: from the start), with cursors and PageInfo.
void dp_page_view_forward (dp_exec_t *exec, page_view_t *view, row_t **rows, size_t n_rows,
                           int64_t after_id, int64_t limit);

//  The columns the elements of pf's page type (any union member) read.
uint64_t dp_page_elements_mask (const plan_field_t *pf);

//  Root id pages (Query.products, Query.beneficiaries): rows of
//  bind->loader under each base the user holds bind->authz.permission for
//  (god: bind->all_loader), or under the baseId argument; bind->keep
//  filters them.
void dp_id_page_root_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_id_page_root_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                               obj_t **children, size_t *n_children);
int dp_id_page_root_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Id pages under an object (Base.beneficiaries, ClassicLocation.boxes):
//  rows of bind->loader under the object's bind->column, if the user holds
//  bind->authz.permission for the base in bind->authz.base_column (else
//  FORBIDDEN). With AUTHZ_FILTER_BASE (ProductCategory.products) the
//  permission in any base is enough, and only rows whose base column the
//  user may read are listed.
void dp_id_page_parent_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_id_page_parent_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children);
int dp_id_page_parent_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Selftest of the cursors.
void dp_page_test (bool verbose);

#endif
