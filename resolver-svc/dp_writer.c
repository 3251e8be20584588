/*  =========================================================================
    dp_writer - writes large answers on a low-priority thread

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    Its selftest hands it requests on a real thread and PULL socket;
    through Depot, tests/integration/test_read_relations.py
    (DEPOT_LARGE_ANSWER_ROWS, lowPriorityWrite).
@end
*/
#define _GNU_SOURCE
#include "dp_writer.h"
#include "dp_log.h"
#include "dp_thread_name.h"
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
    size_t written;             //  answers written (under lock: see dp_writer_receive)
    char *endpoint;
};

static void *
s_run (void *arg)
{
    dp_writer_t *self = arg;
    dp_thread_name ("dp-writer");
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
        //  Publish what was written before the pointer leaves: the receiver
        //  takes the same lock (dp_writer_receive), so the hand-back is
        //  ordered by a mutex both threads see, not only inside libzmq.
        pthread_mutex_lock (&self->lock);
        self->written++;
        pthread_mutex_unlock (&self->lock);
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

dp_exec_t *
dp_writer_receive (dp_writer_t *self, zsock_t *pull)
{
    void *pointer = NULL;
    if (zsock_recv (pull, "p", &pointer) || !pointer)
        return NULL;
    if (self) {
        pthread_mutex_lock (&self->lock);
        pthread_mutex_unlock (&self->lock);
    }
    return (dp_exec_t *) pointer;
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

//  -------------------------------------------------------------------------
//  Selftest: requests whose waves are done and whose answers are large
//  are written on the writer's thread and come back to a PULL socket, also
//  those still queued when the writer is destroyed.

#include "dp_plan.h"
#include "dp_exec_hooks.h"
#include <assert.h>

//  Query.rows: makes two rows in wave 1, so the request is "large" for a
//  threshold of one row, and writes 2.
static void
s_test_rows_collect (dp_exec_t *exec, plan_field_t *pf)
{
    (void) pf;
    dp_val_t cells [2] = { { .type = DP_VAL_INT, .u.i = 1 }, { .type = DP_VAL_INT, .u.i = 1 } };
    const dp_catalog_entry_t *sizes = dp_catalog_loader (DP_LOADER_sizes_by_id);
    dp_exec_make_row (exec, sizes, 1, cells, 2);
    dp_exec_make_row (exec, sizes, 1, cells, 2);
}

static int
s_test_rows_write (dp_exec_t *exec, const plan_field_t *pf, const obj_t *obj)
{
    (void) pf, (void) obj;
    dp_json_writer_int (dp_exec_out (exec), 2);
    return 1;
}

static const dp_binding_t s_test_rows = {
    .kind = BIND_ROOT, .collect = s_test_rows_collect, .write = s_test_rows_write };

static int
s_test_no_send (void *ctx, dp_exec_t *exec, dp_msg_t *msg)
{
    (void) ctx, (void) exec, (void) msg;
    assert (false);             //  the request loads nothing
    return -1;
}

//  A request started and left for the writer.
static dp_exec_t *
s_test_request (const dp_exec_env_t *env)
{
    dp_exec_t *exec = dp_exec_new (env);
    const char *query = "{ rows }";
    dp_msg_t execute = { .type = DP_MSG_EXECUTE, .id = 7, .trace_id = "writer-test" };
    execute.u.execute.query = query;
    execute.u.execute.query_len = (uint32_t) strlen (query);
    execute.u.execute.flags = DP_EXECUTE_DEBUG;
    dp_exec_start (exec, &execute);
    assert (dp_exec_wants_writer (exec) && !dp_exec_done (exec));
    return exec;
}

//  Receive one written request from pull, check its answer and free it.
static void
s_test_receive (dp_writer_t *writer, zsock_t *pull)
{
    dp_exec_t *exec = dp_writer_receive (writer, pull);
    assert (exec);
    assert (dp_exec_done (exec) && !dp_exec_wants_writer (exec));
    size_t len;
    const char *json = dp_exec_json (exec, &len);
    const char *data = "{\"data\":{\"rows\":2}";
    assert (len > strlen (data) && memcmp (json, data, strlen (data)) == 0);
    assert (strstr (json, "\"lowPriorityWrite\":true"));
    dp_exec_destroy (&exec);
}

void
dp_writer_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_writer: ");
    const char *sdl = "type Query { rows: Int }";
    const dp_plan_test_binding_t bindings [] = { { "Query.rows", &s_test_rows }, { NULL, NULL } };
    dp_schema_t *schema = dp_plan_test_schema (sdl, bindings);
    dp_exec_env_t env = { .schema = schema, .max_page_size = 100, .send = s_test_no_send,
                          .large_answer_rows = 1 };
    zsock_t *pull = zsock_new_pull ("inproc://dp-writer-test");
    assert (pull);
    zsock_set_rcvtimeo (pull, 5000);
    dp_writer_t *writer = dp_writer_new ("inproc://dp-writer-test");
    assert (writer);
    for (int i = 0; i < 3; i++)
        dp_writer_submit (writer, s_test_request (&env));
    for (int i = 0; i < 3; i++)
        s_test_receive (writer, pull);
    //  Destroy writes what is still queued and sends it back first.
    dp_writer_submit (writer, s_test_request (&env));
    dp_writer_submit (writer, s_test_request (&env));
    dp_writer_destroy (&writer);
    assert (writer == NULL);
    s_test_receive (writer, pull);     //  NULL now: joined, nothing to order
    s_test_receive (writer, pull);
    zsock_destroy (&pull);
    dp_schema_destroy (&schema);
    printf ("OK\n");
}
