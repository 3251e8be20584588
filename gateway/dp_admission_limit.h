/*  =========================================================================
    dp_admission_limit - a concurrency limit that follows measured latency

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Pure arithmetic, no sockets, no clock of its own: the caller feeds
    each completed request's round trip and the number of requests held
    when it was admitted, with the time now, and reads the limit. The
    limit moves between a minimum and a maximum: it grows while latency
    stays near its baseline and falls when latency rises above it
    (queueing). In the manner of Netflix concurrency-limits' Gradient2
    (Gradient2Limit.java) and Envoy's adaptive concurrency filter (its
    gradient controller); our own code.
@discuss
    Samples are gathered in windows (at least 100 ms and 8 samples). At
    the end of a window, with rtt its mean round trip:
      baseline  an exponential average of the windows' rtt, rising over
                about 10 windows and falling over 5: it re-measures
                itself all the time, so it follows a network that became
                slower or faster, and latency back to normal after a long
                overload is soon the baseline again (Gradient2 pulls its
                long-term RTT down for the same reason).
      gradient  min (1, 1.5 * baseline / rtt), at least 0.5: 1 while
                latency stays within 1.5 times its baseline.
      limit     gradient 1: limit + sqrt (limit) (more concurrency did
                not cost latency: try more); below 1: the limit moves a
                fifth of the way to limit * gradient + sqrt (limit).
    A window whose most requests held was under half the limit is
    app-limited (there was no demand for the slots the limit offers):
    its latency says nothing about the limit, which stays as it is.
    Envoy re-measures its baseline by dropping concurrency to a few
    requests for a while; Depot does not, since on its few cores that
    would stall every other request for the probe's time.
@end
*/
#ifndef DP_ADMISSION_LIMIT_H_INCLUDED
#define DP_ADMISSION_LIMIT_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct _dp_admission_limit_t dp_admission_limit_t;

//  A limit between min and max (1 <= min <= max), starting at max: a new
//  gateway admits as much as it is allowed until latency says otherwise.
//  Caller owns return value and must destroy it with
//  dp_admission_limit_destroy.
dp_admission_limit_t *dp_admission_limit_new (int min, int max);

//  Destroy the limit; accepts NULL, nullifies the caller's reference.
void dp_admission_limit_destroy (dp_admission_limit_t **self_p);

//  One completed request: its round trip rtt_us (> 0), the requests held
//  when it was admitted (itself included), and now_us, a monotonic time.
//  May close a window and move the limit.
void dp_admission_limit_sample (dp_admission_limit_t *self, int64_t rtt_us, int held,
                                int64_t now_us);

//  The current limit, in [min, max].
int dp_admission_limit_current (dp_admission_limit_t *self);

//  The latency baseline in microseconds (0 before the first window).
double dp_admission_limit_baseline_us (dp_admission_limit_t *self);

void dp_admission_limit_test (bool verbose);

#endif
