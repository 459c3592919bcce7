/* spawn.c - fork + exec and a wait with a deadline (spawn.h). */
#include "proc/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rb_error.h"

extern char **environ;

/* In the child: stream `target` as io says. 0, or -1 on failure. */
static int redirect(const rb_spawn_io *io, int target)
{
    int fd;
    switch (io->kind) {
    case RB_IO_INHERIT:
        return 0;
    case RB_IO_STDOUT:
        return dup2(STDOUT_FILENO, target) < 0 ? -1 : 0;
    case RB_IO_FD:
        return dup2(io->fd, target) < 0 ? -1 : 0;
    case RB_IO_NULL:
        fd = open("/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY);
        break;
    default:
        fd = open(io->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        break;
    }
    if (fd < 0)
        return -1;
    int rc = fd == target ? 0 : dup2(fd, target) < 0 ? -1 : 0;
    if (fd != target)
        close(fd);
    return rc;
}

/* The child's side, up to exec: never returns. */
_Noreturn static void child(const char *path, char *const argv[], const rb_spawn_opts *o,
                            pid_t parent)
{
    if (o->pdeathsig) {
        prctl(PR_SET_PDEATHSIG, o->pdeathsig);
        if (getppid() != parent)   /* the parent ended before prctl */
            _exit(126);
    }
    if ((o->dir && chdir(o->dir) != 0) || redirect(&o->in, STDIN_FILENO) ||
        redirect(&o->out, STDOUT_FILENO) || redirect(&o->err, STDERR_FILENO))
        _exit(126);
    execve(path, argv, o->envp ? o->envp : environ);
    _exit(127);
}

pid_t rb_spawn(const char *path, char *const argv[], const rb_spawn_opts *opts)
{
    static const rb_spawn_opts none;
    const rb_spawn_opts *o = opts ? opts : &none;
    pid_t parent = getpid();
    if (o->flush)
        fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return RB_EIO;
    if (pid == 0)
        child(path, argv, o, parent);
    return pid;
}

/* A wait status as rb_spawn_wait returns it. */
static int status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int rb_spawn_wait(pid_t pid, int timeout_ms)
{
    int st;
    struct timespec t0, t, tick = { 0, 5000000 };   /* 5 ms between looks */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t w = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
        if (w == pid)
            return status_of(st);
        if (w < 0 && errno != EINTR)
            return RB_EIO;
        if (w < 0 || timeout_ms < 0)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long long ms = (t.tv_sec - t0.tv_sec) * 1000LL + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= timeout_ms) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            return RB_ETIMEDOUT;
        }
        nanosleep(&tick, NULL);
    }
}
