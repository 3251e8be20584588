/*  =========================================================================
    dp_graphiql - the GraphiQL explorer, served by the gateway itself

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    DP_GRAPHIQL_NPM (set by gateway/CMakeLists.txt when the npm packages
    are installed) is the node_modules folder; the four files are pulled
    into .rodata between start and end symbols.
@end
*/
#define _GNU_SOURCE                 //  memmem
#include "dp_graphiql.h"
#include <assert.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifdef DP_GRAPHIQL_NPM
#   define S_INCBIN(name, file) \
    __asm__ (".section .rodata\n" \
             ".balign 16\n" \
             ".hidden s_" #name "_start\n" \
             ".hidden s_" #name "_end\n" \
             "s_" #name "_start:\n" \
             ".incbin \"" DP_GRAPHIQL_NPM "/" file "\"\n" \
             "s_" #name "_end:\n" \
             ".byte 0\n" \
             ".previous\n"); \
    extern const char s_ ## name ## _start [], s_ ## name ## _end [];
S_INCBIN (graphiql_js, "graphiql/graphiql.min.js")
S_INCBIN (graphiql_css, "graphiql/graphiql.min.css")
S_INCBIN (react_js, "react/umd/react.production.min.js")
S_INCBIN (react_dom_js, "react-dom/umd/react-dom.production.min.js")
#endif

//  The page: scripts and styles only from this origin, in this order. The
//  live updates' URL, when there is one, is its meta depot-live-url: the
//  Content-Security-Policy allows no inline script to carry it.
static const char s_page [] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "  <title>Depot GraphiQL</title>\n"
    "  <link rel=\"icon\" href=\"data:,\">\n"
    "  <meta name=\"depot-live-url\" content=\"\">\n"
    "  <link rel=\"stylesheet\" href=\"/graphiql/graphiql.min.css\">\n"
    "  <link rel=\"stylesheet\" href=\"/graphiql/depot.css\">\n"
    "</head>\n"
    "<body>\n"
    "  <div id=\"graphiql\">Loading GraphiQL&hellip;</div>\n"
    "  <script src=\"/graphiql/react.production.min.js\"></script>\n"
    "  <script src=\"/graphiql/react-dom.production.min.js\"></script>\n"
    "  <script src=\"/graphiql/graphiql.min.js\"></script>\n"
    "  <script src=\"/graphiql/depot.js\"></script>\n"
    "</body>\n"
    "</html>\n";

static const char s_css [] =
    "html, body { height: 100%; margin: 0; }\n"
    "#graphiql { height: 100vh; }\n";

//  Depot's start-up script. The query editor starts with ?query= when
//  given (shareable links); the headers editor is open and starts with an
//  Authorization line to fill in, unless GraphiQL kept headers from before.
//  Subscriptions go to the live updates' URL over graphql-transport-ws:
//  GraphiQL's fetcher sends the headers as connection_init's payload, so
//  the same Authorization line serves both.
static const char s_script [] =
    "(function () {\n"
    "  'use strict';\n"
    "  var params = new URLSearchParams(window.location.search);\n"
    "  var live = document.querySelector('meta[name=\"depot-live-url\"]');\n"
    "  var options = { url: window.location.pathname };\n"
    "  if (live && live.content)\n"
    "    options.subscriptionUrl = live.content;\n"
    "  var fetcher = GraphiQL.createFetcher(options);\n"
    "  var element = React.createElement(GraphiQL, {\n"
    "    fetcher: fetcher,\n"
    "    defaultQuery: params.get('query') ||\n"
    "      '# Depot: set your token in the Headers tab below, then run a query.\\n' +\n"
    "      '{\\n  boxes(baseId: \"1\", paginationInput: {first: 5}) {\\n' +\n"
    "      '    totalCount\\n    elements { labelIdentifier state product { name } }\\n  }\\n}\\n',\n"
    "    defaultHeaders: '{\\n  \"Authorization\": \"Bearer \"\\n}',\n"
    "    defaultEditorToolsVisibility: 'headers',\n"
    "    isHeadersEditorEnabled: true,\n"
    "    shouldPersistHeaders: true\n"
    "  });\n"
    "  ReactDOM.createRoot(document.getElementById('graphiql')).render(element);\n"
    "})();\n";

