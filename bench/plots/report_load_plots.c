/* report_load_plots.c - the plots of report.md's "Under load" section:
 * latency against offered rate, and rate and p99 over time (see
 * report_load.h). One gnuplot script, plots/load.gp, draws them all. */
#include "plots/report_load_plots.h"
#include "plots/gnuplot.h"
#include "plots/plots_int.h"
#include "rb_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXSER 64          /* lines (transport x connections) per curve plot */
#define MAXPTS 512         /* points per line */
#define MAXPANELS 12       /* timeline panels per plot */

/* ---- latency against offered rate -------------------------------------------- */

typedef struct pt {
    double rate, p50, p99, p99_9;
} pt;

typedef struct series {
    char name[80];             /* "T", "T c=4", "T (SLO search steps)" for transport T */
    char transport[32];
    double conc;
    int steps;                 /* 1: SLO search steps (points), 0: --rate runs (lines) */
    const char *color;         /* "#rrggbb": the transport's colour in every plot */
    pt p[MAXPTS];
    size_t n;
} series;

static series *series_for(series *v, size_t *nv, const json_t *o, int steps)
{
    const char *t = rb_lj_str(o, "transport");
    for (size_t i = 0; i < *nv; i++)
        if (!strcmp(v[i].transport, t) && v[i].conc == rb_lj_num(o, "concurrency") &&
            v[i].steps == steps)
            return &v[i];
    if (*nv == MAXSER || !rb_lj_plain(t))
        return NULL;
    series *s = &v[(*nv)++];
    memset(s, 0, sizeof *s);
    snprintf(s->transport, sizeof s->transport, "%s", t);
    s->conc = rb_lj_num(o, "concurrency");
    s->steps = steps;
    return s;
}

