/* write_sections.h - the parts of results.json beside the scenarios,
 * written from the model: the "slo" list, the "environment" manifest with
 * its parameters and transport descriptors, and the "codecs" list. Private
 * to bench/results/ (results.c calls it). Every function returns a new
 * reference (NULL only when out of memory). Keys: docs/results-schema.md.
 */
#ifndef RB_WRITE_SECTIONS_H
#define RB_WRITE_SECTIONS_H

#include <jansson.h>

#include "measure/envinfo.h"
#include "results/model.h"

/* results.json's "slo" list: one object per entry e[0..n):
 *   { "transport", "method", "entries", "concurrency", "percentile" ("p99"),
 *     "percentile_value", "bound_us", "rounds", "confirm_runs",
 *     "confirmed_rounds", "max_rate_cps": {"median","lo","hi"}, "capped",
 *     "ceiling", "floor", "start_cps": {...},
 *     "confirm": { "rate_cps": {"target","achieved"}, "latency_us",
 *                  "service_time_us", "send_lag_us", "calls", "failures",
 *                  "value_us" },
 *     "per_round": [ { "round", "start_cps", "max_rate_cps", "searched_cps",
 *                      "confirm_tries", "fail_rate_cps", "capped", "ceiling",
 *                      "floor", "steps": [ { "rate_cps", "achieved_cps",
 *                      "value_us", "p50_us", "p99_us", "p99_9_us",
 *                      "failures", "pass" } ],
 *                      "confirm": null | { the open-loop keys of a round,
 *                      "calls", "failures", "latency_us", "duration_s",
 *                      "value_us", "pass" } } ] } */
json_t *rb_slo_list_json(const rb_slo_rec *e, size_t n);

/* results.json's "environment": the manifest m (cpu, cores, kernel,
 * compiler, git_commit, host, started_utc, libraries, transports: each
 * one's descriptor, descriptor.h), then "parameters" from p. m or p NULL:
 * those keys are left out. */
json_t *rb_env_json(const rb_manifest *m, const rb_params *p);

/* results.json's "codecs" list: one object per cell c[0..n) (codecs/codecs.h
 * says what each key holds). */
json_t *rb_codecs_json(const rb_codec_rec *c, size_t n);

#endif
