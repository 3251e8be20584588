/*  =========================================================================
    dp_box_access - who may see one box (boxtribute's authorize_for_accessing_box)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Query.box and QrCode.box show a box to a caller with stock:read in the
    base of its location; a box InTransit, Receiving or NotDelivered is
    shown to stock:read in either base of the shipment it travels in (its
    detail not removed nor received), and when it has no such shipment it
    does not exist, as boxtribute answers. Mutations apply the same rule
    with stock:write (boxtribute's action="write"). The facts come from a
    box_access row (box_access_by_box, box_access_by_qr).
@end
*/
#ifndef DP_BOX_ACCESS_H_INCLUDED
#define DP_BOX_ACCESS_H_INCLUDED

#include "dp_binding.h"
#include "dp_authz.h"

typedef enum {
    BOX_ACCESS_GRANTED,
    BOX_ACCESS_NO_PERMISSION,   //  the permission held nowhere: denied = it ("stock:read")
    BOX_ACCESS_BASE_DENIED,     //  denied = "base=<id>"
    BOX_ACCESS_BASES_DENIED,    //  a travelling box: denied = "bases=[<source>, <target>]"
    BOX_ACCESS_NOT_FOUND        //  a travelling box without an open shipment detail
} box_access_t;

//  What the rule reads about one box.
typedef struct {
    int64_t base_id;            //  the base of its location
    int64_t box_state_id;
    bool in_shipment;           //  an open shipment detail: the two bases below
    int64_t source_base_id;
    int64_t target_base_id;
} dp_box_facts_t;

//  The columns of box_access rows the rule reads.
uint64_t dp_box_access_columns (void);

//  The rule for `permission` (stock:read or stock:write) over the box's
//  facts; denied (len bytes) says what was refused.
box_access_t dp_box_access_check (dp_authz_t *authz, const char *permission,
                                  const dp_box_facts_t *facts, char *denied, size_t len);

//  The rule for stock:read over a box_access row.
box_access_t dp_box_access (dp_exec_t *exec, const row_t *access, char *denied, size_t len);

void dp_box_access_test (bool verbose);

#endif
