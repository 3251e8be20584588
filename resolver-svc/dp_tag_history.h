/*  =========================================================================
    dp_tag_history - the history rows boxtribute writes about tags

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute's models/utils.py writes one `history` row per deleted tag
    ("Record deleted", safely_handle_deletion and delete_tags) and one per
    changed text field (`label changed from "a" to "b";`,
    create_history_entries), with tablename 'tags', the user, the
    mutation's timestamp and no ip or from/to values. The rows of one
    mutation are one multi-row INSERT, whatever their number.
@end
*/
#ifndef DP_TAG_HISTORY_H_INCLUDED
#define DP_TAG_HISTORY_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include "dp_mutation.h"

#define DP_TAG_HISTORY_DELETED "Record deleted"

//  boxtribute's text for a changed field: `column changed from "old" to
//  "new";`. Returns a string in the mutation's arena.
const char *dp_tag_history_changed (dp_mutation_t *m, const char *column, const char *old_value,
                                    const char *new_value);

//  Issue the INSERT of n rows about tags: row i says changes [i] about
//  records [i], by the mutation's user at its timestamp. n > 0.
dp_mutation_reply_t *dp_tag_history_insert (dp_mutation_t *m, const int64_t *records,
                                            const char *const *changes, size_t n);

#endif
