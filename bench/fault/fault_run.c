/* fault_run.c - one scenario round under a fault (fault_run.h). */
#include "fault/fault_run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rb_journal.h"
#include "measure/stats.h"

#define TAIL_NS 1000000000ull   /* the window lasts >= 1 s + a deadline past the undo */

typedef struct call_log {
    rb_call_rec *v;
    size_t n, cap;
} call_log;

struct rb_fault_run {
    rb_fault_spec spec;
    const rb_transport *t;
    long entries;
    rb_server_proc *sp;
    int threads;
    double rate_cps;             /* open loop's target; 0: closed loop */
    uint64_t tail_ns;            /* after the undo: a deadline + 1 s */
    call_log *logs;              /* one per load thread */
    pthread_t th;
    int started;
    uint64_t start_ns;           /* window start */
    uint64_t *end_ns;            /* the load threads' end, pushed past the undo */
    uint64_t planned_end_ns;     /* the window's end as asked */
    rb_fault_target target;
    rb_fault_times times;
};

static char journal_path[4096];
static uint64_t next_id = 1;     /* unique in the run */

int rb_fault_run_env(const char *dir)
{
    snprintf(journal_path, sizeof journal_path, "%s/journal.bin", dir);
    int fd = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "rpcbench: %s: %s\n", journal_path, strerror(errno));
        return RB_EIO;
    }
    close(fd);
    return setenv(RB_JOURNAL_ENV, journal_path, 1) == 0 ? RB_OK : RB_EIO;
}

/* Servers are started again by one thread that lives as long as the
 * process: a child's PR_SET_PDEATHSIG fires when the *thread* that forked
 * it ends, so the fault's own thread, which ends with the round, must not
 * fork servers. */
static pthread_mutex_t sp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sp_cond = PTHREAD_COND_INITIALIZER;
static rb_fault_run *sp_req;      /* a restart asked for, NULL: none */
static int sp_rc, sp_done;

static void *spawner_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sp_lock);
    for (;;) {
        while (!sp_req)
            pthread_cond_wait(&sp_cond, &sp_lock);
        rb_fault_run *fr = sp_req;
        pthread_mutex_unlock(&sp_lock);
        int rc = rb_server_restart(fr->t, fr->entries, fr->sp);
        pthread_mutex_lock(&sp_lock);
        sp_req = NULL;
        sp_rc = rc;
        sp_done = 1;
        pthread_cond_broadcast(&sp_cond);
    }
    return NULL;
}

static void start_spawner(void)
{
    pthread_t th;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &a, spawner_main, NULL) != 0)
        fprintf(stderr, "rpcbench: cannot start the thread that restarts servers\n");
    pthread_attr_destroy(&a);
}

/* The runner's server, started again on the same address or queue. */
static int respawn(void *arg, pid_t *np)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    rb_fault_run *fr = arg;
    pthread_once(&once, start_spawner);
    pthread_mutex_lock(&sp_lock);
    sp_done = 0;
    sp_req = fr;
    pthread_cond_broadcast(&sp_cond);
    while (!sp_done)
        pthread_cond_wait(&sp_cond, &sp_lock);
    int rc = sp_rc;
    pthread_mutex_unlock(&sp_lock);
    *np = fr->sp->pid;
    return rc;
}

rb_fault_run *rb_fault_run_new(const rb_fault_spec *f, const rb_transport *t, long entries,
                               rb_server_proc *sp, int threads, double window_ms, int timeout_ms,
                               double rate_cps)
{
    rb_fault_run *fr = calloc(1, sizeof *fr);
    if (!fr || !(fr->logs = calloc((size_t)threads, sizeof *fr->logs))) {
        free(fr);
        return NULL;
    }
    fr->spec = *f;
    if (fr->spec.at_ms < 0)
        fr->spec.at_ms = (int64_t)(window_ms / 3);
    fr->t = t;
    fr->entries = entries;
    fr->sp = sp;
    fr->threads = threads;
    fr->rate_cps = rate_cps;
    /* a call in flight when the fault is undone may wait out its deadline
     * before the next one can show the recovery */
    fr->tail_ns = TAIL_NS + (uint64_t)timeout_ms * 1000000ull;
    fr->target = (rb_fault_target){ .server_pid = sp->pid, .port = sp->wire_port,
                                    .client_pid = getpid(), .broker = t->broker,
                                    .queue = sp->endpoint,
                                    .respawn = respawn, .arg = fr };
    /* before the window: what takes seconds to learn (the queue's leader) */
    rb_fault_times pre = { 0 };
    if (rb_fault_prepare(&fr->spec, &fr->target, &pre) != RB_OK)
        fr->target.node = 0;   /* inject tries again and reports */
    return fr;
}

