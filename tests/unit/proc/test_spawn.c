/* spawn.c: fork + exec with argv, environment, folder and streams as
 * asked, the child's exit status or signal, and the wait's deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/spawn.h"
#include "rb_error.h"

/* Run `sh -c script` as opts says, its stdout into out (cap bytes, a C
 * string); returns its exit status as rb_spawn_wait gives it. */
static int sh(const char *script, rb_spawn_opts *o, char *out, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    o->out = (rb_spawn_io){ .kind = RB_IO_FD, .fd = fds[1] };
    char *const argv[] = { "sh", "-c", (char *)script, NULL };
    pid_t pid = rb_spawn("/bin/sh", argv, o);
    close(fds[1]);
    assert_true(pid > 0);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < cap && (n = read(fds[0], out + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    return rb_spawn_wait(pid, -1);
}

static void argv_env_dir_and_status(void **state)
{
    (void)state;
    char out[256];
    rb_spawn_opts o = { 0 };
    assert_int_equal(sh("echo \"$0 $1\"; exit 3", &o, out, sizeof out), 3);
    assert_string_equal(out, "sh \n");
    char *const env[] = { "RB_SPAWN_X=seven", NULL };
    o = (rb_spawn_opts){ .envp = env, .dir = "/" };
    assert_int_equal(sh("echo \"$RB_SPAWN_X $(pwd) ${HOME:-nohome}\"", &o, out, sizeof out), 0);
    assert_string_equal(out, "seven / nohome\n");
}

static void signals_and_exec_failures(void **state)
{
    (void)state;
    char out[64];
    rb_spawn_opts o = { 0 };
    assert_int_equal(sh("kill -TERM $$", &o, out, sizeof out), 128 + SIGTERM);
    char *const argv[] = { "nosuch", NULL };
    pid_t pid = rb_spawn("/nonexistent/rb-spawn-nosuch", argv, NULL);
    assert_true(pid > 0);
    assert_int_equal(rb_spawn_wait(pid, -1), 127);
    o = (rb_spawn_opts){ .dir = "/nonexistent/rb-spawn-dir" };
    assert_int_equal(sh("echo never", &o, out, sizeof out), 126);
    assert_string_equal(out, "");
    assert_int_equal(rb_spawn_wait(getpid(), 100), RB_EIO);   /* not a child */
}

static void streams(void **state)
{
    (void)state;
    char out[256], path[] = "/tmp/rb-spawn-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* stdin from /dev/null: cat ends at once; stdout and stderr both into
     * one file, in the order written */
    rb_spawn_opts o = { .in = { .kind = RB_IO_NULL },
                        .out = { .kind = RB_IO_FILE, .path = path },
                        .err = { .kind = RB_IO_STDOUT } };
    char *const argv[] = { "sh", "-c", "cat; echo out; echo err >&2; echo out2", NULL };
    pid_t pid = rb_spawn("/bin/sh", argv, &o);
    assert_true(pid > 0);
    assert_int_equal(rb_spawn_wait(pid, -1), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(path);
    assert_string_equal(out, "out\nerr\nout2\n");
    /* stderr to /dev/null: nothing of it reaches the pipe that is stdout */
    o = (rb_spawn_opts){ .err = { .kind = RB_IO_NULL } };
    assert_int_equal(sh("echo a; echo b >&2", &o, out, sizeof out), 0);
    assert_string_equal(out, "a\n");
}

static void deadline_kills(void **state)
{
    (void)state;
    char *const argv[] = { "sleep", "60", NULL };
    pid_t pid = rb_spawn("/bin/sleep", argv, NULL);
    assert_true(pid > 0);
    assert_int_equal(rb_spawn_wait(pid, 50), RB_ETIMEDOUT);
    errno = 0;
    assert_int_equal(kill(pid, 0), -1);   /* killed and reaped */
    assert_int_equal(errno, ESRCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(argv_env_dir_and_status),
        cmocka_unit_test(signals_and_exec_failures),
        cmocka_unit_test(streams),
        cmocka_unit_test(deadline_kills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
