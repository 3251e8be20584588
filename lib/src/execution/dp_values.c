/*  =========================================================================
    dp_values - variable values and argument literals to typed inputs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Implements the spec's CoerceVariableValues (6.1.2) and
    CoerceArgumentValues (6.4.1) for the built-in scalars, Datetime, Date,
    enums, input objects (unknown fields rejected, defaults applied), lists
    (a single value becomes a one-item list) and non-null.
@discuss
    Error messages follow graphql-js's wording, naming the variable and the
    path inside it, so a client sees the same text from Depot as from any
    other GraphQL server. JSON strings are read with their lengths (they
    may hold U+0000), and so are the messages that quote them.
@end
*/
#include "dp_values.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <errno.h>
#include <stdarg.h>
#include <assert.h>
#include "dp_suggest.h"
#include "dp_parser.h"

//  A growable string for messages (malloc'd; the caller frees data).
typedef struct {
    char *data;
    size_t len, cap;
} dp_vstr_like_t;

static void
s_like_add_n (dp_vstr_like_t *self, const char *text, size_t n)
{
    if (self->len + n + 1 > self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        while (cap < self->len + n + 1)
            cap *= 2;
        char *data = realloc (self->data, cap);
        if (!data)
            abort ();
        self->data = data;
        self->cap = cap;
    }
    memcpy (self->data + self->len, text, n);
    self->len += n;
    self->data [self->len] = 0;
}

static void
s_like_add (dp_vstr_like_t *self, const char *text)
{
    s_like_add_n (self, text, strlen (text));
}

const input_t *
input_field (const input_t *object, const char *name)
{
    if (!object || object->kind != IN_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->n_fields; i++)
        if (strcmp (object->names [i], name) == 0)
            return object->values [i];
    return NULL;
}

static input_t *
s_new (dp_arena_t *arena, input_kind_t kind)
{
    input_t *value = dp_arena_calloc (arena, 1, sizeof *value);
    value->kind = kind;
    return value;
}

input_t *
dp_input_new (dp_arena_t *arena, input_kind_t kind)
{
    return s_new (arena, kind);
}

input_t *
dp_input_null (dp_arena_t *arena)
{
    return s_new (arena, IN_NULL);
}

const char *
dp_input_text (const input_t *value)
{
    if (!value || value->kind != IN_STRING || memchr (value->s, 0, value->len))
        return NULL;
    return value->s;
}

bool
dp_input_id (const input_t *value, int64_t *id)
{
    const char *text = dp_input_text (value);
    if (!text || !text [0])
        return false;
    errno = 0;
    char *end;
    long long parsed = strtoll (text, &end, 10);
    if (errno || *end || parsed < 0)
        return false;
    *id = parsed;
    return true;
}

//  A STRING value of len bytes of text, copied into arena.
static input_t *
s_string (dp_arena_t *arena, const char *text, size_t len)
{
    input_t *out = s_new (arena, IN_STRING);
    out->s = dp_arena_strndup (arena, text, len);
    out->len = len;
    return out;
}

static bool
s_valid_date (const char *s, size_t len, bool with_time)
{
    //  YYYY-MM-DD, or for Datetime an ISO-8601 date-time; checked by shape.
    //  No date holds a NUL.
    if (memchr (s, 0, len))
        return false;
    if (len < 10)
        return false;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s [i] != '-' : (s [i] < '0' || s [i] > '9'))
            return false;
    int month = atoi (s + 5), day = atoi (s + 8);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    if (!with_time)
        return len == 10;
    return len == 10 || s [10] == 'T' || s [10] == ' ';
}

static input_t *
s_default (dp_arena_t *arena, const dp_input_value_t *def, char *err, size_t err_len)
{
    return dp_coerce_literal (arena, def->type, def->default_value, NULL, err, err_len);
}

//  -------------------------------------------------------------------------
//  Variables from JSON, as graphql-js's coerceInputValue: every error is
//  reported (not only the first) with the invalid value shown as graphql-js's
//  inspect() shows it and the path inside the variable.

#define MAX_COERCE_ERRORS 50        //  graphql-js's maxErrors of getVariableValues
#define MAX_PATH 64

typedef struct {
    dp_arena_t *arena;
    const char *variable;
    dp_loc_t loc;                   //  the variable definition
    dp_error_t *errors;
    size_t n_errors;
    bool too_many;
    //  Path inside the variable: keys (index < 0) and list indexes.
    const char *keys [MAX_PATH];
    long indexes [MAX_PATH];
    size_t depth;
} coerce_t;

