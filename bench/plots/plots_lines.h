/* plots_lines.h - lines against entries and against concurrency. */
#ifndef RB_PLOTS_LINES_H
#define RB_PLOTS_LINES_H

#include <stdio.h>

#include "plots/chart.h"
#include "results/model.h"

/* p50 and bytes against entries of method me (nothing with a single
 * entries value); blocks on gp, charts added to ps. 0 or RB_EIO. */
int rb_plot_entries(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                    FILE *gp, rb_plots *ps);

/* Throughput against concurrency of method me (nothing with a single
 * concurrency). 0 or RB_EIO. */
int rb_plot_conc(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                 FILE *gp, rb_plots *ps);

#endif
