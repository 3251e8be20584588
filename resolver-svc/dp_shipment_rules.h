/*  =========================================================================
    dp_shipment_rules - what every shipment mutation checks and writes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The shipment mutations (updateShipmentWhenPreparing, sendShipment,
    cancelShipment, startReceivingShipment, updateShipmentWhenReceiving,
    markShipmentAsLost, moveNotDeliveredBoxesInStock) share boxtribute's
    rules (business_logic/box_transfer/shipment/{mutations,crud}.py): the
    shipment read by id (not found: BAD_USER_INPUT), shipment:edit in its
    source, target or either base (FORBIDDEN), shipment_detail:write
    anywhere, its state (InvalidShipmentState: BAD_USER_INPUT), and the
    box state changes with one `box_state_id` history row per changed box
    (_bulk_update_box_state), the shipment's state with its `*_on`/`*_by`,
    and the details' `removed_*`/`lost_*`. Depot checks and writes all of
    them in the field's one transaction, under locks, set-based: the
    statements depend on what the call does, never on how many boxes.
@discuss
    Lock order, the same in every shipment mutation so two of them wait
    for each other instead of deadlocking: the shipment row first
    (dp_shipment_lock), then stock rows (dp_shipment_lock_boxes*), then
    shipment_detail rows (dp_shipment_select_details with lock,
    dp_shipment_lock_open_details). Whoever writes a detail of a shipment
    holds that shipment's row lock, so under it the shipment's details are
    stable: a mutation learns its boxes from a plain read of them
    (dp_shipment_select_details without lock, as the transaction's first
    plain read, so its snapshot is taken under the shipment's lock), locks
    those boxes, then the details. Whoever adds a box to a shipment holds
    the box's stock row lock and checks, under it, that the box has no
    open detail, so a box is in at most one open shipment.

    Every function issuing statements issues them in the current round;
    their replies are read from the next round on. Failing functions
    (returning false) have finished the field (dp_mutation_fail or
    _forbidden: ROLLBACK); the caller returns. Everything lives in the
    request's arena.
@end
*/
#ifndef DP_SHIPMENT_RULES_H_INCLUDED
#define DP_SHIPMENT_RULES_H_INCLUDED

#include "dp_mutation.h"
#include "dp_tables.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The mutations of this family bound in dp_mapping.c (i15-prepare's;
//  i15-receive adds its own next to them).
extern const dp_mutation_def_t dp_mut_update_shipment_when_preparing;
extern const dp_mutation_def_t dp_mut_send_shipment;
extern const dp_mutation_def_t dp_mut_cancel_shipment;
extern const dp_mutation_def_t dp_mut_update_marked_for_shipment_box;

//  boxtribute's ShipmentState; shipment.state holds the name.
typedef enum {
    DP_SHIPMENT_PREPARING, DP_SHIPMENT_SENT, DP_SHIPMENT_RECEIVING,
    DP_SHIPMENT_COMPLETED, DP_SHIPMENT_CANCELED, DP_SHIPMENT_LOST,
    DP_SHIPMENT_UNKNOWN         //  a name boxtribute does not define
} dp_shipment_state_t;

//  The state's name ("Preparing"), and the state of a name.
const char *dp_shipment_state_name (dp_shipment_state_t state);
dp_shipment_state_t dp_shipment_state_of (const char *name);

//  A shipment row as the rules read it.
typedef struct {
    int64_t id;
    int64_t source_base_id;
    int64_t target_base_id;
    bool has_agreement;
    int64_t transfer_agreement_id;
    dp_shipment_state_t state;
} dp_shipment_t;

//  The shipment columns dp_shipment_lock selects.
#define DP_SHIPMENT_COLUMNS (DP_TBIT (shipment, id) | DP_TBIT (shipment, source_base_id) \
    | DP_TBIT (shipment, target_base_id) | DP_TBIT (shipment, transfer_agreement_id) \
    | DP_TBIT (shipment, state))

//  SELECT the shipment by id FOR UPDATE (the first lock of the field).
dp_mutation_reply_t *dp_shipment_lock (dp_mutation_t *m, int64_t shipment_id);

