/*  =========================================================================
    dp_thread_name - the name a service's thread shows in ps, top and perf

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every actor names its thread ("dp-resolver", "dp-db", ...): where the
    CPU goes per actor is then readable in `top -H`, `perf report --sort
    comm` and /proc/<pid>/task/<tid>/comm (bench/syscall_profile.py counts
    system calls per actor by it). Otherwise they all show as the binary.
@end
*/
#ifndef DP_THREAD_NAME_H_INCLUDED
#define DP_THREAD_NAME_H_INCLUDED

//  Name the calling thread (at most 15 characters are kept). Failing is
//  harmless and silent: the name is only for people reading a profile.
void dp_thread_name (const char *name);

#endif
