/*  =========================================================================
    dp_live_config - live-svc's settings: defaults, options, checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_LIVE_CONFIG_H_INCLUDED
#define DP_LIVE_CONFIG_H_INCLUDED

#include "dp_live_actor.h"
#include "dp_options.h"
#include "dp_gateway_config.h"

//  Fill config with the defaults: port 5010, coalescing 50 ms, deadline 10 s.
void dp_live_config_defaults (dp_live_config_t *config);

//  live-svc's own options (DEPOT_LIVE_*) into out; returns how many.
size_t dp_live_options (dp_live_config_t *config, dp_option_t *out, size_t max);

//  Returns 0, or -1 with err filled when a setting is out of range.
int dp_live_config_check (const dp_live_config_t *config, char *err, size_t err_len);

//  The verifier of subscribers' tokens, from the gateway's settings (issuer
//  https://<AUTH0_DOMAIN>/, audience, key, leeway), so both accept the same
//  tokens. Returns NULL with err filled when the key is unusable. Caller
//  owns return value and must destroy it with dp_jwt_destroy.
dp_jwt_t *dp_live_jwt_new (const dp_gateway_config_t *gateway, char *err, size_t err_len);

#endif
