/*  =========================================================================
    dp_validate - validation of an executable document against a schema

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The validation context (graphql-js's ValidationContext), TypeInfo, the
    error list and dp_validate itself: Depot's limits first, then one walk
    of the document in which every rule sees every node, in the order of
    dp_specified_rules, with TypeInfo updated around them (graphql-js's
    visitInParallel inside visitWithTypeInfo).
@discuss
    Everything a validation allocates lives in one arena freed when it
    returns; the errors are copied into the caller's list. graphql-js's
    two work budgets are kept (50,000 units of fragment work in the
    context, 500,000 comparisons in OverlappingFieldsCanBeMerged): a
    document that spends one gets "Validation aborted." as graphql-js's
    does, so hostile fragment graphs cost bounded time.
@end
*/
#include "dp_validation.h"
#include "dp_parser.h"
#include "dp_log.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <pthread.h>
#include <assert.h>

#define S_FRAGMENT_WORK 50000
#define S_KINDS (DP_NODE_ENUM_VALUE_DEF + 1)

static char s_unknown;              //  a name the schema does not know, in the type cache
#define S_UNKNOWN ((void *) &s_unknown)

struct _dp_validation_errors_t {
    dp_arena_t *arena;              //  messages and locations
    dp_validation_error_t *items;   //  malloc'd array
    size_t count;
    size_t capacity;
};

//  The fragments an operation set uses, cached by the set of names.
typedef struct {
    const dp_ast_definition_t **items;
    size_t count;
    const dp_var_usage_t *usages;   //  their variable usages, once asked
    size_t n_usages;
    bool has_usages;
} s_fragment_list_t;

typedef struct {
    const dp_var_usage_t *items;
    size_t count;
} s_usages_t;

typedef struct {
    const dp_ast_selection_t **items;
    size_t count;
} s_spreads_t;

//  A field selection's definition in its parent type, looked up once.
typedef struct {
    const dp_type_t *parent;
    const dp_field_t *field;        //  meta-fields included
    const dp_field_t *own;          //  the type's own field only
} s_field_lookup_t;

struct _dp_vctx_t {
    dp_schema_t *schema;
    const dp_ast_document_t *doc;
    dp_arena_t *arena;
    dp_validation_errors_t *errors;
    size_t max_errors;              //  0: no limit
    size_t reported;                //  errors this validation added
    bool aborted;
    long fragment_work;             //  what is left of the budget
    dp_type_info_t type_info;       //  the main walk's
    const dp_type_ref_t **named;    //  a named reference per schema type, by index
    dp_vmap_t types;                //  type name -> dp_type_t, or S_UNKNOWN
    dp_vmap_t selection_fields;     //  field selection -> s_field_lookup_t
    bool fragments_indexed;
    dp_vmap_t fragments;            //  name -> last definition
    dp_vmap_t spreads;              //  selection set -> s_spreads_t
    dp_vmap_t recursive;            //  sorted names -> s_fragment_list_t
    dp_vmap_t usages;               //  definition -> s_usages_t
    dp_vmap_t recursive_usages;     //  operation -> s_usages_t
};

//  ---------------------------------------------------------------------
//  Errors

dp_validation_errors_t *
dp_validation_errors_new (void)
{
    dp_validation_errors_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->arena = dp_arena_new (4096);
    return self;
}

void
dp_validation_errors_destroy (dp_validation_errors_t **self_p)
{
    assert (self_p);
    dp_validation_errors_t *self = *self_p;
    if (!self)
        return;
    dp_arena_destroy (&self->arena);
    free (self->items);
    free (self);
    *self_p = NULL;
}

void
dp_validation_errors_reset (dp_validation_errors_t *self)
{
    dp_arena_reset (self->arena);
    self->count = 0;
}

size_t
dp_validation_errors_size (const dp_validation_errors_t *self)
{
    return self->count;
}

const dp_validation_error_t *
dp_validation_errors_at (const dp_validation_errors_t *self, size_t index)
{
    return index < self->count ? &self->items [index] : NULL;
}

static void
s_errors_add (dp_validation_errors_t *self, const char *message, const dp_loc_t *locations,
              size_t n_locations)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 16;
        dp_validation_error_t *items = realloc (self->items, capacity * sizeof *items);
        if (!items)
            dp_fatal ("out of memory");
        self->items = items;
        self->capacity = capacity;
    }
    dp_validation_error_t *error = &self->items [self->count++];
    error->message = dp_arena_strdup (self->arena, message);
    dp_loc_t *copy = dp_arena_alloc (self->arena, (n_locations ? n_locations : 1) * sizeof *copy);
    if (n_locations)
        memcpy (copy, locations, n_locations * sizeof *copy);
    error->locations = copy;
    error->n_locations = n_locations;
}

void
dp_validation_errors_write (const dp_validation_errors_t *self, dp_json_writer_t *writer)
{
    char number [64];               //  ",{"line":N,"column":N}" with 32-bit numbers
    dp_json_writer_char (writer, '[');
    for (size_t i = 0; i < self->count; i++) {
        const dp_validation_error_t *error = &self->items [i];
        if (i)
            dp_json_writer_char (writer, ',');
        dp_json_writer_raw (writer, "{\"message\":", 11);
        dp_json_writer_string (writer, error->message, strlen (error->message));
        if (error->n_locations) {
            dp_json_writer_raw (writer, ",\"locations\":[", 14);
            for (size_t l = 0; l < error->n_locations; l++) {
                snprintf (number, sizeof number, "%s{\"line\":%u,\"column\":%u}",
                          l ? "," : "", error->locations [l].line, error->locations [l].column);
                dp_json_writer_raw (writer, number, strlen (number));
            }
            dp_json_writer_char (writer, ']');
        }
        dp_json_writer_char (writer, '}');
    }
    dp_json_writer_char (writer, ']');
}

void
dp_validate_limits_default (dp_validate_limits_t *limits)
{
    limits->max_errors = 100;
    limits->max_depth = 20;
    limits->max_aliases = 100;
    limits->max_fields = 2000;
    limits->max_cost = 100000;
    limits->max_variables = 100;
}