static void add_pt(series *s, double rate, double p50, double p99, double p99_9)
{
    if (s && s->n < MAXPTS && rate > 0 && (isfinite(p50) || isfinite(p99)))
        s->p[s->n++] = (pt){ rate, p50, p99, p99_9 };
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

/* The curve points of one method: --rate scenarios and SLO steps. */
static size_t collect_curves(const json_t *root, const rb_shape *sh, const char *me, series *v)
{
    size_t nv = 0, i, j, k;
    const json_t *s, *e, *r, *st;
    json_array_foreach(json_object_get(root, "scenarios"), i, s)
        if (rb_lj_is_open(s) && strcmp(rb_lj_str(s, "method"), me) == 0) {
            const json_t *lat = json_object_get(s, "latency_us");
            add_pt(series_for(v, &nv, s, 0), rb_lj_num2(s, "rate_cps", "target"),
                   rb_lj_num(lat, "p50"), rb_lj_num(lat, "p99"), rb_lj_num(lat, "p99_9"));
        }
    json_array_foreach(json_object_get(root, "slo"), i, e)
        if (strcmp(rb_lj_str(e, "method"), me) == 0) {
            series *se = series_for(v, &nv, e, 1);
            json_array_foreach(json_object_get(e, "per_round"), j, r)
                json_array_foreach(json_object_get(r, "steps"), k, st)
                    add_pt(se, rb_lj_num(st, "rate_cps"), rb_lj_num(st, "p50_us"),
                           rb_lj_num(st, "p99_us"), rb_lj_num(st, "p99_9_us"));
        }
    name_series(v, nv, sh);
    return nv;
}

static void dat_num(FILE *d, double v)
{
    if (isfinite(v))
        fprintf(d, " %.3f", v);
    else
        fputs(" ?", d);
}

/* Emit a multiplot twice: SVG, then PNG (multiplot cannot replot). */
typedef void (*gp_body)(FILE *gp, const void *arg);

static void gp_both(FILE *gp, const char *name, int w, int h, gp_body body, const void *arg)
{
    fprintf(gp, "\n# --- %s\nreset\nset datafile missing '?'\n", name);
    fprintf(gp, "set terminal svg size %d,%d dynamic noenhanced font 'sans,12' background rgb 'white'\n"
                "set output '%s.svg'\n", w, h, name);
    body(gp, arg);
    fprintf(gp, "unset output\nreset\nset datafile missing '?'\n"
                "set terminal pngcairo size %d,%d noenhanced font 'sans,10' background rgb 'white'\n"
                "set output '%s.png'\n", w, h, name);
    body(gp, arg);
    fprintf(gp, "unset output\n");
}

typedef struct curve_arg {
    const char *dat;
    const series *v;
    size_t nv;
    double bound_us;           /* SLO bound to draw on the p99 panel, or NAN */
} curve_arg;

/* Three panels (p50, p99 with the SLO bound, p99.9) in a 2 x 2 layout, the
 * fourth holding the legend, so that no key hides a point. */
static void curve_body(FILE *gp, const void *p)
{
    const curve_arg *a = p;
    static const char *const col[] = { "p50", "p99", "p99.9" };
    fprintf(gp, "set multiplot layout 2,2\nset logscale xy\nset grid\nunset key\n"
                "set xlabel 'offered calls/s'\n");
    for (int c = 0; c < 3; c++) {
        fprintf(gp, "set title '%s latency (from intended send time)'\nset ylabel '%s µs'\n",
                col[c], col[c]);
        if (c == 1 && isfinite(a->bound_us))
            fprintf(gp, "set arrow 1 from graph 0, first %g to graph 1, first %g nohead dt 2 "
                        "lw 2 lc rgb 'red'\n", a->bound_us, a->bound_us);
        else
            fprintf(gp, "unset arrow 1\n");
        fprintf(gp, "plot ");
        for (size_t i = 0; i < a->nv; i++)
            fprintf(gp, "%s'%s' index %zu using 1:%d with %s lc rgb '%s' notitle", i ? ", " : "",
                    a->dat, i, c + 2, a->v[i].steps ? "points pt 6 ps 0.8" : "linespoints pt 7",
                    a->v[i].color);
        fprintf(gp, "\n");
    }
    fprintf(gp, "unset arrow 1\nunset logscale\nunset border\nunset tics\nunset grid\n"
                "unset xlabel\nunset ylabel\nset title '%s'\nset key center center box\n"
                "set xrange [0:1]\nset yrange [0:1]\nplot ",
            isfinite(a->bound_us) ? "dashed red line: the SLO bound" : "");
    for (size_t i = 0; i < a->nv; i++)
        fprintf(gp, "%sNaN with %s lc rgb '%s' title '%s'", i ? ", " : "",
                a->v[i].steps ? "points pt 6 ps 0.8" : "linespoints pt 7", a->v[i].color,
                a->v[i].name);
    fprintf(gp, "\nunset multiplot\n");
}

/* ---- latency over time -------------------------------------------------------- */

typedef struct panel {
    char title[128];
    const json_t *tl;          /* the timeline array */
    double window_s;           /* the measured window's length, NAN if unknown */
} panel;

typedef struct tl_arg {
    const char *dat;
    size_t n;
    const panel *p;
} tl_arg;

static void tl_body(FILE *gp, const void *p)
{
    const tl_arg *a = p;
    fprintf(gp, "set multiplot layout %zu,1\nset grid\nset key outside right top\n"
                "set ylabel 'calls/s'\nset y2label 'p99 µs'\nset logscale y2\n"
                "set ytics nomirror\nset y2tics\nset yrange [0:*]\n", a->n);
    for (size_t i = 0; i < a->n; i++) {
        const panel *q = &a->p[i];
        int offered = 0, failed = 0;
        size_t k;
        const json_t *b;
        json_array_foreach(q->tl, k, b) {
            offered |= rb_lj_num(b, "offered") > 0;
            failed |= rb_lj_num(b, "failures") > 0;
        }
        fprintf(gp, "set title '%s'\nset xlabel '%s'\n", q->title,
                i + 1 == a->n ? "seconds into the measured window (dashed line: its end)" : "");
        if (isfinite(q->window_s))
            fprintf(gp, "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead dt 3 "
                        "lc rgb '#555555'\n", q->window_s, q->window_s);
        else
            fprintf(gp, "unset arrow 1\n");
        fprintf(gp, "plot '%s' index %zu using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', "
                    "'' index %zu using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 "
                    "lc rgb '#ff7f0e' title 'p99'", a->dat, i, i);
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
static void dat_timeline(FILE *d, const json_t *tl)
{
    size_t n = json_array_size(tl), i;
    double step = 100;
    if (n > 1)
        step = rb_lj_num(json_array_get(tl, 1), "t_ms") - rb_lj_num(json_array_get(tl, 0), "t_ms");
    if (!(step > 0))
        step = 100;
    double per_s = 1000.0 / step;
    const json_t *b = NULL;
    json_array_foreach(tl, i, b) {
        double t = rb_lj_num(b, "t_ms") / 1000.0;
        fprintf(d, "%.3f", t);
        dat_num(d, rb_lj_num(b, "calls") * per_s);
        dat_num(d, json_object_get(b, "offered") ? rb_lj_num(b, "offered") * per_s : NAN);
        dat_num(d, rb_lj_num(b, "failures") * per_s);
        dat_num(d, rb_lj_num(b, "p99_us") > 0 ? rb_lj_num(b, "p99_us") : NAN);
        fprintf(d, " %.3f\n", t + step / 2000.0);
    }
    if (b) {
        fprintf(d, "%.3f", (rb_lj_num(b, "t_ms") + step) / 1000.0);
        dat_num(d, rb_lj_num(b, "calls") * per_s);
        dat_num(d, json_object_get(b, "offered") ? rb_lj_num(b, "offered") * per_s : NAN);
        fputs(" 0 ? ?\n", d);
    }
    fputs("\n\n", d);
}

/* ---- the plots ---------------------------------------------------------------- */


static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    return fopen(path, mode);
}

/* Methods present in scenarios or the SLO list, in order of appearance. */
static size_t methods_of(const json_t *root, const char **me, size_t cap)
{
    size_t n = 0, i;
    const json_t *o;
    const char *lists[] = { "scenarios", "slo" };
    for (int l = 0; l < 2; l++)
        json_array_foreach(json_object_get(root, lists[l]), i, o) {
            const char *m = rb_lj_str(o, "method");
            int seen = !rb_lj_plain(m);
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(me[k], m) == 0;
            if (!seen && n < cap)
                me[n++] = m;
        }
    return n;
}

static double slo_bound(const json_t *root, const char *me)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(root, "slo"), i, e)
        if (strcmp(rb_lj_str(e, "method"), me) == 0 && strcmp(rb_lj_str(e, "percentile"), "p99") == 0)
            return rb_lj_num(e, "bound_us");
    return NAN;
}

