/* report_load_plots.h - between report_load.c and report_load_plots.c:
 * the plots of the "Under load" section and the results.json readers both
 * use. Not a public interface. */
#ifndef RB_REPORT_LOAD_PLOTS_H
#define RB_REPORT_LOAD_PLOTS_H

#include <jansson.h>
#include <stddef.h>

#include "report/shape.h"

#define RB_LOAD_MAXPLOTS 24

/* The plots written to plots/load.gp. */
typedef struct rb_load_made {
    char name[RB_LOAD_MAXPLOTS][96];    /* file name without extension */
    char title[RB_LOAD_MAXPLOTS][160];  /* caption */
    size_t n;
} rb_load_made;

/* Write pdir/load.gp and its .dat files for root (results.json), listing
 * each plot in *mk, then run gnuplot (NULL: none) on it; a transport's
 * line has its colour of the other plots (rb_plot_colour with sh). note
 * (cap bytes) gets a sentence when plots are missing, else "". Returns 0,
 * or RB_EIO when a file could not be written. */
int rb_load_plots(const char *pdir, const json_t *root, const rb_shape *sh, const char *gnuplot,
                  rb_load_made *mk, char *note, size_t cap);

/* results.json readers (report_load.c). */
double rb_lj_num(const json_t *o, const char *k);                 /* NAN unless a number */
double rb_lj_num2(const json_t *o, const char *a, const char *b); /* o.a.b */
const char *rb_lj_str(const json_t *o, const char *k);            /* "" unless a string */
int rb_lj_is_open(const json_t *scenario);                        /* "loop": "open" */
int rb_lj_plain(const char *name);     /* letters, digits, - _ . only (file names, gnuplot) */
int rb_lj_same_entries(const json_t *a, const json_t *b);         /* both null or equal */
const json_t *rb_lj_timeline0(const json_t *o); /* per_round[0].timeline, NULL when empty */

#endif
