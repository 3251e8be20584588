/*  =========================================================================
    dp_broker - the gateway's broker actor: hands EXECUTEs to resolvers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One dp_poll loop over the pipe, the backend ROUTER (resolvers) and the
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
#include "dp_poll.h"
#include "dp_instance.h"
#include "dp_thread_name.h"
#include <assert.h>
#include <errno.h>
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
    return self;
}

static void
s_self_destroy (self_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        self_t *self = *self_p;
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

static bool
s_handle_backend (self_t *self)
{
    zmsg_t *msg = dp_poll_recv (self->backend);
    if (!msg)
        return false;
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
    return true;
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

static bool
s_handle_frontend (self_t *self)
{
    zmsg_t *msg = dp_poll_recv (self->frontend);
    if (!msg)
        return false;
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
    return true;
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

zactor_t *
dp_broker_actor_new (dp_broker_config_t *config)
{
    assert (config);
    //  The actor reads its own copy, which it frees: the caller's config may
    //  be on a stack the caller reuses at once, and the handshake over the
    //  pipe (inside libzmq) orders the two threads where ThreadSanitizer
    //  cannot see it (it reported the actor's reads of a reused frame).
    dp_broker_config_t *copy = (dp_broker_config_t *) malloc (sizeof *copy);
    assert (copy);
    *copy = *config;
    zactor_t *actor = zactor_new (dp_broker_actor, copy);
    if (!actor)
        free (copy);
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
    dp_thread_name ("dp-broker");
    dp_broker_config_t *config = (dp_broker_config_t *) args;
    assert (config);
    self_t *self = s_self_new (pipe, config);
    if (s_bind (self->backend, config->backend_endpoint, "backend")
    ||  s_bind (self->frontend, config->frontend_endpoint, "frontend")
    ||  (config->execute_endpoint && *config->execute_endpoint
         && s_bind (self->frontend, config->execute_endpoint, "execute"))) {
        s_self_destroy (&self);
        free (config);
        zsock_signal (pipe, 0);
        zsock_send (pipe, "i", -1);
        return;
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", 0);

    int timeout = self->heartbeat_ms;
    //  What polled ready is read (dp_poll's revents); what came after waits
    //  for the next turn. The pipe is only read when it polls ready: while
    //  idle, its descriptor tells (dp_poll_idle).
    uint64_t idle = 0;
    while (!self->terminated) {
        zmq_pollitem_t items [3] = {
            { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (self->backend), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (self->frontend), 0, ZMQ_POLLIN, 0 } };
        idle &= 1;
        if (dp_poll_idle (items, 3, timeout, &idle) == -1 && errno != EINTR) {
            dp_error ("broker: zmq_poll failed: %s", zmq_strerror (errno));
            break;
        }
        if (items [0].revents & ZMQ_POLLIN)
            s_handle_pipe (self);
        bool readable = items [1].revents & ZMQ_POLLIN;
        for (int i = 0; i < S_BATCH && readable; i++)
            readable = s_handle_backend (self);     //  until none waits (dp_poll_recv)
        readable = items [2].revents & ZMQ_POLLIN;
        for (int i = 0; i < S_BATCH && readable; i++)
            readable = s_handle_frontend (self);
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
    free (config);
}
