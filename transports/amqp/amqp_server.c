/* amqp_server.c - `rpcbench serve amqp|amqp-queue|amqp-durable`.
 *
 * `threads` workers, each with its own connection and channel, consume the
 * request queue with manual acks and basic.qos prefetch. For each request:
 * decode the JSON body, run the method named by the `type` property (none:
 * fib, so the RabbitMQ tutorial's client works), publish the reply through
 * the default exchange to reply_to with the request's correlation_id, then
 * ack the request. Every bad request (bad JSON, wrong type, unknown method,
 * fib out of range, over the size limit) gets an error reply with the
 * rpcbench-code / rpcbench-error headers; a request without reply_to is
 * acked, counted and dropped. A worker whose connection breaks reconnects.
 *
 * Queue: amqp and amqp-queue declare it non-durable and auto-delete (it goes
 * away with its last consumer, so clients then get "no server" at once);
 * amqp-durable declares it durable (it and its persistent requests survive a
 * broker restart).
 */
#include "amqp_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define POLL_MS 50           /* how often a worker looks at rb_serve_stop */
#define CONNECT_TIMEOUT_MS 5000

typedef struct srv_shared {
    rb_amqp_kind kind;
    const char *queue;
    size_t entries;
    size_t max_request;
    int prefetch;
    int nthreads;
    volatile sig_atomic_t stop;   /* startup failed: workers quit */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;                  /* workers whose consumer is registered */
    int failed;                   /* workers that could not start */
    char err[300];                /* the first startup failure */
} srv_shared;

typedef struct srv_worker {
    srv_shared *sh;
    int id;
    pthread_t th;
    amqp_connection_state_t conn;
    rb_obj obj;                   /* decoded sendObj / getObj reply, reused */
    rb_amqp_buf out;              /* encoded reply body, reused */
    uint64_t calls, errors, dropped, reconnects;
} srv_worker;

static const char *kind_name(rb_amqp_kind k)
{
    return k == RB_AMQP_DIRECT ? "amqp" : k == RB_AMQP_QUEUE ? "amqp-queue" : "amqp-durable";
}

static int stopping(const srv_worker *w)
{
    return rb_serve_stop || w->sh->stop;
}

/* Connect, declare the queue, set the prefetch and start consuming.
 * Returns RB_OK or an error with the reason in err. */
static int worker_setup(srv_worker *w, char *err, size_t errlen)
{
    const srv_shared *sh = w->sh;
    char why[200];
    int rc = rb_amqp_conn_open(CONNECT_TIMEOUT_MS, &w->conn, err, errlen);
    if (rc != RB_OK)
        return rc;
    rc = RB_ECONNECT;
    amqp_bytes_t q = amqp_cstring_bytes(sh->queue);
    int durable = sh->kind == RB_AMQP_DURABLE;
    if (!amqp_queue_declare(w->conn, RB_AMQP_CHANNEL, q, 0, durable, 0, !durable,
                            amqp_empty_table)) {
        snprintf(err, errlen, "cannot declare %squeue \"%s\": %s",
                 durable ? "durable " : "", sh->queue,
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->conn), why, sizeof why));
        goto fail;
    }
    if (sh->prefetch > 0 &&
        !amqp_basic_qos(w->conn, RB_AMQP_CHANNEL, 0,
                        (uint16_t)(sh->prefetch > 65535 ? 65535 : sh->prefetch), 0)) {
        snprintf(err, errlen, "basic.qos prefetch %d: %s", sh->prefetch,
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->conn), why, sizeof why));
        goto fail;
    }
    if (!amqp_basic_consume(w->conn, RB_AMQP_CHANNEL, q, amqp_empty_bytes, 0, 0, 0,
                            amqp_empty_table)) {
        snprintf(err, errlen, "cannot consume \"%s\": %s", sh->queue,
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->conn), why, sizeof why));
        goto fail;
    }
    amqp_maybe_release_buffers(w->conn);
    return RB_OK;
fail:
    rb_amqp_conn_close(&w->conn);
    return rc;
}

