/*  =========================================================================
    dp_live_config - live-svc's settings: defaults, options, checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_live_config.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

void
dp_live_config_defaults (dp_live_config_t *config)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->port = 5010;
    config->feed_endpoint = "tcp://feed-svc:5558";
    config->execute_endpoint = "tcp://gateway:5560";
    config->coalesce_ms = 50;
    config->deadline_ms = 10000;
    dp_validate_limits_default (&config->limits);
}

size_t
dp_live_options (dp_live_config_t *config, dp_option_t *out, size_t max)
{
    const dp_option_t options [] = {
        { "--live-port", "DEPOT_LIVE_PORT", DP_OPT_INT, &config->port,
          "WebSocket port of live updates (graphql-transport-ws)" },
        { "--live-feed", "DEPOT_LIVE_FEED_CONNECT", DP_OPT_STRING, &config->feed_endpoint,
          "the change feed's PUB endpoint" },
        { "--live-execute", "DEPOT_EXECUTE_CONNECT", DP_OPT_STRING, &config->execute_endpoint,
          "the gateway's DEPOT_EXECUTE_BIND, where subscriptions are resolved" },
        { "--live-coalesce-ms", "DEPOT_LIVE_COALESCE_MS", DP_OPT_INT, &config->coalesce_ms,
          "changes within this window make one event, 0-10000" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}

int
dp_live_config_check (const dp_live_config_t *config, char *err, size_t err_len)
{
    if (config->port < 1 || config->port > 65535) {
        snprintf (err, err_len, "DEPOT_LIVE_PORT must be 1-65535");
        return -1;
    }
    if (config->coalesce_ms < 0 || config->coalesce_ms > 10000) {
        snprintf (err, err_len, "DEPOT_LIVE_COALESCE_MS must be 0-10000");
        return -1;
    }
    return 0;
}

dp_jwt_t *
dp_live_jwt_new (const dp_gateway_config_t *gateway, char *err, size_t err_len)
{
    char *issuer = zsys_sprintf ("https://%s/", gateway->auth0_domain);
    dp_jwt_t *jwt = dp_jwt_new (gateway->public_key_pem, issuer, gateway->auth0_audience,
                                gateway->jwt_leeway_s, err, err_len);
    zstr_free (&issuer);
    return jwt;
}
