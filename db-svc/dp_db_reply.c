/*  =========================================================================
    dp_db_reply - the DB actor's outbox: replies on its ROUTER, counted

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_reply.h. Encoded buffers go out without a copy: the message
    frees them when libzmq is done.
@end
*/
#include "dp_db_reply.h"
#include "dp_log.h"
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dp_db_reply_init (dp_db_reply_t *self, void *router, bool verbose)
{
    assert (self);
    memset (self, 0, sizeof *self);
    self->router = router;
    self->verbose = verbose;
}

static void
s_free_buffer (void *data, void *hint)
{
    free (data);
}

void
dp_db_reply_destroy (dp_db_reply_t *self)
{
    assert (self);
    dp_db_reply_flush (self);
    free (self->held);
    self->held = NULL;
    self->cap_held = 0;
}

void
dp_db_reply_cork (dp_db_reply_t *self)
{
    assert (self);
    self->corked = true;
}

//  [routing, data] out now; takes data.
static void
s_send_now (dp_db_reply_t *self, const void *routing, size_t routing_size, char *data, size_t size)
{
    if (zmq_send (self->router, routing, routing_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1) {
        dp_warn ("db: reply dropped: %s", zmq_strerror (errno));
        free (data);
        return;
    }
    zmq_msg_t msg;
    if (zmq_msg_init_data (&msg, data, size, s_free_buffer, NULL) == -1)
        dp_fatal ("db: zmq_msg_init_data failed");
    if (zmq_msg_send (&msg, self->router, ZMQ_DONTWAIT) == -1) {
        dp_warn ("db: reply dropped: %s", zmq_strerror (errno));
        zmq_msg_close (&msg);
    }
}

void
dp_db_reply_flush (dp_db_reply_t *self)
{
    assert (self);
    for (size_t i = 0; i < self->n_held; i++) {
        dp_db_reply_held_t *held = &self->held [i];
        s_send_now (self, held->routing, held->routing_size, held->data, held->size);
    }
    self->n_held = 0;
}

void
dp_db_reply_send (dp_db_reply_t *self, zframe_t *routing, msgpack_sbuffer *buffer)
{
    size_t size = buffer->size;
    char *data = msgpack_sbuffer_release (buffer);
    size_t routing_size = zframe_size (routing);
    if (!self->corked || routing_size > sizeof self->held [0].routing) {
        dp_db_reply_flush (self);       //  the held ones first: replies keep their order
        s_send_now (self, zframe_data (routing), routing_size, data, size);
        return;
    }
    if (self->n_held == self->cap_held) {
        size_t cap = self->cap_held ? self->cap_held * 2 : 64;
        dp_db_reply_held_t *held = realloc (self->held, cap * sizeof *held);
        if (!held)
            dp_fatal ("out of memory");
        self->held = held;
        self->cap_held = cap;
    }
    dp_db_reply_held_t *held = &self->held [self->n_held++];
    memcpy (held->routing, zframe_data (routing), routing_size);
    held->routing_size = routing_size;
    held->data = data;
    held->size = size;
}

void
dp_db_reply_msg (dp_db_reply_t *self, zframe_t *routing, dp_msg_t *reply)
{
    msgpack_sbuffer buffer;
    msgpack_sbuffer_init (&buffer);
    if (dp_msg_encode (reply, &buffer))
        dp_fatal ("db: cannot encode a %s reply", dp_msg_type_name (reply->type));
    dp_db_reply_send (self, routing, &buffer);
}

void
dp_db_reply_error (dp_db_reply_t *self, zframe_t *routing, uint64_t id, const char *trace_id,
                   uint32_t status, const char *fmt, ...)
{
    char message [1024];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    dp_msg_t reply;
    memset (&reply, 0, sizeof reply);
    reply.version = DP_PROTO_VERSION;
    reply.type = DP_MSG_ERROR;
    reply.id = id;
    reply.trace_id = trace_id? trace_id: "";
    reply.u.error.status = status;
    reply.u.error.message = message;
    //  Faults of the service or of MariaDB are logged; the request's own
    //  faults and "database unavailable" (logged once when it goes down)
    //  only in verbose mode.
    if (status == DP_STATUS_INTERNAL || status == DP_STATUS_DB_ERROR)
        dp_warn ("db: request %llu [%s]: %u %s", (unsigned long long) id, reply.trace_id,
                 status, message);
    else
    if (self->verbose)
        dp_info ("db: request %llu [%s]: %u %s", (unsigned long long) id, reply.trace_id,
                 status, message);
    dp_db_reply_msg (self, routing, &reply);
    self->answered++;
    self->errors++;
}
