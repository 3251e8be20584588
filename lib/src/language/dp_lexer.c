/*  =========================================================================
    dp_lexer - GraphQL lexer (October 2021 lexical grammar)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One call of dp_lexer_next reads one token. Punctuators, names and
    numbers are slices of the source; strings are decoded into the arena,
    in a buffer as long as the raw string (decoding never grows a string:
    an escape is always at least as long as the UTF-8 it stands for).
@discuss
    The lexer keeps the current line and where it starts, plus how many
    bytes more than UTF-16 code units the line has used so far, so a
    token's column costs a subtraction. Error positions are recomputed from
    the start of the source, like graphql-js's getLocation: errors are rare
    and this keeps them exact.

    Every reader follows the production it is named after in the spec
    ("StringValue ::", "BlockString ::"), and the checks happen in the same
    order as graphql-js's lexer.ts, so the first error found in a document
    is the same one graphql-js reports.
@end
*/
#include "dp_lexer.h"
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <assert.h>

//  ---------------------------------------------------------------------
//  Character classes (SourceCharacter, NameStart, NameContinue, Digit)

static inline bool
s_is_digit (int c)
{
    return c >= '0' && c <= '9';
}

static inline bool
s_is_name_start (int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool
s_is_name_continue (int c)
{
    return s_is_name_start (c) || s_is_digit (c);
}

static inline int
s_hex_digit (int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

//  A Unicode scalar value: any code point but the surrogates.
static inline bool
s_is_scalar (int64_t code)
{
    return (code >= 0 && code <= 0xD7FF) || (code >= 0xE000 && code <= 0x10FFFF);
}

//  Byte at pos, or -1 past the end.
static inline int
s_peek (const dp_lexer_t *self, size_t pos)
{
    return pos < self->len ? (unsigned char) self->source [pos] : -1;
}

//  Decode the UTF-8 character at s [0] (avail bytes readable). Returns its
//  code point and sets *size, or returns -1 with *size = 1 when the bytes
//  are not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
//  nothing above U+10FFFF, no truncated sequence).
static int32_t
s_utf8_decode (const unsigned char *s, size_t avail, size_t *size)
{
    unsigned c = s [0];
    *size = 1;
    if (c < 0x80)
        return (int32_t) c;
    if (c < 0xC2)
        return -1;
    if (c < 0xE0) {
        if (avail < 2 || (s [1] & 0xC0) != 0x80)
            return -1;
        *size = 2;
        return (int32_t) (((c & 0x1F) << 6) | (s [1] & 0x3F));
    }
    if (c < 0xF0) {
        if (avail < 3 || (s [1] & 0xC0) != 0x80 || (s [2] & 0xC0) != 0x80)
            return -1;
        int32_t code = (int32_t) (((c & 0x0F) << 12) | ((s [1] & 0x3F) << 6) | (s [2] & 0x3F));
        if (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))
            return -1;
        *size = 3;
        return code;
    }
    if (c < 0xF5) {
        if (avail < 4 || (s [1] & 0xC0) != 0x80 || (s [2] & 0xC0) != 0x80
        ||  (s [3] & 0xC0) != 0x80)
            return -1;
        int32_t code = (int32_t) (((c & 0x07) << 18) | ((s [1] & 0x3F) << 12)
                                  | ((s [2] & 0x3F) << 6) | (s [3] & 0x3F));
        if (code < 0x10000 || code > 0x10FFFF)
            return -1;
        *size = 4;
        return code;
    }
    return -1;
}

//  Write code point (a scalar value) as UTF-8; returns the bytes written.
static size_t
s_utf8_encode (char *out, uint32_t code)
{
    if (code < 0x80) {
        out [0] = (char) code;
        return 1;
    }
    if (code < 0x800) {
        out [0] = (char) (0xC0 | (code >> 6));
        out [1] = (char) (0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out [0] = (char) (0xE0 | (code >> 12));
        out [1] = (char) (0x80 | ((code >> 6) & 0x3F));
        out [2] = (char) (0x80 | (code & 0x3F));
        return 3;
    }
    out [0] = (char) (0xF0 | (code >> 18));
    out [1] = (char) (0x80 | ((code >> 12) & 0x3F));
    out [2] = (char) (0x80 | ((code >> 6) & 0x3F));
    out [3] = (char) (0x80 | (code & 0x3F));
    return 4;
}

//  Bytes taken by the character at pos: its UTF-8 length, or 1 for an
//  invalid byte, or 0 at the end. *units gets its UTF-16 length.
static size_t
s_char_size (const dp_lexer_t *self, size_t pos, size_t *units)
{
    if (pos >= self->len) {
        *units = 0;
        return 0;
    }
    size_t size;
    int32_t code = s_utf8_decode ((const unsigned char *) self->source + pos,
                                  self->len - pos, &size);
    *units = code >= 0x10000 ? 2 : 1;
    return size;
}

//  The byte offset just past `units` UTF-16 code units from pos (clamped to
//  the end of the source): how graphql-js's body.slice(pos, pos + units)
//  ends, never splitting a character.
static size_t
s_slice_end (const dp_lexer_t *self, size_t pos, size_t units)
{
    size_t taken = 0;
    while (taken < units && pos < self->len) {
        size_t char_units;
        pos += s_char_size (self, pos, &char_units);
        taken += char_units;
    }
    return pos;
}

//  ---------------------------------------------------------------------
//  Errors

//  graphql-js's printCodePointAt: printable ASCII quoted, '"' as '"',
//  others as U+XXXX, the end as <EOF>. An invalid UTF-8 byte prints as
//  U+FFFD, the character a decoder would have put there.
static const char *
s_print_char (const dp_lexer_t *self, size_t pos, char *buf, size_t size)
{
    if (pos >= self->len)
        return "<EOF>";
    int c = (unsigned char) self->source [pos];
    if (c == '"')
        return "'\"'";
    if (c >= 0x20 && c <= 0x7E)
        snprintf (buf, size, "\"%c\"", c);
    else {
        size_t char_size;
        int32_t code = s_utf8_decode ((const unsigned char *) self->source + pos,
                                      self->len - pos, &char_size);
        snprintf (buf, size, "U+%04X", code < 0 ? 0xFFFD : (unsigned) code);
    }
    return buf;
}

static int
s_error (dp_lexer_t *self, dp_parse_error_t *err, size_t offset, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Fill err with "Syntax Error: " + the formatted text and the location of
//  offset; the lexer refuses to go on. Returns -1.
static int
s_error (dp_lexer_t *self, dp_parse_error_t *err, size_t offset, const char *format, ...)
{
    if (err) {
        static const char prefix [] = "Syntax Error: ";
        memcpy (err->message, prefix, sizeof prefix);
        va_list args;
        va_start (args, format);
        vsnprintf (err->message + sizeof prefix - 1,
                   sizeof err->message - (sizeof prefix - 1), format, args);
        va_end (args);
        err->loc = dp_lexer_location (self->source, self->len, offset);
    }
    return -1;
}

//  ---------------------------------------------------------------------
//  Tokens

//  Start a token of kind at byte start: its line and column come from the
//  lexer's current line, which every byte before start has updated.
static inline void
s_token_begin (const dp_lexer_t *self, dp_token_t *token, dp_token_kind_t kind, size_t start)
{
    token->kind = kind;
    token->start = start;
    token->end = start;
    token->line = self->line;
    token->column = (uint32_t) (1 + (start - self->line_start) - self->line_adjust);
    token->value = NULL;
    token->value_len = 0;
}

static inline int
s_punctuator (dp_lexer_t *self, dp_token_t *token, dp_token_kind_t kind, size_t start, size_t size)
{
    s_token_begin (self, token, kind, start);
    token->end = start + size;
    self->pos = start + size;
    return 0;
}

//  Comment :: # CommentChar* [lookahead != CommentChar]
//  CommentChar :: SourceCharacter but not LineTerminator
static int
s_read_comment (dp_lexer_t *self, dp_token_t *token, size_t start)
{
    const unsigned char *src = (const unsigned char *) self->source;
    s_token_begin (self, token, DP_TOKEN_COMMENT, start);
    size_t pos = start + 1;
    while (pos < self->len) {
        unsigned char c = src [pos];
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x80) {
            pos++;
            continue;
        }
        //  Like graphql-js at a lone surrogate, stop at an invalid byte; the
        //  next token reports it.
        size_t size;
        int32_t code = s_utf8_decode (src + pos, self->len - pos, &size);
        if (code < 0)
            break;
        self->line_adjust += size - (code >= 0x10000 ? 2 : 1);
        pos += size;
    }
    token->end = pos;
    token->value = self->source + start + 1;
    token->value_len = pos - start - 1;
    self->pos = pos;
    return 0;
}

//  Name :: NameStart NameContinue* [lookahead != NameContinue]
static int
s_read_name (dp_lexer_t *self, dp_token_t *token, size_t start)
{
    const char *src = self->source;
    size_t pos = start + 1;
    while (pos < self->len && s_is_name_continue ((unsigned char) src [pos]))
        pos++;
    s_token_begin (self, token, DP_TOKEN_NAME, start);
    token->end = pos;
    token->value = src + start;
    token->value_len = pos - start;
    self->pos = pos;
    return 0;
}

//  Digit+ at *pos, which must start with a digit.
static int
s_read_digits (dp_lexer_t *self, size_t *pos, dp_parse_error_t *err)
{
    if (!s_is_digit (s_peek (self, *pos))) {
        char buf [16];
        return s_error (self, err, *pos, "Invalid number, expected digit but got: %s.",
                        s_print_char (self, *pos, buf, sizeof buf));
    }
    size_t p = *pos + 1;
    while (s_is_digit (s_peek (self, p)))
        p++;
    *pos = p;
    return 0;
}

//  IntValue :: IntegerPart [lookahead != {Digit, `.`, NameStart}]
//  FloatValue ::
//    - IntegerPart FractionalPart ExponentPart [lookahead != {Digit, `.`, NameStart}]
//    - IntegerPart FractionalPart [lookahead != {Digit, `.`, NameStart}]
//    - IntegerPart ExponentPart [lookahead != {Digit, `.`, NameStart}]
//  IntegerPart :: NegativeSign? 0 | NegativeSign? NonZeroDigit Digit*
//  FractionalPart :: . Digit+
//  ExponentPart :: ExponentIndicator Sign? Digit+
static int
s_read_number (dp_lexer_t *self, dp_token_t *token, size_t start, dp_parse_error_t *err)
{
    char buf [16];
    size_t pos = start;
    bool is_float = false;
    int c = s_peek (self, pos);
    if (c == '-')
        c = s_peek (self, ++pos);
    if (c == '0') {
        c = s_peek (self, ++pos);
        if (s_is_digit (c))
            return s_error (self, err, pos, "Invalid number, unexpected digit after 0: %s.",
                            s_print_char (self, pos, buf, sizeof buf));
    }
    else {
        if (s_read_digits (self, &pos, err))
            return -1;
        c = s_peek (self, pos);
    }
    if (c == '.') {
        is_float = true;
        pos++;
        if (s_read_digits (self, &pos, err))
            return -1;
        c = s_peek (self, pos);
    }
    if (c == 'e' || c == 'E') {
        is_float = true;
        c = s_peek (self, ++pos);
        if (c == '+' || c == '-')
            pos++;
        if (s_read_digits (self, &pos, err))
            return -1;
        c = s_peek (self, pos);
    }
    //  Numbers cannot be followed by . or NameStart
    if (c == '.' || s_is_name_start (c))
        return s_error (self, err, pos, "Invalid number, expected digit but got: %s.",
                        s_print_char (self, pos, buf, sizeof buf));
    s_token_begin (self, token, is_float ? DP_TOKEN_FLOAT : DP_TOKEN_INT, start);
    token->end = pos;
    token->value = self->source + start;
    token->value_len = pos - start;
    self->pos = pos;
    return 0;
}

//  Four hex digits at pos as a number, or -1 if any is not a hex digit.
static int32_t
s_read_hex4 (const dp_lexer_t *self, size_t pos)
{
    int32_t code = 0;
    for (size_t i = 0; i < 4; i++) {
        int digit = s_hex_digit (s_peek (self, pos + i));
        if (digit < 0)
            return -1;
        code = (code << 4) | digit;
    }
    return code;
}

//  EscapedUnicode :: { HexDigit+ } at the backslash at pos (\u{...}).
//  Writes the character to out; returns the escape's size, or 0 on error.
static size_t
s_escape_variable (dp_lexer_t *self, size_t pos, char *out, size_t *out_len,
                   dp_parse_error_t *err)
{
    uint32_t point = 0;
    size_t size = 3;
    //  Cannot be longer than 12 characters (\u{00000000}).
    while (size < 12) {
        int code = s_peek (self, pos + size++);
        if (code == '}') {
            //  At least 5 characters (\u{0}), and a Unicode scalar value.
            if (size < 5 || !s_is_scalar (point))
                break;
            *out_len = s_utf8_encode (out, point);
            return size;
        }
        int digit = s_hex_digit (code);
        if (digit < 0)
            break;
        //  graphql-js works in signed 32 bits: a set top bit ends the escape.
        point = (point << 4) | (uint32_t) digit;
        if (point & 0x80000000u)
            break;
    }
    size_t end = s_slice_end (self, pos, size);
    s_error (self, err, pos, "Invalid Unicode escape sequence: \"%.*s\".",
             (int) (end - pos), self->source + pos);
    return 0;
}

//  EscapedUnicode :: HexDigit HexDigit HexDigit HexDigit at the backslash at
//  pos (\uXXXX), including a surrogate pair written as two escapes.
static size_t
s_escape_fixed (dp_lexer_t *self, size_t pos, char *out, size_t *out_len,
                dp_parse_error_t *err)
{
    int32_t code = s_read_hex4 (self, pos + 2);
    if (s_is_scalar (code)) {
        *out_len = s_utf8_encode (out, (uint32_t) code);
        return 6;
    }
    //  JSON-style surrogate pairs are allowed, but only as a valid pair.
    if (code >= 0xD800 && code <= 0xDBFF
    &&  s_peek (self, pos + 6) == '\\' && s_peek (self, pos + 7) == 'u') {
        int32_t trailing = s_read_hex4 (self, pos + 8);
        if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
            uint32_t point = 0x10000 + (((uint32_t) code - 0xD800) << 10)
                           + ((uint32_t) trailing - 0xDC00);
            *out_len = s_utf8_encode (out, point);
            return 12;
        }
    }
    size_t end = s_slice_end (self, pos, 6);
    s_error (self, err, pos, "Invalid Unicode escape sequence: \"%.*s\".",
             (int) (end - pos), self->source + pos);
    return 0;
}

//  EscapedCharacter :: one of `"` `\` `/` `b` `f` `n` `r` `t`
static size_t
s_escape_character (dp_lexer_t *self, size_t pos, char *out, size_t *out_len,
                    dp_parse_error_t *err)
{
    char value;
    switch (s_peek (self, pos + 1)) {
        case '"':  value = '"';  break;
        case '\\': value = '\\'; break;
        case '/':  value = '/';  break;
        case 'b':  value = '\b'; break;
        case 'f':  value = '\f'; break;
        case 'n':  value = '\n'; break;
        case 'r':  value = '\r'; break;
        case 't':  value = '\t'; break;
        default: {
            size_t end = s_slice_end (self, pos, 2);
            s_error (self, err, pos, "Invalid character escape sequence: \"%.*s\".",
                     (int) (end - pos), self->source + pos);
            return 0;
        }
    }
    out [0] = value;
    *out_len = 1;
    return 2;
}

//  StringValue ::
//    - `""` [lookahead != `"`]
//    - `"` StringCharacter+ `"`
//  StringCharacter ::
//    - SourceCharacter but not `"` or `\` or LineTerminator
//    - `\u` EscapedUnicode
//    - `\` EscapedCharacter
static int
s_read_string (dp_lexer_t *self, dp_token_t *token, size_t start, dp_parse_error_t *err)
{
    const unsigned char *src = (const unsigned char *) self->source;
    size_t len = self->len;
    s_token_begin (self, token, DP_TOKEN_STRING, start);

    //  First find how far the string can reach (the closing quote, or the
    //  line end), without judging it: that bounds the decoded length. A
    //  plain ASCII string is then copied in one go.
    size_t pos = start + 1;
    bool plain = true;
    while (pos < len) {
        unsigned char c = src [pos];
        if (c == '"' || c == '\n' || c == '\r')
            break;
        if (c == '\\') {
            plain = false;
            pos += 2;
            continue;
        }
        if (c >= 0x80)
            plain = false;
        pos++;
    }
    if (pos > len)
        pos = len;
    if (plain && pos < len && src [pos] == '"') {
        token->end = pos + 1;
        token->value = dp_arena_strndup (self->arena, self->source + start + 1, pos - start - 1);
        token->value_len = pos - start - 1;
        self->pos = pos + 1;
        return 0;
    }
    size_t capacity = pos - start;      //  raw bytes + room for the NUL
    char *out = dp_arena_alloc (self->arena, capacity);
    size_t out_len = 0;

    //  Then decode, reporting the first problem in source order.
    pos = start + 1;
    while (pos < len) {
        unsigned char c = src [pos];
        if (c == '"') {
            assert (out_len < capacity);
            out [out_len] = 0;
            token->end = pos + 1;
            token->value = out;
            token->value_len = out_len;
            self->pos = pos + 1;
            return 0;
        }
        if (c == '\\') {
            size_t size, written = 0;
            char buf [4];
            if (s_peek (self, pos + 1) == 'u') {
                if (s_peek (self, pos + 2) == '{')
                    size = s_escape_variable (self, pos, buf, &written, err);
                else
                    size = s_escape_fixed (self, pos, buf, &written, err);
            }
            else
                size = s_escape_character (self, pos, buf, &written, err);
            if (size == 0)
                return -1;
            assert (out_len + written < capacity);
            memcpy (out + out_len, buf, written);
            out_len += written;
            pos += size;
            continue;
        }
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x80) {
            out [out_len++] = (char) c;
            pos++;
            continue;
        }
        size_t size;
        int32_t code = s_utf8_decode (src + pos, len - pos, &size);
        if (code < 0)
            return s_error (self, err, pos, "Invalid UTF-8 byte 0x%02X.", c);
        assert (out_len + size < capacity);
        memcpy (out + out_len, src + pos, size);
        out_len += size;
        self->line_adjust += size - (code >= 0x10000 ? 2 : 1);
        pos += size;
    }
    return s_error (self, err, pos, "Unterminated string.");
}

