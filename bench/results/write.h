/* write.h - results.json's scenarios written, and the pieces every part
 * of the writer shares: numbers (null when not finite), latency objects,
 * the validity checks, the machine's state, timelines, the open-loop keys,
 * a round's and a scenario's fault. Private to bench/results/ (and its
 * tests): everyone else hands the model to rb_results_write (results.h).
 * Every function returns a new reference (NULL only when out of memory).
 * Keys: docs/results-schema.md.
 *
 * Open-loop keys, per round (per_round[]):
 *   "timeline": [...]                              every round (timeline.h)
 *   open loop: "rate_cps": {"target","achieved"}, "offered", "unsent",
 *              "service_time_us": {...}, "send_lag_us": {...}, "schedule_flags": [...]
 * per scenario:
 *   "loop": "open"|"closed"
 *   open loop: "arrivals", "rate_cps": {"target","achieved"} (achieved: the
 *              median over rounds), "offered", "unsent" (sums),
 *              "service_time_us", "send_lag_us" (medians over rounds of each
 *              figure), "schedule_flags" (a flag of any round)
 *   closed loop: those keys are null.
 * schedule_flags (beside the validity "flags"): "rate_short" (achieved
 * below 99 % of target), "lag_grows" (the send lag grew over the run): the
 * schedule was not kept.
 */
#ifndef RB_WRITE_H
#define RB_WRITE_H

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

/* Add round r's timeline and (open != 0) open-loop keys to its object o. */
void rb_openloop_round_json(json_t *o, const rb_round *r, int open);

/* A round's "fault" object (with its timeline). */
json_t *rb_fault_round_json(const rb_fault_round *fr);

/* How each figure is summarised over threads and rounds (results.json's
 * "aggregation"). */
json_t *rb_results_aggregation(void);

/* One scenario of results.json: summary s of scenario raw, its open-loop
 * keys, its rounds that ran (per_round[]), its validity, its fault. */
json_t *rb_scenario_json(const rb_summary *s, const rb_scenario *raw);

#endif
