/*  =========================================================================
    dp_cube_targets - movedBoxes' target dimension, computed from its facts

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_cube_targets.h"
#include "dp_exec_hooks.h"
#include "dp_mutation.h"
#include <stdlib.h>
#include <string.h>

//  boxtribute's TargetType, in its order.
static const char *const s_types [] = {
    "OutgoingShipment", "IncomingShipment", "OutgoingLocation", "BoxState"
};
#define S_TYPES (sizeof s_types / sizeof s_types [0])

static int
s_type_rank (const dp_val_t *cell)
{
    for (size_t t = 0; cell->type == DP_VAL_STR && t < S_TYPES; t++)
        if (strcmp (cell->u.s.ptr, s_types [t]) == 0)
            return (int) t;
    return (int) S_TYPES;
}

static int
s_compare_str (const dp_val_t *a, const dp_val_t *b)
{
    if (a->type != DP_VAL_STR || b->type != DP_VAL_STR)
        return (a->type == DP_VAL_STR) - (b->type == DP_VAL_STR);
    return strcmp (a->u.s.ptr, b->u.s.ptr);
}

//  Facts by target: type rank, then id.
static int
s_compare_targets (const void *a, const void *b)
{
    const row_t *x = *(row_t *const *) a, *y = *(row_t *const *) b;
    int by_type = s_type_rank (&x->cells [DP_COL_moved_boxes_target_type])
                - s_type_rank (&y->cells [DP_COL_moved_boxes_target_type]);
    return by_type? by_type: s_compare_str (&x->cells [DP_COL_moved_boxes_target_id],
                                            &y->cells [DP_COL_moved_boxes_target_id]);
}

static void
s_set_cell (dp_record_t *record, const char *field, const dp_val_t *cell)
{
    if (cell->type == DP_VAL_STR)
        dp_record_set_string (record, field, cell->u.s.ptr);
}

size_t
dp_cube_moved_targets (dp_exec_t *exec, const dp_cube_facts_t *facts, dp_record_t ***entries)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    row_t **rows = dp_arena_calloc (arena, facts->n_rows + 1, sizeof (row_t *));
    memcpy (rows, facts->rows, facts->n_rows * sizeof (row_t *));
    qsort (rows, facts->n_rows, sizeof (row_t *), s_compare_targets);
    *entries = dp_arena_calloc (arena, facts->n_rows + 1, sizeof (dp_record_t *));
    size_t n = 0;
    for (size_t r = 0; r < facts->n_rows; r++) {
        if (r > 0 && s_compare_targets (&rows [r - 1], &rows [r]) == 0)
            continue;
        const dp_val_t *cells = rows [r]->cells;
        dp_record_t *target = dp_record_new_in (arena, "TargetDimensionInfo");
        s_set_cell (target, "id", &cells [DP_COL_moved_boxes_target_id]);
        s_set_cell (target, "name", &cells [DP_COL_moved_boxes_target_name]);
        if (s_type_rank (&cells [DP_COL_moved_boxes_target_type]) < (int) S_TYPES)
            dp_record_set_enum (target, "type", cells [DP_COL_moved_boxes_target_type].u.s.ptr);
        s_set_cell (target, "deletedOn", &cells [DP_COL_moved_boxes_target_deleted_on]);
        (*entries) [n++] = target;
    }
    return n;
}
