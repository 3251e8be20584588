/*  =========================================================================
    dp_broker_resolvers - the broker's registry of resolvers, by connection
    and by instance

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_broker_resolvers.h"
#include "dp_log.h"
#include <assert.h>
#include <string.h>

//  Instances declared replaced are remembered this long (a FIFO): enough
//  for the one that is still alive to speak again within seconds.
#define S_MAX_REPLACED 256

typedef struct {
    uint64_t instance_id;
    char *name;
} s_replaced_t;

struct _dp_broker_resolvers_t {
    zhashx_t *by_key;           //  key -> dp_broker_resolver_t (owns them)
    zlistx_t *order;            //  dp_broker_resolver_t *, round-robin order
    zlistx_t *replaced;         //  s_replaced_t *, oldest first (owns them)
    zhashx_t *ambiguous;        //  names two live instances share -> (unused)
};

static void
s_resolver_destroy (void **item)
{
    dp_broker_resolver_t *resolver = (dp_broker_resolver_t *) *item;
    if (resolver) {
        zframe_destroy (&resolver->routing_id);
        zstr_free (&resolver->key);
        zstr_free (&resolver->name);
        free (resolver);
        *item = NULL;
    }
}

static void
s_replaced_destroy (void **item)
{
    s_replaced_t *replaced = (s_replaced_t *) *item;
    if (replaced) {
        zstr_free (&replaced->name);
        free (replaced);
        *item = NULL;
    }
}

dp_broker_resolvers_t *
dp_broker_resolvers_new (void)
{
    dp_broker_resolvers_t *self = (dp_broker_resolvers_t *) zmalloc (sizeof *self);
    assert (self);
    self->by_key = zhashx_new ();
    zhashx_set_destructor (self->by_key, s_resolver_destroy);
    self->order = zlistx_new ();
    self->replaced = zlistx_new ();
    zlistx_set_destructor (self->replaced, s_replaced_destroy);
    self->ambiguous = zhashx_new ();
    assert (self->by_key && self->order && self->replaced && self->ambiguous);
    return self;
}

void
dp_broker_resolvers_destroy (dp_broker_resolvers_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        dp_broker_resolvers_t *self = *self_p;
        zhashx_destroy (&self->ambiguous);
        zlistx_destroy (&self->replaced);
        zlistx_destroy (&self->order);
        zhashx_destroy (&self->by_key);
        free (self);
        *self_p = NULL;
    }
}

dp_broker_resolver_t *
dp_broker_resolvers_lookup (dp_broker_resolvers_t *self, const char *key)
{
    assert (self);
    assert (key);
    return (dp_broker_resolver_t *) zhashx_lookup (self->by_key, key);
}

//  --------------------------------------------------------------------------
//  Was instance_id declared replaced (and is it alive after all)?

static s_replaced_t *
s_replaced_find (dp_broker_resolvers_t *self, uint64_t instance_id)
{
    for (s_replaced_t *replaced = (s_replaced_t *) zlistx_first (self->replaced); replaced;
         replaced = (s_replaced_t *) zlistx_next (self->replaced))
        if (replaced->instance_id == instance_id)
            return replaced;
    return NULL;
}

static void
s_replaced_remember (dp_broker_resolvers_t *self, const dp_broker_resolver_t *resolver)
{
    if (zlistx_size (self->replaced) >= S_MAX_REPLACED) {
        zlistx_first (self->replaced);
        zlistx_delete (self->replaced, zlistx_cursor (self->replaced));
    }
    s_replaced_t *replaced = (s_replaced_t *) zmalloc (sizeof *replaced);
    assert (replaced);
    replaced->instance_id = resolver->instance_id;
    replaced->name = strdup (resolver->name);
    assert (replaced->name);
    zlistx_add_end (self->replaced, replaced);
}

dp_broker_resolver_t *
dp_broker_resolvers_superseded (dp_broker_resolvers_t *self, uint64_t instance_id,
                                const char *name, const char **why)
{
    assert (self);
    assert (why);
    *why = NULL;
    if (instance_id == 0)
        return NULL;                //  an older sender: nothing to go by
    s_replaced_t *replaced = s_replaced_find (self, instance_id);
    if (replaced) {
        //  An instance we took for gone speaks: two live resolvers share
        //  its name. Matching by that name would knock them out in turn.
        if (!zhashx_lookup (self->ambiguous, replaced->name)) {
            zhashx_insert (self->ambiguous, replaced->name, self);
            dp_error ("broker: two live resolvers share the instance name '%s' (give each "
                      "resolver-svc process its own DEPOT_INSTANCE_NAME); that name is no "
                      "longer matched, so a restart under it is noticed by silence only",
                      replaced->name);
        }
        return NULL;
    }
    dp_broker_resolver_t *resolver;
    for (resolver = dp_broker_resolvers_first (self); resolver;
         resolver = dp_broker_resolvers_next (self))
        if (resolver->instance_id == instance_id) {
            *why = "reconnected";
            return resolver;
        }
    if (!name || zhashx_lookup (self->ambiguous, name))
        return NULL;
    for (resolver = dp_broker_resolvers_first (self); resolver;
         resolver = dp_broker_resolvers_next (self))
        if (resolver->instance_id != 0 && resolver->name && streq (resolver->name, name)) {
            s_replaced_remember (self, resolver);
            *why = "replaced by a new instance";
            return resolver;
        }
    return NULL;
}

dp_broker_resolver_t *
dp_broker_resolvers_add (dp_broker_resolvers_t *self, zframe_t *routing_id,
                         uint64_t instance_id, const char *name)
{
    assert (self);
    assert (routing_id);
    dp_broker_resolver_t *resolver = (dp_broker_resolver_t *) zmalloc (sizeof *resolver);
    assert (resolver);
    resolver->key = zframe_strhex (routing_id);
    assert (!zhashx_lookup (self->by_key, resolver->key));
    resolver->routing_id = zframe_dup (routing_id);
    resolver->instance_id = instance_id;
    resolver->name = name ? strdup (name) : NULL;
    resolver->last_seen = zclock_mono ();
    zhashx_insert (self->by_key, resolver->key, resolver);
    resolver->handle = zlistx_add_end (self->order, resolver);
    return resolver;
}

void
dp_broker_resolvers_remove (dp_broker_resolvers_t *self, dp_broker_resolver_t **resolver_p)
{
    assert (self);
    assert (resolver_p && *resolver_p);
    dp_broker_resolver_t *resolver = *resolver_p;
    zlistx_delete (self->order, resolver->handle);
    zhashx_delete (self->by_key, resolver->key);        //  destroys it
    *resolver_p = NULL;
}

size_t
dp_broker_resolvers_size (dp_broker_resolvers_t *self)
{
    assert (self);
    return zlistx_size (self->order);
}

uint32_t
dp_broker_resolvers_credit (dp_broker_resolvers_t *self)
{
    assert (self);
    uint32_t credit = 0;
    for (dp_broker_resolver_t *resolver = dp_broker_resolvers_first (self); resolver;
         resolver = dp_broker_resolvers_next (self))
        credit += resolver->credit;
    return credit;
}

dp_broker_resolver_t *
dp_broker_resolvers_first (dp_broker_resolvers_t *self)
{
    assert (self);
    return (dp_broker_resolver_t *) zlistx_first (self->order);
}

dp_broker_resolver_t *
dp_broker_resolvers_next (dp_broker_resolvers_t *self)
{
    assert (self);
    return (dp_broker_resolver_t *) zlistx_next (self->order);
}

dp_broker_resolver_t *
dp_broker_resolvers_pick (dp_broker_resolvers_t *self)
{
    assert (self);
    dp_broker_resolver_t *best = NULL;
    for (dp_broker_resolver_t *resolver = dp_broker_resolvers_first (self); resolver;
         resolver = dp_broker_resolvers_next (self))
        if (resolver->inflight < resolver->credit
        &&  (!best || resolver->inflight < best->inflight))
            best = resolver;
    return best;
}

void
dp_broker_resolvers_served (dp_broker_resolvers_t *self, dp_broker_resolver_t *resolver)
{
    assert (self);
    assert (resolver);
    zlistx_move_end (self->order, resolver->handle);
}


//  --------------------------------------------------------------------------
//  Selftest

static zframe_t *
s_test_routing (int n)
{
    uint8_t bytes [5] = { 0, 0, 0, 0, (uint8_t) n };
    return zframe_new (bytes, sizeof bytes);
}

void
dp_broker_resolvers_test (bool verbose)
{
    printf (" * dp_broker_resolvers: ");
    (void) verbose;
    dp_broker_resolvers_t *registry = dp_broker_resolvers_new ();
    const char *why;

    //  Registered by routing id; picked by spare credit, then least loaded,
    //  then served longest ago.
    zframe_t *routing [8];
    for (int i = 0; i < 8; i++)
        routing [i] = s_test_routing (i);
    dp_broker_resolver_t *a = dp_broker_resolvers_add (registry, routing [0], 11, "host:1/0");
    dp_broker_resolver_t *b = dp_broker_resolvers_add (registry, routing [1], 22, "host:1/1");
    char *key = zframe_strhex (routing [1]);
    assert (dp_broker_resolvers_lookup (registry, key) == b);
    zstr_free (&key);
    assert (dp_broker_resolvers_size (registry) == 2);
    assert (dp_broker_resolvers_pick (registry) == NULL);       //  no credit yet
    a->credit = 2;
    b->credit = 1;
    assert (dp_broker_resolvers_credit (registry) == 3);
    assert (dp_broker_resolvers_pick (registry) == a);
    a->inflight = 1;
    dp_broker_resolvers_served (registry, a);
    assert (dp_broker_resolvers_pick (registry) == b);
    b->inflight = 1;
    dp_broker_resolvers_served (registry, b);
    assert (dp_broker_resolvers_pick (registry) == a);          //  b is full

    //  A READY of an older sender (no id, no name) matches nothing; nor
    //  does a new instance under a name nobody has.
    assert (!dp_broker_resolvers_superseded (registry, 0, "host:1/0", &why) && !why);
    assert (!dp_broker_resolvers_superseded (registry, 33, "host:2/0", &why) && !why);
    assert (!dp_broker_resolvers_superseded (registry, 33, NULL, &why));

    //  The same instance on a new connection: it reconnected.
    assert (dp_broker_resolvers_superseded (registry, 22, "host:1/1", &why) == b);
    assert (streq (why, "reconnected"));

    //  A new instance under a registered name: the old one was replaced.
    assert (dp_broker_resolvers_superseded (registry, 44, "host:1/0", &why) == a);
    assert (streq (why, "replaced by a new instance"));
    dp_broker_resolvers_remove (registry, &a);
    assert (a == NULL && dp_broker_resolvers_size (registry) == 1);
    dp_broker_resolver_t *c = dp_broker_resolvers_add (registry, routing [2], 44, "host:1/0");

    //  The replaced instance (11) speaks again: both are alive. Its name
    //  is never matched again, by either.
    assert (!dp_broker_resolvers_superseded (registry, 11, "host:1/0", &why) && !why);
    dp_broker_resolver_t *a_again = dp_broker_resolvers_add (registry, routing [3], 11, "host:1/0");
    assert (!dp_broker_resolvers_superseded (registry, 55, "host:1/0", &why) && !why);
    assert (!dp_broker_resolvers_superseded (registry, 11, "host:1/0", &why));
    assert (dp_broker_resolvers_size (registry) == 3);
    //  Other names still match.
    assert (dp_broker_resolvers_superseded (registry, 66, "host:1/1", &why) == b);
    (void) c;
    (void) a_again;

    //  The memory of replaced instances is bounded.
    dp_broker_resolvers_t *many = dp_broker_resolvers_new ();
    for (uint64_t i = 1; i <= 2 * S_MAX_REPLACED + 1; i++) {
        dp_broker_resolver_t *old = dp_broker_resolvers_superseded (many, i, "same", &why);
        assert (i == 1 ? old == NULL : old != NULL);
        if (old)
            dp_broker_resolvers_remove (many, &old);
        zframe_t *frame = zframe_new (&i, sizeof i);
        dp_broker_resolvers_add (many, frame, i, "same");
        zframe_destroy (&frame);
    }
    assert (zlistx_size (many->replaced) == S_MAX_REPLACED);
    assert (!s_replaced_find (many, 1) && s_replaced_find (many, 2 * S_MAX_REPLACED));
    dp_broker_resolvers_destroy (&many);

    for (int i = 0; i < 8; i++)
        zframe_destroy (&routing [i]);
    dp_broker_resolvers_destroy (&registry);
    assert (registry == NULL);
    printf ("OK\n");
}
