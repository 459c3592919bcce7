/* plots.c - the plots' data (.dat) and the gnuplot script that draws them.
 *
 * Every chart is written to DIR/plots as NAME.dat plus a block of plots.gp
 * drawing NAME.svg and NAME.png; gnuplot then runs once in that folder
 * (gnuplot.c), and report.md links the charts that came out.
 */
#include "plots.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gnuplot.h"
#include "hgrm.h"
#include "rb_error.h"

static rb_plot *plot_add(rb_plots *ps, const char *title, const char *fmt, ...)
{
    va_list ap;
    rb_plot *p;

    if (ps->n == RB_MAXPLOTS)
        return NULL;
    p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    va_start(ap, fmt);
    vsnprintf(p->name, sizeof p->name, fmt, ap);
    va_end(ap);
    snprintf(p->title, sizeof p->title, "%s", title);
    return p;
}

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    return fopen(path, mode);
}

/* The terminals: every chart goes to SVG, then the same plot to PNG. */
static void gp_begin(FILE *gp, const char *name)
{
    fprintf(gp, "\n# --- %s\nreset\n", name);
    fprintf(gp, "set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'\n");
    fprintf(gp, "set output '%s.svg'\n", name);
    fprintf(gp, "set grid\nset key outside right top\n");
}

static void gp_end(FILE *gp, const char *name)
{
    fprintf(gp, "set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'\n");
    fprintf(gp, "set output '%s.png'\nreplot\nunset output\n", name);
}

/* One transport's block of a spectrum's data: its hgrm file's rows, or
 * the summary percentiles when the file is missing or unreadable (then
 * returns 1, else 0). *xmax grows to the largest x written. */
static int spectrum_block(FILE *d, const char *dir, const rb_summary *s, double *xmax)
{
    rb_hgrm_row *rows = NULL;
    size_t nrows = 0;
    int rc = -1;

    if (s->hgrm[0] && s->hgrm[0] != '/' && !strstr(s->hgrm, "..")) {
        char hp[4096];
        snprintf(hp, sizeof hp, "%s/%s", dir, s->hgrm);
        rc = rb_hgrm_read(hp, &rows, &nrows, NULL);
    }
    fprintf(d, "# %s\n", s->t->name);
    if (rc == 0) {
        for (size_t i = 0; i < nrows; i++) {
            if (!isfinite(rows[i].inv))
                continue;
            fprintf(d, "%.6g %.6g %.12f\n", rows[i].inv, rows[i].value, rows[i].percentile);
            if (rows[i].inv > *xmax)
                *xmax = rows[i].inv;
        }
        free(rows);
    } else {
        /* Summary percentiles: 0 -> x=1, 50 -> 2, 90 -> 10, 99 -> 100, 99.9 -> 1000. */
        const double x[5] = { 1, 2, 10, 100, 1000 };
        const double y[5] = { s->lat.min, s->lat.p50, s->lat.p90, s->lat.p99, s->lat.p99_9 };
        const double pc[5] = { 0, 0.5, 0.9, 0.99, 0.999 };
        for (int i = 0; i < 5; i++)
            if (!isnan(y[i]))
                fprintf(d, "%g %.6g %.3f\n", x[i], y[i], pc[i]);
        if (*xmax < 1000)
            *xmax = 1000;
    }
    fprintf(d, "\n\n");
    return rc != 0;
}

/* Latency percentile spectrum of one method at one concurrency: HdrHistogram
 * rows from hgrm, or the summary percentiles when the file is missing. */
static int plot_spectrum(const char *dir, const char *pdir, const rb_results *r, const rb_shape *sh,
                         const char *me, long conc, FILE *gp, rb_plots *ps, int *fallbacks)
{
    long en = rb_shape_ref_entries(r, me);
    char title[160], name[96];
    FILE *d = NULL;
    rb_plot *p;
    int nplotted = 0;
    double xmax = 10;

    snprintf(name, sizeof name, "latency-%s-c%ld", me, conc);
    if (en >= 0)
        snprintf(title, sizeof title, "Latency by percentile, %s, %ld entries, %ld client%s",
                 me, en, conc, conc == 1 ? "" : "s");
    else
        snprintf(title, sizeof title, "Latency by percentile, %s, %ld client%s",
                 me, conc, conc == 1 ? "" : "s");
    {
        char dn[128];
        snprintf(dn, sizeof dn, "%s.dat", name);
        d = open_in(pdir, dn, "w");
    }
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s\n# 1/(1-percentile)  latency_us  percentile; one block per transport\n", title);
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_summary *s = rb_shape_find(r, sh->tr[t], me, en, conc);
        if (!s)
            continue;
        *fallbacks += spectrum_block(d, dir, s, &xmax);
        nplotted++;
    }
    fclose(d);
    if (nplotted == 0)
        return 0;
    p = plot_add(ps, title, "%s", name);
    if (!p)
        return 0;
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\n", title);
    fprintf(gp, "set logscale x\nset logscale y\n");
    fprintf(gp, "set xrange [1:%g]\n", xmax < 10000 ? xmax : 10000 * ceil(xmax / 10000));
    /* Tic labels are gnuplot format strings: '%%' there prints one '%'. */
    fputs("set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, "
          "'99.999%%' 100000, '99.9999%%' 1000000)\n", gp);
    fprintf(gp, "set xlabel 'percentile'\nset ylabel 'latency (µs)'\n");
    fprintf(gp, "plot");
    {
        int idx = 0;
        for (size_t t = 0; t < sh->ntr; t++) {
            if (!rb_shape_find(r, sh->tr[t], me, en, conc))
                continue;
            fprintf(gp, "%s '%s.dat' index %d using 1:2 with lines lw 2 title '%s'",
                    idx ? ", \\\n    " : " ", name, idx, sh->tr[t]);
            idx++;
        }
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
    return 0;
}

