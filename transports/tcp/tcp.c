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
 * Server: one thread per connection with blocking I/O (the lowest-latency
 * design for few connections; the accept loop and every connection wake at
 * least every 100 ms to honour rb_serve_stop). A request over max_request
 * is answered with RB_ETOOBIG and the connection is closed, since skipping
 * its body would mean reading it; a malformed body gets RB_EPROTO and the
 * connection stays usable because the framing is intact.
 */
#include "transport.h"
#include "rb_msgpack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define TCP_MAX_REPLY (1u << 30)   /* client side: largest reply accepted, bytes */

/* ---- shared ------------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- client ------------------------------------------------------------ */

typedef struct tcp_client {
    rb_client base;          /* must be first */
    int fd;                  /* non-blocking socket */
    uint64_t next_id;        /* id of the next call */
    msgpack_sbuffer sbuf;    /* request encoding, reused */
    msgpack_packer pk;
    char *rbuf;              /* received bytes not yet consumed */
    size_t rlen, rcap;
    msgpack_unpacked reply;  /* last decoded reply, reused */
} tcp_client;

static int tcp_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    char host[256];
    int port;
    const char *ep = o->endpoint ? o->endpoint : "127.0.0.1:7301";
    if (rb_parse_hostport(ep, host, sizeof host, &port)) {
        snprintf(errbuf, errlen, "bad endpoint '%s': want HOST:PORT", ep);
        return RB_EINVAL;
    }
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        snprintf(errbuf, errlen, "%s: %s", host, gai_strerror(gai));
        return RB_ECONNECT;
    }
    uint64_t deadline = rb_now_ns() + (uint64_t)o->timeout_ms * 1000000ull;
    int fd = -1, rc = RB_ECONNECT;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        if (errno == EINPROGRESS) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int err = 0;
            socklen_t el = sizeof err;
            int pr = poll(&p, 1, rb_ms_left(deadline));
            if (pr == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
                break;
            if (pr == 0) {
                rc = RB_ETIMEDOUT;
                snprintf(errbuf, errlen, "connect to %s: no answer within %d ms", ep, o->timeout_ms);
            } else {
                snprintf(errbuf, errlen, "connect to %s: %s", ep, strerror(err ? err : errno));
            }
        } else {
            snprintf(errbuf, errlen, "connect to %s: %s", ep, strerror(errno));
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return rc;
    set_nodelay(fd);

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

/* Write all of iov before the deadline. */
static int send_all(tcp_client *c, struct iovec *iov, int iovcnt, uint64_t deadline)
{
    while (iovcnt > 0) {
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
        ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return rb_client_fail(&c->base, RB_ECLOSED, "send: %s", strerror(errno));
            struct pollfd p = { .fd = c->fd, .events = POLLOUT };
            int ms = rb_ms_left(deadline);
            if (ms == 0 || poll(&p, 1, ms) == 0)
                return rb_client_fail(&c->base, RB_ETIMEDOUT, "request not sent within %d ms", c->base.timeout_ms);
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
    return RB_OK;
}

/* Read until rbuf holds one whole frame; returns its body length in *flen. */
static int recv_frame(tcp_client *c, uint64_t deadline, uint32_t *flen)
{
    for (;;) {
        if (c->rlen >= 4) {
            uint32_t len = get_be32((uint8_t *)c->rbuf);
            if (len > TCP_MAX_REPLY)
                return rb_client_fail(&c->base, RB_EPROTO, "reply frame of %u bytes", len);
            if (c->rlen >= 4 + (size_t)len) {
                *flen = len;
                return RB_OK;
            }
            if (c->rcap < 4 + (size_t)len) {
                char *nb = realloc(c->rbuf, 4 + (size_t)len);
                if (!nb)
                    return rb_client_fail(&c->base, RB_ENOMEM, "reply of %u bytes", len);
                c->rbuf = nb;
                c->rcap = 4 + (size_t)len;
            }
        } else if (c->rcap < 65536) {
            char *nb = realloc(c->rbuf, 65536);
            if (!nb)
                return RB_ENOMEM;
            c->rbuf = nb;
            c->rcap = 65536;
        }
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
        if (n > 0) {
            c->rlen += (size_t)n;
            continue;
        }
        if (n == 0)
            return rb_client_fail(&c->base, RB_ECLOSED, "server closed the connection");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return rb_client_fail(&c->base, RB_ECLOSED, "recv: %s", strerror(errno));
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        int ms = rb_ms_left(deadline);
        if (ms == 0 || poll(&p, 1, ms) == 0)
            return rb_client_fail(&c->base, RB_ETIMEDOUT, "no reply within %d ms", c->base.timeout_ms);
    }
}

static void consume_frame(tcp_client *c, uint32_t flen)
{
    size_t used = 4 + (size_t)flen;
    memmove(c->rbuf, c->rbuf + used, c->rlen - used);
    c->rlen -= used;
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
    put_be32(hdr, (uint32_t)c->sbuf.size);
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
        const msgpack_object *r = &c->reply.data;
        if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3)
            return rb_client_fail(&c->base, RB_EPROTO, "reply is not [id, status, value]");
        const msgpack_object *f = r->via.array.ptr;
        if (f[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER && f[0].via.u64 < id) {
            c->base.stale_replies++;   /* answer to a call that timed out */
            continue;
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
        c->base.rep_body_bytes = flen;
        *value = &f[2];
        return RB_OK;
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

/* ---- server ------------------------------------------------------------ */

typedef struct tcp_server {
    const rb_server_opts *opts;
    rb_obj get_obj;            /* getObj's reply, built once */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int active;                /* connection threads running */
} tcp_server;

typedef struct tcp_conn {
    tcp_server *srv;
    int fd;
} tcp_conn;

/* Read exactly n bytes (blocking socket with a 100 ms receive timeout).
 * Returns 1 on success, 0 on EOF, error, or stop. */
static int read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, (char *)buf + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
        } else if (r == 0) {
            return 0;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (rb_serve_stop)
                return 0;
        } else {
            return 0;
        }
    }
    return 1;
}

static int write_full(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && (errno == EAGAIN || errno == EINTR) && !rb_serve_stop)
            continue;
        else
            return 0;
    }
    return 1;
}