//  One line of a block string's raw text: [start, end), and where the
//  next line starts.
typedef struct {
    size_t start;
    size_t end;
    size_t next;
} s_line_t;

//  The line of raw block-string text [from, limit) that begins at from.
static inline s_line_t
s_block_line (const char *src, size_t from, size_t limit)
{
    s_line_t line = { from, from, limit + 1 };
    size_t pos = from;
    while (pos < limit && src [pos] != '\n' && src [pos] != '\r')
        pos++;
    line.end = pos;
    if (pos < limit)
        line.next = pos + ((src [pos] == '\r' && pos + 1 < limit && src [pos + 1] == '\n') ? 2 : 1);
    return line;
}

//  Leading white space (tab, space) of a line.
static inline size_t
s_leading_white (const char *src, s_line_t line)
{
    size_t pos = line.start;
    while (pos < line.end && (src [pos] == ' ' || src [pos] == '\t'))
        pos++;
    return pos - line.start;
}

//  StringValue :: `"""` BlockStringCharacter* `"""`
//  BlockStringCharacter ::
//    - SourceCharacter but not `"""` or `\"""`
//    - `\"""`
//  The value is BlockStringValue(rawValue): lines split at LineTerminator,
//  the common indentation of all lines but the first removed, leading and
//  trailing blank lines dropped, and lines joined with U+000A.
static int
s_read_block_string (dp_lexer_t *self, dp_token_t *token, size_t start, dp_parse_error_t *err)
{
    const unsigned char *src = (const unsigned char *) self->source;
    size_t len = self->len;
    s_token_begin (self, token, DP_TOKEN_BLOCK_STRING, start);

    //  Find the closing quotes, checking every character and following the
    //  lines, so the tokens after the string get their line and column.
    size_t content = start + 3;
    size_t pos = content;
    uint32_t lines = 0;
    size_t line_start = self->line_start;
    size_t line_adjust = self->line_adjust;
    size_t close = 0;
    bool closed = false;
    while (pos < len) {
        unsigned char c = src [pos];
        if (c == '"' && pos + 2 < len && src [pos + 1] == '"' && src [pos + 2] == '"') {
            close = pos;
            closed = true;
            break;
        }
        if (c == '\\' && pos + 3 < len && src [pos + 1] == '"' && src [pos + 2] == '"'
        &&  src [pos + 3] == '"') {
            pos += 4;
            continue;
        }
        if (c == '\n' || c == '\r') {
            pos += (c == '\r' && pos + 1 < len && src [pos + 1] == '\n') ? 2 : 1;
            lines++;
            line_start = pos;
            line_adjust = 0;
            continue;
        }
        if (c < 0x80) {
            pos++;
            continue;
        }
        size_t size;
        int32_t code = s_utf8_decode (src + pos, len - pos, &size);
        if (code < 0)
            return s_error (self, err, pos, "Invalid UTF-8 byte 0x%02X.", c);
        line_adjust += size - (code >= 0x10000 ? 2 : 1);
        pos += size;
    }
    if (!closed)
        return s_error (self, err, pos, "Unterminated string.");
    self->line += lines;
    self->line_start = line_start;
    self->line_adjust = line_adjust;
    self->pos = close + 3;
    token->end = close + 3;

    //  Common indentation of the non-blank lines after the first, and the
    //  first and last non-blank lines.
    const char *text = self->source;
    size_t common = SIZE_MAX;
    size_t first = SIZE_MAX, last = 0, index = 0;
    for (size_t from = content; from <= close; index++) {
        s_line_t line = s_block_line (text, from, close);
        size_t indent = s_leading_white (text, line);
        if (indent < line.end - line.start) {
            if (first == SIZE_MAX)
                first = index;
            last = index;
            if (index != 0 && indent < common)
                common = indent;
        }
        from = line.next;
    }
    char *out = dp_arena_alloc (self->arena, close - content + 1);
    size_t out_len = 0;
    if (first != SIZE_MAX) {
        index = 0;
        for (size_t from = content; index <= last; index++) {
            s_line_t line = s_block_line (text, from, close);
            from = line.next;
            if (index < first)
                continue;
            if (index > first)
                out [out_len++] = '\n';
            size_t pos_in = line.start;
            if (index != 0) {
                size_t line_len = line.end - line.start;
                pos_in += common < line_len ? common : line_len;
            }
            //  Copy, turning \""" back into """.
            while (pos_in < line.end) {
                if (text [pos_in] == '\\' && pos_in + 3 < line.end
                &&  text [pos_in + 1] == '"' && text [pos_in + 2] == '"'
                &&  text [pos_in + 3] == '"') {
                    pos_in++;
                    memcpy (out + out_len, text + pos_in, 3);
                    out_len += 3;
                    pos_in += 3;
                }
                else
                    out [out_len++] = text [pos_in++];
            }
        }
    }
    assert (out_len <= close - content);
    out [out_len] = 0;
    token->value = out;
    token->value_len = out_len;
    return 0;
}

