/* clients.c - the client engine (clients.h): one round, a client per connection,
 * connect and a first verified call (connect_us), warm-up untimed, then
 * for --calls or --duration either
 *   closed loop: calls back to back, or
 *   open loop (--rate): each connection sends on its share of the schedule
 *     (schedule.h): it sleeps until a call's intended send time
 *     (clock_nanosleep TIMER_ABSTIME) and, when behind, sends at once and
 *     records the lag; latency counts from the intended time, service time
 *     from the actual send. Calls still unsent when the window ends are
 *     counted (unsent), never silently dropped from the rate.
 * One connection without a fault runs on the calling thread, more on a
 * thread each (loadgen.c runs it all in a client process of its own).
 * Every reply verified and every failure counted by kind; each call goes
 * into the round's timeline; CPU time and TCP payload bytes sampled before
 * and after the measured window. The validity of the window is judged by
 * the caller (measure/validity.h) on the samples handed back. */
#include "load/clients.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault/fault_run.h"
#include "measure/procstat.h"
#include "load/costs.h"
#include "load/pacer.h"
#include "load/schedule.h"
#include "measure/timeline.h"
#include "measure/wire.h"

typedef struct scen_ctx {
    const rb_loadgen_spec *ls;
    const rb_transport *t;
    rb_client_opts co;
    rb_method method;
    long entries;                    /* getObj's expected count / sendObj's size */
    int64_t fib_expect;
    int conns;
    uint64_t start_ns;               /* the measured window's start */
    uint64_t end_ns;                 /* duration mode: when to stop (atomic:
                                        a fault may push it later) */
    uint64_t send_until_ns;          /* open loop: a late call is sent up to then */
    double window_s;                 /* open loop: the schedule's window */
    rb_fault_run *fr;                /* --fault: every call recorded; NULL */
    pthread_barrier_t ready, go, done;
} scen_ctx;

