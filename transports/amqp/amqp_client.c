/* amqp_client.c - the correlation-id RPC client and the three tables
 * (amqp, amqp-queue, amqp-durable).
 *
 * One client = one AMQP connection with one channel, used by one thread.
 * A call publishes the request to the default exchange with the request
 * queue as routing key, `mandatory` set (so a queue nobody declared comes
 * back at once as basic.return: "no server"), reply_to and a fresh
 * correlation_id, then reads frames until the reply with that correlation_id
 * arrives or the call's deadline passes. Replies with another correlation_id
 * (late answers to calls that timed out) are discarded and counted in
 * stale_replies. amqp-durable also waits for the broker's publisher confirm.
 *
 * A broken connection fails the call with RB_ECLOSED; the next call opens a
 * new connection (within its own deadline), so a client survives a broker
 * restart.
 */
#include "amqp_int.h"
#include "rabbitmq/rabbitmq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef struct amqp_cli {
    rb_client base;              /* first member: an rb_client * is an amqp_cli * */
    rb_amqp_kind kind;
    amqp_connection_state_t conn; /* NULL after a broken connection */
    char *queue;                 /* request queue name, owned */
    amqp_bytes_t reply_to;       /* reply queue (or amq.rabbitmq.reply-to), malloc'd */
    uint64_t seq;                /* last correlation number used */
    uint64_t publish_tag;        /* confirms: delivery tag of the last publish */
    char corr[24];               /* correlation_id of the call in flight */
    size_t corr_len;
    rb_buf req;             /* encoded request body, reused */
    rb_buf in;              /* a reply body that spans frames, reused */
} amqp_cli;

static const amqp_bytes_t direct_reply_to = { 21, (void *)"amq.rabbitmq.reply-to" };

static void release_reply_to(amqp_cli *c)
{
    if (c->reply_to.bytes && c->reply_to.bytes != direct_reply_to.bytes)
        amqp_bytes_free(c->reply_to);
    c->reply_to = amqp_empty_bytes;
}

/* Open the connection and prepare the reply path of c's kind.
 * Returns RB_OK or RB_ECONNECT with the reason in errbuf. */
static int open_conn(amqp_cli *c, int timeout_ms, char *errbuf, size_t errlen)
{
    char why[200];
    amqp_connection_state_t conn = NULL;
    int rc = rb_amqp_conn_open_env(RB_AMQP_URL_ENV_OF(c->kind), timeout_ms, &conn, errbuf, errlen);
    if (rc != RB_OK)
        goto fail;
    rc = RB_ECONNECT;
    release_reply_to(c);
    if (RB_AMQP_DIRECT_REPLY(c->kind)) {
        /* Direct reply-to: consumed with no-ack on the publishing channel
         * before the first publish, or the broker refuses the reply_to. */
        c->reply_to = direct_reply_to;
    } else {
        /* The tutorials' callback queue: server-named, exclusive, gone with
         * the connection. */
        amqp_queue_declare_ok_t *q = amqp_queue_declare(conn, RB_AMQP_CHANNEL,
            amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
        if (!q) {
            snprintf(errbuf, errlen, "cannot declare the callback queue: %s",
                     rb_amqp_reply_str(amqp_get_rpc_reply(conn), why, sizeof why));
            goto fail;
        }
        /* The name points into the connection's pool: copy it. */
        c->reply_to = amqp_bytes_malloc_dup(q->queue);
        if (!c->reply_to.bytes) {
            rc = RB_ENOMEM;
            snprintf(errbuf, errlen, "out of memory");
            goto fail;
        }
    }
    if (!amqp_basic_consume(conn, RB_AMQP_CHANNEL, c->reply_to, amqp_empty_bytes,
                            0, 1, 0, amqp_empty_table)) {
        snprintf(errbuf, errlen, "cannot consume replies from %.*s: %s",
                 (int)c->reply_to.len, (const char *)c->reply_to.bytes,
                 rb_amqp_reply_str(amqp_get_rpc_reply(conn), why, sizeof why));
        goto fail;
    }
    if (RB_AMQP_CONFIRMS(c->kind)) {
        if (!amqp_confirm_select(conn, RB_AMQP_CHANNEL)) {
            snprintf(errbuf, errlen, "cannot enable publisher confirms: %s",
                     rb_amqp_reply_str(amqp_get_rpc_reply(conn), why, sizeof why));
            goto fail;
        }
        c->publish_tag = 0;   /* confirm numbering starts at 1 per channel */
    }
    amqp_maybe_release_buffers(conn);
    c->conn = conn;
    return RB_OK;
fail:
    release_reply_to(c);
    rb_amqp_conn_close(&conn);
    return rc;
}

/* The connection is unusable (socket error, broker closed it): drop it so
 * the next call reconnects. Returns RB_ECLOSED for the caller to return. */
static int broken(amqp_cli *c, const char *what)
{
    rb_client_fail(&c->base, RB_ECLOSED, "broker connection lost: %s", what);
    if (c->conn) {
        /* No polite close on a connection in an unknown state. */
        amqp_destroy_connection(c->conn);
        c->conn = NULL;
    }
    return RB_ECLOSED;
}

/* Does a message's correlation_id equal the call in flight's? */
static int is_ours(const amqp_cli *c, const amqp_basic_properties_t *p)
{
    return (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) &&
           p->correlation_id.len == c->corr_len &&
           memcmp(p->correlation_id.bytes, c->corr, c->corr_len) == 0;
}

static const amqp_field_value_t *header(const amqp_basic_properties_t *p, const char *name)
{
    if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG))
        return NULL;
    size_t n = strlen(name);
    for (int i = 0; i < p->headers.num_entries; i++) {
        const amqp_table_entry_t *e = &p->headers.entries[i];
        if (e->key.len == n && memcmp(e->key.bytes, name, n) == 0)
            return &e->value;
    }
    return NULL;
}

