/* servers.c - the servers of a run: each one a child process
 * (`rpcbench serve T --listen 127.0.0.1:0` or `--queue Q`), started, waited
 * for (its "ready" line, then a verified call), and stopped (SIGTERM, then
 * SIGKILL after 5 s; PR_SET_PDEATHSIG should the harness die). Each is
 * started with rb_spawn (spawn.h). */
#include "proc/servers.h"

#include "rb_error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/child.h"
#include "proc/spawn.h"
#include "results/descriptor.h"

volatile sig_atomic_t rb_run_interrupted = 0;

/* The port of the broker of kind k, from its URL's variable; 0 unknown. */
static int broker_port(const rb_broker *k)
{
    const char *url = getenv(rb_broker_url_env(k));
    if (!url)
        return 0;
    const char *at = strrchr(url, '@');
    const char *hp = at ? at + 1 : strstr(url, "://") ? strstr(url, "://") + 3 : url;
    const char *colon = strchr(hp, ':');
    return colon ? atoi(colon + 1) : 5672;
}

pid_t rb_broker_pid(void)
{
    const char *p = getenv("RPCBENCH_BROKER_PID");
    char *end;
    long v = p ? strtol(p, &end, 10) : 0;
    return p && *p && !*end && v > 0 ? (pid_t)v : 0;
}

static rb_cpu_meter broker_meter;
static int broker_metered;

void rb_broker_meter_start(void)
{
    pid_t bp = rb_broker_pid();
    if (broker_metered || bp <= 0)
        return;
    broker_metered = rb_cpu_meter_start(&broker_meter, bp, "broker", RB_CPU_CGROUP) == RB_OK;
}

const rb_cpu_meter *rb_broker_meter(void)
{
    return broker_metered ? &broker_meter : NULL;
}

void rb_broker_meter_stop(void)
{
    if (broker_metered)
        rb_cpu_meter_stop(&broker_meter);
    broker_metered = 0;
}

static int endpoint_port(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    return colon ? atoi(colon + 1) : 0;
}

void rb_server_stop(rb_server_proc *sp)
{
    if (sp->pid <= 0)
        return;
    rb_cpu_meter_stop(&sp->cpu);
    kill(sp->pid, SIGTERM);
    if (rb_spawn_wait(sp->pid, 5000) == RB_ETIMEDOUT)   /* up to 5 s, then killed */
        fprintf(stderr, "rpcbench: server %d ignored SIGTERM for 5 s: killed\n", (int)sp->pid);
    sp->pid = 0;
}

typedef struct probe {
    const rb_transport *t;
    const rb_client_opts *co;
} probe;

/* rb_in_child: 1 when the server answered, else 0 and why. */
static int probe_call(void *arg, char *why, size_t whylen)
{
    const probe *p = arg;
    const rb_transport *t = p->t;
    const rb_client_opts *co = p->co;
    rb_client *c = NULL;
    char err[256];
    int64_t v = -1;
    int rc = rb_connect(t, co, &c, err, sizeof err);
    if (rc) {
        snprintf(why, whylen, "cannot connect (%s): %s", rb_err_name(rc), err);
        return 0;
    }
    rc = rb_call_fib(c, 1, &v);
    if (rc)
        snprintf(why, whylen, "fib(1) failed (%s): %s", rb_err_name(rc), c->errstr);
    else if (v != 1)
        snprintf(why, whylen, "fib(1) answered %lld, not 1", (long long)v);
    rb_close(&c);
    return rc == RB_OK && v == 1;
}

/* Verified fib(1) against a fresh connection: is the server answering?
 * When not, why goes to why (whylen bytes). The call is made in a child
 * process (child.h): this process never loads a client library. */
static int server_answers(const rb_transport *t, const rb_client_opts *co, char *why,
                          size_t whylen)
{
    probe p = { t, co };
    int rc = rb_in_child(probe_call, &p, why, whylen);
    if (rc < 0)
        snprintf(why, whylen, "the probe's process was killed");
    return rc == 1;
}

void rb_server_client_opts(const rb_transport *t, const rb_server_proc *sp, int timeout_ms,
                            rb_client_opts *co)
{
    memset(co, 0, sizeof *co);
    co->timeout_ms = timeout_ms;
    if (t->broker != RB_BROKER_NONE)
        co->queue = sp->endpoint;
    else
        co->endpoint = sp->endpoint;
}

/* --work-us/--work of the servers this run starts (rb_servers_set_work). */
static int work_us, work_sleep;

void rb_servers_set_work(int us, int sleep)
{
    work_us = us;
    work_sleep = sleep;
}

/* Fork and exec `rpcbench serve` for t; *out_fd reads the child's stdout.
 * at: the address or queue to serve at, NULL for a fresh one.
 * Returns RB_OK with sp->pid set, or RB_EIO. */
static int spawn(const rb_transport *t, long entries, const char *at, rb_server_proc *sp,
                 int *out_fd)
{
    char exe[4096], ent[32], queue[128];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0)
        return RB_EIO;
    exe[l] = '\0';
    snprintf(ent, sizeof ent, "%ld", entries < 0 ? RB_DEFAULT_ENTRIES : entries);
    snprintf(queue, sizeof queue, "rpcbench-%d-%s-e%ld", (int)getpid(), t->name, entries);
    char work[32];
    snprintf(work, sizeof work, "%d", work_us);
    char *argv[] = { exe, "serve", (char *)t->name, "--entries", ent,
                     t->broker != RB_BROKER_NONE ? "--queue" : "--listen",
                     at ? (char *)at : t->broker != RB_BROKER_NONE ? queue : "127.0.0.1:0",
                     "--work-us", work, "--work", work_sleep ? "sleep" : "busy", NULL };
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        return RB_EIO;
    rb_spawn_opts o = { .out = { .kind = RB_IO_FD, .fd = fds[1] }, .pdeathsig = SIGTERM };
    pid_t pid = rb_spawn(exe, argv, &o);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return RB_EIO;
    }
    sp->pid = pid;
    *out_fd = fds[0];
    return RB_OK;
}

