/* Exact percentiles on known samples, medians, and the HdrHistogram text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/stats.h"

static void percentiles_known(void **state)
{
    (void)state;
    rb_samples s = { 0 };
    /* 1..1000 µs, pushed in reverse so compute must sort */
    for (int i = 1000; i >= 1; i--)
        assert_int_equal(rb_samples_push(&s, (uint64_t)i * 1000), 0);
    rb_latency l;
    rb_stats_compute(&s, &l);
    assert_int_equal(l.n, 1000);
    assert_true(l.min == 1.0);
    assert_true(l.p50 == 500.0);
    assert_true(l.p90 == 900.0);
    assert_true(l.p99 == 990.0);
    assert_true(l.p99_9 == 999.0);
    assert_true(l.max == 1000.0);
    assert_true(fabs(l.mean - 500.5) < 1e-9);
    assert_true(fabs(l.stddev - 288.6749902572095) < 1e-6);
    rb_samples_free(&s);
}

static void percentile_nearest_rank(void **state)
{
    (void)state;
    const uint64_t v[] = { 10, 20, 30, 40 };
    assert_int_equal(rb_percentile(v, 4, 0), 10);
    assert_int_equal(rb_percentile(v, 4, 25), 10);
    assert_int_equal(rb_percentile(v, 4, 25.1), 20);
    assert_int_equal(rb_percentile(v, 4, 50), 20);
    assert_int_equal(rb_percentile(v, 4, 99.9), 40);
    assert_int_equal(rb_percentile(v, 4, 100), 40);
    assert_int_equal(rb_percentile(v, 0, 50), 0);
    const uint64_t one[] = { 7 };
    assert_int_equal(rb_percentile(one, 1, 99.99), 7);
}

static void empty_and_median(void **state)
{
    (void)state;
    rb_samples s = { 0 };
    rb_latency l;
    rb_stats_compute(&s, &l);
    assert_int_equal(l.n, 0);
    double a[] = { 3, 1, 2 }, b[] = { 4, 1, 3, 2 };
    assert_true(rb_median(a, 3) == 2.0);
    assert_true(rb_median(b, 4) == 2.5);
    rb_samples x = { 0 }, y = { 0 };
    rb_samples_push(&x, 1);
    rb_samples_push(&y, 2);
    rb_samples_push(&y, 3);
    assert_int_equal(rb_samples_append(&x, &y), 0);
    assert_int_equal(x.n, 3);
    assert_int_equal(x.ns[2], 3);
    rb_samples_free(&x);
    rb_samples_free(&y);
}

static void hgrm_text(void **state)
{
    (void)state;
    enum { N = 10000 };
    uint64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = (uint64_t)(i + 1) * 100; /* 0.1 .. 1000 µs */
    FILE *f = tmpfile();
    assert_int_equal(rb_stats_write_hgrm(f, v, N), 0);
    rewind(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "Value"));
    assert_non_null(strstr(line, "1/(1-Percentile)"));
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "\n");
    double prev_v = -1, prev_p = -1, val, pct, inv;
    unsigned long cnt, prev_c = 0;
    int rows = 0, saw_p50 = 0, last_ok = 0, mean_ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            double mean;
            if (sscanf(line, "#[Mean    = %lf", &mean) == 1 && fabs(mean - 500.05) < 0.01)
                mean_ok = 1;
            continue;
        }
        int k = sscanf(line, "%lf %lf %lu %lf", &val, &pct, &cnt, &inv);
        assert_true(k == 4 || k == 3);
        assert_true(val >= prev_v && pct > prev_p && cnt >= prev_c);
        if (k == 4)
            assert_true(fabs(inv - 1.0 / (1.0 - pct)) < 0.01 * inv);
        if (fabs(pct - 0.5) < 1e-12) {
            assert_true(fabs(val - 500.0) < 1e-9);
            assert_int_equal(cnt, 5000);
            saw_p50 = 1;
        }
        if (k == 3) {
            assert_true(pct == 1.0 && cnt == N && val == 1000.0);
            last_ok = 1;
        }
        prev_v = val;
        prev_p = pct;
        prev_c = cnt;
        rows++;
    }
    fclose(f);
    free(v);
    assert_true(rows > 20);
    assert_true(saw_p50 && last_ok && mean_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentiles_known),
        cmocka_unit_test(percentile_nearest_rank),
        cmocka_unit_test(empty_and_median),
        cmocka_unit_test(hgrm_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
