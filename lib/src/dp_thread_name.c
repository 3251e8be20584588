/*  =========================================================================
    dp_thread_name - the name a service's thread shows in ps, top and perf

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#define _GNU_SOURCE                     //  pthread_setname_np
#include "dp_thread_name.h"
#include <pthread.h>
#include <string.h>

void
dp_thread_name (const char *name)
{
    char kept [16];
    strncpy (kept, name, sizeof kept - 1);
    kept [sizeof kept - 1] = 0;
    pthread_setname_np (pthread_self (), kept);
}
