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

#include <jansson.h>
#include <stddef.h>

#define RB_CODECS_REPS 5            /* repetitions per cell; the median is reported */
#define RB_CODECS_BUDGET_S 0.05     /* default CPU seconds per cell (encode + decode) */

/* Measure every encoding for the entry counts entries[0..n) (each
 * 0..10,000,000; fib's messages are measured once, with fib_n, 0..92),
 * spending about budget_s CPU seconds per cell (0.001..10; a slow cell
 * still runs RB_CODECS_REPS iterations). Prints one progress line per
 * encoding to stderr when verbose is 1.
 * Returns a new JSON array (the caller owns it; results.json "codecs"), one
 * object per cell:
 *   { "encoding": "MessagePack", "library": "msgpack-c 4.0.0",
 *     "method": "getObj", "message": "reply", "entries": 100 | null (fib),
 *     "fib_n": 30 | null, "bytes": 1093, "encode_us": 2.1, "decode_us": 3.4,
 *     "iterations": 2000, "repetitions": 5,
 *     "error": null | "decoded value differs from the input" }
 * encode_us / decode_us / bytes are null in a cell with an error. NULL
 * only when out of memory. *failed (may be NULL) is set to the number of
 * cells with an error. */
json_t *rb_codecs_measure(const long *entries, size_t n, int fib_n, double budget_s,
                          int verbose, int *failed);

#endif
