/* plots_int.h - what the chart writers (plots.c, plots_bars.c,
 * plots_lines.c) share: the chart emitter, the data files, the colours.
 * Not used outside the plots. */
#ifndef RB_PLOTS_INT_H
#define RB_PLOTS_INT_H

#include <stdio.h>

#include "plots/plots.h"

/* Default chart size, pixels (SVG and PNG alike). */
#define RB_CHART_W 900
#define RB_CHART_H 540

/* One chart being written: its gnuplot commands go to f (a memory
 * stream), and rb_chart_end writes them to plots.gp twice, for SVG and for
 * PNG (replot cannot redraw a multiplot). */
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
 * a grid, the key outside right, then the commands. Frees the buffer.
 * Returns 0, or RB_EIO. */
int rb_chart_end(FILE *gp, rb_chart *c);

/* Add a chart (title: report.md's caption) to ps; NULL when ps is full. */
rb_plot *rb_plot_add(rb_plots *ps, const char *title, const char *name);

/* pdir/NAME.dat opened for writing, or NULL. */
FILE *rb_plot_dat(const char *pdir, const char *name);

/* " v" with 6 significant digits, or " n/a" when v is NAN. Charts set
 * `set datafile missing 'n/a'`. */
void rb_dat_val(FILE *d, double v);

/* Transport tr's colour, the same in every chart: "#rrggbb" by its place
 * in the display order. */
const char *rb_plot_colour(const rb_shape *sh, const char *tr);

/* "1 client" / "4 clients" into b (32 bytes). */
const char *rb_clients(char *b, long n);

/* The charts of each kind; each returns 0 or RB_EIO (data not written). */
int rb_plot_bars(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                 rb_plots *ps);
int rb_plot_entries(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                    FILE *gp, rb_plots *ps);
int rb_plot_conc(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                 FILE *gp, rb_plots *ps);

#endif
