/*  =========================================================================
    dp_db_charset - which strings a column's character set can hold

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Strict UTF-8 decoding (no overlong forms, no surrogates, nothing above
    U+10FFFF) and the repertoire of each known character set.
@discuss
    MariaDB's latin1 is Windows-1252, with its five unassigned bytes mapped
    to the C1 controls of the same number; so it holds U+0000..U+00FF except
    the 27 C1 positions cp1252 gives to other characters, plus those.
@end
*/
#include "dp_db_charset.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

dp_charset_t
dp_charset_named (const char *name)
{
    static const struct {
        const char *name;
        dp_charset_t charset;
    } s_known [] = {
        { "utf8mb4", DP_CHARSET_UNICODE }, { "utf16", DP_CHARSET_UNICODE },
        { "utf16le", DP_CHARSET_UNICODE }, { "utf32", DP_CHARSET_UNICODE },
        { "binary", DP_CHARSET_UNICODE },
        { "utf8mb3", DP_CHARSET_UTF8MB3 }, { "utf8", DP_CHARSET_UTF8MB3 },
        { "ucs2", DP_CHARSET_UTF8MB3 },
        { "latin1", DP_CHARSET_LATIN1 }, { "ascii", DP_CHARSET_ASCII },
    };
    for (size_t i = 0; name && i < sizeof s_known / sizeof s_known [0]; i++)
        if (strcmp (name, s_known [i].name) == 0)
            return s_known [i].charset;
    return DP_CHARSET_UNKNOWN;
}

//  Decode the UTF-8 character at text [*at]; returns its code point and
//  moves *at past it, or returns -1 when the bytes there are not UTF-8.
static int32_t
s_next_code_point (const unsigned char *text, size_t len, size_t *at)
{
    unsigned char lead = text [*at];
    size_t extra;
    int32_t code, least;
    if (lead < 0x80) {
        (*at)++;
        return lead;
    }
    if (lead >= 0xC2 && lead <= 0xDF) { extra = 1; code = lead & 0x1F; least = 0x80; }
    else
    if (lead >= 0xE0 && lead <= 0xEF) { extra = 2; code = lead & 0x0F; least = 0x800; }
    else
    if (lead >= 0xF0 && lead <= 0xF4) { extra = 3; code = lead & 0x07; least = 0x10000; }
    else
        return -1;
    if (len - *at <= extra)
        return -1;
    for (size_t i = 1; i <= extra; i++) {
        unsigned char next = text [*at + i];
        if ((next & 0xC0) != 0x80)
            return -1;
        code = (code << 6) | (next & 0x3F);
    }
    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return -1;
    *at += extra + 1;
    return code;
}

//  Windows-1252 at 0x80..0x9F: the characters it puts there.
static bool
s_latin1_holds (int32_t code)
{
    static const int32_t s_cp1252 [] = {
        0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x017D, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x017E, 0x0178
    };
    if (code < 0x80 || (code >= 0xA0 && code <= 0xFF))
        return true;
    if (code == 0x81 || code == 0x8D || code == 0x8F || code == 0x90 || code == 0x9D)
        return true;
    for (size_t i = 0; i < sizeof s_cp1252 / sizeof s_cp1252 [0]; i++)
        if (s_cp1252 [i] == code)
            return true;
    return false;
}

bool
dp_charset_holds (dp_charset_t charset, const char *text, size_t len)
{
    assert (text || len == 0);
    const unsigned char *bytes = (const unsigned char *) text;
    size_t at = 0;
    while (at < len) {
        int32_t code = s_next_code_point (bytes, len, &at);
        if (code < 0)
            return false;
        if ((charset == DP_CHARSET_UTF8MB3 && code > 0xFFFF)
        ||  (charset == DP_CHARSET_LATIN1 && !s_latin1_holds (code))
        ||  (charset == DP_CHARSET_ASCII && code > 0x7F))
            return false;
    }
    return true;
}

void
dp_db_charsets_init (dp_db_charsets_t *self)
{
    assert (self);
    for (size_t q = 0; q < DP_QUERY_COUNT; q++) {
        self->of_lookup [q] = DP_CHARSET_UNKNOWN;
        self->joinable [q] = false;
    }
    for (size_t t = 0; t < DP_TABLE_COUNT; t++)
        for (size_t c = 0; c < 64; c++)
            self->of_table [t][c] = DP_CHARSET_UNKNOWN;
}

