/*  =========================================================================
    dp_broker - the gateway's broker actor: hands EXECUTEs to resolvers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One zpoller loop over the pipe, the backend ROUTER (resolvers) and the
    frontend ROUTER (civetweb workers). The zguide's Paranoid Pirate
    pattern with credit instead of one-request-at-a-time workers.
@discuss
    The broker never blocks on a send: both ROUTERs have a zero send
    timeout and ROUTER_MANDATORY, so a resolver that went away shows up as
    a failed send (it is then declared dead) and a worker thread that went
    away just loses its reply.
    After each wake-up the loop drains every ready socket a batch at a
    time, so a busy backend cannot starve the frontend or the pipe, then
    runs the timers (heartbeats, liveness, deadlines). Timers walk every
    resolver and request; both sets are small (max_inflight requests).
    A request that only reads keeps its EXECUTE frame while at a resolver,
    so that it can be sent again when that resolver dies; the registry of
    resolvers, and which READY supersedes which, is dp_broker_resolvers.
@end
*/
#include "dp_broker.h"
#include "dp_broker_resolvers.h"
#include "dp_admission.h"
#include "dp_msg.h"
#include "dp_log.h"
#include "dp_instance.h"
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define S_BATCH 64              //  messages read from one socket per turn
#define S_BUSY "server busy"    //  the ERROR of a request the admission limit refused

//  A read whose resolvers keep dying is sent at most this many times
//  again: a query that crashes resolvers cannot take them all down in turn.
#define S_MAX_RESENDS 2
#define S_STRINGIFY(x) #x
#define S_RESENDS_SPENT(n) "resolver lost; not sent again after " S_STRINGIFY (n) " re-sends"

typedef dp_broker_resolver_t s_resolver_t;     //  the registry's record, by a short name

typedef struct {
    uint64_t id;                //  correlation id (the hash key points here)
    zframe_t *worker;           //  the worker's routing id
    zframe_t *payload;          //  the EXECUTE while queued, and while at a resolver
                                //  when it may be sent again; else NULL once sent
    int64_t deadline;           //  ms since the epoch; 0 = none
    s_resolver_t *resolver;     //  NULL while queued
    void *queue_handle;         //  its place in self->queue while queued
    bool cancelled;             //  its worker sent CANCEL; the resolver was told
    bool read_only;             //  DP_EXECUTE_READ_ONLY: may be sent again if its resolver dies
    uint32_t resends;           //  times it was sent again
    void *wait_handle;          //  its place in the admission's wait list while waiting
    int64_t admitted_us;        //  zclock_usecs when it took its admission slot
    int held;                   //  slots held then, itself included
} s_request_t;

typedef struct {
    zsock_t *pipe;              //  actor pipe
    zsock_t *backend;           //  ROUTER for resolvers
    zsock_t *frontend;          //  ROUTER for worker threads
    zpoller_t *poller;
    dp_broker_resolvers_t *resolvers;   //  registered resolvers, by connection and instance
    zhashx_t *requests;         //  &id -> s_request_t (owns them)
    zlistx_t *queue;            //  s_request_t * waiting for credit, FIFO
    uint32_t n_inflight;        //  requests at resolvers
    dp_admission_t *admission;  //  slots for requests held (at resolvers + queued)
    int heartbeat_ms;
    int liveness_ms;
    int grace_ms;
    int64_t heartbeat_at;       //  zclock_mono of the next heartbeat round
    int resolver_wait_ms;       //  how long requests wait for a resolver when none is there
    int64_t alone_since;        //  zclock_mono when the last resolver left (or the start)
    dp_broker_stats_t *stats;   //  NULL, or published for /metrics
    dp_broker_stats_t scratch;  //  stats goes here when the config gives none
    dp_fleet_t *fleet;          //  NULL, or where resolvers' reports go
    msgpack_sbuffer sbuf;       //  encoder buffer, reused
    dp_arena_t *arena;          //  decoding READY and HEARTBEAT, reset per message
    uint64_t instance_id;       //  the gateway's identity, new at every start, in its HEARTBEATs
    bool verbose;
    bool terminated;
} self_t;


//  --------------------------------------------------------------------------
//  Hash of a uint64 key given by pointer.

static size_t
s_id_hash (const void *key)
{
    uint64_t x = *(const uint64_t *) key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t) x;
}

static int
s_id_compare (const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return (x > y) - (x < y);
}

static void
s_request_destroy (void **item)
{
    s_request_t *request = (s_request_t *) *item;
    if (request) {
        zframe_destroy (&request->worker);
        zframe_destroy (&request->payload);
        free (request);
        *item = NULL;
    }
}


//  --------------------------------------------------------------------------
//  Construction

static int
s_bind (zsock_t *sock, const char *endpoint, const char *what)
{
    if (!endpoint || zsock_bind (sock, "%s", endpoint) == -1) {
        dp_error ("broker: cannot bind %s endpoint %s: %s", what,
                  endpoint ? endpoint : "(none)", zmq_strerror (zmq_errno ()));
        return -1;
    }
    return 0;
}

static self_t *
s_self_new (zsock_t *pipe, dp_broker_config_t *config)
{
    self_t *self = (self_t *) zmalloc (sizeof (self_t));
    assert (self);
    self->pipe = pipe;
    int max = config->max_inflight > 0 ? config->max_inflight : 96;
    int min = config->admission_min > 0 && config->admission_min < max ? config->admission_min : max;
    dp_admission_config_t admission = { .min = min, .max = max,
        .wait_ms = config->admission_wait_ms >= 0 ? config->admission_wait_ms : 100,
        .max_waiting = max };
    self->admission = dp_admission_new (&admission);
    self->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 1000;
    self->resolver_wait_ms = config->resolver_wait_ms > 0 ? config->resolver_wait_ms : 0;
    self->alone_since = zclock_mono ();
    self->liveness_ms = config->liveness_ms > 0 ? config->liveness_ms : 3000;
    self->grace_ms = config->grace_ms > 0 ? config->grace_ms : 5000;
    self->stats = config->stats ? config->stats : &self->scratch;
    self->fleet = config->fleet;
    self->instance_id = dp_instance_id ();
    self->backend = zsock_new (ZMQ_ROUTER);
    self->frontend = zsock_new (ZMQ_ROUTER);
    assert (self->backend && self->frontend);
    zsock_set_router_mandatory (self->backend, 1);
    zsock_set_router_mandatory (self->frontend, 1);
    zsock_set_sndtimeo (self->backend, 0);
    zsock_set_sndtimeo (self->frontend, 0);
    zsock_set_linger (self->backend, 0);
    zsock_set_linger (self->frontend, 0);
    self->resolvers = dp_broker_resolvers_new ();
    self->requests = zhashx_new ();
    zhashx_set_key_hasher (self->requests, s_id_hash);
    zhashx_set_key_comparator (self->requests, s_id_compare);
    zhashx_set_key_duplicator (self->requests, NULL);
    zhashx_set_key_destructor (self->requests, NULL);
    zhashx_set_destructor (self->requests, s_request_destroy);
    self->queue = zlistx_new ();
    msgpack_sbuffer_init (&self->sbuf);
    self->arena = dp_arena_new (4096);
    self->heartbeat_at = zclock_mono () + self->heartbeat_ms;
    self->poller = zpoller_new (self->pipe, self->backend, self->frontend, NULL);
    zpoller_set_nonstop (self->poller, true);
    return self;
}

static void
s_self_destroy (self_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        self_t *self = *self_p;
        zpoller_destroy (&self->poller);
        zlistx_destroy (&self->queue);
        zhashx_destroy (&self->requests);
        dp_broker_resolvers_destroy (&self->resolvers);
        dp_admission_destroy (&self->admission);
        zsock_destroy (&self->frontend);
        zsock_destroy (&self->backend);
        msgpack_sbuffer_destroy (&self->sbuf);
        dp_arena_destroy (&self->arena);
        free (self);
        *self_p = NULL;
    }
}


//  --------------------------------------------------------------------------
//  Sending

//  Send [routing_id, payload] on a ROUTER; neither frame is consumed.
//  Returns 0, or -1 when the peer is gone or its queue is full.
static int
s_send (zsock_t *router, zframe_t *routing_id, zframe_t *payload)
{
    if (zframe_send (&routing_id, router, ZFRAME_MORE | ZFRAME_REUSE | ZFRAME_DONTWAIT) == -1)
        return -1;
    return zframe_send (&payload, router, ZFRAME_REUSE | ZFRAME_DONTWAIT);
}

