/*  =========================================================================
    dp_mut_agreement - the transfer agreement mutations: createTransferAgreement,
    acceptTransferAgreement, rejectTransferAgreement, cancelTransferAgreement

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each is a dp_mutation_def_t (dp_mutation.h), bound to its Mutation field
    in dp_mapping.c, with boxtribute's semantics
    (business_logic/box_transfer/agreement): errors are top-level GraphQL
    errors (FORBIDDEN, BAD_USER_INPUT), as boxtribute raises them.
    dp_mut_agreement_create.c creates; dp_mut_agreement_state.c moves an
    agreement's state (the agreement row locked, only the state columns
    written).
@end
*/
#ifndef DP_MUT_AGREEMENT_H_INCLUDED
#define DP_MUT_AGREEMENT_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_create_transfer_agreement;
extern const dp_mutation_def_t dp_mut_accept_transfer_agreement;
extern const dp_mutation_def_t dp_mut_reject_transfer_agreement;
extern const dp_mutation_def_t dp_mut_cancel_transfer_agreement;

//  boxtribute's InvalidTransferAgreementState: BAD_USER_INPUT "The state
//  of the transfer agreement (<actual>) does not allow the requested
//  action. Expecting state: <expected>" (expected: "A or B"). Ends the field.
void dp_mut_agreement_state_error (dp_mutation_t *m, const char *actual, const char *expected);

#endif
