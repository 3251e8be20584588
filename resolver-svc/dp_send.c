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
#include "dp_arena.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Frees the frame's allocation: hint when given (the frame's bytes start
//  inside it), else the bytes themselves.
static void
s_free_buffer (void *data, void *hint)
{
    free (hint ? hint : data);
}

//  Send size bytes at data as one frame that takes their allocation (block
//  when given, else data): libzmq frees it once sent, and so does a failure.
static int
s_send_owned (zsock_t *sock, char *data, size_t size, void *block)
{
    zmq_msg_t out;
    if (zmq_msg_init_data (&out, data, size, s_free_buffer, block)) {
        free (block ? block : data);
        return -1;
    }
    if (zmq_msg_send (&out, zsock_resolve (sock), ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&out);
        return -1;
    }
    return 0;
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
    size_t size = buf.size;
    char *data = msgpack_sbuffer_release (&buf);
    return s_send_owned (sock, data, size, NULL);
}

int
dp_send_result (zsock_t *sock, const dp_msg_t *msg, dp_json_writer_t *json)
{
    assert (msg->type == DP_MSG_RESULT && msg->u.result.json == json->data);
    //  The tail's room: statements and a gtid. Making it may move the JSON,
    //  so the message is sent with the writer's pointer as it is after.
    dp_json_writer_reserve (json, 16 + (msg->u.result.gtid ? strlen (msg->u.result.gtid) : 0));
    dp_msg_t moved = *msg;
    moved.u.result.json = json->data;
    size_t size;
    char *start = dp_msg_encode_result_in_place (&moved, json->data, json->headroom,
                                                 json->cap - json->len, &size);
    if (!start)
        return dp_send_msg (sock, &moved);
    return s_send_owned (sock, start, size, dp_json_writer_steal_block (json));
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


//  --------------------------------------------------------------------------
//  Selftest

//  Send a RESULT over json through a PAIR and check what arrives decodes
//  to the same answer.
static void
s_check_result_arrives (zsock_t *out, zsock_t *in, dp_json_writer_t *json, const char *gtid,
                        const char *trace_id)
{
    char expected [64 * 1024];
    assert (json->len < sizeof expected);
    memcpy (expected, json->data, json->len);
    size_t expected_len = json->len;
    dp_msg_t msg = { .type = DP_MSG_RESULT, .id = 7, .trace_id = trace_id };
    msg.u.result.http_status = 200;
    msg.u.result.json = json->data;
    msg.u.result.json_len = (uint32_t) json->len;
    msg.u.result.statements = 3;
    msg.u.result.gtid = gtid;
    assert (dp_send_result (out, &msg, json) == 0);
    zframe_t *frame = zframe_recv (in);
    assert (frame);
    dp_arena_t *arena = dp_arena_new (4096);
    dp_msg_t got;
    char err [256];
    assert (dp_msg_decode (zframe_data (frame), zframe_size (frame), arena, &got, err, sizeof err) == 0);
    assert (got.type == DP_MSG_RESULT && got.id == 7 && got.u.result.statements == 3);
    assert (got.u.result.json_len == expected_len);
    assert (memcmp (got.u.result.json, expected, expected_len) == 0);
    assert (strcmp (got.u.result.gtid, gtid) == 0);
    dp_arena_destroy (&arena);
    zframe_destroy (&frame);
}

void
dp_send_test (bool verbose)
{
    printf (" * dp_send: ");
    zsock_t *in = zsock_new_pair ("@inproc://dp_send_test");
    zsock_t *out = zsock_new_pair (">inproc://dp_send_test");
    assert (in && out);

    //  A JSON that fills its buffer to the last byte: making the tail's room
    //  moves it, and what is sent is the moved JSON (it once was the freed one).
    dp_json_writer_t json;
    dp_json_writer_init_headroom (&json, 4096, DP_MSG_RESULT_HEADROOM);
    while (json.len < json.cap)
        dp_json_writer_raw (&json, "x", 1);
    s_check_result_arrives (out, in, &json, "0-1-42", "");
    dp_json_writer_release (&json);

    //  A trace id too long for the headroom: encoded the copying way,
    //  after the buffer moved too.
    char long_trace [DP_MSG_RESULT_HEADROOM + 64];
    memset (long_trace, 't', sizeof long_trace - 1);
    long_trace [sizeof long_trace - 1] = 0;
    dp_json_writer_init_headroom (&json, 4096, DP_MSG_RESULT_HEADROOM);
    while (json.len < json.cap)
        dp_json_writer_raw (&json, "y", 1);
    s_check_result_arrives (out, in, &json, "0-1-43", long_trace);
    dp_json_writer_release (&json);

    //  An answer with room to spare.
    dp_json_writer_init_headroom (&json, 4096, DP_MSG_RESULT_HEADROOM);
    dp_json_writer_raw (&json, "{\"data\":null}", 13);
    s_check_result_arrives (out, in, &json, "0-1-44", "trace");
    dp_json_writer_release (&json);

    zsock_destroy (&out);
    zsock_destroy (&in);
    if (verbose)
        printf ("(the moved JSON, the copying way, room to spare) ");
    printf ("OK\n");
}
