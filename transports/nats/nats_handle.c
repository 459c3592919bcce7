/* nats_handle.c - one request of the NATS servers (both flavours): the
 * method named by the subject's last token, the body read and the reply
 * written in the format its Content-Type asks for (nats_body.c), and the
 * reply published to the subject the caller named. Every bad request (bad
 * body, unknown method or content type, fib out of range, over the size
 * limit) gets an error reply with the Rpcbench-Code / Rpcbench-Error
 * headers; a request with no usable reply subject is counted and dropped. */
#include "nats_int.h"

#include <stdio.h>
#include <string.h>

/* Copy at most n bytes of untrusted text as printable ASCII (others '?'),
 * so error messages stay valid UTF-8 and one line. */
static void clean(char *dst, size_t dstlen, const char *src, size_t n)
{
    size_t i = 0;
    for (; i < n && i + 1 < dstlen; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[i] = ch >= 0x20 && ch < 0x7f && ch != '"' ? (char)ch : '?';
    }
    dst[i] = '\0';
}

/* The method of a request on subject "prefix.<method>", or RB_ENOMETHOD
 * with a message. */
static int method_of(const rb_nats_worker *w, const char *subj, char *msg, size_t msglen)
{
    char name[64];
    size_t p = strlen(w->prefix);
    const char *m = strlen(subj) > p + 1 ? subj + p + 1 : "";
    int id = rb_method_from_name(m, strlen(m));
    if (id >= 0)
        return id;
    clean(name, sizeof name, m, strlen(m));
    snprintf(msg, msglen, "unknown method \"%s\": use %s.fib, %s.getObj or %s.sendObj",
             name, w->prefix, w->prefix, w->prefix);
    return RB_ENOMETHOD;
}

/* Run method m on body[0..len) in format f into w->out. RB_OK or the
 * error code with a message in msg. */
static int run_method(rb_nats_worker *w, int m, rb_nats_fmt f, const char *body, size_t len,
                      char *msg, size_t msglen)
{
    char why[160];
    int64_t n = 0, r = 0;
    int rc;
    const char *name = rb_method_name((rb_method)m);
    if (m == RB_M_FIB)
        rc = rb_nats_arg_int(f, body, len, &n, why, sizeof why);
    else if (m == RB_M_GET_OBJ)
        rc = rb_nats_arg_none(f, body, len, why, sizeof why);
    else
        rc = rb_nats_arg_obj(f, body, len, &w->obj, why, sizeof why);
    if (rc != RB_OK) {
        snprintf(msg, msglen, "%s: %s", name, why);
        return rc == RB_EINVAL || rc == RB_ETOOBIG ? rc : RB_ESERVER;
    }
    if (m == RB_M_FIB && rb_fib(n, &r) != RB_OK) {
        snprintf(msg, msglen, "fib(%lld): n must be 0..%d", (long long)n, RB_FIB_MAX);
        return RB_EINVAL;
    }
    rb_service_work();   /* decoded and executed: the handler's own time */
    if (m == RB_M_GET_OBJ) {
        rc = rb_nats_put_obj(f, &w->out, w->get_obj);
    } else {
        if (m == RB_M_SEND_OBJ)
            rb_service_send_obj(&w->obj, &r);
        rc = rb_nats_put_int(f, &w->out, r);
    }
    if (rc != RB_OK)
        snprintf(msg, msglen, "%s: %s", name, rb_strerror(rc));
    return rc == RB_OK ? RB_OK : RB_ESERVER;
}

/* The result or the error of request msg into w->out; *f its format. */
static int answer(rb_nats_worker *w, natsMsg *msg, rb_nats_fmt *f, char *emsg, size_t emsglen)
{
    const char *ct = NULL, *body = natsMsg_GetData(msg);
    size_t len = (size_t)natsMsg_GetDataLength(msg);
    if (natsMsgHeader_Get(msg, RB_NATS_CT_HEADER, &ct) != NATS_OK)
        ct = NULL;
    int m = method_of(w, natsMsg_GetSubject(msg), emsg, emsglen);
    int fmt_rc = rb_nats_fmt_of(ct, body, len, f);
    if (*f == RB_NATS_FMT_TEXT && m != RB_M_FIB && !ct)
        *f = RB_NATS_FMT_JSON;   /* a number sniffed as text: only fib's is */
    if (m < 0)
        return m;
    if (fmt_rc != RB_OK) {
        char name[64];
        clean(name, sizeof name, ct, strlen(ct));
        snprintf(emsg, emsglen, "unsupported Content-Type \"%s\": use %s, %s or %s", name,
                 RB_NATS_CT_MSGPACK, RB_NATS_CT_JSON, RB_NATS_CT_TEXT);
        return RB_EINVAL;
    }
    if (len > w->max_request) {
        snprintf(emsg, emsglen, "request of %zu bytes is over the limit of %zu bytes",
                 len, w->max_request);
        return RB_ETOOBIG;
    }
    return run_method(w, m, *f, body, len, emsg, emsglen);
}

static const char *code_name(int err)
{
    return err == RB_EINVAL ? "EINVAL" : err == RB_ETOOBIG ? "ETOOBIG"
         : err == RB_ENOMETHOD ? "ENOMETHOD" : "ESERVER";
}

int rb_nats_handle(rb_nats_worker *w, natsMsg *msg, const char *reply)
{
    char emsg[300] = "";
    rb_nats_fmt f = RB_NATS_FMT_MSGPACK;
    natsMsg *rep = NULL;
    w->calls++;
    if (!reply || !rb_nats_reply_ok(reply, strlen(reply), w->prefix)) {
        w->dropped++;   /* nowhere to answer, or somewhere we must not */
        return RB_OK;
    }
    const char *ct = NULL;
    int typed = natsMsgHeader_Get(msg, RB_NATS_CT_HEADER, &ct) == NATS_OK;
    int rc = answer(w, msg, &f, emsg, sizeof emsg);
    if (rc != RB_OK) {
        w->errors++;
        if (!emsg[0])
            snprintf(emsg, sizeof emsg, "%s", rb_strerror(rc));
        clean(emsg, sizeof emsg, emsg, strlen(emsg));   /* a parser's words may quote input */
        /* the body says it too, for clients that ignore headers */
        if (rb_nats_put_error(f, &w->out, emsg, code_name(rc)) != RB_OK)
            w->out.len = 0;
    }
    natsStatus s = natsMsg_Create(&rep, reply, NULL, w->out.data, (int)w->out.len);
    /* A MessagePack result to a request without Content-Type (rpcbench's
     * client) goes without headers, as the request came: MSG, not HMSG. */
    if (s == NATS_OK && (typed || f != RB_NATS_FMT_MSGPACK || rc != RB_OK))
        s = natsMsgHeader_Set(rep, RB_NATS_CT_HEADER, rb_nats_fmt_ct(f));
    if (s == NATS_OK && rc != RB_OK)
        s = natsMsgHeader_Set(rep, RB_NATS_CODE_HEADER, code_name(rc));
    if (s == NATS_OK && rc != RB_OK)
        s = natsMsgHeader_Set(rep, RB_NATS_ERR_HEADER, emsg);
    if (s == NATS_OK)
        s = natsConnection_PublishMsg(w->nc, rep);
    natsMsg_Destroy(rep);
    /* a reply over the broker's max_payload is lost, not the connection */
    return s == NATS_OK || s == NATS_MAX_PAYLOAD ? RB_OK : rb_nats_err(s);
}
