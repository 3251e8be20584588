/*  =========================================================================
    dp_resolver_actor - executes many GraphQL requests at once, never waiting

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The resolver actor connects a DEALER to the gateway's backend ROUTER
    (announcing READY{credit}) and a DEALER to every db-svc. EXECUTEs from
    the gateway become dp_exec_t requests; their LOADs and QUERYs go to a
    live db-svc with fresh correlation ids; each ROWS reply is routed back
    to its request, which may then send its next wave. Many requests are in
    flight at once and their waves interleave: the actor never blocks on
    any one of them.
@discuss
    Start: READY{credit} goes to the gateway once a db-svc has answered
    (its first heartbeat reply), or after liveness_ms without any, so a
    resolver takes no work in the moment before it can reach a db-svc.
    Liveness (proto/README.md section 5, the zguide's Paranoid Pirate):
    - gateway: HEARTBEAT every heartbeat_ms; any message from the gateway
      is a sign of life. A DISCONNECT (the gateway does not know us: it
      restarted or declared us dead), or a HEARTBEAT with a new gateway
      instance id (it restarted), makes us abandon our requests in flight
      (cancelled at db-svc, never answered: the broker re-sent or failed
      them, and a new gateway reuses request ids) and say READY again. A
      gateway silent for liveness_ms is given up the same way, and the
      DEALER is replaced by a new one (a new routing id) before READY.
    - db-svc: dp_db_links owns the DEALERs and every LOAD and QUERY
      waiting on them. A db-svc is known by its instance id: one that
      restarted (a new id), dropped its TCP connection or went silent for
      liveness_ms is dead at once, and what waited there is sent again to
      a live db-svc (reads only, at most twice); with no db-svc to take
      it, a LOAD or QUERY waits up to db_wait_ms, then fails 503.
    Reports (proto/README.md, HEARTBEAT): each db-svc answers our
    heartbeat with its report; we keep the latest of each live db-svc
    (forgotten when it is declared dead) and send them, after our own
    report, in every HEARTBEAT to the gateway, whose /metrics shows them.
    Bounds: the broker sends at most `credit` EXECUTEs; one beyond that is
    answered ERROR{503}. Requests past their deadline are answered 504 at
    the deadline (the poll wakes up for the nearest one) and forgotten;
    replies that arrive for them later are dropped by correlation id.
    Large answers: a request holding more than large_answer_rows rows once
    its waves are done goes to the actor's writer thread (dp_writer, nice
    +10), which writes its JSON and hands it back on a PULL socket; it
    leaves our lists meanwhile and still counts against the credit.
    Cancellation: a CANCEL from the gateway (the client went away) ends
    the request at once (ERROR 499 to the gateway, which drops it) and
    sends a CANCEL for each LOAD or QUERY it still waits for to the db-svc
    holding it, so its SQL stops too.
    Mutations (dp_exec_mutation.c): a request's transaction goes to the
    db-svc instance that answered its BEGIN (dp_db_links_send_txn) and is
    never sent again; a request dropped with its transaction open (its
    deadline, a CANCEL, the gateway gone, the actor stopping) has it rolled
    back: its running statements cancelled, then CANCEL of the txn and TXN
    ROLLBACK. A field pausing before it runs again after a conflict wakes
    from the same timers as the deadlines.
    Pipe commands: $TERM; STATS → "88" (requests answered, requests in
    flight); DBS → "ii" (db-svc live now, db-svc configured); LOST → "8"
    (LOADs and QUERYs no db-svc would answer); RESENT → "8" (LOADs and
    QUERYs sent again after their db-svc died); CANCELLED → "8" (requests
    the gateway cancelled).
@end
*/
#include "dp_resolver_actor.h"
#include "dp_writer.h"
#include "dp_db_links.h"
#include "dp_poll.h"
#include "dp_link_watch.h"
#include "dp_send.h"
#include "dp_exec.h"
#include "dp_msg.h"
#include "dp_catalog.h"
#include "dp_log.h"
#include "dp_instance.h"
#include "dp_thread_name.h"
#include <czmq.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_HEARTBEAT_MS  1000
#define S_LIVENESS_MS   3000
#define S_BATCH  64              //  messages read from one socket per turn
#define S_CHAINED_READS_MAX 2   //  requests in flight (this one too) up to which a box's
                                //  reads go with its lookup (dp_exec_set_chained_reads)

typedef struct {
    zsock_t *pipe;
    char *gateway_endpoint;
    zsock_t *gateway;           //  DEALER to the gateway's backend
    dp_link_watch_t *gateway_watch; //  its socket monitor (tcp only; NULL when none)
    int64_t gateway_seen;       //  zclock_mono of the gateway's last message
    uint64_t gateway_instance_id;   //  the gateway's identity (its HEARTBEATs); 0 = not known yet
    dp_arena_t *arena;          //  decoding the gateway's HEARTBEATs, reset per message
    bool registered;            //  READY sent
    int64_t started;            //  zclock_mono of the start
    dp_db_links_t *dbs;         //  the db-svc, and the LOADs and QUERYs waiting on them
    dp_exec_env_t env;
    uint32_t credit;
    int heartbeat_ms;
    int liveness_ms;
    zlistx_t *active;           //  requests in flight (dp_exec_t *), but for those ...
    zlistx_t *writing;          //  ... the writer holds (dp_exec_t *: large answers being written)
    zlistx_t *orphans;          //  requests at the writer the gateway no longer holds: dropped on return
    dp_writer_t *writer;        //  writes large answers at a lower priority
    zsock_t *written;           //  PULL: the writer hands written requests back
    int64_t next_heartbeat;
    bool terminated;
    uint64_t executed;          //  requests answered
    char instance [DP_INSTANCE_MAX + 1];    //  our name in heartbeat reports
    uint64_t instance_id;       //  our identity, new at every start (dp_instance_id)
    uint64_t cancelled;         //  requests the gateway cancelled (CANCEL)
} self_t;


//  --------------------------------------------------------------------------
//  Sending

static void
s_send_control (self_t *self, zsock_t *sock, dp_msg_type_t type)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = type, .trace_id = "" };
    if (type == DP_MSG_READY) {
        msg.u.ready.credit = self->credit;
        msg.u.ready.instance_id = self->instance_id;
        msg.u.ready.instance = self->instance;
    }
    if (type == DP_MSG_HEARTBEAT)
        msg.u.heartbeat.instance_id = self->instance_id;
    dp_send_msg (sock, &msg);
}

