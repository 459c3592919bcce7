/* test_unit.c - cmocka tests of the XML-RPC transport's pieces that
 * need no real server:
 *  - rb_xr_screen(), the request screen in front of xmlrpc-c's parser;
 *  - the client (both tables) against a scripted HTTP server thread in this
 *    process: fault codes and HTTP errors mapped to RB_E* codes, undecodable
 *    replies, the per-call deadline, the client staying usable after a
 *    timeout without taking the late reply as the next answer, body byte
 *    counts, and keep-alive (one connection for many calls) versus
 *    xmlrpc-close (one connection per call).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"
#include "xr.h"

extern const rb_transport rb_transport_xmlrpc;
extern const rb_transport rb_transport_xmlrpc_close;
const rb_transport *const rb_transports[] = { &rb_transport_xmlrpc, &rb_transport_xmlrpc_close,
                                               NULL };

/* ---- the screen ------------------------------------------------------- */

static int screen(const char *x)
{
    char why[128] = "";
    return rb_xr_screen(x, strlen(x), why, sizeof why);
}

static void test_screen_passes_valid_requests(void **state)
{
    (void)state;
    assert_int_equal(screen("<?xml version='1.0'?><methodCall><methodName>fib</methodName>"
                            "<params><param><value><i8>30</i8></value></param></params>"
                            "</methodCall>"), 0);
    assert_int_equal(screen("<methodCall><methodName>fib</methodName><params><param><value>"
                            "<ex:i8>-9223372036854775808</ex:i8></value></param></params>"
                            "</methodCall>"), 0);
    assert_int_equal(screen("<i8>+0009223372036854775807</i8>"), 0);
    /* '>' inside an attribute value, comments and CDATA are skipped */
    assert_int_equal(screen("<a x='>'><!-- <i8>x</i8> --><![CDATA[<i8>y</i8>]]></a>"), 0);
    /* malformed but harmless: left to the parser */
    assert_int_equal(screen("<methodCall><unclosed"), 0);
    assert_int_equal(screen(""), 0);
}

static void test_screen_refuses_what_crashes_xmlrpc_c(void **state)
{
    (void)state;
    assert_int_equal(screen("<i8>abc</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>1 2</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>9223372036854775808</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>-9223372036854775809</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>99999999999999999999999</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>&#49;2</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8><!-- -->1</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8/>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>-</i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<x:i8>1x</x:i8>"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<i8>12"), RB_XR_FAULT_INVALID);
    assert_int_equal(screen("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"),
                     RB_XR_FAULT_INVALID);

    /* element nesting: RB_XR_MAX_XML_DEPTH passes, one more does not */
    size_t n = RB_XR_MAX_XML_DEPTH + 1;
    char *deep = malloc(n * 7 + 1);
    assert_non_null(deep);
    char *p = deep;
    for (size_t i = 0; i < n - 1; i++)
        p += sprintf(p, "<a>");
    for (size_t i = 0; i < n - 1; i++)
        p += sprintf(p, "</a>");
    assert_int_equal(screen(deep), 0);
    p = deep;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "<a>");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "</a>");
    char why[128] = "";
    assert_int_equal(rb_xr_screen(deep, strlen(deep), why, sizeof why), RB_XR_FAULT_TOOBIG);
    assert_non_null(strstr(why, "nested"));
    free(deep);
}

static int screen_n(const char *x, size_t n)
{
    char why[128] = "";
    return rb_xr_screen(x, n, why, sizeof why);
}

