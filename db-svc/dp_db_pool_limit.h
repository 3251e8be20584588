/*  =========================================================================
    dp_db_pool_limit - how many MariaDB connections a pool should have now,
    from the latency and queueing it observes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A pure decision: no ZeroMQ, no MariaDB, time passed in. The DB actor
    feeds it one sample per finished statement (time waited in the queue,
    time on its connection, the round trip included) and, once per poll
    round, the state of the connections within the target (up, busy) and
    the statements queued; it answers how many connections may run
    statements now, always in [min, max]. The actor runs statements on
    that many, opens connections when the target rises and closes those
    beyond it once they have been idle for DP_DB_POOL_LIMIT_IDLE_MS.
@discuss
    The rule, decided every DP_DB_POOL_LIMIT_INTERVAL_MS with enough
    samples (a gradient, as Netflix concurrency-limits' Gradient2):
    - latency: each kind of statement (a loader, a query) has its own
      baseline, about the lowest mean time seen for it (it falls half-way
      to a lower interval mean), which drifts up toward the current mean by
      a small share per interval (DP_DB_POOL_LIMIT_DRIFT), so it follows a
      network or server that became slower and is re-probed instead of
      staying at an old minimum forever; the interval's rise is the mean,
      over its samples, of each kind's mean over its baseline, so a count
      that takes 20 ms among 1 ms lookups is no rise, only a slower count;
    - when the mean rose to DP_DB_POOL_LIMIT_SATURATED times the
      baseline, the server is saturated (more connections only add
      contention): the target falls in proportion to the rise (a gradient,
      SATURATED * baseline / mean, at least 0.5), by half of that share per
      interval;
    - when the mean stays under DP_DB_POOL_LIMIT_TOLERANCE times the
      baseline, statements waited for a connection (their mean wait over
      DP_DB_POOL_LIMIT_WAITED of their mean run time: a lone request whose
      eight LOADs share six connections 10 ms away waits that much) and
      every connection wanted is up,
      the target grows by a quarter (at least one): at a 10 ms round trip,
      more connections are more statements in flight;
    - in between, under DP_DB_POOL_LIMIT_PROBE times the baseline, it
      grows by one only while statements wait longer than they run (a
      probe: a pool that shrank under a passing load does not stay small);
      otherwise it holds;
    - connections left idle: when the most connections busy at once over
      the last DP_DB_POOL_LIMIT_IDLE_MS stayed under the target and the
      target has not risen in that time, the target falls to that peak
      (not under min).
@end
*/
#ifndef DP_DB_POOL_LIMIT_H_INCLUDED
#define DP_DB_POOL_LIMIT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_DB_POOL_LIMIT_INTERVAL_MS   100     //  decide at most this often
#define DP_DB_POOL_LIMIT_MIN_SAMPLES   8       //  ... with this many samples (or one a second)
#define DP_DB_POOL_LIMIT_TOLERANCE     1.5     //  mean over baseline under which the pool may grow
#define DP_DB_POOL_LIMIT_PROBE         1.75    //  ... under which it may still grow by one
#define DP_DB_POOL_LIMIT_SATURATED     2.0     //  mean over baseline over which it shrinks
#define DP_DB_POOL_LIMIT_WAITED        0.125   //  mean wait over mean run time that means waiting
#define DP_DB_POOL_LIMIT_DRIFT         0.005   //  share of the gap the baseline rises per decision
#define DP_DB_POOL_LIMIT_IDLE_MS       5000    //  unused that long: connections close
#define DP_DB_POOL_LIMIT_KINDS         256     //  kinds of statement with a baseline each

typedef struct _dp_db_pool_limit_t dp_db_pool_limit_t;

//  What the pool looks like now.
typedef struct {
    int up;                     //  connections up (idle or running a statement)
    int busy;                   //  of those, running a statement
    size_t queued;              //  statements waiting for a connection
} dp_db_pool_state_t;

//  A limit starting at min, kept in [min, max] (1 <= min <= max). Caller
//  owns return value and must destroy it with dp_db_pool_limit_destroy.
dp_db_pool_limit_t *dp_db_pool_limit_new (int min, int max);

//  Free the limit; nullifies the caller's reference. Accepts NULL.
void dp_db_pool_limit_destroy (dp_db_pool_limit_t **self_p);

//  One statement of kind (its loader or query: statements of one kind take
//  about as long as each other; kinds past the table share its last entry)
//  finished: waited_us in the queue, ran_us on its connection (negative
//  values count as 0).
void dp_db_pool_limit_sample (dp_db_pool_limit_t *self, unsigned kind, int64_t waited_us,
                              int64_t ran_us);

//  Decide with the pool's state at now_ms (a monotonic clock): state
//  counts the connections within the target only. Returns the target, in
//  [min, max].
int dp_db_pool_limit_update (dp_db_pool_limit_t *self, const dp_db_pool_state_t *state,
                             int64_t now_ms);

//  The target the last update returned (min before any).
int dp_db_pool_limit_target (dp_db_pool_limit_t *self);

//  The latency baseline of a kind in µs (0 before its first decision).
double dp_db_pool_limit_baseline_us (dp_db_pool_limit_t *self, unsigned kind);

//  Selftest (needs no database).
void dp_db_pool_limit_test (bool verbose);

#endif
