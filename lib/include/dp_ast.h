/*  =========================================================================
    dp_ast - the GraphQL abstract syntax tree (executable and type system)

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Plain structs, all allocated from the arena the parser was given; a
    document is freed with its arena. Lists are (pointer, count) pairs.
    Every node carries the 1-based line and column of its first token.
    Names and string values are NUL-terminated UTF-8.
@discuss
    The node set mirrors graphql-js's language/ast.ts (October 2021 spec).
    Type-system nodes share one dp_ast_definition_t with a kind tag, so the
    schema builder walks one array.
@end
*/
#ifndef DP_AST_H_INCLUDED
#define DP_AST_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t line;              //  1-based
    uint32_t column;            //  1-based, in UTF-16 code units like graphql-js
} dp_loc_t;

typedef struct {
    const char *value;
    dp_loc_t loc;
} dp_ast_name_t;

typedef enum {
    DP_AST_VARIABLE,
    DP_AST_INT,
    DP_AST_FLOAT,
    DP_AST_STRING,
    DP_AST_BOOLEAN,
    DP_AST_NULL,
    DP_AST_ENUM,
    DP_AST_LIST,
    DP_AST_OBJECT
} dp_ast_value_kind_t;

typedef struct _dp_ast_value_t dp_ast_value_t;

typedef struct {
    const char *name;
    dp_ast_value_t *value;
    dp_loc_t loc;
} dp_ast_object_field_t;

struct _dp_ast_value_t {
    dp_ast_value_kind_t kind;
    dp_loc_t loc;
    const char *text;           //  INT/FLOAT: raw digits; STRING: decoded value;
                                //  ENUM: name; VARIABLE: name without '$'
    size_t text_len;            //  length of text (STRING may contain NUL)
    bool boolean;               //  BOOLEAN
    bool block;                 //  STRING written as a block string
    dp_ast_value_t **items;     //  LIST
    size_t n_items;
    dp_ast_object_field_t *fields;  //  OBJECT
    size_t n_fields;
};

typedef struct {
    const char *name;
    dp_ast_value_t *value;
    dp_loc_t loc;
} dp_ast_argument_t;

typedef struct {
    const char *name;
    dp_ast_argument_t *args;
    size_t n_args;
    dp_loc_t loc;
} dp_ast_directive_t;

typedef enum {
    DP_AST_TYPE_NAMED,
    DP_AST_TYPE_LIST,
    DP_AST_TYPE_NON_NULL
} dp_ast_type_kind_t;

typedef struct _dp_ast_type_t {
    dp_ast_type_kind_t kind;
    const char *name;               //  NAMED
    struct _dp_ast_type_t *of;      //  LIST, NON_NULL
    dp_loc_t loc;
} dp_ast_type_t;

typedef enum {
    DP_AST_FIELD,
    DP_AST_FRAGMENT_SPREAD,
    DP_AST_INLINE_FRAGMENT
} dp_ast_selection_kind_t;

typedef struct _dp_ast_selection_set_t dp_ast_selection_set_t;

typedef struct {
    dp_ast_selection_kind_t kind;
    dp_loc_t loc;
    const char *alias;              //  FIELD; NULL when absent
    const char *name;               //  FIELD name, or FRAGMENT_SPREAD's fragment
    dp_ast_argument_t *args;        //  FIELD
    size_t n_args;
    dp_ast_directive_t *directives;
    size_t n_directives;
    const char *type_condition;     //  INLINE_FRAGMENT; NULL when absent
    dp_ast_selection_set_t *selection_set;  //  NULL for a leaf field / spread
    dp_loc_t name_loc;              //  FIELD's name (after any alias); FRAGMENT_SPREAD's name
    dp_loc_t type_condition_loc;    //  INLINE_FRAGMENT's type condition, when present
} dp_ast_selection_t;

struct _dp_ast_selection_set_t {
    dp_ast_selection_t *items;
    size_t n_items;
    dp_loc_t loc;
};