//  The shipment a dp_shipment_lock reply holds. False when there is none:
//  the field has failed BAD_USER_INPUT (boxtribute's get_by_id).
bool dp_shipment_parse (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_shipment_t *shipment);

//  Which of the shipment's bases a permission is checked in.
typedef enum {
    DP_SHIPMENT_SOURCE,         //  authorize(base_id=source)
    DP_SHIPMENT_TARGET,         //  authorize(base_id=target)
    DP_SHIPMENT_EITHER          //  authorize(base_ids=[source, target])
} dp_shipment_side_t;

//  boxtribute's authorize(permission, base of side): true when allowed,
//  else the field has failed FORBIDDEN ("permission", "base=<id>" or
//  "bases=[<source>, <target>]").
bool dp_shipment_authorize (dp_mutation_t *m, const dp_shipment_t *shipment, const char *permission,
                            dp_shipment_side_t side);

//  authorize(permission="shipment_detail:write"): held in any base.
bool dp_shipment_authorize_details (dp_mutation_t *m);

//  True when the shipment is in `expected`; else the field has failed with
//  boxtribute's InvalidShipmentState: BAD_USER_INPUT "The state of the
//  shipment (Sent) does not allow the requested action. Expecting state:
//  Preparing".
bool dp_shipment_expect_state (dp_mutation_t *m, const dp_shipment_t *shipment,
                               dp_shipment_state_t expected);

//  -------------------------------------------------------------------------
//  Details

//  A shipment_detail row as the rules read it (DP_SHIPMENT_DETAIL_COLUMNS).
typedef struct {
    int64_t id;
    int64_t shipment_id;
    int64_t box_id;
    bool removed;               //  removed_on set
    bool lost;                  //  lost_on set
    bool received;              //  received_on set
} dp_shipment_detail_t;

#define DP_SHIPMENT_DETAIL_COLUMNS (DP_TBIT (shipment_detail, id) \
    | DP_TBIT (shipment_detail, shipment_id) | DP_TBIT (shipment_detail, box_id) \
    | DP_TBIT (shipment_detail, removed_on) | DP_TBIT (shipment_detail, lost_on) \
    | DP_TBIT (shipment_detail, received_on))

//  SELECT the shipment's details not removed (removed_on NULL), by id;
//  lock: FOR UPDATE. Call with the shipment locked.
dp_mutation_reply_t *dp_shipment_select_details (dp_mutation_t *m, int64_t shipment_id, bool lock);

//  SELECT FOR UPDATE the open details (removed_on, lost_on and received_on
//  all NULL) of these boxes in any shipment, by id: what tells whether a
//  box is already in an open shipment. n may be 0 (nothing issued, NULL).
dp_mutation_reply_t *dp_shipment_lock_open_details (dp_mutation_t *m, const int64_t *box_ids, size_t n);

//  The details of a reply of either, in id order (NULL reply: none).
//  Returns their number; *details in the arena.
size_t dp_shipment_details (dp_mutation_t *m, const dp_mutation_reply_t *reply,
                            dp_shipment_detail_t **details);

//  UPDATE the details with these ids: SET on_column = now, by_column = the
//  user (removed_on/removed_by_id, lost_on/lost_by_id, ...). Nothing when
//  n is 0. Returns true when a statement was issued.
bool dp_shipment_close_details (dp_mutation_t *m, const int64_t *detail_ids, size_t n,
                                int on_column, int by_column);

//  -------------------------------------------------------------------------
//  Boxes

//  A box as the shipment mutations read it (DP_SHIPMENT_BOX_COLUMNS).
typedef struct {
    int64_t id;
    const char *label;
    int64_t product_id;
    dp_val_t size_id;           //  NIL for a measure box
    dp_val_t items;             //  NIL when unknown
    int64_t location_id;
    int64_t state;              //  box_state_id (dp_mut_box.h's DP_BOX_*)
    bool live;                  //  deleted NULL or the zero date
} dp_shipment_box_t;

