/* slo.h - the highest offered rate within a latency bound (`--slo p99=1ms`).
 *
 * "How many calls/s does this stack take before p99 passes my budget?"
 * The search is a pure driver: it never runs a call itself. It asks a
 * measure callback for short open-loop runs at rates of its choosing and
 * brackets the answer, like mutilate's and Nighthawk's searches:
 *
 *   1. start at a given rate (the caller's guess: a closed-loop throughput
 *      estimate, or a rate the user gave);
 *   2. while every rate so far passed, grow geometrically (x growth) until
 *      one fails; while every rate so far failed, shrink (/ growth) until
 *      one passes or the floor min_cps is passed;
 *   3. bisect the bracket [highest pass, lowest fail] at its geometric mean
 *      until hi / lo <= 1 + precision (5 % by default), or the step cap;
 *      a rate that fails is measured again before it becomes an upper
 *      bound (up to `repeats` measurements, 3 by default, the majority
 *      decides: one noisy step on this machine would otherwise cap the
 *      search for good, since the bisection never looks above a failure);
 *   4. run the confirm callback (the caller's full-length run) at the
 *      highest passing rate, a miss measured again as a step is (the
 *      majority of `repeats` decides); when it misses, at
 *      RB_SLO_CONFIRM_BACKOFF times that rate, up to RB_SLO_CONFIRM_TRIES
 *      rates in all, as a wrk2
 *      user steps the rate down until a full run holds the SLO. The answer
 *      (max_rate_cps) is the rate the last confirming run passed at; when
 *      none passed it stays the search's rate, marked unconfirmed.
 *
 * A rate passes when the measured percentile is within the bound, no call
 * failed, and the achieved rate is at least RB_SCHEDULE_ACHIEVED_MIN (99 %)
 * of the offered one: a rate the generator or server could not sustain is
 * not "within the SLO", however good its latency looks. Measurements are
 * noisy and the search assumes that a higher rate never does better; read
 * the answer with the spread over rounds the caller reports.
 */
#ifndef RB_SLO_H
#define RB_SLO_H

#include <stdint.h>

#include "measure/stats.h"

/* A parsed `--slo` value. */
typedef struct rb_slo_spec {
    double percentile;         /* 0 < percentile <= 100 (99.9 for p99.9) */
    double bound_us;           /* > 0, microseconds */
    char label[16];            /* "p99", "p99.9": the percentile as written */
} rb_slo_spec;

/* Parse "pNN=BOUND" or "pNN.N=BOUND" with BOUND a positive number followed
 * by "us" (or "µs"), "ms" or "s": "p99=1ms", "p99.9=500us", "p50=0.2ms".
 * RB_OK, or RB_EINVAL (out untouched) for anything else, including a
 * missing unit, a percentile outside (0, 100] or a bound <= 0. */
int rb_slo_parse(const char *s, rb_slo_spec *out);

/* One measured step. The callback fills value_us, failures and
 * achieved_cps (and lat if it likes, for its report; the driver ignores
 * it); the driver fills rate_cps and pass. */
typedef struct rb_slo_point {
    double rate_cps;           /* offered */
    double value_us;           /* the SLO's percentile; NAN when no call verified */
    uint64_t failures;         /* failed calls, all kinds */
    double achieved_cps;       /* verified calls / measured window */
    int pass;                  /* within the bound, no failures, rate achieved;
                                  for a step of the search: the majority of
                                  its measurements */
    rb_latency lat;            /* the step's latency figures, µs (optional) */
    double gen_lag_p99_us;     /* the generator's own lateness, p99, µs; NAN
                                  when not measured (optional) */
    uint64_t tail_samples;     /* verified calls beyond the percentile (optional) */
    int tries;                 /* measurements of this rate, >= 1 */
    int held;                  /* of them, how many passed */
} rb_slo_point;

/* Measure one open-loop run at rate_cps into *out (value_us, failures,
 * achieved_cps). Return RB_OK, or a negative RB_E* code to abort the search
 * (interrupted, server gone); the driver returns that code. */
typedef int (*rb_slo_measure_fn)(void *ctx, double rate_cps, rb_slo_point *out);

typedef struct rb_slo_params {
    double bound_us;           /* the SLO bound, > 0 */
    double start_cps;          /* first rate tried, > 0 */
    double growth;             /* > 1; 2 when 0 */
    double precision;          /* relative width to stop at, > 0; 0.05 when 0 */
    int max_steps;             /* measure calls at most, 1..RB_SLO_MAX_STEPS; 12 when 0 */
    double min_cps;            /* no rate below this is tried; 1 when 0 */
    double max_cps;            /* no rate above this is tried; 1e7 when 0 */
    int repeats;               /* measurements of a failing rate at most, the
                                  majority deciding: 1..RB_SLO_MAX_REPEATS;
                                  3 when 0 (1: no re-measurement) */
} rb_slo_params;

#define RB_SLO_MAX_STEPS 32
#define RB_SLO_MAX_REPEATS 5
/* Verified calls wanted beyond the SLO's percentile in one step (about 100
 * beyond p99 is 10,000 calls), so that one outlier cannot decide it. */
#define RB_SLO_TAIL_SAMPLES 100
/* A step's length never exceeds this, seconds: a slow stack then gets fewer
 * tail samples, which the step records (tail_samples). */
#define RB_SLO_STEP_MAX_S 2.0
#define RB_SLO_CONFIRM_TRIES 3        /* rates confirmed at most */
#define RB_SLO_CONFIRM_BACKOFF 0.8    /* the next one's rate, times the last's */

typedef struct rb_slo_result {
    double max_rate_cps;       /* the answer (see 4. above); 0 when none passed */
    double searched_cps;       /* highest rate the short steps passed; 0 when none */
    double fail_rate_cps;      /* lowest failing rate above it; 0 when none failed */
    rb_slo_point steps[RB_SLO_MAX_STEPS];
    int nsteps;
    int capped;                /* step cap reached before the precision */
    int ceiling;               /* max_cps passed: the answer is at least that */
    int floor;                 /* min_cps failed too: nothing passed */
    rb_slo_point confirm;      /* the last confirming run (when has_confirm) */
    int has_confirm;
    int confirm_runs;          /* rates confirmed, 0..RB_SLO_CONFIRM_TRIES (each
                                  measured up to `repeats` times: confirm.tries) */
} rb_slo_result;

/* Run the search (header comment) into *out. confirm may be NULL (no
 * confirmation); it is called only when a rate passed, and again (at a
 * lower rate) only after a confirming run that missed. Returns RB_OK,
 * RB_EINVAL for bad params (out zeroed), or the first negative code a
 * callback returned (out holds the steps so far). */
int rb_slo_search(const rb_slo_params *p, rb_slo_measure_fn measure,
                  rb_slo_measure_fn confirm, void *ctx, rb_slo_result *out);

/* Does pt pass a bound of bound_us (the rule of the header comment)? */
int rb_slo_passes(const rb_slo_point *pt, double bound_us);

/* The length of one step at rate_cps (> 0) for an SLO on `percentile`
 * (0 < percentile < 100), seconds: long enough for RB_SLO_TAIL_SAMPLES
 * calls beyond the percentile, at least min_s and at most
 * max(min_s, RB_SLO_STEP_MAX_S). */
double rb_slo_step_s(double min_s, double percentile, double rate_cps);

/* Whether the generator, not the stack, limited a step: its own lateness
 * (gen_lag_p99_us) above RB_SLO_GEN_LAG_FRAC of the bound. */
#define RB_SLO_GEN_LAG_FRAC 0.1
int rb_slo_generator_limited(const rb_slo_point *pt, double bound_us);

#endif
