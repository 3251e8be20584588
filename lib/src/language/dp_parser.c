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
    __attribute__ ((format (printf, 3, 4)));

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

//  "Unexpected <token>." at token.
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

//  expectToken: move past a token of kind, or fail.
static int
s_expect (s_parser_t *self, dp_token_kind_t kind)
{
    if (self->token.kind == kind)
        return s_advance (self);
    char desc [S_DESC_LEN];
    return s_fail (self, self->token.start, "Expected %s, found %s.",
                   dp_token_kind_name (kind),
                   dp_token_describe (&self->token, desc, sizeof desc));
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
    char desc [S_DESC_LEN];
    return s_fail (self, self->token.start, "Expected \"%s\", found %s.", word,
                   dp_token_describe (&self->token, desc, sizeof desc));
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
s_parse_fragment_name (s_parser_t *self)
{
    if (s_value_is (&self->token, "on")) {
        s_unexpected (self, &self->token);
        return NULL;
    }
    return s_parse_name (self, NULL);
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

//  Variable : $ Name
static dp_ast_value_t *
s_parse_variable (s_parser_t *self)
{
    dp_ast_value_t *value = dp_arena_calloc (self->arena, 1, sizeof *value);
    value->kind = DP_AST_VARIABLE;
    value->loc = s_loc (&self->token);
    if (s_expect (self, DP_TOKEN_DOLLAR))
        return NULL;
    if (self->token.kind == DP_TOKEN_NAME)
        value->text_len = self->token.value_len;
    value->text = s_parse_name (self, NULL);
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
    dp_token_t token = self->token;
    dp_ast_value_t *value;
    switch (token.kind) {
        case DP_TOKEN_BRACKET_L:
            return s_parse_list (self, is_const);
        case DP_TOKEN_BRACE_L:
            return s_parse_object (self, is_const);
        case DP_TOKEN_INT:
        case DP_TOKEN_FLOAT:
        case DP_TOKEN_STRING:
        case DP_TOKEN_BLOCK_STRING:
        case DP_TOKEN_NAME:
            if (s_advance (self))
                return NULL;
            value = dp_arena_calloc (self->arena, 1, sizeof *value);
            value->loc = s_loc (&token);
            value->text_len = token.value_len;
            if (token.kind == DP_TOKEN_STRING || token.kind == DP_TOKEN_BLOCK_STRING) {
                //  Already decoded into the arena and NUL-terminated.
                value->kind = DP_AST_STRING;
                value->text = token.value;
                value->block = token.kind == DP_TOKEN_BLOCK_STRING;
                return value;
            }
            value->text = dp_arena_strndup (self->arena, token.value, token.value_len);
            if (token.kind == DP_TOKEN_INT)
                value->kind = DP_AST_INT;
            else
            if (token.kind == DP_TOKEN_FLOAT)
                value->kind = DP_AST_FLOAT;
            else
            if (s_value_is (&token, "true") || s_value_is (&token, "false")) {
                value->kind = DP_AST_BOOLEAN;
                value->boolean = token.value [0] == 't';
            }
            else
            if (s_value_is (&token, "null"))
                value->kind = DP_AST_NULL;
            else
                value->kind = DP_AST_ENUM;
            return value;
        case DP_TOKEN_DOLLAR:
            if (is_const) {
                if (s_advance (self))
                    return NULL;
                if (self->token.kind == DP_TOKEN_NAME)
                    s_fail (self, token.start, "Unexpected variable \"$%.*s\" in constant value.",
                            (int) (self->token.value_len < 180 ? self->token.value_len : 180),
                            self->token.value);
                else
                    s_unexpected (self, &token);
                return NULL;
            }
            return s_parse_variable (self);
        default:
            s_unexpected (self, &self->token);
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
    const char *name = s_parse_name (self, NULL);
    if (!name)
        return -1;
    int rc = s_skip (self, DP_TOKEN_COLON);
    if (rc < 0)
        return -1;
    if (rc) {
        field->alias = name;
        name = s_parse_name (self, NULL);
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
        selection->name = s_parse_fragment_name (self);
        if (!selection->name)
            return -1;
        return s_parse_directives (self, false, &selection->directives,
                                   &selection->n_directives);
    }
    selection->kind = DP_AST_INLINE_FRAGMENT;
    if (has_type_condition) {
        selection->type_condition = s_parse_name (self, NULL);
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
        dp_ast_value_t *variable = s_parse_variable (self);
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
            def->name = s_parse_name (self, NULL);
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
    def->name = s_parse_fragment_name (self);
    if (!def->name || s_expect_keyword (self, "on"))
        return -1;
    def->type_condition = s_parse_name (self, NULL);
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
s_parse_description (s_parser_t *self, const char **description)
{
    if (s_peek (self, DP_TOKEN_STRING) || s_peek (self, DP_TOKEN_BLOCK_STRING)) {
        *description = self->token.value;
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
        root->type_name = s_parse_name (self, NULL);
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
    if (s_parse_description (self, &input->description))
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
        if (s_parse_description (self, &field->description))
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
        if (s_parse_description (self, &value->description))
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

//  TypeSystemExtension : SchemaExtension | TypeExtension
static int
s_parse_extension (s_parser_t *self, dp_ast_definition_t *def)
{
    const dp_token_t *keyword = s_lookahead (self);
    if (!keyword)
        return -1;
    int (*parse) (s_parser_t *, dp_ast_definition_t *) = NULL;
    bool interface = false;
    if (keyword->kind == DP_TOKEN_NAME) {
        if (s_value_is (keyword, "schema"))
            parse = s_parse_schema;
        else
        if (s_value_is (keyword, "scalar"))
            parse = s_parse_scalar;
        else
        if (s_value_is (keyword, "type") || (interface = s_value_is (keyword, "interface")))
            parse = NULL;
        else
        if (s_value_is (keyword, "union"))
            parse = s_parse_union;
        else
        if (s_value_is (keyword, "enum"))
            parse = s_parse_enum;
        else
        if (s_value_is (keyword, "input"))
            parse = s_parse_input_object;
        else
            return s_unexpected (self, keyword);
    }
    else
        return s_unexpected (self, keyword);
    def->extension = true;
    def->loc = s_loc (&self->token);
    if (s_expect_keyword (self, "extend"))
        return -1;
    return parse ? parse (self, def) : s_parse_object_or_interface (self, def, interface);
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

    int (*parse) (s_parser_t *, dp_ast_definition_t *) = NULL;
    bool interface = false;
    if (s_value_is (keyword, "schema"))
        parse = s_parse_schema;
    else
    if (s_value_is (keyword, "scalar"))
        parse = s_parse_scalar;
    else
    if (s_value_is (keyword, "union"))
        parse = s_parse_union;
    else
    if (s_value_is (keyword, "enum"))
        parse = s_parse_enum;
    else
    if (s_value_is (keyword, "input"))
        parse = s_parse_input_object;
    else
    if (s_value_is (keyword, "directive"))
        parse = s_parse_directive_definition;
    else
    if (s_value_is (keyword, "type") || (interface = s_value_is (keyword, "interface"))) {
        def->loc = s_loc (&self->token);
        if (s_parse_description (self, &def->description))
            return -1;
        return s_parse_object_or_interface (self, def, interface);
    }
    if (parse) {
        def->loc = s_loc (&self->token);
        if (s_parse_description (self, &def->description))
            return -1;
        return parse (self, def);
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
