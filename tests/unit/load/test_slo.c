/* The SLO search against model servers whose answer is known, and the
 * `--slo` parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"
#include "load/slo.h"

/* ---- parsing ------------------------------------------------------------ */

static void parse_valid(void **state)
{
    (void)state;
    static const struct { const char *in; double pct, us; const char *label; } ok[] = {
        { "p99=1ms", 99, 1000, "p99" },
        { "p99.9=500us", 99.9, 500, "p99.9" },
        { "p50=0.2ms", 50, 200, "p50" },
        { "P90=2s", 90, 2e6, "p90" },
        { "p100=10ms", 100, 10000, "p100" },
        { "p99.99=750\xc2\xb5s", 99.99, 750, "p99.99" },
        { "p1=3us", 1, 3, "p1" },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rb_slo_spec s;
        assert_int_equal(rb_slo_parse(ok[i].in, &s), RB_OK);
        assert_true(fabs(s.percentile - ok[i].pct) < 1e-12);
        assert_true(fabs(s.bound_us - ok[i].us) < 1e-9);
        assert_string_equal(s.label, ok[i].label);
    }
}

static void parse_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "p99", "99=1ms", "p99=1", "p99=1m", "p99=1msx", "p99=ms", "p=1ms",
        "p0=1ms", "p100.1=1ms", "p99=0ms", "p99=-1ms", "p-99=1ms", "p99==1ms",
        "p99=1e3us", "pinf=1ms", "p99=nanms", "p99.9.9=1ms", "p99 =1ms",
        "p99=1 ms", "p99.=1ms", "p.5=1ms", "p99=.5ms", "p99=1.ms", NULL,
    };
    for (size_t i = 0; bad[i]; i++) {
        rb_slo_spec s = { .percentile = -1 };
        assert_int_equal(rb_slo_parse(bad[i], &s), RB_EINVAL);
        assert_true(s.percentile == -1);            /* untouched */
    }
    assert_int_equal(rb_slo_parse(NULL, &(rb_slo_spec){ 0 }), RB_EINVAL);
    /* a label that does not fit is refused, not cut */
    assert_int_equal(rb_slo_parse("p99.9999999999999999=1ms", &(rb_slo_spec){ 0 }), RB_EINVAL);
}

/* ---- the search against a model ----------------------------------------- */

/* An M/M/1-like server: p99 = base / (1 - rate / cap) below cap, NAN (all
 * calls time out: failures) at or above; optional extras. */
typedef struct model {
    double base_us, cap_cps;
    double fail_above;          /* failures above this rate (0: never) */
    double short_above;         /* achieved only 90 % above this rate (0: never) */
    int calls, confirms;
    double confirm_rate;
    int abort_at;               /* return RB_EINTR on this call (0: never) */
} model;

static int measure(void *ctx, double rate, rb_slo_point *out)
{
    model *m = ctx;
    m->calls++;
    if (m->abort_at && m->calls == m->abort_at)
        return RB_EINTR;
    out->achieved_cps = rate;
    if (rate >= m->cap_cps) {
        out->value_us = NAN;
        out->failures = 10;
        out->achieved_cps = m->cap_cps;
        return RB_OK;
    }
    out->value_us = m->base_us / (1 - rate / m->cap_cps);
    out->failures = m->fail_above > 0 && rate > m->fail_above ? 1 : 0;
    if (m->short_above > 0 && rate > m->short_above)
        out->achieved_cps = 0.9 * rate;
    return RB_OK;
}

static int confirm(void *ctx, double rate, rb_slo_point *out)
{
    model *m = ctx;
    m->confirms++;
    m->confirm_rate = rate;
    return measure(ctx, rate, out);
}

/* The true answer of the model: value == bound at cap * (1 - base/bound). */
static double truth(const model *m, double bound)
{
    return m->cap_cps * (1 - m->base_us / bound);
}

