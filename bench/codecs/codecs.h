/* codecs.h (bench) - what each encoding costs (`rpcbench codecs`, and
 * every run's results.json "codecs"; the command is cli/commands.h's).
 *
 * For every encoding of the build (services/rb_codec.h, rb_codecs[]), every
 * message of the contract and every entry count, measures in this process
 * with the stack's own library: the encoded size, and the CPU time of one
 * encode and of one decode (CLOCK_THREAD_CPUTIME_ID, µs per message, the
 * median of RB_CODECS_REPS repetitions of enough iterations to fill the
 * cell's time budget). Every decode is checked against the input (fib: the
 * number; objects: entry count and sum of values every time, the exact
 * pattern once), so a codec that decodes wrong reports an error, never a
 * time.
 */
#ifndef RB_BENCH_CODECS_H
#define RB_BENCH_CODECS_H

#include <stddef.h>

#include "results/model.h"

#define RB_CODECS_REPS 5            /* repetitions per cell; the median is reported */
#define RB_CODECS_BUDGET_S 0.05     /* default CPU seconds per cell (encode + decode) */

/* Measure every encoding for the entry counts entries[0..n) (each
 * 0..10,000,000; fib's messages are measured once, with fib_n, 0..92),
 * spending about budget_s CPU seconds per cell (0.001..10; a slow cell
 * still runs RB_CODECS_REPS iterations). Prints one progress line per
 * encoding to stderr when verbose is 1.
 * On success *out is a malloc'd array (the caller frees it with free()) of
 * *ncells cells of the results model (model.h's rb_codec_rec: results.json
 * "codecs"; its strings are static), one per encoding x message x entry
 * count:
 *   encoding "MessagePack", library "msgpack-c 4.0.0", method "getObj",
 *   message "reply", entries 100 (has_entries 0 for fib), fib_n 30
 *   (has_fib_n 0 for objects), bytes 1093, encode_us 2.1, decode_us 3.4
 *   (µs per message), iterations 2000, repetitions 5, error NULL or
 *   "decoded value differs from the input" (bytes and times then mean
 *   nothing and are written as null).
 * *failed (may be NULL) is set to the number of cells with an error.
 * Returns RB_OK, RB_ENOMEM, or RB_EIO when a codec cannot open (*out NULL,
 * *ncells 0). */
int rb_codecs_measure(const long *entries, size_t n, int fib_n, double budget_s, int verbose,
                      rb_codec_rec **out, size_t *ncells, int *failed);

#endif
