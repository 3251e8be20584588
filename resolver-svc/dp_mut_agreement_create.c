/*  =========================================================================
    dp_mut_agreement_create - Mutation.createTransferAgreement

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's create_transfer_agreement: transfer_agreement:create in
    every initiating base (FORBIDDEN at the first refused, in input order);
    then, in boxtribute's order, BAD_USER_INPUT for the same organisation on
    both sides, a 'valid until' date not after 'valid from', no active
    partner base (Depot: nor initiating base), an identical agreement still under review or accepted
    (boxtribute's rule of _validate_unique_transfer_agreement), and a base
    not of its side's organisation (or deleted). The agreement is inserted
    UnderReview with one detail per (source base, target base) pair, and
    answered as read in the transaction.
@discuss
    Race-free uniqueness: the check and the insert run in one transaction
    after both organisations' rows are locked (SELECT ... FOR UPDATE, in id
    order, so two creators never deadlock). Every agreement between two
    organisations is created under the same two locks, so a concurrent
    creation of the same agreement waits and then finds this one. Locking
    the existing agreements' rows instead would not do: the agreement that
    makes a duplicate is the one not inserted yet, which no row lock covers
    (only InnoDB's gap locks would, and those deadlock two creators). The
    existing agreements and their details are read with FOR UPDATE too, as
    a locking read sees the latest committed rows, not the transaction's
    snapshot.
    Dates: validFrom is taken as 00:00:00 and validUntil as 23:59:59 of
    their day in UTC (boxtribute uses the token's timezone claim, which
    Depot's identity does not carry); no validFrom is the transaction's
    time. Base sets are ascending, so the first invalid base reported is
    the lowest.
    Rounds: 0 checks what needs no database and locks; 1 reads the
    candidates' details; 2 decides and inserts the agreement; 3 inserts its
    details in one multi-row INSERT; 4 answers it. The statements do not
    depend on the number of bases.
@end
*/
#include "dp_mut_agreement.h"
#include "dp_mut_values.h"
#include "dp_tables.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERMISSION "transfer_agreement:create"

typedef struct {
    int64_t *ids;
    size_t n;
} id_set_t;

typedef struct {
    int64_t initiating, partner;
    const char *type;
    char valid_from [20];               //  "YYYY-MM-DD HH:MM:SS", UTC
    char valid_until [20];              //  "" when open-ended
    id_set_t initiating_bases;
    id_set_t partner_bases;             //  given, else every live base of the partner
    bool partner_given;
    dp_mutation_reply_t *organisations; //  the lock
    dp_mutation_reply_t *bases;         //  camps_by_organisation: key, id, organisation_id, deleted
    dp_mutation_reply_t *agreements;    //  candidates: id, valid_from, valid_until
    dp_mutation_reply_t *details;       //  transfer_agreement_id, source_base_id, target_base_id
    dp_mutation_reply_t *insert;
    bool details_written;
} create_state_t;

static int
s_int64_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

//  Sorts and removes repeats in place.
static void
s_set_normalise (id_set_t *set)
{
    qsort (set->ids, set->n, sizeof (int64_t), s_int64_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < set->n; i++)
        if (kept == 0 || set->ids [kept - 1] != set->ids [i])
            set->ids [kept++] = set->ids [i];
    set->n = kept;
}

static bool
s_set_has (const id_set_t *set, int64_t id)
{
    return bsearch (&id, set->ids, set->n, sizeof (int64_t), s_int64_cmp) != NULL;
}

static id_set_t
s_set_from_list (dp_mutation_t *m, const input_t *list)
{
    id_set_t set = { dp_arena_alloc (dp_mutation_arena (m), (list->n_items + 1) * sizeof (int64_t)), 0 };
    for (size_t i = 0; i < list->n_items; i++)
        set.ids [set.n++] = list->items [i]->i;
    s_set_normalise (&set);
    return set;
}

