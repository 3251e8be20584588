/*  =========================================================================
    dp_mut_tags - the tag mutations: updateTag, deleteTag, deleteTags,
    assignTag, unassignTag

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each is a dp_mutation_def_t (dp_mutation.h), bound to its Mutation field
    in dp_mapping.c; one file per family: dp_mut_tag_update.c,
    dp_mut_tag_delete.c, dp_mut_tag_assign.c. boxtribute's semantics
    (business_logic/tag), with Depot's stricter rules for applying tags
    (README, Deliberate choices).
@end
*/
#ifndef DP_MUT_TAGS_H_INCLUDED
#define DP_MUT_TAGS_H_INCLUDED

#include "dp_mutation.h"

extern const dp_mutation_def_t dp_mut_update_tag;
extern const dp_mutation_def_t dp_mut_delete_tag;
extern const dp_mutation_def_t dp_mut_delete_tags;
extern const dp_mutation_def_t dp_mut_assign_tag;
extern const dp_mutation_def_t dp_mut_unassign_tag;

#endif
