/*  =========================================================================
    dp_test_peer - a fake resolver on the gateway's backend, for selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The test resolver: a DEALER on the backend that says READY{credit},
    heartbeats, and answers each EXECUTE with a RESULT echoing what it was
    given. A query containing "sleep(ms: N)" is answered N ms later; one
    containing "die" makes the peer drop its socket without a word. A
    CANCEL is answered at once with ERROR 499, as a resolver does.
    It speaks the real wire protocol (dp_msg) over a real DEALER, so the
    gateway under test cannot tell it from a resolver.
@end
*/
#ifndef DP_TEST_PEER_H_INCLUDED
#define DP_TEST_PEER_H_INCLUDED

#include <czmq.h>

//  The peer actor; args is the backend endpoint to connect to (a string
//  that must outlive the actor). Start it with zactor_new and destroy it
//  with zactor_destroy. Pipe commands: COUNT and CANCELS (below).
void dp_test_peer_actor (zsock_t *pipe, void *args);

//  EXECUTEs the peer has received.
int dp_test_peer_count (zactor_t *peer);

//  CANCELs the peer has received for requests it still held.
int dp_test_peer_cancels (zactor_t *peer);

#endif
