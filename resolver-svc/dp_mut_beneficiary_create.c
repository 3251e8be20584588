/*  =========================================================================
    dp_mut_beneficiary_create - createBeneficiary and createBeneficiaries

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's create_beneficiary and create_beneficiaries
    (business_logic/beneficiary/crud.py): `people` rows of one base with
    their tags (tags_relations, object_type 'People'), languages
    (x_people_languages) and one "Record created" history row each, in one
    transaction.

    createBeneficiary answers the Beneficiary, its refusals GraphQL errors
    (FORBIDDEN for beneficiary:create or tag:read in the base,
    beneficiary_language:assign or tag_relation:assign held nowhere;
    BAD_USER_INPUT for a base that does not exist). createBeneficiaries
    answers CreateBeneficiariesResult: InsufficientPermissionError,
    UnauthorizedForBaseError, [] for no rows, ResourceDoesNotExistError
    for a base that does not exist, DeletedBaseError, else BeneficiariesResult
    with the beneficiaries in input order. Both refuse (BAD_USER_INPUT,
    nothing written) a tag that does not exist, is deleted, is of another
    base or is a Box tag, and a family head that does not exist or is of
    another base (README, Deliberate choices).

    One path for one row or many, set-based: the statements depend on
    what the rows carry (tags, family heads, languages), never on how
    many rows there are. Rounds: (0) authorize; LOAD the base, SELECT the
    tags and family heads FOR UPDATE; (1) check them; INSERT every row in
    one statement, then read their ids back (one row as many: the same
    statements); (2) INSERT history, tag relations and languages; (3) the
    answer.
@discuss
    A multi-row INSERT's ids are consecutive from LAST_INSERT_ID() under
    InnoDB's "consecutive" and "traditional" auto-increment lock modes
    (MariaDB's default is consecutive), as boxtribute assumes. Depot does
    not assume it: it reads the rows back by those ids, this user, this
    moment and this base, and fails the field (nothing written) when any
    is not there.
@end
*/
#include "dp_mut_beneficiary.h"
#include "dp_mut_bulk.h"
#include "dp_history.h"
#include "dp_tag_rules.h"
#include "dp_enums.h"
#include <string.h>

typedef enum { CR_READ, CR_CHECK, CR_LINK, CR_ANSWER, CR_NAMES, CR_REFUSED } create_phase_t;

//  One beneficiary to create.
typedef struct {
    const input_t *input;
    int64_t family_head;        //  0: none
    int64_t *tags;              //  each once, ascending
    size_t n_tags;
    int64_t *languages;         //  languages.id, each once, ascending
    size_t n_languages;
    int64_t id;                 //  once inserted
} new_person_t;

typedef struct {
    create_phase_t phase;
    bool bulk;                  //  createBeneficiaries (union result)
    int64_t base_id;
    new_person_t *rows;
    size_t n_rows;
    dp_bulk_base_names_t names; //  camps: key, name, organisation_id, deleted
    dp_mutation_reply_t *tags, *heads, *insert, *inserted;
} create_state_t;

//  The columns every new row sets (the others keep their defaults).
#define S_NEW_COLUMNS (DP_TBIT (people, parent_id) | DP_TBIT (people, seq) | DP_TBIT (people, firstname) \
    | DP_TBIT (people, lastname) | DP_TBIT (people, date_of_birth) | DP_TBIT (people, gender) \
    | DP_TBIT (people, family_id) | DP_TBIT (people, created) | DP_TBIT (people, created_by) \
    | DP_TBIT (people, modified) | DP_TBIT (people, modified_by) | DP_TBIT (people, container) \
    | DP_TBIT (people, comments) | DP_TBIT (people, phone) | DP_TBIT (people, camp_id) \
    | DP_TBIT (people, deleted) | DP_TBIT (people, notregistered) \
    | DP_TBIT (people, bicyclebancomment) | DP_TBIT (people, workshopbancomment) \
    | DP_TBIT (people, volunteer) | DP_TBIT (people, approvalsigned) | DP_TBIT (people, signaturefield) \
    | DP_TBIT (people, date_of_signature))

#define S_TAG_COLUMNS (DP_TBIT (tags, id) | DP_TBIT (tags, camp_id) | DP_TBIT (tags, deleted) | DP_TBIT (tags, type))
enum { S_TAG_ID, S_TAG_CAMP, S_TAG_DELETED, S_TAG_TYPE };

//  -------------------------------------------------------------------------
//  Reading a row's input

//  A given, non-null field, or NULL.
static const input_t *
s_given (const input_t *row, const char *name)
{
    const input_t *value = input_field (row, name);
    return value && value->kind != IN_NULL ? value : NULL;
}