//  Encode a payload-less message (HEARTBEAT, DISCONNECT) or an ERROR.
static zframe_t *
s_encode (self_t *self, dp_msg_type_t type, uint64_t id, uint32_t status, const char *message)
{
    dp_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.version = DP_PROTO_VERSION;
    msg.type = type;
    msg.id = id;
    msg.trace_id = "";
    if (type == DP_MSG_HEARTBEAT)
        msg.u.heartbeat.instance_id = self->instance_id;
    if (type == DP_MSG_ERROR) {
        msg.u.error.status = status;
        msg.u.error.message = message;
    }
    msgpack_sbuffer_clear (&self->sbuf);
    int rc = dp_msg_encode (&msg, &self->sbuf);
    assert (rc == 0);
    return zframe_new (self->sbuf.data, self->sbuf.size);
}

//  Answer a worker with ERROR{status, message} for request id.
static void
s_reply_error (self_t *self, zframe_t *worker, uint64_t id, uint32_t status, const char *message)
{
    zframe_t *frame = s_encode (self, DP_MSG_ERROR, id, status, message);
    if (s_send (self->frontend, worker, frame) == -1 && self->verbose)
        dp_debug ("broker: worker for request %" PRIu64 " is gone", id);
    zframe_destroy (&frame);
}

//  Answer a request with an error and forget it.
static void
s_request_fail (self_t *self, s_request_t *request, uint32_t status, const char *message)
{
    if (self->verbose)
        dp_debug ("broker: request %" PRIu64 " fails: %u %s", request->id, status, message);
    s_reply_error (self, request->worker, request->id, status, message);
    if (status == DP_STATUS_TIMEOUT)
        atomic_fetch_add (&self->stats->expired, 1);
    else
    if (status != DP_STATUS_CANCELLED)
        atomic_fetch_add (&self->stats->lost, 1);
    if (request->resolver) {
        request->resolver->inflight--;
        self->n_inflight--;
    }
    if (request->queue_handle)
        zlistx_delete (self->queue, request->queue_handle);
    if (request->wait_handle)
        dp_admission_withdraw (self->admission, request->wait_handle);
    else
        dp_admission_release (self->admission, request->admitted_us, request->held,
                              zclock_usecs (), false);
    zhashx_delete (self->requests, &request->id);
}


//  --------------------------------------------------------------------------
//  Resolvers

//  A request whose resolver died: a read that may still be answered in
//  time goes back to the front of the queue, to be sent to a live
//  resolver; anything else fails, since a write may have begun and must
//  never run twice.
static void
s_request_orphaned (self_t *self, s_request_t *request)
{
    if (request->cancelled)
        s_request_fail (self, request, DP_STATUS_CANCELLED, "cancelled; resolver lost");
    else
    if (!request->read_only)
        s_request_fail (self, request, DP_STATUS_UNAVAILABLE, "resolver lost");
    else
    if (request->deadline && request->deadline <= zclock_time ())
        s_request_fail (self, request, DP_STATUS_TIMEOUT, "deadline passed; resolver lost");
    else
    if (request->resends >= S_MAX_RESENDS)
        s_request_fail (self, request, DP_STATUS_UNAVAILABLE, S_RESENDS_SPENT (S_MAX_RESENDS));
    else {
        request->resolver->inflight--;
        self->n_inflight--;
        request->resolver = NULL;
        request->resends++;
        request->queue_handle = zlistx_add_start (self->queue, request);
        atomic_fetch_add (&self->stats->resent, 1);
        if (self->verbose)
            dp_debug ("broker: request %" PRIu64 " queued again (%u)", request->id,
                      request->resends);
    }
}

//  Are requests taken now? Yes while a resolver is registered, and for
//  resolver_wait_ms after the last one left (or after the start): a gateway
//  that restarted, or resolvers that restart, are waited for, not failed.
static bool
s_serving (self_t *self)
{
    return dp_broker_resolvers_size (self->resolvers) > 0
        || zclock_mono () - self->alone_since < self->resolver_wait_ms;
}

//  Nobody is serving any more: what waits for a resolver fails.
static void
s_fail_unserved (self_t *self)
{
    while (zlistx_size (self->queue) > 0)
        s_request_fail (self, (s_request_t *) zlistx_first (self->queue),
                        DP_STATUS_UNAVAILABLE, "no resolver available");
}

//  Forget a resolver: its requests in flight are sent again or fail
//  (s_request_orphaned); with no resolver left, the queued ones fail.
//  The caller dispatches what went back to the queue.
static void
s_resolver_remove (self_t *self, s_resolver_t *resolver, const char *reason)
{
    dp_warn ("broker: resolver %s (%s) removed (%s), %u requests in flight", resolver->key,
             resolver->name ? resolver->name : "unnamed", reason, resolver->inflight);
    zlistx_t *orphans = zlistx_new ();
    for (s_request_t *request = (s_request_t *) zhashx_first (self->requests); request;
         request = (s_request_t *) zhashx_next (self->requests))
        if (request->resolver == resolver)
            zlistx_add_end (orphans, request);
    for (s_request_t *request = (s_request_t *) zlistx_first (orphans); request;
         request = (s_request_t *) zlistx_next (orphans))
        s_request_orphaned (self, request);
    zlistx_destroy (&orphans);
    assert (resolver->inflight == 0);
    dp_broker_resolvers_remove (self->resolvers, &resolver);

    if (dp_broker_resolvers_size (self->resolvers) == 0) {
        self->alone_since = zclock_mono ();
        if (!s_serving (self))
            s_fail_unserved (self);
    }
}

//  Send queued requests to resolvers while there is credit.
static void
s_dispatch (self_t *self)
{
    while (zlistx_size (self->queue) > 0) {
        s_resolver_t *resolver = dp_broker_resolvers_pick (self->resolvers);
        if (!resolver)
            break;
        s_request_t *request = (s_request_t *) zlistx_first (self->queue);
        if (s_send (self->backend, resolver->routing_id, request->payload) == -1) {
            //  Gone or choked: either way it cannot take work now.
            s_resolver_remove (self, resolver, zmq_errno () == EHOSTUNREACH
                                               ? "unreachable" : "send queue full");
            continue;
        }
        zlistx_delete (self->queue, request->queue_handle);
        request->queue_handle = NULL;
        if (!request->read_only)
            zframe_destroy (&request->payload);     //  never sent again
        request->resolver = resolver;
        resolver->inflight++;
        self->n_inflight++;
        dp_broker_resolvers_served (self->resolvers, resolver);
        if (self->verbose)
            dp_debug ("broker: request %" PRIu64 " -> resolver %s (%u/%u)",
                      request->id, resolver->key, resolver->inflight, resolver->credit);
    }
}


//  A request took an admission slot: it queues for credit.
static void
s_request_admitted (self_t *self, s_request_t *request)
{
    atomic_fetch_add (&self->stats->accepted, 1);
    request->queue_handle = zlistx_add_end (self->queue, request);
    s_dispatch (self);
}

//  Waiters take the slots freed, oldest first; one whose wait is over is
//  refused (503, busy); with no resolver left nobody waits for one.
//  Returns the ms until the next wait is over, or -1.
static int
s_admission_turn (self_t *self)
{
    int64_t now = zclock_usecs ();
    bool resolvers = s_serving (self);
    s_request_t *request;
    int held;
    while (resolvers
    &&     (request = (s_request_t *) dp_admission_admit_next (self->admission, &held))) {
        request->wait_handle = NULL;
        request->admitted_us = now;
        request->held = held;
        s_request_admitted (self, request);
    }
    //  Without a resolver every wait is over at once.
    while ((request = (s_request_t *) dp_admission_expired (self->admission,
                                                            resolvers ? now : INT64_MAX))) {
        request->wait_handle = NULL;
        atomic_fetch_add (&self->stats->rejected, 1);
        if (resolvers)
            atomic_fetch_add (&self->stats->busy, 1);
        s_reply_error (self, request->worker, request->id, DP_STATUS_UNAVAILABLE,
                       resolvers ? S_BUSY : "no resolver available");
        zhashx_delete (self->requests, &request->id);
    }
    int64_t next = dp_admission_next_expiry_us (self->admission, now);
    return next < 0 ? -1 : (int) ((next + 999) / 1000);
}


//  --------------------------------------------------------------------------
//  The reports of a resolver's HEARTBEAT go to the fleet.

static void
s_keep_reports (self_t *self, zframe_t *payload, const char *key)
{
    if (!self->fleet)
        return;
    dp_msg_t heartbeat;
    char err [128];
    dp_arena_reset (self->arena);
    if (dp_msg_decode (zframe_data (payload), zframe_size (payload), self->arena,
                       &heartbeat, err, sizeof err)) {
        dp_warn ("broker: malformed HEARTBEAT from resolver %s: %s", key, err);
        return;
    }
    int64_t now = zclock_mono ();
    for (uint32_t i = 0; i < heartbeat.u.heartbeat.n_reports; i++)
        dp_fleet_update (self->fleet, &heartbeat.u.heartbeat.reports [i], now);
}


