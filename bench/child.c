/* child.c - rb_in_child (child.h). */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/wait.h>
#include <unistd.h>

int rb_in_child(rb_child_fn fn, void *arg, char *msg, size_t msglen)
{
    int fd[2];
    msg[0] = '\0';
    if (!__libc_single_threaded || pipe2(fd, O_CLOEXEC) != 0)
        return fn(arg, msg, msglen);
    fflush(NULL);   /* nothing buffered here is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return fn(arg, msg, msglen);
    }
    if (pid == 0) {
        close(fd[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int rc = fn(arg, msg, msglen);
        msg[msglen - 1] = '\0';
        size_t n = strlen(msg), off = 0;
        while (off < n) {
            ssize_t k = write(fd[1], msg + off, n - off);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            off += (size_t)k;
        }
        _exit(rc & 255);
    }
    close(fd[1]);
    size_t got = 0;
    for (;;) {
        ssize_t k = read(fd[0], msg + got, msglen - 1 - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0 || (got += (size_t)k) == msglen - 1)
            break;
    }
    msg[got] = '\0';
    close(fd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    snprintf(msg, msglen, "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}
