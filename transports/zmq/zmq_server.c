/* zmq_server.c - transport `zmq`'s server: a ROUTER serving zerorpc v3
 * events (see zmq_transport.c for the protocol and rb_zmq.h for the
 * behaviour). What one client can take is bounded: the bytes of a request
 * (ZMQ_MAXMSGSIZE, the peer is disconnected), the values it decodes to
 * (RB_MAX_ELEMENTS, an ERR "RequestTooLarge" on its channel, counted
 * before msgpack-c allocates), requests decoded at once (one per serving
 * thread), memory after a large request (given back), and the time a
 * connection may take to finish ZMTP's handshake (ZS_HANDSHAKE_MS: idle
 * and slow raw connections are shed; libzmq's I/O thread holds the rest
 * without a thread each).
 */
#include "rb_zmq.h"
#include "rb_msgpack.h"
#include "zerorpc.h"
#include "zmq_common.h"
#include "zmq_server.h"

#include <czmq.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZS_MAX_FRAMES 8        /* envelope frames + event we accept per request */
#define ZS_POLL_MS 100         /* server: how often rb_serve_stop is checked, ms */
#define ZS_SERVER_NAME "rpcbench"
#define ZS_HEADER_VALUES 64    /* values read from a refused event's header */
#define ZS_TRIM_BYTES (1u << 20) /* requests this large give memory back */
/* A connection that has not finished ZMTP's greeting and handshake within
 * this is closed (libzmq's default is 30 s): slow or idle raw connections
 * are shed, a zerorpc peer on loopback needs well under a millisecond. */
#define ZS_HANDSHAKE_MS 5000
#define ZS_STR_(x) #x
#define ZS_STR(x) ZS_STR_(x)
#define RB_MAX_ELEMENTS_N 1048576   /* RB_MAX_ELEMENTS, spelled for messages */
_Static_assert(RB_MAX_ELEMENTS == RB_MAX_ELEMENTS_N, "RB_MAX_ELEMENTS_N must spell RB_MAX_ELEMENTS");

/* ---- server ------------------------------------------------------------- */

/* One thread's serving state: the single-threaded server has one, the
 * threaded one one per worker. */
typedef struct zs_worker {
    void *raw;                      /* socket: ROUTER, or a worker's DEALER */
    zsock_t *sock;                  /* czmq owner of raw (workers), or NULL */
    const rb_obj *get_obj;          /* getObj's reply, shared, read-only */
    rb_obj scratch;                 /* sendObj decoding */
    msgpack_sbuffer sbuf;           /* encoded reply, reused */
    msgpack_packer pk;
    rb_zr_idgen ids;
    zmq_msg_t frames[ZS_MAX_FRAMES];
    pthread_t thread;
    const char *inproc;             /* workers: backend endpoint */
    atomic_int *stop;               /* workers: set by the main thread */
    int started;                    /* thread was created */
} zs_worker;

static void zs_worker_init(zs_worker *w, const rb_obj *get_obj)
{
    memset(w, 0, sizeof *w);
    w->get_obj = get_obj;
    rb_obj_init(&w->scratch);
    msgpack_sbuffer_init(&w->sbuf);
    msgpack_packer_init(&w->pk, &w->sbuf, msgpack_sbuffer_write);
    rb_zr_idgen_init(&w->ids);
    for (int i = 0; i < ZS_MAX_FRAMES; i++)
        zmq_msg_init(&w->frames[i]);
}

static void zs_worker_free(zs_worker *w)
{
    for (int i = 0; i < ZS_MAX_FRAMES; i++)
        zmq_msg_close(&w->frames[i]);
    msgpack_sbuffer_destroy(&w->sbuf);
    rb_obj_free(&w->scratch);
    zsock_destroy(&w->sock);
}

static const char *err_name_of(int rc)
{
    switch (rc) {
    case RB_ENOMETHOD: return RB_ZR_E_NOMETHOD;
    case RB_EINVAL: return RB_ZR_E_INVALID;
    case RB_ETOOBIG: return RB_ZR_E_TOOBIG;
    case RB_ENOMEM: return RB_ZR_E_NOMEM;
    default: return RB_ZR_E_PROTO;
    }
}

/* zerorpc's built-in introspection calls, so stock tools (the `zerorpc`
 * command line lists a server's methods with _zerorpc_inspect) work:
 *   _zerorpc_ping -> ["pong", name]     _zerorpc_name -> name
 *   _zerorpc_list -> [method names]     _zerorpc_inspect -> {name, methods}
 * Packs the whole OK event and returns RB_OK; RB_ENOMETHOD for another
 * name (nothing packed); RB_ENOMEM. */
