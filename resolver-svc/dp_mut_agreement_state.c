/*  =========================================================================
    dp_mut_agreement_state - acceptTransferAgreement, rejectTransferAgreement,
    cancelTransferAgreement

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's accept/reject/cancel_transfer_agreement: an unknown id is
    BAD_USER_INPUT not found; the caller needs transfer_agreement:edit in
    every base of one side of the agreement (accept and reject: the target
    bases, the source bases of a ReceivingFrom agreement; cancel: all source
    bases, else all target bases), else FORBIDDEN; a state the transition
    does not start from is InvalidTransferAgreementState.
@discuss
    Rounds: 0 locks the agreement row (SELECT ... FOR UPDATE) and reads its
    bases; 1 checks access and state against the locked row and UPDATEs
    only the state, *_on and *_by columns (boxtribute saves the whole row it
    read without a lock, so two concurrent transitions both "win" and one
    overwrites the other); 2 answers the agreement as read in the
    transaction.
@end
*/
#include "dp_mut_agreement.h"
#include "dp_mut_values.h"
#include "dp_tables.h"
#include <stdlib.h>
#include <string.h>

#define PERMISSION "transfer_agreement:edit"

typedef enum { SIDE_TARGET, SIDE_EITHER } side_t;

//  One transition: the states it starts from, the state it sets and the
//  columns that record who and when.
typedef struct {
    const char *from [2];
    const char *expected;       //  boxtribute's "A or B" for the error
    const char *to;
    int on_column, by_column;
    side_t side;
} transition_t;

static const transition_t s_accept = {
    { "UnderReview", NULL }, "UnderReview", "Accepted",
    DP_TCOL_transfer_agreement_accepted_on, DP_TCOL_transfer_agreement_accepted_by, SIDE_TARGET
};
static const transition_t s_reject = {
    { "UnderReview", NULL }, "UnderReview", "Rejected",
    DP_TCOL_transfer_agreement_terminated_on, DP_TCOL_transfer_agreement_terminated_by, SIDE_TARGET
};
static const transition_t s_cancel = {
    { "UnderReview", "Accepted" }, "UnderReview or Accepted", "Canceled",
    DP_TCOL_transfer_agreement_terminated_on, DP_TCOL_transfer_agreement_terminated_by, SIDE_EITHER
};

typedef struct {
    int64_t id;
    dp_mutation_reply_t *agreement;     //  id, state, type (locked)
    dp_mutation_reply_t *bases;         //  source_base_id, target_base_id per detail
    bool written;
} state_t;

void
dp_mut_agreement_state_error (dp_mutation_t *m, const char *actual, const char *expected)
{
    dp_mutation_fail (m, "BAD_USER_INPUT",
                      "The state of the transfer agreement (%s) does not allow the requested "
                      "action. Expecting state: %s", actual, expected);
}

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

//  True when the caller holds the permission in every base of column col
//  (0: source, 1: target) of the agreement's details, tried in ascending
//  order; else denied says the first base refused.
static bool
s_side_allowed (dp_mutation_t *m, const dp_mutation_reply_t *bases, uint32_t col,
                char *denied, size_t denied_len)
{
    int64_t *ids = dp_arena_alloc (dp_mutation_arena (m), (bases->n_rows + 1) * sizeof (int64_t));
    size_t n = 0;
    for (uint32_t r = 0; r < bases->n_rows; r++) {
        const dp_val_t *cell = dp_mutation_cell (bases, r, col);
        if (cell->type == DP_VAL_INT)
            ids [n++] = cell->u.i;
    }
    qsort (ids, n, sizeof (int64_t), s_int64_cmp);
    for (size_t b = 0; b < n; b++)
        if (!dp_authz_base (dp_mutation_authz (m), PERMISSION, ids [b], denied, denied_len))
            return false;
    return true;
}

