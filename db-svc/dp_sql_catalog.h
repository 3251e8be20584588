/*  =========================================================================
    dp_sql_catalog - the SQL behind every loader and root query of db-svc

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    proto/dp_catalog.h says which loaders and root queries exist and
    which columns each returns, with their wire types. This class says how
    MariaDB computes them: per loader the key expression, FROM/JOIN, extra
    WHERE, GROUP BY, ORDER BY and one SQL expression per catalog column;
    per root query the statements it takes. SQL text is only ever built
    here, from these tables plus integers rendered with %lld and dates
    validated digit by digit: nothing from the wire is pasted into SQL.
@discuss
    The positional arguments of the root queries are documented at the top
    of dp_sql_catalog.c (proto/README.md copies that text).
    dp_sql_t is a growable text buffer the caller embeds (_init/_destroy,
    msgpack-c style); out of memory aborts.
@end
*/
#ifndef DP_SQL_CATALOG_H_INCLUDED
#define DP_SQL_CATALOG_H_INCLUDED

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "dp_catalog.h"
#include "dp_msg.h"
#include "dp_arena.h"

//  -------------------------------------------------------------------------
//  SQL text buffer

typedef struct {
    char *data;                 //  NUL-terminated text, NULL until the first append
    size_t len;                 //  bytes of text, without the NUL
    size_t cap;                 //  bytes allocated
} dp_sql_t;

//  Initialise an embedded buffer (empty).
void dp_sql_init (dp_sql_t *self);

//  Free the text; the buffer is empty and may be used again.
void dp_sql_destroy (dp_sql_t *self);

//  Append a NUL-terminated string.
void dp_sql_append (dp_sql_t *self, const char *text);

