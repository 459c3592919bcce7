/* The wire counter on a real loopback connection: the kernel's TCP_INFO
 * byte counters, read through sock_diag, match what was sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rb_error.h"
#include "measure/wire.h"

static int listen_any(int *port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 4), 0);
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    *port = ntohs(a.sin_port);
    return l;
}

static int dial(int port)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
    return c;
}

static void xfer(int from, int to, size_t n)
{
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    size_t sent = 0, got = 0;
    while (sent < n) {
        ssize_t w = send(from, buf, n - sent < sizeof buf ? n - sent : sizeof buf, 0);
        assert_true(w > 0);
        sent += (size_t)w;
        while (got < sent) {
            ssize_t r = recv(to, buf, sizeof buf, 0);
            assert_true(r > 0);
            got += (size_t)r;
        }
    }
}

static void counts_bytes_both_ways(void **state)
{
    (void)state;
    int port;
    int l = listen_any(&port);
    int c = dial(port);
    int s = accept(l, NULL, NULL);
    rb_wire_snap before = { 0 }, after = { 0 };
    assert_int_equal(rb_wire_snapshot(getpid(), port, &before), RB_OK);
    /* Only the client's end has the server port as its remote port. */
    assert_int_equal(before.n, 1);
    xfer(c, s, 1000);
    xfer(s, c, 12345);
    assert_int_equal(rb_wire_snapshot(getpid(), port, &after), RB_OK);
    uint64_t bytes = 0;
    assert_int_equal(rb_wire_diff(&before, &after, &bytes), RB_OK);
    assert_int_equal(bytes, 1000 + 12345);

    /* A connection opened in between: the set changed, figure refused. */
    int c2 = dial(port);
    int s2 = accept(l, NULL, NULL);
    rb_wire_snap third = { 0 };
    assert_int_equal(rb_wire_snapshot(getpid(), port, &third), RB_OK);
    assert_int_equal(third.n, 2);
    assert_int_equal(rb_wire_diff(&after, &third, &bytes), RB_EINVAL);

    /* No sockets at all (e.g. a new connection per call): refused too. */
    rb_wire_snap none = { 0 };
    assert_int_equal(rb_wire_snapshot(getpid(), 1, &none), RB_OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(rb_wire_diff(&none, &none, &bytes), RB_EINVAL);

    close(c2);
    close(s2);
    close(c);
    close(s);
    close(l);
    rb_wire_snap_free(&before);
    rb_wire_snap_free(&after);
    rb_wire_snap_free(&third);
    rb_wire_snap_free(&none);
}

/* Retransmitted segments of this network namespace (/proc/net/snmp). */
static long retrans_segs(void)
{
    FILE *f = fopen("/proc/net/snmp", "r");
    char hdr[2048], val[2048];
    long v = -1;
    while (f && fgets(hdr, sizeof hdr, f) && fgets(val, sizeof val, f)) {
        if (strncmp(hdr, "Tcp:", 4) != 0)
            continue;
        /* RetransSegs is the 12th field after "Tcp:". */
        char *p = val + 4;
        for (int i = 0; i < 11 && p; i++)
            p = strchr(p + 1, ' ');
        if (p)
            v = strtol(p, NULL, 10);
    }
    if (f)
        fclose(f);
    return v;
}

typedef struct bulk { int fd; size_t n; } bulk;

static void *send_bulk(void *arg)
{
    bulk *b = arg;
    static char buf[65536];
    memset(buf, 'y', sizeof buf);
    for (size_t sent = 0; sent < b->n;) {
        ssize_t w = send(b->fd, buf, b->n - sent < sizeof buf ? b->n - sent : sizeof buf, 0);
        if (w <= 0)
            break;
        sent += (size_t)w;
    }
    return NULL;
}

static void drain(int fd, size_t n)
{
    static char buf[65536];
    for (size_t got = 0; got < n;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

/* On a lossy link (a network namespace of our own whose loopback drops what
 * overflows a small token bucket) TCP retransmits: each byte written still
 * counts once. tcpi_bytes_sent would count every retransmission again. */
static void retransmissions_count_once(void **state)
{
    (void)state;
    if (unshare(CLONE_NEWNET) != 0 ||
        system("ip link set lo up && ip link set lo mtu 1500 && "
               "tc qdisc add dev lo root tbf rate 50mbit burst 15kb limit 15kb") != 0) {
        fprintf(stderr, "skipped: needs CAP_SYS_ADMIN, ip and tc\n");
        skip();
    }
    int port;
    int l = listen_any(&port);
    int c = dial(port);
    int s = accept(l, NULL, NULL);
    const size_t up = 3000000, down = 1000000;
    rb_wire_snap before = { 0 }, after = { 0 };
    long r0 = retrans_segs();
    assert_int_equal(rb_wire_snapshot(getpid(), port, &before), RB_OK);
    pthread_t th;
    bulk b = { c, up };
    pthread_create(&th, NULL, send_bulk, &b);
    drain(s, up);
    pthread_join(th, NULL);
    b = (bulk){ s, down };
    pthread_create(&th, NULL, send_bulk, &b);
    drain(c, down);
    pthread_join(th, NULL);
    /* A last exchange, as a call's reply does: the peer has seen all. */
    xfer(c, s, 1);
    xfer(s, c, 1);
    assert_int_equal(rb_wire_snapshot(getpid(), port, &after), RB_OK);
    long r1 = retrans_segs();
    assert_true(r1 > r0);   /* the link did lose segments */
    uint64_t bytes = 0;
    assert_int_equal(rb_wire_diff(&before, &after, &bytes), RB_OK);
    assert_int_equal(bytes, up + down + 2);
    close(c);
    close(s);
    close(l);
    rb_wire_snap_free(&before);
    rb_wire_snap_free(&after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_bytes_both_ways),
        /* last: it moves this process into a network namespace of its own */
        cmocka_unit_test(retransmissions_count_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
