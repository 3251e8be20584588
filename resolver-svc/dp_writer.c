/*  =========================================================================
    dp_writer - writes large answers on a low-priority thread

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Covered by tests/integration/test_read_relations.py
    (DEPOT_LARGE_ANSWER_ROWS, lowPriorityWrite).
@end
*/
#define _GNU_SOURCE
#include "dp_writer.h"
#include "dp_log.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_NICE 10               //  below the actors' threads, which stay at 0

typedef struct s_item {
    dp_exec_t *exec;
    struct s_item *next;
} s_item_t;

struct _dp_writer_t {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    s_item_t *head, *tail;      //  submitted, not yet written
    bool stopping;
    char *endpoint;
};

static void *
s_run (void *arg)
{
    dp_writer_t *self = arg;
    //  Only this thread's priority (Linux: a thread is a task).
    if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), S_NICE))
        dp_warn ("writer: cannot lower the writer thread's priority: %s", strerror (errno));
    zsock_t *back = zsock_new_push (self->endpoint);
    if (back)
        zsock_set_linger (back, 1000);      //  what was sent reaches the actor
    else
        dp_error ("writer: cannot connect to %s", self->endpoint);
    while (true) {
        pthread_mutex_lock (&self->lock);
        while (!self->head && !self->stopping)
            pthread_cond_wait (&self->wake, &self->lock);
        s_item_t *item = self->head;
        if (item) {
            self->head = item->next;
            if (!self->head)
                self->tail = NULL;
        }
        pthread_mutex_unlock (&self->lock);
        if (!item)
            break;              //  stopping, and nothing left
        dp_exec_write (item->exec, true);
        if (back)
            zsock_send (back, "p", item->exec);
        free (item);
    }
    zsock_destroy (&back);
    return NULL;
}

dp_writer_t *
dp_writer_new (const char *endpoint)
{
    dp_writer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->endpoint = strdup (endpoint);
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->wake, NULL);
    if (!self->endpoint || pthread_create (&self->thread, NULL, s_run, self)) {
        pthread_mutex_destroy (&self->lock);
        pthread_cond_destroy (&self->wake);
        free (self->endpoint);
        free (self);
        return NULL;
    }
    return self;
}

void
dp_writer_destroy (dp_writer_t **self_p)
{
    dp_writer_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_lock (&self->lock);
    self->stopping = true;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
    pthread_join (self->thread, NULL);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->wake);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

void
dp_writer_submit (dp_writer_t *self, dp_exec_t *exec)
{
    s_item_t *item = malloc (sizeof *item);
    if (!item)
        dp_fatal ("out of memory");
    item->exec = exec;
    item->next = NULL;
    pthread_mutex_lock (&self->lock);
    if (self->tail)
        self->tail->next = item;
    else
        self->head = item;
    self->tail = item;
    pthread_cond_signal (&self->wake);
    pthread_mutex_unlock (&self->lock);
}