#define S_JS   "text/javascript; charset=utf-8"
#define S_CSS  "text/css; charset=utf-8"

static dp_graphiql_asset_t s_assets [] = {
    { "/graphql", "text/html; charset=utf-8", s_page, sizeof s_page - 1 },
    { "/graphiql/depot.js", S_JS, s_script, sizeof s_script - 1 },
    { "/graphiql/depot.css", S_CSS, s_css, sizeof s_css - 1 },
#ifdef DP_GRAPHIQL_NPM
    { "/graphiql/graphiql.min.js", S_JS, NULL, 0 },
    { "/graphiql/graphiql.min.css", S_CSS, NULL, 0 },
    { "/graphiql/react.production.min.js", S_JS, NULL, 0 },
    { "/graphiql/react-dom.production.min.js", S_JS, NULL, 0 },
#endif
};

bool
dp_graphiql_available (void)
{
#ifdef DP_GRAPHIQL_NPM
    return true;
#else
    return false;
#endif
}

const dp_graphiql_asset_t *
dp_graphiql_asset (const char *path)
{
    assert (path);
    if (!dp_graphiql_available ())
        return NULL;
#ifdef DP_GRAPHIQL_NPM
    //  The embedded files' addresses are known only at link time; fill
    //  them in on the first call (the values are the same on every call,
    //  so concurrent first calls write the same words).
    const char *starts [] = { s_graphiql_js_start, s_graphiql_css_start,
                              s_react_js_start, s_react_dom_js_start };
    const char *ends [] = { s_graphiql_js_end, s_graphiql_css_end,
                            s_react_js_end, s_react_dom_js_end };
    for (size_t i = 0; i < 4; i++) {
        s_assets [3 + i].data = starts [i];
        s_assets [3 + i].size = (size_t) (ends [i] - starts [i]);
    }
#endif
    for (size_t i = 0; i < sizeof s_assets / sizeof s_assets [0]; i++)
        if (strcmp (s_assets [i].path, path) == 0)
            return &s_assets [i];
    return NULL;
}

#define S_META "<meta name=\"depot-live-url\" content=\""

char *
dp_graphiql_page (const char *live_url, size_t *size_p)
{
    assert (size_p);
    const dp_graphiql_asset_t *page = dp_graphiql_asset ("/graphql");
    if (!page)
        return NULL;
    //  The URL was checked (dp_graphiql_live_url_check): nothing in it to escape.
    const char *meta = strstr (page->data, S_META) + strlen (S_META);
    size_t head = (size_t) (meta - page->data);
    size_t url = live_url ? strlen (live_url) : 0;
    char *text = (char *) malloc (page->size + url + 1);
    assert (text);
    memcpy (text, page->data, head);
    if (url)
        memcpy (text + head, live_url, url);
    memcpy (text + head + url, meta, page->size - head + 1);
    *size_p = page->size + url;
    return text;
}

