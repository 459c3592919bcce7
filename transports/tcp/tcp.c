/* tcp.c - the floor: plain TCP, 4-byte big-endian length + MessagePack.
 *
 * What one TCP round trip with a minimal framing costs; every other stack is
 * compared against it. The bodies are the same MessagePack values as zmq's
 * (services/rb_msgpack.h), so zmq minus tcp is ZeroMQ itself.
 *
 * Frame:   uint32 length (big-endian, body bytes) | body
 * Request: [id, method, args]      id: uint, the client's call counter
 * Reply:   [id, 0, result]         success
 *          [id, code, message]     code: negative RB_E* code, message: str
 * id is echoed so a reply that arrives after its call timed out is
 * recognised as stale and discarded; a request too broken to carry an id
 * is answered with id nil.
 *
 * Client (this file): a blocking socket; a call is one sendmsg() and, in
 * the common case, one recv() that waits with SO_RCVTIMEO (see recv_more),
 * as few system calls as a minimal client makes. Server: tcp_server.c.
 */
#include "tcp_internal.h"
#include "rb_msgpack.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#define TCP_MAX_REPLY (1u << 30)   /* client side: largest reply accepted, bytes */
/* SO_RCVTIMEO ends this long before the deadline: the kernel rounds it up
 * to a timer tick (at most 10 ms at HZ=100), and poll(), which is exact to
 * well under a millisecond, waits the rest. */
#define TCP_TIMEO_MARGIN_MS 20
#define TCP_RBUF_MIN 65536         /* receive buffer, bytes, grown per reply */

/* ---- client ------------------------------------------------------------ */

typedef struct tcp_client {
    rb_client base;          /* must be first */
    int fd;                  /* blocking socket; every wait is bounded */
    int rcvtimeo_ms;         /* SO_RCVTIMEO set on fd now, ms; 0: none */
    uint64_t next_id;        /* id of the next call */
    msgpack_sbuffer sbuf;    /* request encoding, reused */
    msgpack_packer pk;
    char *rbuf;              /* received bytes not yet consumed */
    size_t rlen, rcap;
    msgpack_unpacked reply;  /* last decoded reply, reused */
} tcp_client;

/* Connect to one address before the deadline: a non-blocking connect and
 * poll(), then the socket is made blocking. Returns the fd, or -1 with
 * *rc and errbuf set. */
static int dial(const struct addrinfo *a, const char *ep, uint64_t deadline, int timeout_ms,
                int *rc, char *errbuf, size_t errlen)
{
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errbuf, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!ok && errno == EINPROGRESS) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int err = 0;
        socklen_t el = sizeof err;
        int pr = poll(&p, 1, rb_ms_left(deadline));
        ok = pr == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
        if (pr == 0) {
            *rc = RB_ETIMEDOUT;
            snprintf(errbuf, errlen, "connect to %s: no answer within %d ms", ep, timeout_ms);
        } else if (!ok) {
            snprintf(errbuf, errlen, "connect to %s: %s", ep, strerror(err ? err : errno));
        }
    } else if (!ok) {
        snprintf(errbuf, errlen, "connect to %s: %s", ep, strerror(errno));
    }
    if (!ok || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int tcp_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    char host[256], portstr[8];
    int port;
    const char *ep = rb_endpoint_or_default(&rb_transport_tcp, o->endpoint);
    if (rb_parse_hostport(ep, host, sizeof host, &port)) {
        snprintf(errbuf, errlen, "bad endpoint '%s': want HOST:PORT", ep);
        return RB_EINVAL;
    }
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        snprintf(errbuf, errlen, "%s: %s", host, gai_strerror(gai));
        return RB_ECONNECT;
    }
    uint64_t deadline = rb_now_ns() + (uint64_t)o->timeout_ms * 1000000ull;
    int fd = -1, rc = RB_ECONNECT;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next)
        fd = dial(a, ep, deadline, o->timeout_ms, &rc, errbuf, errlen);
    freeaddrinfo(ai);
    if (fd < 0)
        return rc;
    rb_tcp_nodelay(fd);

    tcp_client *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return RB_ENOMEM;
    }
    c->fd = fd;
    c->next_id = 1;
    msgpack_sbuffer_init(&c->sbuf);
    msgpack_packer_init(&c->pk, &c->sbuf, msgpack_sbuffer_write);
    msgpack_unpacked_init(&c->reply);
    *out = &c->base;
    return RB_OK;
}

static void tcp_close(rb_client *base)
{
    tcp_client *c = (tcp_client *)base;
    if (c->fd >= 0)
        close(c->fd);
    msgpack_sbuffer_destroy(&c->sbuf);
    msgpack_unpacked_destroy(&c->reply);
    free(c->rbuf);
    free(c);
}

/* Write all of iov before the deadline: sendmsg() without waiting
 * (MSG_DONTWAIT), poll() only when the socket buffer is full. */
