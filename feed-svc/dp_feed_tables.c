/*  =========================================================================
    dp_feed_tables - what the feed knows of a table: column names, key, base

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_feed_tables.h"
#include <czmq.h>

struct _dp_feed_tables_t {
    char *database;
    MYSQL *mysql;
    zhashx_t *tables;                   //  name -> dp_feed_table_t (owned)
};

static void
s_table_destroy (void **item_p)
{
    dp_feed_table_t *table = *item_p;
    *item_p = NULL;
    for (size_t i = 0; i < table->n_columns; i++)
        free (table->columns [i]);
    free (table->columns);
    free (table->name);
    free (table);
}

dp_feed_tables_t *
dp_feed_tables_new (const char *database)
{
    dp_feed_tables_t *self = zmalloc (sizeof *self);
    self->database = strdup (database);
    self->tables = zhashx_new ();
    zhashx_set_destructor (self->tables, s_table_destroy);
    return self;
}

void
dp_feed_tables_destroy (dp_feed_tables_t **self_p)
{
    dp_feed_tables_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->tables);
    free (self->database);
    free (self);
    *self_p = NULL;
}

void
dp_feed_tables_set_connection (dp_feed_tables_t *self, MYSQL *mysql)
{
    self->mysql = mysql;
}

void
dp_feed_tables_forget (dp_feed_tables_t *self)
{
    zhashx_purge (self->tables);
}

//  Read the table's columns in order; NULL with err filled.
static dp_feed_table_t *
s_read (dp_feed_tables_t *self, const char *name, char *err, size_t err_len)
{
    if (!self->mysql) {
        snprintf (err, err_len, "no connection to read the columns of %s", name);
        return NULL;
    }
    char db [130], table [130];
    if (strlen (self->database) > 64 || strlen (name) > 64) {
        snprintf (err, err_len, "table name too long");
        return NULL;
    }
    mysql_real_escape_string (self->mysql, db, self->database, strlen (self->database));
    mysql_real_escape_string (self->mysql, table, name, strlen (name));
    char sql [512];
    snprintf (sql, sizeof sql,
        "SELECT COLUMN_NAME, COLUMN_KEY = 'PRI' FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' ORDER BY ORDINAL_POSITION", db, table);
    MYSQL_RES *res;
    if (mysql_query (self->mysql, sql) || !(res = mysql_store_result (self->mysql))) {
        snprintf (err, err_len, "columns of %s: %s", name, mysql_error (self->mysql));
        return NULL;
    }
    dp_feed_table_t *t = zmalloc (sizeof *t);
    t->name = strdup (name);
    t->base = -1;
    t->n_columns = mysql_num_rows (res);
    t->columns = zmalloc ((t->n_columns ? t->n_columns : 1) * sizeof (char *));
    int source_base = -1;
    MYSQL_ROW row;
    for (size_t i = 0; (row = mysql_fetch_row (res)); i++) {
        t->columns [i] = strdup (row [0]);
        if (streq (row [1], "1") && t->n_key < DP_CHANGE_MAX_KEY)
            t->key [t->n_key++] = i;
        if (streq (row [0], "camp_id"))
            t->base = (int) i;
        if (streq (row [0], "source_base_id"))
            source_base = (int) i;
    }
    mysql_free_result (res);
    if (t->base < 0)
        t->base = source_base;
    return t;
}

const dp_feed_table_t *
dp_feed_tables_get (dp_feed_tables_t *self, const char *name, size_t n_columns,
                    char *err, size_t err_len)
{
    dp_feed_table_t *t = zhashx_lookup (self->tables, name);
    if (t && t->n_columns == n_columns)
        return t;
    zhashx_delete (self->tables, name);
    if (!(t = s_read (self, name, err, err_len)))
        return NULL;
    zhashx_insert (self->tables, name, t);
    if (t->n_columns != n_columns) {
        snprintf (err, err_len, "%s has %zu columns, its row event %zu", name, t->n_columns, n_columns);
        return NULL;
    }
    return t;
}