//  ---------------------------------------------------------------------
//  Context: reporting

dp_schema_t *
dp_vctx_schema (dp_vctx_t *self)
{
    return self->schema;
}

const dp_ast_document_t *
dp_vctx_document (dp_vctx_t *self)
{
    return self->doc;
}

dp_arena_t *
dp_vctx_arena (dp_vctx_t *self)
{
    return self->arena;
}

void
dp_vctx_report (dp_vctx_t *self, const char *message, const dp_loc_t *locations, size_t n_locations)
{
    if (self->aborted)
        return;
    if (self->max_errors && self->reported >= self->max_errors) {
        s_errors_add (self->errors,
                      "Too many validation errors, error limit reached. Validation aborted.", NULL, 0);
        self->reported++;
        self->aborted = true;
        return;
    }
    s_errors_add (self->errors, message, locations, n_locations);
    self->reported++;
}

void
dp_vctx_report_not_unique (dp_vctx_t *self, const char *what, const char *name,
                           const dp_loc_t *locations, size_t n_locations)
{
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_addf (&message, "There can be only one %s named \"%s\".", what, name);
    dp_vctx_report (self, message.data, locations, n_locations);
    dp_vstr_release (&message);
}

bool
dp_vctx_aborted (dp_vctx_t *self)
{
    return self->aborted;
}

void
dp_vctx_abort (dp_vctx_t *self)
{
    if (self->aborted)
        return;
    s_errors_add (self->errors, "Validation aborted.", NULL, 0);
    self->reported++;
    self->aborted = true;
}

void
dp_vctx_spend_fragment_work (dp_vctx_t *self, size_t cost)
{
    self->fragment_work -= (long) (cost < S_FRAGMENT_WORK ? cost : S_FRAGMENT_WORK + 1);
    if (self->fragment_work < 0)
        dp_vctx_abort (self);
}

//  ---------------------------------------------------------------------
//  Context: types

const dp_type_ref_t *
dp_vctx_named (dp_vctx_t *self, const dp_type_t *type)
{
    if (!type)
        return NULL;
    assert (type->index < dp_schema_type_count (self->schema));
    if (!self->named [type->index]) {
        dp_type_ref_t *ref = dp_arena_calloc (self->arena, 1, sizeof *ref);
        ref->kind = DP_REF_NAMED;
        ref->named = (dp_type_t *) type;
        self->named [type->index] = ref;
    }
    return self->named [type->index];
}

dp_type_t *
dp_vctx_type_named (dp_vctx_t *self, const char *name)
{
    if (!name)
        return NULL;
    void *type = dp_vmap_get (&self->types, name);
    if (!type) {
        type = dp_schema_type (self->schema, name);
        dp_vmap_set (&self->types, name, type ? type : S_UNKNOWN);
    }
    return type == S_UNKNOWN ? NULL : type;
}

const dp_type_ref_t *
dp_vctx_type_from_ast (dp_vctx_t *self, const dp_ast_type_t *type)
{
    if (type->kind == DP_AST_TYPE_NAMED)
        return dp_vctx_named (self, dp_vctx_type_named (self, type->name));
    const dp_type_ref_t *inner = dp_vctx_type_from_ast (self, type->of);
    if (!inner)
        return NULL;
    dp_type_ref_t *ref = dp_arena_calloc (self->arena, 1, sizeof *ref);
    ref->kind = type->kind == DP_AST_TYPE_LIST ? DP_REF_LIST : DP_REF_NON_NULL;
    ref->of = (dp_type_ref_t *) inner;
    return ref;
}

const dp_field_t *
dp_vctx_lookup_field (dp_vctx_t *self, const dp_type_t *parent, const char *name)
{
    if (!parent)
        return NULL;
    if (name [0] == '_' && name [1] == '_') {
        if ((strcmp (name, "__schema") == 0 || strcmp (name, "__type") == 0)
        &&  parent == dp_schema_query_type (self->schema))
            return dp_schema_meta_field (self->schema, name);
        if (strcmp (name, "__typename") == 0 && dp_vkind_is_composite (parent))
            return dp_schema_meta_field (self->schema, name);
    }
    if (parent->kind == DP_TYPE_OBJECT || parent->kind == DP_TYPE_INTERFACE)
        return dp_type_field (parent, name);
    return NULL;
}

const dp_field_t *
dp_vctx_selection_field (dp_vctx_t *self, const dp_type_t *parent, const dp_ast_selection_t *selection,
                         bool with_meta)
{
    s_field_lookup_t *lookup = dp_vmap_get (&self->selection_fields, selection);
    if (!lookup || lookup->parent != parent) {
        if (!lookup) {
            lookup = dp_arena_alloc (self->arena, sizeof *lookup);
            dp_vmap_set (&self->selection_fields, selection, lookup);
        }
        lookup->parent = parent;
        lookup->field = dp_vctx_lookup_field (self, parent, selection->name);
        lookup->own = parent && (parent->kind == DP_TYPE_OBJECT || parent->kind == DP_TYPE_INTERFACE)
                    ? (lookup->field && lookup->field->name [0] == '_' && lookup->field->name [1] == '_'
                       && !dp_type_field (parent, selection->name) ? NULL : lookup->field)
                    : NULL;
    }
    return with_meta ? lookup->field : lookup->own;
}

size_t
dp_vctx_possible_types (dp_vctx_t *self, const dp_type_t *abstract, dp_type_t ***out)
{
    *out = abstract->possible;
    return abstract->n_possible;
}

//  ---------------------------------------------------------------------
//  TypeInfo

static inline const void *
s_top (const dp_vptrs_t *stack)
{
    return stack->count ? stack->items [stack->count - 1] : NULL;
}

static inline void
s_pop (dp_vptrs_t *stack)
{
    if (stack->count)
        stack->count--;
}

void
dp_type_info_init (dp_type_info_t *self, dp_vctx_t *ctx)
{
    memset (self, 0, sizeof *self);
    self->ctx = ctx;
}

static bool
s_is_input_ref (const dp_type_ref_t *type)
{
    return type && dp_vkind_is_input (dp_type_ref_named (type));
}

