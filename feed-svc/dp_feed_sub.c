/*  =========================================================================
    depot-feed-sub - print the change feed's messages as JSON lines

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    depot-feed-sub ENDPOINT [ENDPOINT ...]
    Subscribes to everything the feed publishes and writes one JSON object
    per message to stdout, flushed, until SIGINT or SIGTERM:
      {"type":"change","seq":7,"gtid":"0-1-42","table":"stock","op":"update",
       "key":[12],"columns":["items"],"base":null}
      {"type":"resync","seq":1,"gtid":"0-1-40","reason":"..."}
      {"type":"status","seq":7,"gtid":"0-1-42","mode":"binlog","lag_ms":0,"behind":0}
    A message it cannot read is written as {"type":"error","message":"..."}.
    The integration tests read the feed through it (no Python ZeroMQ binding
    is installed), and an operator can watch a feed with it.
@end
*/
#include "dp_change.h"
#include "dp_json_writer.h"
#include <czmq.h>

//  Literal JSON (punctuation and names), written as it is.
static void
s_raw (dp_json_writer_t *out, const char *text)
{
    dp_json_writer_raw (out, text, strlen (text));
}

static void
s_write (const dp_change_t *c, dp_json_writer_t *out)
{
    static const char *types [] = { "change", "resync", "status" };
    s_raw (out, "{\"type\":");
    dp_json_writer_string (out, types [c->type - DP_CHANGE_CHANGE], strlen (types [c->type - DP_CHANGE_CHANGE]));
    s_raw (out, ",\"seq\":");
    dp_json_writer_int (out, (int64_t) c->seq);
    s_raw (out, ",\"gtid\":");
    dp_json_writer_string (out, c->gtid, strlen (c->gtid));
    if (c->type == DP_CHANGE_CHANGE) {
        s_raw (out, ",\"table\":");
        dp_json_writer_string (out, c->table, strlen (c->table));
        s_raw (out, ",\"op\":");
        const char *op = dp_change_op_name (c->op);
        dp_json_writer_string (out, op, strlen (op));
        s_raw (out, ",\"key\":[");
        for (size_t i = 0; i < c->n_key; i++) {
            if (i)
                dp_json_writer_char (out, ',');
            if (c->key [i].is_text)
                dp_json_writer_string (out, c->key [i].str ? c->key [i].str : "", c->key [i].len);
            else
                dp_json_writer_int (out, c->key [i].integer);
        }
        s_raw (out, "],\"columns\":[");
        for (size_t i = 0; i < c->n_columns; i++) {
            if (i)
                dp_json_writer_char (out, ',');
            dp_json_writer_string (out, c->columns [i], strlen (c->columns [i]));
        }
        s_raw (out, "],\"base\":");
        if (c->has_base)
            dp_json_writer_int (out, c->base_id);
        else
            dp_json_writer_null (out);
    }
    else
    if (c->type == DP_CHANGE_RESYNC) {
        s_raw (out, ",\"reason\":");
        dp_json_writer_string (out, c->reason, strlen (c->reason));
    }
    else {
        s_raw (out, ",\"mode\":");
        s_raw (out, c->mode == DP_FEED_MODE_BINLOG ? "\"binlog\"" : "\"fallback\"");
        s_raw (out, ",\"lag_ms\":");
        dp_json_writer_int (out, (int64_t) c->lag_ms);
        s_raw (out, ",\"behind\":");
        dp_json_writer_int (out, (int64_t) c->behind);
    }
    s_raw (out, "}\n");
}

int
main (int argc, char *argv [])
{
    if (argc < 2 || streq (argv [1], "--help")) {
        fprintf (stderr, "usage: depot-feed-sub ENDPOINT [ENDPOINT ...]\n");
        return argc < 2 ? 2 : 0;
    }
    zsys_init ();
    zsock_t *sub = zsock_new (ZMQ_SUB);
    zsock_set_rcvhwm (sub, 1000000);
    zsock_set_subscribe (sub, "");
    for (int i = 1; i < argc; i++)
        if (zsock_connect (sub, "%s", argv [i])) {
            fprintf (stderr, "depot-feed-sub: cannot connect to %s\n", argv [i]);
            zsock_destroy (&sub);
            return 2;
        }
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (!zsys_interrupted) {
        if (zmq_msg_recv (&frame, zsock_resolve (sub), 0) < 0)
            continue;                   //  interrupted: the loop looks again
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        dp_change_t change;
        char err [200];
        dp_json_writer_t out;
        dp_json_writer_init (&out, 256);
        if (dp_change_decode (zmq_msg_data (&frame), zmq_msg_size (&frame), &unpacked,
                              &change, err, sizeof err) == 0)
            s_write (&change, &out);
        else {
            s_raw (&out, "{\"type\":\"error\",\"message\":");
            dp_json_writer_string (&out, err, strlen (err));
            s_raw (&out, "}\n");
        }
        size_t len;
        char *line = dp_json_writer_steal (&out, &len);
        fwrite (line, 1, len, stdout);
        fflush (stdout);
        free (line);
        dp_json_writer_release (&out);
        msgpack_unpacked_destroy (&unpacked);
    }
    zmq_msg_close (&frame);
    zsock_destroy (&sub);
    return 0;
}
