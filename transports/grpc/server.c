/* server.c - the grpc transport's server, driven by completion queues.
 *
 * T worker threads each own a completion queue (registered with the server)
 * and a fixed set of call slots. A slot waits for a new call of one method
 * (grpc_server_request_registered_call, the request message read by the
 * library), answers it with one batch (initial metadata, reply message,
 * status, close), and when that batch completes frees the call and waits for
 * the next one: no allocation per call beyond what the library and protobuf-c
 * need. One generic slot kind (grpc_server_request_call) catches every other
 * method path and answers UNIMPLEMENTED; without it such calls would wait in
 * the server until their deadline.
 *
 * Status codes: INVALID_ARGUMENT (ours) for an undecodable message or fib(n)
 * outside 0..92; UNIMPLEMENTED for an unknown method (ours) and for a
 * compressed request (the library: only identity compression is enabled);
 * RESOURCE_EXHAUSTED from the library when a request exceeds the max receive
 * message length, set to the project's request size limit, and from us when
 * a message holds more than RB_MAX_ELEMENTS fields (counted on the wire
 * before protobuf-c allocates them).
 *
 * Memory: big payloads (RB_GRPC_BIG_BYTES) are decoded RB_GRPC_BIG_AT_ONCE
 * at a time and the heap is trimmed after each (see handle()).
 *
 * Shutdown: the serving thread polls rb_serve_stop every 10 ms, then stops
 * the workers from posting new slots, shuts the server down, cancels the
 * calls in flight, shuts every queue down and joins the workers, which free
 * each slot's call as its last event arrives.
 */
#include "rb_grpc.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

extern const rb_transport rb_transport_grpc;

enum { K_FIB = 0, K_GET_OBJ, K_SEND_OBJ, K_GENERIC, K__COUNT };

/* Slots per worker: calls of one method in flight at once on one worker.
 * More calls than slots wait inside the library, not on the wire. */
#define SLOTS_PER_METHOD 8
#define SLOTS_GENERIC 2
#define SLOTS_PER_WORKER (3 * SLOTS_PER_METHOD + SLOTS_GENERIC)

/* Worker threads when the caller gives none (rpcbench serve passes 1). On
 * this 2-core VM, 1, 2 and 4 threads measured the same within the machine's
 * noise at client concurrency 1 and 4 (fib p50 23-30 us at 1 client, ~25k
 * calls/s at 4); 4 threads raised p50 at 1 client (calls hop between
 * pollers). */
#define DEFAULT_THREADS 1
/* A payload of RB_GRPC_BIG_BYTES or more is "big": at most
 * RB_GRPC_BIG_AT_ONCE are decoded and executed at once (with --threads > 1),
 * and after each the heap is trimmed, so requests of millions of tiny
 * fields neither add up nor stay held. Smaller ones never wait. */
#define RB_GRPC_BIG_BYTES (1u << 20)
#define RB_GRPC_BIG_AT_ONCE 1
/* A connection must complete its HTTP/2 handshake within this, ms. */
#define RB_GRPC_HANDSHAKE_MS 10000
#define MAX_THREADS 256

typedef struct worker worker;

typedef struct srv_call {
    worker *w;
    int kind;                    /* K_* */
    int replying;                /* 0: waiting for a call; 1: reply batch in flight */
    grpc_call *call;
    gpr_timespec deadline;       /* registered calls: the client's deadline */
    grpc_call_details details;   /* K_GENERIC: method path and host */
    grpc_metadata_array md;      /* the request's initial metadata */
    grpc_byte_buffer *payload;   /* registered calls: the request message */
    grpc_byte_buffer *reply;     /* the reply message, or NULL on error */
    grpc_slice status_details;   /* the status message we send */
    int cancelled;               /* RECV_CLOSE_ON_SERVER's result */
    int big;                     /* the payload was big: trim after release */
} srv_call;

typedef struct server {
    grpc_server *srv;
    sem_t big;                   /* turns for big payloads */
    void *methods[3];            /* registered method handles, by K_* */
    size_t entries;              /* getObj's entry count */
} server;

