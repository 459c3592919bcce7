/* test_client.c - the AMQP clients' call semantics against the private
 * broker (RPCBENCH_AMQP_URL must be set; the test fails without it):
 *
 *   - a late reply to a call that timed out is discarded and counted in
 *     stale_replies, never taken as the answer of the next call (a
 *     responder written here with rabbitmq-c answers the first request only
 *     after the client's deadline);
 *   - several clients in several threads on one server, every reply verified,
 *     body byte counts exact, on all three transports (the server runs in
 *     this process through the table's serve, stopped by rb_serve_stop);
 *   - when the broker closes this process's connections (rabbitmqctl
 *     close_connection through scripts/broker ctl, only ours), the call in
 *     flight fails with RB_ECLOSED, the server's workers reconnect, and the
 *     same client gets through again on a new connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "amqp_int.h"
#include "transport.h"

extern const rb_transport rb_transport_amqp;
extern const rb_transport rb_transport_amqp_queue;
extern const rb_transport rb_transport_amqp_durable;
/* The registry lives in the rpcbench executable (transport_registry.c, generated). */
const rb_transport *const rb_transports[] = {
    &rb_transport_amqp, &rb_transport_amqp_queue, &rb_transport_amqp_durable, NULL };

static const rb_transport *const flavours[] = {
    &rb_transport_amqp, &rb_transport_amqp_queue, &rb_transport_amqp_durable };

static void queue_name(char *buf, size_t len, const char *tag)
{
    static int n;
    snprintf(buf, len, "rbtest-c-%s-%d-%d", tag, (int)getpid(), n++);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* ---- the late responder ------------------------------------------------ */

typedef struct responder {
    char queue[128];
    int delay_first_ms;         /* answer the first request this late */
    volatile int ready, late_sent, stop;
    pthread_t th;
} responder;

/* Runs in the responder's thread: no cmocka asserts here; a bad reply
 * shows up as a failed call in the test's thread. */
static void reply_fib(amqp_connection_state_t conn, const amqp_envelope_t *env)
{
    int64_t n = 0, r = 0;
    char why[100];
    rb_amqp_fmt f;
    rb_buf out = { 0 };
    if (rb_amqp_fmt_of(&env->message.properties, &env->message.body, &f) != RB_OK ||
        rb_amqp_arg_int(f, &env->message.body, &n, why, sizeof why) != RB_OK ||
        rb_fib(n, &r) != RB_OK || rb_amqp_put_int(f, &out, r) != RB_OK)
        goto done;
    amqp_basic_properties_t p;
    p._flags = AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    p.correlation_id = env->message.properties.correlation_id;
    p.content_type = rb_amqp_fmt_ct(f);
    amqp_basic_publish(conn, RB_AMQP_CHANNEL, amqp_empty_bytes,
                       env->message.properties.reply_to, 0, 0, &p,
                       (amqp_bytes_t){ out.len, out.data });
done:
    rb_buf_free(&out);
}

static void *responder_main(void *arg)
{
    responder *r = arg;
    amqp_connection_state_t conn;
    char err[200];
    if (rb_amqp_conn_open(5000, &conn, err, sizeof err) != RB_OK) {
        fprintf(stderr, "responder: %s\n", err);
        return NULL;
    }
    amqp_bytes_t q = amqp_cstring_bytes(r->queue);
    amqp_queue_declare(conn, RB_AMQP_CHANNEL, q, 0, 0, 0, 1, amqp_empty_table);
    amqp_basic_consume(conn, RB_AMQP_CHANNEL, q, amqp_empty_bytes, 0, 1, 0, amqp_empty_table);
    r->ready = 1;
    int first = 1;
    while (!r->stop) {
        amqp_envelope_t env;
        struct timeval tv = { 0, 50000 };
        amqp_maybe_release_buffers(conn);
        amqp_rpc_reply_t rr = amqp_consume_message(conn, &env, &tv, 0);
        if (rr.reply_type != AMQP_RESPONSE_NORMAL)
            continue;
        if (first) {
            sleep_ms(r->delay_first_ms);
            first = 0;
            reply_fib(conn, &env);
            r->late_sent = 1;
        } else {
            reply_fib(conn, &env);
        }
        amqp_destroy_envelope(&env);
    }
    rb_amqp_conn_close(&conn);
    return NULL;
}

static void test_stale_reply_discarded(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flavours / sizeof flavours[0]; i++) {
        const rb_transport *t = flavours[i];
        responder r = { .delay_first_ms = 600 };
        queue_name(r.queue, sizeof r.queue, "late");
        assert_int_equal(pthread_create(&r.th, NULL, responder_main, &r), 0);
        for (int k = 0; k < 500 && !r.ready; k++)
            sleep_ms(10);
        assert_true(r.ready);

        rb_client_opts o = { .queue = r.queue, .timeout_ms = 200 };
        rb_client *c = NULL;
        char err[256];
        assert_int_equal(rb_connect(t, &o, &c, err, sizeof err), RB_OK);
        int64_t v = -1;
        /* Call 1: the responder sits on it past our deadline. */
        assert_int_equal(rb_call_fib(c, 10, &v), RB_ETIMEDOUT);
        assert_int_equal(c->err, RB_ETIMEDOUT);
        assert_int_equal(v, -1);
        for (int k = 0; k < 500 && !r.late_sent; k++)
            sleep_ms(10);
        assert_true(r.late_sent);
        sleep_ms(50);   /* the late reply (55) is now waiting in our socket */
        /* Call 2 must get its own answer, not call 1's. */
        assert_int_equal(rb_call_fib(c, 20, &v), RB_OK);
        assert_int_equal(v, 6765);
        assert_int_equal(c->stale_replies, 1);
        assert_int_equal(rb_call_fib(c, 21, &v), RB_OK);
        assert_int_equal(v, 10946);
        assert_int_equal(c->stale_replies, 1);
        rb_close(&c);
        assert_null(c);
        r.stop = 1;
        pthread_join(r.th, NULL);
    }
}

