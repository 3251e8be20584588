/*  =========================================================================
    dp_validation - private: what the validation rules share

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The validation context (graphql-js's ValidationContext and TypeInfo),
    the rule shape, the table of specified rules, and the small utilities
    the rules' messages need: a string builder, graphql-js's suggestion
    list and "Did you mean" wording, printing of values and types, type
    comparisons and two hash maps. Nothing here is public: the rules and
    dp_validate.c include it; everyone else includes dp_validate.h.
@discuss
    Types are `const dp_type_ref_t *`: a named type is a DP_REF_NAMED
    reference (one per schema type, kept by the context), so wrapped and
    named types travel the same way, as GraphQLType does in graphql-js.
    NULL plays graphql-js's `undefined` (an unknown type).
@end
*/
#ifndef DP_VALIDATION_H_INCLUDED
#define DP_VALIDATION_H_INCLUDED

#include "dp_validate.h"
#include "dp_visitor.h"
#include "dp_arena.h"
#include <stdarg.h>
#include <stdint.h>

typedef struct _dp_vctx_t dp_vctx_t;

//  ---------------------------------------------------------------------
//  Rules

//  A rule is a visitor with its own state, created per validation.
//  enter answers DP_VISIT_CONTINUE or DP_VISIT_SKIP (this rule does not
//  visit the node's children, as a graphql-js visitor returning false).
typedef struct {
    dp_visit_t (*enter) (void *self, dp_vctx_t *ctx, const dp_node_t *node,
                         const dp_visit_path_t *path);
    void (*leave) (void *self, dp_vctx_t *ctx, const dp_node_t *node,
                   const dp_visit_path_t *path);
    void *self;                     //  in the context's arena
    uint32_t kinds;                 //  DP_KIND bits of the nodes it looks at (0: all)
} dp_rule_t;

//  A node kind as a bit, for dp_rule_t.kinds.
#define DP_KIND(kind) (1u << (kind))

typedef dp_rule_t (*dp_rule_new_fn) (dp_vctx_t *ctx);

typedef struct {
    const char *name;               //  graphql-js's name without "Rule"
    dp_rule_new_fn create;
} dp_rule_entry_t;

//  The specified rules in graphql-js 16's order (dp_specified_rules.c).
extern const dp_rule_entry_t dp_specified_rules [];
extern const size_t dp_specified_rules_count;

//  The rule named name in the table, or NULL.
const dp_rule_entry_t *dp_specified_rule (const char *name);

//  Validate with the given rules only (limits as dp_validate). The rule
//  selftests use it.
size_t dp_validate_rules (dp_schema_t *schema, const dp_ast_document_t *doc,
                          const dp_validate_limits_t *limits,
                          const dp_rule_entry_t *rules, size_t n_rules,
                          dp_validation_errors_t *errors);

//  Depot's limits against hostile queries (rules/dp_rule_query_limits.c).
//  Reports an error per limit an operation passes; returns how many.
size_t dp_query_limits_check (dp_vctx_t *ctx, const dp_validate_limits_t *limits);

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

//  The same for an input of input_bytes bytes, which may hold NULs (a
//  variable's value from JSON).
size_t dp_suggestion_list_n (dp_arena_t *arena, const char *input, size_t input_bytes,
                             const char **options, size_t n_options, const char ***out);

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

//  ---------------------------------------------------------------------
//  TypeInfo: the types at the current position of a walk

typedef struct {
    dp_vctx_t *ctx;
    dp_vptrs_t types;               //  const dp_type_ref_t * (output), NULL: unknown
    dp_vptrs_t parent_types;        //  dp_type_t * (composite)
    dp_vptrs_t input_types;         //  const dp_type_ref_t *
    dp_vptrs_t fields;              //  const dp_field_t *
    dp_vptrs_t defaults;            //  const dp_ast_value_t * (NULL: no default)
    const dp_directive_t *directive;
    const dp_input_value_t *argument;
} dp_type_info_t;

void dp_type_info_init (dp_type_info_t *self, dp_vctx_t *ctx);
void dp_type_info_enter (dp_type_info_t *self, const dp_node_t *node);
void dp_type_info_leave (dp_type_info_t *self, const dp_node_t *node);

//  ---------------------------------------------------------------------
//  The validation context

dp_schema_t *dp_vctx_schema (dp_vctx_t *self);
const dp_ast_document_t *dp_vctx_document (dp_vctx_t *self);
dp_arena_t *dp_vctx_arena (dp_vctx_t *self);

//  Report an error (message copied) with its locations. After the error
//  limit or an abort, reports are ignored.
void dp_vctx_report (dp_vctx_t *self, const char *message, const dp_loc_t *locations,
                     size_t n_locations);

