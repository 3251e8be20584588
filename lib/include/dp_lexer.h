/*  =========================================================================
    dp_lexer - GraphQL lexer (October 2021 lexical grammar)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Turns UTF-8 GraphQL source into tokens: punctuators, names, numbers,
    strings, block strings and comments, skipping ignored tokens (BOM,
    white space, line terminators, commas). Each token carries its byte
    offsets, its 1-based line and column, and its value; string values are
    decoded (escapes, surrogate pairs, block-string indentation) into the
    caller's arena.
@discuss
    dp_lexer_t is a plain struct the caller embeds and initialises with
    dp_lexer_init: the parser lexes a whole request without one malloc.
    Columns count UTF-16 code units, as graphql-js does, so a character
    beyond U+FFFF counts two. Error messages and positions follow
    graphql-js 16 ("Syntax Error: Unterminated string."). The source must
    be UTF-8; an invalid byte is reported as "Invalid UTF-8 byte 0xFF.".
@end
*/
#ifndef DP_LEXER_H_INCLUDED
#define DP_LEXER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_parser.h"

typedef enum {
    DP_TOKEN_SOF,               //  start of file (never returned by _next)
    DP_TOKEN_EOF,
    DP_TOKEN_BANG,              //  !
    DP_TOKEN_DOLLAR,            //  $
    DP_TOKEN_AMP,               //  &
    DP_TOKEN_PAREN_L,           //  (
    DP_TOKEN_PAREN_R,           //  )
    DP_TOKEN_SPREAD,            //  ...
    DP_TOKEN_COLON,             //  :
    DP_TOKEN_EQUALS,            //  =
    DP_TOKEN_AT,                //  @
    DP_TOKEN_BRACKET_L,         //  [
    DP_TOKEN_BRACKET_R,         //  ]
    DP_TOKEN_BRACE_L,           //  {
    DP_TOKEN_PIPE,              //  |
    DP_TOKEN_BRACE_R,           //  }
    DP_TOKEN_NAME,
    DP_TOKEN_INT,
    DP_TOKEN_FLOAT,
    DP_TOKEN_STRING,
    DP_TOKEN_BLOCK_STRING,
    DP_TOKEN_COMMENT
} dp_token_kind_t;

typedef struct {
    dp_token_kind_t kind;
    size_t start;               //  byte offset of the first byte
    size_t end;                 //  byte offset just past the last byte
    uint32_t line;              //  1-based
    uint32_t column;            //  1-based, in UTF-16 code units (graphql-js)
    const char *value;          //  NAME, INT, FLOAT, COMMENT (text after '#'):
                                //  points into the source, NOT NUL-terminated;
                                //  STRING, BLOCK_STRING: the decoded value, in
                                //  the arena, NUL-terminated; NULL otherwise
    size_t value_len;           //  bytes in value (a string may contain NUL)
} dp_token_t;

//  Lexer state. Treat the fields as private; they are public only so the
//  struct can be embedded.
typedef struct {
    const char *source;         //  borrowed, len bytes
    size_t len;
    size_t pos;                 //  next byte to read
    uint32_t line;              //  line of pos, 1-based
    size_t line_start;          //  byte offset where that line starts
    size_t line_adjust;         //  bytes minus UTF-16 units on the line before pos
    dp_arena_t *arena;          //  borrowed; receives decoded strings
} dp_lexer_t;

//  Prepare self to lex len bytes of source (need not be NUL-terminated).
//  source and arena are borrowed and must outlive every token read.
void dp_lexer_init (dp_lexer_t *self, dp_arena_t *arena, const char *source, size_t len);

//  Read the next token into *token, including COMMENT tokens (the parser
//  skips them). At the end it returns EOF tokens, again and again. Returns
//  0, or -1 with err filled ("Syntax Error: ..." and its line:column); after
//  an error the lexer must not be used again. String values are allocated
//  in the arena and live as long as it does.
int dp_lexer_next (dp_lexer_t *self, dp_token_t *token, dp_parse_error_t *err);

//  The name graphql-js gives a token kind: "<EOF>", "Name", "String",
//  "BlockString", or a punctuator in quotes ("\"{\""). Returns a static
//  string.
const char *dp_token_kind_name (dp_token_kind_t kind);

//  Describe a token as graphql-js does in messages: its kind name plus,
//  when it has a value, the value in quotes (Name "x", String "a b").
//  Writes at most size bytes, NUL-terminated, cutting an overlong value at
//  a character boundary and marking the cut with "...". Returns buf.
char *dp_token_describe (const dp_token_t *token, char *buf, size_t size);

//  The line and column (both 1-based; column in UTF-16 code units) of byte
//  offset in source, counted like graphql-js's getLocation: line breaks
//  are \n, \r\n and \r. offset may equal len.
dp_loc_t dp_lexer_location (const char *source, size_t len, size_t offset);

void dp_lexer_test (bool verbose);

#endif
