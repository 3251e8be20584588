/*  =========================================================================
    dp_tag_rules - boxtribute's rules for a tag's colour and where it applies

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The checks the tag mutations share: a colour boxtribute accepts, and
    whether a tag of a type may be applied to a kind of resource. Types
    are the stored values (dp_enums: 'Stock', 'People', 'All').
@end
*/
#ifndef DP_TAG_RULES_H_INCLUDED
#define DP_TAG_RULES_H_INCLUDED

#include <stdbool.h>

//  True for "#RGB" or "#RRGGBB" (hex digits of either case), with one
//  final newline allowed, as boxtribute's _is_valid_hex_color (re.match
//  with $); false for NULL.
bool dp_tag_color_valid (const char *color);

//  True when a tag of stored type tag_type may be applied to a resource of
//  stored type resource_type ('Stock' or 'People'): an 'All' tag, a tag of
//  the resource's own type, or a tag without a type (NULL, as boxtribute's
//  comparison lets it through).
bool dp_tag_type_fits (const char *tag_type, const char *resource_type);

//  Selftest.
void dp_tag_rules_test (bool verbose);

#endif
