/*  =========================================================================
    dp_db_queue - the DB actor's statements waiting for a connection

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    See dp_db_queue.h.
@end
*/
#include "dp_db_queue.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MERGE_SCAN 256        //  queued statements looked at for a merge
#define S_LOOKUP_BYTES 65536    //  most bytes of keys in one statement of lookups (a key
                                //  may be as long as a request body)

typedef struct {
    dp_db_stmt_t *head;
    dp_db_stmt_t *tail;
} s_fifo_t;

struct _dp_db_queue_t {
    s_fifo_t primary;           //  statements that need the primary (no large class)
    s_fifo_t small;             //  small reads
    s_fifo_t large;             //  large reads
    size_t size;                //  statements in the three
    int running_large;          //  large statements on connections now
    uint64_t next_expiry;       //  epoch ms of the nearest queued deadline, 0 none
    bool purge;                 //  the queue holds statements of cancelled requests
    size_t chunk_size;          //  most keys of a merged LOAD
};

dp_db_queue_t *
dp_db_queue_new (int chunk_size)
{
    assert (chunk_size > 0);
    dp_db_queue_t *self = calloc (1, sizeof (dp_db_queue_t));
    assert (self);
    self->chunk_size = (size_t) chunk_size;
    return self;
}

//  Empty the FIFOs; returns their statements as one list (primary-only,
//  then small, then large).
static dp_db_stmt_t *
s_take_all (dp_db_queue_t *self)
{
    dp_db_stmt_t *list = NULL;
    dp_db_stmt_t **link = &list;
    s_fifo_t *fifos [] = { &self->primary, &self->small, &self->large };
    for (size_t i = 0; i < sizeof fifos / sizeof fifos [0]; i++) {
        *link = fifos [i]->head;
        while (*link)
            link = &(*link)->next;
        fifos [i]->head = fifos [i]->tail = NULL;
    }
    self->size = 0;
    self->next_expiry = 0;
    return list;
}

void
dp_db_queue_destroy (dp_db_queue_t **self_p)
{
    assert (self_p);
    dp_db_queue_t *self = *self_p;
    if (!self)
        return;
    dp_db_stmt_t *stmt = s_take_all (self);
    while (stmt) {
        dp_db_stmt_t *next = stmt->next;
        dp_db_stmt_finish (stmt);
        stmt = next;
    }
    free (self);
    *self_p = NULL;
}

static s_fifo_t *
s_fifo_of (dp_db_queue_t *self, const dp_db_stmt_t *stmt)
{
    if (stmt->job->access == DP_DB_ACCESS_PRIMARY)
        return &self->primary;
    return stmt->large? &self->large: &self->small;
}

void
dp_db_queue_push (dp_db_queue_t *self, dp_db_stmt_t *stmt, bool at_head)
{
    self->size++;
    stmt->next = NULL;
    s_fifo_t *fifo = s_fifo_of (self, stmt);
    if (!fifo->head)
        fifo->head = fifo->tail = stmt;
    else
    if (at_head) {
        stmt->next = fifo->head;
        fifo->head = stmt;
    }
    else {
        fifo->tail->next = stmt;
        fifo->tail = stmt;
    }
    uint64_t deadline = stmt->job->msg.deadline_ms;
    if (deadline && (self->next_expiry == 0 || deadline < self->next_expiry))
        self->next_expiry = deadline;
}

size_t
dp_db_queue_size (dp_db_queue_t *self)
{
    return self->size;
}

uint64_t
dp_db_queue_next_expiry (dp_db_queue_t *self)
{
    return self->next_expiry;
}

