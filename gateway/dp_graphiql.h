/*  =========================================================================
    dp_graphiql - the GraphiQL explorer, served by the gateway itself

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    GET /graphql from a browser (Accept prefers text/html) gets Depot's
    explorer page; its scripts and styles are served from /graphiql/. The
    page loads React 18 and graphiql 3 as UMD builds (no bundler) and
    Depot's own small start-up script, which renders GraphiQL against
    /graphql with the headers editor open, so a bearer token can be set
    ({"Authorization": "Bearer ..."}); GraphiQL keeps it in localStorage.
    With DEPOT_LIVE_URL, subscriptions run there (live-svc), the same
    headers sent as graphql-transport-ws' connection_init payload.
@discuss
    The assets come from npm (tests/js/package.json pins graphiql, react
    and react-dom) and are embedded in the binary at build time with the
    assembler's .incbin, so nothing is fetched from a CDN or read from
    disk at run time and the one-process binary stays self-contained. A
    build made without them (npm was not available) still serves the
    page's route, with a JSON 404 that says so: dp_graphiql_available.
    Every asset is sent with a Content-Security-Policy that allows only
    this origin (GraphiQL needs inline styles).
@end
*/
#ifndef DP_GRAPHIQL_H_INCLUDED
#define DP_GRAPHIQL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *path;               //  e.g. "/graphiql/graphiql.min.js"
    const char *content_type;       //  e.g. "text/javascript; charset=utf-8"
    const char *data;               //  the bytes, static
    size_t size;
} dp_graphiql_asset_t;

//  Were the assets built in?
bool dp_graphiql_available (void);

//  The asset served at path (the page is "/graphql"), or NULL. Returns a
//  pointer to static data.
const dp_graphiql_asset_t *dp_graphiql_asset (const char *path);

//  The page, its meta depot-live-url set to live_url (checked, or NULL for
//  none: no subscriptions). Returns NULL when the assets are not built in.
//  Caller owns return value and must free it.
char *dp_graphiql_page (const char *live_url, size_t *size_p);

//  Is live_url fit for the page and the policy: ws:// or wss://, nothing to
//  escape? Returns 0, or -1 with err filled.
int dp_graphiql_live_url_check (const char *live_url, char *err, size_t err_len);

//  The Content-Security-Policy value sent with the page and assets, into
//  buffer: this origin only, and live_url's origin (or NULL) to connect to.
void dp_graphiql_csp (const char *live_url, char *buffer, size_t size);

void dp_graphiql_test (bool verbose);

#endif