static void brackets_the_answer(double start, double bound, model *m)
{
    rb_slo_params p = { .bound_us = bound, .start_cps = start, .max_steps = RB_SLO_MAX_STEPS };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, confirm, m, &r), RB_OK);
    double t = truth(m, bound);
    assert_true(r.max_rate_cps > 0 && r.max_rate_cps <= t);
    assert_true(r.fail_rate_cps > t);
    assert_true(r.fail_rate_cps / r.max_rate_cps <= 1.05 + 1e-12);
    assert_false(r.capped || r.ceiling || r.floor);
    int tries = 0;
    for (int i = 0; i < r.nsteps; i++) {
        tries += r.steps[i].tries;
        /* a pass is measured once; a fail twice (the majority of 3) */
        assert_int_equal(r.steps[i].tries, r.steps[i].pass ? 1 : 2);
        assert_int_equal(r.steps[i].held, r.steps[i].pass ? 1 : 0);
    }
    assert_int_equal(tries, m->calls - 1);          /* + one confirmation */
    assert_int_equal(m->confirms, 1);
    assert_true(m->confirm_rate == r.max_rate_cps);
    assert_true(r.has_confirm && r.confirm.pass && r.confirm.rate_cps == r.max_rate_cps);
    for (int i = 0; i < r.nsteps; i++)              /* every step judged right */
        assert_int_equal(r.steps[i].pass, r.steps[i].rate_cps <= t);
}

static void search_from_below_and_above(void **state)
{
    (void)state;
    const double starts[] = { 10, 1000, 4000, 9999, 50000, 1e6 };
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        model m = { .base_us = 100, .cap_cps = 10000 };
        brackets_the_answer(starts[i], 1000, &m);   /* truth 9000 */
        model m2 = { .base_us = 100, .cap_cps = 10000 };
        brackets_the_answer(starts[i], 130, &m2);   /* truth 2307.7 */
    }
}

/* Failed calls make a rate fail even when the percentile is fine. */
static void failures_fail(void **state)
{
    (void)state;
    model m = { .base_us = 100, .cap_cps = 10000, .fail_above = 3000 };
    rb_slo_params p = { .bound_us = 1000, .start_cps = 500 };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, NULL, &m, &r), RB_OK);
    assert_true(r.max_rate_cps <= 3000 && r.fail_rate_cps > 3000);
    assert_true(r.fail_rate_cps / r.max_rate_cps <= 1.05 + 1e-12);
    assert_false(r.has_confirm);                    /* no confirm callback given */
}

/* A rate the run could not achieve is not within the SLO. */
static void short_rate_fails(void **state)
{
    (void)state;
    model m = { .base_us = 100, .cap_cps = 10000, .short_above = 2000 };
    rb_slo_params p = { .bound_us = 1000, .start_cps = 500 };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, NULL, &m, &r), RB_OK);
    assert_true(r.max_rate_cps <= 2000 && r.fail_rate_cps > 2000);
}

static void step_cap(void **state)
{
    (void)state;
    model m = { .base_us = 100, .cap_cps = 10000 };
    rb_slo_params p = { .bound_us = 1000, .start_cps = 10, .max_steps = 4 };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, confirm, &m, &r), RB_OK);
    assert_int_equal(r.nsteps, 4);
    assert_true(r.capped);
    assert_true(r.max_rate_cps == 80);              /* 10, 20, 40, 80 all passed */
    assert_true(r.fail_rate_cps == 0);
    assert_int_equal(m.confirms, 1);
}

static void ceiling_and_floor(void **state)
{
    (void)state;
    model easy = { .base_us = 1, .cap_cps = 1e12 };
    rb_slo_params p = { .bound_us = 1000, .start_cps = 1000, .max_cps = 5000 };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, confirm, &easy, &r), RB_OK);
    assert_true(r.ceiling);
    assert_true(r.max_rate_cps == 5000);
    assert_int_equal(r.nsteps, 4);                  /* 1000, 2000, 4000, 5000 */

    model hard = { .base_us = 5000, .cap_cps = 1e6 };  /* never within 1 ms */
    rb_slo_params q = { .bound_us = 1000, .start_cps = 100, .min_cps = 10 };
    assert_int_equal(rb_slo_search(&q, measure, confirm, &hard, &r), RB_OK);
    assert_true(r.floor);
    assert_true(r.max_rate_cps == 0);
    assert_true(r.steps[r.nsteps - 1].rate_cps == 10);
    assert_int_equal(hard.confirms, 0);             /* nothing to confirm */
    assert_false(r.has_confirm);
}

