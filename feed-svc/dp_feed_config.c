/*  =========================================================================
    dp_feed_config - the change feed's settings

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_feed_config.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

void
dp_feed_config_init (dp_feed_config_t *config, const dp_db_config_t *db)
{
    assert (config);
    memset (config, 0, sizeof *config);
    config->db = db;
    config->server_id = 1818;
    config->status_ms = 1000;
}

size_t
dp_feed_options (dp_feed_config_t *config, dp_option_t *out, size_t max)
{
    const dp_option_t options [] = {
        { "--feed-bind", "DEPOT_FEED_BIND", DP_OPT_STRING, &config->bind,
          "ZeroMQ PUB endpoint(s) of the change feed, comma-separated (none: no feed)" },
        { "--feed-user", "DEPOT_FEED_USER", DP_OPT_STRING, &config->user,
          "MariaDB user with REPLICATION SLAVE the feed reads the binary log as (none: MYSQL_USER)" },
        { "--feed-password", "DEPOT_FEED_PASSWORD", DP_OPT_STRING, &config->password,
          "its password", true },
        { "--feed-server-id", "DEPOT_FEED_SERVER_ID", DP_OPT_INT, &config->server_id,
          "server id the feed connects with as a replica (unique among the server's replicas)" },
    };
    size_t n = sizeof options / sizeof options [0];
    assert (n <= max);
    memcpy (out, options, sizeof options);
    return n;
}

int
dp_feed_config_check (const dp_feed_config_t *config, char *err, size_t err_len)
{
    if (config->server_id < 2) {
        snprintf (err, err_len, "DEPOT_FEED_SERVER_ID must be at least 2 (the primary is 1), not %d",
                  config->server_id);
        return -1;
    }
    if (config->status_ms < 100) {
        snprintf (err, err_len, "the feed's status interval must be at least 100 ms");
        return -1;
    }
    return 0;
}

bool
dp_feed_config_enabled (const dp_feed_config_t *config)
{
    return (config->bind && *config->bind) || config->inproc;
}
