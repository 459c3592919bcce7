/* child.c - child processes with a pipe back (child.h). */
#include "proc/child.h"
#include "rb_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/wait.h>
#include <unistd.h>

int rb_child_start(rb_child *c, const volatile sig_atomic_t *stop)
{
    int fd[2];
    memset(c, 0, sizeof *c);
    c->fd = -1;
    if (!__libc_single_threaded)
        return RB_EUNSUPP;
    if (pipe2(fd, O_CLOEXEC) != 0)
        return RB_EIO;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return RB_EIO;
    }
    if (pid == 0) {
        close(fd[0]);
        c->fd = fd[1];
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        return 1;
    }
    close(fd[1]);
    c->pid = pid;
    c->fd = fd[0];
    c->stop = stop;
    return 0;
}

/* Move n bytes between p and the pipe; returns the bytes moved, fewer at
 * EOF or an error. */
static size_t xfer(rb_child *c, char *p, size_t n, int reading)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = reading ? read(c->fd, p + done, n - done) : write(c->fd, p + done, n - done);
        if (k < 0 && errno == EINTR) {
            if (reading && c->stop && *c->stop && !c->told) {
                kill(c->pid, SIGINT);
                c->told = 1;
            }
            continue;
        }
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    return done;
}

int rb_child_send(rb_child *c, const void *p, size_t n)
{
    return xfer(c, (char *)p, n, 0) == n ? RB_OK : RB_EIO;
}

int rb_child_recv(rb_child *c, void *p, size_t n)
{
    return xfer(c, p, n, 1) == n ? RB_OK : RB_EIO;
}

size_t rb_child_recv_rest(rb_child *c, void *p, size_t n)
{
    return xfer(c, p, n, 1);
}

int rb_child_wait(rb_child *c)
{
    int st = 0;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

int rb_in_child(rb_child_fn fn, void *arg, char *msg, size_t msglen)
{
    rb_child c;
    msg[0] = '\0';
    int where = rb_child_start(&c, NULL);
    if (where < 0)
        return fn(arg, msg, msglen);
    if (where == 1) {
        int rc = fn(arg, msg, msglen);
        msg[msglen - 1] = '\0';
        rb_child_send(&c, msg, strlen(msg));
        _exit(rc & 255);
    }
    size_t got = rb_child_recv_rest(&c, msg, msglen - 1);
    msg[got] = '\0';
    int st = rb_child_wait(&c);
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    snprintf(msg, msglen, "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return RB_EIO;
}
