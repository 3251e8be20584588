/*  =========================================================================
    dp_mut_tag_delete - deleteTag and deleteTags: soft-delete tags

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute's delete_tag and delete_tags: a tag is deleted by setting
    tags.deleted (modified stays), writing one "Record deleted" history row
    and soft-deleting every live relation of it (deleted_on, deleted_by_id),
    all with the field's one timestamp. The writes of any number of tags are
    the same three statements.

    deleteTag: the tag must exist (ResourceDoesNotExistError) and the user
    needs tag:write in its base; a tag deleted already is answered as it is,
    nothing written. deleteTags: tag:write in some base, else
    InsufficientPermissionError; the tags that exist, are not deleted and
    are in a base with tag:write are deleted, the other ids listed in
    invalidTagIds, ascending, each once.
@end
*/
#include "dp_mut_tags.h"
#include "dp_tables.h"
#include "dp_mut_values.h"
#include "dp_mut_denied.h"
#include "dp_tag_history.h"
#include <stdlib.h>
#include <string.h>

#define S_TAG_COLUMNS (DP_TBIT (tags, id) | DP_TBIT (tags, camp_id) | DP_TBIT (tags, deleted))
enum { S_ID, S_CAMP, S_DELETED };

static dp_val_t *
s_ints (dp_mutation_t *m, const int64_t *values, size_t n)
{
    dp_val_t *out = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out [i] = dp_mut_int (values [i]);
    return out;
}

//  Lock the rows of the tags ids (ascending, so concurrent deletes lock in
//  one order).
static dp_mutation_reply_t *
s_lock (dp_mutation_t *m, const int64_t *ids, size_t n)
{
    dp_mutation_where_t by_id = { DP_TCOL_tags_id, s_ints (m, ids, n), (uint32_t) n };
    return dp_mutation_select (m, DP_TABLE_tags, S_TAG_COLUMNS, &by_id, 1, true);
}

//  The three statements that delete the n tags ids, whatever n.
static void
s_delete (dp_mutation_t *m, const int64_t *ids, size_t n)
{
    const char *now = dp_mutation_now (m);
    int64_t user_id = dp_mutation_identity (m)->user_id;
    dp_val_t now_value = dp_mut_text (now);
    dp_val_t *tag_ids = s_ints (m, ids, n);
    dp_val_t live = dp_mut_nil ();
    dp_mutation_where_t relations [] = {
        { DP_TCOL_tags_relations_tag_id, tag_ids, (uint32_t) n },
        { DP_TCOL_tags_relations_deleted_on, &live, 1 },
    };
    dp_val_t removal [] = { now_value, dp_mut_int (user_id) };
    dp_mutation_update (m, DP_TABLE_tags_relations,
                        DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                        removal, relations, 2);
    dp_mutation_where_t tags = { DP_TCOL_tags_id, tag_ids, (uint32_t) n };
    dp_mutation_update (m, DP_TABLE_tags, DP_TBIT (tags, deleted), &now_value, &tags, 1);
    const char **changes = dp_arena_calloc (dp_mutation_arena (m), n, sizeof *changes);
    for (size_t i = 0; i < n; i++)
        changes [i] = DP_TAG_HISTORY_DELETED;
    dp_tag_history_insert (m, ids, changes, n);
}

//  -------------------------------------------------------------------------
//  deleteTag

typedef struct {
    dp_mut_denied_t denied;
    int64_t id;
    dp_mutation_reply_t *tag;
    bool written;
} delete_state_t;

static void
s_delete_tag_step (dp_mutation_t *m, void *state_)
{
    delete_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    if (dp_mutation_round (m) == 0) {
        if (!dp_input_id (input_field (dp_mutation_args (m), "id"), &state->id))
            dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, "Tag"), false);
        else
            state->tag = s_lock (m, &state->id, 1);
        return;
    }
    if (state->written) {
        dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->id);
        return;
    }
    if (state->tag->n_rows == 0) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->id, "Tag"), false);
        return;
    }
    int64_t base_id = dp_mutation_cell (state->tag, 0, S_CAMP)->u.i;
    char denied [64];
    if (!dp_authz_base (dp_mutation_authz (m), "tag:write", base_id, denied, sizeof denied))
        dp_mut_denied_start (m, &state->denied, "tag:write", denied, base_id);
    else
    if (dp_mutation_cell (state->tag, 0, S_DELETED)->type != DP_VAL_NIL)
        //  Deleted already: answered as it is (boxtribute's resolve_delete_tag).
        dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->id);
    else {
        s_delete (m, &state->id, 1);
        state->written = true;
    }
}

