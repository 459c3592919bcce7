/* report_faults.h - report.md's "Faults" section, from the fault records
 * of the model (model.h); its charts are plots/faults.h's. */
#ifndef RB_REPORT_FAULTS_H
#define RB_REPORT_FAULTS_H

#include <stdio.h>

#include "plots/plots.h"
#include "results/model.h"

/* The "Faults" section on o: per fault kind and transport the calls in
 * each class, failures by kind and recovery times, then the timeline plots
 * of ps that came out. Nothing when r has no fault. */
void rb_report_faults_md(FILE *o, const rb_results *r, const rb_plots *ps);

#endif
