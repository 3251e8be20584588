/*  =========================================================================
    dp_client_watch - notices that an HTTP client went away mid-request

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_client_watch.h.
@end
*/
#define _GNU_SOURCE                 //  POLLRDHUP
#include "dp_client_watch.h"
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

//  The port and address text of a socket address; -1 when not IP.
static int
s_address (const struct sockaddr_storage *address, char *text, size_t text_len)
{
    if (address->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) address;
        if (!inet_ntop (AF_INET, &in->sin_addr, text, (socklen_t) text_len))
            return -1;
        return ntohs (in->sin_port);
    }
    if (address->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;
        if (!inet_ntop (AF_INET6, &in6->sin6_addr, text, (socklen_t) text_len))
            return -1;
        return ntohs (in6->sin6_port);
    }
    return -1;
}

//  Is fd the connection from remote_addr:remote_port to our local_port?
static bool
s_matches (int fd, const char *remote_addr, int remote_port, int local_port)
{
    struct sockaddr_storage address;
    socklen_t len = sizeof address;
    char text [64];
    if (getsockname (fd, (struct sockaddr *) &address, &len) != 0
    ||  s_address (&address, text, sizeof text) != local_port)
        return false;
    len = sizeof address;
    if (getpeername (fd, (struct sockaddr *) &address, &len) != 0
    ||  s_address (&address, text, sizeof text) != remote_port)
        return false;
    return strcmp (text, remote_addr) == 0;
}

int
dp_client_watch_find (const char *remote_addr, int remote_port, int local_port, int hint)
{
    assert (remote_addr);
    if (hint >= 0 && s_matches (hint, remote_addr, remote_port, local_port))
        return hint;
    DIR *dir = opendir ("/proc/self/fd");
    if (!dir)
        return -1;
    int found = -1;
    int own = dirfd (dir);
    struct dirent *entry;
    while (found < 0 && (entry = readdir (dir))) {
        char *end;
        long fd = strtol (entry->d_name, &end, 10);
        if (*end || end == entry->d_name || fd == own || fd == hint)
            continue;
        if (s_matches ((int) fd, remote_addr, remote_port, local_port))
            found = (int) fd;
    }
    closedir (dir);
    return found;
}

dp_client_state_t
dp_client_watch_check (int fd)
{
    struct pollfd item = { .fd = fd, .events = POLLIN | POLLRDHUP };
    if (poll (&item, 1, 0) <= 0)
        return DP_CLIENT_HERE;      //  nothing happened (or EINTR: look again later)
    if (item.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
        return DP_CLIENT_GONE;
    char byte;
    ssize_t n = recv (fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
        return DP_CLIENT_SENDING;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return DP_CLIENT_GONE;
    return DP_CLIENT_HERE;
}


//  --------------------------------------------------------------------------
//  Selftest: real loopback connections.

void
dp_client_watch_test (bool verbose)
{
    printf (" * dp_client_watch: ");
    int listener = socket (AF_INET, SOCK_STREAM, 0);
    assert (listener >= 0);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int rc = bind (listener, (struct sockaddr *) &address, sizeof address);
    assert (rc == 0);
    rc = listen (listener, 8);
    assert (rc == 0);
    socklen_t len = sizeof address;
    getsockname (listener, (struct sockaddr *) &address, &len);
    int port = ntohs (address.sin_port);

    //  Two clients; each accepted socket is found by its peer, with or
    //  without a (wrong) hint, and the right one of the two.
    int clients [2], served [2], client_ports [2];
    for (int i = 0; i < 2; i++) {
        clients [i] = socket (AF_INET, SOCK_STREAM, 0);
        rc = connect (clients [i], (struct sockaddr *) &address, sizeof address);
        assert (rc == 0);
        served [i] = accept (listener, NULL, NULL);
        assert (served [i] >= 0);
        struct sockaddr_in mine;
        len = sizeof mine;
        getsockname (clients [i], (struct sockaddr *) &mine, &len);
        client_ports [i] = ntohs (mine.sin_port);
    }
    for (int i = 0; i < 2; i++) {
        assert (dp_client_watch_find ("127.0.0.1", client_ports [i], port, -1) == served [i]);
        assert (dp_client_watch_find ("127.0.0.1", client_ports [i], port, served [1 - i])
                == served [i]);
        assert (dp_client_watch_find ("127.0.0.1", client_ports [i], port, served [i]) == served [i]);
    }
    assert (dp_client_watch_find ("127.0.0.2", client_ports [0], port, -1) == -1);
    assert (dp_client_watch_find ("127.0.0.1", client_ports [0], port + 1, -1) == -1);

    //  Here; here with a pipelined request (which stays unread); gone.
    assert (dp_client_watch_check (served [0]) == DP_CLIENT_HERE);
    rc = (int) send (clients [0], "GET", 3, 0);
    assert (rc == 3);
    usleep (10000);
    assert (dp_client_watch_check (served [0]) == DP_CLIENT_SENDING);
    assert (dp_client_watch_check (served [0]) == DP_CLIENT_SENDING);
    char text [8];
    assert (recv (served [0], text, sizeof text, MSG_DONTWAIT) == 3);
    close (clients [0]);
    usleep (10000);
    assert (dp_client_watch_check (served [0]) == DP_CLIENT_GONE);
    //  Gone even when it sent bytes before it closed.
    send (clients [1], "GET", 3, 0);
    close (clients [1]);
    usleep (10000);
    assert (dp_client_watch_check (served [1]) == DP_CLIENT_GONE);
    if (verbose)
        printf ("(ports %d, %d) ", client_ports [0], client_ports [1]);
    close (served [0]);
    close (served [1]);
    close (listener);
    printf ("OK\n");
}
