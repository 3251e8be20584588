/*  =========================================================================
    dp_parser - GraphQL parser (executable documents and SDL)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A recursive-descent parser over dp_lexer tokens. Each function parses
    one production of the October 2021 specification, named in its comment,
    and returns 0 or a node, or -1 or NULL after filling the error. The
    order of checks follows graphql-js's parser.ts, so a malformed document
    gets the same first error, message and position as in graphql-js 16.
@discuss
    Lists are built in arena vectors that double as they grow, so nothing
    is allocated outside the arena. Recursion only happens through
    selection sets, list and object values and list types; each of those
    counts one level of depth, checked against max_depth and a hard cap
    (S_DEPTH_CAP) even when the caller sets no limit, so hostile input
    cannot exhaust the stack. Tokens are counted like graphql-js's
    maxTokens: every token the parser moves onto, except <EOF>.
@end
*/
#include "dp_parser.h"
#include "dp_lexer.h"
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include <assert.h>

//  Deepest nesting the parser ever accepts, whatever the caller asks.
#define S_DEPTH_CAP 512

//  Room for a token description inside a 256-byte message.
#define S_DESC_LEN 160

typedef struct {
    dp_lexer_t lexer;
    dp_arena_t *arena;
    dp_token_t token;           //  current token
    dp_token_t ahead;           //  the token after it, when has_ahead
    bool has_ahead;
    size_t max_tokens;          //  0: unlimited
    size_t token_count;         //  tokens moved onto, <EOF> excluded
    size_t max_depth;           //  effective limit, 1..S_DEPTH_CAP
    size_t depth;               //  current nesting
    dp_parse_error_t *err;
} s_parser_t;

//  A list under construction, in the arena.
typedef struct {
    void *items;
    size_t count;
    size_t capacity;
} s_vec_t;

//  ---------------------------------------------------------------------
//  Errors

static int
s_fail (s_parser_t *self, size_t offset, const char *format, ...)
    __attribute__ ((format (printf, 3, 4), noinline, cold));

//  Fill the error with "Syntax Error: " + text at byte offset. Returns -1.
static int
s_fail (s_parser_t *self, size_t offset, const char *format, ...)
{
    static const char prefix [] = "Syntax Error: ";
    dp_parse_error_t *err = self->err;
    memcpy (err->message, prefix, sizeof prefix);
    va_list args;
    va_start (args, format);
    vsnprintf (err->message + sizeof prefix - 1,
               sizeof err->message - (sizeof prefix - 1), format, args);
    va_end (args);
    //  A cut message must still end on a character boundary.
    size_t len = strlen (err->message);
    if (len == sizeof err->message - 1) {
        size_t cut = len;
        while (cut > 0 && ((unsigned char) err->message [cut - 1] & 0xC0) == 0x80)
            cut--;
        if (cut > 0 && ((unsigned char) err->message [cut - 1] & 0xC0) == 0xC0) {
            size_t need = ((unsigned char) err->message [cut - 1] >= 0xF0) ? 4
                        : ((unsigned char) err->message [cut - 1] >= 0xE0) ? 3 : 2;
            if (len - (cut - 1) < need)
                err->message [cut - 1] = 0;
        }
    }
    err->loc = dp_lexer_location (self->lexer.source, self->lexer.len, offset);
    return -1;
}

//  "Unexpected <token>." at token. Error paths stay out of line, so the
//  recursive functions keep small stack frames.
static int
s_unexpected (s_parser_t *self, const dp_token_t *token)
    __attribute__ ((noinline, cold));

static int
s_unexpected (s_parser_t *self, const dp_token_t *token)
{
    char desc [S_DESC_LEN];
    return s_fail (self, token->start, "Unexpected %s.",
                   dp_token_describe (token, desc, sizeof desc));
}

//  ---------------------------------------------------------------------
//  Tokens

static inline dp_loc_t
s_loc (const dp_token_t *token)
{
    dp_loc_t loc = { token->line, token->column };
    return loc;
}

//  Next token that is not a comment.
static inline int
s_lex (s_parser_t *self, dp_token_t *token)
{
    do {
        if (dp_lexer_next (&self->lexer, token, self->err))
            return -1;
    } while (token->kind == DP_TOKEN_COMMENT);
    return 0;
}

//  Move onto the next token, counting it against max_tokens.
static int
s_advance (s_parser_t *self)
{
    if (self->has_ahead) {
        self->token = self->ahead;
        self->has_ahead = false;
    }
    else
    if (self->token.kind != DP_TOKEN_EOF) {
        if (s_lex (self, &self->token))
            return -1;
    }
    if (self->token.kind != DP_TOKEN_EOF) {
        self->token_count++;
        if (self->max_tokens && self->token_count > self->max_tokens)
            return s_fail (self, self->token.start,
                           "Document contains more than %zu tokens. Parsing aborted.",
                           self->max_tokens);
    }
    return 0;
}

//  The token after the current one, without moving; NULL on a lexing
//  error.
static const dp_token_t *
s_lookahead (s_parser_t *self)
{
    if (self->token.kind == DP_TOKEN_EOF)
        return &self->token;
    if (!self->has_ahead) {
        if (s_lex (self, &self->ahead))
            return NULL;
        self->has_ahead = true;
    }
    return &self->ahead;
}

static inline bool
s_peek (const s_parser_t *self, dp_token_kind_t kind)
{
    return self->token.kind == kind;
}

//  True if token has a value equal to word (graphql-js compares
//  token.value, whatever the kind).
static inline bool
s_value_is (const dp_token_t *token, const char *word)
{
    size_t len = strlen (word);
    return token->value && token->value_len == len && memcmp (token->value, word, len) == 0;
}

static inline bool
s_is_keyword (const dp_token_t *token, const char *word)
{
    return token->kind == DP_TOKEN_NAME && s_value_is (token, word);
}

//  "Expected <what>, found <token>." at the current token.
static int
s_expected (s_parser_t *self, const char *what)
    __attribute__ ((noinline, cold));

static int
s_expected (s_parser_t *self, const char *what)
{
    char desc [S_DESC_LEN];
    return s_fail (self, self->token.start, "Expected %s, found %s.", what,
                   dp_token_describe (&self->token, desc, sizeof desc));
}

//  expectToken: move past a token of kind, or fail.
static inline int
s_expect (s_parser_t *self, dp_token_kind_t kind)
{
    if (self->token.kind == kind)
        return s_advance (self);
    return s_expected (self, dp_token_kind_name (kind));
}

//  expectOptionalToken: 1 if a token of kind was skipped, 0 if the current
//  token is another kind, -1 on error.
static inline int
s_skip (s_parser_t *self, dp_token_kind_t kind)
{
    if (self->token.kind != kind)
        return 0;
    return s_advance (self) ? -1 : 1;
}

//  expectKeyword
static int
s_expect_keyword (s_parser_t *self, const char *word)
{
    if (s_is_keyword (&self->token, word))
        return s_advance (self);
    char quoted [32];
    snprintf (quoted, sizeof quoted, "\"%s\"", word);
    return s_expected (self, quoted);
}

//  expectOptionalKeyword: 1, 0 or -1 like s_skip.
static inline int
s_skip_keyword (s_parser_t *self, const char *word)
{
    if (!s_is_keyword (&self->token, word))
        return 0;
    return s_advance (self) ? -1 : 1;
}

//  One level deeper, at the current token (which opens the level).
static inline int
s_enter (s_parser_t *self)
{
    if (++self->depth > self->max_depth)
        return s_fail (self, self->token.start,
                       "Document nesting exceeds the maximum depth of %zu.", self->max_depth);
    return 0;
}

static inline void
s_leave (s_parser_t *self)
{
    assert (self->depth > 0);
    self->depth--;
}

//  Append a zeroed element of size bytes; the pointer stays valid until
//  the next push onto the same vector.
static void *
s_push (s_parser_t *self, s_vec_t *vec, size_t size)
{
    if (vec->count == vec->capacity) {
        size_t capacity = vec->capacity ? vec->capacity * 2 : 4;
        void *items = dp_arena_alloc (self->arena, capacity * size);
        if (vec->count)
            memcpy (items, vec->items, vec->count * size);
        vec->items = items;
        vec->capacity = capacity;
    }
    void *slot = (char *) vec->items + vec->count++ * size;
    memset (slot, 0, size);
    return slot;
}

//  ---------------------------------------------------------------------
//  Names and types

//  Name: the current NAME token, copied NUL-terminated into the arena.
static const char *
s_parse_name (s_parser_t *self, dp_loc_t *loc)
{
    if (self->token.kind != DP_TOKEN_NAME) {
        s_expect (self, DP_TOKEN_NAME);
        return NULL;
    }
    const char *name = dp_arena_strndup (self->arena, self->token.value, self->token.value_len);
    if (loc)
        *loc = s_loc (&self->token);
    if (s_advance (self))
        return NULL;
    return name;
}

//  FragmentName : Name but not `on`
static const char *
s_parse_fragment_name (s_parser_t *self, dp_loc_t *loc)
{
    if (s_value_is (&self->token, "on")) {
        s_unexpected (self, &self->token);
        return NULL;
    }
    return s_parse_name (self, loc);
}

