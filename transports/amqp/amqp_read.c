/* amqp_read.c - read one frame, or one whole message, from a connection
 * with deadlines.
 *
 * rabbitmq-c 0.11's amqp_consume_message() waits for the basic.deliver
 * frame within a timeout, then reads the content header and body frames
 * with none (amqp_read_message waits forever), and allocates five times per
 * message. Here every frame of a message is read under a deadline, the
 * message is left in the connection's frame pool (a body that spans frames
 * is copied into the caller's buffer), and a body over the caller's limit
 * is read and dropped, never stored. */
#include "amqp_int.h"

#include <string.h>
#include <sys/time.h>

/* One frame within ms (0: only what has arrived). RB_OK, RB_ETIMEDOUT or
 * RB_ECLOSED. */
static int frame_within(amqp_connection_state_t conn, int ms, amqp_frame_t *f)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    int st = amqp_simple_wait_frame_noblock(conn, f, &tv);
    if (st == AMQP_STATUS_OK)
        return RB_OK;
    return st == AMQP_STATUS_TIMEOUT ? RB_ETIMEDOUT : RB_ECLOSED;
}

/* The body frames of a message whose header said m->body_size bytes. */
static int read_body(amqp_connection_state_t conn, uint64_t deadline, size_t max_body,
                     rb_buf *buf, rb_amqp_msg *m)
{
    uint64_t got = 0;
    int keep = m->body_size <= max_body;
    m->truncated = !keep;
    buf->len = 0;
    while (got < m->body_size) {
        amqp_frame_t f;
        int left = rb_ms_left(deadline);
        if (left == 0 || frame_within(conn, left, &f) != RB_OK ||
            f.frame_type != AMQP_FRAME_BODY ||
            f.payload.body_fragment.len > m->body_size - got)
            return RB_ECLOSED;   /* late, broken, or not the frames promised */
        const amqp_bytes_t *frag = &f.payload.body_fragment;
        if (got == 0 && frag->len == m->body_size) {
            m->body = *frag;     /* the usual case: one frame, no copy */
            return RB_OK;
        }
        if (keep) {
            if (rb_buf_reserve(buf, buf->len + frag->len) != RB_OK)
                return RB_ENOMEM;
            memcpy(buf->data + buf->len, frag->bytes, frag->len);
            buf->len += frag->len;
        }
        got += frag->len;
    }
    m->body = keep ? (amqp_bytes_t){ buf->len, buf->data } : amqp_empty_bytes;
    return RB_OK;
}

int rb_amqp_read(amqp_connection_state_t conn, int wait_ms, int frame_ms, size_t max_body,
                 rb_buf *buf, rb_amqp_msg *m)
{
    memset(m, 0, sizeof *m);
    int rc = frame_within(conn, wait_ms, &m->frame);
    if (rc != RB_OK)
        return rc;
    if (m->frame.frame_type != AMQP_FRAME_METHOD ||
        (m->frame.payload.method.id != AMQP_BASIC_DELIVER_METHOD &&
         m->frame.payload.method.id != AMQP_BASIC_RETURN_METHOD))
        return RB_OK;   /* a frame of its own */
    const uint64_t deadline = rb_now_ns() + (uint64_t)frame_ms * 1000000u;
    amqp_frame_t h;
    int left = rb_ms_left(deadline);
    if (left == 0 || frame_within(conn, left, &h) != RB_OK || h.frame_type != AMQP_FRAME_HEADER)
        return RB_ECLOSED;
    m->props = h.payload.properties.decoded;
    m->body_size = h.payload.properties.body_size;
    return read_body(conn, deadline, max_body, buf, m);
}
