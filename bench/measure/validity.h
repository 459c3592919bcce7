/* validity.h - may the figures of one measured window be trusted?
 *
 * Three checks on one window's samples, each a pure function with its
 * threshold stated (the report flags a window that fails one):
 *
 * - Stationarity: p50 and throughput of the calls that completed in the
 *   first half of the window against those of the second half. A drift
 *   beyond RB_VALIDITY_DRIFT (10 %) means the warm-up was too short or the
 *   machine drifted during the window.
 * - Tail confidence: how many samples lie behind a percentile (p99 rests on
 *   the 1 % of samples above it), and a distribution-free confidence
 *   interval for the percentile from order statistics: the number of
 *   samples below the true q-quantile is Binomial(n, q), so the interval
 *   [X(l), X(u)] of the l-th and u-th smallest samples covers it with at
 *   least the confidence asked (exact binomial sums, no normal
 *   approximation). A percentile with fewer than RB_VALIDITY_TAIL_MIN (10)
 *   samples behind it is flagged.
 * - Little's law for a closed loop: throughput x mean latency is the mean
 *   number of calls in flight; with N client threads it should be N. A gap
 *   over RB_VALIDITY_LITTLE_GAP (5 %) means time is spent outside the
 *   timed call (the load generator is in the way, or calls failed).
 */
#ifndef RB_VALIDITY_H
#define RB_VALIDITY_H

#include <stddef.h>
#include <stdint.h>

#define RB_VALIDITY_DRIFT 0.10        /* stationarity: |drift| allowed, fraction */
#define RB_VALIDITY_HALF_MIN 10       /* fewer samples in a half: drift not judged */
#define RB_VALIDITY_TAIL_MIN 10       /* samples behind a percentile, at least */
#define RB_VALIDITY_CONFIDENCE 0.95   /* of the percentile intervals */
#define RB_VALIDITY_LITTLE_GAP 0.05   /* Little's law: |gap| allowed, fraction */

typedef struct rb_stationarity {
    double p50_us[2];          /* p50 of each half (NAN: no sample) */
    double throughput_cps[2];  /* calls completed per second in each half */
    size_t n[2];               /* samples in each half */
    double p50_drift;          /* second/first - 1 (NAN: too few samples) */
    double throughput_drift;   /* second/first - 1 (NAN: too few samples) */
    double threshold;          /* the drift allowed, fraction */
    int flagged;               /* either |drift| > threshold */
} rb_stationarity;

/* Split the window [start_ns, end_ns) at its middle; a call belongs to the
 * half in which it completed (done_ns[i], the same clock). lat_ns[i] is its
 * latency, ns. n may be 0. threshold: fraction (RB_VALIDITY_DRIFT). RB_OK,
 * RB_EINVAL (end_ns <= start_ns), RB_ENOMEM. A half with fewer than
 * RB_VALIDITY_HALF_MIN samples leaves both drifts NAN and the window
 * unflagged (too few calls to tell). */
int rb_validity_stationarity(const uint64_t *done_ns, const uint64_t *lat_ns, size_t n,
                             uint64_t start_ns, uint64_t end_ns, double threshold,
                             rb_stationarity *out);

typedef struct rb_tail {
    double percentile;         /* e.g. 99 */
    size_t behind;             /* samples above the percentile's rank */
    double value_us;           /* the percentile (nearest rank), NAN when n is 0 */
    double ci_lo_us, ci_hi_us; /* confidence interval; NAN: that bound
                                  needs more samples than there are */
    double confidence;         /* of the interval, e.g. 0.95 */
    int flagged;               /* behind < RB_VALIDITY_TAIL_MIN */
} rb_tail;

/* Order-statistics ranks (1-based) l < u of the interval [X(l), X(u)] for
 * the q-quantile: with B ~ Binomial(n, q) the number of samples below the
 * true quantile, coverage is P(l <= B <= u - 1) >= confidence, the miss
 * split evenly between the two sides (each at most (1 - confidence) / 2),
 * l as large and u as small as that allows. *l = 0 when even X(1) is not
 * low enough (unbounded below), *u = n + 1 likewise above. q in (0, 1),
 * confidence in (0, 1). */
void rb_quantile_ci_ranks(size_t n, double q, double confidence, size_t *l, size_t *u);

/* The tail of percentile p (0 < p < 100) in sorted[0..n) (ascending, ns),
 * with its interval at `confidence`. */
void rb_validity_tail(const uint64_t *sorted, size_t n, double p, double confidence,
                      rb_tail *out);

typedef struct rb_little {
    double in_flight;   /* throughput x mean latency: mean calls in flight */
    double gap;         /* 1 - in_flight / concurrency (NAN: no figures) */
    double threshold;   /* fraction */
    int flagged;        /* |gap| > threshold */
} rb_little;

/* Little's law for a closed loop of `concurrency` threads (>= 1), from the
 * window's verified calls per second and their mean latency (µs). */
void rb_validity_little(double throughput_cps, double mean_us, int concurrency,
                        double threshold, rb_little *out);

/* One measured window as the checks read it. */
typedef struct rb_window {
    uint64_t *lat_ns;          /* verified calls' latencies, ns (sorted in
                                  place by rb_validity_window) */
    const uint64_t *done_ns;   /* done_ns[i]: when call i completed, ns */
    size_t n;                  /* calls, may be 0 */
    uint64_t start_ns, end_ns; /* the window, the same clock as done_ns */
    double throughput_cps;     /* verified calls per second */
    double mean_us;            /* their mean latency, µs (NAN: none) */
    int closed_threads;        /* a closed loop's threads (>= 1); 0: open loop */
} rb_window;

/* All three checks of window w: stationarity (threshold RB_VALIDITY_DRIFT),
 * then w->lat_ns sorted and the tails of p50, p99 and p99.9 at
 * RB_VALIDITY_CONFIDENCE into tail[0..2], and Little's law
 * (RB_VALIDITY_LITTLE_GAP) for a closed loop. An open loop has no bound on
 * its calls in flight to check: *little gets NAN figures, unflagged.
 * RB_OK, or rb_validity_stationarity's error (the other checks are made
 * all the same). */
int rb_validity_window(const rb_window *w, rb_stationarity *st, rb_tail tail[3],
                       rb_little *little);

#endif
