/*  =========================================================================
    dp_mut_shipment_create - Mutation.createShipment

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's create_shipment: shipment:create in the source base, else
    FORBIDDEN. Without a transfer agreement, a shipment within one
    organisation: identical bases and bases of two organisations are
    BAD_USER_INPUT with boxtribute's messages. With one: an unknown
    agreement is not found, one not Accepted is InvalidTransferAgreementState,
    and a base outside the agreement's side (either side of a Bidirectional
    one) is InvalidTransferAgreementBase. The shipment is inserted Preparing,
    started now by the caller, and answered as read in the transaction.
@discuss
    Stricter than boxtribute (README, Deliberate choices): the agreement
    row is locked (SELECT ... FOR UPDATE) for the check and the insert, so
    a concurrent cancelTransferAgreement either comes first (and the
    shipment is refused) or waits for it; an Accepted agreement outside its
    validity period is refused (Expired once valid_until has passed, not
    yet valid before valid_from); the base error lists the agreement's base
    ids (boxtribute's lists the words "source, target"); a base that does
    not exist is not found rather than a mismatch of organisations.
    Rounds: 0 reads (and locks) what the check needs; 1 decides and
    inserts; 2 answers.
@end
*/
#include "dp_mut_shipment_create.h"
#include "dp_mut_agreement.h"
#include "dp_mut_values.h"
#include "dp_tables.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERMISSION "shipment:create"

typedef struct {
    int64_t source, target, agreement_id;
    bool intra;                         //  no agreement: within one organisation
    dp_mutation_reply_t *bases;         //  camps_by_id: key, organisation_id
    dp_mutation_reply_t *agreement;     //  state, type, valid_from, valid_until (locked)
    dp_mutation_reply_t *details;       //  source_base_id, target_base_id
    dp_mutation_reply_t *insert;
} create_state_t;

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

static const char *
s_text (const dp_val_t *cell)
{
    return cell->type == DP_VAL_STR ? cell->u.s.ptr : "";
}

static void
s_start (dp_mutation_t *m, create_state_t *state)
{
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    if (!input || input->kind != IN_OBJECT) {
        //  creationInput is nullable in boxtribute's schema; its resolver
        //  then fails reading it.
        dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
        return;
    }
    state->source = input_field (input, "sourceBaseId")->i;
    state->target = input_field (input, "targetBaseId")->i;
    char denied [80];
    if (!dp_authz_base (dp_mutation_authz (m), PERMISSION, state->source, denied, sizeof denied)) {
        dp_mutation_forbidden (m, denied);
        return;
    }
    const input_t *agreement = input_field (input, "transferAgreementId");
    state->intra = !agreement || agreement->kind != IN_INT;
    if (state->intra) {
        if (state->source == state->target) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "Source and target base must not be identical");
            return;
        }
        int64_t keys [] = { state->source, state->target };
        state->bases = dp_mutation_load (m, DP_LOADER_camps_by_id, 1ull << DP_COL_camps_organisation_id,
                                         keys, 2);
        return;
    }
    state->agreement_id = agreement->i;
    dp_val_t id = dp_mut_int (state->agreement_id);
    dp_mutation_where_t by_id = { DP_TCOL_transfer_agreement_id, &id, 1 };
    state->agreement = dp_mutation_select (m, DP_TABLE_transfer_agreement,
                                           DP_TBIT (transfer_agreement, state)
                                           | DP_TBIT (transfer_agreement, type)
                                           | DP_TBIT (transfer_agreement, valid_from)
                                           | DP_TBIT (transfer_agreement, valid_until), &by_id, 1, true);
    dp_mutation_where_t of_agreement = { DP_TCOL_transfer_agreement_detail_transfer_agreement_id, &id, 1 };
    state->details = dp_mutation_select (m, DP_TABLE_transfer_agreement_detail,
                                         DP_TBIT (transfer_agreement_detail, source_base_id)
                                         | DP_TBIT (transfer_agreement_detail, target_base_id),
                                         &of_agreement, 1, false);
}

//  The organisation of a base read in round 0, or -1 when it does not exist.
static int64_t
s_organisation (const create_state_t *state, int64_t base)
{
    for (uint32_t r = 0; r < state->bases->n_rows; r++)
        if (dp_mutation_cell (state->bases, r, 0)->u.i == base)
            return dp_mutation_cell (state->bases, r, 1)->u.i;
    return -1;
}

static bool
s_intra_allowed (dp_mutation_t *m, const create_state_t *state)
{
    int64_t source = s_organisation (state, state->source);
    int64_t target = s_organisation (state, state->target);
    if (source < 0 || target < 0) {
        dp_mutation_not_found (m);
        return false;
    }
    if (source != target) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "Source and target base must be of same organisation");
        return false;
    }
    return true;
}

