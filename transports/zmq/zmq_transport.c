/* zmq_transport.c - transport `zmq`: ZeroMQ (czmq + libzmq) + MessagePack,
 * speaking zerorpc's protocol v3 (see zerorpc.h), so stock zerorpc clients
 * can call our server and our client can call a zerorpc server.
 *
 * Server: a ROUTER socket. Each request is a multipart message
 * [identity, (envelope...,) event]; the reply goes back with the same
 * envelope and an event "OK" [result] or "ERR" [name, message, traceback]
 * whose header has response_to = the request's message_id. Heartbeats and
 * flow-control events are never treated as calls, nor answered (a channel
 * closes with its reply); any other event with response_to gets an ERR. ZMQ_MAXMSGSIZE is the
 * request size limit: over it libzmq disconnects the peer (no reply).
 * With --threads 1 (the default, and the faster design on 2 cores: see the
 * report of issue 5) one thread serves the ROUTER; with --threads N > 1 the
 * ROUTER is proxied to N worker threads over inproc.
 *
 * Client: a DEALER socket, as zerorpc clients use, sending ["", event]. Each
 * call has a fresh message_id and a deadline (zmq_poll); only a reply whose
 * response_to is the call's id answers it: anything else is discarded and
 * counted in stale_replies. After a timeout the socket is closed and
 * reopened (the zguide's Lazy Pirate), so the client never stays stuck
 * behind a lost request. A call waiting longer than zerorpc's heartbeat
 * interval sends "_zpc_hb" on its channel, as the protocol asks.
 *
 * The hot path uses libzmq's zmq_msg_* directly (czmq's zmsg/zframe would
 * allocate per frame); one msgpack buffer per client/worker is reused.
 */
#include "rb_zmq.h"
#include "rb_msgpack.h"
#include "zerorpc.h"

#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZMQ_DEFAULT_ENDPOINT RB_ZMQ_DEFAULT_ENDPOINT
#define ZS_MAX_FRAMES 8        /* envelope frames + event we accept per request */
#define ZS_POLL_MS 100         /* server: how often rb_serve_stop is checked, ms */
#define ZS_SERVER_NAME "rpcbench"

/* ---- process-wide setup --------------------------------------------------- */

static pthread_once_t zmq_once = PTHREAD_ONCE_INIT;
static char zmq_version_str[96];

static void zmq_global_init(void)
{
    /* czmq's SIGINT/SIGTERM handlers would make blocking calls return on a
     * signal and fight the serve command's own handler: disable them before
     * czmq creates its context. */
    zsys_handler_set(NULL);
    zsys_init();
    zsys_set_linger(0);
    int zmaj, zmin, zpat, cmaj, cmin, cpat;
    zmq_version(&zmaj, &zmin, &zpat);
    zsys_version(&cmaj, &cmin, &cpat);
    snprintf(zmq_version_str, sizeof zmq_version_str,
             "czmq %d.%d.%d, libzmq %d.%d.%d, msgpack-c %s",
             cmaj, cmin, cpat, zmaj, zmin, zpat, msgpack_version());
}

static int zmq_tr_init(void)
{
    pthread_once(&zmq_once, zmq_global_init);
    return RB_OK;
}

static const char *zmq_tr_version(void)
{
    pthread_once(&zmq_once, zmq_global_init);
    return zmq_version_str;
}

/* "HOST:PORT" -> "tcp://HOST:PORT" (IPv6 hosts bracketed; port 0 -> "*"),
 * and the display form "HOST:" for the ready line. RB_OK or RB_EINVAL. */
static int make_endpoint(const char *hostport, char *ep, size_t eplen,
                         char *host, size_t hostlen, int *port, int *ipv6)
{
    if (rb_parse_hostport(hostport, host, hostlen, port) != RB_OK || !host[0])
        return RB_EINVAL;
    *ipv6 = strchr(host, ':') != NULL;
    char portstr[8];
    if (*port == 0)
        snprintf(portstr, sizeof portstr, "*");
    else
        snprintf(portstr, sizeof portstr, "%d", *port);
    int n = snprintf(ep, eplen, *ipv6 ? "tcp://[%s]:%s" : "tcp://%s:%s", host, portstr);
    return n > 0 && (size_t)n < eplen ? RB_OK : RB_EINVAL;
}

