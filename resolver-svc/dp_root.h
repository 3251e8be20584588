/*  =========================================================================
    dp_root - root fields: Query.boxes and the BoxPage it returns

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_ROOT_H_INCLUDED
#define DP_ROOT_H_INCLUDED

#include "dp_binding.h"
#include "dp_page.h"

//  Query.boxes hooks (see dp_binding.h for the hook signatures).
void dp_root_boxes_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_root_boxes_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                             obj_t **children, size_t *n_children);
int dp_root_boxes_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  Query.box hooks.
void dp_root_box_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_root_box_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                           obj_t **children, size_t *n_children);
int dp_root_box_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);


#endif
