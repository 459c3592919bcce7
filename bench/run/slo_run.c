/* slo_run.c - the SLO search against the run's servers (see slo_run.h). */
#include "run/slo_run.h"
#include "run/round.h"
#include "measure/timeline.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(f) offsetof(rb_round, f)
#define SLO_STEP_WARMUP 20     /* untimed calls per thread before each step */

int rb_slo_entries_make(const rb_run_cfg *cfg, rb_slo_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!cfg->slo_set)
        return RB_OK;
    size_t cap = (size_t)cfg->nt * cfg->nslo_m * cfg->ne;
    rb_slo_entry *e = calloc(cap ? cap : 1, sizeof *e);
    if (!e)
        return RB_ENOMEM;
    int conc = 1;
    for (int c = 0; c < cfg->nc; c++)
        conc = cfg->conc[c] > conc ? cfg->conc[c] : conc;
    for (int en = 0; en < cfg->ne; en++)
        for (int t = 0; t < cfg->nt; t++)
            for (int m = 0; m < cfg->nslo_m; m++) {
                if (cfg->slo_methods[m] == RB_M_FIB && en > 0)
                    continue;
                rb_slo_entry *x = &e[(*n)++];
                x->t = cfg->ts[t];
                x->method = cfg->slo_methods[m];
                x->entries = x->method == RB_M_FIB ? -1 : cfg->entries[en];
                x->concurrency = conc;
                x->nrounds = cfg->rounds;
                x->res = calloc((size_t)cfg->rounds, sizeof *x->res);
                x->start_cps = calloc((size_t)cfg->rounds, sizeof *x->start_cps);
                x->searched = calloc((size_t)cfg->rounds, sizeof *x->searched);
                x->confirm = (rb_scenario){ .t = x->t, .method = x->method, .entries = x->entries,
                                            .concurrency = conc, .nrounds = cfg->rounds,
                                            .arrivals = rb_arrivals_name(cfg->arrivals),
                                            .server_max_rss_kb = -1 };
                x->confirm.rounds = calloc((size_t)cfg->rounds, sizeof *x->confirm.rounds);
                if (!x->res || !x->start_cps || !x->searched || !x->confirm.rounds) {
                    rb_slo_entries_free(e, *n);
                    *out = NULL;
                    *n = 0;
                    return RB_ENOMEM;
                }
            }
    *out = e;
    return RB_OK;
}

void rb_slo_entries_free(rb_slo_entry *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++) {
        free(e[i].res);
        free(e[i].start_cps);
        free(e[i].searched);
        for (int r = 0; e[i].confirm.rounds && r < e[i].nrounds; r++)
            free(e[i].confirm.rounds[r].tl);
        free(e[i].confirm.rounds);
        rb_samples_free(&e[i].confirm.all);
    }
    free(e);
}

/* ---- the search ------------------------------------------------------------ */

typedef struct step_ctx {
    const rb_run_cfg *cfg;
    rb_slo_entry *e;
    int round, position;
    const rb_server_proc *sp;
    int confirmed_once;          /* a confirming run of this round was made */
    size_t confirm_from;         /* e->confirm.all.n before this round's first */
} step_ctx;

/* The SLO's percentile of samples [from, s->all.n) of s, µs; NAN if none. */
static double percentile_of(rb_scenario *s, size_t from, double pct)
{
    rb_samples part = { 0 };
    rb_latency l;
    if (s->all.n <= from)
        return NAN;
    part.ns = s->all.ns + from;
    part.n = part.cap = s->all.n - from;
    rb_stats_compute(&part, &l); /* sorts that part in place */
    return (double)rb_percentile(part.ns, part.n, pct) / 1e3;
}

static void point_of(const rb_round *r, double value_us, double pct, rb_slo_point *out)
{
    out->value_us = value_us;
    out->failures = 0;
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        out->failures += r->failures[k];
    out->achieved_cps = r->achieved_cps;
    out->lat = r->lat;
    out->gen_lag_p99_us = r->gen_lag.n ? r->gen_lag.p99 : NAN;
    out->tail_samples = (uint64_t)floor((double)r->calls * (1 - pct / 100));
}

