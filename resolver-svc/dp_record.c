/*  =========================================================================
    dp_record - objects that are not rows: result wrappers and error types

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute answers many mutations (and the QR-code scan) with union
    members that no table holds: InsufficientPermissionError { name },
    BoxesResult { updatedBoxes invalidBoxLabelIdentifiers }, ... A record
    is such an object: its type's name and named field values (scalars,
    lists of scalars, rows of a loader by key, nested records). Every
    field of such a type is bound to the same three hooks (DP_RECORD_FIELD_BIND):
    collect asks for the rows a field names, children hands them (or the
    nested records) to the next wave, write writes the value.
@end
*/
#include "dp_mutation.h"
#include "dp_exec_hooks.h"
#include <assert.h>
#include <string.h>

#define S_MAX_FIELDS 8

typedef enum {
    RV_STRING, RV_INT, RV_FLOAT, RV_BOOL, RV_ID, RV_ENUM, RV_STRINGS, RV_IDS, RV_INTS, RV_OBJECTS, RV_RECORDS
} value_kind_t;

typedef struct {
    const char *name;
    value_kind_t kind;
    bool list;                  //  OBJECTS, RECORDS: a list (else one)
    const char *s;              //  STRING, ENUM
    int64_t i;                  //  INT, BOOL, ID
    double d;                   //  FLOAT
    const char **strings;       //  STRINGS
    size_t *lengths;            //  STRINGS: bytes of each (a string may hold U+0000)
    int64_t *ints;              //  IDS, OBJECTS keys
    dp_record_t **records;      //  RECORDS
    size_t n;
    dp_loader_id_t loader;      //  OBJECTS
} value_t;

struct _dp_record_t {
    dp_arena_t *arena;
    const char *type_name;
    value_t fields [S_MAX_FIELDS];
    size_t n_fields;
};

dp_record_t *
dp_record_new_in (dp_arena_t *arena, const char *type_name)
{
    dp_record_t *record = dp_arena_calloc (arena, 1, sizeof *record);
    record->arena = arena;
    record->type_name = dp_arena_strdup (arena, type_name);
    return record;
}

dp_record_t *
dp_record_new (dp_mutation_t *m, const char *type_name)
{
    return dp_record_new_in (dp_mutation_arena (m), type_name);
}

//  The field's value, new (set once: a second set replaces it).
static value_t *
s_set (dp_record_t *record, const char *field, value_kind_t kind)
{
    value_t *value = NULL;
    for (size_t f = 0; f < record->n_fields; f++)
        if (strcmp (record->fields [f].name, field) == 0)
            value = &record->fields [f];
    if (!value) {
        assert (record->n_fields < S_MAX_FIELDS);
        value = &record->fields [record->n_fields++];
    }
    memset (value, 0, sizeof *value);
    value->name = dp_arena_strdup (record->arena, field);
    value->kind = kind;
    return value;
}

static const value_t *
s_get (const dp_record_t *record, const char *field)
{
    for (size_t f = 0; f < record->n_fields; f++)
        if (strcmp (record->fields [f].name, field) == 0)
            return &record->fields [f];
    return NULL;
}

void
dp_record_set_string (dp_record_t *record, const char *field, const char *value)
{
    s_set (record, field, RV_STRING)->s = dp_arena_strdup (record->arena, value);
}

void
dp_record_set_int (dp_record_t *record, const char *field, int64_t value)
{
    s_set (record, field, RV_INT)->i = value;
}

void
dp_record_set_float (dp_record_t *record, const char *field, double value)
{
    s_set (record, field, RV_FLOAT)->d = value;
}

void
dp_record_set_bool (dp_record_t *record, const char *field, bool value)
{
    s_set (record, field, RV_BOOL)->i = value;
}

void
dp_record_set_id (dp_record_t *record, const char *field, int64_t value)
{
    s_set (record, field, RV_ID)->i = value;
}

