/*  =========================================================================
    dp_mut_beneficiary_update - Mutation.updateBeneficiary(updateInput)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's update_beneficiary (business_logic/beneficiary/crud.py):
    the beneficiary that does not exist is BAD_USER_INPUT; without
    beneficiary:edit or tag:read in its base, or beneficiary_language:assign
    or tag_relation:assign anywhere, FORBIDDEN. The fields given are set:
    `registered` as notregistered, a signature also sets approvalsigned,
    familyHeadId the family head (a beneficiary of the same base; null
    leaves it, as boxtribute's), a non-empty `languages` replaces the
    languages. Each changed field of boxtribute's list gets its history row
    in that list's order, and then modified/modified_by are set; nothing
    else is written when nothing changed.
@discuss
    Rounds: (0) SELECT the beneficiary and the family head FOR UPDATE;
    (1) check, then UPDATE, INSERT history, replace the languages; (2) the
    answer. Depot's choices (README, Deliberate choices): null for a field
    its column cannot hold (firstName, lastName, groupIdentifier,
    isVolunteer) is BAD_USER_INPUT; a null dateOfSignature clears it; an
    unchanged dateOfSignature writes no history row (boxtribute compares
    the stored datetime with the given date, never equal); seq follows the
    family head the row ends with (boxtribute sets 1 unless familyHeadId is
    given).
@end
*/
#include "dp_mut_beneficiary.h"
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include <stdlib.h>
#include <string.h>

//  The columns read, in their order in dp_tables.h (the reply's order).
#define S_READ (DP_TBIT (people, id) | DP_TBIT (people, parent_id) | DP_TBIT (people, seq) \
    | DP_TBIT (people, firstname) | DP_TBIT (people, lastname) | DP_TBIT (people, date_of_birth) \
    | DP_TBIT (people, gender) | DP_TBIT (people, container) | DP_TBIT (people, comments) \
    | DP_TBIT (people, camp_id) | DP_TBIT (people, notregistered) | DP_TBIT (people, volunteer) \
    | DP_TBIT (people, approvalsigned) | DP_TBIT (people, signaturefield) \
    | DP_TBIT (people, date_of_signature))

typedef struct {
    int64_t id;
    dp_mutation_reply_t *person, *head;
    const dp_val_t *cells;      //  the person's row, by s_cell
} update_state_t;

//  The person's cell of column col (a DP_TCOL_people_*).
static const dp_val_t *
s_cell (const update_state_t *state, int col)
{
    int index = __builtin_popcountll (S_READ & ((1ull << col) - 1));
    return &state->cells [index];
}

//  What the update writes: the new values by column, their mask, and the
//  history rows.
typedef struct {
    dp_history_t *history;
    dp_val_t *by_column;
    uint64_t columns;
} changes_t;

static void
s_set (changes_t *changes, int col, dp_val_t value)
{
    changes->by_column [col] = value;
    changes->columns |= 1ull << col;
}

//  Column col takes `to` when it changes what is stored (compared as
//  `stored`: the column's old and new values in one form), with the
//  history row `shown` (boxtribute's str() of its old and new values).
static void
s_change (update_state_t *state, changes_t *changes, int col, dp_val_t to,
          const dp_history_change_t *stored, const dp_history_change_t *shown)
{
    if (!dp_history_changed (stored))
        return;
    s_set (changes, col, to);
    dp_history_change (changes->history, state->id, shown);
}

//  A column whose stored value is also the one history shows.
static void
s_plain_change (update_state_t *state, changes_t *changes, int col, const char *column,
                dp_history_kind_t kind, dp_val_t to)
{
    dp_history_change_t change = { .column = column, .kind = kind, .from = *s_cell (state, col), .to = to,
                                   .shown = dp_bulk_nil () };
    s_change (state, changes, col, to, &change, &change);
}

//  A text field given in the input (null: NULL).
static void
s_text_field (update_state_t *state, changes_t *changes, const input_t *input, const char *name, int col,
              const char *column)
{
    const input_t *value = input_field (input, name);
    if (value)
        s_plain_change (state, changes, col, column, DP_HISTORY_TEXT,
                        value->kind == IN_NULL ? dp_bulk_nil () : dp_mut_beneficiary_text (value));
}

//  The first field given as null that its column cannot hold, or NULL.
static const char *
s_null_refused (const input_t *input)
{
    static const char *const names [] = { "firstName", "lastName", "groupIdentifier", "isVolunteer" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++) {
        const input_t *value = input_field (input, names [i]);
        if (value && value->kind == IN_NULL)
            return names [i];
    }
    return NULL;
}