static int plot_curve(const char *pdir, FILE *gp, const json_t *root, const rb_shape *sh,
                      const char *me, rb_load_made *mk)
{
    series *v = calloc(MAXSER, sizeof *v);
    if (!v)
        return RB_ENOMEM;
    size_t nv = collect_curves(root, sh, me, v), keep = 0;
    for (size_t i = 0; i < nv; i++)
        if (v[i].n >= 2)
            v[keep++] = v[i];
    int rc = RB_OK;
    if (keep && mk->n < RB_LOAD_MAXPLOTS) {
        char name[96], dat[112];
        snprintf(name, sizeof name, "load-curve-%s", me);
        snprintf(dat, sizeof dat, "%s.dat", name);
        FILE *d = open_in(pdir, dat, "w");
        if (!d) {
            free(v);
            return RB_EIO;
        }
        for (size_t i = 0; i < keep; i++) {
            fprintf(d, "# %s: offered_cps p50_us p99_us p99_9_us\n", v[i].name);
            for (size_t k = 0; k < v[i].n; k++) {
                fprintf(d, "%.1f", v[i].p[k].rate);
                dat_num(d, v[i].p[k].p50);
                dat_num(d, v[i].p[k].p99);
                dat_num(d, v[i].p[k].p99_9);
                fputc('\n', d);
            }
            fputs("\n\n", d);
        }
        rc = fclose(d) ? RB_EIO : RB_OK;
        curve_arg a = { dat, v, keep, slo_bound(root, me) };
        gp_both(gp, name, 1200, 900, curve_body, &a);
        snprintf(mk->name[mk->n], sizeof mk->name[0], "%s", name);
        snprintf(mk->title[mk->n], sizeof mk->title[0],
                 "%s: p50, p99 and p99.9 latency against offered rate (log axes)", me);
        mk->n++;
    }
    free(v);
    return rc;
}