/* Copy at most n bytes of untrusted text as printable ASCII (others '?'),
 * so error messages stay valid UTF-8 and one line. */
static void clean(char *dst, size_t dstlen, const void *src, size_t n)
{
    const unsigned char *s = src;
    size_t i = 0;
    for (; i < n && i + 1 < dstlen; i++)
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? (char)s[i] : '?';
    dst[i] = '\0';
}

/* Publish the reply to the request env (body w->out, or an error when err is
 * not RB_OK). Returns the rabbitmq-c status. */
static int send_reply(srv_worker *w, const amqp_envelope_t *env, int err, const char *msg)
{
    const amqp_basic_properties_t *rp = &env->message.properties;
    amqp_basic_properties_t p;
    amqp_table_entry_t h[2];
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
    p.content_type = (amqp_bytes_t){ sizeof RB_AMQP_CONTENT_TYPE - 1, (void *)RB_AMQP_CONTENT_TYPE };
    if (rp->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
        p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        p.correlation_id = rp->correlation_id;
    }
    if (err != RB_OK) {
        const char *code = err == RB_EINVAL ? "EINVAL" : err == RB_ETOOBIG ? "ETOOBIG"
                         : err == RB_ENOMETHOD ? "ENOMETHOD" : "ESERVER";
        h[0].key = amqp_cstring_bytes(RB_AMQP_ERR_HEADER);
        h[0].value.kind = AMQP_FIELD_KIND_UTF8;
        h[0].value.value.bytes = amqp_cstring_bytes(msg);
        h[1].key = amqp_cstring_bytes(RB_AMQP_CODE_HEADER);
        h[1].value.kind = AMQP_FIELD_KIND_UTF8;
        h[1].value.value.bytes = amqp_cstring_bytes(code);
        p._flags |= AMQP_BASIC_HEADERS_FLAG;
        p.headers = (amqp_table_t){ 2, h };
        /* The body says it too, for clients that ignore headers. */
        if (rb_amqp_json_put_error(&w->out, msg, code) != RB_OK)
            w->out.len = 0;
    }
    amqp_bytes_t body = { w->out.len, w->out.data };
    return amqp_basic_publish(w->conn, RB_AMQP_CHANNEL, amqp_empty_bytes,
                              rp->reply_to, 0, 0, &p, body);
}

/* Run the request's method into w->out. Returns RB_OK or the error code
 * with a message in msg. */
static int run_method(srv_worker *w, const amqp_envelope_t *env, char *msg, size_t msglen)
{
    const amqp_basic_properties_t *rp = &env->message.properties;
    const amqp_bytes_t *body = &env->message.body;
    char why[160], name[64];
    int m = RB_M_FIB;   /* no type: the tutorial's fib request */
    if ((rp->_flags & AMQP_BASIC_TYPE_FLAG) && rp->type.len) {
        m = rb_method_from_name(rp->type.bytes, rp->type.len);
        if (m < 0) {
            clean(name, sizeof name, rp->type.bytes, rp->type.len);
            snprintf(msg, msglen, "unknown method \"%s\"", name);
            return RB_ENOMETHOD;
        }
    }
    if (body->len > w->sh->max_request) {
        snprintf(msg, msglen, "request of %zu bytes is over the limit of %zu bytes",
                 body->len, w->sh->max_request);
        return RB_ETOOBIG;
    }
    int64_t n, r;
    int rc;
    switch (m) {
    case RB_M_FIB:
        rc = rb_amqp_json_get_int(body->bytes, body->len, &n, why, sizeof why);
        if (rc != RB_OK) {
            snprintf(msg, msglen, "fib: %s", why);
            return rc;
        }
        if (rb_fib(n, &r) != RB_OK) {
            snprintf(msg, msglen, "fib(%lld): n must be 0..%d", (long long)n, RB_FIB_MAX);
            return RB_EINVAL;
        }
        return rb_amqp_json_put_int(&w->out, r);
    case RB_M_GET_OBJ:
        rc = rb_service_get_obj(w->sh->entries, &w->obj);
        if (rc == RB_OK)
            rc = rb_amqp_json_put_obj(&w->out, &w->obj);
        if (rc != RB_OK)
            snprintf(msg, msglen, "getObj: %s", rb_strerror(rc));
        return rc == RB_OK ? RB_OK : RB_ESERVER;
    default:   /* RB_M_SEND_OBJ */
        rc = rb_amqp_json_get_obj(body->bytes, body->len, &w->obj, why, sizeof why);
        if (rc != RB_OK) {
            snprintf(msg, msglen, "sendObj: %s", why);
            return rc == RB_EINVAL ? RB_EINVAL : RB_ESERVER;
        }
        rb_service_send_obj(&w->obj, &r);
        return rb_amqp_json_put_int(&w->out, r);
    }
}