void
dp_type_info_enter (dp_type_info_t *self, const dp_node_t *node)
{
    dp_vctx_t *ctx = self->ctx;
    dp_arena_t *arena = ctx->arena;
    switch (node->kind) {
        case DP_NODE_SELECTION_SET: {
            dp_type_t *named = dp_vtype_named (s_top (&self->types));
            dp_vptrs_push (&self->parent_types, arena, dp_vkind_is_composite (named) ? named : NULL);
            break;
        }
        case DP_NODE_FIELD: {
            const dp_type_t *parent = s_top (&self->parent_types);
            const dp_field_t *field = dp_vctx_selection_field (ctx, parent, node->selection, true);
            dp_vptrs_push (&self->fields, arena, field);
            dp_vptrs_push (&self->types, arena, field ? field->type : NULL);
            break;
        }
        case DP_NODE_DIRECTIVE:
            self->directive = dp_schema_directive (ctx->schema, node->directive->name);
            break;
        case DP_NODE_OPERATION: {
            dp_op_kind_t op = node->definition->operation;
            dp_type_t *root = op == DP_OP_QUERY ? dp_schema_query_type (ctx->schema)
                            : op == DP_OP_MUTATION ? dp_schema_mutation_type (ctx->schema)
                            : dp_schema_subscription_type (ctx->schema);
            dp_vptrs_push (&self->types, arena,
                           root && root->kind == DP_TYPE_OBJECT ? dp_vctx_named (ctx, root) : NULL);
            break;
        }
        case DP_NODE_INLINE_FRAGMENT:
        case DP_NODE_FRAGMENT: {
            const char *condition = node->kind == DP_NODE_FRAGMENT ? node->definition->type_condition
                                                                   : node->selection->type_condition;
            const dp_type_t *type = condition ? dp_vctx_type_named (ctx, condition)
                                              : dp_vtype_named (s_top (&self->types));
            dp_vptrs_push (&self->types, arena,
                           dp_vkind_is_output (type) ? dp_vctx_named (ctx, type) : NULL);
            break;
        }
        case DP_NODE_VARIABLE_DEF: {
            const dp_type_ref_t *type = dp_vctx_type_from_ast (ctx, node->variable_def->type);
            dp_vptrs_push (&self->input_types, arena, s_is_input_ref (type) ? type : NULL);
            break;
        }
        case DP_NODE_ARGUMENT: {
            const dp_input_value_t *arg = NULL;
            if (self->directive) {
                for (size_t i = 0; i < self->directive->n_args && !arg; i++)
                    if (strcmp (self->directive->args [i].name, node->argument->name) == 0)
                        arg = &self->directive->args [i];
            }
            else {
                const dp_field_t *field = s_top (&self->fields);
                if (field)
                    arg = dp_field_arg (field, node->argument->name);
            }
            self->argument = arg;
            dp_vptrs_push (&self->defaults, arena, arg ? arg->default_value : NULL);
            dp_vptrs_push (&self->input_types, arena,
                           arg && s_is_input_ref (arg->type) ? arg->type : NULL);
            break;
        }
        case DP_NODE_VALUE:
            if (node->value->kind == DP_AST_LIST) {
                const dp_type_ref_t *list = dp_vtype_nullable (s_top (&self->input_types));
                const dp_type_ref_t *item = list && list->kind == DP_REF_LIST ? list->of : list;
                dp_vptrs_push (&self->defaults, arena, NULL);
                dp_vptrs_push (&self->input_types, arena, s_is_input_ref (item) ? item : NULL);
            }
            break;
        case DP_NODE_OBJECT_FIELD: {
            const dp_type_t *object = dp_vtype_named (s_top (&self->input_types));
            const dp_input_value_t *field = NULL;
            if (object && object->kind == DP_TYPE_INPUT_OBJECT)
                field = dp_type_input_field (object, node->object_field->name);
            dp_vptrs_push (&self->defaults, arena, field ? field->default_value : NULL);
            dp_vptrs_push (&self->input_types, arena,
                           field && s_is_input_ref (field->type) ? field->type : NULL);
            break;
        }
        default:
            break;
    }
}

void
dp_type_info_leave (dp_type_info_t *self, const dp_node_t *node)
{
    switch (node->kind) {
        case DP_NODE_SELECTION_SET:
            s_pop (&self->parent_types);
            break;
        case DP_NODE_FIELD:
            s_pop (&self->fields);
            s_pop (&self->types);
            break;
        case DP_NODE_DIRECTIVE:
            self->directive = NULL;
            break;
        case DP_NODE_OPERATION:
        case DP_NODE_INLINE_FRAGMENT:
        case DP_NODE_FRAGMENT:
            s_pop (&self->types);
            break;
        case DP_NODE_VARIABLE_DEF:
            s_pop (&self->input_types);
            break;
        case DP_NODE_ARGUMENT:
            self->argument = NULL;
            s_pop (&self->defaults);
            s_pop (&self->input_types);
            break;
        case DP_NODE_VALUE:
            if (node->value->kind == DP_AST_LIST) {
                s_pop (&self->defaults);
                s_pop (&self->input_types);
            }
            break;
        case DP_NODE_OBJECT_FIELD:
            s_pop (&self->defaults);
            s_pop (&self->input_types);
            break;
        default:
            break;
    }
}

const dp_type_ref_t *
dp_vctx_type (dp_vctx_t *self)
{
    return s_top (&self->type_info.types);
}

dp_type_t *
dp_vctx_parent_type (dp_vctx_t *self)
{
    return (dp_type_t *) s_top (&self->type_info.parent_types);
}

const dp_type_ref_t *
dp_vctx_input_type (dp_vctx_t *self)
{
    return s_top (&self->type_info.input_types);
}

const dp_type_ref_t *
dp_vctx_parent_input_type (dp_vctx_t *self)
{
    const dp_vptrs_t *stack = &self->type_info.input_types;
    return stack->count > 1 ? stack->items [stack->count - 2] : NULL;
}

const dp_field_t *
dp_vctx_field_def (dp_vctx_t *self)
{
    return s_top (&self->type_info.fields);
}

