/* csv.h - results.csv and the terminal's comparison table, from the
 * summaries (model.h). */
#ifndef RB_CSV_H
#define RB_CSV_H

#include <stdio.h>

#include "results/model.h"

/* Write results.csv at path: one row per scenario of sc[0..n) that ran,
 * the figures of its summary sum[i]. RB_OK or RB_EIO. */
int rb_csv_write(const char *path, const rb_scenario *sc, const rb_summary *sum, size_t n);

/* The comparison table on f: one line per scenario. */
void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n);

#endif