static int send_all(tcp_client *c, struct iovec *iov, int iovcnt, uint64_t deadline)
{
    while (iovcnt > 0) {
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
        ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                c->base.accepted = 0;   /* the request never left: refused */
                return rb_client_fail(&c->base, RB_ECLOSED, "send: %s", strerror(errno));
            }
            struct pollfd p = { .fd = c->fd, .events = POLLOUT };
            int ms = rb_ms_left(deadline);
            if (ms == 0 || poll(&p, 1, ms) == 0) {
                c->base.accepted = 0;
                return rb_client_fail(&c->base, RB_ETIMEDOUT, "request not sent within %d ms", c->base.timeout_ms);
            }
            continue;
        }
        while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    c->base.accepted = 1;   /* written in full: what tcp can promise */
    return RB_OK;
}

/* SO_RCVTIMEO for a wait of at most `want` ms. The option is rewritten
 * only when the one set would end after the deadline, or more than 1/16
 * before it, so back-to-back calls with the same timeout set it once. */
static void fit_rcvtimeo(tcp_client *c, int want)
{
    if (c->rcvtimeo_ms <= want && c->rcvtimeo_ms >= want - want / 16 && c->rcvtimeo_ms > 0)
        return;
    struct timeval tv = { .tv_sec = want / 1000, .tv_usec = (want % 1000) * 1000 };
    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0)
        c->rcvtimeo_ms = want;
}

/* Receive more bytes into rbuf before the deadline. The first try is a
 * blocking recv() bounded by SO_RCVTIMEO, which ends TCP_TIMEO_MARGIN_MS
 * before the deadline: one system call when the reply comes whole. After
 * a short read, a timeout of that recv(), or close to the deadline, poll()
 * waits exactly the time left. Returns RB_OK (rlen grew) or an error. */
static int recv_more(tcp_client *c, uint64_t deadline, int *may_block)
{
    for (;;) {
        int ms = rb_ms_left(deadline), flags = MSG_DONTWAIT;
        if (*may_block && ms > TCP_TIMEO_MARGIN_MS) {
            fit_rcvtimeo(c, ms - TCP_TIMEO_MARGIN_MS);
            flags = 0;
        }
        *may_block = 0;
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, flags);
        if (n > 0) {
            c->rlen += (size_t)n;
            return RB_OK;
        }
        if (n == 0)
            return rb_client_fail(&c->base, RB_ECLOSED, "server closed the connection");
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return rb_client_fail(&c->base, RB_ECLOSED, "recv: %s", strerror(errno));
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        ms = rb_ms_left(deadline);
        if (ms == 0 || (poll(&p, 1, ms) == 0 && rb_ms_left(deadline) == 0))
            return rb_client_fail(&c->base, RB_ETIMEDOUT, "no reply within %d ms", c->base.timeout_ms);
    }
}

/* Make room for `need` bytes in rbuf. */
static int rbuf_reserve(tcp_client *c, size_t need)
{
    if (c->rcap >= need)
        return RB_OK;
    char *nb = realloc(c->rbuf, need);
    if (!nb)
        return rb_client_fail(&c->base, RB_ENOMEM, "reply of %zu bytes", need);
    c->rbuf = nb;
    c->rcap = need;
    return RB_OK;
}

/* Read until rbuf holds one whole frame; returns its body length in *flen. */
static int recv_frame(tcp_client *c, uint64_t deadline, uint32_t *flen)
{
    int may_block = 1;   /* one blocking recv per frame, then poll() */
    for (;;) {
        size_t need = TCP_RBUF_MIN;
        if (c->rlen >= 4) {
            uint32_t len = rb_tcp_get_be32((uint8_t *)c->rbuf);
            if (len > TCP_MAX_REPLY)
                return rb_client_fail(&c->base, RB_EPROTO, "reply frame of %u bytes", len);
            if (c->rlen >= 4 + (size_t)len) {
                *flen = len;
                return RB_OK;
            }
            if (need < 4 + (size_t)len)
                need = 4 + (size_t)len;
        }
        int rc = rbuf_reserve(c, need);
        if (rc == RB_OK)
            rc = recv_more(c, deadline, &may_block);
        if (rc)
            return rc;
    }
}

static void consume_frame(tcp_client *c, uint32_t flen)
{
    size_t used = 4 + (size_t)flen;
    memmove(c->rbuf, c->rbuf + used, c->rlen - used);
    c->rlen -= used;
}

/* Check a decoded reply [id, status, value] to call `id`. Returns RB_OK
 * with *value set, 1 for a stale reply (an earlier call's), or an error. */
