/*  =========================================================================
    dp_db_counts - ManageBoxes' counts kept between requests while the
    change feed vouches that nothing they count has changed, and the
    feed's vouching and per-table stamps that kept rows use too

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    `boxes.totalCount` is a COUNT over a base's boxes (2 to 4 ms of
    MariaDB's CPU for 8,000 boxes, the page's largest statement), asked
    again on every page although it changes only when boxes, locations,
    products or tag relations do. db-svc keeps each count it ran, under its
    SQL text (one per base and filter), and answers it again only when
    both hold:
      - the feed has said nothing of those tables since the count ran: any
        CHANGE of them, a gap in sequence numbers, a RESYNC, a restarted
        feed or the fallback mode empties the cache;
      - the feed vouches for every transaction committed so far: the
        request reads @@gtid_binlog_pos after it arrived, and the feed's
        last FEED_STATUS (its position read through, sent after the
        CHANGEs of everything before it) covers that position, in binlog
        mode, and came within DP_DB_COUNTS_SILENCE_MS.
    A count is stored under the generation it was asked at; one whose
    tables changed while it ran is not kept. So a count served equals a
    COUNT(*) run at the request's own @@gtid_binlog_pos read.
@discuss
    Why the FEED_STATUS position and not each CHANGE's GTID: a
    transaction's CHANGEs arrive one message at a time, and crediting the
    first would vouch for the transaction before its later CHANGEs (a box
    after its history row) were seen. The status comes once a second, so
    after a write the cache answers again within about a second.
@end
*/
#ifndef DP_DB_COUNTS_H_INCLUDED
#define DP_DB_COUNTS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_DB_COUNTS_MAX        4096    //  counts kept; a full cache starts again empty
#define DP_DB_COUNTS_SILENCE_MS 3000    //  no FEED_STATUS for this long: the feed is absent

typedef struct _dp_db_counts_t dp_db_counts_t;

//  An empty cache that vouches for nothing until the feed's first
//  FEED_STATUS in binlog mode. Caller owns it, destroys it with
//  dp_db_counts_destroy.
dp_db_counts_t *dp_db_counts_new (void);

//  Destroy the cache and null *self_p; NULL is fine.
void dp_db_counts_destroy (dp_db_counts_t **self_p);

//  Apply one message of the change feed (size bytes at data) received at
//  now_ms (zclock_mono). A message that does not decode empties the cache
//  (something may have been missed) and is otherwise ignored.
void dp_db_counts_feed (dp_db_counts_t *self, const void *data, size_t size, int64_t now_ms);

//  True when the feed may vouch for counts at now_ms (binlog mode, heard
//  within DP_DB_COUNTS_SILENCE_MS): else a count just runs, with no read
//  of the binary log's position first.
bool dp_db_counts_live (const dp_db_counts_t *self, int64_t now_ms);

//  The generation to ask a count under: pass it to dp_db_counts_put.
uint64_t dp_db_counts_generation (const dp_db_counts_t *self);

//  True, with *count, when key (the COUNT's SQL text) has a count the
//  feed vouches for at binlog_pos (the server's @@gtid_binlog_pos read
//  for this request; "" when it has none) at now_ms.
bool dp_db_counts_get (dp_db_counts_t *self, const char *key, const char *binlog_pos,
                       int64_t now_ms, int64_t *count);

//  Keep count for key (copied), asked under generation: dropped when the
//  counted tables changed since.
void dp_db_counts_put (dp_db_counts_t *self, const char *key, uint64_t generation,
                       int64_t count);

//  True when the feed vouches, at now_ms, for every transaction committed
//  up to binlog_pos (the server's @@gtid_binlog_pos read after a request
//  arrived; "" when it has none): whatever it kept since then is exact
//  there, unless its stamp changed.
bool dp_db_counts_vouches (const dp_db_counts_t *self, const char *binlog_pos, int64_t now_ms);

//  A stamp of what the feed said of tables [0..n_tables): it changes
//  whenever one of them changes, and whenever anything may have been
//  missed (a gap, a RESYNC, a status that does not follow). Something read
//  from those tables and kept under the stamp read before its statement
//  ran is exact wherever dp_db_counts_vouches while the stamp stays the
//  same (dp_db_kept_rows).
uint64_t dp_db_counts_stamp (dp_db_counts_t *self, const char *const *tables, size_t n_tables);

//  Counts answered from the cache, and counts run, since start.
uint64_t dp_db_counts_hits (const dp_db_counts_t *self);
uint64_t dp_db_counts_misses (const dp_db_counts_t *self);

//  Selftest (needs no database).
void dp_db_counts_test (bool verbose);

#endif