/* ---- client ------------------------------------------------------------- */

typedef struct zmq_client {
    rb_client base;            /* first member: see transport.h */
    zsock_t *sock;             /* DEALER, NULL after a failed reopen */
    void *raw;                 /* libzmq handle of sock */
    char endpoint[320];        /* "tcp://host:port" */
    int ipv6;                  /* 1: endpoint is IPv6 */
    rb_zr_idgen ids;           /* message ids of this client */
    char cur_id[RB_ZR_ID_LEN]; /* the channel (message_id) of the call in flight */
    msgpack_sbuffer sbuf;      /* encoded request, reused across calls */
    msgpack_packer pk;
    zmq_msg_t frame;           /* receive buffer, reused */
    uint64_t reopens;          /* Lazy Pirate reopens, total */
} zmq_client;

static void client_close_socket(zmq_client *c)
{
    zsock_destroy(&c->sock);   /* linger 0: queued requests die with it */
    c->raw = NULL;
}

static int client_open_socket(zmq_client *c)
{
    c->sock = zsock_new(ZMQ_DEALER);
    if (!c->sock)
        return RB_ENOMEM;
    zsock_set_linger(c->sock, 0);
    /* Queue requests only on a completed connection: with no server a call
     * reports "no connection" at its deadline instead of queueing blindly. */
    zsock_set_immediate(c->sock, 1);
    if (c->ipv6)
        zsock_set_ipv6(c->sock, 1);
    if (zsock_connect(c->sock, "%s", c->endpoint) != 0) {
        client_close_socket(c);
        return RB_ECONNECT;
    }
    c->raw = zsock_resolve(c->sock);
    return RB_OK;
}

static void zmq_tr_close(rb_client *base)
{
    zmq_client *c = (zmq_client *)base;
    if (!c)
        return;
    client_close_socket(c);
    zmq_msg_close(&c->frame);
    msgpack_sbuffer_destroy(&c->sbuf);
    free(c);
}

static int zmq_tr_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    char host[256];
    int port, rc;
    *out = NULL;
    pthread_once(&zmq_once, zmq_global_init);
    zmq_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errlen, "zmq: out of memory");
        return RB_ENOMEM;
    }
    msgpack_sbuffer_init(&c->sbuf);
    msgpack_packer_init(&c->pk, &c->sbuf, msgpack_sbuffer_write);
    zmq_msg_init(&c->frame);
    rb_zr_idgen_init(&c->ids);
    const char *hp = o->endpoint ? o->endpoint : ZMQ_DEFAULT_ENDPOINT;
    rc = make_endpoint(hp, c->endpoint, sizeof c->endpoint, host, sizeof host, &port, &c->ipv6);
    if (rc != RB_OK || port == 0) {
        snprintf(errbuf, errlen, "zmq: bad endpoint '%s' (want HOST:PORT)", hp);
        rc = RB_EINVAL;
        goto fail;
    }
    rc = client_open_socket(c);
    if (rc != RB_OK) {
        snprintf(errbuf, errlen, "zmq: cannot connect to %s: %s", c->endpoint,
                 zmq_strerror(zmq_errno()));
        goto fail;
    }
    *out = &c->base;
    return RB_OK;
fail:
    zmq_tr_close(&c->base);
    return rc;
}

/* Lazy Pirate: after a lost reply, a fresh socket (new identity, empty
 * queues) so the late reply can never reach the next call. */
static int client_reopen(zmq_client *c)
{
    client_close_socket(c);
    c->reopens++;
    return client_open_socket(c);
}