/* A short run (a short warm-up, then --slo-step seconds, or longer in the
 * open loop for enough calls beyond the percentile: rb_slo_step_s) of e's
 * scenario at rate_cps (0: closed loop) into s, whose one round is r. The
 * caller frees r->tl and s->all. */
static void short_round(step_ctx *c, double rate_cps, rb_scenario *s, rb_round *r)
{
    *s = (rb_scenario){ .t = c->e->t, .method = c->e->method, .entries = c->e->entries,
                        .concurrency = c->e->concurrency, .nrounds = 1, .rounds = r,
                        .rate_cps = rate_cps, .arrivals = rb_arrivals_name(c->cfg->arrivals) };
    rb_loadgen_spec ls;
    rb_round_spec(c->cfg, s, c->round, &ls);
    ls.calls = 0;
    ls.duration_s = rate_cps > 0 ? rb_slo_step_s(c->cfg->slo_step_s, c->cfg->slo.percentile, rate_cps)
                                 : c->cfg->slo_step_s;
    ls.warmup = c->cfg->warmup < SLO_STEP_WARMUP ? c->cfg->warmup : SLO_STEP_WARMUP;
    rb_round_measure(&ls, s, 0, c->position, c->sp);
}

/* One short open-loop step at rate_cps. */
static int measure(void *p, double rate_cps, rb_slo_point *out)
{
    step_ctx *c = p;
    if (rb_run_interrupted)
        return RB_EINTR;
    rb_round r;
    rb_scenario s;
    short_round(c, rate_cps, &s, &r);
    point_of(&r, percentile_of(&s, 0, c->cfg->slo.percentile), c->cfg->slo.percentile, out);
    free(r.tl);
    rb_samples_free(&s.all);
    return rb_run_interrupted ? RB_EINTR : RB_OK;
}

/* The full-length confirming run at rate_cps, kept in e->confirm: the last
 * one made (a miss is measured again, rb_slo_search; the round keeps the
 * last run's samples and timeline, the search the median of the tries). */
static int confirm(void *p, double rate_cps, rb_slo_point *out)
{
    step_ctx *c = p;
    if (rb_run_interrupted)
        return RB_EINTR;
    rb_scenario *s = &c->e->confirm;
    /* a confirming run after one that missed replaces it: its samples and
     * its timeline go */
    if (!c->confirmed_once) {
        c->confirmed_once = 1;
        c->confirm_from = s->all.n;
    } else {
        s->all.n = c->confirm_from;
        free(s->rounds[c->round].tl);
        s->rounds[c->round].tl = NULL;
    }
    size_t from = s->all.n;
    s->rate_cps = rate_cps;
    rb_loadgen_spec ls;
    rb_round_spec(c->cfg, s, c->round, &ls);
    rb_round_measure(&ls, s, c->round, c->position, c->sp);
    point_of(&s->rounds[c->round], percentile_of(s, from, c->cfg->slo.percentile),
             c->cfg->slo.percentile, out);
    return rb_run_interrupted ? RB_EINTR : RB_OK;
}

/* A short closed-loop run: the rate at which the stack saturates. */
static double closed_estimate(step_ctx *c)
{
    rb_round r;
    rb_scenario s;
    short_round(c, 0, &s, &r);
    free(r.tl);
    rb_samples_free(&s.all);
    return r.throughput_cps > 0 ? r.throughput_cps : 100;
}

/* The load curve (last round only: it costs RB_SLO_SWEEP_POINTS steps): a
 * geometric sweep from knee / 2^(RB_SLO_SWEEP_POINTS - 2) up to the knee
 * and one step past it (x sqrt 2), each a step as long as the search's. */
