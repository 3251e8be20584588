/*  =========================================================================
    dp_resolver_actor - executes many GraphQL requests at once, never waiting

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The resolver actor connects a DEALER to the gateway's backend ROUTER
    (announcing READY{credit}) and a DEALER to every db-svc. EXECUTEs from
    the gateway become dp_exec_t requests; their LOADs and QUERYs go to
    db-svc with fresh correlation ids; each ROWS reply is routed back to
    its request, which may then send its next wave. Many requests are in
    flight at once and their waves interleave: the actor never blocks on
    any one of them.
@discuss
    Liveness (proto/README.md): HEARTBEAT to the gateway every second; a
    DISCONNECT from a gateway that does not know us makes us say READY
    again. Requests past their deadline are answered 504 and forgotten;
    replies that arrive for them later are dropped by correlation id.
@end
*/
#include "dp_resolver_actor.h"
#include "dp_exec.h"
#include "dp_msg.h"
#include "dp_log.h"
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define HEARTBEAT_MS 1000

//  A small map from correlation id to request.
typedef struct {
    uint64_t id;
    dp_exec_t *exec;            //  NULL: free slot; TOMBSTONE: deleted
} slot_t;

#define TOMBSTONE ((dp_exec_t *) 1)

typedef struct {
    slot_t *slots;
    size_t cap, used;
} idmap_t;

typedef struct {
    zsock_t *pipe;
    zsock_t *gateway;           //  DEALER to the gateway's backend
    zsock_t **dbs;              //  DEALER to each db-svc
    size_t n_dbs;
    size_t next_db;             //  round robin
    zpoller_t *poller;
    dp_exec_env_t env;
    uint32_t credit;
    uint64_t next_id;           //  correlation ids of our LOADs and QUERYs
    idmap_t pending;            //  db correlation id → request
    zlistx_t *active;           //  requests in flight (dp_exec_t *)
    int64_t next_heartbeat;
    bool terminated;
    uint64_t executed;          //  requests answered
} self_t;

static uint64_t
s_mix (uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void s_idmap_put (idmap_t *map, uint64_t id, dp_exec_t *exec);

static void
s_idmap_grow (idmap_t *map)
{
    slot_t *old = map->slots;
    size_t old_cap = map->cap;
    map->cap = old_cap ? old_cap * 2 : 1024;
    map->slots = calloc (map->cap, sizeof (slot_t));
    if (!map->slots)
        dp_fatal ("out of memory");
    map->used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old [i].exec && old [i].exec != TOMBSTONE)
            s_idmap_put (map, old [i].id, old [i].exec);
    free (old);
}

static void
s_idmap_put (idmap_t *map, uint64_t id, dp_exec_t *exec)
{
    if ((map->used + 1) * 2 > map->cap)
        s_idmap_grow (map);
    size_t i = s_mix (id) & (map->cap - 1);
    while (map->slots [i].exec && map->slots [i].exec != TOMBSTONE)
        i = (i + 1) & (map->cap - 1);
    if (!map->slots [i].exec)
        map->used++;
    map->slots [i].id = id;
    map->slots [i].exec = exec;
}

//  Find and remove.
static dp_exec_t *
s_idmap_take (idmap_t *map, uint64_t id)
{
    if (!map->cap)
        return NULL;
    size_t i = s_mix (id) & (map->cap - 1);
    while (map->slots [i].exec) {
        if (map->slots [i].exec != TOMBSTONE && map->slots [i].id == id) {
            dp_exec_t *exec = map->slots [i].exec;
            map->slots [i].exec = TOMBSTONE;
            return exec;
        }
        i = (i + 1) & (map->cap - 1);
    }
    return NULL;
}

//  Forget every id of one request (it finished or was aborted).
static void
s_idmap_forget (idmap_t *map, dp_exec_t *exec)
{
    for (size_t i = 0; i < map->cap; i++)
        if (map->slots [i].exec == exec)
            map->slots [i].exec = TOMBSTONE;
}

static void
s_free_buffer (void *data, void *hint)
{
    free (data);
}

//  Send one encoded message as a single frame without copying it.
static int
s_send_buffer (zsock_t *sock, msgpack_sbuffer *buf)
{
    zmq_msg_t msg;
    if (zmq_msg_init_data (&msg, buf->data, buf->size, s_free_buffer, NULL)) {
        msgpack_sbuffer_destroy (buf);
        return -1;
    }
    buf->data = NULL;
    if (zmq_msg_send (&msg, zsock_resolve (sock), ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&msg);
        return -1;
    }
    return 0;
}