dp_db_stmt_t *
dp_db_queue_next (dp_db_queue_t *self, dp_db_target_t target, dp_db_target_t reads,
                  int max_large, bool primary_ok)
{
    s_fifo_t *fifo = NULL;
    if (target == DP_DB_PRIMARY && self->primary.head && primary_ok)
        fifo = &self->primary;
    else
    if (target == reads) {
        bool large = self->large.head
                  && (self->running_large == 0
                  || (!self->small.head && self->running_large < max_large));
        if (large)
            fifo = &self->large;
        else
        if (self->small.head)
            fifo = &self->small;
    }
    if (!fifo)
        return NULL;
    dp_db_stmt_t *stmt = fifo->head;
    fifo->head = stmt->next;
    if (!fifo->head)
        fifo->tail = NULL;
    assert (self->size > 0);
    self->size--;
    return stmt;
}

void
dp_db_queue_started (dp_db_queue_t *self, const dp_db_stmt_t *stmt)
{
    if (stmt->large)
        self->running_large++;
}

void
dp_db_queue_ended (dp_db_queue_t *self, const dp_db_stmt_t *stmt)
{
    if (stmt->large)
        self->running_large--;
}

void
dp_db_queue_purge (dp_db_queue_t *self)
{
    self->purge = true;
}

//  Take every statement out and put back, in order, those whose job is
//  still unanswered after fail_if (which may answer it); drop the others.
static void
s_sweep (dp_db_queue_t *self, dp_db_reply_t *out,
         void (*fail_if) (dp_db_job_t *job, dp_db_reply_t *out, const void *arg), const void *arg)
{
    dp_db_stmt_t *stmt = s_take_all (self);
    while (stmt) {
        dp_db_stmt_t *next = stmt->next;
        fail_if (stmt->job, out, arg);
        if (stmt->job->answered)
            dp_db_stmt_finish (stmt);
        else
            dp_db_queue_push (self, stmt, false);
        stmt = next;
    }
}

static void
s_fail_late (dp_db_job_t *job, dp_db_reply_t *out, const void *now)
{
    if (!job->answered && dp_db_job_late (job, *(const uint64_t *) now))
        dp_db_job_fail_late (job, out);
}

void
dp_db_queue_expire (dp_db_queue_t *self, dp_db_reply_t *out)
{
    uint64_t now = (uint64_t) zclock_time ();
    if (!self->purge && (!self->next_expiry || now < self->next_expiry))
        return;
    self->purge = false;
    s_sweep (self, out, s_fail_late, &now);
}

typedef struct {
    const bool *stranded;
    uint32_t status;
    const char *message;
} s_stranded_t;

static void
s_fail_stranded (dp_db_job_t *job, dp_db_reply_t *out, const void *arg)
{
    const s_stranded_t *why = arg;
    if (why->stranded [job->access])
        dp_db_job_fail (job, out, why->status, "%s", why->message);
}

void
dp_db_queue_fail_stranded (dp_db_queue_t *self, dp_db_reply_t *out, const bool stranded [2],
                           uint32_t status, const char *message)
{
    s_stranded_t why = { stranded, status, message };
    s_sweep (self, out, s_fail_stranded, &why);
}


//  --------------------------------------------------------------------------
//  Coalescing

//  A single-chunk read LOAD still waiting: it can share a statement.
static bool
s_mergeable_load (const dp_db_stmt_t *stmt)
{
    const dp_db_job_t *job = stmt->job;
    return !job->query && job->n_parts == 1 && !job->answered && !job->kept
        && job->access == DP_DB_ACCESS_READ && !job->min_gtid
        && !(job->msg.type == DP_MSG_LOAD && job->msg.u.load.by_lookup);   //  keys unknown
}

//  Is stmt, queued, the same read as lead: a root QUERY's statement with
//  the same SQL text and columns (identical requests of several callers:
//  the same page of the same base with the same filter)? Access was
//  checked by each caller's resolver before it asked, so the rows are
//  everyone's.
static bool
s_same_query (const dp_db_stmt_t *lead, const dp_db_stmt_t *stmt)
{
    const dp_db_job_t *a = lead->job, *b = stmt->job;
    return b->query && b->query == a->query && !b->answered && !b->min_gtid
        && b->access == DP_DB_ACCESS_READ && stmt->part == lead->part
        && b->columns == a->columns && stmt->large == lead->large
        && stmt->sql.len == lead->sql.len && memcmp (stmt->sql.data, lead->sql.data, lead->sql.len) == 0;
}

