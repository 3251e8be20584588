/*  =========================================================================
    dp_admission - the broker's admission: slots under a limit, a short wait

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A count of slots held, a dp_admission_limit and a zlistx of waiters,
    oldest first (each waits until a fixed time, so the oldest is also the
    first whose wait ends).
@end
*/
#include "dp_admission.h"
#include "dp_admission_limit.h"
#include <czmq.h>
#include <assert.h>

typedef struct {
    void *request;              //  the caller's request (borrowed)
    int64_t until_us;           //  when its wait is over
} s_waiter_t;

struct _dp_admission_t {
    dp_admission_limit_t *limit;
    zlistx_t *waiters;          //  s_waiter_t * (owned), oldest first
    int held;                   //  slots held
    int64_t wait_us;            //  longest wait
    int max_waiting;            //  the wait list's bound
};

static void
s_waiter_destroy (void **item)
{
    free (*item);
    *item = NULL;
}

dp_admission_t *
dp_admission_new (const dp_admission_config_t *config)
{
    assert (config);
    assert (config->wait_ms >= 0 && config->max_waiting >= 0);
    dp_admission_t *self = (dp_admission_t *) zmalloc (sizeof *self);
    assert (self);
    self->limit = dp_admission_limit_new (config->min, config->max);
    self->waiters = zlistx_new ();
    assert (self->waiters);
    zlistx_set_destructor (self->waiters, s_waiter_destroy);
    self->wait_us = (int64_t) config->wait_ms * 1000;
    self->max_waiting = config->max_waiting;
    return self;
}

void
dp_admission_destroy (dp_admission_t **self_p)
{
    assert (self_p);
    dp_admission_t *self = *self_p;
    if (self) {
        zlistx_destroy (&self->waiters);
        dp_admission_limit_destroy (&self->limit);
        free (self);
        *self_p = NULL;
    }
}

static bool
s_slot_free (dp_admission_t *self)
{
    return self->held < dp_admission_limit_current (self->limit);
}

dp_admission_verdict_t
dp_admission_offer (dp_admission_t *self, void *request, int64_t now_us, void **handle_p,
                    int *held_p)
{
    assert (self && request && handle_p && held_p);
    if (zlistx_size (self->waiters) == 0 && s_slot_free (self)) {
        *held_p = ++self->held;
        return DP_ADMISSION_ADMIT;
    }
    if (self->wait_us == 0 || zlistx_size (self->waiters) >= (size_t) self->max_waiting)
        return DP_ADMISSION_REFUSE;
    s_waiter_t *waiter = (s_waiter_t *) zmalloc (sizeof *waiter);
    assert (waiter);
    waiter->request = request;
    waiter->until_us = now_us + self->wait_us;
    *handle_p = zlistx_add_end (self->waiters, waiter);
    return DP_ADMISSION_WAIT;
}

void
dp_admission_release (dp_admission_t *self, int64_t admitted_us, int held, int64_t now_us,
                      bool answered)
{
    assert (self);
    assert (self->held > 0);
    self->held--;
    if (answered)
        dp_admission_limit_sample (self->limit, now_us - admitted_us, held, now_us);
}

void *
dp_admission_admit_next (dp_admission_t *self, int *held_p)
{
    assert (self && held_p);
    s_waiter_t *waiter = (s_waiter_t *) zlistx_first (self->waiters);
    if (!waiter || !s_slot_free (self))
        return NULL;
    void *request = waiter->request;
    zlistx_delete (self->waiters, zlistx_cursor (self->waiters));
    *held_p = ++self->held;
    return request;
}

void *
dp_admission_expired (dp_admission_t *self, int64_t now_us)
{
    assert (self);
    s_waiter_t *waiter = (s_waiter_t *) zlistx_first (self->waiters);
    if (!waiter || waiter->until_us > now_us)
        return NULL;
    void *request = waiter->request;
    zlistx_delete (self->waiters, zlistx_cursor (self->waiters));
    return request;
}

void
dp_admission_withdraw (dp_admission_t *self, void *handle)
{
    assert (self && handle);
    zlistx_delete (self->waiters, handle);
}

int64_t
dp_admission_next_expiry_us (dp_admission_t *self, int64_t now_us)
{
    assert (self);
    s_waiter_t *waiter = (s_waiter_t *) zlistx_first (self->waiters);
    if (!waiter)
        return -1;
    return waiter->until_us > now_us ? waiter->until_us - now_us : 0;
}

