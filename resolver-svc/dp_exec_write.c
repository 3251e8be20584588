/*  =========================================================================
    dp_exec_write - a request's JSON answer, in one pass over the plan

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Once the waves are done, the answer is written from the plan and the
    cache in query order: each field's value (scalars converted from
    their cells, relations through dp_exec_rows, hooks for the rest),
    null propagation (a null or failed non-null field nulls its parent,
    up to data), and the errors recorded on the way, each with its path.
    Answers without data (a request refused before execution, or failed
    in it) are written here too.
@discuss
    The writer never loads: it only reads the cache, so the number of SQL
    statements does not depend on the number of rows.
@end
*/
#include "dp_exec_private.h"
#include "dp_error.h"
#include "dp_log.h"
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A base-agnostic permission is missing: FORBIDDEN error (-1), or a
//  silent null (0) where boxtribute answers null.
static int
s_any_base_denied (dp_exec_t *self, const plan_field_t *pf)
{
    if (pf->bind->authz.kind == AUTHZ_ANY_BASE_NULL)
        return 0;
    return dp_exec_forbidden (self, pf, pf->bind->authz.permission);
}

static void
s_path_json (dp_exec_t *self, dp_json_writer_t *w)
{
    dp_json_writer_char (w, '[');
    for (size_t i = 0; i < self->path_len; i++) {
        if (i)
            dp_json_writer_char (w, ',');
        if (self->path [i].key)
            dp_json_writer_cstr (w, self->path [i].key);
        else
            dp_json_writer_int (w, (int64_t) self->path [i].index);
    }
    dp_json_writer_char (w, ']');
}

void
dp_exec_field_error (dp_exec_t *exec, const plan_field_t *pf, const char *code,
                     const char *description, const char *fmt, ...)
{
    if (exec->n_errors >= 1000)
        return;                 //  enough to tell the story; the rest are alike
    exec_error_t *error = dp_arena_calloc (exec->arena, 1, sizeof *error);
    char text [500];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    error->message = dp_arena_strdup (exec->arena, text);
    error->loc = pf->loc;
    error->has_loc = true;
    dp_json_writer_t path;
    dp_json_writer_init (&path, 128);
    s_path_json (exec, &path);
    error->path_json = dp_arena_strndup (exec->arena, path.data, path.len);
    dp_json_writer_release (&path);
    error->code = code;
    error->description = description ? dp_arena_strdup (exec->arena, description) : NULL;
    if (exec->errors_tail)
        exec->errors_tail->next = error;
    else
        exec->errors = error;
    exec->errors_tail = error;
    exec->n_errors++;
}

int
dp_exec_forbidden (dp_exec_t *exec, const plan_field_t *pf, const char *denied)
{
    char description [240];
    snprintf (description, sizeof description, "You don't have access to '%s'", denied);
    dp_exec_field_error (exec, pf, "FORBIDDEN", description, "%s", description);
    return -1;
}

int
dp_exec_not_found (dp_exec_t *exec, const plan_field_t *pf)
{
    const char *text = "The requested resource does not exist in the database.";
    dp_exec_field_error (exec, pf, "BAD_USER_INPUT", text, "%s", text);
    return -1;
}

static int s_write_object (dp_exec_t *self, const plan_node_t *node, const obj_t *obj);

static int
s_write_scalar (dp_exec_t *self, const plan_field_t *pf, const dp_val_t *cell, const dp_binding_t *bind)
{
    dp_json_writer_t *out = &self->out;
    if (cell->type == DP_VAL_NIL)
        return 0;
    switch (bind->conv) {
        case CONV_ID:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_char (out, '"');
                dp_json_writer_int (out, cell->u.i);
                dp_json_writer_char (out, '"');
                return 1;
            }
            break;
        case CONV_INT:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_int (out, cell->u.i);
                return 1;
            }
            break;
        case CONV_FLOAT:
            if (cell->type == DP_VAL_DOUBLE) {
                dp_json_writer_double (out, cell->u.d);
                return 1;
            }
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_double (out, (double) cell->u.i);
                return 1;
            }
            break;
        case CONV_BOOL:
            if (cell->type == DP_VAL_INT) {
                dp_json_writer_bool (out, cell->u.i != 0);
                return 1;
            }
            break;
        case CONV_STRING:
        case CONV_DATETIME:
        case CONV_DATE:
            if (cell->type == DP_VAL_STR) {
                dp_json_writer_string (out, cell->u.s.ptr, cell->u.s.len);
                return 1;
            }
            break;
        case CONV_ENUM_INT:
            if (cell->type == DP_VAL_INT && cell->u.i >= 0 && (size_t) cell->u.i < bind->n_int_names
            &&  bind->int_names [cell->u.i]) {
                dp_json_writer_cstr (out, bind->int_names [cell->u.i]);
                return 1;
            }
            break;
        case CONV_ENUM_STR:
            if (cell->type == DP_VAL_STR)
                for (size_t i = 0; bind->str_pairs [i]; i += 2)
                    if (strcmp (bind->str_pairs [i], cell->u.s.ptr) == 0) {
                        dp_json_writer_cstr (out, bind->str_pairs [i + 1]);
                        return 1;
                    }
            break;
    }
    dp_exec_field_error (self, pf, "INTERNAL_SERVER_ERROR", NULL,
                         "Field \"%s\" has a value Depot cannot represent.", pf->key);
    return -1;
}

