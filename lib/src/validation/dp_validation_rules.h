/*  =========================================================================
    dp_validation_rules - private: the rules' constructors and selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The rule shape, the table of specified rules, one constructor per rule
    file (rules/dp_rule_*.c), each returning the rule's visitor for one
    validation, Depot's limits, each file's selftest and their harness.
@end
*/
#ifndef DP_VALIDATION_RULES_H_INCLUDED
#define DP_VALIDATION_RULES_H_INCLUDED

#include "dp_validate.h"
#include "dp_validation_context.h"

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


dp_rule_t dp_rule_executable_definitions (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_operation_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_lone_anonymous_operation (dp_vctx_t *ctx);
dp_rule_t dp_rule_single_field_subscriptions (dp_vctx_t *ctx);
dp_rule_t dp_rule_known_type_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_fragments_on_composite_types (dp_vctx_t *ctx);
dp_rule_t dp_rule_variables_are_input_types (dp_vctx_t *ctx);
dp_rule_t dp_rule_scalar_leafs (dp_vctx_t *ctx);
dp_rule_t dp_rule_fields_on_correct_type (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_fragment_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_known_fragment_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_no_unused_fragments (dp_vctx_t *ctx);
dp_rule_t dp_rule_possible_fragment_spreads (dp_vctx_t *ctx);
dp_rule_t dp_rule_no_fragment_cycles (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_variable_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_no_undefined_variables (dp_vctx_t *ctx);
dp_rule_t dp_rule_no_unused_variables (dp_vctx_t *ctx);
dp_rule_t dp_rule_known_directives (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_directives_per_location (dp_vctx_t *ctx);
dp_rule_t dp_rule_known_argument_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_argument_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_values_of_correct_type (dp_vctx_t *ctx);
dp_rule_t dp_rule_provided_required_arguments (dp_vctx_t *ctx);
dp_rule_t dp_rule_variables_in_allowed_position (dp_vctx_t *ctx);
dp_rule_t dp_rule_overlapping_fields_can_be_merged (dp_vctx_t *ctx);
dp_rule_t dp_rule_unique_input_field_names (dp_vctx_t *ctx);
dp_rule_t dp_rule_max_introspection_depth (dp_vctx_t *ctx);

void dp_rule_executable_definitions_test (bool verbose);
void dp_rule_unique_operation_names_test (bool verbose);
void dp_rule_lone_anonymous_operation_test (bool verbose);
void dp_rule_single_field_subscriptions_test (bool verbose);
void dp_rule_known_type_names_test (bool verbose);
void dp_rule_fragments_on_composite_types_test (bool verbose);
void dp_rule_variables_are_input_types_test (bool verbose);
void dp_rule_scalar_leafs_test (bool verbose);
void dp_rule_fields_on_correct_type_test (bool verbose);
void dp_rule_unique_fragment_names_test (bool verbose);
void dp_rule_known_fragment_names_test (bool verbose);
void dp_rule_no_unused_fragments_test (bool verbose);
void dp_rule_possible_fragment_spreads_test (bool verbose);
void dp_rule_no_fragment_cycles_test (bool verbose);
void dp_rule_unique_variable_names_test (bool verbose);
void dp_rule_no_undefined_variables_test (bool verbose);
void dp_rule_no_unused_variables_test (bool verbose);
void dp_rule_known_directives_test (bool verbose);
void dp_rule_unique_directives_per_location_test (bool verbose);
void dp_rule_known_argument_names_test (bool verbose);
void dp_rule_unique_argument_names_test (bool verbose);
void dp_rule_values_of_correct_type_test (bool verbose);
void dp_rule_provided_required_arguments_test (bool verbose);
void dp_rule_variables_in_allowed_position_test (bool verbose);
void dp_rule_overlapping_fields_can_be_merged_test (bool verbose);
void dp_rule_unique_input_field_names_test (bool verbose);
void dp_rule_max_introspection_depth_test (bool verbose);
void dp_rule_query_limits_test (bool verbose);

//  ---------------------------------------------------------------------
//  Rule selftests: validate source against the rules' test schema (or
//  against sdl) with the named rule only (NULL: all), and compare with
//  expected: one line per error, "message @line:column @line:column".

void dp_vtest_expect (const char *rule, const char *source, const char *expected);
void dp_vtest_expect_sdl (const char *sdl, const char *rule, const char *source,
                          const char *expected);

//  The errors as the harness compares them: one line per error,
//  "message @line:column @line:column".
void dp_vtest_render (const dp_validation_errors_t *errors, dp_vstr_t *out);

#endif
