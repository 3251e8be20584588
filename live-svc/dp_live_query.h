/*  =========================================================================
    dp_live_query - a subscription document, checked and turned into queries

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    live-svc resolves every event of a subscription as a query by the same
    user, through the resolvers (the EXECUTE path of POST /graphql), so an
    event shows exactly what that user's query would. This class parses and
    validates a subscribe message's document against Depot's schema (its
    Subscription type), selects the operation, and writes the query texts:
      box, shipment   the document itself as a query (Query.box and
                      Query.shipment take the same arguments)
      boxesChanged    the view: `boxes` with the subscription's baseId and
                      filterInput, ids and labels of every box it keeps;
                      and, for the boxes that changed in it, one
                      `box(labelIdentifier:)` per box and `changed` field,
                      with that field's own selection.
    The variables travel as the client sent them: every text keeps the
    subscription's variable definitions.
@end
*/
#ifndef DP_LIVE_QUERY_H_INCLUDED
#define DP_LIVE_QUERY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "dp_arena.h"
#include "dp_ast.h"
#include "dp_schema.h"
#include "dp_validate.h"

typedef enum {
    DP_LIVE_BOXES_CHANGED = 1,      //  Subscription.boxesChanged
    DP_LIVE_BOX,                    //  Subscription.box
    DP_LIVE_SHIPMENT,               //  Subscription.shipment
    DP_LIVE_ONCE                    //  a query or mutation sent over the socket: one answer
} dp_live_kind_t;

typedef struct {
    dp_live_kind_t kind;
    const dp_ast_document_t *document;
    const dp_ast_definition_t *operation;
    const dp_ast_selection_t *root;     //  the subscription's one root field
    const char *query;                  //  box, shipment, once: the text to EXECUTE;
                                        //  boxesChanged: the view's query
    size_t query_len;
} dp_live_query_t;

//  Compile a subscribe message's payload (query text, operation name or
//  NULL). Returns 0 with *result filled (everything in arena), or -1 with
//  *errors_json set to a JSON array of GraphQL errors (in arena), as the
//  graphql-transport-ws `error` message carries them.
int dp_live_query_compile (dp_schema_t *schema, const dp_validate_limits_t *limits,
                           const char *query, const char *operation_name, dp_arena_t *arena,
                           dp_live_query_t *result, const char **errors_json);

//  The query reading the boxes labels[0..n) with the selection of each
//  `changed` field of a boxesChanged subscription: field i, label j is
//  aliased "c<i>_<j>". Returns the text, owned by arena.
char *dp_live_query_changed (const dp_live_query_t *self, const char *const *labels, size_t n,
                             dp_arena_t *arena, size_t *len_p);

#endif
