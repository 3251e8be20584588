/*  =========================================================================
    dp_validation_selftest - validation as a whole: dp_validate and the limits

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The selftests that run the whole validation (dp_validate_test: the
    context, the walk, the error list; dp_rule_query_limits_test: Depot's
    limits through dp_validate). They live here, apart from the code they
    test, so that dp_validate (which calls the limits) and the limits rule
    (whose test calls dp_validate) do not call each other.
@end
*/
#include "dp_validation.h"
#include "dp_validation_rules.h"
#include "dp_parser.h"
#include "dp_log.h"
#include "dp_error.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdint.h>
#include <assert.h>

//  ---------------------------------------------------------------------
//  Selftest: the context, the walk, the error list and limits as a whole

//  Validate source against Depot's own schema; returns the rendered errors
//  (caller frees).
static char *
s_validate_depot (dp_schema_t *schema, const char *source, const dp_validate_limits_t *limits)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
    assert (doc);
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    size_t n = dp_validate (schema, doc, limits, errors);
    assert (n == dp_validation_errors_size (errors));
    dp_vstr_t out;
    dp_vstr_init (&out);
    dp_vtest_render (errors, &out);
    dp_validation_errors_destroy (&errors);
    dp_arena_destroy (&arena);
    return out.data;
}

void
dp_validate_test (bool verbose)
{
    //  The utilities behind the messages.
    dp_arena_t *arena = dp_arena_new (0);
    const char *options [] = { "boxes", "box", "bases", "base", "Box", "product", "boxesx", "box" };
    const char **found;
    size_t n = dp_suggestion_list (arena, "boxs", options, 8, &found);
    //  As graphql-js: distance first (a case change counts one), then
    //  natural order; "box" once though listed twice.
    assert (n == 4);
    assert (strcmp (found [0], "Box") == 0 && strcmp (found [1], "box") == 0);
    assert (strcmp (found [2], "boxes") == 0 && strcmp (found [3], "boxesx") == 0);
    n = dp_suggestion_list (arena, "BOX", options, 8, &found);
    assert (n == 3 && strcmp (found [0], "Box") == 0 && strcmp (found [1], "box") == 0);
    assert (strcmp (found [2], "boxes") == 0);
    assert (dp_natural_compare ("a2", "a10") < 0 && dp_natural_compare ("a10", "a2") > 0);
    assert (dp_natural_compare ("ab", "abc") < 0 && dp_natural_compare ("x", "x") == 0);
    assert (dp_utf16_length ("a\xc3\xa9\xf0\x9f\x98\x80", 7) == 4);
    dp_vstr_t text;
    dp_vstr_init (&text);
    const char *five [] = { "a", "b", "c", "d", "e", "f" };
    dp_vstr_did_you_mean (&text, "the enum value", five, 6);
    assert (strcmp (text.data, " Did you mean the enum value \"a\", \"b\", \"c\", \"d\", or \"e\"?") == 0);
    dp_vstr_clear (&text);
    dp_vstr_did_you_mean (&text, NULL, five, 2);
    assert (strcmp (text.data, " Did you mean \"a\" or \"b\"?") == 0);
    dp_vstr_clear (&text);
    dp_vstr_did_you_mean (&text, NULL, five, 0);
    assert (text.len == 0);
    //  Values print as graphql-js prints them, strings escaped.
    const char *value_source = "{ f(a: [1, 2.5e3, \"q\\\"\\u0001\\u0085\", true, null, E, {x: $v}],"
                               " b: \"\"\"  block \"\"\", c: \"\"\"x\"\"\") }";
    dp_parse_error_t parse_error;
    dp_ast_document_t *doc = dp_parse (arena, value_source, strlen (value_source), NULL, &parse_error);
    assert (doc);
    const dp_ast_selection_t *f = &doc->defs [0].selection_set->items [0];
    dp_vstr_clear (&text);
    for (size_t i = 0; i < f->n_args; i++) {
        dp_vstr_value (&text, f->args [i].value);
        dp_vstr_add (&text, "|");
    }
    assert (strcmp (text.data, "[1, 2.5e3, \"q\\\"\\u0001\\u0085\", true, null, E, {x: $v}]|"
                               "\"\"\"  block \"\"\"|\"\"\"x\"\"\"|") == 0);
    dp_vstr_release (&text);
    dp_vmap_t map;
    dp_vmap_init (&map, arena, true);
    char keys [100][8];
    for (int i = 0; i < 100; i++) {
        snprintf (keys [i], sizeof keys [i], "k%d", i);
        dp_vmap_set (&map, keys [i], (void *) (intptr_t) (i + 1));
    }
    assert (map.count == 100 && dp_vmap_get (&map, "k57") == (void *) 58 && !dp_vmap_has (&map, "k100"));
    dp_arena_destroy (&arena);

    //  Depot's schema: the front-end's queries are valid, mistakes are
    //  reported with graphql-js's words and positions.
    char err [300];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_validate_limits_t limits;
    dp_validate_limits_default (&limits);
    char *result = s_validate_depot (schema,
        "query Q($b: ID!) { boxes(baseId: $b, paginationInput: {first: 5}) {"
        " totalCount elements { labelIdentifier state product { name } tags { ...T } } } }"
        " fragment T on Tag { id name color __typename }", &limits);
    assert (strcmp (result, "") == 0);
    free (result);
    result = s_validate_depot (schema,
        "{ boxes(baseId: 1, paginationInput: {frist: 5}) { totalCont elements { stat } } base }",
        &limits);
    const char *expected =
        "Field \"frist\" is not defined by type \"PaginationInput\". Did you mean \"first\" or \"last\"? @1:38\n"
        "Cannot query field \"totalCont\" on type \"BoxPage\". Did you mean \"totalCount\"? @1:51\n"
        "Cannot query field \"stat\" on type \"Box\". Did you mean \"state\"? @1:72\n"
        "Field \"base\" of type \"Base\" must have a selection of subfields. Did you mean \"base { ... }\"? @1:81\n"
        "Field \"base\" argument \"id\" of type \"ID!\" is required, but it was not provided. @1:81";
    if (strcmp (result, expected) != 0) {
        fprintf (stderr, "got:\n%s\nexpected:\n%s\n", result, expected);
        assert (false);
    }
    free (result);

    //  At most 100 errors, then graphql-js's "too many" error.
    dp_vstr_t many;
    dp_vstr_init (&many);
    dp_vstr_add (&many, "{");
    for (int i = 0; i < 150; i++)
        dp_vstr_addf (&many, " f%d", i);
    dp_vstr_add (&many, " }");
    result = s_validate_depot (schema, many.data, NULL);
    size_t lines = 1;
    for (const char *p = result; *p; p++)
        lines += *p == '\n';
    assert (lines == 101);
    assert (strstr (result, "Cannot query field \"f99\" on type \"Query\". @1:389\n"
                            "Too many validation errors, error limit reached. Validation aborted."));
    free (result);
    dp_validate_limits_t five_errors = { .max_errors = 5 };
    result = s_validate_depot (schema, many.data, &five_errors);
    assert (strstr (result, "\"f4\" on type \"Query\". @1:15\nToo many validation errors"));
    free (result);
    dp_vstr_release (&many);

    //  The error list writes graphql-js's JSON.
    arena = dp_arena_new (0);
    const char *bad = "{ nope }";
    doc = dp_parse (arena, bad, strlen (bad), NULL, &parse_error);
    dp_validation_errors_t *errors = dp_validation_errors_new ();
    assert (dp_validate (schema, doc, &limits, errors) == 1);
    dp_json_writer_t writer;
    dp_json_writer_init (&writer, 64);
    dp_validation_errors_write (errors, &writer);
    const char *json = "[{\"message\":\"Cannot query field \\\"nope\\\" on type \\\"Query\\\".\","
                       "\"locations\":[{\"line\":1,\"column\":3}]}]";
    assert (writer.len == strlen (json) && memcmp (writer.data, json, writer.len) == 0);
    dp_json_writer_release (&writer);
    dp_validation_errors_reset (errors);
    assert (dp_validation_errors_size (errors) == 0 && !dp_validation_errors_at (errors, 0));
    dp_validation_errors_destroy (&errors);
    assert (!errors);
    dp_arena_destroy (&arena);
    dp_schema_destroy (&schema);

    //  The cache remembers exact texts, the oldest replaced first.
    dp_validation_cache_t *cache = dp_validation_cache_new (2, 32);
    assert (!dp_validation_cache_has (cache, "{ a }", 5));
    dp_validation_cache_add (cache, "{ a }", 5);
    dp_validation_cache_add (cache, "{ b }", 5);
    assert (dp_validation_cache_has (cache, "{ a }", 5) && dp_validation_cache_has (cache, "{ b }", 5));
    assert (!dp_validation_cache_has (cache, "{ a  }", 6) && !dp_validation_cache_has (cache, "{ a }", 4));
    dp_validation_cache_add (cache, "{ c }", 5);
    assert (!dp_validation_cache_has (cache, "{ a }", 5) && dp_validation_cache_has (cache, "{ c }", 5));
    const char *long_text = "{ thisDocumentIsLongerThanTheCacheKeeps }";
    dp_validation_cache_add (cache, long_text, strlen (long_text));
    assert (!dp_validation_cache_has (cache, long_text, strlen (long_text)));
    assert (dp_validation_cache_has (cache, "{ b }", 5));
    dp_validation_cache_destroy (&cache);
    assert (!cache);
    if (verbose)
        printf (" * dp_validate: OK\n");
}