void
dp_record_set_enum (dp_record_t *record, const char *field, const char *name)
{
    s_set (record, field, RV_ENUM)->s = dp_arena_strdup (record->arena, name);
}

void
dp_record_set_strings (dp_record_t *record, const char *field, const char *const *values, size_t n)
{
    size_t *lengths = dp_arena_calloc (record->arena, n + 1, sizeof (size_t));
    for (size_t i = 0; i < n; i++)
        lengths [i] = strlen (values [i]);
    dp_record_set_strings_n (record, field, values, lengths, n);
}

void
dp_record_set_strings_n (dp_record_t *record, const char *field, const char *const *values,
                         const size_t *lengths, size_t n)
{
    value_t *value = s_set (record, field, RV_STRINGS);
    value->strings = dp_arena_calloc (record->arena, n + 1, sizeof (char *));
    value->lengths = dp_arena_calloc (record->arena, n + 1, sizeof (size_t));
    for (size_t i = 0; i < n; i++) {
        value->strings [i] = dp_arena_strndup (record->arena, values [i], lengths [i]);
        value->lengths [i] = lengths [i];
    }
    value->n = n;
}

static int64_t *
s_ints (dp_record_t *record, const int64_t *values, size_t n)
{
    int64_t *copy = dp_arena_alloc (record->arena, (n + 1) * sizeof (int64_t));
    if (n)
        memcpy (copy, values, n * sizeof (int64_t));
    return copy;
}

void
dp_record_set_ids (dp_record_t *record, const char *field, const int64_t *values, size_t n)
{
    value_t *value = s_set (record, field, RV_IDS);
    value->ints = s_ints (record, values, n);
    value->n = n;
}

void
dp_record_set_ints (dp_record_t *record, const char *field, const int64_t *values, size_t n)
{
    value_t *value = s_set (record, field, RV_INTS);
    value->ints = s_ints (record, values, n);
    value->n = n;
}

void
dp_record_set_object (dp_record_t *record, const char *field, dp_loader_id_t loader, int64_t key)
{
    dp_record_set_objects (record, field, loader, &key, 1);
    ((value_t *) s_get (record, field))->list = false;
}

void
dp_record_set_objects (dp_record_t *record, const char *field, dp_loader_id_t loader,
                       const int64_t *keys, size_t n)
{
    value_t *value = s_set (record, field, RV_OBJECTS);
    value->loader = loader;
    value->ints = s_ints (record, keys, n);
    value->n = n;
    value->list = true;
}

void
dp_record_set_record (dp_record_t *record, const char *field, dp_record_t *nested)
{
    dp_record_set_records (record, field, &nested, 1);
    ((value_t *) s_get (record, field))->list = false;
}

void
dp_record_set_records (dp_record_t *record, const char *field, dp_record_t *const *values, size_t n)
{
    value_t *value = s_set (record, field, RV_RECORDS);
    value->records = dp_arena_calloc (record->arena, n + 1, sizeof (dp_record_t *));
    if (n)
        memcpy (value->records, values, n * sizeof (dp_record_t *));
    value->n = n;
    value->list = true;
}

//  -------------------------------------------------------------------------
//  boxtribute's common error types

dp_record_t *
dp_record_insufficient_permission (dp_mutation_t *m, const char *permission)
{
    dp_record_t *record = dp_record_new (m, "InsufficientPermissionError");
    dp_record_set_string (record, "name", permission);
    return record;
}

dp_record_t *
dp_record_unauthorized_for_base (dp_mutation_t *m, int64_t base_id, const char *base_name,
                                 const char *organisation_name)
{
    dp_record_t *record = dp_record_new (m, "UnauthorizedForBaseError");
    dp_record_set_id (record, "id", base_id);
    dp_record_set_string (record, "name", base_name ? base_name : "");
    dp_record_set_string (record, "organisationName", organisation_name ? organisation_name : "");
    return record;
}

