/* nats_body.c - message bodies by Content-Type: which format a request is
 * in; the server's reading of arguments and writing of results in it
 * (MessagePack through services/rb_msgpack.h, JSON through jansson and
 * services/rb_json.h, plain-text numbers here); the client's MessagePack
 * request and its reading of a reply. */
#include "nats_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "rb_json.h"
#include "rb_msgpack.h"

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

const char *rb_nats_fmt_ct(rb_nats_fmt f)
{
    return f == RB_NATS_FMT_MSGPACK ? RB_NATS_CT_MSGPACK
         : f == RB_NATS_FMT_TEXT ? RB_NATS_CT_TEXT : RB_NATS_CT_JSON;
}

/* A plain-text integer: optional blanks, an optional sign, 1..19 digits,
 * optional blanks. */
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
static int ct_is(const char *ct, const char *name)
{
    size_t n = strcspn(ct, ";"), want = strlen(name);
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    return n == want && strncasecmp(ct, name, n) == 0;
}

int rb_nats_fmt_of(const char *ct, const char *body, size_t len, rb_nats_fmt *fmt)
{
    int64_t v;
    *fmt = RB_NATS_FMT_JSON;
    if (!ct || !*ct) {
        /* rpcbench's client sends none: an arguments array, whose first
         * byte (fixarray, array16, array32) starts no JSON and no text */
        unsigned char b0 = len ? (unsigned char)body[0] : 0;
        if (len && ((b0 & 0xf0) == 0x90 || b0 == 0xdc || b0 == 0xdd))
            *fmt = RB_NATS_FMT_MSGPACK;
        else if (text_int(body, len, &v) == RB_OK)
            *fmt = RB_NATS_FMT_TEXT;
        return RB_OK;
    }
    if (ct_is(ct, RB_NATS_CT_MSGPACK) || ct_is(ct, "application/x-msgpack"))
        *fmt = RB_NATS_FMT_MSGPACK;
    else if (ct_is(ct, RB_NATS_CT_TEXT))
        *fmt = RB_NATS_FMT_TEXT;
    else if (!ct_is(ct, RB_NATS_CT_JSON))
        return RB_EINVAL;
    return RB_OK;
}

/* ---- server: arguments ------------------------------------------------------ */

/* A MessagePack args array of exactly `want` elements into u, its values
 * budgeted before msgpack-c allocates. */
static int mp_args(const char *body, size_t len, uint32_t want, msgpack_unpacked *u,
                   char *why, size_t whylen)
{
    int rc = rb_mp_decode_max(body, len, RB_MAX_ELEMENTS, u);
    if (rc == RB_ENOMEM || rc == RB_ETOOBIG) {
        snprintf(why, whylen, rc == RB_ENOMEM ? "out of memory"
                 : "request holds more than %u MessagePack values", RB_MAX_ELEMENTS);
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

/* What jansson may be given: nested at most RB_MAX_DEPTH deep, at most
 * 4096 + len / 12 values (',' and ':' outside strings), so one body's
 * parse costs memory in proportion to its bytes. RB_OK or RB_EINVAL. */
static int json_screen(const char *p, size_t len, char *why, size_t whylen)
{
    int depth = 0, in_string = 0;
    size_t values = 0, max_values = 4096 + len / 12;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = 0;
        } else if (ch == '"') {
            in_string = 1;
        } else if ((ch == '{' || ch == '[') && ++depth > RB_MAX_DEPTH) {
            snprintf(why, whylen, "JSON nested deeper than %d", RB_MAX_DEPTH);
            return RB_EINVAL;
        } else if (ch == '}' || ch == ']') {
            depth--;
        } else if ((ch == ',' || ch == ':') && ++values > max_values) {
            snprintf(why, whylen, "JSON with more than %zu values in %zu bytes", max_values, len);
            return RB_EINVAL;
        }
    }
    return RB_OK;
}

/* One JSON value of body[0..len) (the caller json_decref()s it), or NULL
 * with the reason. Duplicate keys are refused. */
static json_t *json_of(const char *body, size_t len, char *why, size_t whylen)
{
    json_error_t e;
    if (json_screen(body, len, why, whylen) != RB_OK)
        return NULL;
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
    if (!j)
        snprintf(why, whylen, "body is not JSON: %.100s", e.text);
    return j;
}

