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
 * outside 0..92; UNIMPLEMENTED for an unknown method; RESOURCE_EXHAUSTED from
 * the library when a request exceeds the max receive message length, set to
 * the project's request size limit.
 *
 * Shutdown: the serving thread polls rb_serve_stop every 10 ms, then stops
 * the workers from posting new slots, shuts the server down, cancels the
 * calls in flight, shuts every queue down and joins the workers, which free
 * each slot's call as its last event arrives.
 */
#include "rb_grpc.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

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
} srv_call;

typedef struct server {
    grpc_server *srv;
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

/* Decode, call the service, encode. Sets sc->reply (NULL for an error
 * status) and sc->status_details; returns the status to send. */
static grpc_status_code handle(srv_call *sc)
{
    worker *w = sc->w;
    size_t len;

    switch (sc->kind) {
    case K_FIB: {
        Rpcbench__FibRequest *req = (Rpcbench__FibRequest *)rb_grpc_unpack(
            &rpcbench__fib_request__descriptor, sc->payload, &len);
        if (!req) {
            sc->status_details = grpc_slice_from_static_string("FibRequest: malformed protobuf message");
            return GRPC_STATUS_INVALID_ARGUMENT;
        }
        int32_t n = req->n;
        rpcbench__fib_request__free_unpacked(req, NULL);
        Rpcbench__FibReply rep = RPCBENCH__FIB_REPLY__INIT;
        if (rb_fib(n, &rep.value) != RB_OK) {
            char msg[64];
            snprintf(msg, sizeof msg, "fib: n=%d outside 0..%d", (int)n, RB_FIB_MAX);
            sc->status_details = grpc_slice_from_copied_string(msg);
            return GRPC_STATUS_INVALID_ARGUMENT;
        }
        sc->reply = rb_grpc_pack(&rep.base, &len);
        return GRPC_STATUS_OK;
    }
    case K_GET_OBJ: {
        Rpcbench__GetObjRequest *req = (Rpcbench__GetObjRequest *)rb_grpc_unpack(
            &rpcbench__get_obj_request__descriptor, sc->payload, &len);
        if (!req) {
            sc->status_details = grpc_slice_from_static_string("GetObjRequest: malformed protobuf message");
            return GRPC_STATUS_INVALID_ARGUMENT;
        }
        rpcbench__get_obj_request__free_unpacked(req, NULL);
        Rpcbench__Obj rep;
        if (rb_service_get_obj(w->s->entries, &w->obj) != RB_OK ||
            rb_grpc_objview_set(&w->view, &w->obj, &rep) != RB_OK) {
            sc->status_details = grpc_slice_from_static_string("getObj: out of memory");
            return GRPC_STATUS_RESOURCE_EXHAUSTED;
        }
        sc->reply = rb_grpc_pack(&rep.base, &len);
        return GRPC_STATUS_OK;
    }
    case K_SEND_OBJ: {
        Rpcbench__Obj *req = (Rpcbench__Obj *)rb_grpc_unpack(&rpcbench__obj__descriptor,
                                                             sc->payload, &len);
        if (!req) {
            sc->status_details = grpc_slice_from_static_string("Obj: malformed protobuf message");
            return GRPC_STATUS_INVALID_ARGUMENT;
        }
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
        sc->reply = rb_grpc_pack(&rep.base, &len);
        return GRPC_STATUS_OK;
    }
    default: {
        char msg[160];
        int ml = (int)GRPC_SLICE_LENGTH(sc->details.method);
        snprintf(msg, sizeof msg, "unknown method %.*s", ml > 120 ? 120 : ml,
                 (const char *)GRPC_SLICE_START_PTR(sc->details.method));
        sc->status_details = grpc_slice_from_copied_string(msg);
        return GRPC_STATUS_UNIMPLEMENTED;
    }
    }
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
            slot_release(sc);
            slot_post(sc);
        } else if (ev.success) {
            on_call(sc);
        } else {
            /* The server is shutting down: this slot waits no more. */
            slot_release(sc);
        }
    }
    return NULL;
}

/* Split "HOST:PORT" for the ready line: host keeps its brackets. Returns 0,
 * or -1 when there is no ':' or the host is empty. */
static int split_listen(const char *listen, char *host, size_t hostlen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= hostlen)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    return 0;
}

