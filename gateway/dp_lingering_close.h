/*  =========================================================================
    dp_lingering_close - ends a connection whose request body was not read

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The gateway answers some requests without reading their bodies (413
    for a body over the limit, 401, ...), and must then close the
    connection. Closing a TCP socket that still has unread bytes, or gets
    more afterwards, sends a reset, and a reset makes the client's stack
    throw away what it has not read yet: our answer. So, as nginx's
    lingering close does, the answer is written first, then our side is
    shut (FIN: the client sees the answer end), then what the client still
    sends is read and discarded until it closes its side, or for a bounded
    time and amount. Only then is the socket closed (by civetweb).
@discuss
    civetweb (1.15) does shutdown(SHUT_WR) then close() at the end of a
    connection without reading anything (it drains only on Windows), and
    its linger_timeout_ms only sets SO_LINGER, which does not prevent the
    reset: hence this class, on the socket dp_client_watch finds.
@end
*/
#ifndef DP_LINGERING_CLOSE_H_INCLUDED
#define DP_LINGERING_CLOSE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Shut the sending side of the connected socket fd (everything written so
//  far still goes out, then FIN), then read and discard what the peer
//  sends until it closes its side or breaks the connection, max_bytes
//  were discarded, or max_ms passed. Never blocks longer than max_ms. The
//  caller still owns fd and closes it. Returns true when the peer closed
//  (nothing unread is left, so closing fd sends no reset).
bool dp_lingering_close (int fd, size_t max_bytes, int max_ms);

void dp_lingering_close_test (bool verbose);

#endif