static int header_str(const amqp_field_value_t *v, const char **s, size_t *len)
{
    if (!v || (v->kind != AMQP_FIELD_KIND_UTF8 && v->kind != AMQP_FIELD_KIND_BYTES))
        return 0;
    *s = v->value.bytes.bytes;
    *len = v->value.bytes.len;
    return 1;
}

/* An error reply (rpcbench-code / rpcbench-error headers) as an RB code. */
static int server_error(amqp_cli *c, const amqp_basic_properties_t *p)
{
    const char *code = NULL, *msg = "";
    size_t code_len = 0, msg_len = 0;
    int has_code = header_str(header(p, RB_AMQP_CODE_HEADER), &code, &code_len);
    int has_msg = header_str(header(p, RB_AMQP_ERR_HEADER), &msg, &msg_len);
    if (!has_code && !has_msg)
        return RB_OK;
    int err = RB_ESERVER;
    static const struct { const char *name; int err; } map[] = {
        { "EINVAL", RB_EINVAL }, { "ETOOBIG", RB_ETOOBIG },
        { "ENOMETHOD", RB_ENOMETHOD }, { "ESERVER", RB_ESERVER },
    };
    for (size_t i = 0; has_code && i < sizeof map / sizeof map[0]; i++)
        if (code_len == strlen(map[i].name) && memcmp(code, map[i].name, code_len) == 0)
            err = map[i].err;
    return rb_client_fail(&c->base, err, "server: %.*s", (int)(msg_len > 200 ? 200 : msg_len), msg);
}

/* The reply body by its content_type: MessagePack (what our server sends
 * for our MessagePack request) or JSON (a server that answers JSON). */
static int decode_reply(amqp_cli *c, rb_method m, const amqp_basic_properties_t *p,
                        const amqp_bytes_t *body, int64_t *num, rb_obj *obj)
{
    static const amqp_bytes_t json = { sizeof RB_AMQP_CT_JSON - 1, (void *)RB_AMQP_CT_JSON };
    const char *name = rb_method_name(m);
    char why[160];
    int rc;
    if ((p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG) && p->content_type.len == json.len &&
        memcmp(p->content_type.bytes, json.bytes, json.len) == 0) {
        rc = m == RB_M_GET_OBJ ? rb_amqp_json_get_obj(body->bytes, body->len, obj, why, sizeof why)
                               : rb_amqp_json_get_int(body->bytes, body->len, num, why, sizeof why);
        if (rc == RB_EINVAL)
            return rb_client_fail(&c->base, RB_EPROTO, "%s reply: %s", name, why);
        return rc == RB_OK ? RB_OK : rb_client_fail(&c->base, rc, "%s reply: %s", name, why);
    }
    rc = rb_amqp_mp_get_result(body, m, num, obj);
    if (rc == RB_EPROTO)
        return rb_client_fail(&c->base, rc, "%s reply (%.*s) is not the MessagePack result",
                              name, (int)((p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG) ? p->content_type.len : 0),
                              (const char *)p->content_type.bytes);
    return rc == RB_OK ? RB_OK : rb_client_fail(&c->base, rc, "%s reply: out of memory", name);
}

