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
#include "dp_json_writer.h"

//  Encode msg and send it on sock without copying the bytes and without
//  waiting. Returns 0, or -1 when it is invalid or the socket refuses it
//  now (nothing is kept).
int dp_send_msg (zsock_t *sock, const dp_msg_t *msg);

//  Send a RESULT whose JSON (msg->u.result.json) is json's, written with
//  DP_MSG_RESULT_HEADROOM of headroom, without copying it: the message is
//  written around the JSON and the writer's buffer goes with the frame
//  (libzmq frees it once sent; the writer is left empty). When there is no
//  room around it, msg is encoded as dp_send_msg does. Returns as dp_send_msg.
int dp_send_result (zsock_t *sock, const dp_msg_t *msg, dp_json_writer_t *json);

//  Encode msg into a new frame (to send it later, maybe more than once).
//  Returns NULL when msg is invalid. Caller owns the frame and must
//  destroy it with zframe_destroy.
zframe_t *dp_send_encode (const dp_msg_t *msg);

//  Self test of this class.
void dp_send_test (bool verbose);

#endif
