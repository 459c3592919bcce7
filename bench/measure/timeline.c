/* timeline.c - latency over time (see timeline.h). */
#include "measure/timeline.h"
#include "rb_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int rb_timeline_init(rb_timeline *tl, uint64_t interval_ns)
{
    if (!tl || interval_ns == 0)
        return RB_EINVAL;
    memset(tl, 0, sizeof *tl);
    tl->interval_ns = interval_ns;
    return RB_OK;
}

/* The bucket that covers t_ns, growing the array up to it. NULL with *rc
 * set when t_ns is out of range or memory runs out. */
static rb_tl_bucket *bucket_at(rb_timeline *tl, uint64_t t_ns, int *rc)
{
    uint64_t i = t_ns / tl->interval_ns;
    if (i >= RB_TIMELINE_MAX_BUCKETS) {
        *rc = RB_EINVAL;
        return NULL;
    }
    if (i >= tl->cap) {
        size_t cap = tl->cap ? tl->cap : 64;
        while (cap <= i)
            cap *= 2;
        rb_tl_bucket *b = realloc(tl->b, cap * sizeof *b);
        if (!b) {
            *rc = RB_ENOMEM;
            return NULL;
        }
        memset(b + tl->cap, 0, (cap - tl->cap) * sizeof *b);
        tl->b = b;
        tl->cap = cap;
    }
    if (i >= tl->n)
        tl->n = (size_t)i + 1;
    return &tl->b[i];
}

/* Push with small growth steps: a timeline has many buckets per thread,
 * and rb_samples_push's first step (4096 samples) would waste memory. */
static int push_small(rb_samples *s, uint64_t v)
{
    if (s->n == s->cap && rb_samples_reserve(s, s->cap ? s->cap * 2 : 16))
        return RB_ENOMEM;
    return rb_samples_push(s, v);
}

int rb_timeline_add_call(rb_timeline *tl, uint64_t at_ns, uint64_t latency_ns, int ok)
{
    int rc = RB_OK;
    rb_tl_bucket *b = bucket_at(tl, at_ns, &rc);
    if (!b)
        return rc;
    if (!ok) {
        b->failures++;
        return RB_OK;
    }
    if (push_small(&b->lat, latency_ns))
        return RB_ENOMEM;
    b->calls++;
    return RB_OK;
}

int rb_timeline_add_offer(rb_timeline *tl, uint64_t intended_ns, uint64_t lag_ns)
{
    int rc = RB_OK;
    rb_tl_bucket *b = bucket_at(tl, intended_ns, &rc);
    if (!b)
        return rc;
    b->offered++;
    b->lag_sum_ns += lag_ns;
    if (lag_ns > b->lag_max_ns)
        b->lag_max_ns = lag_ns;
    return RB_OK;
}

int rb_timeline_merge(rb_timeline *dst, const rb_timeline *src)
{
    if (!dst || !src || dst->interval_ns != src->interval_ns)
        return RB_EINVAL;
    if (src->n == 0)
        return RB_OK;
    int rc = RB_OK;
    if (!bucket_at(dst, (uint64_t)(src->n - 1) * src->interval_ns, &rc))
        return rc;
    for (size_t i = 0; i < src->n; i++) {
        rb_tl_bucket *d = &dst->b[i];
        const rb_tl_bucket *s = &src->b[i];
        if (rb_samples_append(&d->lat, &s->lat))
            return RB_ENOMEM;
        d->calls += s->calls;
        d->failures += s->failures;
        d->offered += s->offered;
        d->lag_sum_ns += s->lag_sum_ns;
        if (s->lag_max_ns > d->lag_max_ns)
            d->lag_max_ns = s->lag_max_ns;
    }
    return RB_OK;
}

void rb_timeline_free(rb_timeline *tl)
{
    if (!tl)
        return;
    for (size_t i = 0; i < tl->cap; i++)
        rb_samples_free(&tl->b[i].lat);
    free(tl->b);
    tl->b = NULL;
    tl->n = tl->cap = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int rb_timeline_points(rb_timeline *tl, rb_tl_point **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (tl->n == 0)
        return RB_OK;
    rb_tl_point *p = calloc(tl->n, sizeof *p);
    if (!p)
        return RB_ENOMEM;
    for (size_t i = 0; i < tl->n; i++) {
        rb_tl_bucket *b = &tl->b[i];
        rb_tl_point *q = &p[i];
        q->t_ms = (double)i * (double)tl->interval_ns / 1e6;
        q->calls = b->calls;
        q->failures = b->failures;
        q->offered = b->offered;
        q->p50_us = q->p99_us = q->max_us = NAN;
        q->lag_mean_us = q->lag_max_us = NAN;
        if (b->lat.n) {
            qsort(b->lat.ns, b->lat.n, sizeof *b->lat.ns, cmp_u64);
            q->p50_us = (double)rb_percentile(b->lat.ns, b->lat.n, 50) / 1e3;
            q->p99_us = (double)rb_percentile(b->lat.ns, b->lat.n, 99) / 1e3;
            q->max_us = (double)b->lat.ns[b->lat.n - 1] / 1e3;
        }
        if (b->offered) {
            q->lag_mean_us = (double)b->lag_sum_ns / (double)b->offered / 1e3;
            q->lag_max_us = (double)b->lag_max_ns / 1e3;
        }
    }
    *out = p;
    *n = tl->n;
    return RB_OK;
}

/* Mean of the lag means of intervals [from, to) among those with offers,
 * weighted by their offered calls. */
static double lag_mean(const rb_tl_point *p, const size_t *idx, size_t from, size_t to)
{
    double sum = 0, w = 0;
    for (size_t i = from; i < to; i++) {
        sum += p[idx[i]].lag_mean_us * (double)p[idx[i]].offered;
        w += (double)p[idx[i]].offered;
    }
    return w > 0 ? sum / w : 0;
}

int rb_timeline_lag_grows(const rb_tl_point *p, size_t n)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx), m = 0;
    if (!idx)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].offered && isfinite(p[i].lag_mean_us))
            idx[m++] = i;
    int grows = 0;
    if (m >= 3) {
        size_t third = m / 3;
        double first = lag_mean(p, idx, 0, third);
        double middle = lag_mean(p, idx, third, m - third);
        double last = lag_mean(p, idx, m - third, m);
        /* The window the offers span, in µs: growth must also be a
         * noticeable part of it (2 %) to count. */
        double span = (p[idx[m - 1]].t_ms - p[idx[0]].t_ms) * 1e3 * (double)m / (double)(m - 1);
        double floor_us = fmax(RB_LAG_GROW_FLOOR_US, 0.02 * span);
        grows = first <= middle && middle <= last && last > 2 * first && last - first > floor_us;
    }
    free(idx);
    return grows;
}
