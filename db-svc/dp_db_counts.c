/*  =========================================================================
    dp_db_counts - ManageBoxes' counts kept between requests while the
    change feed vouches that nothing they count has changed

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_counts.h.
@end
*/
#include "dp_db_counts.h"
#include "dp_change.h"
#include "dp_gtid.h"
#include "dp_log.h"
#include <czmq.h>
#include <assert.h>
#include <string.h>

//  The tables a boxes count reads: the boxes, the base's locations, the
//  products a gender or category filter names, the tags a tag filter names.
static const char *const s_counted [] = { "stock", "locations", "products", "tags_relations" };

typedef struct {
    int64_t count;
} s_entry_t;

struct _dp_db_counts_t {
    zhashx_t *entries;          //  SQL text -> s_entry_t, all of the current generation
    uint64_t generation;        //  grows whenever the kept counts may be wrong
    uint64_t epoch;             //  grows whenever anything kept may be wrong (a gap, a
                                //  RESYNC, a status that does not follow, garbage)
    zhashx_t *changes;          //  table name -> CHANGEs of it applied (uint64_t *)
    bool binlog;                //  the last FEED_STATUS said binlog mode
    bool have_seq;
    uint64_t last_seq;          //  the last sequence number applied
    char vouched [DP_GTID_MAX + 1];     //  the feed's position read through ("" none)
    int64_t heard_ms;           //  zclock_mono of the last FEED_STATUS, 0 never
    uint64_t hits, misses;
};

static void
s_entry_free (void **item)
{
    free (*item);
    *item = NULL;
}

dp_db_counts_t *
dp_db_counts_new (void)
{
    dp_db_counts_t *self = calloc (1, sizeof *self);
    if (!self)
        dp_fatal ("out of memory");
    self->entries = zhashx_new ();
    if (!self->entries)
        dp_fatal ("out of memory");
    zhashx_set_destructor (self->entries, s_entry_free);
    self->changes = zhashx_new ();
    if (!self->changes)
        dp_fatal ("out of memory");
    zhashx_set_destructor (self->changes, s_entry_free);
    return self;
}

void
dp_db_counts_destroy (dp_db_counts_t **self_p)
{
    assert (self_p);
    dp_db_counts_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->entries);
    zhashx_destroy (&self->changes);
    free (self);
    *self_p = NULL;
}

//  Every kept count may be wrong: drop them, and any count under way.
static void
s_forget (dp_db_counts_t *self)
{
    zhashx_purge (self->entries);
    self->generation++;
}

//  Anything kept may be wrong (not just counts): a new epoch.
static void
s_forget_all (dp_db_counts_t *self)
{
    s_forget (self);
    self->epoch++;
}

//  One more CHANGE of table.
static void
s_table_changed (dp_db_counts_t *self, const char *table)
{
    uint64_t *changes = zhashx_lookup (self->changes, table);
    if (!changes) {
        changes = calloc (1, sizeof *changes);
        if (!changes)
            dp_fatal ("out of memory");
        zhashx_insert (self->changes, table, changes);
    }
    (*changes)++;
}

static bool
s_counted_table (const char *table)
{
    for (size_t i = 0; i < sizeof s_counted / sizeof s_counted [0]; i++)
        if (strcmp (table, s_counted [i]) == 0)
            return true;
    return false;
}

void
dp_db_counts_feed (dp_db_counts_t *self, const void *data, size_t size, int64_t now_ms)
{
    assert (self);
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    dp_change_t change;
    char err [200];
    if (dp_change_decode (data, size, &unpacked, &change, err, sizeof err)) {
        dp_warn ("db: a change feed message does not decode (%s): counts are recounted", err);
        s_forget_all (self);
        self->have_seq = false;
        msgpack_unpacked_destroy (&unpacked);
        return;
    }
    switch (change.type) {
        case DP_CHANGE_CHANGE:
            if (self->have_seq && change.seq <= self->last_seq)
                break;                          //  published again after a restart: seen
            if (!self->have_seq || change.seq != self->last_seq + 1)
                s_forget_all (self);            //  a gap
            else
            if (s_counted_table (change.table))
                s_forget (self);                //  a counted table changed
            s_table_changed (self, change.table);
            self->have_seq = true;
            self->last_seq = change.seq;
            break;
        case DP_CHANGE_RESYNC:
            s_forget_all (self);                //  what came before it is not sent
            self->have_seq = true;
            self->last_seq = change.seq;
            snprintf (self->vouched, sizeof self->vouched, "%s", change.gtid);
            break;
        case DP_CHANGE_FEED_STATUS:
            //  A missed tail (status ahead), a feed whose numbers started
            //  again (behind), or no binary log: nothing can be vouched for.
            if (!self->have_seq || change.seq != self->last_seq || change.mode != DP_FEED_MODE_BINLOG) {
                s_forget_all (self);
                self->vouched [0] = 0;
            }
            self->have_seq = true;
            self->last_seq = change.seq;
            self->binlog = change.mode == DP_FEED_MODE_BINLOG;
            if (self->binlog) {
                snprintf (self->vouched, sizeof self->vouched, "%s", change.gtid);
                self->heard_ms = now_ms;
            }
            break;
    }
    msgpack_unpacked_destroy (&unpacked);
}

