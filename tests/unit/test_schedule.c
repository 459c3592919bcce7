/* The open-loop schedule: exact uniform times, reproducible Poisson streams
 * with the right mean and shape, the per-call figures, the sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rb_error.h"
#include "schedule.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void arrivals_names(void **state)
{
    (void)state;
    rb_arrivals a = RB_ARRIVALS_UNIFORM;
    assert_int_equal(rb_arrivals_parse("poisson", &a), RB_OK);
    assert_int_equal(a, RB_ARRIVALS_POISSON);
    assert_int_equal(rb_arrivals_parse("uniform", &a), RB_OK);
    assert_int_equal(a, RB_ARRIVALS_UNIFORM);
    assert_int_equal(rb_arrivals_parse("Poisson", &a), RB_EINVAL);
    assert_int_equal(rb_arrivals_parse("", &a), RB_EINVAL);
    assert_int_equal(rb_arrivals_parse(NULL, &a), RB_EINVAL);
    assert_int_equal(a, RB_ARRIVALS_UNIFORM);          /* untouched on error */
    assert_string_equal(rb_arrivals_name(RB_ARRIVALS_POISSON), "poisson");
    assert_string_equal(rb_arrivals_name(RB_ARRIVALS_UNIFORM), "uniform");
}

static void init_rejects_bad_arguments(void **state)
{
    (void)state;
    rb_schedule s;
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, 0, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, -5, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, NAN, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, INFINITY, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, 100, 0, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, 100, 4, 4, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_POISSON, 100, 4, -1, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, (rb_arrivals)7, 100, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, 100, 4, 3, 1), RB_OK);
}

/* Connection i of C at R calls/s: call k at (i + k*C)/R s, exactly, even
 * after many calls (no accumulated rounding). */
static void uniform_exact_times(void **state)
{
    (void)state;
    const double R = 3000;
    const int C = 3;
    for (int i = 0; i < C; i++) {
        rb_schedule s;
        assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, R, C, i, 42), RB_OK);
        for (uint64_t k = 0; k < 1000000; k++) {
            uint64_t t = rb_schedule_next(&s);
            if (k < 5 || k % 99991 == 0) {
                double want = 1e9 * ((double)i + (double)k * C) / R;
                assert_true(fabs((double)t - want) <= 0.5);
            }
        }
    }
}

/* The C phase-shifted uniform streams interleave into one even stream:
 * sorted together, every gap is 1/R. */
static void uniform_aggregate_even(void **state)
{
    (void)state;
    const double R = 1000;          /* 1 ms apart in all */
    enum { C = 4, K = 250 };
    uint64_t t[C * K];
    for (int i = 0; i < C; i++) {
        rb_schedule s;
        rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, R, C, i, 0);
        for (int k = 0; k < K; k++)
            t[k * C + i] = rb_schedule_next(&s);
    }
    for (int j = 1; j < C * K; j++)
        assert_int_equal(t[j] - t[j - 1], 1000000);
    assert_int_equal(t[0], 0);
}

/* Same seed and index: the same times. Another seed or index: others. */
static void poisson_reproducible(void **state)
{
    (void)state;
    rb_schedule a, b, c, d;
    rb_schedule_init(&a, RB_ARRIVALS_POISSON, 500, 2, 0, 7);
    rb_schedule_init(&b, RB_ARRIVALS_POISSON, 500, 2, 0, 7);
    rb_schedule_init(&c, RB_ARRIVALS_POISSON, 500, 2, 0, 8);
    rb_schedule_init(&d, RB_ARRIVALS_POISSON, 500, 2, 1, 7);
    int same_c = 0, same_d = 0;
    uint64_t prev = 0;
    for (int k = 0; k < 1000; k++) {
        uint64_t ta = rb_schedule_next(&a), tb = rb_schedule_next(&b);
        assert_int_equal(ta, tb);
        assert_true(ta >= prev);                        /* non-decreasing */
        prev = ta;
        same_c += rb_schedule_next(&c) == ta;
        same_d += rb_schedule_next(&d) == ta;
    }
    assert_true(same_c < 5);
    assert_true(same_d < 5);
}

/* Exponential gaps: mean C/R, standard deviation equal to the mean, and
 * P(gap > mean) = 1/e. A uniform stream has no spread at all. */
