/*  =========================================================================
    dp_coerce - variable values and argument literals to typed inputs

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
    other GraphQL server.
@end
*/
#include "dp_coerce.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <errno.h>

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
dp_input_null (dp_arena_t *arena)
{
    return s_new (arena, IN_NULL);
}

//  The JSON text of a value, for messages ("Int cannot represent ...: 1.5").
static void
s_json_text (json_t *value, char *buf, size_t size)
{
    char *text = json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf (buf, size, "%s", text ? text : "?");
    free (text);
}

static bool
s_valid_date (const char *s, bool with_time)
{
    //  YYYY-MM-DD, or for Datetime an ISO-8601 date-time; checked by shape.
    size_t len = strlen (s);
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

//  A scalar or enum leaf from JSON. Returns NULL with err.
static input_t *
s_leaf_from_json (dp_arena_t *arena, const dp_type_t *type, json_t *value, char *err, size_t err_len)
{
    char text [120];
    const char *name = type->name;
    if (type->kind == DP_TYPE_ENUM) {
        if (json_is_string (value)) {
            int index = dp_type_enum_index (type, json_string_value (value));
            if (index >= 0) {
                input_t *out = s_new (arena, IN_ENUM);
                out->i = index;
                out->s = type->values [index].name;
                return out;
            }
            snprintf (err, err_len, "Value \"%s\" does not exist in \"%s\" enum.", json_string_value (value), name);
            return NULL;
        }
        s_json_text (value, text, sizeof text);
        snprintf (err, err_len, "Enum \"%s\" cannot represent non-string value: %s.", name, text);
        return NULL;
    }
    s_json_text (value, text, sizeof text);
    if (strcmp (name, "Int") == 0) {
        double d = json_number_value (value);
        if (!json_is_number (value) || d != floor (d)) {
            snprintf (err, err_len, "Int cannot represent non-integer value: %s", text);
            return NULL;
        }
        if (d > 2147483647.0 || d < -2147483648.0) {
            snprintf (err, err_len, "Int cannot represent non 32-bit signed integer value: %s", text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_INT);
        out->i = (int64_t) d;
        out->f = d;
        return out;
    }
    if (strcmp (name, "Float") == 0) {
        if (!json_is_number (value)) {
            snprintf (err, err_len, "Float cannot represent non numeric value: %s", text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_FLOAT);
        out->f = json_number_value (value);
        return out;
    }
    if (strcmp (name, "Boolean") == 0) {
        if (!json_is_boolean (value)) {
            snprintf (err, err_len, "Boolean cannot represent a non boolean value: %s", text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_BOOL);
        out->i = json_is_true (value);
        return out;
    }
    if (strcmp (name, "ID") == 0) {
        input_t *out = s_new (arena, IN_STRING);
        if (json_is_string (value))
            out->s = dp_arena_strdup (arena, json_string_value (value));
        else
        if (json_is_integer (value))
            out->s = dp_arena_printf (arena, "%lld", (long long) json_integer_value (value));
        else {
            snprintf (err, err_len, "ID cannot represent value: %s", text);
            return NULL;
        }
        return out;
    }
    //  String, Datetime, Date and any other custom scalar: strings.
    if (!json_is_string (value)) {
        snprintf (err, err_len, "%s cannot represent a non string value: %s", name, text);
        return NULL;
    }
    const char *s = json_string_value (value);
    if ((strcmp (name, "Date") == 0 && !s_valid_date (s, false))
    ||  (strcmp (name, "Datetime") == 0 && !s_valid_date (s, true))) {
        snprintf (err, err_len, "%s cannot represent an invalid date value: %s", name, text);
        return NULL;
    }
    input_t *out = s_new (arena, IN_STRING);
    out->s = dp_arena_strdup (arena, s);
    return out;
}

//  Apply an input object's defaults and reject unknown fields.
static input_t *s_from_json (dp_arena_t *arena, const dp_type_ref_t *ref, json_t *value,
                             const char *path, char *err, size_t err_len);

static input_t *
s_default (dp_arena_t *arena, const dp_input_value_t *def, char *err, size_t err_len)
{
    return dp_coerce_literal (arena, def->type, def->default_value, NULL, err, err_len);
}

static input_t *
s_from_json (dp_arena_t *arena, const dp_type_ref_t *ref, json_t *value, const char *path,
             char *err, size_t err_len)
{
    char inner [400];
    if (ref->kind == DP_REF_NON_NULL) {
        if (!value || json_is_null (value)) {
            char printed [100];
            dp_type_ref_print (ref, printed, sizeof printed);
            snprintf (err, err_len, "%sExpected non-nullable type \"%s\" not to be null.", path, printed);
            return NULL;
        }
        return s_from_json (arena, ref->of, value, path, err, err_len);
    }
    if (!value || json_is_null (value))
        return s_new (arena, IN_NULL);
    if (ref->kind == DP_REF_LIST) {
        input_t *list = s_new (arena, IN_LIST);
        if (!json_is_array (value)) {
            list->n_items = 1;
            list->items = dp_arena_alloc (arena, sizeof (input_t *));
            list->items [0] = s_from_json (arena, ref->of, value, path, err, err_len);
            return list->items [0] ? list : NULL;
        }
        list->n_items = json_array_size (value);
        list->items = dp_arena_calloc (arena, list->n_items + 1, sizeof (input_t *));
        for (size_t i = 0; i < list->n_items; i++) {
            char item_path [300];
            snprintf (item_path, sizeof item_path, "%.250sAt index %zu: ", path, i);
            list->items [i] = s_from_json (arena, ref->of, json_array_get (value, i), item_path,
                                           err, err_len);
            if (!list->items [i])
                return NULL;
        }
        return list;
    }
    const dp_type_t *type = ref->named;
    if (type->kind == DP_TYPE_INPUT_OBJECT) {
        if (!json_is_object (value)) {
            snprintf (err, err_len, "%sExpected type \"%s\" to be an object.", path, type->name);
            return NULL;
        }
        const char *key;
        json_t *member;
        json_object_foreach (value, key, member) {
            if (!dp_type_input_field (type, key)) {
                snprintf (err, err_len, "%sField \"%s\" is not defined by type \"%s\".", path, key, type->name);
                return NULL;
            }
        }
        input_t *object = s_new (arena, IN_OBJECT);
        object->names = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (char *));
        object->values = dp_arena_calloc (arena, type->n_input_fields + 1, sizeof (input_t *));
        for (size_t i = 0; i < type->n_input_fields; i++) {
            const dp_input_value_t *def = &type->input_fields [i];
            json_t *given = json_object_get (value, def->name);
            input_t *field_value;
            if (!given) {
                if (def->default_value)
                    field_value = s_default (arena, def, err, err_len);
                else
                if (def->type->kind == DP_REF_NON_NULL) {
                    char printed [100];
                    dp_type_ref_print (def->type, printed, sizeof printed);
                    snprintf (err, err_len, "%sField \"%s\" of required type \"%s\" was not provided.",
                              path, def->name, printed);
                    return NULL;
                }
                else
                    continue;
            }
            else
                field_value = s_from_json (arena, def->type, given, path, err, err_len);
            if (!field_value)
                return NULL;
            object->names [object->n_fields] = def->name;
            object->values [object->n_fields++] = field_value;
        }
        return object;
    }
    input_t *leaf = s_leaf_from_json (arena, type, value, inner, sizeof inner);
    if (!leaf)
        snprintf (err, err_len, "%s%s", path, inner);
    return leaf;
}

input_t *
dp_coerce_variable (dp_arena_t *arena, const char *variable, const dp_type_ref_t *ref,
                    json_t *value, char *err, size_t err_len)
{
    char inner [500];
    input_t *out = s_from_json (arena, ref, value, "", inner, sizeof inner);
    if (!out) {
        char printed [100];
        dp_type_ref_print (ref, printed, sizeof printed);
        char text [120];
        s_json_text (value, text, sizeof text);
        snprintf (err, err_len, "Variable \"$%s\" got invalid value %s; %s", variable, text, inner);
    }
    return out;
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
    if (strcmp (name, "ID") == 0 && (value->kind == DP_AST_STRING || value->kind == DP_AST_INT)) {
        input_t *out = s_new (arena, IN_STRING);
        out->s = value->text;
        return out;
    }
    if (strcmp (name, "Int") != 0 && strcmp (name, "Float") != 0 && strcmp (name, "Boolean") != 0
    &&  strcmp (name, "ID") != 0 && value->kind == DP_AST_STRING) {
        if ((strcmp (name, "Date") == 0 && !s_valid_date (value->text, false))
        ||  (strcmp (name, "Datetime") == 0 && !s_valid_date (value->text, true))) {
            snprintf (err, err_len, "%s cannot represent an invalid date value: \"%s\"", name, value->text);
            return NULL;
        }
        input_t *out = s_new (arena, IN_STRING);
        out->s = value->text;
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
    size_t count;
};

const input_t *
dp_variables_get (const dp_variables_t *self, const char *name)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->names [i], name) == 0)
            return self->values [i];
    return NULL;
}

//  Resolve an AST type (of a variable definition) against the schema.
static dp_type_ref_t *
s_ast_type_ref (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_type_t *ast,
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
    ref->of = s_ast_type_ref (arena, schema, ast->of, err, err_len);
    return ref->of ? ref : NULL;
}

dp_variables_t *
dp_variables_coerce (dp_arena_t *arena, dp_schema_t *schema, const dp_ast_definition_t *operation,
                     json_t *given, dp_loc_t *err_loc, char *err, size_t err_len)
{
    dp_variables_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    size_t n = operation->n_variables;
    self->names = dp_arena_calloc (arena, n + 1, sizeof (char *));
    self->values = dp_arena_calloc (arena, n + 1, sizeof (input_t *));
    for (size_t i = 0; i < n; i++) {
        const dp_ast_variable_def_t *def = &operation->variables [i];
        *err_loc = def->loc;
        dp_type_ref_t *ref = s_ast_type_ref (arena, schema, def->type, err, err_len);
        if (!ref)
            return NULL;
        json_t *value = given ? json_object_get (given, def->name) : NULL;
        input_t *coerced;
        if (!value) {
            if (def->default_value) {
                coerced = dp_coerce_literal (arena, ref, def->default_value, NULL, err, err_len);
                if (!coerced)
                    return NULL;
            }
            else
            if (ref->kind == DP_REF_NON_NULL) {
                char printed [100];
                dp_type_ref_print (ref, printed, sizeof printed);
                snprintf (err, err_len, "Variable \"$%s\" of required type \"%s\" was not provided.",
                          def->name, printed);
                return NULL;
            }
            else
                continue;       //  absent: not in the map
        }
        else
        if (json_is_null (value) && ref->kind == DP_REF_NON_NULL) {
            char printed [100];
            dp_type_ref_print (ref, printed, sizeof printed);
            snprintf (err, err_len, "Variable \"$%s\" of non-null type \"%s\" must not be null.",
                      def->name, printed);
            return NULL;
        }
        else {
            coerced = dp_coerce_variable (arena, def->name, ref, value, err, err_len);
            if (!coerced)
                return NULL;
        }
        self->names [self->count] = def->name;
        self->values [self->count++] = coerced;
    }
    return self;
}