/* Only UTF-8 reaches xmlrpc-c: the parser reads what the screen read. */
static void test_screen_refuses_other_encodings(void **state)
{
    (void)state;
    assert_int_equal(screen_n("\xff\xfe<\0i\0\x38\0>\0", 10), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen_n("\xfe\xff\0<\0i\0\x38\0>", 10), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen_n("\0\0\xfe\xff\0\0\0<", 8), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen_n("<\0i\0\x38\0>\0", 8), RB_XR_FAULT_PARSE);
    assert_int_equal(screen("<?xml version='1.0' encoding='UTF-16'?><a/>"), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen("<?xml version=\"1.0\" encoding = \"iso-8859-1\" ?><a/>"),
                     RB_XR_FAULT_ENCODING);
    assert_int_equal(screen("<?xml version='1.0' EnCoDiNg='ebcdic'?><a/>"), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen("<?xml version='1.0' encoding=utf-8?><a/>"), RB_XR_FAULT_ENCODING);
    assert_int_equal(screen("<?xml version='1.0' encoding='UTF-8'?><a/>"), 0);
    assert_int_equal(screen("<?xml version='1.0' encoding=\"us-ascii\"?><a/>"), 0);
    assert_int_equal(screen("\xef\xbb\xbf<?xml version='1.0' encoding='utf-16'?><a/>"),
                     RB_XR_FAULT_ENCODING);
    assert_int_equal(screen("<a>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</a>"), 0);
    assert_int_equal(screen("<a>\xc3\x28</a>"), RB_XR_FAULT_PARSE);
    assert_int_equal(screen("<a>\xc0\xbc</a>"), RB_XR_FAULT_PARSE);       /* overlong */
    assert_int_equal(screen("<a>\xed\xa0\x80</a>"), RB_XR_FAULT_PARSE);   /* surrogate */
    assert_int_equal(screen("<a>\xf4\x90\x80\x80</a>"), RB_XR_FAULT_PARSE); /* > U+10FFFF */
    assert_int_equal(screen("<a>\xe2\x82</a>"), RB_XR_FAULT_PARSE);       /* cut */
}

/* The element and member limits, and the count reported. */
static void test_screen_counts_elements(void **state)
{
    (void)state;
    char why[128] = "";
    size_t n = 0;
    const rb_xr_limits lim = { .max_elements = 5, .max_members = 1 };
    const char *five = "<a><b/><c></c><!-- <d/> --><e/><f/></a>";
    assert_int_equal(rb_xr_screen_lim(five, strlen(five), &lim, &n, why, sizeof why), 0);
    assert_int_equal(n, 5);
    const char *six = "<a><b/><c></c><e/><f/><g/></a>";
    assert_int_equal(rb_xr_screen_lim(six, strlen(six), &lim, &n, why, sizeof why),
                     RB_XR_FAULT_TOOBIG);
    assert_non_null(strstr(why, "elements"));
    const char *two = "<struct><member/><x:member/></struct>";
    assert_int_equal(rb_xr_screen_lim(two, strlen(two), &lim, &n, why, sizeof why),
                     RB_XR_FAULT_TOOBIG);
    assert_non_null(strstr(why, "members"));
    /* without limits only the count */
    assert_int_equal(rb_xr_screen_lim(six, strlen(six), NULL, &n, why, sizeof why), 0);
    assert_int_equal(n, 6);
}

/* ---- a scripted HTTP server ----------------------------------------------- */

typedef struct step {
    int delay_ms;        /* wait before answering */
    int status;          /* HTTP status; 0: close the connection unanswered,
                            -1: reset it (RST) unanswered */
    const char *body;    /* response body */
} step;

typedef struct script {
    int lfd;
    int port;
    const step *steps;
    int nsteps;
    int accepted;        /* connections accepted */
    int answered;        /* requests answered (or dropped after a delay) */
    pthread_t th;
} script;

/* Read one HTTP request (headers, then Content-Length bytes). 1 on success,
 * 0 when the peer closed. */
static int read_request(int fd)
{
    char buf[65536];
    size_t have = 0;
    char *hdr_end = NULL;
    while (!hdr_end) {
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0)
            return 0;
        have += (size_t)r;
        buf[have] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
    }
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
    size_t body = have - (size_t)(hdr_end + 4 - buf);
    while (body < want) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            return 0;
        body += (size_t)r;
    }
    return 1;
}

