/* results.h - a run's results written: results.json, results.csv,
 * hgrm/<scenario>.hgrm and the terminal's tables (csv.h).
 *
 * The folder bench/results/ owns results.json in both directions (README.md
 * there): the model (model.h), this writer, and the reader (read.h). The
 * runner fills rb_scenario / rb_round (model.h), rb_summarise summarises
 * them; the SLO search, the fault layer, the encodings' measurement, the
 * manifest (measure/envinfo.h) and the command line fill their records of
 * the model; rb_results_write writes the folder from all of them. No JSON
 * is built anywhere else. docs/results-schema.md describes every key.
 */
#ifndef RB_RESULTS_H
#define RB_RESULTS_H

#include <stdio.h>

#include "measure/envinfo.h"
#include "results/csv.h"
#include "results/model.h"

/* Summarise sc[0..n) into out[0..n) (ratios to each one's floor twin).
 * out's t point at sc's tables. */
void rb_summarise(const rb_scenario *sc, size_t n, rb_summary *out);

/* What rb_results_write writes. Everything is borrowed. */
typedef struct rb_results_out {
    rb_scenario *sc;           /* n scenarios; those no round of which ran
                                  are left out; each one's `all` samples
                                  get sorted */
    const rb_summary *sum;     /* their summaries (rb_summarise) */
    size_t n;
    int complete;              /* 0: the run was interrupted ("complete": false) */
    const rb_manifest *env;    /* the environment; NULL: none of its keys */
    const rb_params *params;   /* environment.parameters; NULL: no key */
    const rb_codec_rec *codecs; /* "codecs": ncodecs cells, when has_codecs */
    size_t ncodecs;
    int has_codecs;
    const rb_slo_rec *slo;     /* "slo": nslo entries; no key when nslo is 0 */
    size_t nslo;
} rb_results_out;

/* Write dir/results.json (schema RB_RESULTS_SCHEMA: "schema", "complete",
 * "aggregation", "environment", "codecs", "slo", "scenarios", in that
 * order), dir/results.csv and dir/hgrm/<scenario>.hgrm from *o.
 * RB_OK or RB_EIO (message on stderr). */
int rb_results_write(const char *dir, const rb_results_out *o);

/* Write {"codecs": [...]} (the cells c[0..n), as results.json has them) to
 * the file at path. RB_OK or RB_EIO (message on stderr). */
int rb_codecs_write(const char *path, const rb_codec_rec *c, size_t n);

#endif
