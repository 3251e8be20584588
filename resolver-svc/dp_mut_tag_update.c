/*  =========================================================================
    dp_mut_tag_update - updateTag: change a tag's name, description, colour, type

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    As boxtribute's resolve_update_tag and update_tag: the tag must exist
    (ResourceDoesNotExistError), the user needs tag:write in its base
    (InsufficientPermissionError, UnauthorizedForBaseError), it must not be
    deleted (DeletedTagError), a name given must not be empty
    (EmptyNameError) and a colour given must be valid (InvalidColorError);
    any refusal writes nothing. Only the fields whose value changes are
    written, each with its history row (`label changed from "a" to "b";`, in
    boxtribute's order: label, description, color, type), and then
    modified/modified_by. A new type of Box or Beneficiary removes the tag
    from the resources of the other kind (their relations soft-deleted).
    Round 0 locks the tag's row; round 1 decides and writes; round 2 answers.
@end
*/
#include "dp_mut_tags.h"
#include "dp_tables.h"
#include "dp_mut_values.h"
#include "dp_mut_denied.h"
#include "dp_tag_rules.h"
#include "dp_enums.h"
#include "dp_tag_history.h"
#include <string.h>

//  The tag's columns read, and their places in the SELECT's reply.
#define S_TAG_COLUMNS (DP_TBIT (tags, id) | DP_TBIT (tags, label) | DP_TBIT (tags, color) \
                       | DP_TBIT (tags, camp_id) | DP_TBIT (tags, deleted) \
                       | DP_TBIT (tags, description) | DP_TBIT (tags, type))
enum { S_ID, S_LABEL, S_COLOR, S_CAMP, S_DELETED, S_DESCRIPTION, S_TYPE };

typedef struct {
    dp_mut_denied_t denied;
    int64_t id;
    dp_mutation_reply_t *tag;
    bool written;
} update_state_t;

//  The text of an input field given and not null, else NULL.
static const char *
s_given (const input_t *input, const char *name)
{
    const input_t *value = input_field (input, name);
    if (!value || value->kind == IN_NULL)
        return NULL;
    return value->s;
}