static int plot_timelines(const char *pdir, FILE *gp, const char *name, const char *title,
                          const panel *p, size_t n, rb_load_made *mk)
{
    if (!n || mk->n >= RB_LOAD_MAXPLOTS)
        return RB_OK;
    char dat[112];
    snprintf(dat, sizeof dat, "%s.dat", name);
    FILE *d = open_in(pdir, dat, "w");
    if (!d)
        return RB_EIO;
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "# %s: t_start_s achieved_cps offered_cps failed_per_s p99_us t_mid_s\n", p[i].title);
        dat_timeline(d, p[i].tl);
    }
    if (fclose(d))
        return RB_EIO;
    tl_arg a = { dat, n, p };
    gp_both(gp, name, 1100, 60 + 230 * (int)n, tl_body, &a);
    snprintf(mk->name[mk->n], sizeof mk->name[0], "%s", name);
    snprintf(mk->title[mk->n], sizeof mk->title[0], "%s", title);
    mk->n++;
    return RB_OK;
}

/* Timelines of one method: open-loop runs per target rate, SLO
 * confirmations, or (nothing else) closed loop at the most connections. */
static int plot_method_timelines(const char *pdir, FILE *gp, const json_t *root, const char *me,
                                 rb_load_made *mk)
{
    panel p[MAXPANELS];
    size_t n, i, j;
    const json_t *s, *t;
    char name[96], title[160];
    int rc = RB_OK, any_open = 0;
    const json_t *sc = json_object_get(root, "scenarios");
    json_array_foreach(sc, i, s) {
        if (!rb_lj_is_open(s) || strcmp(rb_lj_str(s, "method"), me) || !rb_lj_timeline0(s))
            continue;
        any_open = 1;
        double rate = rb_lj_num2(s, "rate_cps", "target");
        int first = 1;                       /* one plot per rate, at its first scenario */
        json_array_foreach(sc, j, t) {
            if (j >= i)
                break;
            if (rb_lj_is_open(t) && !strcmp(rb_lj_str(t, "method"), me) &&
                rb_lj_num2(t, "rate_cps", "target") == rate)
                first = 0;
        }
        if (!first)
            continue;
        n = 0;
        json_array_foreach(sc, j, t)
            if (n < MAXPANELS && rb_lj_is_open(t) && !strcmp(rb_lj_str(t, "method"), me) &&
                rb_lj_num2(t, "rate_cps", "target") == rate && rb_lj_timeline0(t)) {
                snprintf(p[n].title, sizeof p[n].title, "%s, %.0f connection(s), %.0f calls/s offered",
                         rb_lj_str(t, "transport"), rb_lj_num(t, "concurrency"), rate);
                p[n].window_s = rb_lj_num(json_array_get(json_object_get(t, "per_round"), 0),
                                          "duration_s");
                p[n++].tl = rb_lj_timeline0(t);
            }
        snprintf(name, sizeof name, "load-timeline-%s-r%.0f", me, rate);
        snprintf(title, sizeof title, "%s at %.0f calls/s offered: rate and p99 over time, round 1",
                 me, rate);
        rc |= plot_timelines(pdir, gp, name, title, p, n, mk);
    }
    n = 0;
    json_array_foreach(json_object_get(root, "slo"), i, s) {
        const json_t *cf = NULL, *r;
        json_array_foreach(json_object_get(s, "per_round"), j, r)
            if (!cf && json_is_object(json_object_get(r, "confirm")))
                cf = json_object_get(r, "confirm");
        const json_t *tl = json_object_get(cf, "timeline");
        if (n < MAXPANELS && !strcmp(rb_lj_str(s, "method"), me) && json_array_size(tl)) {
            snprintf(p[n].title, sizeof p[n].title, "%s: confirming run at %.0f calls/s",
                     rb_lj_str(s, "transport"), rb_lj_num2(cf, "rate_cps", "target"));
            p[n].window_s = rb_lj_num(cf, "duration_s");
            p[n++].tl = tl;
        }
    }
    snprintf(name, sizeof name, "load-timeline-%s-slo", me);
    snprintf(title, sizeof title, "%s: the SLO confirming runs over time (each transport's "
             "first round with one)", me);
    rc |= plot_timelines(pdir, gp, name, title, p, n, mk);
    if (any_open || n)
        return rc ? RB_EIO : RB_OK;
    double conc = 0;
    const json_t *ref = NULL;                /* entries of the first scenario of me */
    json_array_foreach(sc, i, s)
        if (!strcmp(rb_lj_str(s, "method"), me) && rb_lj_num(s, "concurrency") > conc) {
            conc = rb_lj_num(s, "concurrency");
            ref = ref ? ref : s;
        }
    json_array_foreach(sc, i, s)
        if (n < MAXPANELS && !strcmp(rb_lj_str(s, "method"), me) && rb_lj_num(s, "concurrency") == conc &&
            rb_lj_same_entries(s, ref) && rb_lj_timeline0(s)) {
            snprintf(p[n].title, sizeof p[n].title, "%s, %.0f connection(s), closed loop",
                     rb_lj_str(s, "transport"), conc);
            p[n].window_s = rb_lj_num(json_array_get(json_object_get(s, "per_round"), 0),
                                      "duration_s");
            p[n++].tl = rb_lj_timeline0(s);
        }
    snprintf(name, sizeof name, "load-timeline-%s-closed", me);
    snprintf(title, sizeof title, "%s closed loop at %.0f connection(s): rate and p99 over time, round 1",
             me, conc);
    rc |= plot_timelines(pdir, gp, name, title, p, n, mk);
    return rc ? RB_EIO : RB_OK;
}

