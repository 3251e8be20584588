/*  =========================================================================
    dp_worker - one civetweb worker thread's own state, and its broker exchange

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_worker.h.
@end
*/
#include "dp_worker.h"
#include "dp_client_watch.h"
#include "dp_log.h"
#include "dp_poll.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <civetweb.h>

#define S_BODY_KEEP   (64 * 1024)   //  body buffer kept between requests
#define S_WATCH_AFTER 20            //  ms a request waits before its client is watched
#define S_WATCH_EVERY 200           //  ms between checks of a client that sent more bytes

dp_worker_t *
dp_worker_new (const char *frontend_endpoint)
{
    assert (frontend_endpoint);
    dp_worker_t *self = (dp_worker_t *) zmalloc (sizeof (dp_worker_t));
    assert (self);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer
    ||  zsock_connect (self->dealer, "%s", frontend_endpoint) == -1)
        dp_error ("gateway: worker cannot connect to the broker at %s", frontend_endpoint);
    else {
        zsock_set_linger (self->dealer, 0);
        zsock_set_sndtimeo (self->dealer, 0);
    }
    self->arena = dp_arena_new (0);
    msgpack_sbuffer_init (&self->sbuf);
    self->client_fd = -1;
    return self;
}

void
dp_worker_destroy (dp_worker_t **self_p)
{
    assert (self_p);
    dp_worker_t *self = *self_p;
    if (self) {
        zsock_destroy (&self->dealer);
        dp_arena_destroy (&self->arena);
        msgpack_sbuffer_destroy (&self->sbuf);
        free (self->body);
        free (self);
        *self_p = NULL;
    }
}

int
dp_worker_client_fd (dp_worker_t *self, struct mg_connection *conn)
{
    assert (self);
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (!info || info->is_ssl)
        return -1;
    self->client_fd = dp_client_watch_find (info->remote_addr, info->remote_port,
                                            info->server_port, self->client_fd);
    return self->client_fd;
}

dp_exchange_t
dp_worker_exchange (dp_worker_t *self, struct mg_connection *conn, dp_msg_t *msg,
                    int64_t deadline, dp_arena_t *arena, zmq_msg_t *reply, dp_msg_t *answer)
{
    assert (self);
    assert (msg);
    msgpack_sbuffer_clear (&self->sbuf);
    if (dp_msg_encode (msg, &self->sbuf)) {
        dp_error ("gateway: cannot encode EXECUTE %s", msg->trace_id);
        return DP_EXCHANGE_MALFORMED;
    }
    void *dealer = zsock_resolve (self->dealer);
    if (zmq_send (dealer, self->sbuf.data, self->sbuf.size, ZMQ_DONTWAIT) == -1) {
        dp_warn ("gateway: broker not reachable: %s", zmq_strerror (zmq_errno ()));
        return DP_EXCHANGE_UNREACHABLE;
    }
    //  Most answers come at once; the client's socket is looked for only
    //  when one does not. Until the client sends more bytes (a pipelined
    //  request) its socket's readability wakes us; after that it is
    //  checked every S_WATCH_EVERY ms.
    zmq_pollitem_t items [2] = { { dealer, 0, ZMQ_POLLIN, 0 }, { NULL, -1, ZMQ_POLLIN, 0 } };
    int n_items = 1;
    int64_t watch_at = conn ? zclock_mono () + S_WATCH_AFTER : INT64_MAX;
    int client = -1;
    while (true) {
        int64_t left = deadline - zclock_time ();
        if (left <= 0)
            return DP_EXCHANGE_TIMEOUT;
        int64_t now = zclock_mono ();
        if (now >= watch_at) {
            if (client < 0) {
                client = dp_worker_client_fd (self, conn);
                if (client < 0)
                    watch_at = INT64_MAX;
                else {
                    items [1].fd = client;
                    n_items = 2;
                }
            }
            if (client >= 0) {
                dp_client_state_t state = dp_client_watch_check (client);
                if (state == DP_CLIENT_GONE)
                    return DP_EXCHANGE_CLIENT_GONE;
                if (state == DP_CLIENT_SENDING) {
                    n_items = 1;
                    watch_at = now + S_WATCH_EVERY;
                }
                else
                    watch_at = n_items == 2 ? INT64_MAX : now + S_WATCH_EVERY;
            }
        }
        long wait = watch_at - now < left ? (long) (watch_at - now) : (long) left;
        int rc = dp_poll (items, n_items, wait < 0 ? 0 : wait);
        if (rc <= 0)
            continue;               //  timeout or EINTR: the loop rechecks the time
        if (n_items == 2 && items [1].revents)
            watch_at = now;         //  the client's socket stirred: check it first
        if (!(items [0].revents & ZMQ_POLLIN))
            continue;
        zmq_msg_init (reply);
        if (zmq_msg_recv (reply, dealer, ZMQ_DONTWAIT) == -1) {
            zmq_msg_close (reply);
            continue;
        }
        char err [128];
        const void *data = zmq_msg_data (reply);
        size_t size = zmq_msg_size (reply);
        if (dp_msg_peek (data, size, answer, err, sizeof err) || answer->id != msg->id) {
            //  A late answer to a request this thread gave up on.
            zmq_msg_close (reply);
            continue;
        }
        if (dp_msg_decode (data, size, arena, answer, err, sizeof err)) {
            dp_error ("gateway: malformed reply for %s: %s", msg->trace_id, err);
            zmq_msg_close (reply);
            return DP_EXCHANGE_MALFORMED;
        }
        return DP_EXCHANGE_OK;
    }
}

void
dp_worker_cancel (dp_worker_t *self, uint64_t id, const char *trace_id)
{
    assert (self);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_CANCEL, .id = id,
                     .trace_id = trace_id };
    msgpack_sbuffer_clear (&self->sbuf);
    if (dp_msg_encode (&msg, &self->sbuf) == 0
    &&  zmq_send (zsock_resolve (self->dealer), self->sbuf.data, self->sbuf.size,
                  ZMQ_DONTWAIT) == -1)
        dp_warn ("gateway: cannot send CANCEL %s: %s", trace_id, zmq_strerror (zmq_errno ()));
}


int
dp_worker_read_body (dp_worker_t *self, struct mg_connection *conn, size_t max_body,
                     size_t *len_p)
{
    assert (self);
    const struct mg_request_info *info = mg_get_request_info (conn);
    if (info->content_length > (long long) max_body)
        return 1;
    size_t want = info->content_length >= 0 ? (size_t) info->content_length + 1 : 16384;
    if (want > max_body + 1)
        want = max_body + 1;
    if (self->body_cap < want) {
        free (self->body);
        self->body = (char *) malloc (want);
        if (!self->body)
            dp_fatal ("gateway: out of memory");
        self->body_cap = want;
    }
    size_t len = 0;
    while (true) {
        if (len == self->body_cap) {
            //  Grow up to max_body + 1: one byte more than allowed tells
            //  us the body is too large.
            size_t cap = self->body_cap * 2;
            if (cap > max_body + 1)
                cap = max_body + 1;
            if (cap <= len)
                return 1;
            char *grown = (char *) realloc (self->body, cap);
            if (!grown)
                dp_fatal ("gateway: out of memory");
            self->body = grown;
            self->body_cap = cap;
        }
        int n = mg_read (conn, self->body + len, self->body_cap - len);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > max_body)
            return 1;
    }
    *len_p = len;
    return 0;
}


void
dp_worker_trim (dp_worker_t *self)
{
    assert (self);
    if (self->body_cap > S_BODY_KEEP) {
        free (self->body);
        self->body = NULL;
        self->body_cap = 0;
    }
}
