/*  =========================================================================
    dp_validation_context - private: what every validation rule asks of the
    walk

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's ValidationContext and TypeInfo (dp_validation_context.c):
    the schema and document, error reporting, the types at the current
    position of the walk, and the facts rules share, cached. dp_validate
    creates the context and drives the walk; the rules only read it and
    report to it, so neither includes the other.
@end
*/
#ifndef DP_VALIDATION_CONTEXT_H_INCLUDED
#define DP_VALIDATION_CONTEXT_H_INCLUDED

#include "dp_validation.h"
#include "dp_visitor.h"

typedef struct _dp_vctx_t dp_vctx_t;

//  Where a context's reports go (graphql-js's onError): message and
//  locations are borrowed for the call.
typedef void (*dp_vctx_on_error_fn) (void *arg, const char *message, const dp_loc_t *locations,
                                     size_t n_locations);

//  A context for validating doc against schema, reporting through
//  on_error (with arg) up to max_errors errors (0: no limit), then
//  graphql-js's "Too many validation errors" error. Caller owns return
//  value and must destroy it with dp_vctx_destroy; schema and doc must
//  outlive it.
dp_vctx_t *dp_vctx_new (dp_schema_t *schema, const dp_ast_document_t *doc, size_t max_errors,
                        dp_vctx_on_error_fn on_error, void *on_error_arg);

//  Destroy the context and all it allocated; nullify the caller's
//  reference. Accepts NULL.
void dp_vctx_destroy (dp_vctx_t **self_p);

//  The errors reported so far, the limit's own error included.
size_t dp_vctx_reported (dp_vctx_t *self);

//  The main walk's TypeInfo, which the walk moves (dp_type_info_enter,
//  dp_type_info_leave) around the rules. Borrowed pointer.
typedef struct _dp_type_info_t dp_type_info_t;
dp_type_info_t *dp_vctx_type_info (dp_vctx_t *self);

//  ---------------------------------------------------------------------
//  TypeInfo: the types at the current position of a walk

struct _dp_type_info_t {
    dp_vctx_t *ctx;
    dp_vptrs_t types;               //  const dp_type_ref_t * (output), NULL: unknown
    dp_vptrs_t parent_types;        //  dp_type_t * (composite)
    dp_vptrs_t input_types;         //  const dp_type_ref_t *
    dp_vptrs_t fields;              //  const dp_field_t *
    dp_vptrs_t defaults;            //  const dp_ast_value_t * (NULL: no default)
    const dp_directive_t *directive;
    const dp_input_value_t *argument;
};

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

void dp_validation_context_test (bool verbose);

#endif
