/*  =========================================================================
    dp_rule_values_of_correct_type - literal values fit their types

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Spec sections 5.6.1 "Values of Correct Type", 5.6.2 "Input Object
    Field Names" and 5.6.4 "Input Object Required Fields": every literal
    can be coerced to the input type of its position; input objects name
    only their fields, give every required one, and a @oneOf input object
    exactly one non-null field (graphql-js's ValuesOfCorrectTypeRule,
    with the built-in scalars' parseLiteral messages).
@discuss
    Custom scalars (Datetime, Date) accept any literal, as graphql-js's
    default parseLiteral does; their format is checked when the value is
    used.
@end
*/
#include "../dp_validation.h"
#include "../dp_validation_rules.h"
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <assert.h>

static void
s_report_value (dp_vctx_t *ctx, dp_vstr_t *message, const dp_ast_value_t *value)
{
    dp_vctx_report (ctx, message->data, &value->loc, 1);
}

//  "Expected value of type "T", found V." at the value.
static void
s_expected (dp_vctx_t *ctx, const dp_type_ref_t *type, const dp_ast_value_t *value, const char *tail)
{
    dp_vstr_t message;
    dp_vstr_init (&message);
    dp_vstr_add (&message, "Expected value of type \"");
    dp_vstr_type (&message, type);
    dp_vstr_add (&message, "\", found ");
    dp_vstr_value (&message, value);
    dp_vstr_add (&message, tail);
    s_report_value (ctx, &message, value);
    dp_vstr_release (&message);
}

//  graphql-js's didYouMeanEnumValue.
static void
s_enum_suggestions (dp_vctx_t *ctx, dp_vstr_t *message, const dp_type_t *type, const char *printed)
{
    const char **names = dp_arena_alloc (dp_vctx_arena (ctx), (type->n_values + 1) * sizeof *names);
    for (size_t i = 0; i < type->n_values; i++)
        names [i] = type->values [i].name;
    const char **suggestions;
    size_t n = dp_suggestion_list (dp_vctx_arena (ctx), printed, names, type->n_values, &suggestions);
    dp_vstr_did_you_mean (message, "the enum value", suggestions, n);
}

//  A leaf type's parseLiteral: fills message and returns false when the
//  literal cannot be coerced.
static bool
s_parse_literal (dp_vctx_t *ctx, const dp_type_t *type, const dp_ast_value_t *value, dp_vstr_t *message)
{
    dp_vstr_t printed;
    dp_vstr_init (&printed);
    dp_vstr_value (&printed, value);
    bool valid = true;
    dp_ast_value_kind_t kind = value->kind;
    if (type->kind == DP_TYPE_ENUM) {
        if (kind != DP_AST_ENUM) {
            dp_vstr_addf (message, "Enum \"%s\" cannot represent non-enum value: %s.", type->name, printed.data);
            s_enum_suggestions (ctx, message, type, printed.data);
            valid = false;
        }
        else
        if (dp_type_enum_index (type, value->text) < 0) {
            dp_vstr_addf (message, "Value \"%s\" does not exist in \"%s\" enum.", printed.data, type->name);
            s_enum_suggestions (ctx, message, type, printed.data);
            valid = false;
        }
    }
    else
    if (strcmp (type->name, "Int") == 0) {
        if (kind != DP_AST_INT) {
            dp_vstr_addf (message, "Int cannot represent non-integer value: %s", printed.data);
            valid = false;
        }
        else {
            double number = strtod (value->text, NULL);
            if (number > 2147483647.0 || number < -2147483648.0) {
                dp_vstr_addf (message, "Int cannot represent non 32-bit signed integer value: %s",
                              value->text);
                valid = false;
            }
        }
    }
    else
    if (strcmp (type->name, "Float") == 0) {
        if (kind != DP_AST_FLOAT && kind != DP_AST_INT) {
            dp_vstr_addf (message, "Float cannot represent non numeric value: %s", printed.data);
            valid = false;
        }
    }
    else
    if (strcmp (type->name, "String") == 0) {
        if (kind != DP_AST_STRING) {
            dp_vstr_addf (message, "String cannot represent a non string value: %s", printed.data);
            valid = false;
        }
    }
    else
    if (strcmp (type->name, "Boolean") == 0) {
        if (kind != DP_AST_BOOLEAN) {
            dp_vstr_addf (message, "Boolean cannot represent a non boolean value: %s", printed.data);
            valid = false;
        }
    }
    else
    if (strcmp (type->name, "ID") == 0) {
        if (kind != DP_AST_STRING && kind != DP_AST_INT) {
            dp_vstr_addf (message, "ID cannot represent a non-string and non-integer value: %s", printed.data);
            valid = false;
        }
    }
    dp_vstr_release (&printed);
    return valid;
}

