/*  =========================================================================
    dp_pid - getpid(2) answered from memory, for libzmq's fork checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
    See dp_pid.c: this library defines getpid() for the whole process.
*/
#ifndef DP_PID_H_INCLUDED
#define DP_PID_H_INCLUDED

#include <stdbool.h>

//  True once getpid() has read the pid (and no fork happened since). Its
//  reference from dp_poll keeps this file in every executable that polls.
bool dp_pid_cached (void);

//  Selftest.
void dp_pid_test (bool verbose);

#endif
