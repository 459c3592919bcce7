/* under_load.c - report.md's "Under load" section (see under_load.h). */
#include "report/under_load.h"
#include "plots/rate_plots.h"
#include "report/fmt.h"

#include <math.h>
#include <string.h>

/* The closed-loop scenario with the same transport, method, entries and
 * connections as SLO entry e, or NULL. */
static const rb_summary *closed_twin(const rb_results *r, const rb_slo_rec *e)
{
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *s = &r->sc[i];
        if (strcmp(s->t->name, e->transport) == 0 && strcmp(s->method, e->method) == 0 &&
            s->entries == e->entries && (double)s->concurrency == e->concurrency)
            return s;
    }
    return NULL;
}

/* ---- formatting ------------------------------------------------------------ */

static const char *frate(char *b, double v)
{
    if (!isfinite(v))
        snprintf(b, 32, "n/a");
    else
        snprintf(b, 32, "%.0f", v);
    return b;
}

static const char *fentries(char *b, long entries)
{
    if (entries >= 0)
        snprintf(b, 32, "%ld", entries);
    else
        snprintf(b, 32, "–");
    return b;
}

/* " p50 / p99 / p99.9 |" of a latency, µs. */
static void md_lat3(FILE *o, const rb_latency *lat)
{
    char a[32], b[32], c[32];
    fprintf(o, " %s / %s / %s |", rb_fmt_us(a, lat->p50), rb_fmt_us(b, lat->p99),
            rb_fmt_us(c, lat->p99_9));
}

/* ---- the SLO table ------------------------------------------------------------ */

/* Over e's rounds: the search's steps, those measured again after a fail
 * and of them those that held; the highest generator lag p99 of a step
 * (µs; NAN when not recorded). */
static void slo_repeats(const rb_slo_rec *e, int *steps, int *again, int *held, double *lag)
{
    for (size_t j = 0; j < e->nrounds; j++)
        for (size_t k = 0; k < e->per_round[j].nsteps; k++) {
            const rb_slo_step *st = &e->per_round[j].steps[k];
            (*steps)++;
            *again += st->tries > 1;
            *held += st->tries > 1 && st->pass;
            if (isfinite(st->gen_lag_p99_us) && !(st->gen_lag_p99_us <= *lag))
                *lag = st->gen_lag_p99_us;
        }
}

static void md_slo_row(FILE *o, const rb_results *r, const rb_slo_rec *e)
{
    char a[32], b[32], c[32], d[32], en[32];
    double med = e->max_rate.median, lo = e->max_rate.lo, hi = e->max_rate.hi;
    fprintf(o, "| %s | %s | %s | %.0f | %s ≤ %s µs | %s", e->transport, e->method,
            fentries(en, e->entries), e->concurrency, e->percentile, rb_fmt_us(a, e->bound_us),
            med > 0 ? frate(b, med) : "none");
    if (med > 0 && isfinite(lo) && isfinite(hi) && lo != hi)
        fprintf(o, " (%s–%s)", frate(c, lo), frate(d, hi));
    if (e->ceiling)
        fprintf(o, " or more");
    int steps = 0, again = 0, held = 0;
    double lag = NAN;
    slo_repeats(e, &steps, &again, &held, &lag);
    fprintf(o, " | %lld/%lld | %d/%d/%d | %s |", e->confirmed_rounds, e->confirm_runs, steps,
            again, held, rb_fmt_us(c, lag));
    md_lat3(o, &e->confirm_lat);
    fprintf(o, " %s |", rb_fmt_us(d, e->confirm_svc_p99));
    const rb_summary *cl = closed_twin(r, e);
    fprintf(o, " %s | %s |\n", frate(a, cl ? cl->throughput_cps : NAN),
            rb_fmt_us(b, cl ? cl->lat.p99 : NAN));
}

/* Whether SLO entry e has the flag ("unconfirmed": a confirming run that
 * missed). */
static int slo_has(const rb_slo_rec *e, const char *flag)
{
    if (strcmp(flag, "unconfirmed") == 0)
        return e->confirmed_rounds < e->confirm_runs;
    if (strcmp(flag, "generator") == 0) {
        for (size_t j = 0; j < e->nrounds; j++)
            for (size_t k = 0; k < e->per_round[j].nsteps; k++)
                if (!e->per_round[j].steps[k].pass && e->per_round[j].steps[k].generator_limited)
                    return 1;
        return 0;
    }
    return strcmp(flag, "capped") == 0 ? e->capped : e->floor;
}

/* One sentence naming the SLO entries with a flag, or nothing when none
 * has it. */
static void md_slo_note(FILE *o, const rb_results *r, const char *flag, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nslo; i++) {
        const rb_slo_rec *e = &r->slo[i];
        if (!slo_has(e, flag))
            continue;
        fprintf(o, "%s%s %s", n ? ", " : "", e->transport, e->method);
        if (e->entries >= 0)
            fprintf(o, " (%ld entries)", e->entries);
        n++;
    }
    if (n)
        fprintf(o, ": %s.\n\n", text);
}

