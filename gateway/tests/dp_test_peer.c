/*  =========================================================================
    dp_test_peer - a fake resolver on the gateway's backend, for selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Built into the gateway's selftest binary only. See dp_test_peer.h.
@end
*/
#include "dp_test_peer.h"
#include "dp_msg.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

typedef struct {
    zsock_t *pipe;
    zsock_t *dealer;
    int executes;                   //  EXECUTEs received
    int cancels;                    //  CANCELs received for requests it held
    zlistx_t *pending;              //  s_pending_t, answers due later
    bool dead;
} s_peer_t;

typedef struct {
    int64_t due;                    //  zclock_mono
    uint64_t id;
    char *json;
} s_pending_t;

static void
s_peer_send (s_peer_t *peer, dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_msg_encode (msg, &buf);
    assert (rc == 0);
    //  Never block: once the gateway under test is gone the DEALER has no peer,
    //  and a blocking send would keep the peer from ever reading its $TERM.
    zmq_send (zsock_resolve (peer->dealer), buf.data, buf.size, ZMQ_DONTWAIT);
    msgpack_sbuffer_destroy (&buf);
}

static void
s_peer_simple (s_peer_t *peer, dp_msg_type_t type, uint32_t credit)
{
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = type, .trace_id = "" };
    msg.u.ready.credit = credit;
    s_peer_send (peer, &msg);
}

static void
s_peer_execute (s_peer_t *peer, dp_msg_t *execute)
{
    peer->executes++;
    const char *query = execute->u.execute.query;
    if (strstr (query, "die")) {
        zsock_destroy (&peer->dealer);
        peer->dead = true;
        return;
    }
    const dp_identity_t *identity = &execute->u.execute.identity;
    json_t *echo = json_pack ("{s:{s:I,s:I,s:b,s:i,s:i,s:s,s:s?,s:s?}}", "data",
                              "user", (json_int_t) identity->user_id,
                              "organisation", (json_int_t) identity->organisation_id,
                              "god", identity->god,
                              "permissions", (int) identity->n_permissions,
                              "queryLength", (int) execute->u.execute.query_len,
                              "trace", execute->trace_id,
                              "operation", execute->u.execute.operation_name,
                              "variables", execute->u.execute.variables_json);
    assert (echo);
    s_pending_t *pending = (s_pending_t *) zmalloc (sizeof (s_pending_t));
    pending->id = execute->id;
    pending->json = json_dumps (echo, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref (echo);
    const char *sleep = strstr (query, "sleep(ms: ");
    pending->due = zclock_mono () + (sleep ? atoi (sleep + 10) : 0);
    zlistx_add_end (peer->pending, pending);
}

static void
s_peer_cancel (s_peer_t *peer, uint64_t id)
{
    for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer->pending); pending;
         pending = (s_pending_t *) zlistx_next (peer->pending))
        if (pending->id == id) {
            dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_ERROR, .id = id,
                             .trace_id = "" };
            msg.u.error.status = DP_STATUS_CANCELLED;
            msg.u.error.message = "cancelled";
            s_peer_send (peer, &msg);
            zlistx_delete (peer->pending, zlistx_cursor (peer->pending));
            free (pending->json);
            free (pending);
            peer->cancels++;
            return;
        }
}

static void
s_peer_flush (s_peer_t *peer)
{
    int64_t now = zclock_mono ();
    bool again = true;
    while (again) {
        again = false;
        for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer->pending); pending;
             pending = (s_pending_t *) zlistx_next (peer->pending)) {
            if (pending->due > now)
                continue;
            if (!peer->dead) {
                dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_RESULT,
                                 .id = pending->id, .trace_id = "" };
                msg.u.result.http_status = 200;
                msg.u.result.json = pending->json;
                msg.u.result.json_len = (uint32_t) strlen (pending->json);
                s_peer_send (peer, &msg);
            }
            zlistx_delete (peer->pending, zlistx_cursor (peer->pending));
            free (pending->json);
            free (pending);
            again = true;
            break;
        }
    }
}

void
dp_test_peer_actor (zsock_t *pipe, void *args)
{
    s_peer_t peer = { .pipe = pipe };
    peer.dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (peer.dealer, 0);
    int rc = zsock_connect (peer.dealer, "%s", (const char *) args);
    assert (rc == 0);
    peer.pending = zlistx_new ();
    s_peer_simple (&peer, DP_MSG_READY, 2);
    zsock_signal (pipe, 0);

    dp_arena_t *arena = dp_arena_new (0);
    int64_t heartbeat_at = zclock_mono () + 100;
    bool terminated = false;
    while (!terminated) {
        zmq_pollitem_t items [2] = {
            { zsock_resolve (pipe), 0, ZMQ_POLLIN, 0 },
            { peer.dead ? NULL : zsock_resolve (peer.dealer), 0, ZMQ_POLLIN, 0 }
        };
        zmq_poll (items, peer.dead ? 1 : 2, 10);
        if (items [0].revents & ZMQ_POLLIN) {
            char *command = zstr_recv (pipe);
            if (command && streq (command, "$TERM"))
                terminated = true;
            else
            if (command && streq (command, "COUNT"))
                zsock_send (pipe, "i", peer.executes);
            else
            if (command && streq (command, "CANCELS"))
                zsock_send (pipe, "i", peer.cancels);
            zstr_free (&command);
        }
        if (!peer.dead && (items [1].revents & ZMQ_POLLIN)) {
            zframe_t *frame = zframe_recv (peer.dealer);
            dp_msg_t msg;
            char err [128];
            dp_arena_reset (arena);
            if (frame && dp_msg_decode (zframe_data (frame), zframe_size (frame), arena,
                                        &msg, err, sizeof err) == 0
            &&  msg.type == DP_MSG_EXECUTE)
                s_peer_execute (&peer, &msg);
            else
            if (frame && msg.type == DP_MSG_CANCEL)
                s_peer_cancel (&peer, msg.id);
            zframe_destroy (&frame);
        }
        if (!peer.dead && zclock_mono () >= heartbeat_at) {
            s_peer_simple (&peer, DP_MSG_HEARTBEAT, 0);
            heartbeat_at = zclock_mono () + 100;
        }
        s_peer_flush (&peer);
    }
    for (s_pending_t *pending = (s_pending_t *) zlistx_first (peer.pending); pending;
         pending = (s_pending_t *) zlistx_next (peer.pending)) {
        free (pending->json);
        free (pending);
    }
    zlistx_destroy (&peer.pending);
    dp_arena_destroy (&arena);
    zsock_destroy (&peer.dealer);
}

int
dp_test_peer_count (zactor_t *peer)
{
    int count = -1;
    zstr_send (peer, "COUNT");
    zsock_recv (peer, "i", &count);
    return count;
}

int
dp_test_peer_cancels (zactor_t *peer)
{
    int count = -1;
    zstr_send (peer, "CANCELS");
    zsock_recv (peer, "i", &count);
    return count;
}

