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
#include "load/schedule.h"

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
    const rb_arrivals P = RB_ARRIVALS_POISSON;
    assert_int_equal(rb_schedule_init(&s, P, 0, 1, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, -5, 1, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, NAN, 1, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, INFINITY, 1, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, 100, 0, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, 100, NAN, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, 1e9, 1e3, 1, 0, 1), RB_EINVAL);  /* 1e12 calls */
    assert_int_equal(rb_schedule_init(&s, P, 100, 1, 0, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, 100, 1, 4, 4, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, P, 100, 1, 4, -1, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, (rb_arrivals)7, 100, 1, 1, 0, 1), RB_EINVAL);
    assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, 100, 1, 4, 3, 1), RB_OK);
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
        assert_int_equal(rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, R, 1000, C, i, 42), RB_OK);
        uint64_t t, k = 0;
        while (rb_schedule_next(&s, &t)) {
            if (k < 5 || k % 99991 == 0) {
                double want = 1e9 * ((double)i + (double)k * C) / R;
                assert_true(fabs((double)t - want) <= 0.5);
            }
            k++;
        }
        assert_int_equal(k, 1000000);
    }
}

/* The C phase-shifted uniform streams interleave into one even stream:
 * sorted together, every gap is 1/R; then every connection is done. */
static void uniform_aggregate_even(void **state)
{
    (void)state;
    const double R = 1000;          /* 1 ms apart in all, 1 s */
    enum { C = 4, K = 250 };
    uint64_t t[C * K];
    for (int i = 0; i < C; i++) {
        rb_schedule s;
        rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, R, 1.0, C, i, 0);
        for (int k = 0; k < K; k++)
            assert_int_equal(rb_schedule_next(&s, &t[k * C + i]), 1);
        uint64_t more = 77;
        assert_int_equal(rb_schedule_next(&s, &more), 0);
        assert_int_equal(more, 77);
    }
    for (int j = 1; j < C * K; j++)
        assert_int_equal(t[j] - t[j - 1], 1000000);
    assert_int_equal(t[0], 0);
}

/* Exactly round(R * D) calls in all, shared over the connections, every
 * one inside [0, D), for both kinds and awkward numbers. */
static void exact_count_in_window(void **state)
{
    (void)state;
    const double R = 333.3, D = 1.7;            /* 566.61 -> 567 */
    const int C = 5;
    assert_int_equal(rb_schedule_total(R, D), 567);
    for (int kind = 0; kind < 2; kind++) {
        uint64_t total = 0;
        for (int i = 0; i < C; i++) {
            rb_schedule s;
            rb_schedule_init(&s, (rb_arrivals)kind, R, D, C, i, 3);
            uint64_t t, prev = 0, n = 0;
            while (rb_schedule_next(&s, &t)) {
                assert_true(t >= prev);
                assert_true(t < (uint64_t)(D * 1e9));
                prev = t;
                n++;
            }
            assert_true(n == 113 || n == 114);  /* 567 = 5 * 113 + 2 */
            total += n;
        }
        assert_int_equal(total, 567);
    }
}

/* Same seed and index: the same times. Another seed or index: others. */
static void poisson_reproducible(void **state)
{
    (void)state;
    rb_schedule a, b, c, d;
    rb_schedule_init(&a, RB_ARRIVALS_POISSON, 500, 10, 2, 0, 7);
    rb_schedule_init(&b, RB_ARRIVALS_POISSON, 500, 10, 2, 0, 7);
    rb_schedule_init(&c, RB_ARRIVALS_POISSON, 500, 10, 2, 0, 8);
    rb_schedule_init(&d, RB_ARRIVALS_POISSON, 500, 10, 2, 1, 7);
    int same_c = 0, same_d = 0;
    for (int k = 0; k < 1000; k++) {
        uint64_t ta, tb, tc, td;
        rb_schedule_next(&a, &ta);
        rb_schedule_next(&b, &tb);
        rb_schedule_next(&c, &tc);
        rb_schedule_next(&d, &td);
        assert_int_equal(ta, tb);
        same_c += tc == ta;
        same_d += td == ta;
    }
    assert_true(same_c < 5);
    assert_true(same_d < 5);
}

/* Exponential gaps: mean C/R, standard deviation equal to the mean,
 * P(gap > mean) = 1/e, and arrivals spread evenly over the window. */
static void poisson_gap_distribution(void **state)
{
    (void)state;
    const double R = 2000;
    const int C = 4;
    enum { N = 200000 };
    const double D = (double)N * C / R;             /* N calls on this connection */
    const double mean_want = 1e9 * C / R;           /* 2 ms */
    rb_schedule s;
    rb_schedule_init(&s, RB_ARRIVALS_POISSON, R, D, C, 2, 12345);
    uint64_t prev = 0, t;
    double sum = 0, sum2 = 0;
    int above = 0, first_half = 0;
    for (int k = 0; k < N; k++) {
        assert_int_equal(rb_schedule_next(&s, &t), 1);
        double g = (double)(t - prev);
        prev = t;
        sum += g;
        sum2 += g * g;
        above += g > mean_want;
        first_half += (double)t < D * 1e9 / 2;
    }
    assert_int_equal(rb_schedule_next(&s, &t), 0);
    double mean = sum / N, sd = sqrt(sum2 / N - mean * mean);
    assert_true(fabs(mean / mean_want - 1) < 0.01);
    assert_true(fabs(sd / mean - 1) < 0.02);
    assert_true(fabs((double)above / N - exp(-1.0)) < 0.005);
    assert_true(fabs((double)first_half / N - 0.5) < 0.005);   /* sd 0.0011 */
}

