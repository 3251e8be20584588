/*  =========================================================================
    dp_db_pool_limit - how many MariaDB connections a pool should have now,
    from the latency and queueing it observes

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The rule is in dp_db_pool_limit.h; the selftest drives it with
    synthetic sample sequences and a clock of its own.
@end
*/
#include "dp_db_pool_limit.h"
#include "dp_log.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

//  The baseline falls fast toward a lower mean (half the gap per decision:
//  one lucky interval alone does not set it) and rises slowly (DRIFT).
#define S_BASELINE_FALL     0.5
#define S_MAX_WAIT_MS       1000    //  decide with fewer samples after this long

//  One kind of statement: its samples this interval and its baseline.
typedef struct {
    uint32_t n_samples;
    double sum_ran_us;
    double baseline_us;             //  0 before its first decision
} s_kind_t;

struct _dp_db_pool_limit_t {
    int min, max;
    int target;
    //  This interval's samples.
    int64_t interval_start;         //  ms; -1 before the first update
    uint32_t n_samples;
    double sum_waited_us, sum_ran_us;
    s_kind_t kinds [DP_DB_POOL_LIMIT_KINDS];
    //  Most connections busy at once: in the current idle window and the
    //  one before, so max of both covers at least DP_DB_POOL_LIMIT_IDLE_MS.
    int64_t window_start;
    int peak_busy, peak_busy_before;
    bool window_full;               //  a whole window has passed
    int64_t risen_at;               //  when the target last rose
};

dp_db_pool_limit_t *
dp_db_pool_limit_new (int min, int max)
{
    assert (min >= 1 && min <= max);
    dp_db_pool_limit_t *self = calloc (1, sizeof (dp_db_pool_limit_t));
    if (!self)
        dp_fatal ("out of memory");
    self->min = min;
    self->max = max;
    self->target = min;
    self->interval_start = -1;
    return self;
}

