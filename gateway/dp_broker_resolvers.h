/*  =========================================================================
    dp_broker_resolvers - the broker's registry of resolvers, by connection
    and by instance

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The resolvers the gateway's broker knows: each registered by the
    ROUTER routing id of the READY that announced it, with the resolver
    actor's instance id (random, new at every start) and name (stable
    across restarts when DEPOT_INSTANCE_NAME is set), its credit and its
    requests in flight. Kept in round-robin order for the broker's pick.
@discuss
    A READY from a new connection may supersede a registered resolver
    (proto/README.md, section 5), which the broker then declares dead at
    once instead of after the liveness time:
    - the same instance id on another connection: the instance started
      over with a new DEALER (it dropped what it had on the old one);
    - the same name with another instance id: the instance under that
      name restarted, and the old one is gone.
    Names are a promise of the deployment: two live resolvers configured
    with the same name would supersede each other in turn forever. So the
    registry remembers the instances it declared replaced; when one of them
    says READY again, both are alive: it logs one error naming the shared
    name and never matches that name again (silence still ends either).
    A READY without an instance id or name (an older sender) matches
    nothing.
@end
*/
#ifndef DP_BROKER_RESOLVERS_H_INCLUDED
#define DP_BROKER_RESOLVERS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

//  One registered resolver. The registry owns it; the broker reads every
//  field and updates credit, inflight and last_seen.
typedef struct {
    char *key;                  //  hex of the routing id
    zframe_t *routing_id;       //  the resolver's ROUTER identity
    uint64_t instance_id;       //  from its READY; 0 = unknown (older sender)
    char *name;                 //  from its READY; NULL = unknown
    uint32_t credit;            //  requests it takes at once
    uint32_t inflight;          //  requests it has now
    int64_t last_seen;          //  zclock_mono of its last message
    void *handle;               //  its place in the round-robin order
} dp_broker_resolver_t;

typedef struct _dp_broker_resolvers_t dp_broker_resolvers_t;

//  A new, empty registry. Caller owns return value and must destroy it
//  with dp_broker_resolvers_destroy.
dp_broker_resolvers_t *dp_broker_resolvers_new (void);

//  Destroy the registry and every resolver in it; nullifies *self_p.
void dp_broker_resolvers_destroy (dp_broker_resolvers_t **self_p);

//  The resolver registered under key (hex of its routing id), or NULL.
//  Returns a borrowed pointer valid until it is removed.
dp_broker_resolver_t *dp_broker_resolvers_lookup (dp_broker_resolvers_t *self, const char *key);

//  Which registered resolver a READY from an unregistered connection
//  with instance_id and name (NULL: none) supersedes, or NULL; *why
//  says how ("reconnected", "replaced by a new instance"). A resolver
//  returned as replaced is remembered as such; a READY from an instance
//  remembered so makes its name ambiguous (logged once) and matches
//  nothing. Call before dp_broker_resolvers_add for the same READY.
//  Returns a borrowed pointer; the caller removes it.
dp_broker_resolver_t *dp_broker_resolvers_superseded (dp_broker_resolvers_t *self,
                                                      uint64_t instance_id, const char *name,
                                                      const char **why);

//  Register a resolver for routing_id (copied) with its instance id and
//  name (copied; NULL: none), credit 0, last seen now; last in the
//  round-robin order. The routing id must not be registered. Returns a borrowed
//  pointer valid until it is removed.
dp_broker_resolver_t *dp_broker_resolvers_add (dp_broker_resolvers_t *self, zframe_t *routing_id,
                                               uint64_t instance_id, const char *name);

//  Forget a resolver and destroy it; *resolver_p is nullified.
void dp_broker_resolvers_remove (dp_broker_resolvers_t *self, dp_broker_resolver_t **resolver_p);

//  How many resolvers are registered.
size_t dp_broker_resolvers_size (dp_broker_resolvers_t *self);

//  Their credit, summed.
uint32_t dp_broker_resolvers_credit (dp_broker_resolvers_t *self);

//  Walk the resolvers in round-robin order; NULL at the end. The walk must
//  not add or remove resolvers.
dp_broker_resolver_t *dp_broker_resolvers_first (dp_broker_resolvers_t *self);
dp_broker_resolver_t *dp_broker_resolvers_next (dp_broker_resolvers_t *self);

//  The resolver with spare credit and the fewest requests in flight; among
//  equals, the one served longest ago. NULL when none has spare credit.
dp_broker_resolver_t *dp_broker_resolvers_pick (dp_broker_resolvers_t *self);

//  The resolver was given a request: it goes last in round-robin order.
void dp_broker_resolvers_served (dp_broker_resolvers_t *self, dp_broker_resolver_t *resolver);

void dp_broker_resolvers_test (bool verbose);

#endif