int rb_load_plots(const char *pdir, const json_t *root, const rb_shape *sh, const char *gnuplot,
                  rb_load_made *mk, char *note, size_t cap)
{
    FILE *gp = open_in(pdir, "load.gp", "w");
    if (!gp) {
        snprintf(note, cap, "plots/load.gp could not be written");
        return RB_EIO;
    }
    fprintf(gp, "# rpcbench \"Under load\" plots: written by `rpcbench report`; run "
                "`gnuplot load.gp` in this folder.\n");
    const char *me[16];
    size_t nme = methods_of(root, me, 16);
    int rc = RB_OK;
    for (size_t m = 0; m < nme; m++) {
        rc |= plot_curve(pdir, gp, root, sh, me[m], mk);
        rc |= plot_method_timelines(pdir, gp, root, me[m], mk);
    }
    if (fclose(gp) || rc) {
        snprintf(note, cap, "the plot data could not be written");
        return RB_EIO;
    }
    if (!gnuplot) {
        snprintf(note, cap, "gnuplot was not found, so these plots were not drawn "
                            "(`gnuplot load.gp` in plots/ draws them)");
        return RB_OK;
    }
    int st = rb_gnuplot_run_script(gnuplot, pdir, "load.gp", "load-gnuplot.log");
    if (st)
        snprintf(note, cap, "gnuplot failed on load.gp (exit status %d); its messages are in "
                            "plots/load-gnuplot.log", st);
    return RB_OK;
}