/* Rowstacked bars per transport, one group per method, from name.dat where
 * every method is one block: "transport v1 v2 [v3]". */
static void gp_stacked(FILE *gp, const char *name, const char *title, const char *ylabel,
                       const char *const *series, int nseries, const char *const *groups,
                       int ngroups)
{
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\nset ylabel '%s'\n", title, ylabel);
    fprintf(gp, "set datafile missing '?'\nset style data histograms\n"
                "set style histogram rowstacked gap 1 title offset character 0,-1\nset bmargin 5\nset style fill solid 0.8 border -1\n"
                "set boxwidth 0.75\nset xtics scale 0\nset yrange [0:*]\n"
                "set key inside left top vertical Left reverse\n");
    fprintf(gp, "plot");
    for (int g = 0; g < ngroups; g++) {
        fprintf(gp, "%s newhistogram '%s' lt 1", g ? ", \\\n    " : "", groups[g]);
        for (int k = 0; k < nseries; k++) {
            if (k == 0)
                fprintf(gp, ", '%s.dat' index %d using %d:xtic(1)", name, g, k + 2);
            else
                fprintf(gp, ", '' index %d using %d", g, k + 2);
            if (g == 0)
                fprintf(gp, " title '%s'", series[k]);
            else
                fprintf(gp, " notitle");
        }
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
}

static void dat_val(FILE *d, double v)
{
    if (isnan(v))
        fputs(" ?", d);
    else
        fprintf(d, " %.6g", v);
}

/* Bytes per call (body vs protocol overhead) and CPU per call, per method at
 * its reference payload and lowest concurrency. */
static int plot_bars(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp, rb_plots *ps)
{
    FILE *db = open_in(pdir, "bytes.dat", "w"), *dc = open_in(pdir, "cpu.dat", "w");
    const char *groups[RB_SHAPE_MAX];
    int ng = 0, any_cpu = 0, any_broker = 0, any_bytes = 0, rc = RB_EIO;
    static const char *const bser[2] = { "body (request + reply)", "protocol overhead (wire - body)" };
    static const char *const cser[3] = { "client", "server", "broker" };

    if (!db || !dc)
        goto done;
    fprintf(db, "# bytes per call on the client connection: transport body overhead; one block per method\n");
    fprintf(dc, "# CPU us per call: transport client server broker; one block per method\n");
    for (size_t m = 0; m < sh->nme; m++) {
        const char *me = sh->me[m];
        long en = rb_shape_ref_entries(r, me), co = rb_shape_ref_conc(r, me);
        fprintf(db, "# %s\n", me);
        fprintf(dc, "# %s\n", me);
        for (size_t t = 0; t < sh->ntr; t++) {
            const rb_summary *s = rb_shape_find(r, sh->tr[t], me, en, co);
            double body, wire;
            if (!s)
                continue;
            body = s->body_req + s->body_rep;
            wire = isnan(s->wire_client) ? s->wire_total : s->wire_client;
            fprintf(db, "%s", s->t->name);
            dat_val(db, body);
            dat_val(db, isnan(wire) || isnan(body) ? NAN : wire - body);
            fputc('\n', db);
            if (!isnan(body) || !isnan(wire))
                any_bytes = 1;
            fprintf(dc, "%s", s->t->name);
            dat_val(dc, s->cpu_client);
            dat_val(dc, s->cpu_server);
            dat_val(dc, s->cpu_broker);
            fputc('\n', dc);
            if (!isnan(s->cpu_client) || !isnan(s->cpu_server))
                any_cpu = 1;
            if (!isnan(s->cpu_broker))
                any_broker = 1;
        }
        fprintf(db, "\n\n");
        fprintf(dc, "\n\n");
        groups[ng++] = me;
    }
    if (any_bytes && plot_add(ps, "Bytes per call: message body and protocol overhead", "bytes"))
        gp_stacked(gp, "bytes", "Bytes per call on the client connection", "bytes per call",
                   bser, 2, groups, ng);
    if (any_cpu && plot_add(ps, "CPU time per call: client, server, broker", "cpu"))
        gp_stacked(gp, "cpu", "CPU time per call", "CPU µs per call", cser, any_broker ? 3 : 2,
                   groups, ng);
    rc = 0;
done:
    if (db)
        fclose(db);
    if (dc)
        fclose(dc);
    return rc;
}

/* p50 and bytes against entries (log-log), for methods run with more than
 * one payload size, at the lowest concurrency. */
static int plot_entries(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                        FILE *gp, rb_plots *ps)
{
    long ev[RB_SHAPE_MAX];
    size_t ne = rb_shape_entries(r, me, ev);
    long co = rb_shape_ref_conc(r, me);
    char name[64], dn[128], title[160];
    FILE *d;
    int idx = 0;
    size_t t;

    size_t npos = 0;
    for (size_t e = 0; e < ne; e++)
        npos += ev[e] > 0;
    if (npos < 2)
        return 0;
    snprintf(name, sizeof name, "entries-%s", me);
    snprintf(dn, sizeof dn, "%s.dat", name);
    d = open_in(pdir, dn, "w");
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s at %ld client(s): entries p50_us body_bytes wire_bytes; one block per transport\n",
            me, co);
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t e = 0; e < ne; e++) {
            const rb_summary *s = rb_shape_find(r, sh->tr[t], me, ev[e], co);
            if (!s || ev[e] <= 0)      /* 0 entries has no place on a log axis */
                continue;
            if (!any)
                fprintf(d, "# %s\n", sh->tr[t]);
            any = 1;
            fprintf(d, "%ld", ev[e]);
            dat_val(d, s->lat.p50);
            dat_val(d, s->body_req + s->body_rep);
            dat_val(d, isnan(s->wire_total) ? s->wire_client : s->wire_total);
            fputc('\n', d);
        }
        if (any)
            fprintf(d, "\n\n");
    }
    fclose(d);

    for (int which = 0; which < 2; which++) {
        char pn[96];
        snprintf(pn, sizeof pn, "%s-%s", which ? "bytes" : "p50", name);
        snprintf(title, sizeof title, which ? "Bytes per call against entries, %s"
                                            : "p50 latency against entries, %s", me);
        if (!plot_add(ps, title, "%s", pn))
            return 0;
        gp_begin(gp, pn);
        fprintf(gp, "set title '%s (%ld client%s)'\nset logscale xy\nset datafile missing '?'\n",
                title, co, co == 1 ? "" : "s");
        fprintf(gp, "set xlabel 'entries in the object'\nset ylabel '%s'\n",
                which ? "bytes per call (solid: wire, dashed: body)" : "p50 latency (µs)");
        fprintf(gp, "plot");
        idx = 0;
        for (t = 0; t < sh->ntr; t++) {
            int any = 0;
            for (size_t e = 0; e < ne; e++)
                any |= ev[e] > 0 && rb_shape_find(r, sh->tr[t], me, ev[e], co) != NULL;
            if (!any)
                continue;
            if (which == 0)
                fprintf(gp, "%s '%s.dat' index %d using 1:2 with linespoints lw 2 lc %d title '%s'",
                        idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t]);
            else
                fprintf(gp, "%s '%s.dat' index %d using 1:4 with linespoints lw 2 lc %d title '%s', "
                            "'' index %d using 1:3 with lines dt 2 lc %d notitle",
                        idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t], idx, idx + 1);
            idx++;
        }
        fprintf(gp, "\n");
        gp_end(gp, pn);
    }
    return 0;
}

