/*  =========================================================================
    dp_validation - private: what the validation rules share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The small utilities the rules' messages and the validation context
    need: a string builder, graphql-js's suggestion list and "Did you
    mean" wording, printing of values and types, type comparisons and two
    hash maps (dp_validation_util.c). The context is in
    dp_validation_context.h, the rules' shape in dp_validation_rules.h.
    Nothing here is public: everyone outside validation/ includes
    dp_validate.h.
@discuss
    Types are `const dp_type_ref_t *`: a named type is a DP_REF_NAMED
    reference (one per schema type, kept by the context), so wrapped and
    named types travel the same way, as GraphQLType does in graphql-js.
    NULL plays graphql-js's `undefined` (an unknown type).
@end
*/
#ifndef DP_VALIDATION_H_INCLUDED
#define DP_VALIDATION_H_INCLUDED

#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_arena.h"
#include <stdarg.h>
#include <stdint.h>

//  ---------------------------------------------------------------------
//  A string builder (malloc'd; release with dp_vstr_release)

typedef struct {
    char *data;                     //  NUL-terminated
    size_t len;
    size_t cap;
} dp_vstr_t;

void dp_vstr_init (dp_vstr_t *self);
void dp_vstr_release (dp_vstr_t *self);
void dp_vstr_clear (dp_vstr_t *self);
void dp_vstr_addn (dp_vstr_t *self, const char *text, size_t len);
void dp_vstr_add (dp_vstr_t *self, const char *text);
void dp_vstr_addf (dp_vstr_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

//  graphql-js print() of a value, a type node, and String(type).
void dp_vstr_value (dp_vstr_t *self, const dp_ast_value_t *value);
void dp_vstr_ast_type (dp_vstr_t *self, const dp_ast_type_t *type);
void dp_vstr_type (dp_vstr_t *self, const dp_type_ref_t *type);

//  graphql-js's didYouMean: nothing when n is 0, else " Did you mean
//  [sub ]"a", "b", or "c"?" (five suggestions at most). sub may be NULL.
void dp_vstr_did_you_mean (dp_vstr_t *self, const char *sub, const char **suggestions, size_t n);

//  graphql-js's suggestionList: the options close to input (lexical
//  distance under 40% of its length, case changes count one), closest
//  first, then in natural order. Returns the count; *out is in the arena.
size_t dp_suggestion_list (dp_arena_t *arena, const char *input, const char **options,
                           size_t n_options, const char ***out);

//  graphql-js's naturalCompare.
int dp_natural_compare (const char *a, const char *b);

//  Length of a UTF-8 string in UTF-16 code units (JavaScript's length).
size_t dp_utf16_length (const char *text, size_t len);

//  ---------------------------------------------------------------------
//  Hash maps from strings or pointers to pointers, in an arena

typedef struct {
    const void **keys;
    void **values;
    size_t capacity;                //  power of two
    size_t count;
    bool strings;                   //  keys are NUL-terminated strings
    dp_arena_t *arena;
} dp_vmap_t;

void dp_vmap_init (dp_vmap_t *self, dp_arena_t *arena, bool strings);
//  The value for key, or NULL.
void *dp_vmap_get (const dp_vmap_t *self, const void *key);
bool dp_vmap_has (const dp_vmap_t *self, const void *key);
//  Set key's value (the key is not copied: it must outlive the map).
void dp_vmap_set (dp_vmap_t *self, const void *key, void *value);

//  A growable array of pointers, in an arena.
typedef struct {
    const void **items;
    size_t count;
    size_t capacity;
} dp_vptrs_t;

void dp_vptrs_push (dp_vptrs_t *self, dp_arena_t *arena, const void *item);

//  ---------------------------------------------------------------------
//  Types

static inline dp_type_t *
dp_vtype_named (const dp_type_ref_t *type)
{
    return type ? dp_type_ref_named (type) : NULL;
}

static inline const dp_type_ref_t *
dp_vtype_nullable (const dp_type_ref_t *type)
{
    return type && type->kind == DP_REF_NON_NULL ? type->of : type;
}

static inline bool
dp_vkind_is_input (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_SCALAR || type->kind == DP_TYPE_ENUM
                ||  type->kind == DP_TYPE_INPUT_OBJECT);
}

static inline bool
dp_vkind_is_output (const dp_type_t *type)
{
    return type && type->kind != DP_TYPE_INPUT_OBJECT;
}

static inline bool
dp_vkind_is_composite (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_OBJECT || type->kind == DP_TYPE_INTERFACE
                ||  type->kind == DP_TYPE_UNION);
}

static inline bool
dp_vkind_is_abstract (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_INTERFACE || type->kind == DP_TYPE_UNION);
}

static inline bool
dp_vkind_is_leaf (const dp_type_t *type)
{
    return type && (type->kind == DP_TYPE_SCALAR || type->kind == DP_TYPE_ENUM);
}

//  The type itself when it is named (not a list, not non-null), else NULL.
static inline dp_type_t *
dp_vtype_as_named (const dp_type_ref_t *type)
{
    return type && type->kind == DP_REF_NAMED ? type->named : NULL;
}

//  graphql-js's `typeA === typeB`: a named type is one object, a wrapper
//  is its own object.
static inline bool
dp_vtype_same (const dp_type_ref_t *a, const dp_type_ref_t *b)
{
    if (a == b)
        return true;
    return a && b && a->kind == DP_REF_NAMED && b->kind == DP_REF_NAMED && a->named == b->named;
}

//  schema.isSubType (abstract, maybe): maybe is a member of the union, or
//  implements the interface.
bool dp_vschema_is_sub_type (const dp_type_t *abstract, const dp_type_t *maybe);

//  graphql-js's isTypeSubTypeOf and doTypesOverlap.
bool dp_vtype_is_sub_type_of (const dp_type_ref_t *maybe, const dp_type_ref_t *super);
bool dp_vtype_overlap (const dp_type_t *a, const dp_type_t *b);

#endif
