/*  =========================================================================
    dp_admission - the broker's admission: slots under a limit, a short wait

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Counts the requests the broker holds (at resolvers or queued for
    credit) against a limit that follows their latency
    (dp_admission_limit). A request offered while every slot is taken
    joins a FIFO wait list, bounded, for at most wait_ms: a slot freed goes
    to the oldest waiter; one still waiting when its wait is over is
    refused (the broker answers 503 "server busy"). Pure bookkeeping: no
    sockets, times are given by the caller (monotonic microseconds), and
    the requests are the caller's, held here by a borrowed pointer.
@discuss
    The round trip fed to the limit is from admission (taking the slot)
    to the answer: the time a request holds its slot, queue for credit
    included, which is what the number of slots held multiplies into
    (Little's law). The wait before admission is not in it: that wait is
    the limit's doing, not the back end's latency.
@end
*/
#ifndef DP_ADMISSION_H_INCLUDED
#define DP_ADMISSION_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef struct _dp_admission_t dp_admission_t;

typedef struct {
    int min;                    //  the limit's lowest value, >= 1
    int max;                    //  its highest (and first) value, >= min
    int wait_ms;                //  longest wait for a slot, >= 0 (0: refused at once)
    int max_waiting;            //  requests waiting at once, >= 0; beyond: refused at once
} dp_admission_config_t;

typedef enum {
    DP_ADMISSION_ADMIT,         //  it holds a slot now
    DP_ADMISSION_WAIT,          //  it waits in the list for a slot
    DP_ADMISSION_REFUSE         //  no slot, and no room (or no time) to wait
} dp_admission_verdict_t;

//  Create the admission. Caller owns return value and must destroy it
//  with dp_admission_destroy.
dp_admission_t *dp_admission_new (const dp_admission_config_t *config);

//  Destroy it; accepts NULL, nullifies the caller's reference. The
//  requests still waiting are the caller's and are not touched.
void dp_admission_destroy (dp_admission_t **self_p);

//  A new request at now_us. ADMIT: it holds a slot; *held_p is the number
//  of slots held, itself included. WAIT: it joined the wait list; *handle_p
//  is its place there, for dp_admission_withdraw. REFUSE: neither. A
//  request never jumps the list: with anyone waiting it waits too.
dp_admission_verdict_t dp_admission_offer (dp_admission_t *self, void *request, int64_t now_us,
                                           void **handle_p, int *held_p);

//  A request that held a slot since admitted_us is done at now_us: its
//  slot is free. held is what dp_admission_offer or _admit_next said for
//  it. When answered, its round trip is a sample for the limit; a failed
//  request (lost, expired, cancelled) tells nothing about latency.
void dp_admission_release (dp_admission_t *self, int64_t admitted_us, int held, int64_t now_us,
                           bool answered);

//  The oldest waiter when a slot is free: it leaves the list and holds the
//  slot (*held_p as for dp_admission_offer). NULL when no one waits or no
//  slot is free. Returns a borrowed pointer (the caller's request).
void *dp_admission_admit_next (dp_admission_t *self, int *held_p);

//  The oldest waiter whose wait is over at now_us: it leaves the list (the
//  caller refuses it). NULL when there is none. Returns a borrowed pointer.
void *dp_admission_expired (dp_admission_t *self, int64_t now_us);

//  A waiter leaves the list without a slot (cancelled, deadline, stop).
void dp_admission_withdraw (dp_admission_t *self, void *handle);

//  Microseconds until the oldest waiter's wait is over (0 when it is
//  already), or -1 when no one waits.
int64_t dp_admission_next_expiry_us (dp_admission_t *self, int64_t now_us);

//  The limit now, the slots held, the requests waiting.
int dp_admission_limit (dp_admission_t *self);
int dp_admission_held (dp_admission_t *self);
int dp_admission_waiting (dp_admission_t *self);

void dp_admission_test (bool verbose);

#endif