//  ---------------------------------------------------------------------
//  Public API

void
dp_lexer_init (dp_lexer_t *self, dp_arena_t *arena, const char *source, size_t len)
{
    assert (self);
    assert (arena);
    assert (source || len == 0);
    self->source = source ? source : "";
    self->len = len;
    self->pos = 0;
    self->line = 1;
    self->line_start = 0;
    self->line_adjust = 0;
    self->arena = arena;
}

//  Token ::
//    - Punctuator
//    - Name
//    - IntValue
//    - FloatValue
//    - StringValue
//  Ignored :: UnicodeBOM | WhiteSpace | LineTerminator | Comment | Comma
int
dp_lexer_next (dp_lexer_t *self, dp_token_t *token, dp_parse_error_t *err)
{
    assert (self);
    assert (token);
    const unsigned char *src = (const unsigned char *) self->source;
    size_t len = self->len;
    size_t pos = self->pos;
    while (pos < len) {
        int c = src [pos];
        switch (c) {
            //  WhiteSpace, Comma
            case '\t':
            case ' ':
            case ',':
                pos++;
                continue;
            //  LineTerminator :: \n | \r [lookahead != \n] | \r\n
            case '\n':
                pos++;
                self->line++;
                self->line_start = pos;
                self->line_adjust = 0;
                continue;
            case '\r':
                pos += (pos + 1 < len && src [pos + 1] == '\n') ? 2 : 1;
                self->line++;
                self->line_start = pos;
                self->line_adjust = 0;
                continue;
            //  UnicodeBOM (U+FEFF, three bytes, one UTF-16 unit)
            case 0xEF:
                if (pos + 2 < len && src [pos + 1] == 0xBB && src [pos + 2] == 0xBF) {
                    pos += 3;
                    self->line_adjust += 2;
                    continue;
                }
                break;
            case '#':
                return s_read_comment (self, token, pos);
            //  Punctuator :: one of ! $ & ( ) ... : = @ [ ] { | }
            case '!': return s_punctuator (self, token, DP_TOKEN_BANG, pos, 1);
            case '$': return s_punctuator (self, token, DP_TOKEN_DOLLAR, pos, 1);
            case '&': return s_punctuator (self, token, DP_TOKEN_AMP, pos, 1);
            case '(': return s_punctuator (self, token, DP_TOKEN_PAREN_L, pos, 1);
            case ')': return s_punctuator (self, token, DP_TOKEN_PAREN_R, pos, 1);
            case ':': return s_punctuator (self, token, DP_TOKEN_COLON, pos, 1);
            case '=': return s_punctuator (self, token, DP_TOKEN_EQUALS, pos, 1);
            case '@': return s_punctuator (self, token, DP_TOKEN_AT, pos, 1);
            case '[': return s_punctuator (self, token, DP_TOKEN_BRACKET_L, pos, 1);
            case ']': return s_punctuator (self, token, DP_TOKEN_BRACKET_R, pos, 1);
            case '{': return s_punctuator (self, token, DP_TOKEN_BRACE_L, pos, 1);
            case '|': return s_punctuator (self, token, DP_TOKEN_PIPE, pos, 1);
            case '}': return s_punctuator (self, token, DP_TOKEN_BRACE_R, pos, 1);
            case '.':
                if (pos + 2 < len && src [pos + 1] == '.' && src [pos + 2] == '.')
                    return s_punctuator (self, token, DP_TOKEN_SPREAD, pos, 3);
                break;
            case '"':
                if (pos + 2 < len && src [pos + 1] == '"' && src [pos + 2] == '"')
                    return s_read_block_string (self, token, pos, err);
                return s_read_string (self, token, pos, err);
            default:
                break;
        }
        if (s_is_digit (c) || c == '-')
            return s_read_number (self, token, pos, err);
        if (s_is_name_start (c))
            return s_read_name (self, token, pos);
        self->pos = pos;
        if (c == '\'')
            return s_error (self, err, pos, "Unexpected single quote character ('), "
                            "did you mean to use a double quote (\")?");
        if (c >= 0x80) {
            size_t size;
            if (s_utf8_decode (src + pos, len - pos, &size) < 0)
                return s_error (self, err, pos, "Invalid UTF-8 byte 0x%02X.", c);
        }
        char buf [16];
        return s_error (self, err, pos, "Unexpected character: %s.",
                        s_print_char (self, pos, buf, sizeof buf));
    }
    self->pos = len;
    s_token_begin (self, token, DP_TOKEN_EOF, len);
    return 0;
}