//  The live bases of an organisation, ascending (camps_by_organisation
//  cells: key, id, organisation_id, deleted; deleted nil: live).
static id_set_t
s_live_bases (dp_mutation_t *m, const dp_mutation_reply_t *bases, int64_t organisation)
{
    id_set_t set = { dp_arena_alloc (dp_mutation_arena (m), (bases->n_rows + 1) * sizeof (int64_t)), 0 };
    for (uint32_t r = 0; r < bases->n_rows; r++)
        if (dp_mutation_cell (bases, r, 0)->u.i == organisation
        &&  dp_mutation_cell (bases, r, 3)->type == DP_VAL_NIL)
            set.ids [set.n++] = dp_mutation_cell (bases, r, 1)->u.i;
    s_set_normalise (&set);
    return set;
}

//  A DATETIME cell ("YYYY-MM-DDTHH:MM:SS+00:00") as "YYYY-MM-DD HH:MM:SS";
//  "" for nil (a zero date: earlier than any date).
static void
s_datetime (const dp_val_t *cell, char out [20])
{
    out [0] = 0;
    if (cell->type != DP_VAL_STR || cell->u.s.len < 19)
        return;
    memcpy (out, cell->u.s.ptr, 19);
    out [10] = ' ';
    out [19] = 0;
}

//  True when the agreement `row` of the candidates already covers the new
//  one: boxtribute's rule (its validity started no later, it has no end or
//  the new one ends no later than it, and every base of the new agreement
//  is one of its bases).
static bool
s_duplicate (create_state_t *state, uint32_t row)
{
    char from [20], until [20];
    s_datetime (dp_mutation_cell (state->agreements, row, 1), from);
    s_datetime (dp_mutation_cell (state->agreements, row, 2), until);
    bool open_ended = dp_mutation_cell (state->agreements, row, 2)->type == DP_VAL_NIL;
    if (strcmp (state->valid_from, from) < 0)
        return false;
    if (!open_ended && state->valid_until [0] && strcmp (state->valid_until, until) > 0)
        return false;
    int64_t id = dp_mutation_cell (state->agreements, row, 0)->u.i;
    const id_set_t *sides [] = { &state->initiating_bases, &state->partner_bases };
    for (size_t s = 0; s < 2; s++)
        for (size_t b = 0; b < sides [s]->n; b++) {
            bool covered = false;
            for (uint32_t d = 0; d < state->details->n_rows && !covered; d++) {
                if (dp_mutation_cell (state->details, d, 0)->u.i != id)
                    continue;
                for (uint32_t c = 1; c <= 2; c++) {
                    const dp_val_t *base = dp_mutation_cell (state->details, d, c);
                    covered |= base->type == DP_VAL_INT && base->u.i == sides [s]->ids [b];
                }
            }
            if (!covered)
                return false;
        }
    return true;
}

//  boxtribute's InvalidTransferAgreementBase for a base not among the live
//  bases of its side's organisation; false when every base is.
static bool
s_bases_invalid (dp_mutation_t *m, const id_set_t *bases, const id_set_t *organisation_bases)
{
    for (size_t b = 0; b < bases->n; b++) {
        if (s_set_has (organisation_bases, bases->ids [b]))
            continue;
        size_t len = 32 + 22 * organisation_bases->n;
        char *expected = dp_arena_alloc (dp_mutation_arena (m), len);
        size_t at = 0;
        expected [0] = 0;
        for (size_t e = 0; e < organisation_bases->n; e++)
            at += (size_t) snprintf (expected + at, len - at, "%s%lld", e ? ", " : "",
                                     (long long) organisation_bases->ids [e]);
        dp_mutation_fail (m, "BAD_USER_INPUT", "The specified base (ID: %lld) is not part of the "
                          "current transfer agreement (included base IDs: %s).",
                          (long long) bases->ids [b], expected);
        return true;
    }
    return false;
}

