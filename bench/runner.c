/* runner.c - `rpcbench run`: start the servers, drive every scenario,
 * verify every reply, write the results.
 *
 * Shape of a run (wrk's main, TechEmpower's verify-then-time):
 *   for each entries value        servers restarted with --entries E
 *     start every server          child process, ephemeral port, wait for
 *                                 its "ready" line, then a verified call
 *     for each round              transports in an order rotated by round,
 *       for each transport        so drift on this noisy machine spreads
 *         for each method, concurrency      over all of them evenly
 *           connect + first verified reply (connect_us), warm up untimed,
 *           then measure: one connection per client thread, calls back to
 *           back (closed loop), every reply verified, every failure counted
 *           by kind; CPU and TCP counters sampled before and after
 *     stop the servers (also on SIGINT/SIGTERM, and the kernel stops them
 *                       should the harness die: PR_SET_PDEATHSIG)
 *
 * Closed loop: each thread issues its next call when the previous returns,
 * so latency excludes the queueing an open-loop arrival schedule would see
 * (coordinated omission, wrk2's -R): read p99 as "per call under this
 * concurrency", not as a service-level latency at a given arrival rate.
 */
#include "runner.h"
#include "args.h"
#include "descriptor.h"
#include "envinfo.h"
#include "procstat.h"
#include "report.h"
#include "results.h"
#include "stats.h"
#include "transport.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIST 32

static volatile sig_atomic_t interrupted = 0;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct run_cfg {
    const rb_transport *ts[MAX_LIST];
    const char *connect[MAX_LIST];   /* --connect override per transport, or NULL */
    int nt;
    rb_method methods[RB_M__COUNT];
    int nm;
    long long calls;                 /* total per scenario and round; 0: use duration */
    double duration_s;
    int warmup;                      /* untimed calls per thread */
    int conc[MAX_LIST];
    int nc;
    long entries[MAX_LIST];
    int ne;
    int rounds;
    int timeout_ms;
    int fib_n;
    const char *out;
    int progress;                    /* stderr is a terminal */
} run_cfg;

/* ---- servers -------------------------------------------------------------- */

typedef struct server_proc {
    pid_t pid;                       /* 0: not ours (--connect) */
    char endpoint[256];              /* HOST:PORT, or the queue of a broker transport */
    int wire_port;                   /* remote port of the client's connections */
} server_proc;

/* The port of the broker of kind k, from its URL's variable; 0 unknown. */
static int broker_port(rb_broker_kind k)
{
    const char *url = getenv(rb_broker_url_env(k));
    if (!url)
        return 0;
    const char *at = strrchr(url, '@');
    const char *hp = at ? at + 1 : strstr(url, "://") ? strstr(url, "://") + 3 : url;
    const char *colon = strchr(hp, ':');
    return colon ? atoi(colon + 1) : 5672;
}

static pid_t broker_pid(void)
{
    const char *p = getenv("RPCBENCH_BROKER_PID");
    return p ? (pid_t)atoi(p) : 0;
}

static int endpoint_port(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    return colon ? atoi(colon + 1) : 0;
}

static void server_stop(server_proc *sp)
{
    if (sp->pid <= 0)
        return;
    kill(sp->pid, SIGTERM);
    for (int i = 0; i < 500; i++) {            /* up to 5 s, then kill */
        if (waitpid(sp->pid, NULL, WNOHANG) == sp->pid) {
            sp->pid = 0;
            return;
        }
        usleep(10000);
    }
    fprintf(stderr, "rpcbench: server %d ignored SIGTERM for 5 s: killed\n", (int)sp->pid);
    kill(sp->pid, SIGKILL);
    waitpid(sp->pid, NULL, 0);
    sp->pid = 0;
}

/* Verified fib(0) against a fresh connection: is the server answering? */
static int server_answers(const rb_transport *t, const rb_client_opts *co)
{
    rb_client *c = NULL;
    char err[256];
    int64_t v = -1;
    if (rb_connect(t, co, &c, err, sizeof err))
        return 0;
    int ok = rb_call_fib(c, 1, &v) == RB_OK && v == 1;
    rb_close(&c);
    return ok;
}