//  Write one item of a composite value; returns 1/0/-1.
static int
s_write_item (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    return s_write_object (self, pf->child, obj);
}

//  The element type reference of a list field (under a non-null).
static const dp_type_ref_t *
s_unwrap (const dp_type_ref_t *ref)
{
    return ref->kind == DP_REF_NON_NULL ? ref->of : ref;
}

static int
s_write_list (dp_exec_t *self, const plan_field_t *pf, obj_t *objs, size_t n)
{
    const dp_type_ref_t *list = s_unwrap (pf->field->type);
    bool item_non_null = list->kind == DP_REF_LIST && list->of->kind == DP_REF_NON_NULL;
    dp_json_writer_char (&self->out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            dp_json_writer_char (&self->out, ',');
        size_t start = self->out.len;
        if (self->path_len < MAX_PATH) {
            self->path [self->path_len].key = NULL;
            self->path [self->path_len].index = i;
        }
        self->path_len++;
        int r = s_write_item (self, pf, &objs [i]);
        if (r != 1) {
            dp_json_writer_truncate (&self->out, start);
            if (item_non_null) {
                if (r == 0)
                    dp_exec_field_error (self, pf, NULL, NULL,
                                         "Cannot return null for non-nullable field %s.%s.",
                                         pf->field ? "" : "", pf->key);
                self->path_len--;
                return -1;
            }
            dp_json_writer_null (&self->out);
        }
        self->path_len--;
    }
    dp_json_writer_char (&self->out, ']');
    return 1;
}

int
dp_exec_write_children (dp_exec_t *exec, const plan_field_t *pf, obj_t *objs, size_t n, bool list)
{
    if (list)
        return s_write_list (exec, pf, objs, n);
    if (n == 0)
        return 0;
    return s_write_item (exec, pf, &objs [0]);
}

//  A root field's object by id that the database does not have: an error,
//  as boxtribute's get_by_id answers. When the object is itself a base (its
//  base column is its id, column 0: base(id)), the id is the base, and the
//  caller's access to it is checked first, as boxtribute does.
static int
s_write_not_found (dp_exec_t *self, const plan_field_t *pf)
{
    const dp_binding_t *bind = pf->bind;
    const root_load_t *root = pf->root_state;
    char denied [80];
    if (bind->authz.kind == AUTHZ_TARGET_BASE_ERROR && bind->authz.base_column == 0
    &&  root->n_keys == 1
    &&  !dp_authz_base (&self->authz, bind->authz.permission, root->keys [0], denied, sizeof denied))
        return dp_exec_forbidden (self, pf, denied);
    return dp_exec_not_found (self, pf);
}