static void sweep(step_ctx *c, double knee_cps)
{
    rb_slo_entry *e = c->e;
    e->nsweep = 0;
    for (int k = 0; k < RB_SLO_SWEEP_POINTS && !rb_run_interrupted; k++) {
        int below = RB_SLO_SWEEP_POINTS - 2 - k;   /* ..., 2, 1, 0, then -1 */
        double rate = below >= 0 ? knee_cps / (double)(1 << below) : knee_cps * M_SQRT2;
        if (rate < 1)
            continue;
        rb_slo_point *pt = &e->sweep[e->nsweep];
        memset(pt, 0, sizeof *pt);
        pt->value_us = pt->gen_lag_p99_us = NAN;
        pt->rate_cps = rate;
        if (measure(c, rate, pt) != RB_OK)
            break;
        pt->tries = 1;
        pt->pass = rb_slo_passes(pt, c->cfg->slo.bound_us);
        pt->held = pt->pass;
        e->nsweep++;
    }
}

void rb_slo_run_round(const rb_run_cfg *cfg, rb_slo_entry *e, int round, int position,
                      double start_cps, const rb_server_proc *sp)
{
    step_ctx c = { cfg, e, round, position, sp, 0, 0 };
    if (!(start_cps > 0))
        start_cps = closed_estimate(&c);
    e->start_cps[round] = start_cps;
    /* Open loop cannot pass much above the closed-loop saturation rate:
     * the ceiling keeps the growing phase from wasting steps. */
    /* At least 100 calls a step, or its percentile means little. */
    /* Growth 4: from saturation down to a rate within a tight bound in
     * fewer steps; the bisection then costs one step more than with 2. */
    rb_slo_params p = { .bound_us = cfg->slo.bound_us, .start_cps = start_cps, .growth = 4,
                        .max_cps = 4 * start_cps, .min_cps = fmax(1, 100 / cfg->slo_step_s) };
    if (p.max_cps < p.min_cps)
        p.max_cps = p.min_cps;
    rb_slo_search(&p, measure, confirm, &c, &e->res[round]);
    e->searched[round] = !rb_run_interrupted;
    if (round == e->nrounds - 1)
        sweep(&c, e->res[round].max_rate_cps > 0 ? e->res[round].max_rate_cps : start_cps);
}

/* ---- results.json and the terminal ------------------------------------------ */

/* Median, lowest and highest (*m, *lo, *hi) of the searched rounds'
 * v(e, r); NAN when none. */
static void over(const rb_slo_entry *e, double (*v)(const rb_slo_entry *, int), double *m,
                 double *lo, double *hi)
{
    double x[e->nrounds > 0 ? e->nrounds : 1];
    size_t n = 0;
    for (int r = 0; r < e->nrounds; r++)
        if (e->searched[r] && isfinite(v(e, r)))
            x[n++] = v(e, r);
    *m = *lo = *hi = NAN;
    if (!n)
        return;
    *m = rb_median(x, n);
    *lo = x[0];
    *hi = x[n - 1];
}

static double v_max(const rb_slo_entry *e, int r)
{
    return e->res[r].max_rate_cps;
}

static double v_start(const rb_slo_entry *e, int r)
{
    return e->start_cps[r];
}

static double v_confirm(const rb_slo_entry *e, int r)
{
    return e->res[r].has_confirm ? e->res[r].confirm.value_us : NAN;
}

/* What the searched rounds of e add up to. */
typedef struct slo_counts {
    int confirmed, confirm_runs, capped, ceiling, floor_;
} slo_counts;

static slo_counts counts_of(const rb_slo_entry *e)
{
    slo_counts c = { 0 };
    for (int r = 0; r < e->nrounds; r++) {
        if (!e->searched[r])
            continue;
        const rb_slo_result *res = &e->res[r];
        c.confirmed += res->has_confirm && res->confirm.pass;
        c.confirm_runs += res->has_confirm;
        c.capped |= res->capped;
        c.ceiling |= res->ceiling;
        c.floor_ |= res->floor;
    }
    return c;
}

