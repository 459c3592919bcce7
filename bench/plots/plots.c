/* plots.c - the charts of a report: the latency spectra, and
 * rb_plots_make, which writes them all and runs gnuplot.
 *
 * Every chart is written to DIR/plots as NAME.dat plus a block of plots.gp
 * (or load.gp) drawing NAME.svg and NAME.png (chart.c); gnuplot then runs
 * once per script in that folder (gnuplot.c), and report.md links the
 * charts that came out. The bar charts are in plots_bars.c, the lines
 * against entries and concurrency in plots_lines.c, the fault timelines in
 * faults.c, the "Under load" charts in rate_plots.c.
 */
#include "plots/plots.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plots/faults.h"
#include "plots/gnuplot.h"
#include "plots/plots_bars.h"
#include "plots/plots_lines.h"
#include "plots/rate_plots.h"
#include "rb_error.h"
#include "results/hgrm.h"

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

/* The spectrum's script: one line per transport in its colour. */
static void spectrum_script(FILE *g, const char *name, const char *title, double xmax,
                            const rb_summary *const *v, const int *fell_back, size_t n,
                            const rb_shape *sh)
{
    fprintf(g, "set title '%s'\nset key inside left top Left reverse opaque box\n", title);
    fprintf(g, "set logscale x\nset logscale y\n");
    fprintf(g, "set xrange [1:%g]\n", xmax < 10000 ? xmax : 10000 * ceil(xmax / 10000));
    /* Tic labels are gnuplot format strings: '%%' there prints one '%'. */
    fputs("set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, "
          "'99.999%%' 100000, '99.9999%%' 1000000)\n", g);
    fprintf(g, "set xlabel 'percentile'\nset ylabel 'latency (µs)'\n");
    fprintf(g, "plot");
    for (size_t i = 0; i < n; i++)
        fprintf(g, "%s '%s.dat' index %zu using 1:2 with lines lw 2 lc rgb '%s' title '%s%s'",
                i ? ", \\\n    " : " ", name, i, rb_plot_colour(sh, v[i]->t->name),
                v[i]->t->name, fell_back[i] ? " (no hgrm file: median round)" : "");
    fprintf(g, "\n");
}

/* Latency percentile spectrum of one method at one concurrency: HdrHistogram
 * rows from hgrm (every call of every round, pooled), or the summary
 * percentiles when the file is missing. */
static int plot_spectrum(const char *dir, const char *pdir, const rb_results *r, const rb_shape *sh,
                         const char *me, long conc, FILE *gp, rb_plots *ps, int *fallbacks)
{
    long en = rb_shape_ref_entries(r, me), rounds = 1;
    const rb_summary *v[RB_SHAPE_MAX];
    size_t n = rb_shape_group(r, sh, me, en, conc, v);
    char title[200], name[96], cl[32], ent[48] = "", pooled[80];
    double xmax = 10;
    int fell_back[RB_SHAPE_MAX];
    rb_chart c;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i]->rounds > rounds)
            rounds = v[i]->rounds;
    snprintf(name, sizeof name, "latency-%s-c%ld", me, conc);
    if (en >= 0)
        snprintf(ent, sizeof ent, ", %ld entries", en);
    if (rounds == 1)
        snprintf(pooled, sizeof pooled, "1 round");
    else
        snprintf(pooled, sizeof pooled, "every call of all %ld rounds pooled; tables: median round",
                 rounds);
    snprintf(title, sizeof title, "Latency by percentile, %s%s, %s (%s)", me, ent,
             rb_clients(cl, conc), pooled);
    FILE *d = rb_plot_dat(pdir, name);
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s\n# 1/(1-percentile)  latency_us  percentile; one block per transport\n", title);
    for (size_t i = 0; i < n; i++)
        *fallbacks += fell_back[i] = spectrum_block(d, dir, v[i], &xmax);
    if (fclose(d) != 0)
        return RB_EIO;
    if (!rb_plot_add(ps, title, name, RB_SCRIPT_MAIN))
        return 0;
    if (!rb_chart_begin(&c, name, RB_CHART_W, RB_CHART_H))
        return RB_EIO;
    spectrum_script(c.f, name, title, xmax, v, fell_back, n, sh);
    return rb_chart_end(gp, &c);
}

/* plots.gp and its data: the spectra, bars and lines, or (a fault run)
 * the fault timelines only. Returns 0 or RB_EIO (ps->note says what). */