uint64_t
dp_db_counts_generation (const dp_db_counts_t *self)
{
    assert (self);
    return self->generation;
}

bool
dp_db_counts_live (const dp_db_counts_t *self, int64_t now_ms)
{
    assert (self);
    return self->binlog && self->heard_ms && now_ms - self->heard_ms <= DP_DB_COUNTS_SILENCE_MS;
}

bool
dp_db_counts_vouches (const dp_db_counts_t *self, const char *binlog_pos, int64_t now_ms)
{
    assert (self);
    assert (binlog_pos);
    if (!dp_db_counts_live (self, now_ms))
        return false;
    if (!*binlog_pos)
        return true;                            //  nothing was ever committed
    return dp_gtid_covers (self->vouched, binlog_pos);
}

bool
dp_db_counts_get (dp_db_counts_t *self, const char *key, const char *binlog_pos,
                  int64_t now_ms, int64_t *count)
{
    assert (self);
    assert (key && binlog_pos && count);
    s_entry_t *entry = zhashx_lookup (self->entries, key);
    if (!entry || !dp_db_counts_vouches (self, binlog_pos, now_ms)) {
        self->misses++;
        return false;
    }
    self->hits++;
    *count = entry->count;
    return true;
}

void
dp_db_counts_put (dp_db_counts_t *self, const char *key, uint64_t generation, int64_t count)
{
    assert (self);
    assert (key);
    if (generation != self->generation)
        return;                                 //  its tables changed while it ran
    if (zhashx_size (self->entries) >= DP_DB_COUNTS_MAX && !zhashx_lookup (self->entries, key))
        zhashx_purge (self->entries);
    s_entry_t *entry = malloc (sizeof *entry);
    if (!entry)
        dp_fatal ("out of memory");
    entry->count = count;
    zhashx_update (self->entries, key, entry);
}

uint64_t
dp_db_counts_stamp (dp_db_counts_t *self, const char *const *tables, size_t n_tables)
{
    assert (self);
    uint64_t stamp = self->epoch;
    for (size_t i = 0; i < n_tables; i++) {
        const uint64_t *changes = zhashx_lookup (self->changes, tables [i]);
        stamp += changes? *changes: 0;
    }
    return stamp;
}

uint64_t
dp_db_counts_hits (const dp_db_counts_t *self)
{
    assert (self);
    return self->hits;
}

uint64_t
dp_db_counts_misses (const dp_db_counts_t *self)
{
    assert (self);
    return self->misses;
}


//  --------------------------------------------------------------------------
//  Selftest

static void
s_send (dp_db_counts_t *self, dp_change_t *change, int64_t now_ms)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = dp_change_encode (change, &buf);
    assert (rc == 0);
    dp_db_counts_feed (self, buf.data, buf.size, now_ms);
    msgpack_sbuffer_destroy (&buf);
}

static void
s_status (dp_db_counts_t *self, uint64_t seq, const char *gtid, dp_feed_mode_t mode, int64_t now_ms)
{
    dp_change_t status = { .type = DP_CHANGE_FEED_STATUS, .seq = seq, .gtid = gtid, .mode = mode };
    s_send (self, &status, now_ms);
}

static void
s_change (dp_db_counts_t *self, uint64_t seq, const char *table, int64_t now_ms)
{
    dp_change_t change = { .type = DP_CHANGE_CHANGE, .seq = seq, .gtid = "0-1-9", .table = table,
                           .op = DP_CHANGE_UPDATE, .n_key = 1, .key = { { .integer = 1 } },
                           .n_columns = 1, .columns = { "id" } };
    s_send (self, &change, now_ms);
}

