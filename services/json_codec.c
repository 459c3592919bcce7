/* json_codec.c - JSON through jansson, the bodies the AMQP transports send
 * (transports/amqp/amqp_json.c) byte for byte; see services/rb_codec.h.
 *
 * Bytes: fib's request is the bare number (30, as the RabbitMQ tutorial's
 * RPC client sends it), its reply the result (832040); getObj's reply and
 * sendObj's request the compact object {"server:0":0,...}, built as a
 * jansson tree and written with json_dumpb(JSON_COMPACT) (services/rb_json.h,
 * which amqp_json.c and rest_json.c use too). An integer is written
 * directly (its decimal digits). Decoding is jansson's strict parser (one
 * value, JSON_REJECT_DUPLICATES), then the object's members into an rb_obj
 * (rb_json_to_obj). tests/harness/codecs checks the bytes against amqp_json.c. */
#include "rb_codec.h"
#include "rb_error.h"
#include "rb_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

struct rb_codec_state {
    rb_buf out;   /* encoded bytes */
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
        rb_buf_free(&st->out);
    free(st);
}

/* The object as the compact JSON text, into st->out. */
static int encode_obj(rb_codec_state *st, const rb_obj *o)
{
    json_t *j;
    int rc = rb_json_from_obj(o, &j);
    if (rc == RB_OK)
        rc = rb_json_dump(j, &st->out);
    json_decref(j);
    return rc;
}

static int js_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                     const char **out, size_t *len)
{
    int rc;
    if (rb_codec_msg_has_obj(m)) {
        rc = encode_obj(st, obj);
    } else {
        rc = rb_buf_reserve(&st->out, 24);
        if (rc == RB_OK)
            st->out.len = (size_t)snprintf(st->out.data, st->out.cap, "%lld", (long long)num);
    }
    *out = st->out.data;
    *len = st->out.len;
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
    rc = rb_json_to_obj(j, obj, NULL, 0);
    if (rc != RB_OK && rc != RB_ENOMEM)
        rc = RB_EPROTO;
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
