/*  =========================================================================
    dp_fleet - the latest report of every resolver and db-svc instance

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    A small array searched linearly: a deployment has tens of instances,
    and it is touched once per report and once per scrape.
@end
*/
#include "dp_fleet.h"
#include "dp_log.h"
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    dp_fleet_entry_t entry;
    int64_t fresh;                  //  zclock_mono ms of its last newer report
} s_item_t;

struct _dp_fleet_t {
    pthread_mutex_t lock;           //  guards everything below
    int liveness_ms;
    s_item_t *items;                //  DP_FLEET_MAX slots, n_items used
    size_t n_items;
    bool warned;                    //  said once that the fleet is full
};

dp_fleet_t *
dp_fleet_new (int liveness_ms)
{
    assert (liveness_ms > 0);
    dp_fleet_t *self = (dp_fleet_t *) calloc (1, sizeof (dp_fleet_t));
    if (self)
        self->items = (s_item_t *) calloc (DP_FLEET_MAX, sizeof (s_item_t));
    if (!self || !self->items)
        dp_fatal ("dp_fleet: out of memory");
    pthread_mutex_init (&self->lock, NULL);
    self->liveness_ms = liveness_ms;
    return self;
}

void
dp_fleet_destroy (dp_fleet_t **self_p)
{
    assert (self_p);
    dp_fleet_t *self = *self_p;
    if (self) {
        pthread_mutex_destroy (&self->lock);
        free (self->items);
        free (self);
        *self_p = NULL;
    }
}

//  Forget the entries not current at now. Lock held.
static void
s_expire (dp_fleet_t *self, int64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < self->n_items; i++)
        if (now - self->items [i].fresh <= self->liveness_ms)
            self->items [kept++] = self->items [i];
    self->n_items = kept;
}

bool
dp_fleet_update (dp_fleet_t *self, const dp_report_t *report, int64_t now)
{
    assert (self);
    assert (report);
    const char *instance = report->instance ? report->instance : "";
    pthread_mutex_lock (&self->lock);
    s_expire (self, now);
    s_item_t *item = NULL;
    for (size_t i = 0; i < self->n_items && !item; i++)
        if (self->items [i].entry.service == report->service
        &&  strcmp (self->items [i].entry.instance, instance) == 0)
            item = &self->items [i];
    bool kept = false;
    if (item && report->taken_ms <= item->entry.taken_ms)
        ;                           //  an older (or the same) report, forwarded again
    else
    if (!item && self->n_items == DP_FLEET_MAX) {
        if (!self->warned)
            dp_warn ("fleet: reports of more than %d instances; the others are not shown",
                     DP_FLEET_MAX);
        self->warned = true;
    }
    else {
        if (!item)
            item = &self->items [self->n_items++];
        dp_fleet_entry_t *entry = &item->entry;
        entry->service = report->service;
        snprintf (entry->instance, sizeof entry->instance, "%s", instance);
        entry->taken_ms = report->taken_ms;
        entry->n_values = report->n_values < DP_REPORT_VALUES_MAX
                        ? report->n_values : DP_REPORT_VALUES_MAX;
        if (entry->n_values)
            memcpy (entry->values, report->values, entry->n_values * sizeof (uint64_t));
        item->fresh = now;
        kept = true;
    }
    pthread_mutex_unlock (&self->lock);
    return kept;
}

static int
s_compare (const void *a, const void *b)
{
    const dp_fleet_entry_t *x = (const dp_fleet_entry_t *) a, *y = (const dp_fleet_entry_t *) b;
    if (x->service != y->service)
        return x->service < y->service ? -1 : 1;
    return strcmp (x->instance, y->instance);
}

size_t
dp_fleet_snapshot (dp_fleet_t *self, int64_t now, dp_fleet_entry_t **entries_p)
{
    assert (self);
    assert (entries_p);
    *entries_p = NULL;
    pthread_mutex_lock (&self->lock);
    s_expire (self, now);
    size_t n = self->n_items;
    dp_fleet_entry_t *entries = NULL;
    if (n) {
        entries = (dp_fleet_entry_t *) malloc (n * sizeof (dp_fleet_entry_t));
        if (!entries)
            dp_fatal ("dp_fleet: out of memory");
        for (size_t i = 0; i < n; i++)
            entries [i] = self->items [i].entry;
    }
    pthread_mutex_unlock (&self->lock);
    if (n)
        qsort (entries, n, sizeof (dp_fleet_entry_t), s_compare);
    *entries_p = entries;
    return n;
}


