/* fault_broker.c - broker faults through scripts/broker: restart the private
 * node, SIGKILL it and start it again, SIGKILL the cluster node that leads a
 * quorum queue and start it again. See fault.h. */
#include "fault/fault_int.h"
#include "rb_error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

/* Which broker a fault left down: 0 none, -1 the single node, N >= 1
 * cluster node N. Restarted by rb_fault_broker_undo. */
static volatile int broker_down;

/* The single node's beam pid: RPCBENCH_BROKER_PID at first, then what
 * broker.env says after each restart (the variable is not rewritten: other
 * threads read the environment). */
static pid_t broker_pid;

static pid_t current_broker_pid(void)
{
    if (!broker_pid) {
        const char *p = getenv("RPCBENCH_BROKER_PID");
        broker_pid = p ? (pid_t)atoi(p) : 0;
    }
    return broker_pid;
}

/* Read RPCBENCH_BROKER_PID again from broker.env after a restart. */
static void reread_broker_pid(void)
{
    const char *dir = getenv("RPCBENCH_BROKER_DIR");
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/broker.env", dir && *dir ? dir : RB_SOURCE_DIR "/.run");
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "RPCBENCH_BROKER_PID=", 20) == 0)
            broker_pid = (pid_t)atoi(line + 20);
    if (f)
        fclose(f);
}

static const char *script_path(void)
{
    const char *p = getenv("RPCBENCH_BROKER_SCRIPT");
    return p && *p ? p : RB_SOURCE_DIR "/scripts/broker";
}

/* Run the script; its stdout into out[0..outlen) when out, else to our
 * stderr. Waits up to timeout_ms, then kills it. Exit status or -1. */
static int run_script(const char *const *args, int timeout_ms, char *out, size_t outlen)
{
    const char *argv[16];
    int n = 0, fds[2] = { -1, -1 };
    argv[n++] = script_path();
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    if (out && pipe2(fds, O_CLOEXEC))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out ? fds[1] : STDERR_FILENO, STDOUT_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    size_t got = 0;
    if (out) {
        close(fds[1]);
        out[0] = '\0';
    }
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int st;
        if (out && got + 1 < outlen) {
            struct pollfd p = { .fd = fds[0], .events = POLLIN };
            if (poll(&p, 1, 10) > 0) {
                ssize_t r = read(fds[0], out + got, outlen - 1 - got);
                if (r > 0)
                    out[got += (size_t)r] = '\0';
            }
        } else {
            struct timespec ts = { 0, 10000000 };
            nanosleep(&ts, NULL);
        }
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            if (out)
                close(fds[0]);
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            if (out)
                close(fds[0]);
            fprintf(stderr, "rpcbench: %s %s did not finish within %d ms: killed\n",
                    argv[0], args[0] ? args[0] : "", timeout_ms);
            return -1;
        }
    }
}

int rb_fault_broker_script(const char *const *args, int timeout_ms)
{
    return run_script(args, timeout_ms, NULL, 0) == 0 ? RB_OK : RB_EIO;
}

#define RESTART_MS 180000   /* a node boots in 5-20 s here; 3 minutes is broken */

static int bring_back(int which)
{
    char node[16];
    snprintf(node, sizeof node, "%d", which);
    const char *single[] = { "restart", NULL };
    const char *one[] = { "restart", "--node", node, NULL };
    int rc = rb_fault_broker_script(which > 0 ? one : single, RESTART_MS);
    if (rc == RB_OK)
        broker_down = 0;
    if (which < 0)
        reread_broker_pid();
    return rc;
}

