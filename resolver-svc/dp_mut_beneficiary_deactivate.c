/*  =========================================================================
    dp_mut_beneficiary_deactivate - Mutation.deactivateBeneficiary(id)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's deactivate_beneficiary (business_logic/beneficiary/
    crud.py, safely_handle_deletion): a beneficiary that does not exist is
    BAD_USER_INPUT, one without beneficiary:delete in its base FORBIDDEN.
    `deleted` is set to the field's time and a "Record deleted" history
    row written for the beneficiary and, when it is a family head (no
    parent_id), for each of its family members still active, members
    first, as boxtribute's recursion writes them. Set-based: one UPDATE
    and one history INSERT, whatever the family's size.

    Rounds: (0) SELECT the beneficiary and its family members FOR UPDATE;
    (1) check, UPDATE, INSERT history; (2) the answer.
@end
*/
#include "dp_mut_beneficiary.h"
#include "dp_mut_bulk.h"
#include "dp_history.h"

typedef struct {
    int64_t id;
    dp_mutation_reply_t *person;    //  id, parent_id, camp_id
    dp_mutation_reply_t *members;   //  id, parent_id, deleted
} deactivate_state_t;

static void
s_deactivate (dp_mutation_t *m, deactivate_state_t *state)
{
    if (state->person->n_rows == 0) {
        dp_mutation_not_found (m);
        return;
    }
    char denied [80];
    int64_t base_id = dp_mutation_cell (state->person, 0, 2)->u.i;
    if (!dp_authz_base (dp_mutation_authz (m), "beneficiary:delete", base_id, denied, sizeof denied)) {
        dp_mutation_forbidden (m, denied);
        return;
    }
    //  A family member's own members are not deactivated with it.
    bool head = dp_mutation_cell (state->person, 0, 1)->type == DP_VAL_NIL;
    uint32_t n_members = head ? state->members->n_rows : 0;
    int64_t *ids = dp_arena_calloc (dp_mutation_arena (m), n_members + 1, sizeof (int64_t));
    size_t n = 0;
    dp_history_t *history = dp_history_new ("people", dp_mutation_identity (m)->user_id, dp_mutation_now (m));
    for (uint32_t r = 0; r < n_members; r++) {
        int64_t member = dp_mutation_cell (state->members, r, 0)->u.i;
        if (member == state->id || dp_bulk_deleted (dp_mutation_cell (state->members, r, 2)))
            continue;
        ids [n++] = member;
        dp_history_deleted (history, member);
    }
    ids [n++] = state->id;
    dp_history_deleted (history, state->id);
    dp_mutation_where_t where = dp_bulk_where_ids (m, DP_TCOL_people_id, ids, n);
    dp_val_t now = dp_bulk_str (m, dp_mutation_now (m));
    dp_mutation_update (m, DP_TABLE_people, DP_TBIT (people, deleted), &now, &where, 1);
    dp_bulk_insert_history (m, history);
    dp_history_destroy (&history);
}

static void
s_deactivate_step (dp_mutation_t *m, void *state_)
{
    deactivate_state_t *state = state_;
    switch (dp_mutation_round (m)) {
        case 0: {
            state->id = dp_mut_beneficiary_id (input_field (dp_mutation_args (m), "id"));
            if (state->id < 0) {
                dp_mutation_not_found (m);
                return;
            }
            dp_val_t id = dp_bulk_int (state->id);
            dp_mutation_where_t by_id = { DP_TCOL_people_id, &id, 1 };
            state->person = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id) | DP_TBIT (people, parent_id)
                                                | DP_TBIT (people, camp_id), &by_id, 1, true);
            dp_mutation_where_t by_parent = { DP_TCOL_people_parent_id, &id, 1 };
            state->members = dp_mutation_select (m, DP_TABLE_people, DP_TBIT (people, id) | DP_TBIT (people, parent_id)
                                                 | DP_TBIT (people, deleted), &by_parent, 1, true);
            return;
        }
        case 1:
            s_deactivate (m, state);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_people_by_id, state->id);
            return;
    }
}

const dp_mutation_def_t dp_mut_deactivate_beneficiary = {
    .name = "deactivateBeneficiary", .state_size = sizeof (deactivate_state_t), .step = s_deactivate_step
};
