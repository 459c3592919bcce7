/* rate_plots.c - the "Under load" charts (rate_plots.h): latency against
 * offered rate, and rate and p99 over time. One script, plots/load.gp,
 * draws them all; each chart goes through rb_chart like plots.gp's. */
#include "plots/rate_plots.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"

#define MAXSER 64          /* lines (transport x connections) per curve plot */
#define MAXPTS 512         /* points per line */
#define MAXPANELS 12       /* timeline panels per plot */

int rb_results_has_under_load(const rb_results *r)
{
    if (r->nslo)
        return 1;
    for (size_t i = 0; i < r->nall; i++)
        if (r->all[i].open || (r->all[i].nrounds && r->all[i].rounds[0].ntl))
            return 1;
    return 0;
}

/* ---- latency against offered rate -------------------------------------------- */

typedef struct pt {
    double rate, p50, p99, p99_9, achieved;   /* offered calls/s, µs, achieved calls/s */
} pt;

typedef struct series {
    char name[80];             /* "T", "T c=4", "T (SLO search steps)" for transport T */
    char transport[32];
    double conc;
    int steps;                 /* 1: SLO search steps (points), 0: a line */
    const char *color;         /* "#rrggbb": the transport's colour in every plot */
    double knee_cps, knee_p99; /* the SLO answer and its p99 (confirming run); NAN: none */
    pt p[MAXPTS];
    size_t n;
} series;

static series *series_for(series *v, size_t *nv, const char *t, double conc, int steps)
{
    for (size_t i = 0; i < *nv; i++)
        if (!strcmp(v[i].transport, t) && v[i].conc == conc && v[i].steps == steps)
            return &v[i];
    if (*nv == MAXSER || !rb_name_plain(t))
        return NULL;
    series *s = &v[(*nv)++];
    memset(s, 0, sizeof *s);
    snprintf(s->transport, sizeof s->transport, "%s", t);
    s->conc = conc;
    s->steps = steps;
    s->knee_cps = s->knee_p99 = NAN;
    return s;
}

static void add_pt(series *s, double rate, double p50, double p99, double p99_9, double achieved)
{
    if (s && s->n < MAXPTS && rate > 0 && (isfinite(p50) || isfinite(p99)))
        s->p[s->n++] = (pt){ rate, p50, p99, p99_9, achieved };
}

static int cmp_pt(const void *a, const void *b)
{
    double x = ((const pt *)a)->rate, y = ((const pt *)b)->rate;
    return x < y ? -1 : x > y;
}

/* Names and colours: the transport's colour of the other plots,
 * connections named when a transport has several. */
static void name_series(series *v, size_t nv, const rb_shape *sh)
{
    int multi_conc = 0;
    for (size_t i = 0; i < nv; i++) {
        qsort(v[i].p, v[i].n, sizeof v[i].p[0], cmp_pt);
        v[i].color = rb_plot_colour(sh, v[i].transport);
        for (size_t j = 0; j < nv; j++)
            multi_conc |= !strcmp(v[i].transport, v[j].transport) && v[i].conc != v[j].conc;
    }
    for (size_t i = 0; i < nv; i++) {
        char c[24] = "";
        if (multi_conc)
            snprintf(c, sizeof c, " c=%.0f", v[i].conc);
        snprintf(v[i].name, sizeof v[i].name, "%s%s%s", v[i].transport, c,
                 v[i].steps ? " (SLO search steps)" : "");
    }
}

/* An SLO entry's points: its load-curve sweep as a line with the knee (the
 * SLO answer) marked; a run from before the sweep existed shows the
 * search's steps as points instead. */
static void add_slo(series *v, size_t *nv, const rb_slo_rec *e)
{
    series *se = series_for(v, nv, e->transport, e->concurrency, e->nsweep == 0);
    if (!se)
        return;
    for (size_t k = 0; k < e->nsweep; k++)
        add_pt(se, e->sweep[k].rate_cps, e->sweep[k].p50_us, e->sweep[k].p99_us,
               e->sweep[k].p99_9_us, e->sweep[k].achieved_cps);
    for (size_t j = 0; e->nsweep == 0 && j < e->nrounds; j++)
        for (size_t k = 0; k < e->per_round[j].nsteps; k++) {
            const rb_slo_step *st = &e->per_round[j].steps[k];
            add_pt(se, st->rate_cps, st->p50_us, st->p99_us, st->p99_9_us, st->achieved_cps);
        }
    if (e->max_rate.median > 0 && strcmp(e->percentile, "p99") == 0) {
        se->knee_cps = e->max_rate.median;
        se->knee_p99 = e->confirm_lat.p99;
    }
}

