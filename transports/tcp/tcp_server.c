/* tcp_server.c - the tcp transport's server (frames and values: tcp.c).
 *
 * One thread per connection with blocking I/O, the lowest-latency design
 * for few connections: a request costs one recv() (header and body come
 * together) and one send(). What one client can take is bounded:
 *  - bytes: a frame over max_request is answered with RB_ETOOBIG and the
 *    connection closed (skipping its body would mean reading it);
 *  - decoded values: at most RB_MAX_ELEMENTS per request, counted before
 *    msgpack-c allocates (RB_ETOOBIG, connection kept);
 *  - requests decoded at once: TCP_DECODERS_PER_CORE per core, a counting
 *    semaphore, so N connections cannot decode N requests together;
 *  - memory after a request over TCP_TRIM_BYTES is given back (buffers
 *    shrunk, malloc_trim);
 *  - connections: at most TCP_MAX_CONNS threads. A new connection beyond
 *    that sheds the one that completed a request least recently (idle or
 *    slow connections go first, a connection in a request never), so
 *    idle connections cannot lock a new client out; a frame must arrive
 *    whole within TCP_FRAME_TIMEOUT_MS of its first byte (slowloris) and a
 *    connection idle for TCP_IDLE_TIMEOUT_MS is closed.
 * A malformed body gets RB_EPROTO and the connection stays usable because
 * the framing is intact. Every thread wakes at least every TCP_POLL_MS to
 * honour rb_serve_stop.
 */
#include "tcp_internal.h"
#include "rb_msgpack.h"

#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define TCP_MAX_CONNS 256             /* connection threads at once */
#define TCP_FRAME_TIMEOUT_MS 10000    /* a frame whole within this of its first byte */
#define TCP_IDLE_TIMEOUT_MS 300000    /* an idle connection is closed after, ms */
#define TCP_POLL_MS 100               /* rb_serve_stop is checked this often, ms */
#define TCP_DECODERS_PER_CORE 2       /* requests decoded at once, per core */
#define TCP_RBUF_INIT 16384           /* a connection's receive buffer, bytes */
#define TCP_TRIM_BYTES (1u << 20)     /* requests this large give memory back */
#define TCP_STACK_BYTES (256u << 10)  /* connection thread stack */

typedef struct tcp_slot {
    int fd;                    /* -1: free */
    uint64_t since_ns;         /* accepted or last request answered */
    int busy;                  /* a request is being served */
    int shed;                  /* shut down to make room */
} tcp_slot;

typedef struct tcp_server {
    const rb_server_opts *opts;
    size_t max_request;        /* bytes */
    rb_obj get_obj;            /* getObj's reply, built once */
    sem_t decoders;            /* requests decoded at once */
    pthread_mutex_t lock;      /* guards slots and active */
    pthread_cond_t freed;      /* a slot was freed */
    int active;                /* connection threads running */
    tcp_slot slots[TCP_MAX_CONNS];
} tcp_server;

/* One connection's state, owned by its thread. */
typedef struct tcp_conn {
    tcp_server *srv;
    int slot, fd;
    char *buf;                 /* received bytes not yet consumed */
    size_t len, cap;
    uint64_t frame_start_ns;   /* first byte of the frame being read */
    msgpack_sbuffer sb;        /* reply frame: 4 bytes reserved, then body */
    msgpack_packer pk;
    msgpack_unpacked req;
    rb_obj scratch;            /* sendObj decoding */
    char errmsg[200];
} tcp_conn;

/* ---- connection slots ----------------------------------------------------- */

/* A slot for fd: a free one, or, when all are taken, shed the connection
 * that completed a request least recently (shutdown wakes its thread) and
 * wait for its slot. Returns the slot, or -1 when the server stops. */
static int slot_take(tcp_server *srv, int fd)
{
    pthread_mutex_lock(&srv->lock);
    for (;;) {
        int victim = -1;
        for (int i = 0; i < TCP_MAX_CONNS; i++) {
            tcp_slot *s = &srv->slots[i];
            if (s->fd < 0) {
                *s = (tcp_slot){ .fd = fd, .since_ns = rb_now_ns() };
                srv->active++;
                pthread_mutex_unlock(&srv->lock);
                return i;
            }
            if (!s->busy && !s->shed && (victim < 0 || s->since_ns < srv->slots[victim].since_ns))
                victim = i;
        }
        if (victim >= 0) {
            srv->slots[victim].shed = 1;
            shutdown(srv->slots[victim].fd, SHUT_RDWR);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += TCP_POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->freed, &srv->lock, &ts);
        if (rb_serve_stop) {
            pthread_mutex_unlock(&srv->lock);
            return -1;
        }
    }
}