static int zs_builtin(zs_worker *w, const rb_zr_event *ev, const char *id,
                      const msgpack_object *resp_to)
{
    static const struct { const char *name, *arg, *doc; } methods[] = {
        { RB_METHOD_FIB, "n", "fib(n): F(n) as a 64-bit integer, 0 <= n <= 92" },
        { RB_METHOD_GET_OBJ, NULL, "getObj(): a map \"server:i\" -> i of the server's entry count" },
        { RB_METHOD_SEND_OBJ, "obj", "sendObj(obj): a map string -> integer; returns its entry count" },
    };
    enum { N = sizeof methods / sizeof methods[0] };
    msgpack_packer *pk = &w->pk;
    int fail;
    if (rb_zr_name_is(ev, "_zerorpc_ping")) {
        fail = rb_zr_pack_head(pk, id, RB_ZR_ID_LEN, resp_to, RB_ZR_OK) ||
               msgpack_pack_array(pk, 1) || msgpack_pack_array(pk, 2) ||
               rb_mp_pack_cstr(pk, "pong") || rb_mp_pack_cstr(pk, ZS_SERVER_NAME);
    } else if (rb_zr_name_is(ev, "_zerorpc_name")) {
        fail = rb_zr_pack_head(pk, id, RB_ZR_ID_LEN, resp_to, RB_ZR_OK) ||
               msgpack_pack_array(pk, 1) || rb_mp_pack_cstr(pk, ZS_SERVER_NAME);
    } else if (rb_zr_name_is(ev, "_zerorpc_list")) {
        fail = rb_zr_pack_head(pk, id, RB_ZR_ID_LEN, resp_to, RB_ZR_OK) ||
               msgpack_pack_array(pk, 1) || msgpack_pack_array(pk, N);
        for (int i = 0; i < N && !fail; i++)
            fail = rb_mp_pack_cstr(pk, methods[i].name);
    } else if (rb_zr_name_is(ev, "_zerorpc_inspect")) {
        fail = rb_zr_pack_head(pk, id, RB_ZR_ID_LEN, resp_to, RB_ZR_OK) ||
               msgpack_pack_array(pk, 1) || msgpack_pack_map(pk, 2) ||
               rb_mp_pack_cstr(pk, "name") || rb_mp_pack_cstr(pk, ZS_SERVER_NAME) ||
               rb_mp_pack_cstr(pk, "methods") || msgpack_pack_map(pk, N);
        for (int i = 0; i < N && !fail; i++)
            fail = rb_mp_pack_cstr(pk, methods[i].name) || msgpack_pack_map(pk, 2) ||
                   rb_mp_pack_cstr(pk, "args") || msgpack_pack_array(pk, methods[i].arg ? 1 : 0) ||
                   (methods[i].arg && (msgpack_pack_map(pk, 1) || rb_mp_pack_cstr(pk, "name") ||
                                       rb_mp_pack_cstr(pk, methods[i].arg))) ||
                   rb_mp_pack_cstr(pk, "doc") || rb_mp_pack_cstr(pk, methods[i].doc);
    } else {
        return RB_ENOMETHOD;
    }
    return fail ? RB_ENOMEM : RB_OK;
}

/* The message_id of an event refused whole (over the value budget), read
 * from its header, the event's first element, into hdr; NULL when the
 * event does not begin [{..., "message_id": id, ...}, ... */
static const msgpack_object *zs_refused_id(const char *buf, size_t len, msgpack_unpacked *hdr)
{
    if (len < 2 || (uint8_t)buf[0] != 0x93 ||
        rb_mp_decode_first(buf + 1, len - 1, ZS_HEADER_VALUES, hdr) != RB_OK ||
        hdr->data.type != MSGPACK_OBJECT_MAP)
        return NULL;
    const msgpack_object_map *m = &hdr->data.via.map;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 10 &&
            memcmp(k->via.str.ptr, "message_id", 10) == 0)
            return &m->ptr[i].val;
    }
    return NULL;
}

/* Decode the event buf[0..len) into unp within RB_MAX_ELEMENTS values.
 * RB_OK; otherwise the ERR name and message to answer with, and the
 * channel to answer on (or NULL) read into hdr. */
