/*  =========================================================================
    dp_enums - GraphQL enum values by their database ids

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    BoxState is box_state.id and ProductGender is genders.id in
    boxtribute's tables; the mapping writes cells through these tables and
    the box rules and filters turn GraphQL names back into ids.
@end
*/
#ifndef DP_ENUMS_H_INCLUDED
#define DP_ENUMS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  Index = DB id; NULL where an id has no value.
extern const char *const dp_enums_box_states [9];
extern const char *const dp_enums_genders [14];

//  The DB id of an enum value by its GraphQL name; 0 when unknown.
int64_t dp_enums_box_state_id (const char *name);
int64_t dp_enums_gender_id (const char *name);

//  Selftest.
void dp_enums_test (bool verbose);

#endif
