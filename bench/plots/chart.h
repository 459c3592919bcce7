/* chart.h - the one chart machinery of the plots: every chart (plots.gp's
 * and load.gp's alike) is NAME.dat plus a block of a gnuplot script that
 * draws NAME.svg and NAME.png, listed in an rb_plots for report.md. A
 * missing value is written RB_DAT_MISSING in every .dat, and every chart
 * sets `set datafile missing 'n/a'`. A transport has the same colour in
 * every chart. */
#ifndef RB_PLOTS_CHART_H
#define RB_PLOTS_CHART_H

#include <stdio.h>

#include "plots/shape.h"

#define RB_MAXPLOTS 64
#define RB_DAT_MISSING "n/a"   /* README: a figure not measured is n/a */

/* Default chart size, pixels (SVG and PNG alike). */
#define RB_CHART_W 900
#define RB_CHART_H 540

/* Which script, and which section of report.md, a chart belongs to. */
typedef enum rb_plot_script {
    RB_SCRIPT_MAIN = 0,     /* plots.gp: "Plots" (and "Faults") */
    RB_SCRIPT_LOAD,         /* load.gp: "Under load" */
} rb_plot_script;

typedef struct rb_plot {
    char name[96];          /* file name without extension */
    char title[256];        /* caption in report.md */
    rb_plot_script script;
    int ok;                 /* both .svg and .png came out */
} rb_plot;

typedef struct rb_plots {
    rb_plot p[RB_MAXPLOTS];
    size_t n;
    int ran;                /* gnuplot ran and exited 0 on plots.gp */
    char note[512];         /* why plots are missing, for report.md */
    int load_written;       /* load.gp was written (the run has an "Under load") */
    char load_note[256];    /* the same for load.gp's plots ("" none) */
} rb_plots;

/* One chart being written: its gnuplot commands go to f (a memory
 * stream), and rb_chart_end writes them to the script twice, for SVG and
 * for PNG (replot cannot redraw a multiplot). */
typedef struct rb_chart {
    FILE *f;                /* write the chart's commands here */
    char *buf;
    size_t len;
    char name[96];          /* file name without extension */
    int w, h;               /* pixels */
} rb_chart;

/* Start chart `name` of w x h pixels. Returns c->f, or NULL (no memory). */
FILE *rb_chart_begin(rb_chart *c, const char *name, int w, int h);

/* Write the chart to gp: for each terminal, reset, the terminal and output,
 * a grid, the key outside right, the missing-value marker, then the
 * commands. Frees the buffer. Returns 0, or RB_EIO. */
int rb_chart_end(FILE *gp, rb_chart *c);

/* Add a chart (title: report.md's caption) of script s to ps; NULL when ps
 * is full. */
rb_plot *rb_plot_add(rb_plots *ps, const char *title, const char *name, rb_plot_script s);

/* The charts of script s in ps. */
size_t rb_plot_count(const rb_plots *ps, rb_plot_script s);

/* pdir/NAME (a file name with its extension) opened with mode, or NULL. */
FILE *rb_plot_open(const char *pdir, const char *name, const char *mode);

/* pdir/NAME.dat opened for writing, or NULL. */
FILE *rb_plot_dat(const char *pdir, const char *name);

/* " v" with 6 significant digits, or " n/a" when v is NAN. */
void rb_dat_val(FILE *d, double v);

/* " v" with 3 decimals, or " n/a" when v is not finite. */
void rb_dat_fixed(FILE *d, double v);

/* Transport tr's colour, the same in every chart: "#rrggbb" by its place
 * in the display order. */
const char *rb_plot_colour(const rb_shape *sh, const char *tr);

/* "1 client" / "4 clients" into b (32 bytes). */
const char *rb_clients(char *b, long n);

#endif