//  graphql-js's String(number): integers without a fraction, the shortest
//  round-trip digits otherwise, exponents below 1e-7 and from 1e21.
static void
s_js_number (double value, char *buf, size_t size)
{
    if (value == floor (value) && fabs (value) < 1e21) {
        snprintf (buf, size, "%.0f", value);
        return;
    }
    char digits [40];
    int precision;
    for (precision = 1; precision <= 17; precision++) {
        snprintf (digits, sizeof digits, "%.*e", precision - 1, value);
        if (strtod (digits, NULL) == value)
            break;
    }
    //  digits: [-]d[.ddd]e[+-]xx
    char *e = strchr (digits, 'e');
    int exponent = atoi (e + 1);
    *e = 0;
    char mantissa [40];
    size_t m = 0;
    for (const char *p = digits; *p; p++)
        if (*p != '.' && *p != '-')
            mantissa [m++] = *p;
    mantissa [m] = 0;
    const char *sign = value < 0 ? "-" : "";
    if (exponent >= 21 || exponent <= -7) {
        if (m == 1)
            snprintf (buf, size, "%s%se%s%u", sign, mantissa, exponent < 0 ? "-" : "+",
                      (unsigned) abs (exponent) % 1000);
        else
            snprintf (buf, size, "%s%c.%.20se%s%u", sign, mantissa [0], mantissa + 1,
                      exponent < 0 ? "-" : "+", (unsigned) abs (exponent) % 1000);
    }
    else
    if (exponent < 0) {
        char zeros [8] = "";
        for (int z = 0; z < -exponent - 1 && z < 7; z++)
            zeros [z] = '0', zeros [z + 1] = 0;
        snprintf (buf, size, "%s0.%s%s", sign, zeros, mantissa);
    }
    else
    if ((size_t) exponent + 1 >= m)
        snprintf (buf, size, "%s%s%0*d", sign, mantissa, (int) ((size_t) exponent + 1 - m), 0);
    else
        snprintf (buf, size, "%s%.*s.%s", sign, exponent + 1, mantissa, mantissa + exponent + 1);
}

static void
s_inspect_into (dp_vstr_like_t *out, json_t *value, int depth);

//  graphql-js's inspect(): strings as JSON, numbers as JavaScript prints
//  them, { key: value } objects, [a, b] arrays, depth > 2 as [Object].
static void
s_inspect_into (dp_vstr_like_t *out, json_t *value, int depth)
{
    char number [48];
    switch (json_typeof (value)) {
        case JSON_STRING: {
            char *text = json_dumps (value, JSON_ENCODE_ANY);     //  a NUL as \u0000
            s_like_add (out, text ? text : "\"\"");
            free (text);
            break;
        }
        case JSON_INTEGER:
            //  JavaScript reads every number as a double (2^53 + 1 becomes 2^53).
            s_js_number ((double) json_integer_value (value), number, sizeof number);
            s_like_add (out, number);
            break;
        case JSON_REAL:
            s_js_number (json_real_value (value), number, sizeof number);
            s_like_add (out, number);
            break;
        case JSON_TRUE: s_like_add (out, "true"); break;
        case JSON_FALSE: s_like_add (out, "false"); break;
        case JSON_NULL: s_like_add (out, "null"); break;
        case JSON_ARRAY: {
            size_t n = json_array_size (value);
            if (n == 0) {
                s_like_add (out, "[]");
                break;
            }
            if (depth + 1 > 2) {
                s_like_add (out, "[Array]");
                break;
            }
            s_like_add (out, "[");
            size_t shown = n < 10 ? n : 10;
            for (size_t i = 0; i < shown; i++) {
                if (i)
                    s_like_add (out, ", ");
                s_inspect_into (out, json_array_get (value, i), depth + 1);
            }
            if (n - shown == 1)
                s_like_add (out, ", ... 1 more item");
            else
            if (n > shown) {
                snprintf (number, sizeof number, ", ... %zu more items", n - shown);
                s_like_add (out, number);
            }
            s_like_add (out, "]");
            break;
        }
        case JSON_OBJECT: {
            if (json_object_size (value) == 0) {
                s_like_add (out, "{}");
                break;
            }
            if (depth + 1 > 2) {
                s_like_add (out, "[Object]");
                break;
            }
            s_like_add (out, "{ ");
            const char *key;
            json_t *member;
            bool first = true;
            json_object_foreach (value, key, member) {
                if (!first)
                    s_like_add (out, ", ");
                first = false;
                s_like_add (out, key);
                s_like_add (out, ": ");
                s_inspect_into (out, member, depth + 1);
            }
            s_like_add (out, " }");
            break;
        }
    }
}

