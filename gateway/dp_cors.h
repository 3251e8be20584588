/*  =========================================================================
    dp_cors - the origins CORS allows (DEPOT_CORS_ORIGINS) and their headers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The list of exact origins, or "*" for every one, read once from the
    setting's text and then only read by the worker threads. Answers to an
    allowed Origin carry Access-Control-Allow-Origin (the origin itself,
    or * for "*"), Vary: Origin and Access-Control-Expose-Headers:
    X-Request-Id; an Origin that is not allowed gets no CORS header, so
    the browser refuses the answer to its page.
@end
*/
#ifndef DP_CORS_H_INCLUDED
#define DP_CORS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _dp_cors_t dp_cors_t;

//  Read the origins from text: comma- or blank-separated origins, or "*"
//  (NULL or "" allows none). At most 32 origins are kept; the rest are
//  ignored with a warning. Caller owns the result and must destroy it with
//  dp_cors_destroy.
dp_cors_t *dp_cors_new (const char *text);

//  Destroy; accepts NULL and nulls the caller's reference.
void dp_cors_destroy (dp_cors_t **self_p);

//  Is origin allowed? (Exact, case-sensitive match, as browsers send it.)
bool dp_cors_allowed (dp_cors_t *self, const char *origin);

//  Append the CORS header lines for an answer to a request whose Origin
//  header is origin (NULL when absent) to the NUL-terminated lines in
//  headers (size bytes in all), each line ending in CRLF. Nothing is added
//  for a missing, empty, longer than 300 bytes or unlisted origin.
void dp_cors_headers (dp_cors_t *self, const char *origin, char *headers, size_t size);

void dp_cors_test (bool verbose);

#endif
