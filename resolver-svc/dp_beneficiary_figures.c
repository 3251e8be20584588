/*  =========================================================================
    dp_beneficiary_figures - Query.beneficiaryFigures(baseId)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One QUERY answers the base's counts; the figures are boxtribute's
    arithmetic over them. A base without family heads answers zeros and
    Diverse, as boxtribute does; a base that does not exist is such a base
    (boxtribute does not look it up either).
@discuss
    Family heads whose gender is '' count as Diverse, as they read
    everywhere else (Beneficiary.gender, beneficiaryDemographics);
    boxtribute's figures leave them out of the gender counts only.
    Covered by tests/integration/test_statistics_beneficiaries.py.
@end
*/
#include "dp_beneficiary_figures.h"
#include "dp_exec_hooks.h"
#include "dp_mutation.h"
#include <stdio.h>

typedef struct {
    bool forbidden;             //  FORBIDDEN: description says what was denied
    const char *code;           //  another error: its code, or NULL
    char description [160];
    dp_record_t *figures;       //  the answer, once the counts are in
} figures_state_t;

static int64_t
s_int (const row_t *row, int column)
{
    const dp_val_t *cell = &row->cells [column];
    return cell->type == DP_VAL_INT ? cell->u.i : 0;
}

static double
s_float (const row_t *row, int column)
{
    const dp_val_t *cell = &row->cells [column];
    return cell->type == DP_VAL_DOUBLE ? cell->u.d : cell->type == DP_VAL_INT ? (double) cell->u.i : 0.0;
}

//  boxtribute's figures over the row of counts.
static dp_record_t *
s_figures (dp_arena_t *arena, const row_t *row)
{
    dp_record_t *figures = dp_record_new_in (arena, "BeneficiaryFigures");
    const char *genders [3] = { "Male", "Female", "Diverse" };
    int64_t by_gender [3] = {
        s_int (row, DP_COL_beneficiary_figures_male_heads),
        s_int (row, DP_COL_beneficiary_figures_female_heads),
        s_int (row, DP_COL_beneficiary_figures_diverse_heads)
    };
    int64_t heads = by_gender [0] + by_gender [1] + by_gender [2];
    //  The first of Male, Female, Diverse with the most heads (Diverse without any).
    int major = heads ? 0 : 2;
    for (int g = 1; g < 3; g++)
        if (by_gender [g] > by_gender [major])
            major = g;
    dp_record_set_enum (figures, "majorFamilyHeadGender", genders [major]);
    double per_head = heads ? 1.0 / (double) heads : 0.0;
    dp_record_set_float (figures, "majorFamilyHeadGenderPercentage", (double) by_gender [major] * per_head);
    dp_record_set_float (figures, "averageFamilySize",
                         (double) s_int (row, DP_COL_beneficiary_figures_beneficiaries) * per_head);
    dp_record_set_float (figures, "averageItemsPerVisitPerBeneficiary",
                         heads ? s_float (row, DP_COL_beneficiary_figures_items_per_visit) : 0.0);
    dp_record_set_float (figures, "averageTotalItemsPerBeneficiary",
                         heads ? s_float (row, DP_COL_beneficiary_figures_items_per_visitor) : 0.0);
    dp_record_set_int (figures, "newRegistrationsLast30Days",
                       heads ? s_int (row, DP_COL_beneficiary_figures_new_registrations) : 0);
    dp_record_set_float (figures, "percentageWithoutFreeshopVisitLast90Days",
                         (double) s_int (row, DP_COL_beneficiary_figures_heads_without_recent_visit) * per_head);
    return figures;
}

static void
s_counts_done (dp_exec_t *exec, plan_field_t *pf, void *slot, const dp_msg_t *rows, const char *error)
{
    figures_state_t *state = slot;
    if (!rows || rows->u.rows.n_rows != 1) {
        state->code = "INTERNAL_SERVER_ERROR";
        snprintf (state->description, sizeof state->description, "%s",
                  error ? error : "beneficiary figures: not one row of counts");
        return;
    }
    const dp_catalog_entry_t *entry = dp_catalog_query (DP_QUERY_beneficiary_figures);
    uint64_t every = ((uint64_t) 1 << entry->n_columns) - 1;
    const row_t *row = dp_exec_make_row (exec, entry, every, rows->u.rows.cells, rows->u.rows.n_cols);
    state->figures = s_figures (dp_exec_arena (exec), row);
}

void
dp_beneficiary_figures_collect (dp_exec_t *exec, plan_field_t *pf)
{
    dp_arena_t *arena = dp_exec_arena (exec);
    figures_state_t *state = dp_arena_calloc (arena, 1, sizeof *state);
    pf->root_state = state;
    int64_t base_id;
    if (!dp_input_id (input_field (pf->args, "baseId"), &base_id)) {
        state->code = "BAD_USER_INPUT";
        snprintf (state->description, sizeof state->description, "Invalid base id.");
        return;
    }
    //  boxtribute's order: base:read, then beneficiary:read, in the base.
    const char *permissions [] = { "base:read", "beneficiary:read" };
    for (size_t p = 0; p < 2; p++)
        if (!dp_authz_base (dp_exec_authz (exec), permissions [p], base_id,
                            state->description, sizeof state->description)) {
            state->forbidden = true;
            return;
        }
    const dp_catalog_entry_t *entry = dp_catalog_query (DP_QUERY_beneficiary_figures);
    dp_val_t *args = dp_arena_calloc (arena, 1, sizeof (dp_val_t));
    args [0] = (dp_val_t) { .type = DP_VAL_INT, .u.i = base_id };
    dp_exec_query (exec, DP_QUERY_beneficiary_figures, ((uint64_t) 1 << entry->n_columns) - 1,
                   args, 1, pf, state, s_counts_done);
}

void
dp_beneficiary_figures_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                                 obj_t **children, size_t *n_children)
{
    figures_state_t *state = pf->root_state;
    *n_children = !state->figures
                ? 0 : dp_record_objs (exec, pf, &state->figures, 1, children);
}

int
dp_beneficiary_figures_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    figures_state_t *state = pf->root_state;
    if (state->forbidden)
        return dp_exec_forbidden (exec, pf, state->description);
    if (state->code) {
        dp_exec_field_error (exec, pf, state->code, state->description, "%s", state->description);
        return -1;
    }
    obj_t *children = NULL;
    size_t n = dp_record_objs (exec, pf, &state->figures, 1, &children);
    return dp_exec_write_children (exec, pf, children, n, false);
}
