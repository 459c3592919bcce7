/* results.h - a run's results written: results.json, results.csv,
 * hgrm/<scenario>.hgrm and the terminal's table.
 *
 * The folder bench/results/ owns results.json in both directions (README.md
 * there): the model (model.h), this writer, and the reader (read.h). The
 * runner fills rb_scenario / rb_round (model.h), rb_summarise summarises
 * them, rb_results_write writes the folder. docs/results-schema.md
 * describes every key.
 */
#ifndef RB_RESULTS_H
#define RB_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "results/csv.h"
#include "results/model.h"

/* Summarise sc[0..n) into out[0..n) (ratios to each one's floor twin).
 * out's t point at sc's tables. */
void rb_summarise(const rb_scenario *sc, size_t n, rb_summary *out);

/* Write dir/results.json (schema RB_RESULTS_SCHEMA), dir/results.csv and
 * dir/hgrm/<scenario>.hgrm from sc[0..n) and their summaries sum[0..n);
 * scenarios no round of which ran are left out. complete: 0 when the run
 * was interrupted (written as "complete": false).
 * env: the environment manifest with "parameters" set (borrowed).
 * extra: an object whose members are added at results.json's top level
 * (e.g. "codecs"), borrowed; NULL for none.
 * Sorts each scenario's `all` samples. RB_OK or RB_EIO (message on stderr). */
int rb_results_write(const char *dir, json_t *env, rb_scenario *sc, const rb_summary *sum,
                     size_t n, int complete, json_t *extra);

/* How each figure is summarised over threads and rounds (results.json's
 * "aggregation"); new reference. */
json_t *rb_results_aggregation(void);

#endif
