/*  =========================================================================
    dp_mut_box_tags - Mutation.assignTagsToBoxes and unassignTagsFromBoxes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's assignTagsToBoxes and unassignTagsFromBoxes
    (warehouse/box/mutations.py _validate_tags, sql.py, crud.py).
    Each tag is checked: it exists (ResourceDoesNotExistError), the user
    has tag_relation:assign, and tag:read and stock:write in the tag's base
    (InsufficientPermissionError, UnauthorizedForBaseError); to assign, it
    is not deleted (DeletedTagError) and not a Beneficiary tag
    (TagTypeMismatchError). The valid tags must share one base, else every
    requested tag gets TagBaseMismatchError and nothing changes. Without a
    valid tag the answer is the errors and two empty lists.

    The boxes of the tags' base that are live and in a warehouse state
    then get, to assign, one tags_relations row per tag they lack (a box
    lacking none is invalid), to unassign, deleted_on/deleted_by_id on
    their live relations to the tags (a box with none is invalid); the
    changed boxes get modified/modified_by. No history rows: boxtribute
    reads tag changes from tags_relations.

    Rounds: (0) SELECT the tags and the boxes FOR UPDATE; (1) check the
    tags, LOAD the boxes' locations, SELECT their live relations to the
    tags FOR UPDATE (and the names of bases an error needs); (2) UPDATE
    the boxes and INSERT or UPDATE the relations; (3) the result.
    TagErrorInfo is ordered by tag id (boxtribute's follows a Python set).
@end
*/
#include "dp_mut_bulk.h"
#include "dp_tag_rules.h"
#include <stdlib.h>
#include <string.h>

typedef enum { TAGS_READ, TAGS_CHECK, TAGS_WRITE, TAGS_DONE } tags_phase_t;

typedef enum {
    TAG_VALID, TAG_NOT_FOUND, TAG_NO_PERMISSION, TAG_NOT_FOR_BASE, TAG_DELETED, TAG_WRONG_TYPE
} tag_verdict_t;

typedef struct {
    int64_t id;
    tag_verdict_t verdict;
    const char *permission;     //  NO_PERMISSION: the one missing
    const char *name;           //  the tag's label
    int64_t base_id;            //  the tag's base
} tag_check_t;

//  The tags SELECT's cells: the mask's columns in column order.
enum { TAG_ID, TAG_LABEL, TAG_BASE, TAG_DELETED_AT, TAG_TYPE };
#define TAG_COLUMNS (DP_TBIT (tags, id) | DP_TBIT (tags, label) | DP_TBIT (tags, camp_id) \
    | DP_TBIT (tags, deleted) | DP_TBIT (tags, type))
//  The relations SELECT's cells.
enum { REL_ID, REL_OBJECT, REL_TAG };
#define RELATION_COLUMNS (DP_TBIT (tags_relations, id) | DP_TBIT (tags_relations, object_id) \
    | DP_TBIT (tags_relations, tag_id))

typedef struct {
    tags_phase_t phase;
    bool unassign;
    dp_bulk_labels_t labels;
    tag_check_t *tags;          //  every requested tag id, ascending
    size_t n_tags;
    int64_t *valid_tags;        //  ids of the valid tags, ascending
    size_t n_valid_tags;
    bool base_mismatch;         //  the valid tags span several bases
    int64_t base_id;            //  else their one base
    bool names_wanted;          //  an UnauthorizedForBaseError needs names
    dp_bulk_base_names_t names;
    dp_mutation_reply_t *tags_reply, *boxes_reply, *box_locations, *relations;
    dp_bulk_box_t *boxes;
    size_t n_boxes;
} tags_state_t;

//  boxtribute's authorize_tag: the first check that fails decides.
static void
s_tags_authorize (dp_mutation_t *m, tag_check_t *tag)
{
    if (!dp_mutation_identity (m)->god && !dp_authz_any_base (dp_mutation_authz (m), "tag_relation:assign")) {
        tag->verdict = TAG_NO_PERMISSION;
        tag->permission = "tag_relation:assign";
        return;
    }
    static const char *const base_permissions [] = { "tag:read", "stock:write" };
    for (size_t i = 0; i < 2; i++)
        switch (dp_bulk_authorize (m, base_permissions [i], tag->base_id)) {
            case DP_BULK_NO_PERMISSION:
                tag->verdict = TAG_NO_PERMISSION;
                tag->permission = base_permissions [i];
                return;
            case DP_BULK_NOT_FOR_BASE:
                tag->verdict = TAG_NOT_FOR_BASE;
                return;
            case DP_BULK_ALLOWED:
                break;
        }
}

