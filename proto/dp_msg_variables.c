/*  =========================================================================
    dp_msg_variables - a request's coerced variables on the wire (EXECUTE)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_msg_variables.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "dp_parser.h"

//  --------------------------------------------------------------------------
//  Encoding: by the value's kind

static void
s_encode_value (const input_t *value, dp_arena_t *arena, dp_val_t *out)
{
    memset (out, 0, sizeof *out);
    switch (value->kind) {
        case IN_NULL:
            out->type = DP_VAL_NIL;
            break;
        case IN_INT:
        case IN_ENUM:           //  the index of its value in its type
            out->type = DP_VAL_INT;
            out->u.i = value->i;
            break;
        case IN_FLOAT:
            out->type = DP_VAL_DOUBLE;
            out->u.d = value->f;
            break;
        case IN_BOOL:
            out->type = DP_VAL_BOOL;
            out->u.i = value->i != 0;
            break;
        case IN_STRING:
            out->type = DP_VAL_STR;
            out->u.s.ptr = value->s;
            out->u.s.len = (uint32_t) value->len;
            break;
        case IN_LIST:
            out->type = DP_VAL_ARRAY;
            out->u.a.count = (uint32_t) value->n_items;
            out->u.a.items = dp_arena_calloc (arena, value->n_items + 1, sizeof (dp_val_t));
            for (size_t i = 0; i < value->n_items; i++)
                s_encode_value (value->items [i], arena, &out->u.a.items [i]);
            break;
        case IN_OBJECT:
            out->type = DP_VAL_ARRAY;
            out->u.a.count = (uint32_t) (2 * value->n_fields);
            out->u.a.items = dp_arena_calloc (arena, 2 * value->n_fields + 1, sizeof (dp_val_t));
            for (size_t i = 0; i < value->n_fields; i++) {
                dp_val_t *name = &out->u.a.items [2 * i];
                name->type = DP_VAL_STR;
                name->u.s.ptr = value->names [i];
                name->u.s.len = (uint32_t) strlen (value->names [i]);
                s_encode_value (value->values [i], arena, &out->u.a.items [2 * i + 1]);
            }
            break;
    }
}

int
dp_msg_variables_encode (const dp_variables_t *variables, const dp_ast_definition_t *operation,
                         dp_arena_t *arena, dp_val_t **values, uint32_t *n_values)
{
    size_t n = variables ? dp_variables_size (variables) : 0;
    dp_val_t *out = dp_arena_calloc (arena, 2 * n + 1, sizeof (dp_val_t));
    for (size_t i = 0; i < n; i++) {
        const char *name = dp_variables_name (variables, i);
        size_t index = 0;
        while (index < operation->n_variables && strcmp (operation->variables [index].name, name) != 0)
            index++;
        if (index == operation->n_variables)
            return -1;
        out [2 * i].type = DP_VAL_INT;
        out [2 * i].u.i = (int64_t) index;
        s_encode_value (dp_variables_value (variables, i), arena, &out [2 * i + 1]);
    }
    *values = out;
    *n_values = (uint32_t) (2 * n);
    return 0;
}

//  --------------------------------------------------------------------------
//  Decoding: led by the declared type

static input_t *
s_fail (char *err, size_t err_len, const char *message, const char *type)
{
    snprintf (err, err_len, "%s %s", message, type);
    return NULL;
}

static input_t *s_decode_value (const dp_type_ref_t *ref, const dp_val_t *val, dp_arena_t *arena,
                                char *err, size_t err_len);

static input_t *
s_decode_named (const dp_type_t *type, const dp_val_t *val, dp_arena_t *arena, char *err, size_t err_len)
{
    input_t *out;
    if (type->kind == DP_TYPE_ENUM) {
        if (val->type != DP_VAL_INT || val->u.i < 0 || (uint64_t) val->u.i >= type->n_values)
            return s_fail (err, err_len, "variables: no value of enum", type->name);
        out = dp_input_new (arena, IN_ENUM);
        out->i = val->u.i;
        out->s = type->values [val->u.i].name;
        out->len = strlen (out->s);
        return out;
    }
    if (type->kind == DP_TYPE_INPUT_OBJECT) {
        if (val->type != DP_VAL_ARRAY || val->u.a.count % 2)
            return s_fail (err, err_len, "variables: not an object of", type->name);
        size_t n = val->u.a.count / 2;
        out = dp_input_new (arena, IN_OBJECT);
        out->names = dp_arena_calloc (arena, n + 1, sizeof (char *));
        out->values = dp_arena_calloc (arena, n + 1, sizeof (input_t *));
        for (size_t i = 0; i < n; i++) {
            const dp_val_t *name = &val->u.a.items [2 * i];
            const dp_input_value_t *field = name->type == DP_VAL_STR && !memchr (name->u.s.ptr, 0, name->u.s.len)
                                          ? dp_type_input_field (type, name->u.s.ptr) : NULL;
            if (!field || input_field (out, field->name))
                return s_fail (err, err_len, "variables: an unknown or repeated field of", type->name);
            input_t *value = s_decode_value (field->type, &val->u.a.items [2 * i + 1], arena, err, err_len);
            if (!value)
                return NULL;
            out->names [out->n_fields] = field->name;
            out->values [out->n_fields++] = value;
        }
        return out;
    }
    const char *name = type->name;
    if (strcmp (name, "Int") == 0) {
        if (val->type != DP_VAL_INT || val->u.i < INT32_MIN || val->u.i > INT32_MAX)
            return s_fail (err, err_len, "variables: not a value of", name);
        out = dp_input_new (arena, IN_INT);
        out->i = val->u.i;
        out->f = (double) val->u.i;
        return out;
    }
    if (strcmp (name, "Float") == 0) {
        if (val->type != DP_VAL_DOUBLE)
            return s_fail (err, err_len, "variables: not a value of", name);
        out = dp_input_new (arena, IN_FLOAT);
        out->f = val->u.d;
        return out;
    }
    if (strcmp (name, "Boolean") == 0) {
        if (val->type != DP_VAL_BOOL)
            return s_fail (err, err_len, "variables: not a value of", name);
        out = dp_input_new (arena, IN_BOOL);
        out->i = val->u.i;
        return out;
    }
    //  String, ID and the custom scalars.
    if (val->type != DP_VAL_STR)
        return s_fail (err, err_len, "variables: not a value of", name);
    out = dp_input_new (arena, IN_STRING);
    out->s = val->u.s.ptr;
    out->len = val->u.s.len;
    return out;
}

static input_t *
s_decode_value (const dp_type_ref_t *ref, const dp_val_t *val, dp_arena_t *arena, char *err, size_t err_len)
{
    if (ref->kind == DP_REF_NON_NULL) {
        if (val->type == DP_VAL_NIL)
            return s_fail (err, err_len, "variables: null for a non-null", "type");
        return s_decode_value (ref->of, val, arena, err, err_len);
    }
    if (val->type == DP_VAL_NIL)
        return dp_input_null (arena);
    if (ref->kind == DP_REF_LIST) {
        if (val->type != DP_VAL_ARRAY)
            return s_fail (err, err_len, "variables: not a", "list");
        input_t *list = dp_input_new (arena, IN_LIST);
        list->n_items = val->u.a.count;
        list->items = dp_arena_calloc (arena, list->n_items + 1, sizeof (input_t *));
        for (size_t i = 0; i < list->n_items; i++) {
            list->items [i] = s_decode_value (ref->of, &val->u.a.items [i], arena, err, err_len);
            if (!list->items [i])
                return NULL;
        }
        return list;
    }
    return s_decode_named (ref->named, val, arena, err, err_len);
}

dp_variables_t *
dp_msg_variables_decode (const dp_val_t *values, uint32_t n_values, const dp_ast_definition_t *operation,
                         dp_schema_t *schema, dp_arena_t *arena, char *err, size_t err_len)
{
    if (n_values % 2) {
        snprintf (err, err_len, "variables: %u values, not index and value pairs", n_values);
        return NULL;
    }
    dp_variables_t *variables = dp_variables_new (arena, operation->n_variables);
    for (uint32_t i = 0; i < n_values; i += 2) {
        const dp_val_t *index = &values [i];
        if (index->type != DP_VAL_INT || index->u.i < 0 || (uint64_t) index->u.i >= operation->n_variables) {
            snprintf (err, err_len, "variables: pair %u names no variable of the operation", i / 2);
            return NULL;
        }
        const dp_ast_variable_def_t *def = &operation->variables [index->u.i];
        dp_type_ref_t *ref = dp_values_type_ref (arena, schema, def->type, err, err_len);
        input_t *value = ref ? s_decode_value (ref, &values [i + 1], arena, err, err_len) : NULL;
        if (!value)
            return NULL;
        if (dp_variables_add (variables, def->name, value)) {
            snprintf (err, err_len, "variables: $%s is given twice", def->name);
            return NULL;
        }
    }
    return variables;
}

//  --------------------------------------------------------------------------
//  Self test

void
dp_msg_variables_test (bool verbose)
{
    if (verbose)
        printf (" * dp_msg_variables: ");
    char err [256];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_arena_t *arena = dp_arena_new (4096);
    const char *document = "query Q($id: ID!, $filter: FilterBoxInput, $n: Int, $f: Float, $b: Boolean, $absent: String) "
                           "{ boxes(baseId: $id, filterInput: $filter, paginationInput: {first: $n}) { totalCount } "
                           "a: __typename @include(if: $b) }";
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, document, strlen (document), NULL, &parse_error);
    assert (doc);
    const dp_ast_definition_t *operation = &doc->defs [0];

    //  Coerced from JSON (a NUL in the ID, a list of enums, an object), to
    //  the wire, through the codec, and back: the same values.
    static const char json_text [] = "{\"id\":\"1\\u0000x\",\"filter\":{\"states\":[\"Lost\",\"InStock\"],"
                                     "\"lastModifiedFrom\":\"2024-01-02\"},\"n\":null,\"f\":2.5,\"b\":true}";
    json_t *json = json_loadb (json_text, sizeof json_text - 1, JSON_ALLOW_NUL, NULL);
    dp_error_t *errors;
    size_t n_errors;
    dp_variables_t *coerced = dp_variables_coerce (arena, schema, operation, json, &errors, &n_errors);
    json_decref (json);
    assert (coerced && dp_variables_size (coerced) == 5);
    dp_msg_t msg = { .type = DP_MSG_EXECUTE };
    msg.u.execute.query = document;
    msg.u.execute.prepared = true;
    assert (dp_msg_variables_encode (coerced, operation, arena, &msg.u.execute.variables,
                                     &msg.u.execute.n_variables) == 0);
    assert (msg.u.execute.n_variables == 10);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    assert (dp_msg_encode (&msg, &buf) == 0);
    dp_msg_t wire;
    assert (dp_msg_decode (buf.data, buf.size, arena, &wire, err, sizeof err) == 0);
    msgpack_sbuffer_destroy (&buf);
    dp_variables_t *decoded = dp_msg_variables_decode (wire.u.execute.variables, wire.u.execute.n_variables,
                                                       operation, schema, arena, err, sizeof err);
    assert (decoded && dp_variables_size (decoded) == 5);
    const input_t *id = dp_variables_get (decoded, "id");
    assert (id->kind == IN_STRING && id->len == 3 && memcmp (id->s, "1\0x", 3) == 0);
    const input_t *states = input_field (dp_variables_get (decoded, "filter"), "states");
    assert (states && states->kind == IN_LIST && states->n_items == 2);
    assert (states->items [0]->kind == IN_ENUM && strcmp (states->items [0]->s, "Lost") == 0);
    assert (strcmp (states->items [1]->s, "InStock") == 0);
    const input_t *from = input_field (dp_variables_get (decoded, "filter"), "lastModifiedFrom");
    assert (from && from->len == 10 && strcmp (from->s, "2024-01-02") == 0);
    assert (dp_variables_get (decoded, "n")->kind == IN_NULL);
    assert (dp_variables_get (decoded, "f")->kind == IN_FLOAT && dp_variables_get (decoded, "f")->f == 2.5);
    assert (dp_variables_get (decoded, "b")->kind == IN_BOOL && dp_variables_get (decoded, "b")->i == 1);
    assert (!dp_variables_get (decoded, "absent"));

    //  What does not fit the declared types is refused, never guessed.
    dp_val_t bad [] = { { .type = DP_VAL_INT, .u.i = 0 }, { .type = DP_VAL_NIL } };
    assert (!dp_msg_variables_decode (bad, 2, operation, schema, arena, err, sizeof err));
    assert (strstr (err, "non-null"));
    bad [0].u.i = 6;                                    //  no seventh variable
    assert (!dp_msg_variables_decode (bad, 2, operation, schema, arena, err, sizeof err));
    bad [0].u.i = 2;                                    //  $n: Int, given a str
    bad [1].type = DP_VAL_STR;
    bad [1].u.s.ptr = "1";
    bad [1].u.s.len = 1;
    assert (!dp_msg_variables_decode (bad, 2, operation, schema, arena, err, sizeof err));
    assert (strstr (err, "Int"));
    dp_val_t object [] = { { .type = DP_VAL_STR, .u.s = { "nope", 4 } }, { .type = DP_VAL_NIL } };
    bad [0].u.i = 1;                                    //  $filter with an unknown field
    bad [1].type = DP_VAL_ARRAY;
    bad [1].u.a.items = object;
    bad [1].u.a.count = 2;
    assert (!dp_msg_variables_decode (bad, 2, operation, schema, arena, err, sizeof err));
    assert (!dp_msg_variables_decode (bad, 1, operation, schema, arena, err, sizeof err));

    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    if (verbose)
        printf ("OK\n");
}
