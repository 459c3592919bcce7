/* amqp_body.c - message bodies by content type: which format a request is
 * in, and the server's reading of arguments and writing of results in that
 * format (MessagePack through services/rb_msgpack.h, JSON through
 * amqp_json.c, plain-text numbers here); plus the client's MessagePack
 * request and reply (all written into an rb_buf, services/rb_buf.h). */
#include "amqp_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rb_msgpack.h"

/* msgpack-c's write callback: append to an rb_buf. */
static int buf_write(void *data, const char *p, size_t n)
{
    return rb_buf_append(data, p, n) == RB_OK ? 0 : -1;
}

static void packer_on(msgpack_packer *pk, rb_buf *b)
{
    b->len = 0;
    msgpack_packer_init(pk, b, buf_write);
}

/* ---- which format ----------------------------------------------------------- */

static const amqp_bytes_t ct_names[] = {
    [RB_AMQP_FMT_MSGPACK] = { sizeof RB_AMQP_CT_MSGPACK - 1, (void *)RB_AMQP_CT_MSGPACK },
    [RB_AMQP_FMT_JSON] = { sizeof RB_AMQP_CT_JSON - 1, (void *)RB_AMQP_CT_JSON },
    [RB_AMQP_FMT_TEXT] = { sizeof RB_AMQP_CT_TEXT - 1, (void *)RB_AMQP_CT_TEXT },
};

amqp_bytes_t rb_amqp_fmt_ct(rb_amqp_fmt f)
{
    return ct_names[f];
}

/* A plain-text integer: optional blanks, an optional sign, 1..19 digits,
 * optional blanks (what Python's str(int) writes and int() reads). */
static int text_int(const char *s, size_t len, int64_t *v)
{
    size_t i = 0, end = len;
    while (i < end && isspace((unsigned char)s[i]))
        i++;
    while (end > i && isspace((unsigned char)s[end - 1]))
        end--;
    int neg = 0;
    if (i < end && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == end || end - i > 19)
        return RB_EINVAL;
    uint64_t u = 0;
    for (; i < end; i++) {
        if (s[i] < '0' || s[i] > '9')
            return RB_EINVAL;
        u = u * 10 + (uint64_t)(s[i] - '0');
    }
    if (u > (uint64_t)INT64_MAX + (uint64_t)neg)
        return RB_EINVAL;
    *v = neg ? (int64_t)(0 - u) : (int64_t)u;
    return RB_OK;
}

/* Does the media type of ct (before any ';' parameters) equal name? */
static int ct_is(const amqp_bytes_t *ct, const char *name)
{
    const char *s = ct->bytes;
    size_t n = 0, want = strlen(name);
    while (n < ct->len && s[n] != ';')
        n++;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n == want && strncasecmp(s, name, n) == 0;
}

int rb_amqp_fmt_of(const amqp_basic_properties_t *p, const amqp_bytes_t *body,
                   rb_amqp_fmt *fmt)
{
    *fmt = RB_AMQP_FMT_JSON;
    if (!(p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG) || p->content_type.len == 0) {
        /* The tutorial's client: no content type, the number as text. */
        int64_t v;
        if (text_int(body->bytes, body->len, &v) == RB_OK)
            *fmt = RB_AMQP_FMT_TEXT;
        return RB_OK;
    }
    if (ct_is(&p->content_type, RB_AMQP_CT_MSGPACK) || ct_is(&p->content_type, "application/x-msgpack"))
        *fmt = RB_AMQP_FMT_MSGPACK;
    else if (ct_is(&p->content_type, RB_AMQP_CT_TEXT))
        *fmt = RB_AMQP_FMT_TEXT;
    else if (!ct_is(&p->content_type, RB_AMQP_CT_JSON))
        return RB_EINVAL;
    return RB_OK;
}

/* ---- server: arguments ------------------------------------------------------ */

/* A MessagePack args array of exactly `want` elements into u. */
static int mp_args(const amqp_bytes_t *body, uint32_t want, msgpack_unpacked *u,
                   char *why, size_t whylen)
{
    /* A request's values are budgeted before msgpack-c allocates (as tcp
     * and zmq do): many tiny values under the byte limit must not balloon
     * the server. */
    int rc = rb_mp_decode_max(body->bytes, body->len, RB_MAX_ELEMENTS, u);
    if (rc == RB_ENOMEM) {
        snprintf(why, whylen, "out of memory");
        return rc;
    }
    if (rc == RB_ETOOBIG) {
        snprintf(why, whylen, "request holds more than %u MessagePack values", RB_MAX_ELEMENTS);
        return rc;
    }
    if (rc != RB_OK) {
        snprintf(why, whylen, "body is not one well-formed MessagePack value");
        return RB_EINVAL;
    }
    if (u->data.type != MSGPACK_OBJECT_ARRAY || u->data.via.array.size != want) {
        snprintf(why, whylen, "body must be the arguments array of %u element%s",
                 want, want == 1 ? "" : "s");
        return RB_EINVAL;
    }
    return RB_OK;
}

