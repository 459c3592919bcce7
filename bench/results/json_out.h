/* json_out.h - the pieces of results.json the writers share: numbers
 * (null when not finite), latency objects, the validity checks, the
 * machine's state and the timeline of a round. Every function returns a
 * new reference (NULL only when out of memory). Keys: docs/results-schema.md.
 */
#ifndef RB_JSON_OUT_H
#define RB_JSON_OUT_H

#include <jansson.h>

#include "results/model.h"

/* x as a JSON real, or null when x is NAN or infinite (json_real refuses
 * those, and a NULL member would drop the key). The one such helper. */
json_t *rb_json_num(double x);

/* x as a JSON integer (a count held in a double), or null when NAN. */
json_t *rb_json_count(double x);

/* The latency object of l (µs): min, p50, p90, p99, p99_9, max, mean,
 * stddev; every figure null when none != 0. */
json_t *rb_latency_json(const rb_latency *l, int none);

/* [lo, hi] of a spread. */
json_t *rb_spread_json(rb_spread s);

/* {"median","lo","hi"} of a ratio, or null when its median is unknown. */
json_t *rb_ratio_json(rb_ratio q);

/* {kind: count} for every failure kind (rb_fail_kind_name). */
json_t *rb_failures_json(const double *f);

/* The validity checks of one round: flags, stationarity, tail, littles_law. */
json_t *rb_round_validity_json(const rb_round *r);

/* The "cpu_method" object of one round. */
json_t *rb_round_cpu_method_json(const rb_round *r);

/* {"before": {...}, "after": {...}, "steal_fraction", "loadavg_1m",
 *  "own_cpu_us", "others_fraction", "steal_max", "others_max",
 *  "flags": ["steal"|"others"], "interference": bool}. */
json_t *rb_machine_json(const rb_machine *before, const rb_machine *after,
                        const rb_interference *in);

/* The JSON array of timeline points (measure/timeline.h). open_loop adds
 * "offered" and the send lag figures to every point. */
json_t *rb_timeline_json(const rb_tl_point *p, size_t n, int open_loop);

#endif
