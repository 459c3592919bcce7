/* amqp_server.c - `rpcbench serve amqp|amqp-queue|amqp-durable`: the
 * workers and their consume loop.
 *
 * `threads` workers, each with a consuming connection (and a reply
 * connection when needed, amqp_srv.h), consume the request queue with
 * manual acks and basic.qos --prefetch. Each request is answered by
 * rb_amqp_handle(); a worker whose connection breaks reconnects, and the
 * broker gives its unacked requests to the next consumer.
 *
 * Queue: amqp and amqp-queue declare it non-durable, not auto-delete, with
 * x-expires, so it outlives a consumer that reconnects (its waiting
 * requests with it); a clean exit deletes it when it is empty and unused,
 * so clients then get "no server" at once. amqp-durable declares it durable
 * (it and its persistent requests survive a broker restart).
 */
#include "amqp_srv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int stopping(const srv_worker *w)
{
    return rb_serve_stop || w->sh->stop;
}

/* Declare the request queue on conn. Returns 1 on success. */
static int declare_queue(const srv_shared *sh, amqp_connection_state_t conn)
{
    amqp_bytes_t q = amqp_cstring_bytes(sh->queue);
    if (sh->kind == RB_AMQP_DURABLE)
        return amqp_queue_declare(conn, RB_AMQP_CHANNEL, q, 0, 1, 0, 0, amqp_empty_table) != NULL;
    if (sh->kind == RB_AMQP_QUORUM) {   /* durable only; a new name (not a classic queue's) */
        amqp_table_entry_t qt = { amqp_cstring_bytes("x-queue-type"),
                                  { .kind = AMQP_FIELD_KIND_UTF8,
                                    .value.bytes = amqp_cstring_bytes("quorum") } };
        amqp_table_t qargs = { 1, &qt };
        return amqp_queue_declare(conn, RB_AMQP_CHANNEL, q, 0, 1, 0, 0, qargs) != NULL;
    }
    amqp_table_entry_t e = { amqp_cstring_bytes("x-expires"),
                             { .kind = AMQP_FIELD_KIND_I32,
                               .value.i32 = RB_AMQP_QUEUE_EXPIRES_MS } };
    amqp_table_t args = { 1, &e };
    return amqp_queue_declare(conn, RB_AMQP_CHANNEL, q, 0, 0, 0, 0, args) != NULL;
}

