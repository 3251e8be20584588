/*  =========================================================================
    dp_instance - the name a service instance reports itself by

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_instance.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
dp_instance_name (char *buf, size_t size, int index)
{
    assert (buf);
    assert (size >= 2);
    char host [256];
    //  POSIX leaves the result unterminated when the name was truncated.
    if (gethostname (host, sizeof host - 1) != 0)
        strcpy (host, "unknown");
    host [sizeof host - 1] = 0;
    if (index >= 0)
        snprintf (buf, size, "%s:%ld/%d", host, (long) getpid (), index);
    else
        snprintf (buf, size, "%s:%ld", host, (long) getpid ());
    return buf;
}

void
dp_instance_test (bool verbose)
{
    printf (" * dp_instance: ");
    char name [300], expected [300], host [256] = "";
    dp_instance_name (name, sizeof name, -1);
    assert (gethostname (host, sizeof host - 1) == 0);
    snprintf (expected, sizeof expected, "%s:%ld", host, (long) getpid ());
    assert (strcmp (name, expected) == 0);
    dp_instance_name (name, sizeof name, 3);
    snprintf (expected, sizeof expected, "%s:%ld/3", host, (long) getpid ());
    assert (strcmp (name, expected) == 0);
    //  Truncated, never overrun.
    char small [4] = "zzz";
    dp_instance_name (small, 3, 0);
    assert (strlen (small) == 2 && small [3] == 0);
    if (verbose)
        printf ("%s ", name);
    printf ("OK\n");
}
