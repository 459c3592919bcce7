/* test_unit.c - cmocka tests of the rest transport's pieces that need
 * no real server:
 *  - rb_rest_screen(), the depth and member bound in front of jansson;
 *  - the JSON codec: objects both ways, the error body, strict parsing;
 *  - the client against a scripted HTTP server thread in this process:
 *    statuses mapped to RB_E* codes with the server's message, undecodable
 *    replies, a connection closed without a reply, connection refused, the
 *    deadline, no late reply taken as the next call's answer (curl drops
 *    the timed-out connection), keep-alive (one connection for many calls)
 *    and the body byte counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "rest.h"

extern const rb_transport rb_transport_rest;
const rb_transport *const rb_transports[] = { &rb_transport_rest, NULL };

/* ---- the screen and the codec ----------------------------------------- */

static int screen(const char *x, size_t max_members)
{
    char why[128] = "";
    return rb_rest_screen(x, strlen(x), max_members, why, sizeof why);
}

static void test_screen_depth(void **state)
{
    (void)state;
    char deep[RB_MAX_DEPTH + 2];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    assert_int_equal(screen(deep, 10), RB_EINVAL);          /* depth 33 */
    deep[RB_MAX_DEPTH] = '\0';
    assert_int_equal(screen(deep, 10), RB_OK);              /* depth 32 */
    /* brackets inside strings, also after an escaped quote, do not count */
    char s[200];
    snprintf(s, sizeof s, "{\"a\\\"%s\": 1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    assert_int_equal(screen(s, 10), RB_OK);
    /* closing brackets give depth back */
    assert_int_equal(screen("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]][[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]", 10), RB_OK);
}

static void test_screen_members(void **state)
{
    (void)state;
    assert_int_equal(screen("{\"a\":1,\"b\":2,\"c\":3}", 3), RB_OK);
    assert_int_equal(screen("{\"a\":1,\"b\":2,\"c\":3}", 2), RB_EINVAL);
    assert_int_equal(screen("{\"a:b:c:d\":1}", 1), RB_OK);  /* colons in strings */
    /* the harness's smallest members ("client:0":0,) always pass */
    assert_true(rb_rest_max_members(13 * 1000000) >= 1000000);
    assert_true(rb_rest_max_members(0) >= 4096);
}

static void test_parse_strict(void **state)
{
    (void)state;
    json_t *j = NULL;
    char why[200];
#define PARSE(s) rb_rest_parse_object(s, strlen(s), &j, why, sizeof why)
    assert_int_equal(PARSE("{\"n\": 30}"), RB_OK);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 30);
    json_decref(j);
    assert_int_equal(PARSE("{\"a\":1,\"a\":2}"), RB_EINVAL);      /* duplicate key */
    assert_null(j);
    assert_int_equal(PARSE("{\"n\":1} x"), RB_EINVAL);            /* trailing bytes */
    assert_int_equal(PARSE("{\"n\":99999999999999999999}"), RB_EINVAL);
    assert_int_equal(PARSE("{\"n\":\"\\u0000\"}"), RB_EINVAL);   /* NUL in a string */
    assert_int_equal(PARSE("{\"n\":\"\xff\"}"), RB_EINVAL);       /* not UTF-8 */
    assert_int_equal(PARSE(""), RB_EINVAL);
    /* the reason never carries raw bytes of the input */
    assert_int_equal(PARSE("\xff\xfe"), RB_EINVAL);
    for (const char *p = why; *p; p++)
        assert_true(*p >= 0x20 && *p <= 0x7e);
#undef PARSE
}

