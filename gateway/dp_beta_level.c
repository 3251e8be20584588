/*  =========================================================================
    dp_beta_level - boxtribute's beta-level check of a document's mutations

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The table is boxtribute's MUTATIONS_FOR_BETA_LEVEL, written as the
    level at which each mutation is first allowed (each level allows what
    the levels below it do). It names every mutation boxtribute has, so a
    mutation Depot serves later needs no change here.
@end
*/
#include "dp_beta_level.h"
#include "dp_parser.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_DEFAULT_LEVEL 5       //  boxtribute's DEFAULT_MAX_BETA_LEVEL

typedef struct {
    const char *name;
    int level;
} s_entry_t;

static const s_entry_t s_levels [] = {
    //  0: BoxView and BoxEdit
    { "updateBox", 0 },
    //  1: BoxCreate and the QR scanner
    { "createBox", 1 }, { "createQrCode", 1 },
    //  2: transfer agreements and shipments
    { "createTransferAgreement", 2 }, { "acceptTransferAgreement", 2 },
    { "rejectTransferAgreement", 2 }, { "cancelTransferAgreement", 2 }, { "createShipment", 2 },
    { "updateShipmentWhenPreparing", 2 }, { "updateShipmentWhenReceiving", 2 },
    { "cancelShipment", 2 }, { "sendShipment", 2 }, { "startReceivingShipment", 2 },
    { "markShipmentAsLost", 2 }, { "moveNotDeliveredBoxesInStock", 2 },
    //  3: bulk actions of ManageBoxes, shareable links
    { "deleteBoxes", 3 }, { "moveBoxesToLocation", 3 }, { "assignTagsToBoxes", 3 },
    { "unassignTagsFromBoxes", 3 }, { "createShareableLink", 3 },
    //  4: ManageProducts
    { "createCustomProduct", 4 }, { "editCustomProduct", 4 }, { "deleteProduct", 4 },
    { "enableStandardProduct", 4 }, { "enableStandardProducts", 4 },
    { "editStandardProductInstantiation", 4 }, { "disableStandardProduct", 4 },
    //  5: tags, create box from box
    { "createTag", 5 }, { "updateTag", 5 }, { "deleteTag", 5 }, { "deleteTags", 5 },
    { "createBoxFromBox", 5 },
    //  6: bulk creation
    { "createBeneficiaries", 6 }, { "createBoxes", 6 },
    //  7: kept for users who have it
    { "updateMarkedForShipmentBox", 7 },
    //  98: beneficiaries, tag assignment
    { "createBeneficiary", 98 }, { "updateBeneficiary", 98 }, { "deactivateBeneficiary", 98 },
    { "assignTag", 98 }, { "unassignTag", 98 },
    //  99: mobile distribution (the test user, god users)
    { "createDistributionSpot", 99 }, { "createDistributionEvent", 99 },
    { "addPackingListEntryToDistributionEvent", 99 },
    { "removePackingListEntryFromDistributionEvent", 99 },
    { "removeAllPackingListEntriesFromDistributionEventForProduct", 99 },
    { "updatePackingListEntry", 99 }, { "updateSelectedProductsForDistributionEventPackingList", 99 },
    { "changeDistributionEventState", 99 }, { "assignBoxToDistributionEvent", 99 },
    { "unassignBoxFromDistributionEvent", 99 }, { "moveItemsFromBoxToDistributionEvent", 99 },
    { "removeItemsFromUnboxedItemsCollection", 99 }, { "startDistributionEventsTrackingGroup", 99 },
    { "setReturnedNumberOfItemsForDistributionEventsTrackingGroup", 99 },
    { "moveItemsFromReturnTrackingGroupToBox", 99 }, { "completeDistributionEventsTrackingGroup", 99 },
};

int
dp_beta_level_of (const char *name)
{
    for (size_t i = 0; i < sizeof s_levels / sizeof s_levels [0]; i++)
        if (strcmp (s_levels [i].name, name) == 0)
            return s_levels [i].level;
    return -1;
}