static int zs_decode(const char *buf, size_t len, msgpack_unpacked *unp, msgpack_unpacked *hdr,
                     const char **err_name, const char **why, const msgpack_object **resp_to)
{
    int rc = rb_mp_decode_max(buf, len, RB_MAX_ELEMENTS, unp);
    switch (rc) {
    case RB_OK:
        return RB_OK;
    case RB_ETOOBIG:
        *err_name = RB_ZR_E_TOOBIG;
        *why = "event holds more than " ZS_STR(RB_MAX_ELEMENTS_N) " MessagePack values";
        *resp_to = zs_refused_id(buf, len, hdr);
        return rc;
    case RB_ENOMEM:
        *err_name = RB_ZR_E_NOMEM;
        *why = "out of memory decoding the event";
        return rc;
    default:
        *err_name = RB_ZR_E_PROTO;
        *why = "malformed MessagePack (not exactly one well-formed value)";
        return rc;
    }
}

/* Handle the event buf[0..len): leave the reply event in w->sbuf and return
 * 1, or return 0 when the event needs no reply (heartbeat, flow control,
 * an event of a channel that is already closed). Never fails: every bad
 * input gets an ERR event. */
static int zs_process(zs_worker *w, const char *buf, size_t len)
{
    char id[RB_ZR_ID_LEN], errbuf[256];
    const char *why = NULL, *err_name = RB_ZR_E_PROTO;
    const msgpack_object *resp_to = NULL;
    msgpack_unpacked unp, hdr;
    rb_zr_event ev;
    int reply = 1, rc;

    msgpack_unpacked_init(&unp);
    msgpack_unpacked_init(&hdr);
    rb_zr_next_id(&w->ids, id);
    w->sbuf.size = 0;
    if (zs_decode(buf, len, &unp, &hdr, &err_name, &why, &resp_to) != RB_OK)
        goto error;
    if (rb_zr_parse(&unp.data, &ev, &why) != 0) {
        resp_to = ev.message_id;
        goto error;
    }
    resp_to = ev.message_id;
    if (ev.version != RB_ZR_VERSION) {
        why = "unsupported protocol version: header \"v\" must be 3";
        goto error;
    }
    if (rb_zr_name_is(&ev, RB_ZR_HEARTBEAT) || rb_zr_name_is(&ev, RB_ZR_MORE)) {
        /* Heartbeats and flow control of a channel: our channels close with
         * their reply, so there is nothing to keep alive or to send more. */
        reply = 0;
        goto done;
    }
    if (ev.response_to) {
        /* Any other event on a channel: ours are closed once answered (no
         * streaming), so say so on that channel rather than leave the
         * sender waiting for its deadline. */
        resp_to = ev.response_to;
        why = "event on a channel that is not open (calls are unary: a channel closes with its reply)";
        goto error;
    }
    if (ev.name_len > 9 && memcmp(ev.name_ptr, "_zerorpc_", 9) == 0) {
        rc = zs_builtin(w, &ev, id, resp_to);
        if (rc == RB_OK)
            goto done;
        if (rc == RB_ENOMEM)
            goto nomem;
        /* not a built-in we have: rb_mp_dispatch says "unknown method" */
    }
    rb_service_work();   /* a call to execute: the handler's time */
    if (rb_zr_pack_head(&w->pk, id, sizeof id, resp_to, RB_ZR_OK) || msgpack_pack_array(&w->pk, 1))
        goto nomem;
    rc = rb_mp_dispatch(ev.name, ev.args, w->get_obj, &w->scratch, &w->pk, errbuf, sizeof errbuf);
    if (rc == RB_OK)
        goto done;
    err_name = err_name_of(rc);
    why = errbuf;
    goto error;
nomem:
    err_name = RB_ZR_E_NOMEM;
    why = "out of memory encoding the reply";
error:
    w->sbuf.size = 0;
    if (rb_zr_pack_err(&w->pk, id, sizeof id, resp_to, err_name, why))
        reply = 0;   /* not even room for an error: the client's deadline tells */
done:
    msgpack_unpacked_destroy(&hdr);
    msgpack_unpacked_destroy(&unp);
    return reply;
}

/* Receive one message from w->raw and answer it; flags: ZMQ_DONTWAIT, or
 * 0 to wait for its first frame up to the socket's ZMQ_RCVTIMEO. Returns 1
 * when a message was handled, 0 when none came, -1 on a socket error. */
