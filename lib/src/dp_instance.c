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
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

char *
dp_instance_name (char *buf, size_t size, int index)
{
    assert (buf);
    assert (size >= 2);
    const char *configured = getenv ("DEPOT_INSTANCE_NAME");
    char base [300];
    if (configured && *configured)
        snprintf (base, sizeof base, "%s", configured);
    else {
        char host [256];
        //  POSIX leaves the result unterminated when the name was truncated.
        if (gethostname (host, sizeof host - 1) != 0)
            strcpy (host, "unknown");
        host [sizeof host - 1] = 0;
        snprintf (base, sizeof base, "%s:%ld", host, (long) getpid ());
    }
    if (index >= 0)
        snprintf (buf, size, "%s/%d", base, index);
    else
        snprintf (buf, size, "%s", base);
    return buf;
}

uint64_t
dp_instance_id (void)
{
    uint64_t id = 0;
    while (id == 0) {
        if (getrandom (&id, sizeof id, 0) != (ssize_t) sizeof id) {
            struct timespec ts;
            clock_gettime (CLOCK_REALTIME, &ts);
            id = ((uint64_t) ts.tv_sec * 1000000007ull) ^ (uint64_t) ts.tv_nsec
               ^ ((uint64_t) getpid () << 40);
        }
    }
    return id;
}

void
dp_instance_test (bool verbose)
{
    printf (" * dp_instance: ");
    const char *saved = getenv ("DEPOT_INSTANCE_NAME");
    char *saved_copy = saved ? strdup (saved) : NULL;
    unsetenv ("DEPOT_INSTANCE_NAME");
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
    //  DEPOT_INSTANCE_NAME replaces host:pid, and keeps the actor index.
    setenv ("DEPOT_INSTANCE_NAME", "resolver0", 1);
    dp_instance_name (name, sizeof name, 2);
    assert (strcmp (name, "resolver0/2") == 0);
    dp_instance_name (name, sizeof name, -1);
    assert (strcmp (name, "resolver0") == 0);
    if (saved_copy)
        setenv ("DEPOT_INSTANCE_NAME", saved_copy, 1);
    else
        unsetenv ("DEPOT_INSTANCE_NAME");
    free (saved_copy);
    //  Ids: non-zero and new at every call.
    uint64_t a = dp_instance_id (), b = dp_instance_id ();
    assert (a != 0 && b != 0 && a != b);
    if (verbose)
        printf ("%s ", name);
    printf ("OK\n");
}
