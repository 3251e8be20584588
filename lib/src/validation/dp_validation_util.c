/*  =========================================================================
    dp_validation_util - strings, suggestions, printing, maps and type
    comparisons for the validation rules

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The pieces of graphql-js the rules' messages depend on, reimplemented
    to give the same text: print() of values and types (printString and
    printBlockString included), String(type), didYouMean, suggestionList
    with its lexical distance, naturalCompare; plus the type comparators
    (isTypeSubTypeOf, doTypesOverlap) and two small hash maps.
@discuss
    JavaScript strings count UTF-16 code units; the few places where a
    length decides something (the suggestion threshold, the 70-character
    rule of block strings) count the same way here.
@end
*/
#include "dp_validation.h"
#include "dp_log.h"
#include "dp_printer.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

//  ---------------------------------------------------------------------
//  String builder

void
dp_vstr_init (dp_vstr_t *self)
{
    self->cap = 64;
    self->len = 0;
    self->data = malloc (self->cap);
    if (!self->data)
        dp_fatal ("out of memory");
    self->data [0] = 0;
}

void
dp_vstr_release (dp_vstr_t *self)
{
    free (self->data);
    self->data = NULL;
    self->len = self->cap = 0;
}

void
dp_vstr_clear (dp_vstr_t *self)
{
    self->len = 0;
    self->data [0] = 0;
}

static void
s_vstr_reserve (dp_vstr_t *self, size_t more)
{
    if (self->len + more + 1 <= self->cap)
        return;
    size_t cap = self->cap * 2;
    while (cap < self->len + more + 1)
        cap *= 2;
    char *data = realloc (self->data, cap);
    if (!data)
        dp_fatal ("out of memory");
    self->data = data;
    self->cap = cap;
}

void
dp_vstr_addn (dp_vstr_t *self, const char *text, size_t len)
{
    s_vstr_reserve (self, len);
    memcpy (self->data + self->len, text, len);
    self->len += len;
    self->data [self->len] = 0;
}

void
dp_vstr_add (dp_vstr_t *self, const char *text)
{
    dp_vstr_addn (self, text, strlen (text));
}

void
dp_vstr_addf (dp_vstr_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    va_list copy;
    va_copy (copy, args);
    int n = vsnprintf (NULL, 0, fmt, copy);
    va_end (copy);
    assert (n >= 0);
    s_vstr_reserve (self, (size_t) n);
    vsnprintf (self->data + self->len, (size_t) n + 1, fmt, args);
    va_end (args);
    self->len += (size_t) n;
}

//  ---------------------------------------------------------------------
//  UTF-8 / UTF-16

//  Decode one UTF-8 sequence at text (the lexer gave valid UTF-8);
//  returns the code point and sets *size.
static uint32_t
s_decode (const unsigned char *text, size_t len, size_t *size)
{
    unsigned char c = text [0];
    if (c < 0x80 || len < 2) {
        *size = 1;
        return c;
    }
    if (c < 0xE0 || len < 3) {
        *size = 2;
        return ((uint32_t) (c & 0x1F) << 6) | (text [1] & 0x3F);
    }
    if (c < 0xF0 || len < 4) {
        *size = 3;
        return ((uint32_t) (c & 0x0F) << 12) | ((uint32_t) (text [1] & 0x3F) << 6) | (text [2] & 0x3F);
    }
    *size = 4;
    return ((uint32_t) (c & 0x07) << 18) | ((uint32_t) (text [1] & 0x3F) << 12)
         | ((uint32_t) (text [2] & 0x3F) << 6) | (text [3] & 0x3F);
}

size_t
dp_utf16_length (const char *text, size_t len)
{
    size_t units = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text [i];
        if ((c & 0xC0) == 0x80)
            continue;               //  continuation byte
        units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

//  The UTF-16 code units of text lower-cased as JavaScript's
//  toLowerCase does for what can matter here: ASCII letters, Latin-1
//  capitals, KELVIN SIGN (to 'k') and CAPITAL I WITH DOT (to i + U+0307).
//  Other code units are kept: GraphQL names are ASCII, so a non-ASCII
//  character never matches an option either way.
static size_t
s_lower_utf16 (const char *text, size_t len, uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t size;
        uint32_t code = s_decode ((const unsigned char *) text + i, len - i, &size);
        i += size;
        if (code >= 'A' && code <= 'Z')
            code += 32;
        else
        if (code >= 0xC0 && code <= 0xDE && code != 0xD7)
            code += 32;
        else
        if (code == 0x212A)
            code = 'k';
        else
        if (code == 0x130) {
            out [n++] = 'i';
            code = 0x307;
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            out [n++] = (uint16_t) (0xD800 + (code >> 10));
            out [n++] = (uint16_t) (0xDC00 + (code & 0x3FF));
        }
        else
            out [n++] = (uint16_t) code;
    }
    return n;
}