/* The curve points of one method: --rate scenarios and SLO entries. */
static size_t collect_curves(const rb_results *r, const rb_shape *sh, const char *me, series *v)
{
    size_t nv = 0;
    for (size_t i = 0; i < r->nall; i++) {
        const rb_scen_rec *s = &r->all[i];
        if (s->open && strcmp(s->sum.method, me) == 0)
            add_pt(series_for(v, &nv, s->sum.t->name, (double)s->sum.concurrency, 0),
                   s->target_cps, s->sum.lat.p50, s->sum.lat.p99, s->sum.lat.p99_9,
                   s->achieved_cps);
    }
    for (size_t i = 0; i < r->nslo; i++)
        if (strcmp(r->slo[i].method, me) == 0)
            add_slo(v, &nv, &r->slo[i]);
    name_series(v, nv, sh);
    return nv;
}

/* Five panels in a 2 x 3 layout — p50, p99 (the SLO bound dashed, each
 * transport's knee a triangle), p99.9, achieved / offered, and the legend —
 * one line per transport in its colour. */
static void curve_body(FILE *gp, const char *dat, const series *v, size_t nv, double bound_us)
{
    static const char *const col[] = { "p50", "p99", "p99.9" };
    fprintf(gp, "set multiplot layout 2,3\nset logscale xy\nset grid\nunset key\n"
                "set xlabel 'offered calls/s'\n");
    for (int c = 0; c < 4; c++) {
        if (c < 3)
            fprintf(gp, "set title '%s latency (from intended send time)'\nset ylabel '%s µs'\n",
                    col[c], col[c]);
        else
            fprintf(gp, "unset logscale y\nset yrange [0:1.1]\nset title 'achieved / offered "
                        "(1: the rate was kept)'\nset ylabel 'achieved / offered'\n");
        if (c == 1 && isfinite(bound_us))
            fprintf(gp, "set arrow 1 from graph 0, first %g to graph 1, first %g nohead dt 2 "
                        "lw 2 lc rgb 'red'\n", bound_us, bound_us);
        else
            fprintf(gp, "unset arrow 1\n");
        fprintf(gp, "plot ");
        for (size_t i = 0; i < nv; i++) {
            const char *how = v[i].steps ? "points pt 6 ps 0.8" : "linespoints pt 7 ps 0.6 lw 1.5";
            if (c < 3)
                fprintf(gp, "%s'%s' index %zu using 1:%d with %s lc rgb '%s' notitle", i ? ", " : "",
                        dat, i, c + 2, how, v[i].color);
            else
                fprintf(gp, "%s'%s' index %zu using 1:($5/$1) with %s lc rgb '%s' notitle",
                        i ? ", " : "", dat, i, how, v[i].color);
            if (c == 1 && isfinite(v[i].knee_cps) && isfinite(v[i].knee_p99))
                fprintf(gp, ", '+' using (%g):(%g) every ::0::0 with points pt 9 ps 2.2 lc rgb '%s' "
                            "notitle", v[i].knee_cps, v[i].knee_p99, v[i].color);
        }
        fprintf(gp, "\n");
    }
    fprintf(gp, "unset arrow 1\nunset logscale\nunset border\nunset tics\nunset grid\n"
                "unset xlabel\nunset ylabel\nset title '%s'\nset key center center box\n"
                "set xrange [0:1]\nset yrange [0:1]\nplot ",
            isfinite(bound_us) ? "dashed red: the SLO bound; triangle: the knee (the highest "
                                 "rate that held)" : "");
    for (size_t i = 0; i < nv; i++)
        fprintf(gp, "%sNaN with %s lc rgb '%s' title '%s'", i ? ", " : "",
                v[i].steps ? "points pt 6 ps 0.8" : "linespoints pt 7", v[i].color, v[i].name);
    fprintf(gp, "\nunset multiplot\nunset xrange\nunset yrange\n");
}

static double slo_bound(const rb_results *r, const char *me)
{
    for (size_t i = 0; i < r->nslo; i++)
        if (strcmp(r->slo[i].method, me) == 0 && strcmp(r->slo[i].percentile, "p99") == 0)
            return r->slo[i].bound_us;
    return NAN;
}

