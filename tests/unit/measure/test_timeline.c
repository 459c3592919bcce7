/* Timelines: bucketing by completion and by intended time, exact
 * per-interval percentiles, merging threads, JSON both ways, lag growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"
#include "measure/timeline.h"
#include "results/json_in.h"
#include "results/write.h"

#define MS 1000000ull

static void buckets_and_percentiles(void **state)
{
    (void)state;
    rb_timeline tl;
    assert_int_equal(rb_timeline_init(&tl, 100 * MS), RB_OK);
    /* interval 0: latencies 1..100 µs; interval 2: one call and 2 failures;
     * interval 1 stays empty */
    for (int i = 100; i >= 1; i--)
        assert_int_equal(rb_timeline_add_call(&tl, (uint64_t)i * MS / 2, (uint64_t)i * 1000, 1), RB_OK);
    assert_int_equal(rb_timeline_add_call(&tl, 250 * MS, 7000, 1), RB_OK);
    assert_int_equal(rb_timeline_add_call(&tl, 299 * MS, 123, 0), RB_OK);
    assert_int_equal(rb_timeline_add_call(&tl, 200 * MS, 0, 0), RB_OK);

    rb_tl_point *p;
    size_t n;
    assert_int_equal(rb_timeline_points(&tl, &p, &n), RB_OK);
    assert_int_equal(n, 3);
    assert_true(p[0].t_ms == 0 && p[1].t_ms == 100 && p[2].t_ms == 200);
    assert_int_equal(p[0].calls, 100);
    assert_int_equal(p[0].failures, 0);
    assert_true(p[0].p50_us == 50 && p[0].p99_us == 99 && p[0].max_us == 100);
    assert_int_equal(p[1].calls, 0);
    assert_true(isnan(p[1].p50_us) && isnan(p[1].p99_us) && isnan(p[1].max_us));
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(p[2].failures, 2);
    assert_true(p[2].p50_us == 7 && p[2].p99_us == 7 && p[2].max_us == 7);
    assert_true(isnan(p[0].lag_mean_us));           /* nothing offered */
    free(p);
    rb_timeline_free(&tl);
    assert_int_equal(tl.n, 0);
    rb_timeline_free(&tl);                          /* twice is fine */
    rb_timeline_free(NULL);
}

static void offers_and_lag(void **state)
{
    (void)state;
    rb_timeline tl;
    rb_timeline_init(&tl, 10 * MS);
    assert_int_equal(rb_timeline_add_offer(&tl, 1 * MS, 0), RB_OK);
    assert_int_equal(rb_timeline_add_offer(&tl, 2 * MS, 3000), RB_OK);
    assert_int_equal(rb_timeline_add_offer(&tl, 9 * MS, 6000), RB_OK);
    assert_int_equal(rb_timeline_add_offer(&tl, 35 * MS, 500000), RB_OK);
    rb_tl_point *p;
    size_t n;
    rb_timeline_points(&tl, &p, &n);
    assert_int_equal(n, 4);
    assert_int_equal(p[0].offered, 3);
    assert_true(p[0].lag_mean_us == 3 && p[0].lag_max_us == 6);
    assert_int_equal(p[1].offered, 0);
    assert_true(isnan(p[1].lag_mean_us));
    assert_int_equal(p[3].offered, 1);
    assert_true(p[3].lag_max_us == 500);
    assert_int_equal(p[3].calls, 0);                /* offers are not calls */
    free(p);
    rb_timeline_free(&tl);
}

static void rejects_bad_input(void **state)
{
    (void)state;
    rb_timeline tl;
    assert_int_equal(rb_timeline_init(&tl, 0), RB_EINVAL);
    rb_timeline_init(&tl, 1 * MS);
    uint64_t far = (uint64_t)RB_TIMELINE_MAX_BUCKETS * MS;
    assert_int_equal(rb_timeline_add_call(&tl, far, 1, 1), RB_EINVAL);
    assert_int_equal(rb_timeline_add_offer(&tl, UINT64_MAX, 1), RB_EINVAL);
    assert_int_equal(tl.n, 0);
    rb_timeline a, b;
    rb_timeline_init(&a, 1 * MS);
    rb_timeline_init(&b, 2 * MS);
    rb_timeline_add_call(&b, 0, 5, 1);
    assert_int_equal(rb_timeline_merge(&a, &b), RB_EINVAL);
    assert_int_equal(a.n, 0);
    rb_timeline_free(&b);
    rb_timeline_free(&tl);
}