static const char *
s_inspect (dp_arena_t *arena, json_t *value)
{
    dp_vstr_like_t out = { 0 };
    s_inspect_into (&out, value, 0);
    const char *text = dp_arena_strndup (arena, out.data ? out.data : "", out.len);
    free (out.data);
    return text;
}

//  A message that quotes a JSON text of its own (which may hold NULs):
//  before, the text, after.
static void
s_quoting (dp_vstr_like_t *message, const char *before, const char *text, size_t len,
           const char *after)
{
    s_like_add (message, before);
    s_like_add_n (message, text, len);
    s_like_add (message, after);
}

//  Give error the location loc (line 0: none).
static void
s_error_at (dp_arena_t *arena, dp_error_t *error, dp_loc_t loc)
{
    if (!loc.line)
        return;
    dp_loc_t *copy = dp_arena_alloc (arena, sizeof *copy);
    *copy = loc;
    error->locations = copy;
    error->n_locations = 1;
}

//  Report one error at the current path with the value found there; the
//  message is of len bytes and may hold NULs.
static void
s_report_text (coerce_t *ctx, json_t *invalid, const char *message, size_t len)
{
    if (ctx->n_errors >= MAX_COERCE_ERRORS) {
        ctx->too_many = true;
        return;
    }
    dp_vstr_like_t text = { 0 };
    s_like_add (&text, "Variable \"$");
    s_like_add (&text, ctx->variable);
    s_like_add (&text, "\" got invalid value ");
    s_inspect_into (&text, invalid, 0);
    if (ctx->depth) {
        s_like_add (&text, " at \"");
        s_like_add (&text, ctx->variable);
        for (size_t i = 0; i < ctx->depth && i < MAX_PATH; i++) {
            char index [32];
            if (ctx->keys [i]) {
                s_like_add (&text, ".");
                s_like_add (&text, ctx->keys [i]);
            }
            else {
                snprintf (index, sizeof index, "[%ld]", ctx->indexes [i]);
                s_like_add (&text, index);
            }
        }
        s_like_add (&text, "\"");
    }
    s_like_add (&text, "; ");
    s_like_add_n (&text, message, len);
    dp_error_t *error = &ctx->errors [ctx->n_errors++];
    error->message = dp_arena_strndup (ctx->arena, text.data, text.len);
    error->message_len = text.len;
    s_error_at (ctx->arena, error, ctx->loc);
    free (text.data);
}

