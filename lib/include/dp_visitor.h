/*  =========================================================================
    dp_visitor - a depth-first walk over a GraphQL document

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_visit walks a document (or any node under it) depth-first and calls
    a visitor's enter on the way down and leave on the way up, in the order
    graphql-js's QueryDocumentKeys gives (descriptions left out, as
    graphql-js's validate does). A dp_node_t is a small tagged view of one
    AST node; the walk keeps the nodes above the current one, so a callback
    can ask for its parent or any ancestor.
@discuss
    Names, the `variable` of a variable definition and directive locations
    are not visited as nodes: no rule looks at them. Type names that the
    AST keeps as strings (type conditions, interfaces, union members, root
    operation types) are visited as DP_NODE_NAMED_TYPE with their name and
    position, like every NamedType node in graphql-js.
    enter may answer DP_VISIT_SKIP (do not visit this node's children; its
    leave is not called) or DP_VISIT_BREAK (stop the whole walk).
@end
*/
#ifndef DP_VISITOR_H_INCLUDED
#define DP_VISITOR_H_INCLUDED

#include <stddef.h>
#include <stdbool.h>
#include "dp_ast.h"

typedef enum {
    DP_NODE_DOCUMENT,
    DP_NODE_OPERATION,              //  definition
    DP_NODE_FRAGMENT,               //  definition (a fragment definition)
    DP_NODE_TYPE_SYSTEM,            //  definition: schema, type or directive definition or extension
    DP_NODE_VARIABLE_DEF,           //  variable_def
    DP_NODE_SELECTION_SET,          //  selection_set
    DP_NODE_FIELD,                  //  selection
    DP_NODE_FRAGMENT_SPREAD,        //  selection
    DP_NODE_INLINE_FRAGMENT,        //  selection
    DP_NODE_ARGUMENT,               //  argument
    DP_NODE_DIRECTIVE,              //  directive
    DP_NODE_VALUE,                  //  value (any kind, variables included)
    DP_NODE_OBJECT_FIELD,           //  object_field
    DP_NODE_NAMED_TYPE,             //  name (type is set when it comes from a dp_ast_type_t)
    DP_NODE_LIST_TYPE,              //  type
    DP_NODE_NON_NULL_TYPE,          //  type
    DP_NODE_ROOT_OP,                //  root_op (schema { query: Q })
    DP_NODE_FIELD_DEF,              //  field_def
    DP_NODE_INPUT_VALUE_DEF,        //  input_value (argument or input field definition)
    DP_NODE_ENUM_VALUE_DEF          //  enum_value
} dp_node_kind_t;

//  A view of one node: the kind says which pointer is set.
typedef struct {
    dp_node_kind_t kind;
    union {
        const dp_ast_document_t *document;
        const dp_ast_definition_t *definition;
        const dp_ast_variable_def_t *variable_def;
        const dp_ast_selection_set_t *selection_set;
        const dp_ast_selection_t *selection;
        const dp_ast_argument_t *argument;
        const dp_ast_directive_t *directive;
        const dp_ast_value_t *value;
        const dp_ast_object_field_t *object_field;
        const dp_ast_type_t *type;
        const dp_ast_root_op_t *root_op;
        const dp_ast_field_def_t *field_def;
        const dp_ast_input_value_t *input_value;
        const dp_ast_enum_value_t *enum_value;
        const void *any;
    };
    const char *name;               //  NAMED_TYPE: the type's name
    dp_loc_t loc;                   //  where the node starts
} dp_node_t;

typedef enum {
    DP_VISIT_CONTINUE,
    DP_VISIT_SKIP,                  //  from enter: leave this node's children (and its leave) out
    DP_VISIT_BREAK                  //  stop the walk
} dp_visit_t;

//  The nodes above the one being visited.
typedef struct _dp_visit_path_t dp_visit_path_t;

typedef struct {
    dp_visit_t (*enter) (void *self, const dp_node_t *node, const dp_visit_path_t *path);
    dp_visit_t (*leave) (void *self, const dp_node_t *node, const dp_visit_path_t *path);
    void *self;                     //  passed back to enter and leave
} dp_visitor_t;

//  Visit root and every node under it. Either callback may be NULL.
//  Returns 0 when the walk finished, 1 when a callback answered
//  DP_VISIT_BREAK. Nothing is allocated that outlives the call.
int dp_visit (const dp_node_t *root, const dp_visitor_t *visitor);

//  The n-th ancestor of the node being visited (0: its parent), or NULL
//  above the root. Borrowed pointer valid during the callback.
const dp_node_t *dp_visit_ancestor (const dp_visit_path_t *path, size_t n);

//  The number of ancestors of the node being visited (0 for the root).
size_t dp_visit_depth (const dp_visit_path_t *path);

//  Views of AST nodes, to start a walk anywhere.
dp_node_t dp_node_document (const dp_ast_document_t *document);
dp_node_t dp_node_definition (const dp_ast_definition_t *definition);
dp_node_t dp_node_selection_set (const dp_ast_selection_set_t *selection_set);
dp_node_t dp_node_value (const dp_ast_value_t *value);

void dp_visitor_test (bool verbose);

#endif
