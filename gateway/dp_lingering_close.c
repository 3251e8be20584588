/*  =========================================================================
    dp_lingering_close - ends a connection whose request body was not read

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_lingering_close.h.
@end
*/
#include "dp_lingering_close.h"
#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

bool
dp_lingering_close (int fd, size_t max_bytes, int max_ms)
{
    assert (fd >= 0);
    if (shutdown (fd, SHUT_WR) != 0)
        return false;               //  not connected any more: nothing to wait for
    int64_t until = zclock_mono () + max_ms;
    size_t discarded = 0;
    char scratch [65536];
    while (discarded < max_bytes) {
        int64_t left = until - zclock_mono ();
        if (left <= 0)
            return false;
        struct pollfd item = { .fd = fd, .events = POLLIN };
        int rc = poll (&item, 1, (int) left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return false;           //  the time is up (or poll failed)
        ssize_t n = recv (fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n == 0)
            return true;            //  the peer closed its side
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return false;           //  the connection broke
        }
        discarded += (size_t) n;
    }
    return false;
}


//  --------------------------------------------------------------------------
//  Selftest

//  A connected pair over loopback TCP (a reset only exists there).
static void
s_pair (int *client, int *served)
{
    int listener = socket (AF_INET, SOCK_STREAM, 0);
    assert (listener >= 0);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int rc = bind (listener, (struct sockaddr *) &address, sizeof address);
    assert (rc == 0);
    rc = listen (listener, 1);
    assert (rc == 0);
    socklen_t len = sizeof address;
    getsockname (listener, (struct sockaddr *) &address, &len);
    *client = socket (AF_INET, SOCK_STREAM, 0);
    rc = connect (*client, (struct sockaddr *) &address, sizeof address);
    assert (rc == 0);
    *served = accept (listener, NULL, NULL);
    assert (*served >= 0);
    close (listener);
}

//  Read everything until EOF; returns the bytes read, or -1 on a reset.
static ssize_t
s_read_all (int fd, char *buffer, size_t size)
{
    size_t got = 0;
    while (true) {
        ssize_t n = recv (fd, buffer + got, size - got - 1, 0);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t) n;
    }
    buffer [got] = 0;
    return (ssize_t) got;
}

void
dp_lingering_close_test (bool verbose)
{
    printf (" * dp_lingering_close: ");
    char unread [100000];
    memset (unread, 'x', sizeof unread);
    char buffer [256];

    //  The client sent a body nobody read, then the answer comes; the
    //  client closes after reading it: the lingering close returns at
    //  once and the client read the whole answer, then EOF.
    int client, served;
    s_pair (&client, &served);
    ssize_t sent = send (client, unread, sizeof unread, 0);
    assert (sent > 0);
    const char answer [] = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n";
    assert (send (served, answer, strlen (answer), 0) == (ssize_t) strlen (answer));
    shutdown (client, SHUT_WR);         //  what a client does once it has read the answer
    int64_t started = zclock_mono ();
    assert (dp_lingering_close (served, 1 << 20, 5000));
    assert (zclock_mono () - started < 4000);
    close (served);
    assert (s_read_all (client, buffer, sizeof buffer) == (ssize_t) strlen (answer));
    assert (streq (buffer, answer));
    close (client);

    //  A client that keeps the connection open: the close gives up after
    //  max_ms, having read what was sent (so closing sends no reset).
    s_pair (&client, &served);
    sent = send (client, unread, 1000, 0);
    assert (sent == 1000);
    assert (send (served, answer, strlen (answer), 0) == (ssize_t) strlen (answer));
    assert (!dp_lingering_close (served, 1 << 20, 100));
    close (served);
    assert (s_read_all (client, buffer, sizeof buffer) == (ssize_t) strlen (answer));
    close (client);

    //  Past max_bytes it gives up too.
    s_pair (&client, &served);
    sent = send (client, unread, sizeof unread, 0);
    assert (sent > 10);
    assert (!dp_lingering_close (served, 10, 5000));
    close (served);
    close (client);
    printf ("OK\n");
}