const dp_directive_t *
dp_vctx_directive (dp_vctx_t *self)
{
    return self->type_info.directive;
}

const dp_input_value_t *
dp_vctx_argument (dp_vctx_t *self)
{
    return self->type_info.argument;
}

//  ---------------------------------------------------------------------
//  Fragments

const dp_ast_definition_t *
dp_vctx_fragment (dp_vctx_t *self, const char *name)
{
    if (!self->fragments_indexed) {
        for (size_t i = 0; i < self->doc->n_defs; i++)
            if (self->doc->defs [i].kind == DP_AST_FRAGMENT)
                dp_vmap_set (&self->fragments, self->doc->defs [i].name,
                             (void *) &self->doc->defs [i]);
        self->fragments_indexed = true;
    }
    return dp_vmap_get (&self->fragments, name);
}

size_t
dp_vctx_fragment_spreads (dp_vctx_t *self, const dp_ast_selection_set_t *set,
                          const dp_ast_selection_t ***out)
{
    s_spreads_t *spreads = dp_vmap_get (&self->spreads, set);
    if (!spreads) {
        spreads = dp_arena_calloc (self->arena, 1, sizeof *spreads);
        dp_vptrs_t found = { 0 };
        dp_vptrs_t to_visit = { 0 };
        dp_vptrs_push (&to_visit, self->arena, set);
        while (to_visit.count) {
            const dp_ast_selection_set_t *current = to_visit.items [--to_visit.count];
            for (size_t i = 0; i < current->n_items; i++) {
                const dp_ast_selection_t *selection = &current->items [i];
                if (selection->kind == DP_AST_FRAGMENT_SPREAD)
                    dp_vptrs_push (&found, self->arena, selection);
                else
                if (selection->selection_set)
                    dp_vptrs_push (&to_visit, self->arena, selection->selection_set);
            }
        }
        spreads->items = (const dp_ast_selection_t **) found.items;
        spreads->count = found.count;
        dp_vmap_set (&self->spreads, set, spreads);
    }
    *out = spreads->items;
    return spreads->count;
}