static bool
s_allowed (dp_mutation_t *m, const transition_t *transition, const char *type,
           const dp_mutation_reply_t *bases, char *denied, size_t denied_len)
{
    if (transition->side == SIDE_EITHER)
        return s_side_allowed (m, bases, 0, denied, denied_len)
            || s_side_allowed (m, bases, 1, denied, denied_len);
    //  The side that receives the request: the target, but the source of
    //  an agreement asking to receive from it.
    uint32_t col = strcmp (type, "ReceivingFrom") == 0 ? 0 : 1;
    return s_side_allowed (m, bases, col, denied, denied_len);
}

static void
s_step (dp_mutation_t *m, state_t *state, const transition_t *transition)
{
    if (dp_mutation_round (m) == 0) {
        if (!dp_input_id (input_field (dp_mutation_args (m), "id"), &state->id)) {
            dp_mutation_not_found (m);
            return;
        }
        dp_val_t id = dp_mut_int (state->id);
        dp_mutation_where_t by_id = { DP_TCOL_transfer_agreement_id, &id, 1 };
        state->agreement = dp_mutation_select (m, DP_TABLE_transfer_agreement,
                                               DP_TBIT (transfer_agreement, id)
                                               | DP_TBIT (transfer_agreement, state)
                                               | DP_TBIT (transfer_agreement, type), &by_id, 1, true);
        dp_mutation_where_t of_agreement = { DP_TCOL_transfer_agreement_detail_transfer_agreement_id, &id, 1 };
        state->bases = dp_mutation_select (m, DP_TABLE_transfer_agreement_detail,
                                           DP_TBIT (transfer_agreement_detail, source_base_id)
                                           | DP_TBIT (transfer_agreement_detail, target_base_id),
                                           &of_agreement, 1, false);
        return;
    }
    if (state->written) {
        dp_mutation_return_object (m, DP_LOADER_transfer_agreement_by_id, state->id);
        return;
    }
    if (state->agreement->n_rows == 0) {
        dp_mutation_not_found (m);
        return;
    }
    const dp_val_t *current = dp_mutation_cell (state->agreement, 0, 1);
    const dp_val_t *type = dp_mutation_cell (state->agreement, 0, 2);
    char denied [80];
    if (!s_allowed (m, transition, type->type == DP_VAL_STR ? type->u.s.ptr : "", state->bases,
                    denied, sizeof denied)) {
        dp_mutation_forbidden (m, denied);
        return;
    }
    const char *actual = current->type == DP_VAL_STR ? current->u.s.ptr : "";
    bool startable = false;
    for (size_t f = 0; f < 2 && transition->from [f]; f++)
        startable |= strcmp (actual, transition->from [f]) == 0;
    if (!startable) {
        dp_mut_agreement_state_error (m, actual, transition->expected);
        return;
    }
    //  Column order in the mask: state, then *_on before *_by.
    dp_val_t values [] = {
        dp_mut_text (transition->to), dp_mut_text (dp_mutation_now (m)),
        dp_mut_int (dp_mutation_identity (m)->user_id)
    };
    dp_val_t id = dp_mut_int (state->id);
    dp_mutation_where_t by_id = { DP_TCOL_transfer_agreement_id, &id, 1 };
    dp_mutation_update (m, DP_TABLE_transfer_agreement,
                        DP_TBIT (transfer_agreement, state) | (1ull << transition->on_column)
                        | (1ull << transition->by_column), values, &by_id, 1);
    state->written = true;
}

static void
s_accept_step (dp_mutation_t *m, void *state)
{
    s_step (m, state, &s_accept);
}

static void
s_reject_step (dp_mutation_t *m, void *state)
{
    s_step (m, state, &s_reject);
}

static void
s_cancel_step (dp_mutation_t *m, void *state)
{
    s_step (m, state, &s_cancel);
}

const dp_mutation_def_t dp_mut_accept_transfer_agreement = {
    .name = "acceptTransferAgreement", .state_size = sizeof (state_t), .step = s_accept_step
};
const dp_mutation_def_t dp_mut_reject_transfer_agreement = {
    .name = "rejectTransferAgreement", .state_size = sizeof (state_t), .step = s_reject_step
};
const dp_mutation_def_t dp_mut_cancel_transfer_agreement = {
    .name = "cancelTransferAgreement", .state_size = sizeof (state_t), .step = s_cancel_step
};
