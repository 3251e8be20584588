/*  =========================================================================
    dp_instance - the name a service instance reports itself by

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Resolvers and db-svc put a name in the reports their heartbeats carry
    (proto/README.md), and the gateway's /metrics labels their series with
    it. The name is "<hostname>:<pid>", and "<hostname>:<pid>/<n>" for the
    n-th resolver actor of a process: unique among the processes of one
    deployment (a container's hostname is its id; processes on one host
    differ by pid), and readable in a dashboard.
@end
*/
#ifndef DP_INSTANCE_H_INCLUDED
#define DP_INSTANCE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Write this process's instance name into buf (size bytes, at least 2),
//  with "/<index>" appended when index >= 0; truncated to fit, always
//  NUL-terminated. Returns buf.
char *dp_instance_name (char *buf, size_t size, int index);

void dp_instance_test (bool verbose);

#endif
