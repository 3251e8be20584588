/*  =========================================================================
    dp_db_target - which MariaDB server a statement runs on: the primary, or
    the read replica

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The routing rule and each target's connection settings; see
    dp_db_target.h for the rule and why. The DB actor asks here, and keeps
    the pools.
@end
*/
#include "dp_db_target.h"
#include "dp_msg.h"
#include <czmq.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

const char *
dp_db_target_name (dp_db_target_t target)
{
    return target == DP_DB_REPLICA? "replica": "primary";
}

bool
dp_db_target_has_replica (const dp_db_config_t *config)
{
    assert (config);
    return (config->replica_host && *config->replica_host)
        || (config->replica_socket && *config->replica_socket);
}

int
dp_db_target_pool_size (const dp_db_config_t *config, dp_db_target_t target)
{
    assert (config);
    int primary = config->pool_size > 0? config->pool_size: 1;
    if (target == DP_DB_PRIMARY)
        return primary;
    if (!dp_db_target_has_replica (config))
        return 0;
    return config->replica_pool_size > 0? config->replica_pool_size: primary;
}

void
dp_db_target_config (const dp_db_config_t *config, dp_db_target_t target, dp_db_config_t *out)
{
    assert (config);
    assert (out);
    *out = *config;
    if (target == DP_DB_REPLICA) {
        out->host = config->replica_host;
        out->port = config->replica_port;
        out->socket = config->replica_socket;
    }
}

const char *
dp_db_target_describe (const dp_db_config_t *config, dp_db_target_t target, char *buf, size_t len)
{
    dp_db_config_t server;
    dp_db_target_config (config, target, &server);
    //  As the connector reads them: a socket wins over "localhost" or no host.
    bool has_host = server.host && *server.host && strcmp (server.host, "localhost") != 0;
    if (has_host)
        snprintf (buf, len, "%s:%d", server.host, server.port > 0? server.port: 3306);
    else
    if (server.socket && *server.socket)
        snprintf (buf, len, "socket %s", server.socket);
    else
        snprintf (buf, len, "the default socket");
    return buf;
}

dp_db_access_t
dp_db_target_access (int msg_type, bool in_transaction)
{
    //  Inside a transaction everything stays on its connection, which is a
    //  primary's: its reads must see its writes.
    if (in_transaction)
        return DP_DB_ACCESS_PRIMARY;
    switch (msg_type) {
        case DP_MSG_LOAD:
        case DP_MSG_QUERY:
            return DP_DB_ACCESS_READ;
        default:
            //  Not known to be a read: the primary, so that a new kind of
            //  message never writes to a replica by omission.
            return DP_DB_ACCESS_PRIMARY;
    }
}

dp_db_target_t
dp_db_target_route (dp_db_access_t access, bool replica_up)
{
    if (access == DP_DB_ACCESS_READ && replica_up)
        return DP_DB_REPLICA;
    return DP_DB_PRIMARY;
}


//  --------------------------------------------------------------------------
//  Selftest

void
dp_db_target_test (bool verbose)
{
    printf (" * dp_db_target: ");
    if (verbose)
        printf ("\n");

    //  Reads outside a transaction: the replica when it is up, else the
    //  primary.
    assert (dp_db_target_access (DP_MSG_LOAD, false) == DP_DB_ACCESS_READ);
    assert (dp_db_target_access (DP_MSG_QUERY, false) == DP_DB_ACCESS_READ);
    assert (dp_db_target_route (DP_DB_ACCESS_READ, true) == DP_DB_REPLICA);
    assert (dp_db_target_route (DP_DB_ACCESS_READ, false) == DP_DB_PRIMARY);

    //  In a transaction, reads too go to the primary, replica up or not.
    assert (dp_db_target_access (DP_MSG_LOAD, true) == DP_DB_ACCESS_PRIMARY);
    assert (dp_db_target_access (DP_MSG_QUERY, true) == DP_DB_ACCESS_PRIMARY);
    assert (dp_db_target_route (DP_DB_ACCESS_PRIMARY, true) == DP_DB_PRIMARY);
    assert (dp_db_target_route (DP_DB_ACCESS_PRIMARY, false) == DP_DB_PRIMARY);

    //  Any message not known to be a read needs the primary (phase 1 has
    //  no write message; these stand for the ones to come).
    assert (dp_db_target_access (DP_MSG_EXECUTE, false) == DP_DB_ACCESS_PRIMARY);
    assert (dp_db_target_access (DP_MSG_HEARTBEAT, false) == DP_DB_ACCESS_PRIMARY);
    assert (dp_db_target_access (9999, false) == DP_DB_ACCESS_PRIMARY);

    //  Settings: no replica unless a host or socket names one; the replica
    //  pool defaults to the primary's size; the replica's server replaces
    //  the primary's, the credentials stay.
    dp_db_config_t config;
    dp_db_config_init (&config);
    config.socket = "/run/primary.sock";
    config.user = "depot";
    assert (!dp_db_target_has_replica (&config));
    assert (dp_db_target_pool_size (&config, DP_DB_REPLICA) == 0);
    config.replica_socket = "";
    assert (!dp_db_target_has_replica (&config));
    config.replica_socket = "/run/replica.sock";
    assert (dp_db_target_has_replica (&config));
    assert (dp_db_target_pool_size (&config, DP_DB_PRIMARY) == config.pool_size);
    assert (dp_db_target_pool_size (&config, DP_DB_REPLICA) == config.pool_size);
    config.replica_pool_size = 3;
    assert (dp_db_target_pool_size (&config, DP_DB_REPLICA) == 3);
    dp_db_config_t server;
    dp_db_target_config (&config, DP_DB_REPLICA, &server);
    assert (streq (server.socket, "/run/replica.sock") && !server.host && server.port == 0);
    assert (streq (server.user, "depot") && streq (server.database, "dropapp_dev"));
    dp_db_target_config (&config, DP_DB_PRIMARY, &server);
    assert (streq (server.socket, "/run/primary.sock"));
    char text [128];
    assert (streq (dp_db_target_describe (&config, DP_DB_REPLICA, text, sizeof text),
                   "socket /run/replica.sock"));
    config.replica_socket = NULL;
    config.replica_host = "replica.example";
    config.replica_port = 3307;
    assert (dp_db_target_has_replica (&config));
    assert (streq (dp_db_target_describe (&config, DP_DB_REPLICA, text, sizeof text),
                   "replica.example:3307"));
    assert (streq (dp_db_target_name (DP_DB_REPLICA), "replica"));
    assert (streq (dp_db_target_name (DP_DB_PRIMARY), "primary"));
    printf ("OK\n");
}
