/*  =========================================================================
    dp_feed_rows - one row event of the binary log as CHANGE messages

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_feed_rows.h"

static bool
s_is_integer (enum enum_field_types type)
{
    return type == MYSQL_TYPE_TINY || type == MYSQL_TYPE_SHORT || type == MYSQL_TYPE_INT24
        || type == MYSQL_TYPE_LONG || type == MYSQL_TYPE_LONGLONG || type == MYSQL_TYPE_YEAR;
}

static bool
s_is_temporal (enum enum_field_types type)
{
    return type == MYSQL_TYPE_DATE || type == MYSQL_TYPE_NEWDATE || type == MYSQL_TYPE_TIME
        || type == MYSQL_TYPE_TIME2 || type == MYSQL_TYPE_DATETIME || type == MYSQL_TYPE_DATETIME2;
}

static bool
s_equal (const MARIADB_RPL_VALUE *a, const MARIADB_RPL_VALUE *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    enum enum_field_types type = a->field_type;
    if (s_is_integer (type))
        return a->val.ll == b->val.ll;
    if (type == MYSQL_TYPE_FLOAT)
        return a->val.f == b->val.f;
    if (type == MYSQL_TYPE_DOUBLE)
        return a->val.d == b->val.d;
    if (type == MYSQL_TYPE_TIMESTAMP || type == MYSQL_TYPE_TIMESTAMP2)
        return a->val.ts.second == b->val.ts.second
            && a->val.ts.second_part == b->val.ts.second_part;
    if (s_is_temporal (type)) {
        const MYSQL_TIME *x = &a->val.tm, *y = &b->val.tm;
        return x->year == y->year && x->month == y->month && x->day == y->day
            && x->hour == y->hour && x->minute == y->minute && x->second == y->second
            && x->second_part == y->second_part && x->neg == y->neg;
    }
    //  Strings, decimals, enums, sets, bits and blobs come as bytes.
    return a->val.str.length == b->val.str.length
        && (a->val.str.length == 0
            || memcmp (a->val.str.str, b->val.str.str, a->val.str.length) == 0);
}

//  A key or base value from a column: integers as integers, the rest as text.
static void
s_key_value (const MARIADB_RPL_VALUE *value, dp_change_key_t *key)
{
    memset (key, 0, sizeof *key);
    if (value->is_null)
        return;
    if (s_is_integer (value->field_type)) {
        key->integer = value->val.ll;
        return;
    }
    key->is_text = true;
    key->str = value->val.str.str;
    key->len = value->val.str.length;
}

static int
s_append (const dp_change_t *change, zmsg_t *out, char *err, size_t err_len)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_change_encode (change, &buf);
    if (rc == 0)
        zmsg_addmem (out, buf.data, buf.size);
    else
        snprintf (err, err_len, "a change of %s could not be encoded", change->table);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

int
dp_feed_rows_changes (MARIADB_RPL *rpl, MARIADB_RPL_EVENT *table_map,
                      MARIADB_RPL_EVENT *rows_event, const dp_feed_table_t *table,
                      const char *gtid, uint64_t *seq, zmsg_t *out,
                      char *err, size_t err_len)
{
    MARIADB_RPL_ROW *rows = mariadb_rpl_extract_rows (rpl, table_map, rows_event);
    if (!rows) {
        snprintf (err, err_len, "rows of %s: %s", table->name, mariadb_rpl_error (rpl));
        return -1;
    }
    dp_change_op_t op = rows_event->event.rows.type == WRITE_ROWS ? DP_CHANGE_INSERT
                      : rows_event->event.rows.type == UPDATE_ROWS ? DP_CHANGE_UPDATE
                      : DP_CHANGE_DELETE;
    int appended = 0;
    //  An update's rows come in pairs: the image before, then after.
    for (MARIADB_RPL_ROW *row = rows; row; row = row->next) {
        MARIADB_RPL_ROW *before = NULL;
        if (op == DP_CHANGE_UPDATE) {
            before = row;
            if (!(row = row->next)) {
                snprintf (err, err_len, "an update of %s without its after image", table->name);
                return -1;
            }
        }
        if (row->column_count != table->n_columns
        ||  (before && before->column_count != table->n_columns)) {
            snprintf (err, err_len, "a row of %s with %u columns, not %zu (binlog_row_image"
                      " must be FULL)", table->name, row->column_count, table->n_columns);
            return -1;
        }
        dp_change_t change = {
            .type = DP_CHANGE_CHANGE, .gtid = gtid, .table = table->name, .op = op,
            .n_key = table->n_key
        };
        for (size_t i = 0; i < table->n_columns && change.n_columns < DP_CHANGE_MAX_COLUMNS; i++)
            if (!before || !s_equal (&before->columns [i], &row->columns [i]))
                change.columns [change.n_columns++] = table->columns [i];
        if (before && change.n_columns == 0)
            continue;                   //  an update that changed nothing
        for (size_t k = 0; k < table->n_key; k++)
            s_key_value (&row->columns [table->key [k]], &change.key [k]);
        if (table->base >= 0 && !row->columns [table->base].is_null
        &&  s_is_integer (row->columns [table->base].field_type)) {
            change.has_base = true;
            change.base_id = row->columns [table->base].val.ll;
        }
        change.seq = ++*seq;
        if (s_append (&change, out, err, err_len))
            return -1;
        appended++;
    }
    return appended;
}