struct worker {
    server *s;
    grpc_completion_queue *cq;   /* next-queue: this worker's calls */
    pthread_t th;
    int started;                 /* th is running */
    pthread_mutex_t mu;          /* orders posting against shutdown */
    int stopping;                /* under mu: post no more slots */
    srv_call slots[SLOTS_PER_WORKER];
    rb_obj obj;                  /* getObj reply / sendObj request, reused */
    rb_grpc_objview view;        /* getObj reply as protobuf-c, reused */
};

/* Wait for the next call on slot sc (unless the server is stopping). */
static void slot_post(srv_call *sc)
{
    worker *w = sc->w;
    grpc_call_error e = GRPC_CALL_OK;
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        sc->replying = 0;
        sc->big = 0;
        sc->call = NULL;
        sc->payload = NULL;
        sc->reply = NULL;
        sc->status_details = grpc_empty_slice();
        grpc_metadata_array_init(&sc->md);
        if (sc->kind == K_GENERIC) {
            grpc_call_details_init(&sc->details);
            e = grpc_server_request_call(w->s->srv, &sc->call, &sc->details, &sc->md,
                                         w->cq, w->cq, sc);
        } else {
            e = grpc_server_request_registered_call(w->s->srv, w->s->methods[sc->kind],
                                                    &sc->call, &sc->deadline, &sc->md,
                                                    &sc->payload, w->cq, w->cq, sc);
        }
        if (e != GRPC_CALL_OK) {
            fprintf(stderr, "grpc serve: cannot wait for calls: %s\n", grpc_call_error_to_string(e));
            grpc_metadata_array_destroy(&sc->md);
            if (sc->kind == K_GENERIC)
                grpc_call_details_destroy(&sc->details);
        }
    }
    pthread_mutex_unlock(&w->mu);
}

/* Free what one call of slot sc holds. */
static void slot_release(srv_call *sc)
{
    if (sc->call)
        grpc_call_unref(sc->call);
    sc->call = NULL;
    if (sc->payload)
        grpc_byte_buffer_destroy(sc->payload);
    sc->payload = NULL;
    if (sc->reply)
        grpc_byte_buffer_destroy(sc->reply);
    sc->reply = NULL;
    grpc_slice_unref(sc->status_details);
    sc->status_details = grpc_empty_slice();
    grpc_metadata_array_destroy(&sc->md);
    if (sc->kind == K_GENERIC)
        grpc_call_details_destroy(&sc->details);
}

/* Take a turn to decode a big payload (see RB_GRPC_BIG_BYTES). */
static void gate_enter(server *s)
{
    while (sem_wait(&s->big) != 0 && errno == EINTR) {
    }
}

/* Decode sc's payload as a message of descriptor d within the element
 * budget. NULL with sc->status_details set and *st the status when it is
 * refused. */
static ProtobufCMessage *decode(srv_call *sc, const ProtobufCMessageDescriptor *d,
                                grpc_status_code *st)
{
    size_t len;
    int err;
    ProtobufCMessage *m = rb_grpc_unpack_lim(d, sc->payload, RB_MAX_ELEMENTS, &len, &err);
    if (m)
        return m;
    char msg[160];
    if (err == RB_ETOOBIG) {
        snprintf(msg, sizeof msg, "%s: more than %u fields", d->short_name, RB_MAX_ELEMENTS);
        *st = GRPC_STATUS_RESOURCE_EXHAUSTED;
    } else {
        snprintf(msg, sizeof msg, "%s: malformed protobuf message", d->short_name);
        *st = GRPC_STATUS_INVALID_ARGUMENT;
    }
    sc->status_details = grpc_slice_from_copied_string(msg);
    return NULL;
}

static grpc_status_code handle_fib(srv_call *sc)
{
    grpc_status_code st;
    size_t len;
    Rpcbench__FibRequest *req =
        (Rpcbench__FibRequest *)decode(sc, &rpcbench__fib_request__descriptor, &st);
    if (!req)
        return st;
    int32_t n = req->n;
    rpcbench__fib_request__free_unpacked(req, NULL);
    Rpcbench__FibReply rep = RPCBENCH__FIB_REPLY__INIT;
    if (rb_fib(n, &rep.value) != RB_OK) {
        char msg[64];
        snprintf(msg, sizeof msg, "fib: n=%d outside 0..%d", (int)n, RB_FIB_MAX);
        sc->status_details = grpc_slice_from_copied_string(msg);
        return GRPC_STATUS_INVALID_ARGUMENT;
    }
    rb_service_work();
    sc->reply = rb_grpc_pack(&rep.base, &len);
    return GRPC_STATUS_OK;
}

