/* slo_run.c - the SLO search against the run's servers (see slo_run.h). */
#include "run/slo_run.h"
#include "run/round.h"
#include "results/json_out.h"
#include "results/openloop.h"
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
                                            .arrivals = cfg->arrivals, .server_max_rss_kb = -1 };
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
                        .rate_cps = rate_cps, .arrivals = c->cfg->arrivals };
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

/* The full-length confirming run at rate_cps, kept in e->confirm. */
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

static json_t *step_json(const rb_slo_point *p, double bound_us)
{
    int n = p->lat.n > 0;
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:b,s:i,s:i,s:o,s:I,s:b}",
                     "rate_cps", rb_json_num(p->rate_cps),
                     "achieved_cps", rb_json_num(p->achieved_cps), "value_us", rb_json_num(p->value_us),
                     "p50_us", rb_json_num(n ? p->lat.p50 : NAN), "p99_us", rb_json_num(n ? p->lat.p99 : NAN),
                     "p99_9_us", rb_json_num(n ? p->lat.p99_9 : NAN), "failures", (json_int_t)p->failures,
                     "pass", p->pass, "tries", p->tries, "held", p->held,
                     "generator_lag_p99_us", rb_json_num(p->gen_lag_p99_us),
                     "tail_samples", (json_int_t)p->tail_samples,
                     "generator_limited", rb_slo_generator_limited(p, bound_us));
}

static json_t *confirm_round_json(const rb_slo_entry *e, int r)
{
    const rb_slo_result *res = &e->res[r];
    if (!res->has_confirm)
        return json_null();
    json_t *o = json_object();
    rb_openloop_round_json(o, &e->confirm.rounds[r], 1);
    json_object_set_new(o, "calls", json_integer((json_int_t)e->confirm.rounds[r].calls));
    json_object_set_new(o, "failures", json_integer((json_int_t)res->confirm.failures));
    json_object_set_new(o, "latency_us", rb_latency_json(&e->confirm.rounds[r].lat,
                                                        e->confirm.rounds[r].lat.n == 0));
    json_object_set_new(o, "duration_s", rb_json_num(e->confirm.rounds[r].duration_s));
    json_object_set_new(o, "value_us", rb_json_num(res->confirm.value_us));
    json_object_set_new(o, "pass", json_boolean(res->confirm.pass));
    return o;
}

static json_t *round_json(const rb_run_cfg *cfg, const rb_slo_entry *e, int r)
{
    const rb_slo_result *res = &e->res[r];
    json_t *steps = json_array();
    int remeasured = 0, held = 0;
    for (int k = 0; k < res->nsteps; k++) {
        json_array_append_new(steps, step_json(&res->steps[k], cfg->slo.bound_us));
        remeasured += res->steps[k].tries > 1;
        held += res->steps[k].tries > 1 && res->steps[k].pass;
    }
    return json_pack("{s:i,s:i,s:i,s:o,s:o,s:o,s:i,s:o,s:b,s:b,s:b,s:o,s:o}", "round", r,
                     "remeasured_steps", remeasured, "remeasured_held", held,
                     "start_cps", rb_json_num(e->start_cps[r]), "max_rate_cps", rb_json_num(res->max_rate_cps),
                     "searched_cps", rb_json_num(res->searched_cps), "confirm_tries", res->confirm_runs,
                     "fail_rate_cps", res->fail_rate_cps > 0 ? rb_json_num(res->fail_rate_cps) : json_null(),
                     "capped", res->capped, "ceiling", res->ceiling, "floor", res->floor,
                     "steps", steps, "confirm", confirm_round_json(e, r));
}

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

static json_t *over_rounds(const rb_slo_entry *e, double (*v)(const rb_slo_entry *, int))
{
    double m, lo, hi;
    over(e, v, &m, &lo, &hi);
    return json_pack("{s:o,s:o,s:o}", "median", rb_json_num(m), "lo", rb_json_num(lo),
                     "hi", rb_json_num(hi));
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

/* The confirming runs summarised over rounds. */
static json_t *confirm_json(const rb_slo_entry *e)
{
    uint64_t calls = 0, fails = 0;
    for (int r = 0; r < e->nrounds; r++)
        if (e->confirm.rounds[r].ran) {
            calls += e->confirm.rounds[r].calls;
            for (int k = 0; k < RB_FAIL__COUNT; k++)
                fails += e->confirm.rounds[r].failures[k];
        }
    json_t *o = json_object();
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}",
        "target", rb_json_num(rb_round_median(&e->confirm, FIELD(target_cps), NULL)),
        "achieved", rb_json_num(rb_round_median(&e->confirm, FIELD(achieved_cps), NULL))));
    json_object_set_new(o, "latency_us", rb_openloop_latency_median(&e->confirm, FIELD(lat)));
    json_object_set_new(o, "service_time_us", rb_openloop_latency_median(&e->confirm, FIELD(svc)));
    json_object_set_new(o, "send_lag_us", rb_openloop_latency_median(&e->confirm, FIELD(lag)));
    json_object_set_new(o, "calls", json_integer((json_int_t)calls));
    json_object_set_new(o, "failures", json_integer((json_int_t)fails));
    double med, lo, hi;
    over(e, v_confirm, &med, &lo, &hi);
    json_object_set_new(o, "value_us", rb_json_num(med));
    return o;
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

static json_t *entry_json(const rb_run_cfg *cfg, const rb_slo_entry *e)
{
    slo_counts c = counts_of(e);
    json_t *per = json_array(), *sweep = json_array();
    for (int r = 0; r < e->nrounds; r++)
        if (e->searched[r])
            json_array_append_new(per, round_json(cfg, e, r));
    for (int k = 0; k < e->nsweep; k++)
        json_array_append_new(sweep, step_json(&e->sweep[k], cfg->slo.bound_us));
    return json_pack("{s:s,s:s,s:o,s:i,s:s,s:f,s:f,s:i,s:i,s:i,s:o,s:b,s:b,s:b,s:o,s:o,s:o,s:o}",
        "transport", e->t->name, "method", rb_method_name(e->method),
        "entries", e->entries < 0 ? json_null() : json_integer(e->entries),
        "concurrency", e->concurrency, "percentile", cfg->slo.label,
        "percentile_value", cfg->slo.percentile, "bound_us", cfg->slo.bound_us,
        "rounds", (int)json_array_size(per), "confirm_runs", c.confirm_runs,
        "confirmed_rounds", c.confirmed,
        "max_rate_cps", over_rounds(e, v_max), "capped", c.capped, "ceiling", c.ceiling,
        "floor", c.floor_, "start_cps", over_rounds(e, v_start), "confirm", confirm_json(e),
        "per_round", per, "sweep", sweep);
}

json_t *rb_slo_json(const rb_run_cfg *cfg, const rb_slo_entry *e, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, entry_json(cfg, &e[i]));
    return a;
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