/* ---- many clients on one in-process server ------------------------------ */

typedef struct serve_ctx {
    const rb_transport *t;
    rb_server_opts o;
    int rc;
} serve_ctx;

static void *serve_main(void *arg)
{
    serve_ctx *s = arg;
    s->rc = s->t->serve(&s->o);
    return NULL;
}

typedef struct worker {
    const rb_transport *t;
    const char *queue;
    int calls, failures, wrong;
    uint64_t stale;
} worker;

#define ENTRIES 40
#define CALLS 60

static void *worker_main(void *arg)
{
    worker *w = arg;
    rb_client_opts o = { .queue = w->queue, .timeout_ms = 10000 };
    rb_client *c = NULL;
    char err[256];
    rb_obj obj = RB_OBJ_INIT, sent = RB_OBJ_INIT;
    if (rb_connect(w->t, &o, &c, err, sizeof err) != RB_OK) {
        fprintf(stderr, "%s connect: %s\n", w->t->name, err);
        w->failures++;
        return NULL;
    }
    rb_obj_fill(&sent, "client", 25);
    for (int i = 0; i < CALLS; i++) {
        int64_t v;
        w->calls++;
        switch (i % 3) {
        case 0:
            if (rb_call_fib(c, 30 + i % 50, &v) != RB_OK) {
                w->failures++;
            } else {
                int64_t want;
                rb_fib(30 + i % 50, &want);
                w->wrong += v != want;
                w->wrong += c->req_body_bytes != 2 || c->rep_body_bytes < 5;
            }
            break;
        case 1:
            if (rb_call_get_obj(c, &obj) != RB_OK)
                w->failures++;
            else
                w->wrong += !rb_obj_is_pattern(&obj, "server", ENTRIES) ||
                            c->req_body_bytes != 1 || c->rep_body_bytes == 0;
            break;
        default:
            if (rb_call_send_obj(c, &sent, &v) != RB_OK)
                w->failures++;
            else
                w->wrong += v != 25 || c->rep_body_bytes != 1;
            break;
        }
        if (c->err != RB_OK)
            fprintf(stderr, "%s call %d: %s\n", w->t->name, i, c->errstr);
    }
    w->stale = c->stale_replies;
    rb_close(&c);
    rb_obj_free(&obj);
    rb_obj_free(&sent);
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flavours / sizeof flavours[0]; i++) {
        char q[128];
        queue_name(q, sizeof q, "mt");
        serve_ctx s = { .t = flavours[i], .o = { .queue = q, .entries = ENTRIES,
                        .threads = 2, .prefetch = 1, .max_request = 1 << 20 } };
        pthread_t st;
        rb_serve_stop = 0;
        assert_int_equal(pthread_create(&st, NULL, serve_main, &s), 0);
        /* Ready when a call gets through (before that: no server). */
        rb_client_opts o = { .queue = q, .timeout_ms = 2000 };
        rb_client *c = NULL;
        char err[256];
        assert_int_equal(rb_connect(flavours[i], &o, &c, err, sizeof err), RB_OK);
        int64_t v = 0;
        int rc = RB_ENOSERVER;
        for (int k = 0; k < 200 && rc == RB_ENOSERVER; k++) {
            rc = rb_call_fib(c, 30, &v);
            if (rc == RB_ENOSERVER)
                sleep_ms(20);
        }
        assert_int_equal(rc, RB_OK);
        assert_int_equal(v, 832040);
        /* MessagePack: [30] is 91 1e; 832040 is ce 00 0c b2 28. */
        assert_int_equal(c->req_body_bytes, 2);
        assert_int_equal(c->rep_body_bytes, 5);
        rb_close(&c);

        worker w[4];
        pthread_t th[4];
        for (int k = 0; k < 4; k++) {
            w[k] = (worker){ .t = flavours[i], .queue = q };
            assert_int_equal(pthread_create(&th[k], NULL, worker_main, &w[k]), 0);
        }
        for (int k = 0; k < 4; k++) {
            pthread_join(th[k], NULL);
            assert_int_equal(w[k].calls, CALLS);
            assert_int_equal(w[k].failures, 0);
            assert_int_equal(w[k].wrong, 0);
            assert_int_equal(w[k].stale, 0);
        }
        rb_serve_stop = 1;
        pthread_join(st, NULL);
        assert_int_equal(s.rc, RB_OK);
        rb_serve_stop = 0;
        if (flavours[i] == &rb_transport_amqp_durable) {
            amqp_connection_state_t conn;
            assert_int_equal(rb_amqp_conn_open(5000, &conn, err, sizeof err), RB_OK);
            amqp_queue_delete(conn, RB_AMQP_CHANNEL, amqp_cstring_bytes(q), 0, 0);
            rb_amqp_conn_close(&conn);
        }
    }
}

