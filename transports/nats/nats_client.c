/* nats_client.c - the request-reply client and the two tables (nats,
 * nats-js).
 *
 * One client = one broker connection and one subscription to its own
 * inbox ("_INBOX.<id>.*"), used by one thread. A call publishes the
 * MessagePack request on subject "Q.<method>" and reads its inbox until
 * the reply of this call arrives or the deadline passes:
 *   nats     the request's reply subject is "<inbox>.<n>" (n: the call's
 *            number); with no subscriber on the subject the broker answers
 *            at once with a no-responders status: RB_ENOSERVER;
 *   nats-js  the request's reply subject is "<inbox>.a<n>", where JetStream
 *            sends its PubAck once the request is stored (no stream for the
 *            subject: no responders, RB_ENOSERVER); the reply comes to
 *            "<inbox>.<n>", named in the Rpcbench-Reply-To header.
 * Messages for an earlier call (late replies) are discarded and counted in
 * stale_replies (late PubAcks are discarded, not counted: they are not
 * replies). The library reconnects by itself (nats_conn.c): a call made
 * while the broker is away waits, within its deadline, for it to return.
 */
#include "nats_int.h"
#include "nats/nats_broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct nats_cli {
    rb_client base;              /* first member: an rb_client * is a nats_cli * */
    rb_nats_kind kind;
    natsConnection *nc;
    natsSubscription *sub;
    natsInbox *inbox;
    char *queue;                 /* owned */
    uint64_t seq;                /* the call in flight's number */
    rb_buf req;                  /* the encoded request, reused */
} nats_cli;

/* The inbox token of a message's subject: the part after "<inbox>.". */
static const char *token_of(const nats_cli *c, natsMsg *m)
{
    const char *s = natsMsg_GetSubject(m);
    size_t n = strlen(c->inbox);
    return strncmp(s, c->inbox, n) == 0 && s[n] == '.' ? s + n + 1 : "";
}

/* An error reply (Rpcbench-Code / Rpcbench-Error headers) as an RB code;
 * RB_OK when the reply is not one. */
static int server_error(nats_cli *c, natsMsg *m)
{
    const char *code = NULL, *msg = NULL;
    int has_code = natsMsgHeader_Get(m, RB_NATS_CODE_HEADER, &code) == NATS_OK;
    int has_msg = natsMsgHeader_Get(m, RB_NATS_ERR_HEADER, &msg) == NATS_OK;
    static const struct { const char *name; int err; } map[] = {
        { "EINVAL", RB_EINVAL }, { "ETOOBIG", RB_ETOOBIG },
        { "ENOMETHOD", RB_ENOMETHOD }, { "ESERVER", RB_ESERVER },
    };
    if (!has_code && !has_msg)
        return RB_OK;
    int err = RB_ESERVER;
    for (size_t i = 0; has_code && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(code, map[i].name) == 0)
            err = map[i].err;
    return rb_client_fail(&c->base, err, "server: %.200s", has_msg ? msg : code);
}

/* The reply message of the call: its error or its decoded result. */
static int take_reply(nats_cli *c, natsMsg *m, rb_method mt, int64_t *num, rb_obj *obj)
{
    const char *ct = NULL;
    rb_nats_fmt f = RB_NATS_FMT_MSGPACK;
    if (natsMsg_IsNoResponders(m)) {
        c->base.accepted = 0;   /* nobody took it */
        return rb_client_fail(&c->base, RB_ENOSERVER, "no server: nobody subscribes to %s.%s",
                              c->queue, rb_method_name(mt));
    }
    c->base.rep_body_bytes = (uint64_t)natsMsg_GetDataLength(m);
    int rc = server_error(c, m);
    if (rc != RB_OK)
        return rc;
    if (natsMsgHeader_Get(m, RB_NATS_CT_HEADER, &ct) == NATS_OK && strcmp(ct, RB_NATS_CT_JSON) == 0)
        f = RB_NATS_FMT_JSON;
    rc = rb_nats_get_result(f, natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), mt, num, obj);
    if (rc == RB_EPROTO)
        return rb_client_fail(&c->base, rc, "%s reply (%s) is not the result", rb_method_name(mt),
                              f == RB_NATS_FMT_JSON ? "JSON" : "MessagePack");
    return rc == RB_OK ? RB_OK : rb_client_fail(&c->base, rc, "out of memory");
}

/* JetStream's PubAck of the call: RB_OK (stored) or why it was refused;
 * *done when the call ends with it. */
static int take_ack(nats_cli *c, natsMsg *m, int *done)
{
    char why[300];
    if (natsMsg_IsNoResponders(m)) {
        *done = 1;
        c->base.accepted = 0;
        return rb_client_fail(&c->base, RB_ENOSERVER, "no server: no JetStream stream holds %s.*",
                              c->queue);
    }
    int rc = rb_nats_js_puback(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), why, sizeof why);
    if (rc != RB_OK) {
        *done = 1;
        c->base.accepted = 0;
        return rb_client_fail(&c->base, rc, "%s", why);
    }
    c->base.accepted = 1;
    return RB_OK;
}