//  _validate_tags: a verdict per tag, the valid ones and their base.
static void
s_tags_check (dp_mutation_t *m, tags_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    state->valid_tags = dp_arena_calloc (arena, state->n_tags + 1, sizeof (int64_t));
    int64_t *error_bases = dp_arena_calloc (arena, state->n_tags + 1, sizeof (int64_t));
    size_t n_error_bases = 0;
    for (size_t i = 0; i < state->n_tags; i++) {
        tag_check_t *tag = &state->tags [i];
        uint32_t row = 0;
        while (row < state->tags_reply->n_rows
               && dp_mutation_cell (state->tags_reply, row, TAG_ID)->u.i != tag->id)
            row++;
        if (row == state->tags_reply->n_rows) {
            tag->verdict = TAG_NOT_FOUND;
            continue;
        }
        tag->name = dp_mutation_cell (state->tags_reply, row, TAG_LABEL)->u.s.ptr;
        tag->base_id = dp_mutation_cell (state->tags_reply, row, TAG_BASE)->u.i;
        s_tags_authorize (m, tag);
        if (tag->verdict == TAG_NOT_FOR_BASE)
            error_bases [n_error_bases++] = tag->base_id;
        //  Unassigning deleted or Beneficiary tags is allowed (legacy data).
        if (tag->verdict == TAG_VALID && !state->unassign) {
            const dp_val_t *type = dp_mutation_cell (state->tags_reply, row, TAG_TYPE);
            if (dp_bulk_deleted (dp_mutation_cell (state->tags_reply, row, TAG_DELETED_AT)))
                tag->verdict = TAG_DELETED;
            else
            if (!dp_tag_type_fits (type->type == DP_VAL_STR ? type->u.s.ptr : NULL, "Stock"))
                tag->verdict = TAG_WRONG_TYPE;
        }
        if (tag->verdict == TAG_VALID) {
            if (state->n_valid_tags > 0 && tag->base_id != state->base_id)
                state->base_mismatch = true;
            state->base_id = tag->base_id;
            state->valid_tags [state->n_valid_tags++] = tag->id;
        }
    }
    if (n_error_bases > 0) {
        dp_bulk_base_names_load (m, &state->names, error_bases, n_error_bases);
        state->names_wanted = true;
    }
}

//  The boxes that may carry the tags: live, in a warehouse state. Issues
//  the LOAD of their locations and the SELECT of their live relations.
static void
s_tags_read_boxes (dp_mutation_t *m, tags_state_t *state)
{
    state->n_boxes = state->boxes_reply ? dp_bulk_boxes (m, state->boxes_reply, &state->boxes) : 0;
    bool *candidate = dp_arena_calloc (dp_mutation_arena (m), state->n_boxes + 1, sizeof (bool));
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), state->n_boxes + 1, sizeof (int64_t));
    size_t n_ids = 0;
    for (size_t i = 0; i < state->n_boxes; i++)
        if ((candidate [i] = dp_bulk_in_warehouse (&state->boxes [i])))
            ids [n_ids++] = state->boxes [i].id;
    state->box_locations = dp_bulk_load_locations (m, state->boxes, state->n_boxes, candidate);
    if (!state->box_locations)
        return;
    dp_val_t stock = dp_bulk_str (m, "Stock"), live = dp_bulk_nil ();
    dp_mutation_where_t where [4] = {
        { DP_TCOL_tags_relations_object_type, &stock, 1 },
        dp_bulk_where_ids (m, DP_TCOL_tags_relations_object_id, ids, n_ids),
        dp_bulk_where_ids (m, DP_TCOL_tags_relations_tag_id, state->valid_tags, state->n_valid_tags),
        { DP_TCOL_tags_relations_deleted_on, &live, 1 }
    };
    state->relations = dp_mutation_select (m, DP_TABLE_tags_relations, RELATION_COLUMNS, where, 4, true);
}

//  A live relation as the SELECT found it.
typedef struct {
    int64_t box, tag, id;
} relation_t;

static int
s_compare_relation (const void *a, const void *b)
{
    const relation_t *x = a, *y = b;
    if (x->box != y->box)
        return (x->box > y->box) - (x->box < y->box);
    return (x->tag > y->tag) - (x->tag < y->tag);
}

//  The relations sorted by (box, tag), for lookups in O(log n).
static relation_t *
s_tags_relations (dp_mutation_t *m, const dp_mutation_reply_t *reply)
{
    relation_t *relations = dp_arena_calloc (dp_mutation_arena (m), reply->n_rows + 1, sizeof (relation_t));
    for (uint32_t row = 0; row < reply->n_rows; row++)
        relations [row] = (relation_t) { dp_mutation_cell (reply, row, REL_OBJECT)->u.i,
                                         dp_mutation_cell (reply, row, REL_TAG)->u.i,
                                         dp_mutation_cell (reply, row, REL_ID)->u.i };
    qsort (relations, reply->n_rows, sizeof (relation_t), s_compare_relation);
    return relations;
}

