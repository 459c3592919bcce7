/* mp_codec.c - MessagePack through msgpack-c and services/rb_msgpack.h, as
 * the tcp and zmq transports (and AMQP's MessagePack bodies) use it; see
 * services/rb_codec.h.
 *
 * Bytes: fib's request is its args array [n] (rb_mp_pack_args), its reply
 * the integer; getObj's reply the map {"server:0": 0, ...}; sendObj's
 * request the args array [{"client:0": 0, ...}]. tcp wraps a request in
 * [id, "method", args] and a reply in [id, 0, result]; zerorpc adds its
 * event header: not counted here. Decoding goes through rb_mp_decode (the
 * validator, then msgpack-c's unpacker into a fresh zone) and
 * rb_mp_get_int / rb_mp_get_obj, as the transports do. */
#include "rb_codec.h"
#include "rb_error.h"
#include "rb_msgpack.h"

#include <stdio.h>
#include <stdlib.h>

struct rb_codec_state {
    msgpack_sbuffer sb;
    msgpack_packer pk;
};

static const char *mp_version(void)
{
    static char v[48];
    snprintf(v, sizeof v, "msgpack-c %s", msgpack_version());
    return v;
}

static int mp_open(rb_codec_state **out)
{
    rb_codec_state *st = calloc(1, sizeof *st);
    if (!st)
        return RB_ENOMEM;
    msgpack_sbuffer_init(&st->sb);
    msgpack_packer_init(&st->pk, &st->sb, msgpack_sbuffer_write);
    *out = st;
    return RB_OK;
}

static void mp_close(rb_codec_state *st)
{
    if (!st)
        return;
    msgpack_sbuffer_destroy(&st->sb);
    free(st);
}

static int mp_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                     const char **out, size_t *len)
{
    int fail;
    msgpack_sbuffer_clear(&st->sb);
    switch (m) {
    case RB_CM_FIB_REQUEST: fail = rb_mp_pack_args(&st->pk, RB_M_FIB, num, NULL); break;
    case RB_CM_FIB_REPLY: fail = msgpack_pack_int64(&st->pk, num); break;
    case RB_CM_GET_OBJ_REPLY: fail = rb_mp_pack_obj(&st->pk, obj); break;
    case RB_CM_SEND_OBJ_REQUEST: fail = rb_mp_pack_args(&st->pk, RB_M_SEND_OBJ, 0, obj); break;
    default: return RB_EINVAL;
    }
    if (fail)
        return RB_ENOMEM;
    *out = st->sb.data;
    *len = st->sb.size;
    return RB_OK;
}

static int mp_decode(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                     int64_t *num, rb_obj *obj)
{
    (void)st;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = rb_mp_decode(buf, len, &u);
    if (rc)
        goto done;
    const msgpack_object *v = &u.data;
    if (m == RB_CM_FIB_REQUEST || m == RB_CM_SEND_OBJ_REQUEST) {
        /* a request's args array of one item */
        if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != 1) {
            rc = RB_EPROTO;
            goto done;
        }
        v = v->via.array.ptr;
    }
    if (m == RB_CM_FIB_REQUEST || m == RB_CM_FIB_REPLY)
        rc = rb_mp_get_int(v, num) ? RB_EPROTO : RB_OK;
    else
        rc = rb_mp_get_obj(v, obj);
    if (rc == RB_EINVAL)
        rc = RB_EPROTO;
done:
    msgpack_unpacked_destroy(&u);
    return rc;
}

const rb_codec rb_codec_msgpack = {
    .encoding = "MessagePack",
    .library = "msgpack-c",
    .used_by = "tcp, zmq, AMQP transports (application/msgpack bodies, their default)",
    .version = mp_version,
    .open = mp_open,
    .close = mp_close,
    .encode = mp_encode,
    .decode = mp_decode,
};
