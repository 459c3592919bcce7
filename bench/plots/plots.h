/* plots.h - the charts of a report: data, gnuplot scripts, SVG and PNG in
 * DIR/plots (README.md of this folder says what it owns). */
#ifndef RB_PLOTS_H
#define RB_PLOTS_H

#include "plots/chart.h"
#include "plots/shape.h"
#include "results/model.h"

/* Write dir/plots/ for run r of shape sh: plots.gp with its NAME.dat (the
 * latency spectra, bars and lines; a fault run: the fault timelines only)
 * and, when the run has open-loop scenarios, an SLO search or timelines
 * (and no fault), load.gp with its own (rate_plots.h); then run gnuplot on
 * each. *ps gets every chart, whether it came out, and notes on what is
 * missing. gnuplot missing or failing is not an error (the notes say so).
 * Returns 0, or RB_EIO when the data could not be written. */
int rb_plots_make(const char *dir, const rb_results *r, const rb_shape *sh, rb_plots *ps);

#endif
