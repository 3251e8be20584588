/*  =========================================================================
    dp_qr - the QR-code scan: qrExists, qrCode and QrCode.box with their unions

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_QR_H_INCLUDED
#define DP_QR_H_INCLUDED

#include "dp_binding.h"

void dp_qr_exists_collect (dp_exec_t *exec, plan_field_t *pf);
int dp_qr_exists_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

void dp_qr_code_collect (dp_exec_t *exec, plan_field_t *pf);
void dp_qr_code_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children);

void dp_qr_box_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_qr_box_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
void dp_qr_box_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                         obj_t **children, size_t *n_children);

#endif