int rb_fault_run_fill(rb_obj *o, size_t entries)
{
    rb_obj_clear(o);
    /* -1 until tagged: warm-up calls are not journaled */
    int rc = rb_obj_add(o, RB_JOURNAL_KEY, sizeof RB_JOURNAL_KEY - 1, -1);
    char key[32];
    for (size_t i = 0; rc == RB_OK && i < entries; i++) {
        int l = snprintf(key, sizeof key, "client:%zu", i);
        rc = rb_obj_add(o, key, (size_t)l, (int64_t)i);
    }
    return rc;
}

uint64_t rb_fault_run_tag(rb_obj *o)
{
    uint64_t id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    if (o->count)
        o->entries[0].value = (int64_t)id;
    return id;
}

void rb_fault_run_call(rb_fault_run *fr, int thread, uint64_t id, uint64_t start_ns,
                       uint64_t end_ns, int rc, int verified, int accepted)
{
    call_log *l = &fr->logs[thread];
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        rb_call_rec *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return;   /* out of memory: the call is missing from the counts */
        l->v = v;
        l->cap = cap;
    }
    rb_call_rec *r = &l->v[l->n++];
    /* An unsent call gets an id no server ever saw. */
    r->id = id ? id : __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    r->start_ns = start_ns;
    r->end_ns = end_ns;
    /* What the transport reported (rb_client.accepted); when it did not:
     * not accepted when the connection could not be made (the call was
     * never sent) or the broker returned the request unrouted (no queue),
     * otherwise the request was written. */
    if (accepted >= 0 && id != 0)
        r->accepted = accepted > 0 || rc == RB_OK;
    else
        r->accepted = id != 0 && rc != RB_ECONNECT && rc != RB_ENOSERVER;
    if (rc == RB_OK && verified) {
        r->outcome = RB_OUTCOME_OK;
    } else {
        r->outcome = rc == RB_ETIMEDOUT ? RB_OUTCOME_UNANSWERED : RB_OUTCOME_FAILED;
        r->fail_kind = (uint8_t)(rc == RB_OK ? RB_FAIL_WRONG_REPLY : rb_fail_kind_of(rc));
    }
}

static void *fault_main(void *arg)
{
    rb_fault_run *fr = arg;
    uint64_t at = fr->start_ns + (uint64_t)fr->spec.at_ms * 1000000ull;
    while (rb_now_ns() < at && !rb_run_interrupted) {
        struct timespec ts = { 0, 5000000 };
        nanosleep(&ts, NULL);
    }
    uint64_t end = fr->planned_end_ns;
    if (!rb_run_interrupted) {
        rb_fault_inject(&fr->spec, &fr->target, &fr->times);
        if (fr->times.rc != RB_OK)
            fprintf(stderr, "\nrpcbench: %s on %s: %s\n", rb_fault_kind_name(fr->spec.kind),
                    fr->t->name, fr->times.err);
        uint64_t want = (fr->times.end_ns ? fr->times.end_ns : rb_now_ns()) + fr->tail_ns;
        if (want > end)
            end = want;
    }
    __atomic_store_n(fr->end_ns, end, __ATOMIC_RELAXED);
    return NULL;
}

