#include "measure/stats.h"
#include "rb_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int rb_samples_reserve(rb_samples *s, size_t n)
{
    if (n <= s->cap)
        return RB_OK;
    uint64_t *p = realloc(s->ns, n * sizeof *p);
    if (!p)
        return RB_ENOMEM;
    s->ns = p;
    s->cap = n;
    return RB_OK;
}

int rb_samples_push(rb_samples *s, uint64_t ns)
{
    if (s->n == s->cap && rb_samples_reserve(s, s->cap ? s->cap * 2 : 4096))
        return RB_ENOMEM;
    s->ns[s->n++] = ns;
    return RB_OK;
}

int rb_samples_append(rb_samples *dst, const rb_samples *src)
{
    if (rb_samples_reserve(dst, dst->n + src->n))
        return RB_ENOMEM;
    if (src->n)
        memcpy(dst->ns + dst->n, src->ns, src->n * sizeof *src->ns);
    dst->n += src->n;
    return RB_OK;
}

void rb_samples_free(rb_samples *s)
{
    free(s->ns);
    memset(s, 0, sizeof *s);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

size_t rb_percentile_rank(size_t n, double p)
{
    if (n == 0)
        return 0;
    /* 99.9 has no exact binary form: 99.9 / 100 * 1000 is 999.0000000000001,
     * which must still be rank 999. */
    double r = ceil(p / 100.0 * (double)n - 1e-9);
    size_t rank = r < 1 ? 1 : (size_t)r;
    return rank > n ? n : rank;
}

uint64_t rb_percentile(const uint64_t *sorted, size_t n, double p)
{
    return n ? sorted[rb_percentile_rank(n, p) - 1] : 0;
}

void rb_stats_compute(rb_samples *s, rb_latency *out)
{
    memset(out, 0, sizeof *out);
    if (s->n == 0)
        return;
    qsort(s->ns, s->n, sizeof *s->ns, cmp_u64);
    const uint64_t *v = s->ns;
    size_t n = s->n;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = (double)v[i] - mean;
        sq += d * d;
    }
    out->n = n;
    out->min = (double)v[0] / 1e3;
    out->max = (double)v[n - 1] / 1e3;
    out->p50 = (double)rb_percentile(v, n, 50) / 1e3;
    out->p90 = (double)rb_percentile(v, n, 90) / 1e3;
    out->p99 = (double)rb_percentile(v, n, 99) / 1e3;
    out->p99_9 = (double)rb_percentile(v, n, 99.9) / 1e3;
    out->mean = mean / 1e3;
    out->stddev = sqrt(sq / (double)n) / 1e3;
}

double rb_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Samples at or below x in sorted[0..n). */
static size_t count_le(const uint64_t *sorted, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rb_stats_write_hgrm(FILE *f, const uint64_t *sorted, size_t n)
{
    fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    if (n == 0)
        goto tail;
    /* HdrHistogram's percentile iterator: 5 reporting ticks per half of the
     * remaining distance to 100 %, until the largest value is reached. */
    double level = 0;
    for (int rows = 0; rows < 1000; rows++) {
        uint64_t v = rb_percentile(sorted, n, level);
        size_t cnt = count_le(sorted, n, v);
        if (cnt >= n)
            break;
        fprintf(f, "%12.3f %2.12f %10zu %14.2f\n", (double)v / 1e3, level / 100.0, cnt,
                1.0 / (1.0 - level / 100.0));
        double halvings = floor(log2(100.0 / (100.0 - level)));
        double ticks = 5.0 * pow(2.0, halvings + 1);
        level += 100.0 / ticks;
    }
    fprintf(f, "%12.3f %2.12f %10zu\n", (double)sorted[n - 1] / 1e3, 1.0, n);
tail:;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)sorted[i];
    double mean = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        sq += ((double)sorted[i] - mean) * ((double)sorted[i] - mean);
    fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / 1e3,
            n ? sqrt(sq / (double)n) / 1e3 : 0.0);
    fprintf(f, "#[Max     = %12.3f, Total count    = %12zu]\n",
            n ? (double)sorted[n - 1] / 1e3 : 0.0, n);
    return ferror(f) ? RB_EIO : RB_OK;
}
