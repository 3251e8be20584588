/*  =========================================================================
    dp_specified_rules - the validation rules, in graphql-js's order

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The rules of the specification's section 5 (graphql-js 16's
    specifiedRules, whose order makes multiple errors read best), then
    graphql-js's recommended MaxIntrospectionDepth. dp_validate runs them
    all in one walk of the document; errors come out in walk order, and
    at each node in this order.
@end
*/
#include "dp_validation.h"
#include "dp_validation_rules.h"
#include <string.h>

const dp_rule_entry_t dp_specified_rules [] = {
    { "ExecutableDefinitions", dp_rule_executable_definitions },
    { "UniqueOperationNames", dp_rule_unique_operation_names },
    { "LoneAnonymousOperation", dp_rule_lone_anonymous_operation },
    { "SingleFieldSubscriptions", dp_rule_single_field_subscriptions },
    { "KnownTypeNames", dp_rule_known_type_names },
    { "FragmentsOnCompositeTypes", dp_rule_fragments_on_composite_types },
    { "VariablesAreInputTypes", dp_rule_variables_are_input_types },
    { "ScalarLeafs", dp_rule_scalar_leafs },
    { "FieldsOnCorrectType", dp_rule_fields_on_correct_type },
    { "UniqueFragmentNames", dp_rule_unique_fragment_names },
    { "KnownFragmentNames", dp_rule_known_fragment_names },
    { "NoUnusedFragments", dp_rule_no_unused_fragments },
    { "PossibleFragmentSpreads", dp_rule_possible_fragment_spreads },
    { "NoFragmentCycles", dp_rule_no_fragment_cycles },
    { "UniqueVariableNames", dp_rule_unique_variable_names },
    { "NoUndefinedVariables", dp_rule_no_undefined_variables },
    { "NoUnusedVariables", dp_rule_no_unused_variables },
    { "KnownDirectives", dp_rule_known_directives },
    { "UniqueDirectivesPerLocation", dp_rule_unique_directives_per_location },
    { "KnownArgumentNames", dp_rule_known_argument_names },
    { "UniqueArgumentNames", dp_rule_unique_argument_names },
    { "ValuesOfCorrectType", dp_rule_values_of_correct_type },
    { "ProvidedRequiredArguments", dp_rule_provided_required_arguments },
    { "VariablesInAllowedPosition", dp_rule_variables_in_allowed_position },
    { "OverlappingFieldsCanBeMerged", dp_rule_overlapping_fields_can_be_merged },
    { "UniqueInputFieldNames", dp_rule_unique_input_field_names },
    { "MaxIntrospectionDepth", dp_rule_max_introspection_depth },
};

const size_t dp_specified_rules_count = sizeof dp_specified_rules / sizeof dp_specified_rules [0];

const dp_rule_entry_t *
dp_specified_rule (const char *name)
{
    for (size_t i = 0; i < dp_specified_rules_count; i++)
        if (strcmp (dp_specified_rules [i].name, name) == 0)
            return &dp_specified_rules [i];
    return NULL;
}