int rb_grpc_serve(const rb_server_opts *o)
{
    int rc = RB_EIO;
    server s = {0};
    worker *ws = NULL;
    int nw = o->threads > 0 ? o->threads : DEFAULT_THREADS;
    grpc_completion_queue *scq = NULL;
    grpc_server_credentials *creds = NULL;
    int started = 0;
    const char *listen = o->listen ? o->listen : RB_GRPC_DEFAULT_ENDPOINT;
    char host[256];

    if (nw > MAX_THREADS)
        nw = MAX_THREADS;
    if (split_listen(listen, host, sizeof host) != 0) {
        fprintf(stderr, "grpc serve: listen address '%s' is not HOST:PORT\n", listen);
        return RB_EINVAL;
    }
    rb_grpc_global_init();
    s.entries = o->entries;
    size_t max_req = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;

    grpc_arg args[] = {
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
         .value.integer = max_req > INT_MAX ? INT_MAX : (int)max_req},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, .value.integer = -1},
        /* Linux default is SO_REUSEPORT: a second server on a port in use
         * would bind and share it instead of failing. */
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0},
    };
    grpc_channel_args sargs = {.num_args = sizeof args / sizeof args[0], .args = args};
    s.srv = grpc_server_create(&sargs, NULL);
    if (!s.srv)
        goto fail;
    s.methods[K_FIB] = grpc_server_register_method(s.srv, RB_GRPC_PATH_FIB, NULL,
                                                   GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    s.methods[K_GET_OBJ] = grpc_server_register_method(s.srv, RB_GRPC_PATH_GET_OBJ, NULL,
                                                       GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    s.methods[K_SEND_OBJ] = grpc_server_register_method(s.srv, RB_GRPC_PATH_SEND_OBJ, NULL,
                                                        GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    if (!s.methods[K_FIB] || !s.methods[K_GET_OBJ] || !s.methods[K_SEND_OBJ]) {
        fprintf(stderr, "grpc serve: cannot register methods\n");
        goto fail;
    }

    scq = grpc_completion_queue_create_for_next(NULL);
    if (!scq)
        goto fail;
    ws = calloc((size_t)nw, sizeof *ws);
    if (!ws)
        goto fail;
    for (int i = 0; i < nw; i++) {
        pthread_mutex_init(&ws[i].mu, NULL);
        rb_obj_init(&ws[i].obj);
    }
    grpc_server_register_completion_queue(s.srv, scq, NULL);
    for (int i = 0; i < nw; i++) {
        worker *w = &ws[i];
        w->s = &s;
        w->cq = grpc_completion_queue_create_for_next(NULL);
        if (!w->cq)
            goto fail;
        grpc_server_register_completion_queue(s.srv, w->cq, NULL);
        for (int k = 0; k < SLOTS_PER_WORKER; k++) {
            srv_call *sc = &w->slots[k];
            sc->w = w;
            sc->kind = k < 3 * SLOTS_PER_METHOD ? k / SLOTS_PER_METHOD : K_GENERIC;
            sc->status_details = grpc_empty_slice();
        }
    }

    creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(s.srv, listen, creds);
    grpc_server_credentials_release(creds);
    if (port <= 0) {
        fprintf(stderr, "grpc serve: cannot listen on %s (address in use or not local?)\n", listen);
        goto fail;
    }
    grpc_server_start(s.srv);
    started = 1;
    for (int i = 0; i < nw; i++) {
        for (int k = 0; k < SLOTS_PER_WORKER; k++)
            slot_post(&ws[i].slots[k]);
        if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "grpc serve: cannot start thread %d\n", i);
            goto fail;
        }
        ws[i].started = 1;
    }

    printf("ready %s:%d\n", host, port);
    fflush(stdout);

    struct timespec tick = {0, 10 * 1000 * 1000};
    while (!rb_serve_stop)
        nanosleep(&tick, NULL);
    rc = RB_OK;

fail:
    if (started) {
        int tag;
        for (int i = 0; i < nw; i++) {
            pthread_mutex_lock(&ws[i].mu);
            ws[i].stopping = 1;
            pthread_mutex_unlock(&ws[i].mu);
        }
        grpc_server_shutdown_and_notify(s.srv, scq, &tag);
        grpc_server_cancel_all_calls(s.srv);
        grpc_event ev = grpc_completion_queue_next(
            scq, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(5000, GPR_TIMESPAN)), NULL);
        if (ev.type != GRPC_OP_COMPLETE)
            fprintf(stderr, "grpc serve: server shutdown did not complete within 5 s\n");
    }
    if (ws) {
        for (int i = 0; i < nw; i++) {
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
    }
    if (s.srv)
        grpc_server_destroy(s.srv);
    if (scq) {
        grpc_completion_queue_shutdown(scq);
        while (grpc_completion_queue_next(scq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
               GRPC_QUEUE_SHUTDOWN) {
        }
        grpc_completion_queue_destroy(scq);
    }
    if (ws) {
        for (int i = 0; i < nw; i++) {
            worker *w = &ws[i];
            if (w->cq)
                grpc_completion_queue_destroy(w->cq);
            rb_obj_free(&w->obj);
            rb_grpc_objview_free(&w->view);
            pthread_mutex_destroy(&w->mu);
        }
        free(ws);
    }
    return rc;
}
