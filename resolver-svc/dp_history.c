/*  =========================================================================
    dp_history - the rows of boxtribute's `history` table, as boxtribute writes them

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_history.h. The text of each row follows boxtribute's
    models/utils.py create_history_entries branch by branch; the numbers in
    it are rounded with a small decimal type (an integer mantissa and a
    power of ten) so that a DECIMAL read back from the database rounds as
    Python's Decimal rounds it, ties to even included.
@end
*/
#include "dp_history.h"
#include "dp_arena.h"
#include <assert.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128_t;

struct _dp_history_t {
    dp_arena_t *arena;          //  the rows' strings and the values handed out
    const char *table;
    int64_t user_id;
    const char *now;
    dp_val_t *cells;            //  n_rows * DP_HISTORY_COLS, row-major
    size_t n_rows;
    size_t capacity;            //  rows cells has room for
};

//  A decimal number mantissa * 10^exponent, as Python's Decimal holds one.
typedef struct {
    u128_t mantissa;
    int exponent;
} s_decimal_t;

//  Python's default decimal context keeps 28 significant digits.
#define S_DECIMAL_PRECISION 28

static dp_val_t
s_nil (void)
{
    return (dp_val_t) { .type = DP_VAL_NIL };
}

static dp_val_t
s_int (int64_t value)
{
    return (dp_val_t) { .type = DP_VAL_INT, .u.i = value };
}

static dp_val_t
s_double (double value)
{
    return (dp_val_t) { .type = DP_VAL_DOUBLE, .u.d = value };
}

static dp_val_t
s_str (dp_arena_t *arena, const char *text)
{
    size_t len = strlen (text);
    return (dp_val_t) {
        .type = DP_VAL_STR,
        .u.s = { .ptr = dp_arena_strndup (arena, text, len), .len = (uint32_t) len }
    };
}

static double
s_as_double (const dp_val_t *value)
{
    return value->type == DP_VAL_DOUBLE ? value->u.d : (double) value->u.i;
}

//  --------------------------------------------------------------------------
//  Decimal arithmetic, just enough for Python's round(Decimal, 2).

static int
s_digits (u128_t value)
{
    int digits = 1;
    while (value >= 10) {
        value /= 10;
        digits++;
    }
    return digits;
}

static u128_t
s_pow10 (int exponent)
{
    u128_t result = 1;
    while (exponent-- > 0)
        result *= 10;
    return result;
}

//  Drop `drop` trailing digits of value's mantissa, rounding half to even
//  (Python's decimal context default).
static s_decimal_t
s_decimal_drop (s_decimal_t value, int drop)
{
    if (drop <= 0)
        return value;
    if (drop > 38)
        return (s_decimal_t) { 0, value.exponent + drop };
    u128_t divisor = s_pow10 (drop);
    u128_t quotient = value.mantissa / divisor;
    u128_t remainder = value.mantissa % divisor;
    u128_t half = divisor / 2;
    if (remainder > half || (remainder == half && (quotient & 1)))
        quotient++;
    return (s_decimal_t) { quotient, value.exponent + drop };
}

//  The decimal a DECIMAL column held, from the double it was read as: the
//  shortest representation that reads back as the same double.
static s_decimal_t
s_decimal_from_stored (double value)
{
    assert (value >= 0 && isfinite (value));
    char text [40];
    for (int precision = 1; precision <= DBL_DECIMAL_DIG; precision++) {
        snprintf (text, sizeof text, "%.*e", precision - 1, value);
        if (strtod (text, NULL) == value)
            break;
    }
    //  text is "d.ddde+XX" (or "de+XX" at precision 1)
    s_decimal_t result = { 0, 0 };
    int fraction_digits = 0;
    bool in_fraction = false;
    const char *cursor = text;
    for (; *cursor && *cursor != 'e'; cursor++) {
        if (*cursor == '.') {
            in_fraction = true;
            continue;
        }
        result.mantissa = result.mantissa * 10 + (u128_t) (*cursor - '0');
        if (in_fraction)
            fraction_digits++;
    }
    result.exponent = atoi (cursor + 1) - fraction_digits;
    return result;
}