//  A text field: its value, else fallback (NULL: NIL).
static dp_val_t
s_text_or (dp_mutation_t *m, const input_t *row, const char *name, const char *fallback)
{
    const input_t *value = s_given (row, name);
    return value ? dp_mut_beneficiary_text (value) : fallback ? dp_bulk_str (m, fallback) : dp_bulk_nil ();
}

static bool
s_bool_or (const input_t *row, const char *name, bool fallback)
{
    const input_t *value = s_given (row, name);
    return value ? value->i != 0 : fallback;
}

//  The `people` row of one new beneficiary, as boxtribute's creations
//  write it (bulk: create_beneficiaries' defaults).
static dp_val_t *
s_person_values (dp_mutation_t *m, const create_state_t *state, const new_person_t *person)
{
    const input_t *row = person->input;
    dp_val_t by_column [DP_TCOL_people_customfield4_value + 1] = { { 0 } };
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_val_t user = dp_bulk_int (dp_mutation_identity (m)->user_id);
    dp_val_t zero = dp_bulk_str (m, DP_MUT_BENEFICIARY_ZERO_DATETIME);
    const input_t *gender = s_given (row, "gender");
    const input_t *birth = s_given (row, "dateOfBirth");
    const input_t *signature = s_given (row, "signature");
    const input_t *signed_on = s_given (row, "dateOfSignature");
    const input_t *comment = input_field (row, "comment");

    by_column [DP_TCOL_people_firstname] = s_text_or (m, row, "firstName", "");
    by_column [DP_TCOL_people_lastname] = s_text_or (m, row, "lastName", "");
    by_column [DP_TCOL_people_camp_id] = dp_bulk_int (state->base_id);
    by_column [DP_TCOL_people_container] = s_text_or (m, row, "groupIdentifier", "");
    by_column [DP_TCOL_people_date_of_birth] = birth ? dp_mut_beneficiary_text (birth) : dp_bulk_nil ();
    by_column [DP_TCOL_people_gender] = dp_bulk_str (m, gender ? dp_mut_beneficiary_gender_value (gender->s) : "");
    by_column [DP_TCOL_people_volunteer] = dp_bulk_int (s_bool_or (row, "isVolunteer", false));
    by_column [DP_TCOL_people_notregistered] = dp_bulk_int (!s_bool_or (row, "registered", true));
    by_column [DP_TCOL_people_approvalsigned] = dp_bulk_int (signature != NULL);
    by_column [DP_TCOL_people_signaturefield] = signature ? dp_mut_beneficiary_text (signature) : dp_bulk_nil ();
    by_column [DP_TCOL_people_date_of_signature] = signed_on
        ? dp_bulk_str (m, dp_arena_printf (dp_mutation_arena (m), "%s 00:00:00", signed_on->s)) : zero;
    //  createBeneficiary stores a null comment as NULL; the bulk import
    //  takes null for "not given", "".
    by_column [DP_TCOL_people_comments] = !state->bulk && comment && comment->kind == IN_NULL
        ? dp_bulk_nil () : s_text_or (m, row, "comment", "");
    by_column [DP_TCOL_people_phone] = s_text_or (m, row, "phoneNumber", NULL);
    by_column [DP_TCOL_people_parent_id] = person->family_head ? dp_bulk_int (person->family_head) : dp_bulk_nil ();
    //  The legacy app's family order: 1 for a head, 2 for a member.
    by_column [DP_TCOL_people_seq] = dp_bulk_int (person->family_head ? 2 : 1);
    by_column [DP_TCOL_people_family_id] = dp_bulk_int (0);
    by_column [DP_TCOL_people_bicyclebancomment] = dp_bulk_str (m, "");
    by_column [DP_TCOL_people_workshopbancomment] = dp_bulk_str (m, "");
    by_column [DP_TCOL_people_deleted] = zero;
    by_column [DP_TCOL_people_created] = now;
    by_column [DP_TCOL_people_created_by] = user;
    //  The bulk import leaves modified/modified_by NULL, as boxtribute's.
    by_column [DP_TCOL_people_modified] = state->bulk ? dp_bulk_nil () : now;
    by_column [DP_TCOL_people_modified_by] = state->bulk ? dp_bulk_nil () : user;
    return dp_mut_beneficiary_pack (m, by_column, S_NEW_COLUMNS);
}

//  -------------------------------------------------------------------------
//  Round 0: the rows; then LOAD the base, lock the tags and family heads