static int
s_strcmp_p (const void *a, const void *b)
{
    return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static s_fragment_list_t *
s_recursive_fragments (dp_vctx_t *self, const dp_ast_definition_t **operations, size_t n)
{
    //  The names spread directly by the operations, first seen first.
    dp_vptrs_t names = { 0 };
    dp_vmap_t seen;
    dp_vmap_init (&seen, self->arena, true);
    for (size_t o = 0; o < n; o++) {
        const dp_ast_selection_t **spreads;
        size_t count = dp_vctx_fragment_spreads (self, operations [o]->selection_set, &spreads);
        for (size_t i = 0; i < count; i++)
            if (!dp_vmap_has (&seen, spreads [i]->name)) {
                dp_vmap_set (&seen, spreads [i]->name, (void *) 1);
                dp_vptrs_push (&names, self->arena, spreads [i]->name);
            }
    }
    //  The cache key is the set of names.
    const char **sorted = dp_arena_alloc (self->arena, (names.count ? names.count : 1) * sizeof *sorted);
    if (names.count)
        memcpy (sorted, names.items, names.count * sizeof *sorted);
    qsort (sorted, names.count, sizeof *sorted, s_strcmp_p);
    dp_vstr_t key;
    dp_vstr_init (&key);
    dp_vstr_add (&key, "#");
    for (size_t i = 0; i < names.count; i++) {
        dp_vstr_add (&key, sorted [i]);
        dp_vstr_add (&key, ",");
    }
    s_fragment_list_t *list = dp_vmap_get (&self->recursive, key.data);
    if (list) {
        dp_vstr_release (&key);
        return list;
    }
    list = dp_arena_calloc (self->arena, 1, sizeof *list);
    dp_vmap_set (&self->recursive, dp_arena_strdup (self->arena, key.data), list);
    dp_vstr_release (&key);
    dp_vctx_spend_fragment_work (self, names.count);
    dp_vptrs_t fragments = { 0 };
    for (size_t i = 0; i < names.count && !self->aborted; i++) {
        const dp_ast_definition_t *fragment = dp_vctx_fragment (self, names.items [i]);
        if (!fragment)
            continue;
        dp_vptrs_push (&fragments, self->arena, fragment);
        const dp_ast_selection_t **spreads;
        size_t count = dp_vctx_fragment_spreads (self, fragment->selection_set, &spreads);
        dp_vctx_spend_fragment_work (self, count);
        for (size_t s = 0; s < count; s++)
            if (!dp_vmap_has (&seen, spreads [s]->name)) {
                dp_vmap_set (&seen, spreads [s]->name, (void *) 1);
                dp_vptrs_push (&names, self->arena, spreads [s]->name);
            }
    }
    list->items = (const dp_ast_definition_t **) fragments.items;
    list->count = fragments.count;
    return list;
}

size_t
dp_vctx_recursive_fragments (dp_vctx_t *self, const dp_ast_definition_t **operations,
                             size_t n_operations, const dp_ast_definition_t ***out)
{
    s_fragment_list_t *list = s_recursive_fragments (self, operations, n_operations);
    *out = list->items;
    return list->count;
}

//  ---------------------------------------------------------------------
//  Variable usages

typedef struct {
    dp_type_info_t type_info;
    dp_vptrs_t usages;              //  dp_var_usage_t *
    dp_arena_t *arena;
} s_usage_walk_t;

static dp_visit_t
s_usage_enter (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_usage_walk_t *self = self_;
    dp_type_info_enter (&self->type_info, node);
    if (node->kind == DP_NODE_VARIABLE_DEF) {
        dp_type_info_leave (&self->type_info, node);
        return DP_VISIT_SKIP;
    }
    if (node->kind == DP_NODE_VALUE && node->value->kind == DP_AST_VARIABLE) {
        dp_var_usage_t *usage = dp_arena_calloc (self->arena, 1, sizeof *usage);
        usage->node = node->value;
        usage->type = s_top (&self->type_info.input_types);
        usage->default_value = s_top (&self->type_info.defaults);
        const dp_vptrs_t *inputs = &self->type_info.input_types;
        usage->parent_type = inputs->count > 1 ? inputs->items [inputs->count - 2] : NULL;
        dp_vptrs_push (&self->usages, self->arena, usage);
    }
    return DP_VISIT_CONTINUE;
}

static dp_visit_t
s_usage_leave (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_usage_walk_t *self = self_;
    dp_type_info_leave (&self->type_info, node);
    return DP_VISIT_CONTINUE;
}

size_t
dp_vctx_variable_usages (dp_vctx_t *self, const dp_ast_definition_t *definition,
                         const dp_var_usage_t **out)
{
    s_usages_t *usages = dp_vmap_get (&self->usages, definition);
    if (!usages) {
        s_usage_walk_t walk = { .arena = self->arena };
        dp_type_info_init (&walk.type_info, self);
        dp_visitor_t visitor = { s_usage_enter, s_usage_leave, &walk };
        dp_node_t root = dp_node_definition (definition);
        dp_visit (&root, &visitor);
        dp_var_usage_t *items = dp_arena_alloc (self->arena,
                                                (walk.usages.count ? walk.usages.count : 1) * sizeof *items);
        for (size_t i = 0; i < walk.usages.count; i++)
            items [i] = *(const dp_var_usage_t *) walk.usages.items [i];
        usages = dp_arena_calloc (self->arena, 1, sizeof *usages);
        usages->items = items;
        usages->count = walk.usages.count;
        dp_vmap_set (&self->usages, definition, usages);
    }
    *out = usages->items;
    return usages->count;
}

size_t
dp_vctx_recursive_variable_usages (dp_vctx_t *self, const dp_ast_definition_t *operation,
                                   const dp_var_usage_t **out)
{
    s_usages_t *usages = dp_vmap_get (&self->recursive_usages, operation);
    if (!usages) {
        s_fragment_list_t *fragments = s_recursive_fragments (self, &operation, 1);
        if (!fragments->has_usages) {
            dp_vctx_spend_fragment_work (self, fragments->count);
            dp_vptrs_t all = { 0 };
            for (size_t f = 0; f < fragments->count; f++) {
                const dp_var_usage_t *local;
                size_t n = dp_vctx_variable_usages (self, fragments->items [f], &local);
                dp_vctx_spend_fragment_work (self, n);
                for (size_t i = 0; i < n; i++)
                    dp_vptrs_push (&all, self->arena, &local [i]);
            }
            dp_var_usage_t *items = dp_arena_alloc (self->arena, (all.count ? all.count : 1) * sizeof *items);
            for (size_t i = 0; i < all.count; i++)
                items [i] = *(const dp_var_usage_t *) all.items [i];
            fragments->usages = items;
            fragments->n_usages = all.count;
            fragments->has_usages = true;
        }
        dp_vctx_spend_fragment_work (self, fragments->n_usages);
        const dp_var_usage_t *own;
        size_t n_own = dp_vctx_variable_usages (self, operation, &own);
        size_t total = n_own + fragments->n_usages;
        dp_var_usage_t *items = dp_arena_alloc (self->arena, (total ? total : 1) * sizeof *items);
        if (n_own)
            memcpy (items, own, n_own * sizeof *items);
        if (fragments->n_usages)
            memcpy (items + n_own, fragments->usages, fragments->n_usages * sizeof *items);
        usages = dp_arena_calloc (self->arena, 1, sizeof *usages);
        usages->items = items;
        usages->count = total;
        dp_vmap_set (&self->recursive_usages, operation, usages);
    }
    *out = usages->items;
    return usages->count;
}

//  ---------------------------------------------------------------------
//  The walk: every rule at every node, TypeInfo around them

typedef struct {
    dp_vctx_t *ctx;
    dp_rule_t *rules;
    size_t n_rules;
    const dp_node_t **skipping;     //  per rule: the node whose subtree it skips
    size_t *by_kind [S_KINDS];      //  per node kind: the rules that look at it, in order
    size_t n_by_kind [S_KINDS];
} s_parallel_t;

static dp_visit_t
s_parallel_enter (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_parallel_t *self = self_;
    dp_type_info_enter (&self->ctx->type_info, node);
    for (size_t k = 0; k < self->n_by_kind [node->kind]; k++) {
        size_t i = self->by_kind [node->kind][k];
        if (self->skipping [i] || !self->rules [i].enter)
            continue;
        dp_visit_t action = self->rules [i].enter (self->rules [i].self, self->ctx, node, path);
        if (action == DP_VISIT_SKIP)
            self->skipping [i] = node;
        if (self->ctx->aborted)
            return DP_VISIT_BREAK;
    }
    return DP_VISIT_CONTINUE;
}

static dp_visit_t
s_parallel_leave (void *self_, const dp_node_t *node, const dp_visit_path_t *path)
{
    s_parallel_t *self = self_;
    for (size_t k = 0; k < self->n_by_kind [node->kind]; k++) {
        size_t i = self->by_kind [node->kind][k];
        if (self->skipping [i]) {
            if (self->skipping [i] == node)
                self->skipping [i] = NULL;
            continue;
        }
        if (self->rules [i].leave)
            self->rules [i].leave (self->rules [i].self, self->ctx, node, path);
        if (self->ctx->aborted)
            return DP_VISIT_BREAK;
    }
    dp_type_info_leave (&self->ctx->type_info, node);
    return DP_VISIT_CONTINUE;
}

size_t
dp_validate_rules (dp_schema_t *schema, const dp_ast_document_t *doc,
                   const dp_validate_limits_t *limits,
                   const dp_rule_entry_t *rules, size_t n_rules,
                   dp_validation_errors_t *errors)
{
    assert (schema);
    assert (doc);
    assert (errors);
    dp_vctx_t ctx = {
        .schema = schema,
        .doc = doc,
        .arena = dp_arena_new (32 * 1024),
        .errors = errors,
        .max_errors = limits ? limits->max_errors : 100,
        .fragment_work = S_FRAGMENT_WORK
    };
    ctx.named = dp_arena_calloc (ctx.arena, dp_schema_type_count (schema) + 1, sizeof *ctx.named);
    dp_vmap_init (&ctx.types, ctx.arena, true);
    dp_vmap_init (&ctx.selection_fields, ctx.arena, false);
    dp_vmap_init (&ctx.fragments, ctx.arena, true);
    dp_vmap_init (&ctx.spreads, ctx.arena, false);
    dp_vmap_init (&ctx.recursive, ctx.arena, true);
    dp_vmap_init (&ctx.usages, ctx.arena, false);
    dp_vmap_init (&ctx.recursive_usages, ctx.arena, false);
    dp_type_info_init (&ctx.type_info, &ctx);

    //  Depot's limits first: a document over one is not walked at all.
    if (!limits || dp_query_limits_check (&ctx, limits) == 0) {
        s_parallel_t parallel = { .ctx = &ctx, .n_rules = n_rules };
        parallel.rules = dp_arena_calloc (ctx.arena, n_rules + 1, sizeof (dp_rule_t));
        parallel.skipping = dp_arena_calloc (ctx.arena, n_rules + 1, sizeof (dp_node_t *));
        for (size_t i = 0; i < n_rules; i++)
            parallel.rules [i] = rules [i].create (&ctx);
        //  Each node kind calls only the rules that look at it.
        for (size_t kind = 0; kind < S_KINDS; kind++) {
            parallel.by_kind [kind] = dp_arena_alloc (ctx.arena, (n_rules + 1) * sizeof (size_t));
            for (size_t i = 0; i < n_rules; i++)
                if (!parallel.rules [i].kinds || (parallel.rules [i].kinds & DP_KIND (kind)))
                    parallel.by_kind [kind][parallel.n_by_kind [kind]++] = i;
        }
        dp_visitor_t visitor = { s_parallel_enter, s_parallel_leave, &parallel };
        dp_node_t root = dp_node_document (doc);
        dp_visit (&root, &visitor);
    }
    dp_arena_destroy (&ctx.arena);
    return ctx.reported;
}

size_t
dp_validate (dp_schema_t *schema, const dp_ast_document_t *doc,
             const dp_validate_limits_t *limits, dp_validation_errors_t *errors)
{
    return dp_validate_rules (schema, doc, limits, dp_specified_rules, dp_specified_rules_count,
                              errors);
}

//  ---------------------------------------------------------------------
//  The cache of valid documents

typedef struct {
    uint64_t hash;
    size_t len;
    char *text;                     //  malloc'd; NULL: empty slot
} s_cached_doc_t;

struct _dp_validation_cache_t {
    pthread_mutex_t mutex;
    s_cached_doc_t *slots;
    size_t capacity;
    size_t next;                    //  the slot replaced next (oldest first)
    size_t max_len;
};

static uint64_t
s_text_hash (const char *text, size_t len)
{
    uint64_t hash = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char) text [i]) * 1099511628211ULL;
    return hash;
}

