/*  =========================================================================
    dp_poll - zmq_poll's answer with fewer system calls

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    dp_poll takes zmq_poll's items and timeout and fills the same revents.
    zmq_poll asks every socket's ZMQ_EVENTS twice per call (before it
    sleeps and after it wakes), and each ask is a poll(2) on the socket's
    mailbox (and a getpid(2), libzmq's fork check), besides one poll(2)
    over all items with no timeout. On a VM where a system call is dear
    that was a third of a service's CPU. dp_poll asks each socket once
    before it sleeps, and after it wakes only the sockets whose mailbox
    descriptor fired: any other socket's ZMQ_EVENTS cannot have changed,
    since nothing but a command in its mailbox changes it while this
    thread sleeps.
@discuss
    The caller uses revents instead of asking ZMQ_EVENTS again: a socket
    marked ZMQ_POLLIN has a message. A socket not marked may have one by
    the time the caller looks (it came after); the next dp_poll sees it.
@end
*/
#ifndef DP_POLL_H_INCLUDED
#define DP_POLL_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>

#define DP_POLL_MAX 64              //  beyond it, zmq_poll answers

//  Wait until an item is ready or timeout_ms passed (-1: no limit, 0: do
//  not wait). Returns how many items have revents, 0 on timeout, -1 with
//  errno (EINTR, ETERM), as zmq_poll does.
int dp_poll (zmq_pollitem_t *items, int n_items, long timeout_ms);

//  dp_poll, and fewer ZMQ_EVENTS still: bit i of *idle set on the way in
//  says item i's socket polled not ready last time (dp_poll_idle set the
//  bit) and nothing was done to it since (no send, receive or option):
//  its mailbox then holds no unseen signal, so its descriptor alone tells
//  whether it changed. On the way out, the bit of each socket found not
//  ready is set and every other cleared. The caller clears the bits of
//  the sockets it sends on or reads, at least those it reads without
//  their revents. Items at most 64; idle NULL is dp_poll.
int dp_poll_idle (zmq_pollitem_t *items, int n_items, long timeout_ms, uint64_t *idle);

//  Whether a message waits on sock now (one ZMQ_EVENTS); false for NULL.
//  For reading on after a socket polled ready, up to what a turn takes.
bool dp_poll_readable (zsock_t *sock);

//  The message waiting on sock now, or NULL (none waits, sock is NULL, or
//  the call was interrupted). A receive that finds a message queued does
//  not look at the socket's mailbox; only the one that finds none does
//  (a poll(2) and a getpid(2)). So reading on until NULL costs those once
//  per turn, where asking dp_poll_readable before each read costs them
//  once per message.
zmsg_t *dp_poll_recv (zsock_t *sock);

//  Selftest.
void dp_poll_test (bool verbose);

#endif
