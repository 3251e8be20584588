/*  =========================================================================
    dp_validation_context - what every validation rule asks of the walk

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's ValidationContext and TypeInfo: the schema and document,
    error reporting (through the caller's callback, with graphql-js's
    error limit), the types at the walk's position, and the cached facts
    rules share: fragments by name, fragment spreads, the fragments and
    variables an operation uses.
@discuss
    Everything a context allocates lives in its arena, freed with it.
    graphql-js's fragment work budget (50,000 units) is kept here: a
    document that spends it gets "Validation aborted." as graphql-js's
    does, so hostile fragment graphs cost bounded time. The context knows
    no rule and no error list: dp_validate creates it, runs the rules over
    it and collects what it reports.
@end
*/
#include "dp_validation_context.h"
#include "dp_log.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <assert.h>

#define S_FRAGMENT_WORK 50000

static const char s_unknown;        //  a name the schema does not know, in the type cache
#define S_UNKNOWN ((void *) &s_unknown)

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
    dp_vctx_on_error_fn on_error;   //  where reports go
    void *on_error_arg;
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
//  Context: life

dp_vctx_t *
dp_vctx_new (dp_schema_t *schema, const dp_ast_document_t *doc, size_t max_errors,
             dp_vctx_on_error_fn on_error, void *on_error_arg)
{
    assert (schema);
    assert (doc);
    assert (on_error);
    dp_arena_t *arena = dp_arena_new (32 * 1024);
    dp_vctx_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    *self = (dp_vctx_t) {
        .schema = schema,
        .doc = doc,
        .arena = arena,
        .on_error = on_error,
        .on_error_arg = on_error_arg,
        .max_errors = max_errors,
        .fragment_work = S_FRAGMENT_WORK
    };
    self->named = dp_arena_calloc (arena, dp_schema_type_count (schema) + 1, sizeof *self->named);
    dp_vmap_init (&self->types, arena, true);
    dp_vmap_init (&self->selection_fields, arena, false);
    dp_vmap_init (&self->fragments, arena, true);
    dp_vmap_init (&self->spreads, arena, false);
    dp_vmap_init (&self->recursive, arena, true);
    dp_vmap_init (&self->usages, arena, false);
    dp_vmap_init (&self->recursive_usages, arena, false);
    dp_type_info_init (&self->type_info, self);
    return self;
}

void
dp_vctx_destroy (dp_vctx_t **self_p)
{
    assert (self_p);
    if (!*self_p)
        return;
    dp_arena_t *arena = (*self_p)->arena;   //  the context lives in it
    dp_arena_destroy (&arena);
    *self_p = NULL;
}

size_t
dp_vctx_reported (dp_vctx_t *self)
{
    return self->reported;
}

dp_type_info_t *
dp_vctx_type_info (dp_vctx_t *self)
{
    return &self->type_info;
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
        self->on_error (self->on_error_arg,
                        "Too many validation errors, error limit reached. Validation aborted.", NULL, 0);
        self->reported++;
        self->aborted = true;
        return;
    }
    self->on_error (self->on_error_arg, message, locations, n_locations);
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
    self->on_error (self->on_error_arg, "Validation aborted.", NULL, 0);
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
//  Selftest

#include "dp_parser.h"

typedef struct {
    char lines [4][128];
    size_t count;
} s_reports_t;

static void
s_collect_report (void *arg, const char *message, const dp_loc_t *locations, size_t n_locations)
{
    s_reports_t *reports = arg;
    assert (reports->count < 4);
    snprintf (reports->lines [reports->count++], sizeof reports->lines [0], "%s%s", message,
              n_locations ? " @" : "");
}

void
dp_validation_context_test (bool verbose)
{
    const char *sdl = "type Query { box: Box }  type Box { id: ID! }\n";
    char err [200];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    assert (schema);
    dp_arena_t *arena = dp_arena_new (0);
    const char *source = "{ box { id } } fragment F on Box { id }";
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    assert (doc);

    //  Reports go to the callback until the limit, then the limit's error
    //  once; nothing after it.
    s_reports_t reports = { .count = 0 };
    dp_vctx_t *ctx = dp_vctx_new (schema, doc, 2, s_collect_report, &reports);
    dp_loc_t loc = { 1, 3 };
    dp_vctx_report (ctx, "one", &loc, 1);
    dp_vctx_report (ctx, "two", NULL, 0);
    assert (!dp_vctx_aborted (ctx));
    dp_vctx_report (ctx, "three", NULL, 0);
    dp_vctx_report (ctx, "four", NULL, 0);
    assert (dp_vctx_aborted (ctx));
    assert (reports.count == 3 && dp_vctx_reported (ctx) == 3);
    assert (strcmp (reports.lines [0], "one @") == 0);
    assert (strcmp (reports.lines [1], "two") == 0);
    assert (strcmp (reports.lines [2], "Too many validation errors, error limit reached. "
                                       "Validation aborted.") == 0);
    dp_vctx_destroy (&ctx);
    assert (ctx == NULL);
    dp_vctx_destroy (&ctx);

    //  Types and fields as TypeInfo sees them; fragments by name; the
    //  fragment work budget.
    reports.count = 0;
    ctx = dp_vctx_new (schema, doc, 0, s_collect_report, &reports);
    dp_type_t *box = dp_vctx_type_named (ctx, "Box");
    assert (box && box == dp_schema_type (schema, "Box"));
    assert (dp_vctx_type_named (ctx, "Nope") == NULL);
    assert (dp_vctx_type_named (ctx, "Nope") == NULL);     //  cached as unknown
    assert (dp_vctx_named (ctx, box) == dp_vctx_named (ctx, box));
    assert (dp_vctx_lookup_field (ctx, box, "__typename") == dp_schema_meta_field (schema, "__typename"));
    assert (dp_vctx_lookup_field (ctx, box, "__schema") == NULL);
    assert (dp_vctx_lookup_field (ctx, dp_schema_query_type (schema), "__schema")
            == dp_schema_meta_field (schema, "__schema"));
    assert (dp_vctx_fragment (ctx, "F") && !dp_vctx_fragment (ctx, "G"));
    dp_vctx_spend_fragment_work (ctx, 40000);
    assert (!dp_vctx_aborted (ctx));
    dp_vctx_spend_fragment_work (ctx, 40000);
    assert (dp_vctx_aborted (ctx));
    assert (reports.count == 1 && strcmp (reports.lines [0], "Validation aborted.") == 0);
    dp_vctx_destroy (&ctx);

    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_validation_context: OK\n");
}