static void
s_report (coerce_t *ctx, json_t *invalid, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_report (coerce_t *ctx, json_t *invalid, const char *fmt, ...)
{
    char message [600];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    s_report_text (ctx, invalid, message, strlen (message));
}

static bool
s_is_integer (json_t *value, double *number)
{
    if (json_is_integer (value)) {
        *number = (double) json_integer_value (value);
        return true;
    }
    if (json_is_real (value)) {
        *number = json_real_value (value);
        return *number == floor (*number) && isfinite (*number);
    }
    return false;
}

//  A scalar or enum leaf (GraphQLScalarType / GraphQLEnumType parseValue).
static input_t *
s_leaf_from_json (coerce_t *ctx, const dp_type_t *type, json_t *value)
{
    dp_arena_t *arena = ctx->arena;
    const char *name = type->name;
    if (type->kind == DP_TYPE_ENUM) {
        const char **names = dp_arena_calloc (arena, type->n_values + 1, sizeof (char *));
        for (size_t i = 0; i < type->n_values; i++)
            names [i] = type->values [i].name;
        if (!json_is_string (value)) {
            const char *shown = s_inspect (arena, value);
            s_report (ctx, value, "Enum \"%s\" cannot represent non-string value: %s.%s", name, shown,
                      dp_suggest (arena, "the enum value", shown, strlen (shown), names, type->n_values));
            return NULL;
        }
        const char *text = json_string_value (value);
        size_t len = json_string_length (value);
        //  A name with a NUL is no enum value ("Box\u0000" is not Box).
        int index = memchr (text, 0, len) ? -1 : dp_type_enum_index (type, text);
        if (index < 0) {
            dp_vstr_like_t message = { 0 };
            s_quoting (&message, "Value \"", text, len, "\" does not exist in \"");
            s_like_add (&message, name);
            s_like_add (&message, "\" enum.");
            s_like_add (&message, dp_suggest (arena, "the enum value", text, len, names, type->n_values));
            s_report_text (ctx, value, message.data, message.len);
            free (message.data);
            return NULL;
        }
        input_t *out = s_new (arena, IN_ENUM);
        out->i = index;
        out->s = type->values [index].name;
        out->len = strlen (out->s);
        return out;
    }
    double number;
    if (strcmp (name, "Int") == 0) {
        if (!s_is_integer (value, &number)) {
            s_report (ctx, value, "Int cannot represent non-integer value: %s", s_inspect (arena, value));
            return NULL;
        }
        if (number > 2147483647.0 || number < -2147483648.0) {
            char text [48];
            s_js_number (number, text, sizeof text);
            s_report (ctx, value, "Int cannot represent non 32-bit signed integer value: %s", text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_INT);
        out->i = (int64_t) number;
        out->f = number;
        return out;
    }
    if (strcmp (name, "Float") == 0) {
        if (!json_is_number (value)) {
            s_report (ctx, value, "Float cannot represent non numeric value: %s", s_inspect (arena, value));
            return NULL;
        }
        input_t *out = s_new (arena, IN_FLOAT);
        out->f = json_number_value (value);
        return out;
    }
    if (strcmp (name, "Boolean") == 0) {
        if (!json_is_boolean (value)) {
            s_report (ctx, value, "Boolean cannot represent a non boolean value: %s", s_inspect (arena, value));
            return NULL;
        }
        input_t *out = s_new (arena, IN_BOOL);
        out->i = json_is_true (value);
        return out;
    }
    if (strcmp (name, "ID") == 0) {
        if (json_is_string (value))
            return s_string (arena, json_string_value (value), json_string_length (value));
        if (s_is_integer (value, &number)) {
            char text [48];
            s_js_number (number, text, sizeof text);
            return s_string (arena, text, strlen (text));
        }
        s_report (ctx, value, "ID cannot represent value: %s", s_inspect (arena, value));
        return NULL;
    }
    //  String, and the custom scalars Datetime and Date (strings, checked).
    if (!json_is_string (value)) {
        s_report (ctx, value, "%s cannot represent a non string value: %s", name, s_inspect (arena, value));
        return NULL;
    }
    const char *text = json_string_value (value);
    size_t len = json_string_length (value);
    if ((strcmp (name, "Date") == 0 && !s_valid_date (text, len, false))
    ||  (strcmp (name, "Datetime") == 0 && !s_valid_date (text, len, true))) {
        s_report (ctx, value, "%s cannot represent an invalid date value: %s", name, s_inspect (arena, value));
        return NULL;
    }
    return s_string (arena, text, len);
}

static input_t *
s_from_json (coerce_t *ctx, const dp_type_ref_t *ref, json_t *value)
{
    dp_arena_t *arena = ctx->arena;
    if (ref->kind == DP_REF_NON_NULL) {
        if (value && !json_is_null (value))
            return s_from_json (ctx, ref->of, value);
        char printed [100];
        dp_type_ref_print (ref, printed, sizeof printed);
        json_t *null_value = json_null ();
        s_report (ctx, null_value, "Expected non-nullable type \"%s\" not to be null.", printed);
        return NULL;
    }
    if (!value || json_is_null (value))
        return s_new (arena, IN_NULL);
    if (ref->kind == DP_REF_LIST) {
        input_t *list = s_new (arena, IN_LIST);
        if (!json_is_array (value)) {
            //  A single value is a list of one.
            list->n_items = 1;
            list->items = dp_arena_alloc (arena, sizeof (input_t *));
            list->items [0] = s_from_json (ctx, ref->of, value);
            return list->items [0] ? list : NULL;
        }
        list->n_items = json_array_size (value);
        list->items = dp_arena_calloc (arena, list->n_items + 1, sizeof (input_t *));
        bool ok = true;
        for (size_t i = 0; i < list->n_items; i++) {
            if (ctx->depth < MAX_PATH) {
                ctx->keys [ctx->depth] = NULL;
                ctx->indexes [ctx->depth] = (long) i;
            }
            ctx->depth++;
            list->items [i] = s_from_json (ctx, ref->of, json_array_get (value, i));
            ctx->depth--;
            ok = ok && list->items [i];
        }
        return ok ? list : NULL;
    }
    const dp_type_t *type = ref->named;
    if (type->kind != DP_TYPE_INPUT_OBJECT)
        return s_leaf_from_json (ctx, type, value);
    if (!json_is_object (value)) {
        s_report (ctx, value, "Expected type \"%s\" to be an object.", type->name);
        return NULL;
    }
    input_t *object = s_new (arena, IN_OBJECT);
    object->names = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (char *));
    object->values = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (input_t *));
    bool ok = true;
    for (size_t i = 0; i < type->n_input_fields; i++) {
        const dp_input_value_t *def = &type->input_fields [i];
        json_t *given = json_object_get (value, def->name);
        input_t *field_value;
        if (!given) {
            if (def->default_value) {
                char message [300];
                field_value = dp_coerce_literal (arena, def->type, def->default_value, NULL,
                                                 message, sizeof message);
            }
            else {
                if (def->type->kind == DP_REF_NON_NULL) {
                    char printed [100];
                    dp_type_ref_print (def->type, printed, sizeof printed);
                    s_report (ctx, value, "Field \"%s\" of required type \"%s\" was not provided.",
                              def->name, printed);
                    ok = false;
                }
                continue;
            }
        }
        else {
            if (ctx->depth < MAX_PATH)
                ctx->keys [ctx->depth] = def->name;
            ctx->depth++;
            field_value = s_from_json (ctx, def->type, given);
            ctx->depth--;
        }
        if (!field_value) {
            ok = false;
            continue;
        }
        object->names [object->n_fields] = def->name;
        object->values [object->n_fields++] = field_value;
    }
    //  Every given field must be defined.
    const char **names = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (char *));
    for (size_t i = 0; i < type->n_input_fields; i++)
        names [i] = type->input_fields [i].name;
    //  (jansson refuses a key with a NUL, so a body holding one never gets here.)
    const char *key;
    json_t *member;
    json_object_foreach (value, key, member) {
        if (!dp_type_input_field (type, key)) {
            s_report (ctx, value, "Field \"%s\" is not defined by type \"%s\".%s", key, type->name,
                      dp_suggest (arena, NULL, key, strlen (key), names, type->n_input_fields));
            ok = false;
        }
    }
    return ok ? object : NULL;
}