const char *
dp_token_kind_name (dp_token_kind_t kind)
{
    switch (kind) {
        case DP_TOKEN_SOF:          return "<SOF>";
        case DP_TOKEN_EOF:          return "<EOF>";
        case DP_TOKEN_BANG:         return "\"!\"";
        case DP_TOKEN_DOLLAR:       return "\"$\"";
        case DP_TOKEN_AMP:          return "\"&\"";
        case DP_TOKEN_PAREN_L:      return "\"(\"";
        case DP_TOKEN_PAREN_R:      return "\")\"";
        case DP_TOKEN_SPREAD:       return "\"...\"";
        case DP_TOKEN_COLON:        return "\":\"";
        case DP_TOKEN_EQUALS:       return "\"=\"";
        case DP_TOKEN_AT:           return "\"@\"";
        case DP_TOKEN_BRACKET_L:    return "\"[\"";
        case DP_TOKEN_BRACKET_R:    return "\"]\"";
        case DP_TOKEN_BRACE_L:      return "\"{\"";
        case DP_TOKEN_PIPE:         return "\"|\"";
        case DP_TOKEN_BRACE_R:      return "\"}\"";
        case DP_TOKEN_NAME:         return "Name";
        case DP_TOKEN_INT:          return "Int";
        case DP_TOKEN_FLOAT:        return "Float";
        case DP_TOKEN_STRING:       return "String";
        case DP_TOKEN_BLOCK_STRING: return "BlockString";
        case DP_TOKEN_COMMENT:      return "Comment";
    }
    return "<unknown>";
}