//  ---------------------------------------------------------------------
//  Printing

//  Values and type nodes print as dp_print prints them (graphql-js's print).
void
dp_vstr_value (dp_vstr_t *self, const dp_ast_value_t *value)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 64);
    dp_print_value_into (&out, value);
    dp_vstr_addn (self, out.data, out.len);
    dp_json_writer_release (&out);
}

void
dp_vstr_ast_type (dp_vstr_t *self, const dp_ast_type_t *type)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 32);
    dp_print_type_into (&out, type);
    dp_vstr_addn (self, out.data, out.len);
    dp_json_writer_release (&out);
}

void
dp_vstr_type (dp_vstr_t *self, const dp_type_ref_t *type)
{
    if (type->kind == DP_REF_NAMED)
        dp_vstr_add (self, type->named->name);
    else
    if (type->kind == DP_REF_LIST) {
        dp_vstr_add (self, "[");
        dp_vstr_type (self, type->of);
        dp_vstr_add (self, "]");
    }
    else {
        dp_vstr_type (self, type->of);
        dp_vstr_add (self, "!");
    }
}

//  ---------------------------------------------------------------------
//  Suggestions

void
dp_vstr_did_you_mean (dp_vstr_t *self, const char *sub, const char **suggestions, size_t n)
{
    if (n == 0)
        return;
    dp_vstr_add (self, " Did you mean ");
    if (sub) {
        dp_vstr_add (self, sub);
        dp_vstr_add (self, " ");
    }
    if (n == 1)
        dp_vstr_addf (self, "\"%s\"?", suggestions [0]);
    else
    if (n == 2)
        dp_vstr_addf (self, "\"%s\" or \"%s\"?", suggestions [0], suggestions [1]);
    else {
        size_t shown = n < 5 ? n : 5;
        for (size_t i = 0; i + 1 < shown; i++)
            dp_vstr_addf (self, "\"%s\", ", suggestions [i]);
        dp_vstr_addf (self, "or \"%s\"?", suggestions [shown - 1]);
    }
}

static bool
s_is_digit (int c)
{
    return c >= '0' && c <= '9';
}