/* Mark a slot busy (a request came whole) or done (answered). */
static void slot_mark(tcp_server *srv, int slot, int busy)
{
    pthread_mutex_lock(&srv->lock);
    srv->slots[slot].busy = busy;
    if (!busy)
        srv->slots[slot].since_ns = rb_now_ns();
    pthread_mutex_unlock(&srv->lock);
}

/* When the slot's connection last completed a request (or was accepted). */
static uint64_t slot_since(tcp_server *srv, int slot)
{
    pthread_mutex_lock(&srv->lock);
    uint64_t t = srv->slots[slot].since_ns;
    pthread_mutex_unlock(&srv->lock);
    return t;
}

/* Free a slot (before its fd is closed, so a shutdown never hits a reused
 * descriptor). */
static void slot_release(tcp_server *srv, int slot)
{
    pthread_mutex_lock(&srv->lock);
    srv->slots[slot].fd = -1;
    srv->active--;
    pthread_cond_broadcast(&srv->freed);
    pthread_mutex_unlock(&srv->lock);
}

/* ---- one connection --------------------------------------------------------- */

/* Read until buf holds one whole frame. Returns its body length (>= 0),
 * -1 to close the connection (EOF, error, stop, a timeout), or -2 when the
 * header announces more than max_request (*flen holds it). */
static long read_frame(tcp_conn *cn, uint32_t *flen)
{
    for (;;) {
        size_t need = TCP_RBUF_INIT;
        if (cn->len >= 4) {
            *flen = rb_tcp_get_be32((uint8_t *)cn->buf);
            if (*flen > cn->srv->max_request)
                return -2;
            if (cn->len >= 4 + (size_t)*flen)
                return (long)*flen;
            need = 4 + (size_t)*flen;
        }
        if (cn->cap < need) {
            char *nb = realloc(cn->buf, need);
            if (!nb)
                return -1;
            cn->buf = nb;
            cn->cap = need;
        }
        ssize_t r = recv(cn->fd, cn->buf + cn->len, cn->cap - cn->len, 0);
        if (r > 0) {
            if (cn->len == 0)
                cn->frame_start_ns = rb_now_ns();
            cn->len += (size_t)r;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) || rb_serve_stop)
            return -1;
        uint64_t now = rb_now_ns();
        if (cn->len > 0 && now - cn->frame_start_ns > TCP_FRAME_TIMEOUT_MS * 1000000ull)
            return -1;   /* slowloris: a frame dribbled too slowly */
        if (cn->len == 0 && now - slot_since(cn->srv, cn->slot) > TCP_IDLE_TIMEOUT_MS * 1000000ull)
            return -1;   /* idle too long */
    }
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

/* Start a reply frame in cn->sb: 4 bytes for the length, then [id, ... */
static void reply_begin(tcp_conn *cn)
{
    msgpack_sbuffer_clear(&cn->sb);
    msgpack_sbuffer_write(&cn->sb, "\0\0\0\0", 4);
}

static void pack_error(tcp_conn *cn, const msgpack_object *id, int code, const char *msg)
{
    reply_begin(cn);
    msgpack_pack_array(&cn->pk, 3);
    if (id)
        msgpack_pack_object(&cn->pk, *id);
    else
        msgpack_pack_nil(&cn->pk);
    msgpack_pack_int(&cn->pk, code);
    rb_mp_pack_cstr(&cn->pk, msg);
}

static int send_reply(tcp_conn *cn)
{
    rb_tcp_put_be32((uint8_t *)cn->sb.data, (uint32_t)(cn->sb.size - 4));
    return write_full(cn->fd, cn->sb.data, cn->sb.size);
}

/* The reply to a request over the decoded-value budget, naming its id
 * when the request begins [id, ... with a small id. */