/* The model's record of one step (of a search or of the sweep). */
static void step_record(const rb_slo_point *p, double bound_us, rb_slo_step *q)
{
    int n = p->lat.n > 0;
    *q = (rb_slo_step){ .rate_cps = p->rate_cps, .achieved_cps = p->achieved_cps,
                        .value_us = p->value_us, .p50_us = n ? p->lat.p50 : NAN,
                        .p99_us = n ? p->lat.p99 : NAN, .p99_9_us = n ? p->lat.p99_9 : NAN,
                        .failures = (long long)p->failures, .pass = p->pass,
                        .gen_lag_p99_us = p->gen_lag_p99_us,
                        .tail_samples = (long long)p->tail_samples, .tries = p->tries,
                        .held = p->held,
                        .generator_limited = rb_slo_generator_limited(p, bound_us) };
}

/* The model's record of round r of e (its steps malloc'd), steps judged
 * against bound_us. RB_OK or RB_ENOMEM. */
static int round_record(const rb_slo_entry *e, int r, double bound_us, rb_slo_round *q)
{
    const rb_slo_result *res = &e->res[r];
    *q = (rb_slo_round){ .round = r, .start_cps = e->start_cps[r],
                         .max_rate_cps = res->max_rate_cps, .searched_cps = res->searched_cps,
                         .fail_rate_cps = res->fail_rate_cps > 0 ? res->fail_rate_cps : NAN,
                         .confirm_tries = res->confirm_runs, .capped = res->capped,
                         .ceiling = res->ceiling, .floor = res->floor,
                         .has_confirm = res->has_confirm };
    q->steps = calloc(res->nsteps > 0 ? (size_t)res->nsteps : 1, sizeof *q->steps);
    if (!q->steps)
        return RB_ENOMEM;
    q->nsteps = res->nsteps > 0 ? (size_t)res->nsteps : 0;
    for (size_t k = 0; k < q->nsteps; k++)
        step_record(&res->steps[k], bound_us, &q->steps[k]);
    if (res->has_confirm) {
        q->confirm = e->confirm.rounds[r];   /* its timeline borrowed from e */
        q->confirm_value_us = res->confirm.value_us;
        q->confirm_pass = res->confirm.pass;
        q->confirm_failures = (long long)res->confirm.failures;
    }
    return RB_OK;
}

/* The confirming runs of e summarised over rounds, into s. */
static void confirm_record(const rb_slo_entry *e, rb_slo_rec *s)
{
    double lo, hi;
    for (int r = 0; r < e->nrounds; r++)
        if (e->confirm.rounds[r].ran) {
            s->confirm_calls += (long long)e->confirm.rounds[r].calls;
            for (int k = 0; k < RB_FAIL__COUNT; k++)
                s->confirm_failures += (long long)e->confirm.rounds[r].failures[k];
        }
    s->confirm_target_cps = rb_round_median(&e->confirm, FIELD(target_cps), NULL);
    s->confirm_achieved_cps = rb_round_median(&e->confirm, FIELD(achieved_cps), NULL);
    s->confirm_lat = rb_round_latency_median(&e->confirm, FIELD(lat));
    s->confirm_svc = rb_round_latency_median(&e->confirm, FIELD(svc));
    s->confirm_lag = rb_round_latency_median(&e->confirm, FIELD(lag));
    s->confirm_svc_p99 = s->confirm_svc.p99;
    over(e, v_confirm, &s->confirm_value_us, &lo, &hi);
}

/* The model's record of entry e. RB_OK or RB_ENOMEM (s holds what was
 * allocated). */