//  HEARTBEAT to the gateway: our report first, then the latest report of
//  each live db-svc.
static void
s_send_heartbeat (self_t *self)
{
    dp_report_t reports [1 + DP_DB_LINKS_MAX];
    uint64_t values [DP_STAT_RESOLVER_COUNT];
    dp_db_links_stats_t dbs;
    dp_db_links_stats (self->dbs, &dbs);
    values [DP_STAT_RESOLVER_INFLIGHT] = zlistx_size (self->active) + zlistx_size (self->writing);
    values [DP_STAT_RESOLVER_CREDIT] = self->credit;
    values [DP_STAT_RESOLVER_DB_WAITING] = dbs.waiting;
    values [DP_STAT_RESOLVER_ANSWERED] = self->executed;
    values [DP_STAT_RESOLVER_DB_LOST] = dbs.lost;
    values [DP_STAT_RESOLVER_DBS_LIVE] = dbs.live;
    values [DP_STAT_RESOLVER_DBS] = dbs.configured;
    values [DP_STAT_RESOLVER_DB_RESENT] = dbs.resent;
    values [DP_STAT_RESOLVER_DB_PARKED] = dbs.parked;
    reports [0] = (dp_report_t) { .service = DP_SERVICE_RESOLVER, .instance = self->instance,
                                  .taken_ms = (uint64_t) zclock_time (), .values = values,
                                  .n_values = DP_STAT_RESOLVER_COUNT };
    uint32_t n = 1 + dp_db_links_reports (self->dbs, reports + 1, DP_DB_LINKS_MAX);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_HEARTBEAT, .trace_id = "" };
    msg.u.heartbeat.reports = reports;
    msg.u.heartbeat.n_reports = n;
    msg.u.heartbeat.instance_id = self->instance_id;
    dp_send_msg (self->gateway, &msg);
}

//  The env's send callback: a LOAD or QUERY to a db-svc (or waiting for
//  one); both are reads, sent again when their db-svc dies. A mutation's
//  TXN, STMT and in-transaction LOAD and QUERY go to the db-svc instance
//  that answered its BEGIN, and are never sent again.
static int
s_send_to_db (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    self_t *self = ctx;
    uint64_t txn = msg->type == DP_MSG_TXN ? msg->u.txn.txn
                 : msg->type == DP_MSG_STMT ? msg->u.stmt.txn
                 : msg->type == DP_MSG_LOAD ? msg->u.load.txn
                 : msg->type == DP_MSG_QUERY ? msg->u.query.txn : 0;
    if (txn)
        return dp_db_links_send_txn (self->dbs, exec, msg, txn,
                                     msg->type == DP_MSG_TXN && msg->u.txn.op == DP_TXN_BEGIN);
    bool read_only = msg->type == DP_MSG_LOAD || msg->type == DP_MSG_QUERY;
    return dp_db_links_send (self->dbs, exec, msg, read_only);
}

static void
s_drop (self_t *self, dp_exec_t *exec)
{
    //  A mutation's transaction still open is rolled back (deadline,
    //  client gone, stopping): its statements running are cancelled first.
    uint64_t txn = dp_exec_open_txn (exec);
    if (txn)
        dp_db_links_cancel (self->dbs, exec, dp_exec_trace_id (exec));
    if (dp_exec_outstanding (exec))
        dp_db_links_forget (self->dbs, exec);
    dp_db_links_txn_end (self->dbs, exec, txn, dp_exec_trace_id (exec));
    void *handle = zlistx_find (self->active, exec);
    if (handle)
        zlistx_delete (self->active, handle);
    dp_exec_destroy (&exec);
}

//  Answer the gateway and forget the request.
static void
s_finish (self_t *self, dp_exec_t *exec)
{
    dp_json_writer_t *answer = dp_exec_answer (exec);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_RESULT,
                     .id = dp_exec_id (exec), .trace_id = dp_exec_trace_id (exec) };
    msg.u.result.http_status = dp_exec_http_status (exec);
    msg.u.result.json = answer->data;
    msg.u.result.json_len = (uint32_t) answer->len;
    msg.u.result.statements = dp_exec_statements (exec);
    msg.u.result.gtid = dp_exec_gtid (exec);
    //  The answer goes as it was written, not copied (12 MB for the preload).
    if (dp_send_result (self->gateway, &msg, answer))
        dp_warn ("request %s: could not send its result to the gateway", dp_exec_trace_id (exec));
    s_drop (self, exec);
    self->executed++;
}

//  After a request moved on: answer it when done, or hand it to the
//  writer when its large answer is left to write (it leaves our lists:
//  no deadline or cancel touches it while the writer has it).
static void
s_settle (self_t *self, dp_exec_t *exec)
{
    if (dp_exec_wants_writer (exec)) {
        void *handle = zlistx_find (self->active, exec);
        if (handle)
            zlistx_delete (self->active, handle);
        zlistx_add_end (self->writing, exec);
        dp_writer_submit (self->writer, exec);
    }
    else
    if (dp_exec_done (exec))
        s_finish (self, exec);
}

//  The writer gave a written request back: answer it.
static void
s_handle_written (self_t *self)
{
    dp_exec_t *exec = dp_writer_receive (self->writer, self->written);
    if (!exec)
        return;
    void *orphan = zlistx_find (self->orphans, exec);
    if (orphan) {
        zlistx_delete (self->orphans, orphan);
        s_drop (self, exec);
        return;
    }
    zlistx_delete (self->writing, zlistx_find (self->writing, exec));
    s_finish (self, exec);
}


static dp_db_links_reply_fn s_db_reply;
static dp_db_links_failed_fn s_db_failed;


//  --------------------------------------------------------------------------
//  Sockets

