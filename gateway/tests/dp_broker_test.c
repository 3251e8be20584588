/*  =========================================================================
    dp_broker_test - the broker actor's selftest

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Real sockets over inproc: a test resolver (DEALER on the backend) and a
    test worker (DEALER on the frontend) talk to the actor; restarts,
    silence, re-sends, names and admission. Built into the selftest binary
    only, so the gateway's library holds no test code.
@end
*/
#include "dp_broker.h"
#include "dp_msg.h"
#include "dp_log.h"
#include "dp_instance.h"
#include <assert.h>
#include <inttypes.h>
#include <string.h>

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
    assert (strcmp (msg.u.error.message, "resolver lost; not sent again after 2 re-sends") == 0);
    uint64_t never = 0;
    assert (s_test_recv_any (ring, 4, 200, c.arena, &never) == -1);
    s_test_wait_resolvers (c.broker, 1);
    assert (atomic_load (&c.stats.resent) == 2);
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