dp_validation_cache_t *
dp_validation_cache_new (size_t capacity, size_t max_len)
{
    assert (capacity > 0);
    dp_validation_cache_t *self = calloc (1, sizeof *self);
    if (!self || !(self->slots = calloc (capacity, sizeof *self->slots)))
        dp_fatal ("out of memory");
    pthread_mutex_init (&self->mutex, NULL);
    self->capacity = capacity;
    self->max_len = max_len;
    return self;
}

void
dp_validation_cache_destroy (dp_validation_cache_t **self_p)
{
    assert (self_p);
    dp_validation_cache_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->capacity; i++)
        free (self->slots [i].text);
    free (self->slots);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

bool
dp_validation_cache_has (dp_validation_cache_t *self, const char *text, size_t len)
{
    if (len > self->max_len)
        return false;
    uint64_t hash = s_text_hash (text, len);
    bool found = false;
    pthread_mutex_lock (&self->mutex);
    for (size_t i = 0; i < self->capacity && !found; i++) {
        const s_cached_doc_t *slot = &self->slots [i];
        found = slot->text && slot->hash == hash && slot->len == len
             && memcmp (slot->text, text, len) == 0;
    }
    pthread_mutex_unlock (&self->mutex);
    return found;
}

void
dp_validation_cache_add (dp_validation_cache_t *self, const char *text, size_t len)
{
    if (len > self->max_len)
        return;
    char *copy = malloc (len ? len : 1);
    if (!copy)
        dp_fatal ("out of memory");
    memcpy (copy, text, len);
    uint64_t hash = s_text_hash (text, len);
    pthread_mutex_lock (&self->mutex);
    s_cached_doc_t *slot = &self->slots [self->next];
    self->next = (self->next + 1) % self->capacity;
    char *old = slot->text;
    slot->hash = hash;
    slot->len = len;
    slot->text = copy;
    pthread_mutex_unlock (&self->mutex);
    free (old);
}

//  ---------------------------------------------------------------------
//  The rules' test harness

