/* rate_plots.h - the charts of report.md's "Under load" section, in their
 * own script plots/load.gp (drawn by the same chart machinery, chart.h):
 *   load-curve-METHOD: p50, p99 and p99.9 against offered rate, one line
 *     per transport (--rate scenarios, and the SLO search's steps as points);
 *   load-timeline-*: offered and achieved rate and p99 over time, failures
 *     marked (open-loop runs per rate, SLO confirmations; closed loop at
 *     the most connections when there is nothing else).
 */
#ifndef RB_RATE_PLOTS_H
#define RB_RATE_PLOTS_H

#include <stddef.h>

#include "plots/chart.h"
#include "results/model.h"

/* 1 when r has an "Under load" section: an open-loop scenario, an SLO
 * search, or a scenario whose first round has a timeline. */
int rb_results_has_under_load(const rb_results *r);

/* Write pdir/load.gp and its .dat files for r, adding each chart to ps
 * (script RB_SCRIPT_LOAD); a transport's line has its colour of the other
 * charts (rb_plot_colour with sh). ps->load_note gets a sentence when the
 * files cannot be written. Returns 0, or RB_EIO when a file could not be
 * written. */
int rb_rate_plots_write(const char *pdir, const rb_results *r, const rb_shape *sh, rb_plots *ps);

#endif