int rb_amqp_arg_int(rb_amqp_fmt f, const amqp_bytes_t *body, int64_t *n,
                    char *why, size_t whylen)
{
    if (f == RB_AMQP_FMT_JSON)
        return rb_amqp_json_get_int(body->bytes, body->len, n, why, whylen);
    if (f == RB_AMQP_FMT_TEXT) {
        if (text_int(body->bytes, body->len, n) == RB_OK)
            return RB_OK;
        snprintf(why, whylen, "text/plain body is not a decimal integer");
        return RB_EINVAL;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = mp_args(body, 1, &u, why, whylen);
    if (rc == RB_OK && rb_mp_get_int(&u.data.via.array.ptr[0], n) != RB_OK) {
        snprintf(why, whylen, "the argument is not an integer in int64");
        rc = RB_EINVAL;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int rb_amqp_arg_obj(rb_amqp_fmt f, const amqp_bytes_t *body, rb_obj *obj,
                    char *why, size_t whylen)
{
    if (f == RB_AMQP_FMT_JSON)
        return rb_amqp_json_get_obj(body->bytes, body->len, obj, why, whylen);
    if (f == RB_AMQP_FMT_TEXT) {
        snprintf(why, whylen, "an object has no text/plain form: send "
                 RB_AMQP_CT_JSON " or " RB_AMQP_CT_MSGPACK);
        return RB_EINVAL;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = mp_args(body, 1, &u, why, whylen);
    if (rc == RB_OK) {
        rc = rb_mp_get_obj(&u.data.via.array.ptr[0], obj);
        if (rc != RB_OK)
            snprintf(why, whylen, "%s", rc == RB_ENOMEM ? "out of memory"
                     : "the argument is not a map string -> int64");
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int rb_amqp_arg_none(rb_amqp_fmt f, const amqp_bytes_t *body, char *why, size_t whylen)
{
    if (f == RB_AMQP_FMT_TEXT) {
        snprintf(why, whylen, "an object has no text/plain form: send "
                 RB_AMQP_CT_JSON " or " RB_AMQP_CT_MSGPACK);
        return RB_EINVAL;
    }
    if (f == RB_AMQP_FMT_JSON || body->len == 0)
        return RB_OK;   /* JSON: the body is ignored, as the tutorial's */
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = mp_args(body, 0, &u, why, whylen);
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---- server: results and errors -------------------------------------------- */

int rb_amqp_put_int(rb_amqp_fmt f, rb_buf *b, int64_t v)
{
    if (f != RB_AMQP_FMT_MSGPACK)
        return rb_amqp_json_put_int(b, v);   /* JSON and text spell it alike */
    msgpack_packer pk;
    packer_on(&pk, b);
    return msgpack_pack_int64(&pk, v) ? RB_ENOMEM : RB_OK;
}

int rb_amqp_put_obj(rb_amqp_fmt f, rb_buf *b, const rb_obj *o)
{
    if (f != RB_AMQP_FMT_MSGPACK)
        return rb_amqp_json_put_obj(b, o);
    msgpack_packer pk;
    packer_on(&pk, b);
    return rb_mp_pack_obj(&pk, o) ? RB_ENOMEM : RB_OK;
}

int rb_amqp_put_error(rb_amqp_fmt f, rb_buf *b, const char *msg, const char *code)
{
    if (f == RB_AMQP_FMT_JSON)
        return rb_amqp_json_put_error(b, msg, code);
    if (f == RB_AMQP_FMT_TEXT) {
        int n = snprintf(NULL, 0, "%s: %s", code, msg);
        if (n < 0 || rb_buf_reserve(b, (size_t)n + 1) != RB_OK)
            return RB_ENOMEM;
        snprintf(b->data, (size_t)n + 1, "%s: %s", code, msg);
        b->len = (size_t)n;
        return RB_OK;
    }
    msgpack_packer pk;
    packer_on(&pk, b);
    if (msgpack_pack_map(&pk, 2) || rb_mp_pack_cstr(&pk, "error") || rb_mp_pack_cstr(&pk, msg) ||
        rb_mp_pack_cstr(&pk, "code") || rb_mp_pack_cstr(&pk, code))
        return RB_ENOMEM;
    return RB_OK;
}

/* ---- client: MessagePack request and reply --------------------------------- */

int rb_amqp_mp_put_args(rb_buf *b, rb_method m, int64_t n, const rb_obj *obj)
{
    msgpack_packer pk;
    packer_on(&pk, b);
    return rb_mp_pack_args(&pk, m, n, obj) ? RB_ENOMEM : RB_OK;
}

int rb_amqp_mp_get_result(const amqp_bytes_t *body, rb_method m, int64_t *num,
                          rb_obj *obj)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = rb_mp_decode(body->bytes, body->len, &u);
    if (rc == RB_OK)
        rc = rb_mp_get_result(&u.data, m, num, obj);
    msgpack_unpacked_destroy(&u);
    return rc == RB_ENOMEM ? rc : rc != RB_OK ? RB_EPROTO : RB_OK;
}