static void
s_read_rows (dp_mutation_t *m, create_state_t *state, const input_t *const *inputs, size_t n)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    state->n_rows = n;
    state->rows = dp_arena_calloc (arena, n + 1, sizeof (new_person_t));
    for (size_t i = 0; i < n; i++) {
        new_person_t *person = &state->rows [i];
        person->input = inputs [i];
        const input_t *head = s_given (person->input, "familyHeadId");
        person->family_head = head ? head->i : 0;
        const input_t *tags = s_given (person->input, "tagIds");
        size_t n_tags = tags && tags->kind == IN_LIST ? tags->n_items : 0;
        int64_t *ids = dp_arena_calloc (arena, n_tags + 1, sizeof (int64_t));
        for (size_t t = 0; t < n_tags; t++)
            ids [t] = tags->items [t]->i;
        person->n_tags = dp_bulk_unique_ids (m, ids, n_tags, &person->tags);
        person->n_languages = dp_mut_beneficiary_languages (m, input_field (person->input, "languages"),
                                                        &person->languages);
    }
}

static void
s_lock (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    size_t n_tags = 0;
    for (size_t i = 0; i < state->n_rows; i++)
        n_tags += state->rows [i].n_tags;
    int64_t *tags = dp_arena_calloc (arena, n_tags + 1, sizeof (int64_t));
    int64_t *heads = dp_arena_calloc (arena, state->n_rows + 1, sizeof (int64_t));
    size_t n_heads = 0;
    n_tags = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        memcpy (tags + n_tags, state->rows [i].tags, state->rows [i].n_tags * sizeof (int64_t));
        n_tags += state->rows [i].n_tags;
        if (state->rows [i].family_head)
            heads [n_heads++] = state->rows [i].family_head;
    }
    dp_bulk_base_names_load (m, &state->names, &state->base_id, 1);
    //  Locked: a deleteTag or a deactivation waits until this commits.
    if (n_tags > 0) {
        n_tags = dp_bulk_unique_ids (m, tags, n_tags, &tags);
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_tags_id, tags, n_tags);
        state->tags = dp_mutation_select (m, DP_TABLE_tags, S_TAG_COLUMNS, &where, 1, true);
    }
    if (n_heads > 0) {
        n_heads = dp_bulk_unique_ids (m, heads, n_heads, &heads);
        dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_people_id, heads, n_heads);
        state->heads = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id) | DP_TBIT (people, camp_id),
                                           &where, 1, true);
    }
    state->phase = CR_CHECK;
}

//  -------------------------------------------------------------------------
//  Round 1: what only the database could say; then the rows

//  The row of id in a SELECT reply whose first column is id (SELECT
//  orders by it), or NULL.
static const dp_val_t *
s_selected (const dp_mutation_reply_t *reply, int64_t id)
{
    uint32_t low = 0, high = reply ? reply->n_rows : 0;
    while (low < high) {
        uint32_t middle = low + (high - low) / 2;
        int64_t key = dp_mutation_cell (reply, middle, 0)->u.i;
        if (key == id)
            return dp_mutation_cell (reply, middle, 0);
        if (key < id)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

//  A tag or family head the rows may not use: refused, true.
static bool
s_refused_reference (dp_mutation_t *m, const create_state_t *state)
{
    for (size_t i = 0; i < state->n_rows; i++) {
        const new_person_t *person = &state->rows [i];
        for (size_t t = 0; t < person->n_tags; t++) {
            const dp_val_t *tag = s_selected (state->tags, person->tags [t]);
            const dp_val_t *type = tag ? &tag [S_TAG_TYPE] : NULL;
            if (!tag || tag [S_TAG_CAMP].u.i != state->base_id || dp_bulk_deleted (&tag [S_TAG_DELETED])
            ||  !dp_tag_type_fits (type->type == DP_VAL_STR ? type->u.s.ptr : NULL,
                                   dp_enums_tag_type_value ("Beneficiary"))) {
                dp_mutation_fail (m, "BAD_USER_INPUT", "Tag %lld cannot be assigned to beneficiaries of base %lld: "
                                  "it does not exist, is deleted, is of another base or is a Box tag.",
                                  (long long) person->tags [t], (long long) state->base_id);
                return true;
            }
        }
        if (person->family_head) {
            const dp_val_t *head = s_selected (state->heads, person->family_head);
            if (!head || head [1].u.i != state->base_id) {
                dp_mutation_fail (m, "BAD_USER_INPUT", "The family head %lld is no beneficiary of base %lld.",
                                  (long long) person->family_head, (long long) state->base_id);
                return true;
            }
        }
    }
    return false;
}

//  The base's refusal: true when the field is answered.
static bool
s_refused_base (dp_mutation_t *m, const create_state_t *state)
{
    const dp_val_t *base = dp_bulk_loaded (state->names.camps, state->base_id);
    if (!base) {
        if (state->bulk)
            dp_mutation_return_record (m, dp_record_does_not_exist (m, true, state->base_id, "Base"), false);
        else
            dp_mutation_not_found (m);
        return true;
    }
    //  createBeneficiary has no DeletedBaseError: boxtribute creates there.
    if (state->bulk && dp_bulk_deleted (&base [3])) {
        dp_record_t *error = dp_record_new (m, "DeletedBaseError");
        dp_record_set_string (error, "name", base [1].type == DP_VAL_STR ? base [1].u.s.ptr : "");
        dp_mutation_return_record (m, error, false);
        return true;
    }
    return false;
}

static void
s_insert (dp_mutation_t *m, create_state_t *state)
{
    size_t width = (size_t) __builtin_popcountll (S_NEW_COLUMNS);
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), state->n_rows * width, sizeof (dp_val_t));
    for (size_t i = 0; i < state->n_rows; i++)
        memcpy (values + width * i, s_person_values (m, state, &state->rows [i]), width * sizeof (dp_val_t));
    state->insert = dp_mutation_insert (m, DP_TABLE_people, S_NEW_COLUMNS, values, state->n_rows);
    state->phase = CR_LINK;
}

