/*  =========================================================================
    dp_malloc_policy - keep freed memory for the next requests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A large answer (the full preload: 12 MB of JSON, its rows, the cache's
    tables) is written into memory that glibc's malloc, by default, takes
    from the kernel with mmap for each request and gives back when it is
    freed. Every page of it is then faulted in again by the next request:
    on a virtual machine a page fault is expensive, and the faults cost
    three quarters of the preload's CPU. Each service's main applies this
    policy once at start: allocations up to 32 MB come from malloc's heaps,
    and up to 256 MB of freed memory per heap is kept for reuse instead of
    being returned. A process's resident memory thus stays at the high
    water mark of what its requests used at once.
@end
*/
#ifndef DP_MALLOC_POLICY_H_INCLUDED
#define DP_MALLOC_POLICY_H_INCLUDED

#include <stdbool.h>

//  Apply the policy to this process. Call once from main, before any
//  thread starts. Returns 0, or -1 when the allocator does not take it
//  (not glibc's, e.g. a sanitizer's): memory then behaves as it would.
int dp_malloc_policy_apply (void);

void dp_malloc_policy_test (bool verbose);

#endif