static void test_obj_both_ways(void **state)
{
    (void)state;
    rb_obj o = RB_OBJ_INIT, back = RB_OBJ_INIT;
    rb_buf b = { 0 };
    char why[200];
    assert_int_equal(rb_obj_add(&o, "a", 1, 1), RB_OK);
    assert_int_equal(rb_obj_add(&o, "b\"", 2, INT64_MIN), RB_OK);
    assert_int_equal(rb_rest_obj_to_json(&o, 1, &b), RB_OK);
    const char *want = "{\"result\":{\"a\":1,\"b\\\"\":-9223372036854775808}}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    assert_int_equal(rb_rest_obj_to_json(&o, 0, &b), RB_OK);
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    assert_int_equal(rb_json_to_obj(j, &back, why, sizeof why), RB_OK);
    json_decref(j);
    assert_int_equal(back.count, 2);
    assert_string_equal(rb_obj_key(&back, 1), "b\"");
    assert_true(back.entries[1].value == INT64_MIN);
    j = json_loads("{\"a\":1,\"b\":1.5}", 0, NULL);
    assert_int_equal(rb_json_to_obj(j, &back, why, sizeof why), RB_EINVAL);
    assert_int_equal(back.count, 0);
    json_decref(j);
    j = json_loads("[1]", 0, NULL);
    assert_int_equal(rb_json_to_obj(j, &back, why, sizeof why), RB_EINVAL);
    json_decref(j);
    rb_buf_free(&b);
    rb_obj_free(&o);
    rb_obj_free(&back);
}

static void test_error_json(void **state)
{
    (void)state;
    rb_buf b = { 0 };
    assert_int_equal(rb_rest_error_json("EINVAL", "bad \"x\"\xff\n", &b), RB_OK);
    const char *want = "{\"error\":{\"code\":\"EINVAL\",\"message\":\"bad \\\"x\\\"??\"}}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    rb_buf_free(&b);
}

/* ---- the client against a scripted server ----------------------------- */

typedef struct step {
    int delay_ms;          /* wait before answering */
    const char *reply;     /* raw HTTP reply; NULL: close without one */
} step;

typedef struct script {
    const step *steps;
    int nsteps;
    int lfd;
    int port;
    int accepted;          /* connections accepted */
    int requests;          /* requests read */
    char last_body[256];   /* the last request's body */
} script;

/* Read one request (headers + Content-Length body); 0 at EOF. */
static int read_request(script *s, int fd)
{
    char buf[8192];
    size_t len = 0;
    char *end = NULL;
    while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
        ssize_t n = recv(fd, buf + len, sizeof buf - len - 1, 0);
        if (n <= 0)
            return 0;
        len += (size_t)n;
    }
    buf[len] = '\0';
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0, have = len - (size_t)(end + 4 - buf);
    while (have < want) {
        ssize_t n = recv(fd, buf + len, sizeof buf - len - 1, 0);
        if (n <= 0)
            return 0;
        len += (size_t)n;
        have += (size_t)n;
    }
    snprintf(s->last_body, sizeof s->last_body, "%.*s", (int)want, end + 4);
    return 1;
}

/* One connection at a time: read requests and answer each by the next
 * step, until the client closes it or the script ends. */
static void *serve_script(void *arg)
{
    script *s = arg;
    while (s->requests < s->nsteps) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            break;
        s->accepted++;
        while (s->requests < s->nsteps && read_request(s, fd)) {
            const step *st = &s->steps[s->requests++];
            if (st->delay_ms)
                nanosleep(&(struct timespec){ .tv_nsec = st->delay_ms * 1000000L }, NULL);
            if (!st->reply)
                break;
            send(fd, st->reply, strlen(st->reply), MSG_NOSIGNAL);
        }
        close(fd);
    }
    return NULL;
}

static pthread_t start_script(script *s, const step *steps, int n)
{
    memset(s, 0, sizeof *s);
    s->steps = steps;
    s->nsteps = n;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->lfd >= 0);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 8), 0);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serve_script, s), 0);
    return th;
}

static void finish_script(script *s, pthread_t th)
{
    shutdown(s->lfd, SHUT_RDWR);
    pthread_join(th, NULL);
    close(s->lfd);
}

static rb_client *connect_to(int port, int timeout_ms)
{
    char ep[64], err[256];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    rb_client_opts o = { .endpoint = ep, .timeout_ms = timeout_ms };
    rb_client *c = NULL;
    assert_int_equal(rb_connect(&rb_transport_rest, &o, &c, err, sizeof err), RB_OK);
    return c;
}

