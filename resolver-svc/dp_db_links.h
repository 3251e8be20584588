/*  =========================================================================
    dp_db_links - a resolver's links to its db-svc: instances, not addresses

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Owns one DEALER (ZMQ_IMMEDIATE) per db-svc endpoint and a libzmq
    socket monitor on each, and every LOAD and QUERY a resolver actor has
    sent and not yet had answered. It knows each db-svc by its instance:
    the id its HEARTBEAT answers carry (new at every start). The instance a
    LOAD or QUERY went to is dead at once when its endpoint answers with
    another id (it restarted), when the TCP connection drops (the monitor
    says DISCONNECTED), or after liveness_ms of silence. What waited there
    is sent again to a live db-svc when it is a read (LOAD and QUERY are);
    anything else fails at once, since it may have run. A request sent
    again more than max_resends times fails, so a statement that kills
    every db-svc it reaches does not go round forever.
@discuss
    With no db-svc that can take it (none live, or every send refused:
    the DEALERs queue nothing for a peer that is not connected), a LOAD or
    QUERY is parked and sent as soon as one can take it (tried when a
    db-svc answers or connects, and from the timers); one parked longer
    than wait_ms fails 503 "no db-svc reachable". The parked list is
    bounded (max_parked); beyond it a send fails at once.
    Correlation ids stay the same when a request is sent again, so the
    first answer wins and a late one from an instance thought dead is
    dropped as an unknown id; CANCEL goes to where the request is now.
    Choice of db-svc: among the live ones, the fewest requests waiting,
    round robin among equals. Nothing here knows requests: an owner is
    the caller's pointer, handed back with its answers and failures.
@end
*/
#ifndef DP_DB_LINKS_H_INCLUDED
#define DP_DB_LINKS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>
#include "dp_msg.h"

#define DP_DB_LINKS_MAX 32          //  db-svc endpoints at most

typedef struct _dp_db_links_t dp_db_links_t;

//  A reply (ROWS or ERROR) for one of owner's requests; head is its
//  envelope (dp_msg_peek), frame the whole message, both borrowed for the
//  call. The request is forgotten before the call.
typedef void (dp_db_links_reply_fn) (void *ctx, void *owner, const dp_msg_t *head,
                                     zframe_t *frame);
//  One of owner's requests will never be answered: error is the ERROR
//  (503 with a message) standing for its answer. The request is forgotten
//  before the call; the callee may forget owner's others.
typedef void (dp_db_links_failed_fn) (void *ctx, void *owner, const dp_msg_t *error);

typedef struct {
    const char **endpoints;         //  every db-svc ROUTER, to connect to
    size_t n_endpoints;             //  at most DP_DB_LINKS_MAX
    int heartbeat_ms;               //  HEARTBEAT to each db-svc (0: 1000)
    int liveness_ms;                //  silence after which a db-svc is dead (0: 3000)
    int wait_ms;                    //  how long a request waits for a db-svc that can
                                    //  take it (0: 5000; negative: not at all)
    uint32_t max_resends;           //  times one request is sent again (0: 2)
    size_t max_parked;              //  requests waiting for a db-svc at most (0: 4096)
    uint64_t instance_id;           //  ours, in our HEARTBEATs
    dp_db_links_reply_fn *on_reply;
    dp_db_links_failed_fn *on_failed;
    void *ctx;                      //  handed to both
} dp_db_links_config_t;

//  The figures of the resolver's report (dp_stat_resolver_t).
typedef struct {
    uint64_t waiting;               //  requests not answered yet (parked ones too)
    uint64_t parked;                //  of those, waiting for a db-svc that can take them
    uint64_t lost;                  //  failed because no db-svc would answer them, total
    uint64_t resent;                //  sent again after their db-svc died, total
    uint32_t live;                  //  db-svc heard within liveness_ms
    uint32_t configured;            //  db-svc endpoints
} dp_db_links_stats_t;

//  Connect to every endpoint. Returns NULL with err filled when an
//  endpoint is invalid or there are too many. Caller owns the return
//  value and must destroy it with dp_db_links_destroy.
dp_db_links_t *dp_db_links_new (const dp_db_links_config_t *config, char *err, size_t err_len);

//  Close the sockets and forget every request, calling nothing.
void dp_db_links_destroy (dp_db_links_t **self_p);

//  Send a LOAD or QUERY for owner: sets msg->id (a fresh correlation id)
//  and sends it to a db-svc, or parks it. read_only: it may be sent again
//  when its db-svc dies. Returns 0, or -1 when it can neither be sent nor
//  parked (then nothing is kept and no callback runs for it).
int dp_db_links_send (dp_db_links_t *self, void *owner, dp_msg_t *msg, bool read_only);

//  Send a request of owner's transaction txn (TXN, STMT, or a LOAD or
//  QUERY carrying txn): BEGIN (begin true) goes to a live db-svc, to
//  which the transaction is pinned; every later request of it goes to
//  that instance only, and none is ever sent again (a write may have
//  run): the instance dying fails it 503 at once, like any request that
//  is not a read. An owner has one transaction at a time. Returns 0, or
//  -1 when it cannot be sent (no live db-svc for BEGIN; the pinned
//  instance gone), with nothing kept.
int dp_db_links_send_txn (dp_db_links_t *self, void *owner, dp_msg_t *msg, uint64_t txn,
                          bool begin);

//  Owner is done with its transaction: forget the pin. rollback non-zero:
//  the owner gives up that open transaction (deadline, client gone,
//  stopping): CANCEL and TXN ROLLBACK go to its db-svc, answers dropped.
void dp_db_links_txn_end (dp_db_links_t *self, void *owner, uint64_t rollback, const char *trace_id);

//  Forget every request of owner (it finished or was dropped); their late
//  answers are dropped.
void dp_db_links_forget (dp_db_links_t *self, void *owner);

//  CANCEL each request of owner at the db-svc holding it (trace_id for its
//  logs); parked ones are only forgotten with dp_db_links_forget. Returns
//  how many CANCELs went out.
size_t dp_db_links_cancel (dp_db_links_t *self, void *owner, const char *trace_id);

//  Add a poll item per DEALER and per monitor to items (room for
//  2 * DP_DB_LINKS_MAX); returns how many.
int dp_db_links_pollitems (dp_db_links_t *self, zmq_pollitem_t *items);

//  Read what the DEALERs and monitors that polled ready hold (a bounded
//  batch each), calling on_reply and on_failed as answers and deaths come.
//  items: those dp_db_links_pollitems added, with their revents (dp_poll);
//  what came after the poll waits for the next one.
void dp_db_links_handle (dp_db_links_t *self, const zmq_pollitem_t *items);

//  Heartbeats out, silent db-svc, parked requests tried again or failed.
//  Returns the ms until the next of them is due.
long dp_db_links_timers (dp_db_links_t *self);

//  True once any db-svc has answered.
bool dp_db_links_heard (dp_db_links_t *self);

void dp_db_links_stats (dp_db_links_t *self, dp_db_links_stats_t *stats);

//  The latest report of each live db-svc into out (at most max): borrowed,
//  valid until the next call that reads or sends. Returns how many.
uint32_t dp_db_links_reports (dp_db_links_t *self, dp_report_t *out, uint32_t max);

//  Selftest: restarts, disconnects, silence, waiting and the re-send bound
//  against fake db-svc ROUTERs over inproc:// and tcp://.
void dp_db_links_test (bool verbose);

#endif
