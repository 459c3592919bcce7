/* loadgen.c - one scenario, one round: one client thread per connection,
 * connect and a first verified call (connect_us), warm-up untimed, then
 * calls back to back (closed loop) for --calls or --duration, every reply
 * verified and every failure counted by kind; CPU time and TCP payload
 * bytes sampled before and after the measured window. */
#include "loadgen.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"
#include "wire.h"

typedef struct scen_ctx {
    const rb_run_cfg *cfg;
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
    for (int i = 0; i < x->cfg->warmup && !rb_run_interrupted; i++) {
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
    for (long long i = 0; (by_time || i < w->calls) && !rb_run_interrupted; i++) {
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

static void take_sample(const rb_transport *t, const rb_server_proc *sp, sample_point *p)
{
    p->wc_ok = sp->wire_port > 0 && rb_wire_snapshot(getpid(), sp->wire_port, &p->wc) == RB_OK;
    p->ws_ok = t->broker != RB_BROKER_NONE && sp->pid > 0 && sp->wire_port > 0 &&
               rb_wire_snapshot(sp->pid, sp->wire_port, &p->ws) == RB_OK;
    p->cpu_self = rb_self_cpu_ns();
    p->cpu_server_ok = sp->pid > 0 && rb_proc_cpu_ns(sp->pid, &p->cpu_server) == RB_OK;
    pid_t bp = t->broker != RB_BROKER_NONE ? rb_broker_pid() : 0;
    p->cpu_broker_ok = bp > 0 && rb_proc_cpu_ns(bp, &p->cpu_broker) == RB_OK;
}

/* Join the n workers and add up their counts into r; the caller's merged
 * gets every sample. Frees the workers' state. */
static void collect(worker *w, int n, rb_round *r, rb_samples *merged, double *req, double *rep)
{
    double conn_sum = 0;
    int conn_n = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].th, NULL);
        rb_samples_append(merged, &w[i].samples);
        r->calls += w[i].ok;
        r->warmup_failures += w[i].warm_fail;
        r->stale_replies += w[i].stale;
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            r->failures[k] += w[i].fails[k];
        if (!isnan(w[i].connect_us)) {
            conn_sum += w[i].connect_us;
            conn_n++;
        }
        *req += (double)w[i].req_bytes;
        *rep += (double)w[i].rep_bytes;
        if (w[i].last_error[0])
            snprintf(r->last_error, sizeof r->last_error, "%s", w[i].last_error);
        rb_close(&w[i].cl);
        rb_samples_free(&w[i].samples);
        rb_obj_free(&w[i].in);
        rb_obj_free(&w[i].out);
    }
    r->connect_us = conn_n ? conn_sum / conn_n : NAN;
}

/* Wire bytes and CPU time per call attempt from the samples around the
 * measured window. */
static void per_call_costs(const rb_transport *t, rb_round *r, sample_point *p0, sample_point *p1)
{
    uint64_t attempts = r->calls;
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        attempts += r->failures[k];
    double per = attempts ? 1.0 / (double)attempts : NAN;
    uint64_t bc = 0, bs = 0;
    r->wire_client = p0->wc_ok && p1->wc_ok && rb_wire_diff(&p0->wc, &p1->wc, &bc) == RB_OK
                         ? (double)bc * per : NAN;
    if (t->broker == RB_BROKER_NONE)
        r->wire_total = r->wire_client;
    else
        r->wire_total = !isnan(r->wire_client) && p0->ws_ok && p1->ws_ok &&
                        rb_wire_diff(&p0->ws, &p1->ws, &bs) == RB_OK
                            ? (double)(bc + bs) * per : NAN;
    r->cpu_client = (double)(p1->cpu_self - p0->cpu_self) / 1e3 * per;
    r->cpu_server = p0->cpu_server_ok && p1->cpu_server_ok
                        ? (double)(p1->cpu_server - p0->cpu_server) / 1e3 * per : NAN;
    r->cpu_broker = p0->cpu_broker_ok && p1->cpu_broker_ok
                        ? (double)(p1->cpu_broker - p0->cpu_broker) / 1e3 * per : NAN;
    rb_wire_snap_free(&p0->wc);
    rb_wire_snap_free(&p0->ws);
    rb_wire_snap_free(&p1->wc);
    rb_wire_snap_free(&p1->ws);
}

void rb_loadgen_round(const rb_run_cfg *cfg, rb_scenario *s, int round, int position,
                      const rb_server_proc *sp)
{
    rb_round *r = &s->rounds[round];
    memset(r, 0, sizeof *r);
    r->position = position;
    scen_ctx x = { .cfg = cfg, .t = s->t, .method = s->method,
                   .entries = s->entries < 0 ? 0 : s->entries };
    rb_server_client_opts(s->t, sp, cfg->timeout_ms, &x.co);
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
    double req = 0, rep = 0;
    collect(w, n, r, &merged, &req, &rep);
    free(w);
    pthread_barrier_destroy(&x.ready);
    pthread_barrier_destroy(&x.go);
    pthread_barrier_destroy(&x.done);

    r->duration_s = (double)(end - start) / 1e9;
    r->throughput_cps = r->duration_s > 0 ? (double)r->calls / r->duration_s : NAN;
    rb_samples_append(&s->all, &merged);
    rb_stats_compute(&merged, &r->lat);
    rb_samples_free(&merged);
    r->req_body = r->calls ? req / (double)r->calls : NAN;
    r->rep_body = r->calls ? rep / (double)r->calls : NAN;
    per_call_costs(s->t, r, &p0, &p1);
    r->ran = 1;
}
