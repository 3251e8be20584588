/*  =========================================================================
    fuzz_msg - libFuzzer target: the wire decoder every service runs

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The input is one ZeroMQ frame as any peer (or anyone who reaches a
    service's port) could send it. dp_msg_peek and dp_msg_decode read it.
@discuss
    Properties checked besides "no crash, no leak, no sanitizer report":
    peek and decode agree on whether the envelope is good and on its
    fields; a refusal returns -2 with a message; a decoded message encodes
    again, that encoding decodes, and encoding it once more gives the same
    bytes (the codec is a fixed point after one round).
@end
*/
#include "dp_arena.h"
#include "dp_msg.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_check (bool condition, const char *what)
{
    if (!condition) {
        fprintf (stderr, "fuzz_msg: property failed: %s\n", what);
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [256] = "";
    dp_msg_t peeked;
    int peek_rc = dp_msg_peek (data, size, &peeked, err, sizeof err);
    s_check (peek_rc == 0 || (peek_rc == -2 && err [0]), "peek returns 0, or -2 with a message");

    dp_arena_t *arena = dp_arena_new (0);
    dp_msg_t msg;
    err [0] = 0;
    int rc = dp_msg_decode (data, size, arena, &msg, err, sizeof err);
    s_check (rc == 0 || (rc == -2 && err [0]), "decode returns 0, or -2 with a message");
    if (rc == 0) {
        s_check (peek_rc == 0, "what decodes, peeks");
        s_check (peeked.type == msg.type && peeked.id == msg.id
                 && peeked.deadline_ms == msg.deadline_ms, "peek and decode agree");
        msgpack_sbuffer first, second;
        msgpack_sbuffer_init (&first);
        msgpack_sbuffer_init (&second);
        s_check (dp_msg_encode (&msg, &first) == 0, "a decoded message encodes");
        dp_msg_t again;
        rc = dp_msg_decode (first.data, first.size, arena, &again, err, sizeof err);
        if (rc)
            fprintf (stderr, "fuzz_msg: re-decode failed: %s\n", err);
        s_check (rc == 0, "an encoded message decodes");
        s_check (dp_msg_encode (&again, &second) == 0, "a re-decoded message encodes");
        s_check (first.size == second.size && memcmp (first.data, second.data, first.size) == 0,
                 "encode (decode (encode (m))) == encode (m)");
        msgpack_sbuffer_destroy (&first);
        msgpack_sbuffer_destroy (&second);
    }
    dp_arena_destroy (&arena);
    return 0;
}