static int curve_dat(const char *pdir, const char *name, const series *v, size_t n)
{
    FILE *d = rb_plot_dat(pdir, name);
    if (!d)
        return RB_EIO;
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "# %s: offered_cps p50_us p99_us p99_9_us achieved_cps\n", v[i].name);
        for (size_t k = 0; k < v[i].n; k++) {
            fprintf(d, "%.1f", v[i].p[k].rate);
            rb_dat_fixed(d, v[i].p[k].p50);
            rb_dat_fixed(d, v[i].p[k].p99);
            rb_dat_fixed(d, v[i].p[k].p99_9);
            rb_dat_fixed(d, v[i].p[k].achieved);
            fputc('\n', d);
        }
        fputs("\n\n", d);
    }
    return fclose(d) ? RB_EIO : RB_OK;
}

static int plot_curve(const char *pdir, FILE *gp, const rb_results *r, const rb_shape *sh,
                      const char *me, rb_plots *ps)
{
    series *v = calloc(MAXSER, sizeof *v);
    if (!v)
        return RB_ENOMEM;
    size_t nv = collect_curves(r, sh, me, v), keep = 0;
    for (size_t i = 0; i < nv; i++)
        if (v[i].n >= 2)
            v[keep++] = v[i];
    int rc = RB_OK;
    char name[96], dat[112], title[200];
    rb_chart c;
    snprintf(name, sizeof name, "load-curve-%s", me);
    snprintf(dat, sizeof dat, "%s.dat", name);
    snprintf(title, sizeof title, "%s: p50, p99 and p99.9 latency and the achieved rate against "
             "the offered rate, one line per transport (log axes)", me);
    if (keep && ps->n < RB_MAXPLOTS) {
        rc = curve_dat(pdir, name, v, keep);
        if (rc == RB_OK && !rb_chart_begin(&c, name, 1500, 900))
            rc = RB_ENOMEM;
        if (rc == RB_OK) {
            curve_body(c.f, dat, v, keep, slo_bound(r, me));
            rc = rb_chart_end(gp, &c);
            rb_plot_add(ps, title, name, RB_SCRIPT_LOAD);
        }
    }
    free(v);
    return rc;
}

/* ---- latency over time -------------------------------------------------------- */

typedef struct panel {
    char title[128];
    const rb_tl_point *tl;     /* the timeline */
    size_t ntl;
    int open;                  /* its points carry "offered" */
    double window_s;           /* the measured window's length, NAN if unknown */
} panel;

static void tl_body(FILE *gp, const char *dat, const panel *p, size_t n)
{
    fprintf(gp, "set multiplot layout %zu,1\nset grid\nset key outside right top\n"
                "set ylabel 'calls/s'\nset y2label 'p99 µs'\nset logscale y2\n"
                "set ytics nomirror\nset y2tics\nset yrange [0:*]\n", n);
    for (size_t i = 0; i < n; i++) {
        const panel *q = &p[i];
        int offered = 0, failed = 0;
        for (size_t k = 0; k < q->ntl; k++) {
            offered |= q->tl[k].offered > 0;
            failed |= q->tl[k].failures > 0;
        }
        fprintf(gp, "set title '%s'\nset xlabel '%s'\n", q->title,
                i + 1 == n ? "seconds into the measured window (dashed line: its end)" : "");
        if (isfinite(q->window_s))
            fprintf(gp, "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead dt 3 "
                        "lc rgb '#555555'\n", q->window_s, q->window_s);
        else
            fprintf(gp, "unset arrow 1\n");
        fprintf(gp, "plot '%s' index %zu using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', "
                    "'' index %zu using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 "
                    "lc rgb '#ff7f0e' title 'p99'", dat, i, i);
        if (offered)
            fprintf(gp, ", '' index %zu using 1:3 with steps lw 3 dt 2 lc rgb '#888888' "
                        "title 'offered'", i);
        if (failed)
            fprintf(gp, ", '' index %zu using 6:($4>0?$4:1/0) with impulses lw 3 lc rgb 'red' "
                        "title 'failed/s'", i);
        fprintf(gp, "\n");
    }
    fprintf(gp, "unset multiplot\n");
}

/* One timeline as data: t_start_s achieved_cps offered_cps failed_per_s
 * p99_us t_mid_s, and a closing row at the end of the last interval so
 * that steps cover it too. */
