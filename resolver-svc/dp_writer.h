/*  =========================================================================
    dp_writer - writes large answers on a low-priority thread

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A resolver actor hands over a request whose waves are done and whose
    answer is large (dp_exec_wants_writer); the writer's thread, running
    at a lower scheduling priority (nice +10), writes its JSON
    (dp_exec_write) and sends the request back to the actor as a pointer
    frame on a PUSH socket connected to the actor's PULL endpoint. So a
    13 MB preload never holds up the small requests of the same actor,
    and when the cores are busy the small requests' threads run first.
@discuss
    Only the writer touches a request between submit and its return: the
    actor takes it out of its lists first (no deadline, cancel or reply
    reaches it meanwhile). dp_writer_destroy writes and returns what was
    submitted, then joins the thread, so the actor can free everything.
@end
*/
#ifndef DP_WRITER_H_INCLUDED
#define DP_WRITER_H_INCLUDED

#include <czmq.h>
#include "dp_exec.h"

typedef struct _dp_writer_t dp_writer_t;

//  Start the thread; it sends each written request, as a frame holding
//  the dp_exec_t pointer, to `endpoint` (the caller's PULL, bound before).
//  NULL when the thread cannot start.
dp_writer_t *dp_writer_new (const char *endpoint);

//  Write what was submitted, send it back, stop the thread.
void dp_writer_destroy (dp_writer_t **self_p);

//  Receive one written request from pull (the endpoint given to
//  dp_writer_new) and return it, or NULL when none came. Use this, not a bare
//  zsock_recv: it also orders the writer's writes before the caller's reads
//  with the writer's mutex. self may be NULL once destroyed (the join
//  ordered everything).
dp_exec_t *dp_writer_receive (dp_writer_t *self, zsock_t *pull);

//  Hand a request over (its waves done: dp_exec_wants_writer).
void dp_writer_submit (dp_writer_t *self, dp_exec_t *exec);

//  Selftest: large answers written on the thread and sent back.
void dp_writer_test (bool verbose);

#endif