//  The DEALER to the gateway, watched (before it connects) so that a
//  gateway that comes back is told READY at once.
static zsock_t *
s_dealer (const char *endpoint, dp_link_watch_t **watch)
{
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    if (!sock)
        return NULL;
    zsock_set_sndhwm (sock, 0);         //  bounded by credit, never dropped
    zsock_set_rcvhwm (sock, 0);
    zsock_set_linger (sock, 0);
    *watch = dp_link_watch_useful (endpoint) ? dp_link_watch_new (sock) : NULL;
    if (zsock_connect (sock, "%s", endpoint)) {
        dp_link_watch_destroy (watch);
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}

static void
s_dealer_close (self_t *self)
{
    dp_link_watch_destroy (&self->gateway_watch);
    zsock_destroy (&self->gateway);
}

static self_t *
s_self_new (zsock_t *pipe, const dp_resolver_config_t *config)
{
    self_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->pipe = pipe;
    self->credit = config->credit ? config->credit : 64;
    self->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : S_HEARTBEAT_MS;
    self->liveness_ms = config->liveness_ms > 0 ? config->liveness_ms : S_LIVENESS_MS;
    if (config->instance)
        snprintf (self->instance, sizeof self->instance, "%s", config->instance);
    else
        dp_instance_name (self->instance, sizeof self->instance, -1);
    self->instance_id = dp_instance_id ();
    self->env.schema = config->schema;
    self->env.public_schema = config->public_schema;
    self->env.max_page_size = config->max_page_size ? config->max_page_size : 100000;
    self->env.max_tokens = 50000;
    self->env.max_depth = 64;
    self->env.send = s_send_to_db;
    self->env.send_ctx = self;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://dp-writer-%p", (void *) self);
    self->written = zsock_new_pull (endpoint);
    self->writer = self->written ? dp_writer_new (endpoint) : NULL;
    if (!self->writer)
        dp_warn ("resolver: no writer thread; large answers are written by the actor");
    self->env.large_answer_rows = self->writer ? config->large_answer_rows : 0;
    self->active = zlistx_new ();
    self->writing = zlistx_new ();
    self->orphans = zlistx_new ();
    self->arena = dp_arena_new (1024);
    int64_t now = zclock_mono ();
    self->gateway_endpoint = strdup (config->gateway_endpoint);
    self->gateway = s_dealer (config->gateway_endpoint, &self->gateway_watch);
    self->gateway_seen = now;
    if (!self->gateway_endpoint || !self->gateway) {
        dp_error ("resolver: cannot connect to gateway %s", config->gateway_endpoint);
        goto fail;
    }
    dp_db_links_config_t links = {
        .endpoints = config->db_endpoints, .n_endpoints = config->n_db_endpoints,
        .heartbeat_ms = self->heartbeat_ms, .liveness_ms = self->liveness_ms,
        .wait_ms = config->db_wait_ms, .max_resends = config->db_max_resends,
        .instance_id = self->instance_id, .on_reply = s_db_reply, .on_failed = s_db_failed,
        .ctx = self
    };
    char err [200];
    self->dbs = dp_db_links_new (&links, err, sizeof err);
    if (!self->dbs) {
        dp_error ("resolver: %s", err);
        goto fail;
    }
    return self;
fail:
    s_dealer_close (self);
    free (self->gateway_endpoint);
    zlistx_destroy (&self->active);
    zlistx_destroy (&self->writing);
    zlistx_destroy (&self->orphans);
    dp_arena_destroy (&self->arena);
    dp_writer_destroy (&self->writer);
    zsock_destroy (&self->written);
    free (self);
    return NULL;
}

static void
s_self_destroy (self_t **self_p)
{
    self_t *self = *self_p;
    if (!self)
        return;
    //  Requests still in flight are answered: the service is stopping.
    dp_exec_t *exec = zlistx_first (self->active);
    while (exec) {
        dp_exec_abort (exec, 503, "The resolver is shutting down; retry.");
        s_finish (self, exec);
        exec = zlistx_first (self->active);
    }
    //  The writer finishes what it holds and hands it back: answered too.
    dp_writer_destroy (&self->writer);
    while (zlistx_size (self->writing) + zlistx_size (self->orphans)) {
        zmq_pollitem_t item = { zsock_resolve (self->written), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 1000) <= 0)
            break;
        s_handle_written (self);
    }
    zsock_destroy (&self->written);
    s_send_control (self, self->gateway, DP_MSG_DISCONNECT);
    zlistx_destroy (&self->active);
    zlistx_destroy (&self->writing);
    zlistx_destroy (&self->orphans);
    dp_arena_destroy (&self->arena);
    dp_db_links_destroy (&self->dbs);
    s_dealer_close (self);
    free (self->gateway_endpoint);
    free (self);
    *self_p = NULL;
}


//  --------------------------------------------------------------------------
//  Liveness

//  The gateway no longer holds our requests in flight: it restarted (a
//  new instance id in its HEARTBEAT), told us DISCONNECT (it does not know
//  us), or fell silent (it fails them itself). Each is abandoned as for a
//  CANCEL (its LOADs and QUERYs cancelled at db-svc) but without an
//  answer: a restarted gateway numbers its requests from 1 again, so an
//  old answer could reach another client. Those the writer holds are
//  dropped when it hands them back.
static void
s_abandon_requests (self_t *self, const char *why)
{
    size_t n = zlistx_size (self->active) + zlistx_size (self->writing);
    if (n)
        dp_warn ("resolver: %s; %zu request(s) in flight abandoned", why, n);
    dp_exec_t *exec;
    while ((exec = zlistx_first (self->active))) {
        dp_db_links_cancel (self->dbs, exec, dp_exec_trace_id (exec));
        s_drop (self, exec);
    }
    while ((exec = zlistx_first (self->writing))) {
        zlistx_delete (self->writing, zlistx_cursor (self->writing));
        zlistx_add_end (self->orphans, exec);
    }
}

//  The gateway is silent: start over with a new DEALER and READY. Our
//  requests in flight cannot be answered on the new identity; the broker
//  fails them itself when it gives up on the old one.
static void
s_gateway_reset (self_t *self)
{
    dp_warn ("resolver: no word from the gateway for %d ms; reconnecting", self->liveness_ms);
    s_abandon_requests (self, "the gateway is silent");
    s_dealer_close (self);
    self->gateway = s_dealer (self->gateway_endpoint, &self->gateway_watch);
    if (!self->gateway)
        dp_fatal ("resolver: cannot reconnect to the gateway %s", self->gateway_endpoint);
    self->gateway_seen = zclock_mono ();
    s_send_control (self, self->gateway, DP_MSG_READY);
}

//  Say READY for the first time.
static void
s_register (self_t *self)
{
    self->registered = true;
    self->gateway_seen = zclock_mono ();
    s_send_control (self, self->gateway, DP_MSG_READY);
}

//  Heartbeats out, silent peers, deadlines. Returns the ms until the next
//  of them is due.
static long
s_timers (self_t *self)
{
    int64_t now = zclock_mono ();
    if (!self->registered && now >= self->started + self->liveness_ms) {
        dp_warn ("resolver: no db-svc answered in %d ms; taking requests anyway", self->liveness_ms);
        s_register (self);
    }
    if (self->registered && now >= self->next_heartbeat) {
        s_send_heartbeat (self);
        self->next_heartbeat = now + self->heartbeat_ms;
    }
    int64_t next = self->registered ? self->next_heartbeat - now : self->heartbeat_ms;
    long db_next = dp_db_links_timers (self->dbs);
    if (db_next < next)
        next = db_next;
    int64_t left = self->registered ? self->gateway_seen + self->liveness_ms - now
                                    : self->started + self->liveness_ms - now;
    if (left < 0 && dp_poll_readable (self->gateway))
        left = 0;                       //  it spoke; we were busy: read first
    else
    if (left < 0 && self->registered) {
        s_gateway_reset (self);
        left = self->liveness_ms;
    }
    if (left < next)
        next = left < 0 ? 0 : left;

    //  Deadlines: answered 504 when they pass. Finishing a request moves
    //  the list's cursor (s_drop finds it), so the walk starts over.
    int64_t wall = zclock_time ();
    dp_exec_t *exec = zlistx_first (self->active);
    while (exec) {
        int64_t deadline = (int64_t) dp_exec_deadline (exec);
        if (deadline && deadline <= wall) {
            dp_exec_abort (exec, 504, "The request took longer than its deadline.");
            s_finish (self, exec);
            exec = zlistx_first (self->active);
            continue;
        }
        if (deadline && deadline - wall < next)
            next = deadline - wall;
        //  A mutation pausing before it runs a field again.
        int64_t wake = dp_exec_wake_at (exec);
        if (wake && wake <= wall) {
            dp_exec_wake (exec);
            s_settle (self, exec);
            exec = zlistx_first (self->active);
            continue;
        }
        if (wake && wake - wall < next)
            next = wake - wall;
        exec = zlistx_next (self->active);
    }
    return next < 0 ? 0 : (long) next;
}


//  --------------------------------------------------------------------------
//  Messages