/* Read the inbox until the call's reply (or its refusal) or the deadline. */
static int wait_reply(nats_cli *c, rb_method mt, uint64_t deadline, int64_t *num, rb_obj *obj)
{
    char rtok[24], atok[24];
    snprintf(rtok, sizeof rtok, "%llu", (unsigned long long)c->seq);
    snprintf(atok, sizeof atok, "a%llu", (unsigned long long)c->seq);
    for (;;) {
        int left = rb_ms_left(deadline), done = 0, rc;
        natsMsg *m = NULL;
        if (left == 0)
            return rb_client_fail(&c->base, RB_ETIMEDOUT, "no reply within %d ms on %s.%s%s",
                                  c->base.timeout_ms, c->queue, rb_method_name(mt),
                                  c->kind == RB_NATS_JS && c->base.accepted != 1
                                      ? " (nor JetStream's PubAck)" : "");
        natsStatus s = natsSubscription_NextMsg(&m, c->sub, left);
        if (s == NATS_TIMEOUT)
            continue;   /* the loop's head reports the deadline */
        if (s == NATS_SLOW_CONSUMER)
            continue;   /* messages were dropped: ours, if among them, times out */
        if (s == NATS_NO_RESPONDERS) {   /* the library's reading of the 503 status */
            c->base.accepted = 0;
            return rb_client_fail(&c->base, RB_ENOSERVER, c->kind == RB_NATS_JS
                                  ? "no server: no JetStream stream holds %s.*"
                                  : "no server: nobody subscribes to %s.*", c->queue);
        }
        if (s != NATS_OK)
            return rb_client_fail(&c->base, rb_nats_err(s), "inbox: %s", natsStatus_GetText(s));
        const char *tok = token_of(c, m);
        if (strcmp(tok, rtok) == 0) {
            rc = take_reply(c, m, mt, num, obj);
            if (rc == RB_OK || c->base.accepted != 0)
                c->base.accepted = 1;   /* answered: it was taken */
            done = 1;
        } else if (c->kind == RB_NATS_JS && strcmp(tok, atok) == 0) {
            rc = take_ack(c, m, &done);
        } else {
            if (tok[0] != 'a')
                c->base.stale_replies++;
            rc = RB_OK;
        }
        natsMsg_Destroy(m);
        if (done)
            return rc;
    }
}

/* Publish c->req as method mt. RB_OK, or RB_ETOOBIG (over the broker's
 * max_payload), RB_ECLOSED, RB_ENOMEM. */
static int publish(nats_cli *c, rb_method mt)
{
    char subj[RB_NATS_MAX_QUEUE + 16], reply[128], ack[128];
    natsMsg *m = NULL;
    c->seq++;
    snprintf(subj, sizeof subj, "%s.%s", c->queue, rb_method_name(mt));
    snprintf(reply, sizeof reply, "%s.%llu", c->inbox, (unsigned long long)c->seq);
    snprintf(ack, sizeof ack, "%s.a%llu", c->inbox, (unsigned long long)c->seq);
    natsStatus s = natsMsg_Create(&m, subj, c->kind == RB_NATS_JS ? ack : reply, c->req.data,
                                  (int)c->req.len);
    /* No Content-Type: the server knows an arguments array by its first
     * byte, and a core request then needs no headers at all (PUB). */
    if (s == NATS_OK && c->kind == RB_NATS_JS)
        s = natsMsgHeader_Set(m, RB_NATS_REPLY_HEADER, reply);
    int connected = natsConnection_Status(c->nc) == NATS_CONN_STATUS_CONNECTED;
    if (s == NATS_OK)
        s = natsConnection_PublishMsg(c->nc, m);
    natsMsg_Destroy(m);
    c->base.req_body_bytes = c->req.len;
    c->base.accepted = 0;
    if (s != NATS_OK)
        return rb_client_fail(&c->base, rb_nats_err(s), "publish on %s: %s", subj,
                              natsStatus_GetText(s));
    /* core: taken once written to the broker (not while it is away and
     * the library only buffers it); JetStream: once its PubAck came */
    c->base.accepted = c->kind == RB_NATS_CORE && connected;
    return RB_OK;
}

static int rpc(nats_cli *c, rb_method mt, int64_t *num, rb_obj *obj)
{
    const uint64_t deadline = rb_now_ns() + (uint64_t)c->base.timeout_ms * 1000000u;
    int rc = publish(c, mt);
    return rc != RB_OK ? rc : wait_reply(c, mt, deadline, num, obj);
}

static int cli_fib(rb_client *base, int64_t n, int64_t *result)
{
    nats_cli *c = (nats_cli *)base;
    if (rb_nats_put_args(&c->req, RB_M_FIB, n, NULL) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_FIB, result, NULL);
}

static int cli_get_obj(rb_client *base, rb_obj *out)
{
    nats_cli *c = (nats_cli *)base;
    if (rb_nats_put_args(&c->req, RB_M_GET_OBJ, 0, NULL) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_GET_OBJ, NULL, out);
}