//  A relation's objects from the cache, authorised, for writing.
static int
s_write_relation (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    const dp_binding_t *bind = pf->bind;
    row_t *single = NULL;
    row_t **rows;
    size_t n_rows;
    char description [200];
    const char *code;
    rel_status_t status = dp_exec_candidate_rows (self, pf, obj, &rows, &n_rows, &single,
                                            description, sizeof description, &code);
    if (status == REL_NULL)
        return 0;
    if (status == REL_DENIED) {
        dp_exec_field_error (self, pf, code, description, "%s", description);
        return -1;
    }
    char denied [80];
    if (s_unwrap (pf->field->type)->kind != DP_REF_LIST) {
        if (n_rows == 0 && bind->kind == BIND_ROOT_LOAD && bind->key_source == KEYS_ARGUMENT)
            return s_write_not_found (self, pf);
        if (n_rows == 0)
            return 0;
        //  The first row the field's filter keeps (a single object picked from
        //  a list, as Query.transferAgreement), then its authorisation.
        size_t pick = 0;
        while (bind->keep && pick + 1 < n_rows && !bind->keep (pf, rows [pick]))
            pick++;
        const row_t *row = rows [pick];
        if (!dp_exec_row_visible (self, bind, pf, row, denied, sizeof denied)) {
            if ((bind->authz.kind != AUTHZ_TARGET_BASE_ERROR
                 && bind->authz.kind != AUTHZ_TARGET_EITHER_ERROR) || !denied [0])
                return 0;
            return dp_exec_forbidden (self, pf, denied);
        }
        obj_t child = { .type = dp_exec_concrete (pf, row), .row = (row_t *) row };
        if (!child.type)
            return 0;
        return s_write_object (self, pf->child, &child);
    }
    obj_t *objs = dp_arena_alloc (self->arena, (n_rows + 1) * sizeof (obj_t));
    size_t n = 0;
    for (size_t r = 0; r < n_rows; r++) {
        if (!dp_exec_row_visible (self, bind, pf, rows [r], denied, sizeof denied))
            continue;
        objs [n].type = dp_exec_concrete (pf, rows [r]);
        objs [n].row = rows [r];
        objs [n].synthetic = NULL;
        if (objs [n].type)
            n++;
    }
    return s_write_list (self, pf, objs, n);
}