//  Type :
//    - NamedType
//    - ListType
//    - NonNullType
//  ListType : [ Type ]
//  NonNullType : NamedType ! | ListType !
static dp_ast_type_t *
s_parse_type (s_parser_t *self)
{
    dp_loc_t loc = s_loc (&self->token);
    dp_ast_type_t *type = dp_arena_calloc (self->arena, 1, sizeof *type);
    type->loc = loc;
    if (s_peek (self, DP_TOKEN_BRACKET_L)) {
        if (s_enter (self) || s_advance (self))
            return NULL;
        type->kind = DP_AST_TYPE_LIST;
        type->of = s_parse_type (self);
        if (!type->of || s_expect (self, DP_TOKEN_BRACKET_R))
            return NULL;
        s_leave (self);
    }
    else {
        type->kind = DP_AST_TYPE_NAMED;
        type->name = s_parse_name (self, NULL);
        if (!type->name)
            return NULL;
    }
    int rc = s_skip (self, DP_TOKEN_BANG);
    if (rc < 0)
        return NULL;
    if (rc) {
        dp_ast_type_t *non_null = dp_arena_calloc (self->arena, 1, sizeof *non_null);
        non_null->kind = DP_AST_TYPE_NON_NULL;
        non_null->of = type;
        non_null->loc = loc;
        return non_null;
    }
    return type;
}

//  NamedType : Name (as a dp_ast_name_t, for interfaces and members)
static int
s_parse_named (s_parser_t *self, dp_ast_name_t *name)
{
    name->value = s_parse_name (self, &name->loc);
    return name->value ? 0 : -1;
}

//  ---------------------------------------------------------------------
//  Values

static dp_ast_value_t *s_parse_value (s_parser_t *self, bool is_const);

//  Variable : $ Name    (name_loc, when not NULL, receives the Name's position)
static dp_ast_value_t *
s_parse_variable (s_parser_t *self, dp_loc_t *name_loc)
{
    dp_ast_value_t *value = dp_arena_calloc (self->arena, 1, sizeof *value);
    value->kind = DP_AST_VARIABLE;
    value->loc = s_loc (&self->token);
    if (s_expect (self, DP_TOKEN_DOLLAR))
        return NULL;
    if (self->token.kind == DP_TOKEN_NAME)
        value->text_len = self->token.value_len;
    value->text = s_parse_name (self, name_loc);
    return value->text ? value : NULL;
}

//  ListValue[Const] :
//    - [ ]
//    - [ Value[?Const]+ ]
static dp_ast_value_t *
s_parse_list (s_parser_t *self, bool is_const)
{
    dp_ast_value_t *value = dp_arena_calloc (self->arena, 1, sizeof *value);
    value->kind = DP_AST_LIST;
    value->loc = s_loc (&self->token);
    if (s_enter (self) || s_expect (self, DP_TOKEN_BRACKET_L))
        return NULL;
    s_vec_t items = { 0 };
    int rc;
    while ((rc = s_skip (self, DP_TOKEN_BRACKET_R)) == 0) {
        dp_ast_value_t **slot = s_push (self, &items, sizeof *slot);
        *slot = s_parse_value (self, is_const);
        if (!*slot)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    s_leave (self);
    value->items = items.items;
    value->n_items = items.count;
    return value;
}

//  ObjectValue[Const] :
//    - { }
//    - { ObjectField[?Const]+ }
//  ObjectField[Const] : Name : Value[?Const]
static dp_ast_value_t *
s_parse_object (s_parser_t *self, bool is_const)
{
    dp_ast_value_t *value = dp_arena_calloc (self->arena, 1, sizeof *value);
    value->kind = DP_AST_OBJECT;
    value->loc = s_loc (&self->token);
    if (s_enter (self) || s_expect (self, DP_TOKEN_BRACE_L))
        return NULL;
    s_vec_t fields = { 0 };
    int rc;
    while ((rc = s_skip (self, DP_TOKEN_BRACE_R)) == 0) {
        dp_ast_object_field_t *field = s_push (self, &fields, sizeof *field);
        field->name = s_parse_name (self, &field->loc);
        if (!field->name || s_expect (self, DP_TOKEN_COLON))
            return NULL;
        field->value = s_parse_value (self, is_const);
        if (!field->value)
            return NULL;
    }
    if (rc < 0)
        return NULL;
    s_leave (self);
    value->fields = fields.items;
    value->n_fields = fields.count;
    return value;
}

//  A variable where a constant is expected (a default value, or anything
//  in the type system): graphql-js moves past the '$' before it reports.
static void
s_const_variable (s_parser_t *self)
    __attribute__ ((noinline, cold));

static void
s_const_variable (s_parser_t *self)
{
    dp_token_t dollar = self->token;
    if (s_advance (self))
        return;
    if (self->token.kind == DP_TOKEN_NAME)
        s_fail (self, dollar.start, "Unexpected variable \"$%.*s\" in constant value.",
                (int) (self->token.value_len < 180 ? self->token.value_len : 180),
                self->token.value);
    else
        s_unexpected (self, &dollar);
}

//  Value[Const] :
//    - [~Const] Variable
//    - IntValue
//    - FloatValue
//    - StringValue
//    - BooleanValue
//    - NullValue
//    - EnumValue
//    - ListValue[?Const]
//    - ObjectValue[?Const]
//  BooleanValue : one of `true` `false`
//  NullValue : `null`
//  EnumValue : Name but not `true`, `false` or `null`
static dp_ast_value_t *
s_parse_value (s_parser_t *self, bool is_const)
{
    const dp_token_t *token = &self->token;
    dp_ast_value_t *value;
    switch (token->kind) {
        case DP_TOKEN_BRACKET_L:
            return s_parse_list (self, is_const);
        case DP_TOKEN_BRACE_L:
            return s_parse_object (self, is_const);
        case DP_TOKEN_INT:
        case DP_TOKEN_FLOAT:
        case DP_TOKEN_STRING:
        case DP_TOKEN_BLOCK_STRING:
        case DP_TOKEN_NAME:
            //  The node is built from the token, then the parser moves on.
            value = dp_arena_calloc (self->arena, 1, sizeof *value);
            value->loc = s_loc (token);
            value->text_len = token->value_len;
            if (token->kind == DP_TOKEN_STRING || token->kind == DP_TOKEN_BLOCK_STRING) {
                //  Already decoded into the arena and NUL-terminated.
                value->kind = DP_AST_STRING;
                value->text = token->value;
                value->block = token->kind == DP_TOKEN_BLOCK_STRING;
            }
            else {
                value->text = dp_arena_strndup (self->arena, token->value, token->value_len);
                if (token->kind == DP_TOKEN_INT)
                    value->kind = DP_AST_INT;
                else
                if (token->kind == DP_TOKEN_FLOAT)
                    value->kind = DP_AST_FLOAT;
                else
                if (s_value_is (token, "true") || s_value_is (token, "false")) {
                    value->kind = DP_AST_BOOLEAN;
                    value->boolean = token->value [0] == 't';
                }
                else
                if (s_value_is (token, "null"))
                    value->kind = DP_AST_NULL;
                else
                    value->kind = DP_AST_ENUM;
            }
            return s_advance (self) ? NULL : value;
        case DP_TOKEN_DOLLAR:
            if (is_const) {
                s_const_variable (self);
                return NULL;
            }
            return s_parse_variable (self, NULL);
        default:
            s_unexpected (self, token);
            return NULL;
    }
}

//  ---------------------------------------------------------------------
//  Arguments and directives

//  Arguments[Const] : ( Argument[?Const]+ )
//  Argument[Const] : Name : Value[?Const]
static int
s_parse_arguments (s_parser_t *self, bool is_const, dp_ast_argument_t **args, size_t *n_args)
{
    *args = NULL;
    *n_args = 0;
    int rc = s_skip (self, DP_TOKEN_PAREN_L);
    if (rc <= 0)
        return rc;
    s_vec_t vec = { 0 };
    do {
        dp_ast_argument_t *arg = s_push (self, &vec, sizeof *arg);
        arg->name = s_parse_name (self, &arg->loc);
        if (!arg->name || s_expect (self, DP_TOKEN_COLON))
            return -1;
        arg->value = s_parse_value (self, is_const);
        if (!arg->value)
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_PAREN_R)) == 0);
    if (rc < 0)
        return -1;
    *args = vec.items;
    *n_args = vec.count;
    return 0;
}

//  Directives[Const] : Directive[?Const]+
//  Directive[Const] : @ Name Arguments[?Const]?
static int
s_parse_directives (s_parser_t *self, bool is_const, dp_ast_directive_t **directives,
                    size_t *n_directives)
{
    s_vec_t vec = { 0 };
    while (s_peek (self, DP_TOKEN_AT)) {
        dp_ast_directive_t *directive = s_push (self, &vec, sizeof *directive);
        directive->loc = s_loc (&self->token);
        if (s_advance (self))
            return -1;
        directive->name = s_parse_name (self, NULL);
        if (!directive->name
        ||  s_parse_arguments (self, is_const, &directive->args, &directive->n_args))
            return -1;
    }
    *directives = vec.items;
    *n_directives = vec.count;
    return 0;
}