char *
dp_token_describe (const dp_token_t *token, char *buf, size_t size)
{
    assert (token);
    assert (buf && size >= 16);
    const char *kind = dp_token_kind_name (token->kind);
    size_t used = strlen (kind);
    if (used >= size)
        used = size - 1;
    memcpy (buf, kind, used);
    if (token->value && used + 4 < size) {
        //  Room for ` "`, the value, `"` and the NUL; beyond it, cut the
        //  value at a character boundary and mark the cut with "...".
        size_t room = size - used - 4;
        size_t value_len = token->value_len;
        const char *nul = memchr (token->value, 0, value_len);
        if (nul)
            value_len = (size_t) (nul - token->value);
        bool cut = value_len > room;
        if (cut) {
            value_len = room > 3 ? room - 3 : 0;
            while (value_len > 0 && ((unsigned char) token->value [value_len] & 0xC0) == 0x80)
                value_len--;
        }
        buf [used++] = ' ';
        buf [used++] = '"';
        memcpy (buf + used, token->value, value_len);
        used += value_len;
        if (cut && used + 4 < size) {
            memcpy (buf + used, "...", 3);
            used += 3;
        }
        buf [used++] = '"';
    }
    buf [used] = 0;
    return buf;
}

dp_loc_t
dp_lexer_location (const char *source, size_t len, size_t offset)
{
    assert (source || len == 0);
    if (offset > len)
        offset = len;
    //  Lines end at \r\n, \n or \r; a break that starts before offset counts.
    uint32_t line = 1;
    size_t line_start = 0;
    for (size_t pos = 0; pos < offset; ) {
        char c = source [pos];
        if (c == '\n' || c == '\r') {
            pos += (c == '\r' && pos + 1 < len && source [pos + 1] == '\n') ? 2 : 1;
            line++;
            line_start = pos;
        }
        else
            pos++;
    }
    dp_loc_t loc = { line, 0 };
    if (line_start > offset)
        return loc;             //  offset inside a \r\n: graphql-js says column 0
    //  Column in UTF-16 code units; an invalid byte counts as one.
    uint32_t units = 0;
    for (size_t pos = line_start; pos < offset; ) {
        size_t size;
        int32_t code = s_utf8_decode ((const unsigned char *) source + pos, len - pos, &size);
        units += code >= 0x10000 ? 2 : 1;
        pos += size;
    }
    loc.column = units + 1;
    return loc;
}

//  ---------------------------------------------------------------------
//  Selftest

//  Lex len bytes of source into tokens (comments included, up to max);
//  returns how many were read before <EOF> or an error (*rc).
static size_t
s_test_lex (dp_arena_t *arena, const char *source, size_t len, dp_token_t *tokens,
            size_t max, int *rc, dp_parse_error_t *err)
{
    dp_lexer_t lexer;
    dp_lexer_init (&lexer, arena, source, len);
    size_t count = 0;
    *rc = 0;
    while (count < max) {
        *rc = dp_lexer_next (&lexer, &tokens [count], err);
        if (*rc || tokens [count].kind == DP_TOKEN_EOF)
            break;
        count++;
    }
    return count;
}

