#include "transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

volatile sig_atomic_t rb_serve_stop = 0;

const rb_transport *rb_transport_find(const char *name)
{
    for (const rb_transport *const *t = rb_transports; *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

static void call_begin(rb_client *c)
{
    c->err = RB_OK;
    c->errstr[0] = '\0';
    c->req_body_bytes = 0;
    c->rep_body_bytes = 0;
    c->accepted = -1;
}

/* A reply that arrives after the call's deadline is a timeout, never a
 * success: stacks whose own deadline is coarse (or checked only before the
 * reply is read) would otherwise hand back late replies as samples. t0 is the
 * call's start (CLOCK_MONOTONIC, ns). */
static int call_end(rb_client *c, int rc, uint64_t t0)
{
    if (rc == RB_OK && c->timeout_ms > 0) {
        uint64_t took = rb_now_ns() - t0;
        if (took > (uint64_t)c->timeout_ms * 1000000ull) {
            c->stale_replies++;
            rc = rb_client_fail(c, RB_ETIMEDOUT,
                                "reply arrived after the deadline (%.3f ms > %d ms)",
                                (double)took / 1e6, c->timeout_ms);
        }
    }
    c->err = rc;
    if (rc && !c->errstr[0])
        snprintf(c->errstr, sizeof c->errstr, "%s", rb_strerror(rc));
    return rc;
}

int rb_connect(const rb_transport *t, const rb_client_opts *o, rb_client **out,
               char *errbuf, size_t errlen)
{
    *out = NULL;
    if (errlen)
        errbuf[0] = '\0';
    /* init is once per process, and a client may be the first user of the
     * library in its process (a client process forked for a round). */
    int rc = t->init ? t->init() : RB_OK;
    if (rc == RB_OK)
        rc = t->connect(o, out, errbuf, errlen);
    if (rc == RB_OK) {
        (*out)->t = t;
        (*out)->timeout_ms = o->timeout_ms;
        call_begin(*out);
    } else {
        *out = NULL;
        if (errlen && !errbuf[0])
            snprintf(errbuf, errlen, "%s", rb_strerror(rc));
    }
    return rc;
}

int rb_call_fib(rb_client *c, int64_t n, int64_t *result)
{
    call_begin(c);
    uint64_t t0 = rb_now_ns();
    return call_end(c, c->t->fib(c, n, result), t0);
}

int rb_call_get_obj(rb_client *c, rb_obj *out)
{
    call_begin(c);
    uint64_t t0 = rb_now_ns();
    return call_end(c, c->t->get_obj(c, out), t0);
}

int rb_call_send_obj(rb_client *c, const rb_obj *obj, int64_t *count)
{
    call_begin(c);
    uint64_t t0 = rb_now_ns();
    return call_end(c, c->t->send_obj(c, obj, count), t0);
}

void rb_close(rb_client **c)
{
    if (c && *c) {
        (*c)->t->close(*c);
        *c = NULL;
    }
}

int rb_client_fail(rb_client *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errstr, sizeof c->errstr, fmt, ap);
    va_end(ap);
    c->err = err;
    return err;
}

int rb_parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
    if (!s)
        return RB_EINVAL;
    const char *colon;
    const char *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return RB_EINVAL;
        h = s + 1;
        hl = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return RB_EINVAL;
        hl = (size_t)(colon - s);
    }
    if (hl + 1 > hostlen)
        return RB_EINVAL;
    char *endp;
    long p = strtol(colon + 1, &endp, 10);
    if (endp == colon + 1 || *endp || p < 0 || p > 65535)
        return RB_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return RB_OK;
}

uint64_t rb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rb_ms_left(uint64_t deadline_ns)
{
    uint64_t now = rb_now_ns();
    if (now >= deadline_ns)
        return 0;
    uint64_t ms = (deadline_ns - now + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

const char *rb_endpoint_or_default(const rb_transport *t, const char *endpoint)
{
    return endpoint && *endpoint ? endpoint : t->default_endpoint;
}

void rb_serve_ready(const char *host, int port)
{
    if (strchr(host, ':'))
        printf("ready [%s]:%d\n", host, port);
    else
        printf("ready %s:%d\n", host, port);
    fflush(stdout);
}

int rb_serve_ready_fd(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN];
    if (getsockname(fd, (struct sockaddr *)&ss, &len))
        return RB_EIO;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        rb_serve_ready(host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        rb_serve_ready(host, ntohs(a->sin6_port));
    } else {
        return RB_EIO;
    }
    return RB_OK;
}

void rb_serve_ready_queue(const char *queue)
{
    printf("ready %s\n", queue);
    fflush(stdout);
}