//  -------------------------------------------------------------------------
//  Round 2: the ids; history, tag relations, languages

//  SELECT the rows with the ids the INSERT must have given them, written
//  by this user at this moment in this base.
static void
s_read_back (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    dp_val_t *ids = dp_arena_calloc (arena, state->n_rows, sizeof (dp_val_t));
    for (size_t i = 0; i < state->n_rows; i++)
        ids [i] = dp_bulk_int (state->insert->last_insert_id + (int64_t) i);
    dp_val_t user = dp_bulk_int (dp_mutation_identity (m)->user_id);
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_val_t base = dp_bulk_int (state->base_id);
    dp_mutation_where_t where [] = {
        { DP_TCOL_people_id, ids, (uint32_t) state->n_rows }, { DP_TCOL_people_created_by, &user, 1 },
        { DP_TCOL_people_created, &now, 1 }, { DP_TCOL_people_camp_id, &base, 1 }
    };
    state->inserted = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id), where, 4, true);
}

static void
s_link (dp_mutation_t *m, create_state_t *state)
{
    dp_arena_t *arena = dp_mutation_arena (m);
    if (state->inserted->n_rows != state->n_rows) {
        dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "The beneficiaries written did not get consecutive ids; "
                          "nothing was changed.");
        return;
    }
    dp_history_t *history = dp_history_new ("people", dp_mutation_identity (m)->user_id, dp_mutation_now (m));
    size_t n_relations = 0;
    for (size_t i = 0; i < state->n_rows; i++) {
        state->rows [i].id = state->insert->last_insert_id + (int64_t) i;
        dp_history_created (history, state->rows [i].id);
        n_relations += state->rows [i].n_tags;
    }
    dp_bulk_insert_history (m, history);
    dp_history_destroy (&history);

    if (n_relations > 0) {
        dp_val_t *relations = dp_arena_calloc (arena, n_relations * DP_BULK_RELATION_VALUES, sizeof (dp_val_t));
        size_t n = 0;
        for (size_t i = 0; i < state->n_rows; i++)
            for (size_t t = 0; t < state->rows [i].n_tags; t++) {
                dp_val_t *row = relations + DP_BULK_RELATION_VALUES * n++;
                dp_bulk_relation_row (m, row, state->rows [i].id, state->rows [i].tags [t]);
                //  The relation's second value is its object_type: a beneficiary.
                row [1] = dp_bulk_str (m, dp_enums_tag_type_value ("Beneficiary"));
            }
        dp_mutation_insert (m, DP_TABLE_tags_relations, DP_BULK_RELATION_COLUMNS, relations, n);
    }
    int64_t *people = dp_arena_calloc (arena, state->n_rows, sizeof (int64_t));
    int64_t **languages = dp_arena_calloc (arena, state->n_rows, sizeof (int64_t *));
    size_t *n_languages = dp_arena_calloc (arena, state->n_rows, sizeof (size_t));
    for (size_t i = 0; i < state->n_rows; i++) {
        people [i] = state->rows [i].id;
        languages [i] = state->rows [i].languages;
        n_languages [i] = state->rows [i].n_languages;
    }
    dp_mut_beneficiary_insert_languages (m, people, languages, n_languages, state->n_rows);
    state->phase = CR_ANSWER;
}