//  A queued lookup that can join lead's statement of several keys: the
//  same lookup query, its key one the column may match (checked here, as
//  dp_db_actor_may_run checks a lead's: MariaDB would refuse or misread it).
static bool
s_same_lookup (const dp_db_stmt_t *lead, const dp_db_stmt_t *stmt,
               const dp_db_charsets_t *charsets)
{
    const dp_db_job_t *a = lead->job, *b = stmt->job;
    if (b->query != a->query || b->answered || b->access != DP_DB_ACCESS_READ)
        return false;
    const dp_val_t *key = &b->args.key;
    return dp_db_charsets_may_match (charsets, b->msg.u.query.query, key->u.s.ptr, key->u.s.len);
}

//  How queued statements share lead's.
typedef enum {
    S_SHARE_LOADER,             //  LOADs of the same loader: the union of their keys
    S_SHARE_LOOKUP,             //  lookups of one query, any key: the keys joined
    S_SHARE_TEXT                //  QUERYs of the same SQL text: the same rows
} s_share_t;

//  Take stmt, which follows prev (NULL: stmt is the head), out of fifo.
static void
s_unlink (dp_db_queue_t *self, s_fifo_t *fifo, dp_db_stmt_t *prev, dp_db_stmt_t *stmt)
{
    if (prev)
        prev->next = stmt->next;
    else
        fifo->head = stmt->next;
    if (fifo->tail == stmt)
        fifo->tail = prev;
    assert (self->size > 0);
    self->size--;
    stmt->next = NULL;
}

//  Move the statements of lead's FIFO (among its first S_MERGE_SCAN) that
//  can share lead's statement to the end of its merged list, in queue
//  order; at most key_limit keys in all (*keys: so far; a lookup counts
//  its key's bytes).
//  lead runs until the last deadline of those riding along. Returns how
//  many moved.
static int
s_gather (dp_db_queue_t *self, dp_db_stmt_t *lead, s_share_t share,
          const dp_db_charsets_t *charsets, size_t key_limit, size_t *keys)
{
    uint64_t now = (uint64_t) zclock_time ();
    int n_merged = 0;
    dp_db_stmt_t **tail = &lead->merged;
    s_fifo_t *fifo = lead->large? &self->large: &self->small;
    dp_db_stmt_t *prev = NULL;
    dp_db_stmt_t *stmt = fifo->head;
    for (int scanned = 0; stmt && scanned < S_MERGE_SCAN; scanned++) {
        dp_db_stmt_t *next = stmt->next;
        dp_db_job_t *job = stmt->job;
        size_t its_keys = share == S_SHARE_LOADER? job->n_keys
                        : share == S_SHARE_LOOKUP? job->args.key.u.s.len + 1: 0;
        bool joins = share == S_SHARE_LOADER
                   ? s_mergeable_load (stmt) && job->msg.u.load.loader == lead->job->msg.u.load.loader
                   : share == S_SHARE_LOOKUP? s_same_lookup (lead, stmt, charsets)
                   : s_same_query (lead, stmt);
        if (!joins || *keys + its_keys > key_limit || dp_db_job_late (job, now)) {
            prev = stmt;
            stmt = next;
            continue;
        }
        s_unlink (self, fifo, prev, stmt);
        stmt->merged_next = NULL;
        *tail = stmt;
        tail = &stmt->merged_next;
        uint64_t deadline = job->msg.deadline_ms;
        if (!deadline || !lead->deadline)
            lead->deadline = 0;
        else
        if (deadline > lead->deadline)
            lead->deadline = deadline;
        *keys += its_keys;
        n_merged++;
        stmt = next;
    }
    return n_merged;
}