int
dp_admission_limit (dp_admission_t *self)
{
    assert (self);
    return dp_admission_limit_current (self->limit);
}

int
dp_admission_held (dp_admission_t *self)
{
    assert (self);
    return self->held;
}

int
dp_admission_waiting (dp_admission_t *self)
{
    assert (self);
    return (int) zlistx_size (self->waiters);
}


//  --------------------------------------------------------------------------
//  Selftest

void
dp_admission_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_admission: ");
    int requests [8];
    void *handle [8];
    int held;
    int64_t now = 1000000;

    //  A limit of 2 (min = max), a wait of 50 ms, room for 2 waiters.
    dp_admission_config_t config = { .min = 2, .max = 2, .wait_ms = 50, .max_waiting = 2 };
    dp_admission_t *admission = dp_admission_new (&config);
    assert (dp_admission_limit (admission) == 2);
    assert (dp_admission_next_expiry_us (admission, now) == -1);
    assert (dp_admission_offer (admission, &requests [0], now, &handle [0], &held) == DP_ADMISSION_ADMIT);
    assert (held == 1);
    assert (dp_admission_offer (admission, &requests [1], now, &handle [1], &held) == DP_ADMISSION_ADMIT);
    assert (held == 2);
    //  Full: the next two wait, in order; a fifth is refused at once.
    assert (dp_admission_offer (admission, &requests [2], now, &handle [2], &held) == DP_ADMISSION_WAIT);
    assert (dp_admission_offer (admission, &requests [3], now + 10000, &handle [3], &held) == DP_ADMISSION_WAIT);
    assert (dp_admission_offer (admission, &requests [4], now, &handle [4], &held) == DP_ADMISSION_REFUSE);
    assert (dp_admission_waiting (admission) == 2 && dp_admission_held (admission) == 2);
    assert (dp_admission_admit_next (admission, &held) == NULL);
    assert (dp_admission_next_expiry_us (admission, now) == 50000);

    //  A slot freed goes to the oldest waiter.
    dp_admission_release (admission, now, 1, now + 5000, true);
    assert (dp_admission_held (admission) == 1);
    assert (dp_admission_admit_next (admission, &held) == &requests [2] && held == 2);
    assert (dp_admission_admit_next (admission, &held) == NULL);
    assert (dp_admission_waiting (admission) == 1);

    //  A freed slot does not go to a newcomer while someone waits.
    dp_admission_release (admission, now, 2, now + 6000, false);
    assert (dp_admission_offer (admission, &requests [5], now + 6000, &handle [5], &held) == DP_ADMISSION_WAIT);
    assert (dp_admission_admit_next (admission, &held) == &requests [3]);

    //  A waiter withdrawn (cancelled) leaves the list and is never admitted.
    dp_admission_withdraw (admission, handle [5]);
    assert (dp_admission_waiting (admission) == 0);
    dp_admission_release (admission, now, 2, now + 7000, true);
    assert (dp_admission_admit_next (admission, &held) == NULL);
    assert (dp_admission_held (admission) == 1);

    //  A waiter whose wait is over comes out of dp_admission_expired, not
    //  before.
    assert (dp_admission_offer (admission, &requests [6], now, &handle [6], &held) == DP_ADMISSION_ADMIT);
    assert (dp_admission_offer (admission, &requests [7], now, &handle [7], &held) == DP_ADMISSION_WAIT);
    assert (dp_admission_expired (admission, now + 49999) == NULL);
    assert (dp_admission_next_expiry_us (admission, now + 49999) == 1);
    assert (dp_admission_expired (admission, now + 50000) == &requests [7]);
    assert (dp_admission_waiting (admission) == 0);
    assert (dp_admission_expired (admission, now + 90000) == NULL);
    dp_admission_destroy (&admission);
    dp_admission_destroy (&admission);

    //  A wait of 0: refused at once when full.
    config.wait_ms = 0;
    admission = dp_admission_new (&config);
    dp_admission_offer (admission, &requests [0], now, &handle [0], &held);
    dp_admission_offer (admission, &requests [1], now, &handle [1], &held);
    assert (dp_admission_offer (admission, &requests [2], now, &handle [2], &held) == DP_ADMISSION_REFUSE);
    dp_admission_destroy (&admission);
    printf ("OK\n");
}