//  Round 1: every check, then the writes of the fields that change.
static void
s_decide (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    const dp_mutation_reply_t *tag = state->tag;
    if (tag->n_rows == 0) {
        dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->id, "Tag"), false);
        return;
    }
    int64_t base_id = dp_mutation_cell (tag, 0, S_CAMP)->u.i;
    char denied [64];
    if (!dp_authz_base (dp_mutation_authz (m), "tag:write", base_id, denied, sizeof denied)) {
        dp_mut_denied_start (m, &state->denied, "tag:write", denied, base_id);
        return;
    }
    const char *label = dp_mutation_cell (tag, 0, S_LABEL)->u.s.ptr;
    if (dp_mutation_cell (tag, 0, S_DELETED)->type != DP_VAL_NIL) {
        dp_record_t *error = dp_record_new (m, "DeletedTagError");
        dp_record_set_string (error, "name", label);
        dp_mutation_return_record (m, error, false);
        return;
    }
    const char *name = s_given (input, "name");
    if (name && !name [0]) {
        dp_mutation_return_record (m, dp_record_new (m, "EmptyNameError"), false);
        return;
    }
    const char *color = s_given (input, "color");
    if (color && !dp_tag_color_valid (color)) {
        dp_record_t *error = dp_record_new (m, "InvalidColorError");
        dp_record_set_string (error, "color", color);
        dp_mutation_return_record (m, error, false);
        return;
    }
    const char *type_name = s_given (input, "type");
    //  The new values by tags column; a field not given keeps its value.
    struct { int column; int cell; const char *value; } fields [] = {
        { DP_TCOL_tags_label, S_LABEL, name },
        { DP_TCOL_tags_description, S_DESCRIPTION, s_given (input, "description") },
        { DP_TCOL_tags_color, S_COLOR, color },
        { DP_TCOL_tags_type, S_TYPE, type_name ? dp_enums_tag_type_value (type_name) : NULL },
    };
    dp_val_t set [DP_TCOL_tags_seq + 1];
    uint64_t columns = 0;
    const char *changes [4];
    int64_t records [4];
    size_t n_changes = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++) {
        const dp_val_t *old = dp_mutation_cell (tag, 0, fields [i].cell);
        const char *old_value = old->type == DP_VAL_STR ? old->u.s.ptr : NULL;
        if (!fields [i].value || (old_value && strcmp (old_value, fields [i].value) == 0))
            continue;           //  not given, or unchanged: no history, not written
        const char *column = dp_table (DP_TABLE_tags)->columns [fields [i].column].name;
        changes [n_changes] = dp_tag_history_changed (m, column, old_value, fields [i].value);
        records [n_changes++] = state->id;
        set [fields [i].column] = dp_mut_text (fields [i].value);
        columns |= 1ull << fields [i].column;
    }
    if (columns == 0) {
        dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->id);
        return;
    }
    set [DP_TCOL_tags_modified] = dp_mut_text (dp_mutation_now (m));
    set [DP_TCOL_tags_modified_by] = dp_mut_int (dp_mutation_identity (m)->user_id);
    columns |= DP_TBIT (tags, modified) | DP_TBIT (tags, modified_by);
    //  The values in column order, as STMT UPDATE takes them.
    dp_val_t values [DP_TCOL_tags_seq + 1];
    size_t n_values = 0;
    for (int column = 0; column <= DP_TCOL_tags_seq; column++)
        if (columns & (1ull << column))
            values [n_values++] = set [column];
    dp_val_t id = dp_mut_int (state->id);
    dp_mutation_where_t by_id = { DP_TCOL_tags_id, &id, 1 };
    dp_mutation_update (m, DP_TABLE_tags, columns, values, &by_id, 1);
    dp_tag_history_insert (m, records, changes, n_changes);

    //  A Box tag leaves the beneficiaries, a Beneficiary tag the boxes
    //  (boxtribute's update_tag); All keeps both.
    const char *type = columns & DP_TBIT (tags, type) ? set [DP_TCOL_tags_type].u.s.ptr : NULL;
    if (type && strcmp (type, "All") != 0) {
        dp_val_t other_kind = dp_mut_text (strcmp (type, "Stock") == 0 ? "People" : "Stock");
        dp_val_t live = dp_mut_nil ();
        dp_mutation_where_t where [] = {
            { DP_TCOL_tags_relations_tag_id, &id, 1 },
            { DP_TCOL_tags_relations_object_type, &other_kind, 1 },
            { DP_TCOL_tags_relations_deleted_on, &live, 1 },
        };
        dp_val_t removal [] = { dp_mut_text (dp_mutation_now (m)), dp_mut_int (dp_mutation_identity (m)->user_id) };
        dp_mutation_update (m, DP_TABLE_tags_relations,
                            DP_TBIT (tags_relations, deleted_on) | DP_TBIT (tags_relations, deleted_by_id),
                            removal, where, 3);
    }
    state->written = true;
}

static void
s_update_step (dp_mutation_t *m, void *state_)
{
    update_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    if (dp_mutation_round (m) == 0) {
        if (!dp_input_id (input_field (input, "id"), &state->id)) {
            dp_mutation_return_record (m, dp_record_does_not_exist (m, false, 0, "Tag"), false);
            return;
        }
        dp_val_t id = dp_mut_int (state->id);
        dp_mutation_where_t by_id = { DP_TCOL_tags_id, &id, 1 };
        state->tag = dp_mutation_select (m, DP_TABLE_tags, S_TAG_COLUMNS, &by_id, 1, true);
    }
    else
    if (!state->written)
        s_decide (m, state, input);
    else
        dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->id);
}

const dp_mutation_def_t dp_mut_update_tag = {
    .name = "updateTag", .state_size = sizeof (update_state_t), .step = s_update_step
};
