/* amqp_handle.c - one request of the AMQP server: the method named by the
 * `type` property (none: fib, as the RabbitMQ tutorial), the body read and
 * the reply written in the format the request's content_type asks for
 * (amqp_body.c), and the reply published with the request's correlation_id
 * (amqp_reply.c). Every bad request (bad body, unknown method or content
 * type, fib out of range, over the size limit) gets an error reply with the
 * rpcbench-code / rpcbench-error headers; a request without reply_to is
 * acked, counted and dropped. */
#include "amqp_srv.h"

#include <stdio.h>
#include <string.h>

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

/* The method of a request, or RB_ENOMETHOD with a message. */
static int method_of(const amqp_basic_properties_t *rp, char *msg, size_t msglen)
{
    char name[64];
    if (!(rp->_flags & AMQP_BASIC_TYPE_FLAG) || rp->type.len == 0)
        return RB_M_FIB;   /* no type: the tutorial's fib request */
    int m = rb_method_from_name(rp->type.bytes, rp->type.len);
    if (m < 0) {
        clean(name, sizeof name, rp->type.bytes, rp->type.len);
        snprintf(msg, msglen, "unknown method \"%s\"", name);
        return RB_ENOMETHOD;
    }
    return m;
}

/* Run method m on the body in format f into w->out. Returns RB_OK or the
 * error code with a message in msg. */
static int run_method(srv_worker *w, int m, rb_amqp_fmt f, const amqp_bytes_t *body,
                      char *msg, size_t msglen)
{
    char why[160];
    int64_t n, r;
    int rc;
    const char *name = rb_method_name((rb_method)m);
    if (m == RB_M_FIB)
        rc = rb_amqp_arg_int(f, body, &n, why, sizeof why);
    else if (m == RB_M_GET_OBJ)
        rc = rb_amqp_arg_none(f, body, why, sizeof why);
    else
        rc = rb_amqp_arg_obj(f, body, &w->obj, why, sizeof why);
    if (rc != RB_OK) {
        snprintf(msg, msglen, "%s: %s", name, why);
        return rc == RB_EINVAL ? RB_EINVAL : RB_ESERVER;
    }
    if (m == RB_M_FIB && rb_fib(n, &r) != RB_OK) {
        snprintf(msg, msglen, "fib(%lld): n must be 0..%d", (long long)n, RB_FIB_MAX);
        return RB_EINVAL;
    }
    rb_service_work();   /* decoded and executed: the handler's own time */
    if (m == RB_M_GET_OBJ) {
        rc = rb_amqp_put_obj(f, &w->out, &w->sh->get_obj);
    } else {
        if (m == RB_M_SEND_OBJ)
            rb_service_send_obj(&w->obj, &r);
        rc = rb_amqp_put_int(f, &w->out, r);
    }
    if (rc != RB_OK)
        snprintf(msg, msglen, "%s: %s", name, rb_strerror(rc));
    return rc == RB_OK ? RB_OK : RB_ESERVER;
}

/* The reply's body in w->out (an error's written here) and its properties. */
static void reply_props(srv_worker *w, const amqp_basic_properties_t *rp, rb_amqp_fmt f,
                        int err, const char *msg, amqp_table_entry_t h[2],
                        amqp_basic_properties_t *p)
{
    p->_flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
    p->content_type = rb_amqp_fmt_ct(f);
    if (rp->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
        p->_flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        p->correlation_id = rp->correlation_id;
    }
    if (err == RB_OK)
        return;
    const char *code = err == RB_EINVAL ? "EINVAL" : err == RB_ETOOBIG ? "ETOOBIG"
                     : err == RB_ENOMETHOD ? "ENOMETHOD" : "ESERVER";
    h[0].key = amqp_cstring_bytes(RB_AMQP_ERR_HEADER);
    h[0].value.kind = AMQP_FIELD_KIND_UTF8;
    h[0].value.value.bytes = amqp_cstring_bytes(msg);
    h[1].key = amqp_cstring_bytes(RB_AMQP_CODE_HEADER);
    h[1].value.kind = AMQP_FIELD_KIND_UTF8;
    h[1].value.value.bytes = amqp_cstring_bytes(code);
    p->_flags |= AMQP_BASIC_HEADERS_FLAG;
    p->headers = (amqp_table_t){ 2, h };
    /* The body says it too, for clients that ignore headers. */
    if (rb_amqp_put_error(f, &w->out, msg, code) != RB_OK)
        w->out.len = 0;
}

/* Answer the request: the method's result or an error, in its format. */
static int answer(srv_worker *w, const rb_amqp_msg *req, rb_amqp_fmt *f,
                  char *msg, size_t msglen)
{
    const amqp_basic_properties_t *rp = req->props;
    const amqp_bytes_t *body = &req->body;
    int m = method_of(rp, msg, msglen);
    int fmt_rc = rb_amqp_fmt_of(rp, body, f);
    if (m < 0)
        return m;
    if (*f == RB_AMQP_FMT_TEXT && m != RB_M_FIB && !(rp->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG))
        *f = RB_AMQP_FMT_JSON;   /* a number sniffed as text: only fib's is */
    if (fmt_rc != RB_OK) {
        char ct[64];
        clean(ct, sizeof ct, rp->content_type.bytes, rp->content_type.len);
        snprintf(msg, msglen, "unsupported content_type \"%s\": use %s, %s or %s", ct,
                 RB_AMQP_CT_MSGPACK, RB_AMQP_CT_JSON, RB_AMQP_CT_TEXT);
        return RB_EINVAL;
    }
    if (req->truncated || req->body_size > w->sh->max_request) {
        snprintf(msg, msglen, "request of %llu bytes is over the limit of %zu bytes",
                 (unsigned long long)req->body_size, w->sh->max_request);
        return RB_ETOOBIG;
    }
    return run_method(w, m, *f, body, msg, msglen);
}

int rb_amqp_handle(srv_worker *w, const rb_amqp_msg *req)
{
    const amqp_basic_properties_t *rp = req->props;
    const amqp_basic_deliver_t *d = req->frame.payload.method.decoded;
    w->calls++;
    if (!(rp->_flags & AMQP_BASIC_REPLY_TO_FLAG) || rp->reply_to.len == 0) {
        w->dropped++;   /* nowhere to answer */
        return amqp_basic_ack(w->conn, RB_AMQP_CHANNEL, d->delivery_tag, 0) == AMQP_STATUS_OK
               ? RB_OK : RB_ECLOSED;
    }
    char msg[300];
    msg[0] = '\0';
    rb_amqp_fmt f;
    int rc = answer(w, req, &f, msg, sizeof msg);
    if (rc != RB_OK) {
        w->errors++;
        if (!msg[0])
            snprintf(msg, sizeof msg, "%s", rb_strerror(rc));
    }
    amqp_basic_properties_t p;
    amqp_table_entry_t h[2];
    reply_props(w, rp, f, rc, msg, h, &p);
    amqp_bytes_t body = { w->out.len, w->out.data };
    return rb_amqp_reply_publish(w, rp->reply_to, &p, body, d->delivery_tag,
                                 d->redelivered);
}