static void *script_main(void *arg)
{
    script *s = arg;
    int fd = -1;
    while (s->answered < s->nsteps) {
        if (fd < 0) {
            struct pollfd p = { .fd = s->lfd, .events = POLLIN };
            if (poll(&p, 1, 10000) <= 0)
                break;
            fd = accept(s->lfd, NULL, NULL);
            if (fd < 0)
                break;
            s->accepted++;
        }
        if (!read_request(fd)) {
            close(fd);
            fd = -1;
            continue;
        }
        const step *st = &s->steps[s->answered++];
        if (st->delay_ms) {
            struct timespec ts = { st->delay_ms / 1000, (long)(st->delay_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
        if (st->status <= 0) {
            if (st->status < 0) {
                struct linger lg = { .l_onoff = 1, .l_linger = 0 };
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            }
            close(fd);
            fd = -1;
            continue;
        }
        char head[256];
        int hl = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n\r\n",
                          st->status, strlen(st->body));
        send(fd, head, (size_t)hl, MSG_NOSIGNAL);
        send(fd, st->body, strlen(st->body), MSG_NOSIGNAL);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void script_start(script *s, const step *steps, int n)
{
    memset(s, 0, sizeof *s);
    s->steps = steps;
    s->nsteps = n;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, script_main, s), 0);
}

static void script_stop(script *s)
{
    pthread_join(s->th, NULL);
    close(s->lfd);
}

static rb_client *client(const rb_transport *t, int port, int timeout_ms)
{
    char ep[64], err[256];
    rb_client *c = NULL;
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    rb_client_opts o = { .endpoint = ep, .timeout_ms = timeout_ms };
    assert_int_equal(t->init(), RB_OK);
    assert_int_equal(rb_connect(t, &o, &c, err, sizeof err), RB_OK);
    return c;
}

#define RESP_I8(v) "<?xml version='1.0'?><methodResponse><params><param><value><i8>" v \
                   "</i8></value></param></params></methodResponse>"
#define FAULT(code) "<?xml version='1.0'?><methodResponse><fault><value><struct>" \
                    "<member><name>faultCode</name><value><int>" code "</int></value></member>" \
                    "<member><name>faultString</name><value><string>nope</string></value>" \
                    "</member></struct></value></fault></methodResponse>"

static void test_faults_map_to_error_codes(void **state)
{
    (void)state;
    static const step steps[] = {
        { 0, 200, FAULT("-506") },
        { 0, 200, FAULT("-32601") },
        { 0, 200, FAULT("-32602") },
        { 0, 200, FAULT("-501") },
        { 0, 200, FAULT("-509") },
        { 0, 200, FAULT("1") },
        { 0, 200, "<methodResponse><params><param><value><i8>1" },
        { 0, 200, "not xml at all" },
        { 0, 200, "<?xml version='1.0'?><methodResponse><params><param><value><string>x"
                  "</string></value></param></params></methodResponse>" },
        { 0, 500, "Internal" },
        { 0, 413, "Too large" },
        { 0, 404, "Not found" },
        { 0, 200, RESP_I8("abc") },  /* crashes xmlrpc-c 1.33's parser */
        { 0, 200, RESP_I8("9223372036854775808") },
        /* closed unanswered: on a kept-alive connection curl resends the
         * request once on a new connection, so it takes two to fail */
        { 0, 0, "" },
        { 0, 0, "" },
        { 0, -1, "" },  /* reset unanswered, on a new connection: no resend */
        { 0, 200, RESP_I8("7540113804746346429") },
    };
    static const int want[] = {
        RB_ENOMETHOD, RB_ENOMETHOD, RB_EINVAL, RB_EINVAL, RB_ETOOBIG, RB_ESERVER,
        RB_EPROTO, RB_EPROTO, RB_EPROTO, RB_ESERVER, RB_ETOOBIG, RB_ENOMETHOD,
        RB_EPROTO, RB_EPROTO, RB_ECLOSED, RB_ECLOSED, RB_OK,
    };
    enum { N = sizeof want / sizeof want[0] };
    _Static_assert(sizeof steps / sizeof steps[0] == N + 1, "one expectation per call");
    script s;
    script_start(&s, steps, N + 1);
    rb_client *c = client(&rb_transport_xmlrpc, s.port, 5000);
    for (int i = 0; i < N; i++) {
        int64_t r = -1;
        int rc = rb_call_fib(c, 92, &r);
        if (rc != want[i])
            print_error("step %d: got %s (%s), want %s\n", i, rb_err_name(rc), c->errstr,
                        rb_err_name(want[i]));
        assert_int_equal(rc, want[i]);
        if (rc == RB_OK) {
            assert_int_equal(r, INT64_C(7540113804746346429));
            assert_int_equal(c->errstr[0], '\0');
        } else {
            assert_true(c->errstr[0] != '\0');
        }
    }
    /* fault text reaches errstr */
    rb_close(&c);
    script_stop(&s);
    /* one kept-alive connection (error statuses included) until the server
     * closed it, one for curl's resend, one reset, one for the last call */
    assert_int_equal(s.accepted, 4);
}

static void test_deadline_then_usable_no_stale_answer(void **state)
{
    (void)state;
    /* The first answer comes late (after the deadline) and says 111; the
     * next call must get its own answer, 222, on a fresh connection. */
    static const step steps[] = {
        { 1500, 200, RESP_I8("111") },
        { 0, 200, RESP_I8("222") },
    };
    script s;
    script_start(&s, steps, 2);
    rb_client *c = client(&rb_transport_xmlrpc, s.port, 5000);
    c->timeout_ms = 300;
    int64_t r = -1;
    /* ETIMEDOUT (not 111) proves the 300 ms deadline ended the call before
     * the answer came at 1500 ms: xmlrpc-c alone would have waited for it. */
    assert_int_equal(rb_call_fib(c, 5, &r), RB_ETIMEDOUT);
    assert_non_null(strstr(c->errstr, "deadline"));
    assert_int_equal(r, -1);
    c->timeout_ms = 5000;
    assert_int_equal(rb_call_fib(c, 5, &r), RB_OK);
    assert_int_equal(r, 222);
    assert_int_equal(c->stale_replies, 0);
    rb_close(&c);
    script_stop(&s);
    assert_int_equal(s.accepted, 2);
}

/* The deadline timer is lazy (xmlrpc.c): a call whose deadline is later
 * than the timer's keeps the timer, which then fires inside the call and is
 * moved on. Each step below takes one of its paths. */
static void test_lazy_deadline_timer(void **state)
{
    (void)state;
    static const step steps[] = {
        { 0, 200, RESP_I8("5") },       /* timer set for this call's deadline */
        { 600, 200, RESP_I8("7") },     /* that deadline fires inside this
                                           call, which goes on to its own */
        { 0, 200, RESP_I8("9") },       /* a shorter timeout: timer moved back */
        { 1500, 200, RESP_I8("111") },  /* the moved-on timer ends this call */
        { 0, 200, RESP_I8("222") },
    };
    static const int timeout_ms[] = { 300, 2000, 400, 500, 5000 };
    static const int want_rc[] = { RB_OK, RB_OK, RB_OK, RB_ETIMEDOUT, RB_OK };
    static const int64_t want_r[] = { 5, 7, 9, -1, 222 };
    script s;
    script_start(&s, steps, 5);
    rb_client *c = client(&rb_transport_xmlrpc, s.port, 5000);
    for (int i = 0; i < 5; i++) {
        int64_t r = -1;
        c->timeout_ms = timeout_ms[i];
        int rc = rb_call_fib(c, 5, &r);
        if (rc != want_rc[i])
            print_error("call %d: got %s (%s)\n", i, rb_err_name(rc), c->errstr);
        assert_int_equal(rc, want_rc[i]);
        assert_int_equal(r, want_r[i]);
    }
    assert_int_equal(c->stale_replies, 0);
    rb_close(&c);
    script_stop(&s);
    /* the timed-out call took its connection along */
    assert_int_equal(s.accepted, 2);
}

static void test_keepalive_versus_close(void **state)
{
    (void)state;
    static const step steps[] = {
        { 0, 200, RESP_I8("5") }, { 0, 200, RESP_I8("5") }, { 0, 200, RESP_I8("5") },
        { 0, 200, RESP_I8("5") }, { 0, 200, RESP_I8("5") },
    };
    script s;
    script_start(&s, steps, 5);
    rb_client *c = client(&rb_transport_xmlrpc, s.port, 5000);
    for (int i = 0; i < 5; i++) {
        int64_t r = 0;
        assert_int_equal(rb_call_fib(c, 5, &r), RB_OK);
        assert_int_equal(r, 5);
    }
    rb_close(&c);
    script_stop(&s);
    assert_int_equal(s.accepted, 1);

    script_start(&s, steps, 5);
    c = client(&rb_transport_xmlrpc_close, s.port, 5000);
    for (int i = 0; i < 5; i++) {
        int64_t r = 0;
        assert_int_equal(rb_call_fib(c, 5, &r), RB_OK);
        assert_int_equal(r, 5);
    }
    rb_close(&c);
    script_stop(&s);
    assert_int_equal(s.accepted, 5);
}

static void test_body_bytes_and_objects(void **state)
{
    (void)state;
    static const step steps[] = {
        { 0, 200, "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
                  "<member><name>server:0</name><value><int>0</int></value></member>"
                  "<member><name>server:1</name><value><i8>1</i8></value></member>"
                  "</struct></value></param></params></methodResponse>" },
        { 0, 200, "<?xml version='1.0'?><methodResponse><params><param><value><int>3"
                  "</int></value></param></params></methodResponse>" },
        { 0, 200, "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
                  "<member><name>server:0</name><value><string>0</string></value></member>"
                  "</struct></value></param></params></methodResponse>" },
    };
    script s;
    script_start(&s, steps, 3);
    rb_client *c = client(&rb_transport_xmlrpc, s.port, 5000);
    rb_obj o = RB_OBJ_INIT;
    assert_int_equal(rb_call_get_obj(c, &o), RB_OK);
    assert_true(rb_obj_is_pattern(&o, "server", 2));
    assert_int_equal(c->rep_body_bytes, strlen(steps[0].body));
    /* the request: xmlrpc-c's serialization of getObj() with no params */
    assert_true(c->req_body_bytes > strlen("<methodName>getObj</methodName>"));

    rb_obj in = RB_OBJ_INIT;
    assert_int_equal(rb_obj_fill(&in, "client", 3), RB_OK);
    int64_t ack = 0;
    assert_int_equal(rb_call_send_obj(c, &in, &ack), RB_OK);
    assert_int_equal(ack, 3);
    assert_int_equal(c->rep_body_bytes, strlen(steps[1].body));
    /* three members with their names made it into the request */
    assert_true(c->req_body_bytes > 3 * strlen("<member><name>client:0</name>"));

    assert_int_equal(rb_call_get_obj(c, &o), RB_EPROTO);
    rb_obj_free(&o);
    rb_obj_free(&in);
    rb_close(&c);
    script_stop(&s);
}

static void test_no_server_is_a_connect_error(void **state)
{
    (void)state;
    /* A port nobody listens on: bind, read the port, close. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &al);
    close(fd);
    for (int k = 0; k < 2; k++) {
        rb_client *c = client(k ? &rb_transport_xmlrpc_close : &rb_transport_xmlrpc,
                              ntohs(a.sin_port), 2000);
        int64_t r = 0;
        assert_int_equal(rb_call_fib(c, 1, &r), RB_ECONNECT);
        assert_int_equal(rb_fail_kind_of(c->err), RB_FAIL_CONNECT);
        rb_close(&c);
    }
}

static void test_bad_endpoint(void **state)
{
    (void)state;
    rb_client *c = NULL;
    char err[256] = "";
    rb_client_opts o = { .endpoint = "no-port", .timeout_ms = 100 };
    assert_int_equal(rb_connect(&rb_transport_xmlrpc, &o, &c, err, sizeof err), RB_EINVAL);
    assert_null(c);
    assert_non_null(strstr(err, "no-port"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_passes_valid_requests),
        cmocka_unit_test(test_screen_refuses_what_crashes_xmlrpc_c),
        cmocka_unit_test(test_screen_refuses_other_encodings),
        cmocka_unit_test(test_screen_counts_elements),
        cmocka_unit_test(test_faults_map_to_error_codes),
        cmocka_unit_test(test_deadline_then_usable_no_stale_answer),
        cmocka_unit_test(test_lazy_deadline_timer),
        cmocka_unit_test(test_keepalive_versus_close),
        cmocka_unit_test(test_body_bytes_and_objects),
        cmocka_unit_test(test_no_server_is_a_connect_error),
        cmocka_unit_test(test_bad_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