//  The single token of source (with its value), which must lex cleanly.
static dp_token_t
s_test_one (dp_arena_t *arena, const char *source)
{
    dp_token_t tokens [2];
    int rc;
    dp_parse_error_t err;
    size_t count = s_test_lex (arena, source, strlen (source), tokens, 2, &rc, &err);
    if (rc)
        fprintf (stderr, "unexpected error for %s: %s\n", source, err.message);
    assert (rc == 0 && count == 1);
    return tokens [0];
}

static bool
s_test_value_is (const dp_token_t *token, const char *value, size_t len)
{
    return token->value_len == len && memcmp (token->value, value, len) == 0;
}

//  The error lexing len bytes of source, which must fail with message
//  (without the "Syntax Error: " prefix) at line:column.
static void
s_test_error (dp_arena_t *arena, const char *source, size_t len, const char *message,
              uint32_t line, uint32_t column)
{
    dp_token_t tokens [16];
    int rc;
    dp_parse_error_t err;
    s_test_lex (arena, source, len, tokens, 16, &rc, &err);
    bool same = rc == -1 && strncmp (err.message, "Syntax Error: ", 14) == 0
             && strcmp (err.message + 14, message) == 0
             && err.loc.line == line && err.loc.column == column;
    if (!same)
        fprintf (stderr, "source %s: got rc=%d '%s' at %u:%u, want '%s' at %u:%u\n",
                 source, rc, rc ? err.message : "", rc ? err.loc.line : 0,
                 rc ? err.loc.column : 0, message, line, column);
    assert (same);
}