//  A scalar or enum leaf from an AST literal.
static input_t *
s_leaf_from_literal (dp_arena_t *arena, const dp_type_t *type, const dp_ast_value_t *value,
                     char *err, size_t err_len)
{
    const char *name = type->name;
    if (type->kind == DP_TYPE_ENUM) {
        int index = value->kind == DP_AST_ENUM ? dp_type_enum_index (type, value->text) : -1;
        if (index < 0) {
            snprintf (err, err_len, "Enum \"%s\" cannot represent value: %s", name,
                      value->text ? value->text : "?");
            return NULL;
        }
        input_t *out = s_new (arena, IN_ENUM);
        out->i = index;
        out->s = type->values [index].name;
        out->len = strlen (out->s);
        return out;
    }
    if (strcmp (name, "Int") == 0 && value->kind == DP_AST_INT) {
        errno = 0;
        long long v = strtoll (value->text, NULL, 10);
        if (errno || v > 2147483647LL || v < -2147483648LL) {
            snprintf (err, err_len, "Int cannot represent non 32-bit signed integer value: %s", value->text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_INT);
        out->i = v;
        out->f = (double) v;
        return out;
    }
    if (strcmp (name, "Float") == 0 && (value->kind == DP_AST_INT || value->kind == DP_AST_FLOAT)) {
        input_t *out = s_new (arena, IN_FLOAT);
        out->f = strtod (value->text, NULL);
        return out;
    }
    if (strcmp (name, "Boolean") == 0 && value->kind == DP_AST_BOOLEAN) {
        input_t *out = s_new (arena, IN_BOOL);
        out->i = value->boolean;
        return out;
    }
    //  A string literal may hold a NUL ("\u0000"): its bytes are text_len.
    size_t len = value->kind == DP_AST_STRING ? value->text_len : (value->text ? strlen (value->text) : 0);
    if (strcmp (name, "ID") == 0 && (value->kind == DP_AST_STRING || value->kind == DP_AST_INT)) {
        input_t *out = s_new (arena, IN_STRING);
        out->s = value->text;
        out->len = len;
        return out;
    }
    if (strcmp (name, "Int") != 0 && strcmp (name, "Float") != 0 && strcmp (name, "Boolean") != 0
    &&  strcmp (name, "ID") != 0 && value->kind == DP_AST_STRING) {
        if ((strcmp (name, "Date") == 0 && !s_valid_date (value->text, len, false))
        ||  (strcmp (name, "Datetime") == 0 && !s_valid_date (value->text, len, true))) {
            snprintf (err, err_len, "%s cannot represent an invalid date value: \"%s\"", name, value->text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_STRING);
        out->s = value->text;
        out->len = len;
        return out;
    }
    snprintf (err, err_len, "%s cannot represent value: %s", name,
              value->kind == DP_AST_STRING ? "a string" : (value->text ? value->text : "this literal"));
    return NULL;
}

input_t *
dp_coerce_literal (dp_arena_t *arena, const dp_type_ref_t *ref, const dp_ast_value_t *value,
                   const dp_variables_t *variables, char *err, size_t err_len)
{
    if (value && value->kind == DP_AST_VARIABLE) {
        const input_t *given = variables ? dp_variables_get (variables, value->text) : NULL;
        if (!given || given->kind == IN_NULL) {
            if (ref->kind == DP_REF_NON_NULL) {
                snprintf (err, err_len, "Variable \"$%s\" of non-null type is null or missing.", value->text);
                return NULL;
            }
            return s_new (arena, IN_NULL);
        }
        return (input_t *) given;
    }
    if (ref->kind == DP_REF_NON_NULL) {
        if (!value || value->kind == DP_AST_NULL) {
            char printed [100];
            dp_type_ref_print (ref, printed, sizeof printed);
            snprintf (err, err_len, "Expected value of type \"%s\", found null.", printed);
            return NULL;
        }
        return dp_coerce_literal (arena, ref->of, value, variables, err, err_len);
    }
    if (!value || value->kind == DP_AST_NULL)
        return s_new (arena, IN_NULL);
    if (ref->kind == DP_REF_LIST) {
        input_t *list = s_new (arena, IN_LIST);
        if (value->kind != DP_AST_LIST) {
            list->n_items = 1;
            list->items = dp_arena_alloc (arena, sizeof (input_t *));
            list->items [0] = dp_coerce_literal (arena, ref->of, value, variables, err, err_len);
            return list->items [0] ? list : NULL;
        }
        list->n_items = value->n_items;
        list->items = dp_arena_calloc (arena, value->n_items + 1, sizeof (input_t *));
        for (size_t i = 0; i < value->n_items; i++) {
            list->items [i] = dp_coerce_literal (arena, ref->of, value->items [i], variables, err, err_len);
            if (!list->items [i])
                return NULL;
        }
        return list;
    }
    const dp_type_t *type = ref->named;
    if (type->kind == DP_TYPE_INPUT_OBJECT) {
        if (value->kind != DP_AST_OBJECT) {
            snprintf (err, err_len, "Expected value of type \"%s\", found a non-object.", type->name);
            return NULL;
        }
        for (size_t f = 0; f < value->n_fields; f++)
            if (!dp_type_input_field (type, value->fields [f].name)) {
                snprintf (err, err_len, "Field \"%s\" is not defined by type \"%s\".",
                          value->fields [f].name, type->name);
                return NULL;
            }
        input_t *object = s_new (arena, IN_OBJECT);
        object->names = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (char *));
        object->values = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (input_t *));
        for (size_t i = 0; i < type->n_input_fields; i++) {
            const dp_input_value_t *def = &type->input_fields [i];
            const dp_ast_value_t *given = NULL;
            for (size_t f = 0; f < value->n_fields; f++)
                if (strcmp (value->fields [f].name, def->name) == 0)
                    given = value->fields [f].value;
            //  A variable that was not provided counts as absent.
            if (given && given->kind == DP_AST_VARIABLE
            &&  !(variables && dp_variables_get (variables, given->text)))
                given = NULL;
            input_t *field_value;
            if (!given) {
                if (def->default_value)
                    field_value = s_default (arena, def, err, err_len);
                else
                if (def->type->kind == DP_REF_NON_NULL) {
                    char printed [100];
                    dp_type_ref_print (def->type, printed, sizeof printed);
                    snprintf (err, err_len, "Field \"%s.%s\" of required type \"%s\" was not provided.",
                              type->name, def->name, printed);
                    return NULL;
                }
                else
                    continue;
            }
            else
                field_value = dp_coerce_literal (arena, def->type, given, variables, err, err_len);
            if (!field_value)
                return NULL;
            object->names [object->n_fields] = def->name;
            object->values [object->n_fields++] = field_value;
        }
        return object;
    }
    return s_leaf_from_literal (arena, type, value, err, err_len);
}

