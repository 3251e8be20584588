/*  =========================================================================
    dp_broker - the gateway's broker actor: hands EXECUTEs to resolvers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The broker sits between the civetweb worker threads and the resolver
    actors. It binds two ROUTER sockets:
      backend   resolver DEALERs connect here (tcp:// across processes,
                inproc:// in the one-process form); frames [resolver_id,
                msgpack].
      frontend  a unique inproc:// endpoint; every worker thread connects
                its own DEALER; frames [worker_id, msgpack].
    Resolvers announce READY{credit, instance_id, instance} (how many
    requests they take at once, again whenever they like; who they are)
    and send HEARTBEAT. The broker sends HEARTBEAT (with its own instance
    id) to each live resolver every heartbeat_ms, and at once to one that
    joins. A resolver is dead when it is silent for liveness_ms, says
    DISCONNECT, cannot be sent to, or is superseded by a READY from a new
    connection of the same instance or from a new instance under its name
    (dp_broker_resolvers). Its requests flagged DP_EXECUTE_READ_ONLY, not
    cancelled and not past their deadline, go back to the front of the
    queue for a live resolver (at most twice per request); the others are
    answered ERROR{503, "resolver lost"} at once.
@discuss
    An EXECUTE from a worker goes to the live resolver with spare credit
    that has the fewest requests in flight (ties go round robin). Without
    spare credit it waits in a FIFO queue. Admission (dp_admission): the
    broker holds at most as many requests (in flight plus queued) as its
    limit, which follows their latency between admission_min and
    max_inflight; a request beyond it waits, first come first served, up
    to admission_wait_ms for a slot, then gets ERROR 503 "server busy"
    (at once when max_inflight are waiting already). With no resolver
    connected at all the worker gets ERROR 503 at once. A queued or
    waiting request whose deadline passes gets ERROR 408.
    RESULT and ERROR from a resolver are routed back by correlation id;
    the bytes are forwarded untouched (only the envelope is peeked). A
    reply for an id the broker no longer knows is dropped. A resolver that
    never answers an in-flight request has it failed with 408 a grace
    period after its deadline, which also gives the credit back.
    Every request the broker accepts gets exactly one reply.
    The reports a resolver's HEARTBEAT carries (its own and those of the
    db-svc it hears from) go to the fleet, for /metrics.
    A CANCEL from the worker that sent a request (its HTTP client went
    away) answers a queued request 499 at once; one at a resolver is
    cancelled there with a CANCEL of its own, and its answer, which still
    comes, gives the credit back.
    A message from a resolver the broker does not know (it was declared
    dead, or the broker restarted) other than READY is answered with
    DISCONNECT, so the resolver reconnects and says READY again.
@end
*/
#ifndef DP_BROKER_H_INCLUDED
#define DP_BROKER_H_INCLUDED

#include <czmq.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "dp_fleet.h"

//  What the broker publishes for /metrics: written by the broker thread
//  only, read by any thread. Gauges are refreshed after every turn of the
//  broker's loop; counters only grow.
typedef struct {
    atomic_int resolvers;           //  live resolvers
    atomic_int credit;              //  their credit, summed
    atomic_int inflight;            //  requests at resolvers
    atomic_int queued;              //  requests waiting for credit
    atomic_uint_fast64_t accepted;  //  EXECUTEs taken (then answered exactly once)
    atomic_uint_fast64_t rejected;  //  EXECUTEs refused at once (no resolver, overloaded, late)
    atomic_uint_fast64_t expired;   //  accepted requests failed with 408 (deadline)
    atomic_uint_fast64_t lost;      //  accepted requests failed with 503 (resolver lost, stopping)
    atomic_uint_fast64_t resent;    //  reads sent again to another resolver after theirs died
    atomic_int limit;               //  the admission limit now
    atomic_int waiting;             //  requests waiting for an admission slot
    atomic_uint_fast64_t busy;      //  EXECUTEs refused 503 "server busy" by the admission limit
} dp_broker_stats_t;

typedef struct {
    const char *backend_endpoint;   //  bind, e.g. "tcp://*:5556" or "inproc://depot-backend"
    const char *frontend_endpoint;  //  bind, a unique "inproc://..." for the workers
    const char *execute_endpoint;   //  bind too, or NULL: where live-svc sends the EXECUTEs
                                    //  of subscriptions, the workers' path for another process
    int max_inflight;               //  the admission limit's maximum: requests held at once
                                    //  (in flight + queued), >= 1; also the wait list's bound
    int admission_min;              //  the admission limit's minimum (>= max_inflight or 0:
                                    //  a fixed limit of max_inflight)
    int admission_wait_ms;          //  a request over the limit waits this long for a slot
                                    //  before 503 (0: refused at once; -1: 100)
    int resolver_wait_ms;           //  with no resolver registered, requests wait this long
                                    //  (from when the last one left, or from the start) for
                                    //  one before 503 (0: refused at once)
    int heartbeat_ms;               //  HEARTBEAT interval to resolvers (0: 1000)
    int liveness_ms;                //  silence after which a resolver is dead (0: 3000)
    int grace_ms;                   //  extra wait for an in-flight request past its deadline (0: 5000)
    dp_broker_stats_t *stats;       //  NULL, or kept up to date (must outlive the actor)
    dp_fleet_t *fleet;              //  NULL, or given the reports of resolvers' HEARTBEATs
                                    //  (must outlive the actor)
} dp_broker_config_t;

//  Fill config with the defaults; endpoints NULL, max_inflight 96,
//  admission_min 32, admission_wait_ms 100, resolver_wait_ms 3000.
void dp_broker_config_defaults (dp_broker_config_t *config);

//  The broker actor; start it with dp_broker_actor_new. After its start-up
//  signal it sends one message "i" on the pipe: 0 when both endpoints are
//  bound, or -1 (with a log line) when one cannot be, and then it ends.
//  Pipe commands:
//    $TERM             stop: queued and in-flight requests get ERROR 503
//    STATUS            reply "iiii": live resolvers, total credit,
//                      requests in flight at resolvers, requests queued
//    VERBOSE           log every message at debug level
void dp_broker_actor (zsock_t *pipe, void *args);

//  Start the broker actor with config, which must stay valid until this
//  returns (the actor copies what it needs). Returns NULL when an endpoint
//  cannot be bound. Caller owns return value and must destroy it with
//  zactor_destroy.
zactor_t *dp_broker_actor_new (dp_broker_config_t *config);

void dp_broker_test (bool verbose);

#endif