static int cli_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    nats_cli *c = (nats_cli *)base;
    if (rb_nats_put_args(&c->req, RB_M_SEND_OBJ, 0, obj) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_SEND_OBJ, count, NULL);
}

static void cli_close(rb_client *base)
{
    nats_cli *c = (nats_cli *)base;
    natsSubscription_Destroy(c->sub);
    natsConnection_Destroy(c->nc);
    natsInbox_Destroy(c->inbox);
    rb_buf_free(&c->req);
    free(c->queue);
    free(c);
}

/* The connection, the inbox and its subscription of c. RB_OK or an error
 * with the reason in errbuf. */
static int open_client(nats_cli *c, char *errbuf, size_t errlen)
{
    char subj[128];
    int rc = rb_nats_connect("rpcbench-client", c->base.timeout_ms, &c->nc, errbuf, errlen);
    if (rc != RB_OK)
        return rc;
    natsStatus s = natsInbox_Create(&c->inbox);
    if (s == NATS_OK) {
        snprintf(subj, sizeof subj, "%s.*", c->inbox);
        s = natsConnection_SubscribeSync(&c->sub, c->nc, subj);
    }
    if (s == NATS_OK)   /* a big getObj reply, and some late ones */
        s = natsSubscription_SetPendingLimits(c->sub, 65536, 1 << 30);
    if (s == NATS_OK)
        return RB_OK;
    snprintf(errbuf, errlen, "cannot subscribe to the inbox: %s", natsStatus_GetText(s));
    return s == NATS_NO_MEMORY ? RB_ENOMEM : RB_ECONNECT;
}

static int cli_connect(rb_nats_kind kind, const rb_client_opts *o, rb_client **out,
                       char *errbuf, size_t errlen)
{
    int rc = RB_ENOMEM;
    const char *q = o->queue && *o->queue ? o->queue : RB_NATS_DEFAULT_QUEUE_OF(kind);
    *out = NULL;
    nats_cli *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->kind = kind;
    c->base.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : RB_DEFAULT_TIMEOUT_MS;
    if (!rb_nats_queue_ok(q)) {
        rc = RB_EINVAL;
        snprintf(errbuf, errlen, "queue \"%.60s\" is not a subject prefix", q);
        goto fail;
    }
    if (!(c->queue = strdup(q)))
        goto fail;
    if ((rc = open_client(c, errbuf, errlen)) != RB_OK)
        goto fail;
    *out = &c->base;
    return RB_OK;
fail:
    if (c)
        cli_close(&c->base);
    if (rc == RB_ENOMEM && errlen && !errbuf[0])
        snprintf(errbuf, errlen, "out of memory");
    return rc;
}

static int connect_core(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_NATS_CORE, o, out, e, l);
}
static int connect_js(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_NATS_JS, o, out, e, l);
}
static int serve_core(const rb_server_opts *o) { return rb_nats_serve(RB_NATS_CORE, o); }
static int serve_js(const rb_server_opts *o) { return rb_nats_serve(RB_NATS_JS, o); }

const rb_transport rb_transport_nats = {
    .name = "nats",
    .description = "NATS core request-reply via nats-server (cnats), MessagePack bodies, "
                   "queue group, reply inbox",
    .default_endpoint = NULL,
    .broker = &rb_broker_nats,
    .order = 24,
    .wire = "NATS text protocol (HPUB/HMSG) + MessagePack bodies (JSON, text answered)",
    .props = {
        .human_readable = "protocol lines yes, bodies no (MessagePack as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library (nats.go, nats.js, nats.py, cnats, …)",
        .restart = "no: at most once; requests in flight when the server dies are lost (the call times out); while no server subscribes, calls fail at once (no responders); the client reconnects to a restarted broker by itself",
    },
    .packages = {
        { "cnats", "libnats3.4" },
        { "nats-server", "nats-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_nats_init,
    .version = rb_nats_version,
    .connect = connect_core,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_core,
};

const rb_transport rb_transport_nats_js = {
    .name = "nats-js",
    .description = "NATS JetStream via nats-server (cnats), MessagePack bodies: work-queue stream "
                   "on file, PubAck, durable pull consumer, ack after reply",
    .default_endpoint = NULL,
    .broker = &rb_broker_nats,
    .order = 25,
    .wire = "NATS text protocol (HPUB/HMSG) + MessagePack bodies; JetStream PubAck and acks",
    .props = {
        .human_readable = "protocol lines yes, bodies no (MessagePack as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library with JetStream (nats.go, nats.js, cnats, …)",
        .restart = "yes: a request is stored (file) before its PubAck and acked after its reply; requests wait in the stream while no server runs, one whose server died is redelivered after 2 s; stored requests survive a broker restart",
    },
    .packages = {
        { "cnats", "libnats3.4" },
        { "nats-server", "nats-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_nats_init,
    .version = rb_nats_version,
    .connect = connect_js,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_js,
};
