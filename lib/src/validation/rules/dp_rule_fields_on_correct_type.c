/*  =========================================================================
    dp_rule_fields_on_correct_type - fields exist on their parent type

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec section 5.3.1 "Field Selections": a selected field is defined on
    the type it is selected on (graphql-js's FieldsOnCorrectTypeRule). The
    message suggests the types where the field exists (for an interface or
    union) or else fields with a similar name, ordered as graphql-js orders
    them.
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdio.h>
#include <assert.h>

typedef struct {
    const dp_type_t *type;
    size_t usage;                   //  how many possible types lead to it
} s_suggested_t;

//  graphql-js's sort comparator: more used first, a super type before its
//  sub types, then natural order.
static int
s_compare (const s_suggested_t *a, const s_suggested_t *b)
{
    if (a->usage != b->usage)
        return a->usage > b->usage ? -1 : 1;
    if (a->type->kind == DP_TYPE_INTERFACE && dp_vschema_is_sub_type (a->type, b->type))
        return -1;
    if (b->type->kind == DP_TYPE_INTERFACE && dp_vschema_is_sub_type (b->type, a->type))
        return 1;
    return dp_natural_compare (a->type->name, b->type->name);
}

static size_t
s_suggested_types (dp_vctx_t *ctx, const dp_type_t *type, const char *field_name,
                   const char ***out)
{
    *out = NULL;
    if (!dp_vkind_is_abstract (type))
        return 0;
    dp_arena_t *arena = dp_vctx_arena (ctx);
    dp_type_t **possible;
    size_t n_possible = dp_vctx_possible_types (ctx, type, &possible);
    size_t capacity = 1;
    for (size_t i = 0; i < n_possible; i++)
        capacity += 1 + possible [i]->n_interfaces;
    s_suggested_t *items = dp_arena_calloc (arena, capacity, sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < n_possible; i++) {
        const dp_type_t *object = possible [i];
        if (!dp_type_field (object, field_name))
            continue;
        size_t k;
        for (k = 0; k < n && items [k].type != object; k++);
        if (k == n)
            items [n++].type = object;
        items [k].usage = 1;
        for (size_t f = 0; f < object->n_interfaces; f++) {
            const dp_type_t *iface = object->interfaces [f];
            if (!dp_type_field (iface, field_name))
                continue;
            for (k = 0; k < n && items [k].type != iface; k++);
            if (k == n)
                items [n++].type = iface;
            items [k].usage++;
        }
    }
    //  A stable insertion sort, as V8 sorts short arrays.
    for (size_t i = 1; i < n; i++) {
        s_suggested_t item = items [i];
        size_t j = i;
        while (j > 0 && s_compare (&item, &items [j - 1]) < 0) {
            items [j] = items [j - 1];
            j--;
        }
        items [j] = item;
    }
    const char **names = dp_arena_calloc (arena, n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names [i] = items [i].type->name;
    *out = names;
    return n;
}

static dp_visit_t
s_enter (void *self, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    if (node->kind != DP_NODE_FIELD)
        return DP_VISIT_CONTINUE;
    const dp_type_t *type = dp_vctx_parent_type (ctx);
    if (!type || dp_vctx_field_def (ctx))
        return DP_VISIT_CONTINUE;
    const char *field_name = node->selection->name;
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_addf (&message, "Cannot query field \"%s\" on type \"%s\".", field_name, type->name);
    const char **suggestions;
    size_t n = s_suggested_types (ctx, type, field_name, &suggestions);
    if (n)
        dp_vstr_did_you_mean (&message, "to use an inline fragment on", suggestions, n);
    else
    if (type->kind == DP_TYPE_OBJECT || type->kind == DP_TYPE_INTERFACE) {
        const char **names = dp_arena_alloc (dp_vctx_arena (ctx), (type->n_fields + 1) * sizeof *names);
        for (size_t i = 0; i < type->n_fields; i++)
            names [i] = type->fields [i].name;
        n = dp_suggestion_list (dp_vctx_arena (ctx), field_name, names, type->n_fields, &suggestions);
        dp_vstr_did_you_mean (&message, NULL, suggestions, n);
    }
    dp_vctx_report (ctx, message.data, &node->loc, 1);
    dp_vstr_release (&message);
    return DP_VISIT_CONTINUE;
}

dp_rule_t
dp_rule_fields_on_correct_type (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_FIELD) };
    return rule;
}

void
dp_rule_fields_on_correct_type_test (bool verbose)
{
    const char *rule = "FieldsOnCorrectType";
    dp_vtest_expect (rule,
        "{ __typename box(id: 1) { __typename id name state } item(id: 1) { id name }"
        " thing { __typename ... on Box { items } } __schema { types { name } } __type(name: \"Box\") { name } }",
        "");
    dp_vtest_expect (rule,
        "{ thing { id name __typename } location { capacity cty } item(id: 1) { items }"
        " node(id: 1) { name } box(id: 1) { nam tgs { lable } } nope { x } }",
        "Cannot query field \"id\" on type \"Thing\". Did you mean to use an inline fragment on \"Node\", \"Item\", \"Box\", \"Product\", or \"Tag\"? @1:11\n"
        "Cannot query field \"name\" on type \"Thing\". Did you mean to use an inline fragment on \"Item\", \"Box\", or \"Product\"? @1:14\n"
        "Cannot query field \"capacity\" on type \"Location\". Did you mean to use an inline fragment on \"Shelf\" or \"Warehouse\"? @1:43\n"
        "Cannot query field \"cty\" on type \"Location\". @1:52\n"
        "Cannot query field \"items\" on type \"Item\". Did you mean to use an inline fragment on \"Box\"? @1:72\n"
        "Cannot query field \"name\" on type \"Node\". Did you mean to use an inline fragment on \"Item\", \"Box\", or \"Product\"? @1:94\n"
        "Cannot query field \"nam\" on type \"Box\". Did you mean \"name\"? @1:114\n"
        "Cannot query field \"tgs\" on type \"Box\". Did you mean \"tags\"? @1:118\n"
        "Cannot query field \"nope\" on type \"QueryRoot\". Did you mean \"node\"? @1:134");
    //  Meta-fields exist only where graphql-js has them.
    dp_vtest_expect (rule, "{ box(id: 1) { __schema { types { name } } __type(name: \"Box\") { name } } }",
        "Cannot query field \"__schema\" on type \"Box\". @1:16\n"
        "Cannot query field \"__type\" on type \"Box\". @1:44");
    if (verbose)
        printf (" * dp_rule_fields_on_correct_type: OK\n");
}