typedef enum {
    DP_OP_QUERY,
    DP_OP_MUTATION,
    DP_OP_SUBSCRIPTION
} dp_op_kind_t;

typedef struct {
    const char *name;               //  without '$'
    dp_ast_type_t *type;
    dp_ast_value_t *default_value;  //  NULL when absent
    dp_ast_directive_t *directives;
    size_t n_directives;
    dp_loc_t loc;                   //  the '$' (where the variable starts too)
    dp_loc_t name_loc;              //  the name after '$'
} dp_ast_variable_def_t;

//  An argument definition or an input-object field definition.
typedef struct {
    const char *description;        //  NULL when absent
    bool description_block;         //  the description was a block string
    const char *name;
    dp_ast_type_t *type;
    dp_ast_value_t *default_value;  //  NULL when absent
    dp_ast_directive_t *directives;
    size_t n_directives;
    dp_loc_t loc;
} dp_ast_input_value_t;

typedef struct {
    const char *description;
    bool description_block;
    const char *name;
    dp_ast_input_value_t *args;
    size_t n_args;
    dp_ast_type_t *type;
    dp_ast_directive_t *directives;
    size_t n_directives;
    dp_loc_t loc;
} dp_ast_field_def_t;

typedef struct {
    const char *description;
    bool description_block;
    const char *name;
    dp_ast_directive_t *directives;
    size_t n_directives;
    dp_loc_t loc;
} dp_ast_enum_value_t;

typedef struct {
    dp_op_kind_t operation;
    const char *type_name;
    dp_loc_t loc;
    dp_loc_t type_loc;              //  the type name
} dp_ast_root_op_t;

typedef enum {
    DP_AST_OPERATION,
    DP_AST_FRAGMENT,
    DP_AST_SCHEMA,
    DP_AST_SCALAR,
    DP_AST_OBJECT_TYPE,
    DP_AST_INTERFACE,
    DP_AST_UNION,
    DP_AST_ENUM_TYPE,
    DP_AST_INPUT_OBJECT,
    DP_AST_DIRECTIVE_DEF
} dp_ast_definition_kind_t;

typedef struct {
    dp_ast_definition_kind_t kind;
    bool extension;                 //  `extend ...`
    dp_loc_t loc;
    const char *description;        //  type system; NULL when absent
    bool description_block;         //  the description was a block string
    const char *name;               //  NULL for an anonymous operation / schema
    dp_loc_t name_loc;              //  the name, when there is one
    dp_loc_t type_condition_loc;    //  FRAGMENT: the type condition's name
    //  OPERATION
    dp_op_kind_t operation;
    dp_ast_variable_def_t *variables;
    size_t n_variables;
    //  FRAGMENT (also the `on` of nothing else)
    const char *type_condition;
    //  OPERATION, FRAGMENT and every type-system definition
    dp_ast_directive_t *directives;
    size_t n_directives;
    //  OPERATION, FRAGMENT
    dp_ast_selection_set_t *selection_set;
    //  OBJECT_TYPE, INTERFACE
    dp_ast_name_t *interfaces;
    size_t n_interfaces;
    dp_ast_field_def_t *fields;
    size_t n_fields;
    //  INPUT_OBJECT fields; DIRECTIVE_DEF arguments
    dp_ast_input_value_t *input_fields;
    size_t n_input_fields;
    //  UNION
    dp_ast_name_t *members;
    size_t n_members;
    //  ENUM_TYPE
    dp_ast_enum_value_t *values;
    size_t n_values;
    //  SCHEMA
    dp_ast_root_op_t *root_ops;
    size_t n_root_ops;
    //  DIRECTIVE_DEF
    bool repeatable;
    dp_ast_name_t *locations;
    size_t n_locations;
} dp_ast_definition_t;

typedef struct {
    dp_ast_definition_t *defs;
    size_t n_defs;
} dp_ast_document_t;

#endif