static void
s_handle_pipe (self_t *self)
{
    zmsg_t *msg = zmsg_recv (self->pipe);
    if (!msg) {
        self->terminated = true;
        return;
    }
    char *command = zmsg_popstr (msg);
    if (streq (command, "$TERM"))
        self->terminated = true;
    else
    if (streq (command, "STATS"))
        zsock_send (self->pipe, "88", self->executed,
                    (uint64_t) (zlistx_size (self->active) + zlistx_size (self->writing)));
    else
    if (streq (command, "DBS")) {
        dp_db_links_stats_t dbs;
        dp_db_links_stats (self->dbs, &dbs);
        zsock_send (self->pipe, "ii", (int) dbs.live, (int) dbs.configured);
    }
    else
    if (streq (command, "LOST") || streq (command, "RESENT")) {
        dp_db_links_stats_t dbs;
        dp_db_links_stats (self->dbs, &dbs);
        zsock_send (self->pipe, "8", streq (command, "LOST") ? dbs.lost : dbs.resent);
    }
    else
    if (streq (command, "CANCELLED"))
        zsock_send (self->pipe, "8", self->cancelled);
    else {
        dp_error ("resolver: unknown pipe command %s", command);
        assert (false);
    }
    free (command);
    zmsg_destroy (&msg);
}

//  The last frame of a message (ROUTER/DEALER envelopes vary); caller owns it.
static zframe_t *
s_recv_payload (zsock_t *sock)
{
    zmsg_t *msg = dp_poll_recv (sock);
    if (!msg)
        return NULL;
    zframe_t *frame = zmsg_last (msg);
    zframe_t *payload = frame ? zframe_dup (frame) : NULL;
    zmsg_destroy (&msg);
    return payload;
}

static void
s_reply_error (self_t *self, uint64_t id, uint32_t status, const char *message)
{
    dp_msg_t reply = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = id,
                       .trace_id = "" };
    reply.u.error.status = status;
    reply.u.error.message = message;
    dp_send_msg (self->gateway, &reply);
}

//  The gateway cancelled request id (its client went away): each LOAD or
//  QUERY it still waits for is cancelled at its db-svc (which drops it
//  from its queue or KILLs its statement), the EXECUTE gets its one reply
//  (ERROR 499, which nobody reads) and the request is forgotten.
static void
s_cancel (self_t *self, uint64_t id)
{
    dp_exec_t *exec = zlistx_first (self->active);
    while (exec && dp_exec_id (exec) != id)
        exec = zlistx_next (self->active);
    if (!exec)
        return;                 //  answered already
    const char *trace_id = dp_exec_trace_id (exec);
    size_t told = dp_db_links_cancel (self->dbs, exec, trace_id);
    dp_log_set_request (trace_id);
    dp_info ("resolver: request cancelled by the gateway; %zu LOAD/QUERY cancelled at db-svc",
             told);
    dp_log_set_request (NULL);
    dp_msg_t reply = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = id,
                       .trace_id = trace_id };
    reply.u.error.status = DP_STATUS_CANCELLED;
    reply.u.error.message = "cancelled";
    dp_send_msg (self->gateway, &reply);
    s_drop (self, exec);
    self->cancelled++;
}

//  A HEARTBEAT from the gateway: one with a new instance id means the
//  gateway restarted (a HEARTBEAT from it comes before any EXECUTE):
//  abandon what the old one sent and say READY at once.
static void
s_gateway_heartbeat (self_t *self, zframe_t *frame)
{
    dp_msg_t heartbeat;
    char err [200];
    dp_arena_reset (self->arena);
    if (dp_msg_decode (zframe_data (frame), zframe_size (frame), self->arena, &heartbeat,
                       err, sizeof err)) {
        dp_warn ("resolver: malformed HEARTBEAT from gateway: %s", err);
        return;
    }
    uint64_t id = heartbeat.u.heartbeat.instance_id;
    if (id == 0 || id == self->gateway_instance_id)
        return;                 //  an older gateway, or the one we know
    bool restarted = self->gateway_instance_id != 0;
    self->gateway_instance_id = id;
    if (restarted && self->registered) {
        s_abandon_requests (self, "the gateway restarted");
        s_send_control (self, self->gateway, DP_MSG_READY);
    }
}

static bool
s_handle_gateway (self_t *self)
{
    zframe_t *frame = s_recv_payload (self->gateway);
    if (!frame)
        return false;
    self->gateway_seen = zclock_mono ();
    dp_msg_t head;
    char err [200];
    if (dp_msg_peek (zframe_data (frame), zframe_size (frame), &head, err, sizeof err)) {
        dp_warn ("resolver: malformed message from gateway: %s", err);
        zframe_destroy (&frame);
        return true;
    }
    if (head.type == DP_MSG_DISCONNECT) {
        //  The gateway does not know us (it restarted, or declared us
        //  dead): it holds none of our requests; register again.
        if (self->registered) {
            s_abandon_requests (self, "the gateway does not know us");
            s_send_control (self, self->gateway, DP_MSG_READY);
        }
    }
    else
    if (head.type == DP_MSG_HEARTBEAT)
        s_gateway_heartbeat (self, frame);
    else
    if (head.type == DP_MSG_CANCEL)
        s_cancel (self, head.id);
    else
    if (head.type == DP_MSG_EXECUTE
    &&  zlistx_size (self->active) + zlistx_size (self->writing) >= self->credit) {
        //  More than the credit we announced: the broker should not do
        //  that, and we do not queue beyond it.
        dp_warn ("resolver: EXECUTE %llu beyond our credit of %u refused",
                 (unsigned long long) head.id, self->credit);
        s_reply_error (self, head.id, DP_STATUS_UNAVAILABLE, "resolver overloaded");
    }
    else
    if (head.type == DP_MSG_EXECUTE) {
        dp_exec_t *exec = dp_exec_new (&self->env);
        dp_msg_t msg;
        if (dp_msg_decode (zframe_data (frame), zframe_size (frame), dp_exec_arena (exec), &msg,
                           err, sizeof err)) {
            dp_warn ("resolver: malformed EXECUTE %llu: %s", (unsigned long long) head.id, err);
            s_reply_error (self, head.id, DP_STATUS_BAD_REQUEST, err);
            dp_exec_destroy (&exec);
        }
        else {
            dp_log_set_request (msg.trace_id);      //  this request's lines carry its id
            zlistx_add_end (self->active, exec);
            dp_exec_set_chained_reads (exec, zlistx_size (self->active) <= S_CHAINED_READS_MAX);
            dp_exec_start (exec, &msg);
            s_settle (self, exec);
            dp_log_set_request (NULL);
        }
    }
    zframe_destroy (&frame);
    return true;
}

//  dp_db_links's callback: a db-svc answered one of exec's LOADs or QUERYs.
static void
s_db_reply (void *ctx, void *owner, const dp_msg_t *head, zframe_t *frame)
{
    self_t *self = ctx;
    dp_exec_t *exec = owner;
    dp_msg_t msg;
    char err [200];
    if (dp_msg_decode (zframe_data (frame), zframe_size (frame), dp_exec_arena (exec), &msg,
                       err, sizeof err)) {
        dp_warn ("resolver: malformed reply from db-svc: %s", err);
        msg = *head;
        msg.type = DP_MSG_ERROR;
        msg.u.error.status = DP_STATUS_INTERNAL;
        msg.u.error.message = err;
    }
    dp_log_set_request (dp_exec_trace_id (exec));
    dp_exec_on_reply (exec, &msg);
    s_settle (self, exec);
    dp_log_set_request (NULL);
}