void
dp_db_charsets_build_sql (dp_sql_t *sql)
{
    assert (sql);
    //  Names from the static catalog only, never from the wire.
    dp_sql_append (sql, "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME"
                        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND (");
    const char *separator = "";
    for (uint32_t q = 0; q < DP_QUERY_COUNT; q++) {
        const dp_sql_key_column_t *key = dp_sql_lookup_key (q);
        if (!key)
            continue;
        dp_sql_printf (sql, "%s(TABLE_NAME = '%s' AND COLUMN_NAME = '%s')",
                       separator, key->table, key->column);
        separator = " OR ";
    }
    for (uint32_t t = 0; t < DP_TABLE_COUNT; t++) {
        const dp_table_t *table = dp_table (t);
        for (size_t c = 0; c < table->n_columns; c++)
            if (table->columns [c].type == DP_COLTYPE_STR) {
                dp_sql_printf (sql, "%s(TABLE_NAME = '%s' AND COLUMN_NAME = '%s')",
                               separator, table->name, table->columns [c].name);
                separator = " OR ";
            }
    }
    dp_sql_append (sql, ")");
}

void
dp_db_charsets_read_row (dp_db_charsets_t *self, const char *table, const char *column,
                         const char *charset_name)
{
    assert (self);
    assert (table && column);
    dp_charset_t charset = dp_charset_named (charset_name);
    if (charset == DP_CHARSET_UNKNOWN)
        dp_warn ("db: column %s.%s has character set %s, which Depot does not know: keys with"
                 " characters it cannot hold may fail", table, column,
                 charset_name ? charset_name : "(none)");
    for (uint32_t q = 0; q < DP_QUERY_COUNT; q++) {
        const dp_sql_key_column_t *key = dp_sql_lookup_key (q);
        if (key && strcmp (key->table, table) == 0 && strcmp (key->column, column) == 0) {
            self->of_lookup [q] = charset;
            self->joinable [q] = charset_name
                && (strcmp (charset_name, "utf8mb4") == 0 || strcmp (charset_name, "utf8mb3") == 0
                ||  strcmp (charset_name, "utf8") == 0);
        }
    }
    for (uint32_t t = 0; t < DP_TABLE_COUNT; t++) {
        const dp_table_t *described = dp_table (t);
        if (strcmp (described->name, table) != 0)
            continue;
        for (size_t c = 0; c < described->n_columns; c++)
            if (strcmp (described->columns [c].name, column) == 0)
                self->of_table [t][c] = charset;
    }
}

bool
dp_db_charsets_may_join (const dp_db_charsets_t *self, uint32_t query)
{
    assert (self);
    return query < DP_QUERY_COUNT && self->joinable [query];
}

bool
dp_db_charsets_may_match (const dp_db_charsets_t *self, uint32_t query,
                          const char *key, size_t len)
{
    assert (self);
    if (query >= DP_QUERY_COUNT)
        return true;
    return dp_charset_holds (self->of_lookup [query], key, len);
}

bool
dp_db_charsets_column_may_match (const dp_db_charsets_t *self, uint32_t table, uint32_t column,
                                 const char *text, size_t len)
{
    assert (self);
    if (table >= DP_TABLE_COUNT || column >= 64)
        return true;
    return dp_charset_holds (self->of_table [table][column], text, len);
}

//  ==========================================================================
//  Selftest

void
dp_db_charset_test (bool verbose)
{
    printf (" * dp_db_charset: ");
    if (verbose)
        printf ("\n");

    assert (dp_charset_named ("utf8mb3") == DP_CHARSET_UTF8MB3);
    assert (dp_charset_named ("utf8") == DP_CHARSET_UTF8MB3);
    assert (dp_charset_named ("utf8mb4") == DP_CHARSET_UNICODE);
    assert (dp_charset_named ("latin1") == DP_CHARSET_LATIN1);
    assert (dp_charset_named ("koi8r") == DP_CHARSET_UNKNOWN);
    assert (dp_charset_named (NULL) == DP_CHARSET_UNKNOWN);

    const char *box = "\xF0\x9F\x93\xA6";           //  U+1F4E6, four bytes
    const char *euro = "\xE2\x82\xAC";              //  U+20AC, three bytes
    const char *a_macron = "\xC4\x80";              //  U+0100
    dp_charset_t every [] = { DP_CHARSET_UNKNOWN, DP_CHARSET_UNICODE, DP_CHARSET_UTF8MB3,
                              DP_CHARSET_LATIN1, DP_CHARSET_ASCII };
    for (size_t i = 0; i < sizeof every / sizeof every [0]; i++) {
        assert (dp_charset_holds (every [i], "", 0));
        assert (dp_charset_holds (every [i], "abc-123", 7));
        //  Not UTF-8: a stray continuation byte, a truncated sequence, an
        //  overlong '/', a surrogate, a code point past U+10FFFF.
        assert (!dp_charset_holds (every [i], "\x80", 1));
        assert (!dp_charset_holds (every [i], box, 3));
        assert (!dp_charset_holds (every [i], "\xC0\xAF", 2));
        assert (!dp_charset_holds (every [i], "\xED\xA0\x80", 3));
        assert (!dp_charset_holds (every [i], "\xF4\x90\x80\x80", 4));
    }
    assert (dp_charset_holds (DP_CHARSET_UNICODE, box, 4));
    assert (dp_charset_holds (DP_CHARSET_UNKNOWN, box, 4));
    assert (!dp_charset_holds (DP_CHARSET_UTF8MB3, box, 4));
    assert (dp_charset_holds (DP_CHARSET_UTF8MB3, euro, 3));
    assert (dp_charset_holds (DP_CHARSET_LATIN1, euro, 3));
    assert (!dp_charset_holds (DP_CHARSET_LATIN1, a_macron, 2));
    assert (dp_charset_holds (DP_CHARSET_LATIN1, "\xC3\xA9", 2));   //  é
    assert (!dp_charset_holds (DP_CHARSET_ASCII, "\xC3\xA9", 2));
    //  A NUL is a character like any other.
    assert (dp_charset_holds (DP_CHARSET_ASCII, "a\0b", 3));

    //  The key columns of the lookups, as information_schema names them.
    dp_sql_t sql;
    dp_sql_init (&sql);
    dp_db_charsets_build_sql (&sql);
    if (verbose)
        printf ("    %s\n", sql.data);
    assert (strstr (sql.data, "(TABLE_NAME = 'stock' AND COLUMN_NAME = 'box_id')"));
    assert (strstr (sql.data, " OR (TABLE_NAME = 'qr' AND COLUMN_NAME = 'code')"));
    //  The STMT tables' string columns, not their numbers or dates.
    assert (strstr (sql.data, " OR (TABLE_NAME = 'stock' AND COLUMN_NAME = 'comments')"));
    assert (strstr (sql.data, " OR (TABLE_NAME = 'tags' AND COLUMN_NAME = 'label')"));
    assert (!strstr (sql.data, "COLUMN_NAME = 'items'"));
    assert (!strstr (sql.data, "COLUMN_NAME = 'created'"));
    dp_sql_destroy (&sql);

    dp_db_charsets_t charsets;
    dp_db_charsets_init (&charsets);
    assert (dp_db_charsets_may_match (&charsets, DP_QUERY_box_by_label, box, 4));
    dp_db_charsets_read_row (&charsets, "stock", "box_id", "utf8mb3");
    dp_db_charsets_read_row (&charsets, "qr", "code", "utf8mb4");
    dp_db_charsets_read_row (&charsets, "stock", "comments", "ascii");     //  no lookup's key
    assert (!dp_db_charsets_may_match (&charsets, DP_QUERY_box_by_label, box, 4));
    assert (dp_db_charsets_may_match (&charsets, DP_QUERY_box_by_label, "12345678", 8));
    assert (dp_db_charsets_may_match (&charsets, DP_QUERY_qr_by_code, box, 4));
    assert (!dp_db_charsets_may_match (&charsets, DP_QUERY_qr_by_code, "\xFF", 1));
    assert (dp_db_charsets_may_match (&charsets, DP_QUERY_COUNT, box, 4));
    //  STMT columns: stock.box_id was read above as utf8mb3, qr.code as utf8mb4.
    assert (!dp_db_charsets_column_may_match (&charsets, DP_TABLE_stock, DP_TCOL_stock_box_id, box, 4));
    assert (dp_db_charsets_column_may_match (&charsets, DP_TABLE_stock, DP_TCOL_stock_box_id, euro, 3));
    assert (dp_db_charsets_column_may_match (&charsets, DP_TABLE_qr, DP_TCOL_qr_code, box, 4));
    assert (!dp_db_charsets_column_may_match (&charsets, DP_TABLE_qr, DP_TCOL_qr_code, "\xFF", 1));
    assert (!dp_db_charsets_column_may_match (&charsets, DP_TABLE_stock, DP_TCOL_stock_comments, euro, 3));
    assert (dp_db_charsets_column_may_match (&charsets, DP_TABLE_COUNT, 0, box, 4));

    //  Keys share a statement on utf8mb4 and utf8mb3 columns only.
    assert (dp_db_charsets_may_join (&charsets, DP_QUERY_box_by_label));
    assert (dp_db_charsets_may_join (&charsets, DP_QUERY_qr_by_code));
    assert (!dp_db_charsets_may_join (&charsets, DP_QUERY_COUNT));
    dp_db_charsets_read_row (&charsets, "stock", "box_id", "latin1");
    dp_db_charsets_read_row (&charsets, "qr", "code", "koi8r");
    assert (!dp_db_charsets_may_join (&charsets, DP_QUERY_box_by_label));
    assert (!dp_db_charsets_may_join (&charsets, DP_QUERY_qr_by_code));
    dp_db_charsets_init (&charsets);
    assert (!dp_db_charsets_may_join (&charsets, DP_QUERY_box_by_label));

    printf ("OK\n");
}