static grpc_status_code handle_get_obj(srv_call *sc)
{
    worker *w = sc->w;
    grpc_status_code st;
    size_t len;
    Rpcbench__GetObjRequest *req =
        (Rpcbench__GetObjRequest *)decode(sc, &rpcbench__get_obj_request__descriptor, &st);
    if (!req)
        return st;
    rpcbench__get_obj_request__free_unpacked(req, NULL);
    rb_service_work();
    Rpcbench__Obj rep;
    if (rb_service_get_obj(w->s->entries, &w->obj) != RB_OK ||
        rb_grpc_objview_set(&w->view, &w->obj, &rep) != RB_OK) {
        sc->status_details = grpc_slice_from_static_string("getObj: out of memory");
        return GRPC_STATUS_RESOURCE_EXHAUSTED;
    }
    sc->reply = rb_grpc_pack(&rep.base, &len);
    return GRPC_STATUS_OK;
}

static grpc_status_code handle_send_obj(srv_call *sc)
{
    worker *w = sc->w;
    grpc_status_code st;
    size_t len;
    Rpcbench__Obj *req = (Rpcbench__Obj *)decode(sc, &rpcbench__obj__descriptor, &st);
    if (!req)
        return st;
    int rc = rb_grpc_obj_from_msg(req, &w->obj);
    rpcbench__obj__free_unpacked(req, NULL);
    Rpcbench__Ack rep = RPCBENCH__ACK__INIT;
    if (rc == RB_OK)
        rc = rb_service_send_obj(&w->obj, &rep.count);
    if (rc != RB_OK) {
        sc->status_details = grpc_slice_from_static_string(
            rc == RB_ENOMEM ? "sendObj: out of memory" : "sendObj: invalid key");
        return rc == RB_ENOMEM ? GRPC_STATUS_RESOURCE_EXHAUSTED : GRPC_STATUS_INVALID_ARGUMENT;
    }
    rb_service_work();
    sc->reply = rb_grpc_pack(&rep.base, &len);
    return GRPC_STATUS_OK;
}

static grpc_status_code handle_unknown(srv_call *sc)
{
    char msg[160];
    int ml = (int)GRPC_SLICE_LENGTH(sc->details.method);
    snprintf(msg, sizeof msg, "unknown method %.*s", ml > 120 ? 120 : ml,
             (const char *)GRPC_SLICE_START_PTR(sc->details.method));
    sc->status_details = grpc_slice_from_copied_string(msg);
    return GRPC_STATUS_UNIMPLEMENTED;
}

/* Decode, call the service, encode. Sets sc->reply (NULL for an error
 * status) and sc->status_details; returns the status to send. A big
 * payload waits for its turn, and afterwards what it cost is given back. */
static grpc_status_code handle(srv_call *sc)
{
    size_t bytes = sc->payload ? grpc_byte_buffer_length(sc->payload) : 0;
    int big = bytes >= RB_GRPC_BIG_BYTES;
    grpc_status_code st;
    sc->big = big;
    if (big)
        gate_enter(sc->w->s);
    switch (sc->kind) {
    case K_FIB: st = handle_fib(sc); break;
    case K_GET_OBJ: st = handle_get_obj(sc); break;
    case K_SEND_OBJ: st = handle_send_obj(sc); break;
    default: st = handle_unknown(sc); break;
    }
    if (big) {
        /* the worker's reused object keeps its capacity: drop it */
        rb_obj_free(&sc->w->obj);
        rb_obj_init(&sc->w->obj);
        sem_post(&sc->w->s->big);
    }
    return st;
}

