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
    char extra [600];
    snprintf (extra, sizeof extra, "Content-Security-Policy: %s\r\n"
              "X-Content-Type-Options: nosniff\r\n"
              "Cache-Control: %s\r\n", dp_graphiql_csp (),
              strcmp (path, "/graphql") == 0 ? "no-cache" : "public, max-age=3600");
    return dp_http_reply_unread_as (ctx, 200, extra, asset->content_type, asset->data, asset->size);
}
