/*  =========================================================================
    dp_feed_tables - what the feed knows of a table: column names, key, base

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A row event names its table and carries values by position only (the
    server's default binlog_row_metadata=MINIMAL sends no column names), so
    the feed reads each table's columns from information_schema once, on its
    own connection, and again when a table map's column count differs (an
    ALTER TABLE) or after DDL (dp_feed_tables_forget).
    The base of a row is its camp_id (boxtribute's name for a base:
    locations, products, tags, people) or else its source_base_id
    (shipment, transfer_agreement_detail); other tables (stock, qr,
    tags_relations, shipment_detail) do not name their base in the row, and
    their changes carry none.
@end
*/
#ifndef DP_FEED_TABLES_H_INCLUDED
#define DP_FEED_TABLES_H_INCLUDED

#include "dp_change.h"
#include <mysql.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;
    size_t n_columns;
    char **columns;                     //  names by position
    size_t n_key;
    size_t key [DP_CHANGE_MAX_KEY];     //  positions of the primary key's columns
    int base;                           //  position of the base column, or -1
} dp_feed_table_t;

typedef struct _dp_feed_tables_t dp_feed_tables_t;

//  A cache of the tables of database, read over mysql (borrowed; the
//  caller reconnects it and calls dp_feed_tables_set_connection).
dp_feed_tables_t *dp_feed_tables_new (const char *database);
void dp_feed_tables_destroy (dp_feed_tables_t **self_p);
void dp_feed_tables_set_connection (dp_feed_tables_t *self, MYSQL *mysql);

//  The table called name with n_columns columns, read when unknown or of
//  another width. NULL with err filled when it could not be read, or when
//  its width still differs from n_columns.
const dp_feed_table_t *dp_feed_tables_get (dp_feed_tables_t *self, const char *name,
                                           size_t n_columns, char *err, size_t err_len);

//  Forget every table (after DDL).
void dp_feed_tables_forget (dp_feed_tables_t *self);

#endif
