/* validity.c - checks of one measured window (validity.h). */
#include "measure/validity.h"
#include "rb_error.h"
#include "measure/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int rb_validity_stationarity(const uint64_t *done_ns, const uint64_t *lat_ns, size_t n,
                             uint64_t start_ns, uint64_t end_ns, double threshold,
                             rb_stationarity *out)
{
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    out->p50_us[0] = out->p50_us[1] = NAN;
    out->p50_drift = out->throughput_drift = NAN;
    out->throughput_cps[0] = out->throughput_cps[1] = NAN;
    if (end_ns <= start_ns)
        return RB_EINVAL;
    uint64_t mid = start_ns + (end_ns - start_ns) / 2;
    uint64_t *h[2] = { malloc((n ? n : 1) * sizeof(uint64_t)), malloc((n ? n : 1) * sizeof(uint64_t)) };
    if (!h[0] || !h[1]) {
        free(h[0]);
        free(h[1]);
        return RB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int k = done_ns[i] >= mid;
        h[k][out->n[k]++] = lat_ns[i];
    }
    double half_s[2] = { (double)(mid - start_ns) / 1e9, (double)(end_ns - mid) / 1e9 };
    for (int k = 0; k < 2; k++) {
        qsort(h[k], out->n[k], sizeof(uint64_t), cmp_u64);
        if (out->n[k])
            out->p50_us[k] = (double)rb_percentile(h[k], out->n[k], 50) / 1e3;
        out->throughput_cps[k] = half_s[k] > 0 ? (double)out->n[k] / half_s[k] : NAN;
    }
    free(h[0]);
    free(h[1]);
    if (out->n[0] < RB_VALIDITY_HALF_MIN || out->n[1] < RB_VALIDITY_HALF_MIN)
        return RB_OK;
    out->p50_drift = out->p50_us[1] / out->p50_us[0] - 1;
    out->throughput_drift = out->throughput_cps[1] / out->throughput_cps[0] - 1;
    out->flagged = fabs(out->p50_drift) > threshold || fabs(out->throughput_drift) > threshold;
    return RB_OK;
}

/* log of Binomial(n, q)'s probability of k. */
static double log_pmf(size_t n, double q, size_t k)
{
    double nn = (double)n, kk = (double)k;
    return lgamma(nn + 1) - lgamma(kk + 1) - lgamma(nn - kk + 1) +
           kk * log(q) + (nn - kk) * log1p(-q);
}

void rb_quantile_ci_ranks(size_t n, double q, double confidence, size_t *l, size_t *u)
{
    double a2 = (1 - confidence) / 2;
    /* Outside mean +- (10 sd + 10) the probabilities are below 1e-20: sum
     * exactly over that window only. */
    double mean = (double)n * q, w = 10 * sqrt((double)n * q * (1 - q)) + 10;
    size_t lo = mean - w > 0 ? (size_t)(mean - w) : 0;
    size_t hi = mean + w < (double)n ? (size_t)(mean + w) : n;
    double cum = 0;
    *l = lo;                             /* P(B <= lo - 1) is negligible */
    for (size_t k = lo; k <= hi; k++) {
        cum += exp(log_pmf(n, q, k));
        if (cum > a2)
            break;
        *l = k + 1;                      /* P(B <= l - 1) <= a2 */
    }
    double tail = 0;
    *u = hi < n ? hi + 1 : n + 1;        /* P(B >= hi + 1) is negligible */
    for (size_t k = hi + 1; k-- > lo;) {
        tail += exp(log_pmf(n, q, k));
        if (tail > a2)
            break;
        *u = k;                          /* P(B >= u) <= a2 */
    }
}

void rb_validity_tail(const uint64_t *sorted, size_t n, double p, double confidence,
                      rb_tail *out)
{
    memset(out, 0, sizeof *out);
    out->percentile = p;
    out->confidence = confidence;
    out->value_us = out->ci_lo_us = out->ci_hi_us = NAN;
    if (n == 0) {
        out->flagged = 1;
        return;
    }
    size_t rank = rb_percentile_rank(n, p);
    out->behind = n - rank;
    out->value_us = (double)sorted[rank - 1] / 1e3;
    size_t l, u;
    rb_quantile_ci_ranks(n, p / 100.0, confidence, &l, &u);
    if (l >= 1)
        out->ci_lo_us = (double)sorted[l - 1] / 1e3;
    if (u <= n)
        out->ci_hi_us = (double)sorted[u - 1] / 1e3;
    out->flagged = out->behind < RB_VALIDITY_TAIL_MIN;
}

void rb_validity_little(double throughput_cps, double mean_us, int concurrency,
                        double threshold, rb_little *out)
{
    out->threshold = threshold;
    out->in_flight = throughput_cps * mean_us / 1e6;
    out->gap = concurrency >= 1 && isfinite(out->in_flight)
                   ? 1 - out->in_flight / (double)concurrency : NAN;
    out->flagged = !isnan(out->gap) && fabs(out->gap) > threshold;
}

int rb_validity_window(const rb_window *w, rb_stationarity *st, rb_tail tail[3],
                       rb_little *little)
{
    static const double pct[3] = { 50, 99, 99.9 };
    int rc = rb_validity_stationarity(w->done_ns, w->lat_ns, w->n, w->start_ns, w->end_ns,
                                      RB_VALIDITY_DRIFT, st);
    qsort(w->lat_ns, w->n, sizeof *w->lat_ns, cmp_u64);
    for (int k = 0; k < 3; k++)
        rb_validity_tail(w->lat_ns, w->n, pct[k], RB_VALIDITY_CONFIDENCE, &tail[k]);
    if (w->closed_threads < 1)
        *little = (rb_little){ NAN, NAN, RB_VALIDITY_LITTLE_GAP, 0 };
    else
        rb_validity_little(w->throughput_cps, w->mean_us, w->closed_threads,
                           RB_VALIDITY_LITTLE_GAP, little);
    return rc;
}