//  Python: Decimal * Decimal in a 28-digit context.
static s_decimal_t
s_decimal_multiply (s_decimal_t a, s_decimal_t b)
{
    s_decimal_t product = { a.mantissa * b.mantissa, a.exponent + b.exponent };
    if (product.mantissa == 0)
        return product;
    return s_decimal_drop (product, s_digits (product.mantissa) - S_DECIMAL_PRECISION);
}

//  Python: str (round (value, 2)).
static void
s_decimal_format_2 (s_decimal_t value, char *buf, size_t size)
{
    s_decimal_t cents = value;
    if (value.exponent < -2)
        cents = s_decimal_drop (value, -2 - value.exponent);
    else {
        cents.mantissa = value.mantissa * s_pow10 (value.exponent + 2);
        cents.exponent = -2;
    }
    //  print the mantissa in base 10, then place the decimal point
    char digits [48];
    int n = 0;
    u128_t rest = cents.mantissa;
    do {
        digits [n++] = (char) ('0' + (int) (rest % 10));
        rest /= 10;
    } while (rest);
    while (n < 3)
        digits [n++] = '0';
    size_t pos = 0;
    for (int i = n - 1; i >= 0 && pos + 2 < size; i--) {
        buf [pos++] = digits [i];
        if (i == 2)
            buf [pos++] = '.';
    }
    buf [pos] = '\0';
}

void
dp_history_format_number (double value, double factor, bool stored, char *buf, size_t size)
{
    assert (buf && size >= 8);
    //  Magnitudes beyond the 38 digits of the mantissa cannot come from a
    //  DECIMAL(36,18); printf's rounding (to even, on the binary value) is
    //  then as good as any.
    if (stored && value < 1e17 && factor < 1e17 && value >= 0 && factor >= 0) {
        s_decimal_t product = s_decimal_multiply (s_decimal_from_stored (value),
                                                  s_decimal_from_stored (factor));
        s_decimal_format_2 (product, buf, size);
    }
    else
        snprintf (buf, size, "%.2f", factor == 1.0 ? value : value * factor);
}

//  --------------------------------------------------------------------------

dp_history_t *
dp_history_new (const char *table, int64_t user_id, const char *now)
{
    assert (table && now);
    dp_history_t *self = calloc (1, sizeof *self);
    assert (self);
    self->arena = dp_arena_new (4096);
    assert (self->arena);
    self->table = dp_arena_strdup (self->arena, table);
    self->user_id = user_id;
    self->now = dp_arena_strdup (self->arena, now);
    return self;
}

void
dp_history_destroy (dp_history_t **self_p)
{
    assert (self_p);
    dp_history_t *self = *self_p;
    if (!self)
        return;
    free (self->cells);
    dp_arena_destroy (&self->arena);
    free (self);
    *self_p = NULL;
}

void
dp_history_set_table (dp_history_t *self, const char *table)
{
    assert (self && table);
    self->table = dp_arena_strdup (self->arena, table);
}

//  A new row with the columns every row shares; the caller fills changes
//  and the values.
static dp_val_t *
s_append (dp_history_t *self, int64_t record_id, const char *changes)
{
    if (self->n_rows == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 8;
        self->cells = realloc (self->cells, self->capacity * DP_HISTORY_COLS * sizeof (dp_val_t));
        assert (self->cells);
    }
    dp_val_t *row = self->cells + self->n_rows++ * DP_HISTORY_COLS;
    for (int col = 0; col < DP_HISTORY_COLS; col++)
        row [col] = s_nil ();
    row [DP_HISTORY_COL_TABLENAME] = s_str (self->arena, self->table);
    row [DP_HISTORY_COL_RECORD_ID] = s_int (record_id);
    row [DP_HISTORY_COL_CHANGES] = s_str (self->arena, changes);
    row [DP_HISTORY_COL_USER_ID] = s_int (self->user_id);
    row [DP_HISTORY_COL_CHANGEDATE] = s_str (self->arena, self->now);
    return row;
}