//  -------------------------------------------------------------------------
//  Variables: the coerced values of an operation's variable definitions.

struct _dp_variables_t {
    const char **names;
    input_t **values;
    size_t count, capacity;
};

dp_variables_t *
dp_variables_new (dp_arena_t *arena, size_t capacity)
{
    dp_variables_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    self->names = dp_arena_calloc (arena, capacity + 1, sizeof (char *));
    self->values = dp_arena_calloc (arena, capacity + 1, sizeof (input_t *));
    self->capacity = capacity;
    return self;
}

int
dp_variables_add (dp_variables_t *self, const char *name, input_t *value)
{
    if (self->count == self->capacity || dp_variables_get (self, name))
        return -1;
    self->names [self->count] = name;
    self->values [self->count++] = value;
    return 0;
}

const input_t *
dp_variables_get (const dp_variables_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->names [i], name) == 0)
            return self->values [i];
    return NULL;
}

size_t
dp_variables_size (const dp_variables_t *self)
{
    return self->count;
}

const char *
dp_variables_name (const dp_variables_t *self, size_t i)
{
    return i < self->count ? self->names [i] : NULL;
}

const input_t *
dp_variables_value (const dp_variables_t *self, size_t i)
{
    return i < self->count ? self->values [i] : NULL;
}

