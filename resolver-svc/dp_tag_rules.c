/*  =========================================================================
    dp_tag_rules - boxtribute's rules for a tag's colour and where it applies

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_tag_rules.h"
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool
dp_tag_color_valid (const char *color)
{
    if (!color || color [0] != '#')
        return false;
    size_t digits = strlen (color + 1);
    //  Python's $ also matches before one final newline.
    if (digits > 0 && color [digits] == '\n')
        digits--;
    if (digits != 3 && digits != 6)
        return false;
    for (size_t i = 1; i <= digits; i++)
        if (!isxdigit ((unsigned char) color [i]))
            return false;
    return true;
}

bool
dp_tag_type_fits (const char *tag_type, const char *resource_type)
{
    assert (resource_type);
    return !tag_type || strcmp (tag_type, "All") == 0 || strcmp (tag_type, resource_type) == 0;
}

//  -------------------------------------------------------------------------
//  Selftest: boxtribute's own cases (test_tag.py) and the edges of its
//  regular expression ^#(?:[0-9a-fA-F]{3}){1,2}$.

void
dp_tag_rules_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_tag_rules: ");
    assert (dp_tag_color_valid ("#ff0000"));
    assert (dp_tag_color_valid ("#c0ffee"));
    assert (dp_tag_color_valid ("#ABC"));
    assert (!dp_tag_color_valid ("not-a-color"));
    assert (!dp_tag_color_valid ("invalid"));
    assert (!dp_tag_color_valid ("#abcd"));         //  4 and 5 digits are neither form
    assert (!dp_tag_color_valid ("#12345"));
    assert (!dp_tag_color_valid ("#1234567"));
    assert (!dp_tag_color_valid ("#12345g"));
    assert (!dp_tag_color_valid ("123456"));
    assert (!dp_tag_color_valid ("#"));
    assert (!dp_tag_color_valid (""));
    assert (!dp_tag_color_valid (NULL));
    assert (dp_tag_color_valid ("#abc\n"));         //  re.match's $, as boxtribute checks
    assert (!dp_tag_color_valid ("#abc\n\n"));
    assert (!dp_tag_color_valid ("#\n"));
    assert (dp_tag_type_fits ("All", "Stock") && dp_tag_type_fits ("All", "People"));
    assert (dp_tag_type_fits ("Stock", "Stock") && !dp_tag_type_fits ("Stock", "People"));
    assert (dp_tag_type_fits ("People", "People") && !dp_tag_type_fits ("People", "Stock"));
    assert (dp_tag_type_fits (NULL, "Stock"));
    printf ("OK\n");
}