//  --------------------------------------------------------------------------
//  A READY from a connection not registered: a resolver joins. When it is
//  a new instance under a registered resolver's name, or the same
//  instance on a new connection, the resolver registered before is gone:
//  it is removed at once (its reads go to a live resolver) instead of
//  after the liveness time. The newcomer hears our HEARTBEAT first, before
//  any EXECUTE, so it knows which gateway instance it serves.

static s_resolver_t *
s_resolver_register (self_t *self, zframe_t *routing_id, const dp_msg_t *ready)
{
    const char *why;
    s_resolver_t *superseded = dp_broker_resolvers_superseded (
        self->resolvers, ready->u.ready.instance_id, ready->u.ready.instance, &why);
    s_resolver_t *resolver = dp_broker_resolvers_add (
        self->resolvers, routing_id, ready->u.ready.instance_id, ready->u.ready.instance);
    dp_info ("broker: resolver %s (%s, instance %016" PRIx64 ") ready, credit %u", resolver->key,
             resolver->name ? resolver->name : "unnamed", resolver->instance_id,
             ready->u.ready.credit);
    zframe_t *heartbeat = s_encode (self, DP_MSG_HEARTBEAT, 0, 0, NULL);
    s_send (self->backend, resolver->routing_id, heartbeat);
    zframe_destroy (&heartbeat);
    if (superseded)
        s_resolver_remove (self, superseded, why);
    return resolver;
}


//  --------------------------------------------------------------------------
//  A message from a resolver.

static void
s_handle_backend (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->backend);
    if (!msg)
        return;
    zframe_t *routing_id = zmsg_pop (msg);
    zframe_t *payload = zmsg_pop (msg);
    if (!routing_id || !payload || zmsg_size (msg) != 0) {
        dp_warn ("broker: resolver sent %zu frames, expected one", zmsg_size (msg) + (payload != NULL));
        goto done;
    }
    char *key = zframe_strhex (routing_id);
    s_resolver_t *resolver = dp_broker_resolvers_lookup (self->resolvers, key);
    if (resolver)
        resolver->last_seen = zclock_mono ();

    dp_msg_t envelope;
    char err [128];
    if (dp_msg_peek (zframe_data (payload), zframe_size (payload), &envelope, err, sizeof err)) {
        dp_warn ("broker: malformed message from resolver %s: %s", key, err);
        zstr_free (&key);
        goto done;
    }
    if (self->verbose)
        dp_debug ("broker: resolver %s: %s %" PRIu64, key,
                  dp_msg_type_name (envelope.type), envelope.id);

    if (envelope.type == DP_MSG_READY) {
        dp_msg_t ready;
        dp_arena_reset (self->arena);
        if (dp_msg_decode (zframe_data (payload), zframe_size (payload), self->arena,
                           &ready, err, sizeof err)) {
            dp_warn ("broker: malformed READY from resolver %s: %s", key, err);
            zstr_free (&key);
            goto done;
        }
        if (!resolver)
            resolver = s_resolver_register (self, routing_id, &ready);
        resolver->credit = ready.u.ready.credit;
        s_dispatch (self);
    }
    else
    if (!resolver) {
        //  Not (or no longer) known: ask it to reconnect and say READY.
        if (envelope.type != DP_MSG_DISCONNECT) {
            dp_info ("broker: %s from unknown resolver %s, answering DISCONNECT",
                     dp_msg_type_name (envelope.type), key);
            zframe_t *disconnect = s_encode (self, DP_MSG_DISCONNECT, 0, 0, NULL);
            s_send (self->backend, routing_id, disconnect);
            zframe_destroy (&disconnect);
        }
    }
    else
    if (envelope.type == DP_MSG_RESULT || envelope.type == DP_MSG_ERROR) {
        s_request_t *request = (s_request_t *) zhashx_lookup (self->requests, &envelope.id);
        if (request && request->resolver == resolver) {
            if (s_send (self->frontend, request->worker, payload) == -1 && self->verbose)
                dp_debug ("broker: worker for request %" PRIu64 " is gone", request->id);
            resolver->inflight--;
            self->n_inflight--;
            dp_admission_release (self->admission, request->admitted_us, request->held,
                                  zclock_usecs (), true);
            zhashx_delete (self->requests, &envelope.id);
            s_dispatch (self);
        }
        else
        if (self->verbose)
            dp_debug ("broker: late reply for request %" PRIu64 " dropped", envelope.id);
    }
    else
    if (envelope.type == DP_MSG_DISCONNECT) {
        s_resolver_remove (self, resolver, "disconnected");
        s_dispatch (self);
    }
    else
    if (envelope.type == DP_MSG_HEARTBEAT)
        s_keep_reports (self, payload, key);
    else
        dp_warn ("broker: unexpected %s from resolver %s",
                 dp_msg_type_name (envelope.type), key);
    zstr_free (&key);
done:
    zframe_destroy (&routing_id);
    zframe_destroy (&payload);
    zmsg_destroy (&msg);
}


//  --------------------------------------------------------------------------
//  A CANCEL from a worker thread: its client went away. A queued request
//  is answered (499, which the worker drops) and forgotten; one at a
//  resolver is cancelled there, and the resolver's answer, which still
//  comes, gives the credit back as any answer does.

static void
s_handle_cancel (self_t *self, zframe_t *worker, const dp_msg_t *envelope)
{
    s_request_t *request = (s_request_t *) zhashx_lookup (self->requests, &envelope->id);
    if (!request || !zframe_eq (request->worker, worker))
        return;                     //  answered already, or not that worker's
    if (!request->resolver) {
        s_request_fail (self, request, DP_STATUS_CANCELLED, "cancelled while queued");
        return;
    }
    if (request->cancelled)
        return;
    request->cancelled = true;
    zframe_t *cancel = s_encode (self, DP_MSG_CANCEL, request->id, 0, NULL);
    if (s_send (self->backend, request->resolver->routing_id, cancel) == -1)
        dp_warn ("broker: cannot send CANCEL %" PRIu64 " to resolver %s", request->id,
                 request->resolver->key);
    else
    if (self->verbose)
        dp_debug ("broker: request %" PRIu64 " cancelled at resolver %s", request->id,
                  request->resolver->key);
    zframe_destroy (&cancel);
}


//  --------------------------------------------------------------------------
//  Does the EXECUTE in payload only read (DP_EXECUTE_READ_ONLY), so that it
//  may be sent again? One the broker cannot decode is not taken for one
//  (its resolver answers it 400).

static bool
s_read_only (self_t *self, zframe_t *payload)
{
    dp_msg_t execute;
    char err [128];
    dp_arena_reset (self->arena);
    return dp_msg_decode (zframe_data (payload), zframe_size (payload), self->arena,
                          &execute, err, sizeof err) == 0
        && (execute.u.execute.flags & DP_EXECUTE_READ_ONLY) != 0;
}


//  --------------------------------------------------------------------------
//  An EXECUTE (or a CANCEL) from a worker thread.

static void
s_handle_frontend (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->frontend);
    if (!msg)
        return;
    zframe_t *worker = zmsg_pop (msg);
    zframe_t *payload = zmsg_pop (msg);
    dp_msg_t envelope;
    char err [128] = "";
    if (!worker || !payload || zmsg_size (msg) != 0) {
        dp_warn ("broker: worker sent a message that is not one frame");
        goto done;
    }
    int peeked = dp_msg_peek (zframe_data (payload), zframe_size (payload), &envelope,
                              err, sizeof err);
    if (peeked == 0 && envelope.type == DP_MSG_CANCEL) {
        s_handle_cancel (self, worker, &envelope);
        goto done;
    }
    if (peeked || envelope.type != DP_MSG_EXECUTE) {
        dp_warn ("broker: worker sent something other than EXECUTE: %s",
                 err [0] ? err : dp_msg_type_name (envelope.type));
        goto done;
    }
    if (zhashx_lookup (self->requests, &envelope.id)) {
        dp_error ("broker: duplicate request id %" PRIu64, envelope.id);
        s_reply_error (self, worker, envelope.id, DP_STATUS_INTERNAL, "duplicate request id");
        goto done;
    }
    if (!s_serving (self)) {
        s_reply_error (self, worker, envelope.id, DP_STATUS_UNAVAILABLE, "no resolver available");
        atomic_fetch_add (&self->stats->rejected, 1);
        goto done;
    }
    if (envelope.deadline_ms && (int64_t) envelope.deadline_ms <= zclock_time ()) {
        s_reply_error (self, worker, envelope.id, DP_STATUS_TIMEOUT, "deadline passed");
        atomic_fetch_add (&self->stats->rejected, 1);
        goto done;
    }
    s_request_t *request = (s_request_t *) zmalloc (sizeof (s_request_t));
    assert (request);
    request->admitted_us = zclock_usecs ();
    dp_admission_verdict_t verdict = dp_admission_offer (self->admission, request,
                                                         request->admitted_us,
                                                         &request->wait_handle, &request->held);
    if (verdict == DP_ADMISSION_REFUSE) {
        free (request);
        atomic_fetch_add (&self->stats->rejected, 1);
        atomic_fetch_add (&self->stats->busy, 1);
        s_reply_error (self, worker, envelope.id, DP_STATUS_UNAVAILABLE, S_BUSY);
        goto done;
    }
    request->id = envelope.id;
    request->worker = worker;
    request->payload = payload;
    request->deadline = (int64_t) envelope.deadline_ms;
    request->read_only = s_read_only (self, payload);
    worker = NULL;
    payload = NULL;
    zhashx_insert (self->requests, &request->id, request);
    if (verdict == DP_ADMISSION_ADMIT)
        s_request_admitted (self, request);
