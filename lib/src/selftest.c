/*  =========================================================================
    selftest - runs the selftest of one class of libdepot_core, or all

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_json_writer.h"
#include "dp_lexer.h"
#include "dp_parser.h"
#include "dp_schema.h"
#include "dp_catalog.h"
#include "dp_options.h"

typedef struct {
    const char *name;
    void (*test) (bool verbose);
} test_item_t;

static test_item_t s_tests [] = {
    { "dp_arena", dp_arena_test },
    { "dp_json_writer", dp_json_writer_test },
    { "dp_lexer", dp_lexer_test },
    { "dp_parser", dp_parser_test },
    { "dp_schema", dp_schema_test },
    { "dp_catalog", dp_catalog_test },
    { "dp_options", dp_options_test },
};

int
main (int argc, char *argv [])
{
    const char *only = argc > 1 ? argv [1] : NULL;
    int ran = 0;
    for (size_t i = 0; i < sizeof s_tests / sizeof s_tests [0]; i++)
        if (!only || strcmp (only, s_tests [i].name) == 0) {
            s_tests [i].test (true);
            ran++;
        }
    if (ran == 0) {
        fprintf (stderr, "no such test: %s\n", only);
        return 1;
    }
    return 0;
}