/* A frame that is not a delivery arrived: basic.return (with its message),
 * a confirm, or the broker closing things. Sets *done with the call's result
 * when the frame ends the call; *confirmed when it confirms our publish. */
static int other_frame(amqp_cli *c, const rb_amqp_msg *msg, int *done, int *confirmed)
{
    const amqp_frame_t f = msg->frame;
    if (f.frame_type != AMQP_FRAME_METHOD)
        return RB_OK;   /* stray content of a message we did not want */
    switch (f.payload.method.id) {
    case AMQP_BASIC_RETURN_METHOD: {
        amqp_basic_return_t *m = f.payload.method.decoded;
        unsigned code = m->reply_code;
        if (!is_ours(c, msg->props))
            return RB_OK;   /* the return of an old call: nothing to do */
        *done = 1;
        return rb_client_fail(&c->base, RB_ENOSERVER,
                              "no server: queue \"%s\" does not exist (basic.return %u)",
                              c->queue, code);
    }
    case AMQP_BASIC_ACK_METHOD: {
        amqp_basic_ack_t *m = f.payload.method.decoded;
        if (m->delivery_tag == c->publish_tag ||
            (m->multiple && m->delivery_tag >= c->publish_tag))
            *confirmed = 1;
        return RB_OK;
    }
    case AMQP_BASIC_NACK_METHOD: {
        amqp_basic_nack_t *m = f.payload.method.decoded;
        if (m->delivery_tag == c->publish_tag ||
            (m->multiple && m->delivery_tag >= c->publish_tag)) {
            *done = 1;
            return rb_client_fail(&c->base, RB_ESERVER,
                                  "the broker refused the request (basic.nack)");
        }
        return RB_OK;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
        amqp_channel_close_t *m = f.payload.method.decoded;
        char why[200];
        snprintf(why, sizeof why, "broker closed the channel: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        return *done = 1, broken(c, why);
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_connection_close_t *m = f.payload.method.decoded;
        char why[200];
        snprintf(why, sizeof why, "broker closed the connection: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_connection_close_ok_t ok = { 0 };
        amqp_send_method(c->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return *done = 1, broken(c, why);
    }
    case AMQP_BASIC_CANCEL_METHOD:
        /* Our reply consumer is gone (queue deleted): no reply can come. */
        return *done = 1, broken(c, "the broker cancelled the reply consumer");
    default:
        return RB_OK;
    }
}

/* Set c->corr to the next correlation_id: this client's call number in
 * decimal. */
static void next_corr(amqp_cli *c)
{
    char tmp[24];
    size_t n = 0;
    uint64_t v = ++c->seq;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(c->corr, tmp + sizeof tmp - n, n);
    c->corr_len = n;
}

/* Publish c->req (MessagePack) as method m. RB_OK or RB_ECLOSED. */
static int publish_request(amqp_cli *c, rb_method m)
{
    static const amqp_bytes_t ct = { sizeof RB_AMQP_CT_MSGPACK - 1, (void *)RB_AMQP_CT_MSGPACK };
    amqp_basic_properties_t p;
    next_corr(c);
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG |
               AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_TYPE_FLAG;
    p.content_type = ct;
    p.correlation_id = (amqp_bytes_t){ c->corr_len, c->corr };
    p.reply_to = c->reply_to;
    p.type = amqp_cstring_bytes(rb_method_name(m));
    if (RB_AMQP_CONFIRMS(c->kind)) {
        p._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
        p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    }
    amqp_bytes_t body = { c->req.len, c->req.data };
    int st = amqp_basic_publish(c->conn, RB_AMQP_CHANNEL, amqp_empty_bytes,
                                amqp_cstring_bytes(c->queue), 1, 0, &p, body);
    if (st != AMQP_STATUS_OK)
        return broken(c, amqp_error_string2(st));
    if (RB_AMQP_CONFIRMS(c->kind))
        c->publish_tag++;
    c->base.req_body_bytes = c->req.len;
    /* taken: written to the broker; with confirms only once confirmed */
    c->base.accepted = !RB_AMQP_CONFIRMS(c->kind);
    return RB_OK;
}

/* Read frames until the reply to the call in flight (and, for amqp-durable,
 * the publisher confirm) arrived, or the deadline; every frame of a message,
 * too, within the deadline. The reply is decoded by decode_reply() into
 * *num or obj as it arrives (its memory lives until the next read). */
static int wait_reply(amqp_cli *c, rb_method m, uint64_t deadline, int64_t *num, rb_obj *obj)
{
    int rc = RB_OK, got = 0, confirmed = !RB_AMQP_CONFIRMS(c->kind);
    for (;;) {
        int left = rb_ms_left(deadline);
        if (left == 0)
            return rb_client_fail(&c->base, RB_ETIMEDOUT, "no %s within %d ms on queue \"%s\"",
                                  got ? "publisher confirm" : "reply", c->base.timeout_ms, c->queue);
        rb_amqp_msg msg;
        amqp_maybe_release_buffers(c->conn);
        int st = rb_amqp_read(c->conn, left, left, (size_t)-1, &c->in, &msg);
        if (st == RB_ETIMEDOUT)
            continue;   /* the loop's head reports the deadline */
        if (st != RB_OK)
            return broken(c, st == RB_ENOMEM ? "out of memory"
                          : "connection lost, or a reply's frames late or malformed");
        if (msg.props && msg.frame.payload.method.id == AMQP_BASIC_DELIVER_METHOD) {
            if (got || !is_ours(c, msg.props)) {
                c->base.stale_replies++;
                continue;
            }
            got = 1;
            c->base.rep_body_bytes = msg.body.len;
            rc = server_error(c, msg.props);
            if (rc == RB_OK)
                rc = decode_reply(c, m, msg.props, &msg.body, num, obj);
        } else {
            int done = 0;
            int orc = other_frame(c, &msg, &done, &confirmed);
            if (confirmed)
                c->base.accepted = 1;
            if (done)
                return orc;
        }
        if (got && confirmed)
            return rc;
    }
}

/* One RPC: publish c->req as method m, wait for the matching reply and
 * decode it by its content_type into *num or obj. */
static int rpc(amqp_cli *c, rb_method m, int64_t *num, rb_obj *obj)
{
    const uint64_t deadline = rb_now_ns() + (uint64_t)c->base.timeout_ms * 1000000u;
    int rc;
    if (!c->conn) {
        char why[200];
        int left = rb_ms_left(deadline);
        rc = open_conn(c, left ? left : 1, why, sizeof why);
        if (rc != RB_OK)
            return rb_client_fail(&c->base, rc, "reconnect: %s", why);
    }
    rc = publish_request(c, m);
    if (rc != RB_OK)
        return rc;
    return wait_reply(c, m, deadline, num, obj);
}

static int cli_fib(rb_client *base, int64_t n, int64_t *result)
{
    amqp_cli *c = (amqp_cli *)base;
    if (rb_amqp_mp_put_args(&c->req, RB_M_FIB, n, NULL) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_FIB, result, NULL);
}

static int cli_get_obj(rb_client *base, rb_obj *out)
{
    amqp_cli *c = (amqp_cli *)base;
    if (rb_amqp_mp_put_args(&c->req, RB_M_GET_OBJ, 0, NULL) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_GET_OBJ, NULL, out);
}

static int cli_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    amqp_cli *c = (amqp_cli *)base;
    if (rb_amqp_mp_put_args(&c->req, RB_M_SEND_OBJ, 0, obj) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return rpc(c, RB_M_SEND_OBJ, count, NULL);
}

static void cli_close(rb_client *base)
{
    amqp_cli *c = (amqp_cli *)base;
    rb_amqp_conn_close(&c->conn);
    release_reply_to(c);
    rb_buf_free(&c->req);
    rb_buf_free(&c->in);
    free(c->queue);
    free(c);
}

static int cli_connect(rb_amqp_kind kind, const rb_client_opts *o, rb_client **out,
                       char *errbuf, size_t errlen)
{
    int rc = RB_ENOMEM;
    *out = NULL;
    amqp_cli *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->kind = kind;
    c->base.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : RB_DEFAULT_TIMEOUT_MS;
    const char *q = o->queue && *o->queue ? o->queue : RB_AMQP_DEFAULT_QUEUE;
    if (strlen(q) > 255) {
        rc = RB_EINVAL;
        snprintf(errbuf, errlen, "queue name longer than 255 bytes");
        goto fail;
    }
    c->queue = strdup(q);
    if (!c->queue)
        goto fail;
    rc = open_conn(c, c->base.timeout_ms, errbuf, errlen);
    if (rc != RB_OK)
        goto fail;
    *out = &c->base;
    return RB_OK;
fail:
    if (c) {
        free(c->queue);
        free(c);
    }
    if (rc == RB_ENOMEM && errlen && !errbuf[0])
        snprintf(errbuf, errlen, "out of memory");
    return rc;
}

static int connect_direct(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_AMQP_DIRECT, o, out, e, l);
}
static int connect_queue(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_AMQP_QUEUE, o, out, e, l);
}
static int connect_durable(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_AMQP_DURABLE, o, out, e, l);
}
static int serve_direct(const rb_server_opts *o) { return rb_amqp_serve(RB_AMQP_DIRECT, o); }
static int serve_queue(const rb_server_opts *o) { return rb_amqp_serve(RB_AMQP_QUEUE, o); }
static int serve_durable(const rb_server_opts *o) { return rb_amqp_serve(RB_AMQP_DURABLE, o); }
static int connect_quorum(const rb_client_opts *o, rb_client **out, char *e, size_t l)
{
    return cli_connect(RB_AMQP_QUORUM, o, out, e, l);
}
static int serve_quorum(const rb_server_opts *o) { return rb_amqp_serve(RB_AMQP_QUORUM, o); }

