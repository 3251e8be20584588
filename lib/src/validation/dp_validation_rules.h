/*  =========================================================================
    dp_validation_rules - private: the rules' constructors and selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One constructor per rule file (rules/dp_rule_*.c), each returning the
    rule's visitor for one validation, and each file's selftest.
@end
*/
#ifndef DP_VALIDATION_RULES_H_INCLUDED
#define DP_VALIDATION_RULES_H_INCLUDED

#include "dp_validation.h"

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

#endif
