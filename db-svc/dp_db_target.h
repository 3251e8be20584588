/*  =========================================================================
    dp_db_target - which MariaDB server a statement runs on: the primary, or
    the read replica

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    db-svc always drives the primary (MYSQL_HOST, MYSQL_PORT, MYSQL_SOCKET)
    and, when one is configured, a read replica (MYSQL_REPLICA_HOST,
    MYSQL_REPLICA_PORT, MYSQL_REPLICA_SOCKET) with the same user, password
    and database, as boxtribute routes its statistics to one. This class
    holds the rule that picks the server; the DB actor gives each target its
    own pool of connections, its own reconnect backoff and its own control
    connection for KILL QUERY (a KILL reaches only the server it is sent
    to, so a statement is cancelled on the server it runs on).
@discuss
    The rule has two steps. What a statement needs (dp_db_target_access): a
    read outside a transaction may run on either server; a write, and any
    statement inside a transaction (its reads too: they must see the
    transaction's own writes and hold its locks), needs the primary. Phase
    1 has reads only (LOAD and QUERY); every other kind of message needs
    the primary, so a write path added later is safe before it says more.
    Where it runs now (dp_db_target_route): a primary-only statement on the
    primary; a read on the replica while at least one replica connection
    is up, else on the primary (fallback), and on the replica again as
    soon as one of its connections is back.

    A replica lags behind the primary by its replication delay, so a read
    it answers may be slightly stale. Boxtribute accepts that for its
    statistics; Depot accepts it for every read outside a transaction.
    A request that must read its own writes does so inside its transaction,
    which runs on the primary, or, after it, carries the GTID position its
    COMMIT answered: the DB actor then reads on the replica only once the
    replica has applied it (MASTER_GTID_WAIT), else on the primary.
@end
*/
#ifndef DP_DB_TARGET_H_INCLUDED
#define DP_DB_TARGET_H_INCLUDED

#include "dp_db_config.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    DP_DB_PRIMARY = 0,
    DP_DB_REPLICA = 1
} dp_db_target_t;

#define DP_DB_TARGETS 2

typedef enum {
    DP_DB_ACCESS_READ,          //  a read outside a transaction: the replica or the primary
    DP_DB_ACCESS_PRIMARY        //  a write, or any statement of a transaction: the primary only
} dp_db_access_t;

//  "primary" or "replica" (for logs).
const char *dp_db_target_name (dp_db_target_t target);

//  True when config names a replica: MYSQL_REPLICA_HOST or
//  MYSQL_REPLICA_SOCKET is set and not empty.
bool dp_db_target_has_replica (const dp_db_config_t *config);

//  Connections in target's pool: pool_size for the primary;
//  replica_pool_size (0: pool_size) for a configured replica, 0 without.
int dp_db_target_pool_size (const dp_db_config_t *config, dp_db_target_t target);

//  Fill out with config, its server (host, port, socket) replaced by
//  target's: what dp_db_conn_new needs. out's strings are borrowed from
//  config and valid as long as config's.
void dp_db_target_config (const dp_db_config_t *config, dp_db_target_t target,
                          dp_db_config_t *out);

//  Write target's server into buf for logs ("socket /run/x.sock",
//  "db.example:3306"); never the password. Returns buf.
const char *dp_db_target_describe (const dp_db_config_t *config, dp_db_target_t target,
                                   char *buf, size_t len);

//  What a statement needs, by the type of the message (dp_msg_type_t) it
//  serves and whether it runs inside a transaction.
dp_db_access_t dp_db_target_access (int msg_type, bool in_transaction);

//  The server a statement with access runs on now, given whether a
//  replica connection is up (false when there is no replica).
dp_db_target_t dp_db_target_route (dp_db_access_t access, bool replica_up);

//  Selftest (needs no database).
void dp_db_target_test (bool verbose);

#endif