int
dp_natural_compare (const char *a, const char *b)
{
    size_t a_len = strlen (a), b_len = strlen (b);
    size_t i = 0, j = 0;
    while (i < a_len && j < b_len) {
        int ac = (unsigned char) a [i], bc = (unsigned char) b [j];
        if (s_is_digit (ac) && s_is_digit (bc)) {
            double an = 0, bn = 0;
            do {
                ++i;
                an = an * 10 + (ac - '0');
                ac = i < a_len ? (unsigned char) a [i] : -1;
            } while (s_is_digit (ac) && an > 0);
            do {
                ++j;
                bn = bn * 10 + (bc - '0');
                bc = j < b_len ? (unsigned char) b [j] : -1;
            } while (s_is_digit (bc) && bn > 0);
            if (an < bn)
                return -1;
            if (an > bn)
                return 1;
        }
        else {
            if (ac < bc)
                return -1;
            if (ac > bc)
                return 1;
            ++i;
            ++j;
        }
    }
    return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

//  graphql-js's LexicalDistance.measure: a Damerau-Levenshtein distance
//  on lower-cased UTF-16 units, or -1 when over threshold.
static int
s_lexical_distance (const char *input, size_t input_bytes, const uint16_t *input_lower,
                    size_t input_lower_len, const char *option, int threshold, int *rows)
{
    size_t option_bytes = strlen (option);
    if (input_bytes == option_bytes && memcmp (input, option, input_bytes) == 0)
        return 0;
    uint16_t stack_units [256];
    uint16_t *option_lower = option_bytes * 2 + 2 <= 256 ? stack_units
                           : malloc ((option_bytes * 2 + 2) * sizeof (uint16_t));
    if (!option_lower)
        dp_fatal ("out of memory");
    size_t option_lower_len = s_lower_utf16 (option, option_bytes, option_lower);
    int result;
    if (option_lower_len == input_lower_len
    &&  memcmp (option_lower, input_lower, input_lower_len * sizeof (uint16_t)) == 0)
        result = 1;
    else {
        const uint16_t *a = option_lower, *b = input_lower;
        size_t a_len = option_lower_len, b_len = input_lower_len;
        if (a_len < b_len) {
            a = input_lower;
            b = option_lower;
            a_len = input_lower_len;
            b_len = option_lower_len;
        }
        if ((int) (a_len - b_len) > threshold)
            result = -1;
        else {
            size_t width = b_len + 1;
            int *row [3] = { rows, rows + width, rows + 2 * width };
            for (size_t j = 0; j <= b_len; j++)
                row [0][j] = (int) j;
            result = -2;
            for (size_t i = 1; i <= a_len && result == -2; i++) {
                int *up = row [(i - 1) % 3];
                int *current = row [i % 3];
                int smallest = current [0] = (int) i;
                for (size_t j = 1; j <= b_len; j++) {
                    int cost = a [i - 1] == b [j - 1] ? 0 : 1;
                    int cell = up [j] + 1;
                    if (current [j - 1] + 1 < cell)
                        cell = current [j - 1] + 1;
                    if (up [j - 1] + cost < cell)
                        cell = up [j - 1] + cost;
                    if (i > 1 && j > 1 && a [i - 1] == b [j - 2] && a [i - 2] == b [j - 1]) {
                        int twice = row [(i - 2) % 3][j - 2] + 1;
                        if (twice < cell)
                            cell = twice;
                    }
                    if (cell < smallest)
                        smallest = cell;
                    current [j] = cell;
                }
                if (smallest > threshold)
                    result = -1;
            }
            if (result == -2) {
                int distance = row [a_len % 3][b_len];
                result = distance <= threshold ? distance : -1;
            }
        }
    }
    if (option_lower != stack_units)
        free (option_lower);
    return result;
}

typedef struct {
    const char *option;
    int distance;
} s_suggestion_t;

static int
s_suggestion_compare (const void *a_, const void *b_)
{
    const s_suggestion_t *a = a_, *b = b_;
    if (a->distance != b->distance)
        return a->distance - b->distance;
    return dp_natural_compare (a->option, b->option);
}

size_t
dp_suggestion_list (dp_arena_t *arena, const char *input, const char **options,
                    size_t n_options, const char ***out)
{
    return dp_suggestion_list_n (arena, input, strlen (input), options, n_options, out);
}

size_t
dp_suggestion_list_n (dp_arena_t *arena, const char *input, size_t input_bytes,
                      const char **options, size_t n_options, const char ***out)
{
    *out = NULL;
    if (n_options == 0)
        return 0;
    size_t input_units = dp_utf16_length (input, input_bytes);
    int threshold = (int) ((input_units * 2) / 5) + 1;     //  floor (length * 0.4) + 1
    uint16_t *input_lower = malloc ((input_bytes * 2 + 2) * sizeof (uint16_t));
    if (!input_lower)
        dp_fatal ("out of memory");
    size_t input_lower_len = s_lower_utf16 (input, input_bytes, input_lower);
    size_t longest = input_lower_len;
    for (size_t i = 0; i < n_options; i++) {
        size_t units = strlen (options [i]) * 2;
        if (units > longest)
            longest = units;
    }
    int *rows = malloc (3 * (longest + 2) * sizeof (int));
    s_suggestion_t *found = malloc (n_options * sizeof *found);
    if (!rows || !found)
        dp_fatal ("out of memory");
    size_t n_found = 0;
    for (size_t i = 0; i < n_options; i++) {
        bool seen = false;          //  an object's keys: each option once
        for (size_t k = 0; k < n_found && !seen; k++)
            seen = strcmp (found [k].option, options [i]) == 0;
        if (seen)
            continue;
        int distance = s_lexical_distance (input, input_bytes, input_lower, input_lower_len,
                                           options [i], threshold, rows);
        if (distance >= 0) {
            found [n_found].option = options [i];
            found [n_found].distance = distance;
            n_found++;
        }
    }
    qsort (found, n_found, sizeof *found, s_suggestion_compare);
    const char **result = dp_arena_calloc (arena, n_found ? n_found : 1, sizeof *result);
    for (size_t i = 0; i < n_found; i++)
        result [i] = found [i].option;
    free (found);
    free (rows);
    free (input_lower);
    *out = result;
    return n_found;
}

//  ---------------------------------------------------------------------
//  Maps and arrays

static uint64_t
s_hash (const dp_vmap_t *self, const void *key)
{
    if (self->strings) {
        uint64_t hash = 1469598103934665603ULL;
        for (const unsigned char *p = key; *p; p++)
            hash = (hash ^ *p) * 1099511628211ULL;
        return hash;
    }
    return ((uint64_t) (uintptr_t) key >> 3) * 11400714819323198485ULL;
}

static bool
s_key_equal (const dp_vmap_t *self, const void *a, const void *b)
{
    return self->strings ? strcmp (a, b) == 0 : a == b;
}

void
dp_vmap_init (dp_vmap_t *self, dp_arena_t *arena, bool strings)
{
    memset (self, 0, sizeof *self);
    self->arena = arena;
    self->strings = strings;
}

static size_t
s_slot (const dp_vmap_t *self, const void *key)
{
    size_t mask = self->capacity - 1;
    size_t slot = (size_t) (s_hash (self, key) >> 7) & mask;
    while (self->keys [slot] && !s_key_equal (self, self->keys [slot], key))
        slot = (slot + 1) & mask;
    return slot;
}

void *
dp_vmap_get (const dp_vmap_t *self, const void *key)
{
    if (self->count == 0)
        return NULL;
    size_t slot = s_slot (self, key);
    return self->keys [slot] ? self->values [slot] : NULL;
}

bool
dp_vmap_has (const dp_vmap_t *self, const void *key)
{
    return self->count > 0 && self->keys [s_slot (self, key)] != NULL;
}

void
dp_vmap_set (dp_vmap_t *self, const void *key, void *value)
{
    assert (key);
    if ((self->count + 1) * 2 > self->capacity) {
        dp_vmap_t grown = *self;
        grown.capacity = self->capacity ? self->capacity * 2 : 16;
        grown.count = 0;
        grown.keys = dp_arena_calloc (self->arena, grown.capacity, sizeof *grown.keys);
        grown.values = dp_arena_calloc (self->arena, grown.capacity, sizeof *grown.values);
        for (size_t i = 0; i < self->capacity; i++)
            if (self->keys [i]) {
                size_t slot = s_slot (&grown, self->keys [i]);
                grown.keys [slot] = self->keys [i];
                grown.values [slot] = self->values [i];
                grown.count++;
            }
        *self = grown;
    }
    size_t slot = s_slot (self, key);
    if (!self->keys [slot]) {
        self->keys [slot] = key;
        self->count++;
    }
    self->values [slot] = value;
}

void
dp_vptrs_push (dp_vptrs_t *self, dp_arena_t *arena, const void *item)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 8;
        const void **items = dp_arena_alloc (arena, capacity * sizeof *items);
        if (self->count)
            memcpy (items, self->items, self->count * sizeof *items);
        self->items = items;
        self->capacity = capacity;
    }
    self->items [self->count++] = item;
}

