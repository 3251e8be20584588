/*  =========================================================================
    dp_mut_tag_create - Mutation.createTag

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's createTag (business_logic/tag): tag:write for the input's
    base, else InsufficientPermissionError (the permission held nowhere) or
    UnauthorizedForBaseError (held, not for that base); a colour that is
    not #rgb or #rrggbb is InvalidColorError; the tag is created with
    created/created_by and one history row "Record created", in one
    transaction, and answered as read inside it.
@discuss
    Rounds: 0 decides what authz can without the database and loads the
    base (its name and organisation for UnauthorizedForBaseError; its
    existence, since boxtribute's insert of a tag in no base fails as
    BAD_USER_INPUT); 1 reads the organisation's name or inserts the tag;
    2 inserts the history row with the tag's id; 3 answers the tag.
    Where boxtribute stores a null description as an error, Depot stores
    "" (the schema's own default).
@end
*/
#include "dp_mut_tag_create.h"
#include "dp_tables.h"
#include "dp_tag_rules.h"
#include "dp_tag_history.h"
#include "dp_enums.h"
#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t base_id;
    bool base_denied;           //  tag:write held, not for this base
    dp_mutation_reply_t *base;  //  camps_by_id: name, organisation_id
    dp_mutation_reply_t *organisation;
    dp_mutation_reply_t *tag;   //  the INSERT
    dp_mutation_reply_t *history;
} create_state_t;

static dp_val_t
s_str (const char *text, size_t len)
{
    return (dp_val_t) { .type = DP_VAL_STR, .u.s = { text, (uint32_t) len } };
}

static dp_val_t
s_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

//  A STR cell's text, or "".
static const char *
s_text (const dp_val_t *cell)
{
    return cell->type == DP_VAL_STR ? cell->u.s.ptr : "";
}

static void
s_insert_tag (dp_mutation_t *m, create_state_t *state, const input_t *input)
{
    const input_t *name = input_field (input, "name");
    const input_t *description = input_field (input, "description");
    const input_t *color = input_field (input, "color");
    const input_t *type = input_field (input, "type");
    bool has_description = description && description->kind == IN_STRING;
    dp_val_t row [] = {
        s_str (name->s, name->len),
        s_str (color->s, color->len),
        s_int (state->base_id),
        s_str (dp_mutation_now (m), strlen (dp_mutation_now (m))),
        s_int (dp_mutation_identity (m)->user_id),
        s_str (has_description ? description->s : "", has_description ? description->len : 0),
        s_str (dp_enums_tag_type_value (type->s), strlen (dp_enums_tag_type_value (type->s))),
    };
    uint64_t columns = DP_TBIT (tags, label) | DP_TBIT (tags, color) | DP_TBIT (tags, camp_id)
                     | DP_TBIT (tags, created) | DP_TBIT (tags, created_by)
                     | DP_TBIT (tags, description) | DP_TBIT (tags, type);
    state->tag = dp_mutation_insert (m, DP_TABLE_tags, columns, row, 1);
}

//  boxtribute's save_creation_to_history: "Record created", no ip.
static void
s_insert_history (dp_mutation_t *m, create_state_t *state)
{
    const char *created = "Record created";
    state->history = dp_tag_history_insert (m, &state->tag->last_insert_id, &created, 1);
}

static void
s_unauthorized (dp_mutation_t *m, create_state_t *state)
{
    const char *base_name = "", *organisation_name = "";
    if (state->base->n_rows)
        base_name = s_text (dp_mutation_cell (state->base, 0, 1));
    if (state->organisation && state->organisation->n_rows)
        organisation_name = s_text (dp_mutation_cell (state->organisation, 0, 1));
    dp_mutation_return_record (m, dp_record_unauthorized_for_base (m, state->base_id, base_name,
                                                                   organisation_name), false);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    switch (dp_mutation_round (m)) {
        case 0: {
            if (!input || input->kind != IN_OBJECT) {
                //  creationInput is nullable in boxtribute's schema; its
                //  resolver then fails reading it.
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
                return;
            }
            state->base_id = input_field (input, "baseId")->i;
            char denied [80];
            if (!dp_authz_base (dp_mutation_authz (m), "tag:write", state->base_id, denied, sizeof denied)) {
                if (!dp_authz_permission (dp_mutation_authz (m), "tag:write")) {
                    dp_mutation_return_record (m, dp_record_insufficient_permission (m, "tag:write"), false);
                    return;
                }
                state->base_denied = true;
            }
            uint64_t columns = (1ull << DP_COL_camps_name) | (1ull << DP_COL_camps_organisation_id);
            state->base = dp_mutation_load (m, DP_LOADER_camps_by_id, columns, &state->base_id, 1);
            return;
        }
        case 1: {
            bool exists = state->base->n_rows > 0;
            if (state->base_denied && exists) {
                int64_t organisation_id = dp_mutation_cell (state->base, 0, 2)->u.i;
                state->organisation = dp_mutation_load (m, DP_LOADER_organisations_by_id,
                                                        1ull << DP_COL_organisations_label,
                                                        &organisation_id, 1);
                return;
            }
            if (state->base_denied) {
                s_unauthorized (m, state);
                return;
            }
            const input_t *color = input_field (input, "color");
            //  A colour holding a NUL is no colour (the check reads C text).
            if (strlen (color->s) != color->len || !dp_tag_color_valid (color->s)) {
                dp_record_t *error = dp_record_new (m, "InvalidColorError");
                dp_record_set_string (error, "color", color->s);
                dp_mutation_return_record (m, error, false);
                return;
            }
            if (!exists) {
                dp_mutation_not_found (m);
                return;
            }
            s_insert_tag (m, state, input);
            return;
        }
        case 2:
            if (state->base_denied) {
                s_unauthorized (m, state);
                return;
            }
            s_insert_history (m, state);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_tags_by_id, state->tag->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_tag = {
    .name = "createTag", .state_size = sizeof (create_state_t), .step = s_create_step
};