done:
    zframe_destroy (&worker);
    zframe_destroy (&payload);
    zmsg_destroy (&msg);
}


//  --------------------------------------------------------------------------
//  Timers: heartbeats out, silent resolvers, deadlines. Returns the ms
//  until the next timer is due.

static int
s_timers (self_t *self)
{
    int64_t mono = zclock_mono ();
    int64_t wall = zclock_time ();

    if (mono >= self->heartbeat_at) {
        zframe_t *heartbeat = s_encode (self, DP_MSG_HEARTBEAT, 0, 0, NULL);
        zlistx_t *unreachable = zlistx_new ();
        for (s_resolver_t *resolver = dp_broker_resolvers_first (self->resolvers); resolver;
             resolver = dp_broker_resolvers_next (self->resolvers))
            if (s_send (self->backend, resolver->routing_id, heartbeat) == -1
            &&  zmq_errno () == EHOSTUNREACH)
                zlistx_add_end (unreachable, resolver);
        for (s_resolver_t *resolver = (s_resolver_t *) zlistx_first (unreachable); resolver;
             resolver = (s_resolver_t *) zlistx_next (unreachable))
            s_resolver_remove (self, resolver, "unreachable");
        zlistx_destroy (&unreachable);
        zframe_destroy (&heartbeat);
        self->heartbeat_at = mono + self->heartbeat_ms;
    }
    int64_t next = self->heartbeat_at - mono;

    //  Silent resolvers are dead.
    zlistx_t *doomed = zlistx_new ();
    for (s_resolver_t *resolver = dp_broker_resolvers_first (self->resolvers); resolver;
         resolver = dp_broker_resolvers_next (self->resolvers)) {
        int64_t left = resolver->last_seen + self->liveness_ms - mono;
        if (left < 0)
            zlistx_add_end (doomed, resolver);
        else
        if (left < next)
            next = left;
    }
    for (s_resolver_t *resolver = (s_resolver_t *) zlistx_first (doomed); resolver;
         resolver = (s_resolver_t *) zlistx_next (doomed))
        s_resolver_remove (self, resolver, "silent");
    //  Reads of the resolvers removed went back to the queue.
    s_dispatch (self);
    zlistx_purge (doomed);
    //  No resolver: what waits for one fails once the wait for it is over.
    if (dp_broker_resolvers_size (self->resolvers) == 0 && zlistx_size (self->queue) > 0) {
        int64_t left = self->alone_since + self->resolver_wait_ms - mono;
        if (left <= 0)
            s_fail_unserved (self);
        else
        if (left < next)
            next = left;
    }

    //  Deadlines: queued requests at their deadline, in-flight ones a
    //  grace period later (the resolver should have answered 408 itself).
    for (s_request_t *request = (s_request_t *) zhashx_first (self->requests); request;
         request = (s_request_t *) zhashx_next (self->requests)) {
        if (!request->deadline)
            continue;
        int64_t due = request->deadline + (request->resolver ? self->grace_ms : 0);
        if (due <= wall)
            zlistx_add_end (doomed, request);
        else
        if (due - wall < next)
            next = due - wall;
    }
    bool freed_credit = false;
    for (s_request_t *request = (s_request_t *) zlistx_first (doomed); request;
         request = (s_request_t *) zlistx_next (doomed)) {
        if (request->resolver) {
            dp_warn ("broker: resolver %s did not answer request %" PRIu64 " by its deadline",
                     request->resolver->key, request->id);
            freed_credit = true;
        }
        s_request_fail (self, request, DP_STATUS_TIMEOUT,
                        request->resolver ? "resolver did not answer in time"
                                          : "deadline passed while queued");
    }
    zlistx_destroy (&doomed);
    if (freed_credit)
        s_dispatch (self);
    return next < 0 ? 0 : next > self->heartbeat_ms ? self->heartbeat_ms : (int) next;
}


//  --------------------------------------------------------------------------
//  Gauges for /metrics, after each turn of the loop.

static void
s_publish (self_t *self)
{
    atomic_store (&self->stats->resolvers, (int) dp_broker_resolvers_size (self->resolvers));
    atomic_store (&self->stats->credit, (int) dp_broker_resolvers_credit (self->resolvers));
    atomic_store (&self->stats->inflight, (int) self->n_inflight);
    atomic_store (&self->stats->queued, (int) zlistx_size (self->queue));
    atomic_store (&self->stats->limit, dp_admission_limit (self->admission));
    atomic_store (&self->stats->waiting, dp_admission_waiting (self->admission));
}


//  --------------------------------------------------------------------------
//  Pipe commands.

static void
s_handle_pipe (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->pipe);
    if (!msg)
        return;
    char *command = zmsg_popstr (msg);
    assert (command);
    if (streq (command, "$TERM"))
        self->terminated = true;
    else
    if (streq (command, "STATUS"))
        zsock_send (self->pipe, "iiii", (int) dp_broker_resolvers_size (self->resolvers),
                    (int) dp_broker_resolvers_credit (self->resolvers),
                    (int) self->n_inflight, (int) zlistx_size (self->queue));
    else
    if (streq (command, "VERBOSE"))
        self->verbose = true;
    else {
        dp_error ("broker: invalid pipe command '%s'", command);
        assert (false);
    }
    zstr_free (&command);
    zmsg_destroy (&msg);
}


//  --------------------------------------------------------------------------
//  The actor.

void
dp_broker_config_defaults (dp_broker_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->max_inflight = 96;
    config->admission_min = 32;
    config->admission_wait_ms = 100;
    config->resolver_wait_ms = 3000;
    config->heartbeat_ms = 1000;
    config->liveness_ms = 3000;
    config->grace_ms = 5000;
}

//  Is there a message waiting on sock?
static bool
s_readable (zsock_t *sock)
{
    return (zsock_events (sock) & ZMQ_POLLIN) != 0;
}

zactor_t *
dp_broker_actor_new (dp_broker_config_t *config)
{
    assert (config);
    zactor_t *actor = zactor_new (dp_broker_actor, config);
    //  The outcome comes as a message, not through config: the actor's thread
    //  writes nothing the caller's thread reads.
    int bound = -1;
    if (actor && (zsock_recv (actor, "i", &bound) != 0 || bound != 0))
        zactor_destroy (&actor);
    return actor;
}

void
dp_broker_actor (zsock_t *pipe, void *args)
{
    dp_broker_config_t *config = (dp_broker_config_t *) args;
    assert (config);
    self_t *self = s_self_new (pipe, config);
    if (s_bind (self->backend, config->backend_endpoint, "backend")
    ||  s_bind (self->frontend, config->frontend_endpoint, "frontend")) {
        s_self_destroy (&self);
        zsock_signal (pipe, 0);
        zsock_send (pipe, "i", -1);
        return;
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", 0);

    int timeout = self->heartbeat_ms;
    while (!self->terminated) {
        zpoller_wait (self->poller, timeout);
        if (s_readable (self->pipe))
            s_handle_pipe (self);
        for (int i = 0; i < S_BATCH && s_readable (self->backend); i++)
            s_handle_backend (self);
        for (int i = 0; i < S_BATCH && s_readable (self->frontend); i++)
            s_handle_frontend (self);
        int wait = s_admission_turn (self);
        timeout = s_timers (self);
        if (wait >= 0 && wait < timeout)
            timeout = wait;
        s_publish (self);
    }
    //  Whatever is left gets an answer, and resolvers learn we are gone.
    while (zhashx_size (self->requests) > 0)
        s_request_fail (self, (s_request_t *) zhashx_first (self->requests),
                        DP_STATUS_UNAVAILABLE, "gateway stopping");
    zframe_t *disconnect = s_encode (self, DP_MSG_DISCONNECT, 0, 0, NULL);
    for (s_resolver_t *resolver = dp_broker_resolvers_first (self->resolvers); resolver;
         resolver = dp_broker_resolvers_next (self->resolvers))
        s_send (self->backend, resolver->routing_id, disconnect);
    zframe_destroy (&disconnect);
    s_publish (self);
    s_self_destroy (&self);
}


//  --------------------------------------------------------------------------
//  Selftest: real sockets over inproc, a test resolver and a test worker.

//  Send one message (a dp_msg_t) on a DEALER.
static void
s_test_send (zsock_t *dealer, dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_msg_encode (msg, &buf);
    assert (rc == 0);
    zframe_t *frame = zframe_new (buf.data, buf.size);
    rc = zframe_send (&frame, dealer, 0);
    assert (rc == 0);
    msgpack_sbuffer_destroy (&buf);
}

static void
s_test_ready (zsock_t *dealer, uint32_t credit)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_READY, .trace_id = "" };
    msg.u.ready.credit = credit;
    s_test_send (dealer, &msg);
}

