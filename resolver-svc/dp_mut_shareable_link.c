/*  =========================================================================
    dp_mut_shareable_link - Mutation.createShareableLink

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's createShareableLink (business_logic/statistics/crud.py
    and mutations.py): shareable_link:create for the input's base, else
    InsufficientPermissionError (held nowhere) or UnauthorizedForBaseError
    (held, not for that base); a validUntil before now is InvalidDateError,
    none is one week from now; the code is the SHA-256 hex digest of the
    creator, base, view, validity, time and random bytes (and the URL
    parameters); created_on/created_by_id are the transaction's time and
    the caller. No history row: boxtribute writes none.
@discuss
    Rounds: 0 checks what needs no database and reads the base (a link to
    a base that does not exist is BAD_USER_INPUT, where boxtribute's
    INSERT fails on the foreign key); 1 is the one INSERT; 2 answers the
    link as read inside the transaction. A duplicate code (never seen: 2^-256)
    would be a conflict, and the executor runs the field again with new
    random bytes.
@end
*/
#include "dp_mut_shareable_link.h"
#include "dp_mut_denied.h"
#include "dp_mut_values.h"
#include "dp_datetime_input.h"
#include "dp_tables.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define PERMISSION "shareable_link:create"
#define URL_PARAMETERS_MAX 2000         //  shareable_link.url_parameters varchar(2000)
#define DEFAULT_VALIDITY_S (7 * 24 * 3600)

typedef struct {
    dp_mut_denied_t denied;
    int64_t base_id;
    char valid_until [20];              //  UTC "YYYY-MM-DD HH:MM:SS"
    char code [65];                     //  SHA-256, hex
    dp_mutation_reply_t *base;
    dp_mutation_reply_t *link;          //  the INSERT
} link_state_t;

//  now + one week, as the transaction's "YYYY-MM-DD HH:MM:SS".
static void
s_one_week_after (const char *now, char out [20])
{
    struct tm tm = { 0 };
    sscanf (now, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
            &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t later = timegm (&tm) + DEFAULT_VALIDITY_S;
    gmtime_r (&later, &tm);
    strftime (out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

//  The link's code: unguessable (random bytes) and, as boxtribute's, a
//  digest of what the link is.
static int
s_make_code (dp_mutation_t *m, link_state_t *state, const char *view, const input_t *parameters)
{
    unsigned char random [16];
    if (getrandom (random, sizeof random, 0) != (ssize_t) sizeof random)
        return -1;
    char facts [160];
    int n = snprintf (facts, sizeof facts, "%lld|%lld|%s|%s|%s|",
                      (long long) dp_mutation_identity (m)->user_id, (long long) state->base_id,
                      view, state->valid_until, dp_mutation_now (m));
    unsigned char digest [32];
    unsigned int digest_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
    int ok = ctx && EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) == 1
          && EVP_DigestUpdate (ctx, facts, (size_t) n) == 1
          && EVP_DigestUpdate (ctx, random, sizeof random) == 1
          && (!parameters || EVP_DigestUpdate (ctx, parameters->s, parameters->len) == 1)
          && EVP_DigestFinal_ex (ctx, digest, &digest_len) == 1;
    EVP_MD_CTX_free (ctx);
    if (!ok || digest_len != sizeof digest)
        return -1;
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf (state->code + 2 * i, 3, "%02x", digest [i]);
    return 0;
}

//  Round 0: permission, validity and URL parameters; then read the base.
static void
s_check_input (dp_mutation_t *m, link_state_t *state, const input_t *input)
{
    state->base_id = input_field (input, "baseId")->i;
    char denied [80];
    if (!dp_authz_base (dp_mutation_authz (m), PERMISSION, state->base_id, denied, sizeof denied)) {
        dp_mut_denied_start (m, &state->denied, PERMISSION, denied, state->base_id);
        return;
    }
    const input_t *until = input_field (input, "validUntil");
    if (until && until->kind == IN_STRING) {
        if (!dp_datetime_input_utc (until->s, until->len, state->valid_until)) {
            dp_mutation_fail (m, "BAD_USER_INPUT", "validUntil is not an ISO 8601 date-time.");
            return;
        }
        if (strcmp (state->valid_until, dp_mutation_now (m)) < 0) {
            char date [32];
            snprintf (date, sizeof date, "%.10sT%s+00:00", state->valid_until, state->valid_until + 11);
            dp_record_t *error = dp_record_new (m, "InvalidDateError");
            dp_record_set_string (error, "date", date);
            dp_mutation_return_record (m, error, false);
            return;
        }
    }
    else
        s_one_week_after (dp_mutation_now (m), state->valid_until);
    const input_t *parameters = input_field (input, "urlParameters");
    if (parameters && parameters->kind == IN_STRING && parameters->len > URL_PARAMETERS_MAX) {
        dp_mutation_fail (m, "BAD_USER_INPUT", "urlParameters is longer than %d characters.",
                          URL_PARAMETERS_MAX);
        return;
    }
    state->base = dp_mutation_load (m, DP_LOADER_camps_by_id, 1ull << DP_COL_camps_name,
                                    &state->base_id, 1);
}

static void
s_insert_link (dp_mutation_t *m, link_state_t *state, const input_t *input)
{
    const char *view = input_field (input, "view")->s;
    const input_t *parameters = input_field (input, "urlParameters");
    if (!parameters || parameters->kind != IN_STRING)
        parameters = NULL;
    if (s_make_code (m, state, view, parameters)) {
        dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "No random bytes for the link's code.");
        return;
    }
    dp_val_t row [] = {
        dp_mut_text (state->code),
        dp_mut_text (state->valid_until),
        dp_mut_text (view),
        dp_mut_int (state->base_id),
        parameters ? (dp_val_t) { .type = DP_VAL_STR, .u.s = { parameters->s, (uint32_t) parameters->len } }
                   : dp_mut_nil (),
        dp_mut_text (dp_mutation_now (m)),
        dp_mut_int (dp_mutation_identity (m)->user_id),
    };
    uint64_t columns = DP_TBIT (shareable_link, code) | DP_TBIT (shareable_link, valid_until)
                     | DP_TBIT (shareable_link, view) | DP_TBIT (shareable_link, base_id)
                     | DP_TBIT (shareable_link, url_parameters) | DP_TBIT (shareable_link, created_on)
                     | DP_TBIT (shareable_link, created_by_id);
    state->link = dp_mutation_insert (m, DP_TABLE_shareable_link, columns, row, 1);
}

static void
s_create_step (dp_mutation_t *m, void *state_)
{
    link_state_t *state = state_;
    if (dp_mut_denied_step (m, &state->denied))
        return;
    const input_t *input = input_field (dp_mutation_args (m), "creationInput");
    switch (dp_mutation_round (m)) {
        case 0:
            if (!input || input->kind != IN_OBJECT)
                //  nullable in boxtribute's schema; its resolver then fails reading it
                dp_mutation_fail (m, "INTERNAL_SERVER_ERROR", "creationInput is required.");
            else
                s_check_input (m, state, input);
            return;
        case 1:
            if (state->base->n_rows == 0)
                dp_mutation_not_found (m);
            else
                s_insert_link (m, state, input);
            return;
        default:
            dp_mutation_return_object (m, DP_LOADER_shareable_link_by_id, state->link->last_insert_id);
            return;
    }
}

const dp_mutation_def_t dp_mut_create_shareable_link = {
    .name = "createShareableLink", .state_size = sizeof (link_state_t), .step = s_create_step
};
