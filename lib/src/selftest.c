/*  =========================================================================
    selftest - runs the selftest of one class of libdepot_core, or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_selftest.h"
#include "dp_arena.h"
#include "dp_md5.h"
#include "dp_json_writer.h"
#include "dp_lexer.h"
#include "dp_parser.h"
#include "dp_printer.h"
#include "dp_schema.h"
#include "dp_introspection.h"
#include "dp_options.h"
#include "dp_instance.h"
#include "dp_malloc_policy.h"
#include "dp_visitor.h"
#include "dp_validate.h"
#include "dp_operation.h"
#include "dp_values.h"
#include "dp_error.h"
#include "validation/dp_validation_rules.h"

static const dp_selftest_t s_tests [] = {
    { "dp_arena", dp_arena_test },
    { "dp_md5", dp_md5_test },
    { "dp_json_writer", dp_json_writer_test },
    { "dp_lexer", dp_lexer_test },
    { "dp_parser", dp_parser_test },
    { "dp_printer", dp_printer_test },
    { "dp_schema", dp_schema_test },
    { "dp_introspection", dp_introspection_test },
    { "dp_options", dp_options_test },
    { "dp_instance", dp_instance_test },
    { "dp_malloc_policy", dp_malloc_policy_test },
    { "dp_visitor", dp_visitor_test },
    { "dp_validate", dp_validate_test },
    { "dp_validation_context", dp_validation_context_test },
    { "dp_operation", dp_operation_test },
    { "dp_values", dp_values_test },
    { "dp_error", dp_error_test },
    { "dp_rule_executable_definitions", dp_rule_executable_definitions_test },
    { "dp_rule_unique_operation_names", dp_rule_unique_operation_names_test },
    { "dp_rule_lone_anonymous_operation", dp_rule_lone_anonymous_operation_test },
    { "dp_rule_single_field_subscriptions", dp_rule_single_field_subscriptions_test },
    { "dp_rule_known_type_names", dp_rule_known_type_names_test },
    { "dp_rule_fragments_on_composite_types", dp_rule_fragments_on_composite_types_test },
    { "dp_rule_variables_are_input_types", dp_rule_variables_are_input_types_test },
    { "dp_rule_scalar_leafs", dp_rule_scalar_leafs_test },
    { "dp_rule_fields_on_correct_type", dp_rule_fields_on_correct_type_test },
    { "dp_rule_unique_fragment_names", dp_rule_unique_fragment_names_test },
    { "dp_rule_known_fragment_names", dp_rule_known_fragment_names_test },
    { "dp_rule_no_unused_fragments", dp_rule_no_unused_fragments_test },
    { "dp_rule_possible_fragment_spreads", dp_rule_possible_fragment_spreads_test },
    { "dp_rule_no_fragment_cycles", dp_rule_no_fragment_cycles_test },
    { "dp_rule_unique_variable_names", dp_rule_unique_variable_names_test },
    { "dp_rule_no_undefined_variables", dp_rule_no_undefined_variables_test },
    { "dp_rule_no_unused_variables", dp_rule_no_unused_variables_test },
    { "dp_rule_known_directives", dp_rule_known_directives_test },
    { "dp_rule_unique_directives_per_location", dp_rule_unique_directives_per_location_test },
    { "dp_rule_known_argument_names", dp_rule_known_argument_names_test },
    { "dp_rule_unique_argument_names", dp_rule_unique_argument_names_test },
    { "dp_rule_values_of_correct_type", dp_rule_values_of_correct_type_test },
    { "dp_rule_provided_required_arguments", dp_rule_provided_required_arguments_test },
    { "dp_rule_variables_in_allowed_position", dp_rule_variables_in_allowed_position_test },
    { "dp_rule_overlapping_fields_can_be_merged", dp_rule_overlapping_fields_can_be_merged_test },
    { "dp_rule_unique_input_field_names", dp_rule_unique_input_field_names_test },
    { "dp_rule_max_introspection_depth", dp_rule_max_introspection_depth_test },
    { "dp_rule_query_limits", dp_rule_query_limits_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    return dp_selftest_run (s_tests, sizeof s_tests / sizeof s_tests [0], only, true);
}
