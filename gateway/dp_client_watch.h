/*  =========================================================================
    dp_client_watch - notices that an HTTP client went away mid-request

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A civetweb worker waits for its request's answer from the broker. If
    the client closes its connection meanwhile, nobody will read that
    answer, and the SQL it waits for should stop (CANCEL). The worker
    watches the connection's socket while it waits; this class finds that
    socket and tells whether the client is still there.
@discuss
    civetweb (1.15, Debian's) keeps the socket of a connection to itself:
    no public call returns it. What it does publish is the client's
    address and port and the local port (mg_request_info). Within one
    process exactly one socket has that peer and that local port, so
    dp_client_watch_find looks through the process's descriptors
    (/proc/self/fd) for it, trying a hint first (the socket the same
    worker thread found last time, which is the one while a kept-alive
    connection lasts). The scan only reads addresses (getsockname,
    getpeername); a descriptor another thread closes meanwhile just fails
    to match. Without /proc nothing is found and nothing is watched.
    "Gone" means the client closed its side (recv sees the end of the
    stream, or poll reports POLLRDHUP/POLLHUP/POLLERR, e.g. a reset). A
    client that half-closes (shutdown(SHUT_WR)) after its request and still
    reads the answer looks gone too; HTTP/1.1 clients do not do that, and
    nginx treats it the same way. Bytes the client sends meanwhile (a
    pipelined request) are never read here: the check only peeks.
@end
*/
#ifndef DP_CLIENT_WATCH_H_INCLUDED
#define DP_CLIENT_WATCH_H_INCLUDED

#include <stdbool.h>

typedef enum {
    DP_CLIENT_HERE,             //  connected, nothing more to read
    DP_CLIENT_SENDING,          //  connected, and has sent more bytes (readability
                                //  then says nothing: poll with dp_client_watch_check)
    DP_CLIENT_GONE              //  closed its side, or the connection broke
} dp_client_state_t;

//  The descriptor of the TCP connection whose peer is remote_addr (as
//  inet_ntop writes it) port remote_port and whose local port is
//  local_port; hint (or -1) is tried first. Returns the descriptor, or -1
//  when none matches (the caller then cannot watch the client).
int dp_client_watch_find (const char *remote_addr, int remote_port, int local_port, int hint);

//  Is the client of connection fd still there? Never blocks, never reads.
dp_client_state_t dp_client_watch_check (int fd);

void dp_client_watch_test (bool verbose);

#endif
