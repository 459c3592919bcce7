/* slo_run.h - `rpcbench run --slo pNN=BOUND`: the SLO search (slo.h) of
 * each transport, method and entries value against the run's servers, in
 * every round, and what results.json and the terminal get from it.
 *
 * Every step of the search is a short open-loop run (--slo-step seconds,
 * a short warm-up, the run's largest --concurrency as connections, the
 * run's --arrivals); the first rate tried is the closed-loop throughput of
 * the same scenario in the same round (a short closed-loop run when there
 * is none), the rate at which the stack saturates. The rate found is then
 * confirmed by a full-length open-loop run (--duration or --calls, the
 * full warm-up), whose figures and timeline are kept.
 *
 * results.json's top-level "slo" list, one entry per transport x method x
 * entries:
 *   { "transport", "method", "entries", "concurrency", "percentile" ("p99"),
 *     "percentile_value", "bound_us", "rounds", "confirm_runs" (rounds in
 *     which a rate passed and was run again), "confirmed_rounds" (of those,
 *     the ones whose confirming run passed too),
 *     "max_rate_cps": { "median", "lo", "hi" }, "capped", "ceiling", "floor",
 *     "start_cps": median closed-loop throughput the search started from,
 *     "confirm": { "rate_cps": {"target","achieved"}, "latency_us",
 *                  "service_time_us", "send_lag_us" (medians over rounds),
 *                  "calls", "failures" (sums) },
 *     "per_round": [ { "round", "start_cps", "max_rate_cps", "fail_rate_cps",
 *                      "capped", "ceiling", "floor",
 *                      "steps": [ { "rate_cps", "achieved_cps", "value_us",
 *                                   "p50_us", "p99_us", "p99_9_us", "failures",
 *                                   "pass" } ],
 *                      "confirm": { per_round figures of an open-loop round,
 *                                   "value_us", "pass", "timeline" } } ] }
 */
#ifndef RB_SLO_RUN_H
#define RB_SLO_RUN_H

#include <stdio.h>

#include "results/results.h"
#include "load/slo.h"
#include "proc/servers.h"
#include "run/run_cfg.h"

/* Points of the load curve: offered rates knee/2^(N-2) ... knee, knee x sqrt 2. */
#define RB_SLO_SWEEP_POINTS 6

typedef struct rb_slo_entry {
    const rb_transport *t;
    rb_method method;
    long entries;              /* -1 for fib */
    int concurrency;           /* connections of every step */
    int nrounds;
    rb_slo_result *res;        /* per round */
    double *start_cps;         /* per round: the first rate tried */
    int *searched;             /* per round: 1 once the search ran */
    rb_scenario confirm;       /* the confirming runs, one round each */
    rb_slo_point sweep[RB_SLO_SWEEP_POINTS]; /* the load curve (last round), */
    int nsweep;                /* by ascending offered rate */
} rb_slo_entry;

/* One entry per transport x --slo-methods x entries value of cfg (fib
 * once), in that order, into *out (*n of them; free with
 * rb_slo_entries_free). Nothing (NULL, 0) without --slo. RB_OK or
 * RB_ENOMEM. */
int rb_slo_entries_make(const rb_run_cfg *cfg, rb_slo_entry **out, size_t *n);

/* Free the entries and what their rounds hold; NULL ok. */
void rb_slo_entries_free(rb_slo_entry *e, size_t n);

/* Search and confirm entry e in round `round` against server sp, the
 * transport `position`-th in this round's order. start_cps: the closed-loop
 * throughput to start from, or <= 0 to measure one. Stops early when the
 * run is interrupted. */
void rb_slo_run_round(const rb_run_cfg *cfg, rb_slo_entry *e, int round, int position,
                      double start_cps, const rb_server_proc *sp);

/* The results model's records of e[0..n) (model.h's rb_slo_rec: what
 * results.json's "slo" list holds), into *out (free with
 * rb_slo_records_free; the confirming runs' timelines are borrowed from
 * e, which must outlive them). RB_OK or RB_ENOMEM (*out NULL). */
int rb_slo_records(const rb_run_cfg *cfg, const rb_slo_entry *e, size_t n, rb_slo_rec **out);

/* Free records made by rb_slo_records; NULL ok. */
void rb_slo_records_free(rb_slo_rec *s, size_t n);

/* The SLO table on f (nothing when n is 0). */
void rb_slo_print_table(FILE *f, const rb_run_cfg *cfg, const rb_slo_entry *e, size_t n);

#endif
