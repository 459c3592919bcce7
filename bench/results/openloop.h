/* openloop.h - the open-loop and timeline parts of results.json (the
 * writer's side; read.h reads them back into rb_scen_rec).
 *
 * Per round (per_round[]):
 *   "timeline": [...]                              every round (timeline.h)
 *   open loop: "rate_cps": {"target","achieved"}, "offered", "unsent",
 *              "service_time_us": {...}, "send_lag_us": {...}, "schedule_flags": [...]
 * Per scenario:
 *   "loop": "open"|"closed"
 *   open loop: "arrivals", "rate_cps": {"target","achieved"} (achieved: the
 *              median over rounds), "offered", "unsent" (sums),
 *              "service_time_us", "send_lag_us" (medians over rounds of each
 *              figure), "schedule_flags" (a flag of any round)
 *   closed loop: those keys are null.
 * schedule_flags (beside the validity "flags"): "rate_short" (achieved
 * below 99 % of target), "lag_grows" (the send
 * lag grew over the run): the schedule was not kept.
 */
#ifndef RB_OPENLOOP_H
#define RB_OPENLOOP_H

#include <jansson.h>

#include <stdio.h>

#include "results/model.h"

/* Add round r's keys to its per_round object o. */
void rb_openloop_round_json(json_t *o, const rb_round *r, int open);

/* Add scenario s's keys to its object o. */
void rb_openloop_scenario_json(json_t *o, const rb_scenario *s);

/* results.json's latency object of the medians over s's rounds of the
 * rb_latency at offset off of rb_round (null figures when no round has
 * samples). New reference. */
json_t *rb_openloop_latency_median(const rb_scenario *s, size_t off);

/* The flags of a round as a JSON array of strings (new reference). */
json_t *rb_openloop_flags_json(const rb_round *r);

/* Print a line on f for every open-loop scenario whose schedule was not
 * kept in some round (the terminal's flag); returns how many. */
int rb_openloop_print_flags(FILE *f, const rb_scenario *sc, size_t n);

/* The open-loop table on f (nothing when no scenario is open): target and
 * achieved rate, latency from the intended send time, service time, send
 * lag, flags. */
void rb_openloop_print_table(FILE *f, const rb_scenario *sc, size_t n);

#endif