const dp_mutation_def_t dp_mut_delete_tag = {
    .name = "deleteTag", .state_size = sizeof (delete_state_t), .step = s_delete_tag_step
};

//  -------------------------------------------------------------------------
//  deleteTags

typedef struct {
    int64_t *ids;               //  the ids asked, ascending, each once
    size_t n_ids;
    int64_t *deleted;           //  the tags deleted, ascending
    size_t n_deleted;
    int64_t *invalid;           //  the other ids, ascending
    size_t n_invalid;
    dp_mutation_reply_t *tags;
    bool decided;
} delete_many_state_t;

static int
s_compare_ids (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

//  The ids argument, ascending, each once (boxtribute takes a set).
static void
s_read_ids (dp_mutation_t *m, delete_many_state_t *state)
{
    const input_t *list = input_field (dp_mutation_args (m), "ids");
    size_t n = list && list->kind == IN_LIST ? list->n_items : 0;
    state->ids = dp_arena_calloc (dp_mutation_arena (m), n ? n : 1, sizeof *state->ids);
    for (size_t i = 0; i < n; i++)
        state->ids [i] = list->items [i]->i;
    qsort (state->ids, n, sizeof *state->ids, s_compare_ids);
    state->n_ids = 0;
    for (size_t i = 0; i < n; i++)
        if (state->n_ids == 0 || state->ids [state->n_ids - 1] != state->ids [i])
            state->ids [state->n_ids++] = state->ids [i];
}

//  Sort the locked rows into the tags to delete and the invalid ids.
static void
s_sort_out (dp_mutation_t *m, delete_many_state_t *state)
{
    dp_authz_t *authz = dp_mutation_authz (m);
    state->deleted = dp_arena_calloc (dp_mutation_arena (m), state->n_ids ? state->n_ids : 1, sizeof (int64_t));
    state->invalid = dp_arena_calloc (dp_mutation_arena (m), state->n_ids ? state->n_ids : 1, sizeof (int64_t));
    char denied [64];
    uint32_t row = 0;
    for (size_t i = 0; i < state->n_ids; i++) {
        //  Rows come ordered by id, as the ids are.
        while (row < state->tags->n_rows && dp_mutation_cell (state->tags, row, S_ID)->u.i < state->ids [i])
            row++;
        bool found = row < state->tags->n_rows && dp_mutation_cell (state->tags, row, S_ID)->u.i == state->ids [i];
        bool valid = found
                  && dp_mutation_cell (state->tags, row, S_DELETED)->type == DP_VAL_NIL
                  && dp_authz_base (authz, "tag:write", dp_mutation_cell (state->tags, row, S_CAMP)->u.i,
                                    denied, sizeof denied);
        if (valid)
            state->deleted [state->n_deleted++] = state->ids [i];
        else
            state->invalid [state->n_invalid++] = state->ids [i];
    }
}

static void
s_answer (dp_mutation_t *m, delete_many_state_t *state)
{
    dp_record_t *result = dp_record_new (m, "TagsResult");
    dp_record_set_objects (result, "updatedTags", DP_LOADER_tags_by_id, state->deleted, state->n_deleted);
    dp_record_set_ids (result, "invalidTagIds", state->invalid, state->n_invalid);
    dp_mutation_return_record (m, result, true);
}

static void
s_delete_tags_step (dp_mutation_t *m, void *state_)
{
    delete_many_state_t *state = state_;
    if (dp_mutation_round (m) == 0) {
        //  boxtribute's authorized_bases_filter: tag:write in some base.
        if (!dp_mutation_identity (m)->god && !dp_authz_any_base (dp_mutation_authz (m), "tag:write")) {
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, "tag:write"), false);
            return;
        }
        s_read_ids (m, state);
        if (state->n_ids == 0)
            s_answer (m, state);
        else
            state->tags = s_lock (m, state->ids, state->n_ids);
        return;
    }
    if (!state->decided) {
        state->decided = true;
        s_sort_out (m, state);
        if (state->n_deleted > 0) {
            s_delete (m, state->deleted, state->n_deleted);
            return;
        }
    }
    s_answer (m, state);
}

const dp_mutation_def_t dp_mut_delete_tags = {
    .name = "deleteTags", .state_size = sizeof (delete_many_state_t), .step = s_delete_tags_step
};