//  True when (box, tag) is related; tag 0: any of the tags.
static bool
s_tags_related (const relation_t *relations, size_t n, int64_t box, int64_t tag)
{
    size_t low = 0, high = n;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (relations [mid].box < box || (relations [mid].box == box && relations [mid].tag < tag))
            low = mid + 1;
        else
            high = mid;
    }
    return low < n && relations [low].box == box && (tag == 0 || relations [low].tag == tag);
}

//  Decide each box and write: the boxes' modified, then the relations.
//  Returns false when nothing is written.
static bool
s_tags_write (dp_mutation_t *m, tags_state_t *state)
{
    dp_bulk_set_bases (state->boxes, state->n_boxes, state->box_locations);
    dp_arena_t *arena = dp_mutation_arena (m);
    size_t n_related = state->relations->n_rows;
    relation_t *related = s_tags_relations (m, state->relations);
    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    //  To assign: every (box, tag) the box lacks, box by box, tag by tag.
    dp_val_t *rows = dp_arena_calloc (arena, state->n_boxes * state->n_valid_tags * DP_BULK_RELATION_VALUES + 1,
                                      sizeof (dp_val_t));
    size_t n_rows = 0;
    for (size_t i = 0; i < state->n_boxes; i++) {
        dp_bulk_box_t *box = &state->boxes [i];
        if (!dp_bulk_in_warehouse (box) || box->base_id != state->base_id)
            continue;
        if (state->unassign) {
            box->valid = s_tags_related (related, n_related, box->id, 0);
            continue;
        }
        for (size_t t = 0; t < state->n_valid_tags; t++)
            if (!s_tags_related (related, n_related, box->id, state->valid_tags [t])) {
                dp_bulk_relation_row (m, rows + DP_BULK_RELATION_VALUES * n_rows++, box->id, state->valid_tags [t]);
                box->valid = true;
            }
    }
    int64_t *ids;
    size_t n_ids = dp_bulk_valid_ids (m, state->boxes, state->n_boxes, &ids);
    if (n_ids == 0)
        return false;

    dp_mutation_where_t boxes = dp_bulk_where_ids (m, DP_TCOL_stock_id, ids, n_ids);
    dp_val_t modified [2] = { dp_bulk_str (m, now), dp_bulk_int (user) };
    dp_mutation_update (m, DP_TABLE_stock, DP_TBIT (stock, modified) | DP_TBIT (stock, modified_by),
                        modified, &boxes, 1);
    if (state->unassign) {
        //  The live relations of the valid boxes (the SELECT locked them).
        int64_t *relations = dp_arena_calloc (arena, n_related + 1, sizeof (int64_t));
        size_t n_relations = 0;
        for (size_t r = 0; r < n_related; r++)
            if (bsearch (&related [r].box, ids, n_ids, sizeof (int64_t), dp_bulk_compare_id))
                relations [n_relations++] = related [r].id;
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_tags_relations_id, relations, n_relations);
        dp_val_t removed [2] = { dp_bulk_str (m, now), dp_bulk_int (user) };
        dp_mutation_update (m, DP_TABLE_tags_relations,
                            DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                            removed, &where, 1);
    }
    else
        dp_mutation_insert (m, DP_TABLE_tags_relations, DP_BULK_RELATION_COLUMNS, rows, n_rows);
    return true;
}

//  TagErrorInfo of one tag.
static dp_record_t *
s_tag_error (dp_mutation_t *m, const tags_state_t *state, const tag_check_t *tag, bool mismatch)
{
    dp_record_t *error = NULL;
    if (mismatch)
        error = dp_record_new (m, "TagBaseMismatchError");
    else
    switch (tag->verdict) {
        case TAG_NOT_FOUND:
            error = dp_record_does_not_exist (m, true, tag->id, "Tag");
            break;
        case TAG_NO_PERMISSION:
            error = dp_record_insufficient_permission (m, tag->permission);
            break;
        case TAG_NOT_FOR_BASE:
            error = dp_bulk_unauthorized (m, &state->names, tag->base_id);
            break;
        case TAG_DELETED:
            error = dp_record_new (m, "DeletedTagError");
            dp_record_set_string (error, "name", tag->name);
            break;
        case TAG_WRONG_TYPE:
            error = dp_record_new (m, "TagTypeMismatchError");
            dp_record_set_enum (error, "expectedType", "Box");
            break;
        case TAG_VALID:
            break;
    }
    dp_record_t *info = dp_record_new (m, "TagErrorInfo");
    dp_record_set_id (info, "id", tag->id);
    dp_record_set_record (info, "error", error);
    return info;
}

