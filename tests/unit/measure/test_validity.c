/* validity.c: stationarity of a window's halves, the confidence interval of
 * a percentile from order statistics (checked against brute-force binomial
 * sums and a textbook case), tail sample counts, Little's law. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "rb_error.h"
#include "measure/validity.h"

/* P(a <= B <= b), B ~ Binomial(n, q), summed over every k. */
static double binom_between(size_t n, double q, long a, long b)
{
    long double s = 0;
    for (long k = a < 0 ? 0 : a; k <= b && k <= (long)n; k++)
        s += expl(lgammal((long double)n + 1) - lgammal((long double)k + 1) -
                  lgammal((long double)(n - (size_t)k) + 1) + k * logl(q) +
                  (long double)(n - (size_t)k) * log1pl(-q));
    return (double)s;
}

static void ci_textbook_median(void **state)
{
    (void)state;
    size_t l, u;
    /* The 95 % interval of the median of 100 samples is [X(40), X(61)]. */
    rb_quantile_ci_ranks(100, 0.5, 0.95, &l, &u);
    assert_int_equal(l, 40);
    assert_int_equal(u, 61);
}

static void ci_covers_and_is_tight(void **state)
{
    (void)state;
    const size_t ns[] = { 10, 50, 100, 1000, 12345, 200000 };
    const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        for (size_t j = 0; j < sizeof qs / sizeof *qs; j++) {
            size_t n = ns[i], l, u;
            double q = qs[j];
            rb_quantile_ci_ranks(n, q, 0.95, &l, &u);
            assert_true(l < u);
            assert_true(u <= n + 1);
            /* each side misses at most 2.5 % ... */
            if (l >= 1)
                assert_true(binom_between(n, q, 0, (long)l - 1) <= 0.025 + 1e-9);
            if (u <= n)
                assert_true(binom_between(n, q, (long)u, (long)n) <= 0.025 + 1e-9);
            /* ... and one rank tighter would miss more */
            if (l < n)
                assert_true(binom_between(n, q, 0, (long)l) > 0.025 - 1e-9);
            if (u >= 1 && u - 1 >= 1)
                assert_true(binom_between(n, q, (long)u - 1, (long)n) > 0.025 - 1e-9);
        }
    /* 10 samples cannot bound p99 from above. */
    size_t l, u;
    rb_quantile_ci_ranks(10, 0.99, 0.95, &l, &u);
    assert_int_equal(u, 11);
}

static void tail_counts_and_flags(void **state)
{
    (void)state;
    uint64_t v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = (uint64_t)(i + 1) * 1000;   /* 1 .. 1000 µs */
    rb_tail t;
    rb_validity_tail(v, 1000, 99, 0.95, &t);
    assert_int_equal(t.behind, 10);
    assert_true(t.value_us == 990.0);
    assert_false(t.flagged);
    assert_true(t.ci_lo_us < 990.0 && t.ci_hi_us > 990.0);
    assert_true(t.ci_lo_us >= 980.0 && t.ci_hi_us <= 1000.0);
    rb_validity_tail(v, 1000, 99.9, 0.95, &t);
    assert_int_equal(t.behind, 1);
    assert_true(t.flagged);
    assert_true(isnan(t.ci_hi_us));   /* 1000 samples cannot bound p99.9 above */
    rb_validity_tail(v, 0, 50, 0.95, &t);
    assert_true(t.flagged && isnan(t.value_us));
}

/* n calls completing evenly over [0, 1 s); latency a in the first half,
 * b in the second; keep only every `thin`-th call of the second half. */
static void window(uint64_t *done, uint64_t *lat, size_t *n, size_t calls, uint64_t a,
                   uint64_t b, int thin)
{
    *n = 0;
    for (size_t i = 0; i < calls; i++) {
        uint64_t t = i * 1000000000ull / calls;
        int second = t >= 500000000ull;
        if (second && thin > 1 && i % (size_t)thin)
            continue;
        done[*n] = t;
        lat[(*n)++] = second ? b : a;
    }
}