const rb_transport rb_transport_amqp = {
    .name = "amqp",
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c), MessagePack bodies, direct reply-to",
    .default_endpoint = NULL,
    .broker = &rb_broker_rabbitmq,
    .order = 20,
    .wire = "AMQP 0-9-1 frames + MessagePack bodies (JSON, text answered)",
    .props = {
        .human_readable = "no (MessagePack bodies as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library (pika, amqplib, …)",
        .restart = "partly: the client keeps its broker connection; requests wait in the queue (not auto-delete, expires 60 s after its last consumer) and are served when the server is back, or time out",
    },
    .packages = {
        { "rabbitmq-c", "librabbitmq4" },
        { "rabbitmq-server", "rabbitmq-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_amqp_init,
    .version = rb_amqp_version,
    .connect = connect_direct,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_direct,
};

const rb_transport rb_transport_amqp_queue = {
    .name = "amqp-queue",
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c), MessagePack bodies, exclusive callback queue",
    .default_endpoint = NULL,
    .broker = &rb_broker_rabbitmq,
    .order = 21,
    .wire = "AMQP 0-9-1 frames + MessagePack bodies (JSON, text answered)",
    .props = {
        .human_readable = "no (MessagePack bodies as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library",
        .restart = "partly, as amqp",
    },
    .packages = {
        { "rabbitmq-c", "librabbitmq4" },
        { "rabbitmq-server", "rabbitmq-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_amqp_init,
    .version = rb_amqp_version,
    .connect = connect_queue,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_queue,
};

const rb_transport rb_transport_amqp_durable = {
    .name = "amqp-durable",
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c), MessagePack bodies: durable queue, persistent "
                   "messages, publisher confirms, manual acks",
    .default_endpoint = NULL,
    .broker = &rb_broker_rabbitmq,
    .order = 22,
    .wire = "AMQP 0-9-1 frames + MessagePack bodies (JSON, text answered)",
    .props = {
        .human_readable = "no (MessagePack bodies as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library",
        .restart = "yes: requests wait in the durable queue and are served when it is back (unacked ones are redelivered); persistent messages survive a broker restart too",
    },
    .packages = {
        { "rabbitmq-c", "librabbitmq4" },
        { "rabbitmq-server", "rabbitmq-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_amqp_init,
    .version = rb_amqp_version,
    .connect = connect_durable,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_durable,
};

const rb_transport rb_transport_amqp_quorum = {
    .name = "amqp-quorum",
    .description = "AMQP 0-9-1 via a 3-node RabbitMQ cluster (rabbitmq-c), MessagePack bodies: quorum "
                   "request queue, persistent messages, publisher confirms, manual acks, direct reply-to",
    .default_endpoint = NULL,
    .broker = &rb_broker_rabbitmq_cluster,
    .order = 23,
    .wire = "AMQP 0-9-1 frames + MessagePack bodies (JSON, text answered)",
    .props = {
        .human_readable = "no (MessagePack bodies as built; JSON and plain text answered in kind)",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library",
        .restart = "yes: the quorum queue keeps confirmed requests while a majority of the 3 nodes "
                   "runs; a client reconnects to the next node of RPCBENCH_AMQP_CLUSTER_URL",
    },
    .packages = {
        { "rabbitmq-c", "librabbitmq4" },
        { "rabbitmq-server", "rabbitmq-server" },
        { "jansson", "libjansson4" },
    },
    .init = rb_amqp_init,
    .version = rb_amqp_version,
    .connect = connect_quorum,
    .fib = cli_fib,
    .get_obj = cli_get_obj,
    .send_obj = cli_send_obj,
    .close = cli_close,
    .serve = serve_quorum,
};