/* Send ["", event in c->sbuf] before the deadline. */
static int client_send(zmq_client *c, uint64_t deadline)
{
    for (;;) {
        if (zmq_send(c->raw, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 0)
            break;
        if (zmq_errno() != EAGAIN && zmq_errno() != EINTR)
            return rb_client_fail(&c->base, RB_EIO, "zmq send: %s", zmq_strerror(zmq_errno()));
        int left = rb_ms_left(deadline);
        if (left == 0)
            return rb_client_fail(&c->base, RB_ETIMEDOUT,
                                  "zmq: no connection to %s within %d ms (server down?)",
                                  c->endpoint, c->base.timeout_ms);
        zmq_pollitem_t it = { .socket = c->raw, .events = ZMQ_POLLOUT };
        zmq_poll(&it, 1, left);
    }
    /* The rest of a multipart message is queued with its first frame. */
    if (zmq_send(c->raw, c->sbuf.data, c->sbuf.size, ZMQ_DONTWAIT) < 0)
        return rb_client_fail(&c->base, RB_EIO, "zmq send: %s", zmq_strerror(zmq_errno()));
    return RB_OK;
}

/* Pack and send a heartbeat on the current channel. Best effort and
 * non-blocking: a heartbeat that cannot go now is not worth a delay, and
 * its failure is not the call's. */
static void client_heartbeat(zmq_client *c)
{
    char id[RB_ZR_ID_LEN];
    msgpack_object rt = { .type = MSGPACK_OBJECT_STR,
                          .via.str = { .size = RB_ZR_ID_LEN, .ptr = c->cur_id } };
    rb_zr_next_id(&c->ids, id);
    c->sbuf.size = 0;
    if (rb_zr_pack_head(&c->pk, id, sizeof id, &rt, RB_ZR_HEARTBEAT) == 0 &&
        msgpack_pack_nil(&c->pk) == 0 &&
        zmq_send(c->raw, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 0)
        zmq_send(c->raw, c->sbuf.data, c->sbuf.size, ZMQ_DONTWAIT);
}

/* Map the error name of an ERR event to our code. */
static int err_code_of(const char *p, size_t n)
{
    static const struct { const char *name; int code; } map[] = {
        { RB_ZR_E_NOMETHOD, RB_ENOMETHOD }, { RB_ZR_E_INVALID, RB_EINVAL },
        { RB_ZR_E_TYPE, RB_EINVAL },        { RB_ZR_E_TOOBIG, RB_ETOOBIG },
        { RB_ZR_E_PROTO, RB_EPROTO },       { RB_ZR_E_NOMEM, RB_ESERVER },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].name) == n && memcmp(map[i].name, p, n) == 0)
            return map[i].code;
    return RB_ESERVER;
}

static int str_view(const msgpack_object *o, const char **p, int *n)
{
    if (o->type == MSGPACK_OBJECT_STR) {
        *p = o->via.str.ptr;
        *n = o->via.str.size > 200 ? 200 : (int)o->via.str.size;
        return 1;
    }
    if (o->type == MSGPACK_OBJECT_BIN) {
        *p = o->via.bin.ptr;
        *n = o->via.bin.size > 200 ? 200 : (int)o->via.bin.size;
        return 1;
    }
    *p = "?";
    *n = 1;
    return 0;
}

/* The reply event ev (already matched to the call): OK or ERR. */
static int client_take_reply(zmq_client *c, const rb_zr_event *ev, rb_method m,
                             int64_t *num, rb_obj *obj)
{
    const msgpack_object *a = ev->args;
    if (rb_zr_name_is(ev, RB_ZR_OK)) {
        /* zerorpc wraps the result in a 1-tuple. */
        if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != 1)
            return rb_client_fail(&c->base, RB_EPROTO, "zmq: OK event args must be [result]");
        int rc = rb_mp_get_result(&a->via.array.ptr[0], m, num, obj);
        if (rc == RB_EPROTO)
            return rb_client_fail(&c->base, rc, "zmq: %s reply of the wrong type", rb_method_name(m));
        if (rc)
            return rb_client_fail(&c->base, rc, "zmq: decoding the %s reply failed", rb_method_name(m));
        return RB_OK;
    }
    if (rb_zr_name_is(ev, RB_ZR_ERR)) {
        const char *name = "?", *msg = "";
        int nl = 1, ml = 0;
        if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size < 2 ||
            !str_view(&a->via.array.ptr[0], &name, &nl))
            return rb_client_fail(&c->base, RB_EPROTO,
                                  "zmq: ERR event args must be [name, message, traceback]");
        str_view(&a->via.array.ptr[1], &msg, &ml);
        return rb_client_fail(&c->base, err_code_of(name, (size_t)nl),
                              "%.*s: %.*s", nl, name, ml, msg);
    }
    return rb_client_fail(&c->base, RB_EPROTO, "zmq: unexpected event '%.*s' on the channel",
                          (int)(ev->name_len > 64 ? 64 : ev->name_len), ev->name_ptr);
}

