/*  =========================================================================
    dp_feed_config - the change feed's settings

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    What the feed actor (dp_feed_actor) is configured with: the MariaDB
    server and database (the DB actor's settings, dp_db_config_t, so
    MYSQL_* mean the same everywhere), the user it follows the binary log
    as when it is another one, and where it publishes. A plain struct the
    caller embeds; strings are borrowed, the actor copies what it keeps.
@end
*/
#ifndef DP_FEED_CONFIG_H_INCLUDED
#define DP_FEED_CONFIG_H_INCLUDED

#include "dp_db_config.h"
#include "dp_options.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const dp_db_config_t *db;   //  server, database, user and password (borrowed)
    const char *user;           //  the binlog's user (REPLICATION SLAVE); NULL: db's
    const char *password;       //  its password; NULL: db's when user is NULL
    const char *bind;           //  PUB endpoints, comma-separated; NULL or "": no feed
    const char *inproc;         //  one more PUB endpoint (depot: the gateway's), or NULL
    const char *writes;         //  PULL endpoint db-svc pushes Depot's own committed writes
                                //  to (published in fallback mode), or NULL
    int server_id;              //  the id the feed connects with as a replica (>= 2)
    int status_ms;              //  FEED_STATUS every this often (>= 100)
} dp_feed_config_t;

//  Fill config with the defaults: db as given, user and password NULL, no
//  endpoints, server_id 1818, status_ms 1000.
void dp_feed_config_init (dp_feed_config_t *config, const dp_db_config_t *db);

//  Write the feed's settings (DEPOT_FEED_BIND, DEPOT_FEED_USER,
//  DEPOT_FEED_PASSWORD, DEPOT_FEED_SERVER_ID) into out (feed-svc adds
//  DEPOT_FEED_WRITES_BIND; depot fixes it to inproc://), at most max entries,
//  and return how many. Asserts when max is too small.
size_t dp_feed_options (dp_feed_config_t *config, dp_option_t *out, size_t max);

//  Returns 0, or -1 with err filled naming the setting: server_id 2 to
//  2^32 - 1, status_ms at least 100.
int dp_feed_config_check (const dp_feed_config_t *config, char *err, size_t err_len);

//  True when the feed publishes anywhere.
bool dp_feed_config_enabled (const dp_feed_config_t *config);

#endif
