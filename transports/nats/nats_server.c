/* nats_server.c - the server of both NATS transports: o->threads workers,
 * each with its own broker connection, set up before the ready line.
 *
 * nats: each worker is a member of queue group Q subscribed to "Q.*"; the
 * broker hands each request to one member; the reply goes to the request's
 * reply subject. A request the worker has not answered when it dies is
 * lost (core NATS keeps nothing).
 *
 * nats-js: the server makes sure of Q's work-queue stream and its durable
 * pull consumer (nats_js.c); each worker fetches one request at a time,
 * publishes the reply to the subject in its Rpcbench-Reply-To header, and
 * then acks it, so a request whose worker died before its reply is
 * delivered again (2 s later), and one with nowhere to answer is
 * terminated (never redelivered). */
#include "nats_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 100   /* rb_serve_stop is looked at this often */

typedef struct srv_worker {
    rb_nats_worker w;
    rb_nats_kind kind;
    jsCtx *js;
    natsSubscription *sub;
    pthread_t th;
    uint64_t fetch_errors;
} srv_worker;

static void nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void core_loop(srv_worker *sw)
{
    while (!rb_serve_stop) {
        natsMsg *msg = NULL;
        natsStatus s = natsSubscription_NextMsg(&msg, sw->sub, POLL_MS);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) {   /* a slow-consumer notice; the subscription goes on */
            sw->fetch_errors++;
            continue;
        }
        rb_nats_handle(&sw->w, msg, natsMsg_GetReply(msg));
        natsMsg_Destroy(msg);
    }
}

static void js_loop(srv_worker *sw)
{
    while (!rb_serve_stop) {
        natsMsgList list = { 0 };
        jsErrCode jerr = 0;
        natsStatus s = natsSubscription_Fetch(&list, sw->sub, 1, POLL_MS, &jerr);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) {   /* the broker away: it reconnects; try again */
            sw->fetch_errors++;
            nap_ms(POLL_MS);
            continue;
        }
        for (int i = 0; i < list.Count; i++) {
            const char *reply = NULL;
            uint64_t dropped = sw->w.dropped;
            if (natsMsgHeader_Get(list.Msgs[i], RB_NATS_REPLY_HEADER, &reply) != NATS_OK)
                reply = NULL;
            rb_nats_handle(&sw->w, list.Msgs[i], reply);
            /* after the reply went out: the request leaves the stream */
            if (sw->w.dropped != dropped)
                natsMsg_Term(list.Msgs[i], NULL);
            else
                natsMsg_Ack(list.Msgs[i], NULL);
        }
        natsMsgList_Destroy(&list);
    }
}

static void *worker_main(void *arg)
{
    srv_worker *sw = arg;
    if (sw->kind == RB_NATS_JS)
        js_loop(sw);
    else
        core_loop(sw);
    return NULL;
}

/* Worker sw's connection and subscription on queue q. RB_OK, or an error
 * with the reason on stderr. */
static int open_worker(srv_worker *sw, const char *q, int idx)
{
    char err[400], subj[RB_NATS_MAX_QUEUE + 3], stream[RB_NATS_MAX_QUEUE + 1], name[64];
    jsErrCode jerr = 0;
    snprintf(subj, sizeof subj, "%s.*", q);
    snprintf(name, sizeof name, "rpcbench-server-%d", idx);
    int rc = rb_nats_connect(name, 10000, &sw->w.nc, err, sizeof err);
    natsStatus s = NATS_OK;
    if (rc != RB_OK)
        goto fail;
    if (sw->kind == RB_NATS_CORE) {
        s = natsConnection_QueueSubscribeSync(&sw->sub, sw->w.nc, subj, q);
        if (s == NATS_OK)   /* bounded: a flood is dropped, not kept */
            s = natsSubscription_SetPendingLimits(sw->sub, 65536,
                    (int)(sw->w.max_request > (64u << 20) ? 2 * sw->w.max_request + (1u << 20)
                                                          : (128u << 20)));
    } else {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        rb_nats_js_stream_name(q, stream, sizeof stream);
        so.Stream = stream;
        so.Consumer = rb_nats_js_consumer();
        s = natsConnection_JetStream(&sw->js, sw->w.nc, NULL);
        if (s == NATS_OK)
            s = js_PullSubscribe(&sw->sub, sw->js, subj, rb_nats_js_consumer(), NULL, &so, &jerr);
    }
    if (s == NATS_OK)   /* subscribed at the broker before the ready line */
        s = natsConnection_FlushTimeout(sw->w.nc, 10000);
    if (s == NATS_OK)
        return RB_OK;
    snprintf(err, sizeof err, "cannot subscribe to %s: %s (%s)", subj, natsStatus_GetText(s),
             nats_GetLastError(NULL));
    rc = RB_ECONNECT;
fail:
    fprintf(stderr, "%s server: %s\n", sw->kind == RB_NATS_JS ? "nats-js" : "nats", err);
    return rc;
}