//  The agreement's base ids of detail column col (0 source, 1 target, 2
//  both), ascending, each once, as "1, 2".
static const char *
s_base_list (dp_mutation_t *m, const dp_mutation_reply_t *details, uint32_t col, int64_t **ids, size_t *n)
{
    *ids = dp_arena_alloc (dp_mutation_arena (m), (2 * details->n_rows + 1) * sizeof (int64_t));
    *n = 0;
    for (uint32_t r = 0; r < details->n_rows; r++)
        for (uint32_t c = 0; c < 2; c++) {
            const dp_val_t *cell = dp_mutation_cell (details, r, c);
            if ((col == 2 || col == c) && cell->type == DP_VAL_INT)
                (*ids) [(*n)++] = cell->u.i;
        }
    qsort (*ids, *n, sizeof (int64_t), s_int64_cmp);
    size_t len = 22 * *n + 1, at = 0, kept = 0;
    char *text = dp_arena_alloc (dp_mutation_arena (m), len);
    text [0] = 0;
    for (size_t i = 0; i < *n; i++)
        if (kept == 0 || (*ids) [kept - 1] != (*ids) [i]) {
            at += (size_t) snprintf (text + at, len - at, "%s%lld", kept ? ", " : "", (long long) (*ids) [i]);
            (*ids) [kept++] = (*ids) [i];
        }
    *n = kept;
    return text;
}

static bool
s_agreement_allowed (dp_mutation_t *m, const create_state_t *state)
{
    if (state->agreement->n_rows == 0) {
        dp_mutation_not_found (m);
        return false;
    }
    const char *current = s_text (dp_mutation_cell (state->agreement, 0, 0));
    if (strcmp (current, "Accepted") != 0) {
        dp_mut_agreement_state_error (m, current, "Accepted");
        return false;
    }
    //  Validity as stored: "YYYY-MM-DDTHH:MM:SS+00:00"; now as "YYYY-MM-DD HH:MM:SS".
    char now [20];
    snprintf (now, sizeof now, "%s", dp_mutation_now (m));
    now [10] = 'T';
    const char *from = s_text (dp_mutation_cell (state->agreement, 0, 2));
    const dp_val_t *until = dp_mutation_cell (state->agreement, 0, 3);
    if (until->type == DP_VAL_STR && strncmp (until->u.s.ptr, now, 19) < 0) {
        dp_mut_agreement_state_error (m, "Expired", "Accepted");
        return false;
    }
    if (strncmp (from, now, 19) > 0) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "The transfer agreement is not valid before %s.", from);
        return false;
    }
    bool bidirectional = strcmp (s_text (dp_mutation_cell (state->agreement, 0, 1)), "Bidirectional") == 0;
    int64_t bases [] = { state->source, state->target };
    for (uint32_t side = 0; side < 2; side++) {
        int64_t *ids;
        size_t n;
        const char *listed = s_base_list (m, state->details, bidirectional ? 2 : side, &ids, &n);
        if (!bsearch (&bases [side], ids, n, sizeof (int64_t), s_int64_cmp)) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "The specified base (ID: %lld) is not part of the "
                              "current transfer agreement (included base IDs: %s).",
                              (long long) bases [side], listed);
            return false;
        }
    }
    return true;
}

static void
s_insert (dp_mutation_t *m, create_state_t *state)
{
    //  In column order.
    dp_val_t row [] = {
        dp_mut_int (state->source), dp_mut_int (state->target),
        state->intra ? dp_mut_nil () : dp_mut_int (state->agreement_id), dp_mut_text ("Preparing"),
        dp_mut_text (dp_mutation_now (m)), dp_mut_int (dp_mutation_identity (m)->user_id)
    };
    state->insert = dp_mutation_insert (m, DP_TABLE_shipment,
                                        DP_TBIT (shipment, source_base_id) | DP_TBIT (shipment, target_base_id)
                                        | DP_TBIT (shipment, transfer_agreement_id) | DP_TBIT (shipment, state)
                                        | DP_TBIT (shipment, started_on) | DP_TBIT (shipment, started_by_id),
                                        row, 1);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    create_state_t *state = state_;
    switch (dp_mutation_round (m)) {
        case 0:
            s_start (m, state);
            return;
        case 1:
            if (state->intra ? s_intra_allowed (m, state) : s_agreement_allowed (m, state))
                s_insert (m, state);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_shipment_by_id, state->insert->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_shipment = {
    .name = "createShipment", .state_size = sizeof (create_state_t), .step = s_create_step
};