static void client_opts_for(const rb_transport *t, const server_proc *sp, int timeout_ms,
                            rb_client_opts *co)
{
    memset(co, 0, sizeof *co);
    co->timeout_ms = timeout_ms;
    if (t->broker != RB_BROKER_NONE)
        co->queue = sp->endpoint;
    else
        co->endpoint = sp->endpoint;
}

static int server_start(const rb_transport *t, const char *override,
                        long entries, server_proc *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->wire_port = 0;
    if (override) {
        snprintf(sp->endpoint, sizeof sp->endpoint, "%s", override);
    } else {
        char exe[4096], ent[32], queue[128];
        ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (l <= 0)
            return RB_EIO;
        exe[l] = '\0';
        snprintf(ent, sizeof ent, "%ld", entries < 0 ? RB_DEFAULT_ENTRIES : entries);
        snprintf(queue, sizeof queue, "rpcbench-%d-%s-e%ld", (int)getpid(), t->name, entries);
        char *argv[] = { exe, "serve", (char *)t->name, "--entries", ent,
                         t->broker != RB_BROKER_NONE ? "--queue" : "--listen",
                         t->broker != RB_BROKER_NONE ? queue : "127.0.0.1:0", NULL };
        int fds[2];
        if (pipe2(fds, O_CLOEXEC))
            return RB_EIO;
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            return RB_EIO;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(1);
            dup2(fds[1], STDOUT_FILENO);
            execv(exe, argv);
            _exit(127);
        }
        close(fds[1]);
        sp->pid = pid;
        /* Wait for "ready <endpoint>" (AMQP servers need the broker). */
        char buf[1024];
        size_t len = 0;
        uint64_t deadline = rb_now_ns() + 60ull * 1000000000ull;
        int ready = 0;
        while (!ready && !interrupted) {
            struct pollfd p = { .fd = fds[0], .events = POLLIN };
            int ms = rb_ms_left(deadline);
            if (ms == 0 || poll(&p, 1, ms > 200 ? 200 : ms) < 0)
                break;
            if (!(p.revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t n = read(fds[0], buf + len, sizeof buf - 1 - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = '\0';
            char *line = strstr(buf, "ready ");
            char *nl = line ? strchr(line, '\n') : NULL;
            if (nl) {
                *nl = '\0';
                snprintf(sp->endpoint, sizeof sp->endpoint, "%s", line + 6);
                ready = 1;
            }
            if (len == sizeof buf - 1)
                len = 0;
        }
        close(fds[0]);
        if (!ready) {
            fprintf(stderr, "rpcbench: server %s did not become ready\n", t->name);
            server_stop(sp);
            return RB_ECONNECT;
        }
    }
    sp->wire_port = t->broker != RB_BROKER_NONE ? broker_port(t->broker)
                                                : endpoint_port(sp->endpoint);

    /* Ready is a promise; a verified call is proof. */
    rb_client_opts co;
    client_opts_for(t, sp, 1000, &co);
    uint64_t deadline = rb_now_ns() + 30ull * 1000000000ull;
    while (!interrupted) {
        if (server_answers(t, &co))
            return RB_OK;
        if (rb_now_ns() > deadline)
            break;
        usleep(50000);
    }
    fprintf(stderr, "rpcbench: server %s at %s does not answer fib(1) correctly\n", t->name, sp->endpoint);
    server_stop(sp);
    return RB_ECONNECT;
}

/* ---- one scenario, one round ------------------------------------------ */

typedef struct scen_ctx {
    const run_cfg *cfg;
    const rb_transport *t;
    rb_client_opts co;
    rb_method method;
    long entries;                    /* getObj's expected count / sendObj's size */
    int64_t fib_expect;
    uint64_t end_ns;                 /* duration mode: when to stop */
    pthread_barrier_t ready, go, done;
} scen_ctx;

typedef struct worker {
    pthread_t th;
    scen_ctx *ctx;
    long long calls;                 /* calls mode: this thread's share */
    rb_client *cl;
    rb_samples samples;
    uint64_t ok, fails[RB_FAIL__COUNT], warm_fail;
    uint64_t req_bytes, rep_bytes, stale;
    double connect_us;               /* NAN when the first call failed */
    rb_obj in, out;                  /* getObj reply / sendObj argument */
    char last_error[200];
} worker;

/* One call; *verified says whether the reply honours the contract. */
static int do_call(worker *w, int *verified)
{
    scen_ctx *x = w->ctx;
    int64_t v = -1;
    int rc;
    switch (x->method) {
    case RB_M_FIB:
        rc = rb_call_fib(w->cl, x->cfg->fib_n, &v);
        *verified = rc == RB_OK && v == x->fib_expect;
        break;
    case RB_M_GET_OBJ:
        rc = rb_call_get_obj(w->cl, &w->in);
        *verified = rc == RB_OK && rb_obj_is_pattern(&w->in, "server", (size_t)x->entries);
        break;
    default:
        rc = rb_call_send_obj(w->cl, &w->out, &v);
        *verified = rc == RB_OK && v == (int64_t)w->out.count;
        break;
    }
    return rc;
}

static int reconnect(worker *w)
{
    char err[256];
    rb_close(&w->cl);
    int rc = rb_connect(w->ctx->t, &w->ctx->co, &w->cl, err, sizeof err);
    if (rc)
        snprintf(w->last_error, sizeof w->last_error, "connect: %.150s", err);
    return rc;
}

/* A failed call: count it, keep its detail, drop a broken connection. */
static void count_failure(worker *w, int rc, int verified_fail, uint64_t *fails)
{
    if (verified_fail) {
        fails[RB_FAIL_WRONG_REPLY]++;
        snprintf(w->last_error, sizeof w->last_error, "wrong reply from %s", w->ctx->t->name);
        return;
    }
    fails[rb_fail_kind_of(rc)]++;
    snprintf(w->last_error, sizeof w->last_error, "%s: %.150s", rb_err_name(rc), w->cl ? w->cl->errstr : "");
    if (rc == RB_ECLOSED || rc == RB_ECONNECT || rc == RB_EIO)
        rb_close(&w->cl);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    scen_ctx *x = w->ctx;
    uint64_t t0 = rb_now_ns();
    int verified = 0;

    if (x->method == RB_M_SEND_OBJ)
        rb_obj_fill(&w->out, "client", (size_t)x->entries);
    if (reconnect(w) == RB_OK) {
        int rc = do_call(w, &verified);
        if (rc == RB_OK && verified)
            w->connect_us = (double)(rb_now_ns() - t0) / 1e3;
        else
            w->warm_fail++;
    } else {
        w->warm_fail++;
    }
    for (int i = 0; i < x->cfg->warmup && !interrupted; i++) {
        if (!w->cl && reconnect(w)) {
            w->warm_fail++;
            usleep(10000);
            continue;
        }
        int rc = do_call(w, &verified);
        if (rc || !verified) {
            w->warm_fail++;
            if (rc == RB_ECLOSED || rc == RB_ECONNECT || rc == RB_EIO)
                rb_close(&w->cl);
        }
    }
    uint64_t stale0 = w->cl ? w->cl->stale_replies : 0;

    pthread_barrier_wait(&x->ready);
    pthread_barrier_wait(&x->go);

    int by_time = x->cfg->calls == 0;
    for (long long i = 0; (by_time || i < w->calls) && !interrupted; i++) {
        if (by_time && rb_now_ns() >= x->end_ns)
            break;
        if (!w->cl) {
            if (reconnect(w)) {
                w->fails[RB_FAIL_CONNECT]++;
                usleep(10000);   /* a refused connect returns at once */
                continue;
            }
            stale0 = 0;
        }
        uint64_t a = rb_now_ns();
        int rc = do_call(w, &verified);
        uint64_t b = rb_now_ns();
        if (rc == RB_OK && verified) {
            rb_samples_push(&w->samples, b - a);
            w->ok++;
            w->req_bytes += w->cl->req_body_bytes;
            w->rep_bytes += w->cl->rep_body_bytes;
        } else {
            if (w->cl)
                w->stale += w->cl->stale_replies - stale0, stale0 = w->cl->stale_replies;
            count_failure(w, rc, rc == RB_OK, w->fails);
        }
    }
    if (w->cl)
        w->stale += w->cl->stale_replies - stale0;

    pthread_barrier_wait(&x->done);
    return NULL;
}

typedef struct sample_point {
    rb_wire_snap wc, ws;             /* client's and (broker) server's sockets */
    int wc_ok, ws_ok;
    uint64_t cpu_self, cpu_server, cpu_broker;
    int cpu_server_ok, cpu_broker_ok;
} sample_point;

static void take_sample(const rb_transport *t, const server_proc *sp, sample_point *p)
{
    p->wc_ok = sp->wire_port > 0 && rb_wire_snapshot(getpid(), sp->wire_port, &p->wc) == RB_OK;
    p->ws_ok = t->broker != RB_BROKER_NONE && sp->pid > 0 && sp->wire_port > 0 &&
               rb_wire_snapshot(sp->pid, sp->wire_port, &p->ws) == RB_OK;
    p->cpu_self = rb_self_cpu_ns();
    p->cpu_server_ok = sp->pid > 0 && rb_proc_cpu_ns(sp->pid, &p->cpu_server) == RB_OK;
    pid_t bp = t->broker != RB_BROKER_NONE ? broker_pid() : 0;
    p->cpu_broker_ok = bp > 0 && rb_proc_cpu_ns(bp, &p->cpu_broker) == RB_OK;
}

static void run_round(const run_cfg *cfg, rb_scenario *s, int round, int position,
                      const server_proc *sp)
{
    rb_round *r = &s->rounds[round];
    memset(r, 0, sizeof *r);
    r->position = position;
    scen_ctx x = { .cfg = cfg, .t = s->t, .method = s->method,
                   .entries = s->entries < 0 ? 0 : s->entries };
    client_opts_for(s->t, sp, cfg->timeout_ms, &x.co);
    rb_fib(cfg->fib_n, &x.fib_expect);
    int n = s->concurrency;
    pthread_barrier_init(&x.ready, NULL, (unsigned)n + 1);
    pthread_barrier_init(&x.go, NULL, (unsigned)n + 1);
    pthread_barrier_init(&x.done, NULL, (unsigned)n + 1);
    worker *w = calloc((size_t)n, sizeof *w);
    for (int i = 0; i < n; i++) {
        w[i].ctx = &x;
        w[i].connect_us = NAN;
        w[i].calls = cfg->calls / n + (i < cfg->calls % n);
        rb_samples_reserve(&w[i].samples, cfg->calls ? (size_t)w[i].calls : 65536);
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    sample_point p0 = { 0 }, p1 = { 0 };
    pthread_barrier_wait(&x.ready);
    take_sample(s->t, sp, &p0);
    uint64_t start = rb_now_ns();
    x.end_ns = start + (uint64_t)(cfg->duration_s * 1e9);
    pthread_barrier_wait(&x.go);
    pthread_barrier_wait(&x.done);
    uint64_t end = rb_now_ns();
    take_sample(s->t, sp, &p1);

    rb_samples merged = { 0 };
    double conn_sum = 0, req = 0, rep = 0;
    int conn_n = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].th, NULL);
        rb_samples_append(&merged, &w[i].samples);
        r->calls += w[i].ok;
        r->warmup_failures += w[i].warm_fail;
        r->stale_replies += w[i].stale;
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            r->failures[k] += w[i].fails[k];
        if (!isnan(w[i].connect_us)) {
            conn_sum += w[i].connect_us;
            conn_n++;
        }
        req += (double)w[i].req_bytes;
        rep += (double)w[i].rep_bytes;
        if (w[i].last_error[0])
            snprintf(r->last_error, sizeof r->last_error, "%s", w[i].last_error);
        rb_close(&w[i].cl);
        rb_samples_free(&w[i].samples);
        rb_obj_free(&w[i].in);
        rb_obj_free(&w[i].out);
    }
    free(w);
    pthread_barrier_destroy(&x.ready);
    pthread_barrier_destroy(&x.go);
    pthread_barrier_destroy(&x.done);

    uint64_t attempts = r->calls;
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        attempts += r->failures[k];
    r->duration_s = (double)(end - start) / 1e9;
    r->throughput_cps = r->duration_s > 0 ? (double)r->calls / r->duration_s : NAN;
    rb_samples_append(&s->all, &merged);
    rb_stats_compute(&merged, &r->lat);
    rb_samples_free(&merged);
    r->connect_us = conn_n ? conn_sum / conn_n : NAN;
    r->req_body = r->calls ? req / (double)r->calls : NAN;
    r->rep_body = r->calls ? rep / (double)r->calls : NAN;

    double per = attempts ? 1.0 / (double)attempts : NAN;
    uint64_t bc = 0, bs = 0;
    r->wire_client = p0.wc_ok && p1.wc_ok && rb_wire_diff(&p0.wc, &p1.wc, &bc) == RB_OK
                         ? (double)bc * per : NAN;
    if (s->t->broker == RB_BROKER_NONE)
        r->wire_total = r->wire_client;
    else
        r->wire_total = !isnan(r->wire_client) && p0.ws_ok && p1.ws_ok &&
                        rb_wire_diff(&p0.ws, &p1.ws, &bs) == RB_OK
                            ? (double)(bc + bs) * per : NAN;
    r->cpu_client = (double)(p1.cpu_self - p0.cpu_self) / 1e3 * per;
    r->cpu_server = p0.cpu_server_ok && p1.cpu_server_ok
                        ? (double)(p1.cpu_server - p0.cpu_server) / 1e3 * per : NAN;
    r->cpu_broker = p0.cpu_broker_ok && p1.cpu_broker_ok
                        ? (double)(p1.cpu_broker - p0.cpu_broker) / 1e3 * per : NAN;
    rb_wire_snap_free(&p0.wc);
    rb_wire_snap_free(&p0.ws);
    rb_wire_snap_free(&p1.wc);
    rb_wire_snap_free(&p1.ws);
    r->ran = 1;
}

