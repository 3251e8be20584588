/*  =========================================================================
    dp_cube_targets - movedBoxes' target dimension, computed from its facts

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's movedBoxes names where boxes went by a target id and type:
    a location (OutgoingLocation: its id, name and deletion date), a box
    state ("Deleted", "Lost", "Scrap"), or the other base of a shipment
    ("going-to-<base>", "sent-from-<base>": the name without the prefix).
    Each fact row carries its target's name and deletion date
    (dp_catalog.h, moved_boxes), so the dimension needs no statement.
@end
*/
#ifndef DP_CUBE_TARGETS_H_INCLUDED
#define DP_CUBE_TARGETS_H_INCLUDED

#include "dp_cube.h"

//  The distinct targets of facts as TargetDimensionInfo records, by type
//  (boxtribute's TargetType order) then id; *entries in the request's
//  arena. Returns their count. A DP_CUBE_FROM_COMPUTED source.
size_t dp_cube_moved_targets (dp_exec_t *exec, const dp_cube_facts_t *facts, dp_record_t ***entries);

#endif
