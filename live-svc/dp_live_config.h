/*  =========================================================================
    dp_live_config - live-svc's settings: defaults, options, checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#ifndef DP_LIVE_CONFIG_H_INCLUDED
#define DP_LIVE_CONFIG_H_INCLUDED

#include "dp_live_actor.h"
#include "dp_options.h"

//  Fill config with the defaults: port 5010, coalescing 50 ms, deadline 10 s.
void dp_live_config_defaults (dp_live_config_t *config);

//  live-svc's own options (DEPOT_LIVE_*) into out; returns how many.
size_t dp_live_options (dp_live_config_t *config, dp_option_t *out, size_t max);

//  Returns 0, or -1 with err filled when a setting is out of range.
int dp_live_config_check (const dp_live_config_t *config, char *err, size_t err_len);

#endif