//  Rebuild a merged LOAD's SQL for the union of its requests' keys and
//  columns.
static void
s_build_union (dp_db_stmt_t *lead, size_t total)
{
    dp_db_job_t *job = lead->job;
    int64_t *keys = dp_arena_alloc (job->arena, total * sizeof (int64_t));
    memcpy (keys, job->msg.u.load.keys, job->n_keys * sizeof (int64_t));
    size_t count = job->n_keys;
    uint64_t mask = job->columns;
    for (dp_db_stmt_t *stmt = lead->merged; stmt; stmt = stmt->merged_next) {
        memcpy (keys + count, stmt->job->msg.u.load.keys, stmt->job->n_keys * sizeof (int64_t));
        count += stmt->job->n_keys;
        mask |= stmt->job->columns;
    }
    count = dp_sql_unique_keys (keys, count);
    dp_sql_destroy (&lead->sql);
    dp_sql_init (&lead->sql);
    int rc = dp_sql_build_load (&lead->sql, dp_sql_loader (job->msg.u.load.loader), mask,
                                keys, count);
    assert (rc == 0);           //  each mask was checked, so is their union
    lead->columns = mask;
}

//  Rebuild a lookup's SQL for its key and those of the lookups merged
//  into it, in that order (each one's tag), and the union of their
//  columns.
static void
s_build_lookups (dp_db_stmt_t *lead, size_t total)
{
    dp_db_job_t *job = lead->job;
    const dp_val_t **keys = dp_arena_alloc (job->arena, total * sizeof (dp_val_t *));
    size_t count = 0;
    uint64_t mask = 0;
    for (dp_db_stmt_t *stmt = lead; stmt; stmt = stmt == lead? lead->merged: stmt->merged_next) {
        stmt->tag = (uint32_t) count;
        keys [count++] = &stmt->job->args.key;
        mask |= stmt->job->columns;
    }
    assert (count == total);
    dp_sql_destroy (&lead->sql);
    dp_sql_init (&lead->sql);
    char err [128];
    int rc = dp_sql_build_lookups (&lead->sql, job->msg.u.query.query, mask, keys, count,
                                   err, sizeof err);
    assert (rc == 0);           //  each was parsed, so is their union
    lead->columns = mask;
    lead->lookups = true;
}

int
dp_db_queue_merge (dp_db_queue_t *self, dp_db_stmt_t *lead, const dp_db_charsets_t *charsets)
{
    const dp_db_job_t *job = lead->job;
    //  A read still waiting to know the replica reached its GTID position
    //  neither leads nor joins (dp_db_actor's read-your-writes gate).
    if (job->access != DP_DB_ACCESS_READ || job->min_gtid)
        return 0;
    if (job->query && job->query->kind == DP_SQL_QUERY_LOOKUP
    &&  dp_db_charsets_may_join (charsets, job->msg.u.query.query)) {
        size_t bytes = job->args.key.u.s.len + 1;
        int n_merged = s_gather (self, lead, S_SHARE_LOOKUP, charsets, S_LOOKUP_BYTES, &bytes);
        if (n_merged)
            s_build_lookups (lead, 1 + (size_t) n_merged);
        return n_merged;
    }
    if (job->query) {
        size_t none = 0;
        return s_gather (self, lead, S_SHARE_TEXT, charsets, 0, &none);
    }
    if (!s_mergeable_load (lead))
        return 0;
    size_t total = job->n_keys;
    //  A small statement stays small.
    size_t limit = lead->large || total > DP_DB_LARGE_ROWS? self->chunk_size: DP_DB_LARGE_ROWS;
    int n_merged = s_gather (self, lead, S_SHARE_LOADER, charsets, limit, &total);
    if (n_merged)
        s_build_union (lead, total);
    return n_merged;
}


//  A queued statement that may go in the same text as lead's: a small
//  read of the same request (the resolver's request id, from the same
//  requester), not waiting for a GTID position, not in a transaction.
static bool
s_sibling (const dp_db_stmt_t *lead, const dp_db_stmt_t *stmt)
{
    const dp_db_job_t *a = lead->job, *b = stmt->job;
    return !b->answered && b->access == DP_DB_ACCESS_READ && !b->min_gtid && !b->txn
        && !stmt->large && strcmp (a->msg.trace_id, b->msg.trace_id) == 0
        && zframe_eq (a->routing, b->routing);
}