//  The level boxtribute runs the user at: the beta_user claim (absent: 0)
//  when it names a level, else the default.
static int
s_user_level (const dp_identity_t *identity)
{
    int level = identity->beta_user < 0 ? 0 : identity->beta_user;
    if ((level >= 0 && level <= 7) || level == 98 || level == 99)
        return level;
    return S_DEFAULT_LEVEL;
}

bool
dp_beta_level_allows (const dp_identity_t *identity, const dp_ast_document_t *document)
{
    if (identity->god)
        return true;
    int level = s_user_level (identity);
    for (size_t d = 0; d < document->n_defs; d++) {
        const dp_ast_definition_t *def = &document->defs [d];
        if (def->kind != DP_AST_OPERATION || def->operation != DP_OP_MUTATION)
            continue;
        for (size_t i = 0; def->selection_set && i < def->selection_set->n_items; i++) {
            const dp_ast_selection_t *sel = &def->selection_set->items [i];
            if (sel->kind != DP_AST_FIELD)
                continue;
            int needed = dp_beta_level_of (sel->name);
            if (needed < 0 || needed > level)
                return false;
        }
        return true;            //  the first mutation decides
    }
    return true;
}

//  -------------------------------------------------------------------------
//  Selftest

static bool
s_test (int beta_user, bool god, const char *query)
{
    dp_arena_t *arena = dp_arena_new (0);
    dp_parse_error_t error;
    const dp_ast_document_t *doc = dp_parse (arena, query, strlen (query), NULL, &error);
    assert (doc);
    dp_identity_t identity = { .user_id = 1, .beta_user = beta_user, .god = god };
    bool allowed = dp_beta_level_allows (&identity, doc);
    dp_arena_destroy (&arena);
    return allowed;
}

void
dp_beta_level_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_beta_level: ");
    //  Cumulative levels: updateBox from 0, createBox from 1, the bulk
    //  actions from 3, tags from 5, assignTag from 98.
    assert (s_test (0, false, "mutation { updateBox(updateInput: {}) { id } }"));
    assert (!s_test (0, false, "mutation { createBox { id } }"));
    assert (s_test (1, false, "mutation { createBox { id } updateBox { id } }"));
    assert (!s_test (2, false, "mutation { moveBoxesToLocation { __typename } }"));
    assert (s_test (3, false, "mutation { moveBoxesToLocation { __typename } }"));
    assert (!s_test (4, false, "mutation { a: createTag { __typename } }"));
    assert (s_test (5, false, "mutation { a: createTag { __typename } b: createTag { __typename } }"));
    assert (!s_test (7, false, "mutation { assignTag { __typename } }"));
    assert (s_test (98, false, "mutation { assignTag { __typename } }"));
    //  No claim: level 0; an unknown level: the default, 5.
    assert (!s_test (-1, false, "mutation { createQrCode { id } }"));
    assert (s_test (50, false, "mutation { createTag { __typename } }"));
    assert (!s_test (50, false, "mutation { createBoxes { __typename } }"));
    //  One field above the level refuses the document; god users pass;
    //  queries pass; a mutation no level lists is refused.
    assert (!s_test (1, false, "mutation { createBox { id } deleteBoxes { __typename } }"));
    assert (s_test (0, true, "mutation { deleteBoxes { __typename } }"));
    assert (s_test (0, false, "query { deleteBoxes } mutation M { updateBox { id } }"));
    assert (!s_test (99, false, "mutation { noSuchMutation }"));
    //  As boxtribute: only the first mutation operation, only its direct fields.
    assert (s_test (0, false, "mutation A { updateBox { id } } mutation B { deleteBoxes { __typename } }"));
    assert (s_test (0, false, "mutation { ...F } fragment F on Mutation { deleteBoxes { __typename } }"));
    printf ("OK\n");
}