static int
s_send_msg (zsock_t *sock, const dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    if (dp_msg_encode (msg, &buf)) {
        msgpack_sbuffer_destroy (&buf);
        return -1;
    }
    return s_send_buffer (sock, &buf);
}

static void
s_send_control (self_t *self, dp_msg_type_t type)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = type, .trace_id = "" };
    msg.u.ready.credit = self->credit;
    s_send_msg (self->gateway, &msg);
}

//  The env's send callback: a LOAD or QUERY to the next db-svc.
static int
s_send_to_db (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    self_t *self = ctx;
    if (self->n_dbs == 0)
        return -1;
    msg->id = ++self->next_id;
    zsock_t *db = self->dbs [self->next_db++ % self->n_dbs];
    if (s_send_msg (db, msg))
        return -1;
    s_idmap_put (&self->pending, msg->id, exec);
    return 0;
}

//  Answer the gateway and forget the request.
static void
s_finish (self_t *self, dp_exec_t *exec)
{
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_RESULT,
                     .id = dp_exec_id (exec), .trace_id = dp_exec_trace_id (exec) };
    msg.u.result.http_status = dp_exec_http_status (exec);
    msg.u.result.json = json;
    msg.u.result.json_len = (uint32_t) len;
    if (s_send_msg (self->gateway, &msg))
        dp_warn ("request %s: could not send its result to the gateway", dp_exec_trace_id (exec));
    if (dp_exec_outstanding (exec))
        s_idmap_forget (&self->pending, exec);
    void *handle = zlistx_find (self->active, exec);
    if (handle)
        zlistx_delete (self->active, handle);
    dp_exec_destroy (&exec);
    self->executed++;
}

static self_t *
s_self_new (zsock_t *pipe, const dp_resolver_config_t *config)
{
    self_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->pipe = pipe;
    self->credit = config->credit ? config->credit : 64;
    self->env.schema = config->schema;
    self->env.max_page_size = config->max_page_size ? config->max_page_size : 100000;
    self->env.max_tokens = 50000;
    self->env.max_depth = 64;
    self->env.send = s_send_to_db;
    self->env.send_ctx = self;
    self->active = zlistx_new ();
    self->gateway = zsock_new (ZMQ_DEALER);
    zsock_set_sndhwm (self->gateway, 0);
    zsock_set_rcvhwm (self->gateway, 0);
    if (zsock_connect (self->gateway, "%s", config->gateway_endpoint)) {
        dp_error ("resolver: cannot connect to gateway %s", config->gateway_endpoint);
        goto fail;
    }
    self->poller = zpoller_new (pipe, self->gateway, NULL);
    self->dbs = calloc (config->n_db_endpoints + 1, sizeof (zsock_t *));
    for (size_t i = 0; i < config->n_db_endpoints; i++) {
        zsock_t *db = zsock_new (ZMQ_DEALER);
        zsock_set_sndhwm (db, 0);
        zsock_set_rcvhwm (db, 0);
        if (zsock_connect (db, "%s", config->db_endpoints [i])) {
            dp_error ("resolver: cannot connect to db-svc %s", config->db_endpoints [i]);
            zsock_destroy (&db);
            goto fail;
        }
        self->dbs [self->n_dbs++] = db;
        zpoller_add (self->poller, db);
    }
    return self;
fail:
    for (size_t i = 0; i < self->n_dbs; i++)
        zsock_destroy (&self->dbs [i]);
    free (self->dbs);
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->gateway);
    zlistx_destroy (&self->active);
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
    s_send_control (self, DP_MSG_DISCONNECT);
    zlistx_destroy (&self->active);
    free (self->pending.slots);
    zpoller_destroy (&self->poller);
    for (size_t i = 0; i < self->n_dbs; i++)
        zsock_destroy (&self->dbs [i]);
    free (self->dbs);
    zsock_destroy (&self->gateway);
    free (self);
    *self_p = NULL;
}

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
        zsock_send (self->pipe, "88", self->executed, (uint64_t) zlistx_size (self->active));
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
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return NULL;
    zframe_t *frame = zmsg_last (msg);
    zframe_t *payload = frame ? zframe_dup (frame) : NULL;
    zmsg_destroy (&msg);
    return payload;
}