int rb_nats_arg_int(rb_nats_fmt f, const char *body, size_t len, int64_t *n,
                    char *why, size_t whylen)
{
    int rc = RB_EINVAL;
    if (f == RB_NATS_FMT_TEXT) {
        if ((rc = text_int(body, len, n)) != RB_OK)
            snprintf(why, whylen, "text/plain body is not a decimal integer");
        return rc;
    }
    if (f == RB_NATS_FMT_JSON) {
        json_t *j = json_of(body, len, why, whylen);
        if (j && json_is_integer(j)) {
            *n = json_integer_value(j);
            rc = RB_OK;
        } else if (j) {
            snprintf(why, whylen, "the argument is not a JSON integer");
        }
        json_decref(j);
        return rc;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    rc = mp_args(body, len, 1, &u, why, whylen);
    if (rc == RB_OK && rb_mp_get_int(&u.data.via.array.ptr[0], n) != RB_OK) {
        snprintf(why, whylen, "the argument is not an integer in int64");
        rc = RB_EINVAL;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int rb_nats_arg_obj(rb_nats_fmt f, const char *body, size_t len, rb_obj *obj,
                    char *why, size_t whylen)
{
    int rc;
    if (f == RB_NATS_FMT_TEXT) {
        snprintf(why, whylen, "an object has no text/plain form: send "
                 RB_NATS_CT_JSON " or " RB_NATS_CT_MSGPACK);
        return RB_EINVAL;
    }
    if (f == RB_NATS_FMT_JSON) {
        json_t *j = json_of(body, len, why, whylen);
        rc = j ? rb_json_to_obj(j, obj, why, whylen) : RB_EINVAL;
        json_decref(j);
        return rc;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    rc = mp_args(body, len, 1, &u, why, whylen);
    if (rc == RB_OK) {
        rc = rb_mp_get_obj(&u.data.via.array.ptr[0], obj);
        if (rc != RB_OK)
            snprintf(why, whylen, "%s", rc == RB_ENOMEM ? "out of memory"
                     : "the argument is not a map string -> int64");
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

int rb_nats_arg_none(rb_nats_fmt f, const char *body, size_t len, char *why, size_t whylen)
{
    if (f == RB_NATS_FMT_TEXT) {
        snprintf(why, whylen, "an object has no text/plain form: send "
                 RB_NATS_CT_JSON " or " RB_NATS_CT_MSGPACK);
        return RB_EINVAL;
    }
    if (f == RB_NATS_FMT_JSON || len == 0)
        return RB_OK;   /* JSON: the body is ignored */
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = mp_args(body, len, 0, &u, why, whylen);
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---- server: results and errors -------------------------------------------- */

static int put_text(rb_buf *b, const char *fmt, const char *a, const char *c)
{
    int n = snprintf(NULL, 0, fmt, a, c);
    if (n < 0 || rb_buf_reserve(b, (size_t)n + 1) != RB_OK)
        return RB_ENOMEM;
    snprintf(b->data, (size_t)n + 1, fmt, a, c);
    b->len = (size_t)n;
    return RB_OK;
}

int rb_nats_put_int(rb_nats_fmt f, rb_buf *b, int64_t v)
{
    if (f != RB_NATS_FMT_MSGPACK) {   /* JSON and text spell it alike */
        char num[24];
        snprintf(num, sizeof num, "%lld", (long long)v);
        return put_text(b, "%s%s", num, "");
    }
    msgpack_packer pk;
    packer_on(&pk, b);
    return msgpack_pack_int64(&pk, v) ? RB_ENOMEM : RB_OK;
}

int rb_nats_put_obj(rb_nats_fmt f, rb_buf *b, const rb_obj *o)
{
    if (f != RB_NATS_FMT_MSGPACK) {
        json_t *j = NULL;
        int rc = rb_json_from_obj(o, &j);
        if (rc == RB_OK)
            rc = rb_json_dump(j, b);
        json_decref(j);
        return rc;
    }
    msgpack_packer pk;
    packer_on(&pk, b);
    return rb_mp_pack_obj(&pk, o) ? RB_ENOMEM : RB_OK;
}

int rb_nats_put_error(rb_nats_fmt f, rb_buf *b, const char *msg, const char *code)
{
    if (f == RB_NATS_FMT_TEXT)
        return put_text(b, "%s: %s", code, msg);
    if (f == RB_NATS_FMT_JSON) {
        json_t *j = json_pack("{s:s, s:s}", "error", msg, "code", code);
        int rc = j ? rb_json_dump(j, b) : RB_EINVAL;
        json_decref(j);
        return rc;
    }
    msgpack_packer pk;
    packer_on(&pk, b);
    if (msgpack_pack_map(&pk, 2) || rb_mp_pack_cstr(&pk, "error") || rb_mp_pack_cstr(&pk, msg) ||
        rb_mp_pack_cstr(&pk, "code") || rb_mp_pack_cstr(&pk, code))
        return RB_ENOMEM;
    return RB_OK;
}

/* ---- client ----------------------------------------------------------------- */

int rb_nats_put_args(rb_buf *b, rb_method m, int64_t n, const rb_obj *obj)
{
    msgpack_packer pk;
    packer_on(&pk, b);
    return rb_mp_pack_args(&pk, m, n, obj) ? RB_ENOMEM : RB_OK;
}

int rb_nats_get_result(rb_nats_fmt f, const char *body, size_t len, rb_method m,
                       int64_t *num, rb_obj *obj)
{
    char why[160];
    int rc;
    if (f != RB_NATS_FMT_MSGPACK) {
        json_t *j = json_of(body, len, why, sizeof why);
        if (!j)
            return RB_EPROTO;
        if (m == RB_M_GET_OBJ)
            rc = rb_json_to_obj(j, obj, why, sizeof why);
        else if ((rc = json_is_integer(j) ? RB_OK : RB_EINVAL) == RB_OK)
            *num = json_integer_value(j);
        json_decref(j);
        return rc == RB_EINVAL ? RB_EPROTO : rc;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    rc = rb_mp_decode(body, len, &u);
    if (rc == RB_OK)
        rc = rb_mp_get_result(&u.data, m, num, obj);
    msgpack_unpacked_destroy(&u);
    return rc == RB_ENOMEM ? rc : rc != RB_OK ? RB_EPROTO : RB_OK;
}
