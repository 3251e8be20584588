/*  =========================================================================
    dp_sql_tables - the SQL of a transaction's STMT, built from dp_tables.h

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_sql_tables.h. A condition `column IN (v, ...)` with a nil among
    its values adds `OR column IS NULL`; one without values is `0` (FALSE),
    so it still runs in the transaction's order and answers no row.
@end
*/
#include "dp_sql_tables.h"
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

//  Writes run strict: a value its column cannot hold (a four-byte
//  character in boxtribute's utf8mb3 tables, a string over the column's
//  length) fails the statement, and so the transaction, instead of being
//  stored as '?' or cut short. The session's own sql_mode stays lenient
//  for reads of boxtribute's zero dates; NO_ZERO_DATE stays off here too.
#define S_STRICT "SET STATEMENT sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION' FOR "

static int
s_refuse (char *err, size_t err_len, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_refuse (char *err, size_t err_len, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (err, err_len, fmt, args);
    va_end (args);
    return -1;
}

//  text is shaped as `shape`, whose '0's stand for digits.
static bool
s_shaped (const char *text, uint32_t len, const char *shape)
{
    if (len != strlen (shape))
        return false;
    for (uint32_t i = 0; i < len; i++)
        if (shape [i] == '0'? (text [i] < '0' || text [i] > '9'): text [i] != shape [i])
            return false;
    return true;
}

//  Append value as a literal of the column's type, or refuse it.
static int
s_append_value (dp_sql_t *sql, const dp_catalog_column_t *column, const dp_val_t *value,
                char *err, size_t err_len)
{
    if (value->type == DP_VAL_NIL) {
        dp_sql_append (sql, "NULL");
        return 0;
    }
    switch (column->type) {
        case DP_COLTYPE_INT:
            if (value->type == DP_VAL_INT || value->type == DP_VAL_BOOL) {
                dp_sql_printf (sql, "%" PRId64, value->u.i);
                return 0;
            }
            break;
        case DP_COLTYPE_FLOAT:
            if (value->type == DP_VAL_INT) {
                dp_sql_printf (sql, "%" PRId64, value->u.i);
                return 0;
            }
            if (value->type == DP_VAL_DOUBLE && isfinite (value->u.d)) {
                dp_sql_printf (sql, "%.17g", value->u.d);
                return 0;
            }
            break;
        case DP_COLTYPE_STR:
            if (value->type == DP_VAL_STR) {
                dp_sql_append_quoted (sql, value->u.s.ptr, value->u.s.len);
                return 0;
            }
            break;
        case DP_COLTYPE_DATETIME:
            if (value->type == DP_VAL_STR && s_shaped (value->u.s.ptr, value->u.s.len, "0000-00-00 00:00:00")) {
                dp_sql_append_quoted (sql, value->u.s.ptr, value->u.s.len);
                return 0;
            }
            return s_refuse (err, err_len, "column %s takes a datetime 'YYYY-MM-DD HH:MM:SS'",
                             column->name);
        case DP_COLTYPE_DATE:
            //  A beneficiary's date of birth.
            if (value->type == DP_VAL_STR && s_shaped (value->u.s.ptr, value->u.s.len, "0000-00-00")) {
                dp_sql_append_quoted (sql, value->u.s.ptr, value->u.s.len);
                return 0;
            }
            return s_refuse (err, err_len, "column %s takes a date 'YYYY-MM-DD'", column->name);
    }
    return s_refuse (err, err_len, "a value of column %s has the wrong type", column->name);
}

//  The masked columns' names, comma-separated.
static void
s_append_columns (dp_sql_t *sql, const dp_table_t *table, uint64_t columns)
{
    bool first = true;
    for (size_t i = 0; i < table->n_columns; i++)
        if (columns & (1ull << i)) {
            dp_sql_printf (sql, "%s`%s`", first? "": ", ", table->columns [i].name);
            first = false;
        }
}

//  True when value can match no row of a string column its character set
//  cannot hold it in.
static bool
s_unmatchable (const dp_db_charsets_t *charsets, const dp_stmt_t *stmt, uint32_t column,
               const dp_catalog_column_t *described, const dp_val_t *value)
{
    return charsets && described->type == DP_COLTYPE_STR && value->type == DP_VAL_STR
        && !dp_db_charsets_column_may_match (charsets, stmt->table, column,
                                             value->u.s.ptr, value->u.s.len);
}

//  " WHERE ..." for the conditions (nothing when there are none).
static int
s_append_where (dp_sql_t *sql, const dp_table_t *table, const dp_stmt_t *stmt,
                const dp_db_charsets_t *charsets, char *err, size_t err_len)
{
    for (uint32_t c = 0; c < stmt->n_where; c++) {
        const dp_stmt_cond_t *cond = &stmt->where [c];
        if (cond->column >= table->n_columns)
            return s_refuse (err, err_len, "condition on column %u: %s has %zu columns",
                             cond->column, table->name, table->n_columns);
        const dp_catalog_column_t *column = &table->columns [cond->column];
        dp_sql_append (sql, c == 0? " WHERE (": " AND (");
        bool nil = false, listed = false;
        for (uint32_t v = 0; v < cond->n_values; v++) {
            if (cond->values [v].type == DP_VAL_NIL) {
                nil = true;
                continue;
            }
            if (s_unmatchable (charsets, stmt, cond->column, column, &cond->values [v]))
                continue;
            dp_sql_printf (sql, listed? ", ": "`%s` IN (", column->name);
            listed = true;
            if (s_append_value (sql, column, &cond->values [v], err, err_len))
                return -1;
        }
        if (listed)
            dp_sql_append (sql, ")");
        if (nil)
            dp_sql_printf (sql, "%s`%s` IS NULL", listed? " OR ": "", column->name);
        if (!listed && !nil)
            dp_sql_append (sql, "0");       //  no value left that could match
        dp_sql_append (sql, ")");
    }
    return 0;
}

//  One row of values, "(v1, v2, ...)", in column order.
static int
s_append_row (dp_sql_t *sql, const dp_table_t *table, uint64_t columns, const dp_val_t *row,
              char *err, size_t err_len)
{
    dp_sql_append (sql, "(");
    uint32_t n = 0;
    for (size_t i = 0; i < table->n_columns; i++)
        if (columns & (1ull << i)) {
            if (n)
                dp_sql_append (sql, ", ");
            if (s_append_value (sql, &table->columns [i], &row [n++], err, err_len))
                return -1;
        }
    dp_sql_append (sql, ")");
    return 0;
}

//  UPDATE of rows keyed by the table's first column: every other masked
//  column is SET to a CASE over the key, so one statement writes each row
//  its own values (per_row values a row, the key first).
static int
s_append_keyed_update (dp_sql_t *sql, const dp_table_t *table, const dp_stmt_t *stmt,
                       uint32_t per_row, const dp_db_charsets_t *charsets, char *err, size_t err_len)
{
    const dp_catalog_column_t *key = &table->columns [0];
    dp_sql_append (sql, S_STRICT);
    dp_sql_printf (sql, "UPDATE `%s` SET ", table->name);
    uint32_t n = 1, set = 0;
    for (size_t i = 1; i < table->n_columns; i++) {
        if (!(stmt->columns & (1ull << i)))
            continue;
        const dp_catalog_column_t *column = &table->columns [i];
        dp_sql_printf (sql, "%s`%s` = CASE `%s`", set++? ", ": "", column->name, key->name);
        for (uint32_t row = 0; row < stmt->n_rows; row++) {
            const dp_val_t *values = stmt->values + (uint64_t) row * per_row;
            dp_sql_append (sql, " WHEN ");
            if (s_append_value (sql, key, &values [0], err, err_len))
                return -1;
            dp_sql_append (sql, " THEN ");
            if (s_append_value (sql, column, &values [n], err, err_len))
                return -1;
        }
        dp_sql_printf (sql, " ELSE `%s` END", column->name);
        n++;
    }
    if (set == 0)
        return s_refuse (err, err_len, "keyed UPDATE sets no column but the key");
    return s_append_where (sql, table, stmt, charsets, err, err_len);
}

int
dp_sql_build_stmt (dp_sql_t *sql, const dp_stmt_t *stmt, const dp_db_charsets_t *charsets,
                   dp_coltype_t types [64], uint32_t *n_cols, char *err, size_t err_len)
{
    assert (sql && stmt && types && n_cols && err);
    *n_cols = 0;
    const dp_table_t *table = dp_table (stmt->table);
    if (!table)
        return s_refuse (err, err_len, "unknown table %u", stmt->table);
    if (!dp_table_mask_valid (table, stmt->columns))
        return s_refuse (err, err_len, "column mask 0x%llx has bits beyond %s's %zu columns",
                         (unsigned long long) stmt->columns, table->name, table->n_columns);
    if (stmt->columns == 0 && stmt->op != DP_STMT_DELETE)
        return s_refuse (err, err_len, "no column in mask 0");
    if (stmt->lock && stmt->op != DP_STMT_SELECT)
        return s_refuse (err, err_len, "lock is for SELECT only");
    //  UPDATE takes one row for every matched row, or rows keyed by the
    //  table's first column (in the mask): each sets its own row's values.
    bool keyed_update = stmt->op == DP_STMT_UPDATE && stmt->n_rows > 1;
    if (keyed_update && !(stmt->columns & 1ull))
        return s_refuse (err, err_len, "%u rows of UPDATE values need the key column %s in the mask",
                         stmt->n_rows, table->columns [0].name);
    bool rows_fit = stmt->op == DP_STMT_INSERT? stmt->n_rows > 0
                  : stmt->op == DP_STMT_UPDATE? stmt->n_rows > 0: stmt->n_rows == 0;
    if (!rows_fit)
        return s_refuse (err, err_len, "%u rows of values: the operation takes %s", stmt->n_rows,
                         stmt->op == DP_STMT_SELECT || stmt->op == DP_STMT_DELETE? "none"
                         : "at least one");
    if (stmt->op == DP_STMT_INSERT && stmt->n_where)
        return s_refuse (err, err_len, "INSERT takes no conditions");
    if ((stmt->op == DP_STMT_UPDATE || stmt->op == DP_STMT_DELETE) && stmt->n_where == 0)
        return s_refuse (err, err_len, "%s without a condition would change the whole table",
                         stmt->op == DP_STMT_UPDATE? "UPDATE": "DELETE");
    uint32_t per_row = (uint32_t) __builtin_popcountll (stmt->columns);
    dp_sql_destroy (sql);
    switch (stmt->op) {
        case DP_STMT_SELECT:
            dp_sql_append (sql, "SELECT ");
            s_append_columns (sql, table, stmt->columns);
            dp_sql_printf (sql, " FROM `%s`", table->name);
            if (s_append_where (sql, table, stmt, charsets, err, err_len))
                return -1;
            //  The first column is the key (id, or x_people_languages' people_id).
            dp_sql_printf (sql, " ORDER BY `%s`", table->columns [0].name);
            if (stmt->lock)
                dp_sql_append (sql, " FOR UPDATE");
            for (size_t i = 0; i < table->n_columns; i++)
                if (stmt->columns & (1ull << i))
                    types [(*n_cols)++] = table->columns [i].type;
            return 0;
        case DP_STMT_INSERT:
            dp_sql_append (sql, S_STRICT);
            dp_sql_printf (sql, "INSERT INTO `%s` (", table->name);
            s_append_columns (sql, table, stmt->columns);
            dp_sql_append (sql, ") VALUES ");
            for (uint32_t row = 0; row < stmt->n_rows; row++) {
                if (row)
                    dp_sql_append (sql, ", ");
                if (s_append_row (sql, table, stmt->columns,
                                  stmt->values + (uint64_t) row * per_row, err, err_len))
                    return -1;
            }
            return 0;
        case DP_STMT_UPDATE: {
            if (keyed_update)
                return s_append_keyed_update (sql, table, stmt, per_row, charsets, err, err_len);
            dp_sql_append (sql, S_STRICT);
            dp_sql_printf (sql, "UPDATE `%s` SET ", table->name);
            uint32_t n = 0;
            for (size_t i = 0; i < table->n_columns; i++)
                if (stmt->columns & (1ull << i)) {
                    dp_sql_printf (sql, "%s`%s` = ", n? ", ": "", table->columns [i].name);
                    if (s_append_value (sql, &table->columns [i], &stmt->values [n++], err, err_len))
                        return -1;
                }
            return s_append_where (sql, table, stmt, charsets, err, err_len);
        }
        case DP_STMT_DELETE:
            dp_sql_printf (sql, "DELETE FROM `%s`", table->name);
            return s_append_where (sql, table, stmt, charsets, err, err_len);
    }
    return s_refuse (err, err_len, "unknown operation %u", stmt->op);
}

//  Build for a connection of charsets and compare; expected NULL means
//  refused with a message holding needle.
static void
s_expect_on (const dp_db_charsets_t *charsets, const dp_stmt_t *stmt, const char *expected,
             const char *needle)
{
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_coltype_t types [64];
    uint32_t n_cols;
    char err [256] = "";
    int rc = dp_sql_build_stmt (&sql, stmt, charsets, types, &n_cols, err, sizeof err);
    if (expected) {
        if (rc || strcmp (sql.data, expected)) {
            fprintf (stderr, "built: %s (%s)\nwanted: %s\n", rc? "refused": sql.data, err, expected);
            assert (false);
        }
    }
    else {
        assert (rc == -1);
        if (!strstr (err, needle)) {
            fprintf (stderr, "refused with '%s', wanted '%s'\n", err, needle);
            assert (false);
        }
    }
    dp_sql_destroy (&sql);
}

static void
s_expect (const dp_stmt_t *stmt, const char *expected, const char *needle)
{
    s_expect_on (NULL, stmt, expected, needle);
}

void
dp_sql_tables_test (bool verbose)
{
    printf (" * dp_sql_tables: ");
    dp_val_t ids [] = { { .type = DP_VAL_INT, .u.i = 5 }, { .type = DP_VAL_NIL },
                        { .type = DP_VAL_INT, .u.i = 7 } };
    dp_stmt_cond_t by_id [] = { { DP_TCOL_stock_id, ids, 3 }, { DP_TCOL_stock_location_id, NULL, 0 } };
    dp_stmt_t stmt = {
        .txn = 1, .table = DP_TABLE_stock, .op = DP_STMT_SELECT,
        .columns = DP_TBIT (stock, id) | DP_TBIT (stock, items), .where = by_id, .n_where = 1,
        .lock = true
    };
    s_expect (&stmt, "SELECT `id`, `items` FROM `stock` WHERE (`id` IN (5, 7) OR `id` IS NULL)"
              " ORDER BY `id` FOR UPDATE", NULL);
    stmt.n_where = 2;
    stmt.lock = false;
    s_expect (&stmt, "SELECT `id`, `items` FROM `stock` WHERE (`id` IN (5, 7) OR `id` IS NULL)"
              " AND (0) ORDER BY `id`", NULL);

    //  Quotes and backslashes are escaped; datetimes checked; floats exact.
    dp_val_t row [] = {
        { .type = DP_VAL_STR, .u.s = { "it's \\ \"x\"", 10 } },
        { .type = DP_VAL_STR, .u.s = { "2024-01-31 23:59:59", 19 } },
        { .type = DP_VAL_DOUBLE, .u.d = 0.1 },
        { .type = DP_VAL_NIL }
    };
    stmt = (dp_stmt_t) {
        .txn = 1, .table = DP_TABLE_history, .op = DP_STMT_INSERT,
        .columns = DP_TBIT (history, changes) | DP_TBIT (history, changedate)
                 | DP_TBIT (history, from_float) | DP_TBIT (history, to_float),
        .values = row, .n_rows = 1
    };
    s_expect (&stmt, S_STRICT "INSERT INTO `history` (`changes`, `changedate`, `from_float`, `to_float`)"
              " VALUES ('it\\'s \\\\ \\\"x\\\"', '2024-01-31 23:59:59', 0.10000000000000001, NULL)",
              NULL);
    row [1].u.s = (typeof (row [1].u.s)) { "2024-01-31T23:59:59", 19 };
    s_expect (&stmt, NULL, "takes a datetime");
    row [1].u.s = (typeof (row [1].u.s)) { "2024-01-31 23:59:59", 19 };
    row [2] = (dp_val_t) { .type = DP_VAL_STR, .u.s = { "1", 1 } };
    s_expect (&stmt, NULL, "from_float has the wrong type");
    row [2] = (dp_val_t) { .type = DP_VAL_DOUBLE, .u.d = NAN };
    s_expect (&stmt, NULL, "from_float has the wrong type");

    //  Dates are checked as datetimes are.
    dp_val_t birth [] = { { .type = DP_VAL_STR, .u.s = { "2001-02-03", 10 } } };
    stmt = (dp_stmt_t) {
        .txn = 1, .table = DP_TABLE_people, .op = DP_STMT_INSERT,
        .columns = DP_TBIT (people, date_of_birth), .values = birth, .n_rows = 1
    };
    s_expect (&stmt, S_STRICT "INSERT INTO `people` (`date_of_birth`) VALUES ('2001-02-03')", NULL);
    birth [0].u.s = (typeof (birth [0].u.s)) { "2001-02-03 00:00:00", 19 };
    s_expect (&stmt, NULL, "takes a date");

    //  UPDATE and DELETE need a condition; masks and rows must fit.
    dp_val_t one [] = { { .type = DP_VAL_INT, .u.i = 3 } };
    dp_stmt_cond_t by_tag [] = { { DP_TCOL_tags_relations_tag_id, one, 1 } };
    stmt = (dp_stmt_t) {
        .txn = 1, .table = DP_TABLE_tags_relations, .op = DP_STMT_UPDATE,
        .columns = DP_TBIT (tags_relations, deleted_by_id), .values = one, .n_rows = 1,
        .where = by_tag, .n_where = 1
    };
    s_expect (&stmt, S_STRICT "UPDATE `tags_relations` SET `deleted_by_id` = 3 WHERE (`tag_id` IN (3))", NULL);
    stmt.n_where = 0;
    s_expect (&stmt, NULL, "UPDATE without a condition");
    stmt.n_where = 1;
    stmt.n_rows = 2;
    s_expect (&stmt, NULL, "need the key column id");
    stmt.n_rows = 0;
    s_expect (&stmt, NULL, "at least one");

    //  Rows keyed by id: each row gets its own values, in one statement.
    dp_val_t keyed [] = {
        { .type = DP_VAL_INT, .u.i = 7 }, { .type = DP_VAL_INT, .u.i = 30 },
        { .type = DP_VAL_INT, .u.i = 8 }, { .type = DP_VAL_NIL },
    };
    dp_stmt_cond_t by_key [] = { { DP_TCOL_tags_relations_id, keyed, 1 } };
    stmt = (dp_stmt_t) {
        .txn = 1, .table = DP_TABLE_tags_relations, .op = DP_STMT_UPDATE,
        .columns = DP_TBIT (tags_relations, id) | DP_TBIT (tags_relations, deleted_by_id),
        .values = keyed, .n_rows = 2, .where = by_key, .n_where = 1
    };
    s_expect (&stmt, S_STRICT "UPDATE `tags_relations` SET `deleted_by_id` = CASE `id` WHEN 7 THEN 30"
              " WHEN 8 THEN NULL ELSE `deleted_by_id` END WHERE (`id` IN (7))", NULL);
    stmt.columns = DP_TBIT (tags_relations, id);
    stmt.n_rows = 4;
    s_expect (&stmt, NULL, "sets no column but the key");
    stmt = (dp_stmt_t) { .txn = 1, .table = DP_TABLE_tags_relations, .op = DP_STMT_DELETE,
                         .where = by_tag, .n_where = 1 };
    s_expect (&stmt, "DELETE FROM `tags_relations` WHERE (`tag_id` IN (3))", NULL);
    stmt.n_where = 0;
    s_expect (&stmt, NULL, "DELETE without a condition");
    stmt = (dp_stmt_t) { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_SELECT, .columns = 1ull << 4 };
    s_expect (&stmt, NULL, "bits beyond qr's 4 columns");
    stmt.columns = 1;
    by_tag [0].column = 4;
    stmt.where = by_tag;
    stmt.n_where = 1;
    s_expect (&stmt, NULL, "condition on column 4");
    stmt.table = DP_TABLE_COUNT;
    s_expect (&stmt, NULL, "unknown table");
    stmt = (dp_stmt_t) { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_SELECT, .columns = 0 };
    s_expect (&stmt, NULL, "no column");
    stmt = (dp_stmt_t) { .txn = 1, .table = DP_TABLE_qr, .op = DP_STMT_DELETE, .lock = true,
                         .where = by_tag, .n_where = 1 };
    s_expect (&stmt, NULL, "lock is for SELECT only");
    if (verbose)
        printf ("\n  statements built and refused as expected\n");
    //  A string value its column's character set cannot hold (a four-byte
    //  character in boxtribute's utf8mb3 stock.box_id) is left out: the
    //  others still match, none left matches nothing.
    dp_db_charsets_t charsets;
    dp_db_charsets_init (&charsets);
    dp_db_charsets_read_row (&charsets, "stock", "box_id", "utf8mb3");
    dp_val_t labels [] = { { .type = DP_VAL_STR, .u.s = { "12345678", 8 } },
                           { .type = DP_VAL_STR, .u.s = { "9\xF0\x9F\x93\xA6", 5 } },
                           { .type = DP_VAL_NIL } };
    dp_stmt_cond_t by_label [] = { { DP_TCOL_stock_box_id, labels, 2 } };
    stmt = (dp_stmt_t) { .txn = 1, .table = DP_TABLE_stock, .op = DP_STMT_SELECT,
                         .columns = DP_TBIT (stock, id), .where = by_label, .n_where = 1 };
    s_expect_on (&charsets, &stmt, "SELECT `id` FROM `stock` WHERE (`box_id` IN ('12345678'))"
                 " ORDER BY `id`", NULL);
    s_expect (&stmt, "SELECT `id` FROM `stock` WHERE (`box_id` IN ('12345678', '9\xF0\x9F\x93\xA6'))"
              " ORDER BY `id`", NULL);
    by_label [0] = (dp_stmt_cond_t) { DP_TCOL_stock_box_id, labels + 1, 1 };
    s_expect_on (&charsets, &stmt, "SELECT `id` FROM `stock` WHERE (0) ORDER BY `id`", NULL);
    by_label [0] = (dp_stmt_cond_t) { DP_TCOL_stock_box_id, labels + 1, 2 };
    s_expect_on (&charsets, &stmt, "SELECT `id` FROM `stock` WHERE (`box_id` IS NULL) ORDER BY `id`", NULL);

    printf ("OK\n");
}
