/*  =========================================================================
    dp_parser - GraphQL parser (executable documents and SDL)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A recursive-descent parser over dp_lexer tokens, producing dp_ast nodes
    in the caller's arena. Every production is named in a comment as the
    October 2021 specification writes it.
@discuss
    Errors read like graphql-js's ("Syntax Error: Expected Name, found
    <EOF>.") and carry the 1-based line and column, so tests can compare
    both with graphql-js. max_tokens and max_depth bound hostile input.
@end
*/
#ifndef DP_PARSER_H_INCLUDED
#define DP_PARSER_H_INCLUDED

#include "dp_arena.h"
#include "dp_ast.h"

typedef struct {
    size_t max_tokens;          //  0: unlimited
    size_t max_depth;           //  nesting of selection sets, lists, objects, types; 0: unlimited
} dp_parse_limits_t;

typedef struct {
    char message [256];         //  "Syntax Error: ..." as graphql-js words it
    dp_loc_t loc;
} dp_parse_error_t;

//  Parse source (len bytes, need not be NUL-terminated) as a GraphQL
//  document. Returns the document, allocated in arena, or NULL with err
//  filled. limits may be NULL (no limits). Nothing is allocated outside
//  arena; on failure the arena may hold partial nodes (freed with it).
dp_ast_document_t *dp_parse (dp_arena_t *arena, const char *source, size_t len,
                             const dp_parse_limits_t *limits, dp_parse_error_t *err);

void dp_parser_test (bool verbose);

#endif