/* One request: reply, then ack. Returns the rabbitmq-c status of the
 * publish/ack (an error means the connection is gone). */
static int handle(srv_worker *w, const amqp_envelope_t *env)
{
    const amqp_basic_properties_t *rp = &env->message.properties;
    int st;
    w->calls++;
    if (!(rp->_flags & AMQP_BASIC_REPLY_TO_FLAG) || rp->reply_to.len == 0) {
        w->dropped++;   /* nowhere to answer */
        return amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, env->delivery_tag, 0);
    }
    char msg[256];
    msg[0] = '\0';
    int rc = run_method(w, env, msg, sizeof msg);
    if (rc != RB_OK) {
        w->errors++;
        if (!msg[0])
            snprintf(msg, sizeof msg, "%s", rb_strerror(rc));
    }
    /* A request the broker delivers again may be the one that made the
     * broker close our channel on the reply (say a reply_to it rejects):
     * ack it first, so it cannot come back forever. */
    if (env->redelivered) {
        st = amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, env->delivery_tag, 0);
        if (st == AMQP_STATUS_OK)
            st = send_reply(w, env, rc, msg);
        return st;
    }
    st = send_reply(w, env, rc, msg);
    if (st == AMQP_STATUS_OK)
        st = amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, env->delivery_tag, 0);
    return st;
}

static void nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* A frame that is not a delivery: the broker closing the channel or the
 * connection ends this connection; anything else is ignored. Returns 1 when
 * the connection must be dropped. */
