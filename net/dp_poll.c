/*  =========================================================================
    dp_poll - zmq_poll's answer with fewer system calls

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_poll.h"
#include "dp_pid.h"
#include <czmq.h>
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

//  Every executable that polls gets dp_pid's getpid (see dp_pid.c).
static bool (*const s_pid_link) (void) __attribute__ ((used)) = dp_pid_cached;

//  A socket's ready events among those wanted (one ZMQ_EVENTS).
static int
s_socket_events (zmq_pollitem_t *item)
{
    uint32_t events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt (item->socket, ZMQ_EVENTS, &events, &size) == -1)
        return -1;
    item->revents = (short) (events & (uint32_t) item->events & (ZMQ_POLLIN | ZMQ_POLLOUT));
    return 0;
}

//  A raw descriptor's poll(2) answer in zmq_poll's terms.
static short
s_raw_events (short revents)
{
    short out = 0;
    if (revents & POLLIN)
        out |= ZMQ_POLLIN;
    if (revents & POLLOUT)
        out |= ZMQ_POLLOUT;
    if (revents & POLLPRI)
        out |= ZMQ_POLLPRI;
    if (revents & ~(POLLIN | POLLOUT | POLLPRI))
        out |= ZMQ_POLLERR;
    return out;
}

int
dp_poll (zmq_pollitem_t *items, int n_items, long timeout_ms)
{
    return dp_poll_idle (items, n_items, timeout_ms, NULL);
}

int
dp_poll_idle (zmq_pollitem_t *items, int n_items, long timeout_ms, uint64_t *idle)
{
    if (n_items > DP_POLL_MAX) {
        if (idle)
            *idle = 0;
        return zmq_poll (items, n_items, timeout_ms);
    }
    uint64_t was_idle = idle ? *idle : 0;
    struct pollfd fds [DP_POLL_MAX];
    int ready = 0;
    bool any_unasked = false;           //  a raw descriptor or an idle socket
    //  Each socket's events now: what this thread did to it since it last
    //  slept may have taken its mailbox's signal, so only ZMQ_EVENTS tells
    //  (an idle one's descriptor tells as well).
    for (int i = 0; i < n_items; i++) {
        zmq_pollitem_t *item = &items [i];
        item->revents = 0;
        fds [i].revents = 0;
        if (item->socket) {
            size_t size = sizeof fds [i].fd;
            if (zmq_getsockopt (item->socket, ZMQ_FD, &fds [i].fd, &size) == -1)
                return -1;
            fds [i].events = item->events ? POLLIN : 0;
            if (was_idle & (1ULL << i))
                any_unasked = true;
            else {
                if (s_socket_events (item))
                    return -1;
                ready += item->revents != 0;
            }
        }
        else {
            fds [i].fd = item->fd;
            fds [i].events = (short) ((item->events & ZMQ_POLLIN ? POLLIN : 0)
                                    | (item->events & ZMQ_POLLOUT ? POLLOUT : 0)
                                    | (item->events & ZMQ_POLLPRI ? POLLPRI : 0));
            any_unasked = true;
        }
    }
    int64_t deadline = timeout_ms > 0 ? zclock_mono () + timeout_ms : 0;
    //  A socket is ready: no sleep; the others' descriptors as they are.
    bool sleep = ready == 0;
    while (true) {
        if (sleep || any_unasked) {
            int wait = 0;
            if (sleep && timeout_ms < 0)
                wait = -1;
            else
            if (sleep && timeout_ms > 0) {
                int64_t left = deadline - zclock_mono ();
                wait = left > 0 ? (int) left : 0;
            }
            if (poll (fds, (nfds_t) n_items, wait) == -1)
                return -1;
        }
        //  Only a socket whose mailbox fired can have changed.
        ready = 0;
        for (int i = 0; i < n_items; i++) {
            zmq_pollitem_t *item = &items [i];
            if (item->socket) {
                if ((fds [i].revents & POLLIN) && s_socket_events (item))
                    return -1;
            }
            else
                item->revents = s_raw_events (fds [i].revents);
            ready += item->revents != 0;
        }
        if (ready || !sleep || timeout_ms == 0 || (timeout_ms > 0 && zclock_mono () >= deadline))
            break;
    }
    if (idle) {
        *idle = 0;
        for (int i = 0; i < n_items; i++)
            if (items [i].socket && items [i].revents == 0)
                *idle |= 1ULL << i;
    }
    return ready;
}


bool
dp_poll_readable (zsock_t *sock)
{
    return sock && (zsock_events (sock) & ZMQ_POLLIN) != 0;
}

zmsg_t *
dp_poll_recv (zsock_t *sock)
{
    //  czmq's non-blocking receive: its later frames are there already
    //  (a message's frames arrive together).
    return sock? zmsg_recv_nowait (sock): NULL;
}


//  --------------------------------------------------------------------------
//  Selftest

static void
s_sender (zsock_t *pipe, void *args)
{
    zsock_t *out = zsock_new_push ((const char *) args);
    assert (out);
    zsock_signal (pipe, 0);
    zclock_sleep (50);                  //  the test is asleep in dp_poll by now
    zstr_send (out, "late");
    char *term = zstr_recv (pipe);      //  $TERM
    zstr_free (&term);
    zsock_destroy (&out);
}

void
dp_poll_test (bool verbose)
{
    printf (" * dp_poll: ");
    zsock_t *in = zsock_new_pull ("inproc://dp_poll_test");
    zsock_t *out = zsock_new_push ("inproc://dp_poll_test");
    assert (in && out);
    int pipe_fds [2];
    assert (pipe (pipe_fds) == 0);
    zmq_pollitem_t items [2] = {
        { zsock_resolve (in), 0, ZMQ_POLLIN, 0 },
        { NULL, pipe_fds [0], ZMQ_POLLIN, 0 } };

    //  Nothing ready: 0 at once, and after the timeout.
    assert (dp_poll (items, 2, 0) == 0);
    int64_t start = zclock_mono ();
    assert (dp_poll (items, 2, 30) == 0);
    assert (zclock_mono () - start >= 29);
    assert (items [0].revents == 0 && items [1].revents == 0);

    //  A message: the socket is ready, the pipe not.
    zstr_send (out, "one");
    assert (dp_poll (items, 2, 1000) == 1 && dp_poll_readable (in));
    assert (items [0].revents == ZMQ_POLLIN && items [1].revents == 0);
    //  ZMQ_EVENTS asked by the caller takes the mailbox's signal: the
    //  message is still seen (dp_poll asks each socket before it sleeps).
    assert (zsock_events (in) & ZMQ_POLLIN);
    assert (dp_poll (items, 2, 1000) == 1 && items [0].revents == ZMQ_POLLIN);
    char *text = zstr_recv (in);
    assert (text && streq (text, "one"));
    zstr_free (&text);
    assert (dp_poll (items, 2, 0) == 0);
    assert (!dp_poll_readable (in) && !dp_poll_readable (NULL));

    //  Reading until none waits: every message of a burst, multi-frame
    //  ones whole, then NULL; the socket then polls not ready, and a later
    //  message wakes the poll again.
    zstr_send (out, "a");
    zstr_sendx (out, "b", "c", NULL);
    zstr_send (out, "d");
    assert (dp_poll (items, 2, 1000) == 1 && items [0].revents == ZMQ_POLLIN);
    const char *burst [] = { "a", "b", "d" };
    for (size_t i = 0; i < 3; i++) {
        zmsg_t *msg = dp_poll_recv (in);
        assert (msg && zmsg_size (msg) == (i == 1? 2: 1));
        char *first = zmsg_popstr (msg);
        assert (first && streq (first, burst [i]));
        zstr_free (&first);
        zmsg_destroy (&msg);
    }
    assert (dp_poll_recv (in) == NULL && dp_poll_recv (NULL) == NULL);
    assert (dp_poll (items, 2, 0) == 0);
    zstr_send (out, "e");
    assert (dp_poll (items, 2, 1000) == 1 && items [0].revents == ZMQ_POLLIN);
    text = zstr_recv (in);
    assert (text && streq (text, "e"));
    zstr_free (&text);

    //  Both ready: both marked, without waiting.
    zstr_send (out, "two");
    assert (write (pipe_fds [1], "x", 1) == 1);
    start = zclock_mono ();
    assert (dp_poll (items, 2, 5000) == 2);
    assert (zclock_mono () - start < 1000);
    assert (items [0].revents == ZMQ_POLLIN && items [1].revents == ZMQ_POLLIN);
    text = zstr_recv (in);
    zstr_free (&text);
    char byte;
    assert (read (pipe_fds [0], &byte, 1) == 1);

    //  Only the pipe.
    assert (write (pipe_fds [1], "y", 1) == 1);
    assert (dp_poll (items, 2, 1000) == 1);
    assert (items [0].revents == 0 && items [1].revents == ZMQ_POLLIN);
    assert (read (pipe_fds [0], &byte, 1) == 1);

    //  A message from another thread while this one sleeps wakes it.
    zsock_t *in2 = zsock_new_pull ("inproc://dp_poll_test_late");
    zactor_t *sender = zactor_new (s_sender, "inproc://dp_poll_test_late");
    zmq_pollitem_t late = { zsock_resolve (in2), 0, ZMQ_POLLIN, 0 };
    start = zclock_mono ();
    assert (dp_poll (&late, 1, 5000) == 1 && late.revents == ZMQ_POLLIN);
    assert (zclock_mono () - start < 4000);
    text = zstr_recv (in2);
    assert (text && streq (text, "late"));
    zstr_free (&text);
    zactor_destroy (&sender);
    zsock_destroy (&in2);

    //  Idle sockets: not asked again, their descriptors tell. A message to
    //  an idle socket wakes the poll, and is seen beside another socket
    //  that is ready at once.
    uint64_t idle = 0;
    assert (dp_poll_idle (items, 2, 0, &idle) == 0 && idle == 1);   //  the raw one is no socket
    zstr_send (out, "three");
    assert (dp_poll_idle (items, 2, 1000, &idle) == 1 && items [0].revents == ZMQ_POLLIN);
    assert (idle == 0);
    text = zstr_recv (in);
    zstr_free (&text);
    zsock_t *other_in = zsock_new_pull ("inproc://dp_poll_test_other");
    zsock_t *other_out = zsock_new_push ("inproc://dp_poll_test_other");
    zmq_pollitem_t pair [2] = {
        { zsock_resolve (in), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (other_in), 0, ZMQ_POLLIN, 0 } };
    idle = 0;
    assert (dp_poll_idle (pair, 2, 0, &idle) == 0 && idle == 3);
    zstr_send (out, "four");
    zstr_send (other_out, "five");
    zclock_sleep (10);
    idle &= 1;                          //  the second is asked, the first is idle
    assert (dp_poll_idle (pair, 2, 1000, &idle) == 2);
    assert (pair [0].revents == ZMQ_POLLIN && pair [1].revents == ZMQ_POLLIN && idle == 0);
    text = zstr_recv (in);
    zstr_free (&text);
    text = zstr_recv (other_in);
    zstr_free (&text);
    idle = 0;
    assert (dp_poll_idle (pair, 2, 10, &idle) == 0 && idle == 3);
    zstr_send (out, "six");
    start = zclock_mono ();
    assert (dp_poll_idle (pair, 2, 5000, &idle) == 1 && pair [0].revents == ZMQ_POLLIN);
    assert (zclock_mono () - start < 4000 && idle == 2);
    text = zstr_recv (in);
    zstr_free (&text);
    zsock_destroy (&other_out);
    zsock_destroy (&other_in);

    //  More items than dp_poll holds: zmq_poll answers.
    zmq_pollitem_t many [DP_POLL_MAX + 1];
    for (int i = 0; i <= DP_POLL_MAX; i++)
        many [i] = (zmq_pollitem_t) { zsock_resolve (in), 0, ZMQ_POLLIN, 0 };
    zstr_send (out, "many");
    assert (dp_poll (many, DP_POLL_MAX + 1, 1000) == DP_POLL_MAX + 1);
    text = zstr_recv (in);
    zstr_free (&text);

    close (pipe_fds [0]);
    close (pipe_fds [1]);
    zsock_destroy (&out);
    zsock_destroy (&in);
    if (verbose)
        printf ("(timeouts, sockets, raw descriptors, a taken signal, another thread, idle sockets, many items) ");
    printf ("OK\n");
}
