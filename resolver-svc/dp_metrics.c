/*  =========================================================================
    dp_metrics - Query.metrics(organisationId) and its Metrics fields

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The root finds the organisation and checks it, then sends one QUERY
    per Metrics field in its selection (an alias with another period is
    another field), and hands each field its slot through the field's
    root_state.
@discuss
    boxtribute compares the organisationId argument (a string) with the
    user's organisation id (a number), so a user naming their own
    organisation is refused there; Depot compares the numbers. A god user
    without an organisationId has no organisation: every number is 0, as
    boxtribute's query for organisation None counts nothing.
    Covered by tests/integration/test_statistics_beneficiaries.py.
@end
*/
#include "dp_metrics.h"
#include "dp_exec_hooks.h"
#include <stdio.h>
#include <string.h>

typedef struct {
    bool forbidden;
    const char *code;           //  another error: its code, or NULL
    char description [120];
    int64_t organisation_id;
    obj_t metrics;              //  the Metrics object (synthetic = this state)
} metrics_state_t;

//  What a Metrics field's QUERY answered.
typedef struct {
    const char *error;          //  NULL when number holds the answer
    int64_t number;
} number_slot_t;

static void
s_number_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    number_slot_t *number = slot;
    if (!rows || rows->u.rows.n_rows != 1 || rows->u.rows.cells [0].type != DP_VAL_INT)
        number->error = dp_arena_strdup (dp_exec_arena (exec), error ? error : "metrics: not one number");
    else
        number->number = rows->u.rows.cells [0].u.i;
}

//  An optional Date argument as a QUERY argument: the text, or nil.
static dp_val_t
s_date (dp_arena_t *arena, const input_t *value)
{
    if (!value || value->kind != IN_STRING)
        return (dp_val_t) { .type = DP_VAL_NIL };
    dp_val_t date = { .type = DP_VAL_STR };
    date.u.s.ptr = dp_arena_strndup (arena, value->s, value->len);
    date.u.s.len = (uint32_t) value->len;
    return date;
}

//  One QUERY per Metrics field selected under the root.
static void
s_ask_numbers (dp_exec_t *exec, plan_field_t *pf, metrics_state_t *state)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    for (size_t v = 0; pf->child && v < pf->child->n_variants; v++)
        for (size_t f = 0; f < pf->child->variants [v].n_fields; f++) {
            plan_field_t *field = &pf->child->variants [v].fields [f];
            if (!field->field || field->bind->write != dp_metrics_number_write)
                continue;
            dp_query_id_t query = strcmp (field->field->name, "numberOfSales") == 0
                                ? DP_QUERY_number_of_sales : DP_QUERY_families_served;
            dp_val_t *args = dp_arena_calloc (arena, 3, sizeof (dp_val_t));
            args [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = state->organisation_id };
            args [1] = s_date (arena, input_field (field->args, "after"));
            args [2] = s_date (arena, input_field (field->args, "before"));
            number_slot_t *slot = dp_arena_calloc (arena, 1, sizeof *slot);
            field->root_state = slot;
            dp_exec_query (exec, query, 0, args, 3, pf, slot, s_number_done);
        }
}

void
dp_metrics_collect (dp_exec_t *exec, plan_field_t *pf)
{
    metrics_state_t *state = dp_arena_calloc (dp_exec_arena (exec), 1, sizeof *state);
    pf->root_state = state;
    const dp_identity_t *identity = dp_exec_authz (exec)->identity;
    const input_t *given = input_field (pf->args, "organisationId");
    if (given && given->kind != IN_NULL) {
        if (!dp_input_id (given, &state->organisation_id)) {
            state->code = "BAD_USER_INPUT";
            snprintf (state->description, sizeof state->description, "Invalid organisation id.");
            return;
        }
    }
    else
        state->organisation_id = identity->organisation_id;     //  0: none (a god user)
    if (!identity->god && state->organisation_id != identity->organisation_id) {
        state->forbidden = true;
        snprintf (state->description, sizeof state->description, "organisation=%lld",
                  (long long) state->organisation_id);
        return;
    }
    s_ask_numbers (exec, pf, state);
}

void
dp_metrics_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                     obj_t **children, size_t *n_children)
{
    metrics_state_t *state = pf->root_state;
    *n_children = 0;
    if (state->forbidden || state->code)
        return;
    state->metrics.type = dp_type_ref_named (pf->field->type);
    state->metrics.synthetic = state;
    *children = &state->metrics;
    *n_children = 1;
}

int
dp_metrics_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    metrics_state_t *state = pf->root_state;
    if (state->forbidden)
        return dp_exec_forbidden (exec, pf, state->description);
    if (state->code) {
        dp_exec_field_error (exec, pf, state->code, state->description, "%s", state->description);
        return -1;
    }
    state->metrics.type = dp_type_ref_named (pf->field->type);
    state->metrics.synthetic = state;
    return dp_exec_write_children (exec, pf, &state->metrics, 1, false);
}

int
dp_metrics_number_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const number_slot_t *slot = pf->root_state;
    if (!slot || slot->error) {
        const char *error = slot ? slot->error : "metrics: field not asked";
        dp_exec_field_error (exec, pf, "INTERNAL_SERVER_ERROR", error, "%s", error);
        return -1;
    }
    dp_json_writer_int (dp_exec_out (exec), slot->number);
    return 1;
}
