/* under_load.h - report.md's "Under load" section: open loop, the SLO
 * search and latency over time, from the model (model.h: rb_scen_rec with
 * open set, rb_slo_rec, the rounds' timelines). It writes:
 *   - the SLO table: per transport, method and entries the highest offered
 *     rate within the bound (median and spread over rounds), the confirming
 *     run's figures, beside the closed-loop throughput and p99;
 *   - corrected against uncorrected latency of every open-loop run (latency
 *     from the intended send time next to service time from the actual send)
 *     with the send lag and the schedule flags;
 *   - the links to the charts of plots/load.gp (plots/rate_plots.h).
 * Nothing is written when the run had no open loop, no SLO and no timeline.
 */
#ifndef RB_UNDER_LOAD_H
#define RB_UNDER_LOAD_H

#include <stdio.h>

#include "plots/plots.h"
#include "results/model.h"

/* Write the section for run r to md (report.md being written), linking the
 * charts of ps (script RB_SCRIPT_LOAD) that came out. */
void rb_report_under_load(FILE *md, const rb_results *r, const rb_plots *ps);

#endif