void
dp_db_counts_test (bool verbose)
{
    printf (" * dp_db_counts: ");
    int64_t count = -1;
    dp_db_counts_t *self = dp_db_counts_new ();
    //  Nothing is vouched for before the feed's first status.
    assert (!dp_db_counts_live (self, 1000));
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 7);
    assert (!dp_db_counts_get (self, "q1", "0-1-5", 1000, &count));
    s_status (self, 10, "0-1-5", DP_FEED_MODE_BINLOG, 1000);
    assert (dp_db_counts_live (self, 1000));
    //  The first status started a generation: the count above is gone.
    assert (!dp_db_counts_get (self, "q1", "0-1-5", 1000, &count));
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 7);
    assert (dp_db_counts_get (self, "q1", "0-1-5", 1000, &count) && count == 7);
    assert (dp_db_counts_get (self, "q1", "", 1000, &count) && count == 7);
    //  A transaction the feed has not vouched for yet.
    assert (!dp_db_counts_get (self, "q1", "0-1-6", 1000, &count));
    //  An uncounted table changes: kept; a counted one: dropped.
    s_change (self, 11, "tags", 1100);
    s_status (self, 11, "0-1-6", DP_FEED_MODE_BINLOG, 1200);
    assert (dp_db_counts_get (self, "q1", "0-1-6", 1200, &count) && count == 7);
    uint64_t asked = dp_db_counts_generation (self);
    s_change (self, 12, "stock", 1300);
    assert (!dp_db_counts_get (self, "q1", "0-1-6", 1300, &count));
    //  A count asked before the change is not kept.
    dp_db_counts_put (self, "q1", asked, 7);
    assert (!dp_db_counts_get (self, "q1", "0-1-6", 1300, &count));
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 8);
    assert (dp_db_counts_get (self, "q1", "0-1-6", 1300, &count) && count == 8);
    //  Stamps of other tables (kept rows): a CHANGE of one moves its own.
    const char *sizes [] = { "sizes" };
    uint64_t stamp = dp_db_counts_stamp (self, sizes, 1);
    assert (dp_db_counts_vouches (self, "0-1-6", 1300) && !dp_db_counts_vouches (self, "0-1-7", 1300));
    //  Published again after a restart: already applied.
    s_change (self, 12, "stock", 1350);
    assert (dp_db_counts_stamp (self, sizes, 1) == stamp);
    assert (dp_db_counts_get (self, "q1", "0-1-6", 1350, &count) && count == 8);
    s_change (self, 13, "sizes", 1360);
    assert (dp_db_counts_stamp (self, sizes, 1) != stamp);
    assert (dp_db_counts_get (self, "q1", "0-1-6", 1360, &count) && count == 8);
    stamp = dp_db_counts_stamp (self, sizes, 1);
    //  A gap (14 missed), even of an uncounted table: every stamp moves.
    s_change (self, 15, "tags", 1400);
    assert (!dp_db_counts_get (self, "q1", "0-1-6", 1400, &count));
    assert (dp_db_counts_stamp (self, sizes, 1) != stamp);
    //  A missed tail: the status is ahead of the last number.
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 8);
    s_status (self, 16, "0-1-7", DP_FEED_MODE_BINLOG, 1500);
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 1500, &count));
    //  Silence: a feed not heard from for too long vouches for nothing.
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 9);
    assert (dp_db_counts_get (self, "q1", "0-1-7", 1500 + DP_DB_COUNTS_SILENCE_MS, &count));
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 1501 + DP_DB_COUNTS_SILENCE_MS, &count));
    assert (!dp_db_counts_live (self, 1501 + DP_DB_COUNTS_SILENCE_MS));
    //  RESYNC, the fallback mode, a feed numbering from 1 again.
    s_status (self, 16, "0-1-7", DP_FEED_MODE_BINLOG, 5000);
    assert (dp_db_counts_get (self, "q1", "0-1-7", 5000, &count) && count == 9);
    dp_change_t resync = { .type = DP_CHANGE_RESYNC, .seq = 17, .gtid = "0-1-7", .reason = "test" };
    s_send (self, &resync, 5100);
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 5100, &count));
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 9);
    s_status (self, 17, "0-1-7", DP_FEED_MODE_FALLBACK, 5200);
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 5200, &count));
    assert (!dp_db_counts_live (self, 5200));
    s_status (self, 17, "0-1-7", DP_FEED_MODE_BINLOG, 5300);
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 9);
    s_status (self, 1, "0-1-7", DP_FEED_MODE_BINLOG, 5400);
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 5400, &count));
    //  Garbage from the feed.
    dp_db_counts_put (self, "q1", dp_db_counts_generation (self), 9);
    dp_db_counts_feed (self, "\xc1", 1, 5500);
    assert (!dp_db_counts_get (self, "q1", "0-1-7", 5500, &count));
    //  A full cache starts again empty.
    s_status (self, 1, "0-1-7", DP_FEED_MODE_BINLOG, 6000);
    for (int i = 0; i <= DP_DB_COUNTS_MAX; i++) {
        char key [32];
        snprintf (key, sizeof key, "k%d", i);
        dp_db_counts_put (self, key, dp_db_counts_generation (self), i);
    }
    assert (!dp_db_counts_get (self, "k0", "0-1-7", 6000, &count));
    assert (dp_db_counts_get (self, "k4096", "0-1-7", 6000, &count) && count == DP_DB_COUNTS_MAX);
    assert (dp_db_counts_hits (self) > 0 && dp_db_counts_misses (self) > 0);
    dp_db_counts_destroy (&self);
    dp_db_counts_destroy (&self);
    assert (self == NULL);
    if (verbose)
        printf ("(generations, vouching, gaps, silence) ");
    printf ("OK\n");
}
