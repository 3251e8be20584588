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
    differ by pid), and readable in a dashboard. DEPOT_INSTANCE_NAME, when
    set, takes the place of "<hostname>:<pid>": a service restarted under
    the same name is known by its peers as the same place (proto/README.md,
    section 5), as a container keeps its hostname and pid 1.
    An instance also has an id: random, non-zero, new at every start. Peers
    that see a new id under a known name or address know the instance they
    talked to is gone, and what was sent to it will never be answered.
@end
*/
#ifndef DP_INSTANCE_H_INCLUDED
#define DP_INSTANCE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Write this process's instance name into buf (size bytes, at least 2),
//  with "/<index>" appended when index >= 0; truncated to fit, always
//  NUL-terminated. Returns buf.
char *dp_instance_name (char *buf, size_t size, int index);

//  A new random, non-zero instance id (from the kernel's random source;
//  a clock and pid mix if that fails). Call once per actor at start.
uint64_t dp_instance_id (void);

void dp_instance_test (bool verbose);

#endif
