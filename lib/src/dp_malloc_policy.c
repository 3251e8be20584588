/*  =========================================================================
    dp_malloc_policy - keep freed memory for the next requests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_malloc_policy.h.
@end
*/
#include "dp_malloc_policy.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#if defined (__GLIBC__)
#   include <malloc.h>
#endif

//  glibc's largest mmap threshold on 64-bit (half its heaps' 64 MB).
#define S_MMAP_THRESHOLD (32u << 20)
//  Freed memory at a heap's top kept before it is returned to the kernel.
#define S_TRIM_THRESHOLD (256u << 20)

//  Sanitizers replace malloc; their allocators ignore glibc's settings.
#if defined (__SANITIZE_ADDRESS__) || defined (__SANITIZE_THREAD__)
#   define S_SANITIZED 1
#elif defined (__has_feature)
#   if __has_feature (address_sanitizer) || __has_feature (thread_sanitizer)
#       define S_SANITIZED 1
#   endif
#endif

int
dp_malloc_policy_apply (void)
{
#if defined (__GLIBC__) && !defined (S_SANITIZED)
    //  A fixed threshold also stops glibc from moving it, which it does
    //  only after a large block was freed: too late for the first requests.
    if (mallopt (M_MMAP_THRESHOLD, (int) S_MMAP_THRESHOLD) != 1
    ||  mallopt (M_TRIM_THRESHOLD, (int) S_TRIM_THRESHOLD) != 1)
        return -1;
    return 0;
#else
    return -1;
#endif
}

#if defined (__GLIBC__) && !defined (S_SANITIZED)
//  Minor page faults of the calling process so far.
static long
s_minor_faults (void)
{
    struct rusage usage;
    int rc = getrusage (RUSAGE_SELF, &usage);
    assert (rc == 0);
    return usage.ru_minflt;
}

//  Faults taken by one request's worth of memory, as a preload uses it:
//  a 16 MB answer and 40 MB of 256 KB arena chunks, filled, then freed.
static long
s_faults_of_one_request (void)
{
    enum { CHUNKS = 160, CHUNK = 256 << 10, ANSWER = 16 << 20 };
    long before = s_minor_faults ();
    char *answer = malloc (ANSWER);
    assert (answer);
    memset (answer, 1, ANSWER);
    char *chunks [CHUNKS];
    for (size_t i = 0; i < CHUNKS; i++) {
        chunks [i] = malloc (CHUNK);
        assert (chunks [i]);
        memset (chunks [i], 1, CHUNK);
    }
    for (size_t i = 0; i < CHUNKS; i++)
        free (chunks [i]);
    free (answer);
    return s_minor_faults () - before;
}
#endif

void
dp_malloc_policy_test (bool verbose)
{
    int rc = dp_malloc_policy_apply ();
#if defined (__GLIBC__) && !defined (S_SANITIZED)
    assert (rc == 0);
    //  The next requests reuse the first one's pages (a few faults at
    //  most), where glibc's default gives most of them back on free and
    //  faults them in again every time (over 10,000 of 14,336 pages).
    s_faults_of_one_request ();
    for (int request = 2; request <= 3; request++) {
        long faults = s_faults_of_one_request ();
        if (verbose)
            printf (" * dp_malloc_policy: request %d took %ld page faults\n", request, faults);
        assert (faults < 100);
    }
#else
    //  Another allocator: the policy says it did not apply.
    assert (rc == -1);
    if (verbose)
        printf (" * dp_malloc_policy: not glibc's allocator, policy not applied\n");
#endif
    if (verbose)
        printf (" * dp_malloc_policy: OK\n");
}