static void callback_error_aborts(void **state)
{
    (void)state;
    model m = { .base_us = 100, .cap_cps = 10000, .abort_at = 3 };
    rb_slo_params p = { .bound_us = 1000, .start_cps = 100 };
    rb_slo_result r;
    assert_int_equal(rb_slo_search(&p, measure, confirm, &m, &r), RB_EINTR);
    assert_int_equal(m.confirms, 0);
    assert_int_equal(m.calls, 3);                   /* stopped at the failing call */
}

/* One noisy measurement below the answer (the machine was busy for a
 * moment) must not become the search's upper bound: the failing rate is
 * measured again, and the majority decides. */
typedef struct noisy {
    model m;
    int spoil;                  /* the measurement (1-based) that reads high */
    int n;
} noisy;

static int noisy_measure(void *ctx, double rate, rb_slo_point *out)
{
    noisy *z = ctx;
    int rc = measure(&z->m, rate, out);
    if (++z->n == z->spoil)
        out->value_us = 1e6;                        /* far past any bound */
    return rc;
}

static void noisy_step_is_remeasured(void **state)
{
    (void)state;
    for (int spoil = 1; spoil <= 3; spoil++) {     /* 2000, 4000, 8000: all below the answer */
        noisy z = { .m = { .base_us = 100, .cap_cps = 10000 }, .spoil = spoil };
        rb_slo_params p = { .bound_us = 1000, .start_cps = 2000, .max_steps = RB_SLO_MAX_STEPS };
        rb_slo_result r;
        assert_int_equal(rb_slo_search(&p, noisy_measure, NULL, &z, &r), RB_OK);
        double t = truth(&z.m, 1000);               /* 9000 */
        assert_true(r.max_rate_cps <= t && r.fail_rate_cps > t);
        assert_true(r.fail_rate_cps / r.max_rate_cps <= 1.05 + 1e-12);
        int remeasured = 0;
        for (int i = 0; i < r.nsteps; i++)
            remeasured |= r.steps[i].pass && r.steps[i].tries == 3 && r.steps[i].held == 2;
        assert_true(remeasured);                    /* the spoiled step held 2 of 3 */

        /* with no re-measurement the same noise caps the search low */
        noisy once = { .m = { .base_us = 100, .cap_cps = 10000 }, .spoil = spoil };
        p.repeats = 1;
        assert_int_equal(rb_slo_search(&p, noisy_measure, NULL, &once, &r), RB_OK);
        assert_true(r.max_rate_cps < 0.95 * t);
    }
}

static void step_length(void **state)
{
    (void)state;
    /* p99: 100 calls beyond it are 10,000 calls */
    assert_true(fabs(rb_slo_step_s(0.25, 99, 10000) - 1.0) < 1e-9);
    assert_true(rb_slo_step_s(0.25, 99, 100000) == 0.25);   /* at least min_s */
    assert_true(rb_slo_step_s(0.25, 99, 1000) == RB_SLO_STEP_MAX_S);
    assert_true(rb_slo_step_s(5, 99, 1000) == 5);           /* min_s above the cap */
    assert_true(fabs(rb_slo_step_s(0.1, 50, 1000) - 0.2) < 1e-9);
    assert_true(rb_slo_step_s(0.25, 100, 1000) == 0.25);    /* p100: nothing beyond */
}

static void generator_limited(void **state)
{
    (void)state;
    rb_slo_point pt = { .gen_lag_p99_us = 99 };
    assert_false(rb_slo_generator_limited(&pt, 1000));
    pt.gen_lag_p99_us = 101;
    assert_true(rb_slo_generator_limited(&pt, 1000));
    pt.gen_lag_p99_us = NAN;
    assert_false(rb_slo_generator_limited(&pt, 1000));
}