/* One call: request event in c->sbuf already packed with id c->cur_id. */
static int client_roundtrip(zmq_client *c, rb_method m, int64_t *num, rb_obj *obj)
{
    uint64_t start = rb_now_ns();
    uint64_t deadline = start + (uint64_t)c->base.timeout_ms * 1000000u;
    uint64_t next_hb = start + (uint64_t)RB_ZR_HEARTBEAT_MS * 1000000u;
    msgpack_unpacked unp;
    int rc;

    msgpack_unpacked_init(&unp);
    if (!c->raw && (rc = client_reopen(c)) != RB_OK) {
        rc = rb_client_fail(&c->base, rc, "zmq: cannot reopen the socket to %s", c->endpoint);
        goto done;
    }
    c->base.req_body_bytes = c->sbuf.size;
    rc = client_send(c, deadline);
    if (rc)
        goto lost;
    for (;;) {
        uint64_t now = rb_now_ns();
        if (now >= deadline) {
            rc = rb_client_fail(&c->base, RB_ETIMEDOUT, "zmq: no reply from %s within %d ms",
                                c->endpoint, c->base.timeout_ms);
            goto lost;
        }
        if (now >= next_hb) {
            client_heartbeat(c);
            next_hb = now + (uint64_t)RB_ZR_HEARTBEAT_MS * 1000000u;
        }
        uint64_t until = deadline < next_hb ? deadline : next_hb;
        zmq_pollitem_t it = { .socket = c->raw, .events = ZMQ_POLLIN };
        int pr = zmq_poll(&it, 1, rb_ms_left(until));
        if (pr < 0 && zmq_errno() != EINTR) {
            rc = rb_client_fail(&c->base, RB_EIO, "zmq poll: %s", zmq_strerror(zmq_errno()));
            goto lost;
        }
        if (pr <= 0)
            continue;
        /* Read one whole message; the event is its last frame (frames
         * before it are the "" delimiter, or whatever envelope a proxy
         * added). */
        int more;
        do {
            if (zmq_msg_recv(&c->frame, c->raw, ZMQ_DONTWAIT) < 0) {
                rc = rb_client_fail(&c->base, RB_EIO, "zmq recv: %s", zmq_strerror(zmq_errno()));
                goto lost;
            }
            more = zmq_msg_more(&c->frame);
        } while (more);
        const char *buf = zmq_msg_data(&c->frame);
        size_t len = zmq_msg_size(&c->frame);
        rc = rb_mp_decode(buf, len, &unp);
        if (rc) {
            rc = rb_client_fail(&c->base, rc == RB_ENOMEM ? RB_ENOMEM : RB_EPROTO,
                                "zmq: undecodable reply (%zu bytes of bad MessagePack)", len);
            goto done;
        }
        rb_zr_event ev;
        const char *why;
        if (rb_zr_parse(&unp.data, &ev, &why) != 0) {
            rc = rb_client_fail(&c->base, RB_EPROTO, "zmq: bad reply event: %s", why);
            goto done;
        }
        if (!rb_zr_id_equals(ev.response_to, c->cur_id, RB_ZR_ID_LEN)) {
            c->base.stale_replies++;          /* late reply of an old call, or foreign */
            continue;
        }
        if (rb_zr_name_is(&ev, RB_ZR_HEARTBEAT) || rb_zr_name_is(&ev, RB_ZR_MORE))
            continue;                         /* the server's channel keeps alive */
        c->base.rep_body_bytes = len;
        rc = client_take_reply(c, &ev, m, num, obj);
        goto done;
    }
lost:
    /* The request or its reply is lost: drop the socket with whatever it
     * still queues and start over on the next call. */
    if (client_reopen(c) != RB_OK)
        client_close_socket(c);
done:
    msgpack_unpacked_destroy(&unp);
    return rc;
}

static int client_call(zmq_client *c, rb_method m, int64_t n, const rb_obj *arg,
                       int64_t *num, rb_obj *out)
{
    rb_zr_next_id(&c->ids, c->cur_id);
    c->sbuf.size = 0;
    if (rb_zr_pack_head(&c->pk, c->cur_id, RB_ZR_ID_LEN, NULL, rb_method_name(m)) ||
        rb_mp_pack_args(&c->pk, m, n, arg))
        return rb_client_fail(&c->base, RB_ENOMEM, "zmq: cannot encode the request");
    return client_roundtrip(c, m, num, out);
}

