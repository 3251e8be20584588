/*  =========================================================================
    dp_feed_position - the feed's stored position: GTID and sequence number

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
*/
#include "dp_feed_position.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
dp_feed_position_load (MYSQL *mysql, char *gtid, uint64_t *seq, char *err, size_t err_len)
{
    MYSQL_RES *res;
    if (mysql_query (mysql, "SELECT gtid, seq FROM depot_feed_position WHERE id = 1")
    ||  !(res = mysql_store_result (mysql))) {
        snprintf (err, err_len, "reading depot_feed_position (db/feed.sql): %s", mysql_error (mysql));
        return -1;
    }
    MYSQL_ROW row = mysql_fetch_row (res);
    int found = row != NULL;
    if (found) {
        snprintf (gtid, DP_GTID_MAX + 1, "%s", row [0]);
        *seq = strtoull (row [1], NULL, 10);
    }
    mysql_free_result (res);
    if (found && *gtid && !dp_gtid_valid (gtid, strlen (gtid))) {
        snprintf (err, err_len, "depot_feed_position holds no GTID position: '%s'", gtid);
        return -1;
    }
    return found;
}

int
dp_feed_position_store (MYSQL *mysql, const char *gtid, uint64_t seq, char *err, size_t err_len)
{
    if (*gtid && !dp_gtid_valid (gtid, strlen (gtid))) {
        snprintf (err, err_len, "not a GTID position: '%s'", gtid);
        return -1;
    }
    //  A valid position is digits, '-' and ',' only: nothing to escape.
    char sql [DP_GTID_MAX + 200];
    snprintf (sql, sizeof sql,
        "INSERT INTO depot_feed_position (id, gtid, seq, updated) VALUES (1, '%s', %" PRIu64
        ", UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE gtid = VALUES(gtid), seq = VALUES(seq),"
        " updated = VALUES(updated)", gtid, seq);
    if (mysql_query (mysql, sql)) {
        snprintf (err, err_len, "storing the feed's position: %s", mysql_error (mysql));
        return -1;
    }
    return 0;
}