//  dp_db_links's callback: one of exec's LOADs or QUERYs will never be
//  answered (no db-svc reachable, or lost too often).
static void
s_db_failed (void *ctx, void *owner, const dp_msg_t *error)
{
    self_t *self = ctx;
    dp_exec_t *exec = owner;
    dp_log_set_request (dp_exec_trace_id (exec));
    dp_exec_on_reply (exec, error);
    s_settle (self, exec);
    dp_log_set_request (NULL);
}


//  --------------------------------------------------------------------------
//  The actor

void
dp_resolver_actor (zsock_t *pipe, void *args)
{
    dp_thread_name ("dp-resolver");
    self_t *self = s_self_new (pipe, (const dp_resolver_config_t *) args);
    if (!self) {
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    self->started = zclock_mono ();
    dp_db_links_stats_t dbs;
    dp_db_links_stats (self->dbs, &dbs);
    if (dbs.configured == 0)
        s_register (self);
    long timeout = s_timers (self);
    zmq_pollitem_t items [4 + 2 * DP_DB_LINKS_MAX];
    //  The pipe and the writer's PULL are only read when they poll ready:
    //  while idle, their descriptors tell (dp_poll_idle).
    uint64_t idle = 0;
    int last_n_items = 0;
    //  Runs until $TERM (SIGINT and SIGTERM are the binary's business).
    //  What polled ready is read (dp_poll's revents); what came after waits
    //  for the next turn.
    while (!self->terminated) {
        items [0] = (zmq_pollitem_t) { zsock_resolve (self->pipe), 0, ZMQ_POLLIN, 0 };
        items [1] = (zmq_pollitem_t) { zsock_resolve (self->gateway), 0, ZMQ_POLLIN, 0 };
        int n_items = 2 + dp_db_links_pollitems (self->dbs, items + 2);
        int watch_item = -1, written_item = -1;
        if (self->gateway_watch) {
            watch_item = n_items;
            items [n_items++] = (zmq_pollitem_t) {
                zsock_resolve (dp_link_watch_sock (self->gateway_watch)), 0, ZMQ_POLLIN, 0 };
        }
        if (self->written) {
            written_item = n_items;
            items [n_items++] = (zmq_pollitem_t) { zsock_resolve (self->written), 0, ZMQ_POLLIN, 0 };
        }
        //  The bits are the items' places: a layout that changed (a watch
        //  came or went) starts over.
        uint64_t quiet = 1ULL | (written_item >= 0 && written_item < 64 ? 1ULL << written_item : 0);
        idle = n_items == last_n_items ? idle & quiet : 0;
        last_n_items = n_items;
        if (dp_poll_idle (items, n_items, timeout, &idle) == -1 && errno != EINTR) {
            dp_error ("resolver: zmq_poll failed: %s", zmq_strerror (errno));
            break;
        }
        if (items [0].revents & ZMQ_POLLIN)
            s_handle_pipe (self);
        if (self->terminated)
            break;
        //  A connection to the gateway came up again (it restarted, or the
        //  network dropped): READY now rather than at the next heartbeat,
        //  so a restarted gateway has a resolver within milliseconds.
        if (watch_item >= 0 && (items [watch_item].revents & ZMQ_POLLIN))
            while (dp_link_watch_pending (self->gateway_watch))
                if (dp_link_watch_next (self->gateway_watch) == DP_LINK_CONNECTED && self->registered)
                    s_send_control (self, self->gateway, DP_MSG_READY);
        bool readable = items [1].revents & ZMQ_POLLIN;
        for (int n = 0; n < S_BATCH && readable; n++)
            readable = s_handle_gateway (self);     //  until none waits
        dp_db_links_handle (self->dbs, items + 2);
        if (!self->registered && dp_db_links_heard (self->dbs))
            s_register (self);
        if (written_item >= 0 && (items [written_item].revents & ZMQ_POLLIN))
            while (self->written && dp_poll_readable (self->written))
                s_handle_written (self);
        timeout = s_timers (self);
    }
    s_self_destroy (&self);
    //  The Idempotency-Key's SHA-256 (dp_idem) leaves OpenSSL state on this
    //  thread, freed by a thread-exit destructor that runs after the actor
    //  has told its owner it is done, racing with the process's exit (a
    //  leak, or a crash in libcrypto, as db-svc's connections had). Free
    //  it while the owner still waits for us.
    OPENSSL_thread_stop ();
}


//  --------------------------------------------------------------------------
//  Selftest: the actor between a fake gateway and two fake db-svc, all
//  ROUTER sockets the test drives itself over inproc://. Checks that a
//  db-svc gone silent is given up within the liveness time and the QUERY
//  waiting on it is sent to the live one; that new work goes to the live
//  one; that the silent one is used again once it answers; that a db-svc
//  answering with a new instance id gets its QUERYs again; the credit
//  bound; deadlines; that with no db-svc at all a request fails 503 after
//  the wait; and that a silent gateway makes the resolver register again.
//  dp_db_links's own selftest covers tcp disconnects and the bounds.

typedef struct {
    zsock_t *gateway;           //  fake broker backend
    zsock_t *dbs [2];           //  fake db-svc
    bool answer [2];            //  echo heartbeats
    uint64_t db_instance [2];   //  the instance id in their answers
    zframe_t *resolver;         //  the resolver's routing id at the gateway
    uint64_t gateway_id;        //  the instance id in the fake gateway's HEARTBEATs
    uint64_t readies;           //  READYs seen
    dp_arena_t *arena;
    //  The last LOAD/QUERY each db got and not yet answered.
    zframe_t *pending_routing [2][8];
    dp_msg_t pending [2][8];
    int n_pending [2];
    //  RESULTs and ERRORs the gateway got, by EXECUTE id.
    uint64_t result_id [32];
    uint32_t result_status [32];
    char *result_json [32];
    int n_results;
    int64_t next_beat;
    //  The latest HEARTBEAT the gateway got: the resolver's own report
    //  and which fake db-svc's reports it forwarded.
    uint32_t beats;
    char beat_resolver [DP_INSTANCE_MAX + 1];
    uint64_t beat_credit;
    uint64_t beat_dbs_live;
    bool beat_db [2];
    uint64_t beat_db_pool [2];
    //  CANCELs each db got: the ids they named.
    uint64_t cancelled [2][8];
    int n_cancelled [2];
} s_test_t;

static void
s_test_send (zsock_t *router, zframe_t *routing, const dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_msg_encode (msg, &buf);
    assert (rc == 0);
    zframe_t *routing_copy = zframe_dup (routing);
    zframe_send (&routing_copy, router, ZFRAME_MORE);
    zframe_t *frame = zframe_new (buf.data, buf.size);
    zframe_send (&frame, router, 0);
    msgpack_sbuffer_destroy (&buf);
}

//  Serve the fake peers for ms milliseconds.
static void
s_test_pump (s_test_t *t, int ms)
{
    int64_t until = zclock_mono () + ms;
    while (true) {
        int64_t now = zclock_mono ();
        if (now >= t->next_beat && t->resolver) {
            dp_msg_t beat = { .version = DP_PROTO_VERSION, .type = DP_MSG_HEARTBEAT, .trace_id = "" };
            beat.u.heartbeat.instance_id = t->gateway_id;
            s_test_send (t->gateway, t->resolver, &beat);
            t->next_beat = now + 50;
        }
        if (now >= until)
            break;
        zmq_pollitem_t items [] = {
            { zsock_resolve (t->gateway), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (t->dbs [0]), 0, ZMQ_POLLIN, 0 },
            { zsock_resolve (t->dbs [1]), 0, ZMQ_POLLIN, 0 },
        };
        int64_t wait = until - now < 10 ? until - now : 10;
        zmq_poll (items, 3, (long) wait);
        for (int s = 0; s < 3; s++) {
            zsock_t *sock = s == 0 ? t->gateway : t->dbs [s - 1];
            while (dp_poll_readable (sock)) {
                zmsg_t *msg = zmsg_recv (sock);
                assert (msg && zmsg_size (msg) == 2);
                zframe_t *routing = zmsg_pop (msg);
                zframe_t *payload = zmsg_pop (msg);
                dp_msg_t in;
                char err [200];
                int rc = dp_msg_decode (zframe_data (payload), zframe_size (payload), t->arena,
                                        &in, err, sizeof err);
                assert (rc == 0);
                if (s == 0) {
                    if (in.type == DP_MSG_READY) {
                        zframe_destroy (&t->resolver);
                        t->resolver = zframe_dup (routing);
                        t->readies++;
                    }
                    else
                    if (in.type == DP_MSG_HEARTBEAT) {
                        t->beats++;
                        t->beat_db [0] = t->beat_db [1] = false;
                        for (uint32_t i = 0; i < in.u.heartbeat.n_reports; i++) {
                            const dp_report_t *report = &in.u.heartbeat.reports [i];
                            if (report->service == DP_SERVICE_RESOLVER) {
                                assert (i == 0 && report->n_values == DP_STAT_RESOLVER_COUNT);
                                snprintf (t->beat_resolver, sizeof t->beat_resolver, "%s",
                                          report->instance);
                                t->beat_credit = report->values [DP_STAT_RESOLVER_CREDIT];
                                t->beat_dbs_live = report->values [DP_STAT_RESOLVER_DBS_LIVE];
                            }
                            else {
                                int d = strcmp (report->instance, "fake-db-1") == 0;
                                assert (report->service == DP_SERVICE_DB && report->n_values == 1);
                                t->beat_db [d] = true;
                                t->beat_db_pool [d] = report->values [0];
                            }
                        }
                    }
                    else
                    if (in.type == DP_MSG_RESULT || in.type == DP_MSG_ERROR) {
                        assert (t->n_results < 32);
                        t->result_id [t->n_results] = in.id;
                        t->result_status [t->n_results] = in.type == DP_MSG_RESULT
                            ? in.u.result.http_status : in.u.error.status;
                        t->result_json [t->n_results] = in.type == DP_MSG_RESULT
                            ? dp_arena_strndup (t->arena, in.u.result.json, in.u.result.json_len)
                            : dp_arena_strdup (t->arena, in.u.error.message);
                        t->n_results++;
                    }
                }
                else {
                    int d = s - 1;
                    if (in.type == DP_MSG_HEARTBEAT) {
                        //  The answer carries a report, as db-svc's does.
                        uint64_t pool = 10 + (uint64_t) d;
                        dp_report_t report = { DP_SERVICE_DB, d ? "fake-db-1" : "fake-db-0",
                                               (uint64_t) zclock_time (), &pool, 1 };
                        assert (in.u.heartbeat.n_reports == 0);
                        in.u.heartbeat.reports = &report;
                        in.u.heartbeat.n_reports = 1;
                        in.u.heartbeat.instance_id = t->db_instance [d];
                        if (t->answer [d])
                            s_test_send (sock, routing, &in);
                    }
                    else
                    if (in.type == DP_MSG_CANCEL) {
                        assert (t->n_cancelled [d] < 8);
                        t->cancelled [d][t->n_cancelled [d]++] = in.id;
                    }
                    else {
                        assert (in.type == DP_MSG_LOAD || in.type == DP_MSG_QUERY);
                        assert (t->n_pending [d] < 8);
                        t->pending_routing [d][t->n_pending [d]] = zframe_dup (routing);
                        t->pending [d][t->n_pending [d]++] = in;
                    }
                }
                zframe_destroy (&routing);
                zframe_destroy (&payload);
                zmsg_destroy (&msg);
            }
        }
    }
}

//  Answer every LOAD/QUERY db d holds: a count of 7, or no rows.
static void
s_test_answer (s_test_t *t, int d)
{
    for (int i = 0; i < t->n_pending [d]; i++) {
        dp_msg_t *in = &t->pending [d][i];
        dp_val_t seven = { .type = DP_VAL_INT, .u.i = 7 };
        dp_msg_t rows = { .version = DP_PROTO_VERSION, .type = DP_MSG_ROWS, .id = in->id,
                          .trace_id = in->trace_id };
        rows.u.rows.statements = 1;
        if (in->type == DP_MSG_QUERY && in->u.query.query != DP_QUERY_boxes_page) {
            rows.u.rows.n_cols = 1;
            rows.u.rows.n_rows = 1;
            rows.u.rows.cells = &seven;
        }
        else {
            uint64_t columns = in->type == DP_MSG_QUERY ? in->u.query.columns : in->u.load.columns;
            rows.u.rows.n_cols = 1 + (uint32_t) __builtin_popcountll (columns);
        }
        s_test_send (t->dbs [d], t->pending_routing [d][i], &rows);
        zframe_destroy (&t->pending_routing [d][i]);
    }
    t->n_pending [d] = 0;
}

//  Send an EXECUTE of the totalCount of base 1 with a deadline of
//  deadline_ms (wall clock); returns its id.
static uint64_t
s_test_execute_until (s_test_t *t, uint64_t id, int64_t deadline_ms)
{
    static int64_t bases [] = { 1 };
    static dp_permission_t permission = { "stock:read", bases, 1 };
    static const char query [] = "{ boxes(baseId: \"1\") { totalCount } }";
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_EXECUTE, .id = id,
                     .deadline_ms = (uint64_t) deadline_ms, .trace_id = "selftest" };
    msg.u.execute.identity = (dp_identity_t) { .user_id = 8, .organisation_id = 1, .beta_user = -1,
                                               .base_ids = bases, .n_base_ids = 1,
                                               .permissions = &permission, .n_permissions = 1 };
    msg.u.execute.query = query;
    msg.u.execute.query_len = sizeof query - 1;
    s_test_send (t->gateway, t->resolver, &msg);
    return id;
}

