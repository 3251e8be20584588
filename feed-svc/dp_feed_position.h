/*  =========================================================================
    dp_feed_position - the feed's stored position: GTID and sequence number

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The row of depot_feed_position (db/feed.sql). The feed stores what it
    published a status interval before (dp_feed_actor), so after a crash
    it resumes there: what it published since is published again, with the
    same sequence numbers, which subscribers drop as seen.
    Written with sql_log_bin=0 when the user may (the feed's own bookkeeping
    need not reach the binary log or replicas); when it may not, these
    writes reach the binary log and the feed skips them as Depot's own
    table.
@end
*/
#ifndef DP_FEED_POSITION_H_INCLUDED
#define DP_FEED_POSITION_H_INCLUDED

#include "dp_gtid.h"
#include <mysql.h>
#include <stdint.h>

//  Read the stored position into gtid (DP_GTID_MAX + 1 bytes) and *seq.
//  Returns 1 when there is one, 0 when none was stored yet, -1 with err
//  filled when it could not be read (no table: db/feed.sql not loaded).
int dp_feed_position_load (MYSQL *mysql, char *gtid, uint64_t *seq, char *err, size_t err_len);

//  Store gtid (a valid position or "") and seq. Returns 0, or -1 with err.
int dp_feed_position_store (MYSQL *mysql, const char *gtid, uint64_t seq,
                            char *err, size_t err_len);

#endif
