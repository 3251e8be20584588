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
#include <assert.h>
#include <stdlib.h>
#include <string.h>

//  Frees the frame's allocation: hint when given (the frame's bytes start
//  inside it), else the bytes themselves.
static void
s_free_buffer (void *data, void *hint)
{
    free (hint ? hint : data);
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

int
dp_send_result (zsock_t *sock, const dp_msg_t *msg, dp_json_writer_t *json)
{
    assert (msg->type == DP_MSG_RESULT && msg->u.result.json == json->data);
    //  The tail's room: statements and a gtid.
    dp_json_writer_reserve (json, 16 + (msg->u.result.gtid ? strlen (msg->u.result.gtid) : 0));
    size_t size;
    char *start = dp_msg_encode_result_in_place (msg, json->data, json->headroom,
                                                 json->cap - json->len, &size);
    if (!start)
        return dp_send_msg (sock, msg);
    void *block = dp_json_writer_steal_block (json);
    zmq_msg_t out;
    if (zmq_msg_init_data (&out, start, size, s_free_buffer, block)) {
        free (block);
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