static uint64_t
s_test_execute (s_test_t *t, uint64_t id, int deadline_in_ms)
{
    return s_test_execute_until (t, id, zclock_time () + deadline_in_ms);
}

//  Pump until the result of id is in (at most ms); returns its index or -1.
static int
s_test_result (s_test_t *t, uint64_t id, int ms)
{
    int64_t until = zclock_mono () + ms;
    while (true) {
        for (int i = 0; i < t->n_results; i++)
            if (t->result_id [i] == id)
                return i;
        if (zclock_mono () >= until)
            return -1;
        s_test_pump (t, 5);
    }
}

//  A request in flight (its QUERYs at both db-svc) when the gateway
//  forgets it: a new gateway instance id in its HEARTBEAT, or a
//  DISCONNECT. READY comes at once (well within the liveness time), the
//  QUERYs are cancelled at db-svc, and no answer for the request goes out.
static void
s_test_gateway_forgets (s_test_t *t, zactor_t *actor, uint64_t id, bool disconnect)
{
    s_test_execute (t, id, 5000);
    s_test_pump (t, 50);
    assert (t->n_pending [0] == 1 && t->n_pending [1] == 1);
    uint64_t waited_for [2] = { t->pending [0][0].id, t->pending [1][0].id };
    int cancelled [2] = { t->n_cancelled [0], t->n_cancelled [1] };
    uint64_t readies = t->readies;
    int64_t started = zclock_mono ();
    if (disconnect) {
        dp_msg_t bye = { .version = DP_PROTO_VERSION, .type = DP_MSG_DISCONNECT, .trace_id = "" };
        s_test_send (t->gateway, t->resolver, &bye);
    }
    else
        t->gateway_id++;
    while (t->readies == readies && zclock_mono () - started < 1000)
        s_test_pump (t, 5);
    assert (t->readies == readies + 1 && zclock_mono () - started < 200);
    s_test_pump (t, 50);
    for (int d = 0; d < 2; d++)
        assert (t->n_cancelled [d] == cancelled [d] + 1
             && t->cancelled [d][cancelled [d]] == waited_for [d]);
    s_test_answer (t, 0);
    s_test_answer (t, 1);
    assert (s_test_result (t, id, 200) == -1);
    zstr_send (actor, "STATS");
    uint64_t executed, inflight;
    zsock_recv (actor, "88", &executed, &inflight);
    assert (inflight == 0);
}