static void
s_test_simple (zsock_t *dealer, dp_msg_type_t type)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = type, .trace_id = "" };
    s_test_send (dealer, &msg);
}

static void
s_test_execute (zsock_t *dealer, uint64_t id, uint64_t deadline)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_EXECUTE, .id = id,
                     .deadline_ms = deadline, .trace_id = "t" };
    msg.u.execute.query = "{ a }";
    msg.u.execute.query_len = 5;
    s_test_send (dealer, &msg);
}

static void
s_test_result (zsock_t *dealer, uint64_t id, const char *json)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_RESULT, .id = id, .trace_id = "" };
    msg.u.result.http_status = 200;
    msg.u.result.json = json;
    msg.u.result.json_len = (uint32_t) strlen (json);
    s_test_send (dealer, &msg);
}

//  Receive one message within timeout ms, skipping HEARTBEATs unless
//  wanted. Returns false on timeout.
static bool
s_test_recv (zsock_t *dealer, int timeout, dp_arena_t *arena, dp_msg_t *msg, bool heartbeats)
{
    int64_t until = zclock_mono () + timeout;
    while (true) {
        int64_t left = until - zclock_mono ();
        if (left < 0)
            left = 0;
        zsock_set_rcvtimeo (dealer, (int) left);
        zframe_t *frame = zframe_recv (dealer);
        if (!frame)
            return false;
        char err [128];
        int rc = dp_msg_decode (zframe_data (frame), zframe_size (frame), arena, msg, err, sizeof err);
        assert (rc == 0);
        if (msg->type == DP_MSG_RESULT) {
            //  json points into the frame: copy it before the frame goes.
            msg->u.result.json = dp_arena_strndup (arena, msg->u.result.json, msg->u.result.json_len);
        }
        zframe_destroy (&frame);
        if (msg->type != DP_MSG_HEARTBEAT || heartbeats)
            return true;
    }
}

static void
s_test_status (zactor_t *broker, int *resolvers, int *credit, int *inflight, int *queued)
{
    zstr_send (broker, "STATUS");
    int rc = zsock_recv (broker, "iiii", resolvers, credit, inflight, queued);
    assert (rc == 0);
}

//  Wait until the broker knows n resolvers with total credit (-1: any).
static void
s_test_wait_credit (zactor_t *broker, int n, int total_credit)
{
    for (int i = 0; i < 200; i++) {
        int resolvers, credit, inflight, queued;
        s_test_status (broker, &resolvers, &credit, &inflight, &queued);
        if (resolvers == n && (total_credit == -1 || credit == total_credit))
            return;
        zclock_sleep (5);
    }
    assert (false);
}

static void
s_test_wait_resolvers (zactor_t *broker, int n)
{
    s_test_wait_credit (broker, n, -1);
}

static zsock_t *
s_test_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert (dealer);
    zsock_set_linger (dealer, 0);
    int rc = zsock_connect (dealer, "%s", endpoint);
    assert (rc == 0);
    return dealer;
}

//  READY of a resolver instance (id, name) with credit.
static void
s_test_ready_as (zsock_t *dealer, uint32_t credit, uint64_t instance_id, const char *name)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_READY, .trace_id = "" };
    msg.u.ready.credit = credit;
    msg.u.ready.instance_id = instance_id;
    msg.u.ready.instance = name;
    s_test_send (dealer, &msg);
}

//  An EXECUTE with flags, due in 5 s.
static void
s_test_execute_flags (zsock_t *dealer, uint64_t id, uint32_t flags)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_EXECUTE, .id = id,
                     .deadline_ms = (uint64_t) zclock_time () + 5000, .trace_id = "t" };
    msg.u.execute.query = "{ a }";
    msg.u.execute.query_len = 5;
    msg.u.execute.flags = flags;
    s_test_send (dealer, &msg);
}

//  One case's broker of its own (heartbeats every 100 ms, liveness 1 s:
//  longer than any "at once" the cases check), a worker and an arena.
typedef struct {
    dp_broker_stats_t stats;
    char backend [100], frontend [100];
    zactor_t *broker;
    zsock_t *worker;
    dp_arena_t *arena;
} s_case_t;

static void
s_case_start (s_case_t *c, const char *name, bool verbose)
{
    memset (c, 0, sizeof *c);
    snprintf (c->backend, sizeof c->backend, "inproc://dp-broker-test-%s-backend", name);
    snprintf (c->frontend, sizeof c->frontend, "inproc://dp-broker-test-%s-frontend", name);
    dp_broker_config_t config;
    dp_broker_config_defaults (&config);
    config.backend_endpoint = c->backend;
    config.frontend_endpoint = c->frontend;
    config.heartbeat_ms = 100;
    config.liveness_ms = 1000;
    config.stats = &c->stats;
    c->broker = dp_broker_actor_new (&config);
    assert (c->broker);
    if (verbose)
        zstr_send (c->broker, "VERBOSE");
    c->worker = s_test_dealer (c->frontend);
    c->arena = dp_arena_new (0);
}

static void
s_case_end (s_case_t *c)
{
    zsock_destroy (&c->worker);
    zactor_destroy (&c->broker);
    dp_arena_destroy (&c->arena);
}

//  Which of n dealers gets an EXECUTE within timeout ms (-1: none); its id
//  in *id.
static int
s_test_recv_any (zsock_t **dealers, int n, int timeout, dp_arena_t *arena, uint64_t *id)
{
    int64_t until = zclock_mono () + timeout;
    while (zclock_mono () < until)
        for (int i = 0; i < n; i++) {
            dp_msg_t msg;
            if (s_test_recv (dealers [i], 5, arena, &msg, false) && msg.type == DP_MSG_EXECUTE) {
                *id = msg.id;
                return i;
            }
        }
    return -1;
}

//  Resolvers by instance (proto/README.md, section 5), each case with a
//  broker of its own.

//  Request id with flags at resolver "res/0" (dealer *old_p), which then
//  restarts: a new connection (*new_p) says READY with its name and a new
//  instance id. Returns zclock_mono of that READY.
static int64_t
s_test_restart_with (s_case_t *c, uint64_t id, uint32_t flags, zsock_t **old_p, zsock_t **new_p)
{
    dp_msg_t msg;
    *old_p = s_test_dealer (c->backend);
    s_test_ready_as (*old_p, 1, 0xa0 + id, "res/0");
    s_test_wait_credit (c->broker, 1, 1);
    s_test_execute_flags (c->worker, id, flags);
    assert (s_test_recv (*old_p, 1000, c->arena, &msg, false) && msg.id == id);
    *new_p = s_test_dealer (c->backend);
    int64_t restarted = zclock_mono ();
    s_test_ready_as (*new_p, 1, 0xb0 + id, "res/0");
    return restarted;
}

