/*  =========================================================================
    dp_route_graphiql - the GraphiQL explorer's page and assets

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_route_graphiql.h. The assets themselves are dp_graphiql's.
@end
*/
#include "dp_route_graphiql.h"
#include "dp_graphiql.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The explorer's page or one of its assets.
int
dp_route_graphiql (dp_http_ctx_t *ctx, const char *path)
{
    const dp_graphiql_asset_t *asset = ctx->server->graphiql ? dp_graphiql_asset (path) : NULL;
    if (!asset) {
        const char *message = ctx->server->graphiql && !dp_graphiql_available ()
            ? "GraphiQL is not built into this gateway: its npm assets were not installed at build time."
            : "Not found.";
        return dp_http_reply_unread_error (ctx, 404, NULL, message);
    }
    bool page = strcmp (path, "/graphql") == 0;
    char csp [512], extra [800];
    dp_graphiql_csp (ctx->server->live_url, csp, sizeof csp);
    snprintf (extra, sizeof extra, "Content-Security-Policy: %s\r\n"
              "X-Content-Type-Options: nosniff\r\n"
              "Cache-Control: %s\r\n", csp, page ? "no-cache" : "public, max-age=3600");
    if (!page)
        return dp_http_reply_unread_as (ctx, 200, extra, asset->content_type, asset->data,
                                        asset->size);
    size_t size;
    char *text = dp_graphiql_page (ctx->server->live_url, &size);
    int status = dp_http_reply_unread_as (ctx, 200, extra, asset->content_type, text, size);
    free (text);
    return status;
}