static void md_slo(FILE *o, const rb_results *r)
{
    if (!r->nslo)
        return;
    fprintf(o, "### Highest rate within the SLO\n\n"
               "The highest offered rate (calls/s, Poisson or uniform arrivals as the run says) at "
               "which the percentile of latency counted from the intended send time stayed within "
               "the bound, with no failed call and at least 99 %% of the rate achieved: found by "
               "short open-loop steps that bracket it (from the closed-loop throughput, the rate "
               "divided or multiplied by 4, then bisected to 5 %%%s), then confirmed by a run of "
               "the full duration, stepping down by 20 %% after a miss (3 runs at most): the "
               "rate is the one a full run held, in every round. Median over rounds "
               "(lowest–highest). Beside it, the same stack in closed loop with as many "
               "connections: its throughput is the rate at which it saturates, and its p99 "
               "the latency at saturation without coordinated-omission correction.\n\n",
            r->schema >= 3 ? "; a step that fails, and a confirming run that misses, is measured "
                             "again and the majority of 3 decides, so one noisy step cannot cap "
                             "the search; a step lasts long enough for 100 calls beyond the "
                             "percentile, 2 s at most" : "");
    fprintf(o, "| transport | method | entries | connections | SLO | max calls/s | confirming runs passed | "
               "steps / measured again / held | generator lag p99 µs (worst step) | "
               "confirming run p50 / p99 / p99.9 µs | its service time p99 µs | closed-loop calls/s | "
               "closed-loop p99 µs |\n|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < r->nslo; i++)
        md_slo_row(o, r, &r->slo[i]);
    fprintf(o, "\n");
    md_slo_note(o, r, "capped", "the search hit its step cap before 5 % precision in some "
                "round (the rate found there is a lower bound)");
    md_slo_note(o, r, "generator", "a step failed while the generator's own lag p99 was over "
                "10 % of the bound: there the generator, not the stack, was the limit, and the "
                "rate found is a lower bound (give the generator a CPU of its own: --pin)");
    md_slo_note(o, r, "floor", "in some round no rate down to the lowest step tried met the "
                "SLO (that round counts 0)");
    md_slo_note(o, r, "unconfirmed", "in some round no full-length run held the SLO, even "
                "stepped down twice by 20 %: that round's rate is the short steps' and unconfirmed "
                "(the machine was busier, or the stack's tail is longer than the steps show); "
                "trust the lower end of the spread");
}

/* ---- corrected against uncorrected ------------------------------------------ */

static void md_open_row(FILE *o, const rb_scen_rec *s)
{
    char a[32], b[32], en[32];
    fprintf(o, "| %s | %s | %s | %.0f | %s | %s | %s |", s->sum.t->name, s->sum.method,
            fentries(en, s->sum.entries), (double)s->sum.concurrency, s->arrivals,
            frate(a, s->target_cps), frate(b, s->achieved_cps));
    md_lat3(o, &s->sum.lat);
    md_lat3(o, &s->svc);
    fprintf(o, " %s |", rb_fmt_us(a, s->lag.p99));
    fprintf(o, " %s / %s |", rb_fmt_us(a, s->gen_lag.p50), rb_fmt_us(b, s->gen_lag.p99));
    if (!s->nflags)
        fprintf(o, " kept |\n");
    for (size_t i = 0; i < s->nflags; i++)
        fprintf(o, "%s**%s**%s", i ? ", " : " ", s->schedule_flags[i],
                i + 1 == s->nflags ? " |\n" : "");
}

static void md_open(FILE *o, const rb_results *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nall; i++)
        n += r->all[i].open;
    if (!n)
        return;
    fprintf(o, "### Open loop: corrected against uncorrected latency\n\n"
               "*Latency* (corrected) counts from the moment the schedule said the call was due: "
               "what a caller arriving at that rate waits, including time queued behind earlier "
               "calls of its connection. *Service time* (uncorrected) counts from the moment the "
               "call was actually sent, as closed loop and wrk's uncorrected figures do: the "
               "difference is the queueing that closed loop hides (coordinated omission). "
               "A call waits behind earlier calls of its connection as if every call had been "
               "sent on time (the queueing is the stack's), so the generator's own lateness "
               "moves no latency: *generator lag* is that lateness on its own (a call sent "
               "later than both its due time and its connection's previous reply), measured "
               "per call; read it as the precision of the arrival schedule the server saw. "
               "*Send lag* is how late calls were sent, queueing included. A run is flagged when it achieved less "
               "than 99 %% of its target rate (`rate_short`) or its send lag kept growing "
               "(`lag_grows`): the generator or the server could not keep the schedule, so its "
               "latency belongs to a lower rate.\n\n");
    fprintf(o, "| transport | method | entries | connections | arrivals | target calls/s | "
               "achieved | latency p50 / p99 / p99.9 µs | service time p50 / p99 / p99.9 µs | "
               "send lag p99 µs | generator lag p50 / p99 µs | schedule |\n"
               "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < r->nall; i++)
        if (r->all[i].open)
            md_open_row(o, &r->all[i]);
    fprintf(o, "\n");
}

/* ---- the section --------------------------------------------------------------- */

void rb_report_under_load(FILE *md, const rb_results *r, const rb_plots *ps)
{
    if (!rb_results_has_under_load(r))
        return;
    fprintf(md, "## Under load\n\n");
    md_slo(md, r);
    md_open(md, r);
    size_t n = rb_plot_count(ps, RB_SCRIPT_LOAD);
    if (n)
        fprintf(md, "### Over time and against rate\n\n");
    for (size_t k = 0; k < ps->n; k++) {
        const rb_plot *p = &ps->p[k];
        if (p->script == RB_SCRIPT_LOAD && p->ok)
            fprintf(md, "![%s](plots/%s.svg)\n\n%s ([SVG](plots/%s.svg), [PNG](plots/%s.png))\n\n",
                    p->title, p->name, p->title, p->name, p->name);
    }
    if (ps->load_note[0])
        fprintf(md, "Note: %s.\n\n", ps->load_note);
    if (n)
        fprintf(md, "Timelines count each call in the 100 ms interval in which it completed "
                    "(offered: in which it was due), as calls/s; p99 is per interval, on a log "
                    "axis; red bars are failed calls. The data and the script are in plots/ "
                    "(`gnuplot load.gp`).\n\n");
}
