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
 * With --threads 1 (the default, and the faster design on 2 cores: measured,
 * README.md) one thread serves the ROUTER; with --threads N > 1 the
 * ROUTER is proxied to N worker threads over inproc.
 *
 * Client: a DEALER socket, as zerorpc clients use, sending ["", event]. Each
 * call has a fresh message_id and a deadline (ZMQ_RCVTIMEO); only a reply whose
 * response_to is the call's id answers it: anything else is discarded and
 * counted in stale_replies. After a timeout the socket is closed and
 * reopened (the zguide's Lazy Pirate), so the client never stays stuck
 * behind a lost request. A call waiting longer than zerorpc's heartbeat
 * interval sends "_zpc_hb" on its channel, as the protocol asks.
 *
 * The server is in zmq_server.c.
 *
 * The hot path uses libzmq's zmq_msg_* directly (czmq's zmsg/zframe would
 * allocate per frame); one msgpack buffer per client/worker is reused.
 */
#include "rb_zmq.h"
#include "rb_msgpack.h"
#include "zerorpc.h"
#include "zmq_common.h"
#include "zmq_server.h"

#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZMQ_DEFAULT_ENDPOINT RB_ZMQ_DEFAULT_ENDPOINT

/* ---- process-wide setup (zmq_common.c) ---------------------------------- */

static int zmq_tr_init(void)
{
    zmq_tr_ensure_init();
    return RB_OK;
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
    zmq_tr_ensure_init();
    zmq_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errlen, "zmq: out of memory");
        return RB_ENOMEM;
    }
    msgpack_sbuffer_init(&c->sbuf);
    msgpack_packer_init(&c->pk, &c->sbuf, msgpack_sbuffer_write);
    zmq_msg_init(&c->frame);
    rb_zr_idgen_init(&c->ids);
    const char *hp = rb_endpoint_or_default(&rb_transport_zmq, o->endpoint);
    rc = rb_zmq_make_endpoint(hp, c->endpoint, sizeof c->endpoint, host, sizeof host, &port, &c->ipv6);
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

/* Read one whole message into c->frame: the event is its last frame
 * (frames before it are the "" delimiter, or whatever envelope a proxy
 * added). The first frame is awaited in the receive itself, up to `until`
 * (ns, CLOCK_MONOTONIC; ZMQ_RCVTIMEO, set in libzmq, no system call): no
 * zmq_poll per call. Returns RB_OK, RB_ETIMEDOUT when nothing came by then
 * (not recorded on the client), or RB_EIO recorded on it. */
static int client_recv(zmq_client *c, uint64_t until)
{
    int wait_ms = rb_ms_left(until), first = 1;
    zmq_setsockopt(c->raw, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    do {
        if (zmq_msg_recv(&c->frame, c->raw, first ? 0 : ZMQ_DONTWAIT) < 0) {
            if (first && (zmq_errno() == EAGAIN || zmq_errno() == EINTR))
                return RB_ETIMEDOUT;
            return rb_client_fail(&c->base, RB_EIO, "zmq recv: %s", zmq_strerror(zmq_errno()));
        }
        first = 0;
    } while (zmq_msg_more(&c->frame));
    return RB_OK;
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
        rc = client_recv(c, deadline < next_hb ? deadline : next_hb);
        if (rc == RB_ETIMEDOUT)
            continue;   /* nothing yet: the loop's head looks at the clock */
        if (rc)
            goto lost;
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

const rb_transport rb_transport_zmq = {
    .name = "zmq",
    .description = "ZeroMQ ROUTER/DEALER + MessagePack, zerorpc protocol v3",
    .default_endpoint = ZMQ_DEFAULT_ENDPOINT,
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