/* Read fd until a "ready <endpoint>" line (60 s at most; AMQP servers need
 * the broker) into sp->endpoint. Returns 1 when it came, else 0. */
static int wait_ready(int fd, rb_server_proc *sp)
{
    char buf[1024];
    size_t len = 0;
    uint64_t deadline = rb_now_ns() + 60ull * 1000000000ull;
    while (!rb_run_interrupted) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int ms = rb_ms_left(deadline);
        if (ms == 0 || poll(&p, 1, ms > 200 ? 200 : ms) < 0)
            return 0;
        if (!(p.revents & (POLLIN | POLLHUP)))
            continue;
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            return 0;
        len += (size_t)n;
        buf[len] = '\0';
        char *line = strstr(buf, "ready ");
        char *nl = line ? strchr(line, '\n') : NULL;
        if (nl) {
            *nl = '\0';
            snprintf(sp->endpoint, sizeof sp->endpoint, "%s", line + 6);
            return 1;
        }
        if (len == sizeof buf - 1)
            len = 0;
    }
    return 0;
}

static int fixed_ports;   /* rb_server_fixed_ports */

void rb_server_fixed_ports(void)
{
    fixed_ports = 1;
}

/* "127.0.0.1:P" with P free a moment ago and below the kernel's ephemeral
 * range (ip_local_port_range), into buf; "" when none was found. */
static void pick_port(char *buf, size_t cap)
{
    int lo = 32768, hi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &lo, &hi) != 2)
            lo = 32768;
        fclose(f);
    }
    buf[0] = '\0';
    if (lo <= 10001)
        return;
    int span = lo - 10000, start = (int)(rb_now_ns() / 1000 % (uint64_t)span);
    for (int i = 0; i < 200 && !buf[0]; i++) {
        int port = 10000 + (start + i * 7919) % span;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0)
            snprintf(buf, cap, "127.0.0.1:%d", port);
        if (s >= 0)
            close(s);
    }
}

int rb_server_start(const rb_transport *t, const char *override,
                    long entries, rb_server_proc *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->cpu.method = RB_CPU__COUNT;   /* no meter until the server answers */
    if (override) {
        snprintf(sp->endpoint, sizeof sp->endpoint, "%s", override);
    } else {
        int fd = -1, ready;
        char at[64] = "";
        if (fixed_ports && t->broker == RB_BROKER_NONE)
            pick_port(at, sizeof at);
        if (spawn(t, entries, at[0] ? at : NULL, sp, &fd) != RB_OK)
            return RB_EIO;
        ready = wait_ready(fd, sp);
        close(fd);
        if (!ready) {
            fprintf(stderr, "rpcbench: server %s did not become ready\n", t->name);
            rb_server_stop(sp);
            return RB_ECONNECT;
        }
    }
    sp->wire_port = t->broker != RB_BROKER_NONE ? broker_port(t->broker)
                                                : endpoint_port(sp->endpoint);

    /* Ready is a promise; a verified call is proof. A running server
     * (--connect) should answer at once: a few seconds, not thirty. */
    rb_client_opts co;
    char why[400] = "interrupted";
    rb_server_client_opts(t, sp, 1000, &co);
    uint64_t deadline = rb_now_ns() + (override ? 3ull : 30ull) * 1000000000ull;
    while (!rb_run_interrupted) {
        if (server_answers(t, &co, why, sizeof why)) {
            char name[32];
            snprintf(name, sizeof name, "server-%d", (int)sp->pid);
            if (sp->pid > 0 && rb_cpu_meter_start(&sp->cpu, sp->pid, name, RB_CPU_CGROUP))
                sp->cpu.method = RB_CPU__COUNT;
            return RB_OK;
        }
        if (rb_now_ns() > deadline)
            break;
        usleep(50000);
    }
    fprintf(stderr, "rpcbench: server %s at %s: %s\n", t->name, sp->endpoint, why);
    rb_server_stop(sp);
    return RB_ECONNECT;
}

int rb_server_restart(const rb_transport *t, long entries, rb_server_proc *sp)
{
    char at[sizeof sp->endpoint];
    int fd = -1, ready = 0;
    snprintf(at, sizeof at, "%s", sp->endpoint);
    sp->pid = 0;
    /* The old socket may linger a moment (TIME_WAIT is no obstacle: the
     * servers set SO_REUSEADDR): try for up to 10 s. */
    uint64_t deadline = rb_now_ns() + 10ull * 1000000000ull;
    while (!ready && !rb_run_interrupted && rb_now_ns() < deadline) {
        if (spawn(t, entries, at, sp, &fd) != RB_OK)
            return RB_EIO;
        ready = wait_ready(fd, sp);
        close(fd);
        if (!ready) {
            rb_server_stop(sp);
            usleep(100000);
        }
    }
    if (!ready || strcmp(sp->endpoint, at) != 0) {
        fprintf(stderr, "rpcbench: server %s did not start again at %s\n", t->name, at);
        snprintf(sp->endpoint, sizeof sp->endpoint, "%s", at);
        rb_server_stop(sp);
        return RB_ECONNECT;
    }
    return RB_OK;
}
