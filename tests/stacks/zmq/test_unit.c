/* test_unit.c - zerorpc event codec, and the zmq client against a
 * scripted fake zerorpc server (a ROUTER in a thread) that misbehaves on
 * purpose: stray and late replies, heartbeats, errors, garbage, silence.
 *
 * The fake server picks its behaviour from fib's n (see fake_reply()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "rb_msgpack.h"
#include "rb_zmq.h"
#include "zerorpc.h"

const rb_transport *const rb_transports[] = { &rb_transport_zmq, NULL };

/* ---- codec ---------------------------------------------------------------- */

static void test_idgen(void **state)
{
    (void)state;
    rb_zr_idgen a, b;
    char x[RB_ZR_ID_LEN + 1] = { 0 }, y[RB_ZR_ID_LEN + 1] = { 0 }, z[RB_ZR_ID_LEN + 1] = { 0 };
    rb_zr_idgen_init(&a);
    rb_zr_idgen_init(&b);
    rb_zr_next_id(&a, x);
    rb_zr_next_id(&a, y);
    rb_zr_next_id(&b, z);
    /* UUID4 shape: dashes at 8, 13, 18, 23; version 4; variant 8..b. */
    for (int i = 0; i < RB_ZR_ID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(x[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", x[i]));
    }
    assert_int_equal(x[14], '4');
    assert_non_null(strchr("89ab", x[19]));
    assert_string_not_equal(x, y);                  /* counter moves */
    assert_memory_equal(x + 8, y + 8, RB_ZR_ID_LEN - 8);
    assert_memory_not_equal(x + 8, z + 8, RB_ZR_ID_LEN - 8);  /* random base */
}

/* Pack, then decode with the shared codec into u. */
static void decode_sbuf(msgpack_sbuffer *sb, msgpack_unpacked *u)
{
    msgpack_unpacked_init(u);
    assert_int_equal(rb_mp_decode(sb->data, sb->size, u), RB_OK);
}

static void test_pack_parse(void **state)
{
    (void)state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked u;
    rb_zr_event ev;
    const char *why = NULL;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

    /* A request: no response_to. */
    assert_int_equal(rb_zr_pack_head(&pk, "id-1", 4, NULL, "fib"), 0);
    assert_int_equal(msgpack_pack_array(&pk, 1) || msgpack_pack_int(&pk, 30), 0);
    decode_sbuf(&sb, &u);
    assert_int_equal(rb_zr_parse(&u.data, &ev, &why), 0);
    assert_true(rb_zr_id_equals(ev.message_id, "id-1", 4));
    assert_false(rb_zr_id_equals(ev.message_id, "id-2", 4));
    assert_null(ev.response_to);
    assert_int_equal(ev.version, 3);
    assert_true(rb_zr_name_is(&ev, "fib"));
    assert_false(rb_zr_name_is(&ev, "fi"));
    assert_int_equal(ev.args->type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(ev.args->via.array.ptr[0].via.u64, 30);

    /* A reply whose response_to echoes a bin id with its type. */
    msgpack_object bin = { .type = MSGPACK_OBJECT_BIN, .via.bin = { .size = 3, .ptr = "abc" } };
    msgpack_unpacked_destroy(&u);
    sb.size = 0;
    assert_int_equal(rb_zr_pack_head(&pk, "id-2", 4, &bin, "OK"), 0);
    assert_int_equal(msgpack_pack_array(&pk, 1) || msgpack_pack_nil(&pk), 0);
    decode_sbuf(&sb, &u);
    assert_int_equal(rb_zr_parse(&u.data, &ev, &why), 0);
    assert_non_null(ev.response_to);
    assert_int_equal(ev.response_to->type, MSGPACK_OBJECT_BIN);
    assert_true(rb_zr_id_equals(ev.response_to, "abc", 3));

    /* ERR: [name, message, traceback text]. */
    msgpack_unpacked_destroy(&u);
    sb.size = 0;
    assert_int_equal(rb_zr_pack_err(&pk, "id-3", 4, &bin, "ValueError", "bad n"), 0);
    decode_sbuf(&sb, &u);
    assert_int_equal(rb_zr_parse(&u.data, &ev, &why), 0);
    assert_true(rb_zr_name_is(&ev, "ERR"));
    assert_int_equal(ev.args->via.array.size, 3);
    const msgpack_object *a = ev.args->via.array.ptr;
    assert_int_equal(a[0].via.str.size, 10);
    assert_memory_equal(a[0].via.str.ptr, "ValueError", 10);
    assert_int_equal(a[1].via.str.size, 5);
    assert_memory_equal(a[1].via.str.ptr, "bad n", 5);
    assert_int_equal(a[2].via.str.size, 17);
    assert_memory_equal(a[2].via.str.ptr, "ValueError: bad n", 17);

    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
}

/* Parse one hand-packed value; returns rb_zr_parse's result. */
static int parse_bytes(const char *bytes, size_t len, rb_zr_event *ev, const char **why)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(rb_mp_decode(bytes, len, &u), RB_OK);
    int rc = rb_zr_parse(&u.data, ev, why);
    int had_id = ev->message_id != NULL;
    msgpack_unpacked_destroy(&u);
    ev->message_id = had_id ? (const msgpack_object *)1 : NULL;  /* only its presence */
    return rc;
}

static void test_parse_errors(void **state)
{
    (void)state;
    rb_zr_event ev;
    const char *why;
    /* 42 */
    why = NULL;
    assert_int_equal(parse_bytes("\x2a", 1, &ev, &why), -1);
    assert_non_null(why);
    /* [1, 2] */
    assert_int_equal(parse_bytes("\x92\x01\x02", 3, &ev, &why), -1);
    /* ["h", "fib", []] : header not a map */
    assert_int_equal(parse_bytes("\x93\xa1h\xa3" "fib\x90", 8, &ev, &why), -1);
    assert_null(ev.message_id);
    /* [{"v": 3}, "fib", []] : no message_id */
    assert_int_equal(parse_bytes("\x93\x81\xa1v\x03\xa3" "fib\x90", 10, &ev, &why), -1);
    assert_non_null(strstr(why, "message_id"));
    /* [{"message_id": "x"}, 7, []] : name not a string, but the id is known */
    assert_int_equal(parse_bytes("\x93\x81\xaamessage_id\xa1x\x07\x90", 17, &ev, &why), -1);
    assert_non_null(ev.message_id);
    /* [{1: 2}, "fib", []] : header key not a string */
    assert_int_equal(parse_bytes("\x93\x81\x01\x02\xa3" "fib\x90", 9, &ev, &why), -1);
    /* [{"message_id": "x"}, "fib", nil] parses: version -1, args nil */
    assert_int_equal(parse_bytes("\x93\x81\xaamessage_id\xa1x\xa3" "fib\xc0", 20, &ev, &why), 0);
    assert_int_equal(ev.version, -1);
}

/* ---- fake server ---------------------------------------------------------- */

typedef struct fake {
    zsock_t *sock;
    int port;
    pthread_t thread;
    atomic_int stop;
    atomic_int requests;            /* events received */
    atomic_int heartbeats;          /* _zpc_hb events received */
    char held_id[64];               /* message_id of a swallowed request */
    size_t held_len;
    zframe_t *held_identity;
} fake;

static void send_event(fake *f, zframe_t *identity, int delimiter, msgpack_sbuffer *sb)
{
    zmsg_t *m = zmsg_new();
    zmsg_append(m, &(zframe_t *){ zframe_dup(identity) });
    if (delimiter)
        zmsg_addmem(m, "", 0);
    zmsg_addmem(m, sb->data, sb->size);
    zmsg_send(&m, f->sock);
}

/* Pack an event answering channel (id,len) and send it. kind: "OK" with an
 * int64 result, "OKS" OK with a string, "OK0" OK with [], "ERR" with name. */
static void reply(fake *f, zframe_t *identity, int delimiter, const char *id, size_t len,
                  const char *kind, int64_t value, const char *err_name)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_object rt = { .type = MSGPACK_OBJECT_STR, .via.str = { .size = (uint32_t)len, .ptr = id } };
    if (strcmp(kind, "ERR") == 0) {
        rb_zr_pack_err(&pk, "srv-id", 6, &rt, err_name, "scripted failure");
    } else if (strcmp(kind, "ERRX") == 0) {
        rb_zr_pack_head(&pk, "srv-id", 6, &rt, "ERR");
        msgpack_pack_int(&pk, 5);
    } else if (strcmp(kind, "HB") == 0) {
        rb_zr_pack_head(&pk, "srv-id", 6, &rt, RB_ZR_HEARTBEAT);
        msgpack_pack_nil(&pk);
    } else {
        rb_zr_pack_head(&pk, "srv-id", 6, &rt, "OK");
        if (strcmp(kind, "OK0") == 0) {
            msgpack_pack_array(&pk, 0);
        } else {
            msgpack_pack_array(&pk, 1);
            if (strcmp(kind, "OKS") == 0)
                rb_mp_pack_cstr(&pk, "not a number");
            else if (strcmp(kind, "OBJ") == 0) {
                rb_obj o = RB_OBJ_INIT;
                rb_obj_fill(&o, "server", (size_t)value);
                rb_mp_pack_obj(&pk, &o);
                rb_obj_free(&o);
            } else
                msgpack_pack_int64(&pk, value);
        }
    }
    send_event(f, identity, delimiter, &sb);
    msgpack_sbuffer_destroy(&sb);
}

/* What the fake server does for fib(n):
 *   101 a stray event (unknown channel), a heartbeat, then OK 1001
 *   102 nothing (the client times out); the request is remembered
 *   103 the late reply of 102 (9999) first, then OK 1003
 *   104..107 ERR NameError, ValueError, KeyError, RequestTooLarge
 *   108 garbage bytes      109 OK "not a number"   110 OK 1010, no delimiter
 *   111 OK []              112 ERR with args 5
 *   other n: OK n * 10.    getObj: OK the 5-entry pattern.  sendObj: OK 77 */
static void fake_reply(fake *f, zframe_t *identity, const rb_zr_event *ev)
{
    const char *id = ev->message_id->via.str.ptr;
    size_t len = ev->message_id->via.str.size;
    if (rb_zr_name_is(ev, "getObj")) {
        reply(f, identity, 1, id, len, "OBJ", 5, NULL);
        return;
    }
    if (rb_zr_name_is(ev, "sendObj")) {
        reply(f, identity, 1, id, len, "OK", 77, NULL);
        return;
    }
    int64_t n = (int64_t)ev->args->via.array.ptr[0].via.i64;
    switch (n) {
    case 101:
        reply(f, identity, 1, "no-such-channel", 15, "OK", -5, NULL);
        reply(f, identity, 1, id, len, "HB", 0, NULL);
        reply(f, identity, 1, id, len, "OK", 1001, NULL);
        break;
    case 102:
        memcpy(f->held_id, id, len);
        f->held_len = len;
        zframe_destroy(&f->held_identity);
        f->held_identity = zframe_dup(identity);
        break;
    case 103:
        /* Late reply of 102: to the old socket (gone after the client's
         * reopen) and, as a worst case, on the new connection too. */
        reply(f, f->held_identity, 1, f->held_id, f->held_len, "OK", 9999, NULL);
        reply(f, identity, 1, f->held_id, f->held_len, "OK", 9999, NULL);
        reply(f, identity, 1, id, len, "OK", 1003, NULL);
        break;
    case 104: reply(f, identity, 1, id, len, "ERR", 0, "NameError"); break;
    case 105: reply(f, identity, 1, id, len, "ERR", 0, "ValueError"); break;
    case 106: reply(f, identity, 1, id, len, "ERR", 0, "KeyError"); break;
    case 107: reply(f, identity, 1, id, len, "ERR", 0, "RequestTooLarge"); break;
    case 108: {
        msgpack_sbuffer sb = { .size = 3, .data = "\x93\xc1\x00", .alloc = 0 };
        send_event(f, identity, 1, &sb);
        break;
    }
    case 109: reply(f, identity, 1, id, len, "OKS", 0, NULL); break;
    case 110: reply(f, identity, 0, id, len, "OK", 1010, NULL); break;
    case 111: reply(f, identity, 1, id, len, "OK0", 0, NULL); break;
    case 112: reply(f, identity, 1, id, len, "ERRX", 0, NULL); break;
    default: reply(f, identity, 1, id, len, "OK", n * 10, NULL); break;
    }
}

static void *fake_main(void *arg)
{
    fake *f = arg;
    zpoller_t *p = zpoller_new(f->sock, NULL);
    while (!atomic_load(&f->stop)) {
        if (!zpoller_wait(p, 50))
            continue;
        zmsg_t *m = zmsg_recv(f->sock);
        if (!m)
            continue;
        zframe_t *identity = zmsg_pop(m);
        zframe_t *last = zmsg_last(m);
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        rb_zr_event ev;
        const char *why;
        if (last && rb_mp_decode((const char *)zframe_data(last), zframe_size(last), &u) == RB_OK &&
            rb_zr_parse(&u.data, &ev, &why) == 0) {
            if (rb_zr_name_is(&ev, RB_ZR_HEARTBEAT))
                atomic_fetch_add(&f->heartbeats, 1);
            else {
                atomic_fetch_add(&f->requests, 1);
                fake_reply(f, identity, &ev);
            }
        }
        msgpack_unpacked_destroy(&u);
        zframe_destroy(&identity);
        zmsg_destroy(&m);
    }
    zpoller_destroy(&p);
    return NULL;
}

static int fake_setup(void **state)
{
    assert_int_equal(rb_transport_zmq.init(), RB_OK);
    fake *f = calloc(1, sizeof *f);
    f->sock = zsock_new(ZMQ_ROUTER);
    f->port = zsock_bind(f->sock, "tcp://127.0.0.1:*");
    assert_true(f->port > 0);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
    *state = f;
    return 0;
}

static int fake_teardown(void **state)
{
    fake *f = *state;
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    zframe_destroy(&f->held_identity);
    zsock_destroy(&f->sock);
    free(f);
    return 0;
}

static rb_client *client_to(fake *f, int timeout_ms)
{
    char ep[64], err[256];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", f->port);
    rb_client_opts o = { .endpoint = ep, .timeout_ms = timeout_ms };
    rb_client *c = NULL;
    assert_int_equal(rb_connect(&rb_transport_zmq, &o, &c, err, sizeof err), RB_OK);
    return c;
}

static void test_client_ok_and_skips(void **state)
{
    fake *f = *state;
    rb_client *c = client_to(f, 2000);
    int64_t r = 0;
    assert_int_equal(rb_call_fib(c, 7, &r), RB_OK);
    assert_int_equal(r, 70);
    assert_true(c->req_body_bytes > 40);
    assert_true(c->rep_body_bytes > 40);
    /* A stray event is discarded and counted; a heartbeat on our channel
     * is skipped without counting. */
    assert_int_equal(c->stale_replies, 0);
    assert_int_equal(rb_call_fib(c, 101, &r), RB_OK);
    assert_int_equal(r, 1001);
    assert_int_equal(c->stale_replies, 1);
    /* A reply without the empty delimiter frame is accepted too. */
    assert_int_equal(rb_call_fib(c, 110, &r), RB_OK);
    assert_int_equal(r, 1010);
    rb_obj o = RB_OBJ_INIT;
    assert_int_equal(rb_call_get_obj(c, &o), RB_OK);
    assert_true(rb_obj_is_pattern(&o, "server", 5));
    assert_int_equal(rb_call_send_obj(c, &o, &r), RB_OK);
    assert_int_equal(r, 77);
    rb_obj_free(&o);
    rb_close(&c);
    assert_null(c);
}

static void test_client_timeout_then_late_reply(void **state)
{
    fake *f = *state;
    rb_client *c = client_to(f, 300);
    int64_t r = 0;
    uint64_t t0 = rb_now_ns();
    assert_int_equal(rb_call_fib(c, 102, &r), RB_ETIMEDOUT);
    uint64_t waited_ms = (rb_now_ns() - t0) / 1000000;
    assert_true(waited_ms >= 299);
    assert_non_null(strstr(c->errstr, "no reply"));
    /* The late 9999 must never be taken as the answer of the next call. */
    assert_int_equal(rb_call_fib(c, 103, &r), RB_OK);
    assert_int_equal(r, 1003);
    assert_int_equal(c->stale_replies, 1);
    assert_int_equal(rb_call_fib(c, 8, &r), RB_OK);
    assert_int_equal(r, 80);
    rb_close(&c);
}

static void test_client_errors(void **state)
{
    fake *f = *state;
    rb_client *c = client_to(f, 2000);
    int64_t r = 0;
    assert_int_equal(rb_call_fib(c, 104, &r), RB_ENOMETHOD);
    assert_non_null(strstr(c->errstr, "NameError: scripted failure"));
    assert_int_equal(rb_call_fib(c, 105, &r), RB_EINVAL);
    assert_int_equal(rb_call_fib(c, 106, &r), RB_ESERVER);
    assert_non_null(strstr(c->errstr, "KeyError"));
    assert_int_equal(rb_call_fib(c, 107, &r), RB_ETOOBIG);
    assert_int_equal(rb_call_fib(c, 108, &r), RB_EPROTO);
    assert_int_equal(rb_call_fib(c, 109, &r), RB_EPROTO);
    assert_int_equal(rb_call_fib(c, 111, &r), RB_EPROTO);
    assert_int_equal(rb_call_fib(c, 112, &r), RB_EPROTO);
    /* Still usable after each. */
    assert_int_equal(rb_call_fib(c, 9, &r), RB_OK);
    assert_int_equal(r, 90);
    rb_close(&c);
}

static void test_client_no_server(void **state)
{
    (void)state;
    /* A port with nobody listening: a deadline error, not a hang. The port
     * stays bound (not listening) by this test, so no other process's
     * server can take it meanwhile (czmq's "*" hands out 49152 first). */
    int hold = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(hold, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(hold, (struct sockaddr *)&sa, &sl), 0);
    char ep[64], err[256];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", ntohs(sa.sin_port));
    rb_client_opts o = { .endpoint = ep, .timeout_ms = 200 };
    rb_client *c = NULL;
    assert_int_equal(rb_connect(&rb_transport_zmq, &o, &c, err, sizeof err), RB_OK);
    int64_t r;
    assert_int_equal(rb_call_fib(c, 1, &r), RB_ETIMEDOUT);
    if (!strstr(c->errstr, "no connection"))
        fprintf(stderr, "errstr: %s\n", c->errstr);
    assert_non_null(strstr(c->errstr, "no connection"));
    rb_close(&c);
    close(hold);
    /* Bad endpoints fail at connect. */
    o.endpoint = "127.0.0.1";
    assert_int_equal(rb_connect(&rb_transport_zmq, &o, &c, err, sizeof err), RB_EINVAL);
    assert_null(c);
    o.endpoint = "127.0.0.1:0";
    assert_int_equal(rb_connect(&rb_transport_zmq, &o, &c, err, sizeof err), RB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idgen),
        cmocka_unit_test(test_pack_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test_setup_teardown(test_client_ok_and_skips, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_client_timeout_then_late_reply, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_client_errors, fake_setup, fake_teardown),
        cmocka_unit_test(test_client_no_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
