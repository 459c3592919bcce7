/* amqp_srv.h - the AMQP server's worker, shared by amqp_server.c (threads,
 * the consume loop), amqp_handle.c (a request -> its reply) and
 * amqp_reply.c (publishing replies, and the confirmed reply connection).
 *
 * A worker has up to two connections, opened when first needed. `conn`
 * consumes the request queue with manual acks, and a reply goes out on it
 * with the request's ack right after, as the RabbitMQ tutorial's server
 * does. A channel's frames are handled in order: when a reply's publish
 * makes the broker close the connection (a malformed direct reply-to name:
 * 541), its own ack and everything sent after it are dropped with it, so
 * those requests are requeued, never acked without their reply; the ones
 * answered before it are done. A request that comes back (`redelivered`)
 * with a direct reply-to name is answered alone on `rconn`, in confirm
 * mode, and acked on conn once its reply is confirmed; when rconn is lost
 * then, that request is the poison: it is rejected without requeue and
 * counted. (A queue name cannot make the broker close anything: the
 * default exchange drops what it cannot route.) */
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
typedef struct srv_worker {
    srv_shared *sh;
    int id;
    pthread_t th;
    amqp_connection_state_t conn;  /* consumes requests, acks them; NULL: lost */
    amqp_connection_state_t rconn; /* redelivered requests' direct replies
                                      (confirms); NULL: none */
    uint64_t rseq;                /* last publish number on rconn, from 1 */
    int pending;                  /* publish rseq awaits its confirm */
    uint64_t pending_tag;         /* its request's delivery tag on conn */
    rb_obj obj;                   /* decoded sendObj argument, reused */
    rb_buf in;               /* a request body that spans frames, reused */
    rb_buf out;              /* encoded reply body, reused */
    uint64_t calls, errors, dropped, reconnects, poison;
} srv_worker;

/* A worker's name for messages: "amqp", "amqp-queue", "amqp-durable",
 * "amqp-quorum"; a static string. Inline, so that amqp_reply.c, which
 * prints it, does not call back up into amqp_server.c. */
static inline const char *rb_amqp_kind_name(rb_amqp_kind k)
{
    return k == RB_AMQP_DIRECT ? "amqp" : k == RB_AMQP_QUEUE ? "amqp-queue"
         : k == RB_AMQP_QUORUM ? "amqp-quorum" : "amqp-durable";
}

/* amqp_handle.c: answer one request (method, reply, or an ack
 * when there is nowhere to reply). Returns RB_OK, or RB_ECLOSED when conn
 * failed (the caller drops it); a lost rconn is handled inside. */
int rb_amqp_handle(srv_worker *w, const rb_amqp_msg *req);

/* amqp_reply.c */

/* Open rconn in confirm mode. RB_OK or RB_ECONNECT with the reason. */
int rb_amqp_reply_open(srv_worker *w, char *err, size_t errlen);

/* Publish a reply and ack its request on conn; a redelivered request's
 * direct reply on rconn (opened if needed), its request acked once the
 * broker confirmed it (see above). Returns RB_OK (published, or rconn lost
 * and the request settled) or RB_ECLOSED (conn failed, or rconn could not
 * be opened). */
int rb_amqp_reply_publish(srv_worker *w, amqp_bytes_t reply_to,
                          const amqp_basic_properties_t *p, amqp_bytes_t body,
                          uint64_t tag, int redelivered);

/* Forget the pending reply (conn was lost: the broker requeued its
 * request itself). */
void rb_amqp_reply_forget(srv_worker *w);

#endif
