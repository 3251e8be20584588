/*  =========================================================================
    dp_test_http - a small HTTP/1.1 client over real TCP, for selftests

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Built into the gateway's selftest binary only. See dp_test_http.h.
@end
*/
#include "dp_test_http.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <czmq.h>
#include <jansson.h>

//  strstr ignoring ASCII case.
static const char *
s_find_case (const char *haystack, const char *needle)
{
    size_t len = strlen (needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp (p, needle, len) == 0)
            return p;
    return NULL;
}

int
dp_test_http_connect (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    assert (fd >= 0);
    struct timeval timeout = { 10, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int rc = connect (fd, (struct sockaddr *) &address, sizeof address);
    assert (rc == 0);
    return fd;
}

void
dp_test_http_write (int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;                 //  the server closed; the response says why
        data += n;
        len -= (size_t) n;
    }
}

//  Read one response. Returns 0, or -1 when the connection ended first.
int
dp_test_http_read (int fd, dp_test_http_response_t *response)
{
    memset (response, 0, sizeof *response);
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have == sizeof response->head - 1)
            return -1;
        ssize_t n = recv (fd, response->head + have, 1, 0);
        if (n <= 0)
            return -1;
        have++;
        response->head [have] = 0;
        end = strstr (response->head, "\r\n\r\n");
    }
    response->status = atoi (response->head + 9);
    const char *length = s_find_case (response->head, "\r\nContent-Length:");
    assert (length || response->status == 204);
    response->body_len = length ? (size_t) atol (length + 17) : 0;
    response->body = (char *) calloc (1, response->body_len + 1);
    size_t got = 0;
    while (got < response->body_len) {
        ssize_t n = recv (fd, response->body + got, response->body_len - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t) n;
    }
    return 0;
}

//  Send one request on fd; headers are extra lines each ending in CRLF.
void
dp_test_http_send (int fd, const char *method, const char *path, const char *headers,
                   const char *body, bool close)
{
    char *head = zsys_sprintf ("%s %s HTTP/1.1\r\nHost: localhost\r\n%s%s"
                               "Content-Length: %zu\r\n\r\n", method, path,
                               close ? "Connection: close\r\n" : "", headers ? headers : "",
                               body ? strlen (body) : 0);
    dp_test_http_write (fd, head, strlen (head));
    zstr_free (&head);
    if (body)
        dp_test_http_write (fd, body, strlen (body));
}

void
dp_test_http_request (int port, const char *method, const char *path, const char *headers,
                      const char *body, dp_test_http_response_t *response)
{
    int fd = dp_test_http_connect (port);
    dp_test_http_send (fd, method, path, headers, body, true);
    int rc = dp_test_http_read (fd, response);
    assert (rc == 0);
    close (fd);
}

void
dp_test_http_free (dp_test_http_response_t *response)
{
    free (response->body);
    response->body = NULL;
}

const char *
dp_test_http_header (dp_test_http_response_t *response, const char *name)
{
    char key [128];
    snprintf (key, sizeof key, "\r\n%s:", name);
    const char *at = s_find_case (response->head, key);
    return at ? at + strlen (key) + 1 : NULL;
}

//  Assert the status and that the body holds fragment.
void
dp_test_http_expect (dp_test_http_response_t *response, int status, const char *fragment)
{
    if (response->status != status || (fragment && !strstr (response->body, fragment))) {
        fprintf (stderr, "expected %d with %s, got:\n%s%s\n", status, fragment ? fragment : "-",
                 response->head, response->body);
        assert (false);
    }
    const char *type = dp_test_http_header (response, "Content-Type");
    assert (type && (strncmp (type, "application/json", 16) == 0
                  || strncmp (type, "application/graphql-response+json", 33) == 0));
    //  Every body is JSON.
    json_t *json = json_loads (response->body, 0, NULL);
    assert (json_is_object (json));
    json_decref (json);
}