/* A new call arrived on slot sc: answer it with one batch. */
static void on_call(srv_call *sc)
{
    grpc_status_code st = handle(sc);
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (sc->reply) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = sc->reply;
    }
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = st;
    ops[n++].data.send_status_from_server.status_details =
        GRPC_SLICE_LENGTH(sc->status_details) ? &sc->status_details : NULL;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n++].data.recv_close_on_server.cancelled = &sc->cancelled;

    sc->replying = 1;
    grpc_call_error e = grpc_call_start_batch(sc->call, ops, n, sc, NULL);
    if (e != GRPC_CALL_OK) {
        /* Cannot happen with a well-formed batch; do not lose the slot. */
        fprintf(stderr, "grpc serve: start_batch: %s\n", grpc_call_error_to_string(e));
        grpc_call_cancel(sc->call, NULL);
        slot_release(sc);
        slot_post(sc);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(w->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        srv_call *sc = ev.tag;
        if (sc->replying) {
            /* The reply batch is done (or the call was cancelled). */
            int big = sc->big;
            slot_release(sc);
            slot_post(sc);
            /* Give a big request's memory back to the system (its payload
             * is freed only now): glibc keeps freed heap otherwise. */
            if (big)
                malloc_trim(0);
        } else if (ev.success) {
            on_call(sc);
        } else {
            /* The server is shutting down: this slot waits no more. */
            slot_release(sc);
        }
    }
    return NULL;
}

/* The server with our limits and the three methods registered (s->srv
 * NULL on failure). What the limits are for:
 *  - max receive message length = the request limit: RESOURCE_EXHAUSTED
 *    from the library above it;
 *  - compression: only identity is enabled. gRPC 1.51's decompression
 *    filter compares only the *compressed* size with the max receive length
 *    and then inflates the whole message (1 MiB of gzip became 1 GiB), so a
 *    compressed request is refused by the library (UNIMPLEMENTED, "algorithm
 *    is disabled") when its metadata arrives, before its message is read;
 *  - handshake timeout: a connection that never sends the HTTP/2 preface
 *    is closed after RB_GRPC_HANDSHAKE_MS. */
static int build_server(server *s, size_t max_req)
{
    grpc_arg args[] = {
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
         .value.integer = max_req > INT_MAX ? INT_MAX : (int)max_req},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, .value.integer = -1},
        /* Linux default is SO_REUSEPORT: a second server on a port in use
         * would bind and share it instead of failing. */
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET,
         .value.integer = 1 << GRPC_COMPRESS_NONE},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
         .value.integer = RB_GRPC_HANDSHAKE_MS},
    };
    grpc_channel_args sargs = {.num_args = sizeof args / sizeof args[0], .args = args};
    s->srv = grpc_server_create(&sargs, NULL);
    if (!s->srv)
        return RB_ENOMEM;
    static const char *const paths[3] = {RB_GRPC_PATH_FIB, RB_GRPC_PATH_GET_OBJ,
                                         RB_GRPC_PATH_SEND_OBJ};
    for (int k = 0; k < 3; k++) {
        s->methods[k] = grpc_server_register_method(s->srv, paths[k], NULL,
                                                    GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
        if (!s->methods[k]) {
            fprintf(stderr, "grpc serve: cannot register methods\n");
            return RB_EIO;
        }
    }
    return RB_OK;
}

/* nw workers, each with its own completion queue registered with s. */
static int make_workers(server *s, worker **out, int nw)
{
    worker *ws = calloc((size_t)nw, sizeof *ws);
    *out = ws;
    if (!ws)
        return RB_ENOMEM;
    for (int i = 0; i < nw; i++) {
        pthread_mutex_init(&ws[i].mu, NULL);
        rb_obj_init(&ws[i].obj);
    }
    for (int i = 0; i < nw; i++) {
        worker *w = &ws[i];
        w->s = s;
        w->cq = grpc_completion_queue_create_for_next(NULL);
        if (!w->cq)
            return RB_ENOMEM;
        grpc_server_register_completion_queue(s->srv, w->cq, NULL);
        for (int k = 0; k < SLOTS_PER_WORKER; k++) {
            srv_call *sc = &w->slots[k];
            sc->w = w;
            sc->kind = k < 3 * SLOTS_PER_METHOD ? k / SLOTS_PER_METHOD : K_GENERIC;
            sc->status_details = grpc_empty_slice();
        }
    }
    return RB_OK;
}