//  graphql-js's isValidValueNode.
static void
s_check_value (dp_vctx_t *ctx, const dp_ast_value_t *value)
{
    const dp_type_ref_t *location = dp_vctx_input_type (ctx);
    if (!location)
        return;
    const dp_type_t *type = dp_type_ref_named (location);
    if (!dp_vkind_is_leaf (type)) {
        s_expected (ctx, location, value, ".");
        return;
    }
    dp_vstr_t message;
    dp_vstr_init (&message);
    if (!s_parse_literal (ctx, type, value, &message))
        s_report_value (ctx, &message, value);
    dp_vstr_release (&message);
}

static void
s_check_object (dp_vctx_t *ctx, const dp_type_t *type, const dp_ast_value_t *value)
{
    dp_vstr_t message;
    dp_vstr_init (&message);
    for (size_t i = 0; i < type->n_input_fields; i++) {
        const dp_input_value_t *field = &type->input_fields [i];
        bool given = false;
        for (size_t f = 0; f < value->n_fields && !given; f++)
            given = strcmp (value->fields [f].name, field->name) == 0;
        if (given || field->type->kind != DP_REF_NON_NULL || field->default_value)
            continue;
        dp_vstr_clear (&message);
        dp_vstr_addf (&message, "Field \"%s.%s\" of required type \"", type->name, field->name);
        dp_vstr_type (&message, field->type);
        dp_vstr_add (&message, "\" was not provided.");
        dp_vctx_report (ctx, message.data, &value->loc, 1);
    }
    if (type->one_of) {
        //  The distinct names given, and the value of the last one.
        size_t distinct = 0;
        const dp_ast_object_field_t *only = NULL;
        for (size_t f = 0; f < value->n_fields; f++) {
            bool seen = false;
            for (size_t g = 0; g < f && !seen; g++)
                seen = strcmp (value->fields [g].name, value->fields [f].name) == 0;
            if (!seen)
                distinct++;
        }
        if (distinct != 1) {
            dp_vstr_clear (&message);
            dp_vstr_addf (&message, "OneOf Input Object \"%s\" must specify exactly one key.", type->name);
            dp_vctx_report (ctx, message.data, &value->loc, 1);
        }
        else {
            only = &value->fields [value->n_fields - 1];
            if (only->value->kind == DP_AST_NULL) {
                dp_vstr_clear (&message);
                dp_vstr_addf (&message, "Field \"%s.%s\" must be non-null.", type->name, only->name);
                dp_vctx_report (ctx, message.data, &value->loc, 1);
            }
        }
    }
    dp_vstr_release (&message);
}

static dp_visit_t
s_enter (void *self, dp_vctx_t *ctx, const dp_node_t *node, const dp_visit_path_t *path)
{
    if (node->kind == DP_NODE_OBJECT_FIELD) {
        const dp_type_t *parent = dp_vtype_named (dp_vctx_parent_input_type (ctx));
        if (!dp_vctx_input_type (ctx) && parent && parent->kind == DP_TYPE_INPUT_OBJECT) {
            const char **names = dp_arena_alloc (dp_vctx_arena (ctx),
                                                 (parent->n_input_fields + 1) * sizeof *names);
            for (size_t i = 0; i < parent->n_input_fields; i++)
                names [i] = parent->input_fields [i].name;
            const char **suggestions;
            size_t n = dp_suggestion_list (dp_vctx_arena (ctx), node->object_field->name, names,
                                           parent->n_input_fields, &suggestions);
            dp_vstr_t message;
            dp_vstr_init (&message);
            dp_vstr_addf (&message, "Field \"%s\" is not defined by type \"%s\".",
                          node->object_field->name, parent->name);
            dp_vstr_did_you_mean (&message, NULL, suggestions, n);
            dp_vctx_report (ctx, message.data, &node->loc, 1);
            dp_vstr_release (&message);
        }
        return DP_VISIT_CONTINUE;
    }
    if (node->kind != DP_NODE_VALUE)
        return DP_VISIT_CONTINUE;
    const dp_ast_value_t *value = node->value;
    switch (value->kind) {
        case DP_AST_LIST: {
            const dp_type_ref_t *type = dp_vtype_nullable (dp_vctx_parent_input_type (ctx));
            if (!type || type->kind != DP_REF_LIST) {
                s_check_value (ctx, value);
                return DP_VISIT_SKIP;
            }
            return DP_VISIT_CONTINUE;
        }
        case DP_AST_OBJECT: {
            const dp_type_t *type = dp_vtype_named (dp_vctx_input_type (ctx));
            if (!type || type->kind != DP_TYPE_INPUT_OBJECT) {
                s_check_value (ctx, value);
                return DP_VISIT_SKIP;
            }
            s_check_object (ctx, type, value);
            return DP_VISIT_CONTINUE;
        }
        case DP_AST_NULL: {
            const dp_type_ref_t *type = dp_vctx_input_type (ctx);
            if (type && type->kind == DP_REF_NON_NULL)
                s_expected (ctx, type, value, ".");
            return DP_VISIT_CONTINUE;
        }
        case DP_AST_VARIABLE:
            return DP_VISIT_CONTINUE;
        default:
            s_check_value (ctx, value);
            return DP_VISIT_CONTINUE;
    }
}

