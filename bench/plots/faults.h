/* faults.h - the timeline chart of each fault kind of a `run --fault` run:
 * ok calls (% of the rate before the fault) and p99 per 100 ms, first
 * round, the fault at 0. */
#ifndef RB_PLOTS_FAULTS_H
#define RB_PLOTS_FAULTS_H

#include <stdio.h>

#include "plots/chart.h"
#include "results/model.h"

/* 1 when any scenario of r has a fault object (a `run --fault` run). */
int rb_results_has_faults(const rb_results *r);

/* fault_KIND.dat in pdir and its block on gp (plots.gp) for each fault
 * kind of r, added to ps; a transport has its colour of the other charts
 * (sh: r's shape). Returns 0, or RB_EIO when a file cannot be written.
 * Nothing when r has no fault. */
int rb_plots_faults(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                    rb_plots *ps);

#endif
