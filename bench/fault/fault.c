/* fault.c - the --fault option, the process faults, the undo registry and
 * the sequence of one fault (fault.h). Network faults are in fault_net.c,
 * a broker node down and up in fault_broker.c; what all share in
 * fault_base.c. */
#include "fault/fault.h"

#include "fault/fault_broker.h"
#include "rb_error.h"
#include "transport.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct {
    const char *name;
    unsigned needs;
    int64_t default_ms;    /* DURATION when not given */
    int takes_duration;    /* 0: a DURATION is refused (instant faults) */
} kinds[RB_FAULT__COUNT] = {
    [RB_FAULT_NONE] = { "none", 0, 0, 0 },
    [RB_FAULT_SERVER_KILL] = { "server-kill", RB_FAULT_NEEDS_SERVER, 500, 1 },
    [RB_FAULT_SERVER_RESTART] = { "server-restart", RB_FAULT_NEEDS_SERVER, 0, 1 },
    [RB_FAULT_SERVER_STALL] = { "server-stall", RB_FAULT_NEEDS_SERVER, 500, 1 },
    [RB_FAULT_CONN_RESET] = { "conn-reset", RB_FAULT_NEEDS_NETADM, 0, 0 },
    [RB_FAULT_PARTITION] = { "partition", RB_FAULT_NEEDS_NETADM, 500, 1 },
    [RB_FAULT_BROKER_RESTART] = { "broker-restart", RB_FAULT_NEEDS_BROKER, 0, 1 },
    [RB_FAULT_BROKER_KILL] = { "broker-kill", RB_FAULT_NEEDS_BROKER, 0, 1 },
    [RB_FAULT_BROKER_NODE_KILL] = { "broker-node-kill", RB_FAULT_NEEDS_CLUSTER, 1000, 1 },
};

const char *rb_fault_kind_name(rb_fault_kind k)
{
    return (unsigned)k < RB_FAULT__COUNT ? kinds[k].name : "?";
}

unsigned rb_fault_needs(rb_fault_kind k)
{
    return (unsigned)k < RB_FAULT__COUNT ? kinds[k].needs : 0;
}

/* "500ms", "2s", "1.5s" -> ms; -1 when malformed or over max_ms. */
static int64_t parse_ms(const char *s, size_t len, int64_t max_ms)
{
    char buf[32], *end;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] < '0' || buf[0] > '9')
        return -1;
    double v = strtod(buf, &end);
    double scale = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 ? 1000 : -1;
    if (scale < 0 || !(v * scale <= (double)max_ms))
        return -1;
    return (int64_t)(v * scale + 0.5);
}

int rb_fault_parse(const char *s, rb_fault_spec *out, char *err, size_t errlen)
{
    const char *colon = strchr(s, ':'), *at = strchr(s, '@');
    if (colon && at && colon > at)
        colon = NULL;                      /* "kind@1s": no duration */
    size_t klen = colon ? (size_t)(colon - s) : at ? (size_t)(at - s) : strlen(s);
    memset(out, 0, sizeof *out);
    out->at_ms = -1;
    for (int k = 1; k < RB_FAULT__COUNT; k++)
        if (strlen(kinds[k].name) == klen && memcmp(kinds[k].name, s, klen) == 0)
            out->kind = (rb_fault_kind)k;
    if (out->kind == RB_FAULT_NONE) {
        snprintf(err, errlen, "--fault '%s': unknown kind '%.*s' (server-kill, server-restart, "
                 "server-stall, conn-reset, partition, broker-restart, broker-kill, "
                 "broker-node-kill)", s, (int)klen, s);
        return RB_EINVAL;
    }
    out->duration_ms = kinds[out->kind].default_ms;
    if (colon) {
        size_t dlen = at ? (size_t)(at - colon - 1) : strlen(colon + 1);
        if (!kinds[out->kind].takes_duration) {
            snprintf(err, errlen, "--fault '%s': %s is instant and takes no DURATION", s, kinds[out->kind].name);
            return RB_EINVAL;
        }
        out->duration_ms = parse_ms(colon + 1, dlen, 3600000);
        if (out->duration_ms < 0) {
            snprintf(err, errlen, "--fault '%s': DURATION '%.*s' wants a number and ms or s, "
                     "at most 3600s (500ms, 2s)", s, (int)dlen, colon + 1);
            return RB_EINVAL;
        }
    }
    if (at) {
        out->at_ms = parse_ms(at + 1, strlen(at + 1), 86400000);
        if (out->at_ms < 0) {
            snprintf(err, errlen, "--fault '%s': AT '%s' wants a number and ms or s "
                     "from the window's start (@1s, @250ms)", s, at + 1);
            return RB_EINVAL;
        }
    }
    return RB_OK;
}

