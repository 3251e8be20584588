/*  =========================================================================
    dp_db_reply - the DB actor's outbox: replies on its ROUTER, counted

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Every reply of the DB actor leaves through here: ERROR replies (built
    and logged here), ROWS (encoded by dp_db_rows) and HEARTBEATs. Sends
    never block and never drop a reply for a slow peer (the ROUTER has no
    high-water mark); a peer that is gone loses its reply, with a warning.
    A plain struct the actor embeds (_init), msgpack-c style: the counters
    are read by the actor for STATS and its heartbeat report.
@end
*/
#ifndef DP_DB_REPLY_H_INCLUDED
#define DP_DB_REPLY_H_INCLUDED

#include <czmq.h>
#include <msgpack.h>
#include "dp_msg.h"
#include <stdbool.h>
#include <stdint.h>

//  A reply held back while corked (dp_db_reply_cork).
typedef struct {
    uint8_t routing [256];      //  a ROUTER's routing id is at most 255 bytes
    size_t routing_size;
    char *data;                 //  the encoded message, owned
    size_t size;
} dp_db_reply_held_t;

typedef struct {
    void *router;               //  the actor's libzmq ROUTER socket, borrowed
    bool verbose;               //  log every request's error, not only faults
    uint64_t answered;          //  LOADs and QUERYs answered (ROWS or ERROR)
    uint64_t errors;            //  of which with ERROR
    bool corked;                //  replies wait for dp_db_reply_flush
    dp_db_reply_held_t *held;   //  replies held back while corked
    size_t n_held, cap_held;
} dp_db_reply_t;

//  Set up an embedded outbox on router (a libzmq socket, borrowed).
void dp_db_reply_init (dp_db_reply_t *self, void *router, bool verbose);

//  Free what the outbox holds (replies held back are sent first).
void dp_db_reply_destroy (dp_db_reply_t *self);

//  From now on, replies are held until dp_db_reply_flush, which sends them
//  one after another: the DB actor sends a turn's replies together, so
//  that a resolver woken by the first finds the others there (one wake for
//  a wave's answers, not one per answer).
void dp_db_reply_cork (dp_db_reply_t *self);

//  Send the replies held back.
void dp_db_reply_flush (dp_db_reply_t *self);

//  Send [routing, buffer's bytes]. Takes the buffer's memory (the buffer
//  is left empty); routing stays the caller's.
void dp_db_reply_send (dp_db_reply_t *self, zframe_t *routing, msgpack_sbuffer *buffer);

//  Encode and send reply (not counted: for HEARTBEATs).
void dp_db_reply_msg (dp_db_reply_t *self, zframe_t *routing, dp_msg_t *reply);

//  Send an ERROR with status and a printf-style message to request id,
//  and count it as an answer. Faults of the service or of MariaDB are
//  logged as warnings, the others only when verbose.
void dp_db_reply_error (dp_db_reply_t *self, zframe_t *routing, uint64_t id,
                        const char *trace_id, uint32_t status, const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

#endif
