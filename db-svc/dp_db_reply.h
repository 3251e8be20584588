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

typedef struct {
    void *router;               //  the actor's libzmq ROUTER socket, borrowed
    bool verbose;               //  log every request's error, not only faults
    uint64_t answered;          //  LOADs and QUERYs answered (ROWS or ERROR)
    uint64_t errors;            //  of which with ERROR
} dp_db_reply_t;

//  Set up an embedded outbox on router (a libzmq socket, borrowed).
void dp_db_reply_init (dp_db_reply_t *self, void *router, bool verbose);

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