static void poisson_gap_distribution(void **state)
{
    (void)state;
    const double R = 2000;
    const int C = 4;
    const double mean_want = 1e9 * C / R;           /* 2 ms */
    enum { N = 200000 };
    rb_schedule s;
    rb_schedule_init(&s, RB_ARRIVALS_POISSON, R, C, 2, 12345);
    uint64_t prev = 0;
    double sum = 0, sum2 = 0;
    int above = 0;
    for (int k = 0; k < N; k++) {
        uint64_t t = rb_schedule_next(&s);
        double g = (double)(t - prev);
        prev = t;
        sum += g;
        sum2 += g * g;
        above += g > mean_want;
    }
    double mean = sum / N, sd = sqrt(sum2 / N - mean * mean);
    assert_true(fabs(mean / mean_want - 1) < 0.01);
    assert_true(fabs(sd / mean - 1) < 0.02);
    assert_true(fabs((double)above / N - exp(-1.0)) < 0.005);
}

/* C Poisson streams of R/C each add up to R calls/s: count the calls of
 * all streams due in the first 100 s. */
static void poisson_aggregate_rate(void **state)
{
    (void)state;
    const double R = 1000;
    const int C = 8;
    const uint64_t horizon = 100ull * 1000000000ull;
    uint64_t n = 0;
    for (int i = 0; i < C; i++) {
        rb_schedule s;
        rb_schedule_init(&s, RB_ARRIVALS_POISSON, R, C, i, 99);
        while (rb_schedule_next(&s) < horizon)
            n++;
    }
    /* 100,000 expected; a Poisson count's sd is sqrt(1e5) ~ 316 */
    assert_true(n > 98500 && n < 101500);
}

static void call_figures(void **state)
{
    (void)state;
    /* intended 1000, sent 1500, done 4000 */
    assert_int_equal(rb_call_latency_ns(1000, 4000), 3000);
    assert_int_equal(rb_call_service_ns(1500, 4000), 2500);
    assert_int_equal(rb_call_send_lag_ns(1000, 1500), 500);
    /* latency = service time + send lag */
    assert_int_equal(rb_call_latency_ns(1000, 4000),
                     rb_call_service_ns(1500, 4000) + rb_call_send_lag_ns(1000, 1500));
    /* clocks never give a wrapped unsigned value */
    assert_int_equal(rb_call_latency_ns(5000, 4000), 0);
    assert_int_equal(rb_call_service_ns(5000, 4000), 0);
    assert_int_equal(rb_call_send_lag_ns(2000, 1500), 0);
}

static void rate_short_at_99_percent(void **state)
{
    (void)state;
    assert_false(rb_schedule_rate_short(1000, 1000));
    assert_false(rb_schedule_rate_short(1000, 990));
    assert_true(rb_schedule_rate_short(1000, 989.9));
    assert_true(rb_schedule_rate_short(1000, 0));
    assert_true(rb_schedule_rate_short(1000, NAN));
    assert_false(rb_schedule_rate_short(1000, 1200));
    assert_false(rb_schedule_rate_short(0, 0));     /* closed loop: no target */
}

static void sleep_until(void **state)
{
    (void)state;
    uint64_t now = mono_ns();
    assert_int_equal(rb_schedule_sleep_until(now - 1000, NULL), RB_OK);
    uint64_t target = mono_ns() + 3000000;          /* 3 ms ahead */
    assert_int_equal(rb_schedule_sleep_until(target, NULL), RB_OK);
    assert_true(mono_ns() >= target);               /* never wakes early */
    volatile int stop = 1;
    uint64_t t0 = mono_ns();
    assert_int_equal(rb_schedule_sleep_until(t0 + 60ull * 1000000000ull, &stop), RB_EINTR);
    assert_true(mono_ns() - t0 < 30ull * 1000000000ull);   /* did not sleep the minute */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arrivals_names),
        cmocka_unit_test(init_rejects_bad_arguments),
        cmocka_unit_test(uniform_exact_times),
        cmocka_unit_test(uniform_aggregate_even),
        cmocka_unit_test(poisson_reproducible),
        cmocka_unit_test(poisson_gap_distribution),
        cmocka_unit_test(poisson_aggregate_rate),
        cmocka_unit_test(call_figures),
        cmocka_unit_test(rate_short_at_99_percent),
        cmocka_unit_test(sleep_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