/* Send sbuf (whose first 4 bytes are reserved for the length) as a frame. */
static int send_reply(int fd, msgpack_sbuffer *sb)
{
    put_be32((uint8_t *)sb->data, (uint32_t)(sb->size - 4));
    return write_full(fd, sb->data, sb->size);
}

static void pack_error(msgpack_packer *pk, msgpack_sbuffer *sb, const msgpack_object *id,
                       int code, const char *msg)
{
    msgpack_sbuffer_clear(sb);
    msgpack_sbuffer_write(sb, "\0\0\0\0", 4);
    msgpack_pack_array(pk, 3);
    if (id)
        msgpack_pack_object(pk, *id);
    else
        msgpack_pack_nil(pk);
    msgpack_pack_int(pk, code);
    rb_mp_pack_cstr(pk, msg);
}

static void *conn_main(void *arg)
{
    tcp_conn *cn = arg;
    tcp_server *srv = cn->srv;
    int fd = cn->fd;
    free(cn);

    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_unpacked req;
    msgpack_unpacked_init(&req);
    rb_obj scratch = RB_OBJ_INIT;
    char *body = NULL;
    size_t body_cap = 0;
    char errmsg[200];

    for (;;) {
        uint8_t hdr[4];
        if (!read_full(fd, hdr, 4))
            break;
        uint32_t len = get_be32(hdr);
        if (len > srv->opts->max_request) {
            snprintf(errmsg, sizeof errmsg, "request of %u bytes is over the limit of %zu bytes",
                     len, srv->opts->max_request);
            pack_error(&pk, &sb, NULL, RB_ETOOBIG, errmsg);
            send_reply(fd, &sb);
            break;   /* cannot resync without reading the body: close */
        }
        if (len > body_cap) {
            char *nb = realloc(body, len);
            if (!nb)
                break;
            body = nb;
            body_cap = len;
        }
        if (len && !read_full(fd, body, len))
            break;

        msgpack_unpacked_destroy(&req);
        msgpack_unpacked_init(&req);
        int rc = rb_mp_decode(body, len, &req);
        const msgpack_object *r = &req.data;
        if (rc || r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3) {
            pack_error(&pk, &sb, NULL, RB_EPROTO,
                       rc ? "malformed request: not one well-formed MessagePack value"
                          : "malformed request: want [id, method, args]");
        } else {
            const msgpack_object *f = r->via.array.ptr;
            msgpack_sbuffer_clear(&sb);
            msgpack_sbuffer_write(&sb, "\0\0\0\0", 4);
            msgpack_pack_array(&pk, 3);
            msgpack_pack_object(&pk, f[0]);
            msgpack_pack_int(&pk, 0);
            rc = rb_mp_dispatch(&f[1], &f[2], &srv->get_obj, &scratch, &pk, errmsg, sizeof errmsg);
            if (rc)
                pack_error(&pk, &sb, &f[0], rc, errmsg);
        }
        if (!send_reply(fd, &sb))
            break;
    }

    close(fd);
    free(body);
    rb_obj_free(&scratch);
    msgpack_unpacked_destroy(&req);
    msgpack_sbuffer_destroy(&sb);
    pthread_mutex_lock(&srv->lock);
    if (--srv->active == 0)
        pthread_cond_signal(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

static int tcp_serve(const rb_server_opts *o)
{
    char host[256];
    int port, rc = RB_OK, lfd = -1;
    const char *ep = o->listen ? o->listen : "127.0.0.1:7301";
    if (rb_parse_hostport(ep, host, sizeof host, &port)) {
        fprintf(stderr, "tcp: bad listen address '%s': want HOST:PORT\n", ep);
        return RB_EINVAL;
    }

    tcp_server srv = { .opts = o, .get_obj = RB_OBJ_INIT, .active = 0 };
    pthread_mutex_init(&srv.lock, NULL);
    pthread_cond_init(&srv.idle, NULL);
    if (rb_service_get_obj(o->entries, &srv.get_obj)) {
        rc = RB_ENOMEM;
        goto done;
    }

    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        fprintf(stderr, "tcp: %s: %s\n", host, gai_strerror(gai));
        rc = RB_EINVAL;
        goto done;
    }
    lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (lfd >= 0)
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 512)) {
        fprintf(stderr, "tcp: cannot listen on %s: %s\n", ep, strerror(errno));
        freeaddrinfo(ai);
        rc = RB_ECONNECT;
        goto done;
    }
    freeaddrinfo(ai);

    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(lfd, (struct sockaddr *)&ss, &sl);
    char abuf[INET6_ADDRSTRLEN] = "?";
    int bound = 0;
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, abuf, sizeof abuf);
        bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        printf("ready %s:%d\n", abuf, bound);
    } else {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, abuf, sizeof abuf);
        bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        printf("ready [%s]:%d\n", abuf, bound);
    }
    fflush(stdout);

    struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
    while (!rb_serve_stop) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        set_nodelay(fd);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        tcp_conn *cn = malloc(sizeof *cn);
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (cn) {
            cn->srv = &srv;
            cn->fd = fd;
            pthread_mutex_lock(&srv.lock);
            srv.active++;
            pthread_mutex_unlock(&srv.lock);
            if (pthread_create(&th, &attr, conn_main, cn) != 0) {
                pthread_mutex_lock(&srv.lock);
                srv.active--;
                pthread_mutex_unlock(&srv.lock);
                free(cn);
                close(fd);
            }
        } else {
            close(fd);
        }
        pthread_attr_destroy(&attr);
    }

    /* Connection threads notice rb_serve_stop within their 100 ms timeout. */
    pthread_mutex_lock(&srv.lock);
    while (srv.active > 0)
        pthread_cond_wait(&srv.idle, &srv.lock);
    pthread_mutex_unlock(&srv.lock);

done:
    if (lfd >= 0)
        close(lfd);
    rb_obj_free(&srv.get_obj);
    pthread_mutex_destroy(&srv.lock);
    pthread_cond_destroy(&srv.idle);
    return rc;
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
    .uses_broker = 0,
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