int rb_fault_run_start(rb_fault_run *fr, uint64_t window_start_ns, uint64_t *end_ns)
{
    fr->start_ns = window_start_ns;
    fr->end_ns = end_ns;
    fr->planned_end_ns = __atomic_load_n(end_ns, __ATOMIC_RELAXED);
    /* Until the fault is over, the load goes on; then fault_main sets it. */
    __atomic_store_n(end_ns, UINT64_MAX, __ATOMIC_RELAXED);
    if (pthread_create(&fr->th, NULL, fault_main, fr) != 0) {
        __atomic_store_n(end_ns, fr->planned_end_ns, __ATOMIC_RELAXED);
        return RB_ENOMEM;
    }
    fr->started = 1;
    return RB_OK;
}

/* Every thread's calls in one array (the logs are freed). */
static rb_call_rec *merge_logs(rb_fault_run *fr, size_t *n)
{
    size_t total = 0, k = 0;
    for (int i = 0; i < fr->threads; i++)
        total += fr->logs[i].n;
    rb_call_rec *all = malloc((total ? total : 1) * sizeof *all);
    for (int i = 0; i < fr->threads; i++) {
        if (all && fr->logs[i].n)
            memcpy(all + k, fr->logs[i].v, fr->logs[i].n * sizeof *all);
        k += fr->logs[i].n;
        free(fr->logs[i].v);
    }
    *n = all ? total : 0;
    return all;
}

_Static_assert(RB_CLASS__COUNT == RB_FAULT_NCLASS, "the model counts every call class");

/* The accounting's buckets as the model's timeline points (t_ms, calls,
 * failures, p50_us, p99_us, max_us; nothing offered). */
static void timeline_of(rb_fault_round *o, const rb_fault_bucket *b, size_t n)
{
    o->ntl = 0;
    o->tl = malloc((n ? n : 1) * sizeof *o->tl);
    if (!o->tl)
        return;
    for (size_t i = 0; i < n; i++)
        o->tl[i] = (rb_tl_point){ .t_ms = b[i].t_ms, .calls = b[i].calls,
                                  .failures = b[i].failures, .p50_us = b[i].p50_us,
                                  .p99_us = b[i].p99_us, .max_us = b[i].max_us,
                                  .lag_mean_us = NAN, .lag_max_us = NAN };
    o->ntl = n;
}

static double ms_since(uint64_t t0, uint64_t t)
{
    return t ? ((double)t - (double)t0) / 1e6 : NAN;
}

void rb_fault_run_finish(rb_fault_run **frp, uint64_t window_end_ns, rb_fault_round **out)
{
    rb_fault_run *fr = *frp;
    rb_fault_round *o = calloc(1, sizeof *o);
    *frp = NULL;
    *out = o;
    if (fr->started)
        pthread_join(fr->th, NULL);
    size_t n = 0;
    rb_call_rec *recs = merge_logs(fr, &n);
    if (o) {
        rb_journal j;
        if (rb_journal_load(journal_path, &j) != RB_OK)
            memset(&j, 0, sizeof j);
        snprintf(o->kind, sizeof o->kind, "%s", rb_fault_kind_name(fr->spec.kind));
        o->asked_at_ms = fr->spec.at_ms;
        o->asked_duration_ms = fr->spec.duration_ms;
        o->injected = fr->times.begin_ns != 0;
        o->at_ms = ms_since(fr->start_ns, fr->times.begin_ns);
        o->undone_ms = ms_since(fr->start_ns, fr->times.end_ns);
        o->journal_torn = j.torn;
        uint64_t begin = fr->times.begin_ns ? fr->times.begin_ns : window_end_ns;
        /* open loop: the target; closed loop: the ok rate before the fault */
        o->target_cps = fr->rate_cps > 0 ? fr->rate_cps : rb_fault_ok_rate(recs, n, fr->start_ns, begin);
        rb_fault_account(recs, n, &j, begin, o->target_cps, window_end_ns, &o->counts);
        rb_fault_bucket *b = NULL;
        size_t nb = 0;
        if (rb_fault_timeline(recs, n, fr->start_ns, window_end_ns, 100, &b, &nb) == RB_OK)
            timeline_of(o, b, nb);
        free(b);
        snprintf(o->err, sizeof o->err, "%s", fr->times.rc ? fr->times.err : "");
        rb_journal_free(&j);
    }
    free(recs);
    free(fr->logs);
    free(fr);
}