/* ---- the broker drops our connections ---------------------------------- */

static int broker_port(void)
{
    const char *url = getenv("RPCBENCH_AMQP_URL");
    const char *at = url ? strrchr(url, '@') : NULL;
    const char *colon = at ? strchr(at, ':') : NULL;
    return colon ? atoi(colon + 1) : 0;
}

/* Is local TCP port `lport` one of this process's sockets to the broker? */
static int ours(int lport, int port)
{
    DIR *d = opendir("/proc/self/fd");
    int found = 0;
    if (!d)
        return 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        int fd = atoi(e->d_name);
        struct sockaddr_in me, peer;
        socklen_t ml = sizeof me, pl = sizeof peer;
        found = e->d_name[0] != '.' &&
                getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 &&
                peer.sin_family == AF_INET && ntohs(peer.sin_port) == port &&
                getsockname(fd, (struct sockaddr *)&me, &ml) == 0 &&
                ntohs(me.sin_port) == lport;
    }
    closedir(d);
    return found;
}

/* Ask the broker to close every connection of this process (rabbitmqctl
 * lists each connection's Erlang pid and peer port; the peer port is our
 * local port). Other processes' connections are left alone. Returns how many
 * were closed. */
static int close_our_connections(void)
{
    const char *src = getenv("RB_SOURCE_DIR");
    int port = broker_port(), n = 0;
    assert_non_null(src);
    assert_true(port > 0);
    char cmd[1024], pids[8][64];
    int np = 0;
    snprintf(cmd, sizeof cmd, "'%s/scripts/broker' ctl list_connections -p rpcbench "
             "--no-table-headers pid peer_port", src);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[256], pid[60];
    int lport;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%59s %d", pid, &lport) == 2 && ours(lport, port) && np < 8)
            snprintf(pids[np++], sizeof pids[0], "%s", pid);
    pclose(f);
    for (int i = 0; i < np; i++) {
        snprintf(cmd, sizeof cmd, "'%s/scripts/broker' ctl close_connection '%s' "
                 "'rpcbench test' >/dev/null", src, pids[i]);
        if (system(cmd) == 0)
            n++;
    }
    return n;
}