size_t
dp_db_queue_siblings (dp_db_queue_t *self, const dp_db_stmt_t *lead)
{
    const dp_db_job_t *job = lead->job;
    if (lead->large || job->access != DP_DB_ACCESS_READ || job->min_gtid || job->txn
    ||  !*job->msg.trace_id || self->primary.head || self->large.head
    ||  self->size > S_MERGE_SCAN)
        return 0;
    //  Stops at the first read of another request: under load that is
    //  the first one looked at.
    size_t count = 0;
    for (dp_db_stmt_t *stmt = self->small.head; stmt; stmt = stmt->next) {
        if (!s_sibling (lead, stmt))
            return 0;
        count++;
    }
    return count;
}

dp_db_stmt_t *
dp_db_queue_take_sibling (dp_db_queue_t *self, const dp_db_stmt_t *lead)
{
    if (!*lead->job->msg.trace_id)
        return NULL;
    dp_db_stmt_t *prev = NULL;
    int scanned = 0;
    for (dp_db_stmt_t *stmt = self->small.head; stmt && scanned < S_MERGE_SCAN;
         prev = stmt, stmt = stmt->next, scanned++) {
        if (!s_sibling (lead, stmt))
            continue;
        s_unlink (self, &self->small, prev, stmt);
        return stmt;
    }
    return NULL;
}

//  ==========================================================================
//  Selftest: order, classes, merging and expiry, no database.

static dp_db_stmt_t *
s_test_load (dp_db_job_t **jobs, uint64_t id, const int64_t *keys, size_t n_keys,
             uint64_t deadline, bool large)
{
    dp_arena_t *arena = dp_arena_new (0);
    zframe_t *routing = zframe_new ("peer", 4);
    int64_t *copy = dp_arena_alloc (arena, n_keys * sizeof (int64_t));
    memcpy (copy, keys, n_keys * sizeof (int64_t));
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_LOAD, .id = id,
                     .trace_id = "t", .deadline_ms = deadline };
    msg.u.load.loader = DP_LOADER_stock_by_id;
    msg.u.load.columns = 1;
    msg.u.load.keys = copy;
    msg.u.load.n_keys = (uint32_t) n_keys;
    dp_db_job_t *job = dp_db_job_new (jobs, &routing, &arena, &msg);
    job->columns = 1;
    job->n_keys = n_keys;
    job->n_parts = 1;
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    stmt->large = large;
    int rc = dp_sql_build_load (&stmt->sql, dp_sql_loader (DP_LOADER_stock_by_id), 1, copy, n_keys);
    assert (rc == 0);
    return stmt;
}

//  A queued lookup of key by query, its SQL the single lookup's.
static dp_db_stmt_t *
s_test_lookup (dp_db_job_t **jobs, uint64_t id, uint32_t query, const char *key, uint64_t columns)
{
    dp_arena_t *arena = dp_arena_new (0);
    zframe_t *routing = zframe_new ("peer", 4);
    dp_msg_t msg = { .version = DP_PROTO_VERSION, .type = DP_MSG_QUERY, .id = id,
                     .trace_id = "t" };
    msg.u.query.query = query;
    msg.u.query.columns = columns;
    dp_db_job_t *job = dp_db_job_new (jobs, &routing, &arena, &msg);
    job->query = dp_sql_query (query);
    job->columns = columns;
    dp_val_t value = { .type = DP_VAL_STR, .u.s = { dp_arena_strdup (job->arena, key),
                                                    (uint32_t) strlen (key) } };
    char err [128];
    int rc = dp_sql_query_parse (job->query, query, columns, &value, 1, job->arena, &job->args,
                                 err, sizeof err);
    assert (rc == 0);
    dp_db_stmt_t *stmt = dp_db_stmt_new (job, 0);
    dp_sql_query_build (job->query, &stmt->sql, &job->args);
    return stmt;
}

