/* amqp_srv.h - the AMQP server's worker, shared by amqp_server.c (threads,
 * the consume loop), amqp_handle.c (a request -> its reply) and
 * amqp_reply.c (the reply connections and publisher confirms).
 *
 * A worker has up to three connections, opened when first needed. `conn`
 * consumes the request queue with manual acks and never publishes. Replies
 * to a queue go out on `qconn` and the request is acked at once: the
 * default exchange drops what it cannot route, so that publish cannot fail
 * at the broker. Replies to direct reply-to names go out on `rconn`, in
 * confirm mode: a malformed name makes the broker close the publishing
 * connection (541), which costs only rconn, never the consumer or the
 * other replies. Such a request is acked only after the broker confirmed
 * its reply;
 * when rconn is lost first, the requests whose replies were not confirmed
 * are requeued (basic.nack) and come back with `redelivered` set. A
 * redelivered request is answered alone (every earlier reply confirmed
 * first, its own confirm awaited before anything else), so when rconn is
 * lost then, that request is the poison: it is rejected without requeue
 * and counted. */
#ifndef RB_AMQP_SRV_H
#define RB_AMQP_SRV_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "amqp_int.h"

#define RB_AMQP_POLL_MS 50          /* how often a worker looks at rb_serve_stop */
#define RB_AMQP_CONNECT_MS 5000     /* connection setup bound */
#define RB_AMQP_FRAME_MS 2000      /* a message's header and body frames */
#define RB_AMQP_SETTLE_MS 5000      /* longest wait for the broker's confirms */
#define RB_AMQP_QUEUE_EXPIRES_MS 60000 /* x-expires of amqp/amqp-queue request queues */
#define RB_AMQP_KEEP_BUF (1u << 20) /* request buffer kept between requests, bytes */
#define RB_AMQP_UNLIMITED_WINDOW 256 /* unconfirmed replies when --prefetch 0 */

typedef struct srv_shared {
    rb_amqp_kind kind;
    const char *queue;
    size_t max_request;
    int prefetch;                 /* requests in work per worker, 0: unlimited */
    int nthreads;
    rb_obj get_obj;               /* getObj's reply, built once */
    volatile sig_atomic_t stop;   /* startup failed: workers quit */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;                  /* workers whose consumer is registered */
    int failed;                   /* workers that could not start */
    char err[300];                /* the first startup failure */
} srv_shared;

/* A reply published on rconn and not yet confirmed. */
typedef struct srv_pending {
    uint64_t seq;                 /* its publish number on rconn, from 1 */
    uint64_t tag;                 /* the request's delivery tag on conn */
    int redelivered;              /* the request had been delivered before */
} srv_pending;

typedef struct srv_worker {
    srv_shared *sh;
    int id;
    pthread_t th;
    amqp_connection_state_t conn;  /* consumes requests, acks them; NULL: lost */
    amqp_connection_state_t rconn; /* publishes direct replies (confirms); NULL: none */
    amqp_connection_state_t qconn; /* publishes replies to queues; NULL: none */
    uint64_t rseq;                /* last publish number on rconn */
    srv_pending *pend;            /* unconfirmed replies, in seq order */
    size_t npend;                 /* entries in pend */
    size_t window;                /* most unconfirmed replies (pend's size) */
    rb_obj obj;                   /* decoded sendObj argument, reused */
    rb_buf in;               /* a request body that spans frames, reused */
    rb_buf out;              /* encoded reply body, reused */
    uint64_t calls, errors, dropped, reconnects, poison;
} srv_worker;

/* A worker's name for messages: "amqp", "amqp-queue", "amqp-durable". */
const char *rb_amqp_kind_name(rb_amqp_kind k);

/* amqp_handle.c: answer one request (method, reply on rconn, or an ack
 * when there is nowhere to reply). Returns RB_OK, or RB_ECLOSED when conn
 * failed (the caller drops it); a lost rconn is handled inside. */
int rb_amqp_handle(srv_worker *w, const rb_amqp_msg *req);

/* amqp_reply.c */

/* Open rconn in confirm mode. RB_OK or RB_ECONNECT with the reason. */
int rb_amqp_reply_open(srv_worker *w, char *err, size_t errlen);

/* Publish a reply (opening its connection if needed): to a queue on qconn,
 * acking the request; to a direct reply-to name on rconn, remembered under
 * the request's delivery tag until confirmed. Returns RB_OK (published, or
 * the reply connection lost and the request settled) or RB_ECLOSED (conn
 * failed, or no reply connection could be opened). */
int rb_amqp_reply_publish(srv_worker *w, amqp_bytes_t reply_to,
                          const amqp_basic_properties_t *p, amqp_bytes_t body,
                          uint64_t tag, int redelivered);

/* Read rconn's confirms and ack the confirmed requests on conn: until one
 * frame brought progress, or until none is pending when `all`. wait_ms 0:
 * only what has arrived; otherwise no progress within wait_ms means rconn
 * is lost. A lost rconn requeues or rejects the pending requests (see
 * above). Returns RB_OK or RB_ECLOSED (conn failed). */
int rb_amqp_reply_settle(srv_worker *w, int wait_ms, int all);

/* Forget the pending replies (conn was lost: the broker requeued their
 * requests itself) . */
void rb_amqp_reply_forget(srv_worker *w);

#endif