int rb_fault_check(rb_fault_kind k, char *err, size_t errlen)
{
    if (rb_fault_needs(k) & RB_FAULT_NEEDS_NETADM && !rb_fault_has_netadmin()) {
        snprintf(err, errlen, "%s needs root (CAP_NET_ADMIN: %s); run rpcbench as root or "
                 "leave this fault out", rb_fault_kind_name(k),
                 k == RB_FAULT_PARTITION ? "nftables rules on loopback" : "sock_diag SOCK_DESTROY");
        return RB_EUNSUPP;
    }
    return RB_OK;
}

/* ---- process faults and the undo registry ---------------------------------- */

#define MAX_STALLED 16
static volatile pid_t stalled[MAX_STALLED];   /* SIGSTOPped by us, 0: free slot */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

int rb_fault_stall_begin(pid_t pid)
{
    int rc = RB_EIO;
    if (pid <= 0)
        return RB_EINVAL;
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < MAX_STALLED; i++)
        if (!stalled[i]) {
            stalled[i] = pid;   /* registered before the stop: a signal in
                                   between still continues it */
            rc = kill(pid, SIGSTOP) == 0 ? RB_OK : RB_EIO;
            if (rc)
                stalled[i] = 0;
            break;
        }
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

int rb_fault_stall_end(pid_t pid)
{
    int rc = kill(pid, SIGCONT) == 0 ? RB_OK : RB_EIO;
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < MAX_STALLED; i++)
        if (stalled[i] == pid)
            stalled[i] = 0;
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

/* Signal-safe: continue every process we stopped, delete our tables. */
static void undo_signal_safe(void)
{
    for (int i = 0; i < MAX_STALLED; i++)
        if (stalled[i] > 0)
            kill(stalled[i], SIGCONT);
    rb_fault_net_undo_signal_safe();
}

void rb_fault_cleanup(void)
{
    rb_fault_aborted = 1;
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < MAX_STALLED; i++)
        if (stalled[i] > 0) {
            kill(stalled[i], SIGCONT);
            stalled[i] = 0;
        }
    pthread_mutex_unlock(&reg_lock);
    rb_fault_net_undo_signal_safe();
    rb_fault_broker_undo();
}

#define GUARDED 3
static const int guarded[GUARDED] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction previous[GUARDED];

static void on_fatal_signal(int sig)
{
    int saved = errno;
    undo_signal_safe();
    for (int i = 0; i < GUARDED; i++) {
        if (guarded[i] != sig)
            continue;
        if (previous[i].sa_handler == SIG_DFL) {
            /* nothing to chain to: die of the signal, atexit does not run */
            signal(sig, SIG_DFL);
            raise(sig);
        } else if (previous[i].sa_handler != SIG_IGN) {
            previous[i].sa_handler(sig);
        }
    }
    errno = saved;
}

static void guard_once(void)
{
    atexit(rb_fault_cleanup);
    for (int i = 0; i < GUARDED; i++) {
        struct sigaction sa = { .sa_handler = on_fatal_signal };
        sigemptyset(&sa.sa_mask);
        sigaction(guarded[i], &sa, &previous[i]);
    }
    rb_fault_net_sweep();
}

void rb_fault_guard_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, guard_once);
}

/* ---- one fault --------------------------------------------------------------- */

/* Wait (up to 1 s) until pid is in the stopped state: SIGSTOP is delivered
 * asynchronously. */
static void wait_stopped(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p || (p[1] == ' ' && (p[2] == 'T' || p[2] == 't')))
            return;
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}

static int server_down_up(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    int sig = f->kind == RB_FAULT_SERVER_KILL ? SIGKILL : SIGTERM;
    if (t->server_pid <= 0 || !t->respawn)
        return rb_fault_err(tm, RB_EUNSUPP, "%s needs a server rpcbench started (not --connect)",
                            rb_fault_kind_name(f->kind));
    int rc = rb_fault_kill(t->server_pid, sig, sig == SIGKILL ? 5000 : 10000);
    tm->begin_ns = rb_now_ns();   /* in effect: the process is gone */
    if (rc == RB_ETIMEDOUT && sig == SIGTERM) {
        rb_fault_err(tm, rc, "server %d ignored SIGTERM for 10 s: killed", (int)t->server_pid);
        rc = rb_fault_kill(t->server_pid, SIGKILL, 5000);
    }
    if (rc)
        return rb_fault_err(tm, rc, "server %d did not exit: %s", (int)t->server_pid, rb_strerror(rc));
    t->server_pid = 0;
    rb_fault_sleep_ms(f->duration_ms);    /* aborted: start it anyway, at once */
    pid_t np = 0;
    rc = t->respawn(t->arg, &np);
    if (rc)
        return rb_fault_err(tm, rc, "server did not start again: %s", rb_strerror(rc));
    t->server_pid = np;
    tm->end_ns = rb_now_ns();
    return RB_OK;
}

