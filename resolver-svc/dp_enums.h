/*  =========================================================================
    dp_enums - GraphQL enum values by their database ids

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    BoxState is box_state.id and ProductGender is genders.id in
    boxtribute's tables; the mapping writes cells through these tables and
    the box rules and filters turn GraphQL names back into ids. TagType and
    TaggableResourceType are stored as text: 'Stock' (Box), 'People'
    (Beneficiary), 'All' (tags.type, tags_relations.object_type).
@end
*/
#ifndef DP_ENUMS_H_INCLUDED
#define DP_ENUMS_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

//  Index = DB id; NULL where an id has no value.
extern const char *const dp_enums_box_states [9];
extern const char *const dp_enums_genders [14];

//  TagType's stored values and GraphQL names, in pairs (value, name),
//  NULL-terminated; TaggableResourceType uses the first two pairs.
extern const char *const dp_enums_tag_types [7];

//  The stored value of a TagType or TaggableResourceType name ("Box" ->
//  "Stock"), or NULL when unknown. Returns a static string.
const char *dp_enums_tag_type_value (const char *name);

//  The DB id of an enum value by its GraphQL name; 0 when unknown.
int64_t dp_enums_box_state_id (const char *name);
int64_t dp_enums_gender_id (const char *name);

//  Selftest.
void dp_enums_test (bool verbose);

#endif
