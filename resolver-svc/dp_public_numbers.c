/*  =========================================================================
    dp_public_numbers - the public endpoint's totals over a span of time

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_public_numbers.h. Covered by tests/integration/test_public_numbers.py.
@end
*/
#include "dp_public_numbers.h"
#include "dp_exec_hooks.h"
#include "dp_datetime_input.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

//  Each field's db-svc QUERY.
static const struct {
    const char *field;
    dp_query_id_t query;
} s_numbers [] = {
    { "newlyCreatedBoxNumbers", DP_QUERY_boxes_created_between },
    { "newlyRegisteredBeneficiaryNumbers", DP_QUERY_beneficiaries_registered_between },
    { "reachedBeneficiariesNumbers", DP_QUERY_beneficiaries_reached_between },
};

typedef struct {
    const char *error;          //  BAD_USER_INPUT message, or NULL
    bool answered;
    int64_t number;
} numbers_state_t;

#define S_DAY 86400LL

//  A Datetime argument as seconds since the epoch (UTC); false when absent.
//  Validation has checked the scalar; an unreadable one is reported.
static bool
s_argument_time (const plan_field_t *pf, const char *name, int64_t *seconds, const char **error)
{
    const input_t *value = input_field (pf->args, name);
    if (!value || value->kind != IN_STRING)
        return false;
    char utc [20];
    struct tm tm = { 0 };
    if (!dp_datetime_input_utc (value->s, value->len, utc)
    ||  sscanf (utc, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        *error = "Invalid Datetime argument.";
        return true;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *seconds = (int64_t) timegm (&tm);
    return true;
}

//  boxtribute's get_time_span over the arguments: 0 and [start, end], or
//  the error's message.
static const char *
s_time_span (const plan_field_t *pf, int64_t *start, int64_t *end)
{
    const char *error = NULL;
    bool has_start = s_argument_time (pf, "start", start, &error);
    bool has_end = s_argument_time (pf, "end", end, &error);
    if (error)
        return error;
    const input_t *duration_input = input_field (pf->args, "duration");
    bool has_duration = duration_input && duration_input->kind == IN_INT;
    int64_t duration = has_duration ? duration_input->i : 0;
    if (has_duration && duration < 0 && !(has_start && has_end))
        return "Duration cannot be negative.";
    int64_t now = (int64_t) time (NULL);
    if (has_start && has_end)
        ;
    else
    if (has_start && has_duration)
        *end = *start + duration * S_DAY;
    else
    if (has_end && has_duration)
        *start = *end - duration * S_DAY;
    else
    if (has_duration) {
        *end = now;
        *start = now - duration * S_DAY;
    }
    else
    if (has_start)
        *end = now;
    else
        return "Insufficient arguments";
    if (*start > *end)
        return "Start date cannot be after the end date.";
    return NULL;
}

//  seconds as "YYYY-MM-DD HH:MM:SS", false past the years 1 to 9999
//  (boxtribute: Python's datetime range).
static bool
s_format (int64_t seconds, char text [20])
{
    time_t t = (time_t) seconds;
    struct tm tm;
    if (!gmtime_r (&t, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
        return false;
    return strftime (text, 20, "%Y-%m-%d %H:%M:%S", &tm) == 19;
}

static void
s_number_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    numbers_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT)
        return;                         //  the request fails with the QUERY's error
    state->number = rows->u.rows.cells [0].u.i;
    state->answered = true;
}

void
dp_public_numbers_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    numbers_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    int64_t start = 0, end = 0;
    state->error = s_time_span (pf, &start, &end);
    char *start_text = dp_arena_calloc (arena, 2, 20);
    char *end_text = start_text + 20;
    if (!state->error && (!s_format (start, start_text) || !s_format (end, end_text)))
        state->error = "Date value out of range.";
    if (state->error)
        return;
    dp_val_t *args = dp_arena_calloc (arena, 2, sizeof (dp_val_t));
    args [0].type = args [1].type = DP_VAL_STR;
    args [0].u.s.ptr = start_text;
    args [1].u.s.ptr = end_text;
    args [0].u.s.len = args [1].u.s.len = 19;
    for (size_t i = 0; i < sizeof s_numbers / sizeof s_numbers [0]; i++)
        if (strcmp (s_numbers [i].field, pf->field->name) == 0)
            dp_exec_query (exec, s_numbers [i].query, 1, args, 2, pf, state, s_number_done);
}

int
dp_public_numbers_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    numbers_state_t *state = pf->root_state;
    if (state->error) {
        dp_exec_field_error (exec, pf, "BAD_USER_INPUT", state->error, "%s", state->error);
        return -1;
    }
    if (!state->answered)
        return 0;
    dp_json_writer_int (dp_exec_out (exec), state->number);
    return 1;
}