void
dp_db_pool_limit_destroy (dp_db_pool_limit_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

void
dp_db_pool_limit_sample (dp_db_pool_limit_t *self, unsigned kind, int64_t waited_us,
                         int64_t ran_us)
{
    assert (self);
    double ran = ran_us > 0? (double) ran_us: 0;
    self->n_samples++;
    self->sum_waited_us += waited_us > 0? (double) waited_us: 0;
    self->sum_ran_us += ran;
    s_kind_t *of_kind = &self->kinds [kind < DP_DB_POOL_LIMIT_KINDS? kind: DP_DB_POOL_LIMIT_KINDS - 1];
    of_kind->n_samples++;
    of_kind->sum_ran_us += ran;
}

static int
s_clamp (dp_db_pool_limit_t *self, int target)
{
    return target < self->min? self->min: target > self->max? self->max: target;
}

//  The interval's samples: follow latency first, then queueing.
static void
s_decide (dp_db_pool_limit_t *self, const dp_db_pool_state_t *state, int64_t now_ms)
{
    double ran = self->sum_ran_us / self->n_samples;
    double waited = self->sum_waited_us / self->n_samples;
    //  Each kind's mean against its own baseline, weighed by its samples:
    //  a different mix of statements is no rise.
    double sum_rise = 0;
    for (int k = 0; k < DP_DB_POOL_LIMIT_KINDS; k++) {
        s_kind_t *kind = &self->kinds [k];
        if (kind->n_samples == 0)
            continue;
        double mean = kind->sum_ran_us / kind->n_samples;
        if (kind->baseline_us == 0)
            kind->baseline_us = mean > 1? mean: 1;
        sum_rise += kind->n_samples * mean / kind->baseline_us;
        if (mean < kind->baseline_us)
            kind->baseline_us -= (kind->baseline_us - mean) * S_BASELINE_FALL;
        else
            kind->baseline_us += (mean - kind->baseline_us) * DP_DB_POOL_LIMIT_DRIFT;
        if (kind->baseline_us < 1)
            kind->baseline_us = 1;
        kind->n_samples = 0;
        kind->sum_ran_us = 0;
    }
    double rise = sum_rise / self->n_samples;
    if (rise >= DP_DB_POOL_LIMIT_SATURATED) {
        //  Saturated: fewer connections, in proportion to the rise.
        double gradient = DP_DB_POOL_LIMIT_SATURATED / rise;
        if (gradient < 0.5)
            gradient = 0.5;
        int step = (int) (self->target * (1.0 - gradient) / 2);
        self->target = s_clamp (self, self->target - (step > 1? step: 1));
    }
    else
    if (waited > ran * DP_DB_POOL_LIMIT_WAITED && state->up >= self->target
    &&  self->target < self->max) {
        //  Statements wait and the server keeps its pace: more connections,
        //  a quarter more; when its pace slowed somewhat, one more only
        //  while they wait longer than they run (a probe, so a pool that
        //  shrank under a passing load does not stay small).
        int step = self->target / 4;
        int before = self->target;
        if (rise < DP_DB_POOL_LIMIT_TOLERANCE)
            self->target = s_clamp (self, self->target + (step > 1? step: 1));
        else
        if (rise < DP_DB_POOL_LIMIT_PROBE && waited > ran)
            self->target = s_clamp (self, self->target + 1);
        if (self->target > before)
            self->risen_at = now_ms;
    }
}

int
dp_db_pool_limit_update (dp_db_pool_limit_t *self, const dp_db_pool_state_t *state,
                         int64_t now_ms)
{
    assert (self);
    assert (state);
    if (self->interval_start < 0) {
        self->interval_start = self->window_start = self->risen_at = now_ms;
        self->peak_busy = state->busy;
    }
    //  Busy peaks, window by window.
    if (now_ms - self->window_start >= DP_DB_POOL_LIMIT_IDLE_MS) {
        self->peak_busy_before = self->peak_busy;
        self->peak_busy = state->busy;
        self->window_start = now_ms;
        self->window_full = true;
    }
    else
    if (state->busy > self->peak_busy)
        self->peak_busy = state->busy;

    //  Decide once an interval has enough samples (or has waited long
    //  enough for a few); an interval without any starts anew.
    int64_t elapsed = now_ms - self->interval_start;
    bool enough = self->n_samples >= DP_DB_POOL_LIMIT_MIN_SAMPLES
               || (self->n_samples > 0 && elapsed >= S_MAX_WAIT_MS);
    if (elapsed >= DP_DB_POOL_LIMIT_INTERVAL_MS && (enough || self->n_samples == 0)) {
        if (enough)
            s_decide (self, state, now_ms);
        self->interval_start = now_ms;
        self->n_samples = 0;
        self->sum_waited_us = self->sum_ran_us = 0;
    }

    //  Connections nobody used for a whole idle window go.
    int peak = self->peak_busy > self->peak_busy_before? self->peak_busy: self->peak_busy_before;
    if (self->window_full && now_ms - self->risen_at >= DP_DB_POOL_LIMIT_IDLE_MS
    &&  peak < self->target)
        self->target = s_clamp (self, peak);
    return self->target;
}

int
dp_db_pool_limit_target (dp_db_pool_limit_t *self)
{
    assert (self);
    return self->target;
}

double
dp_db_pool_limit_baseline_us (dp_db_pool_limit_t *self, unsigned kind)
{
    assert (self);
    return self->kinds [kind < DP_DB_POOL_LIMIT_KINDS? kind: DP_DB_POOL_LIMIT_KINDS - 1].baseline_us;
}


//  ==========================================================================
//  Selftest

//  Feed intervals of n samples (waited, ran µs) with the pool as it would
//  be at the limit's target: every connection wanted up, `busy` of them
//  running, `queued` waiting. Returns the target after them; *now advances.
static int
s_feed (dp_db_pool_limit_t *limit, int64_t *now, int intervals, int n, int64_t waited,
        int64_t ran, int busy, size_t queued)
{
    int target = dp_db_pool_limit_target (limit);
    for (int i = 0; i < intervals; i++) {
        for (int s = 0; s < n; s++)
            dp_db_pool_limit_sample (limit, 7, waited, ran);
        *now += DP_DB_POOL_LIMIT_INTERVAL_MS;
        dp_db_pool_state_t state = { target, busy < 0? target: busy, queued };
        target = dp_db_pool_limit_update (limit, &state, *now);
        assert (target >= 2 && target <= 32);
    }
    return target;
}

void
dp_db_pool_limit_test (bool verbose)
{
    printf (" * dp_db_pool_limit: ");
    int64_t now = 1000000;
    dp_db_pool_limit_t *limit = dp_db_pool_limit_new (2, 32);
    assert (dp_db_pool_limit_target (limit) == 2);
    dp_db_pool_state_t empty = { 2, 0, 0 };
    assert (dp_db_pool_limit_update (limit, &empty, now) == 2);

    //  A 10 ms round trip, statements waiting as long again for a
    //  connection, latency flat: the pool grows, quickly, to its maximum.
    int target = s_feed (limit, &now, 1, 50, 10000, 10000, -1, 40);
    assert (target == 3);
    target = s_feed (limit, &now, 20, 50, 10000, 10000, -1, 40);
    assert (target == 32);
    assert (dp_db_pool_limit_baseline_us (limit, 7) == 10000);
    //  ... and never over it.
    assert (s_feed (limit, &now, 10, 50, 20000, 10000, -1, 400) == 32);

    //  No wait to speak of (under an eighth of the run time): no growth.
    dp_db_pool_limit_t *calm = dp_db_pool_limit_new (2, 32);
    assert (s_feed (calm, &now, 30, 50, 1000, 10000, -1, 0) == 2);
    dp_db_pool_limit_destroy (&calm);

    //  Queueing while statement latency doubles: the server is saturated,
    //  the target does not grow; latency rising further, it falls, and
    //  stops at the minimum.
    dp_db_pool_limit_t *busy = dp_db_pool_limit_new (2, 32);
    target = s_feed (busy, &now, 8, 50, 4000, 1000, -1, 40);
    assert (target > 8);
    int before = target;
    target = s_feed (busy, &now, 10, 50, 4000, 2000, -1, 40);
    assert (target <= before);
    before = target;
    //  Somewhat slower (1.6 times): grows by one at a time, only while
    //  statements wait longer than they run.
    dp_db_pool_limit_t *probing = dp_db_pool_limit_new (2, 32);
    assert (s_feed (probing, &now, 2, 50, 4000, 1000, -1, 40) == 3);
    assert (s_feed (probing, &now, 3, 50, 4000, 1600, -1, 40) == 6);
    assert (s_feed (probing, &now, 3, 50, 1000, 1600, -1, 40) == 6);
    dp_db_pool_limit_destroy (&probing);
    target = s_feed (busy, &now, 1, 50, 8000, 4000, -1, 40);
    assert (target < before && target >= 2);
    target = s_feed (busy, &now, 30, 50, 8000, 8000, -1, 40);
    assert (target == 2);
    dp_db_pool_limit_destroy (&busy);

    //  The baseline follows a network that became slower: after a while
    //  the new latency is the baseline and queueing grows the pool again.
    dp_db_pool_limit_t *moved = dp_db_pool_limit_new (2, 32);
    assert (s_feed (moved, &now, 10, 50, 1000, 1000, -1, 40) > 8);
    assert (s_feed (moved, &now, 5, 50, 10000, 10000, -1, 40) < 8);
    target = s_feed (moved, &now, 400, 50, 10000, 10000, -1, 40);
    assert (target == 32);
    assert (dp_db_pool_limit_baseline_us (moved, 7) > 6000);
    dp_db_pool_limit_destroy (&moved);

    //  Idle: at most 3 connections busy at once for a whole idle window,
    //  after the last rise: the target falls to 3; with none busy, to the
    //  minimum; never under it. Not before the window has passed.
    int intervals = DP_DB_POOL_LIMIT_IDLE_MS / DP_DB_POOL_LIMIT_INTERVAL_MS;
    target = s_feed (limit, &now, intervals / 2, 10, 0, 10000, 3, 0);
    assert (target == 32);
    target = s_feed (limit, &now, 2 * intervals, 10, 0, 10000, 3, 0);
    assert (target == 3);
    target = s_feed (limit, &now, 2 * intervals, 0, 0, 0, 0, 0);
    assert (target == 2);
    target = s_feed (limit, &now, 2 * intervals, 0, 0, 0, 0, 0);
    assert (target == 2);

    //  Connections that are not up yet: no growth beyond them (a server
    //  that refuses more connections stops the growth).
    dp_db_pool_limit_t *refused = dp_db_pool_limit_new (2, 32);
    for (int i = 0; i < 30; i++) {
        for (int s = 0; s < 50; s++)
            dp_db_pool_limit_sample (refused, 0, 10000, 10000);
        now += DP_DB_POOL_LIMIT_INTERVAL_MS;
        dp_db_pool_state_t state = { 4, 4, 40 };
        target = dp_db_pool_limit_update (refused, &state, now);
    }
    assert (target == 5);
    dp_db_pool_limit_destroy (&refused);

    //  A changing mix of statements, each kind at its own pace (a 1 ms
    //  lookup, a 20 ms count), is no rise in latency: the pool grows.
    dp_db_pool_limit_t *mixed = dp_db_pool_limit_new (2, 32);
    for (int i = 0; i < 30; i++) {
        int counts = i % 3 == 0? 40: 2;
        for (int s = 0; s < 50; s++)
            dp_db_pool_limit_sample (mixed, s < counts? 1: 2, 30000, s < counts? 20000: 1000);
        now += DP_DB_POOL_LIMIT_INTERVAL_MS;
        dp_db_pool_state_t state = { dp_db_pool_limit_target (mixed),
                                     dp_db_pool_limit_target (mixed), 40 };
        target = dp_db_pool_limit_update (mixed, &state, now);
    }
    assert (target == 32);
    //  A kind past the table shares its last entry.
    dp_db_pool_limit_sample (mixed, DP_DB_POOL_LIMIT_KINDS + 5, 0, 1000);
    dp_db_pool_limit_destroy (&mixed);

    //  Bounds: min == max stays put whatever it is fed.
    dp_db_pool_limit_t *fixed = dp_db_pool_limit_new (4, 4);
    assert (s_feed (fixed, &now, 0, 0, 0, 0, 0, 0) == 4);
    for (int i = 0; i < 100; i++) {
        dp_db_pool_limit_sample (fixed, (unsigned) i, i % 7 * 5000, 1000 + i % 13 * 3000);
        now += 37;
        dp_db_pool_state_t state = { 4, i % 5, (size_t) (i % 3) * 10 };
        assert (dp_db_pool_limit_update (fixed, &state, now) == 4);
    }
    dp_db_pool_limit_destroy (&fixed);
    dp_db_pool_limit_destroy (&limit);
    dp_db_pool_limit_destroy (&limit);      //  accepts NULL
    if (verbose)
        printf ("(last target %d) ", target);
    printf ("OK\n");
}
