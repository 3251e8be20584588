/*  =========================================================================
    dp_worker - one civetweb worker thread's own state, and its broker exchange

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Each civetweb worker thread owns one dp_worker_t from init_thread to
    exit_thread: a DEALER to the broker's frontend (sockets are never
    shared between threads), the current request's arena, the EXECUTE
    encoding buffer and the request body buffer. dp_worker_exchange sends
    one EXECUTE and waits for its answer until the request's deadline;
    while it waits it watches the client's socket (dp_client_watch), so a
    client that went away is noticed and its request cancelled.
    Covered by the gateway's selftest (gateway/tests/dp_gateway_test.c),
    which drives it through real HTTP and a real broker.
@end
*/
#ifndef DP_WORKER_H_INCLUDED
#define DP_WORKER_H_INCLUDED

#include <czmq.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>
#include "dp_arena.h"
#include "dp_msg.h"

struct mg_connection;

typedef struct {
    zsock_t *dealer;                //  to the broker's frontend; NULL when it could not be made
    dp_arena_t *arena;              //  the current request's memory
    msgpack_sbuffer sbuf;           //  EXECUTE encoding
    char *body;                     //  request body buffer
    size_t body_cap;
    int client_fd;                  //  the socket dp_client_watch found last, or -1
} dp_worker_t;

//  How one exchange with the broker ended.
typedef enum {
    DP_EXCHANGE_OK,                 //  the answer came: *reply and *answer are set
    DP_EXCHANGE_UNREACHABLE,        //  the broker took no message (overloaded or gone)
    DP_EXCHANGE_TIMEOUT,            //  no answer before the deadline
    DP_EXCHANGE_MALFORMED,          //  the EXECUTE could not be encoded or its answer decoded
    DP_EXCHANGE_CLIENT_GONE         //  the HTTP client went away while we waited
} dp_exchange_t;

//  Create a worker's state with a DEALER connected to frontend_endpoint
//  (a failure is logged; its requests then fail). Caller owns the result
//  and must destroy it with dp_worker_destroy on the same thread.
dp_worker_t *dp_worker_new (const char *frontend_endpoint);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_worker_destroy (dp_worker_t **self_p);

//  The socket of conn's client (to watch it while a request waits, or to
//  close it lingering); -1 when it cannot be found.
int dp_worker_client_fd (dp_worker_t *self, struct mg_connection *conn);

//  Send msg (an EXECUTE) and wait until deadline (zclock_time ms) for the
//  answer with its id; late answers to requests given up before are
//  dropped. While it waits longer than 20 ms, the client of conn (NULL:
//  none) is watched. On DP_EXCHANGE_OK the caller owns *reply and must
//  close it with zmq_msg_close, and *answer is decoded into arena (its
//  strings point into *reply or arena); on any other outcome neither is
//  set.
dp_exchange_t dp_worker_exchange (dp_worker_t *self, struct mg_connection *conn, dp_msg_t *msg,
                                  int64_t deadline, dp_arena_t *arena, zmq_msg_t *reply,
                                  dp_msg_t *answer);

//  The client of request id is gone: tell the broker, which cancels the
//  request at its resolver (and so its SQL). The answer still comes and is
//  dropped by the next exchange.
void dp_worker_cancel (dp_worker_t *self, uint64_t id, const char *trace_id);

//  Read conn's whole request body into self->body. Returns 0 with *len_p
//  set, 1 when it is larger than max_body (declared or found so), -1 when
//  the client went away.
int dp_worker_read_body (dp_worker_t *self, struct mg_connection *conn, size_t max_body,
                         size_t *len_p);

//  Give back a body buffer grown past 64 KiB for one large request.
void dp_worker_trim (dp_worker_t *self);

#endif
