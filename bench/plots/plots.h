/* plots.h - the charts of a report: data, gnuplot script, SVG and PNG in
 * DIR/plots. */
#ifndef RB_PLOTS_H
#define RB_PLOTS_H

#include "results/results.h"
#include "report/shape.h"

#define RB_MAXPLOTS 64

typedef struct rb_plot {
    char name[96];          /* file name without extension */
    char title[256];        /* caption in report.md */
    int ok;                 /* both .svg and .png came out */
} rb_plot;

typedef struct rb_plots {
    rb_plot p[RB_MAXPLOTS];
    size_t n;
    int ran;                /* gnuplot ran and exited 0 */
    char note[512];         /* why plots are missing, for report.md */
} rb_plots;

/* Write dir/plots/ (NAME.dat, plots.gp) for run r of shape sh and run
 * gnuplot there; *ps gets every chart, whether it came out, and a note on
 * what is missing. gnuplot missing or failing is not an error (the note says
 * so). Returns 0, or RB_EIO when the data could not be written. */
int rb_plots_make(const char *dir, const rb_results *r, const rb_shape *sh, rb_plots *ps);

#endif