#define DP_SHIPMENT_BOX_COLUMNS (DP_TBIT (stock, id) | DP_TBIT (stock, box_id) \
    | DP_TBIT (stock, product_id) | DP_TBIT (stock, size_id) | DP_TBIT (stock, items) \
    | DP_TBIT (stock, location_id) | DP_TBIT (stock, deleted) | DP_TBIT (stock, box_state_id))

//  SELECT the boxes with these labels FOR UPDATE (values: STR labels;
//  n may be 0: nothing issued, NULL).
dp_mutation_reply_t *dp_shipment_lock_boxes_by_label (dp_mutation_t *m, const dp_val_t *labels, size_t n);

//  SELECT the boxes with these ids FOR UPDATE. n may be 0 (nothing
//  issued, NULL).
dp_mutation_reply_t *dp_shipment_lock_boxes (dp_mutation_t *m, const int64_t *box_ids, size_t n);

//  The boxes of a reply of either, in id order (NULL reply: none).
//  Returns their number; *boxes in the arena.
size_t dp_shipment_boxes (dp_mutation_t *m, const dp_mutation_reply_t *reply, dp_shipment_box_t **boxes);

//  The box with this id among boxes, or NULL.
const dp_shipment_box_t *dp_shipment_box_by_id (const dp_shipment_box_t *boxes, size_t n, int64_t id);

//  boxtribute's _bulk_update_box_state: the chosen boxes (chosen NULL: all)
//  get box_state_id = state, modified = now, modified_by = the user in one
//  UPDATE, and each whose state changed one `box_state_id` history row
//  (from its state to `state`) in one INSERT. Nothing when none is chosen.
//  Returns true when a statement was issued.
bool dp_shipment_set_box_states (dp_mutation_t *m, const dp_shipment_box_t *boxes, const bool *chosen,
                                 size_t n, int64_t state);

//  -------------------------------------------------------------------------
//  The shipment's own columns

//  UPDATE the shipment: state, and on_column = now, by_column = the user
//  (DP_TCOL_shipment_sent_on, DP_TCOL_shipment_sent_by_id, ...).
void dp_shipment_set_state (dp_mutation_t *m, int64_t shipment_id, dp_shipment_state_t state,
                            int on_column, int by_column);

//  Finish the field with the shipment (the payload reads it in the
//  transaction, so it shows the field's own writes).
void dp_shipment_return (dp_mutation_t *m, int64_t shipment_id);

//  -------------------------------------------------------------------------
//  A whole-shipment transition (sendShipment, cancelShipment; also fits
//  startReceivingShipment and markShipmentAsLost): the shipment locked and
//  checked, its details not removed read, their boxes then those details
//  locked; the boxes in box_from (0: any) go to box_to with history, their
//  details get detail_on/detail_by (-1: none), the shipment gets state with
//  state_on/state_by; the field answers the shipment. Statements: the
//  same for any number of boxes.

typedef struct {
    dp_shipment_state_t expected;       //  the state the shipment must be in
    dp_shipment_side_t side;            //  where shipment:edit is needed
    bool details_permission;            //  shipment_detail:write needed too
    int64_t box_from;                   //  DP_BOX_* the moved boxes are in; 0: any
    int64_t box_to;                     //  DP_BOX_* they go to
    int detail_on, detail_by;           //  DP_TCOL_shipment_detail_*, or -1
    dp_shipment_state_t state;          //  the shipment's new state
    int state_on, state_by;             //  DP_TCOL_shipment_*
} dp_shipment_transition_t;

//  The step's state: give the field's def .state_size = sizeof this.
typedef struct {
    int phase;
    dp_shipment_t shipment;
    dp_mutation_reply_t *shipment_reply, *plain_details, *boxes_reply, *details_reply;
} dp_shipment_transition_state_t;

//  The whole step of such a field: call it from the def's step with the
//  field's transition (its argument `id` is the shipment's).
void dp_shipment_transition_step (dp_mutation_t *m, dp_shipment_transition_state_t *state,
                                  const dp_shipment_transition_t *transition);

void dp_shipment_rules_test (bool verbose);

#endif
