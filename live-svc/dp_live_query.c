/*  =========================================================================
    dp_live_query - a subscription document, checked and turned into queries

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_query.h"
#include "dp_error.h"
#include "dp_json_writer.h"
#include "dp_operation.h"
#include "dp_parser.h"
#include "dp_printer.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

//  The view of boxesChanged is every box the filter keeps: DEPOT_MAX_PAGE's default.
#define S_VIEW_PAGE "100000"

//  {"errors"...} of lib's errors as the JSON array graphql-transport-ws's error carries.
static const char *
s_errors_json (const dp_error_t *errors, size_t n, dp_arena_t *arena)
{
    dp_json_writer_t out;
    dp_json_writer_init (&out, 256);
    dp_errors_write (errors, n, DP_ERROR_KEYS_GRAPHQL_JS, &out);
    const char *json = dp_arena_strndup (arena, out.data, out.len);
    dp_json_writer_release (&out);
    return json;
}

static const char *
s_error_json (const char *message, dp_arena_t *arena)
{
    dp_error_t error = { .message = message };
    return s_errors_json (&error, 1, arena);
}

//  A document of the operation op (its kind set to kind, its selection set
//  to set) and every fragment of doc, printed.
static char *
s_print (const dp_ast_document_t *doc, const dp_ast_definition_t *op, dp_op_kind_t kind,
         dp_ast_selection_set_t *set, dp_arena_t *arena, size_t *len_p)
{
    dp_ast_document_t out = { .defs = dp_arena_calloc (arena, doc->n_defs, sizeof *out.defs) };
    for (size_t i = 0; i < doc->n_defs; i++) {
        if (doc->defs [i].kind == DP_AST_FRAGMENT)
            out.defs [out.n_defs++] = doc->defs [i];
        else
        if (&doc->defs [i] == op) {
            dp_ast_definition_t copy = *op;
            copy.operation = kind;
            copy.selection_set = set;
            out.defs [out.n_defs++] = copy;
        }
    }
    return dp_print (arena, &out, len_p);
}

static dp_ast_selection_set_t *
s_set (dp_arena_t *arena, dp_ast_selection_t *items, size_t n)
{
    dp_ast_selection_set_t *set = dp_arena_calloc (arena, 1, sizeof *set);
    set->items = items;
    set->n_items = n;
    return set;
}

static dp_ast_selection_t
s_field (const char *alias, const char *name, dp_ast_selection_set_t *set)
{
    return (dp_ast_selection_t) { .kind = DP_AST_FIELD, .alias = alias, .name = name,
                                  .selection_set = set };
}

//  query (vars) { view: boxes(<args>, paginationInput: {first: N}) { elements { id labelIdentifier } } }
static char *
s_view_query (const dp_live_query_t *self, dp_arena_t *arena, size_t *len_p)
{
    dp_ast_selection_t *leaves = dp_arena_calloc (arena, 2, sizeof *leaves);
    leaves [0] = s_field (NULL, "id", NULL);
    leaves [1] = s_field (NULL, "labelIdentifier", NULL);
    dp_ast_selection_t *elements = dp_arena_calloc (arena, 1, sizeof *elements);
    *elements = s_field (NULL, "elements", s_set (arena, leaves, 2));

    dp_ast_value_t *first = dp_arena_calloc (arena, 1, sizeof *first);
    *first = (dp_ast_value_t) { .kind = DP_AST_INT, .text = S_VIEW_PAGE,
                                .text_len = strlen (S_VIEW_PAGE) };
    dp_ast_value_t *page = dp_arena_calloc (arena, 1, sizeof *page);
    page->kind = DP_AST_OBJECT;
    page->fields = dp_arena_calloc (arena, 1, sizeof *page->fields);
    page->fields [0] = (dp_ast_object_field_t) { .name = "first", .value = first };
    page->n_fields = 1;

    const dp_ast_selection_t *root = self->root;
    dp_ast_selection_t *boxes = dp_arena_calloc (arena, 1, sizeof *boxes);
    *boxes = s_field ("view", "boxes", s_set (arena, elements, 1));
    boxes->args = dp_arena_calloc (arena, root->n_args + 1, sizeof *boxes->args);
    memcpy (boxes->args, root->args, root->n_args * sizeof *boxes->args);
    boxes->args [root->n_args] = (dp_ast_argument_t) { .name = "paginationInput", .value = page };
    boxes->n_args = root->n_args + 1;
    return s_print (self->document, self->operation, DP_OP_QUERY, s_set (arena, boxes, 1),
                    arena, len_p);
}

int
dp_live_query_compile (dp_schema_t *schema, const dp_validate_limits_t *limits,
                       const char *query, const char *operation_name, dp_arena_t *arena,
                       dp_live_query_t *result, const char **errors_json)
{
    assert (schema && query && arena && result && errors_json);
    memset (result, 0, sizeof *result);
    dp_parse_error_t parse_error;
    dp_parse_limits_t parse_limits = { .max_tokens = 15000, .max_depth = 64 };
    dp_ast_document_t *doc = dp_parse (arena, query, strlen (query), &parse_limits, &parse_error);
    if (!doc) {
        dp_error_t error = { .message = dp_arena_strdup (arena, parse_error.message),
                             .locations = &parse_error.loc, .n_locations = 1 };
        *errors_json = s_errors_json (&error, 1, arena);
        return -1;
    }
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    if (dp_validate (schema, doc, limits, errors)) {
        size_t n = dp_validation_errors_size (errors);
        dp_error_t *list = dp_arena_calloc (arena, n + 1, sizeof *list);
        for (size_t i = 0; i < n; i++) {
            const dp_validation_error_t *item = dp_validation_errors_at (errors, i);
            list [i] = (dp_error_t) { .message = dp_arena_strdup (arena, item->message),
                                      .locations = item->locations,
                                      .n_locations = item->n_locations };
            if (item->n_locations) {        //  the errors' own memory goes with them
                dp_loc_t *locations = dp_arena_calloc (arena, item->n_locations, sizeof *locations);
                memcpy (locations, item->locations, item->n_locations * sizeof *locations);
                list [i].locations = locations;
            }
        }
        *errors_json = s_errors_json (list, n, arena);
        dp_validation_errors_destroy (&errors);
        return -1;
    }
    dp_validation_errors_destroy (&errors);
    dp_operation_error_t select_error;
    const dp_ast_definition_t *op = dp_operation_select (doc, operation_name,
                                                         operation_name ? strlen (operation_name) : 0,
                                                         arena, &select_error);
    if (!op) {
        *errors_json = s_error_json (dp_arena_strndup (arena, select_error.text, select_error.len),
                                     arena);
        return -1;
    }
    result->document = doc;
    result->operation = op;
    if (op->operation != DP_OP_SUBSCRIPTION) {
        result->kind = DP_LIVE_ONCE;
        result->query = query;
        result->query_len = strlen (query);
        return 0;
    }
    //  Validation saw to exactly one root field (SingleFieldSubscriptions),
    //  though it may sit in a fragment: live-svc asks for it written out.
    const dp_ast_selection_t *root = &op->selection_set->items [0];
    if (op->selection_set->n_items != 1 || root->kind != DP_AST_FIELD || root->n_directives) {
        *errors_json = s_error_json ("live-svc needs the subscription's root field written "
                                     "in the operation itself, without directives.", arena);
        return -1;
    }
    result->root = root;
    if (strcmp (root->name, "boxesChanged") == 0) {
        result->kind = DP_LIVE_BOXES_CHANGED;
        result->query = s_view_query (result, arena, &result->query_len);
    }
    else {
        result->kind = strcmp (root->name, "box") == 0 ? DP_LIVE_BOX : DP_LIVE_SHIPMENT;
        result->query = s_print (doc, op, DP_OP_QUERY, op->selection_set, arena, &result->query_len);
    }
    return 0;
}

//  Collect the `changed` fields of a selection set on BoxesChangedEvent,
//  through its fragments.
static size_t
s_changed_fields (const dp_live_query_t *self, const dp_ast_selection_set_t *set,
                  const dp_ast_selection_t **out, size_t max, size_t n)
{
    for (size_t i = 0; i < set->n_items && n < max; i++) {
        const dp_ast_selection_t *item = &set->items [i];
        if (item->kind == DP_AST_FIELD && strcmp (item->name, "changed") == 0)
            out [n++] = item;
        else
        if (item->kind == DP_AST_INLINE_FRAGMENT)
            n = s_changed_fields (self, item->selection_set, out, max, n);
        else
        if (item->kind == DP_AST_FRAGMENT_SPREAD)
            for (size_t d = 0; d < self->document->n_defs; d++) {
                const dp_ast_definition_t *def = &self->document->defs [d];
                if (def->kind == DP_AST_FRAGMENT && strcmp (def->name, item->name) == 0)
                    n = s_changed_fields (self, def->selection_set, out, max, n);
            }
    }
    return n;
}

#define S_MAX_CHANGED_FIELDS 16

char *
dp_live_query_changed (const dp_live_query_t *self, const char *const *labels, size_t n,
                       dp_arena_t *arena, size_t *len_p)
{
    assert (self && self->kind == DP_LIVE_BOXES_CHANGED);
    const dp_ast_selection_t *fields [S_MAX_CHANGED_FIELDS];
    size_t n_fields = s_changed_fields (self, self->root->selection_set, fields,
                                        S_MAX_CHANGED_FIELDS, 0);
    dp_ast_selection_t *items = dp_arena_calloc (arena, n_fields * n + 1, sizeof *items);
    size_t n_items = 0;
    for (size_t f = 0; f < n_fields; f++)
        for (size_t j = 0; j < n; j++) {
            dp_ast_value_t *label = dp_arena_calloc (arena, 1, sizeof *label);
            *label = (dp_ast_value_t) { .kind = DP_AST_STRING, .text = labels [j],
                                        .text_len = strlen (labels [j]) };
            dp_ast_selection_t *box = &items [n_items++];
            *box = s_field (dp_arena_printf (arena, "c%zu_%zu", f, j), "box",
                            fields [f]->selection_set);
            box->directives = fields [f]->directives;
            box->n_directives = fields [f]->n_directives;
            box->args = dp_arena_calloc (arena, 1, sizeof *box->args);
            box->args [0] = (dp_ast_argument_t) { .name = "labelIdentifier", .value = label };
            box->n_args = 1;
        }
    if (n_items == 0)                   //  no `changed` selected: nothing to read
        items [n_items++] = s_field (NULL, "__typename", NULL);
    return s_print (self->document, self->operation, DP_OP_QUERY, s_set (arena, items, n_items),
                    arena, len_p);
}
