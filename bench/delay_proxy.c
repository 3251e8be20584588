/*  =========================================================================
    delay_proxy - a loopback TCP proxy that delays every byte by a fixed time

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    For benchmark P4 (../shared/spec/PERFORMANCE.md): MariaDB "10 ms away".
    Usage: delay_proxy LISTEN_PORT TARGET_PORT ONE_WAY_DELAY_MS
    Listens on 127.0.0.1:LISTEN_PORT; each connection is forwarded to
    127.0.0.1:TARGET_PORT, and every chunk read from either side is written
    to the other ONE_WAY_DELAY_MS later, in order: a round trip gains twice
    the delay, throughput is not limited. Loopback only, by construction.
@discuss
    One thread, epoll, non-blocking sockets. Each direction of a connection
    keeps a FIFO of chunks stamped with the time they are due; the wait
    ends at the earliest due time, to the microsecond (epoll_pwait2: a
    millisecond timeout rounded up added about a millisecond to every
    round trip). Few system calls, since the proxy shares the machine with
    what it measures: one read per readable event (level-triggered, into a
    buffer of its own, then a chunk of the size read), and a socket is
    watched for writability only while a write to it is unfinished. A side
    that closes is shut down on the other side once what it sent has been
    delivered. Prints "ready" on stdout when listening.
    Build: cc -O2 -o delay_proxy delay_proxy.c
@end
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define S_MAX_CONNS  256
#define S_CHUNK      65536

typedef struct s_chunk {
    struct s_chunk *next;
    int64_t due_us;
    size_t len, off;
    char data [];
} s_chunk_t;

typedef struct {
    int from, to;               //  read from, write to
    s_chunk_t *head, *tail;
    int eof;                    //  the reader closed: shut down `to` once drained
    int blocked;                //  a write to `to` was unfinished: watch it for writability
} s_dir_t;

typedef struct {
    int used;
    int fds [2];                //  client, server
    s_dir_t dirs [2];           //  client → server, server → client
} s_conn_t;

static s_conn_t s_conns [S_MAX_CONNS];
static int64_t s_delay_us;
static int s_epoll;                 //  the one epoll set

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
s_nonblock (int fd)
{
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void
s_close (s_conn_t *conn)
{
    for (int d = 0; d < 2; d++) {
        s_chunk_t *chunk = conn->dirs [d].head;
        while (chunk) {
            s_chunk_t *next = chunk->next;
            free (chunk);
            chunk = next;
        }
    }
    for (int i = 0; i < 2; i++) {
        epoll_ctl (s_epoll, EPOLL_CTL_DEL, conn->fds [i], NULL);
        close (conn->fds [i]);
    }
    memset (conn, 0, sizeof *conn);
}

//  Watch side of connection c for what is wanted of it now: reading
//  until it closed, writing while a write to it is unfinished.
static void
s_watch (int c, int side, int op)
{
    s_conn_t *conn = &s_conns [c];
    struct epoll_event e = { .events = (conn->dirs [side].eof? 0: EPOLLIN)
                                     | (conn->dirs [1 - side].blocked? EPOLLOUT: 0),
                             .data.u64 = (uint64_t) (c * 2 + side) };
    epoll_ctl (s_epoll, op, conn->fds [side], &e);
}

//  Write what is due in direction d of connection c. Returns -1 when the
//  connection broke.
static int
s_flush (int c, int d, int64_t now)
{
    s_dir_t *dir = &s_conns [c].dirs [d];
    while (dir->head && dir->head->due_us <= now) {
        s_chunk_t *chunk = dir->head;
        ssize_t n = write (dir->to, chunk->data + chunk->off, chunk->len - chunk->off);
        if (n < 0 && errno != EAGAIN)
            return -1;
        if (n > 0)
            chunk->off += (size_t) n;
        if (chunk->off < chunk->len) {
            if (!dir->blocked) {        //  the rest when it is writable
                dir->blocked = 1;
                s_watch (c, 1 - d, EPOLL_CTL_MOD);
            }
            return 0;
        }
        if (dir->blocked) {
            dir->blocked = 0;
            s_watch (c, 1 - d, EPOLL_CTL_MOD);
        }
        dir->head = chunk->next;
        if (!dir->head)
            dir->tail = NULL;
        free (chunk);
    }
    if (!dir->head && dir->eof == 1) {
        shutdown (dir->to, SHUT_WR);
        dir->eof = 2;
    }
    return 0;
}

//  Read what one side sent into its direction's queue: one read (the
//  socket is watched level-triggered, so what is left wakes the next wait).
static int
s_read (int c, int side, int64_t now)
{
    static char buffer [S_CHUNK];
    s_dir_t *dir = &s_conns [c].dirs [side];
    if (dir->eof)
        return 0;
    ssize_t n = read (dir->from, buffer, sizeof buffer);
    if (n <= 0) {
        if (n == 0) {
            dir->eof = 1;
            s_watch (c, side, EPOLL_CTL_MOD);  //  no more reading: it would stay readable
            return 0;
        }
        return errno == EAGAIN ? 0 : -1;
    }
    s_chunk_t *chunk = malloc (sizeof (s_chunk_t) + (size_t) n);
    if (!chunk)
        return -1;
    memcpy (chunk->data, buffer, (size_t) n);
    chunk->next = NULL;
    chunk->due_us = now + s_delay_us;
    chunk->len = (size_t) n;
    chunk->off = 0;
    if (dir->tail)
        dir->tail->next = chunk;
    else
        dir->head = chunk;
    dir->tail = chunk;
    return 0;
}

//  Accept the waiting clients, each with a connection to the target.
static void
s_accept (int listener, int target_port)
{
    int client;
    while ((client = accept (listener, NULL, NULL)) >= 0) {
        int c = 0;
        while (c < S_MAX_CONNS && s_conns [c].used)
            c++;
        int server = socket (AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in target = { .sin_family = AF_INET,
                                      .sin_port = htons ((uint16_t) target_port) };
        target.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
        if (c == S_MAX_CONNS
        ||  connect (server, (struct sockaddr *) &target, sizeof target)) {
            close (client);
            close (server);
            continue;
        }
        s_nonblock (client);
        s_nonblock (server);
        s_conn_t *conn = &s_conns [c];
        conn->used = 1;
        conn->fds [0] = client;
        conn->fds [1] = server;
        conn->dirs [0] = (s_dir_t) { .from = client, .to = server };
        conn->dirs [1] = (s_dir_t) { .from = server, .to = client };
        for (int side = 0; side < 2; side++)
            s_watch (c, side, EPOLL_CTL_ADD);
    }
}

//  epoll_pwait2 for wait_us microseconds; on a kernel without it (before
//  5.11), epoll_wait for the milliseconds rounded up.
static int
s_wait (int epoll, struct epoll_event *events, int max, int64_t wait_us)
{
    static bool no_pwait2;
    if (!no_pwait2) {
        struct timespec timeout = { .tv_sec = wait_us / 1000000,
                                    .tv_nsec = (wait_us % 1000000) * 1000 };
        int n = epoll_pwait2 (epoll, events, max, &timeout, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        no_pwait2 = true;
    }
    return epoll_wait (epoll, events, max, (int) ((wait_us + 999) / 1000));
}

int
main (int argc, char *argv [])
{
    if (argc != 4) {
        fprintf (stderr, "usage: delay_proxy LISTEN_PORT TARGET_PORT ONE_WAY_DELAY_MS\n");
        return 2;
    }
    int listen_port = atoi (argv [1]), target_port = atoi (argv [2]);
    s_delay_us = (int64_t) (atof (argv [3]) * 1000);
    signal (SIGPIPE, SIG_IGN);          //  a peer that reset: a write error, not death
    int listener = socket (AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) listen_port) };
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (bind (listener, (struct sockaddr *) &address, sizeof address) || listen (listener, 128)) {
        perror ("delay_proxy: bind");
        return 1;
    }
    s_nonblock (listener);
    s_epoll = epoll_create1 (0);
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
    epoll_ctl (s_epoll, EPOLL_CTL_ADD, listener, &event);
    printf ("ready\n");
    fflush (stdout);

    struct epoll_event events [64];
    while (1) {
        //  Wake for the earliest chunk due; a blocked direction waits for
        //  its socket to be writable instead (EPOLLOUT), not in a loop.
        int64_t now = s_now_us (), next = now + 1000000;
        for (int c = 0; c < S_MAX_CONNS; c++)
            for (int d = 0; s_conns [c].used && d < 2; d++) {
                s_dir_t *dir = &s_conns [c].dirs [d];
                if (dir->head && !dir->blocked && dir->head->due_us < next)
                    next = dir->head->due_us;
            }
        int n = s_wait (s_epoll, events, 64, next <= now ? 0 : next - now);
        if (n < 0 && errno != EINTR) {
            perror ("delay_proxy: epoll");
            return 1;
        }
        now = s_now_us ();
        bool accepting = false;
        for (int i = 0; i < n; i++) {
            if (events [i].data.u64 == UINT64_MAX) {
                accepting = true;       //  after this round's events: a slot they name
                continue;               //  may be freed and taken again
            }
            int c = (int) (events [i].data.u64 / 2), side = (int) (events [i].data.u64 % 2);
            s_conn_t *conn = &s_conns [c];
            if (!conn->used)
                continue;
            uint32_t ev = events [i].events;
            //  Readable or hung up: queue what it sent (a hang-up reads to
            //  its end first). Writable: flush what is due to it.
            if ((ev & EPOLLERR)
            ||  ((ev & (EPOLLIN | EPOLLHUP)) && s_read (c, side, now))
            ||  ((ev & EPOLLOUT) && s_flush (c, 1 - side, now))) {
                s_close (conn);
                continue;
            }
            //  A hang-up cannot be unwatched: once read to its end, the
            //  socket leaves the set (it stays open until its connection
            //  closes, below).
            if ((ev & EPOLLHUP) && conn->dirs [side].eof)
                epoll_ctl (s_epoll, EPOLL_CTL_DEL, conn->fds [side], NULL);
        }
        if (accepting)
            s_accept (listener, target_port);
        for (int c = 0; c < S_MAX_CONNS; c++) {
            s_conn_t *conn = &s_conns [c];
            if (!conn->used)
                continue;
            if ((!conn->dirs [0].blocked && s_flush (c, 0, now))
            ||  (!conn->dirs [1].blocked && s_flush (c, 1, now))
            ||  (conn->dirs [0].eof == 2 && conn->dirs [1].eof == 2))
                s_close (conn);
        }
    }
}