int rb_fault_prepare(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    char err[200];
    if (f->kind != RB_FAULT_BROKER_NODE_KILL)
        return RB_OK;
    if (!t->queue)
        return rb_fault_err(tm, RB_EINVAL, "broker-node-kill needs the request queue");
    int rc = rb_broker_leader(t->broker, t->queue, &t->node, &t->node_pid, err, sizeof err);
    return rc ? rb_fault_err(tm, rc, "%s", err) : RB_OK;
}

/* The broker faults: which node, which signal, how long to wait for it. */
static int broker_down_up(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    const rb_broker *b = t->broker;
    const char *name = rb_fault_kind_name(f->kind);
    int rc;
    if (!b)
        return rb_fault_err(tm, RB_EUNSUPP, "%s needs a transport through a broker", name);
    if (f->kind == RB_FAULT_BROKER_NODE_KILL) {
        if (!t->node && (rc = rb_fault_prepare(f, t, tm)))
            return rc;
        return rb_fault_broker_down_up(b, t->node, t->node_pid, SIGKILL, 10000,
                                       f->duration_ms, tm);
    }
    pid_t pid = rb_broker_node_pid(b, 1);
    if (pid <= 0)
        return rb_fault_err(tm, RB_EUNSUPP, "%s needs the broker's pid in %s (%s)", name,
                            b->pids_env, rb_broker_hint(b));
    /* a clean stop is in effect when the process is gone: give it 2 min */
    int clean = f->kind == RB_FAULT_BROKER_RESTART;
    return rb_fault_broker_down_up(b, 1, pid, clean ? b->stop_signal : SIGKILL,
                                   clean ? 120000 : 10000, f->duration_ms, tm);
}

int rb_fault_inject(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm)
{
    int rc, n = 0, handle = -1;
    memset(tm, 0, sizeof *tm);
    switch (f->kind) {
    case RB_FAULT_SERVER_KILL:
    case RB_FAULT_SERVER_RESTART:
        return server_down_up(f, t, tm);
    case RB_FAULT_SERVER_STALL:
        if (t->server_pid <= 0)
            return rb_fault_err(tm, RB_EUNSUPP, "server-stall needs a server rpcbench started");
        if ((rc = rb_fault_stall_begin(t->server_pid)))
            return rb_fault_err(tm, rc, "SIGSTOP %d: %s", (int)t->server_pid, strerror(errno));
        wait_stopped(t->server_pid);
        tm->begin_ns = rb_now_ns();   /* in effect: every thread stopped */
        rb_fault_sleep_ms(f->duration_ms);
        if ((rc = rb_fault_stall_end(t->server_pid)))
            return rb_fault_err(tm, rc, "SIGCONT %d: %s", (int)t->server_pid, strerror(errno));
        tm->end_ns = rb_now_ns();
        return RB_OK;
    case RB_FAULT_CONN_RESET:
        rc = rb_fault_conn_reset(t->client_pid, t->port, &n, tm->err, sizeof tm->err);
        tm->begin_ns = tm->end_ns = rb_now_ns();
        if (rc == RB_OK && n == 0)
            snprintf(tm->err, sizeof tm->err, "no connection to port %d was open", t->port);
        return tm->rc = rc;
    case RB_FAULT_PARTITION:
        if ((rc = rb_fault_partition_begin(t->port, &handle, tm->err, sizeof tm->err)))
            return tm->rc = rc;
        tm->begin_ns = rb_now_ns();   /* in effect: the table is in place */
        rb_fault_sleep_ms(f->duration_ms);
        if ((rc = rb_fault_partition_end(handle)))
            return rb_fault_err(tm, rc, "the partition's table could not be deleted");
        tm->end_ns = rb_now_ns();
        return RB_OK;
    case RB_FAULT_BROKER_RESTART:
    case RB_FAULT_BROKER_KILL:
    case RB_FAULT_BROKER_NODE_KILL:
        return broker_down_up(f, t, tm);
    default:
        return rb_fault_err(tm, RB_EINVAL, "no fault");
    }
}