static const char ok_fib[] = "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{\"result\":832040}";
static const char ok_late[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"result\":1}";

static void test_client_timeout_drops_connection(void **state)
{
    (void)state;
    const step steps[] = { { 300, ok_late }, { 0, ok_fib }, { 0, ok_fib } };
    script s;
    pthread_t th = start_script(&s, steps, 3);
    rb_client *c = connect_to(s.port, 100);
    int64_t r = 0;
    assert_int_equal(rb_call_fib(c, 30, &r), RB_ETIMEDOUT);
    /* the scripted server answers late, then takes the next connection */
    nanosleep(&(struct timespec){ .tv_nsec = 300 * 1000000L }, NULL);
    assert_int_equal(rb_call_fib(c, 30, &r), RB_OK);
    assert_int_equal(r, 832040);                 /* not the late {"result":1} */
    assert_int_equal(rb_call_fib(c, 30, &r), RB_OK);
    assert_int_equal(c->req_body_bytes, 8);      /* {"n":30} */
    assert_int_equal(c->rep_body_bytes, 17);
    assert_string_equal(s.last_body, "{\"n\":30}");
    rb_close(&c);
    finish_script(&s, th);
    assert_int_equal(s.accepted, 2);             /* a new one after the timeout, then kept */
}

static void expect_error(const char *reply, int want, const char *in_msg)
{
    const step steps[] = { { 0, reply } };
    script s;
    pthread_t th = start_script(&s, steps, 1);
    rb_client *c = connect_to(s.port, 2000);
    int64_t r = 0;
    int rc = rb_call_fib(c, 30, &r);
    if (rc != want)
        fail_msg("reply '%.40s': got %s (%s), want %s", reply ? reply : "(none)",
                 rb_err_name(rc), c->errstr, rb_err_name(want));
    if (in_msg && !strstr(c->errstr, in_msg))
        fail_msg("errstr '%s' lacks '%s'", c->errstr, in_msg);
    rb_close(&c);
    finish_script(&s, th);
}

static void test_client_error_mapping(void **state)
{
    (void)state;
    static const struct { const char *status; int want; } st[] = {
        { "400 Bad Request", RB_EINVAL }, { "404 Not Found", RB_ENOMETHOD },
        { "413 Content Too Large", RB_ETOOBIG }, { "500 Oops", RB_ESERVER },
        { "503 Service Unavailable", RB_ESERVER }, { "405 Method Not Allowed", RB_EPROTO },
    };
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        char body[128], reply[256], msg[32];
        snprintf(msg, sizeof msg, "why-%.3s", st[i].status);
        int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"X\",\"message\":\"%s\"}}", msg);
        snprintf(reply, sizeof reply, "HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n%s",
                 st[i].status, n, body);
        expect_error(reply, st[i].want, msg);
    }
    expect_error("HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\noops", RB_ESERVER, "HTTP 500");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{\"re:", RB_EPROTO, NULL);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"other\":1}", RB_EPROTO, "result");
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"result\":\"x\"} ", RB_EPROTO, NULL);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{\"result\":1}", RB_ECLOSED, NULL);
    expect_error(NULL, RB_ECLOSED, NULL);
    expect_error("not http at all\r\n\r\n", RB_EPROTO, NULL);
}

static void test_client_connect_refused(void **state)
{
    (void)state;
    script s;
    const step none[] = { { 0, NULL } };
    pthread_t th = start_script(&s, none, 1);
    int port = s.port;
    finish_script(&s, th);                       /* nothing listens there now */
    rb_client *c = connect_to(port, 1000);
    int64_t r;
    assert_int_equal(rb_call_fib(c, 30, &r), RB_ECONNECT);
    rb_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_depth),
        cmocka_unit_test(test_screen_members),
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_obj_both_ways),
        cmocka_unit_test(test_error_json),
        cmocka_unit_test(test_client_timeout_drops_connection),
        cmocka_unit_test(test_client_error_mapping),
        cmocka_unit_test(test_client_connect_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