void
dp_history_created (dp_history_t *self, int64_t record_id)
{
    assert (self);
    s_append (self, record_id, DP_HISTORY_CREATED);
}

void
dp_history_deleted (dp_history_t *self, int64_t record_id)
{
    assert (self);
    s_append (self, record_id, DP_HISTORY_DELETED);
}

void
dp_history_qr_assigned (dp_history_t *self, int64_t box_id)
{
    assert (self);
    s_append (self, box_id, DP_HISTORY_QR_ASSIGNED);
}

bool
dp_history_changed (const dp_history_change_t *change)
{
    assert (change);
    const dp_val_t *a = &change->from, *b = &change->to;
    if (a->type == DP_VAL_NIL || b->type == DP_VAL_NIL)
        return a->type != b->type;
    if (a->type == DP_VAL_STR || b->type == DP_VAL_STR)
        return a->type != b->type || a->u.s.len != b->u.s.len
               || memcmp (a->u.s.ptr, b->u.s.ptr, a->u.s.len) != 0;
    if (a->type == DP_VAL_DOUBLE || b->type == DP_VAL_DOUBLE)
        return s_as_double (a) != s_as_double (b);
    return a->u.i != b->u.i;
}

//  Python's f"{value}" of a text field's value: None prints "None".
static char *
s_python_str (dp_arena_t *arena, const dp_val_t *value)
{
    switch (value->type) {
        case DP_VAL_NIL:
            return "None";
        case DP_VAL_STR:
            return (char *) value->u.s.ptr;
        case DP_VAL_INT:
        case DP_VAL_BOOL:
            return dp_arena_printf (arena, "%" PRId64, value->u.i);
        default:
            return dp_arena_printf (arena, "%.17g", value->u.d);
    }
}

//  One side of a number's message: '""' for None, else the rounded value
//  with its unit's symbol (or € for money): the number the client sent
//  (shown, times shown_factor) when given, else the stored one times factor.
static char *
s_number_text (dp_arena_t *arena, const dp_val_t *stored, const dp_val_t *shown,
               double shown_factor, double factor, const char *suffix)
{
    if (stored->type == DP_VAL_NIL)
        return "\"\"";
    char number [64];
    if (shown && shown->type != DP_VAL_NIL)
        dp_history_format_number (s_as_double (shown), shown_factor, false, number, sizeof number);
    else
        dp_history_format_number (s_as_double (stored), factor, true, number, sizeof number);
    return dp_arena_printf (arena, "%s%s", number, suffix);
}

static dp_val_t
s_float_or_nil (const dp_val_t *value)
{
    return value->type == DP_VAL_NIL ? s_nil () : s_double (s_as_double (value));
}