/* Connect, declare the queue, set the prefetch, start consuming. Returns RB_OK or an error with the reason in err. */
static int worker_setup(srv_worker *w, char *err, size_t errlen)
{
    const srv_shared *sh = w->sh;
    char why[200];
    int rc = rb_amqp_conn_open(RB_AMQP_CONNECT_MS, &w->conn, err, errlen);
    if (rc != RB_OK)
        return rc;
    rc = RB_ECONNECT;
    if (!declare_queue(sh, w->conn)) {
        snprintf(err, errlen, "cannot declare %squeue \"%s\": %s",
                 sh->kind == RB_AMQP_DURABLE ? "durable " : sh->kind == RB_AMQP_QUORUM ? "quorum " : "",
                 sh->queue,
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->conn), why, sizeof why));
        goto fail;
    }
    if (sh->prefetch > 0 &&
        !amqp_basic_qos(w->conn, RB_AMQP_CHANNEL, 0, (uint16_t)sh->prefetch, 0)) {
        snprintf(err, errlen, "basic.qos prefetch %d: %s", sh->prefetch,
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->conn), why, sizeof why));
        goto fail;
    }
    if (!amqp_basic_consume(w->conn, RB_AMQP_CHANNEL, amqp_cstring_bytes(sh->queue),
                            amqp_empty_bytes, 0, 0, 0, amqp_empty_table)) {
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

static void nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* A frame on conn that is not a delivery: the broker closing the channel or
 * the connection, or cancelling our consumer, ends this connection; anything
 * else is ignored. Returns 1 when the connection must be dropped. */
static int other_frame(srv_worker *w, const amqp_frame_t *f, char *why, size_t whylen)
{
    if (f->frame_type != AMQP_FRAME_METHOD)
        return 0;
    if (f->payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_t *m = f->payload.method.decoded;
        snprintf(why, whylen, "broker closed the channel: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        return 1;
    }
    if (f->payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_t *m = f->payload.method.decoded;
        snprintf(why, whylen, "broker closed the connection: %u %.*s", m->reply_code,
                 (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        amqp_connection_close_ok_t ok = { 0 };
        amqp_send_method(w->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        return 1;
    }
    if (f->payload.method.id == AMQP_BASIC_CANCEL_METHOD) {
        snprintf(why, whylen, "the broker cancelled our consumer (queue deleted?)");
        return 1;
    }
    return 0;
}

/* conn is unusable: drop it (the broker requeues its unacked requests). */
static void drop_conn(srv_worker *w, const char *why)
{
    fprintf(stderr, "%s worker %d: %s; reconnecting\n", rb_amqp_kind_name(w->sh->kind), w->id, why);
    amqp_destroy_connection(w->conn);
    w->conn = NULL;
    rb_amqp_reply_forget(w);
}

/* Wait for and serve one request (or a confirm, a timeout, a frame). */
static void serve_one(srv_worker *w)
{
    char why[200];
    rb_amqp_msg m;
    amqp_maybe_release_buffers(w->conn);
    int rc = rb_amqp_read(w->conn, RB_AMQP_POLL_MS, RB_AMQP_FRAME_MS, w->sh->max_request,
                          &w->in, &m);
    if (rc == RB_ETIMEDOUT) {
        rc = RB_OK;   /* idle: look at rb_serve_stop */
    } else if (rc == RB_OK && m.props &&
               m.frame.payload.method.id == AMQP_BASIC_DELIVER_METHOD) {
        rc = rb_amqp_handle(w, &m);
        if (w->in.cap > RB_AMQP_KEEP_BUF)
            rb_buf_free(&w->in);   /* give a big request's memory back */
    } else if (rc == RB_OK) {
        if (other_frame(w, &m.frame, why, sizeof why)) {
            drop_conn(w, why);
            return;
        }
    } else {
        drop_conn(w, rc == RB_ENOMEM ? "out of memory" : "connection lost, or a request's "
                  "frames late or malformed");
        return;
    }
    if (rc != RB_OK)
        drop_conn(w, "publishing or acknowledging failed");
}

/* Tell rb_amqp_serve whether this worker started. */
static void report_start(srv_worker *w, int rc, const char *err)
{
    srv_shared *sh = w->sh;
    pthread_mutex_lock(&sh->mu);
    if (rc == RB_OK)
        sh->started++;
    else if (!sh->failed++)
        snprintf(sh->err, sizeof sh->err, "%s", err);
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

static void *worker_main(void *arg)
{
    srv_worker *w = arg;
    char err[300];
    int rc = worker_setup(w, err, sizeof err);
    report_start(w, rc, err);
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
        serve_one(w);
    }
    rb_amqp_conn_close(&w->conn);
    rb_amqp_conn_close(&w->rconn);
    return NULL;
}

/* Start the workers; returns how many threads run. */
static int start_workers(srv_shared *sh, srv_worker *ws)
{
    int spawned = 0;
    for (int i = 0; i < sh->nthreads; i++) {
        srv_worker *w = &ws[i];
        w->sh = sh;
        w->id = i;
        rb_obj_init(&w->obj);
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            pthread_mutex_lock(&sh->mu);
            if (!sh->failed++)
                snprintf(sh->err, sizeof sh->err, "cannot start a worker thread");
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        spawned++;
    }
    return spawned;
}

/* Ready once every consumer is registered: a request published after
 * "ready" finds a consumer. Returns RB_OK or RB_ECONNECT. */
static int wait_ready(srv_shared *sh, int spawned)
{
    pthread_mutex_lock(&sh->mu);
    while (sh->started + sh->failed < spawned + (spawned < sh->nthreads))
        pthread_cond_wait(&sh->cv, &sh->mu);
    int failed = sh->failed;
    pthread_mutex_unlock(&sh->mu);
    if (failed) {
        fprintf(stderr, "%s: %s\n", rb_amqp_kind_name(sh->kind), sh->err);
        sh->stop = 1;
        return RB_ECONNECT;
    }
    rb_serve_ready_queue(sh->queue);
    return RB_OK;
}

/* A clean exit of amqp/amqp-queue deletes the request queue when nobody
 * consumes it and no request waits in it; otherwise x-expires does. */
static void delete_queue(const srv_shared *sh)
{
    amqp_connection_state_t conn = NULL;
    char err[300];
    if (sh->kind == RB_AMQP_DURABLE || sh->kind == RB_AMQP_QUORUM ||
        rb_amqp_conn_open(1000, &conn, err, sizeof err) != RB_OK)
        return;
    amqp_queue_delete(conn, RB_AMQP_CHANNEL, amqp_cstring_bytes(sh->queue), 1, 1);
    rb_amqp_conn_close(&conn);
}

/* Said at exit when something unusual happened (kept quiet otherwise: the
 * harness shows the server's stderr). */
static void summary(const srv_shared *sh, const srv_worker *ws)
{
    uint64_t calls = 0, errors = 0, dropped = 0, reconnects = 0, poison = 0;
    for (int i = 0; i < sh->nthreads; i++) {
        calls += ws[i].calls;
        errors += ws[i].errors;
        dropped += ws[i].dropped;
        reconnects += ws[i].reconnects;
        poison += ws[i].poison;
    }
    if (errors || dropped || reconnects || poison)
        fprintf(stderr, "%s server on \"%s\": %llu requests, %llu error replies, "
                "%llu dropped (no reply_to), %llu reconnects, %llu rejected (reply "
                "could not be published twice)\n", rb_amqp_kind_name(sh->kind), sh->queue,
                (unsigned long long)calls, (unsigned long long)errors,
                (unsigned long long)dropped, (unsigned long long)reconnects,
                (unsigned long long)poison);
}

int rb_amqp_serve(rb_amqp_kind kind, const rb_server_opts *o)
{
    int rc = RB_ENOMEM, spawned = 0;
    srv_shared sh = {
        .kind = kind,
        .queue = o->queue && *o->queue ? o->queue : RB_AMQP_DEFAULT_QUEUE,
        .max_request = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST,
        .prefetch = o->prefetch,
        .nthreads = o->threads > 0 ? o->threads : 1,
    };
    rb_amqp_init();
    rb_amqp_server_url_env = RB_AMQP_URL_ENV_OF(kind);   /* before any thread */
    rb_obj_init(&sh.get_obj);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    srv_worker *ws = calloc((size_t)sh.nthreads, sizeof *ws);
    if (strlen(sh.queue) > 255) {
        fprintf(stderr, "%s: queue name longer than 255 bytes\n", rb_amqp_kind_name(kind));
        rc = RB_EINVAL;
        goto done;
    }
    if (!ws || rb_service_get_obj(o->entries, &sh.get_obj) != RB_OK)
        goto done;
    spawned = start_workers(&sh, ws);
    rc = wait_ready(&sh, spawned);
done:
    for (int i = 0; i < spawned; i++)
        pthread_join(ws[i].th, NULL);
    if (rc == RB_OK) {
        delete_queue(&sh);
        summary(&sh, ws);
    }
    for (int i = 0; ws && i < sh.nthreads; i++) {
        rb_obj_free(&ws[i].obj);
        rb_buf_free(&ws[i].out);
        rb_buf_free(&ws[i].in);
    }
    free(ws);
    rb_obj_free(&sh.get_obj);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    return rc;
}