/* Throughput against concurrency, with the rounds' spread as error bars. */
static int plot_conc(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                     FILE *gp, rb_plots *ps)
{
    long cv[RB_SHAPE_MAX];
    size_t nc = rb_shape_conc(r, me, cv);
    long en = rb_shape_ref_entries(r, me);
    char name[96], dn[128], title[160];
    FILE *d;
    int idx = 0;
    size_t t;

    if (nc < 2)
        return 0;
    snprintf(name, sizeof name, "throughput-%s", me);
    snprintf(dn, sizeof dn, "%s.dat", name);
    d = open_in(pdir, dn, "w");
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s: clients calls_per_s lowest_round highest_round; one block per transport\n", me);
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t c = 0; c < nc; c++) {
            const rb_summary *s = rb_shape_find(r, sh->tr[t], me, en, cv[c]);
            if (!s)
                continue;
            if (!any)
                fprintf(d, "# %s\n", sh->tr[t]);
            any = 1;
            fprintf(d, "%ld", cv[c]);
            dat_val(d, s->throughput_cps);
            dat_val(d, isnan(s->sp_tput.lo) ? s->throughput_cps : s->sp_tput.lo);
            dat_val(d, isnan(s->sp_tput.hi) ? s->throughput_cps : s->sp_tput.hi);
            fputc('\n', d);
        }
        if (any)
            fprintf(d, "\n\n");
    }
    fclose(d);
    snprintf(title, sizeof title, "Throughput against client threads, %s", me);
    if (!plot_add(ps, title, "%s", name))
        return 0;
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\nset logscale x 2\nset datafile missing '?'\nset yrange [0:*]\n", title);
    fprintf(gp, "set xlabel 'client threads (one connection each)'\nset ylabel 'calls per second'\n");
    fprintf(gp, "plot");
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t c = 0; c < nc; c++)
            any |= rb_shape_find(r, sh->tr[t], me, en, cv[c]) != NULL;
        if (!any)
            continue;
        fprintf(gp, "%s '%s.dat' index %d using 1:2:3:4 with yerrorlines lw 2 lc %d title '%s'",
                idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t]);
        idx++;
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
    return 0;
}

