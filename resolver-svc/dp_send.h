/*  =========================================================================
    dp_send - one protocol message out on a socket, as one frame

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The resolver's sockets to the gateway and to db-svc send every message
    the same way: encoded with dp_msg_encode into one frame, never
    blocking (a peer that cannot take it now makes the send fail).
@end
*/
#ifndef DP_SEND_H_INCLUDED
#define DP_SEND_H_INCLUDED

#include <czmq.h>
#include "dp_msg.h"

//  Encode msg and send it on sock without copying the bytes and without
//  waiting. Returns 0, or -1 when it is invalid or the socket refuses it
//  now (nothing is kept).
int dp_send_msg (zsock_t *sock, const dp_msg_t *msg);

//  Encode msg into a new frame (to send it later, maybe more than once).
//  Returns NULL when msg is invalid. Caller owns the frame and must
//  destroy it with zframe_destroy.
zframe_t *dp_send_encode (const dp_msg_t *msg);

#endif