//  ---------------------------------------------------------------------
//  Selftest

void
dp_rule_query_limits_test (bool verbose)
{
    //  Written with the limits through dp_validate, against the rules'
    //  test schema, in dp_validate_test's harness style.
    char err [300];
    dp_schema_t *schema = dp_schema_depot (NULL, err, sizeof err);
    assert (schema);
    dp_validate_limits_t limits = { .max_errors = 100, .max_depth = 4, .max_aliases = 3,
                                    .max_fields = 12, .max_cost = 200, .max_variables = 2 };
    struct {
        const char *source;
        const char *expected;       //  first error's message, NULL: valid
        unsigned line, column;
    } cases [] = {
        //  Within every limit.
        { "query Q($b: ID!) { base(id: $b) { name organisation { name } } }", NULL, 0, 0 },
        //  Depth: the fifth level is reported where it is, through a fragment.
        { "query Deep { base(id: 1) { ...F } }\n"
          "fragment F on Base { organisation { bases { organisation { id } } } }",
          "Operation \"Deep\" nests fields 5 levels deep, more than the 4 Depot allows.", 2, 60 },
        //  Aliases count once per use of the fragment they are in.
        { "{ base(id: 1) { ...A ...A } b: base(id: 2) { ...A } }\n"
          "fragment A on Base { x: name }",
          "The operation uses 4 aliases (fragments expanded), more than the 3 Depot allows.", 1, 1 },
        //  Fields, with a fragment spread three times.
        { "{ base(id: 1) { ...A ... on Base { ...A } } bases { ...A } }\n"
          "fragment A on Base { id name monetaryCurrencyCode organisation { id } }",
          "The operation selects 17 fields (fragments expanded), more than the 12 Depot allows.", 1, 1 },
        //  Cost: lists multiply by ten per level.
        { "{ bases { organisation { bases { id name } } } }",
          "The operation has an estimated cost of 221, more than the 200 Depot allows (every "
          "field costs 1; a list multiplies the cost of its selection by 10).", 1, 1 },
        //  Variables.
        { "query V($a: Int, $b: Int, $c: Int) { bases { id } }",
          "Operation \"V\" declares 3 variables, more than the 2 Depot allows.", 1, 1 },
        //  A fragment cycle does not loop; the spec rule reports it.
        { "{ base(id: 1) { ...C } } fragment C on Base { organisation { bases { ...C } } }",
          "Cannot spread fragment \"C\" within itself.", 1, 70 },
        //  A fragment bomb: 2^29 + 1 expanded fields, computed in linear time.
        { "{ base(id: 1) { ...F0 } }\n"
          "fragment F0 on Base { ...F1 ...F1 } fragment F1 on Base { ...F2 ...F2 } fragment F2 on Base { ...F3 ...F3 }\n"
          "fragment F3 on Base { ...F4 ...F4 } fragment F4 on Base { ...F5 ...F5 } fragment F5 on Base { ...F6 ...F6 }\n"
          "fragment F6 on Base { ...F7 ...F7 } fragment F7 on Base { ...F8 ...F8 } fragment F8 on Base { ...F9 ...F9 }\n"
          "fragment F9 on Base { ...G0 ...G0 } fragment G0 on Base { ...G1 ...G1 } fragment G1 on Base { ...G2 ...G2 }\n"
          "fragment G2 on Base { ...G3 ...G3 } fragment G3 on Base { ...G4 ...G4 } fragment G4 on Base { ...G5 ...G5 }\n"
          "fragment G5 on Base { ...G6 ...G6 } fragment G6 on Base { ...G7 ...G7 } fragment G7 on Base { ...G8 ...G8 }\n"
          "fragment G8 on Base { ...G9 ...G9 } fragment G9 on Base { ...H0 ...H0 } fragment H0 on Base { ...H1 ...H1 }\n"
          "fragment H1 on Base { ...H2 ...H2 } fragment H2 on Base { ...H3 ...H3 } fragment H3 on Base { ...H4 ...H4 }\n"
          "fragment H4 on Base { ...H5 ...H5 } fragment H5 on Base { ...H6 ...H6 } fragment H6 on Base { ...H7 ...H7 }\n"
          "fragment H7 on Base { ...H8 ...H8 } fragment H8 on Base { ...H9 ...H9 } fragment H9 on Base { id }",
          "The operation uses 0 aliases", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        dp_arena_t *arena = dp_arena_new (0);
        dp_parse_error_t parse_error;
        const char *source = cases [i].source;
        dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), NULL, &parse_error);
        assert (doc);
        dp_validation_errors_t *errors = dp_validation_errors_new ();
        dp_validate (schema, doc, &limits, errors);
        const dp_validation_error_t *first = dp_validation_errors_at (errors, 0);
        if (i == sizeof cases / sizeof cases [0] - 1) {
            //  The bomb: fields and cost are over, each counted exactly.
            assert (dp_validation_errors_size (errors) == 2);
            assert (strcmp (first->message, "The operation selects 536870913 fields (fragments expanded), "
                                            "more than the 12 Depot allows.") == 0);
            assert (strstr (dp_validation_errors_at (errors, 1)->message, "estimated cost of 536870913,"));
        }
        else
        if (!cases [i].expected)
            assert (!first);
        else {
            if (!first || strncmp (first->message, cases [i].expected, strlen (cases [i].expected)) != 0) {
                fprintf (stderr, "case %zu: expected [%s] got [%s]\n", i, cases [i].expected,
                         first ? first->message : "(valid)");
                assert (false);
            }
            assert (first->n_locations == 1);
            assert (first->locations [0].line == cases [i].line);
            assert (first->locations [0].column == cases [i].column);
        }
        dp_validation_errors_destroy (&errors);
        dp_arena_destroy (&arena);
    }
    dp_schema_destroy (&schema);
    if (verbose)
        printf (" * dp_rule_query_limits: OK\n");
}