static void bad_params(void **state)
{
    (void)state;
    model m = { .base_us = 100, .cap_cps = 10000 };
    rb_slo_result r;
    const rb_slo_params bad[] = {
        { .bound_us = 0, .start_cps = 100 },
        { .bound_us = 1000, .start_cps = 0 },
        { .bound_us = 1000, .start_cps = NAN },
        { .bound_us = 1000, .start_cps = 100, .growth = 1 },
        { .bound_us = 1000, .start_cps = 100, .precision = -1 },
        { .bound_us = 1000, .start_cps = 100, .max_steps = RB_SLO_MAX_STEPS + 1 },
        { .bound_us = 1000, .start_cps = 100, .min_cps = 50, .max_cps = 10 },
        { .bound_us = 1000, .start_cps = 100, .repeats = RB_SLO_MAX_REPEATS + 1 },
        { .bound_us = 1000, .start_cps = 100, .repeats = -1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rb_slo_search(&bad[i], measure, NULL, &m, &r), RB_EINVAL);
    rb_slo_params ok = { .bound_us = 1000, .start_cps = 100 };
    assert_int_equal(rb_slo_search(&ok, NULL, NULL, &m, &r), RB_EINVAL);
    assert_int_equal(m.calls, 0);
}

/* A confirming run that misses steps the rate down by RB_SLO_CONFIRM_BACKOFF
 * until one passes (or RB_SLO_CONFIRM_TRIES runs): the answer is the rate a
 * full run held. */
typedef struct flaky {
    model m;
    double confirm_cap;         /* the full runs hold the bound only below this */
    int runs;
    double rates[8];
} flaky;

static int flaky_measure(void *ctx, double rate, rb_slo_point *out)
{
    return measure(&((flaky *)ctx)->m, rate, out);
}

static int flaky_confirm(void *ctx, double rate, rb_slo_point *out)
{
    flaky *f = ctx;
    f->rates[f->runs++] = rate;
    int rc = measure(&f->m, rate, out);
    if (rate >= f->confirm_cap)
        out->value_us = 1e9;                        /* the long run's tail */
    return rc;
}

static void confirm_steps_down(void **state)
{
    (void)state;
    rb_slo_params p = { .bound_us = 1000, .start_cps = 500, .max_steps = RB_SLO_MAX_STEPS };
    rb_slo_result r;
    /* full runs hold only below 70 % of the short steps' answer: two misses */
    flaky f = { .m = { .base_us = 100, .cap_cps = 10000 } };
    f.confirm_cap = 0.7 * 9000;
    assert_int_equal(rb_slo_search(&p, flaky_measure, flaky_confirm, &f, &r), RB_OK);
    /* each missed rate is measured twice (the majority of 3), then backs off */
    assert_int_equal(f.runs, 5);
    assert_int_equal(r.confirm_runs, 3);
    assert_true(f.rates[0] == r.searched_cps && f.rates[1] == r.searched_cps);
    assert_true(fabs(f.rates[2] - r.searched_cps * RB_SLO_CONFIRM_BACKOFF) < 1e-9);
    assert_true(f.rates[3] == f.rates[2]);
    assert_true(r.confirm.pass && r.max_rate_cps == f.rates[4]);
    assert_int_equal(r.confirm.tries, 1);
    assert_true(r.max_rate_cps < f.confirm_cap && r.searched_cps > f.confirm_cap);
    /* no full run holds: the steps' rate stays, unconfirmed, after 3 runs */
    flaky g = { .m = { .base_us = 100, .cap_cps = 10000 }, .confirm_cap = 1 };
    assert_int_equal(rb_slo_search(&p, flaky_measure, flaky_confirm, &g, &r), RB_OK);
    assert_int_equal(g.runs, 2 * RB_SLO_CONFIRM_TRIES);
    assert_false(r.confirm.pass);
    assert_true(r.max_rate_cps == r.searched_cps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_valid),
        cmocka_unit_test(parse_invalid),
        cmocka_unit_test(search_from_below_and_above),
        cmocka_unit_test(failures_fail),
        cmocka_unit_test(short_rate_fails),
        cmocka_unit_test(step_cap),
        cmocka_unit_test(confirm_steps_down),
        cmocka_unit_test(ceiling_and_floor),
        cmocka_unit_test(callback_error_aborts),
        cmocka_unit_test(noisy_step_is_remeasured),
        cmocka_unit_test(step_length),
        cmocka_unit_test(generator_limited),
        cmocka_unit_test(bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
