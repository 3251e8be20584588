/*  =========================================================================
    dp_mut_denied - a refused permission as a mutation's union error

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_mut_denied.h"
#include <assert.h>
#include <string.h>

//  A STR cell's text, or "" (nil: the row or name is missing).
static const char *
s_text (const dp_mutation_reply_t *reply, uint32_t col)
{
    if (reply->n_rows == 0)
        return "";
    const dp_val_t *cell = dp_mutation_cell (reply, 0, col);
    return cell->type == DP_VAL_STR ? cell->u.s.ptr : "";
}

static void
s_finish (dp_mutation_t *m, dp_mut_denied_t *self, const char *organisation_name)
{
    dp_mutation_return_record (m, dp_record_unauthorized_for_base (m, self->base_id, self->base_name,
                                                                   organisation_name), false);
    self->stage = 0;
}

void
dp_mut_denied_start (dp_mutation_t *m, dp_mut_denied_t *self, const char *permission,
                     const char *denied, int64_t base_id)
{
    assert (permission && denied);
    if (strcmp (denied, permission) == 0) {
        dp_mutation_return_record (m, dp_record_insufficient_permission (m, permission), false);
        return;
    }
    self->base_id = base_id;
    self->stage = 1;
    self->reply = dp_mutation_load (m, DP_LOADER_camps_by_id,
                                    (1ull << DP_COL_camps_name) | (1ull << DP_COL_camps_organisation_id),
                                    &base_id, 1);
}

bool
dp_mut_denied_step (dp_mutation_t *m, dp_mut_denied_t *self)
{
    if (self->stage == 1) {
        //  LOAD cells: the key, then the masked columns in column order.
        self->base_name = s_text (self->reply, 1);
        const dp_val_t *organisation = self->reply->n_rows ? dp_mutation_cell (self->reply, 0, 2) : NULL;
        if (!organisation || organisation->type != DP_VAL_INT) {
            s_finish (m, self, "");
            return true;
        }
        int64_t organisation_id = organisation->u.i;
        self->stage = 2;
        self->reply = dp_mutation_load (m, DP_LOADER_organisations_by_id, 1ull << DP_COL_organisations_label,
                                        &organisation_id, 1);
        return true;
    }
    if (self->stage == 2) {
        s_finish (m, self, s_text (self->reply, 1));
        return true;
    }
    return false;
}
