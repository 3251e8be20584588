/*  =========================================================================
    dp_admission_limit - a concurrency limit that follows measured latency

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    The algorithm is described in dp_admission_limit.h. References read
    for it: Netflix concurrency-limits, Gradient2Limit.java (gradient of
    a long-term over a short-term RTT clamped to [0.5, 1], a queue
    allowance, smoothing, no growth when app-limited) and VegasLimit.java
    (a larger step up while there is no queueing); Envoy's adaptive
    concurrency filter (windows of samples, headroom of sqrt (limit)).
@end
*/
#include "dp_admission_limit.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define S_WINDOW_US      100000     //  a window lasts at least this long...
#define S_WINDOW_SAMPLES 8          //  ...and holds at least this many samples
#define S_BASELINE_UP    10.0       //  the baseline rises over about this many windows...
#define S_BASELINE_DOWN  5.0        //  ...and falls over this many
#define S_TOLERANCE      1.5        //  latency within this factor of the baseline is no queueing
#define S_SMOOTHING      0.2        //  a decrease moves this share of the way at once

struct _dp_admission_limit_t {
    int min;                    //  the limit's bounds
    int max;
    double limit;               //  the limit, fractional between windows
    double baseline_us;         //  long-term latency; 0 until the first window
    int64_t window_start_us;    //  when the current window's first sample came
    int window_samples;         //  samples in the current window
    double window_rtt_sum_us;   //  their round trips, summed
    int window_held;            //  the most requests held among them
};


dp_admission_limit_t *
dp_admission_limit_new (int min, int max)
{
    assert (min >= 1 && max >= min);
    dp_admission_limit_t *self = (dp_admission_limit_t *) calloc (1, sizeof *self);
    assert (self);
    self->min = min;
    self->max = max;
    self->limit = max;
    return self;
}

