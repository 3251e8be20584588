/*  =========================================================================
    dp_send - one protocol message out on a socket, as one frame

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by the resolver actor's and dp_db_links's selftests, whose fake
    peers decode every message sent here.
@end
*/
#include "dp_send.h"
#include <stdlib.h>

static void
s_free_buffer (void *data, void *hint)
{
    (void) hint;
    free (data);
}

int
dp_send_msg (zsock_t *sock, const dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    if (dp_msg_encode (msg, &buf)) {
        msgpack_sbuffer_destroy (&buf);
        return -1;
    }
    //  The frame takes the buffer: libzmq frees it once sent.
    zmq_msg_t out;
    size_t size = buf.size;
    char *data = msgpack_sbuffer_release (&buf);
    if (zmq_msg_init_data (&out, data, size, s_free_buffer, NULL)) {
        free (data);
        return -1;
    }
    if (zmq_msg_send (&out, zsock_resolve (sock), ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&out);
        return -1;
    }
    return 0;
}

zframe_t *
dp_send_encode (const dp_msg_t *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    zframe_t *frame = NULL;
    if (dp_msg_encode (msg, &buf) == 0)
        frame = zframe_new (buf.data, buf.size);
    msgpack_sbuffer_destroy (&buf);
    return frame;
}