static void refuse_too_many(tcp_conn *cn, const char *body, uint32_t len)
{
    msgpack_unpacked id;
    msgpack_unpacked_init(&id);
    int named = len > 1 && (uint8_t)body[0] == 0x93 &&
                rb_mp_decode_first(body + 1, len - 1, 16, &id) == RB_OK;
    snprintf(cn->errmsg, sizeof cn->errmsg,
             "request holds more than %u MessagePack values", RB_MAX_ELEMENTS);
    pack_error(cn, named ? &id.data : NULL, RB_ETOOBIG, cn->errmsg);
    msgpack_unpacked_destroy(&id);
}

/* Decode body[0..len) and pack the reply frame into cn->sb. Runs while
 * holding one of the server's decoder places. */
static void execute(tcp_conn *cn, const char *body, uint32_t len)
{
    msgpack_unpacked_init(&cn->req);
    int rc = rb_mp_decode_max(body, len, RB_MAX_ELEMENTS, &cn->req);
    const msgpack_object *r = &cn->req.data;
    if (rc == RB_ETOOBIG) {
        refuse_too_many(cn, body, len);
    } else if (rc || r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3) {
        pack_error(cn, NULL, rc == RB_ENOMEM ? RB_ENOMEM : RB_EPROTO,
                   rc == RB_ENOMEM ? "out of memory decoding the request"
                   : rc ? "malformed request: not one well-formed MessagePack value"
                        : "malformed request: want [id, method, args]");
    } else {
        const msgpack_object *f = r->via.array.ptr;
        rb_service_work();   /* a well-formed call: the handler's time */
        reply_begin(cn);
        msgpack_pack_array(&cn->pk, 3);
        msgpack_pack_object(&cn->pk, f[0]);
        msgpack_pack_int(&cn->pk, 0);
        rc = rb_mp_dispatch(&f[1], &f[2], &cn->srv->get_obj, &cn->scratch, &cn->pk,
                            cn->errmsg, sizeof cn->errmsg);
        if (rc)
            pack_error(cn, &f[0], rc, cn->errmsg);
    }
    msgpack_unpacked_destroy(&cn->req);   /* the decoded tree, freed now */
}

/* After a large request: shrink the buffers and give freed memory back to
 * the system, so one big request does not stay in the server's RSS. */
static void give_back(tcp_conn *cn)
{
    if (cn->len == 0 && cn->cap > TCP_RBUF_INIT) {
        free(cn->buf);
        cn->buf = NULL;
        cn->cap = 0;
    }
    if (cn->sb.alloc > TCP_TRIM_BYTES) {
        msgpack_sbuffer_destroy(&cn->sb);
        msgpack_sbuffer_init(&cn->sb);
    }
    rb_obj_free(&cn->scratch);
    malloc_trim(0);
}

/* Serve requests on one connection until it closes. */
static void serve_conn(tcp_conn *cn)
{
    tcp_server *srv = cn->srv;
    uint32_t flen = 0;
    /* rb_serve_stop is checked between requests too: a client that keeps
     * the connection busy never lets recv time out (a restart fault waited
     * 10 s for SIGTERM and then killed the server). */
    while (!rb_serve_stop) {
        long got = read_frame(cn, &flen);
        if (got == -2) {
            snprintf(cn->errmsg, sizeof cn->errmsg,
                     "request of %u bytes is over the limit of %zu bytes", flen, srv->max_request);
            pack_error(cn, NULL, RB_ETOOBIG, cn->errmsg);
            send_reply(cn);
            return;   /* cannot resync without reading the body: close */
        }
        if (got < 0)
            return;
        slot_mark(srv, cn->slot, 1);
        while (sem_wait(&srv->decoders) != 0)
            ;
        execute(cn, cn->buf + 4, flen);
        sem_post(&srv->decoders);
        size_t used = 4 + (size_t)flen;
        memmove(cn->buf, cn->buf + used, cn->len - used);
        cn->len -= used;
        if (used > TCP_TRIM_BYTES)
            give_back(cn);
        int sent = send_reply(cn);
        slot_mark(srv, cn->slot, 0);
        if (!sent)
            return;
    }
}