void
dp_admission_limit_destroy (dp_admission_limit_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

//  The end of a window: move the baseline, then the limit.
static void
s_window_close (dp_admission_limit_t *self)
{
    double rtt = self->window_rtt_sum_us / self->window_samples;
    //  The baseline rises slowly, so that queueing shows against it for a
    //  while, and falls fast, so that latency back to normal after a long
    //  overload (or a faster network) is soon the baseline again.
    if (self->baseline_us == 0)
        self->baseline_us = rtt;
    else
        self->baseline_us += (rtt - self->baseline_us)
                           / (rtt > self->baseline_us ? S_BASELINE_UP : S_BASELINE_DOWN);
    if (self->window_held * 2 < self->limit)
        return;                 //  app-limited: no evidence about the limit
    double gradient = S_TOLERANCE * self->baseline_us / rtt;
    double allowance = sqrt (self->limit);
    double next;
    if (gradient >= 1)
        next = self->limit + allowance;
    else {
        if (gradient < 0.5)
            gradient = 0.5;
        double target = self->limit * gradient + allowance;
        next = self->limit * (1 - S_SMOOTHING) + target * S_SMOOTHING;
    }
    self->limit = next < self->min ? self->min : next > self->max ? self->max : next;
}

void
dp_admission_limit_sample (dp_admission_limit_t *self, int64_t rtt_us, int held, int64_t now_us)
{
    assert (self);
    if (rtt_us <= 0)
        rtt_us = 1;             //  a clock too coarse to see it: the shortest time there is
    if (self->window_samples == 0)
        self->window_start_us = now_us;
    self->window_samples++;
    self->window_rtt_sum_us += (double) rtt_us;
    if (held > self->window_held)
        self->window_held = held;
    if (self->window_samples >= S_WINDOW_SAMPLES
    &&  now_us - self->window_start_us >= S_WINDOW_US) {
        s_window_close (self);
        self->window_samples = 0;
        self->window_rtt_sum_us = 0;
        self->window_held = 0;
    }
}

int
dp_admission_limit_current (dp_admission_limit_t *self)
{
    assert (self);
    return (int) self->limit;
}

double
dp_admission_limit_baseline_us (dp_admission_limit_t *self)
{
    assert (self);
    return self->baseline_us;
}


//  --------------------------------------------------------------------------
//  Selftest: synthetic sample sequences, a window of 10 samples every
//  120 ms.

//  Feed n windows of round trip rtt_ms; each sample held `use` times the
//  limit of the moment (1: full use; 0.25: app-limited). Checks the bounds
//  after every sample.
static void
s_test_windows (dp_admission_limit_t *limit, int n, double rtt_ms, double use, int64_t *now_us)
{
    for (int w = 0; w < n; w++)
        for (int i = 0; i < 10; i++) {
            *now_us += 12000;
            int held = (int) (dp_admission_limit_current (limit) * use);
            dp_admission_limit_sample (limit, (int64_t) (rtt_ms * 1000), held, *now_us);
            int current = dp_admission_limit_current (limit);
            assert (current >= limit->min && current <= limit->max);
        }
}

void
dp_admission_limit_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_admission_limit: ");
    int64_t now = 1000000;

    //  A window needs both its time and its samples.
    dp_admission_limit_t *limit = dp_admission_limit_new (10, 100);
    assert (dp_admission_limit_current (limit) == 100);
    for (int i = 0; i < 7; i++)
        dp_admission_limit_sample (limit, 10000, 100, now += 200000);
    assert (dp_admission_limit_baseline_us (limit) == 0);
    dp_admission_limit_sample (limit, 10000, 100, now += 200000);
    assert (dp_admission_limit_baseline_us (limit) == 10000);
    for (int i = 0; i < 50; i++)
        dp_admission_limit_sample (limit, 20000, 100, now += 1000);
    assert (dp_admission_limit_baseline_us (limit) == 10000);
    dp_admission_limit_destroy (&limit);

    limit = dp_admission_limit_new (10, 100);

    //  Flat latency under full use: the limit stays at its maximum.
    s_test_windows (limit, 50, 10, 1, &now);
    assert (dp_admission_limit_current (limit) == 100);
    assert (fabs (dp_admission_limit_baseline_us (limit) - 10000) < 1000);

    //  Latency doubles (queueing): the limit falls, and stays below its
    //  maximum while the latency is new; tripled, it falls faster.
    s_test_windows (limit, 1, 20, 1, &now);
    assert (dp_admission_limit_current (limit) < 100);
    s_test_windows (limit, 2, 20, 1, &now);
    assert (dp_admission_limit_current (limit) < 100);
    s_test_windows (limit, 30, 10, 1, &now);
    assert (dp_admission_limit_current (limit) == 100);
    int before = dp_admission_limit_current (limit);
    for (int w = 0; w < 3; w++) {
        s_test_windows (limit, 1, 30, 1, &now);
        int after = dp_admission_limit_current (limit);
        assert (after < before);
        before = after;
    }
    assert (before < 90);

    //  App-limited samples (held a quarter of the limit), latency back at
    //  its baseline: the limit does not grow on them.
    s_test_windows (limit, 30, 10, 0.25, &now);
    assert (dp_admission_limit_current (limit) == before);

    //  Flat latency at the baseline under full use: the limit grows back
    //  to its maximum, within a few windows.
    s_test_windows (limit, 10, 10, 1, &now);
    assert (dp_admission_limit_current (limit) == 100);

    //  A network that became slower (30 ms for good): at first it looks
    //  like queueing and the limit falls; the baseline re-measures itself,
    //  and the limit grows back to its maximum at the new latency.
    s_test_windows (limit, 3, 30, 1, &now);
    assert (dp_admission_limit_current (limit) < 100);
    s_test_windows (limit, 60, 30, 1, &now);
    assert (dp_admission_limit_current (limit) == 100);
    assert (dp_admission_limit_baseline_us (limit) > 25000);
    //  ...and faster again (10 ms): the baseline comes down within a few
    //  windows, so that a doubling is seen as queueing again.
    s_test_windows (limit, 15, 10, 1, &now);
    assert (dp_admission_limit_baseline_us (limit) < 14000);
    assert (dp_admission_limit_current (limit) == 100);
    s_test_windows (limit, 1, 20, 1, &now);
    assert (dp_admission_limit_current (limit) < 100);

    //  Latency ten times the baseline for long: the limit reaches its
    //  minimum at worst, never below.
    s_test_windows (limit, 200, 100, 1, &now);
    assert (dp_admission_limit_current (limit) >= 10);
    dp_admission_limit_destroy (&limit);
    dp_admission_limit_destroy (&limit);

    //  Whatever the samples, the limit stays within its bounds.
    limit = dp_admission_limit_new (3, 40);
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245 + 12345;
        int64_t rtt = 1 + (seed >> 8) % 200000;
        int held = (int) ((seed >> 4) % 81);
        now += (seed >> 16) % 30000;
        dp_admission_limit_sample (limit, i % 97 ? rtt : 0, held, now);
        int current = dp_admission_limit_current (limit);
        assert (current >= 3 && current <= 40);
    }
    dp_admission_limit_destroy (&limit);

    //  min == max: a fixed limit.
    limit = dp_admission_limit_new (5, 5);
    s_test_windows (limit, 10, 50, 1, &now);
    s_test_windows (limit, 10, 5, 1, &now);
    assert (dp_admission_limit_current (limit) == 5);
    dp_admission_limit_destroy (&limit);
    printf ("OK\n");
}
