/* report_faults.h - report.md's "Faults" section and its timeline plots,
 * from the `fault` objects of results.json (fault_run.h writes them). */
#ifndef RB_REPORT_FAULTS_H
#define RB_REPORT_FAULTS_H

#include <stdio.h>

#include "plots/plots.h"
#include "results/results.h"

/* 1 when any scenario of r carries a `fault` object (a `run --fault` run). */
int rb_report_has_faults(const rb_results *r);

/* The timeline plot of each fault kind: NAME.dat in pdir and its block on
 * gp (plots.gp), added to ps; a transport has its colour of the other
 * plots (sh: r's shape). Returns 0, or RB_EIO when a file cannot be
 * written. Nothing when r has no fault. */
int rb_plots_faults(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                    rb_plots *ps);

/* The "Faults" section on o: per fault kind and transport the calls in
 * each class, failures by kind and recovery times, then the timeline plots
 * of ps that came out. Nothing when r has no fault. */
void rb_report_faults_md(FILE *o, const rb_results *r, const rb_plots *ps);

#endif
