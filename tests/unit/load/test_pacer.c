/* test_pacer.c - the open loop's pacer (bench/load/pacer.h): never returns
 * before the due time, returns at once for a time passed, counts the CPU
 * it spins, stops when asked. No timing thresholds: only order relations
 * between clock readings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "load/pacer.h"
#include "rb_error.h"

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void sleep_only(void **state)
{
    (void)state;
    rb_pacer p;
    assert_int_equal(rb_pacer_init(&p, 0), RB_OK);
    uint64_t now = mono_ns();
    assert_int_equal(rb_pacer_wait(&p, now - 1000, NULL), RB_OK);
    uint64_t due = mono_ns() + 3000000;             /* 3 ms ahead */
    assert_int_equal(rb_pacer_wait(&p, due, NULL), RB_OK);
    assert_true(mono_ns() >= due);                  /* never early */
    assert_int_equal(p.spin_cpu_ns, 0);             /* no spinning asked */
}

static void sleep_then_spin(void **state)
{
    (void)state;
    rb_pacer p;
    assert_int_equal(rb_pacer_init(&p, 2000000), RB_OK);   /* 2 ms margin */
    for (int i = 0; i < 5; i++) {
        uint64_t due = mono_ns() + 5000000;         /* 5 ms ahead */
        assert_int_equal(rb_pacer_wait(&p, due, NULL), RB_OK);
        assert_true(mono_ns() >= due);
    }
    assert_true(p.spin_cpu_ns > 0);                 /* the spin was counted */
    rb_pacer big;
    rb_pacer_init(&big, 60ull * 1000000000ull);
    assert_int_equal(big.spin_ns, 10000000ull);     /* clamped to 10 ms */
}

static void stops(void **state)
{
    (void)state;
    rb_pacer p;
    rb_pacer_init(&p, 1000000);
    volatile int stop = 1;
    uint64_t t0 = mono_ns();
    assert_int_equal(rb_pacer_wait(&p, t0 + 60ull * 1000000000ull, &stop), RB_EINTR);
    assert_int_equal(rb_pacer_wait(&p, t0 - 1, &stop), RB_EINTR);
    assert_true(mono_ns() < t0 + 60ull * 1000000000ull);   /* did not wait the minute */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sleep_only),
        cmocka_unit_test(sleep_then_spin),
        cmocka_unit_test(stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
