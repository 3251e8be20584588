/*  =========================================================================
    dp_test_http - a small HTTP/1.1 client over real TCP, for selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Raw HTTP/1.1 on a socket to 127.0.0.1, written byte by byte as the
    tests need it (kept-alive connections, pipelined and chunked requests,
    a client that goes away), which no library client lets a test do.
    Failures the test did not expect assert.
@end
*/
#ifndef DP_TEST_HTTP_H_INCLUDED
#define DP_TEST_HTTP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  One response as read.
typedef struct {
    int status;
    char head [4096];               //  status line and headers
    char *body;                     //  NUL-terminated; free with dp_test_http_free
    size_t body_len;
} dp_test_http_response_t;

//  A TCP connection to port on the loopback, with 10 s send and receive
//  timeouts. Caller owns the socket and must close() it.
int dp_test_http_connect (int port);

//  Write len bytes; stops quietly when the server closed (the response
//  says why).
void dp_test_http_write (int fd, const char *data, size_t len);

//  Read one response into *response (its body is the caller's: free it
//  with dp_test_http_free). Returns 0, or -1 when the connection ended
//  first.
int dp_test_http_read (int fd, dp_test_http_response_t *response);

//  Send one request on fd; headers are extra lines each ending in CRLF
//  (NULL: none), body NULL for none. close adds Connection: close.
void dp_test_http_send (int fd, const char *method, const char *path, const char *headers,
                        const char *body, bool close);

//  One request on a connection of its own (Connection: close), and its
//  response; asserts that one came.
void dp_test_http_request (int port, const char *method, const char *path, const char *headers,
                           const char *body, dp_test_http_response_t *response);

//  Free the response's body.
void dp_test_http_free (dp_test_http_response_t *response);

//  The value of header name (any case) in the response, up to the end of
//  the head; NULL when absent. Returns a borrowed pointer into response.
const char *dp_test_http_header (dp_test_http_response_t *response, const char *name);

//  Assert the status, that the body holds fragment (NULL: anything), that
//  the type is a JSON one and that the body is a JSON object.
void dp_test_http_expect (dp_test_http_response_t *response, int status, const char *fragment);

#endif