static void
s_test_dbs (zactor_t *actor, int *alive, int *total)
{
    zstr_send (actor, "DBS");
    int rc = zsock_recv (actor, "ii", alive, total);
    assert (rc == 0);
}

void
dp_resolver_actor_test (bool verbose)
{
    printf (" * dp_resolver_actor: ");
    if (verbose)
        printf ("\n");
    char err [256];
    dp_schema_t *schema = dp_resolver_schema_load (NULL, err, sizeof err);
    assert (schema);
    s_test_t t;
    memset (&t, 0, sizeof t);
    t.arena = dp_arena_new (0);
    t.gateway = zsock_new_router ("inproc://dp-resolver-test-gateway");
    t.dbs [0] = zsock_new_router ("inproc://dp-resolver-test-db0");
    t.dbs [1] = zsock_new_router ("inproc://dp-resolver-test-db1");
    assert (t.gateway && t.dbs [0] && t.dbs [1]);
    const char *endpoints [] = { "inproc://dp-resolver-test-db0", "inproc://dp-resolver-test-db1" };
    dp_resolver_config_t config = {
        .gateway_endpoint = "inproc://dp-resolver-test-gateway", .db_endpoints = endpoints,
        .n_db_endpoints = 2, .schema = schema, .credit = 4, .heartbeat_ms = 50, .liveness_ms = 300,
        .instance = "selftest/0", .db_wait_ms = 200
    };
    zactor_t *actor = zactor_new (dp_resolver_actor, &config);
    assert (actor);
    //  No READY while no db-svc answers; READY at once when one does.
    s_test_pump (&t, 150);
    assert (t.readies == 0);
    t.answer [0] = t.answer [1] = true;
    t.db_instance [0] = 100;
    t.db_instance [1] = 200;
    int64_t asked = zclock_mono ();
    while (!t.resolver && zclock_mono () - asked < 1000)
        s_test_pump (&t, 5);
    assert (t.readies == 1 && t.resolver);
    assert (zclock_mono () - asked < 100);
    s_test_pump (&t, 100);
    int alive, total;
    s_test_dbs (actor, &alive, &total);
    assert (alive == 2 && total == 2);
    //  Its heartbeats to the gateway carry its own report and the latest
    //  report of each db-svc.
    uint32_t beats = t.beats;
    s_test_pump (&t, 120);
    assert (t.beats > beats);
    assert (strcmp (t.beat_resolver, "selftest/0") == 0 && t.beat_credit == 4);
    assert (t.beat_dbs_live == 2);
    assert (t.beat_db [0] && t.beat_db_pool [0] == 10 && t.beat_db [1] && t.beat_db_pool [1] == 11);

    //  A request served by both db-svc: its two QUERYs (page and count)
    //  go one to each, the less loaded first.
    uint64_t id = s_test_execute (&t, 1, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 1 && t.n_pending [1] == 1);
    s_test_answer (&t, 0);
    s_test_answer (&t, 1);
    int r = s_test_result (&t, id, 2000);
    assert (r >= 0 && t.result_status [r] == 200);
    assert (strstr (t.result_json [r], "\"totalCount\":7"));

    int64_t started;
    //  db 0 restarts with a QUERY of the next request in hand (its
    //  answers show a new instance id; db 1 answers its own): that QUERY
    //  is sent again at once, and the request completes with data.
    id = s_test_execute (&t, 5, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 1 && t.n_pending [1] == 1);
    uint64_t held_by_old = t.pending [0][0].id;
    zframe_destroy (&t.pending_routing [0][0]);
    t.n_pending [0] = 0;                    //  the old instance took it with it
    t.db_instance [0] = 101;
    s_test_answer (&t, 1);
    started = zclock_mono ();               //  a heartbeat or two
    while (t.n_pending [0] + t.n_pending [1] == 0 && zclock_mono () - started < 2000)
        s_test_pump (&t, 5);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] + t.n_pending [1] == 1);
    assert ((t.n_pending [0] ? t.pending [0][0] : t.pending [1][0]).id == held_by_old);
    s_test_answer (&t, 0);
    s_test_answer (&t, 1);
    r = s_test_result (&t, id, 2000);
    assert (r >= 0 && t.result_status [r] == 200);
    assert (strstr (t.result_json [r], "\"totalCount\":7"));

    //  db 0 goes silent with a QUERY of the next request in hand (db 1
    //  answers its own): given up within the liveness time, its QUERY is
    //  sent to db 1, and the request completes well before its deadline.
    t.answer [0] = false;
    started = zclock_mono ();
    id = s_test_execute (&t, 2, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 1 && t.n_pending [1] == 1);
    s_test_answer (&t, 1);
    for (int i = 0; i < t.n_pending [0]; i++)
        zframe_destroy (&t.pending_routing [0][i]);
    t.n_pending [0] = 0;
    while (t.n_pending [1] == 0 && zclock_mono () - started < 2000)
        s_test_pump (&t, 5);
    int64_t noticed_ms = zclock_mono () - started;
    assert (t.n_pending [1] == 1 && noticed_ms < 1000);
    s_test_answer (&t, 1);
    r = s_test_result (&t, id, 2000);
    assert (r >= 0 && t.result_status [r] == 200);
    s_test_dbs (actor, &alive, &total);
    assert (alive == 1 && total == 2);
    //  The dead one's report is no longer forwarded.
    s_test_pump (&t, 120);
    assert (!t.beat_db [0] && t.beat_db [1] && t.beat_dbs_live == 1);
    uint64_t lost, resent;
    zstr_send (actor, "LOST");
    zsock_recv (actor, "8", &lost);
    zstr_send (actor, "RESENT");
    zsock_recv (actor, "8", &resent);
    assert (lost == 0 && resent == 2);

    //  New work goes to the live one only.
    id = s_test_execute (&t, 3, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 0 && t.n_pending [1] == 2);
    s_test_answer (&t, 1);
    r = s_test_result (&t, id, 2000);
    assert (r >= 0 && t.result_status [r] == 200);

    //  db 0 answers again: used again once a heartbeat got through.
    t.answer [0] = true;
    s_test_pump (&t, 200);
    s_test_dbs (actor, &alive, &total);
    assert (alive == 2);
    id = s_test_execute (&t, 4, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 1 && t.n_pending [1] == 1);
    s_test_answer (&t, 0);
    s_test_answer (&t, 1);
    r = s_test_result (&t, id, 2000);
    assert (r >= 0 && t.result_status [r] == 200);

    //  Credit: a fifth request beyond a credit of four is refused at once.
    for (uint64_t i = 10; i < 15; i++)
        s_test_execute (&t, i, 5000);
    r = s_test_result (&t, 14, 1000);
    assert (r >= 0 && t.result_status [r] == DP_STATUS_UNAVAILABLE);
    assert (strstr (t.result_json [r], "overloaded"));
    s_test_pump (&t, 50);
    s_test_answer (&t, 0);
    s_test_answer (&t, 1);
    for (uint64_t i = 10; i < 14; i++) {
        r = s_test_result (&t, i, 2000);
        assert (r >= 0 && t.result_status [r] == 200);
    }

    //  CANCEL from the gateway (its client went away): the request ends at
    //  once (499) and each QUERY it waited for is cancelled at the db-svc
    //  holding it; their late answers are dropped.
    id = s_test_execute (&t, 30, 5000);
    s_test_pump (&t, 50);
    assert (t.n_pending [0] == 1 && t.n_pending [1] == 1);
    uint64_t waited_for [2] = { t.pending [0][0].id, t.pending [1][0].id };
    dp_msg_t cancel = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = id,
                        .trace_id = "selftest" };
    s_test_send (t.gateway, t.resolver, &cancel);
    r = s_test_result (&t, id, 1000);
    assert (r >= 0 && t.result_status [r] == DP_STATUS_CANCELLED);
    s_test_pump (&t, 50);
    for (int d = 0; d < 2; d++)
        assert (t.n_cancelled [d] == 1 && t.cancelled [d][0] == waited_for [d]);
    s_test_answer (&t, 0);
    s_test_answer (&t, 1);
    s_test_pump (&t, 50);
    int answers = 0;
    for (int i = 0; i < t.n_results; i++)
        answers += t.result_id [i] == id;
    assert (answers == 1);
    zstr_send (actor, "CANCELLED");
    uint64_t cancelled;
    zsock_recv (actor, "8", &cancelled);
    assert (cancelled == 1);
    //  A CANCEL for a request already answered changes nothing.
    s_test_send (t.gateway, t.resolver, &cancel);
    s_test_pump (&t, 50);
    assert (t.n_cancelled [0] == 1 && t.n_cancelled [1] == 1);

    //  A request whose QUERYs are never answered: 504 at its deadline.
    started = zclock_mono ();
    id = s_test_execute (&t, 20, 150);
    r = s_test_result (&t, id, 2000);
    int64_t deadline_ms = zclock_mono () - started;
    assert (r >= 0 && t.result_status [r] == 504);
    assert (deadline_ms >= 140 && deadline_ms < 600);
    //  Three whose deadline passes at the same moment: each answered 504.
    int64_t together = zclock_time () + 150;
    for (uint64_t same = 21; same <= 23; same++)
        s_test_execute_until (&t, same, together);
    for (uint64_t same = 21; same <= 23; same++) {
        r = s_test_result (&t, same, 2000);
        assert (r >= 0 && t.result_status [r] == 504);
    }
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < t.n_pending [d]; i++)
            zframe_destroy (&t.pending_routing [d][i]);
        t.n_pending [d] = 0;
    }

    //  No db-svc answers at all: a request waits for one (db_wait_ms),
    //  then fails 503 saying so, well before its deadline.
    t.answer [0] = t.answer [1] = false;
    s_test_pump (&t, 400);                  //  both given up
    s_test_dbs (actor, &alive, &total);
    assert (alive == 0);
    started = zclock_mono ();
    id = s_test_execute (&t, 40, 5000);
    r = s_test_result (&t, id, 2000);
    int64_t waited_ms = zclock_mono () - started;
    assert (r >= 0 && t.result_status [r] == 503);
    assert (strstr (t.result_json [r], "no db-svc reachable"));
    assert (waited_ms >= 190 && waited_ms < 1000);
    zstr_send (actor, "LOST");
    zsock_recv (actor, "8", &lost);
    assert (lost == 2);                     //  its page and its count
    t.answer [0] = t.answer [1] = true;

    //  The gateway restarts: its HEARTBEAT carries a new instance id. The
    //  resolver says READY at once and abandons the request the old one
    //  sent: its QUERYs are cancelled at db-svc, and no answer goes out
    //  (a new gateway numbers requests anew), even when db-svc answers.
    t.gateway_id = 0x1111;
    s_test_pump (&t, 100);                  //  the first id: nothing to abandon
    s_test_gateway_forgets (&t, actor, 60, false);
    //  A DISCONNECT (the gateway does not know us) does the same.
    s_test_gateway_forgets (&t, actor, 61, true);

    //  A silent gateway: the resolver starts over with a new identity and
    //  says READY again.
    zframe_t *old = zframe_dup (t.resolver);
    uint64_t readies = t.readies;
    zframe_destroy (&t.resolver);           //  no more heartbeats from the gateway
    started = zclock_mono ();
    while (!t.resolver && zclock_mono () - started < 2000)
        s_test_pump (&t, 10);
    assert (t.resolver && t.readies == readies + 1);
    assert (!zframe_eq (old, t.resolver));
    zframe_destroy (&old);
    if (verbose)
        printf ("    silent db-svc noticed and its QUERY sent on in %lld ms; deadline answered"
                " after %lld ms; no db-svc: 503 after %lld ms\n", (long long) noticed_ms,
                (long long) deadline_ms, (long long) waited_ms);

    zactor_destroy (&actor);
    zframe_destroy (&t.resolver);
    zsock_destroy (&t.dbs [1]);
    zsock_destroy (&t.dbs [0]);
    zsock_destroy (&t.gateway);
    dp_arena_destroy (&t.arena);
    dp_schema_destroy (&schema);
    printf ("OK\n");
}