void rb_fault_broker_undo(void)
{
    int which = broker_down;
    if (which) {
        fprintf(stderr, "rpcbench: starting the broker a fault left down\n");
        bring_back(which);
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* SIGKILL a broker VM, wait DURATION, start it again. */
static int kill_and_back(pid_t pid, int which, const rb_fault_spec *f, rb_fault_times *tm)
{
    broker_down = which;
    int rc = rb_fault_kill(pid, SIGKILL, 10000);
    tm->begin_ns = now_ns();   /* in effect: the VM is gone */
    if (rc)
        return rb_fault_err(tm, rc, "broker VM %d did not die on SIGKILL", (int)pid);
    rb_fault_sleep_ms(f->duration_ms);
    if ((rc = bring_back(which)))
        return rb_fault_err(tm, rc, "scripts/broker restart failed: the broker stays down");
    tm->end_ns = now_ns();
    return RB_OK;
}

int rb_fault_broker_inject(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    pid_t bp = current_broker_pid();
    int rc;
    if ((f->kind == RB_FAULT_BROKER_RESTART || f->kind == RB_FAULT_BROKER_KILL) && bp <= 0)
        return rb_fault_err(tm, RB_EUNSUPP, "%s needs RPCBENCH_BROKER_PID (scripts/broker "
                            "start writes it to .run/broker.env)", rb_fault_kind_name(f->kind));
    switch (f->kind) {
    case RB_FAULT_BROKER_RESTART:
        /* A clean stop (the VM shuts RabbitMQ down on SIGTERM, closing
         * every connection with 320 CONNECTION_FORCED), in effect when the
         * VM is gone; then scripts/broker restart boots it again. */
        broker_down = -1;
        rc = rb_fault_kill(bp, SIGTERM, 120000);
        tm->begin_ns = now_ns();
        if (rc)
            return rb_fault_err(tm, rc, "broker VM %d did not stop on SIGTERM", (int)bp);
        rb_fault_sleep_ms(f->duration_ms);
        if ((rc = bring_back(-1)))
            return rb_fault_err(tm, rc, "scripts/broker restart failed: the broker stays down");
        tm->end_ns = now_ns();
        return RB_OK;
    case RB_FAULT_BROKER_KILL:
        return kill_and_back(bp, -1, f, tm);
    case RB_FAULT_BROKER_NODE_KILL:
        if (!t->node && (rc = rb_fault_prepare(f, t, tm)))
            return rc;
        return kill_and_back(t->node_pid, t->node, f, tm);
    default:
        return rb_fault_err(tm, RB_EINVAL, "not a broker fault");
    }
}

int rb_fault_cluster_up(void)
{
    static const char *const start[] = { "start", "--nodes", "3", NULL };
    const char *dir = getenv("RPCBENCH_BROKER_DIR");
    char path[4096], line[2048];
    fprintf(stderr, "rpcbench: starting the 3-node RabbitMQ cluster (scripts/broker start --nodes 3)\n");
    if (rb_fault_broker_script(start, 900000) != RB_OK)
        return RB_EIO;
    snprintf(path, sizeof path, "%s/broker.env", dir && *dir ? dir : RB_SOURCE_DIR "/.run");
    FILE *f = fopen(path, "r");
    int got = 0;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq || (strncmp(line, "RPCBENCH_AMQP_CLUSTER_URL=", 26) != 0 &&
                    strncmp(line, "RPCBENCH_CLUSTER_PIDS=", 22) != 0))
            continue;
        *eq = '\0';
        got += setenv(line, eq + 1, 1) == 0;
    }
    if (f)
        fclose(f);
    return got == 2 ? RB_OK : RB_EIO;
}

void rb_fault_cluster_down(void)
{
    static const char *const stop[] = { "stop", "--nodes", "3", NULL };
    rb_fault_broker_script(stop, 300000);
}

int rb_fault_prepare(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    char out[256] = "";
    int which = 0, pid = 0;
    if (f->kind != RB_FAULT_BROKER_NODE_KILL)
        return RB_OK;
    if (!t->queue)
        return rb_fault_err(tm, RB_EINVAL, "broker-node-kill needs the request queue");
    const char *args[] = { "leader", t->queue, NULL };
    if (run_script(args, 60000, out, sizeof out) != 0 ||
        sscanf(out, "%d %d", &which, &pid) != 2 || which < 1 || pid <= 0)
        return rb_fault_err(tm, RB_EIO, "scripts/broker leader %s: no leader found (%.100s)",
                            t->queue, out);
    t->node = which;
    t->node_pid = (pid_t)pid;
    return RB_OK;
}