//  ---------------------------------------------------------------------
//  Operations and fragments

static dp_ast_selection_set_t *s_parse_selection_set (s_parser_t *self);

//  Field : Alias? Name Arguments? Directives? SelectionSet?
//  Alias : Name :
static int
s_parse_field (s_parser_t *self, dp_ast_selection_t *field)
{
    field->kind = DP_AST_FIELD;
    field->loc = s_loc (&self->token);
    const char *name = s_parse_name (self, &field->name_loc);
    if (!name)
        return -1;
    int rc = s_skip (self, DP_TOKEN_COLON);
    if (rc < 0)
        return -1;
    if (rc) {
        field->alias = name;
        name = s_parse_name (self, &field->name_loc);
        if (!name)
            return -1;
    }
    field->name = name;
    if (s_parse_arguments (self, false, &field->args, &field->n_args)
    ||  s_parse_directives (self, false, &field->directives, &field->n_directives))
        return -1;
    if (s_peek (self, DP_TOKEN_BRACE_L)) {
        field->selection_set = s_parse_selection_set (self);
        if (!field->selection_set)
            return -1;
    }
    return 0;
}

//  FragmentSpread : ... FragmentName Directives?
//  InlineFragment : ... TypeCondition? Directives? SelectionSet
//  TypeCondition : on NamedType
static int
s_parse_fragment (s_parser_t *self, dp_ast_selection_t *selection)
{
    selection->loc = s_loc (&self->token);
    if (s_expect (self, DP_TOKEN_SPREAD))
        return -1;
    int has_type_condition = s_skip_keyword (self, "on");
    if (has_type_condition < 0)
        return -1;
    if (!has_type_condition && s_peek (self, DP_TOKEN_NAME)) {
        selection->kind = DP_AST_FRAGMENT_SPREAD;
        selection->name = s_parse_fragment_name (self, &selection->name_loc);
        if (!selection->name)
            return -1;
        return s_parse_directives (self, false, &selection->directives,
                                   &selection->n_directives);
    }
    selection->kind = DP_AST_INLINE_FRAGMENT;
    if (has_type_condition) {
        selection->type_condition = s_parse_name (self, &selection->type_condition_loc);
        if (!selection->type_condition)
            return -1;
    }
    if (s_parse_directives (self, false, &selection->directives, &selection->n_directives))
        return -1;
    selection->selection_set = s_parse_selection_set (self);
    return selection->selection_set ? 0 : -1;
}

//  SelectionSet : { Selection+ }
//  Selection : Field | FragmentSpread | InlineFragment
static dp_ast_selection_set_t *
s_parse_selection_set (s_parser_t *self)
{
    dp_ast_selection_set_t *set = dp_arena_calloc (self->arena, 1, sizeof *set);
    set->loc = s_loc (&self->token);
    if (s_enter (self) || s_expect (self, DP_TOKEN_BRACE_L))
        return NULL;
    s_vec_t vec = { 0 };
    int rc;
    do {
        dp_ast_selection_t *selection = s_push (self, &vec, sizeof *selection);
        if (s_peek (self, DP_TOKEN_SPREAD) ? s_parse_fragment (self, selection)
                                           : s_parse_field (self, selection))
            return NULL;
    } while ((rc = s_skip (self, DP_TOKEN_BRACE_R)) == 0);
    if (rc < 0)
        return NULL;
    s_leave (self);
    set->items = vec.items;
    set->n_items = vec.count;
    return set;
}

//  OperationType : one of query mutation subscription
//  (moves past the name first, then judges it, as graphql-js does)
static int
s_parse_operation_type (s_parser_t *self, dp_op_kind_t *operation)
{
    dp_token_t token = self->token;
    if (s_expect (self, DP_TOKEN_NAME))
        return -1;
    if (s_value_is (&token, "query"))
        *operation = DP_OP_QUERY;
    else
    if (s_value_is (&token, "mutation"))
        *operation = DP_OP_MUTATION;
    else
    if (s_value_is (&token, "subscription"))
        *operation = DP_OP_SUBSCRIPTION;
    else
        return s_unexpected (self, &token);
    return 0;
}

//  VariableDefinitions : ( VariableDefinition+ )
//  VariableDefinition : Variable : Type DefaultValue? Directives[Const]?
//  DefaultValue : = Value[Const]
static int
s_parse_variable_definitions (s_parser_t *self, dp_ast_definition_t *def)
{
    int rc = s_skip (self, DP_TOKEN_PAREN_L);
    if (rc <= 0)
        return rc;
    s_vec_t vec = { 0 };
    do {
        dp_ast_variable_def_t *var = s_push (self, &vec, sizeof *var);
        var->loc = s_loc (&self->token);
        dp_ast_value_t *variable = s_parse_variable (self, &var->name_loc);
        if (!variable || s_expect (self, DP_TOKEN_COLON))
            return -1;
        var->name = variable->text;
        var->type = s_parse_type (self);
        if (!var->type)
            return -1;
        rc = s_skip (self, DP_TOKEN_EQUALS);
        if (rc < 0)
            return -1;
        if (rc) {
            var->default_value = s_parse_value (self, true);
            if (!var->default_value)
                return -1;
        }
        if (s_parse_directives (self, true, &var->directives, &var->n_directives))
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_PAREN_R)) == 0);
    if (rc < 0)
        return -1;
    def->variables = vec.items;
    def->n_variables = vec.count;
    return 0;
}

//  OperationDefinition :
//    - SelectionSet
//    - OperationType Name? VariableDefinitions? Directives? SelectionSet
static int
s_parse_operation (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_OPERATION;
    def->loc = s_loc (&self->token);
    def->operation = DP_OP_QUERY;
    if (!s_peek (self, DP_TOKEN_BRACE_L)) {
        if (s_parse_operation_type (self, &def->operation))
            return -1;
        if (s_peek (self, DP_TOKEN_NAME)) {
            def->name = s_parse_name (self, &def->name_loc);
            if (!def->name)
                return -1;
        }
        if (s_parse_variable_definitions (self, def)
        ||  s_parse_directives (self, false, &def->directives, &def->n_directives))
            return -1;
    }
    def->selection_set = s_parse_selection_set (self);
    return def->selection_set ? 0 : -1;
}

//  FragmentDefinition : fragment FragmentName TypeCondition Directives? SelectionSet
static int
s_parse_fragment_definition (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_FRAGMENT;
    def->loc = s_loc (&self->token);
    if (s_expect_keyword (self, "fragment"))
        return -1;
    def->name = s_parse_fragment_name (self, &def->name_loc);
    if (!def->name || s_expect_keyword (self, "on"))
        return -1;
    def->type_condition = s_parse_name (self, &def->type_condition_loc);
    if (!def->type_condition
    ||  s_parse_directives (self, false, &def->directives, &def->n_directives))
        return -1;
    def->selection_set = s_parse_selection_set (self);
    return def->selection_set ? 0 : -1;
}

//  ---------------------------------------------------------------------
//  Type system

//  Description : StringValue
static int
s_parse_description (s_parser_t *self, const char **description, bool *block)
{
    if (s_peek (self, DP_TOKEN_STRING) || s_peek (self, DP_TOKEN_BLOCK_STRING)) {
        *description = self->token.value;
        *block = self->token.kind == DP_TOKEN_BLOCK_STRING;
        return s_advance (self);
    }
    return 0;
}

//  RootOperationTypeDefinition : OperationType : NamedType
//  (the braces: { RootOperationTypeDefinition+ }; optional when may_omit)
static int
s_parse_root_operations (s_parser_t *self, dp_ast_definition_t *def, bool may_omit)
{
    if (may_omit && !s_peek (self, DP_TOKEN_BRACE_L))
        return 0;
    if (s_expect (self, DP_TOKEN_BRACE_L))
        return -1;
    s_vec_t vec = { 0 };
    int rc;
    do {
        dp_ast_root_op_t *root = s_push (self, &vec, sizeof *root);
        root->loc = s_loc (&self->token);
        if (s_parse_operation_type (self, &root->operation)
        ||  s_expect (self, DP_TOKEN_COLON))
            return -1;
        root->type_name = s_parse_name (self, &root->type_loc);
        if (!root->type_name)
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_BRACE_R)) == 0);
    if (rc < 0)
        return -1;
    def->root_ops = vec.items;
    def->n_root_ops = vec.count;
    return 0;
}

//  ImplementsInterfaces :
//    - implements `&`? NamedType
//    - ImplementsInterfaces & NamedType
static int
s_parse_implements (s_parser_t *self, dp_ast_definition_t *def)
{
    int rc = s_skip_keyword (self, "implements");
    if (rc <= 0)
        return rc;
    if (s_skip (self, DP_TOKEN_AMP) < 0)
        return -1;
    s_vec_t vec = { 0 };
    do {
        if (s_parse_named (self, s_push (self, &vec, sizeof (dp_ast_name_t))))
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_AMP)) == 1);
    if (rc < 0)
        return -1;
    def->interfaces = vec.items;
    def->n_interfaces = vec.count;
    return 0;
}