static int zmq_tr_fib(rb_client *c, int64_t n, int64_t *result)
{
    return client_call((zmq_client *)c, RB_M_FIB, n, NULL, result, NULL);
}

static int zmq_tr_get_obj(rb_client *c, rb_obj *out)
{
    int64_t unused;
    return client_call((zmq_client *)c, RB_M_GET_OBJ, 0, NULL, &unused, out);
}

static int zmq_tr_send_obj(rb_client *c, const rb_obj *obj, int64_t *count)
{
    return client_call((zmq_client *)c, RB_M_SEND_OBJ, 0, obj, count, NULL);
}

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

/* Handle the event buf[0..len): leave the reply event in w->sbuf and return
 * 1, or return 0 when the event needs no reply (heartbeat, flow control,
 * an event of a channel that is already closed). Never fails: every bad
 * input gets an ERR event. */
static int zs_process(zs_worker *w, const char *buf, size_t len)
{
    char id[RB_ZR_ID_LEN], errbuf[256];
    const char *why = NULL, *err_name = RB_ZR_E_PROTO;
    const msgpack_object *resp_to = NULL;
    msgpack_unpacked unp;
    rb_zr_event ev;
    int reply = 1, rc;

    msgpack_unpacked_init(&unp);
    rb_zr_next_id(&w->ids, id);
    w->sbuf.size = 0;
    rc = rb_mp_decode(buf, len, &unp);
    if (rc) {
        err_name = rc == RB_ENOMEM ? RB_ZR_E_NOMEM : RB_ZR_E_PROTO;
        why = rc == RB_ENOMEM ? "out of memory decoding the event"
                              : "malformed MessagePack (not exactly one well-formed value)";
        goto error;
    }
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
    msgpack_unpacked_destroy(&unp);
    return reply;
}

/* Receive one message from w->raw (non-blocking) and answer it.
 * Returns 1 when a message was handled, 0 when none was waiting, -1 on a
 * socket error. */