static void dat_timeline(FILE *d, const panel *q)
{
    const rb_tl_point *tl = q->tl;
    size_t n = q->ntl;
    double step = n > 1 ? tl[1].t_ms - tl[0].t_ms : 100;
    if (!(step > 0))
        step = 100;
    double per_s = 1000.0 / step;
    for (size_t i = 0; i < n; i++) {
        double t = tl[i].t_ms / 1000.0;
        fprintf(d, "%.3f", t);
        rb_dat_fixed(d, (double)tl[i].calls * per_s);
        rb_dat_fixed(d, q->open ? (double)tl[i].offered * per_s : NAN);
        rb_dat_fixed(d, (double)tl[i].failures * per_s);
        rb_dat_fixed(d, tl[i].p99_us > 0 ? tl[i].p99_us : NAN);
        fprintf(d, " %.3f\n", t + step / 2000.0);
    }
    if (n) {
        fprintf(d, "%.3f", (tl[n - 1].t_ms + step) / 1000.0);
        rb_dat_fixed(d, (double)tl[n - 1].calls * per_s);
        rb_dat_fixed(d, q->open ? (double)tl[n - 1].offered * per_s : NAN);
        fputs(" 0 " RB_DAT_MISSING " " RB_DAT_MISSING "\n", d);
    }
    fputs("\n\n", d);
}

static int plot_timelines(const char *pdir, FILE *gp, const char *name, const char *title,
                          const panel *p, size_t n, rb_plots *ps)
{
    if (!n || ps->n >= RB_MAXPLOTS)
        return RB_OK;
    char dat[112];
    rb_chart c;
    snprintf(dat, sizeof dat, "%s.dat", name);
    FILE *d = rb_plot_dat(pdir, name);
    if (!d)
        return RB_EIO;
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "# %s: t_start_s achieved_cps offered_cps failed_per_s p99_us t_mid_s\n", p[i].title);
        dat_timeline(d, &p[i]);
    }
    if (fclose(d) || !rb_chart_begin(&c, name, 1100, 60 + 230 * (int)n))
        return RB_EIO;
    tl_body(c.f, dat, p, n);
    rb_plot_add(ps, title, name, RB_SCRIPT_LOAD);
    return rb_chart_end(gp, &c);
}

/* Scenario s's first round as panel q. */
static void scen_panel(panel *q, const rb_scen_rec *s)
{
    q->tl = s->rounds[0].tl;
    q->ntl = s->rounds[0].ntl;
    q->open = s->open;
    q->window_s = s->rounds[0].duration_s;
}

static int has_tl(const rb_scen_rec *s)
{
    return s->nrounds && s->rounds[0].ntl;
}

/* Open-loop runs of method me: one chart per target rate, at its first
 * scenario. *any: whether there was one. */
static int open_timelines(const char *pdir, FILE *gp, const rb_results *r, const char *me,
                          int *any, rb_plots *ps)
{
    panel p[MAXPANELS];
    char name[96], title[160];
    int rc = RB_OK;
    for (size_t i = 0; i < r->nall; i++) {
        const rb_scen_rec *s = &r->all[i];
        if (!s->open || strcmp(s->sum.method, me) || !has_tl(s))
            continue;
        *any = 1;
        double rate = s->target_cps;
        int first = 1;
        for (size_t j = 0; j < i; j++)
            first &= !(r->all[j].open && !strcmp(r->all[j].sum.method, me) &&
                       r->all[j].target_cps == rate);
        if (!first)
            continue;
        size_t n = 0;
        for (size_t j = 0; j < r->nall; j++) {
            const rb_scen_rec *t = &r->all[j];
            if (n < MAXPANELS && t->open && !strcmp(t->sum.method, me) && t->target_cps == rate &&
                has_tl(t)) {
                snprintf(p[n].title, sizeof p[n].title, "%s, %.0f connection(s), %.0f calls/s offered",
                         t->sum.t->name, (double)t->sum.concurrency, rate);
                scen_panel(&p[n++], t);
            }
        }
        snprintf(name, sizeof name, "load-timeline-%s-r%.0f", me, rate);
        snprintf(title, sizeof title, "%s at %.0f calls/s offered: rate and p99 over time, round 1",
                 me, rate);
        rc |= plot_timelines(pdir, gp, name, title, p, n, ps);
    }
    return rc;
}

/* The SLO confirming runs of method me (each transport's first round with
 * one). *n: the panels drawn. */