/* Uniform has no spread at all: every gap of a connection is C/R. */
static void uniform_no_spread(void **state)
{
    (void)state;
    rb_schedule s;
    rb_schedule_init(&s, RB_ARRIVALS_UNIFORM, 400, 5, 2, 1, 0);
    uint64_t prev, t;
    rb_schedule_next(&s, &prev);
    while (rb_schedule_next(&s, &t)) {
        assert_int_equal(t - prev, 5000000);
        prev = t;
    }
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

/* The open loop's latency model (rb_open_call): queueing behind earlier
 * calls is charged, the generator's own lateness is not. */
static void open_call_idle_connection(void **state)
{
    (void)state;
    rb_conn_clock c = { 0, 0 };
    rb_open_times o = rb_open_call(&c, 1000, 1000, 1100);
    assert_int_equal(o.latency_ns, 100);
    assert_int_equal(o.service_ns, 100);
    assert_int_equal(o.queue_ns, 0);
    assert_int_equal(o.gen_lag_ns, 0);
    assert_int_equal(o.send_lag_ns, 0);
    assert_int_equal(c.free_ns, 1100);
    assert_int_equal(c.last_done_ns, 1100);
}

static void open_call_oversleep_not_charged(void **state)
{
    (void)state;
    rb_conn_clock c = { 0, 0 };
    /* due at 1000 on an idle connection, the generator woke at 1500 */
    rb_open_times o = rb_open_call(&c, 1000, 1500, 1600);
    assert_int_equal(o.latency_ns, 100);
    assert_int_equal(o.gen_lag_ns, 500);
    assert_int_equal(o.send_lag_ns, 500);
    assert_int_equal(o.queue_ns, 0);
}

static void open_call_queueing_charged(void **state)
{
    (void)state;
    rb_conn_clock c = { 0, 0 };
    rb_open_times a = rb_open_call(&c, 1000, 1000, 3000);   /* a slow call */
    assert_int_equal(a.latency_ns, 2000);
    /* due at 2000, sent when the slow call was back */
    rb_open_times b = rb_open_call(&c, 2000, 3000, 3100);
    assert_int_equal(b.queue_ns, 1000);
    assert_int_equal(b.latency_ns, 1100);
    assert_int_equal(b.gen_lag_ns, 0);
    assert_int_equal(b.send_lag_ns, 1000);
    /* a third call sent 50 ns after it was free: the generator's 50 */
    rb_open_times d = rb_open_call(&c, 3000, 3150, 3200);
    assert_int_equal(d.queue_ns, 100);
    assert_int_equal(d.latency_ns, 150);
    assert_int_equal(d.gen_lag_ns, 50);
}

static void open_call_oversleep_does_not_queue_the_next(void **state)
{
    (void)state;
    rb_conn_clock c = { 0, 0 };
    /* due 1000, sent 800 late, service 1000: a punctual caller's call
     * would have been back at 2000 */
    rb_open_times a = rb_open_call(&c, 1000, 1800, 2800);
    assert_int_equal(a.latency_ns, 1000);
    assert_int_equal(a.gen_lag_ns, 800);
    /* due 2000: behind the late call in fact, not in the punctual model */
    rb_open_times b = rb_open_call(&c, 2000, 2800, 2900);
    assert_int_equal(b.queue_ns, 0);
    assert_int_equal(b.latency_ns, 100);
    assert_int_equal(b.gen_lag_ns, 0);
    assert_int_equal(b.send_lag_ns, 800);
}

static void open_call_backwards_times(void **state)
{
    (void)state;
    rb_conn_clock c = { 0, 0 };
    rb_open_times o = rb_open_call(&c, 1000, 900, 800);
    assert_int_equal(o.service_ns, 0);
    assert_int_equal(o.latency_ns, 0);
    assert_int_equal(o.gen_lag_ns, 0);
    assert_int_equal(o.send_lag_ns, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arrivals_names),
        cmocka_unit_test(init_rejects_bad_arguments),
        cmocka_unit_test(uniform_exact_times),
        cmocka_unit_test(uniform_aggregate_even),
        cmocka_unit_test(exact_count_in_window),
        cmocka_unit_test(poisson_reproducible),
        cmocka_unit_test(poisson_gap_distribution),
        cmocka_unit_test(uniform_no_spread),
        cmocka_unit_test(call_figures),
        cmocka_unit_test(rate_short_at_99_percent),
        cmocka_unit_test(open_call_idle_connection),
        cmocka_unit_test(open_call_oversleep_not_charged),
        cmocka_unit_test(open_call_queueing_charged),
        cmocka_unit_test(open_call_oversleep_does_not_queue_the_next),
        cmocka_unit_test(open_call_backwards_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