/* Two threads' timelines merged give the figures of one timeline that saw
 * every call. */
static void merge_equals_single(void **state)
{
    (void)state;
    rb_timeline t1, t2, all;
    rb_timeline_init(&t1, 50 * MS);
    rb_timeline_init(&t2, 50 * MS);
    rb_timeline_init(&all, 50 * MS);
    for (int i = 0; i < 1000; i++) {
        uint64_t at = (uint64_t)(i * 7919 % 400) * MS, lat = (uint64_t)(i * 31 % 997 + 1) * 1000;
        int ok = i % 13 != 0;
        rb_timeline *t = i % 3 ? &t1 : &t2;
        if (i < 600)            /* t2 ends early: merge must grow t1 */
            t = &t1;
        rb_timeline_add_call(t, at, lat, ok);
        rb_timeline_add_call(&all, at, lat, ok);
        rb_timeline_add_offer(t, at / 2, (uint64_t)i);
        rb_timeline_add_offer(&all, at / 2, (uint64_t)i);
    }
    rb_timeline_add_call(&t2, 900 * MS, 1, 1);
    rb_timeline_add_call(&all, 900 * MS, 1, 1);
    assert_int_equal(rb_timeline_merge(&t1, &t2), RB_OK);
    rb_tl_point *p, *q;
    size_t n, m;
    rb_timeline_points(&t1, &p, &n);
    rb_timeline_points(&all, &q, &m);
    assert_int_equal(n, m);
    assert_int_equal(n, 19);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p[i].calls, q[i].calls);
        assert_int_equal(p[i].failures, q[i].failures);
        assert_int_equal(p[i].offered, q[i].offered);
        assert_true(p[i].p50_us == q[i].p50_us || (isnan(p[i].p50_us) && isnan(q[i].p50_us)));
        assert_true(p[i].p99_us == q[i].p99_us || (isnan(p[i].p99_us) && isnan(q[i].p99_us)));
        assert_true(p[i].max_us == q[i].max_us || (isnan(p[i].max_us) && isnan(q[i].max_us)));
        assert_true(p[i].lag_max_us == q[i].lag_max_us || (isnan(p[i].lag_max_us) && isnan(q[i].lag_max_us)));
    }
    free(p);
    free(q);
    rb_timeline_free(&t1);
    rb_timeline_free(&t2);
    rb_timeline_free(&all);
}

