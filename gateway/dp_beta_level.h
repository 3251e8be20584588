/*  =========================================================================
    dp_beta_level - boxtribute's beta-level check of a document's mutations

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    boxtribute refuses a document whose mutation names a root field above
    the caller's beta level (authz.py check_user_beta_level, run as its
    query parser): HTTP 400 {"errors":[{"message":"Insufficient
    beta-level"}]} before validation and execution. The levels are
    cumulative; an unknown level counts as the default, 5; god users pass.
@end
*/
#ifndef DP_BETA_LEVEL_H_INCLUDED
#define DP_BETA_LEVEL_H_INCLUDED

#include <stdbool.h>
#include "dp_ast.h"
#include "dp_msg.h"

#define DP_BETA_LEVEL_REFUSED "Insufficient beta-level"

//  True when identity may send document: as boxtribute, only the first
//  mutation operation is looked at, and only the fields written directly
//  in its selection set (not those in fragments).
bool dp_beta_level_allows (const dp_identity_t *identity, const dp_ast_document_t *document);

//  The lowest beta level that may run mutation field `name`, or -1 when no
//  level lists it.
int dp_beta_level_of (const char *name);

void dp_beta_level_test (bool verbose);

#endif