void
dp_db_queue_test (bool verbose)
{
    printf (" * dp_db_queue: ");
    zsock_t *router = zsock_new_router ("inproc://dp_db_queue_test");
    assert (router);
    dp_db_reply_t out;
    dp_db_reply_init (&out, zsock_resolve (router), verbose);
    dp_db_job_t *jobs = NULL;
    dp_db_queue_t *queue = dp_db_queue_new (10000);

    //  The primary takes what needs it first; reads go small before large
    //  while a large one runs, large first when none does.
    dp_db_stmt_t *small = s_test_load (&jobs, 1, (int64_t []) { 1, 2 }, 2, 0, false);
    dp_db_stmt_t *large = s_test_load (&jobs, 2, (int64_t []) { 3 }, 1, 0, true);
    dp_db_stmt_t *write = s_test_load (&jobs, 3, (int64_t []) { 4 }, 1, 0, false);
    write->job->access = DP_DB_ACCESS_PRIMARY;
    dp_db_queue_push (queue, small, false);
    dp_db_queue_push (queue, large, false);
    dp_db_queue_push (queue, write, false);
    assert (dp_db_queue_size (queue) == 3);
    assert (dp_db_queue_next (queue, DP_DB_REPLICA, DP_DB_PRIMARY, 1, true) == NULL);
    //  With the pinned bound reached, the write (a BEGIN) waits: reads go.
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, false) == large);
    dp_db_queue_push (queue, large, true);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true) == write);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true) == large);
    dp_db_queue_started (queue, large);
    dp_db_stmt_t *large2 = s_test_load (&jobs, 4, (int64_t []) { 5 }, 1, 0, true);
    dp_db_queue_push (queue, large2, false);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 4, true) == small);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true) == NULL);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 2, true) == large2);
    dp_db_queue_ended (queue, large);
    assert (dp_db_queue_size (queue) == 0);

    //  Queued LOADs of the same loader ride along the one that runs: one
    //  statement for the union of their keys.
    dp_db_stmt_t *lead = s_test_load (&jobs, 5, (int64_t []) { 7 }, 1, 0, false);
    dp_db_stmt_t *rider = s_test_load (&jobs, 6, (int64_t []) { 8, 9 }, 2, 0, false);
    dp_db_queue_push (queue, rider, false);
    dp_db_charsets_t charsets;
    dp_db_charsets_init (&charsets);
    assert (dp_db_queue_merge (queue, lead, &charsets) == 1);
    assert (lead->merged == rider && dp_db_queue_size (queue) == 0);
    assert (strstr (lead->sql.data, "7,8,9"));

    //  Lookups of other keys join a lookup's statement when its column is
    //  utf8mb3 or utf8mb4, each with its key's index (tag), and the union
    //  of their columns; a key the column cannot hold and another lookup
    //  query stay queued. On a column of another character set, only the
    //  same SQL text shares the statement.
    dp_db_charsets_read_row (&charsets, "stock", "box_id", "utf8mb3");
    dp_db_stmt_t *label = s_test_lookup (&jobs, 20, DP_QUERY_box_by_label, "A1", 1);
    dp_db_stmt_t *lookups [] = {
        s_test_lookup (&jobs, 21, DP_QUERY_box_by_label, "b2 ", 3),
        s_test_lookup (&jobs, 22, DP_QUERY_box_by_label, "\xF0\x9F\x93\xA6", 1),
        s_test_lookup (&jobs, 23, DP_QUERY_qr_by_code, "A1", 1),
        s_test_lookup (&jobs, 24, DP_QUERY_box_by_label, "it's", 1),
    };
    for (size_t i = 0; i < 4; i++)
        dp_db_queue_push (queue, lookups [i], false);
    assert (dp_db_queue_merge (queue, label, &charsets) == 2);
    assert (label->lookups && label->columns == 3 && label->tag == 0);
    assert (label->merged == lookups [0] && lookups [0]->merged_next == lookups [3]);
    assert (lookups [0]->tag == 1 && lookups [3]->tag == 2);
    if (verbose)
        printf ("\n    %s\n", label->sql.data);
    assert (strstr (label->sql.data, "JOIN (SELECT 0 AS i, 'A1' AS k UNION ALL SELECT 1, 'b2 '"
                                     " UNION ALL SELECT 2, 'it\\'s') dp_keys"
                                     " ON stock.box_id = dp_keys.k"));
    assert (dp_db_queue_size (queue) == 2);
    dp_db_stmt_t *emoji = dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true);
    assert (emoji == lookups [1]);
    dp_db_stmt_t *code = dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true);
    assert (code == lookups [2]);
    //  qr.code's character set unknown: a lookup of another code waits.
    dp_db_stmt_t *again = s_test_lookup (&jobs, 25, DP_QUERY_qr_by_code, "A1", 1);
    dp_db_stmt_t *other = s_test_lookup (&jobs, 26, DP_QUERY_qr_by_code, "C3", 1);
    dp_db_queue_push (queue, other, false);
    dp_db_queue_push (queue, again, false);
    assert (dp_db_queue_merge (queue, code, &charsets) == 1);
    assert (code->merged == again && !code->lookups);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true) == other);
    assert (dp_db_queue_size (queue) == 0);
    //  Keys of more than S_LOOKUP_BYTES in all do not share a statement.
    char *long_key = malloc (S_LOOKUP_BYTES + 1);
    assert (long_key);
    memset (long_key, 'x', S_LOOKUP_BYTES);
    long_key [S_LOOKUP_BYTES] = 0;
    dp_db_stmt_t *short_one = s_test_lookup (&jobs, 27, DP_QUERY_box_by_label, "A1", 1);
    dp_db_stmt_t *long_one = s_test_lookup (&jobs, 28, DP_QUERY_box_by_label, long_key, 1);
    free (long_key);
    dp_db_queue_push (queue, long_one, false);
    assert (dp_db_queue_merge (queue, short_one, &charsets) == 0 && !short_one->lookups);
    assert (dp_db_queue_next (queue, DP_DB_PRIMARY, DP_DB_PRIMARY, 1, true) == long_one);

    //  A queued statement past its deadline: 408 at the next expiry, dropped.
    dp_db_stmt_t *late = s_test_load (&jobs, 7, (int64_t []) { 10 }, 1, 1, false);
    dp_db_queue_push (queue, late, false);
    assert (dp_db_queue_next_expiry (queue) == 1);
    dp_db_queue_expire (queue, &out);
    assert (dp_db_queue_size (queue) == 0 && out.answered == 1 && out.errors == 1);

    //  Stranded reads are answered 503 and dropped; writes stay.
    dp_db_stmt_t *read = s_test_load (&jobs, 8, (int64_t []) { 11 }, 1, 0, false);
    dp_db_queue_push (queue, read, false);
    bool stranded [2] = { true, false };
    dp_db_queue_fail_stranded (queue, &out, stranded, DP_STATUS_UNAVAILABLE, "down");
    assert (dp_db_queue_size (queue) == 0 && out.errors == 2);

    //  Whatever was taken is answered and finished; the queue is empty.
    dp_db_stmt_t *taken [] = { small, large, write, large2, rider, lead, label, lookups [0],
                               lookups [3], emoji, code, again, other, short_one, long_one };
    for (size_t i = 0; i < sizeof taken / sizeof taken [0]; i++) {
        dp_db_job_fail (taken [i]->job, &out, DP_STATUS_UNAVAILABLE, "test over");
        dp_db_stmt_finish (taken [i]);
    }
    assert (jobs == NULL);
    dp_db_queue_destroy (&queue);
    assert (queue == NULL);
    zsock_destroy (&router);
    printf ("OK\n");
}