static void json_round_trip(void **state)
{
    (void)state;
    rb_timeline tl;
    rb_timeline_init(&tl, 100 * MS);
    rb_timeline_add_call(&tl, 10 * MS, 2500, 1);
    rb_timeline_add_call(&tl, 20 * MS, 0, 0);
    rb_timeline_add_offer(&tl, 5 * MS, 1500);
    rb_timeline_add_call(&tl, 210 * MS, 900, 1);
    rb_tl_point *p;
    size_t n;
    rb_timeline_points(&tl, &p, &n);

    json_t *closed = rb_timeline_json(p, n, 0);
    assert_int_equal(json_array_size(closed), 3);
    json_t *o = json_array_get(closed, 0);
    assert_int_equal(json_object_size(o), 6);
    assert_null(json_object_get(o, "offered"));
    assert_true(json_real_value(json_object_get(o, "p99_us")) == 2.5);
    assert_int_equal(json_integer_value(json_object_get(o, "failures")), 1);
    assert_true(json_is_null(json_object_get(json_array_get(closed, 1), "p50_us")));

    json_t *open = rb_timeline_json(p, n, 1);
    o = json_array_get(open, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "offered")), 1);
    assert_true(json_real_value(json_object_get(o, "send_lag_mean_us")) == 1.5);
    assert_true(json_is_null(json_object_get(json_array_get(open, 2), "send_lag_max_us")));

    /* through text and back */
    char *text = json_dumps(open, 0);
    json_t *back = json_loads(text, 0, NULL);
    rb_tl_point *r;
    size_t rn;
    assert_int_equal(rb_timeline_from_json(back, &r, &rn), RB_OK);
    assert_int_equal(rn, n);
    for (size_t i = 0; i < n; i++) {
        assert_true(r[i].t_ms == p[i].t_ms);
        assert_int_equal(r[i].calls, p[i].calls);
        assert_int_equal(r[i].failures, p[i].failures);
        assert_int_equal(r[i].offered, p[i].offered);
        assert_true(r[i].p99_us == p[i].p99_us || (isnan(r[i].p99_us) && isnan(p[i].p99_us)));
        assert_true(r[i].lag_mean_us == p[i].lag_mean_us ||
                    (isnan(r[i].lag_mean_us) && isnan(p[i].lag_mean_us)));
    }
    free(r);
    free(text);
    json_decref(back);

    json_t *bad = json_pack("[i]", 3);
    assert_int_equal(rb_timeline_from_json(bad, &r, &rn), RB_EINVAL);
    assert_int_equal(rb_timeline_from_json(json_object_get(o, "calls"), &r, &rn), RB_EINVAL);
    json_decref(bad);
    json_decref(closed);
    json_decref(open);
    free(p);
    rb_timeline_free(&tl);
}

static void lag_growth(void **state)
{
    (void)state;
    rb_tl_point p[12];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 12; i++) {
        p[i].t_ms = 100.0 * i;
        p[i].offered = 100;
        p[i].lag_mean_us = 20;               /* on schedule */
    }
    assert_false(rb_timeline_lag_grows(p, 12));
    /* a stall in the middle, caught up afterwards: not growth */
    p[5].lag_mean_us = 80000;
    p[6].lag_mean_us = 30000;
    assert_false(rb_timeline_lag_grows(p, 12));
    /* falling further behind all the time: growth */
    for (int i = 0; i < 12; i++)
        p[i].lag_mean_us = 5000.0 * i;
    assert_true(rb_timeline_lag_grows(p, 12));
    /* the same over a 120 s run (10 s intervals): 40 ms is under 2 % of it */
    for (int i = 0; i < 12; i++)
        p[i].t_ms = 10000.0 * i;
    assert_false(rb_timeline_lag_grows(p, 12));
    for (int i = 0; i < 12; i++)
        p[i].t_ms = 100.0 * i;
    /* behind by a constant 5 ms throughout: late, but not growing */
    for (int i = 0; i < 12; i++)
        p[i].lag_mean_us = 5000;
    assert_false(rb_timeline_lag_grows(p, 12));
    /* growing but small (below the floor): scheduler jitter, not a flag */
    for (int i = 0; i < 12; i++)
        p[i].lag_mean_us = 300.0 * i;
    assert_false(rb_timeline_lag_grows(p, 12));
    /* noise of a busy machine: milliseconds up and down, higher at the end */
    const double noisy[12] = { 1271, 192, 443, 545, 3340, 994, 1707, 1141, 3722, 370, 9000, 2500 };
    for (int i = 0; i < 12; i++)
        p[i].lag_mean_us = noisy[i];
    assert_false(rb_timeline_lag_grows(p, 12));
    /* too few intervals to judge; intervals without offers are skipped */
    for (int i = 0; i < 12; i++)
        p[i].lag_mean_us = 1000.0 * i, p[i].offered = i < 10 ? 0 : 1;
    assert_false(rb_timeline_lag_grows(p, 12));
    assert_false(rb_timeline_lag_grows(p, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buckets_and_percentiles),
        cmocka_unit_test(offers_and_lag),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(merge_equals_single),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(lag_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
