/*  =========================================================================
    dp_db_charset - which strings a column's character set can hold

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Sessions talk utf8mb4, but a column may be narrower: boxtribute's
    tables are utf8mb3, which has no four-byte characters. MariaDB refuses
    to compare such a column with a string holding a character it cannot
    convert ("Illegal mix of collations"), although no row could match.
    This class knows the repertoire of the character sets Depot meets, and
    the character set of every column a lookup compares with a string key,
    as read from the live database when a connection is set up. A key the
    column cannot hold is known to match nothing, without SQL. The string
    columns of the tables transactions write (proto/dp_tables.h) are read
    too: a STMT condition's value such a column cannot hold is left out of
    its IN list, so `box_id IN ('<emoji>')` matches nothing instead of
    failing the transaction.
@discuss
    A character set this class does not know reads as UNKNOWN: every valid
    UTF-8 key is left to MariaDB, as before. A key that is not valid UTF-8
    can match no row in any column (the session cannot even send it).
@end
*/
#ifndef DP_DB_CHARSET_H_INCLUDED
#define DP_DB_CHARSET_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_catalog.h"
#include "dp_sql_catalog.h"
#include "dp_tables.h"

typedef enum {
    DP_CHARSET_UNKNOWN,         //  not read, or not known here: MariaDB decides
    DP_CHARSET_UNICODE,         //  utf8mb4, utf16, utf32, binary: every character
    DP_CHARSET_UTF8MB3,         //  utf8mb3 (utf8), ucs2: the Basic Multilingual Plane
    DP_CHARSET_LATIN1,          //  MariaDB's latin1, which is cp1252
    DP_CHARSET_ASCII
} dp_charset_t;

//  The character set of MariaDB's name for it (CHARACTER_SET_NAME).
dp_charset_t dp_charset_named (const char *name);

//  True when text [0..len) is valid UTF-8 whose every character charset
//  can hold.
bool dp_charset_holds (dp_charset_t charset, const char *text, size_t len);

//  The character sets of the key columns of the lookup queries, by query,
//  and of the columns of the STMT tables, by table and column.
typedef struct {
    dp_charset_t of_lookup [DP_QUERY_COUNT];
    dp_charset_t of_table [DP_TABLE_COUNT][64];
    bool joinable [DP_QUERY_COUNT];     //  utf8mb4 or utf8mb3: see dp_db_charsets_may_join
} dp_db_charsets_t;

//  Every column UNKNOWN.
void dp_db_charsets_init (dp_db_charsets_t *self);

//  Append the statement that reads the key columns' and the STMT tables'
//  string columns' character sets from information_schema: rows [table,
//  column, character set name].
void dp_db_charsets_build_sql (dp_sql_t *sql);

//  Record one row of that statement.
void dp_db_charsets_read_row (dp_db_charsets_t *self, const char *table, const char *column,
                              const char *charset_name);

//  False when the string key of a lookup query cannot match any row: its
//  column cannot hold one of its characters, or it is not valid UTF-8.
bool dp_db_charsets_may_match (const dp_db_charsets_t *self, uint32_t query,
                               const char *key, size_t len);

//  False when a string value of a STMT condition on column `column` of
//  table `table` (proto/dp_tables.h ids) cannot match any row, as above.
bool dp_db_charsets_column_may_match (const dp_db_charsets_t *self, uint32_t table,
                                      uint32_t column, const char *text, size_t len);
//  True when several keys of a lookup query may share one statement
//  (dp_sql_build_lookups): its column is utf8mb4 or utf8mb3, which a
//  derived table's utf8mb4 key column is converted to without loss once
//  dp_db_charsets_may_match passed (MariaDB refuses to join a latin1 column
//  with a non-ASCII one, and converts a character a column cannot hold to
//  '?', which would match a '?' row). Unknown: false, each runs alone.
bool dp_db_charsets_may_join (const dp_db_charsets_t *self, uint32_t query);

//  Selftest (no database needed).
void dp_db_charset_test (bool verbose);

#endif
