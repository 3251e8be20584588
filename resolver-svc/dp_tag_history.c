/*  =========================================================================
    dp_tag_history - the history rows boxtribute writes about tags

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_tag_history.h"
#include "dp_tables.h"
#include "dp_mut_values.h"
#include <assert.h>

//  The columns written; the others (ip, from/to values) stay NULL.
#define S_COLUMNS (DP_TBIT (history, tablename) | DP_TBIT (history, record_id) \
                   | DP_TBIT (history, changes) | DP_TBIT (history, user_id) \
                   | DP_TBIT (history, changedate))
#define S_PER_ROW 5

const char *
dp_tag_history_changed (dp_mutation_t *m, const char *column, const char *old_value, const char *new_value)
{
    return dp_arena_printf (dp_mutation_arena (m), "%s changed from \"%s\" to \"%s\";", column,
                            old_value ? old_value : "None", new_value ? new_value : "None");
}

dp_mutation_reply_t *
dp_tag_history_insert (dp_mutation_t *m, const int64_t *records, const char *const *changes, size_t n)
{
    assert (n > 0);
    dp_val_t *values = dp_arena_calloc (dp_mutation_arena (m), n * S_PER_ROW, sizeof *values);
    dp_val_t user = dp_mut_int (dp_mutation_identity (m)->user_id);
    dp_val_t now = dp_mut_text (dp_mutation_now (m));
    for (size_t i = 0; i < n; i++) {
        dp_val_t *row = values + i * S_PER_ROW;
        row [0] = dp_mut_text ("tags");
        row [1] = dp_mut_int (records [i]);
        row [2] = dp_mut_text (changes [i]);
        row [3] = user;
        row [4] = now;
    }
    return dp_mutation_insert (m, DP_TABLE_history, S_COLUMNS, values, n);
}