static int check_reply(tcp_client *c, uint64_t id, const msgpack_object **value)
{
    const msgpack_object *r = &c->reply.data;
    if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3)
        return rb_client_fail(&c->base, RB_EPROTO, "reply is not [id, status, value]");
    const msgpack_object *f = r->via.array.ptr;
    if (f[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER && f[0].via.u64 < id) {
        c->base.stale_replies++;   /* answer to a call that timed out */
        return 1;
    }
    int64_t status;
    if (rb_mp_get_int(&f[1], &status))
        return rb_client_fail(&c->base, RB_EPROTO, "reply status is not an integer");
    if (status != 0) {
        int code = status < -100 || status > 0 ? RB_ESERVER : (int)status;
        if (f[2].type == MSGPACK_OBJECT_STR)
            return rb_client_fail(&c->base, code, "server: %.*s", (int)f[2].via.str.size, f[2].via.str.ptr);
        return rb_client_fail(&c->base, code, "server error %lld", (long long)status);
    }
    if (f[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || f[0].via.u64 != id)
        return rb_client_fail(&c->base, RB_EPROTO, "reply id does not match call %llu", (unsigned long long)id);
    *value = &f[2];
    return RB_OK;
}

/* One call: send [id, method, args], wait for [id, status, value] with our
 * id, discarding stale replies. On RB_OK *value points into c->reply. */
static int tcp_call(tcp_client *c, rb_method m, int64_t n, const rb_obj *obj,
                    const msgpack_object **value)
{
    uint64_t deadline = rb_now_ns() + (uint64_t)c->base.timeout_ms * 1000000ull;
    uint64_t id = c->next_id++;
    msgpack_sbuffer_clear(&c->sbuf);
    if (msgpack_pack_array(&c->pk, 3) || msgpack_pack_uint64(&c->pk, id) ||
        rb_mp_pack_cstr(&c->pk, rb_method_name(m)) || rb_mp_pack_args(&c->pk, m, n, obj))
        return rb_client_fail(&c->base, RB_ENOMEM, "encoding the request");
    if (c->sbuf.size > UINT32_MAX)
        return rb_client_fail(&c->base, RB_ETOOBIG, "request of %zu bytes", c->sbuf.size);
    uint8_t hdr[4];
    rb_tcp_put_be32(hdr, (uint32_t)c->sbuf.size);
    struct iovec iov[2] = { { hdr, 4 }, { c->sbuf.data, c->sbuf.size } };
    c->base.req_body_bytes = c->sbuf.size;
    int rc = send_all(c, iov, 2, deadline);
    if (rc)
        return rc;

    for (;;) {
        uint32_t flen = 0;
        rc = recv_frame(c, deadline, &flen);
        if (rc)
            return rc;
        msgpack_unpacked_destroy(&c->reply);
        msgpack_unpacked_init(&c->reply);
        rc = rb_mp_decode(c->rbuf + 4, flen, &c->reply);
        consume_frame(c, flen);
        if (rc)
            return rb_client_fail(&c->base, RB_EPROTO, "undecodable reply of %u bytes", flen);
        rc = check_reply(c, id, value);
        if (rc == 1)
            continue;
        if (rc == RB_OK)
            c->base.rep_body_bytes = flen;
        return rc;
    }
}

static int tcp_fib(rb_client *base, int64_t n, int64_t *result)
{
    tcp_client *c = (tcp_client *)base;
    const msgpack_object *v;
    int rc = tcp_call(c, RB_M_FIB, n, NULL, &v);
    if (rc)
        return rc;
    if (rb_mp_get_result(v, RB_M_FIB, result, NULL))
        return rb_client_fail(base, RB_EPROTO, "fib reply is not an integer");
    return RB_OK;
}

static int tcp_get_obj(rb_client *base, rb_obj *out)
{
    tcp_client *c = (tcp_client *)base;
    const msgpack_object *v;
    int rc = tcp_call(c, RB_M_GET_OBJ, 0, NULL, &v);
    if (rc)
        return rc;
    rc = rb_mp_get_result(v, RB_M_GET_OBJ, NULL, out);
    if (rc)
        return rb_client_fail(base, rc, "getObj reply is not a map string -> integer");
    return RB_OK;
}

static int tcp_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    tcp_client *c = (tcp_client *)base;
    const msgpack_object *v;
    int rc = tcp_call(c, RB_M_SEND_OBJ, 0, obj, &v);
    if (rc)
        return rc;
    if (rb_mp_get_result(v, RB_M_SEND_OBJ, count, NULL))
        return rb_client_fail(base, RB_EPROTO, "sendObj reply is not an integer");
    return RB_OK;
}

static const char *tcp_version(void)
{
    static char v[64];
    snprintf(v, sizeof v, "msgpack-c %s", msgpack_version());
    return v;
}

const rb_transport rb_transport_tcp = {
    .name = "tcp",
    .description = "plain TCP, 4-byte length + MessagePack: the floor",
    .default_endpoint = "127.0.0.1:7301",
    .broker = RB_BROKER_NONE,
    .order = 10,
    .is_floor = 1,
    .wire = "4-byte length + MessagePack",
    .props = {
        .human_readable = "no (length + MessagePack)",
        .schema = "none",
        .streaming = "no (as built)",
        .stdlib = "sockets yes, MessagePack no",
        .restart = "no: calls fail (connection closed) until the client reconnects",
    },
    .packages = {
        { "msgpack-c", "libmsgpackc2" },
    },
    .version = tcp_version,
    .connect = tcp_connect,
    .fib = tcp_fib,
    .get_obj = tcp_get_obj,
    .send_obj = tcp_send_obj,
    .close = tcp_close,
    .serve = tcp_serve,
};