static void test_reconnect_after_broker_closes(void **state)
{
    (void)state;
    char q[128];
    queue_name(q, sizeof q, "drop");
    serve_ctx s = { .t = &rb_transport_amqp_queue, .o = { .queue = q, .entries = 5,
                    .threads = 1, .prefetch = 1, .max_request = 1 << 20 } };
    pthread_t st;
    rb_serve_stop = 0;
    assert_int_equal(pthread_create(&st, NULL, serve_main, &s), 0);
    rb_client_opts o = { .queue = q, .timeout_ms = 2000 };
    rb_client *c = NULL;
    char err[256];
    assert_int_equal(rb_connect(&rb_transport_amqp_queue, &o, &c, err, sizeof err), RB_OK);
    int64_t v = 0;
    int rc = RB_ENOSERVER;
    for (int k = 0; k < 200 && rc == RB_ENOSERVER; k++)
        if ((rc = rb_call_fib(c, 30, &v)) == RB_ENOSERVER)
            sleep_ms(20);
    assert_int_equal(rc, RB_OK);
    assert_int_equal(v, 832040);

    /* The server's one (requests in, replies out) and the client's. */
    assert_int_equal(close_our_connections(), 2);
    rc = rb_call_fib(c, 31, &v);
    assert_int_equal(rc, RB_ECLOSED);
    assert_non_null(strstr(c->errstr, "broker"));
    /* The next calls reconnect; until the server's worker has reconnected
     * and declared its queue again they get "no server". */
    rc = RB_ENOSERVER;
    for (int k = 0; k < 200 && rc == RB_ENOSERVER; k++)
        if ((rc = rb_call_fib(c, 32, &v)) == RB_ENOSERVER)
            sleep_ms(20);
    assert_int_equal(rc, RB_OK);
    assert_int_equal(v, 2178309);
    assert_int_equal(c->stale_replies, 0);
    rb_close(&c);
    rb_serve_stop = 1;
    pthread_join(st, NULL);
    assert_int_equal(s.rc, RB_OK);
    rb_serve_stop = 0;
}

int main(void)
{
    if (!getenv("RPCBENCH_AMQP_URL")) {
        fprintf(stderr, "FAIL: RPCBENCH_AMQP_URL is not set: run scripts/broker start "
                "and source .run/broker.env (scripts/test does this)\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof flavours / sizeof flavours[0]; i++)
        assert_int_equal(flavours[i]->init(), RB_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stale_reply_discarded),
        cmocka_unit_test(test_concurrent_clients),
        cmocka_unit_test(test_reconnect_after_broker_closes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
