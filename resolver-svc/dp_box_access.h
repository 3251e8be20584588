/*  =========================================================================
    dp_box_access - who may see one box (boxtribute's authorize_for_accessing_box)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Query.box and QrCode.box show a box to a caller with stock:read in the
    base of its location; a box InTransit, Receiving or NotDelivered is
    shown to stock:read in either base of the shipment it travels in (its
    detail not removed nor received), and when it has no such shipment it
    does not exist, as boxtribute answers. The facts come from a
    box_access row (box_access_by_box, box_access_by_qr).
@end
*/
#ifndef DP_BOX_ACCESS_H_INCLUDED
#define DP_BOX_ACCESS_H_INCLUDED

#include "dp_binding.h"

typedef enum {
    BOX_ACCESS_GRANTED,
    BOX_ACCESS_NO_PERMISSION,   //  no stock:read anywhere: denied = "stock:read"
    BOX_ACCESS_BASE_DENIED,     //  denied = "base=<id>"
    BOX_ACCESS_BASES_DENIED,    //  a travelling box: denied = "bases=[<source>, <target>]"
    BOX_ACCESS_NOT_FOUND        //  a travelling box without an open shipment detail
} box_access_t;

//  The columns of box_access rows the rule reads.
uint64_t dp_box_access_columns (void);

box_access_t dp_box_access (dp_exec_t *exec, const row_t *access, char *denied, size_t len);

#endif