void
dp_lexer_test (bool verbose)
{
    if (verbose)
        printf (" * dp_lexer: ");
    dp_arena_t *arena = dp_arena_new (0);
    dp_token_t tokens [64];
    dp_parse_error_t err;
    int rc;

    //  Every punctuator, with its column; a lone or double '.' is not one.
    const char *punctuators = "! $ & ( ) ... : = @ [ ] { | }";
    static const dp_token_kind_t kinds [] = {
        DP_TOKEN_BANG, DP_TOKEN_DOLLAR, DP_TOKEN_AMP, DP_TOKEN_PAREN_L, DP_TOKEN_PAREN_R,
        DP_TOKEN_SPREAD, DP_TOKEN_COLON, DP_TOKEN_EQUALS, DP_TOKEN_AT, DP_TOKEN_BRACKET_L,
        DP_TOKEN_BRACKET_R, DP_TOKEN_BRACE_L, DP_TOKEN_PIPE, DP_TOKEN_BRACE_R
    };
    static const uint32_t columns [] = { 1, 3, 5, 7, 9, 11, 15, 17, 19, 21, 23, 25, 27, 29 };
    size_t count = s_test_lex (arena, punctuators, strlen (punctuators), tokens, 64, &rc, &err);
    assert (rc == 0 && count == 14);
    for (size_t i = 0; i < count; i++) {
        assert (tokens [i].kind == kinds [i]);
        assert (tokens [i].line == 1 && tokens [i].column == columns [i]);
        assert (tokens [i].value == NULL);
        assert (tokens [i].end - tokens [i].start == (kinds [i] == DP_TOKEN_SPREAD ? 3u : 1u));
    }
    assert (tokens [14].kind == DP_TOKEN_EOF && tokens [14].column == 30);
    s_test_error (arena, "a . b", 5, "Unexpected character: \".\".", 1, 3);
    s_test_error (arena, "a ..b", 5, "Unexpected character: \".\".", 1, 3);

    //  Names and numbers are slices of the source.
    const char *values = "name _x1 0 -12 3.14 -0.5e10 6E-3 1e+2 __typename";
    static const dp_token_kind_t value_kinds [] = {
        DP_TOKEN_NAME, DP_TOKEN_NAME, DP_TOKEN_INT, DP_TOKEN_INT, DP_TOKEN_FLOAT,
        DP_TOKEN_FLOAT, DP_TOKEN_FLOAT, DP_TOKEN_FLOAT, DP_TOKEN_NAME
    };
    static const char *value_texts [] = {
        "name", "_x1", "0", "-12", "3.14", "-0.5e10", "6E-3", "1e+2", "__typename"
    };
    count = s_test_lex (arena, values, strlen (values), tokens, 64, &rc, &err);
    assert (rc == 0 && count == 9);
    for (size_t i = 0; i < count; i++) {
        assert (tokens [i].kind == value_kinds [i]);
        assert (s_test_value_is (&tokens [i], value_texts [i], strlen (value_texts [i])));
        assert (tokens [i].value == values + tokens [i].start);
    }

    //  Number errors, worded and placed as graphql-js does.
    s_test_error (arena, "0123", 4, "Invalid number, unexpected digit after 0: \"1\".", 1, 2);
    s_test_error (arena, "1.", 2, "Invalid number, expected digit but got: <EOF>.", 1, 3);
    s_test_error (arena, "1.)", 3, "Invalid number, expected digit but got: \")\".", 1, 3);
    s_test_error (arena, "1a", 2, "Invalid number, expected digit but got: \"a\".", 1, 2);
    s_test_error (arena, "1.5.5", 5, "Invalid number, expected digit but got: \".\".", 1, 4);
    s_test_error (arena, "1e", 2, "Invalid number, expected digit but got: <EOF>.", 1, 3);
    s_test_error (arena, "1e+x", 4, "Invalid number, expected digit but got: \"x\".", 1, 4);
    s_test_error (arena, "-", 1, "Invalid number, expected digit but got: <EOF>.", 1, 2);
    s_test_error (arena, "--1", 3, "Invalid number, expected digit but got: \"-\".", 1, 2);
    s_test_error (arena, "0x1F", 4, "Invalid number, expected digit but got: \"x\".", 1, 2);
    s_test_error (arena, "1\xc3\xa9", 3, "Unexpected character: U+00E9.", 1, 2);
    s_test_error (arena, "1\xff", 2, "Invalid UTF-8 byte 0xFF.", 1, 2);
    s_test_error (arena, "-\"", 2, "Invalid number, expected digit but got: '\"'.", 1, 2);
    s_test_error (arena, "-\xc3\xa9", 3, "Invalid number, expected digit but got: U+00E9.", 1, 2);

    //  Strings: every escape, \u with four digits, surrogate pairs and the
    //  braced form, and raw UTF-8, all decoded to UTF-8.
    dp_token_t token = s_test_one (arena, "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"");
    assert (token.kind == DP_TOKEN_STRING);
    assert (s_test_value_is (&token, "a\"b\\c/d\be\ff\ng\rh\ti", 17));
    assert (token.value [token.value_len] == 0);
    token = s_test_one (arena, "\"\\u00e9\\u20AC\\uD83D\\uDE00\\u{1F600}\\u{0}x\\u{000041}\"");
    assert (s_test_value_is (&token, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf0\x9f\x98\x80\0xA", 16));
    token = s_test_one (arena, "\"\\u{10FFFF}\\uFFFF\\u{E000}\"");
    assert (s_test_value_is (&token, "\xf4\x8f\xbf\xbf\xef\xbf\xbf\xee\x80\x80", 10));
    token = s_test_one (arena, "\"\xc3\xa9\xf0\x9f\x98\x80 raw\"");
    assert (s_test_value_is (&token, "\xc3\xa9\xf0\x9f\x98\x80 raw", 10));
    token = s_test_one (arena, "\"\"");
    assert (token.kind == DP_TOKEN_STRING && token.value_len == 0 && token.value [0] == 0);
    //  A NUL and a tab may sit inside a string (they are SourceCharacters).
    token = s_test_one (arena, "\"a\tb\"");
    assert (s_test_value_is (&token, "a\tb", 3));
    count = s_test_lex (arena, "\"a\0b\"", 5, tokens, 4, &rc, &err);
    assert (rc == 0 && count == 1 && s_test_value_is (&tokens [0], "a\0b", 3));
    assert (tokens [0].end == 5);

    //  String errors.
    s_test_error (arena, "\"abc", 4, "Unterminated string.", 1, 5);
    s_test_error (arena, "\"ab\ncd\"", 7, "Unterminated string.", 1, 4);
    s_test_error (arena, "\"ab\r\"", 5, "Unterminated string.", 1, 4);
    s_test_error (arena, "\"\\x\"", 4, "Invalid character escape sequence: \"\\x\".", 1, 2);
    s_test_error (arena, "\"\\", 2, "Invalid character escape sequence: \"\\\".", 1, 2);
    s_test_error (arena, "\"\\\xc3\xa9\"", 5, "Invalid character escape sequence: \"\\\xc3\xa9\".", 1, 2);
    s_test_error (arena, "\"\\u12\"", 6, "Invalid Unicode escape sequence: \"\\u12\"\".", 1, 2);
    s_test_error (arena, "\"\\u12G4\"", 8, "Invalid Unicode escape sequence: \"\\u12G4\".", 1, 2);
    s_test_error (arena, "\"\\uD83D\"", 8, "Invalid Unicode escape sequence: \"\\uD83D\".", 1, 2);
    s_test_error (arena, "\"\\uDE00\"", 8, "Invalid Unicode escape sequence: \"\\uDE00\".", 1, 2);
    s_test_error (arena, "\"\\uD83Dx\"", 9, "Invalid Unicode escape sequence: \"\\uD83D\".", 1, 2);
    s_test_error (arena, "\"\\uD83D\\u0041\"", 14, "Invalid Unicode escape sequence: \"\\uD83D\".", 1, 2);
    s_test_error (arena, "\"\\u{}\"", 6, "Invalid Unicode escape sequence: \"\\u{}\".", 1, 2);
    s_test_error (arena, "\"\\u{110000}\"", 12, "Invalid Unicode escape sequence: \"\\u{110000}\".", 1, 2);
    s_test_error (arena, "\"\\u{D800}\"", 10, "Invalid Unicode escape sequence: \"\\u{D800}\".", 1, 2);
    s_test_error (arena, "\"\\u{80000000}\"", 14, "Invalid Unicode escape sequence: \"\\u{80000000\".", 1, 2);
    s_test_error (arena, "\"\\u{000000041}\"", 15, "Invalid Unicode escape sequence: \"\\u{000000041\".", 1, 2);
    s_test_error (arena, "\"\\u{1F60", 8, "Invalid Unicode escape sequence: \"\\u{1F60\".", 1, 2);
    s_test_error (arena, "x \"\\u{G}\"", 9, "Invalid Unicode escape sequence: \"\\u{G\".", 1, 4);

    //  Block strings: BlockStringValue() removes the common indentation of
    //  all lines but the first and the blank lines around the text.
    static const struct {
        const char *source;
        const char *value;
    } blocks [] = {
        { "\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"",
          "Hello,\n  World!\n\nYours,\n  GraphQL." },
        { "\"\"\"  first\n    second\n   third\"\"\"", "  first\n second\nthird" },
        { "\"\"\"a \\\"\"\" b\"\"\"", "a \"\"\" b" },
        { "\"\"\"\r\n  x\r\n  y\r  z\r\n\"\"\"", "x\ny\nz" },
        { "\"\"\"  \n   \n\"\"\"", "" },
        { "\"\"\"\"\"\"", "" },
        { "\"\"\"\n\t\ta\n\t b\n\"\"\"", "a\nb" },
        { "\"\"\"\n  a\n\n    b\n  \"\"\"", "a\n\n  b" },
        { "\"\"\"no \\n escapes \\u0041\"\"\"", "no \\n escapes \\u0041" },
        { "\"\"\" \\\\\"\"\" x \"\"\"", " \\\"\"\" x " },
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks [0]; i++) {
        token = s_test_one (arena, blocks [i].source);
        assert (token.kind == DP_TOKEN_BLOCK_STRING);
        assert (strcmp (token.value, blocks [i].value) == 0);
        assert (token.value_len == strlen (blocks [i].value));
    }
    s_test_error (arena, "\"\"\"open", 7, "Unterminated string.", 1, 8);
    s_test_error (arena, "\"\"\"a\nb\\\"\"\"", 10, "Unterminated string.", 2, 6);
    //  The token after a block string is placed on the string's last line.
    const char *after = "\"\"\"a\n  b\"\"\" x";
    count = s_test_lex (arena, after, strlen (after), tokens, 4, &rc, &err);
    assert (rc == 0 && count == 2);
    assert (tokens [1].kind == DP_TOKEN_NAME && tokens [1].line == 2 && tokens [1].column == 8);
    after = "\"\"\"\n  \xc3\xa9\xf0\x9f\x98\x80\n    x\"\"\" y";
    count = s_test_lex (arena, after, strlen (after), tokens, 4, &rc, &err);
    assert (rc == 0 && count == 2);
    assert (strcmp (tokens [0].value, "\xc3\xa9\xf0\x9f\x98\x80\n  x") == 0);
    assert (tokens [1].line == 3 && tokens [1].column == 10);

    //  Comments come back as tokens; line terminators \n, \r\n and \r.
    const char *comments = "# hello\n{ # c2\r\n}\r,a";
    count = s_test_lex (arena, comments, strlen (comments), tokens, 8, &rc, &err);
    assert (rc == 0 && count == 5);
    assert (tokens [0].kind == DP_TOKEN_COMMENT && s_test_value_is (&tokens [0], " hello", 6));
    assert (tokens [0].line == 1 && tokens [0].column == 1);
    assert (tokens [1].kind == DP_TOKEN_BRACE_L && tokens [1].line == 2 && tokens [1].column == 1);
    assert (tokens [2].kind == DP_TOKEN_COMMENT && s_test_value_is (&tokens [2], " c2", 3));
    assert (tokens [2].column == 3);
    assert (tokens [3].kind == DP_TOKEN_BRACE_R && tokens [3].line == 3 && tokens [3].column == 1);
    assert (tokens [4].kind == DP_TOKEN_NAME && tokens [4].line == 4 && tokens [4].column == 2);

    //  Ignored: a BOM (one column), commas, tabs.
    count = s_test_lex (arena, "\xef\xbb\xbf,,\ta", 7, tokens, 4, &rc, &err);
    assert (rc == 0 && count == 1 && tokens [0].column == 5);

    //  Columns count UTF-16 code units: an emoji counts two.
    const char *wide = "\"\xf0\x9f\x98\x80\xc3\xa9\" x # \xf0\x9f\x98\x80\xf0\x9f\x98\x80\n  \xe2\x82\xac";
    count = s_test_lex (arena, wide, strlen (wide), tokens, 8, &rc, &err);
    assert (rc == -1 && count == 3);
    assert (tokens [1].kind == DP_TOKEN_NAME && tokens [1].column == 7);
    assert (tokens [2].kind == DP_TOKEN_COMMENT && tokens [2].column == 9);
    assert (err.loc.line == 2 && err.loc.column == 3);
    assert (strcmp (err.message, "Syntax Error: Unexpected character: U+20AC.") == 0);
    s_test_error (arena, "\"\xf0\x9f\x98\x80\" ?", 8, "Unexpected character: \"?\".", 1, 6);

    //  Characters outside the grammar, and bytes that are not UTF-8.
    s_test_error (arena, "{ ? }", 5, "Unexpected character: \"?\".", 1, 3);
    s_test_error (arena, "'x'", 3, "Unexpected single quote character ('), "
                  "did you mean to use a double quote (\")?", 1, 1);
    s_test_error (arena, "a \x07", 3, "Unexpected character: U+0007.", 1, 3);
    s_test_error (arena, "a \0", 3, "Unexpected character: U+0000.", 1, 3);
    s_test_error (arena, "\xc2\xa0", 2, "Unexpected character: U+00A0.", 1, 1);
    s_test_error (arena, "{ \xff }", 5, "Invalid UTF-8 byte 0xFF.", 1, 3);
    s_test_error (arena, "\"a\xc3(\"", 5, "Invalid UTF-8 byte 0xC3.", 1, 3);
    s_test_error (arena, "\"\xc0\xaf\"", 4, "Invalid UTF-8 byte 0xC0.", 1, 2);
    s_test_error (arena, "\"\xed\xa0\x80\"", 5, "Invalid UTF-8 byte 0xED.", 1, 2);
    s_test_error (arena, "\"\"\"\xf4\x90\x80\x80\"\"\"", 10, "Invalid UTF-8 byte 0xF4.", 1, 4);
    s_test_error (arena, "# ok \xe2\x82\n", 8, "Invalid UTF-8 byte 0xE2.", 1, 6);

    //  The source need not be NUL-terminated; EOF repeats.
    dp_lexer_t lexer;
    dp_lexer_init (&lexer, arena, "abc", 2);
    assert (dp_lexer_next (&lexer, &token, &err) == 0);
    assert (token.kind == DP_TOKEN_NAME && s_test_value_is (&token, "ab", 2));
    assert (dp_lexer_next (&lexer, &token, &err) == 0 && token.kind == DP_TOKEN_EOF);
    assert (token.start == 2 && token.column == 3);
    assert (dp_lexer_next (&lexer, &token, &err) == 0 && token.kind == DP_TOKEN_EOF);
    dp_lexer_init (&lexer, arena, NULL, 0);
    assert (dp_lexer_next (&lexer, &token, &err) == 0 && token.kind == DP_TOKEN_EOF);
    assert (token.line == 1 && token.column == 1);

    //  Descriptions as graphql-js writes them, cut to fit.
    char desc [48];
    token = s_test_one (arena, "name");
    assert (strcmp (dp_token_describe (&token, desc, sizeof desc), "Name \"name\"") == 0);
    token = s_test_one (arena, "{");
    assert (strcmp (dp_token_describe (&token, desc, sizeof desc), "\"{\"") == 0);
    token = s_test_one (arena, "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"");
    dp_token_describe (&token, desc, sizeof desc);
    assert (strlen (desc) < sizeof desc);
    assert (strncmp (desc, "String \"\xc3\xa9", 10) == 0);
    assert (strcmp (desc + strlen (desc) - 4, "...\"") == 0);
    //  The cut never splits a character: the byte before "..." ends one.
    assert (((unsigned char) desc [strlen (desc) - 5] & 0xC0) == 0x80);
    assert (strcmp (dp_token_kind_name (DP_TOKEN_EOF), "<EOF>") == 0);
    assert (strcmp (dp_token_kind_name (DP_TOKEN_SPREAD), "\"...\"") == 0);
    assert (strcmp (dp_token_kind_name (DP_TOKEN_BLOCK_STRING), "BlockString") == 0);

    //  Locations like graphql-js's getLocation.
    const char *text = "ab\r\ncd\re\xf0\x9f\x98\x80" "f\ng";
    size_t text_len = strlen (text);
    dp_loc_t loc = dp_lexer_location (text, text_len, 0);
    assert (loc.line == 1 && loc.column == 1);
    loc = dp_lexer_location (text, text_len, 4);        //  'c'
    assert (loc.line == 2 && loc.column == 1);
    loc = dp_lexer_location (text, text_len, 7);        //  'e'
    assert (loc.line == 3 && loc.column == 1);
    loc = dp_lexer_location (text, text_len, 12);       //  'f', after the emoji
    assert (loc.line == 3 && loc.column == 4);
    loc = dp_lexer_location (text, text_len, text_len); //  end
    assert (loc.line == 4 && loc.column == 2);

    dp_arena_destroy (&arena);
    if (verbose)
        printf ("OK\n");
}