typedef struct worker {
    pthread_t th;
    scen_ctx *ctx;
    int index;                       /* connection number, 0..conns-1 */
    long long calls;                 /* calls mode: this thread's share */
    rb_client *cl;
    rb_samples samples;              /* latency: closed loop per call, open
                                        loop from the intended send time */
    rb_samples done;                 /* each sample's completion, CLOCK_MONOTONIC ns */
    rb_samples service, lag;         /* open loop: from the actual send; send lag */
    rb_samples gen_lag;              /* open loop: the generator's own lateness */
    rb_pacer pacer;                  /* open loop: punctual sends */
    rb_conn_clock clk;               /* open loop: the connection's clocks */
    uint64_t offered, unsent;        /* open loop: calls due, calls never sent */
    rb_timeline tl;
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
        rc = rb_call_fib(w->cl, x->ls->fib_n, &v);
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

/* Connect, one verified call (connect_us), then the untimed warm-up. */
static void warm_up(worker *w)
{
    scen_ctx *x = w->ctx;
    uint64_t t0 = rb_now_ns();
    int verified = 0;

    if (x->method == RB_M_SEND_OBJ && x->fr)
        rb_fault_run_fill(&w->out, (size_t)x->entries);   /* with the call id entry */
    else if (x->method == RB_M_SEND_OBJ)
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
    for (int i = 0; i < x->ls->warmup && !rb_run_interrupted; i++) {
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
}

/* One measured call, due at `intended` (0: now, closed loop) and begun at
 * `sent` (0: now; earlier when the call had to reconnect first, which is
 * the stack's time): verify, count, record. Returns 0, or 1 on a failure. */
static int measured_call(worker *w, uint64_t intended, uint64_t sent, uint64_t *stale0)
{
    scen_ctx *x = w->ctx;
    int verified = 0;
    uint64_t id = x->fr ? rb_fault_run_tag(&w->out) : 0;
    if (!sent)
        sent = rb_now_ns();
    int rc = do_call(w, &verified);
    uint64_t done = rb_now_ns();
    int open = intended != 0;
    if (!open)
        intended = sent;
    if (x->fr)
        rb_fault_run_call(x->fr, w->index, id, intended, done, rc, verified,
                          w->cl ? w->cl->accepted : -1);
    int ok = rc == RB_OK && verified;
    rb_open_times ot = { .latency_ns = rb_call_latency_ns(intended, done) };
    if (open) {
        ot = rb_open_call(&w->clk, intended, sent, done);
        rb_samples_push(&w->lag, ot.send_lag_ns);
        rb_samples_push(&w->gen_lag, ot.gen_lag_ns);
        rb_timeline_add_offer(&w->tl, intended - x->start_ns, ot.send_lag_ns);
    }
    rb_timeline_add_call(&w->tl, done - x->start_ns, ot.latency_ns, ok);
    if (ok) {
        rb_samples_push(&w->samples, ot.latency_ns);
        rb_samples_push(&w->done, done);
        if (open)
            rb_samples_push(&w->service, ot.service_ns);
        w->ok++;
        w->req_bytes += w->cl->req_body_bytes;
        w->rep_bytes += w->cl->rep_body_bytes;
        return 0;
    }
    if (w->cl)
        w->stale += w->cl->stale_replies - *stale0, *stale0 = w->cl->stale_replies;
    count_failure(w, rc, rc == RB_OK, w->fails);
    return 1;
}

/* Closed loop: the next call when the previous one is back. */
static void closed_loop(worker *w, uint64_t *stale0)
{
    scen_ctx *x = w->ctx;
    int by_time = x->ls->calls == 0;
    for (long long i = 0; (by_time || i < w->calls) && !rb_run_interrupted; i++) {
        if (by_time && rb_now_ns() >= __atomic_load_n(&x->end_ns, __ATOMIC_RELAXED))
            break;
        if (!w->cl) {
            uint64_t c0 = rb_now_ns();
            int crc = reconnect(w);
            if (crc) {
                w->fails[RB_FAIL_CONNECT]++;
                if (x->fr)   /* a call that could not be sent */
                    rb_fault_run_call(x->fr, w->index, 0, c0, rb_now_ns(), crc, 0, 0);
                rb_timeline_add_call(&w->tl, rb_now_ns() - x->start_ns, 0, 0);
                usleep(10000);   /* a refused connect returns at once */
                continue;
            }
            *stale0 = 0;
        }
        measured_call(w, 0, 0, stale0);
    }
}

/* Open loop: every call at its intended send time, or at once when behind.
 * A call that cannot get a connection fails as a connect failure. Calls
 * are due inside the window; a late one is still sent up to a grace after
 * the window's end (10 % of the window, 10 ms to 1 s), and the calls still
 * unsent then count as unsent, their lag taken up to that moment: a
 * generator that far behind did not offer the rate. */
static void open_loop(worker *w, uint64_t *stale0)
{
    scen_ctx *x = w->ctx;
    rb_schedule sch;
    uint64_t t;
    if (rb_schedule_init(&sch, x->ls->arrivals, x->ls->rate_cps, x->window_s, x->conns,
                         w->index, x->ls->seed) != RB_OK)
        return;
    rb_pacer_init(&w->pacer, x->ls->spin_ns);
    while (rb_schedule_next(&sch, &t)) {
        uint64_t intended = x->start_ns + t, began = 0;
        w->offered++;
        if (rb_pacer_wait(&w->pacer, intended, (const volatile int *)&rb_run_interrupted) ||
            rb_now_ns() >= x->send_until_ns) {
            w->unsent++;
            rb_timeline_add_offer(&w->tl, t, rb_call_send_lag_ns(intended, x->send_until_ns));
            break;
        }
        if (!w->cl) {
            began = rb_now_ns();
            int crc = reconnect(w);
            if (crc) {
                w->fails[RB_FAIL_CONNECT]++;
                if (x->fr)   /* a call that could not be sent */
                    rb_fault_run_call(x->fr, w->index, 0, intended, rb_now_ns(), crc, 0, 0);
                rb_timeline_add_offer(&w->tl, t, rb_call_send_lag_ns(intended, rb_now_ns()));
                rb_timeline_add_call(&w->tl, rb_now_ns() - x->start_ns, 0, 0);
                continue;
            }
            *stale0 = 0;
        }
        measured_call(w, intended, began, stale0);
    }
    while (rb_schedule_next(&sch, &t)) {
        w->offered++;
        w->unsent++;
        rb_timeline_add_offer(&w->tl, t, rb_call_send_lag_ns(x->start_ns + t, x->send_until_ns));
    }
}

/* The measured calls of w, after its warm-up. */
static void measure(worker *w)
{
    uint64_t stale0 = w->cl ? w->cl->stale_replies : 0;
    if (w->ctx->ls->rate_cps > 0)
        open_loop(w, &stale0);
    else
        closed_loop(w, &stale0);
    if (w->cl)
        w->stale += w->cl->stale_replies - stale0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    scen_ctx *x = w->ctx;

    warm_up(w);
    pthread_barrier_wait(&x->ready);
    pthread_barrier_wait(&x->go);
    measure(w);
    pthread_barrier_wait(&x->done);
    return NULL;
}

/* The open-loop figures of round r from the merged samples, and the
 * schedule flags. */
static void open_figures(rb_round *r, const rb_loadgen_spec *ls, double window_s,
                         rb_samples *svc, rb_samples *lag, rb_samples *gen_lag)
{
    r->target_cps = ls->rate_cps;
    r->achieved_cps = (double)r->calls / window_s;
    r->duration_s = window_s;
    r->throughput_cps = r->achieved_cps;
    rb_stats_compute(svc, &r->svc);
    rb_stats_compute(lag, &r->lag);
    rb_stats_compute(gen_lag, &r->gen_lag);
    r->rate_short = rb_schedule_rate_short(r->target_cps, r->achieved_cps);
    r->lag_grows = rb_timeline_lag_grows(r->tl, r->ntl);
}

/* Join the n workers and add up their counts into r, their samples into
 * merged[0..3] (latency, service time, send lag, generator lag), their completion times
 * into done and timelines into tl.
 * Frees the workers' state. */
static void collect(worker *w, int n, int threads, rb_round *r, rb_samples *merged,
                    rb_samples *done, rb_timeline *tl, double *req, double *rep)
{
    double conn_sum = 0;
    int conn_n = 0;
    for (int i = 0; i < n; i++) {
        if (threads)
            pthread_join(w[i].th, NULL);
        rb_samples_append(&merged[0], &w[i].samples);
        rb_samples_append(&merged[1], &w[i].service);
        rb_samples_append(&merged[2], &w[i].lag);
        rb_samples_append(&merged[3], &w[i].gen_lag);
        r->spin_cpu_ns += w[i].pacer.spin_cpu_ns;
        rb_samples_append(done, &w[i].done);
        rb_timeline_merge(tl, &w[i].tl);
        r->calls += w[i].ok;
        r->offered += w[i].offered;
        r->unsent += w[i].unsent;
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
        rb_samples_free(&w[i].service);
        rb_samples_free(&w[i].lag);
        rb_samples_free(&w[i].gen_lag);
        rb_samples_free(&w[i].done);
        rb_timeline_free(&w[i].tl);
        rb_obj_free(&w[i].in);
        rb_obj_free(&w[i].out);
    }
    r->connect_us = conn_n ? conn_sum / conn_n : NAN;
}

/* n client threads for x, started when `threads` (else the one worker runs
 * on the calling thread). NULL when out of memory. */
static worker *start_workers(scen_ctx *x, int n, int threads)
{
    const rb_loadgen_spec *ls = x->ls;
    worker *w = calloc((size_t)n, sizeof *w);
    if (!w)
        return NULL;
    size_t expect = ls->calls ? (size_t)(ls->calls / n) + 1
                    : ls->rate_cps > 0 ? (size_t)(ls->rate_cps * x->window_s / n) + 16 : 65536;
    for (int i = 0; i < n; i++) {
        w[i].ctx = x;
        w[i].index = i;
        w[i].connect_us = NAN;
        w[i].calls = ls->calls / n + (i < ls->calls % n);
        rb_samples_reserve(&w[i].samples, expect);
        rb_timeline_init(&w[i].tl, ls->timeline_ns);
        if (threads)
            pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    return w;
}

/* --fault: the accounting of this round's fault, or NULL without one. A
 * fault that restarts the server updates the run's record of it (its pid),
 * which the rest of the run reads only between rounds. */
static rb_fault_run *fault_new(const rb_loadgen_spec *ls, const rb_server_proc *sp,
                               double window_s)
{
    if (!ls->fault)
        return NULL;
    return rb_fault_run_new(ls->fault, ls->t, ls->entries, (rb_server_proc *)sp, ls->connections,
                            window_s * 1e3, ls->timeout_ms, ls->rate_cps);
}

/* The fault's classes into r; a server CPU figure over two processes (the
 * fault restarted it) would mix them: none. */
static void fault_end(scen_ctx *x, rb_round *r, uint64_t end, int restarted)
{
    if (x->fr)
        rb_fault_run_finish(&x->fr, end, &r->fault);
    if (restarted)
        r->cpu_server = NAN;
}

/* The context of one round: window, client options, fib's expected value,
 * the fault's accounting and (threads) the barriers. */
static void ctx_init(scen_ctx *x, const rb_loadgen_spec *ls, const rb_server_proc *sp,
                     int threads)
{
    int n = ls->connections, open = ls->rate_cps > 0;
    *x = (scen_ctx){ .ls = ls, .t = ls->t, .method = ls->method, .conns = n,
                     .entries = ls->entries < 0 ? 0 : ls->entries };
    x->window_s = !open ? ls->duration_s : ls->calls ? (double)ls->calls / ls->rate_cps
                                                     : ls->duration_s;
    rb_server_client_opts(ls->t, sp, ls->timeout_ms, &x->co);
    rb_fib(ls->fib_n, &x->fib_expect);
    x->fr = fault_new(ls, sp, x->window_s);
    if (threads) {
        pthread_barrier_init(&x->ready, NULL, (unsigned)n + 1);
        pthread_barrier_init(&x->go, NULL, (unsigned)n + 1);
        pthread_barrier_init(&x->done, NULL, (unsigned)n + 1);
    }
}

static void ctx_destroy(scen_ctx *x, int threads)
{
    if (threads) {
        pthread_barrier_destroy(&x->ready);
        pthread_barrier_destroy(&x->go);
        pthread_barrier_destroy(&x->done);
    }
}

/* The measured window: the workers warmed up, the meters sampled before
 * (p0) and after (p1), the calls made. Returns the window's end, ns. */
static uint64_t window(scen_ctx *x, worker *w, int threads, const rb_server_proc *sp,
                       rb_costs_point *p0, rb_costs_point *p1)
{
    if (threads)
        pthread_barrier_wait(&x->ready);
    else
        warm_up(w);
    rb_costs_sample(x->t, sp, p0);
    x->start_ns = rb_now_ns();
    x->end_ns = x->start_ns + (uint64_t)(x->window_s * 1e9);
    x->send_until_ns = x->end_ns + (uint64_t)(fmin(fmax(0.1 * x->window_s, 0.01), 1.0) * 1e9);
    if (x->fr)
        rb_fault_run_start(x->fr, x->start_ns, &x->end_ns);
    if (threads) {
        pthread_barrier_wait(&x->go);
        pthread_barrier_wait(&x->done);
    } else {
        measure(w);
    }
    uint64_t end = rb_now_ns();
    rb_costs_sample(x->t, sp, p1);
    return end;
}

/* The round's figures into r from the merged samples m[0..3] (latency,
 * service time, send lag, generator lag; consumed), the bytes and the timeline; the
 * latency samples in completion order and their completion times (done,
 * moved) into out. */
static void figures(const scen_ctx *x, rb_round *r, uint64_t end, rb_samples *m,
                    rb_samples *done, rb_timeline *tl, double req, double rep,
                    rb_loadgen_samples *out)
{
    r->duration_s = (double)(end - x->start_ns) / 1e9;
    r->throughput_cps = r->duration_s > 0 ? (double)r->calls / r->duration_s : NAN;
    rb_samples_append(&out->lat, &m[0]);
    rb_samples_append(&out->done, done);
    out->start_ns = x->start_ns;
    out->end_ns = end;
    rb_samples_free(done);
    rb_stats_compute(&m[0], &r->lat);   /* sorts m[0] */
    rb_timeline_points(tl, &r->tl, &r->ntl);
    if (x->ls->rate_cps > 0)
        open_figures(r, x->ls, x->window_s, &m[1], &m[2], &m[3]);
    for (int k = 0; k < 4; k++)
        rb_samples_free(&m[k]);
    r->req_body = r->calls ? req / (double)r->calls : NAN;
    r->rep_body = r->calls ? rep / (double)r->calls : NAN;
}

void rb_clients_drive(const rb_loadgen_spec *ls, const rb_server_proc *sp, rb_round *r,
                      rb_loadgen_samples *out)
{
    memset(r, 0, sizeof *r);
    r->target_cps = r->achieved_cps = NAN;
    int n = ls->connections;
    pid_t server0 = sp->pid;
    /* One connection without a fault runs on this thread: a process that
     * never ran a second thread is what a minimal client is, and glibc's
     * malloc and mutexes take their lock-free paths only there (xmlrpc-c's
     * reply parser measured 1.4x slower in a threaded process). */
    int threads = n > 1 || ls->fault;
    scen_ctx x;
    ctx_init(&x, ls, sp, threads);
    worker *w = start_workers(&x, n, threads);
    if (!w) {
        fprintf(stderr, "rpcbench: out of memory\n");
        ctx_destroy(&x, threads);
        return;
    }
    rb_costs_point p0 = { 0 }, p1 = { 0 };
    uint64_t end = window(&x, w, threads, sp, &p0, &p1);

    rb_samples m[4] = { { 0 } }, done = { 0 };
    rb_timeline tl;
    double req = 0, rep = 0;
    rb_timeline_init(&tl, ls->timeline_ns);
    collect(w, n, threads, r, m, &done, &tl, &req, &rep);
    free(w);
    ctx_destroy(&x, threads);
    figures(&x, r, end, m, &done, &tl, req, rep, out);
    rb_timeline_free(&tl);
    rb_costs_per_call(ls->t, sp, r, &p0, &p1, end - x.start_ns);
    fault_end(&x, r, end, sp->pid != server0);
    r->ran = 1;
}