//  (a) A read at a resolver that restarts: the new instance hears the
//  gateway's HEARTBEAT first, then gets the read at once (not after the
//  1 s liveness); its RESULT reaches the worker once, and the old
//  instance's late answer is dropped (it is told to reconnect). An older
//  sender (no instance id, no name) replaces nobody.
static void
s_test_restart_read (bool verbose)
{
    s_case_t c;
    s_case_start (&c, "await", verbose);
    {
        //  A gateway that has just (re)started, before any resolver said
        //  READY: the request waits, and the first resolver serves it.
        s_test_execute (c.worker, 1, (uint64_t) zclock_time () + 5000);
        dp_msg_t msg;
        assert (!s_test_recv (c.worker, 200, c.arena, &msg, false));
        zsock_t *r = s_test_dealer (c.backend);
        s_test_ready (r, 1);
        uint64_t id = 0;
        assert (s_test_recv_any (&r, 1, 1000, c.arena, &id) == 0 && id == 1);
        s_test_result (r, 1, "{}");
        assert (s_test_recv (c.worker, 1000, c.arena, &msg, false));
        assert (msg.type == DP_MSG_RESULT && msg.id == 1);
        zsock_destroy (&r);
    }
    s_case_end (&c);

    s_case_start (&c, "restart-read", verbose);
    dp_msg_t msg;
    int resolvers, credit, inflight, queued;
    zsock_t *a, *a2;
    int64_t restarted = s_test_restart_with (&c, 1, DP_EXECUTE_READ_ONLY, &a, &a2);
    assert (s_test_recv (a2, 1000, c.arena, &msg, true));
    assert (msg.type == DP_MSG_HEARTBEAT && msg.u.heartbeat.instance_id != 0);
    assert (s_test_recv (a2, 1000, c.arena, &msg, false));
    int64_t resent_ms = zclock_mono () - restarted;
    assert (msg.type == DP_MSG_EXECUTE && msg.id == 1 && resent_ms < 500);
    assert (strcmp (msg.u.execute.query, "{ a }") == 0
         && (msg.u.execute.flags & DP_EXECUTE_READ_ONLY));
    s_test_result (a2, 1, "{\"data\":{\"a\":2}}");
    assert (s_test_recv (c.worker, 1000, c.arena, &msg, false));
    assert (msg.type == DP_MSG_RESULT && msg.id == 1);
    assert (strcmp (msg.u.result.json, "{\"data\":{\"a\":2}}") == 0);
    s_test_result (a, 1, "{\"data\":{\"a\":1}}");        //  the old instance, late
    assert (s_test_recv (a, 1000, c.arena, &msg, true) && msg.type == DP_MSG_DISCONNECT);
    assert (!s_test_recv (c.worker, 200, c.arena, &msg, false));
    s_test_status (c.broker, &resolvers, &credit, &inflight, &queued);
    assert (resolvers == 1 && credit == 1 && inflight == 0 && queued == 0);
    assert (atomic_load (&c.stats.resent) == 1 && atomic_load (&c.stats.lost) == 0);

    zsock_t *old = s_test_dealer (c.backend);
    s_test_ready_as (old, 1, 0, NULL);
    s_test_wait_credit (c.broker, 2, 2);
    zsock_destroy (&old);
    zsock_destroy (&a2);
    zsock_destroy (&a);
    s_case_end (&c);
}

//  (b) The same for a request not flagged read-only: it may have begun a
//  write, so it fails 503 "resolver lost" at once, and the new instance
//  never sees it.
static void
s_test_restart_write (bool verbose)
{
    s_case_t c;
    s_case_start (&c, "restart-write", verbose);
    dp_msg_t msg;
    zsock_t *a, *a2;
    int64_t restarted = s_test_restart_with (&c, 2, 0, &a, &a2);
    assert (s_test_recv (c.worker, 1000, c.arena, &msg, false));
    int64_t failed_ms = zclock_mono () - restarted;
    assert (msg.type == DP_MSG_ERROR && msg.id == 2 && msg.u.error.status == 503);
    assert (strcmp (msg.u.error.message, "resolver lost") == 0 && failed_ms < 500);
    assert (!s_test_recv (a2, 200, c.arena, &msg, false));
    assert (atomic_load (&c.stats.resent) == 0 && atomic_load (&c.stats.lost) == 1);
    zsock_destroy (&a2);
    zsock_destroy (&a);
    s_case_end (&c);
}

//  (c) Silence: resolver A falls silent with a read and a write in hand;
//  after the liveness time the read goes to B (answered once), the write
//  fails 503.
static void
s_test_silence (bool verbose)
{
    s_case_t c;
    s_case_start (&c, "silence", verbose);
    dp_msg_t msg;
    zsock_t *a = s_test_dealer (c.backend);
    zsock_t *b = s_test_dealer (c.backend);
    s_test_ready_as (a, 2, 0xc1, "res/0");
    s_test_wait_credit (c.broker, 1, 2);
    s_test_execute_flags (c.worker, 3, DP_EXECUTE_READ_ONLY);
    s_test_execute_flags (c.worker, 4, 0);
    assert (s_test_recv (a, 1000, c.arena, &msg, false) && msg.id == 3);
    assert (s_test_recv (a, 1000, c.arena, &msg, false) && msg.id == 4);
    s_test_ready_as (b, 2, 0xc2, "res/1");
    s_test_wait_credit (c.broker, 2, 4);
    bool resent = false, write_lost = false, answered = false;
    int64_t until = zclock_mono () + 3000;
    while (!(resent && write_lost && answered) && zclock_mono () < until) {
        s_test_simple (b, DP_MSG_HEARTBEAT);
        if (s_test_recv (b, 20, c.arena, &msg, false)) {
            assert (msg.type == DP_MSG_EXECUTE && msg.id == 3);
            resent = true;
            s_test_result (b, 3, "{}");
        }
        if (s_test_recv (c.worker, 20, c.arena, &msg, false)) {
            if (msg.id == 4) {
                assert (msg.type == DP_MSG_ERROR && msg.u.error.status == 503);
                write_lost = true;
            }
            else {
                assert (msg.type == DP_MSG_RESULT && msg.id == 3 && resent && !answered);
                answered = true;
            }
        }
    }
    assert (resent && write_lost && answered);
    assert (atomic_load (&c.stats.resent) == 1);
    zsock_destroy (&b);
    zsock_destroy (&a);
    s_case_end (&c);
}