static int zs_serve_one(zs_worker *w, int flags)
{
    int n = 0, more;
    zmq_msg_t *f;
    do {
        f = &w->frames[n < ZS_MAX_FRAMES ? n : ZS_MAX_FRAMES - 1];
        if (zmq_msg_recv(f, w->raw, n ? ZMQ_DONTWAIT : flags) < 0) {
            if (n == 0 && (zmq_errno() == EAGAIN || zmq_errno() == EINTR))
                return 0;
            return zmq_errno() == ETERM ? -1 : 0;
        }
        more = zmq_msg_more(f);
        n++;
    } while (more);
    /* [identity, envelope..., event]. Over ZS_MAX_FRAMES frames the
     * message is not zerorpc's: dropped. */
    if (n < 2 || n > ZS_MAX_FRAMES)
        return 1;
    size_t size = zmq_msg_size(&w->frames[n - 1]);
    int reply = zs_process(w, zmq_msg_data(&w->frames[n - 1]), size);
    if (size > ZS_TRIM_BYTES) {
        /* Give a large request's memory back: its frame, the decoded tree
         * (already freed) and a grown reply buffer. */
        zmq_msg_close(&w->frames[n - 1]);
        zmq_msg_init(&w->frames[n - 1]);
        malloc_trim(0);
    }
    if (!reply)
        return 1;
    for (int i = 0; i < n - 1; i++)
        if (zmq_msg_send(&w->frames[i], w->raw, ZMQ_SNDMORE) < 0)
            return 1;   /* peer gone (a ROUTER drops silently anyway) */
    zmq_send(w->raw, w->sbuf.data, w->sbuf.size, 0);
    return 1;
}

static void *zs_worker_main(void *arg)
{
    zs_worker *w = arg;
    w->sock = zsock_new(ZMQ_DEALER);
    if (w->sock) {
        zsock_set_linger(w->sock, 0);
        zsock_set_sndtimeo(w->sock, 1000);   /* a reply never blocks a worker for long */
    }
    if (!w->sock || zsock_connect(w->sock, "%s", w->inproc) != 0) {
        fprintf(stderr, "zmq: a worker thread cannot connect to %s; serving with fewer\n",
                w->inproc);
        return NULL;
    }
    w->raw = zsock_resolve(w->sock);
    while (!atomic_load(w->stop) && !rb_serve_stop) {
        zmq_pollitem_t it = { .socket = w->raw, .events = ZMQ_POLLIN };
        if (zmq_poll(&it, 1, ZS_POLL_MS) <= 0)
            continue;
        for (int k = 0; k < 64 && zs_serve_one(w, ZMQ_DONTWAIT) > 0; k++)
            ;
    }
    return NULL;
}

/* Move one whole multipart message from `from` to `to`. Never blocks: a
 * message the other side cannot take now (workers' queues full) is
 * dropped, and its client's deadline tells it. */