//  Everything input changes, in boxtribute's history order.
static void
s_changes (dp_mutation_t *m, update_state_t *state, changes_t *changes, const input_t *input)
{
    const input_t *value;
    s_text_field (state, changes, input, "firstName", DP_TCOL_people_firstname, "firstname");
    s_text_field (state, changes, input, "lastName", DP_TCOL_people_lastname, "lastname");
    if ((value = input_field (input, "registered")) && value->kind == IN_BOOL)
        s_plain_change (state, changes, DP_TCOL_people_notregistered, "notregistered", DP_HISTORY_INT,
                        dp_bulk_int (!value->i));
    if ((value = input_field (input, "isVolunteer")) && value->kind == IN_BOOL)
        s_plain_change (state, changes, DP_TCOL_people_volunteer, "volunteer", DP_HISTORY_INT,
                        dp_bulk_int (value->i != 0));
    s_text_field (state, changes, input, "comment", DP_TCOL_people_comments, "comments");
    s_text_field (state, changes, input, "groupIdentifier", DP_TCOL_people_container, "container");
    if ((value = input_field (input, "dateOfSignature"))) {
        //  A DATETIME (null: the zero date, "never"), compared as stored;
        //  history prints the stored datetime and the given date.
        bool given = value->kind == IN_STRING;
        dp_val_t to = dp_bulk_str (m, given ? dp_arena_printf (dp_mutation_arena (m), "%s 00:00:00", value->s)
                                            : DP_MUT_BENEFICIARY_ZERO_DATETIME);
        dp_val_t from = dp_mut_beneficiary_datetime_shown (m, s_cell (state, DP_TCOL_people_date_of_signature));
        dp_history_change_t stored = { .column = "date_of_signature", .kind = DP_HISTORY_TEXT, .from = from,
                                       .to = given ? to : dp_bulk_nil (), .shown = dp_bulk_nil () };
        dp_history_change_t shown = stored;
        shown.to = given ? dp_mut_beneficiary_text (value) : dp_bulk_nil ();
        s_change (state, changes, DP_TCOL_people_date_of_signature, to, &stored, &shown);
    }
    if ((value = input_field (input, "dateOfBirth")))
        s_plain_change (state, changes, DP_TCOL_people_date_of_birth, "date_of_birth", DP_HISTORY_TEXT,
                        value->kind == IN_STRING ? dp_mut_beneficiary_text (value) : dp_bulk_nil ());
    if ((value = input_field (input, "gender")) && value->kind == IN_ENUM) {
        //  Compared and shown as boxtribute's enum values ('' and 'D' are
        //  both Diverse, "D"); Diverse is stored as ''.
        const char *stored = dp_mut_beneficiary_gender_value (value->s);
        dp_history_change_t shown = {
            .column = "gender", .kind = DP_HISTORY_TEXT,
            .from = dp_bulk_str (m, dp_mut_beneficiary_gender_shown (s_cell (state, DP_TCOL_people_gender))),
            .to = dp_bulk_str (m, *stored ? stored : "D"), .shown = dp_bulk_nil ()
        };
        s_change (state, changes, DP_TCOL_people_gender, dp_bulk_str (m, stored), &shown, &shown);
    }
    if ((value = input_field (input, "signature")) && value->kind == IN_STRING) {
        s_plain_change (state, changes, DP_TCOL_people_approvalsigned, "approvalsigned", DP_HISTORY_INT,
                        dp_bulk_int (1));
        //  The text itself has no history row (not in boxtribute's list).
        s_set (changes, DP_TCOL_people_signaturefield, dp_mut_beneficiary_text (value));
    }
    if ((value = input_field (input, "familyHeadId")) && value->kind == IN_INT)
        s_plain_change (state, changes, DP_TCOL_people_parent_id, "parent_id", DP_HISTORY_INT, dp_bulk_int (value->i));
    //  seq: no history row; follows the family head the row ends with.
    const dp_val_t *head = changes->columns & DP_TBIT (people, parent_id)
        ? &changes->by_column [DP_TCOL_people_parent_id] : s_cell (state, DP_TCOL_people_parent_id);
    int64_t seq = head->type == DP_VAL_INT ? 2 : 1;
    if (s_cell (state, DP_TCOL_people_seq)->type != DP_VAL_INT || s_cell (state, DP_TCOL_people_seq)->u.i != seq)
        s_set (changes, DP_TCOL_people_seq, dp_bulk_int (seq));
}

