/* Each fault primitive on real processes and sockets, and its undo: by the
 * call that ends it, by rb_fault_cleanup, by exit, by SIGTERM, and by the
 * sweep of a later run after a SIGKILL. Network faults need root
 * (CAP_NET_ADMIN) and nft: without them those tests are skipped, and the
 * refusal says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault/fault.h"
#include "rb_error.h"
#include "transport.h"

/* The faults' clock (rb_now_ns) lives beside the transport registry's
 * lookup, which wants a list: this test has no transport. */
const rb_transport *const rb_transports[] = { NULL };

static pid_t sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    assert_true(pid > 0);
    return pid;
}

/* The state letter of /proc/PID/stat ('T' stopped, 'S' sleeping, 0 gone). */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int can_net(void)
{
    char err[256];
    return rb_fault_check(RB_FAULT_PARTITION, err, sizeof err) == RB_OK &&
           access("/usr/sbin/nft", X_OK) == 0;
}

static void kill_and_reap(void **state)
{
    (void)state;
    pid_t a = sleeper(), b = sleeper();
    assert_int_equal(rb_fault_kill(a, SIGKILL, 2000), RB_OK);
    assert_int_equal(rb_fault_kill(b, SIGTERM, 2000), RB_OK);
    assert_int_equal(waitpid(a, NULL, WNOHANG), -1);   /* already reaped */
    assert_int_equal(errno, ECHILD);
    assert_int_equal(rb_fault_kill(a, SIGKILL, 10), RB_EIO);
    assert_int_equal(rb_fault_kill(0, SIGKILL, 10), RB_EINVAL);
    /* a process that ignores SIGTERM is still there after the wait */
    pid_t c = fork();
    if (c == 0) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    usleep(50000);
    assert_int_equal(rb_fault_kill(c, SIGTERM, 100), RB_ETIMEDOUT);
    assert_int_equal(rb_fault_kill(c, SIGKILL, 2000), RB_OK);
}

static void stall_and_undo(void **state)
{
    (void)state;
    pid_t p = sleeper();
    usleep(20000);
    assert_int_equal(rb_fault_stall_begin(p), RB_OK);
    usleep(20000);
    assert_int_equal(proc_state(p), 'T');
    assert_int_equal(rb_fault_stall_end(p), RB_OK);
    usleep(20000);
    assert_int_not_equal(proc_state(p), 'T');
    /* left stopped: rb_fault_cleanup continues it */
    assert_int_equal(rb_fault_stall_begin(p), RB_OK);
    usleep(20000);
    assert_int_equal(proc_state(p), 'T');
    rb_fault_cleanup();
    usleep(20000);
    assert_int_not_equal(proc_state(p), 'T');
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
}

static int respawns;
static int respawn(void *arg, pid_t *np)
{
    (void)arg;
    respawns++;
    *np = sleeper();
    return RB_OK;
}

/* server-kill through rb_fault_inject: killed, down for DURATION, started
 * again through the runner's callback; times recorded. */
static void inject_server_kill(void **state)
{
    (void)state;
    pid_t p = sleeper();
    rb_fault_target t = { .server_pid = p, .respawn = respawn };
    rb_fault_spec f = { .kind = RB_FAULT_SERVER_KILL, .duration_ms = 200, .at_ms = -1 };
    rb_fault_times tm;
    rb_fault_rearm();   /* the cleanup test above stopped waits */
    uint64_t t0 = now_ms();
    assert_int_equal(rb_fault_inject(&f, &t, &tm), RB_OK);
    assert_true(now_ms() - t0 >= 200);
    assert_int_equal(respawns, 1);
    assert_true(t.server_pid > 0 && t.server_pid != p);
    assert_int_equal(proc_state(p), 0);
    assert_true(tm.end_ns - tm.begin_ns >= 200000000ull);
    f.kind = RB_FAULT_SERVER_STALL;
    assert_int_equal(rb_fault_inject(&f, &t, &tm), RB_OK);
    assert_true(tm.end_ns - tm.begin_ns >= 200000000ull);
    assert_int_not_equal(proc_state(t.server_pid), 'T');
    rb_fault_kill(t.server_pid, SIGKILL, 2000);
    /* no server of ours: a clear refusal */
    rb_fault_target none = { 0 };
    f.kind = RB_FAULT_SERVER_KILL;
    assert_int_equal(rb_fault_inject(&f, &none, &tm), RB_EUNSUPP);
    assert_non_null(strstr(tm.err, "--connect"));
}

static int listener(int *port)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 16), 0);
    getsockname(l, (struct sockaddr *)&a, &al);
    *port = ntohs(a.sin_port);
    return l;
}

static int connect_to(int port, int nonblock)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    assert_true(r == 0 || (nonblock && errno == EINPROGRESS));
    return c;
}

static void conn_reset_real_socket(void **state)
{
    (void)state;
    if (!can_net())
        skip();
    int port, n = -1;
    char err[256] = "";
    int l = listener(&port);
    int c1 = connect_to(port, 0), c2 = connect_to(port, 0);
    int s1 = accept(l, NULL, NULL), s2 = accept(l, NULL, NULL);
    assert_int_equal(rb_fault_conn_reset(getpid(), port, &n, err, sizeof err), RB_OK);
    assert_int_equal(n, 2);   /* the client sides only: the accepted ones have sport = port */
    char b;
    assert_int_equal(recv(c1, &b, 1, 0), -1);
    assert_int_equal(errno, ECONNABORTED);
    ssize_t r = recv(s1, &b, 1, 0);   /* the peer got a RST */
    assert_true(r == 0 || (r < 0 && errno == ECONNRESET));
    /* nothing left to reset */
    assert_int_equal(rb_fault_conn_reset(getpid(), port, &n, err, sizeof err), RB_OK);
    assert_int_equal(n, 0);
    close(c1), close(c2), close(s1), close(s2), close(l);
}

