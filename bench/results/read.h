/* read.h - results.json read into the model (model.h): rb_results.
 *
 * The one reader of results.json (schema 1 and 2; docs/results-schema.md).
 * Null figures become NAN; names are checked before they reach file names,
 * gnuplot scripts or markdown; each transport's descriptor comes from the
 * run's environment.transports, else from this build's table
 * (descriptor.h).
 */
#ifndef RB_READ_H
#define RB_READ_H

#include <jansson.h>
#include <stddef.h>

#include "results/model.h"

/* Read `path`: a results folder (reads path/results.json) or a results.json
 * file. On success fills *out (free with rb_results_free) and returns 0.
 * Errors (message on stderr): RB_EINVAL (path too long), RB_EIO (cannot
 * read), RB_EPROTO (not JSON, a schema other than 1 or 2, or a scenario
 * without transport/method/concurrency), RB_ENOMEM. On error *out is left
 * empty. */
int rb_results_read(const char *path, rb_results *out);

/* An rb_results holding only the encodings' cells cells[0..n) (as
 * rb_codecs_measure returns them; copied, their strings borrowed: they
 * must outlive *out). RB_OK or RB_ENOMEM (*out empty). */
int rb_results_from_codecs(const rb_codec_rec *cells, size_t n, rb_results *out);

/* Free what rb_results_read allocated; accepts an empty or freed struct. */
void rb_results_free(rb_results *r);

/* The folder of a results path: `path` itself when it is a directory, its
 * dirname when it names a file. Writes at most cap bytes (NUL included) into
 * buf. Returns 0, or RB_ETOOBIG when it does not fit. */
int rb_results_dir(const char *path, char *buf, size_t cap);

#endif