//  Append printf-style text.
void dp_sql_printf (dp_sql_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Append "v1,v2,...": integers rendered as decimal text.
void dp_sql_append_ints (dp_sql_t *self, const int64_t *values, size_t count);

//  Parse a date or datetime from the wire into out as "YYYY-MM-DD" or
//  "YYYY-MM-DD HH:MM:SS" (also accepts 'T' for ' ' and a "Z" or "+00:00"
//  suffix). Returns 0, or -1 when text is anything else: out then holds
//  only digits, '-', ':' and ' ', safe to paste between quotes.
int dp_sql_parse_datetime (const char *text, size_t len, char out [20]);

//  Append 'text' as a quoted SQL string literal, escaped by the connector
//  (backslash escapes; sessions run without NO_BACKSLASH_ESCAPES).
void dp_sql_append_quoted (dp_sql_t *self, const char *text, size_t len);

//  A table's column, by name.
typedef struct {
    const char *table;
    const char *column;
} dp_sql_key_column_t;

//  The column a lookup query compares its string key with, or NULL when
//  query is not a lookup. Borrowed, static.
const dp_sql_key_column_t *dp_sql_lookup_key (uint32_t query);

//  A lookup by a string key (box_by_label, qr_by_code): args [key:str].
//  Builds `SELECT <id>, <columns> FROM <table> WHERE <key column> = '<key>'`
//  with the key escaped. Returns 0, or -1 with err filled when the query is
//  not a lookup, the arguments are wrong or the mask names no column.
int dp_sql_build_lookup (dp_sql_t *sql, uint32_t query, uint64_t mask, const dp_val_t *args,
                         uint32_t n_args, char *err, size_t err_len);

//  The lookups of several keys of one lookup query in one statement
//  (dp_db_queue's coalescing): rows [i, id, columns of mask] for every row
//  whose key column matches *keys [i], as MariaDB matches a literal under
//  the column's collation; the first row of each i is the one the single
//  lookup's LIMIT 1 answers. Only for a column whose character set holds
//  every key (else MariaDB converts the keys lossily or refuses them: see
//  dp_db_charsets_may_join). n_keys > 0. Returns 0, or -1 with err filled
//  as dp_sql_build_lookup.
int dp_sql_build_lookups (dp_sql_t *sql, uint32_t query, uint64_t mask, const dp_val_t *const *keys,
                          size_t n_keys, char *err, size_t err_len);

//  -------------------------------------------------------------------------
//  Loaders

typedef struct {
    const char *name;               //  the loader's name in dp_catalog.h
    const char *key;                //  SQL expression of the key (first result column)
    const char *from;               //  tables and joins
    const char *where;              //  extra conjunct, or NULL
    const char *group_by;           //  or NULL
    const char *order_by;           //  or NULL
    const char *const *columns;     //  SQL expression of each catalog column
    size_t n_columns;               //  equals the catalog's column count
    const char *sql_template;       //  whole statement with {keys} for the key list, or
                                    //  NULL; such a loader answers only the full mask
} dp_sql_loader_t;

//  Returns a borrowed pointer to the static SQL description of a loader,
//  or NULL when id is unknown (wire input is hostile).
const dp_sql_loader_t *dp_sql_loader (uint32_t id);

//  Sort keys and remove duplicates in place; returns the new count.
size_t dp_sql_unique_keys (int64_t *keys, size_t count);

//  Append to sql the SELECT answering keys [0..n_keys) of loader with the
//  columns of mask (bit i = catalog column i): rows are [key, columns in
//  catalog order]. n_keys must be > 0. Returns 0, or -1 when mask names a
//  column the loader does not have (sql unchanged).
int dp_sql_build_load (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
                       const int64_t *keys, size_t n_keys);

//  Append to sql the SELECT answering a LOAD keyed by a lookup (proto
//  README, LOAD's key_lookup): the rows of loader whose key is column
//  `column` of the row the lookup `query` finds for arg, a subquery in
//  place of the key list. Only for a lookup by a unique key (box_by_label)
//  and an integer column. Returns 0, or -1 with err filled (400).
int dp_sql_build_load_by_lookup (dp_sql_t *sql, const dp_sql_loader_t *loader, uint64_t mask,
                                 uint32_t query, const char *arg, size_t arg_len, uint32_t column,
                                 char *err, size_t err_len);

//  Fill types with the wire type of each result column of a LOAD or of the
//  boxes_page query (key INT, then the columns of mask) and return their
//  count; types must hold 65 entries. Returns 0 when mask is invalid for
//  entry (a dp_catalog_loader or dp_catalog_query entry).
size_t dp_sql_result_types (const dp_catalog_entry_t *entry, uint64_t mask,
                            dp_coltype_t *types);

//  -------------------------------------------------------------------------
//  Root queries boxes_page, boxes_count, boxes_has_previous

typedef struct {
    const int64_t *ids;             //  NULL when the filter is absent
    size_t count;
} dp_sql_ids_t;

typedef struct {
    int64_t base_id;
    int64_t limit;                  //  rows wanted (boxes_page); -1 when nil
    bool has_cursor;                //  after_id given
    bool backward;                  //  boxes_page: the rows before the cursor
    int64_t after_id;
    bool after_modified_nil;        //  the cursor row's modified is NULL or zero
    char after_modified [20];       //  "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD")
    dp_sql_ids_t states;            //  box_state_id IN
    dp_sql_ids_t location_ids;      //  location_id IN
    dp_sql_ids_t gender_ids;        //  products.gender_id IN
    dp_sql_ids_t category_ids;      //  products.category_id IN
    dp_sql_ids_t product_ids;       //  product_id IN
    dp_sql_ids_t tag_ids;           //  any of these tags; an empty list matches nothing
    bool has_size;
    int64_t size_id;
    char modified_from [20];        //  "" when absent
    char modified_until [20];       //  "" when absent
} dp_sql_boxes_args_t;

//  An optional list of ints (value nil or an array of INT) into ids, copied
//  into arena; name says which argument in err. Returns 0, or -1 with err
//  filled.
int dp_sql_parse_ids (const dp_val_t *value, const char *name, dp_arena_t *arena,
                      dp_sql_ids_t *ids, char *err, size_t err_len);

//  Parse the positional QUERY arguments of the boxes queries into args;
//  id lists are copied into arena. Returns 0, or -1 with err filled when
//  the arguments are malformed (the caller answers 400).
int dp_sql_boxes_parse (uint32_t query, const dp_val_t *values, uint32_t n_values,
                        dp_arena_t *arena, dp_sql_boxes_args_t *args,
                        char *err, size_t err_len);

//  True when the filter can match no box (tag_ids = []): answer without SQL.
bool dp_sql_boxes_match_nothing (const dp_sql_boxes_args_t *args);

//  Append the first statement of boxes_page: the ids of the base's
//  locations (one INT column).
void dp_sql_build_base_locations (dp_sql_t *sql, const dp_sql_boxes_args_t *args);

//  Keep the location ids that pass the location_ids filter (all of them
//  when it is absent or empty); returns the new count.
size_t dp_sql_filter_locations (const dp_sql_boxes_args_t *args, int64_t *ids, size_t count);

//  Append the page statement: rows [stock.id, columns of mask] of the boxes
//  in locations [0..n) that pass the filter, after the cursor, ordered by
//  modified DESC, id DESC, LIMIT args->limit. n must be > 0 and mask valid.
void dp_sql_build_boxes_page (dp_sql_t *sql, const dp_sql_boxes_args_t *args, uint64_t mask,
                              const int64_t *locations, size_t n);

//  Append the COUNT(*) of the boxes of the base that pass the filter.
void dp_sql_build_boxes_count (dp_sql_t *sql, const dp_sql_boxes_args_t *args);

//  Append a one-row, one-column statement: 1 when a box of the same filter
//  comes before the cursor in page order, else 0. Requires a cursor.
void dp_sql_build_boxes_has_previous (dp_sql_t *sql, const dp_sql_boxes_args_t *args);

//  -------------------------------------------------------------------------
//  Root queries as db-svc runs them: one table entry per query id

//  How db-svc runs a root query and what it answers.
typedef enum {
    DP_SQL_QUERY_LOOKUP,        //  one statement by a string key: at most one row
                                //  [id, columns of mask]
    DP_SQL_QUERY_PAGE,          //  two statements: the base's locations, then the page
                                //  (dp_sql_build_boxes_page) [id, columns of mask]
    DP_SQL_QUERY_SCALAR,        //  one statement answering one row of one INT
    DP_SQL_QUERY_ROWS           //  one statement answering rows [0, every column of its
                                //  set]: a statistics cube (dp_sql_cubes.h)
} dp_sql_query_kind_t;

//  The arguments of a statistics cube (dp_sql_cubes.h).
typedef struct {
    int64_t base_id;
} dp_sql_cube_args_t;

//  The arguments of an organisation's metric (dp_sql_beneficiaries.h): its
//  period, dates "YYYY-MM-DD" ("" when not given).
typedef struct {
    int64_t organisation_id;
    char after [20];
    char before [20];
} dp_sql_metric_args_t;

//  The arguments of the stockOverview cube (dp_sql_stock_overview.h).
typedef struct {
    dp_sql_ids_t tag_ids;           //  any of these tags; NULL or empty: no filter
    dp_sql_ids_t excluded_tag_ids;  //  none of these tags; NULL or empty: no filter
} dp_sql_stock_args_t;
//  The arguments of the public endpoint's totals (dp_sql_public_numbers.h):
//  a span of UTC date-times, both ends included, as validated digits.
typedef struct {
    char start [20];            //  "YYYY-MM-DD HH:MM:SS"
    char end [20];
} dp_sql_span_args_t;

//  A root query's arguments, parsed.
typedef struct {
    uint32_t query;             //  the query id
    uint64_t mask;              //  the columns asked
    dp_val_t key;               //  lookups: the string key, borrowed from the message
    dp_sql_boxes_args_t boxes;  //  boxes queries
    dp_sql_cube_args_t cube;    //  statistics cubes
    dp_sql_metric_args_t metric;    //  an organisation's metrics (dp_sql_beneficiaries.h)
    dp_sql_stock_args_t stock;  //  the stockOverview cube
    dp_sql_span_args_t span;    //  the public endpoint's totals
} dp_sql_query_args_t;

typedef struct {
    dp_sql_query_kind_t kind;
    //  Read the positional arguments into args (query and mask are set);
    //  id lists are copied into arena. -1 with err filled: a bad request.
    int (*parse) (const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                  dp_sql_query_args_t *args, char *err, size_t err_len);
    //  True when the answer is known without SQL: no rows, or the INT 0.
    //  NULL: never.
    bool (*nothing) (const dp_sql_query_args_t *args);
    //  Append the first statement (the only one but for PAGE).
    void (*build) (dp_sql_t *sql, const dp_sql_query_args_t *args);
} dp_sql_query_t;

//  Returns a borrowed pointer to the static table entry of root query id,
//  or NULL when id is unknown (wire input is hostile).
const dp_sql_query_t *dp_sql_query (uint32_t id);

//  Parse QUERY arguments through self's entry into args. Returns 0, or -1
//  with err filled when they are malformed (the caller answers 400).
int dp_sql_query_parse (const dp_sql_query_t *self, uint32_t query, uint64_t mask,
                        const dp_val_t *values, uint32_t n_values, dp_arena_t *arena,
                        dp_sql_query_args_t *args, char *err, size_t err_len);

//  True when the parsed query's answer is known without SQL.
bool dp_sql_query_nothing (const dp_sql_query_t *self, const dp_sql_query_args_t *args);

//  Append the parsed query's first statement to sql.
void dp_sql_query_build (const dp_sql_query_t *self, dp_sql_t *sql,
                         const dp_sql_query_args_t *args);

//  Selftest: builds SQL and checks its text (no database needed).
void dp_sql_catalog_test (bool verbose);

#endif
