/*  =========================================================================
    dp_cors - the origins CORS allows (DEPOT_CORS_ORIGINS) and their headers

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    One copy of the setting's text, cut in place; the origins point into it.
@end
*/
#include "dp_cors.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_ORIGINS 32

struct _dp_cors_t {
    char *text;                     //  the origins list, owned (origins point into it)
    const char *origins [S_MAX_ORIGINS];
    size_t n_origins;
    bool any;                       //  "*": every origin
};

dp_cors_t *
dp_cors_new (const char *text)
{
    dp_cors_t *self = (dp_cors_t *) calloc (1, sizeof (dp_cors_t));
    if (!self)
        dp_fatal ("dp_cors: out of memory");
    if (!text || !*text)
        return self;
    self->text = strdup (text);
    if (!self->text)
        dp_fatal ("dp_cors: out of memory");
    char *saved = NULL;
    for (char *origin = strtok_r (self->text, ", ", &saved); origin;
         origin = strtok_r (NULL, ", ", &saved)) {
        if (strcmp (origin, "*") == 0)
            self->any = true;
        else
        if (self->n_origins < S_MAX_ORIGINS)
            self->origins [self->n_origins++] = origin;
        else
            dp_warn ("gateway: more than %d CORS origins; %s ignored", S_MAX_ORIGINS, origin);
    }
    return self;
}

void
dp_cors_destroy (dp_cors_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->text);
        free (*self_p);
        *self_p = NULL;
    }
}

bool
dp_cors_allowed (dp_cors_t *self, const char *origin)
{
    assert (self);
    assert (origin);
    if (self->any)
        return true;
    for (size_t i = 0; i < self->n_origins; i++)
        if (strcmp (self->origins [i], origin) == 0)
            return true;
    return false;
}

void
dp_cors_headers (dp_cors_t *self, const char *origin, char *headers, size_t size)
{
    assert (self);
    assert (headers);
    if (!origin || !*origin || strlen (origin) > 300 || !dp_cors_allowed (self, origin))
        return;
    size_t used = strlen (headers);
    snprintf (headers + used, size - used,
              "Access-Control-Allow-Origin: %s\r\n"
              "Vary: Origin\r\n"
              "Access-Control-Expose-Headers: X-Request-Id, X-Depot-Gtid\r\n",
              self->any ? "*" : origin);
}


//  --------------------------------------------------------------------------
//  Selftest

void
dp_cors_test (bool verbose)
{
    printf (" * dp_cors: ");
    char headers [1024];

    //  A list: exact origins only, echoed back.
    dp_cors_t *cors = dp_cors_new ("https://app.example, https://other.example");
    assert (dp_cors_allowed (cors, "https://app.example"));
    assert (dp_cors_allowed (cors, "https://other.example"));
    assert (!dp_cors_allowed (cors, "https://evil.example"));
    assert (!dp_cors_allowed (cors, "https://app.example/"));
    snprintf (headers, sizeof headers, "X-Request-Id: 1\r\n");
    dp_cors_headers (cors, "https://app.example", headers, sizeof headers);
    assert (strcmp (headers, "X-Request-Id: 1\r\n"
                             "Access-Control-Allow-Origin: https://app.example\r\n"
                             "Vary: Origin\r\n"
                             "Access-Control-Expose-Headers: X-Request-Id, X-Depot-Gtid\r\n") == 0);
    //  Nothing for an unlisted, absent or empty origin.
    snprintf (headers, sizeof headers, "X-Request-Id: 1\r\n");
    dp_cors_headers (cors, "https://evil.example", headers, sizeof headers);
    dp_cors_headers (cors, NULL, headers, sizeof headers);
    dp_cors_headers (cors, "", headers, sizeof headers);
    assert (strcmp (headers, "X-Request-Id: 1\r\n") == 0);
    dp_cors_destroy (&cors);
    assert (cors == NULL);

    //  "*": every origin, answered with *.
    cors = dp_cors_new ("*");
    assert (dp_cors_allowed (cors, "https://anyone.example"));
    headers [0] = 0;
    dp_cors_headers (cors, "https://anyone.example", headers, sizeof headers);
    assert (strstr (headers, "Access-Control-Allow-Origin: *\r\n"));
    dp_cors_destroy (&cors);

    //  No setting: no origin is allowed.
    cors = dp_cors_new (NULL);
    assert (!dp_cors_allowed (cors, "https://app.example"));
    dp_cors_destroy (&cors);
    dp_cors_destroy (&cors);        //  NULL is fine
    printf ("OK\n");
}