//  Report graphql-js's "There can be only one <what> named "<name>"."
//  (the Unique*Names rules), at every place the name is given.
void dp_vctx_report_not_unique (dp_vctx_t *self, const char *what, const char *name,
                                const dp_loc_t *locations, size_t n_locations);

//  True once validation stopped (too many errors, or too much work).
bool dp_vctx_aborted (dp_vctx_t *self);

//  graphql-js's "Validation aborted." when a work budget runs out.
void dp_vctx_abort (dp_vctx_t *self);

//  The main walk's TypeInfo.
const dp_type_ref_t *dp_vctx_type (dp_vctx_t *self);
dp_type_t *dp_vctx_parent_type (dp_vctx_t *self);
const dp_type_ref_t *dp_vctx_input_type (dp_vctx_t *self);
const dp_type_ref_t *dp_vctx_parent_input_type (dp_vctx_t *self);
const dp_field_t *dp_vctx_field_def (dp_vctx_t *self);
const dp_directive_t *dp_vctx_directive (dp_vctx_t *self);
const dp_input_value_t *dp_vctx_argument (dp_vctx_t *self);

//  The named reference for a schema type (NULL for NULL).
const dp_type_ref_t *dp_vctx_named (dp_vctx_t *self, const dp_type_t *type);

//  graphql-js's typeFromAST: NULL when the named type is unknown.
const dp_type_ref_t *dp_vctx_type_from_ast (dp_vctx_t *self, const dp_ast_type_t *type);

//  The schema type named name, or NULL (introspection types included when
//  the schema has them).
dp_type_t *dp_vctx_type_named (dp_vctx_t *self, const char *name);

//  TypeInfo's getFieldDef: __schema and __type on the query root,
//  __typename on any composite type, else the type's own field.
const dp_field_t *dp_vctx_lookup_field (dp_vctx_t *self, const dp_type_t *parent, const char *name);

//  The same for a field selection, remembered per selection: with_meta
//  says whether meta-fields count (TypeInfo) or not (graphql-js's
//  OverlappingFieldsCanBeMerged looks in the type's own fields only).
const dp_field_t *dp_vctx_selection_field (dp_vctx_t *self, const dp_type_t *parent,
                                           const dp_ast_selection_t *selection, bool with_meta);

//  The possible object types of an abstract type.
size_t dp_vctx_possible_types (dp_vctx_t *self, const dp_type_t *abstract, dp_type_t ***out);

//  The fragment definition named name (the last one, as graphql-js), or NULL.
const dp_ast_definition_t *dp_vctx_fragment (dp_vctx_t *self, const char *name);

//  The fragment spreads in a selection set, nested fields and inline
//  fragments included, in graphql-js's order. Cached.
size_t dp_vctx_fragment_spreads (dp_vctx_t *self, const dp_ast_selection_set_t *set,
                                 const dp_ast_selection_t ***out);

//  The fragments the operations use, directly or through other
//  fragments, in graphql-js's order. Cached; spends fragment work.
size_t dp_vctx_recursive_fragments (dp_vctx_t *self, const dp_ast_definition_t **operations,
                                    size_t n_operations, const dp_ast_definition_t ***out);

//  A variable used somewhere, with the input type expected there.
typedef struct {
    const dp_ast_value_t *node;         //  the variable
    const dp_type_ref_t *type;          //  expected input type, NULL: unknown
    const dp_ast_value_t *default_value;    //  the position's default, NULL: none
    const dp_type_ref_t *parent_type;   //  the enclosing input type, NULL: none
} dp_var_usage_t;

//  The variables used in an operation or fragment (not in the fragments
//  it spreads). Cached.
size_t dp_vctx_variable_usages (dp_vctx_t *self, const dp_ast_definition_t *definition,
                                const dp_var_usage_t **out);

//  The variables used by an operation, through its fragments too.
//  Cached; spends fragment work.
size_t dp_vctx_recursive_variable_usages (dp_vctx_t *self, const dp_ast_definition_t *operation,
                                          const dp_var_usage_t **out);

//  Spend fragment work (graphql-js's budget of 50,000); aborts when spent.
void dp_vctx_spend_fragment_work (dp_vctx_t *self, size_t cost);

//  ---------------------------------------------------------------------
//  Rule selftests: validate source against the rules' test schema (or
//  against sdl) with the named rule only (NULL: all), and compare with
//  expected: one line per error, "message @line:column @line:column".

void dp_vtest_expect (const char *rule, const char *source, const char *expected);
void dp_vtest_expect_sdl (const char *sdl, const char *rule, const char *source,
                          const char *expected);

#endif