bool
dp_history_change (dp_history_t *self, int64_t record_id, const dp_history_change_t *change)
{
    assert (self && change && change->column);
    if (!dp_history_changed (change))
        return false;
    const dp_val_t *from = &change->from, *to = &change->to;
    dp_val_t *row;
    switch (change->kind) {
        case DP_HISTORY_INT:
            row = s_append (self, record_id, change->column);
            row [DP_HISTORY_COL_FROM_INT] = from->type == DP_VAL_NIL ? s_nil () : s_int (from->u.i);
            row [DP_HISTORY_COL_TO_INT] = to->type == DP_VAL_NIL ? s_nil () : s_int (to->u.i);
            break;
        case DP_HISTORY_TEXT:
            row = s_append (self, record_id, dp_arena_printf (
                self->arena, "%s changed from \"%s\" to \"%s\";", change->column,
                s_python_str (self->arena, from), s_python_str (self->arena, to)));
            break;
        case DP_HISTORY_MONEY: {
            //  boxtribute hard-codes the euro sign (Base.monetary_currency_code is not read)
            const char *old_text = s_number_text (self->arena, from, NULL, 1.0, 1.0, "€");
            const char *new_text = s_number_text (self->arena, to, &change->shown, 1.0, 1.0, "€");
            row = s_append (self, record_id, dp_arena_printf (
                self->arena, "changed monetary value from %s to %s", old_text, new_text));
            row [DP_HISTORY_COL_FROM_FLOAT] = s_float_or_nil (from);
            row [DP_HISTORY_COL_TO_FLOAT] = s_float_or_nil (to);
            break;
        }
        case DP_HISTORY_MEASURE:
        case DP_HISTORY_WEIGHT: {
            bool weight = change->kind == DP_HISTORY_WEIGHT;
            assert (from->type == DP_VAL_NIL || change->from_unit.symbol);
            assert (to->type == DP_VAL_NIL || change->to_unit.symbol);
            const char *old_text = s_number_text (self->arena, from, NULL, 1.0,
                                                  change->from_unit.factor, change->from_unit.symbol);
            //  measureValue is sent in its display unit already, weight in kg
            const char *new_text = s_number_text (self->arena, to, &change->shown,
                                                  weight ? change->to_unit.factor : 1.0,
                                                  change->to_unit.factor, change->to_unit.symbol);
            row = s_append (self, record_id, dp_arena_printf (
                self->arena, "changed %s from %s to %s", weight ? "weight" : "units of measure",
                old_text, new_text));
            row [DP_HISTORY_COL_FROM_FLOAT] = s_float_or_nil (from);
            row [DP_HISTORY_COL_TO_FLOAT] = s_float_or_nil (to);
            break;
        }
    }
    return true;
}

size_t
dp_history_size (dp_history_t *self)
{
    assert (self);
    return self->n_rows;
}

const dp_val_t *
dp_history_row (dp_history_t *self, size_t index)
{
    assert (self && index < self->n_rows);
    return self->cells + index * DP_HISTORY_COLS;
}

const dp_val_t *
dp_history_cells (dp_history_t *self)
{
    assert (self);
    return self->cells;
}

//  --------------------------------------------------------------------------
//  Selftest: each expected row is what boxtribute's code path writes, worked
//  out from models/utils.py (create_history_entries, _save_to_history) and
//  warehouse/qr_code/crud.py (create_qr_code); the function is named at each.

static void
s_expect_str (const dp_val_t *value, const char *expected)
{
    if (!expected) {
        if (value->type != DP_VAL_NIL) {
            fprintf (stderr, "dp_history: expected nil, got type %d\n", value->type);
            assert (false);
        }
        return;
    }
    if (value->type != DP_VAL_STR || strcmp (value->u.s.ptr, expected) != 0) {
        fprintf (stderr, "dp_history: expected '%s', got '%s'\n", expected,
                 value->type == DP_VAL_STR ? value->u.s.ptr : "(not a string)");
        assert (false);
    }
}

static void
s_expect_int (const dp_val_t *value, bool nil, int64_t expected)
{
    if (nil)
        assert (value->type == DP_VAL_NIL);
    else
        assert (value->type == DP_VAL_INT && value->u.i == expected);
}

static void
s_expect_number (double value, double factor, bool stored, const char *expected)
{
    char text [64];
    dp_history_format_number (value, factor, stored, text, sizeof text);
    if (strcmp (text, expected) != 0) {
        fprintf (stderr, "dp_history: %.17g x %.17g (%s) gave '%s', expected '%s'\n",
                 value, factor, stored ? "stored" : "sent", text, expected);
        assert (false);
    }
}

