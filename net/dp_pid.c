/*  =========================================================================
    dp_pid - getpid(2) answered from memory, for libzmq's fork checks

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    libzmq asks getpid() each time one thread signals another and each
    time a socket looks at its mailbox (a child process must not use its
    parent's sockets). glibc stopped caching the pid (2.25), so each ask is
    a system call: on the VM Depot was measured on, getpid was the most
    frequent system call of every actor (four per turn of a loop) and
    about 5% of their CPU. This definition, in the executable, is the one
    the dynamic linker gives libzmq: the pid read once, and read again in
    a child after fork (pthread_atfork). Depot never forks; a child made
    by posix_spawn or vfork runs no atfork handler but calls only exec.
@end
*/
#include "dp_pid.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t s_pid;                 //  0: not read yet (or forked since)

static void
s_forget (void)
{
    __atomic_store_n (&s_pid, 0, __ATOMIC_RELAXED);
}

__attribute__ ((constructor)) static void
s_watch_forks (void)
{
    pthread_atfork (NULL, NULL, s_forget);
}

pid_t
getpid (void)
{
    pid_t pid = __atomic_load_n (&s_pid, __ATOMIC_RELAXED);
    if (pid == 0) {
        pid = (pid_t) syscall (SYS_getpid);
        __atomic_store_n (&s_pid, pid, __ATOMIC_RELAXED);
    }
    return pid;
}

bool
dp_pid_cached (void)
{
    return __atomic_load_n (&s_pid, __ATOMIC_RELAXED) != 0;
}


//  --------------------------------------------------------------------------
//  Selftest: the pid as the kernel has it, here and in a forked child.

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

void
dp_pid_test (bool verbose)
{
    (void) verbose;
    printf (" * dp_pid: ");
    pid_t mine = getpid ();
    assert (mine == (pid_t) syscall (SYS_getpid) && dp_pid_cached ());
    assert (getpid () == mine);
    pid_t child = fork ();
    assert (child >= 0);
    if (child == 0)
        _exit (getpid () == (pid_t) syscall (SYS_getpid) && getpid () != mine? 0: 1);
    int status = 0;
    assert (waitpid (child, &status, 0) == child);
    assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    assert (getpid () == mine);
    printf ("OK\n");
}
