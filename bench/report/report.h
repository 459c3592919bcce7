/* report.h - turn a results folder into report.md and plots.
 *
 * A results folder holds results.json (docs/results-schema.md, written by
 * the runner) and hgrm/<scenario>.hgrm (HdrHistogram percentile text, values in
 * microseconds). rb_report_write() reads them and writes:
 *   DIR/report.md           tables, notes on overlapping spreads, "How to pick"
 *   DIR/plots/plots.gp      the gnuplot script (re-run it inside DIR/plots)
 *   DIR/plots/NAME.dat      the data the script plots
 *   DIR/plots/NAME.svg/png  the plots, linked from report.md
 *
 * The files: report_cli.c (this interface), report_md.c and pick.c
 * (report.md), under_load.c ("Under load"), report_faults.c ("Faults"),
 * report_codecs.c ("What each encoding costs"), fmt.c (numbers as text),
 * compare.c (`rpcbench compare`). They read the model (results/read.h,
 * results/model.h) and link the charts of plots/ (plots/plots.h).
 */
#ifndef RB_REPORT_H
#define RB_REPORT_H

/* Read dir/results.json (and the hgrm files it names) and write dir/report.md
 * and dir/plots/ (see the top of this file). gnuplot is found on PATH, or
 * taken from $RPCBENCH_GNUPLOT (empty: none); when it is missing or fails,
 * report.md is still written, says so, and links no missing plot. Returns 0,
 * or a negative RB_E* code (message on stderr): RB_EINVAL, RB_EIO, RB_EPROTO,
 * RB_ENOMEM. */
int rb_report_write(const char *dir);

/* `rpcbench report DIR`: argv[0] is "report", argv[1] the results folder (or
 * its results.json). Prints the path of report.md. Returns a process exit
 * code: 0 done, 1 failed, 2 usage. */
int rb_report_main(int argc, char **argv);

#endif