dp_record_t *
dp_record_does_not_exist (dp_mutation_t *m, bool has_id, int64_t id, const char *name)
{
    dp_record_t *record = dp_record_new (m, "ResourceDoesNotExistError");
    if (has_id)
        dp_record_set_id (record, "id", id);
    dp_record_set_string (record, "name", name);
    return record;
}

//  -------------------------------------------------------------------------
//  The hooks of a record type's fields

size_t
dp_record_objs (dp_exec_t *exec, const plan_field_t *pf, dp_record_t *const *records, size_t n,
                obj_t **objs)
{
    *objs = dp_arena_calloc (dp_exec_arena (exec), n + 1, sizeof (obj_t));
    size_t count = 0;
    for (size_t r = 0; r < n; r++)
        for (size_t v = 0; pf->child && v < pf->child->n_variants; v++)
            if (strcmp (pf->child->variants [v].object->name, records [r]->type_name) == 0) {
                (*objs) [count].type = pf->child->variants [v].object;
                (*objs) [count].synthetic = records [r];
                count++;
                break;
            }
    return count;
}

static const value_t *
s_value (const plan_field_t *pf, const obj_t *obj)
{
    const dp_record_t *record = obj->synthetic;
    return record && pf->field ? s_get (record, pf->field->name) : NULL;
}

void
dp_record_field_collect (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const value_t *value = s_value (pf, obj);
    uint64_t mask;
    if (!value || value->kind != RV_OBJECTS || !dp_exec_loader_type (pf, value->loader, &mask))
        return;
    for (size_t k = 0; k < value->n; k++)
        dp_exec_need (exec, value->loader, value->ints [k], mask);
}

void
dp_record_field_children (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj,
                          obj_t **children, size_t *n_children)
{
    const value_t *value = s_value (pf, obj);
    *n_children = 0;
    if (value && value->kind == RV_OBJECTS)
        *n_children = dp_exec_rows_by_key (exec, pf, value->loader, value->ints, value->n, children);
    else
    if (value && value->kind == RV_RECORDS)
        *n_children = dp_record_objs (exec, pf, value->records, value->n, children);
}

static void
s_write_id (dp_json_writer_t *out, int64_t id)
{
    dp_json_writer_char (out, '"');
    dp_json_writer_int (out, id);
    dp_json_writer_char (out, '"');
}

int
dp_record_field_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    const value_t *value = s_value (pf, obj);
    if (!value)
        return 0;               //  not set: null
    dp_json_writer_t *out = dp_exec_out (exec);
    switch (value->kind) {
        case RV_STRING:
        case RV_ENUM:
            dp_json_writer_cstr (out, value->s);
            return 1;
        case RV_INT:
            dp_json_writer_int (out, value->i);
            return 1;
        case RV_FLOAT:
            dp_json_writer_double (out, value->d);
            return 1;
        case RV_BOOL:
            dp_json_writer_bool (out, value->i != 0);
            return 1;
        case RV_ID:
            s_write_id (out, value->i);
            return 1;
        case RV_STRINGS:
        case RV_IDS:
        case RV_INTS:
            dp_json_writer_char (out, '[');
            for (size_t i = 0; i < value->n; i++) {
                if (i)
                    dp_json_writer_char (out, ',');
                if (value->kind == RV_IDS)
                    s_write_id (out, value->ints [i]);
                else
                if (value->kind == RV_INTS)
                    dp_json_writer_int (out, value->ints [i]);
                else
                    dp_json_writer_string (out, value->strings [i], value->lengths [i]);
            }
            dp_json_writer_char (out, ']');
            return 1;
        case RV_OBJECTS:
        case RV_RECORDS: {
            obj_t *children;
            size_t n;
            dp_record_field_children (exec, pf, obj, &children, &n);
            return dp_exec_write_children (exec, pf, children, n, value->list);
        }
    }
    return 0;
}