static void
s_answer (dp_mutation_t *m, const create_state_t *state)
{
    if (!state->bulk) {
        dp_mutation_return_object (m, DP_LOADER_people_by_id, state->rows [0].id);
        return;
    }
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), state->n_rows + 1, sizeof (int64_t));
    for (size_t i = 0; i < state->n_rows; i++)
        ids [i] = state->rows [i].id;
    dp_record_t *result = dp_record_new (m, "BeneficiariesResult");
    dp_record_set_objects (result, "results", DP_LOADER_people_by_id, ids, state->n_rows);
    dp_mutation_return_record (m, result, true);
}

//  -------------------------------------------------------------------------
//  Authorization: boxtribute's four checks, in its order

static const char *const s_base_permissions [] = { "beneficiary:create", "tag:read" };
static const char *const s_any_base_permissions [] = { "beneficiary_language:assign", "tag_relation:assign" };

//  True when allowed; else the field is answered (or, for a base the
//  bulk user may not write, its names are being loaded).
static bool
s_authorize (dp_mutation_t *m, create_state_t *state)
{
    for (size_t i = 0; i < 2; i++) {
        char denied [80];
        const char *permission = s_base_permissions [i];
        if (dp_authz_base (dp_mutation_authz (m), permission, state->base_id, denied, sizeof denied))
            continue;
        if (!state->bulk)
            dp_mutation_forbidden (m, denied);
        else
        if (strcmp (denied, permission) == 0)
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, permission), false);
        else {
            dp_bulk_base_names_load (m, &state->names, &state->base_id, 1);
            state->phase = CR_NAMES;
        }
        return false;
    }
    if (dp_mutation_identity (m)->god)
        return true;
    for (size_t i = 0; i < 2; i++) {
        const char *permission = s_any_base_permissions [i];
        if (dp_authz_any_base (dp_mutation_authz (m), permission))
            continue;
        if (state->bulk)
            dp_mutation_return_record (m, dp_record_insufficient_permission (m, permission), false);
        else
            dp_mutation_forbidden (m, permission);
        return false;
    }
    return true;
}

static void
s_create_step (dp_mutation_t *m, create_state_t *state)
{
    switch (state->phase) {
        case CR_READ:
            if (!s_authorize (m, state))
                return;
            if (state->n_rows == 0) {
                //  boxtribute answers no rows before it looks at the base.
                dp_record_t *result = dp_record_new (m, "BeneficiariesResult");
                dp_record_set_objects (result, "results", DP_LOADER_people_by_id, NULL, 0);
                dp_mutation_return_record (m, result, true);
                return;
            }
            s_lock (m, state);
            return;
        case CR_CHECK:
            if (s_refused_base (m, state) || s_refused_reference (m, state))
                return;
            s_insert (m, state);
            return;
        case CR_LINK:
            if (!state->inserted) {
                s_read_back (m, state);
                return;
            }
            s_link (m, state);
            return;
        case CR_ANSWER:
            s_answer (m, state);
            return;
        case CR_NAMES:
            dp_bulk_base_names_load_organisations (m, &state->names);
            state->phase = CR_REFUSED;
            return;
        case CR_REFUSED:
            dp_mutation_return_record (m, dp_bulk_unauthorized (m, &state->names, state->base_id), false);
            return;
    }
}

static void
s_create_one_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    if (dp_mutation_round (m) == 0) {
        const input_t *input = input_field (dp_mutation_args (m), "creationInput");
        if (!input || input->kind != IN_OBJECT) {
            //  creationInput is nullable in boxtribute's schema; its
            //  resolver then fails reading it.
            dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
            return;
        }
        state->base_id = input_field (input, "baseId")->i;
        s_read_rows (m, state, &input, 1);
    }
    s_create_step (m, state);
}

static void
s_create_many_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    if (dp_mutation_round (m) == 0) {
        const input_t *input = input_field (dp_mutation_args (m), "creationInput");
        if (!input || input->kind != IN_OBJECT) {
            dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
            return;
        }
        state->bulk = true;
        state->base_id = input_field (input, "baseId")->i;
        const input_t *rows = input_field (input, "beneficiaryData");
        s_read_rows (m, state, (const input_t *const *) rows->items, rows->n_items);
    }
    s_create_step (m, state);
}

const dp_mutation_def_t dp_mut_create_beneficiary = {
    .name = "createBeneficiary", .state_size = sizeof (create_state_t), .step = s_create_one_step
};

const dp_mutation_def_t dp_mut_create_beneficiaries = {
    .name = "createBeneficiaries", .state_size = sizeof (create_state_t), .step = s_create_many_step
};