static int nft_has(const char *needle)
{
    FILE *p = popen("/usr/sbin/nft list tables 2>/dev/null", "r");
    char line[256];
    int found = 0;
    while (p && fgets(line, sizeof line, p))
        found |= strstr(line, needle) != NULL;
    if (p)
        pclose(p);
    return found;
}

static void partition_real_socket(void **state)
{
    (void)state;
    if (!can_net())
        skip();
    int port, h = -1;
    char err[256] = "", name[64], b = 0;
    int l = listener(&port);
    int c = connect_to(port, 0), s = accept(l, NULL, NULL);
    assert_int_equal(rb_fault_partition_begin(port, &h, err, sizeof err), RB_OK);
    snprintf(name, sizeof name, "rpcbench_%d_%d", (int)getpid(), h);
    assert_true(nft_has(name));
    /* a new connection does not get through, nor do bytes on an old one */
    int c2 = connect_to(port, 1);
    struct pollfd p = { .fd = c2, .events = POLLOUT };
    assert_int_equal(poll(&p, 1, 300), 0);
    assert_int_equal(send(c, "x", 1, 0), 1);   /* the sender sees no error */
    p = (struct pollfd){ .fd = s, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 300), 0);
    assert_int_equal(rb_fault_partition_end(h), RB_OK);
    assert_false(nft_has(name));
    /* healed: TCP retransmits, the byte arrives */
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(recv(s, &b, 1, 0), 1);
    assert_int_equal(b, 'x');
    close(c), close(c2), close(s), close(l);
}

/* A child that partitions a port, tells us, then ends by `how`. */
static pid_t partition_child(int port, int how, int *out_seq)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int h = 0;
        char err[256];
        rb_fault_guard_init();
        if (rb_fault_partition_begin(port, &h, err, sizeof err))
            _exit(3);
        if (write(fds[1], &h, sizeof h) != sizeof h)
            _exit(4);
        if (how == 1)
            exit(0);             /* atexit undoes */
        if (how == 2)
            raise(SIGKILL);      /* nothing undoes: the sweep must */
        for (;;)
            pause();             /* SIGTERM undoes */
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], out_seq, sizeof *out_seq), sizeof *out_seq);
    close(fds[0]);
    return pid;
}

static void partition_undone_on_exit_signal_and_sweep(void **state)
{
    (void)state;
    if (!can_net())
        skip();
    int port, seq, st;
    char name[64];
    int l = listener(&port);
    pid_t p = partition_child(port, 1, &seq);
    waitpid(p, &st, 0);
    snprintf(name, sizeof name, "rpcbench_%d_%d", (int)p, seq);
    assert_false(nft_has(name));

    p = partition_child(port, 0, &seq);
    snprintf(name, sizeof name, "rpcbench_%d_%d", (int)p, seq);
    assert_true(nft_has(name));
    kill(p, SIGTERM);
    waitpid(p, &st, 0);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);   /* it still died of it */
    assert_false(nft_has(name));

    p = partition_child(port, 2, &seq);
    waitpid(p, &st, 0);
    snprintf(name, sizeof name, "rpcbench_%d_%d", (int)p, seq);
    assert_true(nft_has(name));
    rb_fault_guard_init();       /* sweeps tables of processes that are gone */
    assert_false(nft_has(name));
    close(l);
}

/* Without root, network faults are refused and say why. */
static void needs_root_message(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();   /* then the check is exercised by every other skip */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t p = fork();
    if (p == 0) {
        char err[256] = "";
        if (setgid(65534) || setuid(65534))
            _exit(2);
        int rc = rb_fault_check(RB_FAULT_PARTITION, err, sizeof err);
        int h;
        char err2[256] = "";
        int rc2 = rb_fault_partition_begin(1, &h, err2, sizeof err2);
        int n;
        char err3[256] = "";
        int rc3 = rb_fault_check(RB_FAULT_CONN_RESET, err3, sizeof err3);
        (void)n;
        dprintf(fds[1], "%d %d %d|%s|%s|%s", rc, rc2, rc3, err, err2, err3);
        _exit(0);
    }
    close(fds[1]);
    char buf[1024] = "";
    ssize_t r = read(fds[0], buf, sizeof buf - 1);
    assert_true(r > 0);
    waitpid(p, NULL, 0);
    char expect[32];
    snprintf(expect, sizeof expect, "%d %d %d|", RB_EUNSUPP, RB_EUNSUPP, RB_EUNSUPP);
    assert_true(strncmp(buf, expect, strlen(expect)) == 0);
    assert_non_null(strstr(buf, "partition needs root"));
    assert_non_null(strstr(buf, "conn-reset needs root"));
    assert_int_equal(rb_fault_check(RB_FAULT_SERVER_KILL, buf, sizeof buf), RB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kill_and_reap),
        cmocka_unit_test(stall_and_undo),
        cmocka_unit_test(inject_server_kill),
        cmocka_unit_test(conn_reset_real_socket),
        cmocka_unit_test(partition_real_socket),
        cmocka_unit_test(partition_undone_on_exit_signal_and_sweep),
        cmocka_unit_test(needs_root_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
