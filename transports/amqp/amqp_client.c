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
    rb_amqp_buf req;             /* encoded request body, reused */
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
    int rc = rb_amqp_conn_open(timeout_ms, &conn, errbuf, errlen);
    if (rc != RB_OK)
        goto fail;
    rc = RB_ECONNECT;
    release_reply_to(c);
    if (c->kind == RB_AMQP_DIRECT) {
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
    if (c->kind == RB_AMQP_DURABLE) {
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

/* A frame that is not a delivery arrived: basic.return, a confirm, or the
 * broker closing things. Sets *done with the call's result when the frame
 * ends the call; *confirmed when it confirms our publish. */
static int other_frame(amqp_cli *c, struct timeval *tv, int *done, int *confirmed)
{
    amqp_frame_t f;
    int st = amqp_simple_wait_frame_noblock(c->conn, &f, tv);
    if (st == AMQP_STATUS_TIMEOUT)
        return RB_OK;
    if (st != AMQP_STATUS_OK)
        return *done = 1, broken(c, amqp_error_string2(st));
    if (f.frame_type != AMQP_FRAME_METHOD)
        return RB_OK;   /* stray content of a message we did not want */
    switch (f.payload.method.id) {
    case AMQP_BASIC_RETURN_METHOD: {
        amqp_basic_return_t *m = f.payload.method.decoded;
        unsigned code = m->reply_code;
        amqp_message_t msg;
        amqp_rpc_reply_t r = amqp_read_message(c->conn, f.channel, &msg, 0);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            char why[200];
            return *done = 1, broken(c, rb_amqp_reply_str(r, why, sizeof why));
        }
        int ours = is_ours(c, &msg.properties);
        amqp_destroy_message(&msg);
        if (!ours)
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

/* One RPC: publish c->req as method `type`, wait for the matching reply.
 * On RB_OK *rep holds the reply (the caller destroys it). */
static int rpc(amqp_cli *c, const char *type, amqp_envelope_t *rep)
{
    const uint64_t deadline = rb_now_ns() + (uint64_t)c->base.timeout_ms * 1000000u;
    int rc;
    int got = 0, confirmed = c->kind != RB_AMQP_DURABLE;
    memset(rep, 0, sizeof *rep);

    if (!c->conn) {
        char why[200];
        int left = rb_ms_left(deadline);
        rc = open_conn(c, left ? left : 1, why, sizeof why);
        if (rc != RB_OK)
            return rb_client_fail(&c->base, rc, "reconnect: %s", why);
    }

    /* The correlation_id: this client's call number, in decimal. */
    char tmp[24];
    size_t n = 0;
    uint64_t v = ++c->seq;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(c->corr, tmp + sizeof tmp - n, n);
    c->corr_len = n;

    amqp_basic_properties_t p;
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG |
               AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_TYPE_FLAG;
    p.content_type = (amqp_bytes_t){ sizeof RB_AMQP_CONTENT_TYPE - 1, (void *)RB_AMQP_CONTENT_TYPE };
    p.correlation_id = (amqp_bytes_t){ c->corr_len, c->corr };
    p.reply_to = c->reply_to;
    p.type = amqp_cstring_bytes(type);
    if (c->kind == RB_AMQP_DURABLE) {
        p._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
        p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    }
    amqp_bytes_t body = { c->req.len, c->req.data };
    amqp_bytes_t rk = amqp_cstring_bytes(c->queue);
    int st = amqp_basic_publish(c->conn, RB_AMQP_CHANNEL, amqp_empty_bytes, rk,
                                1, 0, &p, body);
    if (st != AMQP_STATUS_OK)
        return broken(c, amqp_error_string2(st));
    if (c->kind == RB_AMQP_DURABLE)
        c->publish_tag++;
    c->base.req_body_bytes = c->req.len;

    for (;;) {
        int left = rb_ms_left(deadline);
        if (left == 0) {
            rc = rb_client_fail(&c->base, RB_ETIMEDOUT,
                                "no %s within %d ms on queue \"%s\"",
                                got ? "publisher confirm" : "reply",
                                c->base.timeout_ms, c->queue);
            goto fail;
        }
        struct timeval tv = { left / 1000, (left % 1000) * 1000 };
        amqp_maybe_release_buffers(c->conn);
        amqp_envelope_t env;
        amqp_rpc_reply_t r = amqp_consume_message(c->conn, &env, &tv, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
            if (!got && is_ours(c, &env.message.properties)) {
                *rep = env;   /* body and properties are the envelope's own */
                got = 1;
                if (confirmed)
                    break;
                continue;   /* amqp-durable: the confirm is still due */
            }
            c->base.stale_replies++;
            amqp_destroy_envelope(&env);
            continue;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            continue;   /* the loop's head reports the deadline */
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            int done = 0;
            rc = other_frame(c, &tv, &done, &confirmed);
            if (done)
                goto fail;
            if (got && confirmed)
                break;
            continue;
        }
        char why[200];
        rc = broken(c, rb_amqp_reply_str(r, why, sizeof why));
        goto fail;
    }
    c->base.rep_body_bytes = rep->message.body.len;
    rc = server_error(c, &rep->message.properties);
    if (rc != RB_OK)
        goto fail;
    return RB_OK;
fail:
    if (got)
        amqp_destroy_envelope(rep);
    memset(rep, 0, sizeof *rep);
    return rc;
}

static int reply_int(amqp_cli *c, const char *type, int64_t *out)
{
    amqp_envelope_t rep;
    int rc = rpc(c, type, &rep);
    if (rc != RB_OK)
        return rc;
    char why[160];
    if (rb_amqp_json_get_int(rep.message.body.bytes, rep.message.body.len, out,
                             why, sizeof why) != RB_OK)
        rc = rb_client_fail(&c->base, RB_EPROTO, "%s reply: %s", type, why);
    amqp_destroy_envelope(&rep);
    return rc;
}

static int cli_fib(rb_client *base, int64_t n, int64_t *result)
{
    amqp_cli *c = (amqp_cli *)base;
    if (rb_amqp_json_put_int(&c->req, n) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "out of memory");
    return reply_int(c, RB_METHOD_FIB, result);
}

static int cli_get_obj(rb_client *base, rb_obj *out)
{
    amqp_cli *c = (amqp_cli *)base;
    c->req.len = 0;   /* getObj takes no argument: an empty body */
    amqp_envelope_t rep;
    int rc = rpc(c, RB_METHOD_GET_OBJ, &rep);
    if (rc != RB_OK)
        return rc;
    char why[160];
    rc = rb_amqp_json_get_obj(rep.message.body.bytes, rep.message.body.len, out,
                              why, sizeof why);
    if (rc == RB_EINVAL)
        rc = rb_client_fail(base, RB_EPROTO, "getObj reply: %s", why);
    else if (rc != RB_OK)
        rc = rb_client_fail(base, rc, "getObj reply: %s", why);
    amqp_destroy_envelope(&rep);
    return rc;
}

static int cli_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    amqp_cli *c = (amqp_cli *)base;
    int rc = rb_amqp_json_put_obj(&c->req, obj);
    if (rc != RB_OK)
        return rb_client_fail(base, rc, "cannot encode the object as JSON");
    return reply_int(c, RB_METHOD_SEND_OBJ, count);
}

static void cli_close(rb_client *base)
{
    amqp_cli *c = (amqp_cli *)base;
    rb_amqp_conn_close(&c->conn);
    release_reply_to(c);
    rb_amqp_buf_free(&c->req);
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

const rb_transport rb_transport_amqp = {
    .name = "amqp",
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c), JSON bodies, direct reply-to",
    .default_endpoint = NULL,
    .uses_broker = 1,
    .broker = RB_BROKER_RABBITMQ,
    .order = 20,
    .wire = "AMQP 0-9-1 frames + JSON bodies",
    .props = {
        .human_readable = "bodies yes (JSON), framing no",
        .schema = "none",
        .streaming = "no (messages)",
        .stdlib = "no: a client library (pika, amqplib, …)",
        .restart = "partly: the client keeps its broker connection; while the server is down calls fail (its request queue is auto-delete as built), then work again",
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
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c), JSON bodies, exclusive callback queue",
    .default_endpoint = NULL,
    .uses_broker = 1,
    .broker = RB_BROKER_RABBITMQ,
    .order = 21,
    .wire = "AMQP 0-9-1 frames + JSON bodies",
    .props = {
        .human_readable = "bodies yes (JSON), framing no",
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
    .description = "AMQP 0-9-1 via RabbitMQ (rabbitmq-c): durable queue, persistent "
                   "messages, publisher confirms, manual acks",
    .default_endpoint = NULL,
    .uses_broker = 1,
    .broker = RB_BROKER_RABBITMQ,
    .order = 22,
    .wire = "AMQP 0-9-1 frames + JSON bodies",
    .props = {
        .human_readable = "bodies yes (JSON), framing no",
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