void
dp_history_test (bool verbose)
{
    if (verbose)
        printf (" * dp_history: ");

    //  round(Decimal(...), 2): a stored DECIMAL rounds its decimal digits
    //  half to even; Decimal(float) rounds the float's binary value.
    s_expect_number (12.5, 1.0, true, "12.50");
    s_expect_number (0.125, 1.0, true, "0.12");     //  tie, 2 is even
    s_expect_number (0.135, 1.0, true, "0.14");     //  tie, 3 is odd
    s_expect_number (0.155, 1.0, true, "0.16");     //  the decimal 0.155 is a tie
    s_expect_number (0.155, 1.0, false, "0.15");    //  the float 0.155 is below it
    s_expect_number (0.0, 1.0, true, "0.00");
    s_expect_number (1234567.891, 1.0, true, "1234567.89");
    s_expect_number (0.5, 1000.0, true, "500.00");  //  0.5 kg shown in g
    s_expect_number (0.1, 2.2046, true, "0.22");    //  Decimal 0.220460
    s_expect_number (0.000125, 1000.0, true, "0.12");   //  exact product 0.125: tie
    s_expect_number (0.0005, 35.274, true, "0.02");     //  0.017637
    s_expect_number (7.0, 1.0, false, "7.00");

    dp_history_t *history = dp_history_new ("stock", 3, "2026-12-04 10:11:12");
    assert (dp_history_size (history) == 0);

    //  _save_to_history (create_box): one row, no values
    dp_history_created (history, 42);
    const dp_val_t *row = dp_history_row (history, 0);
    s_expect_str (&row [DP_HISTORY_COL_TABLENAME], "stock");
    s_expect_int (&row [DP_HISTORY_COL_RECORD_ID], false, 42);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "Record created");
    s_expect_int (&row [DP_HISTORY_COL_USER_ID], false, 3);
    s_expect_str (&row [DP_HISTORY_COL_IP], NULL);
    s_expect_str (&row [DP_HISTORY_COL_CHANGEDATE], "2026-12-04 10:11:12");
    s_expect_int (&row [DP_HISTORY_COL_FROM_INT], true, 0);
    assert (row [DP_HISTORY_COL_FROM_FLOAT].type == DP_VAL_NIL);

    //  create_history_entries, IntegerField: changes = column name
    dp_history_change_t items = {
        .column = "items", .kind = DP_HISTORY_INT, .from = s_int (10), .to = s_int (4)
    };
    assert (dp_history_change (history, 42, &items));
    row = dp_history_row (history, 1);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "items");
    s_expect_int (&row [DP_HISTORY_COL_FROM_INT], false, 10);
    s_expect_int (&row [DP_HISTORY_COL_TO_INT], false, 4);

    //  equal values: no row (old_value == new_value: continue)
    items.to = s_int (10);
    assert (!dp_history_changed (&items));
    assert (!dp_history_change (history, 42, &items));
    assert (dp_history_size (history) == 2);

    //  ForeignKeyField to None (a size product becomes a measure product)
    dp_history_change_t size = {
        .column = "size_id", .kind = DP_HISTORY_INT, .from = s_int (52), .to = s_nil ()
    };
    assert (dp_history_change (history, 42, &size));
    row = dp_history_row (history, 2);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "size_id");
    s_expect_int (&row [DP_HISTORY_COL_FROM_INT], false, 52);
    s_expect_int (&row [DP_HISTORY_COL_TO_INT], true, 0);

    //  TextField: the quoted text; None prints as "None"
    dp_history_change_t comment = {
        .column = "comments", .kind = DP_HISTORY_TEXT,
        .from = { .type = DP_VAL_NIL },
        .to = { .type = DP_VAL_STR, .u.s = { "new \"one\"", 9 } }
    };
    assert (dp_history_change (history, 42, &comment));
    row = dp_history_row (history, 3);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "comments changed from \"None\" to \"new \"one\"\";");
    s_expect_int (&row [DP_HISTORY_COL_FROM_INT], true, 0);
    //  "" and None differ (the box's comment was NULL)
    comment.to = (dp_val_t) { .type = DP_VAL_STR, .u.s = { "", 0 } };
    assert (dp_history_changed (&comment));

    //  monetary_value: € and two places; from_float/to_float
    dp_history_change_t money = {
        .column = "monetary_value", .kind = DP_HISTORY_MONEY,
        .from = s_nil (), .to = s_double (2.5), .shown = s_double (2.5)
    };
    assert (dp_history_change (history, 42, &money));
    row = dp_history_row (history, 4);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "changed monetary value from \"\" to 2.50€");
    assert (row [DP_HISTORY_COL_FROM_FLOAT].type == DP_VAL_NIL);
    assert (row [DP_HISTORY_COL_TO_FLOAT].type == DP_VAL_DOUBLE && row [DP_HISTORY_COL_TO_FLOAT].u.d == 2.5);
    money.from = s_double (0.125);
    money.to = s_nil ();
    money.shown = s_nil ();
    dp_history_change (history, 42, &money);
    s_expect_str (&dp_history_row (history, 5) [DP_HISTORY_COL_CHANGES],
                  "changed monetary value from 0.12€ to \"\"");

    //  measure_value: stored in kg, shown in the display unit; the new value
    //  as sent (1.5 kg as 1500 g) and the old one as stored times its factor
    dp_history_change_t measure = {
        .column = "measure_value", .kind = DP_HISTORY_MEASURE,
        .from = s_double (0.5), .to = s_double (1.5), .shown = s_double (1500),
        .from_unit = { "kg", 1.0 }, .to_unit = { "g", 1000.0 }
    };
    assert (dp_history_change (history, 42, &measure));
    row = dp_history_row (history, 6);
    s_expect_str (&row [DP_HISTORY_COL_CHANGES], "changed units of measure from 0.50kg to 1500.00g");
    assert (row [DP_HISTORY_COL_FROM_FLOAT].u.d == 0.5 && row [DP_HISTORY_COL_TO_FLOAT].u.d == 1.5);
    //  to None (the box becomes a size product)
    measure.to = s_nil ();
    measure.shown = s_nil ();
    dp_history_change (history, 42, &measure);
    s_expect_str (&dp_history_row (history, 7) [DP_HISTORY_COL_CHANGES],
                  "changed units of measure from 0.50kg to \"\"");

    //  weight: in kg, its display unit kg
    dp_history_change_t weight = {
        .column = "weight", .kind = DP_HISTORY_WEIGHT,
        .from = s_double (12.0), .to = s_double (7.25), .shown = s_double (7.25),
        .from_unit = { "kg", 1.0 }, .to_unit = { "kg", 1.0 }
    };
    dp_history_change (history, 42, &weight);
    s_expect_str (&dp_history_row (history, 8) [DP_HISTORY_COL_CHANGES],
                  "changed weight from 12.00kg to 7.25kg");

    //  another table in the same mutation (createBox with newTagNames)
    dp_history_set_table (history, "tags");
    dp_history_created (history, 7);
    s_expect_str (&dp_history_row (history, 9) [DP_HISTORY_COL_TABLENAME], "tags");

    //  create_qr_code with a box, and safely_handle_deletion
    dp_history_set_table (history, "stock");
    dp_history_qr_assigned (history, 42);
    s_expect_str (&dp_history_row (history, 10) [DP_HISTORY_COL_CHANGES],
                  "New Qr-code assigned by pdf generation.");
    dp_history_deleted (history, 42);
    s_expect_str (&dp_history_row (history, 11) [DP_HISTORY_COL_CHANGES], "Record deleted");

    //  one STMT INSERT's values: rows of DP_HISTORY_COLS values, every
    //  column of history but id
    assert (__builtin_popcountll (DP_HISTORY_COLUMNS) == DP_HISTORY_COLS);
    assert (!(DP_HISTORY_COLUMNS & DP_TBIT (history, id)));
    const dp_val_t *cells = dp_history_cells (history);
    s_expect_str (&cells [1 * DP_HISTORY_COLS + DP_HISTORY_COL_CHANGES], "items");
    s_expect_str (&cells [11 * DP_HISTORY_COLS + DP_HISTORY_COL_CHANGES], "Record deleted");

    dp_history_destroy (&history);
    assert (history == NULL);
    dp_history_destroy (&history);

    if (verbose)
        printf ("OK\n");
}
