/* report_load.h - report.md's "Under load" section: open loop, the SLO
 * search and latency over time.
 *
 * From results.json (DESIGN.md; scenarios with "loop": "open", the
 * top-level "slo" list, per_round[].timeline) it writes:
 *   - the SLO table: per transport, method and entries the highest offered
 *     rate within the bound (median and spread over rounds), the confirming
 *     run's figures, beside the closed-loop throughput and p99;
 *   - corrected against uncorrected latency of every open-loop run (latency
 *     from the intended send time next to service time from the actual send)
 *     with the send lag and the schedule flags;
 *   - plots/load-curve-METHOD: p50, p99 and p99.9 against offered rate, one
 *     line per transport (from --rate scenarios and the SLO search's steps);
 *   - plots/load-timeline-*: offered and achieved rate and p99 over time,
 *     failures marked (open-loop runs, SLO confirmations; closed loop when
 *     there is nothing else).
 * The plots have their own script, plots/load.gp, next to plots.gp.
 * Nothing is written when the run had no open loop, no SLO and no timeline.
 */
#ifndef RB_REPORT_LOAD_H
#define RB_REPORT_LOAD_H

#include <jansson.h>
#include <stdio.h>

#include "report/shape.h"

/* Write the section to md (report.md being written) and its plots into
 * dir/plots (created by the caller). root is the results.json document
 * (borrowed). gnuplot is found as for the other plots (gnuplot.h); without
 * it the section says so and links no plot. sh: the run's shape, for each
 * transport's colour (the same as in the other plots). Returns 0, or
 * RB_EIO when a plot file cannot be written, RB_ENOMEM (the tables are
 * written anyway). */
int rb_report_load(FILE *md, const char *dir, const json_t *root, const rb_shape *sh);

#endif