//  A schema written for the rule tests: interfaces implementing
//  interfaces, unions, enums, input objects (one @oneOf), custom
//  directives at every executable location, and all three root types.
static const char *s_test_sdl =
    "schema { query: QueryRoot mutation: MutationRoot subscription: SubscriptionRoot }\n"
    "directive @onQuery on QUERY\n"
    "directive @onMutation on MUTATION\n"
    "directive @onSubscription on SUBSCRIPTION\n"
    "directive @onField on FIELD\n"
    "directive @onFragmentDefinition on FRAGMENT_DEFINITION\n"
    "directive @onFragmentSpread on FRAGMENT_SPREAD\n"
    "directive @onInlineFragment on INLINE_FRAGMENT\n"
    "directive @onVariableDefinition on VARIABLE_DEFINITION\n"
    "directive @again repeatable on FIELD | FRAGMENT_SPREAD\n"
    "directive @withArgs(required: Int!, optional: String = \"x\") on FIELD\n"
    "interface Node { id: ID! }\n"
    "interface Item implements Node { id: ID! name(short: Boolean): String }\n"
    "type Box implements Item & Node { id: ID! name(short: Boolean): String items: Int\n"
    "  state: State! product: Product tags: [Tag!]! location: Location size(unit: Unit = CM): Float }\n"
    "type Product implements Item & Node { id: ID! name(short: Boolean): String price: Float\n"
    "  category: Category }\n"
    "type Category { id: ID! name: String! products(first: Int = 10, after: String): [Product] }\n"
    "type Tag { id: ID! label: String color: String }\n"
    "type Warehouse { id: ID! name: String city: String capacity: Int }\n"
    "type Shelf { id: ID! code: String capacity: String }\n"
    "union Location = Warehouse | Shelf\n"
    "union Thing = Box | Product | Tag\n"
    "enum State { InStock Lost Donated Scrap }\n"
    "enum Unit { CM INCH }\n"
    "input BoxFilter { states: [State!] productId: ID labelPrefix: String minItems: Int = 0\n"
    "  nested: BoxFilter required: Boolean! }\n"
    "input Pick @oneOf { id: ID label: String }\n"
    "scalar Datetime\n"
    "type QueryRoot {\n"
    "  box(id: ID!): Box\n"
    "  boxes(filter: BoxFilter, first: Int, ids: [ID!], states: [State!]!): [Box!]!\n"
    "  item(id: ID!): Item\n"
    "  node(id: ID!): Node\n"
    "  thing: Thing\n"
    "  location: Location\n"
    "  product(pick: Pick): Product\n"
    "  search(text: String!, limit: Int = 20, exact: Boolean, score: Float, when: Datetime): [Thing]\n"
    "  complex(list: [[Int!]]!, matrix: [[Float]], flag: Boolean!): Int\n"
    "}\n"
    "type MutationRoot { moveBox(id: ID!, to: ID!): Box }\n"
    "type SubscriptionRoot { boxMoved: Box tagAdded(box: ID): Tag }\n";

//  Errors as test text: "message @line:column ..." one per line.
static void
s_render (const dp_validation_errors_t *errors, dp_vstr_t *out)
{
    for (size_t i = 0; i < dp_validation_errors_size (errors); i++) {
        const dp_validation_error_t *error = dp_validation_errors_at (errors, i);
        if (i)
            dp_vstr_add (out, "\n");
        dp_vstr_add (out, error->message);
        for (size_t l = 0; l < error->n_locations; l++)
            dp_vstr_addf (out, " @%u:%u", error->locations [l].line, error->locations [l].column);
    }
}

void
dp_vtest_expect_sdl (const char *sdl, const char *rule, const char *source, const char *expected)
{
    char err [400];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    if (!schema) {
        fprintf (stderr, "test schema: %s\n", err);
        assert (false);
    }
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    if (!doc) {
        fprintf (stderr, "test document does not parse: %s at %u:%u\n%s\n", parse_error.message,
                 parse_error.loc.line, parse_error.loc.column, source);
        assert (false);
    }
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    if (rule) {
        const dp_rule_entry_t *entry = dp_specified_rule (rule);
        assert (entry);
        dp_validate_rules (schema, doc, NULL, entry, 1, errors);
    }
    else
        dp_validate (schema, doc, NULL, errors);
    dp_vstr_t got;
    dp_vstr_init (&got);
    s_render (errors, &got);
    if (strcmp (got.data, expected) != 0) {
        fprintf (stderr, "rule %s, document:\n%s\nexpected:\n%s\ngot:\n%s\n",
                 rule ? rule : "(all)", source, expected, got.data);
        assert (false);
    }
    dp_vstr_release (&got);
    dp_validation_errors_destroy (&errors);
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
}

void
dp_vtest_expect (const char *rule, const char *source, const char *expected)
{
    dp_vtest_expect_sdl (s_test_sdl, rule, source, expected);
}

//  ---------------------------------------------------------------------
//  Selftest: the context, the walk, the error list and limits as a whole

//  Validate source against Depot's own schema; returns the rendered errors
//  (caller frees).
static char *
s_validate_depot (dp_schema_t *schema, const char *source, const dp_validate_limits_t *limits)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    assert (doc);
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    size_t n = dp_validate (schema, doc, limits, errors);
    assert (n == dp_validation_errors_size (errors));
    dp_vstr_t out;
    dp_vstr_init (&out);
    s_render (errors, &out);
    dp_validation_errors_destroy (&errors);
    dp_arena_destroy (&arena);
    return out.data;
}

