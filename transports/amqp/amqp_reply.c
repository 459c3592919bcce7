/* amqp_reply.c - publishing replies: on the consuming channel with the
 * request's ack right after it, and a redelivered request's direct reply
 * alone on a connection of its own in confirm mode (see amqp_srv.h for
 * why, and what happens when either connection is lost). */
#include "amqp_srv.h"

#include <stdio.h>
#include <string.h>

int rb_amqp_reply_open(srv_worker *w, char *err, size_t errlen)
{
    char why[200];
    int rc = rb_amqp_conn_open(RB_AMQP_CONNECT_MS, &w->rconn, err, errlen);
    if (rc != RB_OK)
        return rc;
    if (!amqp_confirm_select(w->rconn, RB_AMQP_CHANNEL)) {
        snprintf(err, errlen, "cannot enable publisher confirms on the reply connection: %s",
                 rb_amqp_reply_str(amqp_get_rpc_reply(w->rconn), why, sizeof why));
        rb_amqp_conn_close(&w->rconn);
        return RB_ECONNECT;
    }
    amqp_maybe_release_buffers(w->rconn);
    w->rseq = 0;   /* confirm numbering starts at 1 per channel */
    return RB_OK;
}

void rb_amqp_reply_forget(srv_worker *w)
{
    w->pending = 0;
}

/* The pending reply (a redelivered request's, answered alone) was not
 * taken: its request is the poison, rejected without requeue. */
static int give_back(srv_worker *w)
{
    w->pending = 0;
    w->poison++;
    return amqp_basic_reject(w->conn, RB_AMQP_CHANNEL, w->pending_tag, 0) == AMQP_STATUS_OK
           ? RB_OK : RB_ECLOSED;
}

/* rconn is gone (the broker closed it, a socket error, no confirm in time)
 * with the pending reply unconfirmed: its request is the poison. */
static int lost(srv_worker *w)
{
    amqp_destroy_connection(w->rconn);   /* no polite close: state unknown */
    w->rconn = NULL;
    w->reconnects++;
    return w->pending ? give_back(w) : RB_OK;
}

/* basic.ack (ok) or basic.nack of publish number seq (and all before it
 * when multiple): ack the pending reply's request, or give it back. */
static int confirmed(srv_worker *w, uint64_t seq, int multiple, int ok)
{
    if (!w->pending || !(seq == w->rseq || (multiple && w->rseq < seq)))
        return RB_OK;
    if (!ok)
        return give_back(w);
    w->pending = 0;
    return amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, w->pending_tag, 0) == AMQP_STATUS_OK
           ? RB_OK : RB_ECLOSED;
}

/* One frame from rconn within wait_ms. RB_OK (handled, rconn maybe lost),
 * RB_ETIMEDOUT (nothing came) or RB_ECLOSED (conn failed). */
static int read_frame(srv_worker *w, int wait_ms)
{
    amqp_frame_t f;
    struct timeval tv = { wait_ms / 1000, (wait_ms % 1000) * 1000 };
    int st = amqp_simple_wait_frame_noblock(w->rconn, &f, &tv);
    if (st == AMQP_STATUS_TIMEOUT)
        return RB_ETIMEDOUT;
    if (st != AMQP_STATUS_OK)
        return lost(w);
    if (f.frame_type != AMQP_FRAME_METHOD)
        return RB_OK;   /* content of a basic.return: nothing to do */
    switch (f.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
        const amqp_basic_ack_t *m = f.payload.method.decoded;
        return confirmed(w, m->delivery_tag, m->multiple, 1);
    }
    case AMQP_BASIC_NACK_METHOD: {
        const amqp_basic_nack_t *m = f.payload.method.decoded;
        return confirmed(w, m->delivery_tag, m->multiple, 0);
    }
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD:
        return lost(w);
    default:
        return RB_OK;
    }
}

/* Read rconn's frames until the pending reply is confirmed (its request
 * acked) or refused; no confirm within RB_AMQP_SETTLE_MS means rconn is
 * lost. RB_OK or RB_ECLOSED (conn failed). */
static int await_confirm(srv_worker *w)
{
    const uint64_t deadline = rb_now_ns() + (uint64_t)RB_AMQP_SETTLE_MS * 1000000u;
    if (w->rconn)
        amqp_maybe_release_buffers(w->rconn);
    while (w->rconn && w->pending) {
        int rc = read_frame(w, rb_ms_left(deadline));
        if (rc == RB_ECLOSED)
            return rc;
        if (rc == RB_ETIMEDOUT)
            return lost(w);
    }
    return RB_OK;
}

/* A direct reply-to name: the only reply_to whose publish can make the
 * broker close the publishing connection (541 for a malformed one). */
static int is_direct(amqp_bytes_t reply_to)
{
    static const char pre[] = "amq.rabbitmq.reply-to";
    return reply_to.len >= sizeof pre - 1 && memcmp(reply_to.bytes, pre, sizeof pre - 1) == 0;
}

/* A reply on the consuming channel, the request's ack right after it, as
 * the RabbitMQ tutorial's server does. A channel's frames are handled in
 * order, so a reply whose publish makes the broker close the connection
 * (a malformed direct reply-to name) takes its own ack and everything sent
 * after it along: those requests are requeued, never acked unanswered. */
static int publish_here(srv_worker *w, amqp_bytes_t reply_to, const amqp_basic_properties_t *p,
                        amqp_bytes_t body, uint64_t tag)
{
    if (amqp_basic_publish(w->conn, RB_AMQP_CHANNEL, amqp_empty_bytes, reply_to, 0, 0, p,
                           body) != AMQP_STATUS_OK)
        return RB_ECLOSED;   /* the caller drops conn, which requeues */
    return amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, tag, 0) == AMQP_STATUS_OK ? RB_OK : RB_ECLOSED;
}

int rb_amqp_reply_publish(srv_worker *w, amqp_bytes_t reply_to,
                          const amqp_basic_properties_t *p, amqp_bytes_t body,
                          uint64_t tag, int redelivered)
{
    /* A queue name cannot make the broker close anything (the default
     * exchange drops what it cannot route); a direct reply-to name is
     * suspect only on a request that has been delivered before. */
    if (!redelivered || !is_direct(reply_to))
        return publish_here(w, reply_to, p, body, tag);
    /* Answered alone (nothing else is pending between requests): if rconn
     * is lost now, this request is why. */
    if (!w->rconn) {
        char err[300];
        if (rb_amqp_reply_open(w, err, sizeof err) != RB_OK) {
            /* No way to reply now: the caller drops conn, which requeues. */
            fprintf(stderr, "%s worker %d: %s\n", rb_amqp_kind_name(w->sh->kind), w->id, err);
            return RB_ECLOSED;
        }
    }
    int st = amqp_basic_publish(w->rconn, RB_AMQP_CHANNEL, amqp_empty_bytes, reply_to,
                                0, 0, p, body);
    w->rseq++;
    w->pending = 1;
    w->pending_tag = tag;
    if (st != AMQP_STATUS_OK)
        return lost(w);
    return await_confirm(w);
}
