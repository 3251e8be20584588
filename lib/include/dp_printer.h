/*  =========================================================================
    dp_printer - prints any GraphQL AST back as canonical GraphQL text

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The inverse of dp_parser, byte for byte what graphql-js 16's print()
    writes for the same document: two-space indentation, one selection or
    definition per line, arguments on one line unless that line would be
    longer than 80 characters, block strings and descriptions printed as
    graphql-js prints them. Used for error messages, tools, and for the
    default values introspection reports.
@discuss
    The rules follow graphql-js's language/printer: a field's arguments go
    on separate lines when `prefix(args)` would exceed 80 UTF-16 code
    units; the arguments of a field or directive definition go on separate
    lines when any of them spans several lines (a description does).
    The oracle test (tests/oracle/print) compares this printer with
    graphql-js over a corpus.
@end
*/
#ifndef DP_PRINTER_H_INCLUDED
#define DP_PRINTER_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_json_writer.h"

//  Print a document (executable, type system or both). Returns the text,
//  NUL-terminated, allocated in arena (freed with it); its length in
//  *len_p when len_p is not NULL.
char *dp_print (dp_arena_t *arena, const dp_ast_document_t *doc, size_t *len_p);

//  Print one value literal ("[1, 2]", "{a: \"x\"}", "$var"), as dp_print.
char *dp_print_value (dp_arena_t *arena, const dp_ast_value_t *value, size_t *len_p);

//  Print a type reference ("[Box!]!"), as dp_print.
char *dp_print_type (dp_arena_t *arena, const dp_ast_type_t *type);

//  The same two, appended to out (validation messages build on them).
void dp_print_value_into (dp_json_writer_t *out, const dp_ast_value_t *value);
void dp_print_type_into (dp_json_writer_t *out, const dp_ast_type_t *type);

//  An argument's or input field's default value as introspection reports
//  it: graphql-js's print(astFromValue(valueFromAST(default, type), type)),
//  so `[Int] = 1` reads "[1]", a Float `2.50` reads "2.5", an ID `"7"`
//  reads "7" and input objects list their fields in type order with the
//  fields' own defaults filled in. Returns NULL when the input value has
//  no default, or when graphql-js would have none to print (a default that
//  does not coerce). Allocated in arena.
char *dp_print_default_value (dp_arena_t *arena, const dp_input_value_t *input);

void dp_printer_test (bool verbose);

#endif