static void close_worker(srv_worker *sw)
{
    natsSubscription_Destroy(sw->sub);
    jsCtx_Destroy(sw->js);
    natsConnection_Destroy(sw->w.nc);
    rb_obj_free(&sw->w.obj);
    rb_buf_free(&sw->w.out);
}

/* nats-js: the stream and the consumer, on a connection of their own. */
static int setup_stream(const char *q, size_t max_request)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    char err[400];
    int rc = rb_nats_connect("rpcbench-server-setup", 10000, &nc, err, sizeof err);
    if (rc == RB_OK)
        rc = natsConnection_JetStream(&js, nc, NULL) == NATS_OK ? RB_OK : RB_ENOMEM;
    if (rc == RB_OK)
        rc = rb_nats_js_setup(js, q, max_request, err, sizeof err);
    if (rc != RB_OK)
        fprintf(stderr, "nats-js server: %s\n", err);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}

/* Said at exit when something unusual happened. */
static void summary(rb_nats_kind kind, const char *q, const srv_worker *ws, int n)
{
    uint64_t calls = 0, errors = 0, dropped = 0, fetch_errors = 0;
    for (int i = 0; i < n; i++) {
        calls += ws[i].w.calls;
        errors += ws[i].w.errors;
        dropped += ws[i].w.dropped;
        fetch_errors += ws[i].fetch_errors;
    }
    if (errors || dropped || fetch_errors)
        fprintf(stderr, "%s server on \"%s\": %llu requests, %llu error replies, %llu dropped "
                "(no usable reply subject), %llu failed receives\n",
                kind == RB_NATS_JS ? "nats-js" : "nats", q, (unsigned long long)calls,
                (unsigned long long)errors, (unsigned long long)dropped,
                (unsigned long long)fetch_errors);
}

int rb_nats_serve(rb_nats_kind kind, const rb_server_opts *o)
{
    const char *q = o->queue && *o->queue ? o->queue : RB_NATS_DEFAULT_QUEUE_OF(kind);
    int n = o->threads > 0 ? o->threads : 1, opened = 0, started = 0, rc = RB_ENOMEM;
    rb_obj get_obj;
    rb_obj_init(&get_obj);
    srv_worker *ws = calloc((size_t)n, sizeof *ws);
    rb_nats_init();
    if (!rb_nats_queue_ok(q)) {
        fprintf(stderr, "nats server: queue \"%s\" is not a subject prefix (1..%d printable "
                "bytes, no blank, '*', '>', leading '$' or empty token)\n", q, RB_NATS_MAX_QUEUE);
        rc = RB_EINVAL;
        goto done;
    }
    if (!ws || rb_service_get_obj(o->entries, &get_obj) != RB_OK)
        goto done;
    size_t max_request = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;
    if (kind == RB_NATS_JS && (rc = setup_stream(q, max_request)) != RB_OK)
        goto done;
    for (; opened < n; opened++) {
        ws[opened] = (srv_worker){ .kind = kind, .w = { .prefix = q, .max_request = max_request,
                                                        .get_obj = &get_obj } };
        rb_obj_init(&ws[opened].w.obj);
        if ((rc = open_worker(&ws[opened], q, opened)) != RB_OK) {
            close_worker(&ws[opened]);
            goto done;
        }
    }
    for (rc = RB_OK; started < n; started++)
        if (pthread_create(&ws[started].th, NULL, worker_main, &ws[started]) != 0) {
            rc = RB_ENOMEM;
            rb_serve_stop = 1;
            break;
        }
    if (rc == RB_OK)
        rb_serve_ready_queue(q);
    while (!rb_serve_stop)
        nap_ms(20);
done:
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].th, NULL);
    if (rc == RB_OK)
        summary(kind, q, ws, n);
    for (int i = 0; i < opened; i++)
        close_worker(&ws[i]);
    free(ws);
    rb_obj_free(&get_obj);
    return rc;
}
