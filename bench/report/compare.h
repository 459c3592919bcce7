/* compare.h - `rpcbench compare A B`: how run B differs from run A.
 *
 * For every scenario (transport, method, entries, concurrency) present in both
 * runs it prints the ratio B/A of p50, p99, throughput and wire bytes per call
 * and marks a change as real only when the two runs' round spreads
 * (lowest..highest round) do not overlap. With a single round there is no
 * spread, and no change is called real.
 */
#ifndef RB_COMPARE_H
#define RB_COMPARE_H

#include <stdio.h>

#include "results/read.h"

/* Verdict on one figure of one scenario. */
typedef enum rb_change {
    RB_CHANGE_UNKNOWN = 0, /* a figure or its spread is missing */
    RB_CHANGE_NOISE,       /* spreads overlap: not a real change */
    RB_CHANGE_REAL         /* spreads are disjoint */
} rb_change;

/* Ratio b/a into *ratio (may be NULL; NAN when either is NAN or a is 0) and
 * the verdict from the two spreads (rb_spread_overlap). */
rb_change rb_compare_figure(double a, rb_spread as, double b, rb_spread bs, double *ratio);

/* Print the comparison of two loaded runs to out: one line per scenario of a
 * also in b, then a summary line. Returns the number of common scenarios. */
int rb_compare_print(FILE *out, const char *name_a, const rb_results *a,
                     const char *name_b, const rb_results *b);

/* `rpcbench compare A B`: argv[0] is "compare", A and B results folders or
 * results.json files. Prints to stdout. Returns a process exit code: 0 done
 * (at least one common scenario), 1 a run could not be read or they share no
 * scenario, 2 usage. */
int rb_compare_main(int argc, char **argv);

#endif