//  Resolve an AST type (of a variable definition) against the schema.
dp_type_ref_t *
dp_values_type_ref (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_type_t *ast,
                    char *err, size_t err_len)
{
    dp_type_ref_t *ref = dp_arena_calloc (arena, 1, sizeof *ref);
    if (ast->kind == DP_AST_TYPE_NAMED) {
        ref->kind = DP_REF_NAMED;
        ref->named = dp_schema_type (schema, ast->name);
        if (!ref->named) {
            snprintf (err, err_len, "Unknown type \"%s\".", ast->name);
            return NULL;
        }
        if (ref->named->kind == DP_TYPE_OBJECT || ref->named->kind == DP_TYPE_INTERFACE
        ||  ref->named->kind == DP_TYPE_UNION) {
            snprintf (err, err_len, "Variable type \"%s\" is not an input type.", ast->name);
            return NULL;
        }
        return ref;
    }
    ref->kind = ast->kind == DP_AST_TYPE_LIST ? DP_REF_LIST : DP_REF_NON_NULL;
    ref->of = dp_values_type_ref (arena, schema, ast->of, err, err_len);
    return ref->of ? ref : NULL;
}

//  A whole-variable error (no value to show) at the definition.
static void
s_variable_error (coerce_t *ctx, const char *message)
{
    dp_error_t *error = &ctx->errors [ctx->n_errors++];
    error->message = message;
    s_error_at (ctx->arena, error, ctx->loc);
}

dp_variables_t *
dp_variables_coerce (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_definition_t *operation,
                     json_t *given, dp_error_t **errors, size_t *n_errors)
{
    size_t n = operation->n_variables;
    dp_variables_t *self = dp_variables_new (arena, n);
    coerce_t ctx = { .arena = arena };
    ctx.errors = dp_arena_calloc (arena, MAX_COERCE_ERRORS + 1, sizeof (dp_error_t));
    for (size_t i = 0; i < n && !ctx.too_many; i++) {
        const dp_ast_variable_def_t *def = &operation->variables [i];
        ctx.variable = def->name;
        ctx.loc = def->loc;
        ctx.depth = 0;
        char message [300];
        dp_type_ref_t *ref = dp_values_type_ref (arena, schema, def->type, message, sizeof message);
        if (!ref) {
            //  Validation refuses such documents; keep the answer a clear error all the same.
            s_variable_error (&ctx, dp_arena_strdup (arena, message));
            continue;
        }
        json_t *value = given ? json_object_get (given, def->name) : NULL;
        input_t *coerced = NULL;
        char printed [100];
        dp_type_ref_print (ref, printed, sizeof printed);
        if (!value) {
            if (def->default_value)
                coerced = dp_coerce_literal (arena, ref, def->default_value, NULL, message, sizeof message);
            else
            if (ref->kind == DP_REF_NON_NULL) {
                s_variable_error (&ctx, dp_arena_printf (arena,
                    "Variable \"$%s\" of required type \"%s\" was not provided.", def->name, printed));
            }
            if (!coerced)
                continue;       //  absent: not in the map
        }
        else
        if (json_is_null (value) && ref->kind == DP_REF_NON_NULL) {
            s_variable_error (&ctx, dp_arena_printf (arena,
                "Variable \"$%s\" of non-null type \"%s\" must not be null.", def->name, printed));
            continue;
        }
        else {
            coerced = s_from_json (&ctx, ref, value);
            if (!coerced)
                continue;
        }
        dp_variables_add (self, def->name, coerced);
    }
    if (ctx.too_many) {
        ctx.loc.line = 0;
        s_variable_error (&ctx, "Too many errors processing variables, error limit reached. Execution aborted.");
    }
    *errors = ctx.errors;
    *n_errors = ctx.n_errors;
    return ctx.n_errors ? NULL : self;
}