static void *conn_main(void *arg)
{
    tcp_conn *cn = arg;
    msgpack_sbuffer_init(&cn->sb);
    msgpack_packer_init(&cn->pk, &cn->sb, msgpack_sbuffer_write);
    rb_obj_init(&cn->scratch);
    serve_conn(cn);
    slot_release(cn->srv, cn->slot);
    close(cn->fd);
    free(cn->buf);
    rb_obj_free(&cn->scratch);
    msgpack_sbuffer_destroy(&cn->sb);
    free(cn);
    return NULL;
}

/* ---- listening -------------------------------------------------------------- */

/* A listening socket on ep, or -1 with the reason on stderr and *rc set:
 * RB_EINVAL (not HOST:PORT) or RB_ELISTEN (cannot listen). */
static int listen_on(const char *ep, int *rc)
{
    char host[256], portstr[8];
    int port;
    *rc = RB_EINVAL;
    if (rb_parse_hostport(ep, host, sizeof host, &port)) {
        fprintf(stderr, "tcp: bad listen address '%s': want HOST:PORT\n", ep);
        return -1;
    }
    *rc = RB_ELISTEN;
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        fprintf(stderr, "tcp: cannot listen on %s: %s\n", ep, gai_strerror(gai));
        return -1;
    }
    int one = 1, lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd >= 0)
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 1024)) {
        fprintf(stderr, "tcp: cannot listen on %s: %s\n", ep, strerror(errno));
        if (lfd >= 0)
            close(lfd);
        lfd = -1;
    }
    freeaddrinfo(ai);
    return lfd;
}

/* Start a connection thread for an accepted fd (which it then owns). */
static void start_conn(tcp_server *srv, int fd, const pthread_attr_t *attr)
{
    struct timeval tv = { .tv_sec = 0, .tv_usec = TCP_POLL_MS * 1000 };
    rb_tcp_nodelay(fd);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    tcp_conn *cn = calloc(1, sizeof *cn);
    int slot = cn ? slot_take(srv, fd) : -1;
    pthread_t th;
    if (slot < 0) {
        free(cn);
        close(fd);
        return;
    }
    cn->srv = srv;
    cn->fd = fd;
    cn->slot = slot;
    if (pthread_create(&th, attr, conn_main, cn) != 0) {
        slot_release(srv, slot);
        free(cn);
        close(fd);
    }
}

static void accept_loop(tcp_server *srv, int lfd)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, TCP_STACK_BYTES);
    while (!rb_serve_stop) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        if (poll(&p, 1, TCP_POLL_MS) <= 0)
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            start_conn(srv, fd, &attr);
        else if (errno == EMFILE || errno == ENFILE)
            usleep(10000);   /* out of descriptors: let connections close */
    }
    pthread_attr_destroy(&attr);
    /* Connection threads notice rb_serve_stop within TCP_POLL_MS. */
    pthread_mutex_lock(&srv->lock);
    while (srv->active > 0)
        pthread_cond_wait(&srv->freed, &srv->lock);
    pthread_mutex_unlock(&srv->lock);
}

int tcp_serve(const rb_server_opts *o)
{
    const char *ep = rb_endpoint_or_default(&rb_transport_tcp, o->listen);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    tcp_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return RB_ENOMEM;
    srv->opts = o;
    srv->max_request = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;
    rb_obj_init(&srv->get_obj);
    for (int i = 0; i < TCP_MAX_CONNS; i++)
        srv->slots[i].fd = -1;
    int rc = RB_OK, lfd = -1;
    if (rb_service_get_obj(o->entries, &srv->get_obj)) {
        fprintf(stderr, "tcp: out of memory building getObj's %zu entries\n", o->entries);
        rc = RB_ENOMEM;
        goto done;
    }
    lfd = listen_on(ep, &rc);
    if (lfd < 0)
        goto done;
    rc = RB_OK;
    sem_init(&srv->decoders, 0, (unsigned)(TCP_DECODERS_PER_CORE * (cores > 0 ? cores : 1)));
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->freed, NULL);
    rb_serve_ready_fd(lfd);
    accept_loop(srv, lfd);
    close(lfd);
    sem_destroy(&srv->decoders);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->freed);
done:
    rb_obj_free(&srv->get_obj);
    free(srv);
    return rc;
}