void
dp_validate_test (bool verbose)
{
    //  The utilities behind the messages.
    dp_arena_t *arena = dp_arena_new (0);
    const char *options [] = { "boxes", "box", "bases", "base", "Box", "product", "boxesx", "box" };
    const char **found;
    size_t n = dp_suggestion_list (arena, "boxs", options, 8, &found);
    //  As graphql-js: distance first (a case change counts one), then
    //  natural order; "box" once though listed twice.
    assert (n == 4);
    assert (strcmp (found [0], "Box") == 0 && strcmp (found [1], "box") == 0);
    assert (strcmp (found [2], "boxes") == 0 && strcmp (found [3], "boxesx") == 0);
    n = dp_suggestion_list (arena, "BOX", options, 8, &found);
    assert (n == 3 && strcmp (found [0], "Box") == 0 && strcmp (found [1], "box") == 0);
    assert (strcmp (found [2], "boxes") == 0);
    assert (dp_natural_compare ("a2", "a10") < 0 && dp_natural_compare ("a10", "a2") > 0);
    assert (dp_natural_compare ("ab", "abc") < 0 && dp_natural_compare ("x", "x") == 0);
    assert (dp_utf16_length ("a\xc3\xa9\xf0\x9f\x98\x80", 7) == 4);
    dp_vstr_t text;
    dp_vstr_init (&text);
    const char *five [] = { "a", "b", "c", "d", "e", "f" };
    dp_vstr_did_you_mean (&text, "the enum value", five, 6);
    assert (strcmp (text.data, " Did you mean the enum value \"a\", \"b\", \"c\", \"d\", or \"e\"?") == 0);
    dp_vstr_clear (&text);
    dp_vstr_did_you_mean (&text, NULL, five, 2);
    assert (strcmp (text.data, " Did you mean \"a\" or \"b\"?") == 0);
    dp_vstr_clear (&text);
    dp_vstr_did_you_mean (&text, NULL, five, 0);
    assert (text.len == 0);
    //  Values print as graphql-js prints them, strings escaped.
    const char *value_source = "{ f(a: [1, 2.5e3, \"q\\\"\\u0001\\u0085\", true, null, E, {x: $v}],"
                               " b: \"\"\"  block \"\"\", c: \"\"\"x\"\"\") }";
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, value_source, strlen (value_source), NULL, &parse_error);
    assert (doc);
    const dp_ast_selection_t *f = &doc->defs [0].selection_set->items [0];
    dp_vstr_clear (&text);
    for (size_t i = 0; i < f->n_args; i++) {
        dp_vstr_value (&text, f->args [i].value);
        dp_vstr_add (&text, "|");
    }
    assert (strcmp (text.data, "[1, 2.5e3, \"q\\\"\\u0001\\u0085\", true, null, E, {x: $v}]|"
                               "\"\"\"  block \"\"\"|\"\"\"x\"\"\"|") == 0);
    dp_vstr_release (&text);
    dp_vmap_t map;
    dp_vmap_init (&map, arena, true);
    char keys [100][8];
    for (int i = 0; i < 100; i++) {
        snprintf (keys [i], sizeof keys [i], "k%d", i);
        dp_vmap_set (&map, keys [i], (void *) (intptr_t) (i + 1));
    }
    assert (map.count == 100 && dp_vmap_get (&map, "k57") == (void *) 58 && !dp_vmap_has (&map, "k100"));
    dp_arena_destroy (&arena);

    //  Depot's schema: the front-end's queries are valid, mistakes are
    //  reported with graphql-js's words and positions.
    char err [300];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_validate_limits_t limits;
    dp_validate_limits_default (&limits);
    char *result = s_validate_depot (schema,
        "query Q($b: ID!) { boxes(baseId: $b, paginationInput: {first: 5}) {"
        " totalCount elements { labelIdentifier state product { name } tags { ...T } } } }"
        " fragment T on Tag { id name color __typename }", &limits);
    assert (strcmp (result, "") == 0);
    free (result);
    result = s_validate_depot (schema,
        "{ boxes(baseId: 1, paginationInput: {frist: 5}) { totalCont elements { stat } } base }",
        &limits);
    const char *expected =
        "Field \"frist\" is not defined by type \"PaginationInput\". Did you mean \"first\" or \"last\"? @1:38\n"
        "Cannot query field \"totalCont\" on type \"BoxPage\". Did you mean \"totalCount\"? @1:51\n"
        "Cannot query field \"stat\" on type \"Box\". Did you mean \"state\"? @1:72\n"
        "Field \"base\" of type \"Base\" must have a selection of subfields. Did you mean \"base { ... }\"? @1:81\n"
        "Field \"base\" argument \"id\" of type \"ID!\" is required, but it was not provided. @1:81";
    if (strcmp (result, expected) != 0) {
        fprintf (stderr, "got:\n%s\nexpected:\n%s\n", result, expected);
        assert (false);
    }
    free (result);

    //  At most 100 errors, then graphql-js's "too many" error.
    dp_vstr_t many;
    dp_vstr_init (&many);
    dp_vstr_add (&many, "{");
    for (int i = 0; i < 150; i++)
        dp_vstr_addf (&many, " f%d", i);
    dp_vstr_add (&many, " }");
    result = s_validate_depot (schema, many.data, NULL);
    size_t lines = 1;
    for (const char *p = result; *p; p++)
        lines += *p == '\n';
    assert (lines == 101);
    assert (strstr (result, "Cannot query field \"f99\" on type \"Query\". @1:389\n"
                            "Too many validation errors, error limit reached. Validation aborted."));
    free (result);
    dp_validate_limits_t five_errors = { .max_errors = 5 };
    result = s_validate_depot (schema, many.data, &five_errors);
    assert (strstr (result, "\"f4\" on type \"Query\". @1:15\nToo many validation errors"));
    free (result);
    dp_vstr_release (&many);

    //  The error list writes graphql-js's JSON.
    arena = dp_arena_new (0);
    const char *bad = "{ nope }";
    doc = dp_parse (arena, bad, strlen (bad), NULL, &parse_error);
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    assert (dp_validate (schema, doc, &limits, errors) == 1);
    dp_json_writer_t writer;
    dp_json_writer_init (&writer, 64);
    dp_validation_errors_write (errors, &writer);
    const char *json = "[{\"message\":\"Cannot query field \\\"nope\\\" on type \\\"Query\\\".\","
                       "\"locations\":[{\"line\":1,\"column\":3}]}]";
    assert (writer.len == strlen (json) && memcmp (writer.data, json, writer.len) == 0);
    dp_json_writer_release (&writer);
    dp_validation_errors_reset (errors);
    assert (dp_validation_errors_size (errors) == 0 && !dp_validation_errors_at (errors, 0));
    dp_validation_errors_destroy (&errors);
    assert (!errors);
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);

    //  The cache remembers exact texts, the oldest replaced first.
    dp_validation_cache_t *cache = dp_validation_cache_new (2, 32);
    assert (!dp_validation_cache_has (cache, "{ a }", 5));
    dp_validation_cache_add (cache, "{ a }", 5);
    dp_validation_cache_add (cache, "{ b }", 5);
    assert (dp_validation_cache_has (cache, "{ a }", 5) && dp_validation_cache_has (cache, "{ b }", 5));
    assert (!dp_validation_cache_has (cache, "{ a  }", 6) && !dp_validation_cache_has (cache, "{ a }", 4));
    dp_validation_cache_add (cache, "{ c }", 5);
    assert (!dp_validation_cache_has (cache, "{ a }", 5) && dp_validation_cache_has (cache, "{ c }", 5));
    const char *long_text = "{ thisDocumentIsLongerThanTheCacheKeeps }";
    dp_validation_cache_add (cache, long_text, strlen (long_text));
    assert (!dp_validation_cache_has (cache, long_text, strlen (long_text)));
    assert (dp_validation_cache_has (cache, "{ b }", 5));
    dp_validation_cache_destroy (&cache);
    assert (!cache);
    if (verbose)
        printf (" * dp_validate: OK\n");
}
