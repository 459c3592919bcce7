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
#include "broker.h"

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

/* The CPU meters of the brokers a run goes through: one per node process
 * (rb_broker_node_pid), so a cluster's figure is the sum of its nodes'. */
#define MAX_BROKERS 4
#define MAX_NODES 8
static struct broker_meters {
    const rb_broker *b;
    int n;                              /* meters started, 0..MAX_NODES */
    rb_cpu_meter m[MAX_NODES];
} metered[MAX_BROKERS];

static struct broker_meters *meters_of(const rb_broker *b)
{
    for (int i = 0; b && i < MAX_BROKERS; i++)
        if (metered[i].b == b)
            return &metered[i];
    return NULL;
}

void rb_broker_meter_start(const rb_broker *b)
{
    struct broker_meters *bm = NULL;
    for (int i = 0; b && !meters_of(b) && !bm && i < MAX_BROKERS; i++)
        if (!metered[i].b)
            bm = &metered[i];
    if (!bm)
        return;
    int nodes = rb_broker_nodes(b);
    for (int node = 1; node <= nodes && node <= MAX_NODES; node++) {
        pid_t pid = rb_broker_node_pid(b, node);
        char name[64];
        snprintf(name, sizeof name, "broker-%.40s-%d", rb_broker_key(b), node);
        if (pid <= 0)
            break;
        if (rb_cpu_meter_start(&bm->m[bm->n], pid, name, RB_CPU_CGROUP) != RB_OK) {
            rb_cpu_meter_stop(&bm->m[bm->n]);   /* paired on failure too (procstat.h) */
            break;
        }
        bm->n++;
    }
    if (bm->n == nodes) {   /* every node, or none: a part is not the broker's CPU */
        bm->b = b;
        return;
    }
    while (bm->n > 0)
        rb_cpu_meter_stop(&bm->m[--bm->n]);
}

/* The sum over b's metered nodes (every metered broker's for NULL b) of
 * their meters (ticks 0) or of /proc/PID/stat (ticks 1). */
static int broker_sum(const rb_broker *b, int ticks, uint64_t *ns)
{
    int any = 0;
    *ns = 0;
    for (int i = 0; i < MAX_BROKERS; i++) {
        struct broker_meters *bm = &metered[i];
        if (!bm->b || (b && bm->b != b))
            continue;
        for (int k = 0; k < bm->n; k++) {
            uint64_t v = 0;
            int rc = ticks ? rb_proc_cpu_ns(bm->m[k].pid, &v) : rb_cpu_meter_read(&bm->m[k], &v);
            if (rc != RB_OK)
                return RB_EIO;
            *ns += v;
        }
        any++;
    }
    return any;
}

int rb_broker_cpu_ns(const rb_broker *b, uint64_t *ns)
{
    return broker_sum(b, 0, ns);
}

int rb_broker_cpu_ticks_ns(const rb_broker *b, uint64_t *ns)
{
    return broker_sum(b, 1, ns);
}

int rb_broker_cpu_method(const rb_broker *b, rb_cpu_method *method, uint64_t *resolution_ns)
{
    const struct broker_meters *bm = meters_of(b);
    if (!bm)
        return 0;
    *method = bm->m[0].method;
    *resolution_ns = bm->m[0].resolution_ns;
    for (int k = 1; k < bm->n; k++) {   /* the coarsest of its nodes' */
        if (bm->m[k].method > *method)
            *method = bm->m[k].method;
        if (bm->m[k].resolution_ns > *resolution_ns)
            *resolution_ns = bm->m[k].resolution_ns;
    }
    return 1;
}

void rb_broker_meter_stop(void)
{
    for (int i = 0; i < MAX_BROKERS; i++) {
        for (int k = 0; k < metered[i].n; k++)
            rb_cpu_meter_stop(&metered[i].m[k]);
        metered[i].n = 0;
        metered[i].b = NULL;
    }
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