/* ---- command line ---------------------------------------------------------- */

static void usage_run(FILE *f)
{
    fprintf(f,
"usage: rpcbench run [options]\n"
"  --transports LIST   comma-separated (default: every transport built in)\n"
"  --methods LIST      fib,getObj,sendObj (default: all three)\n"
"  --calls N           calls per scenario and round, shared by the threads\n"
"  --duration S        or: seconds per scenario and round (default 2)\n"
"  --warmup N          untimed calls per thread before measuring (default 100)\n"
"  --concurrency LIST  client threads, one connection each (default 1)\n"
"  --entries LIST      getObj/sendObj entries; servers restart per value (default 100)\n"
"  --rounds R          repeat every scenario R times, transports interleaved in\n"
"                      an order rotated each round (default 1)\n"
"  --connect T=ADDR    use a running server for transport T (HOST:PORT, or the\n"
"                      queue of an AMQP transport) instead of starting one\n"
"  --timeout MS        deadline of every call (default %d)\n"
"  --fib-n N           fib's argument, 0..92 (default 30)\n"
"  --out DIR           results folder (default results/<UTC timestamp>)\n",
            RB_DEFAULT_TIMEOUT_MS);
}

static int parse_args(int argc, char **argv, run_cfg *cfg)
{
    static const struct option opts[] = {
        { "transports", required_argument, NULL, 't' },
        { "methods", required_argument, NULL, 'm' },
        { "calls", required_argument, NULL, 'n' },
        { "duration", required_argument, NULL, 'd' },
        { "warmup", required_argument, NULL, 'w' },
        { "concurrency", required_argument, NULL, 'c' },
        { "entries", required_argument, NULL, 'e' },
        { "rounds", required_argument, NULL, 'r' },
        { "connect", required_argument, NULL, 'C' },
        { "timeout", required_argument, NULL, 'T' },
        { "fib-n", required_argument, NULL, 'f' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    char *items[MAX_LIST];
    char *connects[MAX_LIST];
    int nconnect = 0, n, c;
    char *tlist = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': tlist = optarg; break;
        case 'm':
            cfg->nm = 0;
            n = rb_arg_split(optarg, items, MAX_LIST);
            for (int i = 0; i < n; i++) {
                int m = rb_method_from_name(items[i], strlen(items[i]));
                if (m < 0) {
                    fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", items[i]);
                    return 2;
                }
                if (cfg->nm < RB_M__COUNT)
                    cfg->methods[cfg->nm++] = (rb_method)m;
            }
            break;
        case 'n': cfg->calls = rb_arg_int("--calls", optarg, 1, 1000000000); break;
        case 'd':
            cfg->duration_s = rb_arg_real("--duration", optarg, 0, 86400);
            break;
        case 'w': cfg->warmup = (int)rb_arg_int("--warmup", optarg, 0, 10000000); break;
        case 'c':
            n = rb_arg_split(optarg, items, MAX_LIST);
            for (int i = 0; i < n; i++)
                cfg->conc[i] = (int)rb_arg_int("--concurrency", items[i], 1, 1024);
            cfg->nc = n;
            break;
        case 'e':
            n = rb_arg_split(optarg, items, MAX_LIST);
            for (int i = 0; i < n; i++)
                cfg->entries[i] = (long)rb_arg_int("--entries", items[i], 0, 10000000);
            cfg->ne = n;
            break;
        case 'r': cfg->rounds = (int)rb_arg_int("--rounds", optarg, 1, 1000); break;
        case 'C':
            if (nconnect < MAX_LIST)
                connects[nconnect++] = optarg;
            break;
        case 'T': cfg->timeout_ms = (int)rb_arg_int("--timeout", optarg, 1, 3600000); break;
        case 'f': cfg->fib_n = (int)rb_arg_int("--fib-n", optarg, 0, RB_FIB_MAX); break;
        case 'o': cfg->out = optarg; break;
        case 'h': usage_run(stdout); exit(0);
        default: usage_run(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage_run(stderr);
        return 2;
    }
    if (tlist) {
        n = rb_arg_split(tlist, items, MAX_LIST);
        for (int i = 0; i < n; i++) {
            const rb_transport *t = rb_transport_find(items[i]);
            if (!t) {
                fprintf(stderr, "rpcbench: no transport '%s' in this build (rpcbench list)\n", items[i]);
                return 2;
            }
            cfg->ts[cfg->nt++] = t;
        }
    } else {
        /* Every transport built in; the broker ones only with a broker. */
        int skipped = 0;
        for (const rb_transport *const *p = rb_transports; *p && cfg->nt < MAX_LIST; p++) {
            if ((*p)->broker != RB_BROKER_NONE && !getenv(rb_broker_url_env((*p)->broker))) {
                skipped++;
                continue;
            }
            cfg->ts[cfg->nt++] = *p;
        }
        if (skipped)
            fprintf(stderr, "rpcbench: no broker URL is set: %d broker transport(s) left out "
                            "(scripts/broker start, then source .run/broker.env)\n", skipped);
    }
    for (int i = 0; i < nconnect; i++) {
        char *eq = strchr(connects[i], '=');
        int found = 0;
        if (eq) {
            *eq = '\0';
            for (int k = 0; k < cfg->nt; k++)
                if (strcmp(cfg->ts[k]->name, connects[i]) == 0) {
                    cfg->connect[k] = eq + 1;
                    found = 1;
                }
        }
        if (!found) {
            fprintf(stderr, "rpcbench: --connect wants T=ADDR with T among --transports\n");
            return 2;
        }
    }
    if (cfg->calls && cfg->duration_s > 0) {
        fprintf(stderr, "rpcbench: give --calls or --duration, not both\n");
        return 2;
    }
    if (!cfg->calls && !(cfg->duration_s > 0))
        cfg->duration_s = 2;
    for (int i = 0; i < cfg->nc; i++)
        if (cfg->calls && cfg->calls < cfg->conc[i]) {
            fprintf(stderr, "rpcbench: --calls %lld is fewer than --concurrency %d\n", cfg->calls, cfg->conc[i]);
            return 2;
        }
    return 0;
}

static json_t *params_json(const run_cfg *cfg)
{
    json_t *t = json_array(), *m = json_array(), *c = json_array(), *e = json_array();
    for (int i = 0; i < cfg->nt; i++)
        json_array_append_new(t, json_string(cfg->ts[i]->name));
    for (int i = 0; i < cfg->nm; i++)
        json_array_append_new(m, json_string(rb_method_name(cfg->methods[i])));
    for (int i = 0; i < cfg->nc; i++)
        json_array_append_new(c, json_integer(cfg->conc[i]));
    for (int i = 0; i < cfg->ne; i++)
        json_array_append_new(e, json_integer(cfg->entries[i]));
    json_t *conn = json_object();
    for (int i = 0; i < cfg->nt; i++)
        if (cfg->connect[i])
            json_object_set_new(conn, cfg->ts[i]->name, json_string(cfg->connect[i]));
    return json_pack("{s:o,s:o,s:o,s:o,s:i,s:o,s:o,s:i,s:i,s:i,s:b,s:s,s:o,s:s}",
        "transports", t, "methods", m,
        "calls", cfg->calls ? json_integer(cfg->calls) : json_null(),
        "duration_s", cfg->calls ? json_null() : json_real(cfg->duration_s),
        "warmup", cfg->warmup, "concurrency", c, "entries", e, "rounds", cfg->rounds,
        "timeout_ms", cfg->timeout_ms, "fib_n", cfg->fib_n, "pinned", 0,
        "loop", "closed", "connect", conn,
        "server_threads", "each transport's default");
}

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

int rb_run_main(int argc, char **argv)
{
    run_cfg cfg = { .warmup = 100, .rounds = 1, .timeout_ms = RB_DEFAULT_TIMEOUT_MS, .fib_n = 30,
                    .methods = { RB_M_FIB, RB_M_GET_OBJ, RB_M_SEND_OBJ }, .nm = 3,
                    .conc = { 1 }, .nc = 1, .entries = { RB_DEFAULT_ENTRIES }, .ne = 1 };
    int rc = parse_args(argc, argv, &cfg);
    if (rc)
        return rc;
    cfg.progress = isatty(STDERR_FILENO);

    char started[32], outbuf[128];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!cfg.out) {
        strftime(outbuf, sizeof outbuf, "results/%Y%m%dT%H%M%SZ", &tm);
        cfg.out = outbuf;
    }
    if (mkdir_p(cfg.out)) {
        fprintf(stderr, "rpcbench: cannot create %s: %s\n", cfg.out, strerror(errno));
        return 1;
    }
    for (int i = 0; i < cfg.nt; i++)
        if (cfg.ts[i]->init && cfg.ts[i]->init() != RB_OK) {
            fprintf(stderr, "rpcbench: %s: cannot initialise its library\n", cfg.ts[i]->name);
            return 1;
        }
    for (int i = 0; i < cfg.nt; i++)
        if (cfg.ts[i]->broker != RB_BROKER_NONE && !getenv(rb_broker_url_env(cfg.ts[i]->broker))) {
            fprintf(stderr, "rpcbench: %s needs %s (scripts/broker start writes it "
                            "to .run/broker.env)\n", cfg.ts[i]->name, rb_broker_url_env(cfg.ts[i]->broker));
            return 2;
        }

    struct sigaction sa = { .sa_handler = on_interrupt };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* Every scenario, in a fixed order: entries, transport, method, conc.
     * fib does not depend on entries: measured once, with the first value. */
    size_t cap = (size_t)cfg.ne * cfg.nt * cfg.nm * cfg.nc, n = 0;
    rb_scenario *sc = calloc(cap, sizeof *sc);
    for (int e = 0; e < cfg.ne; e++)
        for (int t = 0; t < cfg.nt; t++)
            for (int m = 0; m < cfg.nm; m++)
                for (int c = 0; c < cfg.nc; c++) {
                    if (cfg.methods[m] == RB_M_FIB && e > 0)
                        continue;
                    rb_scenario *s = &sc[n++];
                    s->t = cfg.ts[t];
                    s->method = cfg.methods[m];
                    s->entries = cfg.methods[m] == RB_M_FIB ? -1 : cfg.entries[e];
                    s->concurrency = cfg.conc[c];
                    s->nrounds = cfg.rounds;
                    s->rounds = calloc((size_t)cfg.rounds, sizeof *s->rounds);
                    s->server_max_rss_kb = -1;
                }

    server_proc sp[MAX_LIST];
    memset(sp, 0, sizeof sp);
    int failed = 0;
    for (int e = 0; e < cfg.ne && !interrupted && !failed; e++) {
        int started_n = 0;
        for (int t = 0; t < cfg.nt; t++, started_n++)
            if (server_start(cfg.ts[t], cfg.connect[t], cfg.entries[e], &sp[t])) {
                failed = 1;
                break;
            }
        for (int r = 0; r < cfg.rounds && !interrupted && !failed; r++) {
            for (int k = 0; k < cfg.nt && !interrupted; k++) {
                int t = (k + r) % cfg.nt;   /* rotated order */
                for (size_t i = 0; i < n && !interrupted; i++) {
                    rb_scenario *s = &sc[i];
                    int this_e = s->entries < 0 ? e == 0 : s->entries == cfg.entries[e];
                    if (s->t != cfg.ts[t] || !this_e)
                        continue;
                    if (cfg.progress)
                        fprintf(stderr, "\r\033[K[entries %ld, round %d/%d] %s %s c=%d ...",
                                cfg.entries[e], r + 1, cfg.rounds, s->t->name,
                                rb_method_name(s->method), s->concurrency);
                    run_round(&cfg, s, r, k, &sp[t]);
                }
            }
        }
        for (int t = 0; t < started_n; t++) {
            long kb;
            if (sp[t].pid > 0 && rb_proc_max_rss_kb(sp[t].pid, &kb) == RB_OK)
                for (size_t i = 0; i < n; i++)
                    if (sc[i].t == cfg.ts[t] &&
                        (sc[i].entries == cfg.entries[e] || (sc[i].entries < 0 && e == 0)))
                        sc[i].server_max_rss_kb = kb;
            server_stop(&sp[t]);
        }
    }
    if (cfg.progress)
        fprintf(stderr, "\r\033[K");
    if (interrupted) {
        fprintf(stderr, "rpcbench: interrupted; servers stopped, no results written\n");
        rc = 130;
        goto out;
    }
    if (failed) {
        rc = 1;
        goto out;
    }

    json_t *env = rb_env_manifest(started, cfg.ts, (size_t)cfg.nt);
    json_object_set_new(env, "parameters", params_json(&cfg));
    rc = rb_results_write(cfg.out, env, sc, n);
    json_decref(env);
    if (rc) {
        rc = 1;
        goto out;
    }
    rb_results_print_table(stdout, sc, n);
    uint64_t fails = 0;
    for (size_t i = 0; i < n; i++)
        for (int r = 0; r < sc[i].nrounds; r++)
            for (int k = 0; k < RB_FAIL__COUNT; k++)
                fails += sc[i].rounds[r].failures[k];
    if (fails)
        fprintf(stderr, "rpcbench: %llu failed calls, counted by kind in results.json\n",
                (unsigned long long)fails);
    if (rb_report_write(cfg.out) != RB_OK)
        fprintf(stderr, "rpcbench: report.md could not be written (results.json is complete)\n");
    printf("results: %s/results.json, results.csv, report.md\n", cfg.out);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++) {
        free(sc[i].rounds);
        rb_samples_free(&sc[i].all);
    }
    free(sc);
    return rc;
}
