/*  =========================================================================
    dp_fleet - the latest report of every resolver and db-svc instance

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What the gateway knows of the services behind it. Resolvers send their
    own report and the latest report of each db-svc they hear from in
    every HEARTBEAT (proto/README.md); the broker hands each report to
    dp_fleet_update, and /metrics renders a dp_fleet_snapshot.
@discuss
    One entry per (service, instance). A db-svc heard by several resolvers
    arrives several times: the entry keeps the report taken last (by its
    taken_ms) and ignores the others, so a resolver that still forwards
    an old report cannot bring back old figures. An entry is current
    while a newer report came within liveness_ms; a killed db-svc's
    report stops getting newer at once, so its entry leaves the snapshot
    liveness_ms later, whatever the resolvers still forward.
    The broker thread writes, HTTP worker threads read: one mutex, held
    for a copy, never on the request path of GraphQL.
@end
*/
#ifndef DP_FLEET_H_INCLUDED
#define DP_FLEET_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_msg.h"

#define DP_FLEET_MAX 1024               //  entries kept; reports of more instances are dropped

typedef struct _dp_fleet_t dp_fleet_t;

//  One instance's latest report, as a snapshot holds it.
typedef struct {
    uint32_t service;                           //  dp_service_t
    char instance [DP_INSTANCE_MAX + 1];
    uint64_t taken_ms;                          //  when its service read the figures
    uint64_t values [DP_REPORT_VALUES_MAX];
    uint32_t n_values;
} dp_fleet_entry_t;

//  Create an empty fleet whose entries stay current liveness_ms (> 0)
//  after their last newer report. Caller owns the result and must destroy
//  it with dp_fleet_destroy, after every thread using it has stopped.
dp_fleet_t *dp_fleet_new (int liveness_ms);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_fleet_destroy (dp_fleet_t **self_p);

//  Record a report received at now (zclock_mono ms). It replaces the
//  entry of its service and instance when it was taken later than the
//  entry's (or there is none), and then the entry is current again from
//  now; else it is ignored. Returns true when kept.
bool dp_fleet_update (dp_fleet_t *self, const dp_report_t *report, int64_t now);

//  Copy the entries current at now, sorted by service, then instance;
//  entries no longer current are forgotten. Returns how many; *entries_p
//  gets the copy, which the caller owns and must free(), or NULL for none.
size_t dp_fleet_snapshot (dp_fleet_t *self, int64_t now, dp_fleet_entry_t **entries_p);

void dp_fleet_test (bool verbose);

#endif
