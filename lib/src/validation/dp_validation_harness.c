/*  =========================================================================
    dp_validation_harness - the validation rules' test harness

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    graphql-js's harness.ts: a schema written for the rule tests, and
    dp_vtest_expect, which validates a document with one rule (or all) and
    compares the errors with what the test expects. Used by the rules'
    selftests and dp_validate's; nothing in production calls it.
@end
*/
#include "dp_validation_rules.h"
#include "dp_parser.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <assert.h>

//  A schema written for the rule tests: interfaces implementing
//  interfaces, unions, enums, input objects (one @oneOf), custom
//  directives at every executable location, and all three root types.
static const char *s_test_sdl =
    "schema { query: QueryRoot mutation: MutationRoot subscription: SubscriptionRoot }\n"
    "directive @onQuery on QUERY\n"
    "directive @onMutation on MUTATION\n"
    "directive @onSubscription on SUBSCRIPTION\n"
    "directive @onField on FIELD\n"
    "directive @onFragmentDefinition on FRAGMENT_DEFINITION\n"
    "directive @onFragmentSpread on FRAGMENT_SPREAD\n"
    "directive @onInlineFragment on INLINE_FRAGMENT\n"
    "directive @onVariableDefinition on VARIABLE_DEFINITION\n"
    "directive @again repeatable on FIELD | FRAGMENT_SPREAD\n"
    "directive @withArgs(required: Int!, optional: String = \"x\") on FIELD\n"
    "interface Node { id: ID! }\n"
    "interface Item implements Node { id: ID! name(short: Boolean): String }\n"
    "type Box implements Item & Node { id: ID! name(short: Boolean): String items: Int\n"
    "  state: State! product: Product tags: [Tag!]! location: Location size(unit: Unit = CM): Float }\n"
    "type Product implements Item & Node { id: ID! name(short: Boolean): String price: Float\n"
    "  category: Category }\n"
    "type Category { id: ID! name: String! products(first: Int = 10, after: String): [Product] }\n"
    "type Tag { id: ID! label: String color: String }\n"
    "type Warehouse { id: ID! name: String city: String capacity: Int }\n"
    "type Shelf { id: ID! code: String capacity: String }\n"
    "union Location = Warehouse | Shelf\n"
    "union Thing = Box | Product | Tag\n"
    "enum State { InStock Lost Donated Scrap }\n"
    "enum Unit { CM INCH }\n"
    "input BoxFilter { states: [State!] productId: ID labelPrefix: String minItems: Int = 0\n"
    "  nested: BoxFilter required: Boolean! }\n"
    "input Pick @oneOf { id: ID label: String }\n"
    "scalar Datetime\n"
    "type QueryRoot {\n"
    "  box(id: ID!): Box\n"
    "  boxes(filter: BoxFilter, first: Int, ids: [ID!], states: [State!]!): [Box!]!\n"
    "  item(id: ID!): Item\n"
    "  node(id: ID!): Node\n"
    "  thing: Thing\n"
    "  location: Location\n"
    "  product(pick: Pick): Product\n"
    "  search(text: String!, limit: Int = 20, exact: Boolean, score: Float, when: Datetime): [Thing]\n"
    "  complex(list: [[Int!]]!, matrix: [[Float]], flag: Boolean!): Int\n"
    "}\n"
    "type MutationRoot { moveBox(id: ID!, to: ID!): Box }\n"
    "type SubscriptionRoot { boxMoved: Box tagAdded(box: ID): Tag }\n";

//  Errors as test text: "message @line:column ..." one per line.
void
dp_vtest_render (const dp_validation_errors_t *errors, dp_vstr_t *out)
{
    for (size_t i = 0; i < dp_validation_errors_size (errors); i++) {
        const dp_validation_error_t *error = dp_validation_errors_at (errors, i);
        if (i)
            dp_vstr_add (out, "\n");
        dp_vstr_add (out, error->message);
        for (size_t l = 0; l < error->n_locations; l++)
            dp_vstr_addf (out, " @%u:%u", error->locations [l].line, error->locations [l].column);
    }
}

void
dp_vtest_expect_sdl (const char *sdl, const char *rule, const char *source, const char *expected)
{
    char err [400];
    dp_schema_t *schema = dp_schema_new (sdl, strlen (sdl), err, sizeof err);
    if (!schema) {
        fprintf (stderr, "test schema: %s\n", err);
        assert (false);
    }
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    if (!doc) {
        fprintf (stderr, "test document does not parse: %s at %u:%u\n%s\n", parse_error.message,
                 parse_error.loc.line, parse_error.loc.column, source);
        assert (false);
    }
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    if (rule) {
        const dp_rule_entry_t *entry = dp_specified_rule (rule);
        assert (entry);
        dp_validate_rules (schema, doc, NULL, entry, 1, errors);
    }
    else
        dp_validate (schema, doc, NULL, errors);
    dp_vstr_t got;
    dp_vstr_init (&got);
    dp_vtest_render (errors, &got);
    if (strcmp (got.data, expected) != 0) {
        fprintf (stderr, "rule %s, document:\n%s\nexpected:\n%s\ngot:\n%s\n",
                 rule ? rule : "(all)", source, expected, got.data);
        assert (false);
    }
    dp_vstr_release (&got);
    dp_validation_errors_destroy (&errors);
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);
}

void
dp_vtest_expect (const char *rule, const char *source, const char *expected)
{
    dp_vtest_expect_sdl (s_test_sdl, rule, source, expected);
}
