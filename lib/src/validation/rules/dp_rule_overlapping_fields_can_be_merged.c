/*  =========================================================================
    dp_rule_overlapping_fields_can_be_merged - one response key, one meaning

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.3.2 "Field Selection Merging": fields that share a
    response name within a selection set (fragments and inline fragments
    included) must be the same field with the same arguments, unless their
    parents are different object types, and must in any case return
    shapes that can merge (graphql-js's OverlappingFieldsCanBeMergedRule).
@discuss
    A faithful port of graphql-js 16's algorithm: the same collection of
    fields per (parent type, selection set), the same memoisation of
    fragment comparisons (a pair set that remembers whether the pair was
    compared as mutually exclusive), the same order of comparisons, so the
    same conflicts come out in the same order with the same messages and
    locations. Its complexity budget (500,000 comparisons) is kept too:
    past it validation stops with "Validation aborted.".
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

#define S_MAX_DETAIL 1000           //  characters of a reason before "..."
#define S_MAX_NODES 20              //  locations of one conflict
#define S_BUDGET 500000

typedef struct _s_info_t s_info_t;

//  A field found in a selection set, with its parent type and definition.
typedef struct {
    const dp_type_t *parent_type;   //  NULL: unknown
    const dp_ast_selection_t *node;
    const dp_field_t *definition;   //  NULL: not a field of the parent (meta-fields included)
    bool simple_leaf;               //  no arguments, no selection set
    s_info_t *info;                 //  made when the field is compared
} s_field_t;

struct _s_info_t {
    dp_vmap_t comparisons;          //  other s_info_t -> reason (S_SAME: none)
    const dp_type_t *named_type;
    const char *type_string;
};

static const char S_SAME [] = "";   //  "no conflict", cached

//  The fields of one response name.
typedef struct {
    const char *name;
    dp_vptrs_t fields;              //  s_field_t *
} s_group_t;

//  graphql-js's collectFields result.
typedef struct {
    dp_vptrs_t groups;              //  s_group_t *, first seen first
    dp_vmap_t by_name;              //  response name -> s_group_t
    dp_vptrs_t fragment_names;      //  const char *, first seen first
    dp_vmap_t compared;             //  fragment name -> 1 (not exclusive) or 2 (exclusive)
    dp_vmap_t overlapping;          //  other result -> s_overlap_list_t
} s_result_t;

typedef struct {
    const char *response_name;
    const s_group_t *fields1;
    const s_group_t *fields2;
} s_overlap_t;

typedef struct {
    s_overlap_t *items;
    size_t count;
} s_overlap_list_t;

typedef struct {
    const char *response_name;
    const char *reason;
    dp_vptrs_t fields1;             //  const dp_ast_selection_t *
    dp_vptrs_t fields2;
} s_conflict_t;

//  A cache entry: results for one selection set, per parent type.
typedef struct _s_cached_t {
    const dp_type_t *parent_type;
    s_result_t *result;
    struct _s_cached_t *next;
} s_cached_t;

typedef struct {
    dp_vctx_t *ctx;
    dp_arena_t *arena;
    dp_vmap_t pairs;                //  "a\x01b" -> 1 (not exclusive) or 2 (exclusive)
    dp_vmap_t cache;                //  selection set -> s_cached_t list
    dp_vmap_t stringified;          //  value -> canonical string
    long budget;
} self_t;

static bool
s_spend (self_t *self, long cost)
{
    self->budget -= cost;
    if (self->budget < 0) {
        dp_vctx_abort (self->ctx);
        return false;
    }
    return true;
}

static bool
s_stopped (self_t *self)
{
    return dp_vctx_aborted (self->ctx);
}

//  graphql-js's maybeAbbreviate.
static const char *
s_abbreviate (self_t *self, const char *text)
{
    size_t len = strlen (text);
    if (dp_utf16_length (text, len) <= S_MAX_DETAIL)
        return text;
    //  Cut at 1000 UTF-16 units.
    size_t units = 0, i = 0;
    while (i < len && units < S_MAX_DETAIL) {
        unsigned char c = (unsigned char) text [i];
        size_t size = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        units += size == 4 ? 2 : 1;
        i += size;
    }
    return dp_arena_printf (self->arena, "%.*s...", (int) i, text);
}

//  ---------------------------------------------------------------------
//  Collecting fields

static void
s_collect_impl (self_t *self, const dp_type_t *parent_type, const dp_ast_selection_set_t *set,
                s_result_t *result, dp_vmap_t *fragment_seen)
{
    for (size_t i = 0; i < set->n_items; i++) {
        const dp_ast_selection_t *selection = &set->items [i];
        if (selection->kind == DP_AST_FIELD) {
            s_field_t *field = dp_arena_calloc (self->arena, 1, sizeof *field);
            field->parent_type = parent_type;
            field->node = selection;
            field->definition = dp_vctx_selection_field (self->ctx, parent_type, selection, false);
            field->simple_leaf = selection->n_args == 0 && !selection->selection_set;
            const char *response = selection->alias ? selection->alias : selection->name;
            s_group_t *group = dp_vmap_get (&result->by_name, response);
            if (!group) {
                group = dp_arena_calloc (self->arena, 1, sizeof *group);
                group->name = response;
                dp_vmap_set (&result->by_name, response, group);
                dp_vptrs_push (&result->groups, self->arena, group);
            }
            dp_vptrs_push (&group->fields, self->arena, field);
        }
        else
        if (selection->kind == DP_AST_FRAGMENT_SPREAD) {
            if (!dp_vmap_has (fragment_seen, selection->name)) {
                dp_vmap_set (fragment_seen, selection->name, (void *) 1);
                dp_vptrs_push (&result->fragment_names, self->arena, selection->name);
            }
        }
        else {
            const dp_type_t *type = selection->type_condition
                                  ? dp_vctx_type_named (self->ctx, selection->type_condition)
                                  : parent_type;
            s_collect_impl (self, type, selection->selection_set, result, fragment_seen);
        }
    }
}

static s_result_t *
s_collect (self_t *self, const dp_type_t *parent_type, const dp_ast_selection_set_t *set)
{
    s_cached_t *cached = dp_vmap_get (&self->cache, set);
    for (s_cached_t *entry = cached; entry; entry = entry->next)
        if (entry->parent_type == parent_type)
            return entry->result;
    s_result_t *result = dp_arena_calloc (self->arena, 1, sizeof *result);
    dp_vmap_init (&result->by_name, self->arena, true);
    dp_vmap_init (&result->compared, self->arena, true);
    dp_vmap_init (&result->overlapping, self->arena, false);
    dp_vmap_t fragment_seen;
    dp_vmap_init (&fragment_seen, self->arena, true);
    s_collect_impl (self, parent_type, set, result, &fragment_seen);
    s_cached_t *entry = dp_arena_calloc (self->arena, 1, sizeof *entry);
    entry->parent_type = parent_type;
    entry->result = result;
    entry->next = cached;
    dp_vmap_set (&self->cache, set, entry);
    return result;
}

static s_result_t *
s_collect_fragment (self_t *self, const dp_ast_definition_t *fragment)
{
    return s_collect (self, dp_vctx_type_named (self->ctx, fragment->type_condition),
                      fragment->selection_set);
}

//  ---------------------------------------------------------------------
//  Comparing two fields

static s_info_t *
s_info (self_t *self, s_field_t *field)
{
    if (!field->info) {
        s_info_t *info = dp_arena_calloc (self->arena, 1, sizeof *info);
        dp_vmap_init (&info->comparisons, self->arena, false);
        info->named_type = field->definition ? dp_type_ref_named (field->definition->type) : NULL;
        field->info = info;
    }
    return field->info;
}

//  Object fields by name, then by position (fields are in one array).
static int
s_field_order (const void *a_, const void *b_)
{
    const dp_ast_object_field_t *a = *(const dp_ast_object_field_t * const *) a_;
    const dp_ast_object_field_t *b = *(const dp_ast_object_field_t * const *) b_;
    int order = strcmp (a->name, b->name);
    return order ? order : (a < b ? -1 : a > b ? 1 : 0);
}

//  graphql-js's stringifyValue, as a canonical text (equal iff equal).
static void
s_stringify (self_t *self, dp_vstr_t *out, const dp_ast_value_t *value)
{
    switch (value->kind) {
        case DP_AST_VARIABLE:
            dp_vstr_addf (out, "V%zu:%s", strlen (value->text), value->text);
            break;
        case DP_AST_INT:
            dp_vstr_addf (out, "I%zu:%s", strlen (value->text), value->text);
            break;
        case DP_AST_FLOAT:
            dp_vstr_addf (out, "F%zu:%s", strlen (value->text), value->text);
            break;
        case DP_AST_ENUM:
            dp_vstr_addf (out, "E%zu:%s", strlen (value->text), value->text);
            break;
        case DP_AST_STRING:
            dp_vstr_addf (out, "S%d%zu:", value->block ? 1 : 0, value->text_len);
            dp_vstr_addn (out, value->text, value->text_len);
            break;
        case DP_AST_BOOLEAN:
            dp_vstr_add (out, value->boolean ? "T" : "f");
            break;
        case DP_AST_NULL:
            dp_vstr_add (out, "N");
            break;
        case DP_AST_LIST:
            dp_vstr_addf (out, "L%zu[", value->n_items);
            for (size_t i = 0; i < value->n_items; i++)
                s_stringify (self, out, value->items [i]);
            dp_vstr_add (out, "]");
            break;
        case DP_AST_OBJECT: {
            //  Fields sorted by name, stable (by position among equal names).
            size_t n = value->n_fields;
            const dp_ast_object_field_t **sorted = dp_arena_alloc (self->arena, (n ? n : 1) * sizeof *sorted);
            for (size_t i = 0; i < n; i++)
                sorted [i] = &value->fields [i];
            qsort (sorted, n, sizeof *sorted, s_field_order);
            dp_vstr_addf (out, "O%zu{", n);
            for (size_t i = 0; i < n; i++) {
                dp_vstr_addf (out, "%zu:%s=", strlen (sorted [i]->name), sorted [i]->name);
                s_stringify (self, out, sorted [i]->value);
            }
            dp_vstr_add (out, "}");
            break;
        }
    }
}

static const char *
s_stringified (self_t *self, const dp_ast_value_t *value)
{
    const char *cached = dp_vmap_get (&self->stringified, value);
    if (!cached) {
        dp_vstr_t out;
        dp_vstr_init (&out);
        s_stringify (self, &out, value);
        cached = dp_arena_strdup (self->arena, out.data);
        dp_vstr_release (&out);
        dp_vmap_set (&self->stringified, value, (void *) cached);
    }
    return cached;
}

//  graphql-js's sameArguments over the fields' argument lists.
static bool
s_same_arguments (self_t *self, const dp_ast_selection_t *a, const dp_ast_selection_t *b)
{
    if (a->n_args == 0)
        return b->n_args == 0;
    if (a->n_args != b->n_args)
        return false;
    for (size_t i = 0; i < a->n_args; i++) {
        if (!s_spend (self, 1))
            return false;
        //  values2.get (name): the last argument of that name.
        const dp_ast_value_t *other = NULL;
        for (size_t j = 0; j < b->n_args; j++)
            if (strcmp (b->args [j].name, a->args [i].name) == 0)
                other = b->args [j].value;
        if (!other)
            return false;
        if (strcmp (s_stringified (self, a->args [i].value), s_stringified (self, other)) != 0)
            return false;
    }
    return true;
}

static bool
s_types_conflict (self_t *self, const dp_type_ref_t *a, const dp_type_ref_t *b)
{
    if (dp_vtype_same (a, b))
        return false;
    if (!s_spend (self, 1))
        return false;
    if (a->kind == DP_REF_LIST)
        return b->kind == DP_REF_LIST ? s_types_conflict (self, a->of, b->of) : true;
    if (b->kind == DP_REF_LIST)
        return true;
    if (a->kind == DP_REF_NON_NULL)
        return b->kind == DP_REF_NON_NULL ? s_types_conflict (self, a->of, b->of) : true;
    if (b->kind == DP_REF_NON_NULL)
        return true;
    if (dp_vkind_is_leaf (a->named) || dp_vkind_is_leaf (b->named))
        return a->named != b->named;
    return false;
}

static s_conflict_t *
s_conflict_new (self_t *self, const char *response, const char *reason,
                const dp_ast_selection_t *node1, const dp_ast_selection_t *node2)
{
    s_conflict_t *conflict = dp_arena_calloc (self->arena, 1, sizeof *conflict);
    conflict->response_name = response;
    conflict->reason = reason;
    dp_vptrs_push (&conflict->fields1, self->arena, node1);
    dp_vptrs_push (&conflict->fields2, self->arena, node2);
    return conflict;
}

static void s_between_sub_selections (self_t *self, dp_vptrs_t *conflicts, bool exclusive,
                                      const dp_type_t *type1, const dp_ast_selection_set_t *set1,
                                      const dp_type_t *type2, const dp_ast_selection_set_t *set2);

//  The locations of a conflict between sub-fields: the field, then the
//  last nodes of each sub-conflict, 20 at most.
static void
s_conflict_nodes (self_t *self, dp_vptrs_t *out, const dp_ast_selection_t *node,
                  const dp_vptrs_t *conflicts, bool first_side)
{
    dp_vptrs_push (out, self->arena, node);
    for (size_t i = 0; i < conflicts->count; i++) {
        const s_conflict_t *conflict = conflicts->items [i];
        const dp_vptrs_t *side = first_side ? &conflict->fields1 : &conflict->fields2;
        size_t remaining = S_MAX_NODES - out->count;
        size_t from = side->count > remaining ? side->count - remaining : 0;
        for (size_t k = from; k < side->count; k++)
            dp_vptrs_push (out, self->arena, side->items [k]);
        if (out->count == S_MAX_NODES)
            break;
    }
}

static s_conflict_t *
s_subfield_conflicts (self_t *self, const dp_vptrs_t *conflicts, const char *response,
                      const dp_ast_selection_t *node1, const dp_ast_selection_t *node2)
{
    if (conflicts->count == 0)
        return NULL;
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < conflicts->count; i++) {
        const s_conflict_t *conflict = conflicts->items [i];
        dp_vstr_addf (&message, "%ssubfields \"%s\" conflict because %s", message.len ? " and " : "",
                      s_abbreviate (self, conflict->response_name), conflict->reason);
        if (dp_utf16_length (message.data, message.len) > S_MAX_DETAIL)
            break;
    }
    s_conflict_t *result = dp_arena_calloc (self->arena, 1, sizeof *result);
    result->response_name = response;
    result->reason = s_abbreviate (self, dp_arena_strdup (self->arena, message.data));
    dp_vstr_release (&message);
    s_conflict_nodes (self, &result->fields1, node1, conflicts, true);
    s_conflict_nodes (self, &result->fields2, node2, conflicts, false);
    return result;
}

//  graphql-js's findConflict: NULL when the two fields can merge.
static s_conflict_t *
s_find_conflict (self_t *self, bool parents_exclusive, const char *response,
                 s_field_t *field1, s_field_t *field2)
{
    const dp_type_t *parent1 = field1->parent_type, *parent2 = field2->parent_type;
    const dp_ast_selection_t *node1 = field1->node, *node2 = field2->node;
    bool exclusive = parents_exclusive
                  || (parent1 != parent2 && parent1 && parent2
                      && parent1->kind == DP_TYPE_OBJECT && parent2->kind == DP_TYPE_OBJECT);
    if (!s_spend (self, 2))
        return NULL;
    const dp_type_ref_t *type1 = field1->definition ? field1->definition->type : NULL;
    const dp_type_ref_t *type2 = field2->definition ? field2->definition->type : NULL;
    if (field1->simple_leaf && field2->simple_leaf && dp_vtype_same (type1, type2)
    &&  strcmp (node1->name, node2->name) == 0)
        return NULL;
    if (!exclusive) {
        s_info_t *info1 = s_info (self, field1), *info2 = s_info (self, field2);
        const char *reason = dp_vmap_get (&info1->comparisons, info2);
        if (!reason) {
            if (strcmp (node1->name, node2->name) != 0)
                reason = dp_arena_printf (self->arena, "\"%s\" and \"%s\" are different fields",
                                          s_abbreviate (self, node1->name), s_abbreviate (self, node2->name));
            else
                reason = s_same_arguments (self, node1, node2) ? S_SAME : "they have differing arguments";
            if (s_stopped (self))
                return NULL;
            dp_vmap_set (&info1->comparisons, info2, (void *) reason);
        }
        if (reason != S_SAME)
            return s_conflict_new (self, response, reason, node1, node2);
    }
    if (type1 && type2 && s_types_conflict (self, type1, type2)) {
        s_info_t *info1 = s_info (self, field1), *info2 = s_info (self, field2);
        dp_vstr_t text;
        dp_vstr_init (&text);
        if (!info1->type_string) {
            dp_vstr_type (&text, type1);
            info1->type_string = dp_arena_strdup (self->arena, text.data);
        }
        if (!info2->type_string) {
            dp_vstr_clear (&text);
            dp_vstr_type (&text, type2);
            info2->type_string = dp_arena_strdup (self->arena, text.data);
        }
        dp_vstr_release (&text);
        const char *reason = dp_arena_printf (self->arena, "they return conflicting types \"%s\" and \"%s\"",
                                              info1->type_string, info2->type_string);
        return s_conflict_new (self, response, reason, node1, node2);
    }
    if (s_stopped (self))
        return NULL;
    if (node1->selection_set && node2->selection_set) {
        dp_vptrs_t conflicts = { 0 };
        s_between_sub_selections (self, &conflicts, exclusive, s_info (self, field1)->named_type,
                                  node1->selection_set, s_info (self, field2)->named_type,
                                  node2->selection_set);
        if (s_stopped (self))
            return NULL;
        return s_subfield_conflicts (self, &conflicts, response, node1, node2);
    }
    return NULL;
}

//  ---------------------------------------------------------------------
//  Comparing collections of fields

static void
s_within (self_t *self, dp_vptrs_t *conflicts, const s_result_t *result)
{
    for (size_t g = 0; g < result->groups.count; g++) {
        const s_group_t *group = result->groups.items [g];
        for (size_t i = 0; i < group->fields.count; i++)
            for (size_t j = i + 1; j < group->fields.count; j++) {
                s_conflict_t *conflict = s_find_conflict (self, false, group->name,
                                                          (s_field_t *) group->fields.items [i],
                                                          (s_field_t *) group->fields.items [j]);
                if (s_stopped (self))
                    return;
                if (conflict)
                    dp_vptrs_push (conflicts, self->arena, conflict);
            }
    }
}

static const s_overlap_list_t *
s_overlapping (self_t *self, s_result_t *result1, const s_result_t *result2)
{
    s_overlap_list_t *list = dp_vmap_get (&result1->overlapping, result2);
    if (list)
        return list;
    list = dp_arena_calloc (self->arena, 1, sizeof *list);
    list->items = dp_arena_calloc (self->arena, result1->groups.count + 1, sizeof *list->items);
    for (size_t g = 0; g < result1->groups.count; g++) {
        if (!s_spend (self, 1))
            return list;
        const s_group_t *group = result1->groups.items [g];
        const s_group_t *other = dp_vmap_get (&result2->by_name, group->name);
        if (other) {
            s_overlap_t *overlap = &list->items [list->count++];
            overlap->response_name = group->name;
            overlap->fields1 = group;
            overlap->fields2 = other;
        }
    }
    dp_vmap_set (&result1->overlapping, result2, list);
    return list;
}

static void
s_between (self_t *self, dp_vptrs_t *conflicts, bool exclusive, s_result_t *result1,
           const s_result_t *result2)
{
    if (result1->groups.count == 0 || result2->groups.count == 0)
        return;
    const s_overlap_list_t *list = s_overlapping (self, result1, result2);
    for (size_t o = 0; o < list->count && !s_stopped (self); o++) {
        const s_overlap_t *overlap = &list->items [o];
        for (size_t i = 0; i < overlap->fields1->fields.count; i++)
            for (size_t j = 0; j < overlap->fields2->fields.count; j++) {
                s_conflict_t *conflict = s_find_conflict (self, exclusive, overlap->response_name,
                                                          (s_field_t *) overlap->fields1->fields.items [i],
                                                          (s_field_t *) overlap->fields2->fields.items [j]);
                if (s_stopped (self))
                    return;
                if (conflict)
                    dp_vptrs_push (conflicts, self->arena, conflict);
            }
    }
}

static void
s_fields_and_fragment (self_t *self, dp_vptrs_t *conflicts, bool exclusive, s_result_t *result,
                       const char *fragment_name)
{
    if (!s_spend (self, 1))
        return;
    if (result->groups.count == 0)
        return;
    uintptr_t compared = (uintptr_t) dp_vmap_get (&result->compared, fragment_name);
    if (compared == 1 || (exclusive && compared == 2))
        return;
    dp_vmap_set (&result->compared, fragment_name, (void *) (uintptr_t) (exclusive ? 2 : 1));
    const dp_ast_definition_t *fragment = dp_vctx_fragment (self->ctx, fragment_name);
    if (!fragment)
        return;
    s_result_t *result2 = s_collect_fragment (self, fragment);
    if (result == result2)
        return;
    s_between (self, conflicts, exclusive, result, result2);
    for (size_t i = 0; i < result2->fragment_names.count && !s_stopped (self); i++)
        s_fields_and_fragment (self, conflicts, exclusive, result, result2->fragment_names.items [i]);
}

static const char *
s_pair_key (self_t *self, const char *a, const char *b)
{
    return dp_arena_printf (self->arena, "%s\x01%s", a, b);
}

//  PairSet.has: a pair compared as exclusive answers any question; one
//  compared as not exclusive answers only the not-exclusive question.
static bool
s_pair_has (self_t *self, const char *a, const char *b, bool exclusive)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *key = pass == 0 ? s_pair_key (self, a, b) : s_pair_key (self, b, a);
        uintptr_t value = (uintptr_t) dp_vmap_get (&self->pairs, key);
        if (value && (exclusive || value == 1))
            return true;
    }
    return false;
}

static void
s_fragments (self_t *self, dp_vptrs_t *conflicts, bool exclusive, const char *name1, const char *name2)
{
    if (!s_spend (self, 2))
        return;
    if (strcmp (name1, name2) == 0)
        return;
    if (s_pair_has (self, name1, name2, exclusive))
        return;
    dp_vmap_set (&self->pairs, s_pair_key (self, name1, name2), (void *) (uintptr_t) (exclusive ? 2 : 1));
    const dp_ast_definition_t *fragment1 = dp_vctx_fragment (self->ctx, name1);
    const dp_ast_definition_t *fragment2 = dp_vctx_fragment (self->ctx, name2);
    if (!fragment1 || !fragment2)
        return;
    s_result_t *result1 = s_collect_fragment (self, fragment1);
    s_result_t *result2 = s_collect_fragment (self, fragment2);
    s_between (self, conflicts, exclusive, result1, result2);
    for (size_t i = 0; i < result2->fragment_names.count && !s_stopped (self); i++)
        s_fragments (self, conflicts, exclusive, name1, result2->fragment_names.items [i]);
    for (size_t i = 0; i < result1->fragment_names.count && !s_stopped (self); i++)
        s_fragments (self, conflicts, exclusive, result1->fragment_names.items [i], name2);
}

static void
s_between_sub_selections (self_t *self, dp_vptrs_t *conflicts, bool exclusive,
                          const dp_type_t *type1, const dp_ast_selection_set_t *set1,
                          const dp_type_t *type2, const dp_ast_selection_set_t *set2)
{
    s_result_t *result1 = s_collect (self, type1, set1);
    s_result_t *result2 = s_collect (self, type2, set2);
    s_between (self, conflicts, exclusive, result1, result2);
    for (size_t i = 0; i < result2->fragment_names.count && !s_stopped (self); i++)
        s_fields_and_fragment (self, conflicts, exclusive, result1, result2->fragment_names.items [i]);
    for (size_t i = 0; i < result1->fragment_names.count && !s_stopped (self); i++)
        s_fields_and_fragment (self, conflicts, exclusive, result2, result1->fragment_names.items [i]);
    for (size_t i = 0; i < result1->fragment_names.count && !s_stopped (self); i++)
        for (size_t j = 0; j < result2->fragment_names.count && !s_stopped (self); j++)
            s_fragments (self, conflicts, exclusive, result1->fragment_names.items [i],
                         result2->fragment_names.items [j]);
}

static void
s_within_selection_set (self_t *self, dp_vptrs_t *conflicts, const dp_type_t *parent_type,
                        const dp_ast_selection_set_t *set)
{
    s_result_t *result = s_collect (self, parent_type, set);
    s_within (self, conflicts, result);
    size_t n_names = result->fragment_names.count;
    if (n_names == 0 || (result->groups.count == 0 && n_names <= 1))
        return;
    for (size_t i = 0; i < n_names && !s_stopped (self); i++) {
        s_fields_and_fragment (self, conflicts, false, result, result->fragment_names.items [i]);
        for (size_t j = i + 1; j < n_names && !s_stopped (self); j++)
            s_fragments (self, conflicts, false, result->fragment_names.items [i],
                         result->fragment_names.items [j]);
    }
}

//  ---------------------------------------------------------------------
//  The rule

static dp_visit_t
s_enter (void *self_, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    self_t *self = self_;
    if (node->kind != DP_NODE_SELECTION_SET)
        return DP_VISIT_CONTINUE;
    const dp_node_t *parent = dp_visit_ancestor (path, 0);
    if (parent && parent->kind == DP_NODE_INLINE_FRAGMENT)
        return DP_VISIT_CONTINUE;
    const dp_ast_selection_set_t *set = node->selection_set;
    if (set->n_items <= 1 && (set->n_items == 0 || set->items [0].kind != DP_AST_INLINE_FRAGMENT))
        return DP_VISIT_CONTINUE;
    dp_vptrs_t conflicts = { 0 };
    s_within_selection_set (self, &conflicts, dp_vctx_parent_type (ctx), set);
    if (s_stopped (self))
        return DP_VISIT_CONTINUE;
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < conflicts.count; i++) {
        const s_conflict_t *conflict = conflicts.items [i];
        dp_vstr_clear (&message);
        dp_vstr_addf (&message, "Fields \"%s\" conflict because %s. Use different aliases on the "
                      "fields to fetch both if this was intentional.",
                      s_abbreviate (self, conflict->response_name), conflict->reason);
        size_t n = conflict->fields1.count + conflict->fields2.count;
        dp_loc_t *locations = dp_arena_alloc (self->arena, n * sizeof *locations);
        for (size_t k = 0; k < conflict->fields1.count; k++)
            locations [k] = ((const dp_ast_selection_t *) conflict->fields1.items [k])->loc;
        for (size_t k = 0; k < conflict->fields2.count; k++)
            locations [conflict->fields1.count + k] = ((const dp_ast_selection_t *) conflict->fields2.items [k])->loc;
        dp_vctx_report (ctx, message.data, locations, n);
    }
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_overlapping_fields_can_be_merged (dp_vctx_t *ctx)
{
    dp_arena_t *arena = dp_vctx_arena (ctx);
    self_t *self = dp_arena_calloc (arena, 1, sizeof *self);
    self->ctx = ctx;
    self->arena = arena;
    self->budget = S_BUDGET;
    dp_vmap_init (&self->pairs, arena, true);
    dp_vmap_init (&self->cache, arena, false);
    dp_vmap_init (&self->stringified, arena, false);
    dp_rule_t rule = { s_enter, NULL, self,
                       DP_KIND (DP_NODE_SELECTION_SET) };
    return rule;
}

void
dp_rule_overlapping_fields_can_be_merged_test (bool verbose)
{
    const char *rule = "OverlappingFieldsCanBeMerged";
    dp_vtest_expect (rule,
        "{ box(id: 1) { id id name(short: true) name(short: true) ...F ... on Box { id items } ...F }"
        " location { ... on Warehouse { capacity } ... on Shelf { code } }"
        " thing { ... on Box { label: name } ... on Tag { label } } }"
        " fragment F on Box { id items product { id } product { price } }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1) { id: name name: id size(unit: CM) size(unit: INCH) size product { id } product: tags { id } }\n"
        "  location { ... on Warehouse { capacity } ... on Shelf { capacity } }\n"
        "  thing { ... on Box { x: name ...F } ... on Product { x: id } }\n"
        "  b: box(id: 1) { product { x: id category { name } } product { x: name category { name: id } } }\n"
        "  b: box(id: 2) { id }\n"
        "}\n"
        "fragment F on Box { x: items }",
        "Fields \"b\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional. @4:3 @5:3\n"
        "Fields \"size\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional. @1:34 @1:49\n"
        "Fields \"size\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional. @1:34 @1:66\n"
        "Fields \"size\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional. @1:49 @1:66\n"
        "Fields \"product\" conflict because \"product\" and \"tags\" are different fields. Use different aliases on the fields to fetch both if this was intentional. @1:71 @1:86\n"
        "Fields \"capacity\" conflict because they return conflicting types \"Int\" and \"String\". Use different aliases on the fields to fetch both if this was intentional. @2:33 @2:59\n"
        "Fields \"x\" conflict because they return conflicting types \"String\" and \"ID!\". Use different aliases on the fields to fetch both if this was intentional. @3:24 @3:56\n"
        "Fields \"x\" conflict because \"name\" and \"items\" are different fields. Use different aliases on the fields to fetch both if this was intentional. @3:24 @7:21\n"
        "Fields \"x\" conflict because they return conflicting types \"ID!\" and \"Int\". Use different aliases on the fields to fetch both if this was intentional. @3:56 @7:21\n"
        "Fields \"product\" conflict because subfields \"x\" conflict because \"id\" and \"name\" are different fields and subfields \"category\" conflict because subfields \"name\" conflict because \"name\" and \"id\" are different fields. Use different aliases on the fields to fetch both if this was intentional. @4:19 @4:29 @4:35 @4:46 @4:55 @4:65 @4:73 @4:84");
    if (verbose)
        printf (" * dp_rule_overlapping_fields_can_be_merged: OK\n");
}
