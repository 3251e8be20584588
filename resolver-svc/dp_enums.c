/*  =========================================================================
    dp_enums - GraphQL enum values by their database ids

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_enums.h"
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char *const dp_enums_box_states [9] = {
    NULL, "InStock", "Lost", "MarkedForShipment", "Receiving", "Donated", "Scrap",
    "InTransit", "NotDelivered"
};
const char *const dp_enums_genders [14] = {
    NULL, "Women", "Men", "UnisexAdult", "Girl", "Boy", "UnisexKid", "BabyGirl", "BabyBoy",
    "UnisexBaby", "none", NULL, "TeenGirl", "TeenBoy"
};

const char *const dp_enums_tag_types [7] = {
    "Stock", "Box", "People", "Beneficiary", "All", "All", NULL
};

static int64_t
s_index_of (const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names [i] && strcmp (names [i], name) == 0)
            return (int64_t) i;
    return 0;
}

int64_t
dp_enums_box_state_id (const char *name)
{
    return s_index_of (dp_enums_box_states, 9, name);
}

int64_t
dp_enums_gender_id (const char *name)
{
    return s_index_of (dp_enums_genders, 14, name);
}

const char *
dp_enums_tag_type_value (const char *name)
{
    for (size_t i = 0; dp_enums_tag_types [i]; i += 2)
        if (strcmp (dp_enums_tag_types [i + 1], name) == 0)
            return dp_enums_tag_types [i];
    return NULL;
}

//  -------------------------------------------------------------------------
//  Selftest: ids as boxtribute numbers them (its box_state table, its
//  enums.py's ProductGender).

void
dp_enums_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_enums: ");
    assert (dp_enums_box_state_id ("InStock") == 1);
    assert (dp_enums_box_state_id ("Donated") == 5);
    assert (dp_enums_box_state_id ("NotDelivered") == 8);
    assert (dp_enums_box_state_id ("Instock") == 0);        //  GraphQL's names only
    assert (dp_enums_gender_id ("Women") == 1);
    assert (dp_enums_gender_id ("TeenBoy") == 13);
    assert (dp_enums_gender_id ("Unknown") == 0);
    assert (strcmp (dp_enums_tag_type_value ("Box"), "Stock") == 0);
    assert (strcmp (dp_enums_tag_type_value ("Beneficiary"), "People") == 0);
    assert (strcmp (dp_enums_tag_type_value ("All"), "All") == 0);
    assert (dp_enums_tag_type_value ("Stock") == NULL);     //  GraphQL's names only
    printf ("OK\n");
}
