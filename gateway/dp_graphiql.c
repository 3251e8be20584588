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

//  The page: scripts and styles only from this origin, in this order.
static const char s_page [] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "  <title>Depot GraphiQL</title>\n"
    "  <link rel=\"icon\" href=\"data:,\">\n"
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
static const char s_script [] =
    "(function () {\n"
    "  'use strict';\n"
    "  var params = new URLSearchParams(window.location.search);\n"
    "  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });\n"
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

const char *
dp_graphiql_csp (void)
{
    return "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
           "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
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
    assert (strstr (dp_graphiql_csp (), "default-src 'self'"));
    if (verbose)
        printf ("(graphiql.min.js %zu bytes) ", graphiql->size);
    printf ("OK\n");
}