//  The value of one field of obj; returns 1 (written), 0 (null) or -1
//  (null with an error already recorded).
static int
s_write_value (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    const dp_binding_t *bind = pf->bind;
    if (!pf->field) {
        dp_json_writer_cstr (&self->out, obj->type->name);
        return 1;
    }
    switch (bind->kind) {
        case BIND_COLUMN:
            if (!dp_exec_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            return s_write_scalar (self, pf, &obj->row->cells [bind->column], bind);
        case BIND_LOOKUP: {
            if (obj->row->cells [bind->column].type == DP_VAL_NIL)
                return 0;
            if (!dp_exec_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            const row_t *row = dp_exec_lookup_row (self, bind->loader, &obj->row->cells [bind->column]);
            if (!row && bind->zero_if_missing) {
                dp_json_writer_int (&self->out, 0);
                return 1;
            }
            if (!row)
                return 0;
            return s_write_scalar (self, pf, &row->cells [bind->value_column], bind);
        }
        case BIND_FK:
        case BIND_REVERSE:
        case BIND_ROOT_LOAD:
            return s_write_relation (self, pf, obj);
        case BIND_THROUGH: {
            if (!dp_exec_any_base_allowed (self, bind))
                return s_any_base_denied (self, pf);
            obj_t *targets;
            size_t n = dp_exec_through_targets (self, pf, obj, &targets);
            return s_write_list (self, pf, targets, n);
        }
        case BIND_COMPUTED:
            return bind->write (self, pf, obj);
        case BIND_SYNTHETIC:
        case BIND_ROOT:
            if (bind->write)
                return bind->write (self, pf, obj);
            if (bind->children) {
                obj_t *children = NULL;
                size_t n = 0;
                bind->children (self, pf, obj, &children, &n);
                return dp_exec_write_children (self, pf, children, n, bind->list);
            }
            return 0;
        case BIND_MUTATION:
            return dp_exec_mutation_write_value (self, pf);
        case BIND_NONE:
        default:
            dp_exec_field_error (self, pf, "NOT_IMPLEMENTED", NULL,
                                 "Field \"%s.%s\" is not served by this version of Depot.",
                                 obj->type->name, pf->field->name);
            return -1;
    }
}

//  "key": value, with nullability applied. Returns 0, or -1 to propagate
//  a null to the enclosing object.
static int
s_write_field (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    dp_json_writer_t *out = &self->out;
    if (pf->key_json)
        dp_json_writer_raw (out, pf->key_json, pf->key_json_len);
    else {
        dp_json_writer_cstr (out, pf->key);
        dp_json_writer_char (out, ':');
    }
    size_t value_start = out->len;
    if (self->path_len < MAX_PATH) {
        self->path [self->path_len].key = pf->key;
        self->path [self->path_len].index = 0;
    }
    self->path_len++;
    int r = s_write_value (self, pf, obj);
    int result = 0;
    if (r != 1) {
        dp_json_writer_truncate (out, value_start);
        bool non_null = pf->field && pf->field->type->kind == DP_REF_NON_NULL;
        if (non_null) {
            if (r == 0)
                dp_exec_field_error (self, pf, NULL, NULL, "Cannot return null for non-nullable field %s.%s.",
                                     obj->type->name, pf->field->name);
            result = -1;
        }
        else
            dp_json_writer_null (out);
    }
    self->path_len--;
    return result;
}

int
dp_exec_write_field (dp_exec_t *self, const plan_field_t *pf, const obj_t *obj)
{
    return s_write_field (self, pf, obj);
}

void
dp_exec_root_error (dp_exec_t *self, const plan_field_t *pf, const char *code, const char *message)
{
    size_t saved = self->path_len;
    self->path [0].key = pf->key;
    self->path [0].index = 0;
    self->path_len = 1;
    dp_exec_field_error (self, pf, code, code ? message : NULL, "%s", message);
    self->path_len = saved;
}

static int
s_write_object (dp_exec_t *self, const plan_node_t *node, const obj_t *obj)
{
    const variant_t *variant = dp_exec_variant (node, obj->type);
    if (!variant)
        return 0;
    dp_json_writer_char (&self->out, '{');
    for (size_t f = 0; f < variant->n_fields; f++) {
        if (f)
            dp_json_writer_char (&self->out, ',');
        if (s_write_field (self, &variant->fields [f], obj))
            return -1;
    }
    dp_json_writer_char (&self->out, '}');
    return 1;
}

//  One error object, written by lib's one error serialiser in graphql-js's
//  key order: message, locations (loc NULL: none), path (NULL: none),
//  extensions with code and description (code NULL: none).
static void
s_error_json (dp_json_writer_t *out, const char *message, const dp_loc_t *loc,
              const char *path_json, const char *code, const char *description)
{
    dp_error_t error = {
        .message = message, .locations = loc, .n_locations = loc ? 1 : 0,
        .path_json = path_json, .code = code, .description = description
    };
    dp_error_write (&error, DP_ERROR_KEYS_GRAPHQL_JS, out);
}

void
dp_exec_write_error (dp_json_writer_t *out, const exec_error_t *e)
{
    if (e->raw_json)
        dp_json_writer_raw (out, e->raw_json, strlen (e->raw_json));
    else
        s_error_json (out, e->message, e->has_loc ? &e->loc : NULL, e->path_json, e->code,
                      e->description);
}

static void
s_write_errors (dp_exec_t *self)
{
    dp_json_writer_t *out = &self->out;
    dp_json_writer_raw (out, ",\"errors\":[", 11);
    for (exec_error_t *e = self->errors; e; e = e->next) {
        if (e != self->errors)
            dp_json_writer_char (out, ',');
        dp_exec_write_error (out, e);
    }
    dp_json_writer_char (out, ']');
}

void
dp_exec_write_result (dp_exec_t *self)
{
    dp_json_writer_t *out = &self->out;
    dp_json_writer_truncate (out, 0);
    dp_json_writer_raw (out, "{\"data\":", 8);
    size_t data_start = out->len;
    int written = self->mutation ? dp_exec_mutation_write_data (self)
                                 : s_write_object (self, self->root, &self->root_obj);
    if (written != 1) {
        dp_json_writer_truncate (out, data_start);
        dp_json_writer_null (out);
    }
    if (self->errors)
        s_write_errors (self);
    if (self->flags & DP_EXECUTE_DEBUG) {
        char text [160];
        int n = snprintf (text, sizeof text, ",\"extensions\":{\"debug\":{\"sqlStatements\":%u,\"waves\":%u,"
                          "\"roundTrips\":%u%s}}", self->statements, self->wave, self->round_trips,
                          self->written_elsewhere ? ",\"lowPriorityWrite\":true" : "");
        dp_json_writer_raw (out, text, (size_t) n);
    }
    dp_json_writer_char (out, '}');
    self->http_status = 200;
    self->done = true;
}


//  -------------------------------------------------------------------------
//  Answers without data

void
dp_exec_write_errors_begin (dp_exec_t *self)
{
    dp_json_writer_truncate (&self->out, 0);
    dp_json_writer_raw (&self->out, "{\"errors\":[", 11);
}

void
dp_exec_write_request_error (dp_exec_t *self, const char *message, const dp_loc_t *loc,
                             const char *code)
{
    if (self->out.len > 11)
        dp_json_writer_char (&self->out, ',');
    s_error_json (&self->out, message, loc && loc->line ? loc : NULL, NULL, code, NULL);
}

void
dp_exec_write_errors_end (dp_exec_t *self, uint32_t http_status)
{
    dp_json_writer_raw (&self->out, "]}", 2);
    self->http_status = http_status;
    self->done = true;
}