int rb_plots_make(const char *dir, const rb_results *r, const rb_shape *sh, rb_plots *ps)
{
    char pdir[4096], gnuplot[4096];
    FILE *gp = NULL;
    int rc = RB_EIO, fallbacks = 0, st;

    memset(ps, 0, sizeof *ps);
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (mkdir(pdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "rpcbench report: cannot create %s: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "the plots folder could not be created");
        return RB_EIO;
    }
    gp = open_in(pdir, "plots.gp", "w");
    if (!gp) {
        fprintf(stderr, "rpcbench report: cannot write %s/plots.gp: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "plots.gp could not be written");
        goto fail;
    }
    fprintf(gp, "# rpcbench plots: written by `rpcbench report`; run `gnuplot plots.gp` in this folder.\n"
                "# Data: the .dat files next to this script.\n");
    for (size_t m = 0; m < sh->nme; m++) {
        long cv[RB_SHAPE_MAX];
        size_t nc = rb_shape_conc(r, sh->me[m], cv);
        for (size_t c = 0; c < nc; c++)
            if (plot_spectrum(dir, pdir, r, sh, sh->me[m], cv[c], gp, ps, &fallbacks) != 0)
                goto fail;
    }
    if (plot_bars(pdir, r, sh, gp, ps) != 0)
        goto fail;
    for (size_t m = 0; m < sh->nme; m++)
        if (plot_entries(pdir, r, sh, sh->me[m], gp, ps) != 0 ||
            plot_conc(pdir, r, sh, sh->me[m], gp, ps) != 0)
            goto fail;
    if (fclose(gp) != 0) {
        gp = NULL;
        goto fail;
    }
    gp = NULL;

    if (rb_gnuplot_find(gnuplot, sizeof gnuplot) != 0) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot was not found, so no plot was drawn. Install it (Debian: "
                 "`apt-get install gnuplot-nox`) and run `rpcbench report` on this folder again, "
                 "or run `gnuplot plots.gp` in plots/.");
        fprintf(stderr, "rpcbench report: gnuplot not found; plots skipped\n");
        return 0;
    }
    st = rb_gnuplot_run(gnuplot, pdir);
    if (st != 0) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot failed (exit status %d); its messages are in plots/gnuplot.log.", st);
        fprintf(stderr, "rpcbench report: gnuplot failed (exit %d), see %s/gnuplot.log\n", st, pdir);
    } else {
        ps->ran = 1;
    }
    for (size_t i = 0; i < ps->n; i++)
        ps->p[i].ok = rb_file_nonempty(pdir, ps->p[i].name, "svg") && rb_file_nonempty(pdir, ps->p[i].name, "png");
    if (fallbacks)
        snprintf(ps->note + strlen(ps->note), sizeof ps->note - strlen(ps->note),
                 "%s%d latency curve%s drawn from the summary percentiles because the "
                 "scenario's hgrm file was missing or unreadable.",
                 ps->note[0] ? " " : "", fallbacks, fallbacks == 1 ? " is" : "s are");
    return 0;
fail:
    if (gp)
        fclose(gp);
    if (!ps->note[0])
        snprintf(ps->note, sizeof ps->note, "the plot data could not be written");
    return rc;
}
