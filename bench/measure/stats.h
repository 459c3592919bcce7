/* stats.h - latency samples and their exact statistics.
 *
 * Every call's latency is kept (8 bytes a call), so percentiles are exact
 * (nearest rank: the smallest sample with at least p % of samples at or
 * below it, as HdrHistogram reports them), not bucketed.
 */
#ifndef RB_STATS_H
#define RB_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rb_samples {
    uint64_t *ns;   /* latencies, CLOCK_MONOTONIC nanoseconds */
    size_t n;       /* samples in use */
    size_t cap;     /* samples allocated */
} rb_samples;

/* Latency figures in microseconds (floats, so sub-µs differences show). */
typedef struct rb_latency {
    double min, p50, p90, p99, p99_9, max, mean, stddev;
    size_t n;       /* samples the figures come from */
} rb_latency;

/* Make room for at least n samples in all. RB_OK or RB_ENOMEM. */
int rb_samples_reserve(rb_samples *s, size_t n);

/* Append one sample; grows the buffer when needed (amortised O(1)).
 * RB_OK or RB_ENOMEM. */
int rb_samples_push(rb_samples *s, uint64_t ns);

/* Append all of src to dst. RB_OK or RB_ENOMEM. */
int rb_samples_append(rb_samples *dst, const rb_samples *src);

/* Release the buffer; s is empty afterwards. */
void rb_samples_free(rb_samples *s);

/* Sort s ascending in place and compute its figures into out. With no
 * samples every figure is 0 and out->n is 0 (callers write null then). */
void rb_stats_compute(rb_samples *s, rb_latency *out);

/* Nearest-rank percentile's rank (1-based) among n samples: the smallest
 * rank with at least p % of samples at or below it; 0 when n is 0. */
size_t rb_percentile_rank(size_t n, double p);

/* Nearest-rank percentile of sorted[0..n), p in 0..100; 0 when n is 0. */
uint64_t rb_percentile(const uint64_t *sorted, size_t n, double p);

/* Median of v[0..n), which is sorted in place; 0 when n is 0. */
double rb_median(double *v, size_t n);

/* Write sorted[0..n) as HdrHistogram's percentile distribution text
 * (outputPercentileDistribution: Value, Percentile, TotalCount,
 * 1/(1-Percentile), 5 ticks per half distance, then the #[Mean ...] and
 * #[Max ...] lines), values in microseconds. Returns RB_OK, or RB_EIO on a
 * write error. */
int rb_stats_write_hgrm(FILE *f, const uint64_t *sorted, size_t n);

#endif