dp_rule_t
dp_rule_values_of_correct_type (dp_vctx_t *ctx)
{
    dp_rule_t rule = { s_enter, NULL, NULL,
                       DP_KIND (DP_NODE_VALUE) | DP_KIND (DP_NODE_OBJECT_FIELD) };
    return rule;
}

void
dp_rule_values_of_correct_type_test (bool verbose)
{
    const char *rule = "ValuesOfCorrectType";
    dp_vtest_expect (rule,
        "query ($v: Int = 3, $s: [State!] = [Lost], $f: BoxFilter = {required: true}) {"
        " box(id: \"x\") { size(unit: INCH) } b: box(id: 42) { id }"
        " boxes(first: $v, ids: 7, states: Lost, filter: {states: InStock, required: false, nested: null}) { id }"
        " complex(list: [[1], 2, null], matrix: 1, flag: false) search(text: \"\"\"b\"\"\", score: 1, when: {a: [1]}) { __typename }"
        " product(pick: {label: \"x\"}) { id } }", "");
    dp_vtest_expect (rule,
        "{ box(id: 1.5) { size(unit: MM) s2: size(unit: \"CM\") s3: size(unit: cm) s4: size(unit: 5) } \n"
        "boxes(first: \"10\", ids: [1, \"2\", 3.0, true], states: [InStock, LOST, null], filter: {states: InStock, productId: 1, minItems: 2147483648, required: null, nested: {required: yes, labelPrefix: 5, extra: 1}}) { id }\n"
        "b2: boxes(states: null, filter: {}) { id }\n"
        "b3: boxes(states: Lost, filter: 5, first: -2147483649) { id }\n"
        "complex(list: [[1, 2], 3, [null], [[4]]], matrix: [[1, 1.5, \"x\"]], flag: 1)\n"
        "search(text: \"\"\"block\n"
        "  string\"\"\", limit: 2.0, exact: \"true\", score: 1, when: {any: [1, $v]}) { __typename }\n"
        "product(pick: {id: 1, label: \"x\"}) { id } p2: product(pick: {}) { id } p3: product(pick: {id: null}) { id } p4: product(pick: {id: 1, id: 2}) { id }\n"
        "}",
        "ID cannot represent a non-string and non-integer value: 1.5 @1:11\n"
        "Value \"MM\" does not exist in \"Unit\" enum. Did you mean the enum value \"CM\"? @1:29\n"
        "Enum \"Unit\" cannot represent non-enum value: \"CM\". Did you mean the enum value \"CM\"? @1:48\n"
        "Value \"cm\" does not exist in \"Unit\" enum. Did you mean the enum value \"CM\"? @1:69\n"
        "Enum \"Unit\" cannot represent non-enum value: 5. @1:88\n"
        "Int cannot represent non-integer value: \"10\" @2:14\n"
        "ID cannot represent a non-string and non-integer value: 3.0 @2:34\n"
        "ID cannot represent a non-string and non-integer value: true @2:39\n"
        "Value \"LOST\" does not exist in \"State\" enum. Did you mean the enum value \"Lost\"? @2:64\n"
        "Expected value of type \"State!\", found null. @2:70\n"
        "Int cannot represent non 32-bit signed integer value: 2147483648 @2:127\n"
        "Expected value of type \"Boolean!\", found null. @2:149\n"
        "Boolean cannot represent a non boolean value: yes @2:174\n"
        "String cannot represent a non string value: 5 @2:192\n"
        "Field \"extra\" is not defined by type \"BoxFilter\". @2:195\n"
        "Expected value of type \"[State!]!\", found null. @3:19\n"
        "Field \"BoxFilter.required\" of required type \"Boolean!\" was not provided. @3:33\n"
        "Expected value of type \"BoxFilter\", found 5. @4:33\n"
        "Int cannot represent non 32-bit signed integer value: -2147483649 @4:43\n"
        "Expected value of type \"Int!\", found null. @5:28\n"
        "Int cannot represent non-integer value: [4] @5:36\n"
        "Float cannot represent non numeric value: \"x\" @5:61\n"
        "Boolean cannot represent a non boolean value: 1 @5:74\n"
        "Int cannot represent non-integer value: 2.0 @7:21\n"
        "Boolean cannot represent a non boolean value: \"true\" @7:33\n"
        "OneOf Input Object \"Pick\" must specify exactly one key. @8:15\n"
        "OneOf Input Object \"Pick\" must specify exactly one key. @8:61\n"
        "Field \"Pick.id\" must be non-null. @8:90");
    if (verbose)
        printf (" * dp_rule_values_of_correct_type: OK\n");
}