/* Post every slot and start the worker threads. */
static int start_workers(worker *ws, int nw)
{
    for (int i = 0; i < nw; i++) {
        for (int k = 0; k < SLOTS_PER_WORKER; k++)
            slot_post(&ws[i].slots[k]);
        if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "grpc serve: cannot start thread %d\n", i);
            return RB_ENOMEM;
        }
        ws[i].started = 1;
    }
    return RB_OK;
}

/* Stop taking calls, shut the server down and cancel the calls in flight. */
static void stop_server(server *s, worker *ws, int nw, grpc_completion_queue *scq)
{
    int tag;
    for (int i = 0; i < nw; i++) {
        pthread_mutex_lock(&ws[i].mu);
        ws[i].stopping = 1;
        pthread_mutex_unlock(&ws[i].mu);
    }
    grpc_server_shutdown_and_notify(s->srv, scq, &tag);
    grpc_server_cancel_all_calls(s->srv);
    grpc_event ev = grpc_completion_queue_next(
        scq, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(5000, GPR_TIMESPAN)),
        NULL);
    if (ev.type != GRPC_OP_COMPLETE)
        fprintf(stderr, "grpc serve: server shutdown did not complete within 5 s\n");
}

/* Drain and free a next-queue. */
static void drain_queue(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
}

/* Join the workers (their queues shut down first) and free everything. */
static void teardown(server *s, worker *ws, int nw, grpc_completion_queue *scq)
{
    for (int i = 0; ws && i < nw; i++) {
        worker *w = &ws[i];
        if (w->cq)
            grpc_completion_queue_shutdown(w->cq);
        if (w->started) {
            pthread_join(w->th, NULL);
        } else if (w->cq) {
            /* No thread ever drained this queue (start-up failed). */
            while (grpc_completion_queue_next(w->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
                   GRPC_QUEUE_SHUTDOWN) {
            }
        }
    }
    if (s->srv)
        grpc_server_destroy(s->srv);
    if (scq)
        drain_queue(scq);
    for (int i = 0; ws && i < nw; i++) {
        worker *w = &ws[i];
        if (w->cq)
            grpc_completion_queue_destroy(w->cq);
        rb_obj_free(&w->obj);
        rb_grpc_objview_free(&w->view);
        pthread_mutex_destroy(&w->mu);
    }
    free(ws);
    sem_destroy(&s->big);
}

int rb_grpc_serve(const rb_server_opts *o)
{
    server s = {0};
    worker *ws = NULL;
    int nw = o->threads > 0 ? (o->threads > MAX_THREADS ? MAX_THREADS : o->threads) : DEFAULT_THREADS;
    grpc_completion_queue *scq = NULL;
    int started = 0, port = 0;
    const char *listen = rb_endpoint_or_default(&rb_transport_grpc, o->listen);
    char host[256];

    if (rb_parse_hostport(listen, host, sizeof host, &port) != RB_OK || !host[0]) {
        fprintf(stderr, "grpc serve: listen address '%s' is not HOST:PORT\n", listen);
        return RB_EINVAL;
    }
    rb_grpc_global_init();
    sem_init(&s.big, 0, RB_GRPC_BIG_AT_ONCE);
    s.entries = o->entries;
    int rc = build_server(&s, o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST);
    if (rc == RB_OK && !(scq = grpc_completion_queue_create_for_next(NULL)))
        rc = RB_ENOMEM;
    if (rc == RB_OK) {
        grpc_server_register_completion_queue(s.srv, scq, NULL);
        rc = make_workers(&s, &ws, nw);
    }
    if (rc == RB_OK) {
        grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
        port = grpc_server_add_http2_port(s.srv, listen, creds);
        grpc_server_credentials_release(creds);
        if (port <= 0) {
            fprintf(stderr, "grpc serve: cannot listen on %s (address in use or not local?)\n",
                    listen);
            rc = RB_ELISTEN;
        }
    }
    if (rc == RB_OK) {
        grpc_server_start(s.srv);
        started = 1;
        rc = start_workers(ws, nw);
    }
    if (rc == RB_OK) {
        rb_serve_ready(host, port);
        struct timespec tick = {0, 10 * 1000 * 1000};
        while (!rb_serve_stop)
            nanosleep(&tick, NULL);
    }
    if (started)
        stop_server(&s, ws, nw, scq);
    teardown(&s, ws, nw, scq);
    return rc;
}
