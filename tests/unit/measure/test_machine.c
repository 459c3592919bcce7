/* machine.c: reading the machine's state (a fake /proc and /sys tree, and
 * this machine's own) and flagging interference between two readings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "measure/machine.h"
#include "results/write.h"

static char root[64];

static void put(const char *rel, const char *text)
{
    char p[512], cmd[600];
    snprintf(p, sizeof p, "%s%s", root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void fake_tree(const char *stat, const char *loadavg)
{
    put("/proc/stat", stat);
    put("/proc/loadavg", loadavg);
}

static void reads_fake_tree(void **state)
{
    (void)state;
    fake_tree("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 1 2 3 4\nprocs_running 3\n",
              "1.50 0.75 0.25 3/200 4242\n");
    put("/sys/devices/system/cpu/cpuidle/current_driver", "haltpoll\n");
    put("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
    rb_machine m;
    rb_machine_read(&m, root);
    assert_string_equal(m.cpuidle_driver, "haltpoll");
    assert_string_equal(m.governor, "powersave");
    assert_true(m.loadavg[0] == 1.5 && m.loadavg[2] == 0.25);
    assert_int_equal(m.procs_running, 3);
    assert_int_equal(m.total_ticks, 1000);
    assert_int_equal(m.steal_ticks, 35);
    assert_true(m.ok);
}

/* Two readings 1 s apart on 2 CPUs (200 ticks of capacity): 100 busy
 * ticks (1 s of CPU) in between. */
static void read_pair(rb_machine *a, rb_machine *b, const char *after, const char *loadavg)
{
    fake_tree("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 1\ncpu1 1\n", "0.50 0.5 0.5 1/100 1\n");
    rb_machine_read(a, root);
    fake_tree(after, loadavg);
    rb_machine_read(b, root);
    a->mono_ns = 5000000000ull;
    b->mono_ns = 6000000000ull;
}

static void flags_steal_and_others(void **state)
{
    (void)state;
    rb_machine a, b;
    rb_interference in;
    /* 1 tick of 200 stolen (0.5 %); the run used 0.95 s of the 1 s busy:
     * others 0.05 s of 2 s capacity (2.5 %). A 1-minute load average of
     * 3.1 (the run's own earlier scenarios) flags nothing. */
    read_pair(&a, &b, "cpu  170 0 80 899 10 0 5 36 0 0\ncpu0 1\ncpu1 1\n",
              "3.10 0.5 0.5 1/100 1\n");
    assert_int_equal(b.ncpu, 2);
    assert_int_equal(b.busy_ticks - a.busy_ticks, 100);
    rb_machine_interference(&a, &b, 0.95e9, &in);
    assert_true(fabs(in.steal_fraction - 0.005) < 1e-12);
    assert_true(fabs(in.others_fraction - 0.025) < 1e-9);
    assert_false(in.flagged);
    /* the run used 0.5 s: others 0.5 s of 2 s (25 %, over 10 %) */
    rb_machine_interference(&a, &b, 0.5e9, &in);
    assert_true(fabs(in.others_fraction - 0.25) < 1e-9);
    assert_true(in.others_flag && !in.steal_flag && in.flagged);
    /* the run's own CPU unknown (a server that is not ours): not judged */
    rb_machine_interference(&a, &b, NAN, &in);
    assert_true(isnan(in.others_fraction));
    assert_false(in.flagged);
    /* 5 ticks of 200 stolen (2.5 %) */
    read_pair(&a, &b, "cpu  170 0 80 895 10 0 5 40 0 0\ncpu0 1\ncpu1 1\n",
              "0.10 0.5 0.5 1/100 1\n");
    rb_machine_interference(&a, &b, 1e9, &in);
    assert_true(fabs(in.steal_fraction - 0.025) < 1e-12);
    assert_true(in.steal_flag && !in.others_flag && in.flagged);
    rb_machine_interference(&a, &b, 0.2e9, &in);
    json_t *j = rb_machine_json(&a, &b, &in);
    assert_true(json_is_true(json_object_get(j, "interference")));
    assert_int_equal(json_array_size(json_object_get(j, "flags")), 2);
    assert_true(fabs(json_real_value(json_object_get(j, "own_cpu_us")) - 200000.0) < 1e-6);
    json_decref(j);
    /* a figure that came out infinite is null, not a missing key (json_real
     * refuses it) */
    in.others_fraction = INFINITY;
    j = rb_machine_json(&a, &b, &in);
    assert_non_null(j);
    assert_non_null(json_object_get(j, "others_fraction"));
    assert_true(json_is_null(json_object_get(j, "others_fraction")));
    json_decref(j);
}

static void unknown_is_unknown(void **state)
{
    (void)state;
    rb_machine a, b;
    rb_interference in;
    rb_machine_read(&a, "/nonexistent");
    assert_false(a.ok);
    assert_string_equal(a.governor, "");
    rb_interference none = { 0 };
    json_t *j = rb_machine_json(&a, &a, &none);
    assert_true(json_is_null(json_object_get(json_object_get(j, "after"), "governor")));
    json_decref(j);
    assert_true(isnan(a.loadavg[0]));
    assert_int_equal(a.procs_running, -1);
    b = a;
    rb_machine_interference(&a, &b, 1e9, &in);
    assert_true(isnan(in.steal_fraction));
    assert_true(isnan(in.others_fraction));
    assert_false(in.flagged);
}

static void this_machine(void **state)
{
    (void)state;
    rb_machine m;
    rb_machine_read(&m, "");
    assert_true(m.ok);
    assert_true(m.total_ticks > 0);
    assert_false(isnan(m.loadavg[0]));
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/rb-machine-%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_fake_tree),
        cmocka_unit_test(flags_steal_and_others),
        cmocka_unit_test(unknown_is_unknown),
        cmocka_unit_test(this_machine),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