static int zs_serve_one(zs_worker *w)
{
    int n = 0, more;
    zmq_msg_t *f;
    do {
        f = &w->frames[n < ZS_MAX_FRAMES ? n : ZS_MAX_FRAMES - 1];
        if (zmq_msg_recv(f, w->raw, ZMQ_DONTWAIT) < 0) {
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
    if (!zs_process(w, zmq_msg_data(&w->frames[n - 1]), zmq_msg_size(&w->frames[n - 1])))
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
        for (int k = 0; k < 64 && zs_serve_one(w) > 0; k++)
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

static int zmq_tr_serve(const rb_server_opts *o)
{
    char host[256], ep[320], inproc[64];
    int port, ipv6, rc = RB_OK;
    int threads = o->threads > 1 ? o->threads : 1;
    size_t max_req = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;
    rb_obj get_obj = RB_OBJ_INIT;
    zsock_t *front = NULL, *back = NULL;
    zs_worker *ws = NULL;
    atomic_int stop = 0;
    zmq_msg_t m;

    zmq_msg_init(&m);
    pthread_once(&zmq_once, zmq_global_init);
    const char *listen = o->listen ? o->listen : ZMQ_DEFAULT_ENDPOINT;
    if (make_endpoint(listen, ep, sizeof ep, host, sizeof host, &port, &ipv6) != RB_OK) {
        fprintf(stderr, "zmq: bad listen address '%s' (want HOST:PORT)\n", listen);
        rc = RB_EINVAL;
        goto fail;
    }
    if (rb_service_get_obj(o->entries, &get_obj) != RB_OK) {
        fprintf(stderr, "zmq: out of memory building getObj's %zu entries\n", o->entries);
        rc = RB_ENOMEM;
        goto fail;
    }
    ws = calloc((size_t)threads, sizeof *ws);
    front = zsock_new(ZMQ_ROUTER);
    if (!ws || !front) {
        fprintf(stderr, "zmq: out of memory\n");
        rc = RB_ENOMEM;
        goto fail;
    }
    zsock_set_linger(front, 0);
    int64_t maxmsg = max_req > INT64_MAX ? INT64_MAX : (int64_t)max_req;
    zmq_setsockopt(zsock_resolve(front), ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    if (ipv6)
        zsock_set_ipv6(front, 1);
    int bound = zsock_bind(front, "%s", ep);
    if (bound < 0) {
        fprintf(stderr, "zmq: cannot bind %s: %s\n", ep, zmq_strerror(zmq_errno()));
        rc = RB_EIO;
        goto fail;
    }
    if (port == 0)
        port = bound;
    for (int i = 0; i < threads; i++)
        zs_worker_init(&ws[i], &get_obj);

    if (threads > 1) {
        /* ROUTER -> DEALER(inproc) -> N worker DEALERs, replies back. */
        snprintf(inproc, sizeof inproc, "inproc://rb-zmq-workers-%p", (void *)ws);
        back = zsock_new(ZMQ_DEALER);
        if (!back || zsock_bind(back, "%s", inproc) < 0) {
            fprintf(stderr, "zmq: cannot bind %s\n", inproc);
            rc = RB_EIO;
            goto stop;
        }
        zsock_set_linger(back, 0);
        for (int i = 0; i < threads; i++) {
            ws[i].inproc = inproc;
            ws[i].stop = &stop;
            if (pthread_create(&ws[i].thread, NULL, zs_worker_main, &ws[i]) != 0) {
                fprintf(stderr, "zmq: cannot start worker thread %d\n", i);
                rc = RB_ENOMEM;
                goto stop;
            }
            ws[i].started = 1;
        }
    } else {
        ws[0].raw = zsock_resolve(front);
    }

    printf(ipv6 ? "ready [%s]:%d\n" : "ready %s:%d\n", host, port);
    fflush(stdout);

    void *fr = zsock_resolve(front), *br = back ? zsock_resolve(back) : NULL;
    while (!rb_serve_stop) {
        zmq_pollitem_t it[2] = {
            { .socket = fr, .events = ZMQ_POLLIN },
            { .socket = br, .events = ZMQ_POLLIN },
        };
        int pr = zmq_poll(it, br ? 2 : 1, ZS_POLL_MS);
        if (pr < 0 && zmq_errno() != EINTR) {
            fprintf(stderr, "zmq: poll: %s\n", zmq_strerror(zmq_errno()));
            rc = RB_EIO;
            break;
        }
        if (pr <= 0)
            continue;
        if (!br) {
            /* Serve what is waiting, but look at rb_serve_stop now and then. */
            for (int k = 0; k < 64; k++)
                if (zs_serve_one(&ws[0]) <= 0)
                    break;
            continue;
        }
        if (it[0].revents & ZMQ_POLLIN)
            zs_forward(fr, br, &m);
        if (it[1].revents & ZMQ_POLLIN)
            zs_forward(br, fr, &m);
    }
stop:
    atomic_store(&stop, 1);
    for (int i = 0; i < threads; i++)
        if (ws[i].started)
            pthread_join(ws[i].thread, NULL);
    for (int i = 0; i < threads; i++)
        zs_worker_free(&ws[i]);
fail:
    zmq_msg_close(&m);
    zsock_destroy(&back);
    zsock_destroy(&front);
    free(ws);
    rb_obj_free(&get_obj);
    return rc;
}

const rb_transport rb_transport_zmq = {
    .name = "zmq",
    .description = "ZeroMQ ROUTER/DEALER + MessagePack, zerorpc protocol v3",
    .default_endpoint = ZMQ_DEFAULT_ENDPOINT,
    .uses_broker = 0,
    .broker = RB_BROKER_NONE,
    .order = 40,
    .wire = "ZMTP 3 + MessagePack (zerorpc)",
    .props = {
        .human_readable = "no (ZMTP + MessagePack)",
        .schema = "none",
        .streaming = "yes in zerorpc (not used here)",
        .stdlib = "no: libzmq bindings",
        .restart = "the call in flight times out; the client reopens its socket and ZeroMQ reconnects by itself",
    },
    .packages = {
        { "czmq", "libczmq4" },
        { "libzmq", "libzmq5" },
        { "msgpack-c", "libmsgpackc2" },
    },
    .init = zmq_tr_init,
    .version = zmq_tr_version,
    .connect = zmq_tr_connect,
    .fib = zmq_tr_fib,
    .get_obj = zmq_tr_get_obj,
    .send_obj = zmq_tr_send_obj,
    .close = zmq_tr_close,
    .serve = zmq_tr_serve,
};