int
dp_graphiql_live_url_check (const char *live_url, char *err, size_t err_len)
{
    assert (live_url);
    bool scheme = strncmp (live_url, "ws://", 5) == 0 || strncmp (live_url, "wss://", 6) == 0;
    size_t plain = strspn (live_url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789.-_~:/[]");
    if (!scheme || plain != strlen (live_url) || strlen (live_url) > 200) {
        snprintf (err, err_len, "DEPOT_LIVE_URL must be a ws:// or wss:// URL of letters, digits "
                  "and . - _ ~ : / [ ] (at most 200), not %.80s", live_url);
        return -1;
    }
    return 0;
}

void
dp_graphiql_csp (const char *live_url, char *buffer, size_t size)
{
    //  The live updates' origin (scheme, host, port): its path is not a
    //  connect-src matter.
    int origin = 0;
    if (live_url) {
        const char *host = strstr (live_url, "://") + 3;
        origin = (int) (host - live_url) + (int) strcspn (host, "/");
    }
    snprintf (buffer, size, "default-src 'self'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; font-src 'self' data:; connect-src 'self'%s%.*s; "
              "frame-ancestors 'none'", live_url ? " " : "", origin, live_url ? live_url : "");
}

void
dp_graphiql_test (bool verbose)
{
    printf (" * dp_graphiql: ");
    if (!dp_graphiql_available ()) {
        assert (dp_graphiql_asset ("/graphql") == NULL);
        printf ("OK (built without the npm assets)\n");
        return;
    }
    //  The page names every asset it loads, and each is served whole.
    const dp_graphiql_asset_t *page = dp_graphiql_asset ("/graphql");
    assert (page && strstr (page->content_type, "text/html"));
    assert (strlen (page->data) == page->size);
    const char *needles [] = { "/graphiql/graphiql.min.css", "/graphiql/react.production.min.js",
                               "/graphiql/react-dom.production.min.js",
                               "/graphiql/graphiql.min.js", "/graphiql/depot.js",
                               "/graphiql/depot.css" };
    for (size_t i = 0; i < sizeof needles / sizeof needles [0]; i++) {
        assert (strstr (page->data, needles [i]));
        const dp_graphiql_asset_t *asset = dp_graphiql_asset (needles [i]);
        assert (asset && asset->size > 0 && asset->data);
        assert (strstr (asset->content_type, strstr (needles [i], ".css") ? "text/css"
                                                                          : "text/javascript"));
    }
    //  The embedded files are the npm packages' builds: React 18, GraphiQL
    //  3 (its UMD build defines the GraphiQL global), the CSS.
    const dp_graphiql_asset_t *react = dp_graphiql_asset ("/graphiql/react.production.min.js");
    assert (react->size > 5000 && react->size < 100000);
    assert (memmem (react->data, react->size, "18.", 3));
    const dp_graphiql_asset_t *graphiql = dp_graphiql_asset ("/graphiql/graphiql.min.js");
    assert (graphiql->size > 1000000);
    assert (memmem (graphiql->data, graphiql->size, "createFetcher", 13));
    const dp_graphiql_asset_t *css = dp_graphiql_asset ("/graphiql/graphiql.min.css");
    assert (memmem (css->data, css->size, ".graphiql-container", 19));
    //  Nothing else is served, and nothing from another origin is named.
    assert (dp_graphiql_asset ("/graphiql/") == NULL);
    assert (dp_graphiql_asset ("/graphiql/../etc/passwd") == NULL);
    assert (!strstr (page->data, "http"));
    char csp [512];
    dp_graphiql_csp (NULL, csp, sizeof csp);
    assert (strstr (csp, "default-src 'self'") && strstr (csp, "connect-src 'self';"));
    //  A live updates' URL: in the page's meta, its origin in connect-src.
    size_t size;
    char *live = dp_graphiql_page ("ws://localhost:5010/", &size);
    assert (strlen (live) == size && size == page->size + 20);
    assert (strstr (live, "<meta name=\"depot-live-url\" content=\"ws://localhost:5010/\">"));
    free (live);
    live = dp_graphiql_page (NULL, &size);
    assert (size == page->size && strcmp (live, page->data) == 0);
    free (live);
    dp_graphiql_csp ("wss://live.example.org:8443/x", csp, sizeof csp);
    assert (strstr (csp, "connect-src 'self' wss://live.example.org:8443; "));
    char err [256];
    assert (dp_graphiql_live_url_check ("ws://127.0.0.1:5010/", err, sizeof err) == 0);
    assert (dp_graphiql_live_url_check ("http://x/", err, sizeof err) == -1);
    assert (dp_graphiql_live_url_check ("ws://x/\"><script>", err, sizeof err) == -1);
    assert (strstr (err, "DEPOT_LIVE_URL"));
    if (verbose)
        printf ("(graphiql.min.js %zu bytes) ", graphiql->size);
    printf ("OK\n");
}