static void zs_forward(void *from, void *to, zmq_msg_t *m)
{
    int more;
    do {
        if (zmq_msg_recv(m, from, ZMQ_DONTWAIT) < 0)
            return;
        more = zmq_msg_more(m);
        if (zmq_msg_send(m, to, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0) {
            /* Drain the rest of a message that cannot go on. */
            while (more && zmq_msg_recv(m, from, ZMQ_DONTWAIT) >= 0)
                more = zmq_msg_more(m);
            return;
        }
    } while (more);
}

/* The ROUTER every client connects to, bound to listen ("HOST:PORT"),
 * and the ready line. Returns it, or NULL with *rc set (RB_EINVAL: bad
 * address, RB_ELISTEN: cannot listen, RB_ENOMEM) and the reason, with the
 * address, on stderr. */
static zsock_t *zs_bind(const char *listen, size_t max_req, int *rc)
{
    char host[256], ep[320];
    int ipv6, port;
    *rc = RB_EINVAL;
    if (rb_zmq_make_endpoint(listen, ep, sizeof ep, host, sizeof host, &port, &ipv6) != RB_OK) {
        fprintf(stderr, "zmq: bad listen address '%s' (want HOST:PORT)\n", listen);
        return NULL;
    }
    *rc = RB_ENOMEM;
    zsock_t *front = zsock_new(ZMQ_ROUTER);
    if (!front) {
        fprintf(stderr, "zmq: out of memory\n");
        return NULL;
    }
    zsock_set_linger(front, 0);
    zsock_set_handshake_ivl(front, ZS_HANDSHAKE_MS);
    int64_t maxmsg = max_req > INT64_MAX ? INT64_MAX : (int64_t)max_req;
    zmq_setsockopt(zsock_resolve(front), ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (ipv6)
        zsock_set_ipv6(front, 1);
    int bound = zsock_bind(front, "%s", ep);
    if (bound < 0) {
        fprintf(stderr, "zmq: cannot listen on %s: %s\n", listen, zmq_strerror(zmq_errno()));
        zsock_destroy(&front);
        *rc = RB_ELISTEN;
        return NULL;
    }
    *rc = RB_OK;
    rb_serve_ready(host, port ? port : bound);
    return front;
}

/* --threads N > 1: bind the inproc backend and start N worker threads.
 * RB_OK, or an error (printed) with the threads started so far marked in
 * ws[i].started. */
static int zs_start_workers(zs_worker *ws, int threads, zsock_t **back, char *inproc,
                            size_t inproc_len, atomic_int *stop)
{
    snprintf(inproc, inproc_len, "inproc://rb-zmq-workers-%p", (void *)ws);
    *back = zsock_new(ZMQ_DEALER);
    if (!*back || zsock_bind(*back, "%s", inproc) < 0) {
        fprintf(stderr, "zmq: cannot bind %s\n", inproc);
        return RB_EIO;
    }
    zsock_set_linger(*back, 0);
    for (int i = 0; i < threads; i++) {
        ws[i].inproc = inproc;
        ws[i].stop = stop;
        if (pthread_create(&ws[i].thread, NULL, zs_worker_main, &ws[i]) != 0) {
            fprintf(stderr, "zmq: cannot start worker thread %d\n", i);
            return RB_ENOMEM;
        }
        ws[i].started = 1;
    }
    return RB_OK;
}

/* Serve until rb_serve_stop: the ROUTER itself (one worker, br NULL) or
 * proxied to the workers' backend br. RB_OK or RB_EIO. */
static int zs_loop(void *fr, void *br, zs_worker *w0)
{
    zmq_msg_t m;
    int rc = RB_OK, tick = ZS_POLL_MS;
    zmq_msg_init(&m);
    if (!br)
        zmq_setsockopt(fr, ZMQ_RCVTIMEO, &tick, sizeof tick);
    while (!rb_serve_stop) {
        if (!br) {
            /* A request wakes this thread in its receive, as in a REP
             * server's loop: no zmq_poll per request; the receive gives up
             * after ZS_POLL_MS to look at rb_serve_stop. */
            if (zs_serve_one(w0, 0) < 0) {
                fprintf(stderr, "zmq: receive: %s\n", zmq_strerror(zmq_errno()));
                rc = RB_EIO;
                break;
            }
            continue;
        }
        zmq_pollitem_t it[2] = {
            { .socket = fr, .events = ZMQ_POLLIN },
            { .socket = br, .events = ZMQ_POLLIN },
        };
        int pr = zmq_poll(it, 2, ZS_POLL_MS);
        if (pr < 0 && zmq_errno() != EINTR) {
            fprintf(stderr, "zmq: poll: %s\n", zmq_strerror(zmq_errno()));
            rc = RB_EIO;
            break;
        }
        if (pr <= 0)
            continue;
        if (it[0].revents & ZMQ_POLLIN)
            zs_forward(fr, br, &m);
        if (it[1].revents & ZMQ_POLLIN)
            zs_forward(br, fr, &m);
    }
    zmq_msg_close(&m);
    return rc;
}

int zmq_tr_serve(const rb_server_opts *o)
{
    char inproc[64];
    int rc = RB_OK;
    int threads = o->threads > 1 ? o->threads : 1;
    size_t max_req = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;
    rb_obj get_obj = RB_OBJ_INIT;
    zsock_t *front = NULL, *back = NULL;
    atomic_int stop = 0;

    zmq_tr_ensure_init();
    if (rb_service_get_obj(o->entries, &get_obj) != RB_OK) {
        fprintf(stderr, "zmq: out of memory building getObj's %zu entries\n", o->entries);
        return RB_ENOMEM;
    }
    zs_worker *ws = calloc((size_t)threads, sizeof *ws);
    if (!ws) {
        rb_obj_free(&get_obj);
        return RB_ENOMEM;
    }
    for (int i = 0; i < threads; i++)
        zs_worker_init(&ws[i], &get_obj);
    if (threads > 1)
        rc = zs_start_workers(ws, threads, &back, inproc, sizeof inproc, &stop);
    if (rc == RB_OK)
        front = zs_bind(rb_endpoint_or_default(&rb_transport_zmq, o->listen), max_req, &rc);
    if (rc == RB_OK) {
        if (threads == 1)
            ws[0].raw = zsock_resolve(front);
        rc = zs_loop(zsock_resolve(front), back ? zsock_resolve(back) : NULL, &ws[0]);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < threads; i++)
        if (ws[i].started)
            pthread_join(ws[i].thread, NULL);
    for (int i = 0; i < threads; i++)
        zs_worker_free(&ws[i]);
    zsock_destroy(&back);
    zsock_destroy(&front);
    free(ws);
    rb_obj_free(&get_obj);
    return rc;
}