//  --------------------------------------------------------------------------
//  Selftest

void
dp_fleet_test (bool verbose)
{
    printf (" * dp_fleet: ");
    dp_fleet_t *fleet = dp_fleet_new (3000);
    dp_fleet_entry_t *entries;
    assert (dp_fleet_snapshot (fleet, 0, &entries) == 0 && entries == NULL);

    //  Two db-svc and a resolver; db "b" reported by two resolvers.
    uint64_t a_values [] = { 8, 1, 7 }, b_old [] = { 4, 0 }, b_new [] = { 4, 3 }, r [] = { 5 };
    dp_report_t db_a = { DP_SERVICE_DB, "a:1", 1000, a_values, 3 };
    dp_report_t db_b_new = { DP_SERVICE_DB, "b:2", 2000, b_new, 2 };
    dp_report_t db_b_old = { DP_SERVICE_DB, "b:2", 1500, b_old, 2 };
    dp_report_t resolver = { DP_SERVICE_RESOLVER, "r:3/0", 1000, r, 1 };
    assert (dp_fleet_update (fleet, &db_b_new, 100));
    assert (dp_fleet_update (fleet, &db_a, 100));
    assert (dp_fleet_update (fleet, &resolver, 100));
    //  The older report of b, forwarded by another resolver: ignored, and
    //  so is the same report again.
    assert (!dp_fleet_update (fleet, &db_b_old, 200));
    assert (!dp_fleet_update (fleet, &db_b_new, 200));
    size_t n = dp_fleet_snapshot (fleet, 200, &entries);
    assert (n == 3);
    assert (entries [0].service == DP_SERVICE_RESOLVER && strcmp (entries [0].instance, "r:3/0") == 0);
    assert (entries [1].service == DP_SERVICE_DB && strcmp (entries [1].instance, "a:1") == 0);
    assert (entries [2].service == DP_SERVICE_DB && strcmp (entries [2].instance, "b:2") == 0);
    assert (entries [2].n_values == 2 && entries [2].values [1] == 3);
    assert (entries [1].n_values == 3 && entries [1].values [2] == 7);
    free (entries);

    //  Staleness: a keeps reporting, b's last newer report was at 100 (the
    //  repeats at 200 did not count), the resolver's too.
    db_a.taken_ms = 4000;
    assert (dp_fleet_update (fleet, &db_a, 3050));
    assert (!dp_fleet_update (fleet, &db_b_new, 3050));
    n = dp_fleet_snapshot (fleet, 3150, &entries);
    assert (n == 1 && strcmp (entries [0].instance, "a:1") == 0 && entries [0].taken_ms == 4000);
    free (entries);
    //  A forgotten instance comes back with its next newer report.
    db_b_new.taken_ms = 5000;
    assert (dp_fleet_update (fleet, &db_b_new, 3200));
    n = dp_fleet_snapshot (fleet, 3200, &entries);
    assert (n == 2);
    free (entries);
    n = dp_fleet_snapshot (fleet, 10000, &entries);
    assert (n == 0 && entries == NULL);

    //  Bounded: DP_FLEET_MAX instances, then reports of new ones dropped.
    char name [32];
    dp_report_t many = { DP_SERVICE_DB, name, 1, NULL, 0 };
    for (int i = 0; i < DP_FLEET_MAX; i++) {
        snprintf (name, sizeof name, "db-%d", i);
        assert (dp_fleet_update (fleet, &many, 20000));
    }
    snprintf (name, sizeof name, "one-too-many");
    assert (!dp_fleet_update (fleet, &many, 20000));
    n = dp_fleet_snapshot (fleet, 20000, &entries);
    assert (n == DP_FLEET_MAX && entries [0].n_values == 0);
    free (entries);
    if (verbose)
        printf ("(%d instances) ", DP_FLEET_MAX);
    dp_fleet_destroy (&fleet);
    assert (fleet == NULL);
    dp_fleet_destroy (&fleet);
    printf ("OK\n");
}