//  -------------------------------------------------------------------------
//  Self test

//  Coerce the variables JSON text for the operation of document against
//  Depot's schema.
static dp_variables_t *
s_test_coerce (dp_arena_t *arena, dp_schema_t *schema, const char *document, const char *json,
               size_t json_len, dp_error_t **errors, size_t *n_errors)
{
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, document, strlen (document), NULL, &parse_error);
    assert (doc && doc->n_defs == 1);
    json_error_t json_error;
    json_t *given = json_loadb (json, json_len, JSON_ALLOW_NUL, &json_error);
    if (!given)
        fprintf (stderr, "dp_values: %.*s: %s\n", (int) json_len, json, json_error.text);
    assert (given);
    dp_variables_t *variables = dp_variables_coerce (arena, schema, &doc->defs [0], given,
                                                     errors, n_errors);
    json_decref (given);
    return variables;
}

void
dp_values_test (bool verbose)
{
    if (verbose)
        printf (" * dp_values: ");
    char err [256];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_arena_t *arena = dp_arena_new (4096);
    dp_error_t *errors;
    size_t n_errors;

    //  An ID holding U+0000 is a value of its own length: not the ID "1".
    static const char id_json [] = "{\"id\":\"1\\u0000x\"}";
    dp_variables_t *variables = s_test_coerce (arena, schema, "query ($id: ID!) { base(id: $id) { id } }",
                                               id_json, sizeof id_json - 1, &errors, &n_errors);
    assert (variables && dp_variables_size (variables) == 1);
    const input_t *id = dp_variables_get (variables, "id");
    assert (id->kind == IN_STRING && id->len == 3 && memcmp (id->s, "1\0x", 3) == 0);
    assert (!dp_input_text (id));
    assert (strcmp (dp_variables_name (variables, 0), "id") == 0 && dp_variables_value (variables, 0) == id);

    //  An enum name with a NUL is unknown; graphql-js's message quotes it whole.
    static const char enum_json [] = "{\"t\":\"Bo\\u0000x\"}";
    variables = s_test_coerce (arena, schema, "query ($t: TagType) { tags(tagType: $t) { id } }",
                               enum_json, sizeof enum_json - 1, &errors, &n_errors);
    assert (!variables && n_errors == 1);
    static const char enum_message [] = "Variable \"$t\" got invalid value \"Bo\\u0000x\"; Value \"Bo\0x\" "
                                        "does not exist in \"TagType\" enum. Did you mean the enum value \"Box\"?";
    assert (errors [0].message_len == sizeof enum_message - 1);
    assert (memcmp (errors [0].message, enum_message, sizeof enum_message - 1) == 0);
    assert (errors [0].n_locations == 1 && errors [0].locations [0].line == 1
            && errors [0].locations [0].column == 8);

    //  A Date holds no NUL.
    static const char date_json [] = "{\"f\":{\"lastModifiedFrom\":\"2024-01-01\\u0000\"}}";
    variables = s_test_coerce (arena, schema,
                               "query ($f: FilterBoxInput) { boxes(baseId: 1, filterInput: $f) { totalCount } }",
                               date_json, sizeof date_json - 1, &errors, &n_errors);
    assert (!variables && n_errors == 1);
    assert (strstr (errors [0].message, "Date cannot represent an invalid date value"));

    //  Values that arrive coerced (the resolver's side of EXECUTE).
    variables = dp_variables_new (arena, 1);
    input_t *flag = dp_input_new (arena, IN_BOOL);
    flag->i = 1;
    assert (dp_variables_add (variables, "x", flag) == 0);
    assert (dp_variables_add (variables, "y", flag) == -1);      //  full
    assert (dp_variables_get (variables, "x") == flag && !dp_variables_get (variables, "y"));

    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    if (verbose)
        printf ("OK\n");
}