static int entry_record(const rb_run_cfg *cfg, const rb_slo_entry *e, rb_slo_rec *s)
{
    slo_counts c = counts_of(e);
    snprintf(s->transport, sizeof s->transport, "%s", e->t->name);
    snprintf(s->method, sizeof s->method, "%s", rb_method_name(e->method));
    s->entries = e->entries;
    s->concurrency = e->concurrency;
    snprintf(s->percentile, sizeof s->percentile, "%s", cfg->slo.label);
    s->percentile_value = cfg->slo.percentile;
    s->bound_us = cfg->slo.bound_us;
    s->confirm_runs = c.confirm_runs;
    s->confirmed_rounds = c.confirmed;
    over(e, v_max, &s->max_rate.median, &s->max_rate.lo, &s->max_rate.hi);
    over(e, v_start, &s->start.median, &s->start.lo, &s->start.hi);
    s->capped = c.capped;
    s->ceiling = c.ceiling;
    s->floor = c.floor_;
    confirm_record(e, s);
    s->per_round = calloc(e->nrounds > 0 ? (size_t)e->nrounds : 1, sizeof *s->per_round);
    if (!s->per_round)
        return RB_ENOMEM;
    for (int r = 0; r < e->nrounds; r++)
        if (e->searched[r] && round_record(e, r, cfg->slo.bound_us, &s->per_round[s->nrounds++]) != RB_OK)
            return RB_ENOMEM;
    s->sweep = calloc(e->nsweep > 0 ? (size_t)e->nsweep : 1, sizeof *s->sweep);
    if (!s->sweep)
        return RB_ENOMEM;
    s->nsweep = (size_t)e->nsweep;
    for (size_t k = 0; k < s->nsweep; k++)
        step_record(&e->sweep[k], cfg->slo.bound_us, &s->sweep[k]);
    return RB_OK;
}

int rb_slo_records(const rb_run_cfg *cfg, const rb_slo_entry *e, size_t n, rb_slo_rec **out)
{
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out)
        return RB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (entry_record(cfg, &e[i], &(*out)[i]) != RB_OK) {
            rb_slo_records_free(*out, n);
            *out = NULL;
            return RB_ENOMEM;
        }
    return RB_OK;
}

void rb_slo_records_free(rb_slo_rec *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        for (size_t r = 0; s[i].per_round && r < s[i].nrounds; r++)
            free(s[i].per_round[r].steps);
        free(s[i].per_round);
        free(s[i].sweep);
    }
    free(s);
}

void rb_slo_print_table(FILE *f, const rb_run_cfg *cfg, const rb_slo_entry *e, size_t n)
{
    if (!n)
        return;
    fprintf(f, "\nSLO %s <= %.0f us: the highest offered calls/s with zero failed calls "
               "(median over rounds, lowest-highest), confirmed by a full-length run\n",
            cfg->slo.label, cfg->slo.bound_us);
    char vcol[32];
    snprintf(vcol, sizeof vcol, "confirm_%s_us", cfg->slo.label);
    fprintf(f, "%-13s %-7s %7s %4s %12s %19s %9s %15s %14s\n", "transport", "method", "entries",
            "conn", "max calls/s", "lo-hi", "confirmed", vcol, "closed calls/s");
    for (size_t i = 0; i < n; i++) {
        slo_counts c = counts_of(&e[i]);
        double med, lo, hi, start, val, x, y;
        over(&e[i], v_max, &med, &lo, &hi);
        over(&e[i], v_start, &start, &x, &y);
        over(&e[i], v_confirm, &val, &x, &y);
        double *zero[] = { &med, &lo, &hi, &start };   /* none: 0, as before */
        for (size_t k = 0; k < sizeof zero / sizeof zero[0]; k++)
            *zero[k] = isnan(*zero[k]) ? 0 : *zero[k];
        char ent[24] = "-", spread[48], vs[32] = "-";
        if (e[i].entries >= 0)
            snprintf(ent, sizeof ent, "%ld", e[i].entries);
        snprintf(spread, sizeof spread, "%.0f-%.0f%s", lo, hi, c.ceiling ? "+" : "");
        if (isfinite(val))
            snprintf(vs, sizeof vs, "%.1f", val);
        fprintf(f, "%-13s %-7s %7s %4d %12.0f %19s %5d/%-3d %15s %14.0f%s\n", e[i].t->name,
                rb_method_name(e[i].method), ent, e[i].concurrency, med, spread, c.confirmed,
                c.confirm_runs, vs, start, c.capped ? "  (step cap: lower bound)" : "");
    }
}