static dp_record_t *
s_tags_result (dp_mutation_t *m, tags_state_t *state)
{
    dp_record_t *result;
    if (state->n_valid_tags == 0 || state->base_mismatch) {
        //  No box was looked at: both lists empty.
        result = dp_record_new (m, "BoxesTagsOperationResult");
        dp_record_set_objects (result, "updatedBoxes", DP_LOADER_stock_by_id, NULL, 0);
        dp_record_set_strings (result, "invalidBoxLabelIdentifiers", NULL, 0);
    }
    else
        result = dp_bulk_result (m, "BoxesTagsOperationResult", &state->labels, state->boxes, state->n_boxes);
    size_t n_errors = 0;
    dp_record_t **errors = dp_arena_calloc (dp_mutation_arena (m), 2 * state->n_tags + 1, sizeof (dp_record_t *));
    for (size_t i = 0; i < state->n_tags; i++)
        if (state->tags [i].verdict != TAG_VALID)
            errors [n_errors++] = s_tag_error (m, state, &state->tags [i], false);
    if (state->base_mismatch)
        for (size_t i = 0; i < state->n_tags; i++)
            errors [n_errors++] = s_tag_error (m, state, &state->tags [i], true);
    dp_record_set_records (result, "tagErrorInfo", errors, n_errors);
    return result;
}

static void
s_tags_read (dp_mutation_t *m, tags_state_t *state)
{
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    const input_t *tag_ids = input_field (input, "tagIds");
    dp_arena_t *arena = dp_mutation_arena (m);
    int64_t *ids = dp_arena_calloc (arena, tag_ids->n_items + 1, sizeof (int64_t));
    for (size_t i = 0; i < tag_ids->n_items; i++)
        ids [i] = tag_ids->items [i]->i;
    state->n_tags = dp_bulk_unique_ids (m, ids, tag_ids->n_items, &ids);
    state->tags = dp_arena_calloc (arena, state->n_tags + 1, sizeof (tag_check_t));
    for (size_t i = 0; i < state->n_tags; i++)
        state->tags [i].id = ids [i];
    dp_bulk_labels (m, input_field (input, "labelIdentifiers"), &state->labels);
    //  The tags are locked too: a deleteTag running meanwhile waits, so no
    //  relation is added to a tag it removes.
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_tags_id, ids, state->n_tags);
    state->tags_reply = dp_mutation_select (m, DP_TABLE_tags, TAG_COLUMNS, &where, 1, true);
    if (state->labels.n_lookup > 0)
        state->boxes_reply = dp_bulk_lock_boxes (m, &state->labels);
}

static void
s_tags_step (dp_mutation_t *m, tags_state_t *state)
{
    bool issued = false;
    switch (state->phase) {
        case TAGS_READ:
            s_tags_read (m, state);
            state->phase = TAGS_CHECK;
            return;
        case TAGS_CHECK:
            s_tags_check (m, state);
            issued = state->names_wanted;
            if (state->n_valid_tags > 0 && !state->base_mismatch) {
                s_tags_read_boxes (m, state);
                issued |= state->box_locations != NULL;
            }
            state->phase = TAGS_WRITE;
            if (issued)
                return;
            //  Nothing to read: nothing to write either.
            state->phase = TAGS_DONE;
            break;
        case TAGS_WRITE:
            if (state->names_wanted) {
                dp_bulk_base_names_load_organisations (m, &state->names);
                issued = true;
            }
            if (state->box_locations)
                issued |= s_tags_write (m, state);
            state->phase = TAGS_DONE;
            if (issued)
                return;
            break;
        case TAGS_DONE:
            break;
    }
    dp_mutation_return_record (m, s_tags_result (m, state), true);
}

static void
s_assign_step (dp_mutation_t *m, void *state)
{
    s_tags_step (m, state);
}

static void
s_unassign_step (dp_mutation_t *m, void *state_)
{
    tags_state_t *state = state_;
    state->unassign = true;
    s_tags_step (m, state);
}

const dp_mutation_def_t dp_mut_assign_tags_to_boxes = {
    .name = "assignTagsToBoxes", .state_size = sizeof (tags_state_t), .step = s_assign_step
};

const dp_mutation_def_t dp_mut_unassign_tags_from_boxes = {
    .name = "unassignTagsFromBoxes", .state_size = sizeof (tags_state_t), .step = s_unassign_step
};
