/* json_codec.c - JSON through jansson, the bodies the AMQP transports send
 * (transports/amqp/amqp_json.c) byte for byte; see transports/rb_codec.h.
 *
 * Bytes: fib's request is the bare number (30, as the RabbitMQ tutorial's
 * RPC client sends it), its reply the result (832040); getObj's reply and
 * sendObj's request the compact object {"server:0":0,...}, built as a
 * jansson tree and written with json_dumpb(JSON_COMPACT). An integer is
 * written directly (its decimal digits). Decoding is jansson's strict
 * parser (one value, JSON_REJECT_DUPLICATES), then the object's members
 * into an rb_obj. tests/codecs checks the bytes against amqp_json.c. */
#include "rb_codec.h"
#include "rb_error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

struct rb_codec_state {
    char *buf;    /* encoded bytes */
    size_t cap;   /* bytes allocated */
};

static const char *js_version(void)
{
    static char v[32];
    snprintf(v, sizeof v, "jansson %s", jansson_version_str());
    return v;
}

static int js_open(rb_codec_state **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? RB_OK : RB_ENOMEM;
}

static void js_close(rb_codec_state *st)
{
    if (st)
        free(st->buf);
    free(st);
}

static int reserve(rb_codec_state *st, size_t n)
{
    if (n <= st->cap)
        return RB_OK;
    char *p = realloc(st->buf, n);
    if (!p)
        return RB_ENOMEM;
    st->buf = p;
    st->cap = n;
    return RB_OK;
}

/* The object as the compact JSON text, into st->buf; *len its size. */
static int encode_obj(rb_codec_state *st, const rb_obj *o, size_t *len)
{
    int rc = RB_ENOMEM;
    json_t *j = json_object();
    for (size_t i = 0; j && i < o->count; i++) {
        json_t *v = json_integer(o->entries[i].value);
        if (!v)
            goto fail;
        if (json_object_setn_new(j, rb_obj_key(o, i), o->entries[i].key_len, v) != 0) {
            rc = RB_EINVAL;   /* a key that is not UTF-8 */
            goto fail;
        }
    }
    size_t need = j ? json_dumpb(j, st->buf, st->cap, JSON_COMPACT) : 0;
    if (need > st->cap) {
        if (reserve(st, need * 2) != RB_OK)
            goto fail;
        need = json_dumpb(j, st->buf, st->cap, JSON_COMPACT);
    }
    if (need == 0 || need > st->cap)
        goto fail;
    *len = need;
    rc = RB_OK;
fail:
    json_decref(j);
    return rc;
}

static int js_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                     const char **out, size_t *len)
{
    int rc;
    if (rb_codec_msg_has_obj(m)) {
        rc = encode_obj(st, obj, len);
    } else {
        rc = reserve(st, 24);
        if (rc == RB_OK)
            *len = (size_t)snprintf(st->buf, st->cap, "%lld", (long long)num);
    }
    *out = st->buf;
    return rc;
}

static int js_decode(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                     int64_t *num, rb_obj *obj)
{
    (void)st;
    int rc = RB_EPROTO;
    json_t *j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return RB_EPROTO;
    if (!rb_codec_msg_has_obj(m)) {
        if (json_is_integer(j)) {
            *num = json_integer_value(j);
            rc = RB_OK;
        }
        goto done;
    }
    rb_obj_clear(obj);
    if (!json_is_object(j))
        goto done;
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach(j, key, key_len, val) {
        if (!json_is_integer(val)) {
            rc = RB_EPROTO;
            goto done;
        }
        rc = rb_obj_add(obj, key, key_len, json_integer_value(val));
        if (rc != RB_OK) {
            rc = rc == RB_ENOMEM ? RB_ENOMEM : RB_EPROTO;
            goto done;
        }
    }
    rc = RB_OK;
done:
    json_decref(j);
    return rc;
}

const rb_codec rb_codec_json = {
    .encoding = "JSON",
    .library = "jansson",
    .used_by = "AMQP transports (application/json bodies)",
    .version = js_version,
    .open = js_open,
    .close = js_close,
    .encode = js_encode,
    .decode = js_decode,
};