static int slo_timelines(const char *pdir, FILE *gp, const rb_results *r, const char *me,
                         size_t *n, rb_plots *ps)
{
    panel p[MAXPANELS];
    char name[96], title[160];
    *n = 0;
    for (size_t i = 0; i < r->nslo; i++) {
        const rb_slo_rec *s = &r->slo[i];
        const rb_slo_round *cf = NULL;
        for (size_t j = 0; j < s->nrounds && !cf; j++)
            cf = s->per_round[j].has_confirm ? &s->per_round[j] : NULL;
        if (*n < MAXPANELS && !strcmp(s->method, me) && cf && cf->confirm.ntl) {
            p[*n] = (panel){ .tl = cf->confirm.tl, .ntl = cf->confirm.ntl, .open = 1,
                             .window_s = cf->confirm.duration_s };
            snprintf(p[*n].title, sizeof p[*n].title, "%s: confirming run at %.0f calls/s",
                     s->transport, cf->confirm.target_cps);
            (*n)++;
        }
    }
    snprintf(name, sizeof name, "load-timeline-%s-slo", me);
    snprintf(title, sizeof title, "%s: the SLO confirming runs over time (each transport's "
             "first round with one)", me);
    return plot_timelines(pdir, gp, name, title, p, *n, ps);
}

/* Closed loop at the most connections, when method me has nothing else. */
static int closed_timelines(const char *pdir, FILE *gp, const rb_results *r, const char *me,
                            rb_plots *ps)
{
    panel p[MAXPANELS];
    char name[96], title[160];
    size_t n = 0;
    double conc = 0;
    const rb_scen_rec *ref = NULL;           /* entries of the first scenario of me */
    for (size_t i = 0; i < r->nall; i++)
        if (!strcmp(r->all[i].sum.method, me) && (double)r->all[i].sum.concurrency > conc) {
            conc = (double)r->all[i].sum.concurrency;
            ref = ref ? ref : &r->all[i];
        }
    for (size_t i = 0; i < r->nall; i++) {
        const rb_scen_rec *s = &r->all[i];
        if (n < MAXPANELS && !strcmp(s->sum.method, me) && (double)s->sum.concurrency == conc &&
            ref && s->sum.entries == ref->sum.entries && has_tl(s)) {
            snprintf(p[n].title, sizeof p[n].title, "%s, %.0f connection(s), closed loop",
                     s->sum.t->name, conc);
            scen_panel(&p[n++], s);
        }
    }
    snprintf(name, sizeof name, "load-timeline-%s-closed", me);
    snprintf(title, sizeof title, "%s closed loop at %.0f connection(s): rate and p99 over time, round 1",
             me, conc);
    return plot_timelines(pdir, gp, name, title, p, n, ps);
}

/* Methods present in scenarios or the SLO list, in order of appearance. */
static size_t methods_of(const rb_results *r, const char **me, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nall + r->nslo; i++) {
        const char *m = i < r->nall ? r->all[i].sum.method : r->slo[i - r->nall].method;
        int seen = !rb_name_plain(m);
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(me[k], m) == 0;
        if (!seen && n < cap)
            me[n++] = m;
    }
    return n;
}

int rb_rate_plots_write(const char *pdir, const rb_results *r, const rb_shape *sh, rb_plots *ps)
{
    FILE *gp = rb_plot_open(pdir, "load.gp", "w");
    if (!gp) {
        snprintf(ps->load_note, sizeof ps->load_note, "plots/load.gp could not be written");
        return RB_EIO;
    }
    ps->load_written = 1;
    fprintf(gp, "# rpcbench \"Under load\" plots: written by `rpcbench report`; run "
                "`gnuplot load.gp` in this folder.\n");
    const char *me[16];
    size_t nme = methods_of(r, me, 16), nslo;
    int rc = RB_OK;
    for (size_t m = 0; m < nme; m++) {
        int any_open = 0;
        rc |= plot_curve(pdir, gp, r, sh, me[m], ps);
        rc |= open_timelines(pdir, gp, r, me[m], &any_open, ps);
        rc |= slo_timelines(pdir, gp, r, me[m], &nslo, ps);
        if (!any_open && !nslo)
            rc |= closed_timelines(pdir, gp, r, me[m], ps);
    }
    if (fclose(gp) || rc) {
        snprintf(ps->load_note, sizeof ps->load_note, "the plot data could not be written");
        return RB_EIO;
    }
    return RB_OK;
}
