/* csv.h - results.csv and the terminal's tables: the comparison table
 * from the summaries (model.h), the open-loop table and its flags from the
 * scenarios. */
#ifndef RB_CSV_H
#define RB_CSV_H

#include <stdio.h>

#include "results/model.h"

/* Write results.csv at path: one row per scenario of sc[0..n) that ran,
 * the figures of its summary sum[i]. RB_OK or RB_EIO. */
int rb_csv_write(const char *path, const rb_scenario *sc, const rb_summary *sum, size_t n);

/* The comparison table on f: one line per scenario. */
void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n);

/* Print a line on f for every open-loop scenario whose schedule was not
 * kept in some round (the terminal's flag); returns how many. */
int rb_openloop_print_flags(FILE *f, const rb_scenario *sc, size_t n);

/* The open-loop table on f (nothing when no scenario is open): target and
 * achieved rate, latency from the intended send time, service time, send
 * lag, flags. */
void rb_openloop_print_table(FILE *f, const rb_scenario *sc, size_t n);

#endif
