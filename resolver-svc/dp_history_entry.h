/*  =========================================================================
    dp_history_entry - Box.history's entries: their order and their messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    box_history_by_box answers a box's history rows, tag assignments and
    tag removals unordered, and leaves the messages that name a location,
    product, size, unit or tag to this file (proto/dp_catalog.h,
    history_entry): those rows are kept between requests (db-svc's kept
    rows), and joining them in SQL cost MariaDB most of the statement.
    The entries are ordered newest first as boxtribute's query orders them
    (date descending, then history rows by id descending, assignments,
    removals, each by relation id), and each message reads as boxtribute's
    SQL CONCAT writes it: null when a part of it is null.
@discuss
    Covered by tests/integration/test_read_api.py (Box.history against SQL
    on boxtribute's dump) and the selftest below.
@end
*/
#ifndef DP_HISTORY_ENTRY_H_INCLUDED
#define DP_HISTORY_ENTRY_H_INCLUDED

#include "dp_binding.h"
#include "dp_row.h"

//  Order the rows of one box (rows [0..n)) newest first.
void dp_history_entry_order (row_t **rows, size_t n);

//  HistoryEntry.changes: ask for the rows its message names (collect), and
//  write it (write_fn_t).
void dp_history_entry_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);
int dp_history_entry_changes (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj);

//  The columns the two read of an entry's row.
uint64_t dp_history_entry_columns (void);

void dp_history_entry_test (bool verbose);

#endif
