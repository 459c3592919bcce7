/* ctl.c - a broker's control script and its broker.env (ctl.h). */
#include "ctl.h"

#include "rb_error.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

int rb_broker_env_path(char *out, size_t outlen)
{
    const char *dir = getenv("RPCBENCH_BROKER_DIR");
    int n = snprintf(out, outlen, "%s/broker.env", dir && *dir ? dir : RB_SOURCE_DIR "/.run");
    return n >= 0 && (size_t)n < outlen ? RB_OK : RB_ETOOBIG;
}

int rb_broker_env_line(const char *line, const char *key, char *val, size_t vallen)
{
    size_t klen = strlen(key);
    if (vallen)
        val[0] = '\0';
    if (strncmp(line, key, klen) != 0 || line[klen] != '=')
        return 0;
    const char *v = line + klen + 1;
    size_t n = strcspn(v, "\r\n");
    if (n >= vallen)
        return RB_ETOOBIG;
    memcpy(val, v, n);
    val[n] = '\0';
    return 1;
}

int rb_broker_env_get(const char *path, const char *key, char *val, size_t vallen)
{
    char line[4096], got[4096];
    int rc = RB_EIO;
    FILE *f = fopen(path, "r");
    if (!f)
        return RB_EIO;
    while (fgets(line, sizeof line, f)) {
        int r = rb_broker_env_line(line, key, got, sizeof got);
        if (r == 1)
            rc = strlen(got) < vallen ? RB_OK : RB_ETOOBIG;
        if (r == 1 && rc == RB_OK)
            memcpy(val, got, strlen(got) + 1);
    }
    fclose(f);
    return rc;
}

pid_t rb_broker_pid_at(const char *list, int node)
{
    if (!list || node < 1)
        return 0;
    for (int i = 1; i < node; i++) {
        list = strchr(list, ',');
        if (!list++)
            return 0;
    }
    char *end;
    long v = strtol(list, &end, 10);
    return end != list && (*end == ',' || *end == '\0') && v > 0 && v == (pid_t)v ? (pid_t)v : 0;
}

/* Wait for child pid up to timeout_ms, reading its stdout from fd (-1:
 * none) into out. Exit status or -1. */
static int reap(pid_t pid, int fd, int timeout_ms, char *out, size_t outlen, const char *what)
{
    size_t got = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int st;
        if (fd >= 0 && got + 1 < outlen) {
            struct pollfd p = { .fd = fd, .events = POLLIN };
            if (poll(&p, 1, 10) > 0) {
                ssize_t r = read(fd, out + got, outlen - 1 - got);
                if (r > 0)
                    out[got += (size_t)r] = '\0';
            }
        } else {
            struct timespec ts = { 0, 10000000 };
            nanosleep(&ts, NULL);
        }
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "rpcbench: %s did not finish within %d ms: killed\n", what, timeout_ms);
            return -1;
        }
    }
}

/* Its own fork + exec, not bench/proc/spawn.h's rb_spawn (the harness's
 * one helper): brokers/ sits below bench/ and may not include it (no
 * upward include, docs/architecture.md). It needs only a pipe for stdout;
 * its deadline is reap()'s, which reads that pipe while it waits. */
int rb_broker_script(const char *script, const char *const *args, int timeout_ms,
                     char *out, size_t outlen)
{
    const char *argv[16];
    int n = 0, fds[2] = { -1, -1 };
    char what[256];
    argv[n++] = script;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    snprintf(what, sizeof what, "%s %s", script, args[0] ? args[0] : "");
    if (out && (outlen == 0 || pipe2(fds, O_CLOEXEC)))
        return -1;
    if (out)
        out[0] = '\0';
    pid_t pid = fork();
    if (pid < 0) {
        if (out) {
            close(fds[0]);
            close(fds[1]);
        }
        return -1;
    }
    if (pid == 0) {
        dup2(out ? fds[1] : STDERR_FILENO, STDOUT_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (out)
        close(fds[1]);
    int rc = reap(pid, fds[0], timeout_ms, out, outlen, what);
    if (out)
        close(fds[0]);
    return rc;
}

int rb_broker_load_env(const rb_broker *b, char *err, size_t errlen)
{
    const char *keys[2] = { b->url_env, b->pids_env };
    char path[4096], val[4096];
    int rc = rb_broker_env_path(path, sizeof path);
    for (int i = 0; i < 2 && rc == RB_OK; i++)
        if ((rc = rb_broker_env_get(path, keys[i], val, sizeof val)) == RB_OK)
            rc = setenv(keys[i], val, 1) == 0 ? RB_OK : RB_ENOMEM;
    if (rc)
        snprintf(err, errlen, "%s: no %s and %s after the broker started", path, keys[0], keys[1]);
    return rc ? RB_EIO : RB_OK;
}

