/* test_unit.c - the grpc transport in one process: codec helpers, status
 * mapping, and a real server (rb_grpc_serve in a thread, on a free loopback
 * port) called by real clients, including several at once and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "rb_grpc.h"

extern const rb_transport rb_transport_grpc;

/* The registry lives in the rpcbench executable (transport_registry.c, generated);
 * this test has only the grpc transport. */
const rb_transport *const rb_transports[] = {&rb_transport_grpc, NULL};

/* ---- codec -------------------------------------------------------------- */

/* The field budget counts every field, sub-messages' included, and refuses
 * malformed wire format before protobuf-c sees it. */
static void test_count_fields(void **state)
{
    (void)state;
    size_t n = 0;
    /* Obj{entries: [{key: "a", value: 1}, {}]} = 2 entries + 2 inner fields */
    const uint8_t two[] = {0x0a, 0x05, 0x0a, 0x01, 'a', 0x10, 0x01, 0x0a, 0x00};
    assert_int_equal(rb_grpc_count_fields(&rpcbench__obj__descriptor, two, sizeof two, 10, &n), RB_OK);
    assert_int_equal(n, 4);
    assert_int_equal(rb_grpc_count_fields(&rpcbench__obj__descriptor, two, sizeof two, 3, &n),
                     RB_ETOOBIG);
    /* unknown fields of every wire type count too */
    const uint8_t unk[] = {0x78, 0x00, 0x79, 1, 2, 3, 4, 5, 6, 7, 8, 0x7d, 1, 2, 3, 4, 0x7a, 0x01, 0x00};
    assert_int_equal(rb_grpc_count_fields(&rpcbench__fib_request__descriptor, unk, sizeof unk, 10, &n),
                     RB_OK);
    assert_int_equal(n, 4);
    const uint8_t cut[] = {0x0a, 0x05, 0x0a};           /* length past the end */
    assert_int_equal(rb_grpc_count_fields(&rpcbench__obj__descriptor, cut, sizeof cut, 10, &n),
                     RB_EINVAL);
    const uint8_t group[] = {0x0b, 0x0c};               /* wire type 3 */
    assert_int_equal(rb_grpc_count_fields(&rpcbench__obj__descriptor, group, sizeof group, 10, &n),
                     RB_EINVAL);
    const uint8_t longv[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(rb_grpc_count_fields(&rpcbench__fib_request__descriptor, longv, sizeof longv, 10, &n),
                     RB_EINVAL);
}

static void test_obj_roundtrip(void **state)
{
    (void)state;
    rb_obj o = RB_OBJ_INIT, back = RB_OBJ_INIT;
    rb_grpc_objview v = {0};
    Rpcbench__Obj msg;
    assert_int_equal(rb_obj_fill(&o, "client", 1000), RB_OK);
    assert_int_equal(rb_grpc_objview_set(&v, &o, &msg), RB_OK);
    assert_int_equal(msg.n_entries, 1000);

    size_t len = 0;
    grpc_byte_buffer *bb = rb_grpc_pack(&msg.base, &len);
    assert_non_null(bb);
    assert_int_equal(grpc_byte_buffer_length(bb), len);
    /* Each entry: tag+len of the entry (2 B), key field (2 B + key), value
     * field (1 B + varint): "client:7"->7 is 2+2+8+1+1 = 14 bytes. */
    Rpcbench__Obj one = RPCBENCH__OBJ__INIT;
    rb_obj small = RB_OBJ_INIT;
    rb_grpc_objview v1 = {0};
    assert_int_equal(rb_obj_add(&small, "client:7", 8, 7), RB_OK);
    assert_int_equal(rb_grpc_objview_set(&v1, &small, &one), RB_OK);
    assert_int_equal(protobuf_c_message_get_packed_size(&one.base), 14);

    size_t ulen = 0;
    Rpcbench__Obj *m = (Rpcbench__Obj *)rb_grpc_unpack(&rpcbench__obj__descriptor, bb, &ulen);
    assert_non_null(m);
    assert_int_equal(ulen, len);
    assert_int_equal(rb_grpc_obj_from_msg(m, &back), RB_OK);
    assert_int_equal(rb_obj_is_pattern(&back, "client", 1000), 1);
    assert_int_equal(rb_obj_is_pattern(&back, "client", 999), 0);
    rpcbench__obj__free_unpacked(m, NULL);
    grpc_byte_buffer_destroy(bb);
    rb_grpc_objview_free(&v);
    rb_grpc_objview_free(&v1);
    rb_obj_free(&o);
    rb_obj_free(&small);
    rb_obj_free(&back);
}

static void test_unpack_malformed(void **state)
{
    (void)state;
    /* Field 1 (varint) with a truncated varint; then a length-delimited
     * field claiming 100 bytes with 1 present. */
    static const uint8_t bad1[] = {0x08, 0xff};
    static const uint8_t bad2[] = {0x0a, 0x64, 0x01};
    grpc_slice s1 = grpc_slice_from_static_buffer(bad1, sizeof bad1);
    grpc_slice s2 = grpc_slice_from_static_buffer(bad2, sizeof bad2);
    grpc_byte_buffer *b1 = grpc_raw_byte_buffer_create(&s1, 1);
    grpc_byte_buffer *b2 = grpc_raw_byte_buffer_create(&s2, 1);
    size_t len;
    assert_null(rb_grpc_unpack(&rpcbench__fib_request__descriptor, b1, &len));
    assert_int_equal(len, 2);
    assert_null(rb_grpc_unpack(&rpcbench__obj__descriptor, b2, &len));
    assert_null(rb_grpc_unpack(&rpcbench__obj__descriptor, NULL, &len));
    assert_int_equal(len, 0);
    grpc_byte_buffer_destroy(b1);
    grpc_byte_buffer_destroy(b2);

    /* A message split over two slices is decoded too: FibRequest{n=30}. */
    static const uint8_t p1[] = {0x08}, p2[] = {0x1e};
    grpc_slice ss[2] = {grpc_slice_from_static_buffer(p1, 1), grpc_slice_from_static_buffer(p2, 1)};
    grpc_byte_buffer *b3 = grpc_raw_byte_buffer_create(ss, 2);
    Rpcbench__FibRequest *r = (Rpcbench__FibRequest *)rb_grpc_unpack(
        &rpcbench__fib_request__descriptor, b3, &len);
    assert_non_null(r);
    assert_int_equal(r->n, 30);
    assert_int_equal(len, 2);
    rpcbench__fib_request__free_unpacked(r, NULL);
    grpc_byte_buffer_destroy(b3);
}

static void test_status_map(void **state)
{
    (void)state;
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_DEADLINE_EXCEEDED), RB_ETIMEDOUT);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_UNAVAILABLE), RB_ECONNECT);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_INVALID_ARGUMENT), RB_EINVAL);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_RESOURCE_EXHAUSTED), RB_ETOOBIG);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_UNIMPLEMENTED), RB_ENOMETHOD);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_INTERNAL), RB_ESERVER);
    assert_int_equal(rb_grpc_status_to_rb(GRPC_STATUS_CANCELLED), RB_ESERVER);
    assert_string_equal(rb_grpc_status_name(GRPC_STATUS_RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
}

/* ---- a real server in a thread ------------------------------------------ */

static char endpoint[64];
static pthread_t server_th;
static int server_rc = -100;
static rb_server_opts sopts;

static void *server_main(void *arg)
{
    (void)arg;
    server_rc = rb_grpc_serve(&sopts);
    return NULL;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static rb_client *connect_client(int timeout_ms)
{
    rb_client_opts o = {.endpoint = endpoint, .timeout_ms = timeout_ms};
    char err[256];
    rb_client *c = NULL;
    /* The server thread may still be binding: retry for up to 10 s. */
    for (int i = 0; i < 200 && !c; i++) {
        if (rb_connect(&rb_transport_grpc, &o, &c, err, sizeof err) != RB_OK) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (!c)
        fprintf(stderr, "connect %s: %s\n", endpoint, err);
    return c;
}

static int server_setup(void **state)
{
    (void)state;
    int port = free_port();
    if (port <= 0)
        return -1;
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d", port);
    sopts = (rb_server_opts){.listen = endpoint, .entries = 100, .threads = 2,
                             .max_request = 64 * 1024};
    rb_serve_stop = 0;
    if (rb_transport_grpc.init() != RB_OK)
        return -1;
    return pthread_create(&server_th, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int server_teardown(void **state)
{
    (void)state;
    rb_serve_stop = 1;
    pthread_join(server_th, NULL);
    return server_rc == RB_OK ? 0 : -1;
}

static void test_methods(void **state)
{
    (void)state;
    rb_client *c = connect_client(5000);
    assert_non_null(c);
    int64_t v = -1;
    assert_int_equal(rb_call_fib(c, 30, &v), RB_OK);
    assert_int_equal(v, 832040);
    assert_int_equal(c->req_body_bytes, 2);   /* 08 1e */
    assert_int_equal(c->rep_body_bytes, 4);   /* 08 + varint(832040) in 3 bytes */
    assert_int_equal(rb_call_fib(c, 92, &v), RB_OK);
    assert_int_equal(v, 7540113804746346429LL);
    assert_int_equal(rb_call_fib(c, 0, &v), RB_OK);
    assert_int_equal(v, 0);
    assert_int_equal(c->rep_body_bytes, 0);   /* proto3 omits the default */

    rb_obj o = RB_OBJ_INIT;
    assert_int_equal(rb_call_get_obj(c, &o), RB_OK);
    assert_int_equal(rb_obj_is_pattern(&o, "server", 100), 1);
    assert_int_equal(c->req_body_bytes, 0);
    assert_true(c->rep_body_bytes > 100 * 12);

    rb_obj send = RB_OBJ_INIT;
    int64_t count = -1;
    assert_int_equal(rb_obj_fill(&send, "client", 250), RB_OK);
    assert_int_equal(rb_call_send_obj(c, &send, &count), RB_OK);
    assert_int_equal(count, 250);
    rb_obj_clear(&send);
    assert_int_equal(rb_call_send_obj(c, &send, &count), RB_OK);
    assert_int_equal(count, 0);
    assert_int_equal(c->req_body_bytes, 0);
    assert_int_equal(c->stale_replies, 0);
    rb_obj_free(&o);
    rb_obj_free(&send);
    rb_close(&c);
    assert_null(c);
}

static void test_errors(void **state)
{
    (void)state;
    rb_client *c = connect_client(5000);
    assert_non_null(c);
    int64_t v = 12345;
    assert_int_equal(rb_call_fib(c, 93, &v), RB_EINVAL);
    assert_non_null(strstr(c->errstr, "INVALID_ARGUMENT"));
    assert_non_null(strstr(c->errstr, "n=93"));
    assert_int_equal(v, 12345);
    assert_int_equal(rb_call_fib(c, -1, &v), RB_EINVAL);
    /* Outside int32: refused before sending, never truncated into range. */
    assert_int_equal(rb_call_fib(c, 4294967296LL, &v), RB_EINVAL);
    assert_int_equal(c->req_body_bytes, 0);

    /* Over the server's 64 KiB limit: the library answers RESOURCE_EXHAUSTED. */
    rb_obj big = RB_OBJ_INIT;
    int64_t count = -1;
    assert_int_equal(rb_obj_fill(&big, "client", 10000), RB_OK);
    assert_int_equal(rb_call_send_obj(c, &big, &count), RB_ETOOBIG);
    assert_non_null(strstr(c->errstr, "RESOURCE_EXHAUSTED"));
    assert_int_equal(count, -1);

    /* ...and the same client goes on. */
    assert_int_equal(rb_call_fib(c, 10, &v), RB_OK);
    assert_int_equal(v, 55);
    rb_obj_free(&big);
    rb_close(&c);
}

static void test_deadline(void **state)
{
    (void)state;
    rb_client *c = connect_client(5000);
    assert_non_null(c);
    /* The deadline is set before the request is encoded; encoding a million
     * entries takes far longer than 1 ms, so the call ends as
     * DEADLINE_EXCEEDED (never RESOURCE_EXHAUSTED: nothing is sent). */
    rb_obj big = RB_OBJ_INIT;
    int64_t count = -1;
    assert_int_equal(rb_obj_fill(&big, "client", 1000000), RB_OK);
    c->timeout_ms = 1;
    assert_int_equal(rb_call_send_obj(c, &big, &count), RB_ETIMEDOUT);
    assert_non_null(strstr(c->errstr, "DEADLINE_EXCEEDED"));
    assert_int_equal(count, -1);
    /* The same client goes on, with the right answers. */
    c->timeout_ms = 5000;
    int64_t v = -1;
    assert_int_equal(rb_call_fib(c, 40, &v), RB_OK);
    assert_int_equal(v, 102334155);
    assert_int_equal(c->stale_replies, 0);
    rb_obj_free(&big);
    rb_close(&c);
}

static void *many_calls(void *arg)
{
    long bad = 0;
    rb_client *c = connect_client(5000);
    if (!c)
        return (void *)1L;
    rb_obj o = RB_OBJ_INIT;
    for (int i = 0; i < 300; i++) {
        int64_t v = -1, n = i % 93;
        int64_t want = 0, count = -1;
        rb_fib(n, &want);
        if (rb_call_fib(c, n, &v) != RB_OK || v != want)
            bad++;
        if (i % 10 == 0) {
            if (rb_call_get_obj(c, &o) != RB_OK || !rb_obj_is_pattern(&o, "server", 100))
                bad++;
            if (rb_call_send_obj(c, &o, &count) != RB_OK || count != 100)
                bad++;
        }
    }
    rb_obj_free(&o);
    rb_close(&c);
    (void)arg;
    return (void *)bad;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, many_calls, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_int_equal((long)bad, 0);
    }
}

static void test_no_server(void **state)
{
    (void)state;
    int port = free_port();
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    rb_client_opts o = {.endpoint = ep, .timeout_ms = 3000};
    char err[256] = "";
    rb_client *c = NULL;
    int rc = rb_connect(&rb_transport_grpc, &o, &c, err, sizeof err);
    assert_int_equal(rc, RB_ECONNECT);
    assert_null(c);
    assert_non_null(strstr(err, ep));

    o.endpoint = "no-port";
    assert_int_equal(rb_connect(&rb_transport_grpc, &o, &c, err, sizeof err), RB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest codec[] = {
        cmocka_unit_test(test_obj_roundtrip),
        cmocka_unit_test(test_count_fields),
        cmocka_unit_test(test_unpack_malformed),
        cmocka_unit_test(test_status_map),
        cmocka_unit_test(test_no_server),
    };
    const struct CMUnitTest live[] = {
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_concurrent_clients),
    };
    rb_transport_grpc.init();
    int failed = cmocka_run_group_tests_name("grpc codec", codec, NULL, NULL);
    failed += cmocka_run_group_tests_name("grpc live server", live, server_setup, server_teardown);
    return failed ? 1 : 0;
}