//  ---------------------------------------------------------------------
//  Type comparisons

bool
dp_vschema_is_sub_type (const dp_type_t *abstract, const dp_type_t *maybe)
{
    if (!abstract || !maybe)
        return false;
    if (abstract->kind == DP_TYPE_UNION) {
        for (size_t i = 0; i < abstract->n_possible; i++)
            if (abstract->possible [i] == maybe)
                return true;
        return false;
    }
    if (abstract->kind == DP_TYPE_INTERFACE
    &&  (maybe->kind == DP_TYPE_OBJECT || maybe->kind == DP_TYPE_INTERFACE)) {
        for (size_t i = 0; i < maybe->n_interfaces; i++)
            if (maybe->interfaces [i] == abstract)
                return true;
    }
    return false;
}

bool
dp_vtype_is_sub_type_of (const dp_type_ref_t *maybe, const dp_type_ref_t *super)
{
    if (dp_vtype_same (maybe, super))
        return true;
    if (super->kind == DP_REF_NON_NULL) {
        if (maybe->kind == DP_REF_NON_NULL)
            return dp_vtype_is_sub_type_of (maybe->of, super->of);
        return false;
    }
    if (maybe->kind == DP_REF_NON_NULL)
        return dp_vtype_is_sub_type_of (maybe->of, super);
    if (super->kind == DP_REF_LIST) {
        if (maybe->kind == DP_REF_LIST)
            return dp_vtype_is_sub_type_of (maybe->of, super->of);
        return false;
    }
    if (maybe->kind == DP_REF_LIST)
        return false;
    return dp_vkind_is_abstract (super->named)
        && (maybe->named->kind == DP_TYPE_INTERFACE || maybe->named->kind == DP_TYPE_OBJECT)
        && dp_vschema_is_sub_type (super->named, maybe->named);
}

bool
dp_vtype_overlap (const dp_type_t *a, const dp_type_t *b)
{
    if (a == b)
        return true;
    if (dp_vkind_is_abstract (a)) {
        if (dp_vkind_is_abstract (b)) {
            //  schema.getPossibleTypes (a).some (t => schema.isSubType (b, t))
            for (size_t i = 0; i < a->n_possible; i++)
                if (dp_vschema_is_sub_type (b, a->possible [i]))
                    return true;
            return false;
        }
        return dp_vschema_is_sub_type (a, b);
    }
    if (dp_vkind_is_abstract (b))
        return dp_vschema_is_sub_type (b, a);
    return false;
}