//  (d) The bound: a read whose every resolver dies (DISCONNECT) is sent
//  again twice, then fails 503 saying so, with a live resolver left.
static void
s_test_resend_bound (bool verbose)
{
    s_case_t c;
    s_case_start (&c, "bound", verbose);
    dp_msg_t msg;
    zsock_t *ring [4];
    const char *names [4] = { "r/0", "r/1", "r/2", "r/3" };
    for (int i = 0; i < 4; i++) {
        ring [i] = s_test_dealer (c.backend);
        s_test_ready_as (ring [i], 1, 0xd0 + (uint64_t) i, names [i]);
    }
    s_test_wait_credit (c.broker, 4, 4);
    s_test_execute_flags (c.worker, 5, DP_EXECUTE_READ_ONLY);
    for (int round = 0; round < 3; round++) {
        uint64_t id = 0;
        int at = s_test_recv_any (ring, 4, 1000, c.arena, &id);
        assert (at >= 0 && id == 5);
        s_test_simple (ring [at], DP_MSG_DISCONNECT);
    }
    assert (s_test_recv (c.worker, 1000, c.arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 5 && msg.u.error.status == 503);
    assert (strcmp (msg.u.error.message, S_RESENDS_SPENT (S_MAX_RESENDS)) == 0);
    uint64_t never = 0;
    assert (s_test_recv_any (ring, 4, 200, c.arena, &never) == -1);
    s_test_wait_resolvers (c.broker, 1);
    assert (atomic_load (&c.stats.resent) == S_MAX_RESENDS);
    for (int i = 0; i < 4; i++)
        zsock_destroy (&ring [i]);
    s_case_end (&c);
}

//  (e) Two live resolvers misconfigured with one name: Q's READY replaces
//  P, but P speaks again (told to reconnect, it says READY); from then on
//  the name is matched no more, so neither knocks the other out, nor does
//  a third under that name.
static void
s_test_same_name (bool verbose)
{
    s_case_t c;
    s_case_start (&c, "same-name", verbose);
    dp_msg_t msg;
    int resolvers, credit, inflight, queued;
    zsock_t *p = s_test_dealer (c.backend);
    zsock_t *q = s_test_dealer (c.backend);
    s_test_ready_as (p, 1, 0xe1, "dup/0");
    s_test_wait_resolvers (c.broker, 1);
    s_test_ready_as (q, 1, 0xe2, "dup/0");
    s_test_simple (p, DP_MSG_HEARTBEAT);
    bool told = false;
    while (!told && s_test_recv (p, 1000, c.arena, &msg, true))
        told = msg.type == DP_MSG_DISCONNECT;
    assert (told);
    s_test_ready_as (p, 1, 0xe1, "dup/0");
    s_test_wait_credit (c.broker, 2, 2);
    s_test_ready_as (q, 2, 0xe2, "dup/0");
    s_test_wait_credit (c.broker, 2, 3);
    zsock_t *r = s_test_dealer (c.backend);
    s_test_ready_as (r, 1, 0xe3, "dup/0");
    s_test_wait_credit (c.broker, 3, 4);
    zclock_sleep (100);
    s_test_status (c.broker, &resolvers, &credit, &inflight, &queued);
    assert (resolvers == 3 && credit == 4);
    zsock_destroy (&r);
    zsock_destroy (&q);
    zsock_destroy (&p);
    s_case_end (&c);
}

//  Wait until the broker publishes n requests waiting for a slot.
static void
s_test_wait_waiting (dp_broker_stats_t *stats, int n)
{
    for (int i = 0; i < 200 && atomic_load (&stats->waiting) != n; i++)
        zclock_sleep (5);
    assert (atomic_load (&stats->waiting) == n);
}

//  Expect ERROR{status} for request id next on the worker.
static void
s_test_expect_error (zsock_t *worker, dp_arena_t *arena, uint64_t id, uint32_t status)
{
    dp_msg_t msg;
    assert (s_test_recv (worker, 2000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == id && msg.u.error.status == status);
}

//  The resolver r answers request id (which must be the next it gets) and
//  the worker gets its RESULT.
static void
s_test_serve (zsock_t *r, zsock_t *worker, dp_arena_t *arena, uint64_t id)
{
    dp_msg_t msg;
    assert (s_test_recv (r, 2000, arena, &msg, false));
    assert (msg.type == DP_MSG_EXECUTE && msg.id == id);
    s_test_result (r, id, "{}");
    assert (s_test_recv (worker, 2000, arena, &msg, false));
    assert (msg.type == DP_MSG_RESULT && msg.id == id);
}

//  Admission with a full limit: a request waits for a slot, first come
//  first served, for admission_wait_ms at most; then 503 "server busy".
static void
s_test_admission_wait (bool verbose, dp_arena_t *arena)
{
    dp_broker_config_t config;
    dp_broker_config_defaults (&config);
    config.backend_endpoint = "inproc://dp-broker-test-admission-backend";
    config.frontend_endpoint = "inproc://dp-broker-test-admission-frontend";
    config.max_inflight = 2;                //  a fixed limit of 2 (admission_min above it)
    config.admission_wait_ms = 300;
    config.resolver_wait_ms = 200;
    dp_broker_stats_t stats;
    memset (&stats, 0, sizeof stats);
    config.stats = &stats;
    zactor_t *broker = dp_broker_actor_new (&config);
    assert (broker);
    if (verbose)
        zstr_send (broker, "VERBOSE");
    zsock_t *worker = s_test_dealer (config.frontend_endpoint);
    zsock_t *r = s_test_dealer (config.backend_endpoint);
    s_test_ready (r, 1);
    s_test_wait_resolvers (broker, 1);
    uint64_t deadline = (uint64_t) zclock_time () + 60000;
    dp_msg_t msg;

    //  Two held (one at the resolver, one queued for its credit); the third
    //  waits, and is served when a slot frees within its wait.
    s_test_execute (worker, 60, deadline);
    s_test_execute (worker, 61, deadline);
    s_test_execute (worker, 62, deadline);
    s_test_wait_waiting (&stats, 1);
    assert (atomic_load (&stats.limit) == 2);
    s_test_serve (r, worker, arena, 60);
    s_test_wait_waiting (&stats, 0);
    s_test_serve (r, worker, arena, 61);
    s_test_serve (r, worker, arena, 62);

    //  No slot frees within the wait: 503 "server busy".
    s_test_execute (worker, 63, deadline);
    s_test_execute (worker, 64, deadline);
    s_test_execute (worker, 65, deadline);
    assert (s_test_recv (worker, 2000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 65 && msg.u.error.status == 503);
    assert (streq (msg.u.error.message, "server busy"));
    assert (atomic_load (&stats.busy) == 1);
    s_test_serve (r, worker, arena, 63);
    s_test_serve (r, worker, arena, 64);

    //  A waiter whose client went away (CANCEL) leaves the list: 499 at
    //  once, and the slot freed later goes to nobody.
    s_test_execute (worker, 70, deadline);
    s_test_execute (worker, 71, deadline);
    s_test_execute (worker, 72, deadline);
    s_test_wait_waiting (&stats, 1);
    dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = 72, .trace_id = "t" };
    s_test_send (worker, &cancel);
    s_test_expect_error (worker, arena, 72, DP_STATUS_CANCELLED);
    s_test_wait_waiting (&stats, 0);
    s_test_serve (r, worker, arena, 70);
    s_test_serve (r, worker, arena, 71);
    assert (!s_test_recv (r, 100, arena, &msg, false));

    //  Two waiters are admitted in their order; with as many waiting as
    //  the limit, one more is refused at once (before the waiters' 503s).
    s_test_execute (worker, 80, deadline);
    s_test_execute (worker, 81, deadline);
    s_test_execute (worker, 82, deadline);
    s_test_execute (worker, 83, deadline);
    s_test_wait_waiting (&stats, 2);
    s_test_execute (worker, 84, deadline);
    s_test_expect_error (worker, arena, 84, 503);
    s_test_serve (r, worker, arena, 80);
    s_test_serve (r, worker, arena, 81);
    s_test_serve (r, worker, arena, 82);
    s_test_serve (r, worker, arena, 83);

    //  A waiter whose deadline passes gets 408, as a queued request does.
    s_test_execute (worker, 90, deadline);
    s_test_execute (worker, 91, deadline);
    s_test_execute (worker, 92, (uint64_t) zclock_time () + 100);
    s_test_expect_error (worker, arena, 92, DP_STATUS_TIMEOUT);
    s_test_serve (r, worker, arena, 90);
    s_test_serve (r, worker, arena, 91);

    //  The last resolver goes: waiters and requests wait resolver_wait_ms
    //  for another, then get 503 "no resolver", not "server busy".
    s_test_execute (worker, 93, deadline);
    s_test_execute (worker, 94, deadline);
    s_test_execute (worker, 95, deadline);
    s_test_wait_waiting (&stats, 1);
    assert (s_test_recv (r, 1000, arena, &msg, false) && msg.id == 93);
    s_test_simple (r, DP_MSG_DISCONNECT);
    for (int i = 0; i < 3; i++) {
        assert (s_test_recv (worker, 2000, arena, &msg, false));
        assert (msg.type == DP_MSG_ERROR && msg.u.error.status == 503);
        assert (!streq (msg.u.error.message, "server busy"));
    }
    s_test_wait_waiting (&stats, 0);
    assert (atomic_load (&stats.busy) == 2);

    zsock_destroy (&r);
    zsock_destroy (&worker);
    zactor_destroy (&broker);
}

void
dp_broker_test (bool verbose)
{
    printf (" * dp_broker: ");
    dp_arena_t *arena = dp_arena_new (0);
    dp_msg_t msg;
    int resolvers, credit, inflight, queued;

    //  A backend endpoint that cannot be bound: status -1, no crash.
    {
        dp_broker_config_t config;
        dp_broker_config_defaults (&config);
        config.backend_endpoint = "bogus://nowhere";
        config.frontend_endpoint = "inproc://dp-broker-test-bad";
        assert (dp_broker_actor_new (&config) == NULL);
    }

    dp_broker_config_t config;
    dp_broker_config_defaults (&config);
    config.backend_endpoint = "inproc://dp-broker-test-backend";
    config.frontend_endpoint = "inproc://dp-broker-test-frontend";
    config.max_inflight = 4;
    config.heartbeat_ms = 100;
    config.liveness_ms = 500;
    config.grace_ms = 200;
    config.resolver_wait_ms = 300;
    dp_broker_stats_t stats;
    memset (&stats, 0, sizeof stats);
    config.stats = &stats;
    dp_fleet_t *fleet = dp_fleet_new (60000);
    config.fleet = fleet;
    zactor_t *broker = dp_broker_actor_new (&config);
    assert (broker);
    if (verbose)
        zstr_send (broker, "VERBOSE");
    zsock_t *worker = s_test_dealer (config.frontend_endpoint);

    //  No resolver since the start: a request waits resolver_wait_ms for
    //  one, then 503; after that wait, 503 at once.
    s_test_execute (worker, 1, (uint64_t) zclock_time () + 5000);
    assert (!s_test_recv (worker, 100, arena, &msg, false));
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 1 && msg.u.error.status == 503);
    assert (strstr (msg.u.error.message, "no resolver"));
    s_test_execute (worker, 1, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (worker, 50, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 1 && msg.u.error.status == 503);

    //  One resolver with credit 1: the request reaches it, its RESULT comes
    //  back to the worker, byte for byte.
    zsock_t *r1 = s_test_dealer (config.backend_endpoint);
    s_test_ready (r1, 1);
    s_test_wait_resolvers (broker, 1);
    s_test_execute (worker, 2, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (r1, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_EXECUTE && msg.id == 2);
    assert (strcmp (msg.u.execute.query, "{ a }") == 0 && strcmp (msg.trace_id, "t") == 0);
    s_test_result (r1, 2, "{\"data\":{\"a\":1}}");
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_RESULT && msg.id == 2);
    assert (strcmp (msg.u.result.json, "{\"data\":{\"a\":1}}") == 0);

    //  Credit 1: the second request queues until the first is answered.
    s_test_execute (worker, 3, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 4, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 3);
    assert (!s_test_recv (r1, 50, arena, &msg, false));
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (resolvers == 1 && credit == 1 && inflight == 1 && queued == 1);
    s_test_result (r1, 3, "{}");
    assert (s_test_recv (worker, 1000, arena, &msg, false) && msg.id == 3);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 4);
    s_test_result (r1, 4, "{}");
    assert (s_test_recv (worker, 1000, arena, &msg, false) && msg.id == 4);

    //  Admission: max_inflight 4 held at once (1 in flight, 3 queued); the
    //  fifth waits for a slot, none frees, and it gets 503.
    for (uint64_t id = 10; id < 15; id++)
        s_test_execute (worker, id, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 14 && msg.u.error.status == 503);
    for (uint64_t id = 10; id < 14; id++) {
        assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == id);
        s_test_result (r1, id, "{}");
        assert (s_test_recv (worker, 1000, arena, &msg, false) && msg.id == id);
        assert (msg.type == DP_MSG_RESULT);
    }

    //  A queued request whose deadline passes gets 408; a late RESULT for
    //  it is dropped.
    s_test_execute (worker, 20, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 21, (uint64_t) zclock_time () + 150);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 20);
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 21 && msg.u.error.status == 408);
    s_test_result (r1, 20, "{}");
    s_test_result (r1, 21, "{}");           //  never asked: dropped
    assert (s_test_recv (worker, 1000, arena, &msg, false) && msg.id == 20);
    assert (!s_test_recv (worker, 100, arena, &msg, false));

    //  CANCEL from the worker: the request in flight is cancelled at its
    //  resolver, whose answer still frees the credit; the queued one is
    //  answered 499 at once and never reaches a resolver. A CANCEL from
    //  another worker, or for an id the broker does not hold, does nothing.
    s_test_execute (worker, 25, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 26, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 25);
    zsock_t *stranger = s_test_dealer (config.frontend_endpoint);
    dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = 25, .trace_id = "t" };
    s_test_send (stranger, &cancel);
    cancel.id = 999;
    s_test_send (worker, &cancel);
    assert (!s_test_recv (r1, 100, arena, &msg, false));
    cancel.id = 25;
    s_test_send (worker, &cancel);
    s_test_send (worker, &cancel);          //  twice: told once
    assert (s_test_recv (r1, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_CANCEL && msg.id == 25);
    assert (!s_test_recv (r1, 100, arena, &msg, false));
    cancel.id = 26;
    s_test_send (worker, &cancel);
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 26 && msg.u.error.status == DP_STATUS_CANCELLED);
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (inflight == 1 && queued == 0);
    dp_msg_t cancelled = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = 25, .trace_id = "" };
    cancelled.u.error.status = DP_STATUS_CANCELLED;
    cancelled.u.error.message = "cancelled";
    s_test_send (r1, &cancelled);
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 25 && msg.u.error.status == DP_STATUS_CANCELLED);
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (inflight == 0 && queued == 0);
    assert (!s_test_recv (stranger, 50, arena, &msg, false));
    zsock_destroy (&stranger);

    //  The broker heartbeats the resolver.
    assert (s_test_recv (r1, 500, arena, &msg, true) && msg.type == DP_MSG_HEARTBEAT);

    //  The resolver's HEARTBEAT reports (its own, a db-svc's) reach the fleet.
    uint64_t values [] = { 3, 64 };
    dp_report_t reports [] = {
        { DP_SERVICE_RESOLVER, "host:1/0", 10, values, 2 },
        { DP_SERVICE_DB, "db-host:2", 11, values, 1 }
    };
    dp_msg_t beat = { .version = DP_PROTO_VERSION, .type = DP_MSG_HEARTBEAT, .trace_id = "" };
    beat.u.heartbeat.reports = reports;
    beat.u.heartbeat.n_reports = 2;
    s_test_send (r1, &beat);
    dp_fleet_entry_t *entries = NULL;
    size_t n_entries = 0;
    for (int i = 0; i < 200 && n_entries < 2; i++) {
        free (entries);
        zclock_sleep (5);
        n_entries = dp_fleet_snapshot (fleet, zclock_mono (), &entries);
    }
    assert (n_entries == 2);
    assert (entries [0].service == DP_SERVICE_RESOLVER && streq (entries [0].instance, "host:1/0"));
    assert (entries [0].n_values == 2 && entries [0].values [1] == 64);
    assert (entries [1].service == DP_SERVICE_DB && streq (entries [1].instance, "db-host:2"));
    assert (entries [1].n_values == 1 && entries [1].taken_ms == 11);
    free (entries);

    //  Two resolvers: requests spread to the one with fewer in flight.
    zsock_t *r2 = s_test_dealer (config.backend_endpoint);
    s_test_ready (r2, 2);
    s_test_ready (r1, 2);                   //  READY again changes the credit
    s_test_wait_credit (broker, 2, 4);
    s_test_execute (worker, 30, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 31, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 32, (uint64_t) zclock_time () + 5000);
    s_test_execute (worker, 33, (uint64_t) zclock_time () + 5000);
    int at_r1 = 0, at_r2 = 0;
    uint64_t r1_ids [4], r2_ids [4];
    while (s_test_recv (r1, 100, arena, &msg, false))
        r1_ids [at_r1++] = msg.id;
    while (s_test_recv (r2, 100, arena, &msg, false))
        r2_ids [at_r2++] = msg.id;
    assert (at_r1 == 2 && at_r2 == 2);
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (resolvers == 2 && credit == 4 && inflight == 4 && queued == 0);

    //  r2 falls silent while it keeps heartbeating r1: its two requests get
    //  503 "resolver lost" after liveness_ms, r1's are unaffected.
    int64_t until = zclock_mono () + 1000;
    int lost = 0;
    while (zclock_mono () < until) {
        s_test_simple (r1, DP_MSG_HEARTBEAT);
        while (s_test_recv (worker, 20, arena, &msg, false)) {
            assert (msg.type == DP_MSG_ERROR && msg.u.error.status == 503);
            assert (strcmp (msg.u.error.message, "resolver lost") == 0);
            assert (msg.id == r2_ids [0] || msg.id == r2_ids [1]);
            lost++;
        }
    }
    assert (lost == 2);
    s_test_wait_resolvers (broker, 1);
    for (int i = 0; i < 2; i++) {
        s_test_result (r1, r1_ids [i], "{}");
        assert (s_test_recv (worker, 1000, arena, &msg, false));
        assert (msg.type == DP_MSG_RESULT && msg.id == r1_ids [i]);
    }
    //  The dead resolver speaks again: it is told to reconnect.
    s_test_simple (r2, DP_MSG_HEARTBEAT);
    bool told = false;
    while (s_test_recv (r2, 300, arena, &msg, true))
        if (msg.type == DP_MSG_DISCONNECT)
            told = true;
    assert (told);

    //  An in-flight request the resolver never answers: 408 after the grace.
    s_test_execute (worker, 40, (uint64_t) zclock_time () + 100);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 40);
    until = zclock_mono () + 1000;
    bool timed_out = false;
    while (!timed_out && zclock_mono () < until) {
        s_test_simple (r1, DP_MSG_HEARTBEAT);
        if (s_test_recv (worker, 50, arena, &msg, false)) {
            assert (msg.type == DP_MSG_ERROR && msg.id == 40 && msg.u.error.status == 408);
            timed_out = true;
        }
    }
    assert (timed_out);
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (inflight == 0 && queued == 0);

    //  A DISCONNECT from the last resolver fails what it had and what waits.
    s_test_execute (worker, 50, (uint64_t) zclock_time () + 5000);
    assert (s_test_recv (r1, 1000, arena, &msg, false) && msg.id == 50);
    s_test_simple (r1, DP_MSG_DISCONNECT);
    assert (s_test_recv (worker, 1000, arena, &msg, false));
    assert (msg.type == DP_MSG_ERROR && msg.id == 50 && msg.u.error.status == 503);
    s_test_wait_resolvers (broker, 0);

    //  Garbage on either side is dropped without a crash.
    zframe_t *junk = zframe_new ("\x93\x01\x02", 3);
    zframe_send (&junk, worker, 0);
    junk = zframe_new ("junk", 4);
    zframe_send (&junk, r1, 0);
    s_test_status (broker, &resolvers, &credit, &inflight, &queued);
    assert (resolvers == 0 && inflight == 0 && queued == 0);

    //  The published stats agree: every accepted request was answered
    //  once, as a RESULT or as one of the failures counted.
    assert (atomic_load (&stats.resolvers) == 0 && atomic_load (&stats.queued) == 0);
    assert (atomic_load (&stats.inflight) == 0 && atomic_load (&stats.credit) == 0);
    assert (atomic_load (&stats.rejected) >= 2);        //  no resolver; overloaded
    assert (atomic_load (&stats.expired) >= 1);         //  the 408s
    assert (atomic_load (&stats.lost) >= 1);            //  the DISCONNECT above
    assert (atomic_load (&stats.accepted) > atomic_load (&stats.expired) + atomic_load (&stats.lost));

    zsock_destroy (&r2);
    zsock_destroy (&r1);
    zsock_destroy (&worker);
    zactor_destroy (&broker);
    dp_fleet_destroy (&fleet);

    s_test_admission_wait (verbose, arena);
    dp_arena_destroy (&arena);
    s_test_restart_read (verbose);
    s_test_restart_write (verbose);
    s_test_silence (verbose);
    s_test_resend_bound (verbose);
    s_test_same_name (verbose);
    printf ("OK\n");
}