//  InputValueDefinition : Description? Name : Type DefaultValue? Directives[Const]?
static int
s_parse_input_value (s_parser_t *self, dp_ast_input_value_t *input)
{
    input->loc = s_loc (&self->token);
    if (s_parse_description (self, &input->description, &input->description_block))
        return -1;
    input->name = s_parse_name (self, NULL);
    if (!input->name || s_expect (self, DP_TOKEN_COLON))
        return -1;
    input->type = s_parse_type (self);
    if (!input->type)
        return -1;
    int rc = s_skip (self, DP_TOKEN_EQUALS);
    if (rc < 0)
        return -1;
    if (rc) {
        input->default_value = s_parse_value (self, true);
        if (!input->default_value)
            return -1;
    }
    return s_parse_directives (self, true, &input->directives, &input->n_directives);
}

//  ArgumentsDefinition : ( InputValueDefinition+ )      (open = PAREN_L)
//  InputFieldsDefinition : { InputValueDefinition+ }    (open = BRACE_L)
static int
s_parse_input_values (s_parser_t *self, dp_token_kind_t open, dp_token_kind_t close,
                      dp_ast_input_value_t **inputs, size_t *n_inputs)
{
    *inputs = NULL;
    *n_inputs = 0;
    int rc = s_skip (self, open);
    if (rc <= 0)
        return rc;
    s_vec_t vec = { 0 };
    do {
        if (s_parse_input_value (self, s_push (self, &vec, sizeof (dp_ast_input_value_t))))
            return -1;
    } while ((rc = s_skip (self, close)) == 0);
    if (rc < 0)
        return -1;
    *inputs = vec.items;
    *n_inputs = vec.count;
    return 0;
}

//  FieldsDefinition : { FieldDefinition+ }
//  FieldDefinition : Description? Name ArgumentsDefinition? : Type Directives[Const]?
static int
s_parse_fields_definition (s_parser_t *self, dp_ast_definition_t *def)
{
    int rc = s_skip (self, DP_TOKEN_BRACE_L);
    if (rc <= 0)
        return rc;
    s_vec_t vec = { 0 };
    do {
        dp_ast_field_def_t *field = s_push (self, &vec, sizeof *field);
        field->loc = s_loc (&self->token);
        if (s_parse_description (self, &field->description, &field->description_block))
            return -1;
        field->name = s_parse_name (self, NULL);
        if (!field->name
        ||  s_parse_input_values (self, DP_TOKEN_PAREN_L, DP_TOKEN_PAREN_R,
                                  &field->args, &field->n_args)
        ||  s_expect (self, DP_TOKEN_COLON))
            return -1;
        field->type = s_parse_type (self);
        if (!field->type
        ||  s_parse_directives (self, true, &field->directives, &field->n_directives))
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_BRACE_R)) == 0);
    if (rc < 0)
        return -1;
    def->fields = vec.items;
    def->n_fields = vec.count;
    return 0;
}

//  UnionMemberTypes :
//    - = `|`? NamedType
//    - UnionMemberTypes | NamedType
static int
s_parse_union_members (s_parser_t *self, dp_ast_definition_t *def)
{
    int rc = s_skip (self, DP_TOKEN_EQUALS);
    if (rc <= 0)
        return rc;
    if (s_skip (self, DP_TOKEN_PIPE) < 0)
        return -1;
    s_vec_t vec = { 0 };
    do {
        if (s_parse_named (self, s_push (self, &vec, sizeof (dp_ast_name_t))))
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_PIPE)) == 1);
    if (rc < 0)
        return -1;
    def->members = vec.items;
    def->n_members = vec.count;
    return 0;
}

//  EnumValuesDefinition : { EnumValueDefinition+ }
//  EnumValueDefinition : Description? EnumValue Directives[Const]?
//  EnumValue : Name but not `true`, `false` or `null`
static int
s_parse_enum_values (s_parser_t *self, dp_ast_definition_t *def)
{
    int rc = s_skip (self, DP_TOKEN_BRACE_L);
    if (rc <= 0)
        return rc;
    s_vec_t vec = { 0 };
    do {
        dp_ast_enum_value_t *value = s_push (self, &vec, sizeof *value);
        value->loc = s_loc (&self->token);
        if (s_parse_description (self, &value->description, &value->description_block))
            return -1;
        if (s_value_is (&self->token, "true") || s_value_is (&self->token, "false")
        ||  s_value_is (&self->token, "null")) {
            char desc [S_DESC_LEN];
            return s_fail (self, self->token.start,
                           "%s is reserved and cannot be used for an enum value.",
                           dp_token_describe (&self->token, desc, sizeof desc));
        }
        value->name = s_parse_name (self, NULL);
        if (!value->name
        ||  s_parse_directives (self, true, &value->directives, &value->n_directives))
            return -1;
    } while ((rc = s_skip (self, DP_TOKEN_BRACE_R)) == 0);
    if (rc < 0)
        return -1;
    def->values = vec.items;
    def->n_values = vec.count;
    return 0;
}

//  DirectiveLocations :
//    - `|`? DirectiveLocation
//    - DirectiveLocations | DirectiveLocation
//  DirectiveLocation : ExecutableDirectiveLocation | TypeSystemDirectiveLocation
static int
s_parse_directive_locations (s_parser_t *self, dp_ast_definition_t *def)
{
    static const char *locations [] = {
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION",
        "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION",
        "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT",
        "INPUT_FIELD_DEFINITION"
    };
    if (s_skip (self, DP_TOKEN_PIPE) < 0)
        return -1;
    s_vec_t vec = { 0 };
    int rc;
    do {
        dp_token_t token = self->token;
        dp_ast_name_t *name = s_push (self, &vec, sizeof *name);
        if (s_parse_named (self, name))
            return -1;
        bool known = false;
        for (size_t i = 0; i < sizeof locations / sizeof locations [0] && !known; i++)
            known = strcmp (name->value, locations [i]) == 0;
        if (!known)
            return s_unexpected (self, &token);
    } while ((rc = s_skip (self, DP_TOKEN_PIPE)) == 1);
    if (rc < 0)
        return -1;
    def->locations = vec.items;
    def->n_locations = vec.count;
    return 0;
}

