/* pin.c: CPU lists and `--pin S:C` parsing (errors echo the value), and
 * sched_setaffinity on the calling thread and on every thread of a child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/pin.h"
#include "rb_error.h"

static void parses_lists(void **state)
{
    (void)state;
    rb_cpus c;
    char err[200];
    assert_int_equal(rb_cpus_parse("0", &c, err, sizeof err), RB_OK);
    assert_int_equal(c.count, 1);
    assert_true(CPU_ISSET(0, &c.set));
    if (sysconf(_SC_NPROCESSORS_CONF) >= 2) {
        assert_int_equal(rb_cpus_parse("0-1", &c, err, sizeof err), RB_OK);
        assert_int_equal(c.count, 2);
        assert_int_equal(rb_cpus_parse("1,0", &c, err, sizeof err), RB_OK);
        assert_int_equal(c.count, 2);
        assert_string_equal(c.text, "1,0");
    }
    const char *bad[] = { "", "a", "0-", "-1", "1-0", "0,,1", "0,", " 0", "0x1", "99999" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(rb_cpus_parse(bad[i], &c, err, sizeof err), RB_EINVAL);
        char want[64];
        snprintf(want, sizeof want, "'%s'", bad[i]);
        assert_non_null(strstr(err, want));
    }
    char big[16];
    snprintf(big, sizeof big, "%ld", sysconf(_SC_NPROCESSORS_CONF));   /* one past the last */
    assert_int_equal(rb_cpus_parse(big, &c, err, sizeof err), RB_EINVAL);
}

static void parses_pin(void **state)
{
    (void)state;
    rb_pin p;
    char err[200];
    assert_int_equal(rb_pin_parse("0:0", &p, err, sizeof err), RB_OK);
    assert_string_equal(p.server.text, "0");
    assert_string_equal(p.client.text, "0");
    const char *bad[] = { "0", ":0", "0:", "0:x", "", "0:0:0" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(rb_pin_parse(bad[i], &p, err, sizeof err), RB_EINVAL);
        char want[64];
        snprintf(want, sizeof want, "'%s'", bad[i]);
        assert_non_null(strstr(err, want));
    }
}

static void applies_to_self(void **state)
{
    (void)state;
    rb_cpus c;
    char err[200];
    cpu_set_t old, now;
    sched_getaffinity(0, sizeof old, &old);
    assert_int_equal(rb_cpus_parse("0", &c, err, sizeof err), RB_OK);
    assert_int_equal(rb_cpus_apply(0, &c), RB_OK);
    sched_getaffinity(0, sizeof now, &now);
    assert_true(CPU_EQUAL(&now, &c.set));
    sched_setaffinity(0, sizeof old, &old);
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void applies_to_every_thread(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t th[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&th[i], NULL, idle, NULL);
        if (write(p[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char b;
    assert_int_equal(read(p[0], &b, 1), 1);
    rb_cpus c;
    char err[200];
    long last = sysconf(_SC_NPROCESSORS_CONF) - 1;
    char list[24];
    snprintf(list, sizeof list, "%ld", last);
    assert_int_equal(rb_cpus_parse(list, &c, err, sizeof err), RB_OK);
    assert_int_equal(rb_cpus_apply_process(pid, &c), RB_OK);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    char cmd[400];
    /* every task's Cpus_allowed_list is the last CPU */
    snprintf(cmd, sizeof cmd, "test \"$(cat %s/*/status | grep Cpus_allowed_list | sort -u | wc -l)\" = 1 && "
             "grep -q 'Cpus_allowed_list:.%s$' %s/*/status", path, list, path);
    int rc = system(cmd);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(rb_cpus_apply_process(pid, &c), RB_EIO);   /* gone */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_lists),
        cmocka_unit_test(parses_pin),
        cmocka_unit_test(applies_to_self),
        cmocka_unit_test(applies_to_every_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