static int other_frame(srv_worker *w, char *why, size_t whylen)
{
    amqp_frame_t f;
    struct timeval tv = { 0, 0 };
    int st = amqp_simple_wait_frame_noblock(w->conn, &f, &tv);
    if (st == AMQP_STATUS_TIMEOUT)
        return 0;
    if (st != AMQP_STATUS_OK) {
        snprintf(why, whylen, "%s", amqp_error_string2(st));
        return 1;
    }
    if (f.frame_type != AMQP_FRAME_METHOD)
        return 0;
    if (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_t *m = f.payload.method.decoded;
        snprintf(why, whylen, "broker closed the channel: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        return 1;
    }
    if (f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_t *m = f.payload.method.decoded;
        snprintf(why, whylen, "broker closed the connection: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_connection_close_ok_t ok = { 0 };
        amqp_send_method(w->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return 1;
    }
    if (f.payload.method.id == AMQP_BASIC_CANCEL_METHOD) {
        snprintf(why, whylen, "the broker cancelled our consumer (queue deleted?)");
        return 1;
    }
    return 0;
}

static void drop_conn(srv_worker *w, const char *why)
{
    fprintf(stderr, "%s worker %d: %s; reconnecting\n", kind_name(w->sh->kind), w->id, why);
    amqp_destroy_connection(w->conn);
    w->conn = NULL;
}

static void *worker_main(void *arg)
{
    srv_worker *w = arg;
    srv_shared *sh = w->sh;
    char err[300];

    int rc = worker_setup(w, err, sizeof err);
    pthread_mutex_lock(&sh->mu);
    if (rc == RB_OK) {
        sh->started++;
    } else {
        if (!sh->failed++)
            snprintf(sh->err, sizeof sh->err, "%s", err);
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    if (rc != RB_OK)
        return NULL;

    while (!stopping(w)) {
        if (!w->conn) {
            if (worker_setup(w, err, sizeof err) != RB_OK) {
                nap_ms(100);
                continue;
            }
            w->reconnects++;
        }
        struct timeval tv = { 0, POLL_MS * 1000 };
        amqp_envelope_t env;
        amqp_maybe_release_buffers(w->conn);
        amqp_rpc_reply_t r = amqp_consume_message(w->conn, &env, &tv, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
            int st = handle(w, &env);
            amqp_destroy_envelope(&env);
            if (st != AMQP_STATUS_OK)
                drop_conn(w, amqp_error_string2(st));
            continue;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            continue;
        char why[200];
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            if (other_frame(w, why, sizeof why))
                drop_conn(w, why);
            continue;
        }
        drop_conn(w, rb_amqp_reply_str(r, why, sizeof why));
    }
    rb_amqp_conn_close(&w->conn);
    return NULL;
}

int rb_amqp_serve(rb_amqp_kind kind, const rb_server_opts *o)
{
    int rc = RB_OK;
    srv_shared sh = {
        .kind = kind,
        .queue = o->queue && *o->queue ? o->queue : RB_AMQP_DEFAULT_QUEUE,
        .entries = o->entries,
        .max_request = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST,
        .prefetch = o->prefetch,
        .nthreads = o->threads > 0 ? o->threads : 1,
    };
    srv_worker *ws = NULL;
    int spawned = 0;

    rb_amqp_init();
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    if (strlen(sh.queue) > 255) {
        fprintf(stderr, "amqp: queue name longer than 255 bytes\n");
        rc = RB_EINVAL;
        goto done;
    }
    ws = calloc((size_t)sh.nthreads, sizeof *ws);
    if (!ws) {
        rc = RB_ENOMEM;
        goto done;
    }
    for (int i = 0; i < sh.nthreads; i++) {
        ws[i].sh = &sh;
        ws[i].id = i;
        rb_obj_init(&ws[i].obj);
        if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
            pthread_mutex_lock(&sh.mu);
            sh.failed++;
            snprintf(sh.err, sizeof sh.err, "cannot start a thread");
            pthread_mutex_unlock(&sh.mu);
            break;
        }
        spawned++;
    }
    /* Ready once every consumer is registered: a request published after
     * "ready" finds a consumer. */
    pthread_mutex_lock(&sh.mu);
    while (sh.started + sh.failed < spawned + (spawned < sh.nthreads))
        pthread_cond_wait(&sh.cv, &sh.mu);
    int failed = sh.failed;
    pthread_mutex_unlock(&sh.mu);
    if (failed) {
        fprintf(stderr, "%s: %s\n", kind_name(kind), sh.err);
        sh.stop = 1;
        rc = RB_ECONNECT;
    } else {
        printf("ready %s\n", sh.queue);
        fflush(stdout);
    }
done:
    for (int i = 0; i < spawned; i++)
        pthread_join(ws[i].th, NULL);
    uint64_t calls = 0, errors = 0, dropped = 0, reconnects = 0;
    for (int i = 0; ws && i < sh.nthreads; i++) {
        calls += ws[i].calls;
        errors += ws[i].errors;
        dropped += ws[i].dropped;
        reconnects += ws[i].reconnects;
        rb_obj_free(&ws[i].obj);
        rb_amqp_buf_free(&ws[i].out);
    }
    /* Said at exit when something unusual happened (kept quiet otherwise:
     * the harness shows the server's stderr). */
    if (rc == RB_OK && (errors || dropped || reconnects))
        fprintf(stderr, "%s server on \"%s\": %llu requests, %llu error replies, "
                "%llu dropped (no reply_to), %llu reconnects\n",
                kind_name(kind),
                sh.queue, (unsigned long long)calls, (unsigned long long)errors,
                (unsigned long long)dropped, (unsigned long long)reconnects);
    free(ws);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    return rc;
}
