/*  =========================================================================
    dp_tagged - Tag.taggedResources: the boxes and beneficiaries carrying a tag

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_TAGGED_H_INCLUDED
#define DP_TAGGED_H_INCLUDED

#include "dp_binding.h"

void dp_tagged_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_tagged_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                         obj_t **children, size_t *n_children);
int dp_tagged_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

#endif