//  Round 1: refuse (the field is answered), or write. Returns true when
//  statements were issued.
static bool
s_write (dp_mutation_t *m, update_state_t *state, const input_t *input)
{
    if (state->person->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    state->cells = dp_mutation_cell (state->person, 0, 0);
    int64_t base_id = s_cell (state, DP_TCOL_people_camp_id)->u.i;
    char denied [80];
    static const char *const base_permissions [] = { "beneficiary:edit", "tag:read" };
    for (size_t i = 0; i < 2; i++)
        if (!dp_authz_base (dp_mutation_authz (m), base_permissions [i], base_id, denied, sizeof denied)) {
            dp_mutation_forbidden (m, denied);
            return false;
        }
    static const char *const any_base [] = { "beneficiary_language:assign", "tag_relation:assign" };
    for (size_t i = 0; i < 2 && !dp_mutation_identity (m)->god; i++)
        if (!dp_authz_any_base (dp_mutation_authz (m), any_base [i])) {
            dp_mutation_forbidden (m, any_base [i]);
            return false;
        }
    const char *null_field = s_null_refused (input);
    if (null_field) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "%s cannot be null.", null_field);
        return false;
    }
    const input_t *head = input_field (input, "familyHeadId");
    if (head && head->kind == IN_INT) {
        bool found = false;
        for (uint32_t r = 0; state->head && r < state->head->n_rows; r++)
            found |= dp_mutation_cell (state->head, r, 1)->u.i == base_id;
        if (!found && head->i != state->id) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "The family head %lld is no beneficiary of base %lld.",
                              (long long) head->i, (long long) base_id);
            return false;
        }
    }

    const char *now = dp_mutation_now (m);
    int64_t user = dp_mutation_identity (m)->user_id;
    dp_val_t by_column [DP_TCOL_people_customfield4_value + 1] = { { 0 } };
    changes_t changes = { dp_history_new ("people", user, now), by_column, 0 };
    s_changes (m, state, &changes, input);
    if (dp_history_size (changes.history) > 0) {
        s_set (&changes, DP_TCOL_people_modified, dp_bulk_str (m, now));
        s_set (&changes, DP_TCOL_people_modified_by, dp_bulk_int (user));
    }
    dp_val_t id = dp_bulk_int (state->id);
    dp_mutation_where_t by_id = { DP_TCOL_people_id, &id, 1 };
    bool issued = changes.columns != 0;
    if (issued)
        dp_mutation_update (m, DP_TABLE_people, changes.columns, dp_mut_beneficiary_pack (m, by_column, changes.columns),
                            &by_id, 1);
    issued |= dp_bulk_insert_history (m, changes.history) != NULL;
    dp_history_destroy (&changes.history);

    //  A non-empty list replaces the languages; [] or null keeps them.
    int64_t *languages;
    size_t n_languages = dp_mut_beneficiary_languages (m, input_field (input, "languages"), &languages);
    if (n_languages > 0) {
        dp_mutation_where_t of_person = { DP_TCOL_x_people_languages_people_id, &id, 1 };
        dp_mutation_delete (m, DP_TABLE_x_people_languages, &of_person, 1);
        dp_mut_beneficiary_insert_languages (m, &state->id, &languages, &n_languages, 1);
        issued = true;
    }
    if (!issued)
        dp_mutation_return_object (m, DP_LOADER_people_by_id, state->id);
    return issued;
}

static void
s_update_step (dp_mutation_t *m, void *state_)
{
    update_state_t *state = state_;
    const input_t *input = input_field (dp_mutation_args (m), "updateInput");
    if (dp_mutation_round (m) == 0) {
        if (!input || input->kind != IN_OBJECT) {
            //  updateInput is nullable in boxtribute's schema; its resolver
            //  then fails reading it.
            dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "updateInput is required.");
            return;
        }
        state->id = dp_mut_beneficiary_id (input_field (input, "id"));
        if (state->id < 0) {
            dp_mutation_not_found (m);
            return;
        }
        dp_val_t id = dp_bulk_int (state->id);
        dp_mutation_where_t by_id = { DP_TCOL_people_id, &id, 1 };
        state->person = dp_mutation_select (m, DP_TABLE_people, S_READ, &by_id, 1, true);
        const input_t *head = input_field (input, "familyHeadId");
        if (head && head->kind == IN_INT && head->i != state->id) {
            dp_val_t head_id = dp_bulk_int (head->i);
            dp_mutation_where_t by_head = { DP_TCOL_people_id, &head_id, 1 };
            state->head = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id) | DP_TBIT (people, camp_id),
                                              &by_head, 1, true);
        }
        return;
    }
    if (dp_mutation_round (m) == 1) {
        s_write (m, state, input);
        return;
    }
    dp_mutation_return_object (m, DP_LOADER_people_by_id, state->id);
}

const dp_mutation_def_t dp_mut_update_beneficiary = {
    .name = "updateBeneficiary", .state_size = sizeof (update_state_t), .step = s_update_step
};