static void stationarity(void **state)
{
    (void)state;
    static uint64_t done[1000], lat[1000];
    size_t n;
    rb_stationarity s;
    window(done, lat, &n, 1000, 100000, 100000, 1);
    assert_int_equal(rb_validity_stationarity(done, lat, n, 0, 1000000000ull, 0.1, &s), RB_OK);
    assert_int_equal(s.n[0], 500);
    assert_int_equal(s.n[1], 500);
    assert_true(fabs(s.p50_drift) < 1e-12 && fabs(s.throughput_drift) < 1e-12);
    assert_false(s.flagged);

    window(done, lat, &n, 1000, 100000, 120000, 1);   /* p50 +20 % */
    rb_validity_stationarity(done, lat, n, 0, 1000000000ull, 0.1, &s);
    assert_true(fabs(s.p50_drift - 0.2) < 1e-9);
    assert_true(s.flagged);

    window(done, lat, &n, 1000, 100000, 100000, 2);   /* throughput halves */
    rb_validity_stationarity(done, lat, n, 0, 1000000000ull, 0.1, &s);
    assert_true(fabs(s.throughput_drift + 0.5) < 1e-9);
    assert_true(s.flagged);

    window(done, lat, &n, 10, 100000, 300000, 1);     /* 5 per half: cannot tell */
    rb_validity_stationarity(done, lat, n, 0, 1000000000ull, 0.1, &s);
    assert_true(isnan(s.p50_drift));
    assert_false(s.flagged);

    assert_int_equal(rb_validity_stationarity(done, lat, 0, 5, 5, 0.1, &s), RB_EINVAL);
}

static void little(void **state)
{
    (void)state;
    rb_little l;
    rb_validity_little(10000, 100, 1, 0.05, &l);   /* 1.0 in flight, 1 thread */
    assert_true(fabs(l.gap) < 1e-12 && !l.flagged);
    rb_validity_little(9000, 100, 1, 0.05, &l);    /* 10 % of the time outside */
    assert_true(fabs(l.gap - 0.1) < 1e-12 && l.flagged);
    rb_validity_little(40000, 99, 4, 0.05, &l);
    assert_true(fabs(l.in_flight - 3.96) < 1e-9 && !l.flagged);
    rb_validity_little(NAN, 100, 4, 0.05, &l);
    assert_true(isnan(l.gap) && !l.flagged);
}

/* rb_validity_window: the three checks of a round in one call, the same
 * figures as each check alone; the samples come back sorted; an open loop
 * has no Little's law to check. */
static void whole_window(void **state)
{
    (void)state;
    static uint64_t done[1000], lat[1000], copy[1000];
    size_t n;
    window(done, lat, &n, 1000, 120000, 100000, 1);   /* p50 -17 %: drift flagged */
    for (size_t i = 0; i < n; i++)
        copy[i] = lat[i];
    rb_stationarity st, st1;
    rb_tail tail[3];
    rb_little li;
    rb_window w = { .lat_ns = lat, .done_ns = done, .n = n, .start_ns = 0,
                    .end_ns = 1000000000ull, .throughput_cps = 1000, .mean_us = 110,
                    .closed_threads = 1 };
    assert_int_equal(rb_validity_window(&w, &st, tail, &li), RB_OK);
    rb_validity_stationarity(done, copy, n, 0, 1000000000ull, RB_VALIDITY_DRIFT, &st1);
    assert_true(st.flagged && st1.flagged);
    assert_true(fabs(st.p50_drift - st1.p50_drift) < 1e-12);
    for (size_t i = 1; i < n; i++)
        assert_true(lat[i - 1] <= lat[i]);
    assert_true(tail[0].percentile == 50 && tail[1].percentile == 99 &&
                tail[2].percentile == 99.9);
    assert_true(fabs(tail[0].value_us - 100) < 1e-9);   /* 500 of each value */
    assert_true(fabs(tail[1].value_us - 120) < 1e-9);
    assert_int_equal(tail[1].behind, 10);
    assert_false(tail[1].flagged);
    assert_true(tail[2].flagged);                        /* 1 sample behind p99.9 */
    assert_true(fabs(li.in_flight - 0.11) < 1e-12);     /* 1000/s x 110 µs */
    assert_true(li.flagged);
    w.closed_threads = 0;
    assert_int_equal(rb_validity_window(&w, &st, tail, &li), RB_OK);
    assert_true(isnan(li.in_flight) && isnan(li.gap) && !li.flagged);
    assert_true(li.threshold == RB_VALIDITY_LITTLE_GAP);
    w.end_ns = 0;                                        /* no window */
    assert_int_equal(rb_validity_window(&w, &st, tail, &li), RB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ci_textbook_median),
        cmocka_unit_test(ci_covers_and_is_tight),
        cmocka_unit_test(tail_counts_and_flags),
        cmocka_unit_test(stationarity),
        cmocka_unit_test(little),
        cmocka_unit_test(whole_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