//  The definitions and their extensions share one parser: `extension` says
//  whether `extend` came first, and the checks at the end enforce the
//  extension's "at least one of" rules, as graphql-js does.
//
//  SchemaDefinition : Description? schema Directives[Const]? { RootOperationTypeDefinition+ }
//  SchemaExtension :
//    - extend schema Directives[Const]? { RootOperationTypeDefinition+ }
//    - extend schema Directives[Const] [lookahead != {]
static int
s_parse_schema (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_SCHEMA;
    if (s_expect_keyword (self, "schema")
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives)
    ||  s_parse_root_operations (self, def, def->extension))
        return -1;
    if (def->extension && def->n_directives == 0 && def->n_root_ops == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  ScalarTypeDefinition : Description? scalar Name Directives[Const]?
//  ScalarTypeExtension : extend scalar Name Directives[Const]
static int
s_parse_scalar (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_SCALAR;
    if (s_expect_keyword (self, "scalar")
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives))
        return -1;
    if (def->extension && def->n_directives == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  ObjectTypeDefinition :
//    Description? type Name ImplementsInterfaces? Directives[Const]? FieldsDefinition?
//  InterfaceTypeDefinition :
//    Description? interface Name ImplementsInterfaces? Directives[Const]? FieldsDefinition?
//  ObjectTypeExtension / InterfaceTypeExtension :
//    extend type|interface Name ImplementsInterfaces? Directives[Const]? FieldsDefinition
//    (or without fields, then with directives or interfaces)
static int
s_parse_object_or_interface (s_parser_t *self, dp_ast_definition_t *def, bool interface)
{
    def->kind = interface ? DP_AST_INTERFACE : DP_AST_OBJECT_TYPE;
    if (s_expect_keyword (self, interface ? "interface" : "type")
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_implements (self, def)
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives)
    ||  s_parse_fields_definition (self, def))
        return -1;
    if (def->extension && def->n_interfaces == 0 && def->n_directives == 0
    &&  def->n_fields == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  UnionTypeDefinition : Description? union Name Directives[Const]? UnionMemberTypes?
//  UnionTypeExtension :
//    - extend union Name Directives[Const]? UnionMemberTypes
//    - extend union Name Directives[Const]
static int
s_parse_union (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_UNION;
    if (s_expect_keyword (self, "union")
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives)
    ||  s_parse_union_members (self, def))
        return -1;
    if (def->extension && def->n_directives == 0 && def->n_members == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  EnumTypeDefinition : Description? enum Name Directives[Const]? EnumValuesDefinition?
//  EnumTypeExtension :
//    - extend enum Name Directives[Const]? EnumValuesDefinition
//    - extend enum Name Directives[Const]
static int
s_parse_enum (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_ENUM_TYPE;
    if (s_expect_keyword (self, "enum")
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives)
    ||  s_parse_enum_values (self, def))
        return -1;
    if (def->extension && def->n_directives == 0 && def->n_values == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  InputObjectTypeDefinition :
//    Description? input Name Directives[Const]? InputFieldsDefinition?
//  InputObjectTypeExtension :
//    - extend input Name Directives[Const]? InputFieldsDefinition
//    - extend input Name Directives[Const]
static int
s_parse_input_object (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_INPUT_OBJECT;
    if (s_expect_keyword (self, "input")
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_directives (self, true, &def->directives, &def->n_directives)
    ||  s_parse_input_values (self, DP_TOKEN_BRACE_L, DP_TOKEN_BRACE_R,
                              &def->input_fields, &def->n_input_fields))
        return -1;
    if (def->extension && def->n_directives == 0 && def->n_input_fields == 0)
        return s_unexpected (self, &self->token);
    return 0;
}

//  DirectiveDefinition :
//    Description? directive @ Name ArgumentsDefinition? `repeatable`? on DirectiveLocations
static int
s_parse_directive_definition (s_parser_t *self, dp_ast_definition_t *def)
{
    def->kind = DP_AST_DIRECTIVE_DEF;
    if (s_expect_keyword (self, "directive") || s_expect (self, DP_TOKEN_AT)
    ||  !(def->name = s_parse_name (self, NULL))
    ||  s_parse_input_values (self, DP_TOKEN_PAREN_L, DP_TOKEN_PAREN_R,
                              &def->input_fields, &def->n_input_fields))
        return -1;
    int rc = s_skip_keyword (self, "repeatable");
    if (rc < 0)
        return -1;
    def->repeatable = rc == 1;
    if (s_expect_keyword (self, "on"))
        return -1;
    return s_parse_directive_locations (self, def);
}

//  The type-system definition (or, after `extend`, extension) whose
//  keyword is the current token.
static int
s_parse_type_system (s_parser_t *self, dp_ast_definition_t *def)
{
    const dp_token_t *keyword = &self->token;
    if (s_value_is (keyword, "schema"))
        return s_parse_schema (self, def);
    if (s_value_is (keyword, "scalar"))
        return s_parse_scalar (self, def);
    if (s_value_is (keyword, "type"))
        return s_parse_object_or_interface (self, def, false);
    if (s_value_is (keyword, "interface"))
        return s_parse_object_or_interface (self, def, true);
    if (s_value_is (keyword, "union"))
        return s_parse_union (self, def);
    if (s_value_is (keyword, "enum"))
        return s_parse_enum (self, def);
    if (s_value_is (keyword, "input"))
        return s_parse_input_object (self, def);
    assert (!def->extension);
    return s_parse_directive_definition (self, def);
}

//  True if token starts a type extension (after `extend`) or, with
//  `directive` too, a type-system definition.
static bool
s_is_type_system_keyword (const dp_token_t *token, bool extension)
{
    return token->kind == DP_TOKEN_NAME
        && (s_value_is (token, "schema") || s_value_is (token, "scalar")
        ||  s_value_is (token, "type") || s_value_is (token, "interface")
        ||  s_value_is (token, "union") || s_value_is (token, "enum")
        ||  s_value_is (token, "input")
        ||  (!extension && s_value_is (token, "directive")));
}

//  TypeSystemExtension : SchemaExtension | TypeExtension
static int
s_parse_extension (s_parser_t *self, dp_ast_definition_t *def)
{
    const dp_token_t *keyword = s_lookahead (self);
    if (!keyword)
        return -1;
    if (!s_is_type_system_keyword (keyword, true))
        return s_unexpected (self, keyword);
    def->extension = true;
    def->loc = s_loc (&self->token);
    if (s_expect_keyword (self, "extend"))
        return -1;
    return s_parse_type_system (self, def);
}

//  Definition :
//    - ExecutableDefinition
//    - TypeSystemDefinition
//    - TypeSystemExtension
//  ExecutableDefinition : OperationDefinition | FragmentDefinition
//  TypeSystemDefinition : SchemaDefinition | TypeDefinition | DirectiveDefinition
static int
s_parse_definition (s_parser_t *self, dp_ast_definition_t *def)
{
    if (s_peek (self, DP_TOKEN_BRACE_L))
        return s_parse_operation (self, def);
    //  Many definitions begin with a description and need a lookahead.
    bool has_description = s_peek (self, DP_TOKEN_STRING) || s_peek (self, DP_TOKEN_BLOCK_STRING);
    const dp_token_t *keyword = &self->token;
    if (has_description) {
        keyword = s_lookahead (self);
        if (!keyword)
            return -1;
    }
    if (keyword->kind != DP_TOKEN_NAME)
        return s_unexpected (self, keyword);
    if (s_is_type_system_keyword (keyword, false)) {
        def->loc = s_loc (&self->token);
        if (s_parse_description (self, &def->description, &def->description_block))
            return -1;
        return s_parse_type_system (self, def);
    }
    if (has_description)
        return s_fail (self, self->token.start, "Unexpected description, "
                       "descriptions are supported only on type definitions.");
    if (s_value_is (keyword, "query") || s_value_is (keyword, "mutation")
    ||  s_value_is (keyword, "subscription"))
        return s_parse_operation (self, def);
    if (s_value_is (keyword, "fragment"))
        return s_parse_fragment_definition (self, def);
    if (s_value_is (keyword, "extend"))
        return s_parse_extension (self, def);
    return s_unexpected (self, keyword);
}

//  ---------------------------------------------------------------------
//  Document : Definition+

dp_ast_document_t *
dp_parse (dp_arena_t *arena, const char *source, size_t len,
          const dp_parse_limits_t *limits, dp_parse_error_t *err)
{
    assert (arena);
    assert (source || len == 0);
    dp_parse_error_t own_err;
    s_parser_t parser;
    s_parser_t *self = &parser;
    memset (self, 0, sizeof *self);
    dp_lexer_init (&self->lexer, arena, source, len);
    self->arena = arena;
    self->err = err ? err : &own_err;
    self->token.kind = DP_TOKEN_SOF;
    self->max_tokens = limits ? limits->max_tokens : 0;
    self->max_depth = limits && limits->max_depth && limits->max_depth < S_DEPTH_CAP
                    ? limits->max_depth : S_DEPTH_CAP;

    dp_ast_document_t *document = dp_arena_calloc (arena, 1, sizeof *document);
    if (s_advance (self))
        return NULL;
    s_vec_t defs = { 0 };
    int rc;
    do {
        if (s_parse_definition (self, s_push (self, &defs, sizeof (dp_ast_definition_t))))
            return NULL;
    } while ((rc = s_skip (self, DP_TOKEN_EOF)) == 0);
    if (rc < 0)
        return NULL;
    document->defs = defs.items;
    document->n_defs = defs.count;
    return document;
}

//  ---------------------------------------------------------------------
//  Selftest

#define S_LOC_IS(l, want_line, want_column) \
    ((l).line == (want_line) && (l).column == (want_column))

//  The parse of source must fail with message (without "Syntax Error: ")
//  at line:column, as graphql-js 16 reports it.
static void
s_test_error (dp_arena_t *arena, const char *source, const dp_parse_limits_t *limits,
              const char *message, uint32_t line, uint32_t column)
{
    dp_parse_error_t err;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), limits, &err);
    bool same = !doc && strncmp (err.message, "Syntax Error: ", 14) == 0
             && strcmp (err.message + 14, message) == 0
             && S_LOC_IS (err.loc, line, column);
    if (!same)
        fprintf (stderr, "source %.80s: got '%s' at %u:%u, want '%s' at %u:%u\n", source,
                 doc ? "(parsed)" : err.message, doc ? 0 : err.loc.line,
                 doc ? 0 : err.loc.column, message, line, column);
    assert (same);
}

static dp_ast_document_t *
s_test_parse (dp_arena_t *arena, const char *source, const dp_parse_limits_t *limits)
{
    dp_parse_error_t err;
    dp_ast_document_t *doc = dp_parse (arena, source, strlen (source), limits, &err);
    if (!doc)
        fprintf (stderr, "source %.80s: %s at %u:%u\n", source, err.message, err.loc.line,
                 err.loc.column);
    assert (doc);
    return doc;
}

//  n copies of piece, then n copies of tail, in the arena.
static char *
s_test_repeat (dp_arena_t *arena, const char *head, const char *piece, size_t n,
               const char *tail, size_t n_tail)
{
    size_t head_len = strlen (head), piece_len = strlen (piece), tail_len = strlen (tail);
    char *text = dp_arena_alloc (arena, head_len + piece_len * n + tail_len * n_tail + 1);
    char *out = text;
    memcpy (out, head, head_len);
    out += head_len;
    for (size_t i = 0; i < n; i++, out += piece_len)
        memcpy (out, piece, piece_len);
    for (size_t i = 0; i < n_tail; i++, out += tail_len)
        memcpy (out, tail, tail_len);
    *out = 0;
    return text;
}

static void
s_test_kitchen_sink (dp_arena_t *arena)
{
    const char *source =
        "query Q($id: ID! = \"b1\", $n: [Int!] = [1, 2], $o: In = {a: {b: [null, true]}} @v(x: 1)) @op {\n"
        "  alias: box(id: $id, f: -1.5e3, e: InStock, s: \"\"\"\n"
        "    block\n"
        "      text\n"
        "  \"\"\") @skip(if: false) {\n"
        "    ...Frag @d\n"
        "    ... on Box { n }\n"
        "    ... @include(if: $c) { m }\n"
        "  }\n"
        "  # comment\n"
        "  plain\n"
        "}\n"
        "fragment Frag on Box { x(o: {k: $n}, u: \"\\u00e9\\uD83D\\uDE00\") }\n"
        "mutation { m }\n"
        "subscription S { s }\n"
        "{ short }\n";
    dp_ast_document_t *doc = s_test_parse (arena, source, NULL);
    assert (doc->n_defs == 5);

    //  The operation, its variables and their defaults.
    dp_ast_definition_t *op = &doc->defs [0];
    assert (op->kind == DP_AST_OPERATION && op->operation == DP_OP_QUERY);
    assert (strcmp (op->name, "Q") == 0 && S_LOC_IS (op->loc, 1, 1));
    assert (op->name < source || op->name >= source + strlen (source));
    assert (op->n_variables == 3);
    dp_ast_variable_def_t *var = &op->variables [0];
    assert (strcmp (var->name, "id") == 0 && S_LOC_IS (var->loc, 1, 9));
    assert (var->type->kind == DP_AST_TYPE_NON_NULL && S_LOC_IS (var->type->loc, 1, 14));
    assert (var->type->of->kind == DP_AST_TYPE_NAMED && strcmp (var->type->of->name, "ID") == 0);
    assert (var->default_value->kind == DP_AST_STRING && !var->default_value->block);
    assert (strcmp (var->default_value->text, "b1") == 0 && var->default_value->text_len == 2);
    assert (S_LOC_IS (var->default_value->loc, 1, 20));
    var = &op->variables [1];
    assert (strcmp (var->name, "n") == 0);
    assert (var->type->kind == DP_AST_TYPE_LIST && S_LOC_IS (var->type->loc, 1, 30));
    assert (var->type->of->kind == DP_AST_TYPE_NON_NULL);
    assert (strcmp (var->type->of->of->name, "Int") == 0);
    dp_ast_value_t *value = var->default_value;
    assert (value->kind == DP_AST_LIST && value->n_items == 2);
    assert (value->items [0]->kind == DP_AST_INT && strcmp (value->items [0]->text, "1") == 0);
    assert (value->items [1]->kind == DP_AST_INT && S_LOC_IS (value->items [1]->loc, 1, 43));
    var = &op->variables [2];
    assert (strcmp (var->type->name, "In") == 0);
    value = var->default_value;
    assert (value->kind == DP_AST_OBJECT && value->n_fields == 1 && S_LOC_IS (value->loc, 1, 56));
    assert (strcmp (value->fields [0].name, "a") == 0 && S_LOC_IS (value->fields [0].loc, 1, 57));
    value = value->fields [0].value;
    assert (value->kind == DP_AST_OBJECT && strcmp (value->fields [0].name, "b") == 0);
    value = value->fields [0].value;
    assert (value->kind == DP_AST_LIST && value->n_items == 2);
    assert (value->items [0]->kind == DP_AST_NULL && S_LOC_IS (value->items [0]->loc, 1, 65));
    assert (value->items [1]->kind == DP_AST_BOOLEAN && value->items [1]->boolean);
    assert (var->n_directives == 1 && strcmp (var->directives [0].name, "v") == 0);
    assert (S_LOC_IS (var->directives [0].loc, 1, 79));
    assert (var->directives [0].n_args == 1 && strcmp (var->directives [0].args [0].name, "x") == 0);
    assert (op->n_directives == 1 && strcmp (op->directives [0].name, "op") == 0);
    assert (op->directives [0].n_args == 0);

    //  The selection set: an aliased field with every kind of argument.
    dp_ast_selection_set_t *set = op->selection_set;
    assert (set->n_items == 2 && S_LOC_IS (set->loc, 1, 93));
    dp_ast_selection_t *field = &set->items [0];
    assert (field->kind == DP_AST_FIELD && S_LOC_IS (field->loc, 2, 3));
    assert (strcmp (field->alias, "alias") == 0 && strcmp (field->name, "box") == 0);
    assert (field->n_args == 4);
    assert (strcmp (field->args [0].name, "id") == 0 && S_LOC_IS (field->args [0].loc, 2, 14));
    assert (field->args [0].value->kind == DP_AST_VARIABLE);
    assert (strcmp (field->args [0].value->text, "id") == 0);
    assert (S_LOC_IS (field->args [0].value->loc, 2, 18));
    assert (field->args [1].value->kind == DP_AST_FLOAT);
    assert (strcmp (field->args [1].value->text, "-1.5e3") == 0);
    assert (field->args [2].value->kind == DP_AST_ENUM);
    assert (strcmp (field->args [2].value->text, "InStock") == 0);
    value = field->args [3].value;
    assert (value->kind == DP_AST_STRING && value->block);
    assert (strcmp (value->text, "block\n  text") == 0 && value->text_len == 12);
    assert (field->n_directives == 1 && strcmp (field->directives [0].name, "skip") == 0);
    assert (S_LOC_IS (field->directives [0].loc, 5, 8));
    value = field->directives [0].args [0].value;
    assert (value->kind == DP_AST_BOOLEAN && !value->boolean && S_LOC_IS (value->loc, 5, 18));

    //  Fragment spread, inline fragments with and without a type condition.
    dp_ast_selection_set_t *inner = field->selection_set;
    assert (inner && inner->n_items == 3);
    assert (inner->items [0].kind == DP_AST_FRAGMENT_SPREAD);
    assert (strcmp (inner->items [0].name, "Frag") == 0 && S_LOC_IS (inner->items [0].loc, 6, 5));
    assert (inner->items [0].n_directives == 1 && !inner->items [0].selection_set);
    assert (inner->items [1].kind == DP_AST_INLINE_FRAGMENT);
    assert (strcmp (inner->items [1].type_condition, "Box") == 0);
    assert (inner->items [1].selection_set->n_items == 1);
    assert (strcmp (inner->items [1].selection_set->items [0].name, "n") == 0);
    assert (inner->items [2].kind == DP_AST_INLINE_FRAGMENT);
    assert (inner->items [2].type_condition == NULL);
    assert (strcmp (inner->items [2].directives [0].name, "include") == 0);
    assert (inner->items [2].directives [0].args [0].value->kind == DP_AST_VARIABLE);
    //  The comment is skipped; the leaf field has no selection set.
    field = &set->items [1];
    assert (strcmp (field->name, "plain") == 0 && !field->alias && S_LOC_IS (field->loc, 11, 3));
    assert (!field->selection_set && field->n_args == 0);

    //  The fragment, with a decoded string argument.
    dp_ast_definition_t *fragment = &doc->defs [1];
    assert (fragment->kind == DP_AST_FRAGMENT && S_LOC_IS (fragment->loc, 13, 1));
    assert (strcmp (fragment->name, "Frag") == 0 && strcmp (fragment->type_condition, "Box") == 0);
    field = &fragment->selection_set->items [0];
    assert (field->args [0].value->kind == DP_AST_OBJECT);
    assert (field->args [0].value->fields [0].value->kind == DP_AST_VARIABLE);
    value = field->args [1].value;
    assert (value->kind == DP_AST_STRING && value->text_len == 6);
    assert (memcmp (value->text, "\xc3\xa9\xf0\x9f\x98\x80", 7) == 0);

    //  The other operation types and the shorthand query.
    assert (doc->defs [2].operation == DP_OP_MUTATION && doc->defs [2].name == NULL);
    assert (doc->defs [3].operation == DP_OP_SUBSCRIPTION && strcmp (doc->defs [3].name, "S") == 0);
    assert (doc->defs [4].kind == DP_AST_OPERATION && doc->defs [4].operation == DP_OP_QUERY);
    assert (doc->defs [4].name == NULL && doc->defs [4].n_variables == 0);
    assert (S_LOC_IS (doc->defs [4].loc, 16, 1));
    assert (strcmp (doc->defs [4].selection_set->items [0].name, "short") == 0);
}

static void
s_test_sdl (dp_arena_t *arena)
{
    const char *source =
        "\"\"\"The schema\"\"\"\n"
        "schema @s { query: Query mutation: Mutation }\n"
        "extend schema @t\n"
        "\"scalar desc\" scalar Date @specifiedBy(url: \"x\")\n"
        "extend scalar Date @d\n"
        "\"\"\"\n"
        "  Type desc\n"
        "\"\"\"\n"
        "type Box implements & Node & Item @key(f: \"id\") {\n"
        "  \"field desc\" id: ID!\n"
        "  items(\"arg desc\" first: Int = 10 @d, after: String): [Item!]! @deprecated(reason: \"no\")\n"
        "}\n"
        "extend type Box implements Other\n"
        "interface Node implements Base { id: ID! }\n"
        "extend interface Node @d\n"
        "union U = | Box | Tag\n"
        "extend union U = Other\n"
        "enum State { \"in\" InStock @d Lost }\n"
        "extend enum State { Donated }\n"
        "input BoxInput { label: String = \"x\", tags: [Int!] = [1] @d }\n"
        "extend input BoxInput { more: Int }\n"
        "\"dir desc\" directive @auth(roles: [String!]) repeatable on | FIELD_DEFINITION | OBJECT\n"
        "directive @plain on QUERY\n";
    dp_ast_document_t *doc = s_test_parse (arena, source, NULL);
    assert (doc->n_defs == 16);
    dp_ast_definition_t *defs = doc->defs;

    assert (defs [0].kind == DP_AST_SCHEMA && !defs [0].extension);
    assert (strcmp (defs [0].description, "The schema") == 0 && S_LOC_IS (defs [0].loc, 1, 1));
    assert (defs [0].n_directives == 1 && defs [0].n_root_ops == 2);
    assert (defs [0].root_ops [0].operation == DP_OP_QUERY);
    assert (strcmp (defs [0].root_ops [0].type_name, "Query") == 0);
    assert (S_LOC_IS (defs [0].root_ops [0].loc, 2, 13));
    assert (defs [0].root_ops [1].operation == DP_OP_MUTATION);
    assert (defs [1].kind == DP_AST_SCHEMA && defs [1].extension && defs [1].n_root_ops == 0);
    assert (strcmp (defs [1].directives [0].name, "t") == 0);

    assert (defs [2].kind == DP_AST_SCALAR && strcmp (defs [2].name, "Date") == 0);
    assert (strcmp (defs [2].description, "scalar desc") == 0 && !defs [2].description_block);
    assert (strcmp (defs [2].directives [0].args [0].value->text, "x") == 0);
    assert (defs [3].kind == DP_AST_SCALAR && defs [3].extension && !defs [3].description);

    dp_ast_definition_t *box = &defs [4];
    assert (box->kind == DP_AST_OBJECT_TYPE && !box->extension && S_LOC_IS (box->loc, 6, 1));
    assert (strcmp (box->description, "Type desc") == 0 && box->description_block);
    assert (box->n_interfaces == 2 && strcmp (box->interfaces [0].value, "Node") == 0);
    assert (S_LOC_IS (box->interfaces [0].loc, 9, 23));
    assert (strcmp (box->interfaces [1].value, "Item") == 0);
    assert (box->n_directives == 1 && strcmp (box->directives [0].name, "key") == 0);
    assert (box->n_fields == 2);
    dp_ast_field_def_t *field = &box->fields [0];
    assert (strcmp (field->description, "field desc") == 0 && strcmp (field->name, "id") == 0);
    assert (S_LOC_IS (field->loc, 10, 3) && field->n_args == 0);
    assert (field->type->kind == DP_AST_TYPE_NON_NULL);
    field = &box->fields [1];
    assert (strcmp (field->name, "items") == 0 && field->description == NULL);
    assert (field->n_args == 2);
    dp_ast_input_value_t *arg = &field->args [0];
    assert (strcmp (arg->description, "arg desc") == 0 && strcmp (arg->name, "first") == 0);
    assert (S_LOC_IS (arg->loc, 11, 9));
    assert (arg->default_value->kind == DP_AST_INT && strcmp (arg->default_value->text, "10") == 0);
    assert (arg->n_directives == 1);
    assert (field->args [1].default_value == NULL);
    assert (field->type->kind == DP_AST_TYPE_NON_NULL && field->type->of->kind == DP_AST_TYPE_LIST);
    assert (strcmp (field->type->of->of->of->name, "Item") == 0);
    assert (strcmp (field->directives [0].name, "deprecated") == 0);
    assert (defs [5].kind == DP_AST_OBJECT_TYPE && defs [5].extension);
    assert (defs [5].n_interfaces == 1 && defs [5].n_fields == 0);

    assert (defs [6].kind == DP_AST_INTERFACE && defs [6].n_interfaces == 1);
    assert (strcmp (defs [6].interfaces [0].value, "Base") == 0 && defs [6].n_fields == 1);
    assert (defs [7].kind == DP_AST_INTERFACE && defs [7].extension && defs [7].n_directives == 1);

    assert (defs [8].kind == DP_AST_UNION && defs [8].n_members == 2);
    assert (strcmp (defs [8].members [0].value, "Box") == 0 && S_LOC_IS (defs [8].members [0].loc, 16, 13));
    assert (strcmp (defs [8].members [1].value, "Tag") == 0);
    assert (defs [9].kind == DP_AST_UNION && defs [9].extension && defs [9].n_members == 1);

    assert (defs [10].kind == DP_AST_ENUM_TYPE && defs [10].n_values == 2);
    assert (strcmp (defs [10].values [0].name, "InStock") == 0);
    assert (strcmp (defs [10].values [0].description, "in") == 0);
    assert (S_LOC_IS (defs [10].values [0].loc, 18, 14) && defs [10].values [0].n_directives == 1);
    assert (strcmp (defs [10].values [1].name, "Lost") == 0 && !defs [10].values [1].description);
    assert (defs [11].kind == DP_AST_ENUM_TYPE && defs [11].extension && defs [11].n_values == 1);

    assert (defs [12].kind == DP_AST_INPUT_OBJECT && defs [12].n_input_fields == 2);
    assert (strcmp (defs [12].input_fields [0].default_value->text, "x") == 0);
    assert (defs [12].input_fields [1].default_value->kind == DP_AST_LIST);
    assert (defs [12].input_fields [1].n_directives == 1);
    assert (defs [13].kind == DP_AST_INPUT_OBJECT && defs [13].extension);
    assert (strcmp (defs [13].input_fields [0].name, "more") == 0);

    dp_ast_definition_t *directive = &defs [14];
    assert (directive->kind == DP_AST_DIRECTIVE_DEF && strcmp (directive->name, "auth") == 0);
    assert (strcmp (directive->description, "dir desc") == 0 && directive->repeatable);
    assert (directive->n_input_fields == 1);
    assert (strcmp (directive->input_fields [0].name, "roles") == 0);
    assert (directive->n_locations == 2);
    assert (strcmp (directive->locations [0].value, "FIELD_DEFINITION") == 0);
    assert (S_LOC_IS (directive->locations [0].loc, 22, 62));
    assert (strcmp (directive->locations [1].value, "OBJECT") == 0);
    assert (defs [15].kind == DP_AST_DIRECTIVE_DEF && strcmp (defs [15].name, "plain") == 0);
    assert (!defs [15].repeatable && defs [15].n_locations == 1 && defs [15].n_input_fields == 0);
}

//  Malformed documents and what graphql-js 16.8 says about them.
static const struct {
    const char *source;
    const char *message;
    uint32_t line;
    uint32_t column;
} s_test_errors [] = {
    { "", "Unexpected <EOF>.", 1, 1 },
    { "{", "Expected Name, found <EOF>.", 1, 2 },
    { "{ a", "Expected Name, found <EOF>.", 1, 4 },
    { "{}", "Expected Name, found \"}\".", 1, 2 },
    { "query", "Expected \"{\", found <EOF>.", 1, 6 },
    { "query Q", "Expected \"{\", found <EOF>.", 1, 8 },
    { "Query { a }", "Unexpected Name \"Query\".", 1, 1 },
    { "{ a(x: ) }", "Unexpected \")\".", 1, 8 },
    { "{ a(x 1) }", "Expected \":\", found Int \"1\".", 1, 7 },
    { "{ a: }", "Expected Name, found \"}\".", 1, 6 },
    { "{ ... on }", "Expected Name, found \"}\".", 1, 10 },
    { "{ ... @d }", "Expected \"{\", found \"}\".", 1, 10 },
    { "fragment on on T { a }", "Unexpected Name \"on\".", 1, 10 },
    { "fragment \"on\" on T { a }", "Unexpected String \"on\".", 1, 10 },
    { "fragment F T { a }", "Expected \"on\", found Name \"T\".", 1, 12 },
    { "fragment F on T", "Expected \"{\", found <EOF>.", 1, 16 },
    { "query ($a: Int = $b) { a }", "Unexpected variable \"$b\" in constant value.", 1, 18 },
    { "query ($a: Int = [1, $b]) { a }", "Unexpected variable \"$b\" in constant value.", 1, 22 },
    { "query ($a: Int = {x: $b}) { a }", "Unexpected variable \"$b\" in constant value.", 1, 22 },
    { "query ($a: Int @d(x: $v)) { a }", "Unexpected variable \"$v\" in constant value.", 1, 22 },
    { "query ($a: Int = $) { a }", "Unexpected \"$\".", 1, 18 },
    { "query ($a) { a }", "Expected \":\", found \")\".", 1, 10 },
    { "query (a: Int) { a }", "Expected \"$\", found Name \"a\".", 1, 8 },
    { "query ($a: [Int) { a }", "Expected \"]\", found \")\".", 1, 16 },
    { "{ a(x: [1 2) }", "Unexpected \")\".", 1, 12 },
    { "{ a(x: {a}) }", "Expected \":\", found \"}\".", 1, 10 },
    { "{ a @ }", "Expected Name, found \"}\".", 1, 7 },
    { "{ a }\n}", "Unexpected \"}\".", 2, 1 },
    { "{ a } b", "Unexpected Name \"b\".", 1, 7 },
    { "{ a(x: 0123) }", "Invalid number, unexpected digit after 0: \"1\".", 1, 9 },
    { "{ a(x: 1.) }", "Invalid number, expected digit but got: \")\".", 1, 10 },
    { "{ a(x: .5) }", "Unexpected character: \".\".", 1, 8 },
    { "{ a(x: 1a) }", "Invalid number, expected digit but got: \"a\".", 1, 9 },
    { "{ a(x: \"unterminated) }", "Unterminated string.", 1, 24 },
    { "{ a(x: \"line\nbreak\") }", "Unterminated string.", 1, 13 },
    { "{ a(x: \"\\x\") }", "Invalid character escape sequence: \"\\x\".", 1, 9 },
    { "{ a(x: \"\\uD83D\") }", "Invalid Unicode escape sequence: \"\\uD83D\".", 1, 9 },
    { "{ a(x: \"\\u{110000}\") }", "Invalid Unicode escape sequence: \"\\u{110000}\".", 1, 9 },
    { "{ a(x: \"\"\"open) }", "Unterminated string.", 1, 18 },
    { "{ a(x: 'single') }",
      "Unexpected single quote character ('), did you mean to use a double quote (\")?", 1, 8 },
    { "{ a ? }", "Unexpected character: \"?\".", 1, 5 },
    { "{ \xc3\xa9 }", "Unexpected character: U+00E9.", 1, 3 },
    { "{ a(x: \"\xf0\x9f\x98\x80\") ? }", "Unexpected character: \"?\".", 1, 14 },
    { "{\r\n  a\r\n  ?\r\n}", "Unexpected character: \"?\".", 3, 3 },
    { "{ a(x: \"\"\"ok\"\"\") }\n  \"\"\"block\"\"\"", "Unexpected <EOF>.", 2, 14 },
    { "schema { querx: Q }", "Unexpected Name \"querx\".", 1, 10 },
    { "schema {}", "Expected Name, found \"}\".", 1, 9 },
    { "extend schema", "Unexpected <EOF>.", 1, 14 },
    { "extend scalar Date", "Unexpected <EOF>.", 1, 19 },
    { "extend type A", "Unexpected <EOF>.", 1, 14 },
    { "extend interface A", "Unexpected <EOF>.", 1, 19 },
    { "extend union U", "Unexpected <EOF>.", 1, 15 },
    { "extend enum E", "Unexpected <EOF>.", 1, 14 },
    { "extend input I", "Unexpected <EOF>.", 1, 15 },
    { "extend foo", "Unexpected Name \"foo\".", 1, 8 },
    { "extend directive @d on FIELD", "Unexpected Name \"directive\".", 1, 8 },
    { "type A {}", "Expected Name, found \"}\".", 1, 9 },
    { "type A implements { a: Int }", "Expected Name, found \"{\".", 1, 19 },
    { "union U = A |", "Expected Name, found <EOF>.", 1, 14 },
    { "enum E { true }", "Name \"true\" is reserved and cannot be used for an enum value.", 1, 10 },
    { "enum E { A null }", "Name \"null\" is reserved and cannot be used for an enum value.", 1, 12 },
    { "enum E { \"d\" \"false\" }",
      "String \"false\" is reserved and cannot be used for an enum value.", 1, 14 },
    { "directive @d on UNKNOWN", "Unexpected Name \"UNKNOWN\".", 1, 17 },
    { "directive @d FIELD", "Expected \"on\", found Name \"FIELD\".", 1, 14 },
    { "\"desc\" query { a }",
      "Unexpected description, descriptions are supported only on type definitions.", 1, 1 },
    { "\"desc\" { a }", "Unexpected \"{\".", 1, 8 },
    { "\"desc\" 1", "Unexpected Int \"1\".", 1, 8 },
    { "input I { a(x: Int): Int }", "Expected \":\", found \"(\".", 1, 12 },
    { "type A { a(x: Int = $v): Int }", "Unexpected variable \"$v\" in constant value.", 1, 21 },
};

void
dp_parser_test (bool verbose)
{
    if (verbose)
        printf (" * dp_parser: ");
    dp_arena_t *arena = dp_arena_new (0);

    s_test_kitchen_sink (arena);
    s_test_sdl (arena);
    for (size_t i = 0; i < sizeof s_test_errors / sizeof s_test_errors [0]; i++)
        s_test_error (arena, s_test_errors [i].source, NULL, s_test_errors [i].message,
                      s_test_errors [i].line, s_test_errors [i].column);

    //  A string value keeps its decoded length, NUL included; the source
    //  need not be NUL-terminated, and err may be NULL.
    dp_parse_error_t err;
    const char *nul_source = "{ a(x: \"p\\u0000q\") }";
    dp_ast_document_t *doc = dp_parse (arena, nul_source, strlen (nul_source), NULL, &err);
    assert (doc);
    dp_ast_value_t *value = doc->defs [0].selection_set->items [0].args [0].value;
    assert (value->kind == DP_AST_STRING && value->text_len == 3);
    assert (memcmp (value->text, "p\0q", 4) == 0);
    doc = dp_parse (arena, "{ abc }xyz", 7, NULL, &err);
    assert (doc && strcmp (doc->defs [0].selection_set->items [0].name, "abc") == 0);
    assert (dp_parse (arena, "{ a", 3, NULL, NULL) == NULL);

    //  max_depth counts selection sets, list and object values and list
    //  types, and fails at the token that opens one level too many.
    dp_parse_limits_t limits = { 0, 3 };
    s_test_parse (arena, "{ a { b { c } } }", &limits);
    s_test_parse (arena, "{ a(x: [{y: 1}]) }", &limits);
    s_test_parse (arena, "query ($a: [[Int]]) { a }", &limits);
    s_test_error (arena, "{ a { b { c { d } } } }", &limits,
                  "Document nesting exceeds the maximum depth of 3.", 1, 13);
    s_test_error (arena, "{ a(x: [[[1]]]) }", &limits,
                  "Document nesting exceeds the maximum depth of 3.", 1, 10);
    s_test_error (arena, "{ a(x: {b: {c: {d: 1}}}) }", &limits,
                  "Document nesting exceeds the maximum depth of 3.", 1, 16);
    s_test_parse (arena, "query ($a: [[[Int]]]) { a }", &limits);
    s_test_error (arena, "query ($a: [[[[Int]]]]) { a }", &limits,
                  "Document nesting exceeds the maximum depth of 3.", 1, 15);
    s_test_error (arena, "type T { f(a: Int = [[[[1]]]]): Int }", &limits,
                  "Document nesting exceeds the maximum depth of 3.", 1, 24);

    //  Without a limit, the hard cap of 512 still stops hostile nesting
    //  before it can exhaust the stack, whatever the construct.
    char *deep = s_test_repeat (arena, "", "{a", 512, "}", 512);
    s_test_parse (arena, deep, NULL);
    deep = s_test_repeat (arena, "", "{a", 100000, "}", 100000);
    s_test_error (arena, deep, NULL, "Document nesting exceeds the maximum depth of 512.",
                  1, 2 * 512 + 1);
    limits.max_depth = 100000;
    s_test_error (arena, deep, &limits, "Document nesting exceeds the maximum depth of 512.",
                  1, 2 * 512 + 1);
    deep = s_test_repeat (arena, "{ a(x: ", "[", 100000, "]", 0);
    s_test_error (arena, deep, NULL, "Document nesting exceeds the maximum depth of 512.",
                  1, 8 + 511);
    deep = s_test_repeat (arena, "{ a(x: ", "{a: ", 100000, "}", 0);
    s_test_error (arena, deep, NULL, "Document nesting exceeds the maximum depth of 512.",
                  1, 8 + 4 * 511);
    deep = s_test_repeat (arena, "type T { f: ", "[", 100000, "]", 0);
    s_test_error (arena, deep, NULL, "Document nesting exceeds the maximum depth of 512.",
                  1, 13 + 512);

    //  max_tokens counts every token but <EOF>, and no comment.
    limits.max_depth = 0;
    limits.max_tokens = 5;
    s_test_parse (arena, "{ a b c }", &limits);
    s_test_parse (arena, "# one\n{ a # two\n b c }", &limits);
    s_test_error (arena, "{ a b c d }", &limits,
                  "Document contains more than 5 tokens. Parsing aborted.", 1, 11);
    char *wide = s_test_repeat (arena, "{", " a", 100000, "}", 1);
    limits.max_tokens = 1000;
    s_test_error (arena, wide, &limits,
                  "Document contains more than 1000 tokens. Parsing aborted.", 1, 1 + 2 * 1000);

    //  A long value is cut in the message, at a character boundary.
    char *long_string = s_test_repeat (arena, "{ a(x: 1 \"", "\xc3\xa9", 400, "\") }", 1);
    assert (!dp_parse (arena, long_string, strlen (long_string), NULL, &err));
    size_t message_len = strlen (err.message);
    assert (message_len < sizeof err.message);
    assert (strncmp (err.message, "Syntax Error: Expected Name, found String \"\xc3\xa9", 45) == 0);
    assert (strcmp (err.message + message_len - 5, "...\".") == 0);
    assert ((unsigned char) err.message [message_len - 6] == 0xa9);
    assert (S_LOC_IS (err.loc, 1, 10));

    dp_arena_destroy (&arena);
    if (verbose)
        printf ("OK\n");
}