//  Round 0: what needs no database, then the lock and the reads.
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
    const input_t *initiating_bases = input_field (input, "initiatingOrganisationBaseIds");
    char denied [80];
    for (size_t i = 0; i < initiating_bases->n_items; i++)
        if (!dp_authz_base (dp_mutation_authz (m), PERMISSION, initiating_bases->items [i]->i,
                            denied, sizeof denied)) {
            dp_mutation_forbidden (m, denied);
            return;
        }
    state->initiating = input_field (input, "initiatingOrganisationId")->i;
    state->partner = input_field (input, "partnerOrganisationId")->i;
    if (state->initiating == state->partner) {
        dp_mutation_fail (m, "BAD_USER_INPUT",
                          "The user's organisation is not permitted to execute the requested action.");
        return;
    }
    const input_t *from = input_field (input, "validFrom");
    const input_t *until = input_field (input, "validUntil");
    if (from && from->kind == IN_STRING)
        snprintf (state->valid_from, sizeof state->valid_from, "%.10s 00:00:00", from->s);
    else
        snprintf (state->valid_from, sizeof state->valid_from, "%s", dp_mutation_now (m));
    if (until && until->kind == IN_STRING) {
        snprintf (state->valid_until, sizeof state->valid_until, "%.10s 23:59:59", until->s);
        if (strncmp (state->valid_from, state->valid_until, 10) >= 0) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "'Valid until' date must be later than 'valid from' date.");
            return;
        }
    }
    state->type = input_field (input, "type")->s;
    state->initiating_bases = s_set_from_list (m, initiating_bases);
    if (state->initiating_bases.n == 0) {
        //  boxtribute lets it through to an INSERT of no details.
        dp_mutation_fail (m, "BAD_USER_INPUT", "None of the initiating organisation's bases is given.");
        return;
    }
    const input_t *partner_bases = input_field (input, "partnerOrganisationBaseIds");
    state->partner_given = partner_bases && partner_bases->kind == IN_LIST;
    if (state->partner_given)
        state->partner_bases = s_set_from_list (m, partner_bases);

    dp_val_t organisations [] = {
        dp_mut_int (state->initiating < state->partner ? state->initiating : state->partner),
        dp_mut_int (state->initiating < state->partner ? state->partner : state->initiating)
    };
    dp_mutation_where_t by_id = { DP_TCOL_organisations_id, organisations, 2 };
    state->organisations = dp_mutation_select (m, DP_TABLE_organisations, DP_TBIT (organisations, id),
                                               &by_id, 1, true);
    int64_t keys [] = { organisations [0].u.i, organisations [1].u.i };
    state->bases = dp_mutation_load (m, DP_LOADER_camps_by_organisation,
                                     (1ull << DP_COL_camps_id) | (1ull << DP_COL_camps_organisation_id)
                                     | (1ull << DP_COL_camps_deleted),
                                     keys, 2);
    dp_val_t states [] = { dp_mut_text ("UnderReview"), dp_mut_text ("Accepted") };
    dp_mutation_where_t between [] = {
        { DP_TCOL_transfer_agreement_source_organisation_id, organisations, 2 },
        { DP_TCOL_transfer_agreement_target_organisation_id, organisations, 2 },
        { DP_TCOL_transfer_agreement_state, states, 2 },
    };
    state->agreements = dp_mutation_select (m, DP_TABLE_transfer_agreement,
                                            DP_TBIT (transfer_agreement, id)
                                            | DP_TBIT (transfer_agreement, valid_from)
                                            | DP_TBIT (transfer_agreement, valid_until),
                                            between, 3, true);
}

static void
s_read_details (dp_mutation_t *m, create_state_t *state)
{
    dp_val_t *ids = dp_arena_alloc (dp_mutation_arena (m), (state->agreements->n_rows + 1) * sizeof (dp_val_t));
    for (uint32_t r = 0; r < state->agreements->n_rows; r++)
        ids [r] = *dp_mutation_cell (state->agreements, r, 0);
    dp_mutation_where_t of_agreements = { DP_TCOL_transfer_agreement_detail_transfer_agreement_id,
                                          ids, state->agreements->n_rows };
    state->details = dp_mutation_select (m, DP_TABLE_transfer_agreement_detail,
                                         DP_TBIT (transfer_agreement_detail, transfer_agreement_id)
                                         | DP_TBIT (transfer_agreement_detail, source_base_id)
                                         | DP_TBIT (transfer_agreement_detail, target_base_id),
                                         &of_agreements, 1, true);
}