static int write_main(const char *dir, const char *pdir, const rb_results *r, const rb_shape *sh,
                      rb_plots *ps, int *fallbacks)
{
    FILE *gp = rb_plot_open(pdir, "plots.gp", "w");
    if (!gp) {
        fprintf(stderr, "rpcbench report: cannot write %s/plots.gp: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "plots.gp could not be written");
        return RB_EIO;
    }
    fprintf(gp, "# rpcbench plots: written by `rpcbench report`; run `gnuplot plots.gp` in this folder.\n"
                "# Data: the .dat files next to this script.\n");
    int faults = rb_results_has_faults(r);   /* then only the fault timelines */
    int rc = 0;
    for (size_t m = 0; m < sh->nme && !faults && !rc; m++) {
        long cv[RB_SHAPE_MAX];
        size_t nc = rb_shape_conc(r, sh->me[m], cv);
        for (size_t c = 0; c < nc && !rc; c++)
            rc = plot_spectrum(dir, pdir, r, sh, sh->me[m], cv[c], gp, ps, fallbacks);
    }
    if (!rc && !faults)
        rc = rb_plot_bars(pdir, r, sh, gp, ps);
    if (!rc)
        rc = rb_plots_faults(pdir, r, sh, gp, ps);
    for (size_t m = 0; m < sh->nme && !faults && !rc; m++)
        rc = rb_plot_entries(pdir, r, sh, sh->me[m], gp, ps) ||
             rb_plot_conc(pdir, r, sh, sh->me[m], gp, ps) ? RB_EIO : 0;
    if (fclose(gp) != 0)
        rc = RB_EIO;
    if (rc && !ps->note[0])
        snprintf(ps->note, sizeof ps->note, "the plot data could not be written");
    return rc ? RB_EIO : 0;
}

/* Run gnuplot on load.gp; the note says what did not come out. */
static void draw_load(const char *gnuplot, const char *pdir, rb_plots *ps)
{
    if (!ps->load_written || ps->load_note[0])
        return;
    if (!gnuplot) {
        snprintf(ps->load_note, sizeof ps->load_note, "gnuplot was not found, so these plots "
                 "were not drawn (`gnuplot load.gp` in plots/ draws them)");
        return;
    }
    int st = rb_gnuplot_run_script(gnuplot, pdir, "load.gp", "load-gnuplot.log");
    if (st)
        snprintf(ps->load_note, sizeof ps->load_note, "gnuplot failed on load.gp (exit status "
                 "%d); its messages are in plots/load-gnuplot.log", st);
}

/* Run gnuplot on plots.gp; ps->note says what did not come out. */
static void draw_main(const char *gnuplot, const char *pdir, rb_plots *ps, int fallbacks)
{
    if (!gnuplot) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot was not found, so no plot was drawn. Install it (Debian: "
                 "`apt-get install gnuplot-nox`) and run `rpcbench report` on this folder again, "
                 "or run `gnuplot plots.gp` in plots/.");
        fprintf(stderr, "rpcbench report: gnuplot not found; plots skipped\n");
        return;
    }
    int st = rb_gnuplot_run(gnuplot, pdir);
    if (st != 0) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot failed (exit status %d); its messages are in plots/gnuplot.log.", st);
        fprintf(stderr, "rpcbench report: gnuplot failed (exit %d), see %s/gnuplot.log\n", st, pdir);
    } else {
        ps->ran = 1;
    }
    if (fallbacks)
        snprintf(ps->note + strlen(ps->note), sizeof ps->note - strlen(ps->note),
                 "%s%d latency curve%s drawn from the summary percentiles because the "
                 "scenario's hgrm file was missing or unreadable.",
                 ps->note[0] ? " " : "", fallbacks, fallbacks == 1 ? " is" : "s are");
}

int rb_plots_make(const char *dir, const rb_results *r, const rb_shape *sh, rb_plots *ps)
{
    char pdir[4096], gnuplot[4096];
    int fallbacks = 0;

    memset(ps, 0, sizeof *ps);
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (mkdir(pdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "rpcbench report: cannot create %s: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "the plots folder could not be created");
        return RB_EIO;
    }
    int rc = write_main(dir, pdir, r, sh, ps, &fallbacks);
    /* The "Under load" charts (not in a fault run, whose report has no such section). */
    if (!rb_results_has_faults(r) && rb_results_has_under_load(r))
        (void)rb_rate_plots_write(pdir, r, sh, ps);
    int have_gp = rb_gnuplot_find(gnuplot, sizeof gnuplot) == 0;
    if (rc == 0)
        draw_main(have_gp ? gnuplot : NULL, pdir, ps, have_gp ? fallbacks : 0);
    draw_load(have_gp ? gnuplot : NULL, pdir, ps);
    for (size_t i = 0; i < ps->n; i++)
        if (ps->p[i].script == RB_SCRIPT_LOAD || (rc == 0 && have_gp))
            ps->p[i].ok = rb_file_nonempty(pdir, ps->p[i].name, "svg") &&
                          rb_file_nonempty(pdir, ps->p[i].name, "png");
    return rc;
}