static void
s_handle_gateway (self_t *self)
{
    zframe_t *frame = s_recv_payload (self->gateway);
    if (!frame)
        return;
    dp_msg_t head;
    char err [200];
    if (dp_msg_peek (zframe_data (frame), zframe_size (frame), &head, err, sizeof err)) {
        dp_warn ("resolver: malformed message from gateway: %s", err);
        zframe_destroy (&frame);
        return;
    }
    if (head.type == DP_MSG_DISCONNECT) {
        //  The gateway does not know us (it restarted): register again.
        s_send_control (self, DP_MSG_READY);
    }
    else
    if (head.type == DP_MSG_EXECUTE) {
        dp_exec_t *exec = dp_exec_new (&self->env);
        dp_msg_t msg;
        if (dp_msg_decode (zframe_data (frame), zframe_size (frame), dp_exec_arena (exec), &msg,
                           err, sizeof err)) {
            dp_warn ("resolver: malformed EXECUTE %llu: %s", (unsigned long long) head.id, err);
            dp_msg_t reply = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = head.id,
                               .trace_id = "" };
            reply.u.error.status = DP_STATUS_BAD_REQUEST;
            reply.u.error.message = err;
            s_send_msg (self->gateway, &reply);
            dp_exec_destroy (&exec);
        }
        else {
            zlistx_add_end (self->active, exec);
            dp_exec_start (exec, &msg);
            if (dp_exec_done (exec))
                s_finish (self, exec);
        }
    }
    zframe_destroy (&frame);
}

static void
s_handle_db (self_t *self, zsock_t *db)
{
    zframe_t *frame = s_recv_payload (db);
    if (!frame)
        return;
    dp_msg_t head;
    char err [200];
    if (dp_msg_peek (zframe_data (frame), zframe_size (frame), &head, err, sizeof err)) {
        dp_warn ("resolver: malformed message from db-svc: %s", err);
        zframe_destroy (&frame);
        return;
    }
    if (head.type != DP_MSG_ROWS && head.type != DP_MSG_ERROR) {
        zframe_destroy (&frame);
        return;                 //  heartbeats
    }
    dp_exec_t *exec = s_idmap_take (&self->pending, head.id);
    if (!exec) {
        zframe_destroy (&frame);
        return;                 //  late reply of a finished request
    }
    dp_msg_t msg;
    if (dp_msg_decode (zframe_data (frame), zframe_size (frame), dp_exec_arena (exec), &msg,
                       err, sizeof err)) {
        dp_warn ("resolver: malformed reply from db-svc: %s", err);
        msg = head;
        msg.type = DP_MSG_ERROR;
        msg.u.error.status = DP_STATUS_INTERNAL;
        msg.u.error.message = err;
    }
    zframe_destroy (&frame);
    dp_exec_on_reply (exec, &msg);
    if (dp_exec_done (exec))
        s_finish (self, exec);
}

static void
s_check_deadlines (self_t *self)
{
    uint64_t now = (uint64_t) zclock_time ();
    dp_exec_t *exec = zlistx_first (self->active);
    while (exec) {
        dp_exec_t *next = zlistx_next (self->active);
        if (dp_exec_deadline (exec) && dp_exec_deadline (exec) <= now) {
            dp_exec_abort (exec, 504, "The request took longer than its deadline.");
            s_finish (self, exec);
        }
        exec = next;
    }
}

void
dp_resolver_actor (zsock_t *pipe, void *args)
{
    self_t *self = s_self_new (pipe, (const dp_resolver_config_t *) args);
    if (!self) {
        zsock_signal (pipe, 1);
        return;
    }
    zsock_signal (pipe, 0);
    s_send_control (self, DP_MSG_READY);
    self->next_heartbeat = zclock_mono () + HEARTBEAT_MS;
    while (!self->terminated) {
        int64_t wait = self->next_heartbeat - zclock_mono ();
        zsock_t *which = zpoller_wait (self->poller, wait > 0 ? (int) (wait < 100 ? wait : 100) : 0);
        if (which == self->pipe)
            s_handle_pipe (self);
        else
        if (which == self->gateway)
            s_handle_gateway (self);
        else
        if (which)
            s_handle_db (self, which);
        else
        if (zpoller_terminated (self->poller))
            break;
        if (zclock_mono () >= self->next_heartbeat) {
            s_send_control (self, DP_MSG_HEARTBEAT);
            self->next_heartbeat = zclock_mono () + HEARTBEAT_MS;
            s_check_deadlines (self);
        }
    }
    s_self_destroy (&self);
}
