/*  =========================================================================
    dp_history - the rows of boxtribute's `history` table, as boxtribute writes them

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Boxtribute records every change of a box, tag, location, product or
    beneficiary in one table, `history`: one row per created or deleted
    record and one per changed field, with the old and new values either in
    `from_int`/`to_int` (integer and foreign-key columns, `changes` holding
    the column's name) or in the text of `changes`. Box.history, boxtribute's
    statistics (which replay these rows to rebuild past states of boxes) and
    boxtribute's own code read them back, so Depot writes them byte for byte
    as boxtribute's models/utils.py does (save_creation_to_history,
    safely_handle_deletion, create_history_entries) and its QR-code CRUD
    (create_qr_code).

    A dp_history_t collects the rows of one mutation, all with one table,
    user and timestamp, and hands them out as the values of one STMT INSERT
    into history (DP_HISTORY_COLUMNS: every column but id).
@discuss
    Numbers in the text are rounded to two places as Python's Decimal does
    (round half to even). A value read from the database is a DECIMAL: it is
    rounded as the decimal the column holds (the double's shortest
    representation), and a unit's conversion factor multiplies it exactly.
    A value the client sent is a float that boxtribute turns into
    Decimal(float): it is rounded as the exact binary value.
@end
*/
#ifndef DP_HISTORY_H_INCLUDED
#define DP_HISTORY_H_INCLUDED

#include "dp_msg.h"
#include "dp_tables.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  boxtribute's messages (models/utils.py, warehouse/qr_code/crud.py).
#define DP_HISTORY_CREATED      "Record created"
#define DP_HISTORY_DELETED      "Record deleted"
#define DP_HISTORY_QR_ASSIGNED  "New Qr-code assigned by pdf generation."

//  The columns of one row: history's columns in proto/dp_tables.h but id
//  (AUTO_INCREMENT), in that order.
typedef enum {
    DP_HISTORY_COL_TABLENAME = DP_TCOL_history_tablename - 1,
    DP_HISTORY_COL_RECORD_ID = DP_TCOL_history_record_id - 1,
    DP_HISTORY_COL_CHANGES = DP_TCOL_history_changes - 1,
    DP_HISTORY_COL_USER_ID = DP_TCOL_history_user_id - 1,
    DP_HISTORY_COL_IP = DP_TCOL_history_ip - 1,
    DP_HISTORY_COL_CHANGEDATE = DP_TCOL_history_changedate - 1,
    DP_HISTORY_COL_FROM_INT = DP_TCOL_history_from_int - 1,
    DP_HISTORY_COL_TO_INT = DP_TCOL_history_to_int - 1,
    DP_HISTORY_COL_FROM_FLOAT = DP_TCOL_history_from_float - 1,
    DP_HISTORY_COL_TO_FLOAT = DP_TCOL_history_to_float - 1,
    DP_HISTORY_COLS
} dp_history_col_t;

//  The STMT INSERT column mask of the rows: every column of history but id.
#define DP_HISTORY_COLUMNS (((1ull << (DP_TCOL_history_to_float + 1)) - 1) & ~DP_TBIT (history, id))

//  How boxtribute records a field (create_history_entries's branches).
typedef enum {
    DP_HISTORY_INT,         //  IntegerField, ForeignKeyField: changes = column, from_int/to_int
    DP_HISTORY_TEXT,        //  any other field: `column changed from "old" to "new";`
    DP_HISTORY_MONEY,       //  monetary_value: "changed monetary value from 1.50€ to 2.00€"
    DP_HISTORY_MEASURE,     //  measure_value: "changed units of measure from 500.00g to 1.00kg"
    DP_HISTORY_WEIGHT       //  weight: "changed weight from 1.00kg to 2.00kg"
} dp_history_kind_t;

//  A display unit: its symbol and conversion factor (units.symbol,
//  units.conversion_factor; base unit value * factor = shown value).
typedef struct {
    const char *symbol;
    double factor;
} dp_history_unit_t;

//  One field of a record, before and after. Values are INT, DOUBLE, STR or
//  NIL, as the column holds them (measure_value in the dimension's base
//  unit). For MEASURE, WEIGHT and MONEY, `shown` is the number the client
//  sent (measureValue in its display unit, weight, monetaryValue), so the
//  message rounds it as boxtribute rounds Decimal(float); NIL when the new
//  value was not sent by the client (then `to` is rounded as stored).
typedef struct {
    const char *column;         //  the column's name: "items", "comments", "location_id"
    dp_history_kind_t kind;
    dp_val_t from;
    dp_val_t to;
    dp_val_t shown;             //  MEASURE, WEIGHT, MONEY only; else NIL
    dp_history_unit_t from_unit;    //  MEASURE, WEIGHT: the unit of `from`
    dp_history_unit_t to_unit;      //  MEASURE, WEIGHT: the unit of `to`
} dp_history_change_t;

typedef struct _dp_history_t dp_history_t;

//  Create the rows of one mutation on table (e.g. "stock"), by user_id, at
//  now ("YYYY-MM-DD HH:MM:SS", UTC, as STMT takes DATETIME values). Strings
//  are copied. Caller owns return value and must destroy it with
//  dp_history_destroy.
dp_history_t *dp_history_new (const char *table, int64_t user_id, const char *now);

//  Destroy the rows and every value handed out. Accepts NULL; nullifies
//  the caller's reference.
void dp_history_destroy (dp_history_t **self_p);

//  The table the following rows are about (the same mutation may create a
//  tag, table "tags", then a box, table "stock"). The string is copied.
void dp_history_set_table (dp_history_t *self, const char *table);

//  Append "Record created" for record_id (save_creation_to_history).
void dp_history_created (dp_history_t *self, int64_t record_id);

//  Append "Record deleted" for record_id (safely_handle_deletion).
void dp_history_deleted (dp_history_t *self, int64_t record_id);

//  Append the row of a QR code made for an existing box (create_qr_code).
void dp_history_qr_assigned (dp_history_t *self, int64_t box_id);

//  True when change's old and new values differ as the column stores them
//  (create_history_entries skips equal values, and Depot writes only
//  changed columns, by the same test).
bool dp_history_changed (const dp_history_change_t *change);

//  Append the row for one changed field of record_id when its values
//  differ (dp_history_changed). Returns true when a row was appended.
bool dp_history_change (dp_history_t *self, int64_t record_id, const dp_history_change_t *change);

//  Number of rows appended so far.
size_t dp_history_size (dp_history_t *self);

//  Row index's DP_HISTORY_COLS values. Returns a borrowed pointer valid
//  until the next append or dp_history_destroy.
const dp_val_t *dp_history_row (dp_history_t *self, size_t index);

//  All rows' values, row-major (dp_history_size rows of DP_HISTORY_COLS):
//  the values of one STMT INSERT into DP_TABLE_history with the columns
//  DP_HISTORY_COLUMNS. Returns a borrowed pointer valid until the next
//  append or dp_history_destroy.
const dp_val_t *dp_history_cells (dp_history_t *self);

//  Write value rounded to two places as Python's round(Decimal, 2) prints
//  it into buf: stored = true for a DECIMAL read from the database
//  (rounded as its shortest decimal, multiplied exactly by factor), false
//  for a float the client sent (rounded as its exact binary value times
//  factor). Exposed for the selftest and the mutations' messages.
void dp_history_format_number (double value, double factor, bool stored, char *buf, size_t size);

void dp_history_test (bool verbose);

#endif