//  Round 2: the checks that need the rows, then the agreement's INSERT.
static void
s_decide (dp_mutation_t *m, create_state_t *state)
{
    if (!state->partner_given)
        state->partner_bases = s_live_bases (m, state->bases, state->partner);
    if (state->partner_bases.n == 0) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "None of the requested partner bases is active.");
        return;
    }
    for (uint32_t r = 0; r < state->agreements->n_rows; r++)
        if (s_duplicate (state, r)) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "An identical agreement already exists: ID %lld",
                              (long long) dp_mutation_cell (state->agreements, r, 0)->u.i);
            return;
        }
    bool receiving = strcmp (state->type, "ReceivingFrom") == 0;
    int64_t source = receiving ? state->partner : state->initiating;
    int64_t target = receiving ? state->initiating : state->partner;
    const id_set_t *source_bases = receiving ? &state->partner_bases : &state->initiating_bases;
    const id_set_t *target_bases = receiving ? &state->initiating_bases : &state->partner_bases;
    id_set_t source_live = s_live_bases (m, state->bases, source);
    id_set_t target_live = s_live_bases (m, state->bases, target);
    if (s_bases_invalid (m, source_bases, &source_live) || s_bases_invalid (m, target_bases, &target_live))
        return;
    const input_t *comment = input_field (input_field (dp_mutation_args (m), "creationInput"), "comment");
    bool has_comment = comment && comment->kind == IN_STRING;
    //  In column order.
    dp_val_t row [] = {
        dp_mut_int (source), dp_mut_int (target), dp_mut_text ("UnderReview"), dp_mut_text (state->type),
        dp_mut_text (dp_mutation_now (m)), dp_mut_int (dp_mutation_identity (m)->user_id),
        dp_mut_text (state->valid_from),
        state->valid_until [0] ? dp_mut_text (state->valid_until) : dp_mut_nil (),
        has_comment ? (dp_val_t) { .type = DP_VAL_STR, .u.s = { comment->s, (uint32_t) comment->len } }
                    : dp_mut_nil (),
    };
    state->insert = dp_mutation_insert (m, DP_TABLE_transfer_agreement,
                                        DP_TBIT (transfer_agreement, source_organisation_id)
                                        | DP_TBIT (transfer_agreement, target_organisation_id)
                                        | DP_TBIT (transfer_agreement, state) | DP_TBIT (transfer_agreement, type)
                                        | DP_TBIT (transfer_agreement, requested_on)
                                        | DP_TBIT (transfer_agreement, requested_by)
                                        | DP_TBIT (transfer_agreement, valid_from)
                                        | DP_TBIT (transfer_agreement, valid_until)
                                        | DP_TBIT (transfer_agreement, comment), row, 1);
}

//  Round 3: every (source base, target base) pair, whatever the type, as
//  boxtribute does (createShipment reads the type).
static void
s_insert_details (dp_mutation_t *m, create_state_t *state)
{
    bool receiving = strcmp (state->type, "ReceivingFrom") == 0;
    const id_set_t *source_bases = receiving ? &state->partner_bases : &state->initiating_bases;
    const id_set_t *target_bases = receiving ? &state->initiating_bases : &state->partner_bases;
    size_t n_rows = source_bases->n * target_bases->n;
    dp_val_t *rows = dp_arena_alloc (dp_mutation_arena (m), 3 * n_rows * sizeof (dp_val_t));
    size_t at = 0;
    for (size_t s = 0; s < source_bases->n; s++)
        for (size_t t = 0; t < target_bases->n; t++) {
            rows [at++] = dp_mut_int (state->insert->last_insert_id);
            rows [at++] = dp_mut_int (source_bases->ids [s]);
            rows [at++] = dp_mut_int (target_bases->ids [t]);
        }
    dp_mutation_insert (m, DP_TABLE_transfer_agreement_detail,
                        DP_TBIT (transfer_agreement_detail, transfer_agreement_id)
                        | DP_TBIT (transfer_agreement_detail, source_base_id)
                        | DP_TBIT (transfer_agreement_detail, target_base_id), rows, n_rows);
    state->details_written = true;
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
            s_read_details (m, state);
            return;
        case 2:
            s_decide (m, state);
            return;
        case 3:
            s_insert_details (m, state);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_transfer_agreement_by_id, state->insert->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_transfer_agreement = {
    .name = "createTransferAgreement", .state_size = sizeof (create_state_t), .step = s_create_step
};
